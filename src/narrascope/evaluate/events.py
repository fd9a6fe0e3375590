"""Event coding on PLOVER gold-standard records: type, source and target accuracy, coverage and calibration.

The gold file is a JSON list of PLOVER records (openeventdata/PLOVER gold standard): each has a
``text`` (one sentence), an ``event`` type, and ``source``/``target`` lists of
``{"actorText": ..., "code": ...}`` (a target may also be "" or absent: the event has none).
``split`` picks the records by ``in_training_split(record id)``: ``heldout`` (the default) are
those the confidence model (``narrascope train events``) never saw, ``train`` the others.

Each record's text runs through the real article pipeline pieces: one spaCy parse (``nlp.pipe``),
``find_actors`` with the shipped knowledge base (mentions below the actors floor left out, as in
the record), ``find_quotes``, ``find_events``. Only events reaching the floor in force
(``analysis.min_confidence.events``) count, as in the record. The record's **primary event** is
the one ``primary_event`` picks among the kept events (one with a source and a target first, then
the trigger nearest the root of the parse, then the first). Scores (printed with every report as
``MATCHING_RULE``):

- coverage = records with at least one kept event / all records;
- type accuracy = coded records whose primary event type equals the gold type (older PLOVER
  names mapped: DEMAND->REQUEST, DISAPPROVE->ACCUSE, FIGHT->ASSAULT, INVESTIGATE->ACCUSE) / coded;
- source accuracy = coded records whose primary source code is one of the gold source codes /
  coded records with at least one gold source code (a compound actor "Jordan and Britain" lists
  several codes: any one is right);
- target accuracy = the same for targets, over coded records whose gold has a target; a missing
  predicted target is wrong. Records whose gold has no target are not scored for the target
  (they are counted and printed);
- precision = coded records whose primary event is right on all three (type, source, and target
  when the gold has one) / coded: what an analyst reading the primary events would find right;
- codes compared: the events' ``source_state`` and ``target_state`` (persons and state bodies
  count as the state they act for, actors unknown to the knowledge base with no state of their
  own as the source's state); an intergovernmental organization of the knowledge base (no
  country, ``org:un``) counts as "IGO", a non-state armed group as the state it operates in
  (``operates_in``, as PLOVER files such groups) or "IMG" when it is transnational. Two gold
  codes that are not ISO 3166 are read as the states they mean: ITL -> ITA, VTN -> VNM.

Below the PLOVER figures, when the shared data folder holds the judged articles (PolNeAR, PTC,
NTREX), the same split of the judged events on real articles (``data/plover_judged.jsonl``, see
``analysis.events_train``) is scored: every event found on those documents, kept at the floor,
right when its type, source and target are the judgement's (``JUDGED_RULE``), with its own
reliability curve.

The calibration report below the figures judges each record's primary event among all events
(no floor) with its confidence, right under the same three-part rule ``narrascope train events``
fits the confidence model with; its "kept at floor c" lines are those primary events with
confidence >= c.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..analysis.confidence import CalibrationReport, calibration_report, in_training_split
from ..analysis.types import PLOVER_TYPES, ActorRecord, Mention
from ..errors import UsageError

if TYPE_CHECKING:
    from spacy.tokens import Doc

__all__ = ["JUDGED_RULE", "MATCHING_RULE", "OLD_NAMES", "SPLITS", "CodedRecord", "EventsReport", "GoldEvent",
           "JudgedReport", "code_records", "evaluate_events", "evaluate_judged", "judge",
           "read_plover", "select_split"]

SPLITS = ("heldout", "train", "all")

OLD_NAMES = {"DEMAND": "REQUEST", "DISAPPROVE": "ACCUSE", "FIGHT": "ASSAULT", "INVESTIGATE": "ACCUSE"}
#: gold codes that are not ISO 3166-1 alpha-3, read as the state they stand for
GOLD_CODE_FIXES = {"ITL": "ITA", "VTN": "VNM"}
IGO = "IGO"
#: the CAMEO code of a transnational armed group ("al-Qaeda")
IMG = "IMG"

MATCHING_RULE = (
    "one primary event per record among the events kept at the floor (source and target first, then the "
    "trigger nearest the parse root, then the first); coverage = records with >= 1 kept event / records; type "
    "accuracy = coded records whose primary type equals the gold type (DEMAND->REQUEST, DISAPPROVE->ACCUSE, "
    "FIGHT->ASSAULT, INVESTIGATE->ACCUSE) / coded; source (target) accuracy = coded records whose primary "
    "source (target) code is one of the gold codes (compound actors: any one) / coded records with a gold "
    "source (target); a missing predicted target is wrong, records without a gold target are not scored for "
    "it; precision = coded records right on type, source and (when the gold has one) target / coded; "
    "organisations without a country count as IGO, armed groups as the state they operate in (IMG when "
    "transnational), persons and state bodies as their state, actors unknown to the knowledge base with no "
    "state as the source's state; gold ITL->ITA, VTN->VNM")


JUDGED_RULE = (
    "every event the pipeline finds on the judged documents of the split (data/plover_judged.jsonl: each event the "
    "stage found, judged by reading its sentence), kept at the floor; an event is judged by the entry for its cue "
    "(same offset); right = type, source and target as judged (the actor named or the state it acts for among the "
    "ids the entry accepts; no target when the entry has none); events with no entry are counted, not judged; "
    "negated, hypothetical and claimed_by are scored over the kept events right on type")


# ---------------------------------------------------------------------------------------------
# Gold


@dataclass(frozen=True)
class GoldEvent:
    id: str
    text: str
    type: str
    sources: frozenset[str]
    targets: frozenset[str]


def _codes(value: Any) -> frozenset[str]:
    if not isinstance(value, list):
        return frozenset()
    codes = (v.get("code") for v in value if isinstance(v, dict))
    return frozenset(GOLD_CODE_FIXES.get(c, c) for c in codes if isinstance(c, str) and c)


def read_plover(path: str | Path, *, limit: int | None = None) -> list[GoldEvent]:
    """The gold events of a PLOVER records file, in file order, at most ``limit``."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise UsageError(f"cannot read PLOVER records {path}: {e}") from e
    if not isinstance(data, list):
        raise UsageError(f"{path} is not a PLOVER records file: expected a JSON list of records")
    out = []
    for n, record in enumerate(data):
        if not isinstance(record, dict) or not isinstance(record.get("text"), str) or not record.get("event"):
            raise UsageError(f"{path}: record {n} has no text or event")
        type_ = OLD_NAMES.get(record["event"], record["event"])
        if type_ not in PLOVER_TYPES:
            raise UsageError(f"{path}: record {n} has an event type PLOVER does not know: {record['event']!r}")
        out.append(GoldEvent(str(record.get("id", n)), record["text"], type_, _codes(record.get("source")),
                             _codes(record.get("target"))))
    return out[:limit] if limit else out


