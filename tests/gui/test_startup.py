"""Starting the window where it cannot open says why, instead of Qt's abort."""

from __future__ import annotations

import sys

import pytest

from readinglist.gui.app import display_problem

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="X11/Wayland")


def found(_name):
    return "libxcb-cursor.so.0"


def test_no_display_is_named():
    message = display_problem({}, find_library=found)
    assert message.startswith("no display found") and "--offscreen" in message


def test_a_missing_xcb_cursor_library_is_named():
    message = display_problem({"DISPLAY": ":0"}, find_library=lambda _name: None)
    assert "libxcb-cursor0" in message and "apt-get install libxcb-cursor0" in message


def test_a_usable_setup_passes():
    assert display_problem({"DISPLAY": ":0"}, find_library=found) == ""
    assert display_problem({"WAYLAND_DISPLAY": "wayland-0"}, find_library=found) == ""
    assert display_problem({"QT_QPA_PLATFORM": "offscreen"}) == ""
    assert display_problem({}, ["-platform", "offscreen"]) == ""
