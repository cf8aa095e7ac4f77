"""`python -m revenue_engine.generate`: see `revenue_engine.generate.cli`."""

import sys

from revenue_engine.generate.cli import main

if __name__ == "__main__":  # guarded: worker processes import this module too
    sys.exit(main())
