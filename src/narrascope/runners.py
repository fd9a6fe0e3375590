"""Runners: where per-item computation happens. One small interface, swappable backends.

A runner maps a picklable function over items and yields results in input order. The store is
written only by the calling process, so a runner computes and never writes. ``SerialRunner`` runs
in-process; ``ProcessRunner`` uses local worker processes (``--jobs``); ``BudgetRunner`` supervises
each item's time and memory; ``DaskRunner`` (``--cluster``) runs items on a Dask cluster, each under
the same budget, behind the same ``map``.

A SIGTERM or Ctrl-C (SIGINT) to a process whose ``ProcessRunner`` is mapping ends its workers at once
(they would otherwise stay behind, orphaned, waiting for work) and then stops the process as the
signal would: ``SystemExit(128 + SIGTERM)``, or ``KeyboardInterrupt``. Items not yet handed back are
dropped; what the caller committed stays committed (the store writes in transactions).
"""

from __future__ import annotations

import logging
import os
import signal
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from types import FrameType
from typing import Any, Protocol, TypeVar

from .errors import ClusterError, UsageError
from .settings import ClusterSettings

#: the ``cluster.connect_seconds`` setting's default (its one definition is in settings.py)
_CONNECT_SECONDS = ClusterSettings().connect_seconds

__all__ = ["Budget", "BudgetRunner", "DaskRunner", "Overrun", "ProcessRunner", "Runner", "SerialRunner", "local_cluster",
           "make_runner", "open_cluster"]

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
def _signals_end_workers(pool: ProcessPoolExecutor | Callable[[], None]) -> Iterator[None]:
    """While the block runs, SIGTERM and SIGINT end ``pool``'s workers (or call the function that
    ends them), then raise as they would."""
    if threading.current_thread() is not threading.main_thread():  # only the main thread takes signals
        yield
        return
    end = pool if callable(pool) else (lambda: _end_workers(pool))

    def handle(signum: int, frame: FrameType | None) -> None:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)  # a second signal does not interrupt the clean-up
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        end()
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


# ---------------------------------------------------------------------------------------------
# Per-item budgets


@dataclass(frozen=True)
class Budget:
    """What one item may cost: wall-clock ``seconds`` and resident ``memory_mb`` of the worker
    computing it (the loaded models included); 0 is no limit."""

    seconds: float = 0.0
    memory_mb: int = 0

    @property
    def limited(self) -> bool:
        return self.seconds > 0 or self.memory_mb > 0


@dataclass(frozen=True)
class Overrun:
    """Why an item was stopped: ``kind`` "time" or "memory" (or "crash": the worker died), and a
    one-line ``reason``."""

    kind: str
    reason: str


#: ``fn(item, checkpoint)``: ``checkpoint(state)`` hands the parent what is done so far, so that an
#: item stopped later keeps it (a partial analysis rather than nothing).
Checkpointed = Callable[[T, Callable[[Any], None]], R]
#: ``over(item, checkpoints, overrun)``: the result of an item stopped past its budget, from the
#: states it handed over before (in order).
OverBudget = Callable[[T, list[Any], Overrun], R]

POLL_SECONDS = 0.05


