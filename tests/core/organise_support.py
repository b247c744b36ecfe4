"""Helpers for the organise and undo tests: synthetic listings, a state snapshot, and a
check that an action undoes to the state before it and redoes to the state after it."""

from __future__ import annotations

import random
import shutil
from collections.abc import Callable
from pathlib import Path

from readinglist.db.undo import TRACKED_TABLES
from readinglist.library import Library

WORDS = (  # noqa: SIM905 (the words read better as one text)
    "model training language transformer attention sparse dense learning neural network data "
    "benchmark inference scaling reward policy gradient memory vision retrieval alignment "
    "tokens latency compute hardware robust evaluation agents planning search diffusion video "
    "speech graph kernel quantization pruning distillation curriculum"
).split()


def synthetic_abstracts(count: int, *, seed: int = 7, words: int = 32) -> list[str]:
    """``count`` distinct abstracts of at least ``words`` words each (fixed seed)."""
    rng = random.Random(seed)
    result = []
    for number in range(count):
        body = " ".join(rng.choice(WORDS) for _ in range(words))
        result.append(f"We study case {number} of {body}, and report findings {number * 7919}.")
    return result


def write_listing(path: Path, abstracts: list[str]) -> Path:
    path.write_text("".join(f"Abstract:{text}\n" for text in abstracts), encoding="utf-8")
    return path


def snapshot(library: Library) -> dict[str, list[tuple]]:
    """Every row of every user-data table, in key order: the state undo must restore."""
    return {
        table: [tuple(row) for row in library.db.execute(f"SELECT * FROM {table} ORDER BY 1, 2")]
        for table in TRACKED_TABLES
    }


def check_undo_redo(library: Library, action: Callable[[], object]):
    """Run ``action``; undo must give the state before it, redo the state after it.

    Returns what the action returned.
    """
    before = snapshot(library)
    result = action()
    after = snapshot(library)
    assert after != before, "the action changed nothing"
    undone = library.undo()
    assert undone, "nothing was undone"
    assert snapshot(library) == before
    redone = library.redo()
    assert redone.label == undone.label
    assert snapshot(library) == after
    return result


def tag_sets(library: Library) -> dict[int, set[str]]:
    """Every paper's tags (trash included), as sets of names."""
    result: dict[int, set[str]] = {
        row[0]: set() for row in library.db.execute("SELECT id FROM papers")
    }
    for paper_id, name in library.db.execute(
        "SELECT paper_tags.paper_id, tags.name FROM paper_tags JOIN tags ON tags.id = tag_id"
    ):
        result[paper_id].add(name)
    return result


def copy_library(template: Path, destination: Path) -> Library:
    """A private copy of a closed library folder (its search index is rebuilt on demand:
    indexes live in the user's cache, keyed by folder)."""
    shutil.copytree(template, destination)
    return Library(destination)
