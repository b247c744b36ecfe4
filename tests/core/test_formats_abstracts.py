"""The abstract-file reader: listing lines, daily-papers pages, mixed files, page furniture."""

from __future__ import annotations

import tracemalloc

import pytest

from readinglist.formats.abstracts import find_code_url, is_noise, read_abstracts
from readinglist.formats.textfile import split_text_lines
from readinglist.models import ParsedRecord, SkippedRecord
from tests.core.conftest import SAMPLE_PAPERS, daily_page, records_only, skipped_only

PAPERS = SAMPLE_PAPERS[:3]
EXTRA = [
    (
        "Learning to Route in Large Language Models",
        "Routing requests to the right model saves compute. We learn a router from "
        "preference data and show that it matches the largest model's quality at a third of "
        "the cost on five benchmarks. The router generalises to unseen models.",
    ),
    (
        "Benchmarks Are Not Enough",
        "Leaderboards reward overfitting to their test sets. We collect fresh test items for "
        "six popular benchmarks and find that rankings change for half of the top models. We "
        "release the new items and a protocol for refreshing them every year.",
    ),
]


def read(text: str) -> list[ParsedRecord | SkippedRecord]:
    return list(read_abstracts(split_text_lines(text)))


def pairs(items) -> list[tuple[str, str]]:
    return [(r.title, r.abstract) for r in records_only(items)]


def line_of(text: str, needle: str) -> int:
    return next(n for n, line in split_text_lines(text) if needle in line)


# Listing format


def test_listing_lines_are_papers_with_inferred_titles():
    abstracts = [abstract for _, abstract in PAPERS]
    records = read("".join(f"Abstract:{a}\n" for a in abstracts))
    assert [r.abstract for r in records] == abstracts
    assert all(isinstance(r, ParsedRecord) for r in records)
    assert all(r.title_inferred and r.title for r in records)
    assert [r.line for r in records] == [1, 2, 3]
    assert {r.kind for r in records} == {"listing"}


@pytest.mark.parametrize(
    "prefix",
    [
        "Abstract:",
        "Abstract: ",
        "ABSTRACT:",
        "abstract:",
        "Abstract :",
        "Abstract  :  ",
        "Abstract：",
        "ABSTRACT：",
        "  Abstract:",
        "\tAbstract: ",
    ],
)
def test_abstract_prefix_variants(prefix):
    abstract = "We study prefixes. They vary a lot in files copied from the web."
    [record] = read(f"{prefix}{abstract}\n")
    assert record.abstract == abstract
    assert record.kind == "listing"


def test_abstract_word_inside_text_is_not_a_prefix():
    text = (
        "Abstract Syntax Trees for Program Repair\n\n"
        "We repair programs on abstract syntax trees. Abstract: this word inside the text "
        "stays where it is, and the whole paragraph is one abstract.\n"
    )
    [record] = read(text)
    assert record.title == "Abstract Syntax Trees for Program Repair"
    assert record.abstract.startswith("We repair programs")
    assert "Abstract: this word" in record.abstract


def test_wrapped_listing_line_continues_its_abstract():
    text = "Abstract:First part of the abstract,\ncontinued here. Done.\nAbstract:Next one.\n"
    records = read(text)
    assert [r.abstract for r in records] == [
        "First part of the abstract,\ncontinued here. Done.",
        "Next one.",
    ]


def test_blank_and_whitespace_only_lines_between_listing_lines():
    text = "\n  \n\t\nAbstract:One. Two.\n \n\n\u3000\n\xa0\nAbstract:Three. Four.\n\n   \n"
    records = read(text)
    assert [(r.line, r.abstract) for r in records] == [(4, "One. Two."), (9, "Three. Four.")]


def test_code_url_at_end_of_listing_line():
    abstract = (
        "We present ProX, a framework for refining pre-training data. It beats rule-based "
        "filtering on ten benchmarks. Code: https://github.com/GAIR-NLP/ProX"
    )
    [record] = read(f"Abstract:{abstract}\n")
    assert record.code_url == "https://github.com/GAIR-NLP/ProX"
    assert record.abstract == abstract  # the text stays intact


@pytest.mark.parametrize(
    ("tail", "url"),
    [
        ("Code: https://github.com/a/b.", "https://github.com/a/b"),
        ("Code: https://example.org/tool/", "https://example.org/tool/"),
        ("Code:https://gitlab.com/x/y", "https://gitlab.com/x/y"),
        ("Code is available at https://github.com/c/d.", "https://github.com/c/d"),
        ("No code released.", ""),
    ],
)
def test_code_url_variants(tail, url):
    abstract = f"We do something new. It works well. {tail}"
    [record] = read(f"Abstract:{abstract}\n")
    assert record.code_url == url
    assert record.abstract == abstract
    assert find_code_url(abstract) == url


