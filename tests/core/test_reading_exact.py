"""Abstract files read exactly in every corner, each input built as people make it:

- a listing with stray NUL bytes in its lines and the run of NULs a truncated download
  ends in;
- ``cat listing-utf8.txt listing-latin1.txt > all.txt``;
- an abstract pasted from a PDF that lost its spaces, in a listing, and the same paper
  in a daily-papers file;
- Chinese text in UTF-16 (little- and big-endian) without a BOM;

and the abstract evidence checked on all the real abstracts of the shared test data: no
two different papers share a fingerprint.
"""

from __future__ import annotations

import codecs
import collections
import hashlib
import io
import itertools
import json
import py_compile
import random
import re
import struct
import tarfile
from pathlib import Path

import pytest

from readinglist import fingerprints
from readinglist.errors import NotAnAbstractFile
from readinglist.formats import textfile
from readinglist.formats.latex_decode import decode as decode_latex
from readinglist.library import Library

TESTDATA = Path(__file__).resolve().parents[3] / "shared" / "testdata"
REAL = TESTDATA / "real-abstracts"
ARXIV = TESTDATA / "arxiv-metadata"
C1 = re.compile("[\x80-\x9f]")
# Real double submissions in the arXiv records: the same abstract under two ids.
KNOWN_DOUBLES = [{"0704.0026", "0704.0112"}, {"0704.0489", "0704.0573"}]


def need(*paths: Path) -> None:
    missing = [str(path) for path in paths if not path.exists()]
    if missing:
        pytest.skip(f"shared test data not found: {', '.join(missing)}")


