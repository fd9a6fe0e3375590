"""Ingest jobs: an upload ingested in a background thread, with progress the ingest page polls.

``POST /api/ingest/jobs`` takes the same form as ``POST /api/ingest`` (file or pasted text, the
write token in the ``Authorization: Bearer`` header or a ``token`` field, the same size limit),
starts the ingest in a thread and answers 202 with the job's id. ``GET /api/ingest/jobs/{job}``
(write token in the header) answers the job's state: ``counting`` (reading the upload once to
count its items), ``running``, ``done`` or ``failed``, with ``total`` items (once counted), ``done``
items written so far and the counts per outcome, and the report when done.

One job runs at a time: a second upload while one runs is refused with 409 (try again when it is
done). Job ids are random (``secrets.token_urlsafe``); finished jobs are kept in memory for
``KEEP_SECONDS`` (at most ``KEEP_JOBS`` of them), and only the write token can read them, since
they name the uploads.
"""

from __future__ import annotations

import logging
import re
import secrets
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from ..errors import NarrascopeError
from ..ingest import ingest_bytes, upload_location
from ..sources import Blob, read_blob
from .json_api import _ERROR, _JSON, UPLOAD_FORM, _path, _token_matches, receive_upload, report_for_web
from .writes import WriteRefused

__all__ = ["KEEP_JOBS", "KEEP_SECONDS", "IngestJob", "IngestJobs", "OPENAPI_PATHS", "ROUTES"]

log = logging.getLogger(__name__)

KEEP_SECONDS = 3600.0
KEEP_JOBS = 50
JOB_ID = re.compile(r"[A-Za-z0-9_\-]{16,64}")
OUTCOMES = ("stored", "unchanged", "skipped", "rejected")


@dataclass
class IngestJob:
    id: str
    name: str
    size: int
    state: str = "counting"  # counting | running | done | failed
    total: int | None = None
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(OUTCOMES, 0))
    report: dict[str, Any] | None = None
    error: dict[str, Any] | None = None
    started: float = field(default_factory=time.time)
    finished: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"job": self.id, "name": self.name, "bytes": self.size, "state": self.state, "total": self.total,
                "done": sum(self.counts.values()), **self.counts, "report": self.report, "error": self.error,
                "seconds": round((self.finished or time.time()) - self.started, 3)}


class IngestJobs:
    """The server's ingest jobs (in memory); one runs at a time."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._jobs: dict[str, IngestJob] = {}
        self._threads: dict[str, threading.Thread] = {}

    def start(self, request: Request, name: str, data: bytes) -> IngestJob:
        """Start ingesting ``data`` in a thread; 409 when a job is running."""
        with self._lock:
            self._forget_old()
            if any(job.state in ("counting", "running") for job in self._jobs.values()):
                raise HTTPException(409, "An ingest is running: try again when it is done.")
            job = IngestJob(id=secrets.token_urlsafe(18), name=name, size=len(data))
            thread = threading.Thread(target=self._run, name=f"narrascope-ingest-{job.id[:6]}", daemon=True,
                                      args=(job, data, request.app.state.db_path, request.app.state.settings))
            self._jobs[job.id] = job
            self._threads[job.id] = thread
        thread.start()
        return job

    def get(self, job_id: str) -> IngestJob | None:
        with self._lock:
            return self._jobs.get(job_id)

    def wait(self, job_id: str, timeout: float | None = None) -> None:
        """Wait for the job's thread to end (for tests and shutdown)."""
        with self._lock:
            thread = self._threads.get(job_id)
        if thread is not None:
            thread.join(timeout)

    def _forget_old(self) -> None:
        now = time.time()
        finished = sorted((job for job in self._jobs.values() if job.finished is not None),
                          key=lambda job: job.finished or 0.0)
        for index, job in enumerate(finished):
            if now - (job.finished or now) > KEEP_SECONDS or index < len(finished) - KEEP_JOBS:
                del self._jobs[job.id]
                self._threads.pop(job.id, None)

    def _run(self, job: IngestJob, data: bytes, db: Any, settings: Any) -> None:
        def count(kind: str, text: str) -> None:
            with self._lock:
                job.counts[kind] = job.counts.get(kind, 0) + 1

        try:
            # Reading is cheap next to extraction: one pass counts the items for the progress bar.
            blob = Blob(location=upload_location(job.name), name=job.name, data=data)
            total = sum(1 for _ in read_blob(blob, settings))
            with self._lock:
                job.total, job.state = total, "running"
            report = ingest_bytes(data, job.name, db=db, settings=settings, on_outcome=count)
            with self._lock:
                job.report, job.state = report_for_web(report, job.name), "done"
        except NarrascopeError as e:
            message = e.message
            for path in {str(db), str(Path(db).resolve())}:
                message = message.replace(path, "the store")  # never a server path, as the error pages
            with self._lock:
                job.error, job.state = {"error": message, "code": e.code}, "failed"
        except Exception:  # noqa: BLE001 - a job must end in a state, never die silently
            log.exception("ingest job %s failed", job.id)
            with self._lock:
                job.error, job.state = {"error": "Internal error."}, "failed"
        finally:
            with self._lock:
                job.finished = time.time()


