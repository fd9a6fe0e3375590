"""Test inputs built in code: articles, HTML pages, feeds, WARCs, JSONL, gzip, damaged copies.

Nothing here reads a file from the repository; every input a source or bad-input test needs is
made from these helpers in ``tmp_path``, so a test shows exactly what it feeds narrascope.
"""

from __future__ import annotations

import gzip
import html
import io
import json
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

#: The first bytes of a real PNG file (signature and the start of the IHDR chunk).
PNG_HEADER = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00\x00\x00\x01\x00\x08\x06\x00\x00\x00\x5c\x72\xa8\x66"

# Paragraphs of plausible English reporting; each article takes a different slice.
ENGLISH = [
    "The foreign ministry said on Tuesday that talks with its neighbours would resume next month in Geneva, "
    "after a pause of almost a year that both sides blamed on the other.",
    "Officials in the capital described the negotiations as difficult but necessary, and said the first "
    "round would cover fishing rights, border crossings and the return of detained sailors.",
    "Analysts noted that the sanctions imposed last year had cut exports of grain and fertiliser by a third, "
    "putting pressure on the government to find a settlement before the harvest.",
    "A spokesman for the alliance declined to comment on reports of new troop movements near the border, "
    "saying only that its members were watching the situation closely.",
    "Diplomats expect the summit to end with a joint statement on maritime security, although several "
    "delegations have already said they will not sign anything that mentions the disputed islands.",
    "Opposition leaders accused the government of hiding the true cost of the energy crisis from voters and "
    "called for an inquiry into the contracts signed with foreign suppliers.",
    "In the port city, residents queued for hours outside banks as rumours spread that withdrawals would be "
    "limited, though the central bank insisted that deposits were safe.",
    "The defence minister told parliament that the new air defence systems would be delivered by the end of "
    "the year, earlier than planned, because of the changed security situation.",
]


def paragraphs(n: int, count: int = 4) -> list[str]:
    """``count`` English paragraphs for article ``n`` (a distinct tag keeps articles apart)."""
    return [f"{ENGLISH[(n + i) % len(ENGLISH)]} (Report {n}, part {i + 1}.)" for i in range(count)]


def title(n: int) -> str:
    return f"Talks on the border dispute resume, report {n}"


def text_article(n: int) -> str:
    """A plain-text scrape: title line, blank line, paragraphs."""
    return title(n) + "\n\n" + "\n\n".join(paragraphs(n)) + "\n"


def html_page(n: int | None = None, *, heading: str | None = None, body: Sequence[str] | None = None,
              lang: str = "en", charset: str = "utf-8", extra_head: str = "") -> str:
    """A small but complete news page: header, nav, one <article> with a headline and paragraphs."""
    heading = heading if heading is not None else title(n or 0)
    body = body if body is not None else paragraphs(n or 0)
    paras = "\n".join(f"<p>{html.escape(p)}</p>" for p in body)
    return (f'<!DOCTYPE html>\n<html lang="{lang}"><head><meta charset="{charset}">'
            f"<title>{html.escape(heading)}</title>{extra_head}</head>\n<body>\n"
            '<nav><a href="/">Home</a> <a href="/world">World</a></nav>\n'
            f"<article><h1>{html.escape(heading)}</h1>\n{paras}\n</article>\n"
            "<footer>Copyright The Example Times</footer>\n</body></html>\n")


def empty_page() -> str:
    """An HTML page with navigation and no article at all."""
    return ('<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>Home</title></head>\n'
            '<body><nav><a href="/">Home</a> <a href="/world">World</a> <a href="/sport">Sport</a></nav>\n'
            "<footer>Copyright</footer></body></html>\n")


# -- feeds -------------------------------------------------------------------------------------


@dataclass
class Entry:
    title: str
    link: str | None = None
    guid: str | None = None
    content: str | None = None  # content:encoded (RSS) / <content type="html"> (Atom)
    description: str | None = None
    published: str | None = None  # RSS pubDate / Atom <published>, as written
    authors: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)


