"""Metadata lookup: find each paper's real record (arXiv, Crossref) and attach it.

Qt-free. ``model`` holds the shared data classes; the clients, the matching and the
``Library`` methods live beside it.
"""

from readinglist.lookup.http import MAILTO_ENV
from readinglist.lookup.model import Candidate, LookupReport, LookupResult, Record, Status

__all__ = ["MAILTO_ENV", "Candidate", "LookupReport", "LookupResult", "Record", "Status"]
