"""Dates a container states (a feed's ``pubDate``, a JSONL ``published`` field) as "YYYY-MM-DD".

Only unambiguous forms are read: ISO 8601 (``2024-05-14``, ``2024-05-14T10:00:00+02:00``), the
RFC 2822 dates feeds use (``Tue, 14 May 2024 23:30:00 -0500``) and dates with the month written
out in English (``14 May 2024``, ``May 14, 2024``), the year-first ``2024/05/14`` and the dotted
``14.05.2024`` (day first wherever dots are written); never slashed day/month orders like 05/06/2024. The calendar date is the one the
input states, in its own time zone (a 23:30 -05:00 story is dated that day, not the next in UTC):
the date is read from the string as written, never from a time converted to UTC.
Anything else gives None: a date is never guessed.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from email.utils import parsedate_to_datetime

__all__ = ["stated_date"]

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
    day = _iso(value) or _numeric(value) or _rfc2822(value) or _written_month(value)
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