class BudgetRunner:
    """Each item in a supervised worker process, stopped at its time or memory budget.

    ``jobs`` workers (forked from this process, so models loaded here by ``prepare`` are shared)
    take one item at a time. A worker past ``budget.seconds`` on its item, or whose resident memory
    passes ``budget.memory_mb``, is killed and replaced; the item's result is then ``over(item,
    checkpoints, overrun)``, and the rest of the batch goes on. Results come back in input order,
    with a bounded window of items in flight. Workers die with this process (``PR_SET_PDEATHSIG``
    where Linux offers it), so none outlives an ingest that was killed.
    """

    def __init__(self, jobs: int, budget: Budget, *, prepare: Callable[[], None] | None = None,
                 window: int = 64) -> None:
        self.jobs = max(1, jobs)
        self.budget = budget
        self.prepare = prepare
        self.window = max(window, self.jobs * 4)

    def map(self, fn: Checkpointed[T, R], items: Iterable[T], *, over: OverBudget[T, R],
            inline: Callable[[T], bool] | None = None,
            timed: Callable[[T, float], None] | None = None) -> Iterator[R]:
        """``fn`` over ``items`` in input order; items for which ``inline(item)`` holds (nothing to
        compute) are done here, without a worker. ``timed(item, seconds)`` is told how long each
        item handed to a worker took, stopped ones included."""
        workers: list[_Worker] = []
        pending: dict[int, T] = {}  # sequence -> item, for items handed out and not yet finished
        queue: deque[tuple[int, T]] = deque()
        done: dict[int, R] = {}
        source = iter(items)
        exhausted = False
        next_seq = next_out = 0

        def end_workers() -> None:
            for worker in workers:
                worker.stop()

        with _signals_end_workers(end_workers):
            try:
                while True:
                    # Read ahead, no further than the window past the next result to give back.
                    while not exhausted and next_seq - next_out < self.window:
                        try:
                            item = next(source)
                        except StopIteration:
                            exhausted = True
                            break
                        if inline is not None and inline(item):
                            done[next_seq] = fn(item, _ignore)
                        else:
                            queue.append((next_seq, item))
                            pending[next_seq] = item
                        next_seq += 1
                    if queue and not workers:
                        if self.prepare is not None:
                            self.prepare()
                        workers.extend(_Worker(fn, self.budget) for _ in range(self.jobs))
                    for worker in workers:
                        if worker.seq is None and queue:
                            worker.give(*queue.popleft())
                    while next_out in done:
                        pending.pop(next_out, None)
                        yield done.pop(next_out)
                        next_out += 1
                    if exhausted and next_out == next_seq:
                        return
                    busy = [w for w in workers if w.seq is not None]
                    for worker in _ready(busy, POLL_SECONDS):
                        finished = worker.receive()
                        if finished is not None:
                            done[finished[0]] = finished[1]
                            if timed is not None:
                                timed(pending[finished[0]], time.monotonic() - worker.started)
                            if worker.over_memory():  # done, but the next item starts in a fresh worker
                                worker.restart()
                    for worker in busy:
                        overrun = worker.overrun()
                        if overrun is not None and worker.seq is not None:
                            seq, states = worker.seq, worker.states
                            if timed is not None:
                                timed(pending[seq], time.monotonic() - worker.started)
                            worker.restart()
                            done[seq] = over(pending[seq], states, overrun)
            finally:
                end_workers()


def _ignore(state: Any) -> None:
    pass


def _ready(workers: list[_Worker], timeout: float) -> list[_Worker]:
    from multiprocessing.connection import wait

    if not workers:
        return []
    by_conn = {id(w.conn): w for w in workers}
    return [by_conn[id(c)] for c in wait([w.conn for w in workers], timeout)]


