from PySide6.QtCore import Qt

from readinglist.gui.main_window import MainWindow


def test_window_lists_the_library(qtbot, qtmodeltester, seeded_library):
    window = MainWindow(seeded_library)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    assert window.count_label.text() == "53 papers"
    model = window.table.model()
    qtmodeltester.check(model)
    titles = [model.index(row, 0).data() for row in range(model.rowCount())]
    assert (
        "FlashAttention-2: Faster Attention with Better Parallelism and Work Partitioning" in titles
    )
    inferred_row = titles.index(seeded_library.paper("nemotronh").title)
    assert model.index(inferred_row, 0).data(Qt.ItemDataRole.FontRole).italic()


def test_empty_library_shows_zero(qtbot, library):
    window = MainWindow(library)
    qtbot.addWidget(window)
    assert window.count_label.text() == "0 papers"
