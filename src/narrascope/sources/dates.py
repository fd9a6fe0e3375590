"""Dates a container states (a feed's ``pubDate``, a JSONL ``published`` field) as "YYYY-MM-DD".

Only unambiguous forms are read: ISO 8601 (``2024-05-14``, ``2024-05-14T10:00:00+02:00``), the
RFC 2822 dates feeds use (``Tue, 14 May 2024 23:30:00 -0500``) and dates with the month written
out in English (``14 May 2024``, ``May 14, 2024``), the year-first ``2024/05/14`` and the dotted
``14.05.2024`` (day first wherever dots are written); never slashed day/month orders like 05/06/2024.
Dates with the month written out in the other languages narrascope reads (``14 августа 2017``,
``3. März 2019``, ``12 de mayo de 2020``, ``2019. március 3.``, ``2019年3月3日``; the names are in
``data/month_names.tsv``) are read by ``written_dates``, which the extractors use too: a date
states its day, month and year, or it is none. The calendar date is the one the
input states, in its own time zone (a 23:30 -05:00 story is dated that day, not the next in UTC):
the date is read from the string as written, never from a time converted to UTC.
Anything else gives None: a date is never guessed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime
from email.utils import parsedate_to_datetime
from functools import cache
from importlib import resources

__all__ = ["stated_date", "written_dates"]

ISO_DATE = re.compile(
    r"^\s*(\d{4})-(\d{2})-(\d{2})(?:[T ][0-9:.,]+\s*(?:Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?)?\s*$", re.I)
# The oldest and newest plausible publication years; outside them a "date" is a data error.
YEARS = range(1800, 2200)
WEEKDAY = re.compile(r"^(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*,?\s+", re.I)
# 2024/05/14 and 14.05.2024 (a time may follow): the dotted form is day first wherever it is used
YEAR_FIRST = re.compile(r"^\s*(?P<y>\d{4})/(?P<m>\d{1,2})/(?P<d>\d{1,2})(?:[T ,]+[0-9:.]+)?\s*$")
DOTTED = re.compile(r"^\s*(?P<d>\d{1,2})\.(?P<m>\d{1,2})\.(?P<y>\d{4})(?:[T ,]+[0-9:.]+)?\s*$")
WRITTEN_MONTH_FORMATS = ("%d %B %Y", "%d %b %Y", "%B %d, %Y", "%b %d, %Y", "%B %d %Y", "%b %d %Y")


def stated_date(value: str) -> str | None:
    """``value`` as "YYYY-MM-DD" if it is an ISO 8601 or RFC 2822 date, else None."""
    value = value.strip()
    if not value:
        return None
    day = _iso(value) or _numeric(value) or _rfc2822(value) or _written_month(value) or _written_month_any(value)
    if day is None or day.year not in YEARS:
        return None
    return day.isoformat()


def _iso(value: str) -> date | None:
    match = ISO_DATE.match(value)
    if not match:
        return None
    year, month, day = (int(g) for g in match.groups())
    try:
        return date(year, month, day)
    except ValueError:  # 2024-02-30: a malformed date is no date
        return None


def _numeric(value: str) -> date | None:
    match = YEAR_FIRST.match(value) or DOTTED.match(value)
    if not match:
        return None
    try:
        return date(int(match["y"]), int(match["m"]), int(match["d"]))
    except ValueError:  # 30.02.2024
        return None


def _rfc2822(value: str) -> date | None:
    if not re.search(r"[A-Za-z]{3}", value) or not re.search(r"\d{4}", value):
        return None
    try:
        stamp: datetime = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return stamp.date()


def _written_month(value: str) -> date | None:
    value = WEEKDAY.sub("", re.sub(r"\s+", " ", value))  # "Tue, 14 May 2024"
    for pattern in WRITTEN_MONTH_FORMATS:
        try:
            return datetime.strptime(value, pattern).date()
        except ValueError:
            continue
    return None


# --- month names in other languages ------------------------------------------------------------


@cache
def _month_names() -> tuple[dict[str, int], tuple[str, ...]]:
    """(lower-cased month form -> month number, weekday names) from ``data/month_names.tsv``."""
    months: dict[str, int] = {}
    weekdays: list[str] = []
    text = resources.files("narrascope").joinpath("data/month_names.tsv").read_text(encoding="utf-8")
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        _language, key, forms = line.split("\t")
        for form in forms.split():
            form = form.replace("_", " ").lower()
            if key == "weekday":
                weekdays.append(form)
            else:
                months.setdefault(form, int(key))
    return months, tuple(weekdays)


def _alternation(forms: Iterable[str]) -> str:
    """The forms as one alternation, longest first; a space in a form matches any run of spaces."""
    return "|".join(re.escape(f).replace(r"\ ", r"\s+") for f in sorted(forms, key=len, reverse=True))


@cache
def _written_forms() -> tuple[re.Pattern[str], ...]:
    months, weekdays = _month_names()
    month = rf"(?<![^\W\d_])(?P<mon>{_alternation(months)})\.?(?![^\W\d_])"
    other_month = rf"(?:\s*/\s*(?:{_alternation(months)})\.?(?![^\W\d_]))?"  # "آذار/مارس"
    weekday = rf"(?:(?<![^\W\d_])(?:{_alternation(weekdays)})\.?,?\s+)?"
    year_word = r"(?:\s*(?:г\.|г(?![^\W\d_])|года|году|року|р\.|m\.|წ\.|წლის|yılı)|\.(?!\d))?"
    return (
        # 14 августа 2017 г., 3. März 2019, 1er mars 2019, 12 de mayo de 2020, 3 آذار/مارس 2019
        re.compile(rf"{weekday}(?<!\d)(?P<day>\d{{1,2}})(?:\.|\s?er(?![^\W\d_])|-?(?:го|е))?\s*(?:de\s+)?{month}{other_month},?\s+"
                   rf"(?:de\s+|del\s+)?(?P<year>\d{{4}})(?!\d){year_word}", re.I),
        # 2019. március 3., 2019 m. kovo 3 d.
        re.compile(rf"(?<!\d)(?P<year>\d{{4}})(?:\.|\s+m\.)\s+{month}\s+(?P<day>\d{{1,2}})(?!\d)(?:\.|\s*d\.)?", re.I),
        # 2019 წლის 3 მარტი
        re.compile(rf"(?<!\d)(?P<year>\d{{4}})\s+წლის\s+(?P<day>\d{{1,2}})\s+{month}", re.I),
        # 2019年3月3日
        re.compile(r"(?<!\d)(?P<year>\d{4})\s*年\s*(?P<mon>\d{1,2})\s*月\s*(?P<day>\d{1,2})\s*[日号號]"),
    )


def written_dates(text: str) -> list[tuple[int, int, str]]:
    """(start, end, "YYYY-MM-DD") of every date ``text`` states with its month written out in a
    language of ``data/month_names.tsv`` (or as 2019年3月3日), in order. Day, month and year must
    all be stated: "14 августа" alone is no date."""
    if not re.search(r"\d{4}", text):
        return []
    months, _weekdays = _month_names()
    found = []
    for form in _written_forms():
        for match in form.finditer(text):
            mon = match["mon"]
            month = int(mon) if mon.isdigit() else months.get(re.sub(r"\s+", " ", mon.lower()))
            if month is None:
                continue
            try:
                day = date(int(match["year"]), month, int(match["day"]))
            except ValueError:  # 30 февраля: no date
                continue
            if day.year in YEARS:
                found.append((match.start(), match.end(), day.isoformat()))
    return sorted(found)


TIME_AFTER = re.compile(r"^[\s,|·•/()–—-]*(?:(?:в|à|um|a las|o|saat|في|at)\s+)?(?:\d{1,2}[:.h]\d{2}(?::\d{2})?)?"
                        r"(?:\s*(?:uhr|h|ч\.?|мск|msk|[A-Z]{2,5}|(?:GMT|UTC)\s?[+-]?\s?\d{0,2}(?::?\d{2})?))?\s*$", re.I)


def _written_month_any(value: str) -> date | None:
    """A value that is nothing but a date with its month written out in another language (a time may follow)."""
    found = written_dates(value)
    if not found:
        return None
    start, end, iso = found[0]
    if value[:start].strip(" ,") or not TIME_AFTER.match(value[end:]):
        return None
    return date.fromisoformat(iso)
