"""Search benchmark: the readinglist index against bare Whoosh and SQLite FTS5.

    python bench/search_bench.py --papers 10000
    python bench/search_bench.py --papers 100000 > bench-100k.txt

Generates a synthetic library (fixed seed, ~200-word abstracts drawn from a Zipf-weighted
vocabulary of research words and invented terms, so no download is needed), then reports
in one run:

(a) full build time of the readinglist index, of bare Whoosh (default analyzer, the
    same fields stored, the same writer settings) and of SQLite FTS5, as ratios;
(b) query latency (median, p95) per query class, top 20 with highlighted snippets,
    next to FTS5 with snippet()/highlight();
(c) the time to add one paper to the built index and find it;
(d) peak memory (this process, and the build's worker processes).
"""

from __future__ import annotations

import argparse
import contextlib
import random
import resource
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from whoosh import index as whoosh_index
from whoosh.fields import ID, KEYWORD, NUMERIC, TEXT, Schema

from readinglist.search import SearchDocument, WhooshIndex
from readinglist.search.whoosh_index import PARALLEL_THRESHOLD, WRITER_MEMORY_MB

SEED = 20240314
QUERIES_PER_CLASS = 220  # the first 20 of each class warm up, 200 are timed


def _words(text: str) -> list[str]:
    return list(dict.fromkeys(text.split()))


RESEARCH_WORDS = _words(
    "model models language learning training neural network networks transformer attention "
    "data dataset datasets performance method methods approach results task tasks large "
    "propose proposed show based state art deep benchmark benchmarks efficient efficiency "
    "inference scaling scale parameters parameter layer layers representation representations "
    "image images video vision visual text generation generative reasoning reward "
    "reinforcement policy agent agents optimization gradient gradients loss function "
    "functions sparse sparsity pretraining pretrained fine tuning alignment preference human "
    "feedback evaluation accuracy robust robustness adversarial attack attacks certified "
    "distillation knowledge teacher student memory compute computational cost costs hardware "
    "gpu gpus parallel parallelism throughput latency sequence sequences token tokens "
    "vocabulary embedding embeddings encoder decoder architecture architectures mixture "
    "experts expert routing modality multimodal modalities segmentation detection "
    "classification regression graph graphs node nodes edge edges kernel convolutional "
    "recurrent state space mamba diffusion flow flows rectified consistency sampling bayesian "
    "variational posterior prior uncertainty calibration generalization distribution shift "
    "domain adaptation transfer continual incremental forgetting catastrophic few shot zero "
    "instruction instructions prompt prompts chain thought mathematical math synthetic "
    "curriculum quality filtering deduplication corpus corpora web crawl license open weights "
    "release framework frameworks pipeline pipelines toolkit library system systems analysis "
    "theory bound bounds convergence stochastic descent adaptive learning rate schedule "
    "warmup batch size "
)

FIRST_NAMES = _words(
    "Ana Wei Yuki Omar Lena Ravi Chen Sofia Jonas Amara Diego Mei Tomasz Ingrid Kwame Nadia "
    "Hiro Elena Samir Zoe Jürgen José Søren François Bjørn Ayşe "
)
LAST_NAMES = _words(
    "Dao Gu Smith Müller Zhang Kim Okafor Rossi Novak Silva Tanaka Haddad Ivanova Nguyen Park "
    "Schäfer Dubois García Kowalski Andersen Lindqvist Yılmaz Brontë Núñez "
)
TAGS = [
    "method/rl",
    "method/rl/ppo",
    "method/distillation",
    "method/sparsity",
    "topic/vision",
    "topic/language",
    "topic/robustness",
    "to-cite",
    "survey",
    "reproduce",
]
SYLLABLES = "ka lo mi ne ro su ta vi ze bra cor dex fin gal hum jor kel lin mor nor pra qui"


def vocabulary(rng: random.Random, size: int) -> list[str]:
    """Research words first (most frequent), then invented terms for the long tail."""
    syllables = SYLLABLES.split()
    words = list(dict.fromkeys(RESEARCH_WORDS))
    seen = set(words)
    while len(words) < size:
        word = "".join(rng.choice(syllables) for _ in range(rng.randint(2, 4)))
        if word not in seen:
            seen.add(word)
            words.append(word)
    return words


