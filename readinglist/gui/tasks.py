"""Background work for the window: one helper, results posted back to the GUI thread.

``run_task(fn, on_done, on_error, on_progress)`` runs ``fn(report_progress, cancelled)``
on the thread pool. Workers never touch widgets; the callbacks run on the GUI thread
(queued signal connections). Database writes happen on one worker at a time: the window
refuses a second import while one runs.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

log = logging.getLogger(__name__)


class TaskSignals(QObject):
    progress = Signal(int, int, str)
    done = Signal(object)
    failed = Signal(object)


class Task(QRunnable):
    def __init__(self, fn: Callable):
        super().__init__()
        self.fn = fn
        self.signals = TaskSignals()
        self._cancel = threading.Event()
        self.setAutoDelete(False)  # the window keeps it until done: signals must outlive run()

    def cancel(self) -> None:
        self._cancel.set()

    def cancelled(self) -> bool:
        return self._cancel.is_set()

    @Slot()
    def run(self) -> None:
        try:
            result = self.fn(self.signals.progress.emit, self.cancelled)
        except Exception as error:  # reported to the user on the GUI thread
            log.exception("background task failed")
            self.signals.failed.emit(error)
        else:
            self.signals.done.emit(result)


def run_task(
    fn: Callable,
    *,
    on_done: Callable[[object], None],
    on_error: Callable[[Exception], None],
    on_progress: Callable[[int, int, str], None] | None = None,
    pool: QThreadPool | None = None,
) -> Task:
    task = Task(fn)
    task.signals.done.connect(on_done)
    task.signals.failed.connect(on_error)
    if on_progress is not None:
        task.signals.progress.connect(on_progress)
    (pool or QThreadPool.globalInstance()).start(task)
    return task
