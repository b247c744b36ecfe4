"""Take the README's screenshots from a demo library built from the sample papers.

Run under a real X server so fonts and styles are what a user sees:

    xvfb-run -a -s "-screen 0 1600x1000x24" python scripts/take_screenshots.py

Writes docs/screenshots/{first-run,main-window,search,detail,statistics,export,shortcuts,
dark,import-report}.png.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QApplication

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from readinglist.gui.app import create_application  # noqa: E402
from readinglist.gui.dialogs import ImportReportDialog  # noqa: E402
from readinglist.gui.main_window import MainWindow  # noqa: E402
from readinglist.gui.preferences import apply_appearance  # noqa: E402
from readinglist.gui.reading_flow import ShortcutsDialog  # noqa: E402
from readinglist.gui.settings import Settings  # noqa: E402
from readinglist.library import Library  # noqa: E402
from readinglist.paths import seeds_dir  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
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
    library.add_tags(["nemotronh", "advrm", "trickle"], ["rlhf"])
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
        library = Library(folder / "library")
        window = window_for(library, folder)
        settle(app)
        window.grab().save(str(OUT / "first-run.png"))
        window.close()

        report = demo_library(library)
        window = window_for(library, folder)
        settle(app)
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
        row = window.model.row_of(library.paper("nemotronh").id)
        window.table.selectRow(row)
        settle(app)
        window.grab().save(str(OUT / "detail.png"))

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
    print(f"screenshots written to {OUT}")


if __name__ == "__main__":
    main()
