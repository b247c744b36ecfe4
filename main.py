"""Start the readinglist desktop app from a source checkout: ``python main.py``."""

import sys

from readinglist.gui.app import main

if __name__ == "__main__":
    sys.exit(main())
