"""Runners: where per-item computation happens. One small interface, swappable backends.

A runner maps a picklable function over items and yields results in input order. The store is
written only by the calling process, so a runner computes and never writes. ``SerialRunner`` runs
in-process; ``ProcessRunner`` uses local worker processes (``--jobs``); a distributed runner (Dask)
implements the same ``map``.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Protocol, TypeVar

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
        with ProcessPoolExecutor(max_workers=self.jobs) as pool:
            pending: deque[Future[R]] = deque()
            for item in items:
                pending.append(pool.submit(fn, item))
                if len(pending) >= self.window:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()


def make_runner(jobs: int = 1) -> Runner:
    return ProcessRunner(jobs) if jobs > 1 else SerialRunner()
