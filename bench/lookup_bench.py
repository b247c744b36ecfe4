"""Metadata lookup cost: requests and CPU per paper, next to the bare client.

Serves the shared arXiv records (``shared/testdata/arxiv-metadata/records.jsonl``) from the
local stand-in (tests/lookup/fake_arxiv.py) in a child process, so the CPU measured here is
the lookup's alone, with ``READINGLIST_LOOKUP_DELAY=0`` and a fresh cache. Papers are the
records' abstracts without titles (the listing format: the hardest case, found by phrases
of the abstract), optionally some with titles (daily-papers) and some with arXiv ids.

Measured:

- lookup (cold cache): ``Library.lookup`` on every paper: requests per paper, CPU ms per
  paper (search, parse, match, write, keys), wall time;
- lookup (warm cache): the same again in a new library: no request at all;
- bare client: the same URLs fetched with a plain ``Service`` (no cache) and parsed by
  ``parse_feed`` / ``json``: the floor any lookup pays; the ratio says what matching,
  the database and the keys add.

Usage: python bench/lookup_bench.py [--papers 1000] [--titled 0.3] [--with-ids 0.2]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from readinglist.library import Library  # noqa: E402
from readinglist.lookup import http  # noqa: E402
from readinglist.lookup.arxiv import parse_feed  # noqa: E402

RECORDS = ROOT.parent / "shared" / "testdata" / "arxiv-metadata" / "records.jsonl"


def _papers_file(records: list[dict], count: int, titled: float, with_ids: float, folder: Path):
    """A listing file (no titles), a daily-papers file (titles) and a .bib (arXiv ids)."""
    chosen = [records[i % len(records)] for i in range(count)]
    random.Random(7).shuffle(chosen)
    listing, daily, bib = [], [], []
    for number, record in enumerate(chosen):
        abstract = " ".join(record["abstract"].split())
        roll = (number * 0.6180339887) % 1
        if roll < with_ids:
            bib.append(
                f"@misc{{p{number}, title = {{Paper {number}}}, eprint = {{{record['id']}}},"
                " archivePrefix = {arXiv}}\n"
            )
        elif roll < with_ids + titled:
            daily.append(f"{record['title']}\n\n{abstract}\n\n")
        else:
            listing.append(f"Abstract:{abstract}\n")
    files = []
    for name, lines in (("listing.txt", listing), ("daily.txt", daily), ("ids.bib", bib)):
        if lines:
            (folder / name).write_text("".join(lines), encoding="utf-8")
            files.append(folder / name)
    return files


def _stats(base: str) -> int:
    with urllib.request.urlopen(f"{base}/_stats", timeout=10) as answer:
        return json.load(answer)["requests"]


def _timed_lookup(folder: Path, files: list[Path]) -> tuple[int, float, float, int]:
    with Library(folder) as library:
        library.import_files(files)
        ids = [p.id for p in library.papers()]
        started, cpu = time.perf_counter(), time.process_time()
        report = library.lookup(ids)
        cpu = time.process_time() - cpu
        wall = time.perf_counter() - started
        matched = sum(r.status == "matched" for r in report.results)
    return len(ids), cpu, wall, matched


def _bare(cache: Path, base: str) -> tuple[int, float, float]:
    """Fetch and parse every URL the lookup asked (read from its cache) with a plain client."""
    urls = []
    for path in cache.glob("*/*.json"):
        urls.append(json.loads(path.read_text(encoding="utf-8"))["url"])
    service = http.Service("bare", delay=0, cache=None, user_agent=http.user_agent())
    cpu = time.process_time()
    parse_cpu = 0.0
    for url in urls:
        text = service.get(url).text
        start = time.process_time()
        if "/api/query" in url:
            parse_feed(text)
        elif text:
            json.loads(text)
        parse_cpu += time.process_time() - start
    return len(urls), time.process_time() - cpu, parse_cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=1000)
    parser.add_argument("--titled", type=float, default=0.0, help="share with titles")
    parser.add_argument("--with-ids", type=float, default=0.0, help="share with arXiv ids")
    args = parser.parse_args()
    if not RECORDS.is_file():
        sys.exit(f"shared test data not found at {RECORDS}")
    records = [json.loads(line) for line in RECORDS.read_text(encoding="utf-8").splitlines()]
    server = subprocess.Popen(
        [sys.executable, "-m", "tests.lookup.fake_arxiv", str(RECORDS)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        base = server.stdout.readline().strip()
        with tempfile.TemporaryDirectory() as tmp:
            tmp = Path(tmp)
            os.environ.update(
                {
                    http.ARXIV_API_ENV: f"{base}/api/query",
                    http.CROSSREF_API_ENV: base,
                    http.DELAY_ENV: "0",
                    http.CACHE_ENV: str(tmp / "cache"),
                }
            )
            files = _papers_file(records, args.papers, args.titled, args.with_ids, tmp)
            before = _stats(base)
            count, cpu, wall, matched = _timed_lookup(tmp / "cold", files)
            requests = _stats(base) - before - 1
            print(f"papers: {count} ({matched} matched)")
            print(
                f"lookup, cold cache: {requests} requests = {requests / count:.2f} per paper; "
                f"CPU {cpu * 1000 / count:.2f} ms per paper; wall {wall:.1f} s"
            )
            before = _stats(base)
            _, warm_cpu, warm_wall, _ = _timed_lookup(tmp / "warm", files)
            warm_requests = _stats(base) - before - 1
            print(
                f"lookup, warm cache: {warm_requests} requests; "
                f"CPU {warm_cpu * 1000 / count:.2f} ms per paper; wall {warm_wall:.1f} s"
            )
            urls, bare_cpu, parse_cpu = _bare(tmp / "cache" / "lookup", base)
            print(
                f"bare client, same {urls} answers: CPU {bare_cpu * 1000 / count:.2f} ms per "
                f"paper (parsing alone {parse_cpu * 1000 / count:.2f} ms)"
            )
            print(f"ratio lookup / bare client (CPU): {cpu / bare_cpu:.2f}")
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
