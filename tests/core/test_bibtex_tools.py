"""The exported .bib meets the real tools: bibtex, biber and pdflatex.

Exit codes are not enough: bibtex exits 0 after ``Warning--`` lines, so its output and
pdflatex's log are read. Each helper returns the problems found, empty when all is well.
Tests skip when a tool is missing (Debian: texlive-base, texlive-latex-base, biber).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from readinglist.formats.bibtex import to_bibtex
from readinglist.models import Paper, Status

# A style that prints every field the exporter writes, so pdflatex typesets them all
# (plain.bst prints neither abstract, keywords nor annote).
SHOW_ALL_BST = r"""
ENTRY { author title journal booktitle howpublished year note keywords abstract annote } {} {}
FUNCTION {show.field}
{ duplicate$ empty$
    { pop$ }
    { "\newblock " swap$ * write$ newline$ }
  if$
}
FUNCTION {default.type}
{ newline$ "\bibitem{" cite$ * "}" * write$ newline$
  author show.field title show.field journal show.field booktitle show.field
  howpublished show.field year show.field note show.field keywords show.field
  abstract show.field annote show.field
}
FUNCTION {article} { default.type }
FUNCTION {inproceedings} { default.type }
FUNCTION {misc} { default.type }
READ
FUNCTION {begin.bib}
{ preamble$ empty$ 'skip$ { preamble$ write$ newline$ } if$
  "\begin{thebibliography}{99}" write$ newline$ }
