"""A library folder from someone else must not run code: the search index (Whoosh pickles)
is never read from the library folder, only from this user's private cache."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from pathlib import Path

import pytest
from whoosh import index as whoosh_index
from whoosh.filedb.filestore import FileStorage
from whoosh.index import _CURRENT_TOC_VERSION, _FLOAT_SIZE, _INT_SIZE, _LONG_SIZE

from readinglist import index_location
from readinglist.library import Library
from readinglist.paths import INDEX_DIR_NAME
from readinglist.search.manifest import META_NAME


class _Evil:
    """Unpickling this creates ``marker``: proof that code from the file ran."""

    def __init__(self, marker: Path):
        self.marker = str(marker)

    def __reduce__(self):
        return (open, (self.marker, "w"))


def plant_evil_index(folder: Path, marker: Path) -> None:
    """A Whoosh table of contents whose pickled schema runs code, with the manifest an
    older readinglist would have trusted."""
    folder.mkdir(parents=True, exist_ok=True)
    stream = FileStorage(str(folder)).create_file("_MAIN_1.toc")
    stream.write_varint(_INT_SIZE)
    stream.write_varint(_LONG_SIZE)
    stream.write_varint(_FLOAT_SIZE)
    stream.write_int(-12345)
    stream.write_int(_CURRENT_TOC_VERSION)
    for number in (3, 54, 0):
        stream.write_varint(number)
    stream.write_string(pickle.dumps(_Evil(marker), 2))
    stream.write_int(1)
    stream.write_int(0)
    stream.write_pickle([])
    stream.close()
    files = {p.name: p.stat().st_size for p in folder.iterdir()}
    (folder / META_NAME).write_text(
        f'{{"schema_version": 99, "stamp": "x", "files": {files!r}}}'.replace("'", '"')
    )


@pytest.fixture
def received_library(tmp_path: Path, seeds: Path) -> tuple[Path, Path]:
    """A colleague's library folder with a booby-trapped index inside it."""
    folder = tmp_path / "from-a-colleague"
    with Library(folder) as lib:
        lib.import_files([seeds])
    marker = tmp_path / "pwned"
    plant_evil_index(folder / INDEX_DIR_NAME, marker)
    return folder, marker


def test_the_planted_index_is_a_real_attack_on_plain_whoosh(received_library):
    folder, marker = received_library
    with pytest.raises(Exception):  # noqa: B017 - the point is only that it ran
        whoosh_index.open_dir(str(folder / INDEX_DIR_NAME))
    assert marker.exists()


def test_opening_and_searching_never_reads_the_folders_index(received_library):
    folder, marker = received_library
    with Library(folder) as lib:
        assert lib.search("transformer").total > 0
        assert Path(lib.index.folder).is_relative_to(index_location.cache_root())
    assert not marker.exists()
    assert not (folder / INDEX_DIR_NAME).exists()  # removed, unread


@pytest.mark.parametrize("command", [["list"], ["search", "model"], ["backup", "list"]])
def test_the_command_line_never_reads_it_either(received_library, command):
    folder, marker = received_library
    result = subprocess.run(
        [sys.executable, "-m", "readinglist", "--library", str(folder), *command],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert not marker.exists()


def test_an_index_in_the_cache_not_written_by_this_user_is_rebuilt(tmp_path, seeds):
    folder = tmp_path / "lib"
    with Library(folder) as lib:
        lib.import_files([seeds])
        lib.sync_index()
        index = Path(lib.index.folder)
    marker = tmp_path / "pwned"
    # Someone who could write there swaps in their own files through a symlink.
    planted = tmp_path / "planted"
    plant_evil_index(planted, marker)
    toc = next(index.glob("_MAIN_*.toc"))
    toc.unlink()
    toc.symlink_to(planted / "_MAIN_1.toc")
    with Library(folder) as lib:
        assert lib.search("transformer").total > 0
    assert not marker.exists()


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_the_cache_folder_is_private(library):
    parent = Path(library.index.folder).parent
    assert parent.stat().st_mode & 0o077 == 0
    assert parent.stat().st_uid == os.geteuid()


@pytest.mark.skipif(os.name != "posix" or os.geteuid() != 0, reason="needs root to chown")
def test_an_index_owned_by_another_user_is_rebuilt(tmp_path, seeds):
    folder = tmp_path / "lib"
    with Library(folder) as lib:
        lib.import_files([seeds])
        lib.sync_index()
        index = Path(lib.index.folder)
    for path in [index, *index.iterdir()]:
        os.chown(path, 65534, 65534)
    with Library(folder) as lib:
        assert lib.search("transformer").total > 0
        assert index.stat().st_uid == os.geteuid()


def test_two_copies_of_one_library_keep_separate_indexes(tmp_path, seeds):
    import shutil

    first = tmp_path / "first"
    with Library(first) as lib:
        lib.import_files([seeds])
        lib.sync_index()
    second = tmp_path / "second"
    shutil.copytree(first, second)
    with Library(second) as lib:
        lib.trash(lib.search("transformer", limit=None).ids)
        assert lib.search("transformer").total == 0
    with Library(first) as lib:
        assert lib.search("transformer").total > 0


def test_a_folder_replaced_by_an_older_copy_is_not_searched_with_a_newer_index(tmp_path, seeds):
    import shutil

    folder = tmp_path / "lib"
    with Library(folder) as lib:
        lib.import_files([seeds])
        lib.sync_index()
    saved = tmp_path / "saved"
    shutil.copytree(folder, saved)
    with Library(folder) as lib:
        lib.trash(lib.search("transformer", limit=None).ids)
        assert lib.search("transformer").total == 0
    shutil.rmtree(folder)
    shutil.copytree(saved, folder)  # the user restores the folder from a zip
    with Library(folder) as lib:
        assert lib.search("transformer").total > 0


def test_leftovers_of_a_killed_rebuild_are_removed_at_the_next_start(tmp_path, library):
    parent = Path(library.index.folder).parent
    leftover = parent / f".{Path(library.index.folder).name}.new-deadbeef"
    leftover.mkdir()
    (leftover / "_MAIN_1.toc").write_bytes(b"half")
    library.refresh_search()
    assert not leftover.exists()