def select_split(records: Sequence[GoldEvent], split: str) -> list[GoldEvent]:
    """The records of ``split`` ("train", "heldout" or "all") by ``in_training_split`` of their id."""
    if split not in SPLITS:
        raise UsageError(f"unknown split {split!r}: one of {', '.join(SPLITS)}")
    if split == "all":
        return list(records)
    return [r for r in records if in_training_split(r.id) == (split == "train")]


# ---------------------------------------------------------------------------------------------
# Running the pipeline on the records


@dataclass
class CodedRecord:
    """One gold record with what the pipeline found: every event (with its confidence features)."""

    gold: GoldEvent
    doc: Doc
    events: list[dict[str, Any]]
    features: list[dict[str, float]]


def _actors(doc: Doc, floor: float) -> tuple[list[ActorRecord], list[Mention]]:
    """What the article pipeline finds: ``find_actors`` with the shipped knowledge base, mentions
    below the actors floor left out (an actor left with none is dropped), as the actors stage does."""
    from ..analysis.actors import find_actors
    from ..analysis.kb import default_kb

    records, mentions = find_actors(doc, default_kb())
    kept = [m for m in mentions if m.confidence >= floor]
    ids = {m.actor for m in kept}
    return [r for r in records if r.id in ids], kept


def code_records(records: Sequence[GoldEvent], *, actors_floor: float,
                 progress: Callable[[int], Iterator[object]] | None = None) -> list[CodedRecord]:
    """Parse every record and find its actors, quotes and events (all of them, with features)."""
    from ..analysis.events import find_events_with_features
    from ..analysis.nlp import load_nlp
    from ..analysis.quotes import find_quotes

    ticks = iter(progress(len(records))) if progress else None
    out = []
    for record, doc in zip(records, load_nlp().pipe((r.text for r in records), batch_size=64), strict=True):
        if ticks is not None:
            next(ticks, None)
        actors, mentions = _actors(doc, actors_floor)
        quotes = find_quotes(doc, mentions, actors)
        found = find_events_with_features(doc, mentions, quotes, actors)
        out.append(CodedRecord(record, doc, [e for e, _ in found], [f for _, f in found]))
    return out