class Library:
    """A synthetic library: documents plus what queries can be built from."""

    def __init__(self, papers: int, seed: int = SEED):
        rng = random.Random(seed)
        self.words = vocabulary(rng, 40_000)
        weights = [1.0 / (rank + 10) ** 1.05 for rank in range(len(self.words))]
        self.cum_weights = list(_accumulate(weights))
        self.rng = rng
        self.documents = [self._document(i + 1) for i in range(papers)]

    def sample(self, count: int) -> list[str]:
        return self.rng.choices(self.words, cum_weights=self.cum_weights, k=count)

    def _document(self, paper_id: int) -> SearchDocument:
        rng = self.rng
        sentences = []
        length = 0
        target = rng.randint(170, 230)
        while length < target:
            sentence = self.sample(rng.randint(12, 26))
            length += len(sentence)
            sentences.append(" ".join(sentence).capitalize() + ".")
        abstract = " ".join(sentences)
        if rng.random() < 0.01:
            abstract += r" We bound the error by $\epsilon$ as in D\"{u}sseldorf."
        title = " ".join(self.sample(rng.randint(5, 11))).title()
        authors = tuple(
            f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}" for _ in range(rng.randint(1, 6))
        )
        tags = tuple(rng.sample(TAGS, rng.randint(1, 3))) if rng.random() < 0.3 else ()
        day = rng.randint(1, 28)
        return SearchDocument(
            id=paper_id,
            key=f"paper{paper_id}",
            title=title,
            abstract=abstract,
            authors=authors,
            tags=tags,
            year=rng.randint(2012, 2025),
            status=rng.choice(("unread", "unread", "unread", "reading", "read")),
            title_inferred=rng.random() < 0.05,
            added=f"2024-{rng.randint(1, 12):02d}-{day:02d}T10:00:00+00:00",
        )


def _accumulate(values):
    total = 0.0
    for value in values:
        total += value
        yield total


# (a) Building


def bare_schema() -> Schema:
    """What a first Whoosh integration would write: default analyzer, same fields."""
    return Schema(
        pid=ID(stored=True, unique=True),
        key=ID(stored=True),
        title=TEXT(stored=True),
        abstract=TEXT(stored=True),
        author=TEXT(),
        tag=KEYWORD(commas=True),
        year=NUMERIC(int),
        status=ID(),
    )


def build_bare(folder: Path, documents: list[SearchDocument]) -> float:
    folder.mkdir(parents=True)
    start = time.perf_counter()
    ix = whoosh_index.create_in(str(folder), bare_schema())
    options = {"limitmb": WRITER_MEMORY_MB, "compound": False}
    if len(documents) >= PARALLEL_THRESHOLD:
        writer = ix.writer(procs=2, multisegment=True, start_method="spawn", **options)
    else:
        writer = ix.writer(**options)
    for doc in documents:
        writer.add_document(
            pid=str(doc.id),
            key=doc.key,
            title=doc.title,
            abstract=doc.abstract,
            author="\n".join(doc.authors),
            tag=",".join(doc.tags),
            year=doc.year,
            status=doc.status,
        )
    writer.commit()
    ix.close()
    return time.perf_counter() - start


def build_ours(folder: Path, documents: list[SearchDocument]) -> tuple[WhooshIndex, float]:
    index = WhooshIndex(folder)
    start = time.perf_counter()
    index.rebuild(iter(documents), len(documents), "bench")
    return index, time.perf_counter() - start


def build_fts(path: Path, documents: list[SearchDocument]) -> tuple[sqlite3.Connection, float]:
    start = time.perf_counter()
    db = sqlite3.connect(path)
    db.execute(
        "CREATE VIRTUAL TABLE papers USING fts5(title, abstract, author, "
        "tokenize='porter unicode61 remove_diacritics 2')"
    )
    with db:
        db.executemany(
            "INSERT INTO papers(rowid, title, abstract, author) VALUES (?, ?, ?, ?)",
            ((d.id, d.title, d.abstract, "\n".join(d.authors)) for d in documents),
        )
    return db, time.perf_counter() - start


# (b) Queries


def typo(rng: random.Random, word: str) -> str:
    i = rng.randrange(1, len(word))
    choice = rng.random()
    if choice < 0.4:
        return word[:i] + word[i + 1 :]
    if choice < 0.7:
        return word[:i] + rng.choice("aeiourstln") + word[i:]
    return word[:i] + rng.choice("aeiourstln") + word[i + 1 :]


