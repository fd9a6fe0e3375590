"""The actor knowledge base: states, organizations and office holders, read from readable data files.

The shipped files live in ``narrascope/data/actors`` and are plain tab-separated tables a person can
read and correct (``#`` starts a comment line, ``|`` separates several values in one column):

- ``states.tsv``: every state by its ISO 3166-1 alpha-3 id, with its other names, adjectives and
  demonyms, and the capitals and seats of power the news uses as metonyms ("the Kremlin said").
- ``organizations.tsv``: intergovernmental bodies (UN, NATO, EU, ASEAN, IAEA...), state bodies with
  the state they act for (FSB, CIA, PLA...) and armed or political groups. A non-state armed group
  (kind ``group``: Taliban, Hamas, Houthis...) acts for no state (``country`` empty) and records
  the state it operates in apart (``operates_in``), so a Taliban mention is not one of Afghanistan.
- ``people.tsv``: heads of state and government, foreign and defence ministers of the major powers
  since 2000, one row per term of office with its dates, linked to the state they act for.
- ``not_actors.txt``: surface forms that are never actors ("Op-ed", "Juche", "Korea").
- ``not_entities.tsv``: names of things the entity recogniser takes for persons or organizations
  and that are never actors: diseases, military operations, products, slogans ("COVID-19",
  "Operation Desert Storm", "iPhone", "Make America Great Again"), matched case-insensitively.
- ``names.tsv``: the names of known actors in other languages (``language`` is an ISO 639-1 code):
  full names, adjectives and seats of power that resolve on their own ("Кремль", "российский",
  "Сергей Лавров") and short forms that need context ("Лавров"), written in the nominative; the
  analysis of that language finds their inflected forms (``analysis.languages``). These never
  join the English forms above, so an English text is matched exactly as before.
- ``patterns.tsv``: regular expressions over the article text, for shapes of the same things
  ("Operation X", letters-hyphen-digits like "COVID-19") and for wire trailers ("(END)",
  "Reporting by X; Editing by Y", reporters' e-mails), inside which no mention is taken.

Users extend the base with files of the same shapes (``load_kb(extra=[...])``); which table a file
adds to is read from its header line, and rows whose id already exists add names and terms to
that actor. Why files and not code: analysts must be able to see, check and extend who is known.
"""

from __future__ import annotations

import datetime as dt
import re
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

__all__ = ["Actor", "KnowledgeBase", "Pattern", "Term", "default_kb", "load_kb", "parse_date"]

STATE_COLUMNS = ("id", "name", "names", "adjectives", "seats")
ORGANIZATION_COLUMNS = ("id", "kind", "name", "country", "operates_in", "aliases")
#: the organization table before ``operates_in`` (still read: users' files of that shape)
ORGANIZATION_COLUMNS_V1 = ("id", "kind", "name", "country", "aliases")
PEOPLE_COLUMNS = ("id", "name", "country", "role", "from", "to", "aliases", "short")
NOT_ENTITY_COLUMNS = ("form", "category")
PATTERN_COLUMNS = ("name", "use", "pattern")
NAME_COLUMNS = ("id", "language", "names", "short")
TABLES = {STATE_COLUMNS: "states", ORGANIZATION_COLUMNS: "organizations", ORGANIZATION_COLUMNS_V1: "organizations",
          PEOPLE_COLUMNS: "people", NOT_ENTITY_COLUMNS: "not_entities", PATTERN_COLUMNS: "patterns",
          NAME_COLUMNS: "names"}
SHIPPED = ("states.tsv", "organizations.tsv", "people.tsv", "not_actors.txt", "not_entities.tsv", "patterns.tsv",
           "names.tsv")
