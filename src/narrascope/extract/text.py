"""Plain-text and Markdown scrapes (``extract.text``): the scrape cleaner.

A scrape arrives as lines: a breadcrumb, a title, a dek or an image caption, a byline and a
dateline, the body with the odd photo credit, "Related article:" line or author note between its
paragraphs, and a trailer of disclaimers, republication notes, comment headers and the scraper's
own "Original url:" line. The cleaner reads it in three passes over its units (a line, or a
hard-wrapped paragraph):

1. the **header**, up to the first line of prose: breadcrumb -> tags, the first title-like line ->
   title, a short unpunctuated line -> caption (up to ``extract.caption_max_words``) or subtitle,
   byline and dateline lines -> authors and published, photo credits;
2. the **trailer**, found walking back from the end over lines that are notes, not prose;
3. the **body** between them: boilerplate paragraphs (``boilerplate.classify_paragraph``) and
   author notes come out, paragraphs the scraper split mid-sentence are joined again.

Every non-blank line ends up in the body, in the title or subtitle, or in ``removed`` as it was
read (markdown and all). Metadata goes through a cascade: each rung offers values and the first
rung in ``RUNGS`` that offered one fills the field; ``provenance`` names it. A date is read only
from a dateline or front matter, never guessed.
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from ..model import RawItem, Removed
from ..settings import Settings
from . import boilerplate as bp
from .decode import decode
from .draft import Draft
from .outlets import outlet_by_name, outlet_for_url

__all__ = ["extract_text", "normalise"]

#: Rungs per field, best first.
RUNGS: dict[str, tuple[str, ...]] = {
    "title": ("front-matter", "markdown-heading", "first-line"),
    "subtitle": ("front-matter", "markdown-heading", "dek-line"),
    "authors": ("front-matter", "byline-line", "lead-sentence", "bio"),
    "published": ("front-matter", "dateline"),
    "url": ("front-matter", "original-url", "url-line"),
    "outlet": ("front-matter", "disclaimer", "url-domain", "title-suffix", "bio"),
    "republished_from": ("front-matter", "republication"),
    "tags": ("front-matter", "breadcrumb", "tag-line", "section"),
}

# --- normalisation --------------------------------------------------------------------------

LINE_BREAKS = re.compile("[\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")
# zero-width characters, the soft hyphen and control characters: dropped
INVISIBLE = re.compile("[\u200b\u2060\ufeff\u00ad\x00-\x08\x0e-\x1b\x7f]")
# the zero-width (non-)joiner spells words in Persian, Arabic-script and Indic text ("می‌کند"):
# kept between two letters of those scripts, dropped elsewhere
JOINER_SCRIPTS = "\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff\u0900-\u0dff"
STRAY_JOINER = re.compile(f"(?<![{JOINER_SCRIPTS}])[\u200c\u200d]|[\u200c\u200d](?![{JOINER_SCRIPTS}])")
# letters written without spaces between words (Chinese, Japanese, Thai): about two make a word
UNSPACED = re.compile("[\u0e00-\u0e7f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
ODD_SPACES = re.compile("[\t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]")
MULTI_SPACE = re.compile(" {2,}")
# one pass finds whether any of the above is there at all (most texts: no)
UNUSUAL = re.compile("[\x00-\x09\x0b-\x1f\x7f\x85\u00a0\u00ad\u1680\u2000-\u200d\u2028\u2029\u202f\u205f\u2060\u3000\ufeff]")
ENTITY = re.compile(r"&(?:#\d{2,7}|#x[0-9a-fA-F]{2,6}|[a-zA-Z][a-zA-Z0-9]{1,8});")


def _squeeze(text: str) -> str:
    return MULTI_SPACE.sub(" ", text) if "  " in text else text


def normalise(text: str) -> str:
    """NFC, one kind of line break and space, no zero-width or control characters, entities decoded.

    Curly quotes, dashes and every letter stay as they are.
    """
    text = unicodedata.normalize("NFC", text)
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "&" in text:
        text = ENTITY.sub(lambda m: html.unescape(m.group()), text)
    if UNUSUAL.search(text):
        text = LINE_BREAKS.sub("\n", text)
        text = INVISIBLE.sub("", text)
        text = STRAY_JOINER.sub("", text)
        text = ODD_SPACES.sub(" ", text)
    text = _squeeze(text)
    return "\n".join(line.strip() for line in text.split("\n"))


# --- markdown -------------------------------------------------------------------------------

HEADING = re.compile(r"^(#{1,6})\s+(.*?)(?:\s+#+)?$")
RULE = re.compile(r"^(?:(?:[-*_]\s*){3,}|={3,})$")
SETEXT = re.compile(r"^(?:={2,}|-{2,})$")
FENCE = re.compile(r"^(?:```|~~~)")
QUOTE = re.compile(r"^(?:>\s?)+")
LIST_ITEM = re.compile(r"^(?:[-*+•]|\d{1,3}[.)])\s+")
REF_DEFINITION = re.compile(r"^\[[^\]]+\]:\s*\S+")
IMAGE = re.compile(
    r"\[?!\[(?P<alt>(?:[^\[\]\\]|\\.)*)\]\((?:[^()\s]|\([^()\s]*\))*(?:\s+\"[^\"]*\")?\)(?:\]\((?:[^()\s]|\([^()\s]*\))*\))?"
)
LINK = re.compile(r"\[(?P<text>(?:[^\[\]\\]|\\.)*)\]\((?:[^()\s\\]|\\.|\([^()\s]*\))*(?:\s+\"[^\"]*\")?\)")
REF_LINK = re.compile(r"\[(?P<text>(?:[^\[\]\\]|\\.)+)\]\[[^\[\]]*\]")
AUTOLINK = re.compile(r"<(?:mailto:)?(?P<url>(?:https?|ftp)://[^<>\s]+|[\w.+-]+@[\w-]+\.[\w.-]+)>")
HTML_TAG = re.compile(r"</?(?:em|strong|b|i|u|s|span|sup|sub|small|mark|abbr|cite|p|div|a|font|br|hr)\b[^<>]*/?>", re.I)
CODE = re.compile(r"`([^`]+)`")


def emphasis(mark: str, *, before: str = "", after: str = "") -> re.Pattern[str]:
    """``mark``text``mark`` (``**bold**``, ``_italic_``, ``~~struck~~``), the text in group 1.

    The text may not hold the mark itself, so a match attempt stops at the next mark: the scan
    is linear on any line (a lazy ``.+?`` up to the closing mark was quadratic on a long line of
    unclosed marks). A doubled mark's text may hold its single character (``**a *b* c**``).
    """
    char = re.escape(mark[0])
    inner = f"(?:[^{char}]|{char}(?!{char}))" if len(mark) == 2 else f"[^{char}]"
    return re.compile(rf"{before}{re.escape(mark)}(?=[^\s{char}])({inner}+?)(?<=[^\s{char}\\]){re.escape(mark)}{after}")


BOLD_STAR = emphasis("**")
BOLD_UNDERSCORE = emphasis("__")
ITALIC_STAR = emphasis("*", before=r"(?<![\w*\\])", after=r"(?![\w*])")
ITALIC_UNDERSCORE = emphasis("_", before=r"(?<![\w\\])", after=r"(?!\w)")
STRIKE = emphasis("~~")
ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!<>|~\"'])")
WHOLE_EMPHASIS = re.compile(r"^(?:\*{1,2}|_{1,2})\S.*\S(?:\*{1,2}|_{1,2})$|^(?:\*|_)\S(?:\*|_)$")
LINK_ONLY = re.compile(r"^(?:[-*+•]\s+)?(?:\*\*)?\[[^\]]+\]\([^)\s]*\)(?:\*\*)?\.?$")
BARE_URL = re.compile(r"^<?(?:https?://|www\.)[^\s<>]+>?$")
FRONT_MATTER_LINE = re.compile(r"^(?:[\w-]+\s*:.*|-\s+.*)$")


def clean_inline(text: str) -> tuple[str, list[tuple[str, str]], list[str]]:
    """Markdown residue out of one line: ``[text](#)`` -> text, ``\\(`` -> ``(``, emphasis marks gone.

    Returns the text, the images it held as (markup, alt text), and the inline HTML tags taken out
    (as they appeared: a tag may carry attributes, so the caller records them in ``removed``).
    """
    images: list[tuple[str, str]] = []
    tags: list[str] = []
    before = text
    if "![" in text:
        for match in IMAGE.finditer(text):
            images.append((match.group(0), ESCAPE.sub(r"\1", match.group("alt")).strip()))
        text = IMAGE.sub(" ", text)
    if "[" in text:
        text = LINK.sub(lambda m: m.group("text"), text)
        text = REF_LINK.sub(lambda m: m.group("text"), text)
    if "<" in text:
        text = AUTOLINK.sub(lambda m: m.group("url"), text)
        tags = HTML_TAG.findall(text)
        if tags:
            text = HTML_TAG.sub(lambda m: " " if m.group(0).lower().startswith(("<br", "<hr")) else "", text)
    if "`" in text:
        text = CODE.sub(r"\1", text)
    if "*" in text:
        text = BOLD_STAR.sub(r"\1", text)
        text = ITALIC_STAR.sub(r"\1", text)
    if "_" in text:
        text = BOLD_UNDERSCORE.sub(r"\1", text)
        text = ITALIC_UNDERSCORE.sub(r"\1", text)
    if "~~" in text:
        text = STRIKE.sub(r"\1", text)
    if "\\" in text:
        text = ESCAPE.sub(r"\1", text)
    if text is not before:
        text = _squeeze(text).strip()
    return text, images, tags


@dataclass
class Unit:
    """One line of the scrape, or one hard-wrapped paragraph: ``raw`` as read, ``text`` cleaned."""

    raw: str
    text: str = ""
    heading: int = 0
    markup: str | None = None  # a rule, setext underline, fence or link definition: its label
    list_item: bool = False
    emphasised: bool = False  # the whole line in *...* or _..._
    images: list[tuple[str, str]] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)  # inline HTML tags taken out of ``text``
    kind: tuple[str, str | None] | None | bool = False  # the boilerplate verdict, once computed

    @cached_property
    def words(self) -> int:
        return word_count(self.text)


#: a character of a script written without spaces counts as this many in ``extract.min_chars``: an
#: English news text is 2.9 times as long as its Chinese translation (NTREX)
UNSPACED_WEIGHT = 3


def body_length(text: str) -> int:
    """``len(text)``, each character of a script written without spaces counted ``UNSPACED_WEIGHT`` times."""
    if text.isascii():
        return len(text)
    return len(text) + (UNSPACED_WEIGHT - 1) * len(UNSPACED.findall(text))


def word_count(text: str) -> int:
    """Words of ``text``; in scripts written without spaces, two letters count as one word."""
    words = len(text.split())
    if text and not text.isascii():
        words += len(UNSPACED.findall(text)) // 2
    return words


def _blocks(lines: list[str]) -> list[list[str]]:
    blocks: list[list[str]] = []
    current: list[str] = []
    for line in lines:
        if line:
            current.append(line)
        elif current:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    return blocks


def _wrap_width(blocks: list[list[str]]) -> int:
    """The column a hard-wrapped text breaks at, or 0 when lines are paragraphs of their own."""
    inner = sorted(len(line) for block in blocks for line in block[:-1])
    if len(inner) < 3 or max(len(line) for block in blocks for line in block) > 120:
        return 0
    width = inner[int(len(inner) * 0.9)]
    near = sum(1 for n in inner if n >= 0.7 * width)
    return width if width >= 40 and near >= 0.7 * len(inner) else 0


def _structural(line: str) -> bool:
    return bool(HEADING.match(line) or LIST_ITEM.match(line) or RULE.match(line) or FENCE.match(line))


def units_of(lines: list[str]) -> list[Unit]:
    """Lines grouped into units: one per line, or per paragraph when the text is hard-wrapped."""
    blocks = _blocks(lines)
    width = _wrap_width(blocks)
    units: list[Unit] = []
    for block in blocks:
        pending: list[str] = []
        for k, line in enumerate(block):
            if SETEXT.match(line) and k > 0 and pending and not _structural(pending[-1]):
                head = _unit(" ".join(pending))
                head.heading = 1 if line.startswith("=") else 2
                units.append(head)
                units.append(Unit(raw=line, markup="markup"))
                pending = []
                continue
            joinable = (
                width
                and pending
                and not _structural(line)
                and not _structural(pending[-1])
                and (len(pending[-1]) >= 0.6 * width or line[:1].islower())
            )
            if joinable:
                pending.append(line)
                continue
            if pending:
                units.append(_unit(" ".join(pending)))
            pending = [line]
        if pending:
            units.append(_unit(" ".join(pending)))
    return units


def _unit(raw: str) -> Unit:
    unit = Unit(raw=raw)
    lead = raw[:1]
    if lead in "-*_=`~" and (RULE.match(raw) or FENCE.match(raw)):
        unit.markup = "markup"
        return unit
    if lead == "[" and REF_DEFINITION.match(raw):
        unit.markup = "link-reference"
        return unit
    body = raw
    heading = HEADING.match(body) if lead == "#" else None
    if heading:
        unit.heading = len(heading.group(1))
        body = heading.group(2)
    if lead == ">":
        body = QUOTE.sub("", body)
    unit.list_item = bool((lead in "-*+•" or lead.isdigit()) and LIST_ITEM.match(body))
    unit.emphasised = bool(lead in "*_" and WHOLE_EMPHASIS.match(body))
    unit.text, unit.images, unit.tags = clean_inline(body)
    return unit


# --- front matter ---------------------------------------------------------------------------


def _front_matter(lines: list[str]) -> tuple[dict[str, Any], int]:
    """A YAML front matter block at the top: (key -> value or list, lines it spans)."""
    if not lines or lines[0] != "---":
        return {}, 0
    for end in range(1, min(len(lines), 80)):
        if lines[end] in ("---", "..."):
            break
    else:
        return {}, 0
    body = [ln for ln in lines[1:end] if ln]
    if not body or not all(FRONT_MATTER_LINE.match(ln) for ln in body):
        return {}, 0
    data: dict[str, Any] = {}
    key = None
    for line in body:
        if line.startswith("- ") and key:
            items = data[key] if isinstance(data.get(key), list) else []
            items.append(_unquote(line[2:]))
            data[key] = items
            continue
        key, _, value = line.partition(":")
        key = key.strip().lower()
        value = value.strip()
        if value.startswith("[") and value.endswith("]"):
            data[key] = [_unquote(v) for v in value[1:-1].split(",") if v.strip()]
        else:
            data[key] = _unquote(value)
    return data, end + 1


def _unquote(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        value = value[1:-1]
    return value


def _front_matter_offers(data: dict[str, Any], offer: Any) -> None:
    def first(*keys: str) -> Any:
        for key in keys:
            if data.get(key):
                return data[key]
        return None

    def listed(value: Any) -> list[str]:
        if isinstance(value, list):
            return [str(v) for v in value if str(v).strip()]
        return [v.strip() for v in re.split(r"\s*[,;]\s*", str(value)) if v.strip()] if value else []

    offer("title", "front-matter", first("title", "headline"))
    offer("subtitle", "front-matter", first("subtitle", "dek", "standfirst", "description"))
    offer("authors", "front-matter", listed(first("authors", "author", "byline")))
    date = first("published", "date", "pubdate", "publishdate", "publish_date", "published_at")
    offer("published", "front-matter", bp.parse_date(str(date)) if date else None)
    url = first("url", "canonical", "canonical_url", "original_url", "source_url", "link")
    offer("url", "front-matter", url if url and BARE_URL.match(str(url)) else None)
    outlet = first("outlet", "publication", "publisher", "site_name", "source")
    if outlet and not BARE_URL.match(str(outlet)):
        offer("outlet", "front-matter", outlet_by_name(str(outlet)) or str(outlet))
    offer("tags", "front-matter", listed(first("tags", "categories", "keywords")))


# --- the cleaner ----------------------------------------------------------------------------

# Kickers a scrape shows above the title ("Opinion", "WORLD"): section names, kept as tags.
SECTION_WORDS = frozenset({
    "opinion", "op-ed", "oped", "analysis", "commentary", "comment", "news", "world", "politics", "europe", "asia",
    "africa", "americas", "business", "economy", "russia", "ukraine", "china", "sport", "sports", "culture",
    "features", "feature", "interview", "editorial", "column", "columns", "blog", "blogs", "investigation",
    "investigations", "explainer", "exclusive", "breaking news", "world news", "us news", "uk news", "middle east",
    "international", "security", "defense", "defence",
})
TITLE_SUFFIX = re.compile(r"^(?P<title>.{8,}?)\s+(?:\||-|–|—|::)\s+(?P<outlet>[^|]{2,60})$")
ABBREVIATED_END = re.compile(r"\b(?:[A-Z]\.){2,}$")
CONTINUATION = re.compile(r"^(?:He|She|They|His|Her|Their|Its|The author|The writer)\b")
#: full stops of scripts without case, where no Title Case exception applies (Chinese, Japanese, Urdu, Hindi)
FULL_STOPS_UNCASED = ("。", "．", "۔", "।")
SPLIT_END = re.compile(r"[.!?…:;。！？؟][\"'”’)\]»]*$")


SMALL_WORDS = frozenset({
    "a", "an", "the", "of", "to", "in", "on", "at", "by", "for", "and", "or", "but", "nor", "with", "from", "as",
    "vs", "via", "per", "is",
})


def _strong_banner(sentence: str) -> bool:
    found = bp.banner_sentence(sentence)
    return found is not None and found[1]


# "Read more:", "Related:", "See also:" alone on a line: a promo list of headlines follows
RELATED_LABEL = re.compile(r"^(?:related(?:\s+\w+)?|read more|read also|also read|see also|more on this(?: topic| story)?|"
                           r"recommended|you may also like|you might also like|further reading)\s*:$", re.I)


def _uncased(char: str) -> bool:
    """A letter of a script without upper and lower case (Arabic, Hebrew, Georgian, Chinese)."""
    return char.isalpha() and not char.isupper() and not char.islower()


def _title_case(text: str) -> bool:
    """"How Donald Trump Could Become President." is Title Case; a sentence is not."""
    words = [w for w in re.findall(r"[^\W\d_][\w'’-]*", text) if w.lower() not in SMALL_WORDS]
    return len(words) >= 3 and sum(w[0].isupper() for w in words) >= 0.8 * len(words)


def _same(a: str, b: str) -> bool:
    """The same title, give or take punctuation, case or an outlet suffix ("Title | Outlet")."""
    a, b = (re.sub(r"\W+", " ", s).strip().lower() for s in (a, b))
    short, long = sorted((a, b), key=len)
    return bool(short) and (short == long or (len(short) >= 15 and len(short) >= 0.6 * len(long) and long.startswith(short)))


class _Cleaner:
    def __init__(self, units: list[Unit], settings: Settings, hints: dict[str, Any]) -> None:
        self.units = units
        self.caption_max_words = settings.extract.caption_max_words
        self.hints = hints
        self.removed: list[Removed] = []
        self.offers: dict[str, dict[str, Any]] = {}
        self.title = ""
        self.title_rung = ""
        self.subtitle: str | None = None
        self.subtitle_rung = ""
        self.bios: list[str] = []
        self.known_authors: list[str] = []
        self.body: list[tuple[str, bool]] = []  # (paragraph, is a heading)
        self.want_url = False
        self.lead_checked = False

    # - offers and removals -

    def offer(self, name: str, rung: str, value: Any) -> None:
        if value in (None, "", []):
            return
        self.offers.setdefault(name, {}).setdefault(rung, value)
        if name == "authors":
            self.known_authors += [a for a in value if a not in self.known_authors]

    def remove(self, unit_or_raw: Unit | str, kind: str, label: str | None = None) -> None:
        raw = unit_or_raw.raw if isinstance(unit_or_raw, Unit) else unit_or_raw
        self.removed.append(Removed(kind=kind, text=raw, label=label))

    def take(self, unit: Unit, kind: str, label: str | None) -> None:
        """Remove a unit ``classify_paragraph`` flagged, and note what it states."""
        text = unit.text
        if kind == "bio" and self.take_note(unit, strong=True):
            return
        self.remove(unit, kind, label)
        if kind == "byline" or label in ("dateline", "dateline-updated"):
            self.take_meta(bp.parse_meta_line(text))
        elif label == "original-url":
            match = bp.ORIGINAL_URL.match(text)
            if match and match.group("url"):
                # "Original url: <...>" names the page; "Source: <...>" may be a source it cites
                self.offer("url", "original-url" if match.group("strong") else "url-line", match.group("url").strip("<>"))
            else:
                self.want_url = True
        elif kind == "tags":
            self.offer("tags", "tag-line", bp.parse_tag_line(text))
        elif kind == "disclaimer":
            self.offer("outlet", "disclaimer", bp.outlet_from_disclaimer(text))
        elif label == "republication":
            for sentence in bp.split_sentences(text):
                self.offer("republished_from", "republication", bp.republished_from(sentence))
        elif kind == "bio":
            self.bios.append(text)

    def take_meta(self, meta: bp.MetaLine | None) -> None:
        if meta is None:
            return
        if meta.authors is not None:
            self.offer("authors", "byline-line", meta.authors)
        self.offer("published", "dateline", meta.published)

    def take_meta_unit(self, unit: Unit, meta: bp.MetaLine) -> None:
        if meta.authors is not None:
            self.remove(unit, "byline")
        else:
            self.remove(unit, "other", "dateline" if meta.published or not meta.updated else "dateline-updated")
        self.take_meta(meta)

    def take_images(self, unit: Unit) -> None:
        """Remove the images (their alt text is a caption) and inline HTML tags inside a line that stays."""
        for markup, alt in unit.images:
            self.remove(markup, "caption" if alt else "other", "image")
        for tag in unit.tags:
            self.remove(tag, "other", "markup")
        unit.images = []
        unit.tags = []

    def static(self, unit: Unit) -> tuple[str, str | None] | None:
        """What a unit is on its own cues: markup, an image, or boilerplate (computed once)."""
        if unit.kind is False:
            if unit.markup:
                unit.kind = "other", unit.markup
            elif not unit.text and unit.images:
                unit.kind = ("caption" if any(alt for _, alt in unit.images) else "other"), "image"
            elif not unit.text:
                unit.kind = "other", "markup"
            else:
                unit.kind = bp.classify_paragraph(unit.text)
        return unit.kind  # type: ignore[return-value]

    def take_url(self, unit: Unit, rung: str | None) -> bool:
        """Remove a line that is only a URL; ``rung`` None: a link the text shows, not its address."""
        if not BARE_URL.match(unit.text):
            return False
        self.remove(unit, "other", "original-url" if rung == "original-url" else "url")
        if rung:
            self.offer("url", rung, unit.text.strip("<>").rstrip(".,;)"))
        self.want_url = False
        return True

    # - author notes -

    def take_note(self, unit: Unit, *, strong: bool = False, trailer: bool = False) -> bool:
        """Remove an author note or republication note, sentence by sentence; False if it is prose."""
        text = unit.text
        if not strong and not (
            bp.bio_subject(text) or bp.republication_hint(text) or bp.disclaimer_hint(text)
        ):
            return False
        parts: list[tuple[str, str | None, str, str]] = []  # kind, label, raw, clean
        offers: list[tuple[str, str, Any]] = []  # made only once the whole paragraph is a note
        for i, raw in enumerate(bp.split_sentences(unit.raw)):
            clean = clean_inline(raw)[0]
            source = bp.republished_from(clean)
            if source:
                parts.append(("other", "republication", raw, clean))
                offers.append(("republished_from", "republication", source))
                continue
            if bp.disclaimer_hint(clean) and any(d.search(clean) for d in bp.DISCLAIMERS):
                parts.append(("disclaimer", None, raw, clean))
                continue
            if i == 0:
                subject = bp.bio_subject(clean)
                if subject is None or not (strong or self.is_author_note(subject, trailer)):
                    return False
                parts.append(("bio", None, raw, clean))
                offers.append(("authors", "bio", [n for n in subject[0] if bp.full_name(n)]))
                continue
            if parts[-1][0] == "bio" and (CONTINUATION.match(clean) or bp.FOLLOW_AUTHOR.search(clean) or bp.bio_subject(clean)):
                parts.append(("bio", None, raw, clean))
                continue
            return False
        if not parts:
            return False
        for offer in offers:
            self.offer(*offer)
        # consecutive sentences of one kind stay one removed entry
        merged: list[list[Any]] = []
        for kind, label, raw, clean in parts:
            if merged and merged[-1][0] == kind and merged[-1][1] == label:
                merged[-1][2] += " " + raw
                merged[-1][3] += " " + clean
            else:
                merged.append([kind, label, raw, clean])
        for kind, label, raw, clean in merged:
            self.remove(raw, kind, label)
            if kind == "bio":
                self.bios.append(clean)
                self.offer("outlet", "bio", bp.outlet_from_bio(clean))
            elif kind == "disclaimer":
                self.offer("outlet", "disclaimer", bp.outlet_from_disclaimer(clean))
        return True

    def is_author_note(self, subject: tuple[tuple[str, ...], str], trailer: bool) -> bool:
        names, _ = subject
        for name in names:
            for author in self.known_authors:
                if name == author or (len(name.split()) == 1 and author.split()[-1] == name):
                    return True
        return trailer and all(bp.full_name(n) for n in names)

    # - the passes -

    def title_like(self, unit: Unit) -> bool:
        text = unit.text
        if unit.heading:
            return True
        lead = text[:1]
        # a title opens with a capital, a quote or a digit, or with a letter of a script without case
        if unit.list_item or unit.words > 30 or len(text) > 300 or not (lead.isupper() or _uncased(lead)) and lead not in "“\"‘'(«0123456789":
            return False
        # a headline does not end in a full stop (of any script), unless it is written in Title Case
        if text.endswith(FULL_STOPS_UNCASED):
            return False
        return not text.endswith(".") or bool(ABBREVIATED_END.search(text)) or (unit.words <= 20 and _title_case(text))

    def prose(self, index: int) -> bool:
        unit = self.units[index]
        if unit.words > 40 or (bp.ends_sentence(unit.text) and unit.words >= 3) or (unit.text.endswith(":") and unit.words >= 4):
            return True
        following = self.units[index + 1] if index + 1 < len(self.units) else None
        # a paragraph the scraper split mid-sentence
        return following is not None and following.text[:1].islower() and not SPLIT_END.search(unit.text)

    def meta_follows(self, index: int) -> bool:
        """Whether a byline or dateline comes within the next few header lines (a dek with a full stop)."""
        for unit in self.units[index + 1 : index + 4]:
            meta = bp.parse_meta_line(unit.text)
            if meta is not None:
                return True
            if self.static(unit):
                continue
            if unit.words > 40 or bp.ends_sentence(unit.text):
                return False
        return False

    def header(self) -> int:
        """Take the header; return the index of the first body unit."""
        expected = self.hints.get("title") or (self.offers.get("title", {}).get("front-matter"))
        title_done = False
        for index, unit in enumerate(self.units):
            if self.want_url and self.take_url(unit, "original-url"):
                continue
            kind = self.static(unit)
            if kind:
                self.take(unit, *kind)
                continue
            meta = bp.parse_meta_line(unit.text)
            if meta is not None:
                self.take_meta_unit(unit, meta)
                continue
            if self.take_url(unit, "url-line"):
                continue
            self.take_images(unit)  # the rest of the line is title, dek, caption or body
            crumbs = None if unit.heading else bp.parse_breadcrumb(unit.text)
            if crumbs:
                self.remove(unit, "tags", "breadcrumb")
                self.offer("tags", "breadcrumb", crumbs)
                continue
            if self.title and _same(unit.text, self.title):
                self.remove(unit, "other", "title")  # the scraper's second copy of the title
                continue
            if not title_done:
                title_done = True
                if expected:
                    if _same(unit.text, expected):
                        self.title, self.title_rung = unit.text, "front-matter"
                        continue
                elif self.title_like(unit):
                    if self.section_label(index):
                        title_done = False
                        self.remove(unit, "tags", "section")
                        self.offer("tags", "section", [unit.text])
                        continue
                    self.set_title(unit)
                    continue
                else:
                    return index
            if unit.heading and self.subtitle is None:
                self.subtitle, self.subtitle_rung = unit.text, "markdown-heading"
                continue
            if self.prose(index) or unit.heading or unit.list_item:
                if self.subtitle is None and not unit.heading and unit.words <= 60 and self.meta_follows(index):
                    self.subtitle, self.subtitle_rung = unit.text, "dek-line"
                    continue
                return index
            if unit.words <= self.caption_max_words:
                self.remove(unit, "caption")
            elif self.subtitle is None:
                self.subtitle, self.subtitle_rung = unit.text, "dek-line"
            elif unit.words <= 40:
                self.remove(unit, "caption")
            else:
                return index
        return len(self.units)

    def section_label(self, index: int) -> bool:
        """A kicker such as "Opinion" or "WORLD" standing over the real title."""
        text = self.units[index].text
        if not (text.lower() in SECTION_WORDS or (text.isupper() and len(text) <= 30)) or len(text.split()) > 3:
            return False
        for unit in self.units[index + 1 : index + 3]:
            if not self.static(unit):
                return self.title_like(unit) and unit.words >= 3
        return False

    def set_title(self, unit: Unit) -> None:
        title = unit.text
        match = TITLE_SUFFIX.match(title)
        if match and outlet_by_name(match.group("outlet")):
            title = match.group("title").strip()
            self.offer("outlet", "title-suffix", outlet_by_name(match.group("outlet")))
        self.title = title
        self.title_rung = "markdown-heading" if unit.heading else "first-line"

    def trailer(self, start: int) -> int:
        """Index where the trailer of notes after the last body paragraph begins."""
        end = len(self.units)
        for index in range(len(self.units) - 1, start - 1, -1):
            unit = self.units[index]
            if (self.static(unit) or bp.parse_meta_line(unit.text) or BARE_URL.match(unit.text)
                    or bp.REPORTER_EMAIL.match(unit.text)):
                end = index
                continue
            subject = bp.bio_subject(unit.text)
            if subject and all(bp.full_name(n) for n in subject[0]) and unit.words <= 80:
                end = index
                continue
            break
        return end

    def body_pass(self, start: int) -> None:
        trail = self.trailer(start)
        comments = related_list = False
        for index in range(start, len(self.units)):
            unit = self.units[index]
            if self.want_url and self.take_url(unit, "original-url"):
                continue
            kind = self.static(unit)
            if comments:
                if kind and kind[1] == "original-url":
                    self.take(unit, *kind)
                elif not (index >= trail and self.take_url(unit, None)):
                    self.remove(unit, "comments")
                continue
            if related_list and (unit.list_item or LINK_ONLY.match(unit.raw) or self.teaser(unit)):
                self.remove(unit, "related")  # the links or headlines under a "Related" header
                continue
            related_list = False
            if kind:
                comments = kind[0] == "comments" and bool(bp.COMMENTS_SECTION.match(unit.text))
                related_list = kind[0] == "related" and bool(
                    bp.RELATED_HEADER.match(unit.text) or RELATED_LABEL.match(unit.text) or bp.related_header(unit.text))
                self.take(unit, *kind)
                continue
            if not unit.heading and LINK_ONLY.match(unit.raw):
                self.remove(unit, "related", "link")  # a line that is nothing but a link: a teaser
                continue
            if index >= trail:
                meta = bp.parse_meta_line(unit.text)
                if meta is not None:
                    self.take_meta_unit(unit, meta)
                    continue
                if self.take_url(unit, None):
                    continue
                if bp.REPORTER_EMAIL.match(unit.text):
                    self.remove(unit, "other", "reporter-email")  # a wire reporter's address under the story
                    continue
            if unit.emphasised and index > 0 and self.units[index - 1].images and not self.units[index - 1].text:
                self.remove(unit, "caption")  # *the caption* under a markdown image
                continue
            if self.take_note(unit, trailer=index >= trail):
                continue
            if bp.banner_hint(unit.text) and not self.trim_banner(unit):
                continue
            self.take_images(unit)
            dateline = bp.agency_dateline(unit.text) if not self.body else None
            if dateline:  # "МОСКВА, 14 августа — РИА Новости." opening the lede
                self.remove(dateline[0], "other", "dateline")
                self.offer("published", "dateline", dateline[1])
                unit.text = unit.text[len(dateline[0]) :].strip()
            if not self.lead_checked:
                self.lead_checked = True
                lead = bp.lead_author(unit.text) or bp.lead_author(self.subtitle or "")
                self.offer("authors", "lead-sentence", [lead] if lead else None)
            self.body.append((unit.text, bool(unit.heading)))

    def teaser(self, unit: Unit) -> bool:
        """A headline in a promo list: short, no sentence end, not a heading."""
        return not unit.heading and unit.words <= 20 and not bp.ends_sentence(unit.text) and not unit.text.endswith(":")

    def trim_banner(self, unit: Unit) -> bool:
        """Take a consent or subscription banner off the start and end of a prose unit (a dataset's
        text glued on one line); False when nothing of the unit is left."""
        text = unit.text
        lead = bp.BANNER_LEAD.match(text)
        if lead:
            self.remove(lead.group().strip(), "nav", "consent")
            text = text[lead.end():]
        sentences = bp.split_sentences(text)
        first, last = 0, len(sentences)
        while first < last and _strong_banner(sentences[first]):
            first += 1
        while last > first and _strong_banner(sentences[last - 1]):
            last -= 1
        for part in (sentences[:first], sentences[last:]):
            kind = bp.banner_kind(part) if part else None
            if kind:
                self.remove(" ".join(part), "nav", kind)
        head = first if bp.banner_kind(sentences[:first]) else 0
        tail = last if bp.banner_kind(sentences[last:]) else len(sentences)
        if not head and tail == len(sentences) and not lead:
            return True
        # cut at sentence starts, so what stays is the text as written (closing brackets and all)
        starts, position = [], 0
        for sentence in sentences:
            position = text.find(sentence, position)
            starts.append(position)
        end = starts[tail] if tail < len(sentences) else len(text)
        unit.text = text[starts[head] if head < len(sentences) else end : end].strip()
        return bool(unit.text)

    def strip_wire_end(self) -> None:
        """A wire service's end mark (and reporter's e-mail) glued to the last paragraph goes to ``removed``."""
        if not self.body:
            return
        text, heading = self.body[-1]
        match = bp.WIRE_TRAILER.search(text)
        if not match:
            return
        self.remove(match.group().strip(), "other", "wire-end")
        if text[: match.start()].strip():
            self.body[-1] = (text[: match.start()].rstrip(), heading)
        else:
            self.body.pop()

    def paragraphs(self) -> list[str]:
        """Body paragraphs, with those the scraper split mid-sentence joined again."""
        out: list[tuple[str, bool]] = []
        for text, heading in self.body:
            if out and not heading and not out[-1][1]:
                previous = out[-1][0]
                split = not SPLIT_END.search(previous) and (
                    text[:1].islower() or (previous.endswith(",") and text[:1].isalnum())
                )
                if split:
                    hyphen = previous.endswith("-") and previous[-2:-1].isalpha()
                    out[-1] = (previous + ("" if hyphen else " ") + text, False)
                    continue
            out.append((text, heading))
        return [text for text, _ in out]


def extract_text(item: RawItem, settings: Settings) -> Draft:
    """Clean one plain-text or Markdown scrape into a body, its metadata and what was removed."""
    text = normalise(decode(item.data, declared=item.hints.get("charset")))
    lines = text.split("\n")
    data, skip = _front_matter(lines)
    cleaner = _Cleaner(units_of(lines[skip:]), settings, item.hints)
    for line in lines[:skip]:
        if line:
            cleaner.remove(line, "other", "front-matter")
    _front_matter_offers(data, cleaner.offer)
    start = cleaner.header()
    cleaner.body_pass(start)
    cleaner.strip_wire_end()

    draft = Draft(text="\n\n".join(cleaner.paragraphs()), removed=cleaner.removed, author_bios=cleaner.bios)
    if cleaner.title:
        draft.fill("title", cleaner.title, cleaner.title_rung)
    if cleaner.subtitle:
        draft.fill("subtitle", cleaner.subtitle, cleaner.subtitle_rung)
    offers = cleaner.offers
    url = next((offers.get("url", {})[r] for r in RUNGS["url"] if r in offers.get("url", {})), None)
    cleaner.offer("outlet", "url-domain", outlet_for_url(url or item.hints.get("url")))
    for name, rungs in RUNGS.items():
        for rung in rungs:
            value = offers.get(name, {}).get(rung)
            if value not in (None, "", []):
                draft.fill(name, value, rung)
                break
    if draft.provenance.get("author_bios") is None and draft.author_bios:
        draft.provenance["author_bios"] = "bio"
    return draft
