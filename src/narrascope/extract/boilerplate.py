"""Boilerplate paragraphs and metadata lines, shared by the text and HTML extractors.

``classify_paragraph`` says whether one paragraph, taken alone, is boilerplate: a related-link
line, a comment trailer, an opinion disclaimer, a photo credit, an explicit caption, an author
bio, a byline, a labelled dateline, a tag list, a republication note, an "Original url:" label or
a navigation/share widget. It must be precise: it is run on every paragraph trafilatura returns,
so each rule asks for a cue an article paragraph does not have (a leading "Related article:", a
known photo agency after a slash, "guest columnist" in a "X is a ..." sentence). What needs
context (a short line under the title is a caption; a "X is a senior fellow" note is a bio when X
wrote the piece) is decided by the extractors with the helpers below.

The parsers (``parse_byline``, ``parse_meta_line``, ``parse_date``, ``republished_from``,
``outlet_from_disclaimer``, ``outlet_from_bio``, ``bio_subject``, ``lead_author``,
``parse_breadcrumb``, ``parse_tag_line``) turn such lines into metadata values. All are plain
regular expressions: a 5,000-word scrape is classified in a few milliseconds.

Beside English, the cue words of the other languages narrascope reads (bylines, related-link
lines, disclaimers, date labels: ``cues.py``, ``data/language_cues.tsv``) and their written
months (``sources.dates.written_dates``) extend the same rules; ``agency_dateline`` reads a wire
dateline opening the lede ("МОСКВА, 14 августа 2017 — РИА Новости.").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from ..sources.dates import written_dates
from .cues import cues
from .outlets import outlet_by_name, outlet_for_url

__all__ = [
    "MetaLine",
    "agency_dateline",
    "bio_subject",
    "classify_paragraph",
    "disclaimer_hint",
    "ends_sentence",
    "full_name",
    "is_bio",
    "is_name",
    "lead_author",
    "outlet_from_bio",
    "outlet_from_disclaimer",
    "parse_breadcrumb",
    "parse_byline",
    "parse_date",
    "parse_meta_line",
    "parse_tag_line",
    "related_header",
    "republication_hint",
    "republished_from",
    "split_sentences",
    "written_dateline",
]

# --- names ----------------------------------------------------------------------------------

NAME_PARTICLES = frozenset({
    "de", "da", "das", "dos", "du", "del", "della", "der", "den", "van", "von", "ter", "ten", "le", "la", "al", "el",
    "bin", "ibn", "ben", "y", "e",
})
HONORIFICS = frozenset({"Dr.", "Dr", "Prof.", "Prof", "Mr.", "Mr", "Ms.", "Ms", "Mrs.", "Mrs", "Sir"})
# Capitalised words that open sentences or name things other than people.
NOT_NAME_WORDS = frozenset({
    "The", "A", "An", "This", "That", "These", "Those", "It", "Its", "He", "She", "They", "We", "I", "You", "Our",
    "His", "Her", "Their", "In", "On", "At", "For", "But", "And", "Or", "If", "When", "While", "As", "After", "Before",
    "Since", "There", "Here", "What", "Who", "Why", "How", "Where", "Which", "Today", "Yesterday", "Tomorrow",
    "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "January", "February", "March",
    "April", "May", "June", "July", "August", "September", "October", "November", "December", "Photo", "Image",
    "Picture", "Video", "Source", "Credit", "Read", "More", "Related", "Share", "Comments", "Opinion", "Analysis",
    "News", "Staff", "Editor", "Editors", "Reuters", "AP", "AFP", "Getty", "Images", "EPA",
})
NAME_TOKEN = re.compile(r"^[^\W\d_][\w'’.-]*$")
# a Chinese name is written without spaces: two to four characters, a foreign one with "·"
HAN_NAME = re.compile(r"^[\u4e00-\u9fff]{2,4}$|^[\u4e00-\u9fff]{1,6}(?:[·・•][\u4e00-\u9fff]{1,6}){1,2}$")


def is_name(text: str, *, min_tokens: int = 2, max_tokens: int = 5) -> bool:
    """Whether ``text`` is shaped like a person's name: capitalised words, particles inside."""
    if HAN_NAME.match(text):
        return True
    tokens = text.split()
    if tokens and tokens[0] in HONORIFICS:
        tokens = tokens[1:]
    if not min_tokens <= len(tokens) <= max_tokens or len(text) > 60:
        return False
    for i, token in enumerate(tokens):
        if not NAME_TOKEN.match(token) or token in NOT_NAME_WORDS or token.endswith(("'s", "’s")):
            return False
        # a lower-case initial is no name's; scripts without case (Arabic, Georgian) have none
        if token[0].islower() and not (0 < i < len(tokens) - 1 and token.lower() in NAME_PARTICLES):
            return False
    return True


def _tidy_name(name: str) -> str:
    name = re.sub(r"\s+", " ", name).strip(" ,;:.*_")
    if name.isupper():  # "MAXIM TRUDOLYUBOV" -> "Maxim Trudolyubov"
        name = " ".join(t.capitalize() for t in name.split())
    return name


# --- sentences ------------------------------------------------------------------------------

TERMINAL = re.compile(r"[.!?…。！？؟][\"'”’)\]*_»]*$")


def ends_sentence(text: str) -> bool:
    """Whether ``text`` ends with sentence punctuation (closing quotes and brackets allowed)."""
    return bool(TERMINAL.search(text[-8:]))
SENTENCE_BREAK = re.compile(r"(?<=[.!?…])[\"'”’)\]]*\s+(?=[\"'“‘(\[*_]*[^\W\d_])")
ABBREVIATION_END = re.compile(r"(?:\b[A-Z]\.|\b(?:Mr|Mrs|Ms|Dr|Prof|St|Gen|Col|Lt|Sen|Rep|Gov|No|vs|Jr|Sr|Inc|Co|U\.S|U\.K)\.)$")


def split_sentences(text: str) -> list[str]:
    """Sentences of ``text`` (a plain split: initials and common abbreviations do not end one)."""
    out: list[str] = []
    start = 0
    for match in SENTENCE_BREAK.finditer(text):
        head = text[start : match.start()].rstrip("\"'”’)]")
        if ABBREVIATION_END.search(head):
            continue
        out.append(text[start : match.start()].strip())
        start = match.end()
    tail = text[start:].strip()
    if tail:
        out.append(tail)
    return out


# --- dates ----------------------------------------------------------------------------------

