"""Which failures are worth retrying: a lock conflict or a network hiccup is; a failed test or a SQL
error is not (it fails the same way every time)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

import dagster as dg

# DuckDB allows one writer per file: a `make run`, a BI tool on the build file or an overlapping
# run conflict for a while, then succeed.
TRANSIENT_RETRY = dg.RetryPolicy(
    max_retries=3, delay=30, backoff=dg.Backoff.EXPONENTIAL, jitter=dg.Jitter.PLUS_MINUS
)
_TRANSIENT = re.compile(
    r"could not set lock|conflicting lock|database is locked|resource temporarily unavailable"
    r"|connection (?:reset|refused|aborted)|timed out|temporary failure",
    re.IGNORECASE,
)


def is_transient(message: str) -> bool:
    return bool(_TRANSIENT.search(message))


@contextmanager
def final_unless_transient(step: str) -> Iterator[None]:
    """Let transient errors reach the retry policy; turn every other error into a final Failure."""
    try:
        yield
    except dg.Failure:
        raise
    except SystemExit as error:  # pipeline.ensure_raw_data exits on a missing RAW_DATA_DIR
        raise dg.Failure(f"{step}: {error}", allow_retries=False) from error
    except Exception as error:
        if is_transient(str(error)):
            raise
        raise dg.Failure(f"{step}: {error}", allow_retries=False) from error