class _Worker:
    """One supervised worker process and the item it is on."""

    def __init__(self, fn: Callable[..., Any], budget: Budget) -> None:
        self.fn = fn
        self.budget = budget
        self.seq: int | None = None
        self.states: list[Any] = []
        self.started = 0.0
        self._start()

    def _start(self) -> None:
        import multiprocessing

        ctx = multiprocessing.get_context("fork")
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=_worker_main, args=(child, self.fn, self.budget), daemon=True,
                                   name="narrascope-worker")
        self.process.start()
        child.close()

    def give(self, seq: int, item: Any) -> None:
        self.seq, self.states, self.started = seq, [], time.monotonic()
        self.conn.send((seq, item))

    def receive(self) -> tuple[int, Any] | None:
        """Read one message: a checkpoint is kept, a result is returned as (seq, result)."""
        try:
            kind, seq, payload = self.conn.recv()
        except (EOFError, OSError):
            return None  # the worker died: overrun() reports it
        if seq != self.seq:
            return None
        if kind == "checkpoint":
            self.states.append(payload)
            return None
        if kind == "memory":
            self.states.append(_MEMORY_ERROR)
            return None
        self.seq = None
        return seq, payload

    def overrun(self) -> Overrun | None:
        if self.seq is None:
            return None
        budget = self.budget
        if self.states and self.states[-1] is _MEMORY_ERROR:
            self.states.pop()
            return Overrun("memory", f"ran out of memory under the {budget.memory_mb} MB budget")
        if not self.process.is_alive():
            code = self.process.exitcode
            if code == -signal.SIGKILL:  # the kernel's out-of-memory killer, most likely
                return Overrun("memory", f"worker killed (signal {-code}), most likely out of memory")
            return Overrun("crash", f"worker died (exit status {code})")
        elapsed = time.monotonic() - self.started
        if budget.seconds and elapsed > budget.seconds:
            return Overrun("time", f"still running after {elapsed:.1f} s, over the {budget.seconds:g} s budget")
        rss = self.over_memory()
        if rss:
            return Overrun("memory", f"using {rss:.0f} MB, over the {budget.memory_mb} MB budget")
        return None

    def over_memory(self) -> float | None:
        """The worker's resident memory in MB when it is over the budget, else None."""
        if not self.budget.memory_mb:
            return None
        rss = _resident_mb(self.process.pid)
        return rss if rss is not None and rss > self.budget.memory_mb else None

    def restart(self) -> None:
        self.stop()
        self.seq, self.states = None, []
        self._start()

    def stop(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join(5)
        self.conn.close()


_MEMORY_ERROR = ("narrascope", "memory-error")


def _resident_mb(pid: int | None) -> float | None:
    """Resident memory of process ``pid`` in MB (Linux /proc), None where it cannot be read."""
    try:
        with open(f"/proc/{pid}/statm", "rb") as f:
            pages = int(f.read().split()[1])
    except (OSError, ValueError, IndexError):
        return None
    return pages * os.sysconf("SC_PAGE_SIZE") / 1_048_576


def _worker_main(conn: Any, fn: Callable[..., Any], budget: Budget) -> None:
    _die_with_parent()
    _worker_signals()  # not the parent's handlers, inherited through the fork
    if budget.memory_mb:
        # A backstop for bursts between two polls of the parent: address space past the
        # budget (twice over, as address space runs ahead of resident memory) is refused outright.
        try:
            import resource

            size = _address_space_bytes()
            if size:
                limit = size + 2 * budget.memory_mb * 1_048_576
                resource.setrlimit(resource.RLIMIT_AS, (limit, resource.getrlimit(resource.RLIMIT_AS)[1]))
        except (ImportError, OSError, ValueError):
            pass
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        seq, item = message

        def checkpoint(state: Any, seq: int = seq) -> None:
            conn.send(("checkpoint", seq, state))

        try:
            result = fn(item, checkpoint)
        except MemoryError:
            conn.send(("memory", seq, None))
            continue
        conn.send(("result", seq, result))


def _address_space_bytes() -> int:
    try:
        with open("/proc/self/statm", "rb") as f:
            return int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def _die_with_parent() -> None:
    """Ask Linux to kill this worker when its parent dies (``prctl(PR_SET_PDEATHSIG, SIGKILL)``)."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # 1 = PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


# ---------------------------------------------------------------------------------------------
# A Dask cluster


#: ``--cluster local:N``: a LocalCluster of N worker processes on this machine.
LOCAL_PREFIX = "local:"
#: The event topic a worker logs each item start to; an item started twice was retried.
_STARTS_TOPIC = "narrascope-item-start"


@contextmanager
def open_cluster(address: str | None, *, connect_seconds: float = _CONNECT_SECONDS) -> Iterator[DaskRunner | None]:
    """A ``DaskRunner`` on the cluster at ``address`` (None or "" : no cluster), closed at the end."""
    if not address:
        yield None
        return
    runner = DaskRunner(address, connect_seconds=connect_seconds)
    try:
        yield runner
    finally:
        runner.close()


class DaskRunner:
    """Items on a Dask cluster: ``tcp://HOST:PORT`` (a running ``dask scheduler``) or ``local:N`` (a
    ``LocalCluster`` of N single-threaded worker processes, started on first use and closed by
    ``close()``; no dashboard).

    Results come back in input order, with a bounded window of items in flight, so memory stays
    flat whatever the corpus. Each item travels whole (raw bytes included) in its task: workers
    need narrascope installed and nothing else, and they compute and never write. A worker that
    dies loses nothing: Dask runs the items it held elsewhere, each result is handed back once, and
    ``retried`` counts the items that were started more than once.

    With a ``budget``, each item runs on its worker the way ``BudgetRunner`` runs it: in a warm
    supervised process forked from the worker (after ``prepare``, so models load once per worker
    process), stopped past its time or memory budget, its result then ``over(item, checkpoints,
    overrun)``.
    """

    def __init__(self, address: str, *, window: int = 0, connect_seconds: float = _CONNECT_SECONDS) -> None:
        self.address = address
        self.window = window
        self.connect_seconds = connect_seconds
        self.retried = 0
        self._client: Any = None
        self._cluster: Any = None

    def __enter__(self) -> DaskRunner:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def client(self) -> Any:
        """The ``distributed.Client``, connected (or the local cluster started) on first use."""
        if self._client is None:
            self._client, self._cluster = _connect(self.address, self.connect_seconds)
        return self._client

    def threads(self) -> int:
        return sum(w.get("nthreads", 1) for w in self.client.scheduler_info(n_workers=-1)["workers"].values())

    def close(self) -> None:
        client, cluster, self._client, self._cluster = self._client, self._cluster, None, None
        if client is not None:
            client.close()
        if cluster is not None:
            cluster.close()

    def map(self, fn: Callable[..., R], items: Iterable[T], *, budget: Budget | None = None,
            over: OverBudget[T, R] | None = None, prepare: Callable[[], None] | None = None,
            inline: Callable[[T], bool] | None = None,
            timed: Callable[[T, float], None] | None = None) -> Iterator[R]:
        """``fn`` over ``items`` on the cluster, in input order.

        Without a (limited) ``budget``, ``fn(item)``; with one, ``fn(item, checkpoint)`` as for
        ``BudgetRunner.map``, and ``over`` is required. ``inline(item)``: done here, not sent.
        ``timed(item, seconds)`` is told how long each item took on its worker. An item whose
        workers kept dying (Dask gives up after a few) is ``over(item, [], Overrun("crash"...))``,
        or ``ClusterError`` NS602 without ``over``.
        """
        import uuid

        import cloudpickle
        from distributed import KilledWorker

        budgeted = budget is not None and budget.limited
        if budgeted and over is None:
            raise ValueError("DaskRunner.map: a budget needs `over`")
        run = uuid.uuid4().hex[:12]
        kept_budget, kept_prepare = (budget, prepare) if budgeted else (None, None)
        # Items of the same function and budget reuse a worker's warm supervised process.
        job = _Job(fn, kept_budget, kept_prepare, _token(cloudpickle.dumps((fn, kept_budget, kept_prepare))))
        client: Any = None  # connected at the first item to send: a run with none starts no cluster
        window = self.window or 64
        starts: dict[int, int] = {}  # seq -> how often a worker started it, while it is in the window
        lock = threading.Lock()

        def started(event: tuple[float, Any]) -> None:
            # Called in the client's event-loop thread; a start of an item already handed back is
            # a recomputation nobody waits for.
            msg = event[1]
            if isinstance(msg, dict) and msg.get("run") == run:
                with lock:
                    if msg.get("seq") in starts:
                        starts[msg["seq"]] += 1

        topic = f"{_STARTS_TOPIC}-{run}"
        pending: deque[tuple[int, T, Any]] = deque()  # (seq, item, future or None when done inline)
        inline_done: dict[int, R] = {}
        fetched: dict[int, Any] = {}  # results of the window fetched ahead, with the one waited for
        try:
            for seq, item in enumerate(items):
                if inline is not None and inline(item):
                    inline_done[seq] = fn(item, _ignore) if budgeted else fn(item)
                    pending.append((seq, item, None))
                else:
                    if client is None:
                        client = self.client
                        client.subscribe_topic(topic, started)
                        window = self.window or max(64, 4 * self.threads())
                    with lock:
                        starts[seq] = 0
                    # The item travels in its task, not scattered ahead: scattered data would die
                    # with its worker, and the item could not be retried elsewhere.
                    future = client.submit(_run_on_worker, job, topic, run, seq, item,
                                           key=f"narrascope-item-{run}-{seq}", pure=False)
                    pending.append((seq, item, future))
                if len(pending) >= window:
                    yield self._next(pending, inline_done, fetched, starts, lock, over, timed, KilledWorker)
            while pending:
                yield self._next(pending, inline_done, fetched, starts, lock, over, timed, KilledWorker)
        finally:
            if client is not None:
                futures = [future for _seq, _item, future in pending if future is not None]
                if futures:
                    client.cancel(futures)
                client.unsubscribe_topic(topic)

    def _next(self, pending: deque[tuple[int, Any, Any]], inline_done: dict[int, Any], fetched: dict[int, Any],
              starts: dict[int, int], lock: threading.Lock, over: OverBudget[Any, Any] | None,
              timed: Callable[[Any, float], None] | None, killed: type[BaseException]) -> Any:
        seq, item, future = pending.popleft()
        if future is None:
            return inline_done.pop(seq)
        try:
            if seq in fetched:
                seconds, result = fetched.pop(seq)
            else:
                seconds, result = future.result()
                # One round trip for every other result that is ready too, not one per item.
                ready = [(s, f) for s, _item, f in pending if f is not None and s not in fetched
                         and f.status == "finished"]
                if ready:
                    values = self.client.gather([f for _s, f in ready])
                    fetched.update((s, value) for (s, _f), value in zip(ready, values, strict=True))
        except killed as e:
            if over is None:
                raise ClusterError(f"item {seq} was lost: {e}", code="NS602") from e
            seconds, result = 0.0, over(item, [], Overrun("crash", f"the cluster gave up on it: {e}"))
        if isinstance(result, _OverBudget):
            assert over is not None  # map() requires it with a budget
            result = over(item, result.states, result.overrun)
        with lock:
            if starts.pop(seq, 0) > 1:
                self.retried += 1
        if timed is not None:
            timed(item, seconds)
        return result


@dataclass(frozen=True)
class _Job:
    """What a worker needs besides the item: the function, the budget, and how to warm up."""

    fn: Callable[..., Any]
    budget: Budget | None
    prepare: Callable[[], None] | None
    token: str


def _token(data: bytes) -> str:
    import hashlib

    return hashlib.sha1(data, usedforsecurity=False).hexdigest()


def local_cluster(workers: int) -> Any:
    """A ``distributed.LocalCluster`` of ``workers`` single-threaded worker processes, no dashboard.

    The scheduler's plain HTTP endpoints (health, JSON, Prometheus: no pages, no scripts) listen on a
    free port of the loopback interface, never on a fixed port another run may hold."""
    from distributed import LocalCluster

    return LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None,
                        scheduler_kwargs={"dashboard_address": "127.0.0.1:0"}, silence_logs=logging.ERROR)


def _connect(address: str, timeout: float) -> tuple[Any, Any]:
    """(client, local cluster or None) for ``address``; NS601 when it cannot be reached or started."""
    from distributed import Client

    if address.startswith(LOCAL_PREFIX):
        count = address[len(LOCAL_PREFIX):]
        if not count.isdigit() or not 1 <= int(count) <= 256:
            raise UsageError(f"bad cluster address {address!r}: local:N with N workers from 1 to 256")
        try:
            cluster = local_cluster(int(count))
        except (OSError, RuntimeError, TimeoutError) as e:
            raise ClusterError(f"cannot start a local cluster of {count} workers: {e}") from e
        try:
            return Client(cluster, timeout=timeout), cluster
        except (OSError, TimeoutError) as e:
            cluster.close()
            raise ClusterError(f"cannot connect to the local cluster: {e}") from e
    if "://" not in address and ":" not in address:
        raise UsageError(f"bad cluster address {address!r}: tcp://HOST:PORT of a Dask scheduler, or local:N")
    try:
        return Client(address, timeout=timeout), None
    except (OSError, TimeoutError, ValueError) as e:
        raise ClusterError(f"cannot reach the Dask scheduler at {address} within {timeout:g} s: {e}") from e


def _run_on_worker(job: _Job, topic: str, run: str, seq: int, item: Any) -> tuple[float, Any]:
    """One item, on a Dask worker: (seconds, result)."""
    from distributed import get_worker

    get_worker().log_event(topic, {"run": run, "seq": seq})
    started = time.monotonic()
    result = job.fn(item) if job.budget is None else _supervisor(job).run(item)
    return time.monotonic() - started, result


#: Per worker thread, the supervised process of the last job it ran: (job token, supervisor).
_SUPERVISORS: dict[int, tuple[str, _Supervisor]] = {}
_PREPARED: set[str] = set()
_PREPARE_LOCK = threading.Lock()


def _supervisor(job: _Job) -> _Supervisor:
    """This worker thread's warm supervised process for ``job`` (one per thread, reused by items)."""
    thread = threading.get_ident()
    held = _SUPERVISORS.get(thread)
    if held is not None and held[0] == job.token:
        return held[1]
    if held is not None:
        held[1].stop()
    with _PREPARE_LOCK:
        if job.prepare is not None and job.token not in _PREPARED:
            job.prepare()  # models load once in this worker process; the forked children share them
            _PREPARED.add(job.token)
    supervisor = _Supervisor(job.fn, job.budget or Budget())
    _SUPERVISORS[thread] = (job.token, supervisor)
    return supervisor


