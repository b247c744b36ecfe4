"""No field can add an entry or a record to an export, whatever it holds.

A ``url`` such as ``x}\\t@misc{inj,title={Injected}}\\t@misc{tail,note={}`` (from a .bib or
an edit) used to end its BibTeX entry early and start two more that bibtex and
bibtexparser both read; a ``url`` with a newline added a RIS record. Here random field
contents (braces, backslashes, ``@``, ``%``, newlines, tabs, control characters, Unicode,
and pieces of entries) go into every field a paper has; the real ``bibtex`` (plain style,
``\\citation{*}``) and bibtexparser must see exactly the papers' entries, RIS exactly one
record per paper, CSL-JSON one item, Markdown one list item.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import bibtexparser
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from readinglist.cli import main
from readinglist.errors import UserError
from readinglist.formats import csl, markdown, ris
from readinglist.formats.bibtex import BibExtras, to_bibtex
from readinglist.models import Status
from tests.core.test_bibtex_tools import make_paper

INJECTION = "x}\t@misc{inj,title={Injected}}\t@misc{tail,note={}"
PIECES = [
    "}",
    "{",
    "\\",
    "\\}",
    "\\{",
    "\\\\{",
    "@misc{inj,title={Injected}}",
    "}\n@misc{inj2,note={",
    "\n@article{inj3,",
    "\r\nTY  - JOUR\r\nER  - \r\n",
    "\nER  -\n",
    "%",
    "#",
    '"',
    ",",
    "=",
    "$",
    "$x^{2}$",
    "\\emph{",
    "\\url{",
    "\t",
    "\n",
    "\r",
    "\x00",
    "\x0b\x0c",
    "\x1c\x1d\x1e",
    "\x85",
    "\u2028\u2029",
    "\x7f",
    "ü",
    "漢字",
    "😀",
    " and ",
    "](<x>)\n- [ ] **fake**",
]
# Any character but lone surrogates, which no SQLite text (UTF-8) can hold.
CHARACTERS = st.characters(exclude_categories=["Cs"])
FIELD = st.lists(
    st.one_of(st.sampled_from(PIECES), st.text(CHARACTERS, max_size=6)), max_size=8
).map("".join)
DIALECTS = ("bibtex", "biblatex")


@st.composite
def papers(draw):
    count = draw(st.integers(min_value=1, max_value=4))
    result, notes, extras = [], {}, {}
    for number in range(count):
        paper = make_paper(
            number + 1,
            f"k{number}",
            draw(FIELD),
            draw(FIELD),
            authors=draw(st.lists(FIELD, max_size=3)),
            year=draw(st.none() | st.integers(min_value=1000, max_value=2999)),
            venue=draw(FIELD),
            url=draw(FIELD),
            code_url=draw(FIELD),
            doi=draw(FIELD),
            arxiv_id=draw(st.sampled_from(["", "2301.00001"]) | FIELD),
            tags=draw(st.lists(FIELD, max_size=2)),
            status=draw(st.sampled_from(list(Status))),
            primary_class=draw(st.sampled_from(["", "cs.LG"]) | FIELD),
            date=draw(st.sampled_from(["", "2023-12-01"]) | FIELD),
        )
        result.append(paper)
        notes[paper.id] = draw(st.lists(FIELD, max_size=2))
        if draw(st.booleans()):
            extras[paper.id] = BibExtras(
                draw(st.sampled_from(["", "book", "techreport"])),
                (("note", draw(FIELD)), ("publisher", draw(FIELD)), ("url", draw(FIELD))),
            )
    return result, notes, extras


def bibtex_keys(bib: str, folder: Path) -> list[str]:
    """The keys the real bibtex (plain.bst) writes a \\bibitem for, citing every entry
    (sorted: plain.bst orders by author)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "refs.bib").write_text(bib, encoding="utf-8")
    (folder / "doc.aux").write_text(
        "\\relax\n\\citation{*}\n\\bibstyle{plain}\n\\bibdata{refs}\n", encoding="ascii"
    )
    subprocess.run(
        ["bibtex", "-terse", "doc"], cwd=folder, capture_output=True, timeout=60, check=False
    )
    bbl = (folder / "doc.bbl").read_text(encoding="utf-8", errors="replace")
    return sorted(re.findall(r"^\\bibitem\{([^}]*)\}", bbl, re.MULTILINE))