def rss_feed(outlet: str, entries: Iterable[Entry], *, link: str = "https://news.example.org/") -> bytes:
    items = []
    for e in entries:
        parts = [f"<title>{html.escape(e.title)}</title>"]
        if e.link:
            parts.append(f"<link>{html.escape(e.link)}</link>")
        if e.guid:
            parts.append(f'<guid isPermaLink="false">{html.escape(e.guid)}</guid>')
        if e.published:
            parts.append(f"<pubDate>{e.published}</pubDate>")
        parts += [f"<dc:creator>{html.escape(a)}</dc:creator>" for a in e.authors]
        parts += [f"<category>{html.escape(c)}</category>" for c in e.categories]
        if e.description is not None:
            parts.append(f"<description>{html.escape(e.description)}</description>")
        if e.content is not None:
            parts.append(f"<content:encoded><![CDATA[{e.content}]]></content:encoded>")
        items.append("<item>" + "".join(parts) + "</item>")
    return ('<?xml version="1.0" encoding="utf-8"?>\n<!-- built by fixtures_make -->\n'
            '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"'
            ' xmlns:dc="http://purl.org/dc/elements/1.1/">\n'
            f"<channel><title>{html.escape(outlet)}</title><link>{link}</link>\n"
            + "\n".join(items) + "\n</channel></rss>\n").encode("utf-8")


def atom_feed(outlet: str, entries: Iterable[Entry]) -> bytes:
    out = []
    for e in entries:
        parts = [f"<title>{html.escape(e.title)}</title>", f"<id>{html.escape(e.guid or e.title)}</id>"]
        if e.link:
            parts.append(f'<link rel="alternate" href="{html.escape(e.link)}"/>')
        if e.published:
            parts.append(f"<published>{e.published}</published>")
        parts += [f"<author><name>{html.escape(a)}</name></author>" for a in e.authors]
        parts += [f'<category term="{html.escape(c)}"/>' for c in e.categories]
        if e.description is not None:
            parts.append(f'<summary type="html">{html.escape(e.description)}</summary>')
        if e.content is not None:
            parts.append(f'<content type="html">{html.escape(e.content)}</content>')
        out.append("<entry>" + "".join(parts) + "</entry>")
    return ('<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'
            f"<title>{html.escape(outlet)}</title><id>urn:example:feed</id>\n"
            + "\n".join(out) + "\n</feed>\n").encode("utf-8")


def article_html_fragment(n: int) -> str:
    return "\n".join(f"<p>{html.escape(p)}</p>" for p in paragraphs(n))


# -- WARC ----------------------------------------------------------------------------------------


@dataclass
class Page:
    """One record to archive. ``kind`` is a WARC-Type; ``body`` the payload as it goes on the wire."""

    url: str
    body: bytes = b""
    kind: str = "response"
    status: str = "200 OK"
    content_type: str | None = "text/html; charset=utf-8"
    headers: list[tuple[str, str]] = field(default_factory=list)


def warc_bytes(pages: Iterable[Page], *, gzipped: bool = False) -> bytes:
    """A WARC file (one gzip member per record when ``gzipped``) with a warcinfo record first."""
    out = io.BytesIO()
    writer = WARCWriter(out, gzip=gzipped)
    writer.write_record(writer.create_warcinfo_record("test.warc", {"software": "fixtures_make"}))
    for page in pages:
        writer.write_record(_warc_record(writer, page))
    return out.getvalue()


def _warc_record(writer: WARCWriter, page: Page) -> Any:
    if page.kind == "request":
        headers = StatusAndHeaders(f"GET {page.url} HTTP/1.1", [("Host", "news.example.org")],
                                   is_http_request=True)
        return writer.create_warc_record(page.url, "request", payload=io.BytesIO(b""), length=0,
                                         http_headers=headers)
    if page.kind in ("resource", "metadata"):
        return writer.create_warc_record(page.url, page.kind, payload=io.BytesIO(page.body), length=len(page.body),
                                         warc_content_type=page.content_type or "application/octet-stream")
    http_headers = list(page.headers)
    if page.content_type:
        http_headers.insert(0, ("Content-Type", page.content_type))
    if not any(name.lower() == "transfer-encoding" for name, _ in http_headers):
        http_headers.append(("Content-Length", str(len(page.body))))
    headers = StatusAndHeaders(page.status, http_headers, protocol="HTTP/1.1")
    return writer.create_warc_record(page.url, "response", payload=io.BytesIO(page.body), length=len(page.body),
                                     http_headers=headers)