def _code(actor_id: str | None) -> str | None:
    """The gold code space: an intergovernmental body of the knowledge base (an organization with no
    country) is "IGO", a non-state armed group the state it operates in ("IMG" when transnational);
    anything else keeps its id (a state code, or an actor no gold code names)."""
    from ..analysis.kb import default_kb

    if actor_id is None:
        return None
    kb = default_kb()
    if actor_id in kb and kb[actor_id].kind == "organization" and not kb[actor_id].country:
        return IGO
    if actor_id in kb and kb[actor_id].kind == "group":
        return getattr(kb[actor_id], "operates_in", None) or IMG
    return actor_id


def judge(gold: GoldEvent, event: dict[str, Any]) -> tuple[bool, bool | None, bool | None]:
    """(type right, source right, target right) of an event against a record's gold; a side is None
    when the gold names none (not scored)."""
    source, target = _code(event["source_state"]), _code(event["target_state"])
    return (event["type"] == gold.type, (source in gold.sources) if gold.sources else None,
            (target in gold.targets) if gold.targets else None)


def right(gold: GoldEvent, event: dict[str, Any]) -> bool:
    """Right on type, source and (when the gold has one) target: how an event is judged for the
    confidence model and the precision figure."""
    type_ok, source_ok, target_ok = judge(gold, event)
    return type_ok and source_ok is not False and target_ok is not False


# ---------------------------------------------------------------------------------------------
# Scoring


