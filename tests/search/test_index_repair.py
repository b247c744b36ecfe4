"""The index is derived data: whatever happens to it, open() notices and rebuild() fixes."""

from __future__ import annotations

import ast
import json
import shutil
from pathlib import Path

import pytest

import readinglist.search
from readinglist.search import WhooshIndex
from readinglist.search.manifest import META_NAME
from tests.search.conftest import STAMP, TULU

SEARCH_PACKAGE = Path(readinglist.search.__file__).parent


def reopen_after_repair(folder: Path, documents) -> WhooshIndex:
    index = WhooshIndex(folder)
    assert index.open(STAMP) is False
    assert index.rebuild(documents.values(), len(documents), STAMP)
    assert index.open(STAMP) is True
    assert index.search('T\\"ULU').ids[0] == TULU
    return index


def test_a_fresh_index_opens(index, index_folder):
    index.close()
    again = WhooshIndex(index_folder)
    assert again.open(STAMP) is True
    assert again.doc_count() == 53
    again.close()


def test_deleted_folder_is_rebuilt(index, index_folder, seed_documents):
    index.close()
    shutil.rmtree(index_folder)
    reopen_after_repair(index_folder, seed_documents).close()


@pytest.mark.parametrize("pick", ["postings", "terms", "toc", "largest"])
def test_truncated_file_is_rebuilt(index, index_folder, seed_documents, pick):
    index.close()
    files = [p for p in index_folder.iterdir() if p.name != META_NAME and "LOCK" not in p.name]
    suffix = {"postings": ".pst", "terms": ".trm", "toc": ".toc"}.get(pick)
    if suffix:
        victim = next(p for p in files if p.suffix == suffix)
    else:
        victim = max(files, key=lambda p: p.stat().st_size)
    data = victim.read_bytes()
    victim.write_bytes(data[: len(data) // 2])
    reopen_after_repair(index_folder, seed_documents).close()


def test_other_schema_version_is_rebuilt(index, index_folder, seed_documents):
    index.close()
    meta_path = index_folder / META_NAME
    meta = json.loads(meta_path.read_text())
    meta["schema_version"] -= 1
    meta_path.write_text(json.dumps(meta))
    reopen_after_repair(index_folder, seed_documents).close()


def test_stale_stamp_and_missing_manifest_are_rebuilt(index, index_folder, seed_documents):
    index.close()
    assert WhooshIndex(index_folder).open("another stamp") is False
    (index_folder / META_NAME).unlink()
    reopen_after_repair(index_folder, seed_documents).close()


def test_garbage_in_the_table_of_contents_is_rebuilt(index, index_folder, seed_documents):
    index.close()
    toc = next(index_folder.glob("*.toc"))
    toc.write_bytes(b"\x00" * toc.stat().st_size)  # same size: only Whoosh can tell
    reopen_after_repair(index_folder, seed_documents).close()


def test_cancelled_rebuild_keeps_the_old_index(index, index_folder, seed_documents):
    documents = list(seed_documents.values()) * 20  # enough for a cancel check
    seen = []
    assert not index.rebuild(
        documents, len(documents), "new", progress=lambda d, t: seen.append(d), cancel=lambda: True
    )
    assert index.stamp() == STAMP
    assert index.search("tulu").total == 2
    assert not list(index_folder.parent.glob(f".{index_folder.name}.*"))


def test_rebuild_reports_progress(index, seed_documents):
    seen = []
    documents = list(seed_documents.values())
    assert index.rebuild(documents, 53, "stamp-9", progress=lambda d, t: seen.append((d, t)))
    assert seen[-1] == (53, 53)
    assert index.stamp() == "stamp-9"


def test_search_imports_only_its_own_layer():
    allowed = ("readinglist.models", "readinglist.errors", "readinglist.search")
    for path in SEARCH_PACKAGE.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                if name.startswith("readinglist"):
                    assert name.startswith(allowed), f"{path.name} imports {name}"
                assert not name.startswith("PySide6"), f"{path.name} imports Qt"


def test_an_empty_library_has_a_working_index(tmp_path):
    index = WhooshIndex(tmp_path / "search-index")
    assert index.rebuild([], 0, "empty")
    assert index.search("mamba").total == 0
    assert index.related(1).ids == []
    index.close()
    assert WhooshIndex(tmp_path / "search-index").open("empty")