#: what a pattern of ``patterns.tsv`` marks: a thing that is no actor, or a wire trailer (its whole line)
PATTERN_USES = ("not_entity", "trailer")

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
    #: the state a non-state armed group operates in (it acts for none: ``country`` stays None)
    operates_in: str | None = None
    #: full names and other names that resolve on their own, adjectives and seats included
    aliases: set[str] = field(default_factory=set)
    #: forms used alone ("Putin") that resolve only in context
    short: set[str] = field(default_factory=set)
    terms: list[Term] = field(default_factory=list)
    #: capitals and seats of power (states only): metonyms, not part of an organization's nationality
    seats: set[str] = field(default_factory=set)
    #: adjectives and demonyms (states only), the plurals included ("Afghan", "Afghans")
    adjectives: set[str] = field(default_factory=set)

    def term_at(self, day: dt.date | None) -> Term | None:
        """The term in force on ``day``; without a day, the latest term."""
        if not self.terms:
            return None
        if day is None:
            return self.terms[-1]
        return next((t for t in reversed(self.terms) if t.covers(day)), None)

    def last_term_before(self, day: dt.date) -> Term | None:
        return next((t for t in reversed(self.terms) if t.end is not None and t.end <= day), None)


@dataclass(frozen=True)
class Pattern:
    """A regular expression of ``patterns.tsv``: what it finds (``use``) and under which name."""

    name: str
    use: str
    regex: re.Pattern[str]


class KnowledgeBase:
    """Actors by id, the surface forms that name them, and a spaCy PhraseMatcher over those forms.

    ``not_entities`` maps the case-folded names of things that are never actors (diseases,
    operations, products, slogans) to their category; ``patterns`` are the shapes of such things
    and of wire trailers.
    """

    def __init__(self, actors: dict[str, Actor], not_actors: frozenset[str],
                 not_entities: dict[str, str] | None = None, patterns: tuple[Pattern, ...] = (),
                 names: dict[str, dict[str, dict[str, set[str]]]] | None = None) -> None:
        self.actors = actors
        #: language -> "full" or "short" -> form (nominative, as written in names.tsv) -> actor ids
        self.names: dict[str, dict[str, dict[str, tuple[str, ...]]]] = {
            language: {part: {form: tuple(sorted(ids)) for form, ids in forms.items()} for part, forms in parts.items()}
            for language, parts in (names or {}).items()}
        self.not_actors = not_actors
        self.not_entities = dict(not_entities or {})
        self.patterns = patterns
        self.full: dict[str, tuple[str, ...]] = _index(actors, lambda a: a.aliases | {a.name})
        self.short: dict[str, tuple[str, ...]] = _index(actors, lambda a: a.short)
        self._matchers: dict[int, tuple[Vocab, PhraseMatcher]] = {}
        self._not_entity_matchers: dict[int, tuple[Vocab, PhraseMatcher]] = {}

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

    def not_entity_matcher(self, vocab: Vocab) -> PhraseMatcher:
        """A case-insensitive PhraseMatcher over ``not_entities`` (label: the category)."""
        cached = self._not_entity_matchers.get(id(vocab))
        if cached is not None and cached[0] is vocab:
            return cached[1]
        from spacy.matcher import PhraseMatcher

        tokenizer = _tokenizer()
        matcher = PhraseMatcher(vocab, attr="LOWER")
        by_category: dict[str, list[str]] = {}
        for form, category in sorted(self.not_entities.items()):
            by_category.setdefault(category, []).append(form)
        for category, forms in by_category.items():
            matcher.add(category, list(tokenizer.pipe(forms)))
        self._not_entity_matchers[id(vocab)] = (vocab, matcher)
        return matcher

    def form_kind(self, actor_id: str, form: str) -> str:
        """How ``form`` names the actor: "seat" (a capital as metonym), "adjective" (or demonym),
        "acronym", "alias" (another name) or "name" (its own)."""
        actor = self.actors[actor_id]
        if form in actor.seats:
            return "seat"
        if form in actor.adjectives:
            return "adjective"
        if form == actor.name:
            return "name"
        if form.replace(".", "").isupper() and len(form) <= 6:
            return "acronym"
        return "alias"


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
    actor.adjectives |= _split(row["adjectives"])
    actor.adjectives |= {plural for a in _split(row["adjectives"]) if (plural := _plural(a))}
    actor.aliases |= _split(row["names"]) | actor.adjectives | actor.seats