# Daily-papers page


def test_daily_page_pairs_and_date():
    text = daily_page(PAPERS)
    records = read(text)
    assert pairs(records) == PAPERS
    assert not skipped_only(records)
    assert all(not r.title_inferred and r.date_listed == "Mar 14" for r in records)
    assert [r.line for r in records] == [line_of(text, t) for t, _ in PAPERS]
    assert {r.kind for r in records} == {"daily-papers"}


def test_extra_blank_and_whitespace_lines_in_daily_page():
    text = daily_page(PAPERS).replace("\n\n", "\n \n\t\n\n")
    assert pairs(read(text)) == PAPERS


def test_abstract_with_single_line_breaks_keeps_them():
    title, abstract = PAPERS[0]
    wrapped = abstract.replace(" Our analysis", "\nOur analysis").replace(
        " We propose", "\nWe propose"
    )
    records = read(daily_page([(title, wrapped), *PAPERS[1:]]))
    assert pairs(records) == [(title, wrapped), *PAPERS[1:]]


def test_last_title_without_abstract_is_reported():
    text = daily_page(PAPERS) + "\nA Title That Lost Its Abstract\n"
    records = read(text)
    assert pairs(records) == PAPERS
    [skipped] = skipped_only(records)
    assert skipped.line == line_of(text, "A Title That Lost Its Abstract")
    assert skipped.text == "A Title That Lost Its Abstract"
    assert "title without an abstract" in skipped.reason
    assert isinstance(records[-1], SkippedRecord)  # reported in file order


def test_missing_abstract_mid_file_does_not_shift_pairs():
    lost = "Orphaned Title in the Middle"
    before, after = [*PAPERS, EXTRA[0]][:2], [PAPERS[2], *EXTRA]
    text = (
        daily_page(before).rstrip("\n")
        + f"\n\n{lost}\n\n"
        + daily_page(after).split("Mar 14\n\n", 1)[1]
    )
    records = read(text)
    assert pairs(records) == before + after
    [skipped] = skipped_only(records)
    assert skipped.text == lost
    assert skipped.line == line_of(text, lost)
    # Reported in its place, between the papers around it.
    assert records.index(skipped) == len(before)


def test_two_titles_missing_abstracts_in_a_row():
    # Two title-shaped paragraphs in a row are ambiguous: two orphaned titles, or a title
    # with a boilerplate abstract ("Editorial" / "Not Available" must stay a paper). Either
    # reading is acceptable; what matters is that both are accounted for and the pairs
    # after them keep their own titles.
    text = (
        daily_page(PAPERS[:1])
        + "\nLost One\n\nLost Two\n\n"
        + daily_page(EXTRA).split("Mar 14\n\n", 1)[1]
    )
    records = read(text)
    found = pairs(records)
    assert found[0] == PAPERS[0]
    assert found[-2:] == EXTRA
    middle = [text for pair in found[1:-2] for text in pair] + [
        s.text for s in skipped_only(records)
    ]
    assert middle == ["Lost One", "Lost Two"]


def test_abstract_without_title_mid_file_is_kept_untitled():
    # Two abstracts in a row: the second has lost its title. It is still a paper (nothing
    # lost), with an inferred title, and the pairs after it keep their own titles.
    (t1, a1), (t2, a2) = PAPERS[:2]
    orphan = EXTRA[0][1]
    text = f"{t1}\n\n{a1}\n\n{orphan}\n\n{t2}\n\n{a2}\n"
    records = read(text)
    assert [(r.title, r.abstract, r.title_inferred) for r in records] == [
        (t1, a1, False),
        (records[1].title, orphan, True),
        (t2, a2, False),
    ]
    assert records[1].title


FURNITURE_LAYOUTS = {
    # Each piece of furniture on its own paragraph.
    "spread": "\n\n".join(["12 authors", "·", "NVIDIA", "·", "Published on Mar 14", "3"]),
    # Right under the abstract, no blank lines.
    "compact": "12 authors\n·\nNVIDIA\n·\nPublished on Mar 14\n3",
    # On one line, as some browsers copy it.
    "one-line": "NVIDIA · Published on Mar 14 · 12 authors",
    "comments": "Submitted by akhaliq\n\n5 comments\n\n1 author",
}
BEFORE_TITLE = {"votes": "42", "arrow-votes": "▲ 42", "dash": "-", "upvote": "Upvote 7", "none": ""}