@dataclass
class EventsReport:
    file: str
    split: str = "heldout"
    floor: float = 0.0
    records: int = 0
    coded: int = 0
    right: int = 0
    type_ok: int = 0
    source_scored: int = 0
    source_ok: int = 0
    target_scored: int = 0
    target_ok: int = 0
    target_missing: int = 0
    no_gold_target: int = 0
    any_type_ok: int = 0
    events: int = 0
    per_type: dict[str, Counter[str]] = field(default_factory=dict)
    details: list[dict[str, Any]] = field(default_factory=list)
    calibration: CalibrationReport | None = None

    @staticmethod
    def _ratio(a: int, b: int) -> float:
        return a / b if b else 0.0

    def to_dict(self) -> dict[str, Any]:
        r = self._ratio
        return {
            "file": self.file, "split": self.split, "floor": self.floor, "records": self.records,
            "coded": self.coded, "coverage": r(self.coded, self.records),
            "precision": r(self.right, self.coded), "right": self.right,
            "type_accuracy": r(self.type_ok, self.coded),
            "any_event_type_accuracy": r(self.any_type_ok, self.coded),
            "source_accuracy": r(self.source_ok, self.source_scored), "source_scored": self.source_scored,
            "target_accuracy": r(self.target_ok, self.target_scored), "target_scored": self.target_scored,
            "target_missing": self.target_missing, "no_gold_target": self.no_gold_target,
            "events_kept": self.events,
            "per_type": {t: dict(c) for t, c in sorted(self.per_type.items())},
            "matching_rule": MATCHING_RULE,
            "calibration": self.calibration.to_dict() if self.calibration is not None else None,
            "records_detail": self.details,
        }

    def format(self) -> str:
        d = self.to_dict()
        lines = [
            f"{self.records} PLOVER records in {self.file} (split {self.split}); events kept at the floor in "
            f"force: analysis.min_confidence.events = {self.floor:g} ({self.events} events)",
            f"coverage                {d['coverage']:.3f}  ({self.coded} of {self.records} coded)",
            f"type accuracy           {d['type_accuracy']:.3f}  ({self.type_ok} of {self.coded}; gold type among "
            f"any kept event: {d['any_event_type_accuracy']:.3f})",
            f"source state accuracy   {d['source_accuracy']:.3f}  ({self.source_ok} of {self.source_scored})",
            f"target state accuracy   {d['target_accuracy']:.3f}  ({self.target_ok} of {self.target_scored}; "
            f"{self.target_missing} without a predicted target; {self.no_gold_target} coded records have no "
            "gold target, not scored)",
            f"precision               {d['precision']:.3f}  ({self.right} of {self.coded} right on type, source "
            "and target)",
            "",
            f"{'per gold type':<14}{'records':>8}{'coded':>7}{'type ok':>9}{'right':>7}",
        ]
        for name, c in d["per_type"].items():
            lines.append(f"{name:<14}{c.get('records', 0):>8}{c.get('coded', 0):>7}{c.get('type_ok', 0):>9}"
                         f"{c.get('right', 0):>7}")
        if self.calibration is not None:
            lines += ["", self.calibration.format()]
        lines += ["", "Matching rule: " + MATCHING_RULE]
        return "\n".join(lines)


@dataclass
class JudgedReport:
    """Events on real articles judged by reading them (``data/plover_judged.jsonl``), one split."""

    split: str
    floor: float
    documents: int = 0
    found: int = 0
    judged: int = 0
    kept: int = 0
    right: int = 0
    parts: Counter[str] = field(default_factory=Counter)
    flags_scored: int = 0
    calibration: CalibrationReport | None = None

    def to_dict(self) -> dict[str, Any]:
        r = EventsReport._ratio
        return {"split": self.split, "floor": self.floor, "documents": self.documents, "events_found": self.found,
                "judged": self.judged, "kept": self.kept, "right": self.right,
                "precision": r(self.right, self.kept),
                "kept_share": r(self.kept, self.judged),
                "accuracy": {k: r(self.parts[k], self.kept) for k in ("type", "source", "target")}
                | {k: r(self.parts[k], self.flags_scored) for k in ("negated", "hypothetical", "claimed_by")},
                "matching_rule": JUDGED_RULE,
                "calibration": self.calibration.to_dict() if self.calibration is not None else None}

    def format(self) -> str:
        d = self.to_dict()
        acc = d["accuracy"]
        lines = [
            f"Judged events on real articles (split {self.split}): {self.documents} documents, {self.found} events "
            f"found, {self.judged} of them judged",
            f"kept at the floor {self.floor:g}       {self.kept} of {self.judged} judged events ({d['kept_share']:.3f})",
            f"precision               {d['precision']:.3f}  ({self.right} of {self.kept} right on type, source and "
            "target)",
            f"type / source / target  {acc['type']:.3f} / {acc['source']:.3f} / {acc['target']:.3f}  (of the kept)",
            f"negated / hypothetical / claimed_by  {acc['negated']:.3f} / {acc['hypothetical']:.3f} / "
            f"{acc['claimed_by']:.3f}  (of the {self.flags_scored} kept events right on type)",
        ]
        if self.calibration is not None:
            lines += ["", self.calibration.format()]
        lines += ["", "Judged rule: " + JUDGED_RULE]
        return "\n".join(lines)


