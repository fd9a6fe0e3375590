"""CSV and TSV tables (``.csv``, ``.tsv``, ``.tab``, also gzipped): one article per row.

Datasets of news arrive as tables (ReCOVery, EUvsDisinfo, the Kaggle news sets). The first row
names the columns; each later row is one article, located at ``<file>:<line>`` (the line the row
starts on). The article fields are found by column name, compared without case, spaces or
punctuation ("Body Text" is ``bodytext``), the first listed name present winning (``COLUMNS``):

- ``text``: text, body, body_text, content, article, article_text, full_text, story, summary...
- ``title``: title, headline; ``subtitle``: subtitle, dek, standfirst;
- ``url``: url, link, article_url, news_url; ``outlet``: outlet, publisher, source, site, site_name;
- ``published``: published, publish_date, publication_date, pubdate, date... (read by
  ``sources.dates``: ISO 8601, RFC 2822, month written out, 14.05.2024, 2024/05/14; anything
  else is left empty, never guessed, and ``provenance.published`` says what the row stated);
- ``authors``: authors, author, byline: a list ("['A', 'B']", '["A", "B"]') or delimited text
  ("A; B", "A and B", "A & B", "A, B" when each part is a full name);
- ``tags``: tags, keywords, categories, subject; ``language``: language, lang.

``input.csv_columns`` (``ingest --columns text=body_text,title=headline``) names the column of a
field, or with ``field=`` (nothing after the sign) leaves a field unread. The cell text is read as
a plain-text scrape (cleaned like one: banners, promo lists and wire trailers go to ``removed``),
or as HTML when it is a page (it opens with ``<html``, ``<!doctype`` or a block tag).

The delimiter is a tab for ``.tsv``/``.tab`` and otherwise the one of comma, semicolon and tab
the header line holds most of; quoted cells may hold delimiters, quotes (doubled) and line
breaks. A byte-order mark is dropped; a file that is not UTF-8 is read as cp1252.

Nothing is lost: a row that cannot be parsed, has fewer cells than the header or opens a quoted
cell that is never closed (NS112; it runs to the end of the file), a cell in
bytes of another encoding (NS104), a row whose text cell is blank (NS101) or larger than
``input.max_bytes`` (NS103) is a reject of that row, and every other row is kept. A table with no
text column is NS110 naming the columns it has. The id of a row's article depends on its cells
only: the same row gives the same id wherever it stands.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator, Mapping
from typing import Any

from ..errors import FormatError, InputRejected, ReadError, UsageError
from ..model import RawItem, Reject
from ..plugins import hookimpl
from ..settings import Settings
from .blobs import SNIFF_BYTES, Blob, check_document_bytes
from .dates import stated_date

__all__ = ["COLUMNS", "CsvSource", "column_overrides", "parse_columns", "split_authors"]

CSV_EXTENSIONS = (".csv",)
TSV_EXTENSIONS = (".tsv", ".tab")
DELIMITERS = (",", ";", "\t")
CHUNK = 65536
#: A cell (and so a row) may be as large as one input: csv's own default limit (131,072
#: characters) would refuse long articles.
FIELD_SIZE_LIMIT = 2**31 - 1

#: Article field -> column names that hold it (normalised: lower case, letters and digits), best first.
COLUMNS: dict[str, tuple[str, ...]] = {
    "text": ("text", "body", "bodytext", "content", "article", "articletext", "articlebody", "articlecontent",
             "fulltext", "maintext", "newstext", "newsbody", "story", "summary"),
    "title": ("title", "headline", "articletitle", "newstitle", "heading"),
    "subtitle": ("subtitle", "subheadline", "dek", "standfirst"),
    "url": ("url", "link", "articleurl", "articlelink", "newsurl", "sourceurl", "permalink"),
    "published": ("published", "publishdate", "publisheddate", "publicationdate", "datepublished", "publishedat",
                  "pubdate", "dateofpublication", "date"),
    "authors": ("authors", "author", "byline", "authorname", "authornames", "writer", "writers"),
    "outlet": ("outlet", "outlets", "publisher", "source", "sitename", "site", "siteurl", "publication",
               "newsoutlet", "domain"),
    "tags": ("tags", "keywords", "categories", "category", "subject"),
    "language": ("language", "lang"),
}
#: Other names accepted for a field in ``--columns``.
FIELD_ALIASES = {"body": "text", "headline": "title", "link": "url", "date": "published", "author": "authors",
                 "publisher": "outlet", "keywords": "tags", "lang": "language"}
HTML_START = re.compile(r"^\s*<(?:!doctype\b|html\b|body\b|article\b|div\b|p\b|section\b|main\b)", re.I)
LANGUAGE_TAG = re.compile(r"^([A-Za-z]{2,3})(?:[-_][A-Za-z0-9]{1,8})*$")
LIST_CELL = re.compile(r"^\[.*\]$", re.S)
QUOTED_ITEM = re.compile(r"'((?:[^'\\]|\\.)*)'|\"((?:[^\"\\]|\\.)*)\"")
MAX_NAME_CHARS = 100
BY_PREFIX = re.compile(r"^(?:by|written by)\s+", re.I)
# What a row's structure depends on: quotes, delimiters and line ends; a run of anything else is one 'x'.
NOT_STRUCTURE = re.compile(r"[^\"\r\n,;\t]+")


def _normal(name: str) -> str:
    return re.sub(r"[\W_]+", "", name.lower())


def parse_columns(value: str | Mapping[str, str] | None) -> tuple[str, ...]:
    """``--columns`` as ``input.csv_columns`` entries ("field=column"); a bad field is NS403.

    ``value`` is "text=body_text,title=headline" or a mapping {"text": "body_text"}; an empty
    column ("author=") leaves the field unread.
    """
    if value is None:
        return ()
    pairs: list[tuple[str, str]] = []
    if isinstance(value, str):
        for part in value.split(","):
            if not part.strip():
                continue
            field, sign, column = part.partition("=")
            if not sign:
                raise UsageError(f"--columns: {part.strip()!r} is not FIELD=COLUMN (e.g. text=body_text)")
            pairs.append((field, column))
    else:
        pairs = list(value.items())
    entries = tuple(f"{field.strip()}={column.strip()}" for field, column in pairs)
    column_overrides(entries)  # checks the fields
    return entries


def column_overrides(entries: tuple[str, ...]) -> dict[str, str]:
    """``input.csv_columns`` as field -> column ("" leaves the field unread); a bad entry is NS403."""
    out: dict[str, str] = {}
    for entry in entries:
        field, sign, column = entry.partition("=")
        key = FIELD_ALIASES.get(field.strip().lower(), field.strip().lower())
        if not sign or key not in COLUMNS:
            raise UsageError(f"CSV columns: {entry!r} is not FIELD=COLUMN with FIELD one of "
                             f"{', '.join(COLUMNS)} (input.csv_columns, ingest --columns)")
        out[key] = column.strip()
    return out


def resolve_columns(header: list[str], overrides: dict[str, str]) -> dict[str, int]:
    """Field -> index of the column that holds it; no text column is NS110 naming the columns found."""
    by_name = {name.strip(): i for i, name in reversed(list(enumerate(header)))}
    by_normal = {_normal(name): i for i, name in reversed(list(enumerate(header)))}
    found: dict[str, int] = {}
    shown = ", ".join(repr(name) for name in header[:40]) + (", ..." if len(header) > 40 else "")
    for field, names in COLUMNS.items():
        if field in overrides:
            column = overrides[field]
            if not column:
                continue
            index = by_name.get(column, by_normal.get(_normal(column)))
            if index is None:
                raise FormatError(f"CSV has no column {column!r} for {field} (given in --columns / "
                                  f"input.csv_columns); columns found: {shown}", code="NS110")
            found[field] = index
            continue
        index = next((by_normal[n] for n in names if n in by_normal), None)
        if index is not None and index not in found.values():
            found[field] = index
    if "text" not in found:
        raise FormatError(f"unsupported format: a CSV table with no column of article text; columns found: {shown}."
                          " Name it with --columns text=COLUMN (or input.csv_columns)", code="NS110")
    return found


class _Lines:
    """Physical lines of the table for ``csv.reader``, each row bounded by ``input.max_bytes``.

    A row (its lines together) longer than the limit is flagged ``oversized`` and the rest of it
    is passed on reduced to its structure (quotes, delimiters, line ends), so the reader still
    finds where it ends without holding it; a single huge line is never read whole.
    """

    def __init__(self, text: io.TextIOBase, limit: int) -> None:
        self.text = text
        self.limit = limit
        self.lineno = 0
        self.row_chars = 0
        self.row_quotes = 0
        self.oversized = False
        self.ended = False

    def next_row(self) -> None:
        self.row_chars = 0
        self.row_quotes = 0
        self.oversized = False

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        piece = self.text.readline(CHUNK)
        if not piece:
            self.ended = True
            raise StopIteration
        self.lineno += 1
        parts = [self._bounded(piece)]
        while not piece.endswith(("\n", "\r")):
            piece = self.text.readline(CHUNK)
            if not piece:
                break
            parts.append(self._bounded(piece))
        return "".join(parts)

    def _bounded(self, piece: str) -> str:
        self.row_chars += len(piece)
        self.row_quotes += piece.count('"')
        if self.row_chars > self.limit:
            self.oversized = True
        return NOT_STRUCTURE.sub("x", piece) if self.oversized else piece


class CsvSource:
    name = "csv"

    def sniff(self, name: str, head: bytes) -> int:
        if name.endswith(CSV_EXTENSIONS + TSV_EXTENSIONS):
            return 90
        # No telling name (standard input, an upload): a header line naming a text column.
        first = head.removeprefix(b"\xef\xbb\xbf").split(b"\n", 1)[0].decode("utf-8", "replace").strip()
        delimiter = _delimiter(first)
        cells = [c.strip().strip('"') for c in first.split(delimiter)]
        if len(cells) < 2 or any(not c or len(c) > 60 for c in cells):
            return 0
        return 45 if any(_normal(c) in COLUMNS["text"] for c in cells) else 0

    def read(self, blob: Blob, settings: Settings) -> Iterator[RawItem | Reject]:
        overrides = column_overrides(settings.input.csv_columns)
        csv.field_size_limit(FIELD_SIZE_LIMIT)
        head = blob.head(SNIFF_BYTES)
        encoding = _encoding(head)
        with blob.stream() as content:
            text = io.TextIOWrapper(io.BufferedReader(content, buffer_size=CHUNK), encoding=encoding,
                                    errors="surrogateescape", newline="")
            lines = _Lines(text, settings.input.max_bytes)
            first = head.decode(encoding, "replace").lstrip("\ufeff").splitlines()[:1]
            delimiter = "\t" if blob.content_name.endswith(TSV_EXTENSIONS) else _delimiter(first[0] if first else "")
            reader = csv.reader(lines, delimiter=delimiter)
            header = next(reader, None)
            if header is None or not any(cell.strip() for cell in header):
                raise ReadError("empty input: no header row", code="NS101")
            if any(_undecodable(cell) for cell in header):
                raise ReadError(f"the header row is not {encoding} text", code="NS104")
            columns = resolve_columns(header, overrides)
            while True:
                lines.next_row()
                start = lines.lineno + 1
                try:
                    row = next(reader)
                except StopIteration:
                    break
                except csv.Error as e:
                    yield Reject(location=f"{blob.location}:{start}", code="NS112", stage="read", source_kind="csv",
                                 reason=f"malformed CSV row: {e}")
                    continue
                if not any(cell.strip() for cell in row) and not lines.oversized:
                    continue  # a blank line
                location = f"{blob.location}:{start}"
                if lines.ended and lines.row_quotes % 2 and lines.lineno > start:
                    # the reader ran to the end of the file inside a quoted cell: rows after it are in it
                    yield Reject(location=location, code="NS112", stage="read", source_kind="csv",
                                 reason="malformed CSV row: a quoted cell is never closed; it runs to the end of"
                                        f" the file (line {lines.lineno})")
                    continue
                try:
                    yield row_item(row, header, columns, location, settings, oversized=lines.oversized)
                except InputRejected as e:
                    yield Reject.from_error(e, location=location, source_kind="csv")
            if content.gzip_error:
                yield Reject(location=f"{blob.location}:{lines.lineno + 1}", code="NS105", stage="read",
                             source_kind="csv", reason=f"{content.gzip_error}; the rows before it were read")


def row_item(row: list[str], header: list[str], columns: dict[str, int], location: str, settings: Settings, *,
             oversized: bool = False) -> RawItem:
    """One table row as an item; raises ``InputRejected`` naming what is wrong with it."""
    limit = settings.input.max_bytes
    if oversized:
        raise ReadError(f"row larger than the size limit of {limit:,} bytes (input.max_bytes)", code="NS103")
    if len(row) < len(header) or any(cell.strip() for cell in row[len(header):]):
        raise FormatError(f"malformed CSV row: {len(row)} cells where the header has {len(header)}"
                          " (an unclosed quote or a stray delimiter)", code="NS112")
    if any(_undecodable(cell) for cell in row):
        raise ReadError("a cell is not UTF-8 text (bytes of another encoding)", code="NS104")
    body = row[columns["text"]]
    if not body.strip():
        raise ReadError(f"empty input: the text cell ({header[columns['text']]!r}) is blank", code="NS101")
    data = body.encode("utf-8")
    check_document_bytes(data, settings)
    media_type = "text/html" if HTML_START.match(body) else "text/plain"
    return RawItem(data=data, media_type=media_type, source_kind="csv", location=location,
                   hints=row_hints(row, columns))


def row_hints(row: list[str], columns: dict[str, int]) -> dict[str, Any]:
    """What a row's other cells state about the article, as item hints (blank cells say nothing)."""
    cell = {field: row[index].strip() for field, index in columns.items() if field != "text"}
    hints: dict[str, Any] = {}
    for field in ("title", "subtitle", "url"):
        if cell.get(field):
            hints[field] = re.sub(r"\s+", " ", cell[field])
    if cell.get("outlet"):
        hints["outlet"] = cell["outlet"]
    authors = split_authors(cell.get("authors", ""))
    if authors:
        hints["authors"] = authors
    tags = _split_list(cell.get("tags", ""), re.compile(r"\s*[,;|]\s*"))
    if tags:
        hints["tags"] = tags
    stated = cell.get("published", "")
    day = stated_date(stated) if stated else None
    if day:
        hints["published"] = day
    elif stated:
        hints["published_unread"] = stated[:80]  # said, but not a date read unambiguously: never guessed
    tag = LANGUAGE_TAG.match(cell.get("language", ""))
    if tag:
        hints["language"] = tag.group(1).lower()
    return hints