MONTHS = {name: number for number, name in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1)}
_MONTH = r"(?P<mon>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
_WEEKDAY = r"(?:(?:mon|tues?|wed(?:nes)?|thu(?:rs)?|fri|sat(?:ur)?|sun)(?:day)?\.?,?\s+)?"
DATE_FORMS = [
    re.compile(rf"\b{_WEEKDAY}{_MONTH}\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<year>\d{{4}})\b", re.I),
    re.compile(rf"\b{_WEEKDAY}(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH},?\s+(?P<year>\d{{4}})\b", re.I),
    re.compile(r"\b(?P<year>\d{4})-(?P<mon>\d{1,2})-(?P<day>\d{1,2})(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?(?![\d-])"),
    re.compile(r"\b(?P<year>\d{4})/(?P<mon>\d{1,2})/(?P<day>\d{1,2})\b"),
    re.compile(r"\b(?P<day>\d{1,2})\.(?P<mon>\d{1,2})\.(?P<year>\d{4})\b"),
    # 03/04/2017 is March 4 or 3 April: read only when one part cannot be a month
    re.compile(r"\b(?P<a>\d{1,2})/(?P<b>\d{1,2})/(?P<year>\d{4})\b"),
]
DATE_LABEL = re.compile(
    r"^(?P<label>(?:published|updated|edited|publication)\s+(?:time|date)|(?:first\s+|originally\s+)?published(?:\s+on)?|"
    r"posted(?:\s+on)?|(?:last\s+)?updated(?:\s+on)?|(?:last\s+)?modified(?:\s+on)?|date(?:d)?|released|issued)\b\s*[:\-–—]?\s*",
    re.I,
)
# What may stand beside a date on a dateline: a time, a time zone, separators.
DATE_FILLER = re.compile(
    r"^[\s,|·•/()–—-]*(?:(?:at\s+)?\d{1,2}(?:[:.h]\d{2}){1,2}\s*(?:[ap]\.?\s?m\.?)?\s*(?:\(?(?:[A-Z]{2,5}|(?:GMT|UTC)\s?[+-]?\s?\d{0,2}(?::?\d{2})?)\)?)?)?[\s,|·•/()–—-]*$",
    re.I,
)


def _date_from(match: re.Match[str]) -> str | None:
    groups = match.groupdict()
    year = int(groups["year"])
    if "a" in groups:
        a, b = int(groups["a"]), int(groups["b"])
        if a > 12 >= b:
            day, month = a, b
        elif b > 12 >= a:
            month, day = a, b
        elif a == b:
            month = day = a
        else:
            return None
    else:
        mon = groups["mon"]
        month = int(mon) if mon.isdigit() else MONTHS[mon[:3].lower()]
        day = int(groups["day"])
    if not 1800 <= year <= 2100:
        return None
    try:
        return date(year, month, day).isoformat()
    except ValueError:  # February 30: not a date at all
        return None


YEAR = re.compile(r"\d{4}")


def _find_date(text: str) -> tuple[str, int, int] | None:
    if not YEAR.search(text):  # every form states a four-digit year
        return None
    for form in DATE_FORMS:
        match = form.search(text)
        if match:
            iso = _date_from(match)
            if iso:
                return iso, match.start(), match.end()
    written = written_dates(text)  # a month written out in another language
    if written:
        start, end, iso = written[0]
        return iso, start, end
    return None


def parse_date(text: str) -> str | None:
    """The first date stated in ``text`` as YYYY-MM-DD, or None (an ambiguous 03/04/2017 is None)."""
    found = _find_date(text)
    return found[0] if found else None


def _parse_dateline(text: str) -> tuple[str, str, bool] | None:
    """(iso, label, labelled) when ``text`` is nothing but a (labelled) date and time."""
    if len(text) > 90:
        return None
    match = DATE_LABEL.match(text)
    label_word = match.group("label").lower() if match else ""
    rest = text[match.end() :] if match else text
    found = _find_date(rest)
    if not found:
        return _parse_written_dateline(text)
    iso, start, end = found
    if not (DATE_FILLER.match(rest[:start]) and DATE_FILLER.match(rest[end:])):
        return _parse_written_dateline(text)
    label = "dateline-updated" if label_word.startswith(("updated", "last", "modified", "edited")) else "dateline"
    return iso, label, bool(match)


def written_dateline(text: str) -> tuple[str, str, bool] | None:
    """(iso, label, labelled) when ``text`` is nothing but a date with its month written out in
    another language, labelled or not ("Опубликовано: 14 августа 2017, 12:30"); label is
    "dateline" or "dateline-updated"."""
    return _parse_written_dateline(text) if len(text) <= 90 else None


def _parse_written_dateline(text: str) -> tuple[str, str, bool] | None:
    """A dateline in another language: its label ("Опубликовано:", "Aktualisiert am") and a date
    whose month is written out ("14 августа 2017 г., 12:30")."""
    match = cues().date_label.match(text)
    rest = text[match.end() :] if match else text
    found = written_dates(rest)
    if not found:
        return None
    start, end, iso = found[0]
    if not (DATE_FILLER.match(rest[:start]) and WRITTEN_DATE_FILLER.match(rest[end:])):
        return None
    return iso, "dateline-updated" if match and match.group("updated") else "dateline", bool(match)


# what follows a written date on a dateline: a time ("в 12:30", "um 10:00 Uhr", "à 14h05"), a zone
WRITTEN_DATE_FILLER = re.compile(
    r"^[\s,|·•/()–—-]*(?:(?:в|à|um|a las|o|saat|في|at|o godz\.)\s+)?(?:\d{1,2}(?:[:.h]\d{2}){1,2}\s*(?:uhr|h|ч\.?)?\s*"
    r"(?:\(?(?:[A-ZА-Я]{2,5}|(?:GMT|UTC)\s?[+-]?\s?\d{0,2}(?::?\d{2})?)\)?)?)?[\s,|·•/()–—-]*$", re.I)


# --- bylines --------------------------------------------------------------------------------

