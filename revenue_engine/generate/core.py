"""Orchestration: global tables once, then leads in chunks appended to Parquet writers."""

from __future__ import annotations

import math
import multiprocessing
import shutil
import sys
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from tqdm import tqdm

from revenue_engine.generate import calendar as cal
from revenue_engine.generate.activities import member_table, task_table
from revenue_engine.generate.arrow import take
from revenue_engine.generate.calendar import Window, stream
from revenue_engine.generate.crm import build_crm
from revenue_engine.generate.dirt import dirty_fields, soft_deletes_and_resyncs
from revenue_engine.generate.finance import FxRates, make_expenses
from revenue_engine.generate.ids import record_numbers, salesforce_ids
from revenue_engine.generate.leads import lead_ids, lead_table, make_companies, simulate_leads
from revenue_engine.generate.marketing import (
    Campaigns,
    LeadIntensity,
    campaign_table,
    make_campaigns,
    make_intensity,
    make_spend,
)
from revenue_engine.generate.opportunities import HISTORY_PREFIX, history_row_count, push_table
from revenue_engine.generate.people import Users, make_users
from revenue_engine.loaders.contract import CONTRACT

DEFAULT_END_DATE = date(2026, 6, 30)
DEFAULT_LEADS = 5000
DEFAULT_SEED = 42
DEFAULT_DIRT_RATE = 0.02
DEFAULT_MONTHS = 24
CHUNK_LEADS = 200_000
MAX_DIRT_RATE = 0.2
# Fixed writer settings: the same data gives the same bytes.
PARQUET_OPTIONS = {
    "compression": "zstd",
    "compression_level": 1,
    "version": "2.6",
    "use_dictionary": True,
    "write_statistics": True,
    "write_page_index": False,
}


class _Sink:
    """One ParquetWriter per table, opened on first write; renamed into place at the end."""

    def __init__(self, out_dir: Path) -> None:
        self.out_dir = out_dir
        self.writers: dict[str, pq.ParquetWriter] = {}
        self.rows: dict[str, int] = dict.fromkeys(CONTRACT, 0)

    def _temporary(self, name: str) -> Path:
        return self.out_dir / f"{name}.parquet.partial"

    def write(self, name: str, data: pa.Table) -> None:
        """Append `data` to table `name`."""
        if data.schema != CONTRACT[name]:
            raise TypeError(f"{name}: schema differs from the raw contract:\n{data.schema}")
        if name not in self.writers:
            path = self._temporary(name)
            path.parent.mkdir(parents=True, exist_ok=True)
            self.writers[name] = pq.ParquetWriter(path, CONTRACT[name], **PARQUET_OPTIONS)
        if data.num_rows:
            self.writers[name].write_table(data, row_group_size=1_000_000)
        self.rows[name] += data.num_rows

    def close(self) -> None:
        """Finish every file (empty tables included) and move them to their final names."""
        for name in CONTRACT:
            if name not in self.writers:
                self.write(name, CONTRACT[name].empty_table())
        for name, writer in self.writers.items():
            writer.close()
            final = self.out_dir / f"{name}.parquet"
            self._temporary(name).replace(final)

    def abort(self) -> None:
        """Drop the partial files after a failure."""
        for name, writer in self.writers.items():
            writer.close()
            self._temporary(name).unlink(missing_ok=True)


def _chunk_sizes(leads: int, chunk_size: int) -> list[int]:
    chunks = max(1, math.ceil(leads / chunk_size))
    base, extra = divmod(leads, chunks)
    return [base + (1 if i < extra else 0) for i in range(chunks)]


@dataclass(frozen=True)
class _World:
    """What every chunk shares: built once from the seed, then sent to the workers."""

    seed: int
    dirt_rate: float
    window: Window
    users: Users
    campaigns: Campaigns
    intensity: LeadIntensity
    fx: FxRates


def _chunk_tables(world: _World, slot: int, count: int) -> dict[str, pa.Table]:
    """Every per-lead table of one chunk, dirt included: a pure function of its arguments."""
    seed, window, users, campaigns = world.seed, world.window, world.users, world.campaigns
    rng = stream(seed, cal.STREAM_LEADS, slot)
    companies = make_companies(rng, max(1000, round(0.7 * count)))
    leads = simulate_leads(rng, count, window, world.intensity, campaigns, companies, users)
    ids = lead_ids(slot, count)
    crm = build_crm(
        stream(seed, cal.STREAM_DEALS, slot),
        slot,
        leads,
        companies,
        users,
        campaigns.ids,
        window,
        world.fx,
    )
    tables = dict(crm.tables)
    tables["salesforce/lead"] = lead_table(
        leads,
        ids,
        companies,
        users.ids,
        pa.array(campaigns.utm, pa.string()),
        take(crm.account_ids, crm.lead_account),
        take(crm.contact_ids, crm.lead_contact),
        take(crm.opportunity_ids, crm.lead_opportunity),
    )
    activity_rng = stream(seed, cal.STREAM_ACTIVITIES, slot)
    tables["salesforce/task"] = task_table(activity_rng, slot, window, leads, ids, crm, users)
    tables["salesforce/campaign_member"] = member_table(
        activity_rng, slot, window, leads, ids, crm, campaigns
    )
    if world.dirt_rate > 0:
        dirt_rng = stream(seed, cal.STREAM_DIRT, slot)
        dirty_fields(dirt_rng, tables, world.dirt_rate, slot)
        soft_deletes_and_resyncs(dirt_rng, tables, world.dirt_rate, window.cutoff_us)
    # close-date pushes join the history after the dirt: every other draw stays the same
    first = history_row_count(crm.deals)
    pushes = push_table(
        crm.deals,
        crm.opportunity_ids,
        lambda count: salesforce_ids(HISTORY_PREFIX, record_numbers(slot, count, start=first)),
        window,
    )
    history = tables["salesforce/opportunity_history"]
    tables["salesforce/opportunity_history"] = pa.concat_tables(
        [history, pushes.cast(history.schema)]
    )
    return tables


