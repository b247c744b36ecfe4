"""BibTeX export speed: readinglist against bibtexparser writing the same entries unescaped.

Builds synthetic papers in memory (fixed seed; ~150-250-word abstracts with the usual
half-LaTeX: ``5%``, ``$O(n^2)$``, ``\\%``, accents, a Greek letter now and then) and times:

- baseline: bibtexparser v2 ``write_string`` of a Library holding the same fields as plain
  strings (no escaping, no brace protection, no encoding: a file bibtex may reject);
- readinglist: ``to_bibtex`` in the BibTeX dialect (ASCII) and the BibLaTeX dialect.

Usage: python bench/export_bench.py [--papers 100000]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import bibtexparser
from bibtexparser import model

from readinglist.formats.bibtex import to_bibtex
from readinglist.models import Paper, Status

WORDS = [
    "model",
    "models",
    "training",
    "language",
    "large",
    "transformer",
    "attention",
    "sparse",
    "dense",
    "learning",
    "network",
    "networks",
    "data",
    "efficient",
    "scaling",
    "inference",
    "memory",
    "compute",
    "gradient",
    "optimization",
    "benchmark",
    "tasks",
    "performance",
    "results",
    "method",
    "approach",
    "propose",
    "show",
    "improve",
    "state",
    "art",
    "vision",
    "text",
    "reasoning",
    "reward",
    "policy",
    "alignment",
    "robust",
    "generalization",
    "naïve",
    "Düsseldorf",
]
FRAGMENTS = ["50%", "$O(n^2)$", "25\\%", "R&D", "x_1", "ε-greedy", 'T\\"ULU', "#1", "~3x"]


def synthetic_papers(count: int, seed: int = 7) -> list[Paper]:
    rng = random.Random(seed)
    papers = []
    for number in range(1, count + 1):
        words = [rng.choice(WORDS) for _ in range(rng.randint(150, 250))]
        for _ in range(3):
            words.insert(rng.randrange(len(words)), rng.choice(FRAGMENTS))
        title_words = [rng.choice(WORDS).capitalize() for _ in range(rng.randint(4, 10))]
        if number % 3 == 0:
            title_words.insert(0, "FlashAttention-2:")
        papers.append(
            Paper(
                id=number,
                key=f"paper{number}",
                title=" ".join(title_words),
                title_inferred=False,
                abstract=" ".join(words) + ".",
                authors=["Vaswani, Ashish", "Müller, Jürgen"] if number % 2 else [],
                year=2000 + number % 25,
                venue="NeurIPS" if number % 5 == 0 else "",
                url="",
                code_url="https://github.com/x/y_z" if number % 7 == 0 else "",
                arxiv_id=f"2401.{number % 100000:05d}" if number % 4 == 0 else "",
                doi="",
                source_file="",
                source_format="",
                date_listed="",
                added="",
                modified="",
                status=Status.UNREAD,
                read_date=None,
                rating=0,
                tags=["llm", "r&d"] if number % 3 == 0 else [],
            )
        )
    return papers


def baseline(papers: list[Paper]) -> str:
    library = bibtexparser.Library()
    for paper in papers:
        fields = [
            model.Field("title", "{" + paper.title + "}"),
            model.Field("abstract", "{" + paper.abstract + "}"),
        ]
        if paper.authors:
            fields.append(model.Field("author", "{" + " and ".join(paper.authors) + "}"))
        if paper.year:
            fields.append(model.Field("year", "{" + str(paper.year) + "}"))
        if paper.tags:
            fields.append(model.Field("keywords", "{" + ", ".join(paper.tags) + "}"))
        library.add(model.Entry("misc", paper.key, fields))
    # In-place unparsing: the default deep-copies 100,000 blocks, which would flatter us.
    stack = bibtexparser.middlewares.default_unparse_stack(allow_inplace_modification=True)
    return bibtexparser.write_string(library, unparse_stack=stack)


def timed(label: str, function, *args, **kwargs) -> float:
    start, cpu = time.perf_counter(), time.process_time()
    text = function(*args, **kwargs)
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    print(f"{label:<34} {elapsed:7.2f} s  (cpu {cpu:6.2f} s)  {len(text) / 1e6:7.1f} MB")
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=100_000)
    args = parser.parse_args()
    start = time.perf_counter()
    papers = synthetic_papers(args.papers)
    print(f"{args.papers} synthetic papers built in {time.perf_counter() - start:.1f} s")
    base = timed("baseline (bibtexparser, unescaped)", baseline, papers)
    ours = timed("readinglist to_bibtex (bibtex)", to_bibtex, papers)
    timed("readinglist to_bibtex (biblatex)", to_bibtex, papers, dialect="biblatex")
    verdict = "met" if ours <= 10 else "MISSED"
    print(f"ratio bibtex/baseline: {ours / base:.2f}; target <= 10 s: {verdict}")
    return 0 if ours <= 10 else 1


if __name__ == "__main__":
    sys.exit(main())
