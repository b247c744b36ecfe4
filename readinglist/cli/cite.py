"""Commands that cite: export, keys, auto-export."""

from __future__ import annotations

import argparse
import sys

from readinglist.cite import FORMATS, ExportScope
from readinglist.cli.output import EXIT_OK, print_json
from readinglist.library import Library


def register(commands, common: argparse.ArgumentParser) -> None:
    p = commands.add_parser(
        "export", parents=[common], help="export BibTeX, BibLaTeX, CSL-JSON, RIS or Markdown"
    )
    p.add_argument("--format", "-f", choices=FORMATS, default="bibtex")
    p.add_argument("--output", "-o", metavar="FILE", help="write here (atomically); default stdout")
    scope = p.add_mutually_exclusive_group()
    scope.add_argument("--query", "-q", help="papers matching a search")
    scope.add_argument("--tag", "-t", help="papers with a tag (and its sub-tags)")
    scope.add_argument("--list", "-l", dest="reading_list", metavar="LIST", help="a reading list")
    scope.add_argument("--ids", nargs="+", metavar="ID_OR_KEY", help="these papers")
    p.add_argument("--no-abstract", action="store_true", help="leave abstracts out")
    p.add_argument("--notes", action="store_true", help="include notes (BibTeX: annote)")
    p.add_argument("--cite", action="store_true", help=r"print \cite{key1,key2} instead")
    p.set_defaults(handler=cmd_export)

    keys = commands.add_parser("keys", parents=[common], help="citation key pattern and keys")
    key_commands = keys.add_subparsers(dest="keys_command", metavar="ACTION", required=True)
    p = key_commands.add_parser("pattern", parents=[common], help="show or set the key pattern")
    p.add_argument("pattern", nargs="?", help="e.g. [auth:lower][year][veryshorttitle:lower]")
    p.set_defaults(handler=cmd_keys_pattern)
    p = key_commands.add_parser(
        "regenerate", parents=[common], help="apply the pattern to papers (shows old -> new)"
    )
    chosen = p.add_mutually_exclusive_group(required=True)
    chosen.add_argument("--ids", nargs="+", metavar="ID_OR_KEY")
    chosen.add_argument("--tag")
    chosen.add_argument("--all", action="store_true")
    p.add_argument("--pattern", help="use this pattern instead of the library's")
    p.add_argument("--yes", action="store_true", help="apply; without it, only show the plan")
    p.set_defaults(handler=cmd_keys_regenerate)

    auto = commands.add_parser("autoexport", parents=[common], help="files kept up to date")
    auto_commands = auto.add_subparsers(dest="auto_command", metavar="ACTION", required=True)
    p = auto_commands.add_parser("add", parents=[common], help="bind a file to a scope")
    p.add_argument("path", metavar="PATH")
    where = p.add_mutually_exclusive_group()
    where.add_argument("--tag")
    where.add_argument("--list", dest="reading_list", metavar="LIST")
    p.add_argument("--format", "-f", choices=FORMATS, default="bibtex")
    p.set_defaults(handler=cmd_auto_add)
    p = auto_commands.add_parser("list", parents=[common], help="the bound files")
    p.set_defaults(handler=cmd_auto_list)
    p = auto_commands.add_parser("remove", parents=[common], help="unbind a file (kept on disk)")
    p.add_argument("path", metavar="PATH")
    p.set_defaults(handler=cmd_auto_remove)


def _scope(library: Library, args) -> ExportScope:
    if args.ids:
        return ExportScope(ids=tuple(library.resolve_many(args.ids)))
    return ExportScope(list_name=args.reading_list, tag=args.tag, query=args.query)


def cmd_export(library: Library, args) -> int:
    scope = _scope(library, args)
    if args.cite:
        keys = [paper.id for paper in library.scope_papers(scope)]
        print(library.cite_keys(keys))
        return EXIT_OK
    options = {"include_abstract": not args.no_abstract, "include_notes": args.notes}
    if args.output:
        changed = library.export_file(args.output, args.format, scope, **options)
        message = "written" if changed else "unchanged"
        print(f"{args.output}: {message}", file=sys.stderr)
    else:
        sys.stdout.write(library.export_text(args.format, scope, **options))
    return EXIT_OK


def cmd_keys_pattern(library: Library, args) -> int:
    if args.pattern:
        library.set_key_pattern(args.pattern)
    pattern = library.key_pattern()
    if args.json:
        print_json({"pattern": pattern})
    else:
        print(pattern)
    return EXIT_OK


def cmd_keys_regenerate(library: Library, args) -> int:
    if args.all:
        papers = [p.id for p in library.papers()]
    elif args.tag is not None:
        papers = [p.id for p in library.scope_papers(ExportScope(tag=args.tag))]
    else:
        papers = library.resolve_many(args.ids)
    plan = library.preview_keys(papers, args.pattern)
    if args.json and not args.yes:
        print_json([{"id": i, "old": old, "new": new} for i, old, new in plan])
        return EXIT_OK
    for _, old, new in plan:
        print(f"{old} -> {new}")
    if not plan:
        print("every key already follows the pattern", file=sys.stderr)
    elif args.yes:
        library.regenerate_keys(papers, args.pattern)
        print(f"{len(plan)} key(s) changed (readinglist undo takes it back)", file=sys.stderr)
    else:
        print("add --yes to apply", file=sys.stderr)
    return EXIT_OK


def cmd_auto_add(library: Library, args) -> int:
    scope, value = "library", ""
    if args.tag:
        scope, value = "tag", args.tag
    elif args.reading_list:
        scope, value = "list", args.reading_list
    binding = library.add_auto_export(args.path, scope, value, args.format)
    if args.json:
        print_json(binding.to_dict())
    else:
        print(f"{binding.path} now follows the {scope} {value}".rstrip())
    return EXIT_OK


def cmd_auto_list(library: Library, args) -> int:
    bindings = library.auto_exports()
    if args.json:
        print_json([b.to_dict() for b in bindings])
    for b in [] if args.json else bindings:
        error = f"  INACTIVE: {b.last_error}" if not b.active else ""
        error = error or (f"  ERROR: {b.last_error}" if b.last_error else "")
        print(f"{b.path}  ({b.format}, {b.scope} {b.value}, written {b.last_written}){error}")
    return EXIT_OK


def cmd_auto_remove(library: Library, args) -> int:
    library.remove_auto_export(args.path)
    print(f"{args.path} is no longer updated")
    return EXIT_OK
