"""Entry point: `python -m revenue_engine run`."""

import sys

from revenue_engine.pipeline import main

sys.exit(main())
