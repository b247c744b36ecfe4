"""The detail pane made for reading: a header, the abstract decoded and marked, sections
that collapse and remember, no sideways scrolling, links as buttons, priority."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication, QWidget

from readinglist.gui.preferences import apply_appearance
from readinglist.models import Priority
from tests.gui.conftest import make_window, select_paper

LONG_TITLE = (
    "Supercalifragilisticexpialidocious-Transformers: https://example.org/a/very/long/"
    "path/that/never/breaks/by/itself/Scaling_Laws_For_Extremely_Long_Identifiers and "
    "a title long enough to need three lines in any reasonable pane"
)
CJK_ABSTRACT = (
    "我们提出了一种新的稀疏注意力机制，它在长序列上的计算复杂度为线性。"
    "実験では、提案手法が既存の手法よりも高速であることを示す。"
    * 6
    + r" We compare with T\"ULU 3 and improve 50\% of the cases."
)
SUGGESTED = [
    "method/sparse-attention-variants",
    "topic/long-context-modelling",
    "venue/neurips-workshop-2024",
    "to-read/this-week-for-the-group",
]


def prepare(window) -> int:
    library = window.library
    paper_id = library.paper("nemotronh").id
    library.edit(
        paper_id,
        title=LONG_TITLE,
        abstract=CJK_ABSTRACT,
        venue="NeurIPS",
        year=2024,
        authors=["Lovelace, Ada", "Turing, Alan"],
        arxiv_id="2401.00001",
        code_url="https://github.com/example/code",
    )
    others = [hit.id for hit in library.related(paper_id, limit=8).hits]
    library.add_tags(others, SUGGESTED)
    library.set_key(paper_id, "Brewer1997IsolationAndCultureOfAdultRatHippocampalNeuronsB27")
    # Keywords of a real .bib: long, with spaces and a slash that is not a hierarchy.
    library.add_tags(
        [paper_id],
        [
            "Cell Culture Techniques∕methods∕instrumentation∕standards∕trends",
            "Supercalifragilisticexpialidocious-keyword-without-any-break-opportunity",
        ],
    )
    library.add_highlight(paper_id, 0, 5, comment="a comment long enough to wrap " * 6)
    library.add_note(paper_id, "# A note\nWith a https://example.org/very/long/url/" + "x" * 80)
    return paper_id


def visible_overflow(detail) -> list[str]:
    """Widgets of the pane that reach beyond its visible width."""
    body, width = detail.widget(), detail.viewport().width()
    found = []
    for widget in body.findChildren(QWidget):
        if not widget.isVisibleTo(body) or widget.window() is not detail.window():
            continue
        right = widget.mapTo(body, QPoint(widget.width(), 0)).x()
        if right > width + 1:
            found.append(f"{widget.objectName() or type(widget).__name__}: {right} > {width}")
    return found


def test_no_sideways_scrolling_at_1280x800_light_and_dark(qtbot, seeded_window):
    window = seeded_window
    window.resize(1280, 800)
    paper_id = prepare(window)
    window.reload()
    with qtbot.waitSignal(window.detail.related_shown, timeout=10_000):
        select_paper(qtbot, window, window.library.paper(paper_id).key)
    detail = window.detail
    suggested = [
        b.text()
        for b in detail.suggestions.findChildren(type(detail.add_note_button))
        if b.objectName() == "suggestedTag"
    ]
    assert len(suggested) >= 4
    assert detail.width() <= 520  # the pane's share of a 1280 px window
    assert not detail.horizontalScrollBar().isVisible()
    assert detail.widget().width() <= detail.viewport().width()
    assert visible_overflow(detail) == []
    # The title wraps whole in the header; it is never cut.
    assert detail.title_label.text().replace("\u200b", "") == LONG_TITLE
    assert detail.title_label.height() > 2 * detail.title_label.fontMetrics().height()
    assert detail.authors_label.text() == "Ada Lovelace, Alan Turing"
    assert detail.venue_label.text() == "2024 · NeurIPS"
    labels = [label for label, _ in detail.link_targets()]
    assert labels == ["Code", "arXiv", "PDF"]
    assert ("PDF", "https://arxiv.org/pdf/2401.00001") in detail.link_targets()
    assert window.library.paper(paper_id).abstract == CJK_ABSTRACT
    # Dark mode: the same pane, the same widths.
    app = QApplication.instance()
    style, palette = app.style().name(), app.palette()
    apply_appearance(app, "dark")
    try:
        qtbot.waitUntil(lambda: visible_overflow(detail) == [])
        assert not detail.horizontalScrollBar().isVisible()
        assert detail.widget().width() <= detail.viewport().width()
    finally:
        app.setStyle(style)
        app.setPalette(palette)


def test_the_abstract_is_decoded_and_a_search_marks_through_latex(qtbot, seeded_window):
    window = seeded_window
    paper_id = window.library.paper("spdf").id
    window.apply_changes(
        window.library.edit(
            paper_id, abstract=r"We compare with T\"ULU 3 and improve 50\% of {B}ERT runs."
        )
    )
    with qtbot.waitSignal(window.search_finished, timeout=10_000):
        qtbot.keyClicks(window.search_edit, "tulu")
    assert paper_id in window.model.ids()
    select_paper(qtbot, window, "spdf")
    view = window.detail.abstract_view
    assert view.toPlainText() == "We compare with TÜLU 3 and improve 50% of BERT runs."
    assert view.marked_text() == ["TÜLU"]
    # A highlight made on the decoded text is stored against the abstract as written.
    shown = view.toPlainText()
    start = view.shown.to_stored(shown.index("TÜLU"))
    end = view.shown.to_stored(shown.index("TÜLU") + 4, end=True)
    view.select_span(start, end)
    assert view.textCursor().selectedText() == "TÜLU"
    qtbot.mouseClick(window.detail.highlight_button, Qt.MouseButton.LeftButton)
    (highlight,) = window.library.highlights(paper_id)
    assert highlight.quote == r"T\"ULU"
    assert window.detail.highlight_list.item(0).text() == "“TÜLU”"


def test_sections_collapse_and_remember(qtbot, seeded_library, tmp_path):
    window = make_window(qtbot, seeded_library, tmp_path)
    select_paper(qtbot, window, "nemotronh")
    related = window.detail.sections["related"]
    assert related.is_open()
    qtbot.mouseClick(related.button, Qt.MouseButton.LeftButton)
    assert not related.is_open() and not window.detail.related_list.isVisible()
    # Info holds no metadata for a pasted abstract: it is closed and says so.
    info = window.detail.sections["info"]
    assert not info.is_open() and info.button.text() == "▸ Info — empty"
    window.close()
    again = make_window(qtbot, seeded_library, tmp_path)  # the same settings file
    select_paper(qtbot, again, "spdf")
    assert not again.detail.sections["related"].is_open()
    assert again.detail.sections["notes"].is_open()
    again.close()


def test_priority_from_the_pane(qtbot, seeded_window):
    window = seeded_window
    paper_id = select_paper(qtbot, window, "spdf")
    box = window.detail.priority_box
    assert box.currentText() == "Normal"
    box.setCurrentIndex(box.findData(int(Priority.HIGH)))
    assert window.library.paper(paper_id).priority == Priority.HIGH
    window.undo()
    assert window.library.paper(paper_id).priority == Priority.NORMAL
    assert box.currentText() == "Normal"
    assert window.selected_ids() == [paper_id]


def test_a_related_paper_opens_with_one_click(qtbot, seeded_window):
    window = seeded_window
    with qtbot.waitSignal(window.detail.related_shown, timeout=10_000):
        select_paper(qtbot, window, "nemotronh")
    related = window.detail.related_list
    assert related.count() >= 4 and related.height() >= 4 * 18
    first = related.item(0)
    first_id = first.data(Qt.ItemDataRole.UserRole + 22)
    year = window.library.paper(first_id).year
    if year:
        assert first.text().endswith(f" · {year}")
    rect = related.visualItemRect(first)
    with qtbot.waitSignal(window.detail.related_shown, timeout=10_000):
        qtbot.mouseClick(related.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert window.detail.paper.id == first_id
    assert window.selected_ids() == [first_id]


def test_titles_read_decoded_in_the_table_and_the_header(qtbot, seeded_window):
    window = seeded_window
    paper_id = window.library.paper("spdf").id
    window.apply_changes(
        window.library.edit(paper_id, title=r"Random Matrix Theory at Nonzero $\mu$ and {T\"U}"),
    )
    index = window.model.index(window.model.row_of(paper_id), 0)
    assert index.data() == "Random Matrix Theory at Nonzero μ and TÜ"
    select_paper(qtbot, window, "spdf")
    assert window.detail.title_label.text() == "Random Matrix Theory at Nonzero μ and TÜ"
    assert window.detail.title_edit.text() == r"Random Matrix Theory at Nonzero $\mu$ and {T\"U}"