def query_classes(lib: Library) -> dict[str, list[tuple[str, str | None]]]:
    """Per class: (readinglist query, FTS5 query or None where FTS5 has no equivalent)."""
    rng = random.Random(SEED + 1)
    n = QUERIES_PER_CLASS

    def word(min_length: int = 3) -> str:
        while True:
            candidate = lib.sample(1)[0]
            if len(candidate) >= min_length:
                return candidate

    classes: dict[str, list[tuple[str, str | None]]] = {
        "single word": [],
        "two words": [],
        "phrase": [],
        "prefix": [],
        "fuzzy": [],
        "fielded": [],
        "boolean NOT": [],
    }
    for _ in range(n):
        w = word()
        classes["single word"].append((w, w))
        a, b = word(), word()
        classes["two words"].append((f"{a} {b}", f"{a} {b}"))
        doc = rng.choice(lib.documents)
        words = [w for w in doc.abstract.lower().replace(".", "").split() if w.isalpha()]
        i = rng.randrange(len(words) - 2)
        phrase = " ".join(words[i : i + 2])
        classes["phrase"].append((f'"{phrase}"', f'"{phrase}"'))
        w = word(5)
        stem = w[: rng.randint(3, min(5, len(w)))]
        classes["prefix"].append((f"{stem}*", f"{stem}*"))
        w = word(5)
        classes["fuzzy"].append((f"{typo(rng, w)}~", None))
        kind = rng.randrange(4)
        w = word()
        if kind == 0:
            classes["fielded"].append((f"title:{w}", f"title:{w}"))
        elif kind == 1:
            name = rng.choice(LAST_NAMES)
            classes["fielded"].append((f"author:{name} {w}", f"author:{name} {w}"))
        elif kind == 2:
            start = rng.randint(2012, 2022)
            classes["fielded"].append((f"{w} year:{start}..{start + 3}", None))
        else:
            tag = rng.choice(("method", "topic/vision", "survey"))
            classes["fielded"].append((f"tag:{tag} status:unread {w}", None))
        a, b, c = word(), word(), word()
        if rng.random() < 0.5:
            classes["boolean NOT"].append((f"{a} -{b}", f"{a} NOT {b}"))
        else:
            classes["boolean NOT"].append((f"({a} OR {b}) NOT {c}", f"({a} OR {b}) NOT {c}"))
    return classes


def time_ours(
    index: WhooshIndex, queries: list[str], *, fast: bool = True
) -> tuple[list[float], int]:
    """``fast``: the bulk evaluation (search/evaluate.py); else Whoosh's own searcher."""
    index.fast = fast
    times, found = [], 0
    for text in queries:
        start = time.perf_counter()
        results = index.search(text, limit=20, highlight=True)
        times.append(time.perf_counter() - start)
        found += bool(results.total)
    return times, found


FTS_SQL = (
    "SELECT rowid, highlight(papers, 0, '<b>', '</b>'), "
    "snippet(papers, 1, '<b>', '</b>', '…', 40) FROM papers WHERE papers MATCH ? "
    "ORDER BY bm25(papers, 3.0, 1.0, 1.5) LIMIT 20"
)


def time_fts(db: sqlite3.Connection, queries: list[str]) -> list[float]:
    times = []
    for text in queries:
        start = time.perf_counter()
        with contextlib.suppress(sqlite3.OperationalError):  # FTS5 syntax it lacks
            db.execute(FTS_SQL, (text,)).fetchall()
        times.append(time.perf_counter() - start)
    return times


def ms(values: list[float]) -> tuple[float, float]:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered) * 1000, p95 * 1000


# (c) One paper


def time_update(index: WhooshIndex, lib: Library) -> float:
    doc = SearchDocument(
        id=len(lib.documents) + 1,
        key="freshpaper",
        title="Zyxwvut: a freshly added paper",
        abstract=" ".join(lib.sample(200)),
        status="unread",
        added="2024-12-01T10:00:00+00:00",
    )
    start = time.perf_counter()
    index.update([doc])
    results = index.search("zyxwvut", limit=20)
    elapsed = time.perf_counter() - start
    assert results.ids == [doc.id], results.ids
    return elapsed