EXECUTE {begin.bib}
ITERATE {call.type$}
FUNCTION {end.bib} { newline$ "\end{thebibliography}" write$ newline$ }
EXECUTE {end.bib}
"""

DOCUMENT = r"""\documentclass{article}
\usepackage[T1]{fontenc}
\usepackage[utf8]{inputenc}
\begin{document}
\nocite{*}
\bibliographystyle{%(style)s}
\bibliography{refs}
\end{document}
"""


def require(tool: str) -> None:
    if shutil.which(tool) is None:
        pytest.skip(f"{tool} is not installed (Debian: texlive-base, texlive-latex-base, biber)")


def _run(args: list[str], folder: Path, timeout: int = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        args, cwd=folder, capture_output=True, text=True, errors="replace", timeout=timeout
    )


def bibtex_problems(bib: str, folder: Path, *, style: str = "plain") -> list[str]:
    """Run bibtex with ``style`` over ``\\nocite{*}``: every warning and error it reports."""
    require("bibtex")
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "refs.bib").write_text(bib, encoding="utf-8")
    (folder / "showall.bst").write_text(SHOW_ALL_BST, encoding="ascii")
    (folder / "doc.aux").write_text(
        f"\\relax\n\\citation{{*}}\n\\bibstyle{{{style}}}\n\\bibdata{{refs}}\n", encoding="ascii"
    )
    result = _run(["bibtex", "-terse", "doc"], folder)
    output = result.stdout + result.stderr
    problems = [line for line in output.splitlines() if line.strip()]
    if result.returncode not in (0,) and not problems:
        problems.append(f"bibtex exited with {result.returncode}")
    return problems


def pdflatex_problems(bib: str, folder: Path, *, style: str = "showall") -> list[str]:
    """bibtex then pdflatex twice on a document citing every entry: errors from the log."""
    require("pdflatex")
    problems = bibtex_problems(bib, folder, style=style)
    (folder / "doc.tex").write_text(DOCUMENT % {"style": style}, encoding="ascii")
    for _ in range(2):
        result = _run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "doc"], folder)
        log = (folder / "doc.log").read_text(encoding="utf-8", errors="replace")
        errors = [line for line in log.splitlines() if line.startswith("! ")]
        if errors or result.returncode != 0:
            context = _log_context(log)
            return problems + (errors or [f"pdflatex exited {result.returncode}"]) + context
    return problems


def _log_context(log: str) -> list[str]:
    lines = log.splitlines()
    for number, line in enumerate(lines):
        if line.startswith("! "):
            return lines[number : number + 6]
    return lines[-10:]


def biber_problems(bib: str, folder: Path) -> list[str]:
    """``biber --tool --validate-datamodel``: every ERROR line (and WARN lines, returned
    separately by ``biber_warnings``)."""
    return [line for line in _biber(bib, folder) if "ERROR" in line]


def biber_warnings(bib: str, folder: Path) -> list[str]:
    return [line for line in _biber(bib, folder) if "WARN" in line]


def _biber(bib: str, folder: Path) -> list[str]:
    require("biber")
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "refs.bib").write_text(bib, encoding="utf-8")
    result = _run(
        ["biber", "--tool", "--validate-datamodel", "--output-file", "out.bib", "refs.bib"],
        folder,
        timeout=300,
    )
    lines = (result.stdout + result.stderr).splitlines()
    if result.returncode != 0:
        lines.append(f"ERROR - biber exited with {result.returncode}")
    return [re.sub(r"^\[\d+\] ", "", line) for line in lines]


def make_paper(paper_id: int, key: str, title: str, abstract: str = "", **fields) -> Paper:
    values = dict(
        id=paper_id,
        key=key,
        title=title,
        title_inferred=False,
        abstract=abstract,
        authors=[],
        year=None,
        venue="",
        url="",
        code_url="",
        arxiv_id="",
        doi="",
        source_file="",
        source_format="",
        date_listed="",
        added="",
        modified="",
        status=Status.UNREAD,
        read_date=None,
        rating=0,
        tags=[],
    )
    values.update(fields)
    return Paper(**values)


LONG_WORDS = " ".join(f"word{n} with 5% & text," for n in range(2500))
NASTY = [
    (
        "Percent & Co: 50% of R&D #1",
        r"We reach 50% of peak & R&D costs #1 with snake_case names, ~3x faster, x^2 growth, 100%",
    ),
    (
        "Dollars $5 and math $O(n^2)$",
        r"Costs $5 and $10 per run; math $O(n^2)$, $\frac{1}{2}$, $\{x\}$, $a % b$, $$x+y$$, and a lone $",  # noqa: E501 (test data)
    ),
    ("Lone { braces } and }{", r"Lone braces: { and } and }{ and {{ unbalanced }}} text {"),
    (
        r"Back\slashes C:\path",
        "Backslashes: C:\\path\\to\\file, \\ alone, \\\\ double, \\algo undefined, \\cite{x}, end \\",  # noqa: E501 (test data)
    ),
    (
        r"T\"ULU 3 and \emph{Emphasis}",
        r"Already LaTeX: 25\% and R\&D and \emph{emphasis} and \textbf{bold {nested}} and T\"ULU 3 and \'{e}t\'{e} and \c{c}a and \ss{} and $\times$",  # noqa: E501 (test data)
    ),
    (
        "Naïve Café in Łódź, Ærø and Øresund",
        "naïve café Ångström Øresund Łódź Düsseldorf Ærø œuvre ǎ ĳ ß Ţ ğ İstanbul",
    ),
    (
        "DεpS: Delayed ε-Shrinking with Ω(n)",
        "DεpS and ε-shrinking with α=0.1, Ω(n), Γ, μ-law, and math $ε$ and $\\alpha^2$",
    ),
    (
        "多语言预训练模型的跨语言迁移研究",
        "本文研究多语言预训练模型。日本語のテキスト と 한국어, mixed with English 50%.",
    ),
    (
        "URLs: https://x.org/a_b?c=1&d=2#e",
        "See https://github.com/a_b/c%20d?x=1&y=2#frag~user and http://x.org/{weird} and www.x.com/~me",  # noqa: E501 (test data)
    ),
    ("Very Long Abstract", LONG_WORDS + " " + "x" * 400 + " end"),
    (
        "“Smart” quotes – dashes — … €100™ 😀",
        "“smart” ‘quotes’ – — … €100 ™ © 😀 ½ ² °C × → ≤ ≠ ∞ zero\u200bwidth soft\u00adhyphen nbsp\u00a0here tab\tand\nnewline\r\nend",  # noqa: E501 (test data)
    ),
    (
        "At signs @misc{fake, title={x}}",
        "email me@example.com @misc{fake, title={x}} @string{a=b} and @comment",
    ),
    (
        r"$\mathbb{R}^n$ and $\text{softmax}(x)$ unknown math",
        r"Unknown math $\mathbb{R}^n$, $\text{softmax}$, $x_$, $\left( x$, $\frac{1}$ stays text.",
    ),
    (
        "{BERT}: $\\ell_1$-Regularised LLMs on A100s",
        "Title case test: GPT-4, LLaMA, A100, 8B, x86_64, C++ and C#.",
    ),
    ("", "An untitled paper with % and _ only."),
    ("Empty Abstract", ""),
]


def nasty_papers() -> list[Paper]:
    papers = []
    for number, (title, abstract) in enumerate(NASTY, start=1):
        papers.append(make_paper(number, f"nasty{number}", title, abstract))
    papers.extend(
        [
            make_paper(
                100,
                "vaswani2017attention",
                "Attention Is All You Need",
                "The dominant sequence transduction models...",
                authors=[
                    "Vaswani, Ashish",
                    "Shazeer, Noam",
                    "Müller, Jürgen",
                    "van der Berg, Anna",
                ],
                year=2017,
                venue="Advances in Neural Information Processing Systems (NeurIPS)",
                arxiv_id="1706.03762",
                url="https://arxiv.org/abs/1706.03762",
                tags=["transformers", "r&d", "50%", "snake_case", "c++"],
                code_url="https://github.com/tensorflow/tensor2tensor_x#readme",
            ),
            make_paper(
                101,
                "smith2020journal",
                "A Journal Paper on Things",
                "An abstract.",
                authors=[
                    "Smith and Wesson Inc.",
                    "O'Neil, Shaquille",
                    "Doe, John, Jr.",
                    "Łukasz Kaiser",
                    "李, 明",
                    "A, B, C, D",
                ],
                year=2020,
                venue="Journal of Machine Learning Research & #1 Letters_x",
                doi="10.1000/xyz_123%20{a}",
                tags=["journal"],
            ),
            make_paper(
                102,
                "arxivonly2023",
                "An arXiv Paper",
                "Abstract $x$.",
                authors=["Doe, Jane"],
                year=2023,
                venue="arXiv preprint",
                arxiv_id="2301.00001",
            ),
        ]
    )
    return papers


def all_characters_paper() -> Paper:
    """Every character of Latin, Greek, punctuation, arrows and math blocks, once."""
    import unicodedata

    ranges = [
        (0xA0, 0x250),
        (0x370, 0x400),
        (0x2000, 0x2070),
        (0x20A0, 0x20C0),
        (0x2100, 0x2150),
        (0x2190, 0x2200),
        (0x2200, 0x2300),
    ]
    chars = [
        chr(cp)
        for start, end in ranges
        for cp in range(start, end)
        if not unicodedata.category(chr(cp)).startswith(("C", "Z"))
    ]
    words = [" ".join(chars[i : i + 20]) for i in range(0, len(chars), 20)]
    return make_paper(1, "allchars", "Every Character " + chars[0], " ".join(words))


def seed_papers(library) -> list[Paper]:
    papers = library.papers()
    for number, paper in enumerate(papers):
        paper.tags = ["seed", f"group_{number % 3}", "R&D"]
    return papers


def seed_notes(papers: list[Paper]) -> dict[int, list[str]]:
    return {
        paper.id: [f"Note on {paper.key}: 50% & $x$ {{", "Second note_x"] for paper in papers[:5]
    }


# The tests


def test_bibtex_plain_accepts_the_seed_library(seeded_library, tmp_path: Path):
    papers = seed_papers(seeded_library)
    bib = to_bibtex(papers, include_notes=True, notes_by_paper=seed_notes(papers))
    assert bibtex_problems(bib, tmp_path) == []


def test_pdflatex_typesets_every_seed_title_and_abstract(seeded_library, tmp_path: Path):
    papers = seed_papers(seeded_library)
    bib = to_bibtex(papers, include_notes=True, notes_by_paper=seed_notes(papers))
    assert pdflatex_problems(bib, tmp_path / "all") == []
    assert pdflatex_problems(bib, tmp_path / "plain", style="plain") == []


def test_bibtex_plain_accepts_nasty_abstracts(tmp_path: Path):
    bib = to_bibtex(nasty_papers())
    assert bibtex_problems(bib, tmp_path) == []


def test_pdflatex_typesets_nasty_abstracts(tmp_path: Path):
    bib = to_bibtex(nasty_papers())
    assert pdflatex_problems(bib, tmp_path / "all") == []
    assert pdflatex_problems(bib, tmp_path / "plain", style="plain") == []


def test_pdflatex_typesets_every_character_the_exporter_maps(tmp_path: Path):
    bib = to_bibtex([all_characters_paper()])
    assert pdflatex_problems(bib, tmp_path) == []


def test_biber_validates_the_biblatex_dialect(seeded_library, tmp_path: Path):
    papers = seed_papers(seeded_library) + [
        paper for paper in nasty_papers() if paper.id >= 100 or paper.id % 2 == 0
    ]
    for paper in papers:
        paper.id += 1000 if paper.id < 200 and paper.key.startswith(("nasty", "v", "s", "a")) else 0
    bib = to_bibtex(
        papers, dialect="biblatex", include_notes=True, notes_by_paper=seed_notes(papers)
    )
    assert biber_problems(bib, tmp_path) == []


def test_biber_validates_nasty_abstracts_in_biblatex_dialect(tmp_path: Path):
    bib = to_bibtex(nasty_papers(), dialect="biblatex")
    assert biber_problems(bib, tmp_path) == []
