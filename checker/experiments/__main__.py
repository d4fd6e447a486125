"""``python -m checker.experiments [ID ...] --out DIR``."""

import sys

from checker.experiments.run import main

if __name__ == "__main__":
    sys.exit(main())
