"""Import: read a JSONL export (../SCHEMA.md records) back into a store, unchanged.

Unlike ``ingest``, nothing is extracted or analysed again: each record is stored as it is, with
its id, version, ``supersedes`` and ``pipeline``, so export -> import -> export gives the same
bytes. Importing is idempotent: a record whose id is stored already is left alone (``unchanged``
when the stored record is the same, ``conflicts`` when it differs: the stored one wins). Every
field is checked against the schema first (``validate_record``: types, a real ``published`` day,
the vocabularies, span offsets within the text, confidences, finite numbers), since corpus views
and exports trust what is stored. A line that is not a valid record is rejected with a code
(NS107, malformed JSONL line), recorded in the ``rejects`` table at ``FILE:LINE`` with stage
``import`` and the field at fault, and the batch goes on.

Imported articles have no raw input bytes, so ``reprocess`` cannot re-extract them; ``analyze``
re-runs stages on them from the record as for any article.
"""

from __future__ import annotations

import json
import math
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from itertools import islice
from pathlib import Path
from typing import Any, TextIO

from .model import REMOVED_KINDS, SOURCE_KINDS, Article, Reject
from .settings import Settings, load_settings
from .sources.dates import YEARS
from .store import Store, now, open_store

__all__ = ["ImportReport", "import_records", "parse_record", "validate_record"]

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
        record = json.loads(line, parse_constant=_not_finite)
    except json.JSONDecodeError as e:
        raise BadRecord(f"not JSON: {e.msg} at column {e.colno}") from e
    except RecursionError as e:
        raise BadRecord("not a record: JSON nested too deeply") from e
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
    validate_record(record)
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


def _not_finite(constant: str) -> float:
    raise BadRecord(f"{constant} is not a finite number")


def _store_article(store: Store, article: Article) -> str:
    """Insert ``article`` as it is; return "imported", "unchanged" or "conflict"."""
    row = store.conn.execute("SELECT record FROM articles WHERE id = ?", (article.id,)).fetchone()
    if row is not None:
        (stored,) = row
        return "unchanged" if json.loads(stored) == article.to_record() else "conflict"
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


# -- the schema, field by field (../SCHEMA.md) ----------------------------------------------------

#: source kinds of the schema (the CSV source may not be registered yet in this install)
RECORD_SOURCE_KINDS = frozenset((*SOURCE_KINDS, "csv"))
#: a version is a count of changed copies of one URL; past this it is a data error (and SQLite's limit)
MAX_VERSION = 2**31 - 1
LANGUAGE_CODE = re.compile(r"[a-z]{2,3}")
DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
MAX_DEPTH = 64


def _finite_and_utf8(value: Any, where: str = "record", depth: int = 0) -> None:
    """Every number finite, every string encodable (no lone surrogate), nesting at most ``MAX_DEPTH``."""
    if depth > MAX_DEPTH:
        raise BadRecord(f"{where}: nested deeper than {MAX_DEPTH} levels")
    if isinstance(value, float) and not math.isfinite(value):
        raise BadRecord(f"{where}: {value} is not a finite number")
    if isinstance(value, str):
        _utf8(value, where)
    elif isinstance(value, dict):
        for key, item in value.items():
            _utf8(key, where)
            _finite_and_utf8(item, f"{where}.{key}" if where != "record" else f"field {key!r}", depth + 1)
    elif isinstance(value, list):
        for item in value:
            _finite_and_utf8(item, where, depth + 1)


