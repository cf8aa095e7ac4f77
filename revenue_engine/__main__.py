"""`python -m revenue_engine <command>`: the same as the `revenue-engine` command."""

import sys

from revenue_engine.cli import main

sys.exit(main())
