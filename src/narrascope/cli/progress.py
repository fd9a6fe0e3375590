"""Progress shown while a command runs: a bar on a terminal, plain timed lines in a log or a pipe."""

from __future__ import annotations

import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from typing import TextIO


def progress_bar(enabled: bool, label: str) -> Callable[[int], Iterator[object]] | None:
    if not enabled:
        return None

    def bar(total: int) -> Iterator[object]:
        from tqdm import tqdm

        yield from tqdm(range(total), desc=label, unit="input", file=sys.stderr, leave=False, dynamic_ncols=True)

    return bar


class ItemProgress:
    """A progress bar counting items (a feed, WARC or JSONL file holds many), total unknown.

    Called as ``on_outcome(kind, text)`` by ``ingest``; the postfix counts stored and rejected items.
    """

    def __init__(self, label: str, *, file: TextIO | None = None) -> None:
        from tqdm import tqdm

        self.counts: Counter[str] = Counter()
        self.bar = tqdm(total=None, desc=label, unit=" items", file=file or sys.stderr, leave=False,
                        dynamic_ncols=True)

    def __call__(self, kind: str, text: str) -> None:
        self.counts[kind] += 1
        self.bar.set_postfix(stored=self.counts["stored"], rejected=self.counts["rejected"], refresh=False)
        self.bar.update(1)

    def close(self) -> None:
        self.bar.close()


class PlainProgress:
    """Progress for a log or a pipe: one plain line every ``interval`` seconds, no bar, no escapes.

    Called as ``on_outcome(kind, text)`` like ``ItemProgress``; a timer thread writes the lines, so
    a run stuck on one long item still shows it is alive.
    """

    def __init__(self, label: str, interval: float, *, file: TextIO | None = None) -> None:
        self.label, self.interval = label, interval
        self.file = file or sys.stderr
        self.done = self.stored = self.rejected = 0
        self.started = time.monotonic()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"narrascope-{label}-progress", daemon=True)
        self._thread.start()

    def __call__(self, kind: str, text: str) -> None:
        self.done += 1
        self.stored += kind == "stored"
        self.rejected += kind == "rejected"

    def line(self) -> str:
        elapsed = int(time.monotonic() - self.started)
        return (f"{self.label}: {self.done} {'item' if self.done == 1 else 'items'} done ({self.stored} stored,"
                f" {self.rejected} rejected), {elapsed}s elapsed")

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.file.write(self.line() + "\n")
            self.file.flush()

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