def _utf8(text: str, where: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as e:
        raise BadRecord(f"{where}: a lone surrogate (\\u{ord(text[e.start]):04x}) is no text") from e


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _strings(record: dict[str, Any], name: str) -> None:
    if not all(isinstance(v, str) for v in record[name]):
        raise BadRecord(f"field {name!r} holds something other than strings")


def _unit(fact: dict[str, Any], key: str, where: str, *, low: float = 0.0) -> None:
    """``fact[key]``, when present and not null, is a number in [low, 1]."""
    value = fact.get(key)
    if value is not None and (not _is_number(value) or not low <= value <= 1):
        raise BadRecord(f"{where}: {key} {value!r} is not a number in [{low:g}, 1]")


def _flags(fact: dict[str, Any], names: tuple[str, ...], where: str) -> None:
    """Each of ``names`` present in ``fact`` is true or false."""
    for flag in names:
        if flag in fact and not isinstance(fact[flag], bool):
            raise BadRecord(f"{where}: {flag} is not true or false")


def _span(span: Any, text: str, where: str, *, quoted: bool = True) -> None:
    """``span`` has int offsets within ``text`` (start <= end) and, if it carries ``text``, that text."""
    if not isinstance(span, dict):
        raise BadRecord(f"{where}: not an object with start and end")
    start, end = span.get("start"), span.get("end")
    if not (isinstance(start, int) and isinstance(end, int)) or isinstance(start, bool) or isinstance(end, bool):
        raise BadRecord(f"{where}: start and end are not integers")
    if not 0 <= start <= end <= len(text):
        raise BadRecord(f"{where}: offsets {start}..{end} are not within the text ({len(text)} characters)")
    if quoted and "text" in span and span["text"] != text[start:end]:
        raise BadRecord(f"{where}: its text is not the text at {start}..{end}")


def _facts(record: dict[str, Any], name: str) -> list[dict[str, Any]]:
    facts = record[name]
    for n, fact in enumerate(facts):
        if not isinstance(fact, dict):
            raise BadRecord(f"field {name!r}: entry {n} is not an object")
    return facts


def _check_field(record: dict[str, Any], name: str, check: Callable[[Any], bool], what: str, *,
                 optional: bool = False) -> None:
    value = record.get(name)
    if optional and value is None:
        return
    if not check(value):
        raise BadRecord(f"field {name!r}: {_shown(value)} is not {what}")


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _published(value: Any) -> bool:
    if not isinstance(value, str) or not DAY.fullmatch(value):
        return False
    try:
        day = date.fromisoformat(value)
    except ValueError:
        return False
    return day.year in YEARS


def validate_record(record: dict[str, Any]) -> None:
    """Raise ``BadRecord`` naming the first field of ``record`` that breaks ../SCHEMA.md.

    Types of every field; ``published`` a real day "YYYY-MM-DD" of a plausible year; the
    vocabularies (source kinds, genres, removed kinds, actor kinds, PLOVER types, techniques,
    frames); offsets of every span within ``text`` (and a span's text the text at its offsets);
    confidences and scores in [0, 1], polarities in [-1, 1]; numbers finite; no lone surrogates.
    """
    from .analysis.types import ACTOR_KINDS, FRAMES, PLOVER_TYPES, TECHNIQUES
    from .enrich.genre import GENRES

    _finite_and_utf8(record)
    text = record["text"]
    if record["source"]["kind"] not in RECORD_SOURCE_KINDS:
        raise BadRecord(f"field 'source': kind {_shown(record['source']['kind'])} is not one of"
                        f" {', '.join(sorted(RECORD_SOURCE_KINDS))}")
    _check_field(record, "published", _published, f'a day "YYYY-MM-DD" of the years {YEARS.start}-{YEARS.stop - 1}',
                 optional=True)
    _check_field(record, "version", lambda v: 1 <= v <= MAX_VERSION, f"a version from 1 to {MAX_VERSION}")
    _check_field(record, "genre", lambda v: v in GENRES, f"a genre ({', '.join(GENRES)})")
    _check_field(record, "language", lambda v: isinstance(v, str) and LANGUAGE_CODE.fullmatch(v) is not None,
                 "an ISO 639 language code", optional=True)
    _check_field(record, "genre_confidence", lambda v: _is_number(v) and 0 <= v <= 1, "a number in [0, 1]",
                 optional=True)
    for name in ("republished_from", "subtitle", "section"):
        _check_field(record, name, lambda v: isinstance(v, str), "a string", optional=True)
    for name in ("authors", "author_bios", "tags", "topics", "genre_evidence", "page_types"):
        if name in record:
            _check_field(record, name, lambda v: isinstance(v, list), "a list")
            _strings(record, name)
    for name in ("provenance", "pipeline"):
        if name in record:
            _check_field(record, name, lambda v: isinstance(v, dict), "an object")
    for n, removed in enumerate(record["removed"]):
        if removed["kind"] not in REMOVED_KINDS:
            raise BadRecord(f"field 'removed': entry {n} kind {_shown(removed['kind'])} is not one of"
                            f" {', '.join(REMOVED_KINDS)}")
    for n, actor in enumerate(_facts(record, "actors")):
        where = f"field 'actors': entry {n}"
        if not isinstance(actor.get("id"), str) or not actor["id"] or not isinstance(actor.get("name"), str):
            raise BadRecord(f"{where}: no string id and name")
        if not isinstance(actor.get("country"), str | None) or not isinstance(actor.get("role"), str | None):
            raise BadRecord(f"{where}: country or role is neither a string nor null")
        if actor.get("kind") not in ACTOR_KINDS:
            raise BadRecord(f"{where}: kind {_shown(actor.get('kind'))} is not one of {', '.join(ACTOR_KINDS)}")
        _unit(actor, "confidence", where)
        if not isinstance(actor.get("mentions", []), list):
            raise BadRecord(f"{where}: mentions is not a list")
        for mention in actor.get("mentions", []):
            _span(mention, text, f"{where}, a mention")
            _unit(mention, "confidence", f"{where}, a mention")
    for n, quote in enumerate(_facts(record, "quotes")):
        where = f"field 'quotes': entry {n}"
        _span(quote, text, where, quoted=False)
        if not isinstance(quote.get("content", ""), str):
            raise BadRecord(f"{where}: content is not a string")
        for name in ("speaker", "speaker_actor", "speaker_role", "cue"):
            if not isinstance(quote.get(name), str | None):
                raise BadRecord(f"{where}: {name} is neither a string nor null")
        if quote.get("speaker_span") is not None:
            _span(quote["speaker_span"], text, f"{where}, speaker_span")
        _flags(quote, ("direct", "anonymous", "partial"), where)
        _unit(quote, "confidence", where)
    for n, event in enumerate(_facts(record, "events")):
        where = f"field 'events': entry {n}"
        if event.get("type") not in PLOVER_TYPES:
            raise BadRecord(f"{where}: type {_shown(event.get('type'))} is not a PLOVER type")
        _span(event, text, where)
        if not isinstance(event.get("source"), str) or not isinstance(event.get("target"), str | None):
            raise BadRecord(f"{where}: source is not a string, or target neither a string nor null")
        _flags(event, ("negated", "hypothetical"), where)
        _unit(event, "confidence", where)
    for n, technique in enumerate(_facts(record, "techniques")):
        where = f"field 'techniques': entry {n}"
        if technique.get("name") not in TECHNIQUES:
            raise BadRecord(f"{where}: {_shown(technique.get('name'))} is not a SemEval-2023 technique")
        _span(technique, text, where)
        _unit(technique, "confidence", where)
        _unit(technique, "score", where)
    for n, frame in enumerate(_facts(record, "frames")):
        where = f"field 'frames': entry {n}"
        if frame.get("name") not in FRAMES:
            raise BadRecord(f"{where}: {_shown(frame.get('name'))} is not a SemEval-2023 frame")
        _unit(frame, "confidence", where)
        _unit(frame, "score", where)
    for n, stance in enumerate(_facts(record, "stances")):
        where = f"field 'stances': entry {n}"
        if not isinstance(stance.get("holder"), str) or not isinstance(stance.get("target"), str):
            raise BadRecord(f"{where}: no string holder and target")
        _unit(stance, "polarity", where, low=-1.0)
        _unit(stance, "confidence", where)
        if not isinstance(stance.get("evidence", []), list):
            raise BadRecord(f"{where}: evidence is not a list")
        for evidence in stance.get("evidence", []):
            _span(evidence, text, f"{where}, evidence")
            _unit(evidence, "polarity", f"{where}, evidence", low=-1.0)
            _unit(evidence, "confidence", f"{where}, evidence")
    for n, topic in enumerate(record.get("topic_evidence") or []):
        if not isinstance(topic, dict):
            raise BadRecord(f"field 'topic_evidence': entry {n} is not an object")
        _unit(topic, "confidence", f"field 'topic_evidence': entry {n}")
