"""`python -m undertow.app.demo REPO`, the former path of app/dev/demo.py (scripts/demo and
tests/test_demo.py still use it)."""

import sys

from undertow.app.dev.demo import main, run

__all__ = ["main", "run"]

if __name__ == "__main__":
    sys.exit(main())
