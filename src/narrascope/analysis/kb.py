"""The actor knowledge base: states, organizations and office holders, read from readable data files.

The shipped files live in ``narrascope/data/actors`` and are plain tab-separated tables a person can
read and correct (``#`` starts a comment line, ``|`` separates several values in one column):

- ``states.tsv``: every state by its ISO 3166-1 alpha-3 id, with its other names, adjectives and
  demonyms, and the capitals and seats of power the news uses as metonyms ("the Kremlin said").
- ``organizations.tsv``: intergovernmental bodies (UN, NATO, EU, ASEAN, IAEA...), state bodies with
  the state they act for (FSB, CIA, PLA...) and armed or political groups.
- ``people.tsv``: heads of state and government, foreign and defence ministers of the major powers
  since 2000, one row per term of office with its dates, linked to the state they act for.
- ``not_actors.txt``: surface forms that are never actors ("Op-ed", "Juche", "Korea").

Users extend the base with files of the same shapes (``load_kb(extra=[...])``); which table a file
adds to is read from its header line, and rows whose id already exists add names and terms to
that actor. Why files and not code: analysts must be able to see, check and extend who is known.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import UsageError

if TYPE_CHECKING:
    from spacy.matcher import PhraseMatcher
    from spacy.vocab import Vocab

__all__ = ["Actor", "KnowledgeBase", "Term", "default_kb", "load_kb", "parse_date"]

STATE_COLUMNS = ("id", "name", "names", "adjectives", "seats")
ORGANIZATION_COLUMNS = ("id", "kind", "name", "country", "aliases")
PEOPLE_COLUMNS = ("id", "name", "country", "role", "from", "to", "aliases", "short")
TABLES = {STATE_COLUMNS: "states", ORGANIZATION_COLUMNS: "organizations", PEOPLE_COLUMNS: "people"}
SHIPPED = ("states.tsv", "organizations.tsv", "people.tsv", "not_actors.txt")

#: PhraseMatcher labels: a full name (resolves on its own) or a short form (needs context)
FULL = "ACTOR_FULL"
SHORT = "ACTOR_SHORT"


def parse_date(value: str | dt.date | None) -> dt.date | None:
    """A ``YYYY-MM-DD`` string (or a date) as a date; None stays None."""
    if value is None or isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError as e:
        raise UsageError(f"not a YYYY-MM-DD date: {value!r}") from e


@dataclass(frozen=True)
class Term:
    """One term of office: the role held for ``country`` (None: for an intergovernmental body)."""

    role: str
    country: str | None
    start: dt.date | None
    end: dt.date | None

    def covers(self, day: dt.date) -> bool:
        return (self.start is None or self.start <= day) and (self.end is None or day < self.end)


@dataclass
class Actor:
    """One known actor: a state, an organization, a group or a person with terms of office."""

    id: str
    name: str
    kind: str
    country: str | None = None
    #: full names and other names that resolve on their own, adjectives and seats included
    aliases: set[str] = field(default_factory=set)
    #: forms used alone ("Putin") that resolve only in context
    short: set[str] = field(default_factory=set)
    terms: list[Term] = field(default_factory=list)
    #: capitals and seats of power (states only): metonyms, not part of an organization's nationality
    seats: set[str] = field(default_factory=set)

    def term_at(self, day: dt.date | None) -> Term | None:
        """The term in force on ``day``; without a day, the latest term."""
        if not self.terms:
            return None
        if day is None:
            return self.terms[-1]
        return next((t for t in reversed(self.terms) if t.covers(day)), None)

    def last_term_before(self, day: dt.date) -> Term | None:
        return next((t for t in reversed(self.terms) if t.end is not None and t.end <= day), None)


class KnowledgeBase:
    """Actors by id, the surface forms that name them, and a spaCy PhraseMatcher over those forms."""

    def __init__(self, actors: dict[str, Actor], not_actors: frozenset[str]) -> None:
        self.actors = actors
        self.not_actors = not_actors
        self.full: dict[str, tuple[str, ...]] = _index(actors, lambda a: a.aliases | {a.name})
        self.short: dict[str, tuple[str, ...]] = _index(actors, lambda a: a.short)
        self._matchers: dict[int, tuple[Vocab, PhraseMatcher]] = {}

    def __getitem__(self, actor_id: str) -> Actor:
        return self.actors[actor_id]

    def __contains__(self, actor_id: object) -> bool:
        return actor_id in self.actors

    def states(self) -> Iterator[Actor]:
        return (a for a in self.actors.values() if a.kind == "state")

    def people_holding(self, day: dt.date | None) -> Iterator[Actor]:
        """People with a term on ``day`` (every person when ``day`` is None)."""
        for actor in self.actors.values():
            if actor.kind == "person" and (day is None or actor.term_at(day) is not None):
                yield actor

    def matcher(self, vocab: Vocab) -> PhraseMatcher:
        """A case-sensitive PhraseMatcher over every full name (label FULL) and short form (SHORT).

        Built once per vocabulary: tokenising a few thousand names costs more than parsing an article.
        """
        cached = self._matchers.get(id(vocab))
        if cached is not None and cached[0] is vocab:
            return cached[1]
        from spacy.matcher import PhraseMatcher

        tokenizer = _tokenizer()
        matcher = PhraseMatcher(vocab, attr="ORTH")
        matcher.add(FULL, list(tokenizer.pipe(sorted(self.full))))
        matcher.add(SHORT, list(tokenizer.pipe(sorted(self.short))))
        self._matchers[id(vocab)] = (vocab, matcher)
        return matcher


def _index(actors: dict[str, Actor], forms: Any) -> dict[str, tuple[str, ...]]:
    index: dict[str, set[str]] = {}
    for actor in actors.values():
        for form in forms(actor):
            if form:
                index.setdefault(form, set()).add(actor.id)
    return {form: tuple(sorted(ids)) for form, ids in index.items()}


@lru_cache(maxsize=1)
def _tokenizer() -> Any:
    """spaCy's English tokenizer alone, the same rules the pinned model uses."""
    import spacy

    return spacy.blank("en").tokenizer


