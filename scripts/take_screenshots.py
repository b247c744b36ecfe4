"""Take the README's screenshots from a demo library built from the sample papers.

Run under a real X server so fonts and styles are what a user sees:

    xvfb-run -a -s "-screen 0 1600x1000x24" python scripts/take_screenshots.py

Writes docs/screenshots/{first-run,main-window,search,detail,detail-dark,statistics,export,
shortcuts,dark,import-report,many-tags,many-tags-filter}.png (``take_screenshots.py reading``
takes only the detail pane's and the tags'), and, when ../shared/testdata is there, the
metadata lookup against a local stand-in of the arXiv API: lookup-{before,review,ambiguous,
after}.png
(``take_screenshots.py lookup`` takes only those).
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtGui import QColor, QPainter, QPixmap
from PySide6.QtWidgets import QAbstractItemView, QApplication

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from readinglist.gui import settings as keys  # noqa: E402
from readinglist.gui.app import create_application  # noqa: E402
from readinglist.gui.dialogs import ImportReportDialog  # noqa: E402
from readinglist.gui.main_window import MainWindow  # noqa: E402
from readinglist.gui.paper_model import COLUMN_INDEX  # noqa: E402
from readinglist.gui.preferences import apply_appearance  # noqa: E402
from readinglist.gui.reading_flow import ShortcutsDialog  # noqa: E402
from readinglist.gui.settings import Settings  # noqa: E402
from readinglist.gui.sidebar import Target  # noqa: E402
from readinglist.library import Library  # noqa: E402
from readinglist.models import Changes  # noqa: E402
from readinglist.paths import seeds_dir  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
TESTDATA = ROOT.parent / "shared" / "testdata"
SIZE = (1400, 860)


def settle(app: QApplication, ms: int = 250) -> None:
    QTimer.singleShot(ms, app.quit)
    app.exec()


def window_for(library: Library, folder: Path) -> MainWindow:
    window = MainWindow(library, Settings(folder / "screenshots.ini"))
    window.show_report_dialog = False
    window.resize(*SIZE)
    window.show()
    return window


def demo_library(library: Library) -> None:
    report = library.import_files([seeds_dir()])
    library.add_tags(["nemotronh", "mixtureofmamba"], ["method/ssm"])
    library.add_tags(["nemotronh", "advrm", "trickledown"], ["rlhf"])
    library.add_tags(["flashattention2", "efficiently", "megatronlm"], ["systems"])
    library.set_tag_color("rlhf", "#d9534f")
    library.set_tag_color("systems", "#3f7cb8")
    library.set_tag_color("method/ssm", "#e8a33d")
    library.ensure_list("Thesis/Related work")
    library.add_to_list("Related work", ["nemotronh", "mixtureofmamba", "flashattention2"])
    library.set_status(["flashattention2", "megatronlm"], "read")
    library.set_status(["nemotronh"], "reading")
    library.set_rating(["nemotronh"], 4)
    library.edit("nemotronh", title="Nemotron-H: A Family of Hybrid Mamba-Transformer Models")
    abstract = library.paper("nemotronh").abstract
    passage = "replace the majority of self-attention layers"
    start = abstract.index(passage)
    library.add_highlight("nemotronh", start, start + len(passage), comment="the core idea")
    library.add_note(
        "nemotronh",
        "## Why it matters\n\n- **Hybrid** layers keep memory constant per token\n"
        "- Compare with *Mixture-of-Mamba*\n",
    )
    return report


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    app = create_application(sys.argv[:1])
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        if sys.argv[1:] == ["lookup"]:  # only the lookup's screenshots
            lookup_screenshots(app, folder)
            print(f"screenshots written to {OUT}")
            return
        if sys.argv[1:] == ["reading"]:  # only the detail pane and the many tags
            with Library(folder / "library") as library:
                demo_library(library)
                window = window_for(library, folder)
                settle(app)
                reading_screenshots(app, window, library)
                window.close()
            many_tags_screenshot(app, folder)
            print(f"screenshots written to {OUT}")
            return
        library = Library(folder / "library")
        window = window_for(library, folder)
        settle(app)
        window.grab().save(str(OUT / "first-run.png"))
        window.close()

        report = demo_library(library)
        window = window_for(library, folder)
        window.show_paper(library.paper("nemotronh").id)
        settle(app, 900)
        fit_lists(app, window)
        window.grab().save(str(OUT / "main-window.png"))

        finished = QEventLoop()
        window.search_finished.connect(finished.quit)
        window.search_edit.setText('mamba OR "sparse training"')
        window.run_search()
        finished.exec()  # searches run on a worker thread
        window.table.selectRow(0)
        settle(app)
        window.grab().save(str(OUT / "search.png"))

        window.search_edit.clear()
        window.run_search()
        reading_screenshots(app, window, library)

        statistics = window.show_statistics()
        settle(app)
        statistics.grab().save(str(OUT / "statistics.png"))
        statistics.close()

        export = window.show_export()
        settle(app)
        export.grab().save(str(OUT / "export.png"))
        export.close()

        shortcuts = ShortcutsDialog(window.menuBar().actions(), window)
        shortcuts.show()
        settle(app)
        shortcuts.grab().save(str(OUT / "shortcuts.png"))
        shortcuts.close()

        messy = folder / "daily-papers-mar-15.txt"
        messy.write_text(
            "Daily Papers\n\nMar 15\n\n12\n\nA Paper Whose Abstract Was Not Copied\n\n"
            "7\n\nScaling Reading Lists to a Hundred Thousand Papers\n\nWe show that a "
            "reading list manager can stay responsive at scale by keeping only ids in its "
            "views and fetching rows lazily.\n\n3 authors\n\n·\n\n",
            encoding="utf-8",
        )
        archive = folder / "papers.txt.gz"
        archive.write_bytes(b"\x1f\x8b\x08\x00" + bytes(64))
        extra = library.import_files([seeds_dir(), messy, archive])
        report.files.extend(extra.files[2:])
        apply_appearance(app, "dark")
        settle(app)
        window.grab().save(str(OUT / "dark.png"))
        apply_appearance(app, "system")

        dialog = ImportReportDialog(report, window)
        dialog.show()
        settle(app)
        dialog.grab().save(str(OUT / "import-report.png"))
        dialog.close()
        window.close()
        library.close()
        many_tags_screenshot(app, folder)
        lookup_screenshots(app, folder)
    print(f"screenshots written to {OUT}")


def reading_paper(library: Library) -> None:
    """TÜLU 3 as a reader leaves it: its record, a highlight with a comment, notes, tags."""
    library.edit(
        "tulu3",
        authors=["Lambert, Nathan", "Morrison, Jacob", "Pyatkin, Valentina", "Huang, Shengyi"],
        year=2024,
        venue="arXiv preprint",
        arxiv_id="2411.15124",
        code_url="https://github.com/allenai/open-instruct",
    )
    abstract = library.paper("tulu3").abstract
    passage = "Reinforcement Learning with Verifiable Rewards (RLVR)"
    start = abstract.index(passage)
    library.add_highlight(
        "tulu3",
        start,
        start + len(passage),
        color="green",
        comment="Rewards from a checker (maths answers, constraints) instead of a reward "
        "model: compare with the reward-model papers in the RLHF list.",
    )
    library.add_note(
        "tulu3",
        "## Post-training recipe\n\n1. SFT on curated data\n2. DPO\n3. **RLVR** on "
        "verifiable tasks\n\nDecontamination of the benchmarks matters.",
    )
    library.add_tags(["tulu3"], ["rlhf", "post-training", "open-models"])
    library.set_status(["tulu3"], "reading")
    library.set_rating(["tulu3"], 5)


def reading_screenshots(app: QApplication, window: MainWindow, library: Library) -> None:
    """The detail pane on a real paper (decoded LaTeX, a search match, a highlight,
    notes, related papers), in light and dark."""
    reading_paper(library)
    window.apply_changes(Changes(everything=True, label="demo"))
    finished = QEventLoop()
    window.search_finished.connect(finished.quit)
    window.search_edit.setText("tulu")
    window.run_search()
    finished.exec()
    window.search_finished.disconnect(finished.quit)
    window.show_paper(library.paper("tulu3").id)
    settle(app, 900)  # related papers come just after the pane settles
    fit_lists(app, window)
    window.grab().save(str(OUT / "detail.png"))
    light = window.detail.widget().grab()  # the whole pane, every section open
    apply_appearance(app, "dark")
    settle(app, 400)
    fit_lists(app, window)
    window.grab().save(str(OUT / "detail-dark.png"))
    dark = window.detail.widget().grab()
    apply_appearance(app, "system")
    side_by_side(light, dark).save(str(OUT / "detail-pane.png"))
    window.search_edit.clear()
    window.run_search()
    window.show_paper(library.paper("tulu3").id)  # the dark window shows it too
    settle(app)


def fit_lists(app: QApplication, window: MainWindow) -> None:
    """Under xvfb the window is laid out only when grabbed: grab once, then fit the
    wrapped lists to the widths the grab gave them."""
    window.grab()
    for fitted in (window.detail.related_list, window.detail.highlight_list):
        fitted.fit()
    settle(app, 200)


def side_by_side(left: QPixmap, right: QPixmap, gap: int = 16) -> QPixmap:
    both = QPixmap(left.width() + gap + right.width(), max(left.height(), right.height()))
    both.fill(QColor("#808080"))
    painter = QPainter(both)
    painter.drawPixmap(0, 0, left)
    painter.drawPixmap(left.width() + gap, 0, right)
    painter.end()
    return both


def many_tags_screenshot(app: QApplication, folder: Path) -> None:
    """A library with the keywords of five real .bib files as tags (110 of them) and a
    hierarchy of its own: tags beyond the top level closed, the filter box in use."""
    if not (TESTDATA / "bibtex").is_dir():
        print("skipping many-tags.png: no shared test data")
        return
    with Library(folder / "many-tags") as library:
        library.import_files([seeds_dir(), TESTDATA / "bibtex"])
        ids = library.paper_ids(order_by="id")
        for number, name in enumerate(
            [
                "method/ssm",
                "method/attention/sparse",
                "method/attention/linear",
                "method/rl",
                "topic/vision",
                "topic/language",
                "topic/speech",
                "to-read/this-week",
            ]
        ):
            library.add_tags(ids[number * 3 : number * 3 + 5], [name])
        library.set_tag_color("method/rl", "#d9534f")
        library.set_tag_color("to-read/this-week", "#3f7cb8")
        window = window_for(library, folder)
        count = len(library.tags())
        most_tags = max(library.papers(), key=lambda paper: len(paper.tags))
        window.show_paper(most_tags.id)  # its chips in the table end with a count
        method = window.sidebar.item_for(Target("tag", "method"))
        window.sidebar.scrollToItem(method, QAbstractItemView.ScrollHint.PositionAtCenter)
        settle(app, 900)
        fit_lists(app, window)
        window.grab().save(str(OUT / "many-tags.png"))
        window.sidebar.tag_filter.setText("cell")
        settle(app)
        window.grab().save(str(OUT / "many-tags-filter.png"))
        print(f"many-tags.png: {count} tags")
        window.close()


def pause(ms: int = 300) -> None:
    """Let the window paint, without quitting the application (which closes its windows)."""
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def wait_for(signal) -> None:
    loop = QEventLoop()
    signal.connect(loop.quit)
    loop.exec()  # lookups and their application run on worker threads
    signal.disconnect(loop.quit)


def lookup_screenshots(app: QApplication, folder: Path) -> None:
    """The real listing (abstracts only) looked up against the shared arXiv records."""
    metadata, listing = TESTDATA / "arxiv-metadata", TESTDATA / "real-abstracts" / "listing.txt"
    if not (metadata / "records.jsonl").is_file() or not listing.is_file():
        print(f"lookup screenshots skipped: no test data at {TESTDATA}")
        return
    from tests.lookup.fake_arxiv import FakeServices, load_records

    records = load_records(metadata / "records.jsonl")
    twin = next(r for r in records if r["id"] == "0704.0026")  # submitted twice: ambiguous
    extra = folder / "one-more.txt"
    extra.write_text(f"Abstract:{' '.join(twin['abstract'].split())}\n", encoding="utf-8")
    with FakeServices(records) as services:
        os.environ.update(
            READINGLIST_ARXIV_API=services.arxiv_url,
            READINGLIST_CROSSREF_API=services.crossref_url,
            READINGLIST_LOOKUP_DELAY="0",
            READINGLIST_CACHE=str(folder / "cache"),
        )
        library = Library(folder / "lookup-library")
        library.import_files([listing, extra])
        window = window_for(library, folder)
        window.settings.set(keys.LOOKUP_CONSENT, "yes")
        for column in ("tags", "rating"):  # room for the authors and the year
            window.table.setColumnHidden(COLUMN_INDEX[column], True)
        window.update_lookup_actions()
        cyclotron = next(
            p.id for p in library.papers() if p.abstract.startswith("We report studies of cyclo")
        )
        window.table.selectRow(window.model.row_of(cyclotron))
        pause()
        window.grab().save(str(OUT / "lookup-before.png"))

        window.look_up_missing()
        wait_for(window.lookup_finished)
        review = window.lookup_review
        review.resize(1100, 700)
        pause()
        review.grab().save(str(OUT / "lookup-review.png"))

        [ambiguous] = review.ambiguous
        candidates = window.choose_candidates(ambiguous.paper_id)
        pause()
        candidates.grab().save(str(OUT / "lookup-ambiguous.png"))
        candidates.reject()

        review.accept_all.click()
        wait_for(window.lookup_applied)
        window.table.clearSelection()
        window.table.selectRow(window.model.row_of(cyclotron))
        pause()
        window.grab().save(str(OUT / "lookup-after.png"))
        window.close()
        library.close()


if __name__ == "__main__":
    main()
