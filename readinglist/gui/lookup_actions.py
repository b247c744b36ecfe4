"""Looking up papers' real records from the window: Paper → Look Up Metadata.

A mixin of ``MainWindow``. Nothing is sent anywhere until the user agrees (asked once;
Preferences can turn lookups off again). The lookup itself — network and matching —
runs on a worker with its own ``Library``; the window shows progress with Cancel, then
the review of old → new. Accepting applies the chosen results on a worker too, as one
undo step. Papers with several plausible records are settled in ``CandidatesDialog``.
"""

from __future__ import annotations

import logging
import os

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout

from readinglist.errors import UserError
from readinglist.gui import settings as keys
from readinglist.gui.lookup_candidates import CandidatesDialog
from readinglist.gui.lookup_review import LookupReviewDialog
from readinglist.gui.tasks import Task, run_task
from readinglist.library import Library
from readinglist.lookup import MAILTO_ENV
from readinglist.lookup.model import LookupReport, LookupResult
from readinglist.models import Changes

log = logging.getLogger(__name__)

LOOKUPS_OFF = (
    "Online lookups are turned off. Turn them on in File → Preferences → “Look up metadata online”."
)
CONSENT_TEXT = (
    "<p>To find each paper's real title, authors, year, arXiv id and DOI, readinglist "
    "asks <b>arXiv</b> (export.arxiv.org) and <b>Crossref</b> (api.crossref.org).</p>"
    "<p>What is sent: the paper's <b>arXiv id or DOI</b> when it has one, its <b>title</b>, "
    "and for papers without a title a few <b>short phrases of its abstract</b>. Nothing "
    "else — no notes, tags, ratings or file names.</p>"
    "<p>Answers are cached on this computer, so a repeat sends nothing. You can turn "
    "lookups off at any time in File → Preferences.</p>"
)