BYLINE_LEAD = re.compile(
    r"^(?:by|written by|words by|text by|story by|posted by|von|par|por|authors?\s*:?|text\s*:|words\s*:|by\s*:)\s*",
    re.I,
)
FOREIGN_LEADS = ("von", "par", "por")
REPORTING_BY = re.compile(r"^\(?\s*(?:additional\s+)?(?:reporting|writing)\s+by\s+", re.I)
NAME_SEPARATORS = re.compile(r"\s*(?:,|;|&|\+|\band\b)\s*")
NAME_TRAILER = re.compile(r"\s+(?:in|for|at|from|of)\s+\S.*$")
AGENCIES = (
    r"Reuters|AP|Associated Press|AFP|Getty(?: Images)?|EPA(?:-EFE)?|ITAR-TASS|TASS|Sputnik|RIA Novosti|Xinhua|"
    r"Anadolu(?: Agency)?|Bloomberg|dpa|DPA|picture[- ]alliance|Shutterstock|Kremlin\.ru|Kremlin Press Service|"
    r"Pool|ZUMA(?: Press| Wire)?|SIPA(?: Press)?|Alamy|iStock(?:photo)?|Wikimedia Commons|Wikimedia|UPI|Kyodo|"
    r"Yonhap|KCNA|KNS|EFE|ANSA|PA(?: Images| Wire)?|Press Association|NurPhoto|[Ii]mago(?: Images)?|Kommersant|"
    r"Moskva News Agency|Global Look Press|Unsplash|Flickr|Handout|handout|AP Images|Reuters TV|Vedomosti|"
    r"The Moscow Times|Press Service|press service|Mil\.ru|mid\.ru|Sputnik/AFP|Pixabay"
)
AGENCY_NAME = re.compile(rf"^(?:the\s+)?(?:{AGENCIES})(?:\s+(?:staff|reporters?|wire))?$", re.I)


def _names(text: str, separators: re.Pattern[str] = NAME_SEPARATORS) -> list[str] | None:
    """Names in a byline's name list, or None if its first entry is not a name or an agency."""
    names: list[str] = []
    parts = [p for p in separators.split(text) if p.strip()]
    for i, part in enumerate(parts):
        part = part.strip(" .*_")
        if AGENCY_NAME.match(part):
            continue
        name = NAME_TRAILER.sub("", part)
        if is_name(name, min_tokens=2):
            names.append(_tidy_name(name))
        elif i == 0:
            return None
    return names


def parse_byline(text: str) -> list[str] | None:
    """The names of a byline paragraph ("By A and B", "Reporting by A; Editing by B"), or None.

    An agency-only byline ("By Reuters") gives an empty list: a byline, but no person.
    """
    text = text.strip().strip("*_").strip()
    if len(text) > 160:
        return None
    if REPORTING_BY.match(text):
        names: list[str] = []
        for part in text.strip("()").split(";"):
            part = part.strip()
            lead = REPORTING_BY.match(part)
            if lead:
                found = _names(part[lead.end() :])
                if found is None:
                    return None
                names += found
            elif not re.match(r"^(?:editing|edited|compiled|graphics|fact-?checking|production)\s+by\b", part, re.I):
                return None
        return names
    match = BYLINE_LEAD.match(text)
    separators = NAME_SEPARATORS
    if match and match.group().strip().lower() in FOREIGN_LEADS:
        separators = cues().name_separators  # "Von A und B", "Par A et B", "Por A y B"
    if not match:
        # a lead word of another language ("Автор:", "Yazar:", "بقلم", "作者："), names joined by its "and"
        match = cues().byline_lead.match(text)
        separators = cues().name_separators
    if not match:
        return None
    rest = text[match.end() :].strip()
    if not rest or ends_sentence(rest) and not rest.endswith("."):
        return None
    rest = rest.rstrip(".")
    if len(rest.split()) > 16:
        return None
    if AGENCY_NAME.match(rest):
        return []
    return _names(rest, separators)


READ_TIME = re.compile(r"^(?:\d+\s*(?:min(?:ute)?s?|m)\.?\s*(?:read|reading)?|reading time\s*:?\s*\d+\s*min(?:ute)?s?\.?)$", re.I)
META_SEPARATOR = re.compile(r"\s+[|·•]\s+|\s+[—–]\s+|\s+-\s+")


@dataclass
class MetaLine:
    """What a byline/dateline paragraph states."""

    authors: list[str] | None = None  # None: no byline part; []: a byline naming no person
    published: str | None = None
    updated: str | None = None
    labelled: bool = False  # the date carried a label ("Published: ...")


def parse_meta_line(text: str) -> MetaLine | None:
    """A byline, a dateline or both ("By A | August 14, 2017"), or None if ``text`` is anything else.

    An unlabelled date alone ("August 14, 2017") is returned with ``labelled=False``: whether it
    dates the article depends on where it stands, which the caller knows.
    """
    text = text.strip().strip("*_").strip()
    if not text or len(text) > 200:
        return None
    # a byline opens with its lead word; anything else needs a date, and a date a year
    if not (BYLINE_LEAD.match(text) or REPORTING_BY.match(text) or YEAR.search(text) or cues().byline_lead.match(text)):
        return None
    segments = [s for s in META_SEPARATOR.split(text) if s.strip()]
    if len(segments) > 4:
        return None
    meta = MetaLine()
    loose_names: list[str] = []
    for segment in segments:
        segment = segment.strip()
        names = parse_byline(segment)
        if names is not None:
            meta.authors = (meta.authors or []) + names
            continue
        dateline = _parse_dateline(segment)
        if dateline is not None:
            iso, label, labelled = dateline
            if label == "dateline-updated":
                meta.updated = meta.updated or iso
            else:
                meta.published = meta.published or iso
            meta.labelled = meta.labelled or labelled
            continue
        if READ_TIME.match(segment):
            continue
        if len(segments) > 1 and is_name(segment.strip(" ,")):
            loose_names.append(_tidy_name(segment.strip(" ,")))  # "Jane Doe | May 1, 2020"
            continue
        return None
    if meta.authors is None and loose_names and (meta.published or meta.updated):
        meta.authors = loose_names
    elif loose_names:
        return None
    if meta.authors is None and meta.published is None and meta.updated is None:
        return None
    return meta


# --- credits and captions -------------------------------------------------------------------