def peak_mb() -> tuple[float, float]:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return own, children


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=10_000)
    parser.add_argument("--keep", action="store_true", help="keep the index folder")
    parser.add_argument(
        "--cache",
        type=Path,
        help="build the indexes once into CACHE/<papers> and reuse them (no build timings, "
        "no bare Whoosh build) on later runs",
    )
    args = parser.parse_args(argv)

    def say(text: str = "") -> None:
        print(text, flush=True)

    cached = None
    if args.cache is not None:
        cached = args.cache / str(args.papers)
        workdir = cached
    else:
        workdir = Path(tempfile.mkdtemp(prefix="search-bench-"))
    try:
        start = time.perf_counter()
        lib = Library(args.papers)
        words = sum(len(d.abstract.split()) for d in lib.documents) / len(lib.documents)
        say(f"{args.papers:,} papers, {words:.0f} words per abstract on average, ")
        say(f"generated in {time.perf_counter() - start:.1f} s; work folder {workdir}")
        say()

        if cached is not None and (cached / "built").exists():
            say(f"(a) indexes reused from {cached} (built {(cached / 'built').read_text()})")
            db = sqlite3.connect(cached / "fts.sqlite3")
            index = WhooshIndex(cached / "search-index")
        elif cached is not None:
            shutil.rmtree(cached, ignore_errors=True)
            cached.mkdir(parents=True)
            db, fts_seconds = build_fts(workdir / "fts.sqlite3", lib.documents)
            index, our_seconds = build_ours(workdir / "search-index", lib.documents)
            (cached / "built").write_text(f"ours {our_seconds:.1f} s, FTS5 {fts_seconds:.1f} s")
            say(f"(a) built into {cached}: ours {our_seconds:.1f} s, FTS5 {fts_seconds:.1f} s")
        if cached is None:
            db, fts_seconds = build_fts(workdir / "fts.sqlite3", lib.documents)
            bare_seconds = build_bare(workdir / "bare", lib.documents)
            shutil.rmtree(workdir / "bare")
            index, our_seconds = build_ours(workdir / "search-index", lib.documents)
            say("(a) full build")
            say(f"    readinglist index  {our_seconds:8.1f} s")
            say(
                f"    bare Whoosh        {bare_seconds:8.1f} s   "
                f"readinglist / bare = {our_seconds / bare_seconds:.2f}x"
            )
            say(
                f"    SQLite FTS5        {fts_seconds:8.1f} s   "
                f"readinglist / FTS5 = {our_seconds / fts_seconds:.2f}x"
            )
        say()

        index.close()
        start = time.perf_counter()
        assert index.open("bench")
        index.search("model", limit=20)
        say(f"    open + first query {1000 * (time.perf_counter() - start):8.0f} ms")
        say()

        say("(b) query latency, top 20 with highlighted snippets (ms), p50 / p95")
        say("    bulk = search/evaluate.py, whoosh = Whoosh's own searcher, same index")
        say(
            f"    {'class':<12} {'bulk p50':>8} {'p95':>7} {'found':>6}  "
            f"{'whoosh p50':>10} {'p95':>7}  {'FTS5 p50':>8} {'p95':>7}  "
            f"{'p95 bulk/whoosh':>15} {'bulk/FTS5':>9}"
        )
        worst = 0.0
        for name, pairs in query_classes(lib).items():
            # Warm (the first touches read the files) on queries not timed after.
            time_ours(index, [q for q, _ in pairs[:20]])
            time_ours(index, [q for q, _ in pairs[:20]], fast=False)
            pairs = pairs[20:]
            texts = [q for q, _ in pairs]
            ours, found = time_ours(index, texts, fast=True)
            whoosh, _ = time_ours(index, texts, fast=False)
            index.fast = True
            median, p95 = ms(ours)
            w_median, w_p95 = ms(whoosh)
            worst = max(worst, p95)
            fts_queries = [f for _, f in pairs if f is not None]
            fts, ratio = f"{'n/a':>8} {'':>7}", f"{'n/a':>9}"
            if fts_queries:
                fts_median, fts_p95 = ms(time_fts(db, fts_queries))
                fts = f"{fts_median:8.1f} {fts_p95:7.1f}"
                ratio = f"{p95 / fts_p95:8.2f}x"
            say(
                f"    {name:<12} {median:8.1f} {p95:7.1f} {found:>6}  {w_median:10.1f} "
                f"{w_p95:7.1f}  {fts}  {p95 / w_p95:14.2f}x {ratio}"
            )
        say(f"    worst p95 (bulk): {worst:.1f} ms")
        say()

        rng = random.Random(SEED + 2)
        papers = rng.sample(range(1, len(lib.documents) + 1), 50)
        related = {}
        for fast in (True, False):
            index.fast = fast
            times = []
            for paper_id in papers:
                start = time.perf_counter()
                index.related(paper_id, limit=10)
                times.append(time.perf_counter() - start)
            related[fast] = ms(times)
        index.fast = True
        say(
            "(b2) related (more like this), 50 papers: bulk p50 / p95 "
            f"{related[True][0]:.1f} / {related[True][1]:.1f} ms, Whoosh's searcher "
            f"{related[False][0]:.1f} / {related[False][1]:.1f} ms"
        )
        say()

        update_ms = 1000 * time_update(index, lib)
        say(f"(c) add one paper and find it: {update_ms:.0f} ms")
        say()
        own, children = peak_mb()
        say(f"(d) peak memory: {own:.0f} MB this process, {children:.0f} MB largest worker")
        index.close()
        db.close()
    finally:
        if not args.keep and cached is None:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