_JOBS_LOCK = threading.Lock()


def jobs_of(request: Request) -> IngestJobs:
    """The app's job registry (made on first use)."""
    with _JOBS_LOCK:
        jobs = getattr(request.app.state, "ingest_jobs", None)
        if jobs is None:
            jobs = request.app.state.ingest_jobs = IngestJobs()
        return jobs


def _check_header_token(request: Request) -> None:
    expected = request.app.state.write_token
    if expected is None:
        raise WriteRefused(403, "This server is read-only: it has no ingest jobs.")
    header = request.headers.get("authorization", "")
    if not header:
        raise WriteRefused(401, "A write token is required.", headers={"WWW-Authenticate": "Bearer"})
    if not (header.startswith("Bearer ") and _token_matches(header[7:].strip(), expected)):
        raise WriteRefused(403, "Wrong write token.")


async def start_job_endpoint(request: Request) -> JSONResponse:
    name, data = await receive_upload(request)
    job = jobs_of(request).start(request, name, data)
    return JSONResponse({**job.to_dict(), "status_url": f"/api/ingest/jobs/{job.id}"}, status_code=202,
                        headers={"location": f"/api/ingest/jobs/{job.id}"})


def job_endpoint(request: Request) -> JSONResponse:
    _check_header_token(request)
    job_id = request.path_params["job_id"]
    job = jobs_of(request).get(job_id) if JOB_ID.fullmatch(job_id) else None
    if job is None:
        raise HTTPException(404, "No such ingest job (finished jobs are kept for an hour).")
    with jobs_of(request)._lock:
        body = job.to_dict()
    return JSONResponse(body, headers={"cache-control": "no-store"})


ROUTES = [
    Route("/api/ingest/jobs", start_job_endpoint, methods=["POST"]),
    Route("/api/ingest/jobs/{job_id}", job_endpoint, methods=["GET"]),
]

OPENAPI_PATHS: dict[str, Any] = {
    "/api/ingest/jobs": {"post": {
        "summary": "Start ingesting an upload in the background (as /api/ingest); poll the job for progress."
                   " One job at a time: 409 while one runs.",
        "security": [{"writeToken": []}], "parameters": [], "requestBody": {"required": True, "content": UPLOAD_FORM},
        "responses": {"202": {"description": "Started: the job ({job, state, status_url...}).", "content": _JSON},
                      "400": _ERROR, "401": _ERROR, "403": _ERROR, "409": _ERROR, "413": _ERROR}}},
    "/api/ingest/jobs/{job_id}": {"get": {
        "summary": "An ingest job: state (counting, running, done, failed), total, done, stored, unchanged,"
                   " skipped, rejected, and the report when done. Needs the write token (Bearer).",
        "security": [{"writeToken": []}],
        "parameters": [_path("job_id", "The id POST /api/ingest/jobs returned.", JOB_ID.pattern)],
        "responses": {"200": {"description": "The job.", "content": _JSON}, "401": _ERROR, "403": _ERROR,
                      "404": _ERROR}}},
}