def chunked(body: bytes, size: int = 100) -> bytes:
    """``body`` in HTTP/1.1 chunked transfer encoding."""
    parts = [b"%x\r\n%s\r\n" % (len(body[i:i + size]), body[i:i + size]) for i in range(0, len(body), size)]
    return b"".join(parts) + b"0\r\n\r\n"


def deflated(body: bytes) -> bytes:
    return zlib.compress(body)


# -- JSONL, gzip, damage ----------------------------------------------------------------------------


def jsonl(objects: Iterable[Any]) -> bytes:
    return "".join(json.dumps(o, ensure_ascii=False) + "\n" for o in objects).encode("utf-8")


def gzip_bytes(data: bytes) -> bytes:
    return gzip.compress(data, mtime=0)


def truncated(data: bytes, fraction: float = 0.6) -> bytes:
    """The first ``fraction`` of ``data``: a download or copy cut short."""
    return data[: int(len(data) * fraction)]


# -- legacy encodings and other languages -------------------------------------------------------------

CP1252_TITLE = "Minister\u2019s \u201cfinal offer\u201d rejected \u2013 talks go on"
CP1252_BODY = [
    "The minister\u2019s \u201cfinal offer\u201d was rejected on Monday \u2013 the third time this year "
    "that negotiators have walked away from the table without an agreement.",
    "\u201cWe are not there yet,\u201d said the union\u2019s chief negotiator, adding that the gap on pensions "
    "was still \u201cwide enough to drive a truck through\u201d and that strikes would go ahead.",
    "Ministers now face a choice between raising the offer again and risking a week of closures at the "
    "ports, which handle most of the country\u2019s trade with its neighbours.",
]
LATIN1_TITLE = "Caf\u00e9 owners in S\u00e3o Paulo protest new rules"
LATIN1_BODY = [
    "Caf\u00e9 owners gathered in the Pra\u00e7a da S\u00e9 on Friday to protest against the city's new "
    "licensing rules, which they say will force dozens of small businesses to close.",
    "Jos\u00e9 Ara\u00fajo, who has run a caf\u00e9 near the cathedral for twenty years, said the fees had "
    "tripled and that the na\u00efve planners had never asked the owners what they thought.",
    "The mayor's office said the rules would be reviewed after the summer, but the protesters vowed to "
    "return every Friday until the fees are cut and the r\u00e9gime of inspections is eased.",
]

GERMAN = [
    "Die Bundesregierung hat am Dienstag angekündigt, die Gespräche mit den Nachbarstaaten im nächsten "
    "Monat wieder aufzunehmen, nachdem sie fast ein Jahr lang unterbrochen waren.",
    "Beamte in der Hauptstadt bezeichneten die Verhandlungen als schwierig, aber notwendig, und sagten, "
    "dass die erste Runde Fischereirechte, Grenzübergänge und die Rückkehr der Seeleute umfassen werde.",
    "Analysten wiesen darauf hin, dass die im vergangenen Jahr verhängten Sanktionen die Ausfuhren von "
    "Getreide und Düngemitteln um ein Drittel verringert hätten.",
]
RUSSIAN = [
    "Министерство иностранных дел заявило во вторник, что переговоры с соседями возобновятся в следующем "
    "месяце в Женеве после почти годового перерыва.",
    "Официальные лица назвали переговоры трудными, но необходимыми для стабильности в регионе, и сказали, "
    "что первый раунд будет посвящён правам на рыболовство и пограничным переходам.",
    "Аналитики отметили, что санкции прошлого года сократили экспорт зерна и удобрений на треть, что "
    "заставляет правительство искать соглашение до начала сбора урожая.",
]


def scrape(heading: str, body: Sequence[str]) -> str:
    return heading + "\n\n" + "\n\n".join(body) + "\n"


def write(path: Path, data: bytes | str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    path.write_bytes(data)
    return path
