"""Event coding on PLOVER gold-standard records: type, source and target accuracy, and coverage.

The gold file is a JSON list of PLOVER records (openeventdata/PLOVER gold standard): each has a
``text`` (one sentence), an ``event`` type, and ``source``/``target`` lists of
``{"actorText": ..., "code": ...}`` (a target may also be "" or absent: the event has none).

Each record's text runs through the real article pipeline pieces: one spaCy parse (``nlp.pipe``),
``find_actors`` with the shipped knowledge base, ``find_events``. The record's **primary event**
is the one ``primary_event`` picks (one with a source and a target first, then the trigger
nearest the root of the parse, then the first). Scores (printed with every report as
``MATCHING_RULE``):

- coverage = records with at least one event / all records;
- type accuracy = coded records whose primary event type equals the gold type (older PLOVER
  names mapped: DEMAND->REQUEST, DISAPPROVE->ACCUSE, FIGHT->ASSAULT, INVESTIGATE->ACCUSE) / coded;
- source accuracy = coded records whose primary source code is one of the gold source codes /
  coded records with at least one gold source code (a compound actor "Jordan and Britain" lists
  several codes: any one is right);
- target accuracy = the same for targets, over coded records whose gold has a target; a missing
  predicted target is wrong. Records whose gold has no target are not scored for the target
  (they are counted and printed);
- codes compared: the events' ``source_state`` and ``target_state`` (persons and state bodies
  count as the state they act for, actors unknown to the knowledge base with no state of their
  own as the source's state); an intergovernmental organization of the knowledge base (no
  country, ``org:un``) counts as "IGO". Two gold
  codes that are not ISO 3166 are read as the states they mean: ITL -> ITA, VTN -> VNM.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ..analysis.types import PLOVER_TYPES, ActorRecord, Mention
from ..errors import UsageError

if TYPE_CHECKING:
    from spacy.tokens import Doc

__all__ = ["MATCHING_RULE", "OLD_NAMES", "EventsReport", "GoldEvent", "eval_events_command", "evaluate_events",
           "read_plover"]

OLD_NAMES = {"DEMAND": "REQUEST", "DISAPPROVE": "ACCUSE", "FIGHT": "ASSAULT", "INVESTIGATE": "ACCUSE"}
#: gold codes that are not ISO 3166-1 alpha-3, read as the state they stand for
GOLD_CODE_FIXES = {"ITL": "ITA", "VTN": "VNM"}
IGO = "IGO"

MATCHING_RULE = (
    "one primary event per record (source and target first, then the trigger nearest the parse root, then "
    "the first); coverage = records with >= 1 event / records; type accuracy = coded records whose primary "
    "type equals the gold type (DEMAND->REQUEST, DISAPPROVE->ACCUSE, FIGHT->ASSAULT, INVESTIGATE->ACCUSE) / "
    "coded; source (target) accuracy = coded records whose primary source (target) code is one of the gold "
    "codes (compound actors: any one) / coded records with a gold source (target); a missing predicted "
    "target is wrong, records without a gold target are not scored for it; organisations without a country "
    "count as IGO, persons and state bodies as their state, actors unknown to the knowledge base with no state as the source's state; gold ITL->ITA, VTN->VNM")


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


# ---------------------------------------------------------------------------------------------
# Actors for a record


def _actors(doc: Doc) -> tuple[list[ActorRecord], list[Mention]]:
    """What the article pipeline finds: ``find_actors`` with the shipped knowledge base."""
    from ..analysis.actors import find_actors
    from ..analysis.kb import default_kb

    records, mentions = find_actors(doc, default_kb())
    return list(records), list(mentions)


def _code(actor_id: str | None) -> str | None:
    """The gold code space: an intergovernmental body of the knowledge base (an organization with no
    country) is "IGO"; anything else keeps its id (a state code, or an actor no gold code names)."""
    from ..analysis.kb import default_kb

    if actor_id is None:
        return None
    kb = default_kb()
    if actor_id in kb and kb[actor_id].kind == "organization" and not kb[actor_id].country:
        return IGO
    return actor_id


# ---------------------------------------------------------------------------------------------
# Scoring


@dataclass
class EventsReport:
    file: str
    records: int = 0
    coded: int = 0
    type_ok: int = 0
    source_scored: int = 0
    source_ok: int = 0
    target_scored: int = 0
    target_ok: int = 0
    target_missing: int = 0
    no_gold_target: int = 0
    any_type_ok: int = 0
    per_type: dict[str, Counter[str]] = field(default_factory=dict)
    details: list[dict[str, Any]] = field(default_factory=list)

    @staticmethod
    def _ratio(a: int, b: int) -> float:
        return a / b if b else 0.0

    def to_dict(self) -> dict[str, Any]:
        r = self._ratio
        return {
            "file": self.file, "records": self.records, "coded": self.coded,
            "coverage": r(self.coded, self.records),
            "type_accuracy": r(self.type_ok, self.coded),
            "any_event_type_accuracy": r(self.any_type_ok, self.coded),
            "source_accuracy": r(self.source_ok, self.source_scored), "source_scored": self.source_scored,
            "target_accuracy": r(self.target_ok, self.target_scored), "target_scored": self.target_scored,
            "target_missing": self.target_missing, "no_gold_target": self.no_gold_target,
            "per_type": {t: dict(c) for t, c in sorted(self.per_type.items())},
            "matching_rule": MATCHING_RULE,
            "records_detail": self.details,
        }

    def format(self) -> str:
        d = self.to_dict()
        lines = [
            f"{self.records} PLOVER records in {self.file}",
            f"coverage                {d['coverage']:.3f}  ({self.coded} of {self.records} coded)",
            f"type accuracy           {d['type_accuracy']:.3f}  ({self.type_ok} of {self.coded}; gold type among "
            f"any event: {d['any_event_type_accuracy']:.3f})",
            f"source state accuracy   {d['source_accuracy']:.3f}  ({self.source_ok} of {self.source_scored})",
            f"target state accuracy   {d['target_accuracy']:.3f}  ({self.target_ok} of {self.target_scored}; "
            f"{self.target_missing} without a predicted target; {self.no_gold_target} coded records have no "
            "gold target, not scored)",
            "",
            f"{'per gold type':<14}{'records':>8}{'coded':>7}{'type ok':>9}",
        ]
        for name, c in d["per_type"].items():
            lines.append(f"{name:<14}{c.get('records', 0):>8}{c.get('coded', 0):>7}{c.get('type_ok', 0):>9}")
        lines += ["", "Matching rule: " + MATCHING_RULE]
        return "\n".join(lines)


def evaluate_events(path: str | Path, *, limit: int | None = None, gold: Sequence[GoldEvent] | None = None,
                    progress: Callable[[int], Iterator[object]] | None = None) -> EventsReport:
    """Code every record of a PLOVER records file and score it (module docstring)."""
    from ..analysis.events import find_events, primary_event
    from ..analysis.nlp import load_nlp

    records = list(gold) if gold is not None else read_plover(path, limit=limit)
    report = EventsReport(str(path), records=len(records))
    ticks = iter(progress(len(records))) if progress else None
    nlp = load_nlp()
    for record, doc in zip(records, nlp.pipe((r.text for r in records), batch_size=64), strict=True):
        if ticks is not None:
            next(ticks, None)
        actors, mentions = _actors(doc)
        events = find_events(doc, mentions, [], actors)
        per = report.per_type.setdefault(record.type, Counter())
        per["records"] += 1
        best = primary_event(doc, events)
        detail: dict[str, Any] = {"id": record.id, "gold": {"type": record.type, "source": sorted(record.sources),
                                                            "target": sorted(record.targets)}, "predicted": None}
        report.details.append(detail)
        if best is None:
            continue
        source, target = _code(best["source_state"]), _code(best["target_state"])
        detail["predicted"] = {"type": best["type"], "source": source, "target": target, "cue": best["cue"]}
        report.coded += 1
        per["coded"] += 1
        if best["type"] == record.type:
            report.type_ok += 1
            per["type_ok"] += 1
        if any(e["type"] == record.type for e in events):
            report.any_type_ok += 1
        if record.sources:
            report.source_scored += 1
            report.source_ok += source in record.sources
        if record.targets:
            report.target_scored += 1
            report.target_ok += target in record.targets
            report.target_missing += target is None
        else:
            report.no_gold_target += 1
    return report


def _progress(enabled: bool) -> Callable[[int], Iterator[object]] | None:
    if not enabled:
        return None

    def bar(total: int) -> Iterator[object]:
        from tqdm import tqdm

        yield from tqdm(range(total), desc="eval events", unit="record", file=sys.stderr, leave=False,
                        dynamic_ncols=True)

    return bar


@click.command("events")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--limit", type=click.IntRange(1), default=None, help="Only the first N records.")
@click.option("--details", is_flag=True, help="With --json: each record's gold and predicted primary event.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable JSON output.")
def eval_events_command(file: str, limit: int | None, details: bool, as_json: bool) -> None:
    """Score event coding on PLOVER gold-standard records.

    FILE is a JSON list of PLOVER records (text, event, source and target lists of actorText and
    code). Every record is parsed, its actors and events found; its primary event is scored for
    type, source state and target state. Prints coverage, the three accuracies and the matching
    rule.

    \b
    Example:
      narrascope eval events ../shared/data/plover-gsr/records.json
      narrascope eval events ../shared/data/plover-gsr/records.json --limit 50 --json
    """
    report = evaluate_events(file, limit=limit, progress=_progress(not as_json and sys.stderr.isatty()))
    if as_json:
        data = report.to_dict()
        if not details:
            data.pop("records_detail")
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        click.echo(report.format())