CREDIT_LABEL = re.compile(
    r"^\(?\s*(?:photo(?:graph)?s?|image|picture|pic|foto|credits?|photo credit|image credit|illustration|"
    r"graphic|cover photo|header image|top image|main image|featured image|image source|video)"
    r"\s*(?::|,|by\b|courtesy(?: of)?\b)\s*\S",
    re.I,
)
CREDIT_AGENCY_PHOTO = re.compile(rf"\b(?:{AGENCIES})\s+(?:Photos?|Images?)\s*/", re.I)
CREDIT_STOCK = re.compile(r"\b(?:Getty Images|Shutterstock|iStock(?:photo)?|Alamy|picture[- ]alliance|Imago Images)\b", re.I)
CREDIT_SLASH = re.compile(
    rf"^\(?(?:[^/.!?]{{1,60}}?\s?/\s?(?:{AGENCIES})(?:\s?/\s?[^/]{{1,40}}){{0,2}}|(?:{AGENCIES})\s?/\s?[^/.!?]{{1,60}}(?:\s?/\s?[^/]{{1,40}})?)\.?\)?\.?$"
)
COPYRIGHT_NOTICE = re.compile(r"^(?:©|\(c\)|copyright)\s*(?:©\s*)?\d{4}|rights reserved|distributed by", re.I)
CREDIT_COPYRIGHT = re.compile(r"^(?:©|\(c\)\s|copyright\s+(?:©|\(c\)|\d{4}))", re.I)
CAPTION_LABEL = re.compile(
    r"^\(?\s*(?:(?:image|media|photo|video) caption\s*[:,]|(?:caption|pictured|above|top|in the photo|in the picture|"
    r"on the photo|photo above)\s*:)\s*\S",
    re.I,
)
# A caption that ends in its credit: "Sergei Lavrov in Pyongyang. Photo: Reuters"
CAPTION_WITH_CREDIT = re.compile(
    rf"(?:\(\s*(?:[Pp]hoto|[Ii]mage|[Ff]oto|[Pp]icture|[Cc]redit)s?\s*(?::|by)\s*[A-Z][^()]{{0,60}}\)|"
    rf"\b(?:Photo|Image|Foto|Picture|Credit)s?\s*:\s*[A-Z][^.:;]{{0,50}}|\s\S+(?:\s\S+){{0,3}}\s?/\s?(?:{AGENCIES})|"
    rf"\[[^\[\]]{{0,60}}/\s?(?:{AGENCIES})[^\[\]]{{0,30}}\])\.?\)?$"
)


def _credit(text: str, words: int) -> bool:
    if words > 20:
        return False
    if CREDIT_LABEL.match(text) or CREDIT_COPYRIGHT.match(text) or "/" in text and CREDIT_AGENCY_PHOTO.search(text):
        return True
    if words > 12:
        return False
    if "/" in text and CREDIT_SLASH.match(text) or AGENCY_NAME.match(text.strip("()")):
        return True
    return bool(CREDIT_STOCK.search(text)) and not ends_sentence(text)


CREDIT_HINT = re.compile(r"/|[Pp]hoto|[Ii]mage|Foto|[Pp]icture|[Cc]redit")


# --- other boilerplate ----------------------------------------------------------------------

RELATED = re.compile(
    r"^\s*(?:related(?:\s+(?:articles?|stories|story|reading|content|posts?|news|coverage|links?))?|read more|"
    r"read also|also read|read next|see also|more on this(?: topic| story)?|more from [^:]{1,40}|recommended|"
    r"you may also like|you might also like|further reading|watch|listen|also on [^:]{1,30}|more)\s*:",
    re.I,
)
RELATED_HEADER = re.compile(
    r"^(?:related(?: articles| stories| content| posts| coverage)?|read more|more stories|more on this|"
    r"you may also like|you might also like|recommended(?: for you| stories)?|most read|most popular|trending)$",
    re.I,
)
COMMENTS = re.compile(
    r"^\s*(?:(?:\d+|no|one|two|three|four|five|six|seven|eight|nine|ten)\s+(?:thoughts?|comments?|responses?|replies|"
    r"reactions?)\s+(?:on|to)\s+[“\"‘'«]|"
    r"(?:comments are closed|comments? (?:are|is) (?:now )?(?:closed|disabled)|leave a (?:comment|reply)(?:\s+cancel reply)?|"
    r"post a comment|add a comment|join the (?:conversation|discussion)|show comments|view comments|load comments|"
    r"(?:\d+|no)\s+(?:comments?|responses?|replies)|comments?(?:\s*\(\d+\))?|you must be logged in to post a comment)"
    r"[.!]?\s*$)",
    re.I,
)
# The comment headers after which a page holds nothing but comments ("12 Comments" alone may be a share bar).
COMMENTS_SECTION = re.compile(
    r"^\s*(?:(?:\d+|no|one|two|three|four|five|six|seven|eight|nine|ten)\s+(?:thoughts?|comments?|responses?|replies|"
    r"reactions?)\s+(?:on|to)\s+[“\"‘'«]|comments are closed|comments? (?:are|is) (?:now )?closed|leave a (?:comment|reply)|"
    r"post a comment|add a comment|join the (?:conversation|discussion)|you must be logged in to post a comment)",
    re.I,
)
_DISCLAIMER_CONTEXT = (
    r"(?:here(?:in)?|above|below|on this (?:site|page|blog|website)|in (?:this|these|the|opinion|op-?eds?|guest|"
    r"such|his|her|their|columns?|commentar|blog|posts?|articles?)|by (?:the )?(?:authors?|writers?|contributors?|"
    r"columnists?|guests?|bloggers?|commentators?))"
)
DISCLAIMERS = [
    re.compile(r"^disclaimer\s*:", re.I),
    re.compile(
        rf"\b(?:views?|opinions?)(?:\s+and\s+(?:views?|opinions?))?\s+expressed\s+{_DISCLAIMER_CONTEXT}.{{0,120}}?"
        r"\b(?:do(?:es)?\s+not|don['’]t|doesn['’]t)\s+necessarily\s+(?:reflect|represent)",
        re.I,
    ),
    re.compile(
        r"\b(?:views?|opinions?)(?:\s+and\s+(?:views?|opinions?))?\s+expressed\b.{0,80}?\b(?:are|is)\s+(?:solely\s+|entirely\s+|strictly\s+)?"
        r"(?:those|the\s+views?|the\s+opinions?)\s+of\s+the\s+(?:authors?|writers?|contributors?)",
        re.I,
    ),
    re.compile(r"\b(?:views?|opinions?)\s+expressed\b.{0,80}?\b(?:the\s+)?(?:authors?|writers?)['’]s?\s+own\b", re.I),
    re.compile(r"^(?:this (?:article|piece|column|commentary|op-?ed) (?:reflects|represents|expresses) (?:only )?(?:the )?(?:personal )?(?:views?|opinions?|position) of (?:the|its) authors?)", re.I),
    re.compile(r"^(?:the\s+)?(?:views?|opinions?) of (?:the )?(?:authors?|contributors?|columnists?) (?:do not|don['’]t) necessarily", re.I),
]
REPORTED_SPEECH = re.compile(r"\b(?:said|says|told|according to)\b", re.I)
NAV_LINES = re.compile(
    r"^(?:advertisement|advertising|sponsored(?: content)?|share|share this(?: article| story| post)?|share on \w+|tweet|print|"
    r"e-?mail|email this|facebook|twitter|whatsapp|linkedin|telegram|reddit|pinterest|vk|copy link|copied|subscribe|"
    r"menu|skip to (?:main )?content|listen(?: to this article)?|back to top|show more|load more|continue reading|"
    r"print this (?:article|page)|save(?: article)?|follow|home|next|previous|next article|previous article|"
    r"(?:facebook|twitter|whatsapp|linkedin|telegram|reddit|e-?mail|x|print|copy link|share)(?:\s+(?:facebook|twitter|"
    r"whatsapp|linkedin|telegram|reddit|e-?mail|x|print|copy link|share)){1,8})[.!:]?$",
    re.I,
)
NAV_PROMPT = re.compile(
    r"^(?:follow us\b|follow [^.]{1,30} on (?:twitter|facebook|telegram|x|instagram)\b|subscribe to (?:our|the)\b|"
    r"sign up (?:for|to) (?:our|the)\b|download (?:our|the) app\b|join (?:our|us on)\b|support (?:our|independent) journalism\b|"
    r"click here to\b|get our newsletter\b|we use cookies\b|this site uses cookies\b|share this (?:story|article)\b|"
    r"think your friends would be interested\b|(?:feedback\s*:\s*)?send us your feedback\b|get short url\b|"
    r"print\s+print this page\b)",
    re.I,
)
ORIGINAL_URL = re.compile(
    r"^(?:(?P<strong>original\s+(?:url|link|article|source|post)|source\s+url|canonical(?:\s+url)?|permalink|article\s+url)|url|link|source)"
    r"(?:\s*:\s*|\s+(?=<?https?://))(?P<url><?https?://\S+?>?)?\s*$",
    re.I,
)
TAG_LINE = re.compile(
    r"^(?:(?:tags?|topics?|filed under|categories|category|keywords|related topics|subjects?|themes?)\s*:|"
    r"(?:tags|keywords|related subjects|related topics)\s)\s*(?P<list>\S.*)$",
    re.I,
)
TAG_SPLIT = re.compile(r"\s*[,;|·•]\s*")
BREADCRUMB_STRONG = re.compile(r"\s+[·›»>→]\s+")
BREADCRUMB_WEAK = re.compile(r"\s+[|/]\s+")
ABOUT_AUTHOR = re.compile(r"^(?:about the authors?\b|author bio\b|the (?:author|writer)s? (?:is|are|was|were|has|have)\b)", re.I)
FOLLOW_AUTHOR = re.compile(r"\bfollow (?:him|her|them) on (?:twitter|x|telegram|facebook|instagram)\b|\bon twitter @\w+", re.I)

