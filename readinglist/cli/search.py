"""Commands that search: search, related, suggest-tags, reindex."""

from __future__ import annotations

import argparse
import sys

from readinglist.cli.output import EXIT_OK, catch_up_index, print_json
from readinglist.library import Library
from readinglist.search import strip_marks


def register(commands, common: argparse.ArgumentParser) -> None:
    p = commands.add_parser("search", parents=[common], help="search the library")
    p.add_argument("query", nargs="+", help="the query (see the README for the syntax)")
    p.add_argument("--limit", type=_count, default=20, help="at most N hits (default 20, 0 = all)")
    p.set_defaults(handler=cmd_search)
    p = commands.add_parser("related", parents=[common], help="papers like this one")
    p.add_argument("paper", metavar="ID_OR_KEY")
    p.add_argument("--limit", type=_count, default=10)
    p.set_defaults(handler=cmd_related)
    p = commands.add_parser("suggest-tags", parents=[common], help="tags this paper might get")
    p.add_argument("paper", metavar="ID_OR_KEY")
    p.set_defaults(handler=cmd_suggest_tags)
    p = commands.add_parser("reindex", parents=[common], help="rebuild the search index")
    p.set_defaults(handler=cmd_reindex)


def _count(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError("must be 0 or more")
    return value


def _ensure_index(library: Library) -> None:
    """Catch the index up with the database (writes only queue their papers)."""
    catch_up_index(library)


def _print_results(args, results) -> int:
    if args.json:
        print_json(
            {
                "total": results.total,
                "message": results.fallback_message,
                "suggestion": results.suggestion,
                "hits": [
                    {
                        "id": hit.id,
                        "key": hit.key,
                        "title": hit.title,
                        "score": round(hit.score, 4),
                        "snippet": strip_marks(hit.abstract_snippet),
                    }
                    for hit in results.hits
                ],
            }
        )
        return EXIT_OK
    if results.fallback_message:
        print(f"note: {results.fallback_message}", file=sys.stderr)
    for hit in results.hits:
        print(f"{hit.id:>6}  {hit.key:<28}  {hit.title}")
        snippet = strip_marks(hit.abstract_snippet)
        if snippet:
            print(f"        {snippet}")
    if not results.hits:
        hint = f' Did you mean "{results.suggestion}"?' if results.suggestion else ""
        print(f"no papers found.{hint}", file=sys.stderr)
    elif results.total > len(results.hits):
        print(f"({results.total} papers match; showing {len(results.hits)})", file=sys.stderr)
    return EXIT_OK


def cmd_search(library: Library, args) -> int:
    _ensure_index(library)
    limit = None if args.limit == 0 else args.limit
    return _print_results(args, library.search(" ".join(args.query), limit=limit))


def cmd_related(library: Library, args) -> int:
    _ensure_index(library)
    return _print_results(args, library.related(args.paper, limit=args.limit))


def cmd_suggest_tags(library: Library, args) -> int:
    _ensure_index(library)
    tags = library.suggest_tags(args.paper)
    if args.json:
        print_json(tags)
    else:
        print("\n".join(tags) if tags else "no suggestions")
    return EXIT_OK


def cmd_reindex(library: Library, args) -> int:
    library.rebuild_index()
    count = library.index.doc_count()
    if args.json:
        print_json({"indexed": count})
    else:
        print(f"indexed {count} papers")
    return EXIT_OK
