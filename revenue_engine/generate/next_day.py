"""The next day's load for an existing company, appended as a connector's next sync lands it.

For a company written by `generate` (or an earlier next day), the day after its latest load gets:
new leads (with a campaign membership and a first task each), open leads worked (status, score, a
task), leads and tasks soft-deleted, open deals revised (amount up, close date pushed, on the deal
and in its history) and a day of ad spend per campaign. Every new or changed row is appended with
the new load time; the rows already there are left as they were (the raw contract: the latest load
of a record wins). Deterministic for a given company and seed.

    revenue-engine generate --next-day --out data/raw
"""

from __future__ import annotations

import os
from datetime import date, datetime, time, timedelta
from pathlib import Path

import duckdb
import numpy as np

from revenue_engine.generate.ids import salesforce_ids

LOAD_TIME = time(6, 0)  # the generator's daily sync
ID_SLOT_BASE = 50_000  # record-number slots of next-day ids (the generator's chunks use small ones)


def _latest_rows(table: str) -> str:
    """The live version of every keyed record of a raw file (latest load, not deleted)."""
    return (
        f"(select * from read_parquet('{table}') where id is not null "
        "qualify row_number() over (partition by id order by _fivetran_synced desc nulls last) = 1"
        " and not coalesce(is_deleted, false))"
    )


def _new_ids(prefix: str, day: date, start: int, count: int) -> list[str]:
    slot = ID_SLOT_BASE + (day - date(2000, 1, 1)).days % 15_000
    numbers = (np.uint64(slot) << np.uint64(24)) + np.arange(start, start + count, dtype=np.uint64)
    return salesforce_ids(prefix, numbers).to_pylist()


def _id_table(
    connection: duckdb.DuckDBPyConnection, name: str, prefix: str, day: date, count: int
) -> None:
    """Temp table `name` (row_number, id): `count` new Salesforce ids of the day, numbered 1.."""
    connection.execute(f"create temp table {name} (row_number bigint, id varchar)")
    connection.executemany(
        f"insert into {name} values (?, ?)",
        list(enumerate(_new_ids(prefix, day, 0, count), start=1)),
    )


def _append(connection: duckdb.DuckDBPyConnection, path: Path, new_rows: str) -> int:
    """Rewrite `path` as its rows followed by `new_rows` (a query with the same columns)."""
    connection.execute(f"create or replace temp table appended as {new_rows}")
    added = connection.execute("select count(*) from appended").fetchone()[0]
    partial = path.with_suffix(".parquet.partial")
    connection.execute(
        f"copy (select * from read_parquet('{path}') union all by name select * from appended) "
        f"to '{partial}' (format parquet)"
    )
    os.replace(partial, path)
    return added


