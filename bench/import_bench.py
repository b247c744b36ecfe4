"""Import speed: readinglist against a bare baseline measured in the same run.

Generates a listing file of synthetic abstracts (fixed seed, ~150-250 words each) and times:

- baseline: read the lines, strip ``Abstract:``, ``sqlite-utils`` ``insert_all`` into a fresh
  table (no detection, no dedup, no keys, no titles);
- readinglist: ``Library.import_files`` into a fresh library (encoding sniff, format
  detection, title inference, dedup lookups, citation keys, one transaction);
- re-import: the same file again into that library (every record a duplicate).

Usage: python bench/import_bench.py [--papers 50000]
"""

from __future__ import annotations

import argparse
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

import sqlite_utils

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from readinglist.library import Library

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
    "neural",
    "network",
    "data",
    "dataset",
    "benchmark",
    "performance",
    "efficient",
    "efficiency",
    "inference",
    "scaling",
    "parameters",
    "tokens",
    "reasoning",
    "alignment",
    "reward",
    "policy",
    "reinforcement",
    "optimization",
    "gradient",
    "loss",
    "pretraining",
    "fine-tuning",
    "evaluation",
    "results",
    "show",
    "propose",
    "method",
    "approach",
    "novel",
    "state-of-the-art",
    "accuracy",
    "memory",
    "compute",
    "latency",
    "throughput",
    "hardware",
    "GPU",
    "vision",
    "image",
    "video",
    "multimodal",
    "retrieval",
    "generation",
    "diffusion",
    "robust",
    "adversarial",
    "distribution",
    "we",
    "our",
    "this",
    "that",
    "which",
    "with",
    "for",
    "from",
    "into",
    "across",
    "between",
    "under",
    "over",
    "and",
    "or",
    "the",
    "a",
    "an",
    "of",
    "in",
    "on",
    "to",
    "by",
    "as",
    "is",
    "are",
    "be",
    "can",
]
NAMES = ["Nemo", "Flash", "Sparse", "Mamba", "Orca", "Lynx", "Atlas", "Vega", "Helix", "Quill"]


def make_abstract(rng: random.Random, index: int) -> str:
    name = f"{rng.choice(NAMES)}-{index}"
    sentences = [f"We introduce {name}, a {rng.choice(WORDS)} {rng.choice(WORDS)} framework."]
    for _ in range(rng.randint(7, 12)):
        words = [rng.choice(WORDS) for _ in range(rng.randint(14, 24))]
        sentences.append(" ".join(words).capitalize() + ".")
    return " ".join(sentences)


def write_listing(path: Path, papers: int) -> None:
    rng = random.Random(20261123)
    with open(path, "w", encoding="utf-8") as handle:
        for index in range(papers):
            handle.write(f"Abstract:{make_abstract(rng, index)}\n")


def baseline(path: Path, folder: Path) -> float:
    start = time.perf_counter()
    db = sqlite_utils.Database(folder / "baseline.sqlite3")
    with open(path, encoding="utf-8") as lines:
        rows = ({"abstract": line.split(":", 1)[1].strip()} for line in lines if line.strip())
        db["papers"].insert_all(rows, batch_size=1000)
    db.conn.commit()
    db.close()
    return time.perf_counter() - start


def readinglist_import(path: Path, folder: Path) -> tuple[float, float, int]:
    with Library(folder / "library") as library:
        start = time.perf_counter()
        report = library.import_files([path])
        first = time.perf_counter() - start
        start = time.perf_counter()
        again = library.import_files([path])
        second = time.perf_counter() - start
        assert again.added == 0, "re-import added papers"
        return first, second, report.added


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=50_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        listing = folder / "listing.txt"
        write_listing(listing, args.papers)
        size_mb = listing.stat().st_size / 1e6
        base = baseline(listing, folder)
        first, second, added = readinglist_import(listing, folder)
    assert added == args.papers, f"imported {added} of {args.papers}"
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"file: {args.papers} abstracts, {size_mb:.1f} MB")
    print(f"baseline (parse + insert_all): {base:6.2f} s  {args.papers / base:9.0f} papers/s")
    print(
        f"readinglist import:            {first:6.2f} s  {args.papers / first:9.0f} papers/s"
        f"  ratio {first / base:.2f}x baseline"
    )
    print(
        f"re-import (all duplicates):    {second:6.2f} s  {args.papers / second:9.0f} papers/s"
        f"  ratio {second / base:.2f}x baseline"
    )
    print(f"peak RSS: {peak_mb:.0f} MB")


if __name__ == "__main__":
    main()