def parser_keys(bib: str) -> list[str]:
    library = bibtexparser.parse_string(bib)
    assert not library.failed_blocks, [block.error for block in library.failed_blocks]
    return [entry.key for entry in library.entries]


RIS_LINE = re.compile(r"^[A-Z][A-Z0-9]  -( |$)")


def check_ris(text: str, keys: list[str]) -> None:
    lines = text.splitlines()  # splits at \x85, \u2028, \x1c... as well as \r\n
    assert lines == text.split("\r\n")[:-1]
    assert all(line == "" or RIS_LINE.match(line) for line in lines), lines
    assert sum(line.startswith("TY  - ") for line in lines) == len(keys)
    assert sum(line.rstrip() == "ER  -" for line in lines) == len(keys)
    assert [line[6:] for line in lines if line.startswith("ID  - ")] == keys


def check_markdown(text: str, keys: list[str]) -> None:
    lines = text.splitlines()
    assert lines[0].startswith("# ")
    assert all(line == "" or line.startswith(("- ", "  ")) for line in lines[1:]), lines
    items = [line for line in lines if line.startswith("- ")]
    assert len(items) == len(keys)
    assert [re.search(r"`(k\d+)`", line).group(1) for line in lines if line.startswith("  `")] == (
        keys
    )


def _bibtex_required() -> None:
    if shutil.which("bibtex") is None:
        pytest.skip("bibtex is not installed (Debian: texlive-base)")


# The profile's example count (40; HYPOTHESIS_PROFILE=long for thousands): each example
# runs bibtex twice, about 10 ms each.
@given(drawn=papers())
# A date of digits that are no ASCII numbers ("¹".isdigit() holds, int("¹") fails).
@example(drawn=([make_paper(1, "k0", "", "", year=1000, date="\u00b9")], {1: []}, {}))
def test_no_field_adds_an_entry_or_a_record(drawn, tmp_path_factory):
    _bibtex_required()
    chosen, notes, extras = drawn
    keys = sorted(paper.key for paper in chosen)
    folder = tmp_path_factory.mktemp("bibtex")
    for dialect in DIALECTS:
        bib = to_bibtex(
            chosen,
            dialect=dialect,
            include_notes=True,
            notes_by_paper=notes,
            extras_by_paper=extras,
        )
        assert parser_keys(bib) == keys, bib
        assert bibtex_keys(bib, folder / dialect) == keys, bib
    check_ris(ris.to_ris(chosen), keys)
    items = json.loads(csl.to_csl_json(chosen))
    assert [item["id"] for item in items] == keys
    in_order = [paper.key for paper in chosen]
    check_markdown(markdown.to_markdown(chosen, notes_by_paper=notes), in_order)


def test_the_reported_url_stays_one_entry(tmp_path):
    _bibtex_required()
    papers_ = [
        make_paper(1, "victim", "A Paper", url=INJECTION, doi=INJECTION, arxiv_id=INJECTION),
        make_paper(2, "newline", "B Paper", url="https://x.org/a\nTY  - JOUR\nER  - "),
    ]
    for dialect in DIALECTS:
        bib = to_bibtex(papers_, dialect=dialect)
        assert parser_keys(bib) == ["newline", "victim"]
        assert bibtex_keys(bib, tmp_path / dialect) == ["newline", "victim"]
        assert (
            "url = {x%7D%09@misc%7Binj,title=%7BInjected%7D%7D%09@misc%7Btail,note=%7B%7D}" in bib
        )
        assert "url = {https://x.org/a%0ATY%20%20-%20JOUR%0AER%20%20-}" in bib
    check_ris(ris.to_ris(papers_), ["newline", "victim"])


