"""Turn what went wrong into plain `FAILED:` lines: the table, the file, column and value where
known, and what to do. No Python traceback reaches a user (REVENUE_ENGINE_DEBUG=1 shows it).
"""

from __future__ import annotations

import errno
import json
import re
from collections.abc import Iterable
from pathlib import Path

import pyarrow.parquet as pq

_RAW_BLOCKS = ("Raw contract violated:", "Raw load times implausible:", "Passthrough columns:")
_RUNTIME = re.compile(r"(?:Runtime|Database|Compilation) Error in (\w+) (\S+) \(([^)]*)\)")
_FAILURE = re.compile(r"Failure in test (\S+) \(([^)]*)\)")
_GOT = re.compile(r"Got (\d+) results?")
_GATES = re.compile(r"^models/(intermediate/(checks|flags)|audit)/")


def explain_dbt_output(
    lines: list[str], raw_data_dir: Path | None, manifest: Path | None = None
) -> list[str]:
    """FAILED lines for a failed `dbt build`, from its console output; a failing data test names
    the column it tests and the raw tables its model is built from (dbt's `manifest`)."""
    found: list[str] = []
    text = [_strip(line) for line in lines]
    for index, line in enumerate(text):
        stripped = line.strip()
        if any(stripped.endswith(block) for block in _RAW_BLOCKS):
            for item in text[index + 1 :]:
                if not item.strip().startswith("- "):
                    break
                found.append(item.strip()[2:])
        runtime = _RUNTIME.search(line)
        if runtime:
            kind, name, path = runtime.groups()
            detail = _first_detail(text[index + 1 : index + 6])
            if any(detail.endswith(block) for block in _RAW_BLOCKS):
                continue  # listed item by item above
            found.append(f"{kind} {name} ({path}): {explain_database_error(detail, raw_data_dir)}")
        failure = _FAILURE.search(line)
        if failure:
            name, path = failure.groups()
            got = next((m.group(1) for m in map(_GOT.search, text[index : index + 4]) if m), "?")
            found.append(
                f"data test {name} ({path}) found {got} bad row(s){_raw_origin(manifest, name)}: "
                f"run `dbt test --select {name} --store-failures` to see them"
            )
    if not found:
        for index, line in enumerate(text):
            if "Encountered an error" in line:  # dbt's own summary: the kind, then the message
                detail = [item.strip() for item in text[index + 1 : index + 4] if item.strip()]
                found.append(explain_database_error(": ".join(detail[:2]), raw_data_dir))
                break
    if raw_data_dir and any("Error" in line for line in text):
        # a damaged file often fails with a message that names no file: look for it
        found.extend(
            f"raw file {path} is corrupt or truncated ({reason}): replace it with a whole extract"
            for path, reason in corrupt_parquet_files(raw_data_dir)
        )
    return _unique(found)


def explain_database_error(message: str, raw_data_dir: Path | None) -> str:
    """A DuckDB or OS error message, with the file and the fix where it can be named."""
    lowered = message.lower()
    if "no space left on device" in lowered:
        return f"{message}: the disk is full; free space in WAREHOUSE_DIR and DUCKDB_TEMP_DIRECTORY"
    if "permission denied" in lowered:
        return f"{message}: the run cannot read or write that path; fix its permissions"
    if "could not set lock" in lowered or "conflicting lock" in lowered:
        return (
            f"{message}: another process holds the build database; stop it (or wait for it) and "
            "run again"
        )
    return message


def corrupt_parquet_files(raw_data_dir: Path) -> Iterable[tuple[Path, str]]:
    """Every Parquet file under RAW_DATA_DIR that cannot be read to the end, with the reason.

    Run only after a failure that names no file: it reads each file once, a row group at a time.
    """
    for path in sorted(raw_data_dir.glob("*/*.parquet")):
        try:
            with pq.ParquetFile(path) as parquet:
                for group in range(parquet.num_row_groups):
                    parquet.read_row_group(group)
        except Exception as error:  # pyarrow raises several kinds for a damaged file
            yield path, str(error).splitlines()[0]


def explain_exception(step: str, error: BaseException) -> str:
    """One FAILED line for a Python exception raised by a pipeline step."""
    if isinstance(error, OSError):
        where = f" ({error.filename})" if error.filename else ""
        if error.errno == errno.ENOSPC:
            return f"{step}: the disk is full{where}; free space and run again"
        if error.errno in (errno.EACCES, errno.EPERM):
            return f"{step}: permission denied{where}; fix the folder's permissions"
        return f"{step}: {error.strerror or error}{where}"
    message = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return f"{step}: {explain_database_error(message, None)}"


def _raw_origin(manifest: Path | None, test_name: str) -> str:
    """`; column c of m, built from raw a.b, c.d`: where a failing test's bad rows come from."""
    if manifest is None or not manifest.exists():
        return ""
    try:
        graph = json.loads(manifest.read_text())
    except (OSError, ValueError):
        return ""
    nodes = graph.get("nodes", {})
    test = next(
        (
            node
            for node in nodes.values()
            if node.get("resource_type") == "test" and node.get("name") == test_name
        ),
        None,
    )
    if test is None:
        return ""
    raw: set[str] = set()
    seen: set[str] = set()
    todo = list(test.get("depends_on", {}).get("nodes", []))
    while todo:
        unique_id = todo.pop()
        if unique_id in seen:
            continue
        seen.add(unique_id)
        if unique_id.startswith("source."):
            source = graph.get("sources", {}).get(unique_id, {})
            raw.add(f"{source.get('source_name')}.{source.get('name')}")
        elif not _GATES.search(nodes.get(unique_id, {}).get("original_file_path", "")):
            # the quarantine and the flags read every raw table to hold records out: not where
            # a value comes from
            todo += nodes.get(unique_id, {}).get("depends_on", {}).get("nodes", [])
    model = test.get("attached_node") or ""
    column = test.get("column_name")
    where = f"; column {column} of {model.rsplit('.', 1)[-1]}" if column and model else ""
    return where + (f", built from raw {', '.join(sorted(raw))}" if raw else "")


def _strip(line: str) -> str:
    line = re.sub(r"\x1b\[[0-9;]*m", "", line.rstrip("\n"))
    return re.sub(r"^\d\d:\d\d:\d\d\s+", "", line)


def _first_detail(lines: list[str]) -> str:
    for line in lines:
        if line.strip():
            return line.strip()
    return "no message"


def _unique(items: list[str]) -> list[str]:
    seen: set[str] = set()
    return [item for item in items if not (item in seen or seen.add(item))]