def _plural(adjective: str) -> str | None:
    """"Afghan" -> "Afghans": demonyms in -an and -i take an s; "Chinese" or "Swiss" do not."""
    if adjective[-1:] in ("n", "i") and " " not in adjective:
        return adjective + "s"
    return None


def _add_organization(actors: dict[str, Actor], row: dict[str, str]) -> None:
    kind = row["kind"] or "organization"
    actor = actors.setdefault(row["id"], Actor(id=row["id"], name=row["name"] or row["id"], kind=kind))
    actor.country = row["country"] or actor.country
    actor.operates_in = row.get("operates_in") or actor.operates_in
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


@dataclass
class _Tables:
    """What the files read so far hold."""

    actors: dict[str, Actor] = field(default_factory=dict)
    not_actors: set[str] = field(default_factory=set)
    not_entities: dict[str, str] = field(default_factory=dict)
    patterns: list[Pattern] = field(default_factory=list)
    #: language -> "full"/"short" -> form -> actor ids (names.tsv)
    names: dict[str, dict[str, dict[str, set[str]]]] = field(default_factory=dict)


def _add_pattern(tables: _Tables, row: dict[str, str], path: Path) -> None:
    if row["use"] not in PATTERN_USES:
        raise UsageError(f"{path}: pattern {row['name']!r}: use must be one of {', '.join(PATTERN_USES)}")
    try:
        regex = re.compile(row["pattern"])
    except re.error as e:
        raise UsageError(f"{path}: pattern {row['name']!r} is not a regular expression: {e}") from e
    tables.patterns.append(Pattern(row["name"], row["use"], regex))


def _add_names(tables: _Tables, row: dict[str, str], path: Path) -> None:
    language = row["language"].strip().lower()
    if not re.fullmatch(r"[a-z]{2}", language):
        raise UsageError(f"{path}: {row['id']}: language must be an ISO 639-1 code, not {row['language']!r}")
    parts = tables.names.setdefault(language, {"full": {}, "short": {}})
    for part, cell in (("full", row["names"]), ("short", row["short"])):
        for form in _split(cell):
            parts[part].setdefault(form, set()).add(row["id"])


def _read_into(tables: _Tables, path: Path, text: str) -> None:
    actors = tables.actors
    if path.suffix == ".txt":
        tables.not_actors.update(line.strip() for line in text.splitlines()
                                 if line.strip() and not line.startswith("#"))
        return
    header, rows = _rows(path, text)
    table = TABLES.get(header)
    for row in rows:
        if table == "not_entities":
            tables.not_entities[row["form"].casefold()] = row["category"] or "other"
        elif table == "patterns":
            _add_pattern(tables, row, path)
        elif table == "names":
            _add_names(tables, row, path)
        elif table == "states":
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
    tables = _Tables()
    for path, text in _shipped():
        _read_into(tables, path, text)
    for name in extra:
        path = Path(name)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as e:
            raise UsageError(f"cannot read actor file {path}: {e}") from e
        _read_into(tables, path, text)
    unknown = sorted({actor_id for parts in tables.names.values() for forms in parts.values()
                      for ids in forms.values() for actor_id in ids} - set(tables.actors))
    if unknown:
        raise UsageError(f"names in other languages for actors the base does not know: {', '.join(unknown[:10])}")
    return KnowledgeBase(tables.actors, frozenset(tables.not_actors), tables.not_entities, tuple(tables.patterns),
                         tables.names)


def default_kb() -> KnowledgeBase:
    """The shipped knowledge base alone."""
    return load_kb(())
