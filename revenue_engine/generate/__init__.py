"""The demo company's raw data: every table of the raw contract, deterministic, at any scale.

`generate(out_dir, leads=5000, seed=42, ...)` writes `<out_dir>/<source>/<table>.parquet`;
`python -m revenue_engine.generate --help` is the command line. The hidden dynamics (who the
true ICP is, how each tier and channel converts, closes and churns) live in `vocab`.
"""

from revenue_engine.generate.cli import main
from revenue_engine.generate.core import DEFAULT_END_DATE, generate

__all__ = ["DEFAULT_END_DATE", "generate", "main"]