_WORKER_WORLD: list[_World] = []


def _init_worker(world: _World) -> None:
    _WORKER_WORLD[:] = [world]


def _worker_chunk(slot: int, count: int) -> dict[str, pa.Table]:
    return _chunk_tables(_WORKER_WORLD[0], slot, count)


def _chunks(
    world: _World, sizes: list[int], workers: int
) -> Iterator[tuple[int, dict[str, pa.Table]]]:
    """(lead count, tables) of every chunk, in order; built in `workers` processes if > 0."""
    if workers < 1 or len(sizes) == 1:
        for chunk, count in enumerate(sizes):
            yield count, _chunk_tables(world, chunk + 1, count)
        return
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(
        workers, mp_context=context, initializer=_init_worker, initargs=(world,)
    ) as pool:
        jobs = iter(enumerate(sizes))
        pending: deque[tuple[int, Future[dict[str, pa.Table]]]] = deque()

        def submit() -> None:
            job = next(jobs, None)
            if job is not None:
                chunk, count = job
                pending.append((count, pool.submit(_worker_chunk, chunk + 1, count)))

        for _ in range(workers + 1):  # bounded: at most workers + 1 chunks in flight
            submit()
        while pending:
            count, future = pending.popleft()
            tables = future.result()
            submit()
            yield count, tables


def check_arguments(
    leads: int, seed: int, dirt_rate: float, months: int, chunk_size: int, workers: int = 0
) -> None:
    """Raise ValueError for arguments the generator cannot honour."""
    if leads < 1:
        raise ValueError("leads must be >= 1")
    if seed < 0:
        raise ValueError("seed must be >= 0")
    if not 0.0 <= dirt_rate <= MAX_DIRT_RATE:
        raise ValueError(f"dirt rate must be between 0 and {MAX_DIRT_RATE}")
    if months < 1:
        raise ValueError("months must be >= 1")
    if chunk_size < 1:
        raise ValueError("chunk size must be >= 1")
    if workers < 0:
        raise ValueError("workers must be >= 0")


def generate(
    out_dir: Path | str,
    leads: int = DEFAULT_LEADS,
    seed: int = DEFAULT_SEED,
    end_date: date = DEFAULT_END_DATE,
    dirt_rate: float = DEFAULT_DIRT_RATE,
    months: int = DEFAULT_MONTHS,
    progress: bool = False,
    chunk_size: int = CHUNK_LEADS,
    workers: int = 0,
) -> dict[str, int]:
    """Write every raw-contract table of the demo company as Parquet under `out_dir`.

    Files land at `<out_dir>/<source>/<table>.parquet`. The same arguments give byte-identical
    files. Leads are generated in chunks of `chunk_size` (each with its own derived random
    streams), so memory stays bounded at any scale. With `workers` > 0, chunks are built in
    that many background processes while this one writes (they are written in order, so the
    files are the same for any number of workers). Returns the row count of every table.
    """
    check_arguments(leads, seed, dirt_rate, months, chunk_size, workers)
    out = Path(out_dir)
    window = Window.ending(end_date, months)
    rng = stream(seed, cal.STREAM_GLOBAL)
    users = make_users(rng, leads, window)
    fx = FxRates(stream(seed, cal.STREAM_FX), window)
    campaigns = make_campaigns(window)
    intensity = make_intensity(rng, window, campaigns)
    spend = make_spend(stream(seed, cal.STREAM_SPEND), window, intensity, leads, fx)
    expense_rng = stream(seed, cal.STREAM_EXPENSES)
    global_tables = {
        "salesforce/user": users.table,
        "salesforce/campaign": campaign_table(rng, window, campaigns, spend),
        "finance/fx_rates": fx.to_table(),
        "finance/expenses": make_expenses(expense_rng, window, users, fx, spend.usd_by_month),
        **spend.tables,
    }
    if dirt_rate > 0:
        dirt_rng = stream(seed, cal.STREAM_DIRT, 0)
        soft_deletes_and_resyncs(dirt_rng, global_tables, dirt_rate, window.cutoff_us)
    world = _World(seed, dirt_rate, window, users, campaigns, intensity, fx)
    sizes = _chunk_sizes(leads, chunk_size)

    out.mkdir(parents=True, exist_ok=True)
    sink = _Sink(out)
    try:
        for name, data in global_tables.items():
            sink.write(name, data)
        with tqdm(
            total=leads, unit="lead", disable=not progress, file=sys.stderr, unit_scale=True
        ) as bar:
            for count, tables in _chunks(world, sizes, workers):
                for name in CONTRACT:
                    if name in tables:
                        sink.write(name, tables[name])
                del tables
                bar.update(count)
    except BaseException:
        sink.abort()
        raise
    sink.close()
    return dict(sink.rows)


def remove_output(out_dir: Path | str) -> None:
    """Delete a generated raw-data directory (used by the benchmark)."""
    shutil.rmtree(out_dir, ignore_errors=True)
