"""python -m sockstate: see sockstate._cli (the C tool's grammar)."""

import sys

from ._cli import main

if __name__ == "__main__":
    sys.exit(main())
