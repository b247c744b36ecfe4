"""``python -m readinglist``: the command line."""

import sys

from readinglist.cli import main

sys.exit(main())
