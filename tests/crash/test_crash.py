"""A short run of the kill harness: real processes killed with SIGKILL mid-operation.

The long run (50 kills and more) is ``python bench/crash_harness.py``."""

from __future__ import annotations

import sys

import pytest

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")


def test_killing_readinglist_mid_operation_loses_nothing():
    from bench.crash_harness import main

    tally = main(kills=4, papers=1500, seed=7, quiet=True)
    assert tally.kills == 4
    assert tally.problems == []
    assert sum(tally.interrupted.values()) == 4
