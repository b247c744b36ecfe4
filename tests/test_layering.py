"""The package's layers, checked by walking every module's imports with ``ast``.

models/errors/paths <- citekeys/fingerprints <- db, search, formats <- importer/library
<- cli, gui. Only readinglist.gui imports Qt, and the GUI reaches the data only through
``Library`` (never ``db``, ``search`` or the importer directly).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "readinglist"

LAYERS = {
    "models": 0,
    "errors": 0,
    "paths": 0,
    "citekeys": 1,
    "citekey_patterns": 1.5,  # builds on citekeys
    "fingerprints": 1,
    "links": 1.5,  # which links may be opened (doi:/arxiv: ids via fingerprints)
    "index_location": 1,
    "trust": 1,
    "db": 2,
    "search": 2,
    "formats": 2,
    "importer": 3,
    "indexing": 3,
    "candidates": 2.5,  # which files an import reads (below the importer)
    "same_paper": 2.5,  # which paper a record already is (below the importer)
    "import_stage": 2.5,  # a file read and keyed before its transaction (below the importer)
    "export": 3,
    "cite": 4,
    "searching": 4,
    "importing": 4,  # the part of Library that imports
    "safety": 4,
    "lookup": 4,  # metadata lookup: clients, matching, the Library part
    "sync": 4.5,  # sharing through PostgreSQL: the part Library owns
    "library": 5,
    "cli": 6,
    "gui": 6,
    "__main__": 7,
    "__init__": 0,
    "_seeds": 0,
    "_resources": 0,
}
QT_MODULES = ("PySide6", "shiboken6", "PyQt5", "PyQt6")
GUI_FORBIDDEN = {"db", "search", "importer", "import_stage", "indexing"}


def modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def component(path: Path) -> str:
    relative = path.relative_to(PACKAGE)
    return relative.parts[0].removesuffix(".py")


def imported_names(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.append(node.module)
            names.extend(f"{node.module}.{alias.name}" for alias in node.names)
    return names


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_respect_layers(path: Path):
    own = component(path)
    assert own in LAYERS, f"{own} has no layer: add it to LAYERS in this test"
    for name in imported_names(path):
        top = name.split(".")[0]
        if top in QT_MODULES:
            assert own == "gui", f"{path.name} imports {name}: only readinglist.gui may use Qt"
        if top != "readinglist" or name == "readinglist":
            continue
        target = name.split(".")[1]
        if target not in LAYERS:  # "from readinglist import x": x is the target
            continue
        if target == own:
            continue
        assert LAYERS[target] < LAYERS[own], (
            f"{path.relative_to(PACKAGE)} imports {name}: "
            f"layer {own} ({LAYERS[own]}) may only import lower layers"
        )
        if own == "gui":
            assert target not in GUI_FORBIDDEN, f"the GUI must go through Library, not {name}"


def test_core_imports_without_qt():
    """Importing the whole core must not drag Qt in (checked in a clean interpreter)."""
    import subprocess
    import sys

    code = (
        "import sys, readinglist.library, readinglist.cli;"
        "bad=[m for m in sys.modules if m.startswith(('PySide6','shiboken6'))];"
        "print(bad); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
