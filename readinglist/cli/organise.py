"""Commands that organise and annotate: tags, reading lists, notes, highlights, searches."""

from __future__ import annotations

import argparse
import sys

from readinglist.cli.output import EXIT_OK, print_json, read_text_argument, report_changes
from readinglist.errors import UserError
from readinglist.library import Library
from readinglist.models import Priority


def register(commands, common: argparse.ArgumentParser) -> None:
    def add(name: str, handler, help: str, parent=commands) -> argparse.ArgumentParser:
        parser = parent.add_parser(name, parents=[common], help=help)
        parser.set_defaults(handler=handler)
        return parser

    tag = commands.add_parser("tag", parents=[common], help="add, remove, rename, merge tags")
    tag_commands = tag.add_subparsers(dest="tag_command", metavar="ACTION", required=True)
    for name, handler, help in (
        ("add", cmd_tag_add, "tag papers: tag add ID_OR_KEY... --tag T [--tag T2]"),
        ("remove", cmd_tag_remove, "untag papers: tag remove ID_OR_KEY... --tag T"),
    ):
        p = add(name, handler, help, tag_commands)
        p.add_argument("papers", nargs="+", metavar="ID_OR_KEY")
        p.add_argument("--tag", "-t", action="append", required=True, dest="tags")
    add("list", cmd_tag_list, "all tags with their paper counts", tag_commands)
    p = add("rename", cmd_tag_rename, "rename a tag (and its sub-tags)", tag_commands)
    p.add_argument("old")
    p.add_argument("new")
    p = add("merge", cmd_tag_merge, "merge tag A into tag B", tag_commands)
    p.add_argument("source", metavar="A")
    p.add_argument("target", metavar="B")
    p = add("delete", cmd_tag_delete, "delete a tag (papers stay)", tag_commands)
    p.add_argument("name")
    p = add("color", cmd_tag_color, "set a tag's colour (e.g. #e8a33d or red)", tag_commands)
    p.add_argument("name")
    p.add_argument("color")

    p = add("list-add", cmd_list_add, "add papers to a reading list (created if new)")
    p.add_argument("reading_list", metavar="LIST")
    p.add_argument("papers", nargs="+", metavar="ID_OR_KEY")
    p = add("list-remove", cmd_list_remove, "take papers out of a reading list")
    p.add_argument("reading_list", metavar="LIST")
    p.add_argument("papers", nargs="+", metavar="ID_OR_KEY")
    p = add("list-create", cmd_list_create, "create a reading list")
    p.add_argument("name")
    p.add_argument("--parent", metavar="LIST", help="nest it inside this list")
    p = add("list-rename", cmd_list_rename, "rename a reading list")
    p.add_argument("reading_list", metavar="LIST")
    p.add_argument("name")
    p = add("list-delete", cmd_list_delete, "delete a reading list (papers stay)")
    p.add_argument("reading_list", metavar="LIST")
    p = add("list-move", cmd_list_move, "move a paper within a list's order (0 = first)")
    p.add_argument("reading_list", metavar="LIST")
    p.add_argument("paper", metavar="ID_OR_KEY")
    p.add_argument("position", type=int)
    add("lists", cmd_lists, "all reading lists, nested, with counts")

    note = commands.add_parser("note", parents=[common], help="add, edit or delete notes")
    note_commands = note.add_subparsers(dest="note_command", metavar="ACTION", required=True)
    p = add("add", cmd_note_add, "add a Markdown note: note add ID_OR_KEY TEXT|-", note_commands)
    p.add_argument("paper", metavar="ID_OR_KEY")
    p.add_argument("text", help="the note, or - to read it from standard input")
    p = add("edit", cmd_note_edit, "replace a note's text: note edit NOTE_ID TEXT|-", note_commands)
    p.add_argument("note_id", type=int)
    p.add_argument("text")
    p = add("delete", cmd_note_delete, "delete a note", note_commands)
    p.add_argument("note_id", type=int)
    p = add("notes", cmd_notes, "a paper's notes")
    p.add_argument("paper", metavar="ID_OR_KEY")

    p = add("highlight", cmd_highlight, "highlight a passage of a paper's abstract")
    p.add_argument("paper", metavar="ID_OR_KEY")
    p.add_argument("passage", help="the exact text to highlight (its first occurrence)")
    p.add_argument("--comment", default="")
    p.add_argument("--color", default="yellow")

    p = add("priority", cmd_priority, "set the priority: priority ID_OR_KEY... low|normal|high")
    p.add_argument("papers", nargs="+", metavar="ID_OR_KEY")
    p.add_argument("priority", choices=[p.name.lower() for p in Priority])

    p = add("search-save", cmd_search_save, "save a search under a name")
    p.add_argument("name")
    p.add_argument("query")
    add("searches", cmd_searches, "saved searches")


def cmd_priority(library: Library, args) -> int:
    changes = library.set_priority(args.papers, Priority[args.priority.upper()])
    return report_changes(
        args, changes, f"{len(changes.modified)} paper(s) now {args.priority} priority"
    )


def cmd_tag_add(library: Library, args) -> int:
    changes = library.add_tags(args.papers, args.tags)
    return report_changes(args, changes, f"tagged {len(changes.modified)} paper(s)")