def append_next_day(raw_dir: Path | str, seed: int = 0, share: float = 0.002) -> dict[str, int]:
    """Append the day after the latest load to the company in `raw_dir`; returns rows added per
    table. `share` of the leads is the size of each kind of change (at least 5 records)."""
    raw = Path(raw_dir)
    files = {
        name: raw / "salesforce" / f"{name}.parquet"
        for name in ("lead", "task", "campaign_member", "opportunity", "opportunity_history")
    }
    ads = {
        "google_ads/campaign_stats": "date",
        "linkedin_ads/ad_analytics_by_campaign": "day",
        "facebook_ads/basic_campaign": "date",
    }
    connection = duckdb.connect()
    latest_load = connection.execute(
        f"select max(_fivetran_synced) from read_parquet('{files['lead']}')"
    ).fetchone()[0]
    day = latest_load.date() + timedelta(days=1)
    load_at = datetime.combine(day, LOAD_TIME)
    leads_total = connection.execute(
        f"select count(distinct id) from read_parquet('{files['lead']}')"
    ).fetchone()[0]
    size = max(5, round(leads_total * share))
    pick = f"hash(id || '{seed}:{day}')"  # a deterministic sample, different every day
    added: dict[str, int] = {}

    def at(hours: float) -> str:
        return f"timestamp '{day} 00:00:00' + to_microseconds(cast({hours * 3_600e6} as bigint))"

    # leads: new ones (copies of recent open leads), open leads worked, others soft-deleted
    connection.execute(
        f"create temp table worked as select * from {_latest_rows(files['lead'])} "
        f"where status = 'Open' order by {pick} limit {size}"
    )
    connection.execute(
        f"create temp table templates as select * from {_latest_rows(files['lead'])} "
        f"where status = 'Open' and id not in (select id from worked) "
        f"order by created_date desc, id limit {size}"
    )
    connection.execute(
        f"create temp table dropped as select * from {_latest_rows(files['lead'])} "
        f"where status in ('Nurturing', 'Disqualified') order by {pick} limit {size}"
    )
    _id_table(connection, "new_lead_ids", "00Q", day, size)
    connection.execute(
        "create temp table new_leads as "
        "select templates.* replace (new_lead_ids.id as id, "
        f"{at(1)} + to_seconds(new_lead_ids.row_number) "
        "as created_date, 'Open' as status, cast(null as timestamp) as mql_date__c, "
        "cast(null as timestamp) as sql_date__c, false as is_converted, "
        "cast(null as timestamp) as converted_date, cast(null as varchar) as converted_account_id, "
        "cast(null as varchar) as converted_contact_id, "
        "cast(null as varchar) as converted_opportunity_id, "
        "cast(null as varchar) as disqualified_reason__c, "
        f"timestamp '{load_at}' as _fivetran_synced) "
        "from (select *, row_number() over (order by id) as row_number from templates) "
        "as templates "
        "join new_lead_ids using (row_number)"
    )
    connection.execute("alter table new_leads drop column row_number")
    added["salesforce/lead"] = _append(
        connection,
        files["lead"],
        "select * from new_leads union all by name "
        "select * replace ('Working' as status, least(coalesce(lead_score__c, 0) + 5, 100) "
        f"as lead_score__c, timestamp '{load_at}' as _fivetran_synced) from worked "
        "union all by name "
        f"select * replace (true as is_deleted, timestamp '{load_at}' as _fivetran_synced) "
        "from dropped",
    )

    # tasks: a first call to every new and worked lead; a few old tasks soft-deleted
    touched = (
        "select id as lead_id, owner_id from new_leads union all select id, owner_id from worked"
    )
    _id_table(connection, "new_task_ids", "00T", day, 2 * size)
    template_task = f"(select * from read_parquet('{files['task']}') where id is not null limit 1)"
    added["salesforce/task"] = _append(
        connection,
        files["task"],
        f"select template.* replace (new_task_ids.id as id, touched.lead_id as who_id, "
        "cast(null as varchar) as what_id, touched.owner_id as owner_id, 'Call' as type, "
        f"'Completed' as status, date '{day}' as activity_date, {at(3)} as created_date, "
        f"false as is_deleted, timestamp '{load_at}' as _fivetran_synced) "
        f"from (select *, row_number() over (order by lead_id) as row_number from ({touched})) "
        "as touched join new_task_ids using (row_number) cross join "
        f"{template_task} as template "
        "union all by name "
        f"select * replace (true as is_deleted, timestamp '{load_at}' as _fivetran_synced) from "
        f"(select * from {_latest_rows(files['task'])} order by {pick} limit {size})",
    )

    # campaign members: each new lead joins its template's campaign
    _id_table(connection, "new_member_ids", "00v", day, size)
    template_member = (
        f"(select * from read_parquet('{files['campaign_member']}') "
        "where id is not null and campaign_id is not null limit 1)"
    )
    added["salesforce/campaign_member"] = _append(
        connection,
        files["campaign_member"],
        "select template.* replace (new_member_ids.id as id, new_leads.id as lead_id, "
        "cast(null as varchar) as contact_id, 'Sent' as status, false as has_responded, "
        f"cast(null as date) as first_responded_date, {at(2)} as created_date, "
        "false as is_deleted, "
        f"timestamp '{load_at}' as _fivetran_synced) "
        "from (select id, row_number() over (order by id) as row_number from new_leads) "
        "as new_leads "
        f"join new_member_ids using (row_number) cross join {template_member} as template",
    )

    # open deals revised: amount up 10%, close date pushed two weeks, on the deal and in its history
    connection.execute(
        f"create temp table revised as select * from {_latest_rows(files['opportunity'])} "
        f"where not coalesce(is_closed, false) and amount is not null order by {pick} limit {size}"
    )
    added["salesforce/opportunity"] = _append(
        connection,
        files["opportunity"],
        "select * replace (round(amount * 1.1, 2) as amount, close_date + 14 as close_date, "
        f"timestamp '{load_at}' as _fivetran_synced) from revised",
    )
    _id_table(connection, "new_history_ids", "008", day, size)
    template_history = (
        f"(select * from read_parquet('{files['opportunity_history']}') "
        "where id is not null limit 1)"
    )
    added["salesforce/opportunity_history"] = _append(
        connection,
        files["opportunity_history"],
        "select template.* replace (new_history_ids.id as id, revised.id as opportunity_id, "
        f"{at(4)} as created_date, revised.stage_name as stage_name, "
        "round(revised.amount * 1.1, 2) as amount, revised.close_date + 14 as close_date, "
        "revised.probability as probability, false as is_deleted, "
        f"timestamp '{load_at}' as _fivetran_synced) "
        "from (select *, row_number() over (order by id) as row_number from revised) as revised "
        f"join new_history_ids using (row_number) cross join {template_history} as template",
    )

    # a day of ad spend: each campaign that spent on the last day spends the same again
    for table, date_column in ads.items():
        path = raw / f"{table}.parquet"
        added[table] = _append(
            connection,
            path,
            f"select * replace ({date_column} + 1 as {date_column}, timestamp '{load_at}' "
            f"as _fivetran_synced) from read_parquet('{path}') "
            f"where {date_column} = date '{day - timedelta(days=1)}'",
        )
    connection.close()
    return added