# --- bios -----------------------------------------------------------------------------------

BIO_VERB = re.compile(r"\s(?:is|was|are|were|has been|have been|serves as|works as)\s")
BIO_OPENING = re.compile(
    r"^[—–-]?\s*(?P<names>[^\W\d_][\w'’.\- ]{1,100}?)\s+(?:is|was|are|were|has been|have been|serves as|works as)\s+(?P<rest>\S.*)$"
)
ROLE_WORDS = (
    r"journalist|writer|columnist|fellow|professor|analyst|researcher|editor|correspondent|director|scholar|"
    r"expert|author|lecturer|economist|historian|commentator|founder|co-founder|chair(?:man|woman|person)?|president|"
    r"member|ambassador|diplomat|specialist|contributor|reporter|blogger|consultant|lawyer|attorney|adviser|advisor|"
    r"officer|scientist|student|candidate|head|partner|producer|filmmaker|photographer|activist|associate|manager|"
    r"chief|deputy|strategist|politician|sociologist|political scientist|teacher|host|presenter|anchor|"
    r"editor-in-chief|publisher|novelist|poet|translator|PhD|doctoral|principal|coordinator"
)
ROLE_NOUNS = re.compile(rf"\b(?:{ROLE_WORDS.lower()})s?\b")  # searched in lower-cased text
# "is a senior fellow", "is director of", "is Senior Editor": not "is not the first member"
BIO_PREDICATE = re.compile(
    rf"^(?:(?i:a|an|the|also|currently|now|formerly|former|both|each|one of|among|{ROLE_WORDS})\b|[A-Z0-9])"
)
AUTHOR_ROLES = re.compile(
    r"\b(?:columnist|contributor|contributing (?:writer|editor|author|columnist)|guest (?:author|writer|columnist|"
    r"contributor|blogger)|op-?ed|opinion (?:writer|editor|columnist)|blogger|writes (?:for|about|on|a (?:weekly|"
    r"regular|monthly) column)|regularly writes)\b",
    re.I,
)


@lru_cache(maxsize=4096)
def bio_subject(text: str) -> tuple[tuple[str, ...], str] | None:
    """(names, rest) when ``text`` opens like an author note: "Maxim Trudolyubov is a senior fellow ...".

    Only the shape and a role noun are checked; a one-word name (a surname) is allowed, so the
    caller decides whether the person is the author.
    """
    text = text.strip().strip("*_")
    if not BIO_VERB.search(text[:120]):
        return None
    match = BIO_OPENING.match(text)
    if not match or not BIO_PREDICATE.match(match.group("rest")):
        return None
    names = []
    for part in re.split(r"\s*,\s*|\s+and\s+", match.group("names")):
        if not is_name(part, min_tokens=1):
            return None
        names.append(_tidy_name(part))
    if not ROLE_NOUNS.search(match.group("rest")[:200].lower()):
        return None
    return tuple(names), match.group("rest")


def is_bio(text: str) -> bool:
    """A paragraph that is an author note on its cues alone (no need to know who wrote the piece)."""
    if len(text.split()) > 80:
        return False
    if ABOUT_AUTHOR.match(text):
        return True
    if not BIO_VERB.search(text[:150]):
        return False
    if bio_subject(text) is None:
        return False
    if FOLLOW_AUTHOR.search(text) and len(text.split()) < 50:
        return True
    if "“" in text or '"' in text or REPORTED_SPEECH.search(text):
        return False
    sentences = split_sentences(text)
    subject = bio_subject(sentences[0]) if sentences else None
    if subject is None:
        return False
    names, rest = subject
    if not all(full_name(n) for n in names):
        return False
    return bool(AUTHOR_ROLES.search(rest)) or any(republished_from(s) for s in sentences[1:])


