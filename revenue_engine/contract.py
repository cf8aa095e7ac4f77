"""The raw data contract, read from its one definition: the source YAML.

`models/staging/<area>/_<area>__sources.yml` lists every raw table the project reads, every column
with its type, and in `config.meta` what else the project needs to know:

- table `keys`: the columns that identify a record (staging keeps the latest load per key);
- column `currency`: the column is money in the currency named by that other column; `divide_by`:
  it is in a smaller unit (Google's `cost_micros`), divide to get the currency amount;
- column `personal_data` (and `published_as`): personal data, dropped in staging unless published;
- table and column `required`: the run stops without it (keys are always required); everything else
  may be absent (a table reads as empty, a column as null), and `needed_for` names the figures that
  are then not available; column `aliases` (other names it lands under; a custom field `x__c` also
  lands as `x_c`) and `when_absent` (a dbt var holding its value when it did not land).

The source's `loaded_at_field` (overridable per table) is the connector's load time. dbt reads
the same YAML (the macros read `graph.sources`), and everything in Python asks this module: the
loaders' and the generator's Arrow schemas, the raw quality suites, `docs/raw-contract.md`
(`revenue-engine contract --write`). Nothing restates a table list, a key or a unit by hand.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from pathlib import Path

import pyarrow as pa
import yaml

from revenue_engine.settings import PROJECT_DIR

SOURCES_GLOB = "models/staging/*/_*__sources.yml"
DOCS_GLOB = "models/**/*.md"
CONTRACT_DOC = "docs/raw-contract.md"

# dbt data_type (as the source YAML declares it) -> Arrow type a loader writes.
ARROW_TYPES: Mapping[str, pa.DataType] = {
    "varchar": pa.string(),
    "bigint": pa.int64(),
    "double": pa.float64(),
    "boolean": pa.bool_(),
    "timestamp": pa.timestamp("us"),
    "date": pa.date32(),
}


@dataclass(frozen=True)
class Column:
    name: str
    data_type: str
    description: str
    currency: str | None = None
    divide_by: int | None = None
    personal_data: bool = False
    published_as: tuple[str, ...] = ()
    required: bool = False
    needed_for: str | None = None
    aliases: tuple[str, ...] = ()
    when_absent: str | None = None

    @property
    def landing_names(self) -> tuple[str, ...]:
        """Names the column may land under, its own first (a custom field `x__c` also as `x_c`)."""
        spelled = (self.name[:-3] + "_c",) if self.name.endswith("__c") else ()
        return (self.name, *self.aliases, *spelled)

    @property
    def arrow_type(self) -> pa.DataType:
        return ARROW_TYPES[self.data_type]

    def amount_sql(self, column: str | None = None) -> str:
        """SQL for this money column in currency units (`divide_by` applied), as a double."""
        expression = f"try_cast({column or self.name} as double)"
        return f"{expression} / {self.divide_by}.0" if self.divide_by else expression


@dataclass(frozen=True)
class Table:
    source: str
    name: str
    description: str
    keys: tuple[str, ...]
    loaded_at: str | None
    columns: tuple[Column, ...]
    required: bool = False
    needed_for: str | None = None
    warn_after: timedelta | None = None  # freshness, as dbt states it (loaded_at_field's age)
    error_after: timedelta | None = None

    @property
    def required_columns(self) -> list[str]:
        """Keys and the columns marked required: the run stops without them."""
        return [c.name for c in self.columns if c.required or c.name in self.keys]

    @property
    def path(self) -> str:
        """`<source>/<table>`: the file under RAW_DATA_DIR (and the key the Python side uses)."""
        return f"{self.source}/{self.name}"

    @property
    def relation(self) -> str:
        """`<source>.<table>`: the name dbt and the audit models use."""
        return f"{self.source}.{self.name}"

    @property
    def column_names(self) -> list[str]:
        return [column.name for column in self.columns]

    def column(self, name: str) -> Column:
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(f"{self.relation} has no contract column {name!r}")

    @property
    def money_columns(self) -> list[Column]:
        """Columns of money in a currency the row names (`meta.currency`)."""
        return [column for column in self.columns if column.currency]

    @property
    def date_keys(self) -> list[str]:
        """Key columns that are calendar days (the day of a campaign x day table)."""
        return [key for key in self.keys if self.column(key).data_type == "date"]

    @property
    def arrow_schema(self) -> pa.Schema:
        """All fields nullable: a connector never guarantees a value."""
        return pa.schema([pa.field(c.name, c.arrow_type, nullable=True) for c in self.columns])


def _meta(node: Mapping) -> dict:
    return dict((node.get("config") or {}).get("meta") or node.get("meta") or {})


@cache
def _docs_blocks(project_dir: Path) -> dict[str, str]:
    blocks: dict[str, str] = {}
    for path in sorted(project_dir.glob(DOCS_GLOB)):
        text = path.read_text(encoding="utf-8")
        for name, body in re.findall(r"{%\s*docs\s+(\w+)\s*%}(.*?){%\s*enddocs\s*%}", text, re.S):
            blocks[name] = " ".join(body.split())
    return blocks


def _render(description: str, project_dir: Path) -> str:
    """A YAML description with its `{{ doc('name') }}` references resolved, on one line."""
    blocks = _docs_blocks(project_dir)
    text = re.sub(
        r"{{\s*doc\(\s*['\"](\w+)['\"]\s*\)\s*}}", lambda m: blocks[m.group(1)], description or ""
    )
    return " ".join(text.split())


@cache
def load_contract(project_dir: Path = PROJECT_DIR) -> dict[str, Table]:
    """Every contract table keyed `<source>/<table>`, in the order of the source YAML files."""
    tables: dict[str, Table] = {}
    for path in _source_files(project_dir):
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
        for source in document.get("sources", []):
            source_loaded_at = (source.get("config") or {}).get("loaded_at_field")
            source_freshness = (source.get("config") or {}).get("freshness")
            for table in source.get("tables", []):
                meta = _meta(table)
                config = table.get("config") or {}
                loaded_at = config.get("loaded_at_field", source_loaded_at)
                freshness = config.get("freshness", source_freshness) or {}
                keys = tuple(meta.get("keys") or ())
                columns = tuple(
                    Column(
                        name=column["name"],
                        data_type=column["data_type"],
                        description=_render(column.get("description", ""), project_dir),
                        currency=_meta(column).get("currency"),
                        divide_by=_meta(column).get("divide_by"),
                        personal_data=bool(_meta(column).get("personal_data")),
                        published_as=tuple(_meta(column).get("published_as") or ()),
                        required=bool(_meta(column).get("required")),
                        needed_for=_meta(column).get("needed_for"),
                        aliases=tuple(_meta(column).get("aliases") or ()),
                        when_absent=_meta(column).get("when_absent"),
                    )
                    for column in table.get("columns", [])
                )
                entry = Table(
                    source=source["name"],
                    name=table["name"],
                    description=_render(table.get("description", ""), project_dir),
                    keys=keys,
                    loaded_at=loaded_at,
                    columns=columns,
                    required=bool(meta.get("required")),
                    needed_for=meta.get("needed_for"),
                    warn_after=_period(freshness.get("warn_after")),
                    error_after=_period(freshness.get("error_after")),
                )
                _check(entry, path)
                tables[entry.path] = entry
    return tables


PERIODS = {"minute": timedelta(minutes=1), "hour": timedelta(hours=1), "day": timedelta(days=1)}


def _period(threshold: Mapping | None) -> timedelta | None:
    """dbt's freshness threshold ({count, period}) as a duration; None when not set."""
    if not threshold or threshold.get("count") is None:
        return None
    return int(threshold["count"]) * PERIODS[threshold["period"]]