@pytest.mark.parametrize("after", sorted(FURNITURE_LAYOUTS))
@pytest.mark.parametrize("before", sorted(BEFORE_TITLE))
def test_page_furniture_never_becomes_title_or_abstract(after, before):
    header = "Daily Papers\n\nDaily / Weekly / Monthly\n\nnew\n\nSubscribe\n\nMar 14\n\n"
    blocks = []
    for title, abstract in [*PAPERS, *EXTRA]:
        if BEFORE_TITLE[before]:
            blocks.append(BEFORE_TITLE[before])
        blocks.append(f"{title}\n\n{abstract}\n{FURNITURE_LAYOUTS[after]}")
    text = header + "\n\n".join(blocks) + "\n"
    records = read(text)
    assert pairs(records) == [*PAPERS, *EXTRA]
    # Furniture is dropped or reported, never a record.
    for skipped in skipped_only(records):
        assert skipped.text in {"NVIDIA", "akhaliq"}, skipped


def test_organisation_line_between_papers_is_skipped_not_paired():
    # An organisation paragraph is title-shaped; it must not steal the next title.
    blocks = []
    for title, abstract in [*PAPERS, *EXTRA]:
        blocks += [title, abstract, "12 authors", "Google DeepMind"]
    records = read("\n\n".join(blocks) + "\n")
    assert pairs(records) == [*PAPERS, *EXTRA]
    assert {s.text for s in skipped_only(records)} == {"Google DeepMind"}


@pytest.mark.parametrize(
    "line",
    [
        "new",
        "Daily Papers",
        "Daily / Weekly / Monthly",
        "Subscribe",
        "byAK and the research community",
        "Get trending papers in your email inbox!",
        "Mar 14",
        "March 14, 2024",
        "-",
        "·",
        "12",
        "▲ 12",
        "12 authors",
        "1 author",
        "Published on Mar 14",
        "5 comments",
        "NVIDIA · Mar 14 · 12 authors",
    ],
)
def test_furniture_lines_are_noise(line):
    assert is_noise(line)


@pytest.mark.parametrize(
    "line",
    [
        "GPT-4 Technical Report",
        "Attention Is All You Need",
        "2048 Tokens Are Enough",
        "Mamba: Linear-Time Sequence Modeling with Selective State Spaces",
        "Newer Is Not Always Better",
    ],
)
def test_titles_are_not_noise(line):
    assert not is_noise(line)


# Mixed files


def test_mixed_file_listing_then_daily():
    listing_abstracts = [a for _, a in EXTRA]
    text = "".join(f"Abstract:{a}\n" for a in listing_abstracts) + "\n" + daily_page(PAPERS)
    records = read(text)
    assert [r.abstract for r in records] == listing_abstracts + [a for _, a in PAPERS]
    assert [r.title_inferred for r in records] == [True, True, False, False, False]
    assert [r.title for r in records[2:]] == [t for t, _ in PAPERS]
    assert [r.kind for r in records] == ["listing"] * 2 + ["daily-papers"] * 3
    assert not skipped_only(records)


def test_mixed_file_daily_then_listing():
    listing_abstracts = [a for _, a in EXTRA]
    text = daily_page(PAPERS) + "\n" + "".join(f"Abstract:{a}\n" for a in listing_abstracts)
    records = read(text)
    assert pairs(records)[:3] == PAPERS
    assert [r.abstract for r in records[3:]] == listing_abstracts
    assert [r.title_inferred for r in records] == [False, False, False, True, True]


def test_title_paragraph_then_abstract_line_is_one_paper():
    # "Title", blank line, "Abstract: ..." is how people write notes by hand; a reference
    # manager user expects one titled paper, not an orphan title and an untitled abstract.
    text = "A Lonely Title\n\nAbstract:We show a result. It holds.\n"
    [record] = read(text)
    assert (record.title, record.abstract) == ("A Lonely Title", "We show a result. It holds.")
    assert not record.title_inferred
    assert record.line == 1


# Streaming


def test_many_pairs_across_labelling_windows():
    # More paragraphs than one labelling window, with a missing abstract near every window
    # boundary: pairs stay aligned all the way down.
    papers = [
        (f"Paper Number {i} on Topic {i % 7}", f"We study topic {i}. It matters a lot. " * 4)
        for i in range(700)
    ]
    blocks = []
    for index, (title, abstract) in enumerate(papers):
        blocks += [title, abstract.strip()]
        if index % 128 == 127:
            blocks.append(f"Orphan After {index}")
    records = read("\n\n".join(blocks) + "\n")
    assert pairs(records) == [(t, a.strip()) for t, a in papers]
    assert [s.text for s in skipped_only(records)] == [
        f"Orphan After {i}" for i in range(127, 700, 128)
    ]


def test_blank_line_separated_abstracts_are_not_paired_up():
    # A file of abstracts separated by blank lines, no titles and no "Abstract:" prefix:
    # each is an untitled paper. One abstract must never become the title of the next.
    abstracts = [a for _, a in [*PAPERS, *EXTRA, SAMPLE_PAPERS[3]]]
    records = read("\n\n".join(abstracts) + "\n")
    assert [r.abstract for r in records] == abstracts
    assert all(isinstance(r, ParsedRecord) and r.title_inferred for r in records)