def full_name(name: str) -> bool:
    """A first and a last name, not "Mr. Bush" (a Chinese name: its characters)."""
    return bool(HAN_NAME.match(name)) or len([t for t in name.split() if t not in HONORIFICS]) >= 2


LEAD_DESCRIPTOR = (
    r"(?:journalist|analyst|columnist|writer|author|expert|commentator|correspondent|editor|scholar|historian|"
    r"economist|political scientist|professor|researcher|reporter|blogger|contributor|observer|politician|"
    r"diplomat|activist|fellow)"
)
LEAD_VERBS = r"(?:writes|argues|opines|contends|reflects)"
LEAD_FORMS = [
    re.compile(rf"\b{LEAD_DESCRIPTOR}\s+(?P<name>[^\W\d_][\w'’.\- ]{{1,60}}?)\s+{LEAD_VERBS}\b[^.!?]{{0,40}}[.!]?\s*$", re.I),
    re.compile(rf"\b\w+['’]s\s+(?P<name>[^\W\d_][\w'’.\- ]{{1,60}}?)\s+{LEAD_VERBS}\s*[.!]?\s*$"),
    re.compile(rf"[,—–]\s*{LEAD_VERBS}\s+(?:the\s+)?(?:[\w'’-]+\s+){{0,3}}?(?P<name>[A-Z][\w'’.\-]*(?:\s+[A-Z][\w'’.\-]*){{1,3}})\s*[.!]?\s*$"),
]


def lead_author(text: str) -> str | None:
    """The author a lead paragraph names: "..., the Russian journalist Konstantin Eggert writes."."""
    last = split_sentences(text)[-1] if text else ""
    for form in LEAD_FORMS:
        match = form.search(last)
        if match:
            # the descriptor may carry capitalised adjectives: keep the last 2-4 name words
            tokens = match.group("name").split()
            for k in range(min(len(tokens), 4), 1, -1):
                candidate = " ".join(tokens[-k:])
                if is_name(candidate):
                    return _tidy_name(candidate)
    return None


# --- republication and outlets --------------------------------------------------------------

_PIECE = r"(?:article|piece|story|op-?ed|commentary|essay|post|blog post|column|analysis|interview|report|text|opinion piece|version)"
REPUBLICATION = [
    re.compile(
        rf"^(?:an?\s+(?:\w+\s+)?version\s+of\s+)?this\s+(?:\w+\s+)?{_PIECE}\s+(?:was|is|has been|had been)\s+"
        r"(?:originally\s+|first\s+)?(?:published|posted|printed)\s+(?:by|in|on|at|with)\s+(?P<src>.+)$",
        re.I,
    ),
    re.compile(
        rf"^the\s+(?:\w+\s+)?{_PIECE}\s+(?:was|is|has been)\s+originally\s+(?:published|posted)\s+(?:by|in|on|at)\s+(?P<src>.+)$",
        re.I,
    ),
    re.compile(rf"^this\s+(?:\w+\s+)?{_PIECE}\s+(?:originally|first)\s+(?:appeared|ran)\s+(?:in|on|at)\s+(?P<src>.+)$", re.I),
    # without "this article": only a short note ("Originally published by the Kennan Institute.")
    re.compile(r"^(?:originally|first)\s+(?:published|appeared|posted)\s+(?:by|in|on|at)\s+(?P<src>(?:\S+\s*){1,8})$", re.I),
    re.compile(
        r"^(?:this\s+(?:\w+\s+)?\w+\s+(?:is|was|has been)\s+)?(?:republished|reprinted|reproduced|cross-?posted|syndicated)\s+"
        r"(?:here\s+)?(?:with\s+(?:kind\s+)?permission\s+)?(?:from|of|by)\s+(?P<src>.+)$",
        re.I,
    ),
]


REPUBLICATION_WORDS = ("publish", "appeared", "print", "reproduc", "posted", "syndicat", " ran ")


def republication_hint(text: str) -> bool:
    """A cheap test: could ``text`` hold a republication note at all?"""
    low = text.lower()
    return any(word in low for word in REPUBLICATION_WORDS)


def republished_from(sentence: str) -> str | None:
    """The first publisher a republication note names ("This article was originally published by X.")."""
    sentence = sentence.strip().strip("*_").strip()
    if len(sentence) > 300 or not republication_hint(sentence):
        return None
    for form in REPUBLICATION:
        match = form.match(sentence)
        if not match:
            continue
        src = match.group("src").strip().rstrip(".!").strip()
        src = re.split(r"\s*[,;(]\s*|\s+(?:on|under|and is|as part of)\s+", src, maxsplit=1)[0]
        src = re.sub(r"\s+(?:website|blog|site)$", "", src, flags=re.I).strip(" .<>")
        person_at = re.match(r"^[^\W\d_][\w'’.\- ]+?\s+at\s+(?P<outlet>[A-Z].*)$", src)  # "Tyler Durden at Zero Hedge"
        if person_at:
            src = person_at.group("outlet")
        if re.match(r"^https?://|^[\w-]+(?:\.[\w-]+)+(?:/\S*)?$", src):
            return outlet_for_url(src) or re.sub(r"^(?:https?://)?(?:www\.)?([^/]+).*$", r"\1", src)
        if src.lower().startswith("the "):
            src = src[4:]
        if not src or not src[0].isupper() or len(src.split()) > 8:
            return None
        return src
    return None


OUTLET_IN_DISCLAIMER = [
    re.compile(
        r"\b(?:reflect|represent)s?\s+(?:the\s+)?(?:official\s+|editorial\s+)?(?:position|views?|opinions?|policy|policies|stance|line|those)\s+"
        r"(?:of|held by)\s+(?P<o>[^\W\d_][^,.;]{0,60}?)\s*(?:[,.;]|\s+or\b|\s+and\s+its\b|$)",
        re.I,
    ),
    re.compile(r"\b(?:reflect|represent)s?\s+(?P<o>[^\W\d_][^,.;]{0,60}?)['’]s?\s+(?:official\s+|editorial\s+)?(?:position|views?|policy|stance|line)\b", re.I),
]
NOT_OUTLET = re.compile(r"^(?:the\s+)?(?:author|authors|writer|editors?|publisher|publication|site|website|company|organi[sz]ation|this)\b", re.I)


def outlet_from_disclaimer(text: str) -> str | None:
    """The outlet a disclaimer speaks for: "... do not necessarily reflect the position of The Moscow Times." """
    for form in OUTLET_IN_DISCLAIMER:
        match = form.search(text)
        if match:
            outlet = match.group("o").strip()
            if NOT_OUTLET.match(outlet) or not outlet[0].isupper() or len(outlet.split()) > 6:
                continue
            return outlet_by_name(outlet) or outlet
    return None