class _Supervisor:
    """One item at a time in a supervised process (a ``_Worker``), stopped past its budget."""

    def __init__(self, fn: Callable[..., Any], budget: Budget) -> None:
        self.fn = fn
        self.budget = budget
        self.seq = 0
        with _children_allowed():
            self.worker = _Worker(fn, budget)

    def run(self, item: Any) -> Any:
        """``fn(item, checkpoint)``'s result, or an ``_OverBudget`` past the budget."""
        self.seq += 1
        if not self.worker.process.is_alive():  # e.g. killed as the thread that forked it ended
            self._restart()
        worker = self.worker
        worker.give(self.seq, item)
        while True:
            if _ready([worker], POLL_SECONDS):
                finished = worker.receive()
                if finished is not None:
                    if worker.over_memory():  # done, but the next item starts in a fresh process
                        self._restart()
                    return finished[1]
            overrun = worker.overrun()
            if overrun is not None:
                states = worker.states
                self._restart()
                return _OverBudget(states, overrun)

    def _restart(self) -> None:
        with _children_allowed():
            self.worker.restart()

    def stop(self) -> None:
        self.worker.stop()


@dataclass(frozen=True)
class _OverBudget:
    """An item stopped past its budget on a worker; the caller turns it into ``over(...)``."""

    states: list[Any]
    overrun: Overrun


@contextmanager
def _children_allowed() -> Iterator[None]:
    """Let a daemonic process (a Dask worker) start its supervised child: the child dies with it
    anyway (``PR_SET_PDEATHSIG``), which is what the daemon flag's ban on children protects."""
    import multiprocessing

    config = multiprocessing.current_process()._config  # type: ignore[attr-defined]
    daemon = config.get("daemon")
    config["daemon"] = False
    try:
        yield
    finally:
        config["daemon"] = daemon
