"""Uploads named "upload:NAME" (ingest_bytes) and ingest jobs with progress (POST /api/ingest/jobs)."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from conftest import copy_store
from fixtures_make import (
    Entry,
    Page,
    gzip_bytes,
    html_page,
    jsonl,
    paragraphs,
    rss_feed,
    text_article,
    title,
    warc_bytes,
)
from narrascope import api
from narrascope.errors import UsageError
from narrascope.ingest import ingest_bytes
from narrascope.settings import load_settings
from narrascope.web.app import WebSettings, create_app

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "examples" / "seeds"
TOKEN = "jobs-token-0123456789abcdef"
AUTH = {"authorization": f"Bearer {TOKEN}"}


def records(n: int, start: int = 0) -> bytes:
    return jsonl({"title": title(i), "text": "\n\n".join(paragraphs(i)), "outlet": "Upload Daily",
                  "published": f"2024-03-{1 + i % 28:02d}", "url": f"https://upload.example.org/{i}"}
                 for i in range(start, start + n))


def locations(db: Path) -> dict[str, str]:
    return {a.id: a.source["location"] for a in api.list_articles(db=db)}


# -- the library: ingest_bytes ---------------------------------------------------------------------

def test_ingest_bytes_names_the_upload_and_is_idempotent(tmp_path: Path) -> None:
    db = tmp_path / "u.db"
    data = records(3)
    first = ingest_bytes(data, "batch.jsonl", db=db)
    assert len(first.stored) == 3 and not first.rejected
    found = locations(db)
    assert sorted(found.values()) == ["upload:batch.jsonl:1", "upload:batch.jsonl:2", "upload:batch.jsonl:3"]
    assert not any(str(tmp_path) in loc or "/tmp" in loc for loc in found.values())
    again = ingest_bytes(data, "batch.jsonl", db=db)
    assert again.stored == [] and again.unchanged == 3 and not again.skipped
    renamed = ingest_bytes(data, "other.jsonl", db=db)
    assert renamed.stored == [] and [r.code for r in renamed.skipped] == ["NS301"] * 3
    assert {r.location for r in renamed.skipped} == {f"upload:other.jsonl:{n}" for n in (1, 2, 3)}


@pytest.mark.parametrize("name", ["", " ", "../x.txt", "a/b.txt", "a\\b.txt", "x\x00.txt", "..", "x" * 201])
def test_ingest_bytes_refuses_names_that_are_not_file_names(tmp_path: Path, name: str) -> None:
    with pytest.raises(UsageError):
        ingest_bytes(b"some text", name, db=tmp_path / "u.db")
    assert not (tmp_path / "u.db").exists()


def test_ingest_bytes_reads_feeds_warcs_gzip_and_html(tmp_path: Path) -> None:
    db = tmp_path / "u.db"
    feed = rss_feed("Feed Times", [Entry(title=title(n), link=f"https://feed.example.org/{n}", guid=f"g{n}",
                                         content="".join(f"<p>{p}</p>" for p in paragraphs(n)),
                                         published="Tue, 05 Mar 2024 10:00:00 GMT") for n in (10, 11)])
    warc = warc_bytes([Page(url=f"https://warc.example.org/{n}", body=html_page(n).encode()) for n in (20, 21)],
                      gzipped=True)
    by_name = {"feed.xml": feed, "crawl.warc.gz": warc, "note.txt.gz": gzip_bytes(text_article(30).encode()),
               "page.html": html_page(31).encode()}
    for name, data in by_name.items():
        report = ingest_bytes(data, name, db=db, settings=load_settings())
        assert report.stored and not report.rejected, (name, report.to_dict())
    kinds: dict[str, set[str]] = {}
    for article in api.list_articles(db=db):
        kinds.setdefault(article.source["kind"], set()).add(article.source["location"].split("#")[0])
    assert kinds == {"rss": {"upload:feed.xml"}, "warc": {"upload:crawl.warc.gz"}, "text": {"upload:note.txt.gz"},
                     "html": {"upload:page.html"}}
    assert sum(1 for a in api.list_articles(db=db) if a.source["kind"] in ("rss", "warc")) == 4


# -- the web: synchronous upload and jobs ----------------------------------------------------------

@pytest.fixture
def store(tmp_path: Path, seeds_once: Path) -> Path:
    return copy_store(seeds_once, tmp_path / "served.db")  # the seeds ingested (once for the run)


@pytest.fixture
def writable(store: Path) -> TestClient:
    app = create_app(store, write_token=TOKEN, web=WebSettings(max_upload_bytes=2_000_000))
    return TestClient(app, base_url="http://127.0.0.1")


def wait_for(client: TestClient, job: str, timeout: float = 240.0) -> dict[str, object]:
    deadline = time.monotonic() + timeout
    seen_progress: list[tuple[int, int | None]] = []
    while time.monotonic() < deadline:
        status = client.get(f"/api/ingest/jobs/{job}", headers=AUTH)
        assert status.status_code == 200, status.text
        body = status.json()
        seen_progress.append((body["done"], body["total"]))
        if body["state"] in ("done", "failed"):
            body["progress"] = seen_progress
            return body  # type: ignore[no-any-return]
        time.sleep(0.05)
    raise AssertionError(f"job {job} did not finish in {timeout} s")


def test_the_upload_endpoint_records_upload_name_not_a_temporary_path(writable: TestClient, store: Path) -> None:
    response = writable.post("/api/ingest", headers=AUTH, files={"file": ("three.jsonl", records(3, 40),
                                                                          "application/x-ndjson")})
    assert response.status_code == 201, response.text
    stored = response.json()["stored"]
    assert len(stored) == 3
    found = locations(store)
    assert sorted(found[i] for i in stored) == [f"upload:three.jsonl:{n}" for n in (1, 2, 3)]
    again = writable.post("/api/ingest", headers=AUTH, files={"file": ("three.jsonl", records(3, 40), "text/plain")})
    assert again.status_code == 200 and again.json()["stored"] == [] and again.json()["unchanged"] == 3


def test_a_job_ingests_many_articles_with_progress(writable: TestClient, store: Path) -> None:
    n = 80
    before = len(api.list_articles(db=store))
    started = writable.post("/api/ingest/jobs", headers=AUTH, files={"file": ("many.jsonl", records(n, 100),
                                                                              "application/x-ndjson")})
    assert started.status_code == 202, started.text
    job = started.json()
    assert job["state"] in ("counting", "running", "done") and job["name"] == "many.jsonl"
    assert started.headers["location"] == job["status_url"] == f"/api/ingest/jobs/{job['job']}"
    assert len(job["job"]) >= 20
    # One job at a time: a second upload while this one runs is refused.
    second = writable.post("/api/ingest/jobs", headers=AUTH, files={"file": ("b.txt", text_article(7).encode(),
                                                                             "text/plain")})
    assert second.status_code == 409, second.text
    done = wait_for(writable, job["job"])
    assert done["state"] == "done", done
    assert done["total"] == n and done["done"] == n and done["stored"] == n
    assert done["unchanged"] == done["skipped"] == done["rejected"] == 0
    progress = done["progress"]
    assert isinstance(progress, list) and any(d < n for d, _ in progress[:-1] or [(0, None)])
    report = done["report"]
    assert isinstance(report, dict) and len(report["stored"]) == n and "db" not in report
    assert len(api.list_articles(db=store)) == before + n
    found = locations(store)
    assert {found[i] for i in report["stored"]} == {f"upload:many.jsonl:{k}" for k in range(1, n + 1)}
    assert str(store.parent) not in json.dumps(done)
    # Sent again: every article is unchanged, and the job says so.
    again = writable.post("/api/ingest/jobs", headers=AUTH, files={"file": ("many.jsonl", records(n, 100),
                                                                            "application/x-ndjson")})
    repeat = wait_for(writable, again.json()["job"])
    assert repeat["state"] == "done" and repeat["unchanged"] == n and repeat["stored"] == 0


def test_a_job_counts_rejects(writable: TestClient) -> None:
    data = records(2, 300) + b"{not json\n" + json.dumps({"text": ""}).encode() + b"\n"
    started = writable.post("/api/ingest/jobs", data={"token": TOKEN}, files={"file": ("mixed.jsonl", data,
                                                                                        "text/plain")})
    assert started.status_code == 202, started.text
    done = wait_for(writable, started.json()["job"])
    assert done["state"] == "done" and done["total"] == 4 and done["done"] == 4
    assert done["stored"] == 2 and done["rejected"] == 2
    report = done["report"]
    assert isinstance(report, dict)
    assert all(r["location"].startswith("upload:mixed.jsonl:") for r in report["rejected"])


def test_job_status_needs_the_token_and_unknown_jobs_are_404(writable: TestClient) -> None:
    started = writable.post("/api/ingest/jobs", headers=AUTH, data={"text": text_article(500)})
    assert started.status_code == 202
    job = started.json()["job"]
    url = f"/api/ingest/jobs/{job}"
    assert writable.get(url).status_code == 401
    assert writable.get(url, headers={"authorization": "Bearer wrong-token-0123456789"}).status_code == 403
    assert writable.get(url, headers={"authorization": f"Basic {TOKEN}"}).status_code == 403
    assert writable.get(url, params={"token": TOKEN}).status_code == 401  # never in the URL
    assert wait_for(writable, job)["state"] == "done"
    for unknown in ("A" * 24, "..%2F..%2Fetc%2Fpasswd", "x", job[:-1] + ("a" if job[-1] != "a" else "b")):
        response = writable.get(f"/api/ingest/jobs/{unknown}", headers=AUTH)
        assert response.status_code == 404, unknown
        assert response.json()["status"] == 404


def test_starting_a_job_keeps_the_upload_checks(writable: TestClient, store: Path) -> None:
    text = {"text": text_article(600)}
    assert writable.post("/api/ingest/jobs", data=text).status_code == 401
    assert writable.post("/api/ingest/jobs", data={**text, "token": "wrong-token-0123456789"}).status_code == 403
    assert writable.post("/api/ingest/jobs", headers={"authorization": "Bearer nope"}, data=text).status_code == 403
    assert writable.post("/api/ingest/jobs", headers=AUTH, data={"text": "  "}).status_code == 400
    small = TestClient(create_app(store, write_token=TOKEN, web=WebSettings(max_upload_bytes=1000)),
                       base_url="http://127.0.0.1")
    big = small.post("/api/ingest/jobs", headers=AUTH, files={"file": ("big.txt", b"word " * 1000, "text/plain")})
    assert big.status_code == 413
    read_only = TestClient(create_app(store), base_url="http://127.0.0.1")
    assert read_only.post("/api/ingest/jobs", headers=AUTH, data=text).status_code == 403
    assert read_only.get("/api/ingest/jobs/" + "A" * 24, headers=AUTH).status_code == 403
    assert not any("600" in a.title for a in api.list_articles(db=store))


def test_without_script_the_ingest_form_still_posts_a_file_synchronously(writable: TestClient, store: Path) -> None:
    page = writable.get("/ingest")
    assert '<script src="/static/ingest.js" defer></script>' in page.text
    assert 'id="ingest-progress" hidden' in page.text and 'data-jobs="/api/ingest/jobs"' in page.text
    response = writable.post("/ingest", data={"token": TOKEN},
                             files={"file": ("form <b>upload.jsonl", records(2, 700), "text/plain")})
    assert response.status_code == 201
    assert "form_b_upload.jsonl: 2 stored" in response.text and "<b>" not in response.text
    stored = [a for a in api.list_articles(db=store) if a.source["location"].startswith("upload:form_b_upload.jsonl:")]
    assert len(stored) == 2 and all(f'href="/articles/{a.id}"' in response.text for a in stored)


def test_the_ingest_script_is_served_from_static(writable: TestClient) -> None:
    script = writable.get("/static/ingest.js")
    assert script.status_code == 200 and "javascript" in script.headers["content-type"]
    assert '"Authorization": "Bearer " + token' in script.text  # the token goes in a header, never the URL
    assert "innerHTML" not in script.text  # data goes into textContent only


def test_a_job_that_cannot_write_fails_cleanly_without_naming_the_store(tmp_path: Path, seeds_once: Path) -> None:
    db = tmp_path / "served.db"
    copy_store(seeds_once, db)  # the seeds ingested with the default pipeline, once for the run
    client = TestClient(create_app(db, write_token=TOKEN), base_url="http://127.0.0.1")
    db.write_bytes(b"this is not a SQLite file any more, so the ingest cannot open it" * 10)
    started = client.post("/api/ingest/jobs", headers=AUTH, data={"text": text_article(800)})
    assert started.status_code == 202
    done = wait_for(client, started.json()["job"])
    assert done["state"] == "failed" and done["report"] is None
    error = done["error"]
    assert isinstance(error, dict) and error["code"].startswith("NS5")
    assert str(tmp_path) not in json.dumps(done)
