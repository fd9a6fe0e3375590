"""Import: read a JSONL export (../SCHEMA.md records) back into a store, unchanged.

Unlike ``ingest``, nothing is extracted or analysed again: each record is stored as it is, with
its id, version, ``supersedes`` and ``pipeline``, so export -> import -> export gives the same
bytes. Importing is idempotent: a record whose id is stored already is left alone (``unchanged``
when the stored record is the same, ``conflicts`` when it differs: the stored one wins). A line
that is not a record is rejected with a code (NS107, malformed JSONL line), recorded in the
``rejects`` table at ``FILE:LINE`` with stage ``import``, and the batch goes on.

Imported articles have no raw input bytes, so ``reprocess`` cannot re-extract them; ``analyze``
re-runs stages on them from the record as for any article.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any, TextIO

import click

from .model import Article, Reject
from .plugins import hookimpl
from .settings import Settings, load_settings
from .store import Store, now, open_store

__all__ = ["ImportReport", "import_records", "parse_record"]

MALFORMED = "NS107"
STAGE = "import"


class BadRecord(ValueError):
    """A line that cannot be stored as a record (carries the reason)."""


@dataclass
class ImportReport:
    location: str
    imported: int = 0
    unchanged: int = 0
    conflicts: list[str] = field(default_factory=list)
    rejects: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"location": self.location, "imported": self.imported, "unchanged": self.unchanged,
                "conflicts": list(self.conflicts), "rejected": len(self.rejects), "rejects": list(self.rejects)}

    def summary(self) -> str:
        parts = [f"{self.imported} imported", f"{self.unchanged} already stored"]
        if self.conflicts:
            parts.append(f"{len(self.conflicts)} conflicting (stored record kept)")
        if self.rejects:
            parts.append(f"{len(self.rejects)} rejected (see `narrascope list --rejects`)")
        return f"{self.location}: " + ", ".join(parts)


def _require(record: dict[str, Any], name: str, kind: type | tuple[type, ...], *, optional: bool = False) -> None:
    value = record.get(name)
    if value is None and optional and name in record:
        return
    if not isinstance(value, kind) or isinstance(value, bool) and kind is int:
        raise BadRecord(f"field {name!r} is missing or not a {getattr(kind, '__name__', 'valid value')}")


def parse_record(line: str) -> Article:
    """The article of one JSONL line, or ``BadRecord`` when the line is not a full, lossless record."""
    try:
        record = json.loads(line)
    except json.JSONDecodeError as e:
        raise BadRecord(f"not JSON: {e.msg} at column {e.colno}") from e
    if not isinstance(record, dict):
        raise BadRecord(f"not a JSON object but a {type(record).__name__}")
    _require(record, "id", str)
    if not record["id"].strip():
        raise BadRecord("field 'id' is empty")
    _require(record, "source", dict)
    if not isinstance(record["source"].get("kind"), str) or not isinstance(record["source"].get("location"), str):
        raise BadRecord("field 'source' needs string 'kind' and 'location'")
    _require(record, "text", str)
    _require(record, "title", str)
    _require(record, "version", int)
    _require(record, "pipeline", dict)
    for name in ("url", "outlet", "published", "language", "supersedes"):
        _require(record, name, str, optional=True)
    for name in ("authors", "tags", "topics", "removed", "actors", "quotes", "events", "techniques", "frames",
                 "stances"):
        _require(record, name, list)
    if not all(isinstance(r, dict) and isinstance(r.get("kind"), str) and isinstance(r.get("text"), str)
               for r in record["removed"]):
        raise BadRecord("field 'removed' holds an entry without string 'kind' and 'text'")
    unknown = sorted(set(record) - set(Article.__dataclass_fields__))
    if unknown:
        raise BadRecord(f"fields narrascope does not know (they would be lost): {', '.join(unknown)}")
    try:
        article = Article.from_record(record)
    except TypeError as e:
        raise BadRecord(f"not an article record: {e}") from e
    if article.to_record() != record:
        raise BadRecord("the record does not survive a round trip unchanged (missing or misshapen fields)")
    return article


def _store_article(store: Store, article: Article) -> str:
    """Insert ``article`` as it is; return "imported", "unchanged" or "conflict"."""
    row = store.conn.execute("SELECT record FROM articles WHERE id = ?", (article.id,)).fetchone()
    if row is not None:
        return "unchanged" if json.loads(row[0]) == article.to_record() else "conflict"
    stamp = now()
    store.conn.execute(  # the columns as Store.add_article writes them, but id and version kept
        "INSERT INTO articles (id, url, version, supersedes, latest, title, text, outlet, published, language,"
        " genre, source_kind, location, record, pipeline_version, ingested_at, updated_at)"
        " VALUES (?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (article.id, article.url, article.version, article.supersedes, *store._columns(article), stamp, stamp),
    )
    if article.url:
        # The newest version of a URL is its latest, whatever order the versions arrive in.
        store.conn.execute(
            "UPDATE articles SET latest = (version = (SELECT MAX(version) FROM articles b WHERE b.url = ?))"
            " WHERE url = ?", (article.url, article.url))
    return "imported"


def _lines(source: str | os.PathLike[str] | TextIO) -> tuple[str, Iterator[str | bytes]]:
    """Where the lines come from, and the lines: bytes from a file (decoded per line, so one line
    in a bad encoding is one reject), text from a stream."""
    if isinstance(source, str | os.PathLike):

        def read() -> Iterator[bytes]:
            with Path(source).open("rb") as f:
                yield from f

        return str(source), read()
    name = getattr(source, "name", None)
    return (name if isinstance(name, str) else "<stream>"), iter(source)


def import_records(source: str | os.PathLike[str] | TextIO, *, db: str | os.PathLike[str] | None = None,
                   settings: Settings | None = None) -> ImportReport:
    """Store every record of the JSONL ``source`` (a path or a text stream) in ``db`` as it is.

    Returns an ``ImportReport``: how many were imported, already stored, conflicting (same id,
    different record: the stored one is kept) and rejected (bad lines, also in ``rejects``).
    """
    from .errors import UsageError

    settings = settings or load_settings()
    if isinstance(source, str | os.PathLike) and not Path(source).is_file():
        raise UsageError(f"no file {source}", code="NS403")
    location, lines = _lines(source)
    report = ImportReport(location)
    with open_store(db, settings) as store:
        numbered = ((n, line) for n, line in enumerate(lines, 1) if line.strip())
        while chunk := list(islice(numbered, settings.store.batch_size)):
            with store.transaction():
                for number, line in chunk:
                    _import_line(store, line, f"{location}:{number}", report)
    return report


def _import_line(store: Store, line: str | bytes, where: str, report: ImportReport) -> None:
    try:
        if isinstance(line, bytes):
            try:
                line = line.decode("utf-8")
            except UnicodeDecodeError as e:
                raise BadRecord(f"not UTF-8: {e.reason} at byte {e.start}") from e
        article = parse_record(line)
    except BadRecord as e:
        reason = str(e)
        store.record_reject(Reject(location=where, code=MALFORMED, reason=reason, stage=STAGE, source_kind="jsonl"))
        report.rejects.append({"location": where, "code": MALFORMED, "reason": reason})
        return
    outcome = _store_article(store, article)
    if outcome == "imported":
        report.imported += 1
    elif outcome == "unchanged":
        report.unchanged += 1
    else:
        report.conflicts.append(article.id)


# -- CLI -------------------------------------------------------------------------------------------

@click.command("import")
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True))
def import_command(file: str, **kw: Any) -> None:
    """Read a JSONL export back into a store, unchanged (ids, versions, pipeline kept).

    Nothing is re-extracted or re-analysed. Records already stored are left alone, so importing
    twice changes nothing; a bad line is rejected (NS107, see `narrascope list --rejects`) and the
    rest is imported. FILE "-" reads standard input.

    \b
    Example:
      narrascope export -o articles.jsonl --db old.db
      narrascope import articles.jsonl --db new.db
    """
    from .cli import EXIT_REJECTS, Context, emit_json

    obj = click.get_current_context().find_object(Context)
    settings = obj.settings if obj is not None else None
    source: str | TextIO = click.get_text_stream("stdin") if file == "-" else file
    report = import_records(source, db=kw["db"], settings=settings)
    if kw["as_json"]:
        emit_json(report.to_dict())
        return
    for reject in report.rejects:
        click.echo(f"rejected  {reject['location']}: {reject['code']} {reject['reason']}", err=True)
    click.echo(report.summary(), err=True)
    if report.rejects:
        sys.exit(EXIT_REJECTS)


@hookimpl
def narrascope_commands(cli: Any) -> None:
    from .cli import db_option, json_option

    if not any(p.name == "db" for p in import_command.params):  # the hook may run more than once
        db_option(json_option(import_command))
    cli.add_command(import_command)
