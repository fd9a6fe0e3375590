"""JSON Lines (``.jsonl``, ``.ndjson``, also gzipped): one article per line.

Each line is a JSON object with the article as ``html`` (media type text/html) or ``text``
(text/plain); when both are given, ``html`` is used, since it carries the evidence the metadata
cascade reads (structured data, meta tags). Optional fields become hints: ``url``, ``title``,
``subtitle``, ``published`` (ISO 8601 or RFC 2822, normalised to "YYYY-MM-DD"; a value that is not
a date is left out, never guessed), ``authors`` (a list or one string) or ``author``, ``outlet``,
``tags``, ``language`` (a language tag, reduced to its ISO 639 part: "en-GB" -> "en"),
``republished_from``. ``id`` and unknown fields are ignored; null is absent.

A ``.json`` file holding a JSON array of such objects is read the same way, one article per
element (location ``<file>#item=<n>``); the whole file is then one document under
``input.max_bytes``. Any other JSON document is not articles (the ``text`` source refuses it, NS110).

A malformed line (not JSON, not an object, neither text nor html, a field of the wrong type, a value
nested too deep to read, a ``\\uD800``-style escape of a lone surrogate, which is no character) is
NS107 at ``<file>:<line>`` with the problem named, and every good line of the file is kept. Blank
lines are skipped. The file is streamed line by line; ``input.max_bytes`` applies to each line
(NS103). A gzip layer cut short keeps the lines before the cut and adds one NS105.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
from collections.abc import Iterator
from typing import Any

from ..errors import FormatError, InputRejected, ReadError
from ..model import RawItem, Reject, bytes_fingerprint
from ..plugins import hookimpl
from ..settings import Settings
from .blobs import SNIFF_BYTES, Blob, check_document_bytes, read_document
from .dates import stated_date

__all__ = ["JsonlSource"]

JSONL_EXTENSIONS = (".jsonl", ".ndjson", ".jsonlines")
ARTICLE_KEY = re.compile(rb'"(?:text|html)"\s*:')
STRING_FIELDS = ("url", "title", "subtitle", "outlet", "republished_from", "language")
LIST_FIELDS = ("authors", "author", "tags")
SKIP_CHUNK = 65536
LANGUAGE_TAG = re.compile(r"^([A-Za-z]{2,3})(?:[-_][A-Za-z0-9]{1,8})*$")
# A JSON escape of a UTF-16 surrogate: only then can json.loads give a lone one (raw bytes cannot).
SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")
SURROGATE = re.compile("[\ud800-\udfff]")


class JsonlSource:
    name = "jsonl"

    def sniff(self, name: str, head: bytes) -> int:
        if name.endswith(JSONL_EXTENSIONS):
            return 90
        if name.endswith(".json") and _starts_array(head) and ARTICLE_KEY.search(head):
            return 80
        first, newline, _rest = head.lstrip(b"\xef\xbb\xbf").lstrip().partition(b"\n")
        if not first.startswith(b"{") or not ARTICLE_KEY.search(first):
            return 0
        if not newline and len(head) >= SNIFF_BYTES:
            return 60  # the first line runs past the sniffed bytes: it looks right but cannot be parsed here
        try:
            obj = json.loads(first)
        except ValueError:
            return 0
        return 85 if isinstance(obj, dict) and ("text" in obj or "html" in obj) else 0

    def read(self, blob: Blob, settings: Settings) -> Iterator[RawItem | Reject]:
        if blob.content_name.endswith(".json") and _starts_array(blob.head(SNIFF_BYTES)):
            yield from self._read_array(blob, settings)
            return
        limit = settings.input.max_bytes
        lineno = 0
        with blob.stream() as content:
            lines = io.BufferedReader(content, buffer_size=SKIP_CHUNK)
            while True:
                line = lines.readline(limit + 1)
                if not line:
                    break
                lineno += 1
                location = f"{blob.location}:{lineno}"
                if not line.endswith(b"\n") and content.gzip_error:
                    lineno -= 1  # the gzip layer broke inside this line: reported below
                    break
                if len(line) > limit and not line.endswith(b"\n"):
                    whole = hashlib.sha256(line)  # the line's bytes pass once anyway: they key the reject
                    while line and not line.endswith(b"\n"):
                        line = lines.readline(SKIP_CHUNK)
                        whole.update(line)
                    yield Reject(location=location, code="NS103", stage="read", source_kind="jsonl",
                                 reason=f"line longer than the size limit of {limit:,} bytes (input.max_bytes)",
                                 fingerprint="bytes:" + whole.hexdigest()[:16])
                    continue
                if lineno == 1:
                    line = line.removeprefix(b"\xef\xbb\xbf")
                if not line.strip():
                    continue
                try:
                    yield line_item(line, location, settings)
                except InputRejected as e:
                    yield Reject.from_error(e, location=location, source_kind="jsonl",
                                            fingerprint=bytes_fingerprint(line))
                except (RecursionError, LookupError, TypeError, ValueError, UnicodeError) as e:
                    # A line we did not foresee costs this line, never the lines after it.
                    yield Reject(location=location, code="NS901", stage="read", source_kind="jsonl",
                                 reason=f"internal error: {type(e).__name__}: {e}", fingerprint=bytes_fingerprint(line))
            if content.gzip_error:
                yield Reject(location=f"{blob.location}:{lineno + 1}", code="NS105", stage="read", source_kind="jsonl",
                             reason=f"{content.gzip_error}; the lines before it were read")


    def _read_array(self, blob: Blob, settings: Settings) -> Iterator[RawItem | Reject]:
        data = read_document(blob, settings)
        try:
            elements = json.loads(data.decode("utf-8-sig"))
        except (UnicodeDecodeError, ValueError) as e:
            raise FormatError(f"malformed JSON array of articles: {e}", code="NS107") from e
        except RecursionError as e:
            raise FormatError("malformed JSON array of articles: nested too deep to read", code="NS107") from e
        escapes = SURROGATE_ESCAPE.search(data) is not None
        if not isinstance(elements, list):
            raise FormatError("unsupported format: a JSON document, not an array of articles", code="NS110")
        for n, element in enumerate(elements, start=1):
            location = f"{blob.location}#item={n}"
            try:
                if escapes:
                    _refuse_lone_surrogates(element, what="JSON array element")
                yield object_item(element, location, settings, what="JSON array element")
            except InputRejected as e:
                yield Reject.from_error(e, location=location, source_kind="jsonl")


def _starts_array(head: bytes) -> bool:
    return head.lstrip(b"\xef\xbb\xbf").lstrip().startswith(b"[")


def line_item(line: bytes, location: str, settings: Settings) -> RawItem:
    """One JSONL line as an item; raises ``FormatError`` (NS107) naming what is wrong with it."""
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError as e:
        raise FormatError(f"malformed JSONL line: not UTF-8 (byte {e.start + 1})", code="NS107") from e
    try:
        obj = json.loads(text)
    except ValueError as e:
        raise FormatError(f"malformed JSONL line: not JSON ({e})", code="NS107") from e
    except RecursionError as e:
        # json's parser recurses per level: a line of 100,000 "[" must cost this line, not the file.
        raise FormatError("malformed JSONL line: nested too deep to read", code="NS107") from e
    if SURROGATE_ESCAPE.search(line):
        _refuse_lone_surrogates(obj)
    return object_item(obj, location, settings)


def _refuse_lone_surrogates(obj: Any, *, what: str = "JSONL line") -> None:
    """Raise NS107 if a string in ``obj`` holds a lone surrogate (from an escape such as ``\\udcff``).

    A surrogate pair (an escaped emoji) decodes to one character and passes; a lone half is no
    character and cannot be stored or even hashed as UTF-8.
    """
    stack: list[tuple[str, Any]] = [("", obj)]
    while stack:
        where, value = stack.pop()
        if isinstance(value, dict):
            stack.extend((where or repr(k), v) for k, v in value.items())
            stack.extend((where or repr(k), k) for k in value)
        elif isinstance(value, list):
            stack.extend((where, v) for v in value)
        elif isinstance(value, str):
            found = SURROGATE.search(value)
            if found:
                field = f" in {where}" if where else ""
                raise FormatError(f"malformed {what}: a lone surrogate {found.group()!a}{field}, not a character"
                                  " (an escape such as \\udcff with no pair)", code="NS107")


def object_item(obj: Any, location: str, settings: Settings, *, what: str = "JSONL line") -> RawItem:
    """One JSON article object as an item; raises ``FormatError`` (NS107) naming what is wrong with it."""
    if not isinstance(obj, dict):
        raise FormatError(f"malformed {what}: a JSON {_json_kind(obj)}, not an object", code="NS107")
    media_type, body = _body(obj)
    data = body.encode("utf-8")
    check_document_bytes(data, settings)
    return RawItem(data=data, media_type=media_type, source_kind="jsonl", location=location, hints=_hints(obj))


def _body(obj: dict[str, Any]) -> tuple[str, str]:
    for key in ("html", "text"):
        value = obj.get(key)
        if value is not None and not isinstance(value, str):
            raise FormatError(f"malformed JSONL line: {key!r} must be a string, not a {_json_kind(value)}",
                              code="NS107")
    for key, media_type in (("html", "text/html"), ("text", "text/plain")):
        value = obj.get(key)
        if isinstance(value, str) and value.strip():
            return media_type, value
    if obj.get("html") is None and obj.get("text") is None:
        raise FormatError("malformed JSONL line: the object has neither 'text' nor 'html'", code="NS107")
    raise ReadError("empty input: 'text' and 'html' are blank", code="NS101")


def _hints(obj: dict[str, Any]) -> dict[str, Any]:
    hints: dict[str, Any] = {}
    for key in STRING_FIELDS:
        value = obj.get(key)
        if value is None:
            continue
        if not isinstance(value, str):
            raise FormatError(f"malformed JSONL line: {key!r} must be a string, not a {_json_kind(value)}",
                              code="NS107")
        if value.strip():
            hints[key] = value.strip()
    lists = {key: _string_list(obj, key) for key in LIST_FIELDS}
    authors = lists["authors"] or lists["author"]
    if authors:
        hints["authors"] = authors
    if lists["tags"]:
        hints["tags"] = lists["tags"]
    published = obj.get("published")
    if published is not None and not isinstance(published, str):
        raise FormatError(f"malformed JSONL line: 'published' must be a string, not a {_json_kind(published)}",
                          code="NS107")
    day = stated_date(published) if published else None
    if day:
        hints["published"] = day
    if "language" in hints:
        # "en-GB" -> "en"; a value that is no language tag ("English") is left out, not translated.
        tag = LANGUAGE_TAG.match(hints.pop("language"))
        if tag:
            hints["language"] = tag.group(1).lower()
    return hints


def _string_list(obj: dict[str, Any], key: str) -> list[str]:
    value = obj.get(key)
    if value is None:
        return []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise FormatError(f"malformed JSONL line: {key!r} must be a string or a list of strings", code="NS107")
    return list(dict.fromkeys(v.strip() for v in value if v.strip()))


def _json_kind(value: Any) -> str:
    names = {bool: "boolean", int: "number", float: "number", str: "string", list: "list", dict: "object"}
    return "null" if value is None else names.get(type(value), type(value).__name__)


@hookimpl
def narrascope_sources() -> list[JsonlSource]:
    return [JsonlSource()]