OUTLET_IN_BIO = re.compile(
    r"\b(?P<role>columnist|contributor|correspondent|reporter|editor|writer|commentator|blogger|journalist|host|presenter|anchor)s?"
    r"\s+(?:for|at|with|of)\s+(?:the\s+)?(?P<o>[^\W\d_][\w.&'’-]*(?:\s+[A-Z0-9][\w.&'’-]*){0,4})"
)


def outlet_from_bio(text: str) -> str | None:
    """The outlet an author note places its author at: "a guest columnist for DW's Russian service" -> DW."""
    for match in OUTLET_IN_BIO.finditer(text):
        outlet = re.split(r"['’]s?\b", match.group("o"), maxsplit=1)[0].strip()
        known = outlet_by_name(outlet)
        if known:
            return known
        if match.group("role") in ("columnist", "correspondent") and outlet[:1].isupper() and len(outlet.split()) <= 4:
            return outlet
    return None


# --- tags -----------------------------------------------------------------------------------


def _tag_parts(parts: list[str]) -> list[str] | None:
    tags = [p.strip(" .") for p in parts if p.strip(" .")]
    if not tags or any(len(t.split()) > 5 or ends_sentence(t) and not t.endswith(".") for t in tags):
        return None
    return [t for t in tags if t.lower() not in ("home", "homepage", "main", "news")] or None


def parse_breadcrumb(text: str) -> list[str] | None:
    """The categories of a breadcrumb line ("Information operations · Information Warfare · Russia")."""
    if len(text) > 160 or ends_sentence(text) and not text.endswith("..."):
        return None
    parts = BREADCRUMB_STRONG.split(text)
    if len(parts) < 2:
        parts = BREADCRUMB_WEAK.split(text)
        if len(parts) < 3:  # "Carlos Barria / Reuters" is a credit, "Title | Outlet" a title
            return None
    return _tag_parts(parts)


def parse_tag_line(text: str) -> list[str] | None:
    """The tags of a "Tags: a, b, c" line."""
    match = TAG_LINE.match(text.strip())
    if not match or len(text) > 300:
        return None
    return _tag_parts(TAG_SPLIT.split(match.group("list")))


# --- banners and wire trailers --------------------------------------------------------------
# Site chrome a dataset's text field carries along (JSONL and CSV records are often scraped
# with it): cookie and consent notices, subscription prompts, and the end marks and contact
# lines wire services put under a story. A banner sentence speaks to the reader (we, our, you)
# or is a button label; an article sentence *about* cookies or subscribers does neither.

COOKIE_CUE = (
    r"\b(?:use|uses|using|accept|accepts|store|stores|set|sets|enable|allow|place|places|of|our|these|all)\s+"
    r"(?:\w+\s+)?cookies\b|\bcookies? (?:policy|settings|preferences|notice|consent|banner)\b"
)
CONSENT_CUE = re.compile(
    rf"{COOKIE_CUE}|\bprivacy (?:policy|notice|statement|settings|preferences|choices|cent(?:er|re))\b|"
    r"\baccept (?:&|and) close\b|\bdo not sell my (?:personal )?information\b|"
    r"\bterms (?:of (?:use|service)|(?:&|and) conditions)\b|\bconsent to (?:the |our )?(?:use|processing|cookies)\b",
    re.I,
)
CONSENT_WORDS = re.compile(
    r"\bcookies?\b|\bprivacy\b|\bconsent\b|\baccept|\bagree|\bpersonal (?:data|information)\b|"
    r"\bpartners\b|\bpersonali[sz]e|\bbrows(?:e|ing|er)\b|\bopt[ -]out\b|\btracking technologies\b|\bgdpr\b|"
    r"\blearn more\b|\bfind out more\b|\bmore information\b",
    re.I,
)
# A subscription prompt, not a sentence that mentions subscribers or a membership fee.
SUBSCRIBE_PROMPT = re.compile(
    r"\b(?:subscribe|sign up|signing up|register|join)\s+(?:(?:now|today|here|for free)\b|(?:to|for)\s+(?:our|the|my)\b"
    r"[^.!?]{0,40}?\b(?:newsletters?|e-?mails?|updates|alerts|digest|briefing|mailing list)\b)|"
    r"\bjoin our (?:newsletter|mailing list)\b|"
    r"\b(?:delivered|sent|straight|directly|direct)\s+to your inbox\b|\bin your inbox\b|"
    r"^already (?:a subscriber|a member|have an account)\b|^(?:log|sign) ?in(?: here| now)?[.!]?$|^(?:subscribe|sign up)[.!]?$|"
    r"\bsubscribers? only\b|\bfor subscribers\b|\bsubscribe to (?:continue|read|unlock)\b|\bunlimited (?:digital )?access\b|"
    r"\bstart (?:your )?free trial\b|\bthank you for (?:subscribing|signing up)\b|\bsubscribe to (?:our|the)\b|"
    r"\bnever miss a (?:story|thing|post|beat|headline)\b",
    re.I,
)
READER = re.compile(r"\b(?:we|we're|our|us|you|your|you're)\b", re.I)
# Button labels and links of a banner, alone or in a row ("Privacy Policy · Accept & Close").
BANNER_LABELS = (
    r"privacy policy|cookie policy|cookie settings|cookies? preferences|terms of (?:use|service)|"
    r"accept (?:&|and) close|accept all(?: cookies)?|accept cookies|reject all|allow all(?: cookies)?|"
    r"manage (?:cookies|preferences|settings|consent)|i agree|i accept|got it|ok"
)
BANNER_ROW = re.compile(rf"^(?:(?:{BANNER_LABELS})\s*[·|•/,]?\s*)+$", re.I)
BANNER_LEAD = re.compile(rf"^(?:(?:{BANNER_LABELS})\s*[·|•/]\s*)*(?:accept (?:&|and) close|accept all cookies)\s+", re.I)
#: Words every consent or subscription cue above holds (a plain substring test before the patterns).
BANNER_WORDS = ("cookie", "privacy", "accept", "consent", "terms ", "do not sell", "subscri", "newsletter", "sign up",
                "signing up", "register", "join", "inbox", "log in", "login", "sign in", "already a", "already have",
                "unlimited", "free trial", "never miss")


def banner_hint(text: str) -> bool:
    """A cheap test: could ``text`` hold a consent or subscription banner at all?"""
    low = text.lower()
    return any(word in low for word in BANNER_WORDS) or (len(text) <= 80 and bool(BANNER_ROW.match(text)))


