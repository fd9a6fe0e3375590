"""What people type into search, as an FTS5 query that means what they typed.

FTS5 reads ``COVID-19`` as "column COVID, minus 19" (NS503 "no such column: 19"), ``U.S.`` and
``Xi's`` as syntax errors, and ``anti-vax`` as a column filter. ``fts_query`` keeps the syntax a
user writes on purpose and turns every other term into the words it holds:

* ``"exact phrase"``, ``OR``, ``AND``, ``NOT`` (upper case, between two terms), ``prefix*`` and
  parentheses keep their FTS5 meaning; ``title:word`` and ``text:word`` (also before a phrase
  or a group) search one column;
* any other term with characters outside FTS5's bare words (letters, digits, ``_``) becomes a
  phrase of its words: ``COVID-19`` -> ``"COVID-19"`` (the words covid, 19 in a row);
  ``anti-vax*`` -> ``"anti-vax"*``;
* an operator with nothing to join (``NOT covid``, ``covid OR``) is a word; a term with no word
  characters (``&``) is left out; unbalanced parentheses are separators, as in the text;
  ``NEAR`` groups are not supported (their words are searched).

Adjacent terms must all match (an explicit ``AND`` is written between them, which FTS5 needs
before a parenthesised group).

With ``expand``, every term (a word, a phrase, a prefix) is written as ``expand`` gives it: the
store writes its query for the stemmed index this way (``fulltext.QueryKeys.term``), so both
indexes read one parse of what was typed.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from ..errors import SearchError

__all__ = ["COLUMNS", "fts_query"]

#: The columns of ``articles_fts`` a ``column:`` prefix may name.
COLUMNS = ("title", "text")
OPERATORS = ("AND", "OR", "NOT")

_TOKEN = re.compile(r'\s+|"(?P<phrase>(?:[^"]|"")*)(?:"|$)(?P<star>\*?)|\(|\)|[^\s"()]+')
_SURROGATES = re.compile("[\ud800-\udfff]")
_BAREWORD = re.compile(r"[A-Za-z0-9_\u0080-\U0010ffff]+")
_COLUMN = re.compile(rf"({'|'.join(COLUMNS)}):(.*)", re.IGNORECASE | re.DOTALL)


#: A term's words and whether it is a prefix -> the FTS5 term to write (None: leave it out).
Expand = Callable[[str, bool], str | None]


def _phrase(words: str, star: bool, expand: Expand | None = None) -> str | None:
    """``words`` as one FTS5 term: a bare word as is, anything else a quoted phrase; None if no words."""
    if not any(ch.isalnum() for ch in words):
        return None
    if expand is not None:
        return expand(words, star)
    term = words if _BAREWORD.fullmatch(words) and words not in OPERATORS else '"' + words.replace('"', '""') + '"'
    return term + ("*" if star else "")


def _term(raw: str, expand: Expand | None = None) -> str | None:
    """A bare run of the query (no space, quote or parenthesis) as a term."""
    words = raw.rstrip("*")
    return _phrase(words, words != raw, expand)


def _quoted(body: str, star: bool, expand: Expand | None = None) -> str | None:
    """A phrase the user put in double quotes ("" inside stands for one quote), maybe with a ``*``."""
    words = body.replace('""', '"')
    if not any(ch.isalnum() for ch in words):
        return None
    if expand is not None:
        return expand(words, star)
    return '"' + words.replace('"', '""') + '"' + ("*" if star else "")


def fts_query(text: str, *, expand: Expand | None = None) -> str:
    """The FTS5 MATCH expression for what a user typed (see the module docstring); SearchError if it holds no words."""
    # A lone surrogate (bytes that were not UTF-8 on the command line) is no text SQLite can take: a separator.
    text = _SURROGATES.sub(" ", text)
    # Tokens: ("term", fts) | ("op", name) | ("(", "(") | (")", ")"); a pending column prefixes the next term or group.
    tokens: list[tuple[str, str]] = []
    column = ""
    for match in _TOKEN.finditer(text):
        raw = match.group()
        if raw.isspace():
            continue
        if raw in "()":
            tokens.append((raw, column + raw if raw == "(" else raw))
            column = ""
            continue
        if raw in OPERATORS:
            tokens.append(("op", raw))
            column = ""
            continue
        if raw.startswith('"'):
            term = _quoted(match.group("phrase"), bool(match.group("star")), expand)
        else:
            named = _COLUMN.fullmatch(raw)
            if named and not named.group(2):
                column = named.group(1).lower() + ":"
                continue
            if named:
                term = _term(named.group(2), expand)
                term = named.group(1).lower() + ":" + term if term else None
            else:
                term = _term(raw, expand)
        if term:
            tokens.append(("term", column + term))
        column = ""
    if column:  # "title:" with nothing after it: the word
        word = _phrase(column[:-1], False, expand)
        if word:
            tokens.append(("term", word))
    tokens = _balanced(tokens)
    out: list[str] = []
    previous = ""  # kind of the last token written: "term" (a term or a closed group), "op", "(" or ""
    for index, (kind, value) in enumerate(tokens):
        following = tokens[index + 1][0] if index + 1 < len(tokens) else ""
        if kind == "op":
            if previous == "term" and following in ("term", "("):
                out.append(value)
                previous = "op"
                continue
            kind, value = "term", (expand(value, False) if expand else None) or '"' + value + '"'  # nothing to join: the word
        if kind in ("term", "(") and previous == "term":
            out.append("AND")
        out.append(value)
        previous = "term" if kind in ("term", ")") else kind
    query = " ".join(out)
    if not query:
        raise SearchError(f"nothing to search for in {text!r}: give at least one word")
    return query


def _balanced(tokens: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """``tokens`` with parentheses kept only where they pair up around something."""
    depth, ok = 0, True
    for index, (kind, _value) in enumerate(tokens):
        if kind == "(":
            depth += 1
            if index + 1 < len(tokens) and tokens[index + 1][0] == ")":
                ok = False
        elif kind == ")":
            depth -= 1
            ok = ok and depth >= 0
    if ok and depth == 0:
        return tokens
    return [(kind, value) for kind, value in tokens if kind not in ("(", ")")]
