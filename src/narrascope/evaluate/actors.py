"""Actor resolution quality: does a named actor in the text resolve to the right state or actor?

Two gold layouts are recognised from the file's content:

- ``plover``: a JSON list of PLOVER gold-standard records (as in ``../shared/data/plover-gsr``),
  each with a ``text`` and ``source`` / ``target`` lists of ``{"actorText": ..., "code": ...}``.
  Every gold actor whose code is a state of the knowledge base is scored (``IGO``, ``NGO`` and
  codes the base does not know are counted as skipped). Matching rule (state linking): the gold
  ``actorText`` is located in the text (first exact occurrence, else first case-insensitive one);
  it is **right** when a predicted mention overlapping it resolves to the gold code (the actor's
  id for a state, its ``country`` for a person or organization, and for a non-state armed group
  the state it operates in, ``operates_in``, as PLOVER files such groups), **wrong** when
  overlapping mentions resolve only to other states, **missed** when no overlapping mention
  resolves to any state. Accuracy is right over scored, precision right over right plus wrong,
  coverage right plus wrong over scored. The records' dates are coding dates, so no publication
  date is given. Only mentions reaching the floor in force (``analysis.min_confidence.actors``)
  count, as in the record. ``split`` picks the records by ``in_training_split(record id)``:
  ``heldout`` (the default) are those the confidence model never saw.

  The calibration report judges each predicted mention that overlaps a scored gold actor and
  resolves to a state: right when that state is the gold code (the same rule
  ``narrascope train actors`` fits the confidence model with).
- ``seeds``: a JSON object ``{"articles": {file name: {"actors": {...}}}}`` in the shape of
  ``../shared/gold/seeds.json``, with the raw articles in a folder (``texts``, by default the
  ``seeds`` folder beside the gold file's folder). Each article is cleaned by narrascope's own
  text extraction, as ``ingest`` does, and analysed with its published date. Scored items: every
  ``must`` surface form is in a mention of the listed actor id (its own or one of an actor acting
  for it), every ``people_with_roles`` person is an actor of that name whose role contains the
  listed words, and no ``must_not_be_actor`` form is the name of an actor. Forms compare after
  case folding, curly-to-straight quotes and whitespace collapsing.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ..analysis.confidence import CalibrationReport, calibration_report, in_training_split
from ..errors import UsageError
from ..settings import Settings

__all__ = ["ActorsReport", "ItemScore", "evaluate_actors", "judge_mentions", "mention_state",
           "plover_key", "read_plover", "score_links", "select_split"]

SPLITS = ("heldout", "train", "all")
METRICS = {
    "plover": ("state linking: a gold actor text is right when a predicted mention overlapping it resolves to "
               "the gold state code (a state's id, a person's or organization's country, an armed group's "
               "operates_in)"),
    "seeds": ("seed items: each surface form in a mention of its actor id, each role contained in the named "
              "person's role, no listed non-actor named as an actor"),
}


@dataclass
class ItemScore:
    """One kind of scored item: how many, and how they came out."""

    name: str
    scored: int = 0
    right: int = 0
    wrong: int = 0
    #: the first few failures, "text -> what was predicted", for a reader to look at
    misses: list[str] = field(default_factory=list)

    @property
    def accuracy(self) -> float:
        return self.right / self.scored if self.scored else 0.0

    @property
    def precision(self) -> float:
        return self.right / (self.right + self.wrong) if self.right + self.wrong else 0.0

    @property
    def coverage(self) -> float:
        return (self.right + self.wrong) / self.scored if self.scored else 0.0

    def add(self, ok: bool, wrong: bool = False, miss: str = "") -> None:
        self.scored += 1
        self.right += ok
        self.wrong += (not ok) and wrong
        if not ok and miss and len(self.misses) < 10:
            self.misses.append(miss)


@dataclass
class ActorsReport:
    dataset: str
    layout: str
    metric: str
    documents: int
    skipped: int = 0
    scores: list[ItemScore] = field(default_factory=list)
    split: str = "all"
    floor: float = 0.0
    calibration: CalibrationReport | None = None

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        for score, out in zip(self.scores, data["scores"], strict=True):
            out.update(accuracy=score.accuracy, precision=score.precision, coverage=score.coverage)
        data["calibration"] = self.calibration.to_dict() if self.calibration is not None else None
        return data

    def render(self) -> str:
        """A plain-text table, one line per kind of item, then the first misses."""
        lines = [f"{self.layout}: {self.dataset} ({self.documents} documents, split {self.split}"
                 + (f", {self.skipped} gold actors skipped: not a known state" if self.skipped else "") + ")",
                 f"matching rule: {self.metric}",
                 f"mentions kept at the floor in force: analysis.min_confidence.actors = {self.floor:g}", "",
                 f"{'items':22} {'scored':>7} {'right':>7} {'accuracy':>9} {'precision':>9} {'coverage':>9}"]
        for s in self.scores:
            lines.append(f"{s.name:22} {s.scored:7d} {s.right:7d} {s.accuracy:9.4f} {s.precision:9.4f} "
                         f"{s.coverage:9.4f}")
        for s in self.scores:
            if s.misses:
                lines += ["", f"first misses ({s.name}):"] + [f"  {m}" for m in s.misses]
        if self.calibration is not None:
            lines += ["", self.calibration.format()]
        return "\n".join(lines)

    format = render


def _norm(text: str | None) -> str:
    text = (text or "").translate(str.maketrans("‘’“”", "''\"\""))
    return re.sub(r"\s+", " ", text).strip().casefold()


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise UsageError(f"cannot read gold file {path}: {e}") from e


def detect_layout(data: Any, path: Path) -> str:
    if isinstance(data, list) and all(isinstance(r, dict) and "text" in r for r in data):
        return "plover"
    if isinstance(data, dict) and isinstance(data.get("articles"), dict):
        return "seeds"
    raise UsageError(f"{path} is not an actor gold file: expected a JSON list of PLOVER records (text, source, "
                     "target) or an object with \"articles\" (the seeds.json shape)")


# ---------------------------------------------------------------------------------------------
# PLOVER records


@dataclass(frozen=True)
class GoldLink:
    text: str
    code: str


def plover_key(record: dict[str, Any]) -> str:
    """The key a PLOVER record is split by (its id; its text when it has none)."""
    return str(record.get("id") or record.get("text") or "")


def select_split(records: list[dict[str, Any]], split: str) -> list[dict[str, Any]]:
    """The records of ``split`` ("train", "heldout" or "all") by ``in_training_split`` of their id."""
    if split not in SPLITS:
        raise UsageError(f"unknown split {split!r}: one of {', '.join(SPLITS)}")
    if split == "all":
        return list(records)
    train = split == "train"
    return [r for r in records if in_training_split(plover_key(r)) == train]


def read_plover(records: list[dict[str, Any]], *, limit: int | None = None) -> list[tuple[str, list[GoldLink]]]:
    """``(text, gold actors)`` per record, in file order, at most ``limit`` records."""
    out = []
    for record in records[:limit] if limit else records:
        links = []
        for role in ("source", "target"):
            actors = record.get(role)
            for actor in actors if isinstance(actors, list) else []:
                if actor.get("actorText") and actor.get("code"):
                    links.append(GoldLink(actor["actorText"], actor["code"]))
        out.append((record["text"], links))
    return out


def _locate(text: str, needle: str) -> tuple[int, int] | None:
    at = text.find(needle)
    if at < 0:
        at = text.lower().find(needle.lower())
    return (at, at + len(needle)) if at >= 0 else None


def score_links(score: ItemScore, text: str, links: list[GoldLink], states_at: list[tuple[int, int, str]]) -> None:
    """Score gold ``links`` against the predicted ``(start, end, state)`` of each mention."""
    for link in links:
        where = _locate(text, link.text)
        if where is None:
            score.add(False, miss=f"{link.text!r} not in the text")
            continue
        found = {state for start, end, state in states_at if start < where[1] and where[0] < end}
        ok = link.code in found
        score.add(ok, wrong=bool(found), miss=f"{link.text!r} {link.code} -> {', '.join(sorted(found)) or 'nothing'}")


def _mention_states(records: list[Any]) -> list[tuple[int, int, str]]:
    """Each mention with the state its actor is or acts for (a state record lists both), and each
    mention of an armed group with the state it operates in (PLOVER's way of filing groups)."""
    out = [(m.start, m.end, r.id) for r in records if r.kind == "state" for m in r.mentions]
    out += [(m.start, m.end, r.operates_in) for r in records if r.operates_in and not r.country
            for m in r.mentions]
    return out


def mention_state(record: Any) -> str | None:
    """The state a mention of ``record`` resolves to for PLOVER: the state itself, the state it acts
    for, or (an armed group) the state it operates in."""
    if record.kind == "state":
        return str(record.id)
    return record.country or getattr(record, "operates_in", None)


def judge_mentions(text: str, links: list[GoldLink], records: list[Any], mentions: list[Any]) -> list[bool | None]:
    """For each mention: True/False when it overlaps a gold actor of ``links`` (known states only)
    and resolves to a state (right when that state is a gold code there), None when not judged."""
    located = [(where, link.code) for link in links if (where := _locate(text, link.text)) is not None]
    by_id = {r.id: r for r in records}
    out: list[bool | None] = []
    for m in mentions:
        codes = {code for (start, end), code in located if m.start < end and start < m.end}
        record = by_id.get(m.actor)
        state = mention_state(record) if record is not None else None
        out.append(None if not codes or state is None else state in codes)
    return out


def _evaluate_plover(data: list[dict[str, Any]], kb: Any, limit: int | None,
                     progress: Callable[[int], Iterator[object]] | None, *, floor: float,
                     judged: list[tuple[float, bool]]) -> tuple[int, int, list[ItemScore]]:
    from ..analysis.actors import find_actors, kept_records
    from ..analysis.nlp import load_nlp

    documents = read_plover(data, limit=limit)
    states = {a.id for a in kb.states()}
    score, skipped = ItemScore("state links"), 0
    ticker = progress(len(documents)) if progress else None
    for (text, links), doc in zip(documents, load_nlp().pipe(t for t, _ in documents), strict=True):
        if ticker is not None:
            next(ticker, None)
        known = [link for link in links if link.code in states]
        skipped += len(links) - len(known)
        records, mentions = find_actors(doc, kb)
        for m, ok in zip(mentions, judge_mentions(text, known, records, mentions), strict=True):
            if ok is not None:
                judged.append((m.confidence, ok))
        score_links(score, text, known, _mention_states(kept_records(records, floor)))
    return len(documents), skipped, [score]


# ---------------------------------------------------------------------------------------------
# Seeds-shaped gold


def _seed_article(path: Path, settings: Any) -> tuple[str, str | None]:
    """The cleaned body and published date of one raw article, as ingest extracts them."""
    from ..extract.text import extract_text
    from ..model import RawItem

    try:
        data = path.read_bytes()
    except OSError as e:
        raise UsageError(f"cannot read article {path}: {e}") from e
    draft = extract_text(RawItem(data=data, media_type="text/plain", source_kind="text", location=str(path)),
                         settings)
    return draft.text, draft.published


def score_seed_article(scores: dict[str, ItemScore], gold: dict[str, Any], records: list[Any], tag: str) -> None:
    """Add one article's ``must`` forms, roles and non-actors to ``scores``."""
    by_id = {r.id: r for r in records}
    by_name = {_norm(r.name): r for r in records}
    for actor_id, forms in gold.get("must", {}).items():
        record = by_id.get(actor_id)
        for form in forms:
            ok = record is not None and any(_norm(form) in _norm(m.text) for m in record.mentions)
            scores["forms"].add(ok, miss=f"{tag} {actor_id} <- {form!r}")
    for person in gold.get("people_with_roles", []):
        record = by_name.get(_norm(person["name"]))
        role = record.role if record is not None else None
        ok = role is not None and _norm(person["role_contains"]) in _norm(role)
        scores["roles"].add(ok, wrong=record is not None, miss=f"{tag} {person['name']}: role {role!r}")
    for bad in gold.get("must_not_be_actor", []):
        scores["non-actors"].add(_norm(bad) not in by_name, miss=f"{tag} {bad!r} is an actor")


def _evaluate_seeds(data: dict[str, Any], gold_path: Path, texts: Path | None, kb: Any, limit: int | None,
                    progress: Callable[[int], Iterator[object]] | None, *, floor: float, settings: Settings,
                    ) -> tuple[int, int, list[ItemScore]]:
    from ..analysis.actors import find_actors, kept_records
    from ..analysis.nlp import parse

    folder = texts or gold_path.resolve().parent.parent / "seeds"
    names = sorted(data["articles"])[:limit] if limit else sorted(data["articles"])
    scores = {name: ItemScore(name) for name in ("forms", "roles", "non-actors")}
    ticker = progress(len(names)) if progress else None
    for name in names:
        if ticker is not None:
            next(ticker, None)
        text, published = _seed_article(folder / name, settings)
        records, _ = find_actors(parse(text), kb, published=published)
        score_seed_article(scores, data["articles"][name].get("actors", {}), kept_records(records, floor), name[:12])
    return len(names), 0, list(scores.values())


# ---------------------------------------------------------------------------------------------
# The library function and the command


def evaluate_actors(path: str | Path, *, texts: str | Path | None = None, limit: int | None = None,
                    actors_files: tuple[str, ...] = (), split: str = "heldout", floor: float | None = None,
                    settings: Settings | None = None,
                    progress: Callable[[int], Iterator[object]] | None = None) -> ActorsReport:
    """Score ``find_actors`` on the gold file at ``path`` (layout detected; see the module docstring).

    ``actors_files`` are the user's knowledge-base files, as in the ``analysis.actors_files`` setting.
    ``split`` picks PLOVER records (train, heldout, all; seeds-shaped gold is never trained on, so
    all of it is scored). ``floor``: mentions below it are left out, as in the record (default: the
    ``analysis.min_confidence.actors`` default). ``settings`` (default: the defaults) reads the
    seed articles' files, as ingest would.
    """
    from ..analysis.kb import load_kb

    gold_path = Path(path)
    data = _read_json(gold_path)
    layout = detect_layout(data, gold_path)
    kb = load_kb(tuple(actors_files))
    settings = settings or Settings()
    if floor is None:
        floor = float(settings.analysis.min_confidence.actors)
    calibration = None
    if layout == "plover":
        judged: list[tuple[float, bool]] = []
        documents, skipped, scores = _evaluate_plover(select_split(data, split), kb, limit, progress, floor=floor,
                                                      judged=judged)
        calibration = calibration_report("actors", [c for c, _ in judged], [ok for _, ok in judged], floor=floor,
                                         note="mentions overlapping a gold actor that resolve to a state")
    else:
        split = "all"
        documents, skipped, scores = _evaluate_seeds(data, gold_path, Path(texts) if texts else None, kb, limit,
                                                     progress, floor=floor, settings=settings)
    return ActorsReport(dataset=str(path), layout=layout, metric=METRICS[layout], documents=documents,
                        skipped=skipped, scores=scores, split=split, floor=floor, calibration=calibration)