def test_ordinary_links_are_written_as_they_are():
    paper = make_paper(
        1,
        "plain",
        "Plain",
        url="https://example.org/a_b/c%20d?x=1&y=2#frag~user",
        doi="10.1000/xyz_123",
        arxiv_id="2301.00001",
        code_url="https://github.com/o/r#readme",
    )
    bib = to_bibtex([paper])
    assert "url = {https://example.org/a_b/c%20d?x=1&y=2#frag~user}" in bib
    assert "doi = {10.1000/xyz_123}" in bib
    assert "eprint = {2301.00001}" in bib
    assert "UR  - https://example.org/a_b/c%20d?x=1&y=2#frag~user" in ris.to_ris([paper])
    assert "(<https://example.org/a_b/c%20d?x=1&y=2#frag~user>)" in markdown.to_markdown([paper])


def test_a_url_with_spaces_or_braces_is_percent_encoded():
    paper = make_paper(1, "odd", "Odd", url=" https://x.org/a b/{c}\\d ")
    assert "url = {https://x.org/a%20b/%7Bc%7D%5Cd}" in to_bibtex([paper])
    assert "(<https://x.org/a%20b/%7Bc%7D%5Cd>)" in markdown.to_markdown([paper])
    assert "(<https://x.org/%3Cb%3E>)" in markdown.to_markdown(
        [make_paper(2, "angle", "Angle", url="https://x.org/<b>")]
    )


def test_edit_refuses_control_characters_in_links(seeded_library):
    paper = seeded_library.papers()[0]
    for field, value in (
        ("url", "https://x.org/a\tb"),
        ("url", INJECTION),
        ("doi", "10.1000/a\nb"),
        ("code_url", "https://x.org/\x00"),
    ):
        with pytest.raises(UserError, match="control character"):
            seeded_library.edit(paper.id, **{field: value})
    assert seeded_library.paper(paper.id).url == paper.url
    seeded_library.edit(paper.id, url="  https://x.org/fine  ", doi="10.1000/fine")
    assert seeded_library.paper(paper.id).url == "https://x.org/fine"


def test_cli_edit_url_with_a_tab_exits_1(seeded_library, capsys):
    folder = str(seeded_library.folder)
    paper = seeded_library.papers()[0]
    code = main(["--library", folder, "edit", str(paper.id), "--url", INJECTION])
    err = capsys.readouterr().err
    assert code == 1
    assert "control character" in err and "Traceback" not in err
    assert seeded_library.paper(paper.id).url == paper.url


def test_a_bib_with_the_injected_url_exports_one_entry(library, tmp_path, capsys):
    _bibtex_required()
    source = tmp_path / "evil.bib"
    source.write_text(
        "@misc{victim,\n  title = {A Paper},\n  year = {2020},\n"
        f"  url = {{{INJECTION}}}\n}}\n",
        encoding="utf-8",
    )
    library.import_files([source])
    exported = library.export_text("bibtex")
    keys = parser_keys(exported)
    assert len(keys) == len(library.papers())
    assert "inj" not in keys and "tail" not in keys
    assert bibtex_keys(exported, tmp_path / "run") == sorted(keys)


@pytest.mark.parametrize(
    "stored",
    [
        "not json",
        "[" * 50_000,
        "[1]",
        '[["a"]]',
        '{"a": 1}',
        '[["note", 7], ["howpublished", "kept"]]',
    ],
)
def test_malformed_bibtex_extras_in_a_received_library_are_left_out(tmp_path, stored):
    """What a .bib import kept lives in the library as JSON; a received library may hold
    anything there. The export leaves out what is not (name, value) text pairs."""
    from readinglist.library import Library

    bib = tmp_path / "one.bib"
    bib.write_text("@misc{one, title={One}, author={Doe, Jane}, year={2020}, note={n}}\n")
    with Library(tmp_path / "lib") as library:
        library.import_files([bib])
        library.db.execute("UPDATE paper_bibtex SET fields = ?", [stored])
        target = tmp_path / "out.bib"
        library.export_file(target, "bibtex")
    text = target.read_text(encoding="utf-8")
    assert text.count("@misc{one,") == 1 and "title = {One}" in text
    assert ("howpublished = {kept}" in text) == ("kept" in stored)