def landing_key(name: str) -> str:
    """A name as loaders spell it, compared without case or underscores (dbt's landing_key()):
    `stage_name` is the API's `StageName`, `opportunity_history` lands as `OpportunityHistory`."""
    return name.lower().replace("_", "")


class LandingError(ValueError):
    """A landing that cannot be read as the contract says (two files for one table)."""


def landed_files(raw_data_dir: Path) -> dict[str, Path]:
    """`<source>/<table>` -> the file that landed for it under RAW_DATA_DIR (`<source>/<table>`
    `.parquet` or `.csv`, the table's name in any case and with or without underscores), as dbt's
    raw_landed_columns() finds it. Two files for one table raise LandingError naming both."""
    found: dict[str, Path] = {}
    for key, table in load_contract().items():
        folder = raw_data_dir / table.source
        if not folder.is_dir():
            continue
        wanted = landing_key(table.name)
        matches = sorted(
            path
            for path in folder.iterdir()
            if path.suffix in (".parquet", ".csv") and landing_key(path.stem) == wanted
        )
        if len(matches) > 1:
            files = ", ".join(map(str, matches))
            raise LandingError(
                f"table {table.relation} landed as more than one file ({files}): "
                "which one is current cannot be decided; keep one"
            )
        if matches:
            found[key] = matches[0]
    return found