def banner_sentence(sentence: str) -> tuple[str, bool] | None:
    """(kind, strong) when ``sentence`` may belong to a banner: kind "consent" or "subscribe";
    strong when it is a button row, a subscription prompt, or a cookie or privacy notice put to
    the reader (we, our, you); weak when it only uses a word consent notices use ("browsing")."""
    sentence = sentence.strip().strip("*_").strip()
    if not sentence:
        return None
    if BANNER_ROW.match(sentence):
        return "consent", True
    if len(sentence.split()) > 45 or REPORTED_SPEECH.search(sentence):
        return None
    if CONSENT_CUE.search(sentence):
        return "consent", bool(READER.search(sentence))
    if SUBSCRIBE_PROMPT.search(sentence):
        return "subscribe", True
    if CONSENT_WORDS.search(sentence):
        return "consent", False
    return None


def banner_kind(sentences: list[str]) -> str | None:
    """"consent" or "subscribe" when ``sentences`` are all a banner's and one states it, else None."""
    found = [banner_sentence(s) for s in sentences]
    if not found or any(f is None for f in found):
        return None
    strong = {f[0] for f in found if f is not None and f[1]}
    return "consent" if "consent" in strong else "subscribe" if strong else None


def _banner(text: str, words: int) -> str | None:
    if words > 60 or not banner_hint(text):
        return None
    return banner_kind(split_sentences(text))


WIRE_END = re.compile(r"^[\s(\[—–-]*(?:end|ends|enditem|end item)[\s)\]—–.-]*$|^-0-$|^#\s?#\s?#$", re.I)
EMAIL = r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
REPORTER_EMAIL = re.compile(rf"^\(*\s*{EMAIL}\s*\)*\.?$|^\(\(\s*{EMAIL}\b[^()]*\)\)$")
# "... said the minister. kdh@yna.co.kr (END)": the trailer glued to the last paragraph
WIRE_TRAILER = re.compile(rf"(?:\s+\(*{EMAIL}\)*)*\s+(?:\((?:END|end|ENDS|ends)\)|ENDITEM|Enditem)\s*$")



# --- the classifier -------------------------------------------------------------------------


def classify_paragraph(text: str) -> tuple[str, str | None] | None:
    """``(kind, label)`` if ``text`` (one paragraph) is boilerplate, else None.

    ``kind`` is one of the schema's removed kinds; ``label`` a finer name or None.
    """
    text = text.strip()
    if not text:
        return None
    words = text.count(" ") + 1
    if words > 80:  # no rule fits a long paragraph: skip the work
        return None
    if words <= 40 and RELATED.match(text) or RELATED_HEADER.match(text):
        return "related", None
    if words <= 30 and cues().related_line.match(text):  # "Читайте также: ...", "Lesen Sie auch"
        return "related", None
    if words <= 30 and COMMENTS.match(text):
        return "comments", None
    if ORIGINAL_URL.match(text):
        return "other", "original-url"
    if words <= 60 and (_disclaimer(text) or cues().disclaimer(text)):
        return "disclaimer", None
    banner = _banner(text, words)
    if banner:
        return "nav", banner
    if NAV_LINES.match(text) or (words <= 30 and NAV_PROMPT.match(text)):
        return "nav", None
    if words <= 3 and WIRE_END.match(text):
        return "other", "wire-end"
    if CAPTION_LABEL.match(text) and words <= 60:
        return "caption", None
    if CREDIT_COPYRIGHT.match(text) and words <= 60:
        if COPYRIGHT_NOTICE.search(text):
            return "credit", "copyright"
        if words <= 8:
            return "credit", None
        return "caption", "with-credit"  # "© Agency <the caption>"
    if _credit(text, words):
        # "Photo: <a whole sentence>" and "© Agency <a caption>" are captions carrying their credit
        if words > 8 and CREDIT_LABEL.match(text) and re.search(r"\s[a-z]", text):
            return "caption", "with-credit"
        return "credit", None
    credit_hint = words <= 40 and CREDIT_HINT.search(text)
    if credit_hint and CAPTION_WITH_CREDIT.search(text[-100:]) and not REPORTED_SPEECH.search(text):
        return "caption", "with-credit"
    if words <= 40 and parse_tag_line(text):
        return "tags", None
    if is_bio(text):
        return "bio", None
    if words <= 40 and republication_hint(text) and all(republished_from(s) for s in split_sentences(text)):
        return "other", "republication"
    meta = parse_meta_line(text)
    if meta is not None:
        if meta.authors is not None:
            return "byline", None
        if meta.labelled:
            return "other", "dateline" if meta.published or not meta.updated else "dateline-updated"
    return None


DISCLAIMER_WORDS = ("express", "disclaimer", "views of", "view of", "opinions of", "opinion of", "reflect")


def disclaimer_hint(text: str) -> bool:
    """A cheap test: could ``text`` be an opinion disclaimer at all?"""
    low = text.lower()
    return any(word in low for word in DISCLAIMER_WORDS)


def _disclaimer(text: str) -> bool:
    """An opinion disclaimer ("The views expressed in opinion pieces do not necessarily reflect ...")."""
    return disclaimer_hint(text) and not REPORTED_SPEECH.search(text) and any(d.search(text) for d in DISCLAIMERS)


def related_header(text: str) -> bool:
    """A line that only announces related links, in another language ("Читайте также", "Lire aussi :")."""
    return bool(cues().related_header.match(text.strip()))


# "МОСКВА, 14 августа 2017 — РИА Новости. Текст...": a place in capitals, a date, an agency
AGENCY_DATELINE = re.compile(
    r"^(?P<place>[^\W\d_][^\W\d_ -]*(?:[ -][^\W\d_]+){0,3}),\s+(?P<date>[^—–\n]{4,40}?)\s+[—–-]\s+"
    r"(?P<agency>[^\W\d_][^.!?\n]{1,40}?)\.\s+(?=[\"«“„(]?[^\W\d_])"
)


def agency_dateline(text: str) -> tuple[str, str | None] | None:
    """(the dateline, its date or None) when ``text`` opens with a wire dateline in capitals
    ("МОСКВА, 14 августа — РИА Новости."); the date only when it states the year."""
    match = AGENCY_DATELINE.match(text)
    if not match or not match["place"].isupper() or len(match["place"]) < 3:
        return None
    found = _find_date(match["date"])
    return match.group().strip(), found[0] if found else None
