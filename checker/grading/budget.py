"""Budgets for judging one answer: CPU time and counted work, never the wall clock.

A verdict must be a function of the answer alone, so every limit that can decide a verdict is
counted in work the grader itself does: the size of the trees it builds, the number of
candidates it compares, and the *CPU time* of this process (``ITIMER_PROF``: the time the
process ran, user and system, which a busy neighbour does not consume). The budgets are far
above what any answer of the corpus needs (at most about 0.4 s of CPU time for the exact check,
before set-up is warmed; ten times less after), so that the limits are reached by hostile input
only and a busy machine, which makes the same work cost a little more CPU time, changes nothing.

The wall clock appears in one place, :func:`wall_guard`: a last resort against a process that
cannot get the CPU at all (paused, or starved by a machine running far more jobs than cores).
It never gives a verdict: it raises :class:`NotJudged`, the row is reported "not judged" and
``grade-batch`` grades it again.

Timers use signals and so work in the main thread only; elsewhere the block runs unguarded
(the batch grader runs every answer in a worker process's main thread).
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

CPU_LIMIT = 4.0
"""CPU seconds one answer may take to read and judge, whatever it is."""
EXACT_CPU_LIMIT = 1.5
"""CPU seconds of the exact (sympy) confirmation of a scalar answer, within the answer's budget."""
WALL_GUARD = 60.0
"""Wall-clock seconds after which an answer is given up as not judged (never a verdict)."""


class OutOfBudget(BaseException):  # noqa: N818 - a BaseException so that no library swallows it
    """The block used up its CPU-time budget: the work it was given is too much."""


class NotJudged(BaseException):  # noqa: N818 - as above
    """The wall-clock guard fired: the machine did not run the grader; judge the answer again."""


def _main_thread() -> bool:
    return threading.current_thread() is threading.main_thread() and hasattr(signal, "setitimer")


@contextmanager
def _itimer(which: int, signum: int, clock: Callable[[], float], seconds: float,
            exc: type[BaseException], message: str) -> Iterator[None]:
    """Raise ``exc(message)`` in the block after ``seconds`` on ``which`` timer.

    Nests: an outer limit on the same timer is restored, with what it has left by ``clock``,
    when the block ends; a shorter outer limit keeps firing first.
    """
    if not _main_thread():
        yield
        return

    def on_signal(signum: int, frame: object) -> None:
        raise exc(message)

    start = clock()
    previous = signal.signal(signum, on_signal)
    outer_left, outer_interval = signal.setitimer(which, max(seconds, 1e-3))
    if outer_left and outer_left < seconds:
        signal.setitimer(which, outer_left)  # the outer limit comes first
    try:
        yield
    finally:
        signal.setitimer(which, 0)
        signal.signal(signum, previous)
        if outer_left:
            left = max(outer_left - (clock() - start), 1e-3)
            signal.setitimer(which, left, outer_interval)


def cpu_limit(seconds: float, exc: type[BaseException] = OutOfBudget) -> Iterator[None]:
    """Raise ``exc`` inside the block once it has used ``seconds`` of this process's CPU time.

    CPU time (``ITIMER_PROF``) counts only the time the process ran, so the limit is reached
    after the same work on a quiet machine and on a busy one.
    """
    return _itimer(signal.ITIMER_PROF, signal.SIGPROF, time.process_time, seconds, exc,
                   f"CPU-time budget of {seconds:g} s used up")


def wall_guard(seconds: float = WALL_GUARD) -> Iterator[None]:
    """Raise :class:`NotJudged` after ``seconds`` of wall-clock time: a last resort, never a verdict."""
    return _itimer(signal.ITIMER_REAL, signal.SIGALRM, time.monotonic, seconds, NotJudged,
                   f"not judged within {seconds:g} s of wall-clock time")


class WorkBudget:
    """A count of units of work (nodes built, candidates compared) with a fixed allowance."""

    def __init__(self, allowance: int, what: str) -> None:
        self.left = allowance
        self.allowance = allowance
        self.what = what

    def spend(self, units: int = 1) -> None:
        """Use ``units``; raise :class:`OutOfBudget` when the allowance is gone."""
        self.left -= units
        if self.left < 0:
            raise OutOfBudget(f"more than {self.allowance:,} {self.what}")