def test_title_with_version_numbers_is_a_title():
    # Dots inside version numbers and "vs." make a title look like several sentences.
    title = "Qwen2.5-VL vs. Llama-3.1: What 3.5 Trillion Tokens Buy You in Vision-Language Models"
    papers = [(title, EXTRA[0][1]), *PAPERS]
    assert pairs(read(daily_page(papers))) == papers


def _accounted_for(records) -> list[str]:
    texts = []
    for record in records:
        if isinstance(record, SkippedRecord):
            texts.append(record.text)
        elif record.title_inferred:
            texts.append(record.abstract)
        else:
            texts += [record.title, record.abstract]
    return texts


def test_long_run_of_title_shaped_paragraphs_streams():
    # No safe place to cut the labelling window anywhere: the reader must still stream
    # (bounded memory, linear time) and account for every paragraph.
    count = 20_000

    def lines():
        for i in range(count):
            yield 2 * i + 1, f"Short Title Number {i}"
            yield 2 * i + 2, ""

    tracemalloc.start()
    try:
        accounted = sum(len(_accounted_for([record])) for record in read_abstracts(lines()))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert accounted == count
    assert peak < 3 * 2**20, peak


def test_long_run_of_untitled_abstracts_is_exact():
    abstracts = [
        f"Abstract number {i} reports a finding about topic {i % 97}. It is a good one, and "
        "the experiments in the paper support it well."
        for i in range(3000)
    ]
    records = read("\n\n".join(abstracts) + "\n")
    assert [r.abstract for r in records] == abstracts
    assert all(isinstance(r, ParsedRecord) and r.title_inferred for r in records)


def test_long_run_of_titles_loses_nothing():
    titles = [f"Title Without Abstract {i}" for i in range(3000)]
    records = read("\n\n".join(titles) + "\n")
    # Two titles in a row are ambiguous (see test_two_titles_missing_abstracts_in_a_row);
    # whatever the reading, every paragraph is accounted for, in order.
    assert _accounted_for(records) == titles


@pytest.mark.parametrize("joiner", ["\n", "\n\n"], ids=["compact", "spread"])
def test_missing_abstract_on_a_real_page_never_takes_furniture(joiner):
    # Vote count, title, (abstract lost), authors / organisation / date: the organisation
    # between "·" lines must not become the orphaned title's abstract.
    papers = [*PAPERS, *EXTRA]
    lost = 2
    blocks = ["Daily Papers", "Daily / Weekly / Monthly", "Mar 14"]
    for index, (title, abstract) in enumerate(papers):
        blocks += ["▲ 12", title] + ([] if index == lost else [abstract])
        blocks.append(joiner.join(["12 authors", "·", "NVIDIA", "·", "Published on Mar 14", "3"]))
    records = read("\n\n".join(blocks) + "\n")
    assert pairs(records) == papers[:lost] + papers[lost + 1 :]
    skipped = [s.text for s in skipped_only(records)]
    assert papers[lost][0] in skipped
    assert set(skipped) == {papers[lost][0], "NVIDIA"}


def test_untitled_abstract_next_to_furniture_is_kept():
    # An abstract whose title was lost, between a vote count and an authors line, is
    # still a paper (with an inferred title), not skipped as furniture.
    orphan = EXTRA[0][1]
    text = (
        f"Daily Papers\n\nMar 14\n\n▲ 12\n\n{orphan}\n\n12 authors\n\n"
        f"▲ 3\n\n{PAPERS[0][0]}\n\n{PAPERS[0][1]}\n\n5 authors\n"
    )
    records = read(text)
    assert [(r.abstract, r.title_inferred) for r in records] == [
        (orphan, True),
        (PAPERS[0][1], False),
    ]
    assert records[1].title == PAPERS[0][0]


def test_an_abstract_line_with_a_middle_dot_after_a_number_is_no_metadata():
    """Found by test_generated_daily_page_reads_back_exactly: "00000· 0 0 ..." was read
    as a "12 authors · NVIDIA" line, so the title lost its abstract."""
    abstract = (
        "00000· 0 0 00 000 000 0000 00000 0000000 00000000000 00000000000. 0 0 0 0. "
        "0 0 0 0. 0 0 0 0 0 00 00."
    )
    records = list(read_abstracts(enumerate(["0 0", "", abstract], start=1)))
    assert [(r.title, r.abstract) for r in records] == [("0 0", abstract)]
    assert is_noise("NVIDIA · Published on Mar 14 · 12 authors")