def cmd_tag_remove(library: Library, args) -> int:
    changes = library.remove_tags(args.papers, args.tags)
    return report_changes(args, changes, f"untagged {len(changes.modified)} paper(s)")


def cmd_tag_list(library: Library, args) -> int:
    tags = library.tags()
    if args.json:
        print_json([tag.to_dict() for tag in tags])
    for tag in [] if args.json else tags:
        color = f"  ({tag.color})" if tag.color else ""
        print(f"{tag.count:>6}  {tag.name}{color}")
    return EXIT_OK


def cmd_tag_rename(library: Library, args) -> int:
    changes = library.rename_tag(args.old, args.new)
    return report_changes(args, changes, f"renamed; {len(changes.modified)} paper(s) affected")


def cmd_tag_merge(library: Library, args) -> int:
    changes = library.merge_tags(args.source, args.target)
    return report_changes(args, changes, f"merged; {len(changes.modified)} paper(s) affected")


def cmd_tag_delete(library: Library, args) -> int:
    changes = library.delete_tag(args.name)
    return report_changes(args, changes, f"deleted; {len(changes.modified)} paper(s) affected")


def cmd_tag_color(library: Library, args) -> int:
    changes = library.set_tag_color(args.name, args.color)
    return report_changes(args, changes, f"{args.name} is now {args.color}")


def cmd_list_add(library: Library, args) -> int:
    list_id, created = library.ensure_list(args.reading_list)
    if created and not args.json:
        print(f"created reading list {args.reading_list!r}")
    changes = library.add_to_list(list_id, args.papers)
    return report_changes(args, changes, f"added {len(changes.modified)} paper(s)")


def cmd_list_remove(library: Library, args) -> int:
    changes = library.remove_from_list(args.reading_list, args.papers)
    return report_changes(args, changes, f"removed {len(changes.modified)} paper(s)")


def cmd_list_create(library: Library, args) -> int:
    list_id = library.create_list(args.name, args.parent)
    if args.json:
        print_json({"id": list_id, "name": args.name})
    else:
        print(f"created reading list {args.name!r} (id {list_id})")
    return EXIT_OK


def cmd_list_rename(library: Library, args) -> int:
    changes = library.rename_list(args.reading_list, args.name)
    return report_changes(args, changes, f"renamed to {args.name!r}")


def cmd_list_delete(library: Library, args) -> int:
    changes = library.delete_list(args.reading_list)
    return report_changes(args, changes, "deleted; its papers stay in the library")


def cmd_list_move(library: Library, args) -> int:
    changes = library.move_in_list(args.reading_list, args.paper, args.position)
    return report_changes(args, changes, "moved")


def cmd_lists(library: Library, args) -> int:
    lists = library.reading_lists()
    if args.json:
        print_json([item.to_dict() for item in lists])
        return EXIT_OK
    depth: dict[int, int] = {}
    for item in lists:
        depth[item.id] = depth[item.parent_id] + 1 if item.parent_id is not None else 0
        print(f"{item.count:>6}  {'  ' * depth[item.id]}{item.name}")
    return EXIT_OK


def cmd_note_add(library: Library, args) -> int:
    note_id = library.add_note(args.paper, read_text_argument(args.text))
    if args.json:
        print_json({"id": note_id})
    else:
        print(f"added note {note_id}")
    return EXIT_OK


def cmd_note_edit(library: Library, args) -> int:
    changes = library.edit_note(args.note_id, read_text_argument(args.text))
    return report_changes(args, changes, f"edited note {args.note_id}")


def cmd_note_delete(library: Library, args) -> int:
    changes = library.delete_note(args.note_id)
    return report_changes(args, changes, f"deleted note {args.note_id}")


def cmd_notes(library: Library, args) -> int:
    notes = library.notes(args.paper)
    if args.json:
        print_json([note.to_dict() for note in notes])
        return EXIT_OK
    for note in notes:
        print(f"--- note {note.id} (modified {note.modified}) ---")
        print(note.body)
    if not notes:
        print("no notes", file=sys.stderr)
    return EXIT_OK


def cmd_highlight(library: Library, args) -> int:
    paper = library.paper(args.paper)
    start = paper.abstract.find(args.passage)
    if start < 0 or not args.passage:
        raise UserError("that passage is not in the paper's abstract")
    highlight_id = library.add_highlight(
        paper.id, start, start + len(args.passage), color=args.color, comment=args.comment
    )
    if args.json:
        print_json({"id": highlight_id, "start": start, "end": start + len(args.passage)})
    else:
        print(f"added highlight {highlight_id}")
    return EXIT_OK


def cmd_search_save(library: Library, args) -> int:
    search_id = library.save_search(args.name, args.query)
    if args.json:
        print_json({"id": search_id})
    else:
        print(f"saved search {args.name!r}")
    return EXIT_OK


def cmd_searches(library: Library, args) -> int:
    searches = library.saved_searches()
    if args.json:
        print_json([s.to_dict() for s in searches])
    for search in [] if args.json else searches:
        print(f"{search.name}: {search.query}")
    return EXIT_OK