def _source_files(project_dir: Path) -> list[Path]:
    """Salesforce first (the CRM is what the project is about), then the other sources by name."""
    files = sorted(project_dir.glob(SOURCES_GLOB))
    return sorted(files, key=lambda path: (path.parent.name != "salesforce", path.parent.name))


def _check(table: Table, path: Path) -> None:
    where = f"{path.name}: {table.relation}"
    if not table.keys:
        raise ValueError(f"{where}: config.meta.keys is missing (the columns naming a record)")
    names = table.column_names
    for key in table.keys:
        if key not in names:
            raise ValueError(f"{where}: key {key!r} is not a column")
    for column in table.columns:
        if column.currency and column.currency not in names:
            raise ValueError(f"{where}.{column.name}: currency {column.currency!r} is not a column")
    if table.loaded_at and table.loaded_at not in names:
        raise ValueError(f"{where}: loaded_at_field {table.loaded_at!r} is not a column")
    for column in table.columns:
        if column.data_type not in ARROW_TYPES:
            raise ValueError(f"{where}.{column.name}: data_type {column.data_type!r} is unknown")


def arrow_schemas(project_dir: Path = PROJECT_DIR) -> dict[str, pa.Schema]:
    """`<source>/<table>` -> Arrow schema, for loaders and the generator."""
    return {key: table.arrow_schema for key, table in load_contract(project_dir).items()}