# ---------------------------------------------------------------------------------------------
# Reading the files


def _rows(path: Path, text: str) -> tuple[tuple[str, ...], list[dict[str, str]]]:
    lines = [line.rstrip("\n\r") for line in text.splitlines()]
    lines = [line for line in lines if line.strip() and not line.startswith("#")]
    if not lines:
        return (), []
    header = tuple(h.strip() for h in lines[0].split("\t"))
    if header not in TABLES:
        raise UsageError(f"{path}: unknown actor table header {header!r}; expected one of "
                         + "; ".join("\t".join(h) for h in TABLES))
    rows = []
    for number, line in enumerate(lines[1:], start=2):
        cells = [c.strip() for c in line.split("\t")]
        if len(cells) > len(header) or not cells[0]:
            raise UsageError(f"{path}: row {number} has {len(cells)} columns, the header {len(header)}")
        rows.append(dict(zip(header, cells + [""] * (len(header) - len(cells)), strict=True)))
    return header, rows


def _split(cell: str) -> set[str]:
    return {v.strip() for v in cell.split("|") if v.strip()}


def _add_state(actors: dict[str, Actor], row: dict[str, str]) -> None:
    actor = actors.setdefault(row["id"], Actor(id=row["id"], name=row["name"] or row["id"], kind="state"))
    actor.seats |= _split(row["seats"])
    actor.aliases |= _split(row["names"]) | _split(row["adjectives"]) | actor.seats
    actor.aliases |= {plural for a in _split(row["adjectives"]) if (plural := _plural(a))}


def _plural(adjective: str) -> str | None:
    """"Afghan" -> "Afghans": demonyms in -an and -i take an s; "Chinese" or "Swiss" do not."""
    if adjective[-1:] in ("n", "i") and " " not in adjective:
        return adjective + "s"
    return None


def _add_organization(actors: dict[str, Actor], row: dict[str, str]) -> None:
    kind = row["kind"] or "organization"
    actor = actors.setdefault(row["id"], Actor(id=row["id"], name=row["name"] or row["id"], kind=kind))
    actor.country = row["country"] or actor.country
    actor.aliases |= _split(row["aliases"])


def _add_person(actors: dict[str, Actor], row: dict[str, str], path: Path) -> None:
    actor = actors.setdefault(row["id"], Actor(id=row["id"], name=row["name"] or row["id"], kind="person"))
    actor.aliases |= _split(row["aliases"])
    actor.short |= _split(row["short"])
    if row["role"]:
        try:
            term = Term(role=row["role"], country=row["country"] or None, start=parse_date(row["from"] or None),
                        end=parse_date(row["to"] or None))
        except UsageError as e:
            raise UsageError(f"{path}: {row['id']}: {e}") from e
        actor.terms.append(term)
        actor.terms.sort(key=lambda t: t.start or dt.date.min)
    actor.country = actor.terms[-1].country if actor.terms else actor.country


def _read_into(actors: dict[str, Actor], not_actors: set[str], path: Path, text: str) -> None:
    if path.suffix == ".txt":
        not_actors.update(line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#"))
        return
    header, rows = _rows(path, text)
    table = TABLES.get(header)
    for row in rows:
        if table == "states":
            _add_state(actors, row)
        elif table == "organizations":
            _add_organization(actors, row)
        else:
            _add_person(actors, row, path)


def _shipped() -> Iterable[tuple[Path, str]]:
    folder = resources.files("narrascope") / "data" / "actors"
    for name in SHIPPED:
        yield Path(name), (folder / name).read_text(encoding="utf-8")


@lru_cache(maxsize=8)
def load_kb(extra: tuple[str, ...] = ()) -> KnowledgeBase:
    """The shipped knowledge base plus the user's files in ``extra`` (read in order, later rows add
    to earlier ones). Cached: the same files give the same object."""
    actors: dict[str, Actor] = {}
    not_actors: set[str] = set()
    for path, text in _shipped():
        _read_into(actors, not_actors, path, text)
    for name in extra:
        path = Path(name)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as e:
            raise UsageError(f"cannot read actor file {path}: {e}") from e
        _read_into(actors, not_actors, path, text)
    return KnowledgeBase(actors, frozenset(not_actors))


def default_kb() -> KnowledgeBase:
    """The shipped knowledge base alone."""
    return load_kb(())
