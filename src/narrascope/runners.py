"""Runners: where per-item computation happens. One small interface, swappable backends.

A runner maps a picklable function over items and yields results in input order. The store is
written only by the calling process, so a runner computes and never writes. ``SerialRunner`` runs
in-process; ``ProcessRunner`` uses local worker processes (``--jobs``); a distributed runner (Dask)
implements the same ``map``.

A SIGTERM or Ctrl-C (SIGINT) to a process whose ``ProcessRunner`` is mapping ends its workers at once
(they would otherwise stay behind, orphaned, waiting for work) and then stops the process as the
signal would: ``SystemExit(128 + SIGTERM)``, or ``KeyboardInterrupt``. Items not yet handed back are
dropped; what the caller committed stays committed (the store writes in transactions).
"""

from __future__ import annotations

import signal
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from types import FrameType
from typing import Any, Protocol, TypeVar

__all__ = ["ProcessRunner", "Runner", "SerialRunner", "make_runner"]

T = TypeVar("T")
R = TypeVar("R")


class Runner(Protocol):
    def map(self, fn: Callable[[T], R], items: Iterable[T]) -> Iterator[R]: ...


class SerialRunner:
    def map(self, fn: Callable[[T], R], items: Iterable[T]) -> Iterator[R]:
        for item in items:
            yield fn(item)


class ProcessRunner:
    """Local worker processes with a bounded window of items in flight (memory stays flat)."""

    def __init__(self, jobs: int, *, window: int = 64) -> None:
        self.jobs = jobs
        self.window = max(window, jobs * 4)

    def map(self, fn: Callable[[T], R], items: Iterable[T]) -> Iterator[R]:
        pool = ProcessPoolExecutor(max_workers=self.jobs, initializer=_worker_signals)
        try:
            with _signals_end_workers(pool):
                pending: deque[Future[R]] = deque()
                for item in items:
                    pending.append(pool.submit(fn, item))
                    if len(pending) >= self.window:
                        yield pending.popleft().result()
                while pending:
                    yield pending.popleft().result()
        except BaseException:  # a signal, an error, or the caller stopped early: no worker stays behind
            _end_workers(pool)
            pool.shutdown(wait=False, cancel_futures=True)
            raise
        pool.shutdown(wait=True)


def _worker_signals() -> None:
    """In a worker: SIGTERM ends it (not the handler inherited from the parent), and Ctrl-C is the
    parent's to handle (it then ends the workers), so a terminal shows no traceback per worker."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _end_workers(pool: ProcessPoolExecutor) -> None:
    """Terminate the pool's worker processes now (Python 3.14 has ``pool.terminate_workers()``).

    Takes no lock, so a signal handler may call it whatever the main thread was doing."""
    processes: dict[Any, Any] = getattr(pool, "_processes", None) or {}
    for _ in range(3):  # the pool's own thread may change the dict meanwhile
        try:
            workers = list(processes.values())
            break
        except RuntimeError:
            continue
    else:
        return
    for process in workers:
        if process.is_alive():
            process.terminate()
    for process in workers:
        process.join(timeout=5)
        if process.is_alive():
            process.kill()


@contextmanager
def _signals_end_workers(pool: ProcessPoolExecutor) -> Iterator[None]:
    """While the block runs, SIGTERM and SIGINT end ``pool``'s workers, then raise as they would."""
    if threading.current_thread() is not threading.main_thread():  # only the main thread takes signals
        yield
        return

    def handle(signum: int, frame: FrameType | None) -> None:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)  # a second signal does not interrupt the clean-up
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        _end_workers(pool)
        if signum == signal.SIGINT:
            raise KeyboardInterrupt
        raise SystemExit(128 + signum)

    previous = {signum: signal.signal(signum, handle) for signum in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def make_runner(jobs: int = 1) -> Runner:
    return ProcessRunner(jobs) if jobs > 1 else SerialRunner()