def markdown(project_dir: Path = PROJECT_DIR) -> str:
    """The contract as a page for people: `docs/raw-contract.md` is this text."""
    tables = load_contract(project_dir)
    lines = [
        "# Raw data contract",
        "",
        "<!-- Generated from models/staging/*/_*__sources.yml by `revenue-engine contract "
        "--markdown`; edit the YAML, not this page. -->",
        "",
        "What the project reads. On DuckDB every table is one file, "
        "`RAW_DATA_DIR/<source>/<table>.parquet` (a `.csv` with a header row is accepted in its "
        "place); on other warehouses the same tables are `<source>.<table>`. The shapes follow "
        "what managed connectors (Fivetran-style) land. Every timestamp is UTC. The load-time "
        "column is when the connector loaded the row: when a record's key appears more than once, "
        "the latest load wins. `is_deleted = true` rows are soft deletes: kept out of the marts "
        "and counted. Columns not listed are allowed and ignored; a required column that is "
        "missing, or a value that does not cast to its type, stops the run with an error naming "
        "the table, the column and the value.",
        "",
        "Required tables and columns (keys, and those marked required) must land: without them the "
        "run stops, naming them. Everything else may be absent: a table that did not land is read "
        "as empty and a column as null (or its default), the run says so at the start, "
        "`audit.audit_raw_landing` lists it, and the figures that need it are not available.",
        "",
        "Tables and columns are found under the names loaders give them, with no configuration: "
        "the same name in any case and with or without underscores (the Salesforce API's "
        "`StageName`, `MQL_Date__c`, `OpportunityHistory.csv`; a connector's `mql_date_c`), or an "
        "alias listed below (the load time of Airbyte, `_airbyte_extracted_at`; Stitch, "
        "`_sdc_batched_at`; else the API's `SystemModstamp`). `audit.audit_raw_landing` says which "
        "loader shape each table was recognised as. Var `raw_column_map` maps any column to the "
        "org's own name or an SQL expression. Two files for one table stop the run. A history-mode "
        "table (`_fivetran_active`) is read as its active versions, null counting as active; the "
        "inactive ones are counted in `audit.audit_raw_row_reconciliation`.",
        "",
        "Freshness is the dbt source freshness of each table (its latest load's age): `warn after` "
        "warns, `error after` stops the publish. A live landing is measured against the run's "
        "start; a landing whose freshest table is more than 30 days old is an export or a sample, "
        "measured against its freshest table, with warnings only. A load later than the run's "
        "start stops the run.",
        "",
        "| table | what one row is | key | load time | freshness | required |",
        "|---|---|---|---|---|---|",
    ]
    for table in tables.values():
        lines.append(
            f"| `{table.path}` | {table.description.split('. ')[0].rstrip('.')}. | "
            f"{', '.join(table.keys)} | {table.loaded_at or '(none)'} | {_freshness(table)} | "
            f"{'yes' if table.required else 'no: ' + (table.needed_for or 'no mart')} |"
        )
    for table in tables.values():
        lines += ["", f"## {table.path}", "", table.description, ""]
        lines += ["| column | type | meaning |", "|---|---|---|"]
        for column in table.columns:
            notes = []
            if column.required or column.name in table.keys:
                notes.append("required")
            if column.aliases:
                notes.append("also landed as " + ", ".join(f"`{a}`" for a in column.aliases))
            if column.when_absent:
                notes.append(f"when absent: var `{column.when_absent}`")
            if column.needed_for:
                notes.append(f"needed for {column.needed_for}")
            if column.currency:
                notes.append(f"money in `{column.currency}`")
            if column.divide_by:
                notes.append(f"divide by {column.divide_by:,} for the currency amount")
            if column.personal_data:
                published = ", ".join(column.published_as)
                notes.append(
                    "personal data: " + (f"published as {published}" if published else "dropped")
                )
            extra = f" ({'; '.join(notes)})" if notes else ""
            lines.append(
                f"| `{column.name}` | {column.data_type} | "
                f"{column.description.replace('|', '/')}{extra} |"
            )
    return "\n".join(lines) + "\n"


def duration_text(limit: timedelta) -> str:
    """A freshness threshold as people read it: `7 days`, `36 h`."""
    if limit.days and not limit.seconds:
        return f"{limit.days} days"
    return f"{limit.total_seconds() / 3600:.0f} h"


def _freshness(table: Table) -> str:
    if table.loaded_at is None:
        return "(no load time)"
    parts = []
    if table.warn_after:
        parts.append(f"warn after {duration_text(table.warn_after)}")
    error = table.error_after
    parts.append(f"error after {duration_text(error)}" if error else "never blocks")
    return "; ".join(parts)


def main(argv: list[str] | None = None, prog: str = "python -m revenue_engine.contract") -> int:
    parser = argparse.ArgumentParser(prog=prog, description=__doc__.splitlines()[0])
    parser.add_argument(
        "--markdown", action="store_true", help=f"print the page kept as {CONTRACT_DOC}"
    )
    parser.add_argument("--write", action="store_true", help=f"rewrite {CONTRACT_DOC}")
    args = parser.parse_args(argv)
    if args.write:
        (PROJECT_DIR / CONTRACT_DOC).write_text(markdown(), encoding="utf-8")
    elif args.markdown:
        print(markdown(), end="")
    else:
        for table in load_contract().values():
            print(f"{table.path}: key {', '.join(table.keys)}; {len(table.columns)} columns")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