class ConsentDialog(QDialog):
    """Asked once, before the first lookup: may readinglist send anything at all?"""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("lookupConsent")
        self.setWindowTitle("Look up metadata online?")
        self.setMinimumWidth(520)
        layout = QVBoxLayout(self)
        text = QLabel(CONSENT_TEXT, objectName="consentText")
        text.setWordWrap(True)
        layout.addWidget(text)
        buttons = QDialogButtonBox()
        self.enable_button = buttons.addButton(
            "Enable lookups", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.enable_button.setObjectName("enableLookups")
        self.decline_button = buttons.addButton(
            "Keep everything offline", QDialogButtonBox.ButtonRole.RejectRole
        )
        self.decline_button.setObjectName("declineLookups")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.enable_button.setDefault(True)


class LookupActions:
    lookup_finished = Signal(object)  # LookupReport, once the proposing worker is done
    lookup_applied = Signal(object)  # Changes, once the accepted results are attached

    def _build_lookup(self) -> None:
        self.lookup_task: Task | None = None
        self.lookup_apply_task: Task | None = None
        self.last_lookup: LookupReport | None = None
        self.lookup_review: LookupReviewDialog | None = None
        self.lookup_consent: ConsentDialog | None = None
        self.candidates_dialog: CandidatesDialog | None = None
        self.show_lookup_review = True
        menu = self.paper_menu
        menu.addSeparator()
        menu.setToolTipsVisible(True)  # a disabled action says why
        self.lookup_action = QAction("Look Up &Metadata", self, objectName="lookupAction")
        self.lookup_action.setShortcut(QKeySequence("Ctrl+Shift+M"))
        self.lookup_action.triggered.connect(self.look_up_selected)
        self.lookup_all_action = QAction(
            "Look Up All Missing Metadata", self, objectName="lookupAllAction"
        )
        self.lookup_all_action.triggered.connect(self.look_up_missing)
        menu.addAction(self.lookup_action)
        menu.addAction(self.lookup_all_action)
        self.cancel_button.clicked.connect(self.cancel_lookup)
        banner = self.detail.lookup_banner
        banner.look_up.connect(lambda paper_id: self.look_up([paper_id]))
        banner.choose.connect(self.choose_candidates)
        self.update_lookup_actions()

    # Consent and the preference

    def lookups_allowed(self) -> bool:
        """Not declined: never asked yet (asked on first use) or agreed."""
        return self.settings.get(keys.LOOKUP_CONSENT) != "no"

    def update_lookup_actions(self) -> None:
        allowed = self.lookups_allowed()
        # The lookup workers read the contact from the environment, like the command line.
        contact = self.settings.get(keys.LOOKUP_CONTACT)
        if contact:
            os.environ[MAILTO_ENV] = contact
            self._contact_set = True
        elif getattr(self, "_contact_set", False):  # cleared in Preferences: send none
            os.environ.pop(MAILTO_ENV, None)
            self._contact_set = False
        for action, tip in (
            (self.lookup_action, "Find the real record of the selected papers"),
            (self.lookup_all_action, "Look up every paper without an arXiv id or DOI"),
        ):
            action.setEnabled(allowed)
            action.setToolTip(tip if allowed else LOOKUPS_OFF)
            action.setStatusTip(tip if allowed else LOOKUPS_OFF)
        self.detail.lookup_banner.set_disabled_reason("" if allowed else LOOKUPS_OFF)

    def _with_consent(self, then) -> None:
        consent = self.settings.get(keys.LOOKUP_CONSENT)
        if consent == "yes":
            then()
            return
        if consent == "no":
            self.show_error(LOOKUPS_OFF)
            return
        dialog = ConsentDialog(self)
        self.lookup_consent = dialog

        def answered(result: int) -> None:
            agreed = result == QDialog.DialogCode.Accepted
            self.settings.set(keys.LOOKUP_CONSENT, "yes" if agreed else "no")
            self.settings.sync()
            self.lookup_consent = None
            self.update_lookup_actions()
            if agreed:
                then()
            else:
                self.show_error("Nothing was sent. " + LOOKUPS_OFF)

        dialog.finished.connect(answered)
        dialog.open()

    # Starting a lookup

    def look_up_selected(self) -> None:
        ids = self.selected_ids()
        if not ids:
            self.show_error("Select the papers to look up first.")
            return
        self.look_up(ids)

    def look_up_missing(self) -> None:
        ids = self.library.papers_needing_lookup()
        if not ids:
            self.statusBar().showMessage("Every paper already has an arXiv id or a DOI.", 6000)
            return
        self.look_up(ids)

    def look_up_list(self, list_id: int) -> None:
        ids = self.library.list_order(list_id)
        if not ids:
            self.show_error("This reading list is empty.")
            return
        self.look_up(ids)

    def look_up(self, ids: list[int]) -> None:
        if self.lookup_task is not None or self.lookup_apply_task is not None:
            self.show_error("A lookup is already running; wait for it or cancel it.")
            return
        if self.import_task is not None:
            self.show_error("An import is running; look papers up once it has finished.")
            return
        if not self.lookups_allowed():
            self.show_error(LOOKUPS_OFF)
            return
        self._with_consent(lambda: self._start_lookup(list(ids)))

    def _start_lookup(self, ids: list[int]) -> None:
        if self.lookup_task is not None:
            return
        folder = self.library.folder

        def work(progress, cancelled) -> LookupReport:
            # Network and matching stay off the GUI thread; the worker has its own
            # connection, as SQLite connections stay in their thread.
            with Library(folder) as worker_library:
                return worker_library.propose_lookup(
                    ids, progress=lambda done, total: progress(done, total, ""), cancel=cancelled
                )

        self._start_progress(f"Looking up {len(ids)} paper{'s' if len(ids) != 1 else ''}…")
        self.progress.setRange(0, len(ids))
        self.progress.setValue(0)
        self.lookup_task = run_task(
            work,
            on_done=self._lookup_done,
            on_error=self._lookup_failed,
            on_progress=self._lookup_progress,
        )

    def _lookup_progress(self, done: int, total: int, _text: str) -> None:
        if self.lookup_task is None or self.lookup_task.cancelled():
            return
        self.progress.setRange(0, max(1, total))
        self.progress.setValue(done)
        self.statusBar().showMessage(f"Looking up metadata… {done} of {total}")

    def cancel_lookup(self) -> None:
        if self.lookup_task is not None:
            self.lookup_task.cancel()
            self.cancel_button.setEnabled(False)
            self.statusBar().showMessage("Cancelling the lookup…")

    def _finish_lookup_ui(self) -> None:
        self.progress.setVisible(False)
        self.cancel_button.setVisible(False)
        self.statusBar().clearMessage()

    def _lookup_failed(self, error: Exception) -> None:
        self.lookup_task = None
        self._finish_lookup_ui()
        self.show_error(f"The lookup failed: {error}")

    # The results: review, then apply

    def _lookup_done(self, report: LookupReport) -> None:
        self.lookup_task = None
        self._finish_lookup_ui()
        self.last_lookup = report
        self._selection_changed()  # the banner of a paper that turned out ambiguous
        proposals = [r for r in report.results if r.status == "matched" and r.changed]
        ambiguous = [r for r in report.results if r.status == "ambiguous"]
        message = _summary(report)
        if report.unreachable:
            self.show_error(report.message or "The lookup service could not be reached.")
        else:
            self.statusBar().showMessage(message, 10000)
        if self.show_lookup_review and (proposals or ambiguous) and self.isVisible():
            self.open_lookup_review(report)
        self.lookup_finished.emit(report)

    def open_lookup_review(self, report: LookupReport) -> LookupReviewDialog:
        ids = [r.paper_id for r in report.results]
        titles = {pid: s.title for pid, s in self.library.summaries(ids).items()}
        dialog = LookupReviewDialog(report, titles, self)
        dialog.accepted_results.connect(self.apply_lookup_results)
        dialog.choose_requested.connect(self.choose_candidates)
        dialog.finished.connect(lambda _result: setattr(self, "lookup_review", None))
        self.lookup_review = dialog
        dialog.open()
        return dialog

    def apply_lookup_results(self, results: list[LookupResult]) -> None:
        if not results or self.lookup_apply_task is not None:
            return
        folder = self.library.folder

        def work(_progress, _cancelled) -> Changes:
            with Library(folder) as worker_library:
                return worker_library.apply_lookup(results)

        self._start_progress(f"Updating {len(results)} paper{'s' if len(results) != 1 else ''}…")
        self.cancel_button.setVisible(False)  # one transaction: all or nothing, not cancellable
        self.lookup_apply_task = run_task(
            work, on_done=self._lookup_applied, on_error=self._lookup_apply_failed
        )
        self._update_undo_actions()

    def _lookup_applied(self, changes: Changes) -> None:
        self.lookup_apply_task = None
        self._finish_lookup_ui()
        count = len(changes.modified)
        self.apply_changes(changes if changes else Changes(everything=True))
        self.statusBar().showMessage(
            f"Updated {count} paper{'s' if count != 1 else ''} from their records "
            "(Edit → Undo takes it back).",
            8000,
        )
        self.lookup_applied.emit(changes)

    def _lookup_apply_failed(self, error: Exception) -> None:
        self.lookup_apply_task = None
        self._finish_lookup_ui()
        self._update_undo_actions()
        self.show_error(f"Nothing was changed: {error}")

    # Several candidates

    def choose_candidates(self, paper_id: int) -> CandidatesDialog | None:
        try:
            paper = self.library.paper(paper_id)
            candidates = self.library.pending_candidates(paper_id)
        except UserError as error:
            self.show_error(str(error))
            return None
        if not candidates:
            self.show_error(f"“{paper.key}” has no candidates waiting for a choice.")
            return None
        dialog = CandidatesDialog(paper, candidates, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def chosen(candidate) -> None:
            self._run(lambda: self.library.choose_candidate(paper_id, candidate))
            if self.lookup_review is not None:
                self.lookup_review.mark_chosen(paper_id, f"Chose {candidate.record.source_id}")

        dialog.chosen.connect(chosen)
        dialog.rejected_all.connect(lambda: self._dismiss_candidates(paper_id))
        dialog.finished.connect(lambda _result: setattr(self, "candidates_dialog", None))
        self.candidates_dialog = dialog
        dialog.open()
        return dialog

    def _dismiss_candidates(self, paper_id: int) -> None:
        """ "None of these": nothing is attached, and the candidates are not offered again
        (the paper counts as found nowhere until it is looked up again)."""
        self._run(lambda: self.library.dismiss_candidates(paper_id))
        self.statusBar().showMessage("Nothing attached.", 5000)
        if self.lookup_review is not None:
            self.lookup_review.mark_chosen(paper_id, "None of these")


def _summary(report: LookupReport) -> str:
    counts: dict[str, int] = {}
    for result in report.results:
        counts[result.status] = counts.get(result.status, 0) + 1
    parts = [
        f"{counts[status]} {label}"
        for status, label in (
            ("matched", "found"),
            ("ambiguous", "with several candidates"),
            ("not_found", "not found"),
            ("error", "failed"),
        )
        if counts.get(status)
    ]
    head = "Lookup cancelled: " if report.cancelled else "Lookup done: "
    return head + (", ".join(parts) or "no papers looked up")