NAME_SPLIT = re.compile(r"\s*(?:;|\||\s&\s|\band\b)\s*")


def split_authors(value: str) -> list[str]:
    """Author names in a cell: "['A', 'B']", '["A"]', "A; B", "A and B", "A & B", or "A, B" of full names."""
    value = value.strip()
    if not value:
        return []
    names: list[str] = []
    for part in _split_list(value, NAME_SPLIT):
        part = BY_PREFIX.sub("", part).strip(" .")
        commas = [p.strip() for p in part.split(",") if p.strip()]
        # "Smith, John" is one name written last name first; "John Smith, Jane Doe" are two
        if len(commas) > 1 and all(len(p.split()) >= 2 for p in commas):
            names.extend(commas)
        elif part:
            names.append(part)
    return list(dict.fromkeys(n for n in names if _name_like(n)))


def _name_like(name: str) -> bool:
    """A person's or a desk's name: some letters, no brackets, not a paragraph."""
    return 0 < len(name) <= MAX_NAME_CHARS and any(c.isalpha() for c in name) and not set(name) & set("[]{}<>")


def _split_list(value: str, separators: re.Pattern[str]) -> list[str]:
    """A list cell ("['a', 'b']", a JSON list) or ``separators``-delimited text, as its items."""
    value = value.strip()
    if LIST_CELL.match(value):
        inner = value[1:-1]
        quoted = [a or b for a, b in QUOTED_ITEM.findall(inner)]
        items = quoted if quoted else inner.split(",")
        return [i.replace("\\'", "'").replace('\\"', '"').strip() for i in items if i.strip()]
    return [i.strip() for i in separators.split(value) if i and i.strip()]


def _delimiter(line: str) -> str:
    """The delimiter a header line holds most of, outside quotes (comma when none)."""
    unquoted = re.sub(r'"[^"]*"', "", line)
    counts = {d: unquoted.count(d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def _encoding(head: bytes) -> str:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    sample = head[:-4] if len(head) >= SNIFF_BYTES else head  # a character cut at the end of the sample
    text = sample.decode("utf-8", "surrogateescape")
    bad = len(UNDECODED.findall(text))
    good = len(NON_ASCII.findall(UNDECODED.sub("", text)))
    # UTF-8 with a stray byte stays UTF-8 (that row alone is NS104); a legacy table has no UTF-8 letters
    return "utf-8-sig" if not bad or good >= bad else "cp1252"


UNDECODED = re.compile("[\udc80-\udcff]+")
NON_ASCII = re.compile("[^\x00-\x7f]")


def _undecodable(cell: str) -> bool:
    try:
        cell.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


@hookimpl
def narrascope_sources() -> list[CsvSource]:
    return [CsvSource()]
