"""readinglist: a reading-list manager for researchers.

The package is layered: ``models`` and ``errors`` at the bottom, then ``db``, ``search``
and ``formats``, then ``library`` (the one facade), then ``cli`` and ``gui``. Only
``readinglist.gui`` imports Qt.
"""

__version__ = "0.1.0"