def evaluate_judged(data_dir: str | Path, *, split: str = "heldout", floor: float, actors_floor: float,
                    quotes_floor: float, judged: str | Path | None = None) -> JudgedReport:
    """Run the pipeline on the judged documents of ``split`` and score the events against the judgements."""
    from ..analysis.events_judged import judged_facts

    found = judged_facts(data_dir, split=split, judged=judged, actors_floor=actors_floor, quotes_floor=quotes_floor)
    report = JudgedReport(split=split, floor=floor, documents=len({f.doc for f in found}), found=len(found))
    confidences: list[float] = []
    correct: list[bool] = []
    for fact in found:
        if fact.verdict is None:
            continue
        report.judged += 1
        confidence = float(fact.event["confidence"])
        confidences.append(confidence)
        correct.append(fact.verdict["right"])
        if confidence < floor:
            continue
        report.kept += 1
        report.right += fact.verdict["right"]
        for part in ("type", "source", "target"):
            report.parts[part] += fact.verdict[part]
        if fact.verdict["type"]:
            report.flags_scored += 1
            for part in ("negated", "hypothetical", "claimed_by"):
                report.parts[part] += fact.verdict[part]
    report.calibration = calibration_report("events", confidences, correct, floor=floor,
                                            note="every judged event, right on type, source and target")
    return report


def evaluate_events(path: str | Path, *, limit: int | None = None, gold: Sequence[GoldEvent] | None = None,
                    split: str = "heldout", floor: float | None = None, actors_floor: float | None = None,
                    progress: Callable[[int], Iterator[object]] | None = None) -> EventsReport:
    """Code every record of ``split`` of a PLOVER records file and score it (module docstring).

    ``floor`` (events) and ``actors_floor`` default to those settings' defaults (the command passes
    the settings in force); ``gold``, when given, replaces the file's records (the split still applies).
    """
    from ..analysis.confidence import keep
    from ..analysis.events import primary_event

    if floor is None or actors_floor is None:
        from ..settings import MinConfidence

        floors = MinConfidence()
        floor = float(floors.events) if floor is None else floor
        actors_floor = float(floors.actors) if actors_floor is None else actors_floor
    records = select_split(list(gold) if gold is not None else read_plover(path), split)
    records = records[:limit] if limit else records
    report = EventsReport(str(path), split=split, floor=floor, records=len(records))
    confidences: list[float] = []
    correct: list[bool] = []
    for coded in code_records(records, actors_floor=actors_floor, progress=progress):
        record, doc = coded.gold, coded.doc
        first = primary_event(doc, coded.events)
        if first is not None:
            confidences.append(float(first["confidence"]))
            correct.append(right(record, first))
        events = keep(coded.events, floor)
        report.events += len(events)
        per = report.per_type.setdefault(record.type, Counter())
        per["records"] += 1
        best = primary_event(doc, events)
        detail: dict[str, Any] = {"id": record.id, "gold": {"type": record.type, "source": sorted(record.sources),
                                                            "target": sorted(record.targets)}, "predicted": None}
        report.details.append(detail)
        if best is None:
            continue
        type_ok, source_ok, target_ok = judge(record, best)
        detail["predicted"] = {"type": best["type"], "source": _code(best["source_state"]),
                               "target": _code(best["target_state"]), "cue": best["cue"],
                               "confidence": best["confidence"]}
        report.coded += 1
        per["coded"] += 1
        if type_ok:
            report.type_ok += 1
            per["type_ok"] += 1
        if right(record, best):
            report.right += 1
            per["right"] += 1
        if any(e["type"] == record.type for e in events):
            report.any_type_ok += 1
        if source_ok is not None:
            report.source_scored += 1
            report.source_ok += source_ok
        if target_ok is not None:
            report.target_scored += 1
            report.target_ok += target_ok
            report.target_missing += best["target_state"] is None
        else:
            report.no_gold_target += 1
    report.calibration = calibration_report("events", confidences, correct, floor=floor,
                                            note="each record's primary event among all events, judged on type, "
                                                 "source and target")
    return report