@pytest.fixture(scope="module")
def truth() -> list[dict]:
    need(REAL / "ground_truth.json")
    return json.loads((REAL / "ground_truth.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def records() -> list[dict]:
    need(ARXIV / "records.jsonl")
    with open(ARXIV / "records.jsonl", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


def stored(library: Library) -> list[tuple[str, str]]:
    return sorted((paper.title, paper.abstract) for paper in library.papers())


def abstracts_of(library: Library) -> list[str]:
    return sorted(paper.abstract for paper in library.papers())


# NUL bytes


def with_stray_nuls(data: bytes, every: int, seed: int) -> tuple[bytes, int]:
    """NUL bytes put at random inside lines (never inside a UTF-8 character)."""
    rng = random.Random(seed)
    out = bytearray()
    added = 0
    for line in data.splitlines(keepends=True):
        if len(line) > 20 and rng.random() < 1 / every:
            cut = rng.randrange(1, len(line) - 2)
            while cut < len(line) and 0x80 <= line[cut] < 0xC0:
                cut += 1  # not in the middle of a character
            line = line[:cut] + b"\x00" + line[cut:]
            added += 1
        out += line
    return bytes(out), added


@pytest.mark.parametrize("name", ["listing.txt", "daily-papers.txt"])
def test_stray_nuls_and_a_truncated_downloads_nul_tail_are_removed(
    library: Library, tmp_path: Path, truth, name
):
    need(REAL / name)
    clean = (REAL / name).read_bytes()
    data, stray = with_stray_nuls(clean, every=3, seed=13)
    assert stray > 10
    # A download cut short: the file was given its full size and the end never came,
    # a run of NULs in place of the last block.
    tail = 4096
    path = tmp_path / name
    path.write_bytes(data + b"\x00" * tail)
    report = library.import_files([path])
    [file] = report.files
    assert file.error == "" and file.added == len(truth)
    assert f"removed {stray + tail} NUL byte(s)" in file.warnings
    expected = "abstract" if name == "listing.txt" else "abstract_b"
    assert abstracts_of(library) == sorted(paper[expected] for paper in truth)
    assert not any("\x00" in p.title + p.abstract for p in library.papers())


def test_a_run_of_nuls_in_the_first_block_is_removed_too(library: Library, tmp_path, truth):
    """A damaged block early in a small file: the NULs are in the sniffed head."""
    need(REAL / "listing.txt")
    lines = (REAL / "listing.txt").read_bytes().splitlines(keepends=True)
    data = b"".join(lines[:3]) + b"\x00" * 2048 + b"".join(lines[3:])
    path = tmp_path / "listing.txt"
    path.write_bytes(data)
    assert textfile.sniff(path).nul_bytes == 2048
    report = library.import_files([path])
    assert report.added == len(truth)
    assert abstracts_of(library) == sorted(paper["abstract"] for paper in truth)


def _mo_file(messages: dict[str, str]) -> bytes:
    """A GNU gettext catalogue (.mo), as msgfmt writes it."""
    keys = sorted(messages)
    ids = b"".join(k.encode() + b"\x00" for k in keys)
    strs = b"".join(messages[k].encode() + b"\x00" for k in keys)
    start = 7 * 4 + 16 * len(keys)
    table_ids, table_strs, offset = [], [], 0
    for k in keys:
        table_ids += [len(k.encode()), start + offset]
        offset += len(k.encode()) + 1
    offset = 0
    for k in keys:
        table_strs += [len(messages[k].encode()), start + len(ids) + offset]
        offset += len(messages[k].encode()) + 1
    header = struct.pack("Iiiiiii", 0x950412DE, 0, len(keys), 28, 28 + 8 * len(keys), 0, 0)
    return (
        header
        + struct.pack(f"{len(table_ids)}i", *table_ids)
        + struct.pack(f"{len(table_strs)}i", *table_strs)
        + ids
        + strs
    )


def _pyc(tmp_path: Path) -> bytes:
    source = tmp_path / "module.py"
    source.write_text(
        '"""A module."""\n\nNAMES = ["alpha", "beta", "gamma"]\n\n\n'
        "def f(x):\n    return {n: x * i for i, n in enumerate(NAMES)}\n",
        encoding="utf-8",
    )
    return Path(py_compile.compile(str(source), cfile=str(tmp_path / "module.pyc"))).read_bytes()


def _tar(listing: bytes) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        member = tarfile.TarInfo("abstracts.txt")
        member.size = len(listing)
        archive.addfile(member, io.BytesIO(listing))
    return buffer.getvalue()


LISTING = b"Abstract:We study a thing. It works well on every benchmark we tried.\n" * 30


@pytest.mark.parametrize(
    ("kind", "what"),
    [
        ("mo", "binary data"),
        ("pyc", "binary data"),
        ("tar", "a tar archive"),
        ("random", "binary data"),
        ("mostly-nul", "mostly NUL bytes"),
        ("utf32", "mostly NUL bytes"),
    ],
)
def test_binaries_with_nul_bytes_are_still_refused(tmp_path: Path, kind, what):
    make = {
        "mo": lambda: _mo_file(
            {"": "Content-Type: text/plain; charset=UTF-8\n", "Open": "Öffnen", "Quit": "Ende"}
        ),
        "pyc": lambda: _pyc(tmp_path),
        "tar": lambda: _tar(LISTING),
        "random": lambda: random.Random(5).randbytes(4096),
        "mostly-nul": lambda: LISTING[:200] + b"\x00" * 4096,
        "utf32": lambda: LISTING.decode().encode("utf-32-le"),
    }[kind]
    path = tmp_path / f"abstracts-{kind}.txt"
    path.write_bytes(make())
    with pytest.raises(NotAnAbstractFile, match="not an abstract file") as raised:
        textfile.sniff(path)
    assert what in str(raised.value)


# Mixed encodings


@pytest.fixture(scope="module")
def latin1_papers(records) -> list[str]:
    """Real arXiv abstracts whose TeX accents, decoded, make Latin-1 text (é, ö, ...);
    none of the papers of the real abstracts' listing."""
    need(ARXIV / "real-abstracts-ids.json")
    ids = json.loads((ARXIV / "real-abstracts-ids.json").read_text(encoding="utf-8"))
    listed = {entry["arxiv_id"] for entry in ids}
    out = []
    for record in records:
        if record["id"] in listed:
            continue
        abstract = " ".join(record["abstract"].split())
        if not re.search(r"\\[\"'`^~]", abstract):
            continue
        text = decode_latex(abstract)
        try:
            text.encode("latin-1")
        except UnicodeEncodeError:
            continue
        if not text.isascii():
            out.append(text)
    assert len(out) >= 15
    return out


@pytest.mark.parametrize("bom", [b"", codecs.BOM_UTF8], ids=["utf8", "utf8-bom"])
def test_a_utf8_file_and_a_latin1_file_concatenated(
    library: Library, tmp_path: Path, truth, latin1_papers, bom
):
    need(REAL / "listing.txt")
    utf8 = bom + (REAL / "listing.txt").read_bytes()  # holds Chinese, Greek, ×, ±, “ ”
    utf8 += b"" if utf8.endswith(b"\n") else b"\n"  # else cat glues two lines together
    latin1 = "".join(f"Abstract:{text}\n" for text in latin1_papers).encode("latin-1")
    path = tmp_path / "all.txt"
    path.write_bytes(utf8 + latin1)  # cat listing.txt latin1.txt > all.txt
    report = library.import_files([path])
    [file] = report.files
    assert file.error == ""
    assert file.added == len(truth) + len(latin1_papers)
    expected = sorted([paper["abstract"] for paper in truth] + latin1_papers)
    assert abstracts_of(library) == expected
    assert not any(C1.search(p.title + p.abstract) for p in library.papers())
    utf8_lines = sum(1 for paper in truth if not paper["abstract"].isascii())
    first, last = len(truth) + 1, len(truth) + len(latin1_papers)
    assert (
        f"mixed encodings: {utf8_lines} line(s) read as UTF-8 and {len(latin1_papers)} "
        f"not UTF-8, read as cp1252 (lines {first}-{last})"
    ) in file.warnings


def test_the_former_whole_file_fallback_is_gone(tmp_path: Path):
    """Decoded whole as Latin-1, a UTF-8 curly quote became 'â\\x80\\x9c'."""
    data = "Abstract:A “quoted” word, here. And more.\n".encode() + "Abstract:Café.\n".encode(
        "latin-1"
    )
    path = tmp_path / "two.txt"
    path.write_bytes(data)
    info = textfile.sniff(path)
    lines = [line for _, line in textfile.read_lines(path, info)]
    assert lines == ["Abstract:A “quoted” word, here. And more.", "Abstract:Café."]
    assert (info.utf8_lines, info.fallback_lines, info.fallback_spans) == (1, 1, ((2, 2),))


def test_a_line_glued_by_cat_keeps_both_encodings(tmp_path: Path):
    """The first file had no final newline: its last line and the first line of the
    next file became one line, UTF-8 then Latin-1."""
    data = "Abstract:稀土离子掺杂 “glued”.".encode() + "Abstract:Révész, Düsseldorf.\n".encode(
        "latin-1"
    )
    path = tmp_path / "glued.txt"
    path.write_bytes(data)
    lines = [line for _, line in textfile.read_lines(path, textfile.sniff(path))]
    assert lines == ["Abstract:稀土离子掺杂 “glued”.Abstract:Révész, Düsseldorf."]
    # Latin-1 text with one pair of bytes that happens to be UTF-8 ("Ã©" is "é") stays
    # Latin-1.
    path.write_bytes("Abstract:Ã©tude über.\n".encode("latin-1"))
    lines = [line for _, line in textfile.read_lines(path, textfile.sniff(path))]
    assert lines == ["Abstract:Ã©tude über."]


def test_fallback_lines_are_named_in_runs(tmp_path: Path):
    ascii_line, utf8_line = b"Abstract:plain.\n", "Abstract:naïve.\n".encode()
    latin = "Abstract:Düsseldorf.\n".encode("latin-1")
    order = [utf8_line] + [latin, ascii_line] * 7 + [latin, latin]
    path = tmp_path / "runs.txt"
    path.write_bytes(b"".join(order))
    info = textfile.sniff(path)
    assert info.fallback_lines == 9
    assert info.fallback_spans == ((2, 2), (4, 4), (6, 6), (8, 8), (10, 10))
    assert "(lines 2, 4, 6, 8, 10 and 4 more)" in info.warnings[0]


def test_cp1252_punctuation_in_the_fallback_is_punctuation_not_c1(tmp_path: Path):
    data = "Abstract:ü “quoted” – dash\n".encode() + b"Abstract:\x93quoted\x94 \x96 dash\n"
    path = tmp_path / "quotes.txt"
    path.write_bytes(data)
    lines = [line for _, line in textfile.read_lines(path, textfile.sniff(path))]
    assert lines == ["Abstract:ü “quoted” – dash", "Abstract:“quoted” – dash"]


# Abstracts that lost their spaces


def test_a_space_less_abstract_in_a_listing_and_a_daily_page_is_one_paper(tmp_path: Path, truth):
    need(REAL / "listing.txt", REAL / "daily-papers.txt")
    english = [paper for paper in truth if paper["abstract"].isascii()][:12]
    # Pasted from a PDF: every space and line break lost, as in
    # "Crown-ethercyanidetreatment,whichsimplyinvolvesimmersioninKCNsolutions".
    squeezed = ["".join(paper["abstract"].split()) for paper in english]
    listing = tmp_path / "listing.txt"
    listing.write_text("".join(f"Abstract:{text}\n" for text in squeezed), encoding="utf-8")
    page = tmp_path / "daily.txt"
    page.write_text(
        "Daily Papers\n\n"
        + "".join(f"{paper['title']}\n\n{paper['abstract_b']}\n\n" for paper in english),
        encoding="utf-8",
    )
    for order in ([listing, page], [page, listing]):
        with Library(tmp_path / f"library-{order[0].stem}") as library:
            for path in order:  # one file at a time, as a user imports them days apart
                assert library.import_files([path]).files[0].error == ""
            papers = library.papers()
            assert len(papers) == len(english)
            assert sorted(p.title for p in papers) == sorted(p["title"] for p in english)
            assert not any(p.title_inferred for p in papers)


def test_the_space_less_abstract_is_the_same_evidence(truth):
    for paper in truth:
        spaced = fingerprints.abstract_fingerprint(paper["abstract"])
        assert spaced is not None, paper["title"]
        assert fingerprints.abstract_fingerprint(paper["abstract_b"]) == spaced
        assert fingerprints.abstract_fingerprint("".join(paper["abstract"].split())) == spaced
        # Soft hyphens and zero-width spaces a PDF copy adds are nothing either.
        noisy = paper["abstract"].replace("tion", "ti\u00adon").replace(". ", ".\u200b ")
        assert fingerprints.abstract_fingerprint(noisy) == spaced


def test_a_space_less_abstract_agrees_with_its_spaced_text_only(truth):
    english = [paper["abstract"] for paper in truth if paper["abstract"].isascii()]
    for text, other in itertools.pairwise(english):
        squeezed = "".join(text.split())
        assert fingerprints.abstracts_agree(squeezed, text.replace("We ", "Here we "))
        assert not fingerprints.abstracts_agree(squeezed, other)


@pytest.mark.parametrize(
    "text",
    [
        "Not Available",
        "Editorial",
        "No abstract available for this article.",
        "This paper has been withdrawn by the authors.",
        "This paper has been withdrawn by the author due to a crucial sign error in "
        "equation 1, which invalidates the main result; a corrected version will follow.",
        "This submission has been withdrawn by arXiv administrators due to inappropriate "
        "text reuse from external sources.",
        "This article has been removed by arXiv administrators because the submitter did "
        "not have the right to agree to our license at the time of submission.",
        "This non-archival index is not complete, as some accepted papers chose to opt-out "
        "of inclusion. The list of all accepted papers is available on the workshop website.",
    ],
)
def test_boilerplate_is_no_evidence_with_or_without_spaces(text):
    assert fingerprints.abstract_fingerprint(text) is None
    assert fingerprints.abstract_fingerprint("".join(text.split())) is None


def test_no_two_different_real_papers_share_a_fingerprint(truth, records):
    """Every abstract of the shared real data (both layouts and without spaces) and of the
    1,057 arXiv records: a fingerprint belongs to one paper, but for two real double
    submissions (the same abstract sent twice to arXiv)."""
    need(ARXIV / "real-abstracts-ids.json")
    ids = json.loads((ARXIV / "real-abstracts-ids.json").read_text(encoding="utf-8"))
    texts = [(record["id"], record["abstract"]) for record in records]
    for index, paper in enumerate(truth):
        who = ids[index]["arxiv_id"] or f"real-{index}"
        squeezed = "".join(paper["abstract"].split())
        texts += [(who, paper["abstract"]), (who, paper["abstract_b"]), (who, squeezed)]
    papers = collections.defaultdict(set)
    for who, text in texts:
        fingerprint = fingerprints.abstract_fingerprint(text)
        if fingerprint:
            papers[fingerprint].add(who)
    shared = [who for who in papers.values() if len(who) > 1]
    assert sorted(map(sorted, shared)) == sorted(map(sorted, KNOWN_DOUBLES))
    assert len(papers) > 1000


def _former_fingerprint(abstract: str) -> str | None:
    normal = fingerprints.normalise_text(abstract)
    if len(normal) < 120 or normal.count(" ") + 1 < 25:
        return None
    return hashlib.sha1(normal.encode("utf-8")).hexdigest()


def test_stored_fingerprints_are_made_again_on_opening(tmp_path: Path, truth):
    """A library written before: its digests counted words; opened, the papers it holds
    are found by their space-less abstracts, and nothing is queued for the index."""
    need(REAL / "daily-papers.txt")
    folder = tmp_path / "library"
    with Library(folder) as library:
        library.import_files([REAL / "daily-papers.txt"])
        library.sync_index()
        rows = library.db.execute("SELECT id, abstract FROM papers").fetchall()
        for paper_id, abstract in rows:
            library.db.execute(
                "UPDATE papers SET abstract_fingerprint = ? WHERE id = ?",
                [_former_fingerprint(abstract), paper_id],
            )
        library.db.execute("DELETE FROM index_queue")
        library.db.execute(
            "DELETE FROM _sqlite_migrations WHERE name = '0009_abstract_fingerprints'"
        )
    with Library(folder) as library:
        for paper_id, abstract, stored_fingerprint in library.db.execute(
            "SELECT id, abstract, abstract_fingerprint FROM papers"
        ):
            assert stored_fingerprint == fingerprints.abstract_fingerprint(abstract), paper_id
        assert library.db.execute("SELECT count(*) FROM index_queue").fetchone()[0] == 0
        listing = tmp_path / "pasted.txt"
        listing.write_text(
            "".join(f"Abstract:{''.join(p['abstract'].split())}\n" for p in truth),
            encoding="utf-8",
        )
        report = library.import_files([listing])
        assert report.added == 0 and report.duplicates == len(truth)


# UTF-16 without a BOM


@pytest.fixture(scope="module")
def chinese(truth) -> list[dict]:
    papers = [paper for paper in truth if "cjk" in paper["features"]]
    assert len(papers) >= 5
    return papers


def chinese_page(papers: list[dict]) -> str:
    return "".join(f"{paper['title']}\n\n{paper['abstract_b']}\n\n" for paper in papers)


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_chinese_utf16_without_bom_is_read(library: Library, tmp_path: Path, chinese, codec):
    data = chinese_page(chinese).encode(codec)
    # The NUL pattern of ASCII text in UTF-16 is not there to go by.
    assert data.count(0) < 0.2 * len(data)
    path = tmp_path / "chinese.txt"
    path.write_bytes(data)
    assert textfile.sniff(path).encoding == codec
    report = library.import_files([path])
    assert report.files[0].error == "" and report.added == len(chinese)
    assert stored(library) == sorted((p["title"], p["abstract_b"]) for p in chinese)


def test_pure_cjk_utf16_without_bom_is_read(tmp_path: Path):
    # No ASCII at all but the line breaks.
    title, abstract = (
        "稀土离子掺杂荧光粉的发光性质研究",
        "本文研究了稀土离子掺杂荧光粉的发光性质。" * 12,
    )
    for codec in ("utf-16-le", "utf-16-be"):
        path = tmp_path / f"{codec}.txt"
        path.write_bytes(f"{title}\n\n{abstract}\n".encode(codec))
        info = textfile.sniff(path)
        assert info.encoding == codec
        assert [line for _, line in textfile.read_lines(path, info)] == [title, "", abstract]


@pytest.mark.parametrize("codec", ["gbk", "gb18030", "big5", "shift_jis", "euc-kr", "utf-8"])
def test_other_cjk_encodings_are_not_taken_for_utf16(tmp_path: Path, chinese, codec):
    path = tmp_path / f"chinese-{codec}.txt"
    path.write_bytes(chinese_page(chinese).encode(codec, errors="replace"))
    assert not textfile.sniff(path).encoding.startswith("utf-16")


def test_eight_bit_text_is_not_taken_for_utf16(tmp_path: Path):
    """'Bush hid the facts': 8-bit text read as UTF-16 looks like CJK ideographs."""
    path = tmp_path / "bush.txt"
    path.write_bytes("Bush hid the facts, said the café owner\r\n".encode("cp1252") * 40)
    assert textfile.sniff(path).encoding == "cp1252"


def test_the_abstract_with_spaces_replaces_the_one_that_lost_them(tmp_path: Path, truth):
    """Listing first (pasted from a PDF), then the daily page: the paper keeps the
    readable text; not when a highlight is anchored in the space-less one, nor over an
    abstract the user wrote."""
    english = [paper for paper in truth if paper["abstract"].isascii()][:3]
    listing = tmp_path / "listing.txt"
    listing.write_text(
        "".join(f"Abstract:{''.join(p['abstract'].split())}\n" for p in english),
        encoding="utf-8",
    )
    page = tmp_path / "daily.txt"
    page.write_text(
        "".join(f"{p['title']}\n\n{p['abstract']}\n\n" for p in english), encoding="utf-8"
    )
    with Library(tmp_path / "library") as library:
        ids = library.import_files([listing]).added_ids
        highlighted = ids[1]
        library.add_highlight(highlighted, 0, 10)
        # The user's own copy: the same evidence (a soft hyphen is nothing), another text.
        mine = "".join(english[2]["abstract"].split())
        mine = mine[:10] + "\u00ad" + mine[10:]
        library.edit(ids[2], abstract=mine)
        report = library.import_files([page])
        assert report.added == 0
        by_id = {paper.id: paper for paper in library.papers()}
        assert by_id[ids[0]].abstract == english[0]["abstract"]
        assert by_id[highlighted].abstract == "".join(english[1]["abstract"].split())
        assert by_id[ids[2]].abstract == mine
        assert [paper.title for paper in library.papers()] == [p["title"] for p in english]
