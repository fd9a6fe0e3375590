"""``narrascope train actors``: fit the confidence model of actor mentions.

Each mention ``find_actors`` emits carries readable features (how it was found, what kind of actor
it names, the entity label spaCy gave it, whether the form is ambiguous, an acronym, a capital used
as a metonym...; see ``actors._features``). The model maps them to a calibrated probability that
the mention names the actor it is resolved to, fitted on two kinds of gold:

- **PLOVER records, training split only** (``in_training_split(record id)``): a mention that
  overlaps a gold actor text with a known state code and resolves to a state (the state itself,
  the state a person or body acts for, the state an armed group operates in) is right when that
  state is the gold code. PLOVER says nothing about actors without a state, so those are not judged.
- **a small hand-built check** (``data/actors/check.jsonl``, sentences written for narrascope):
  every actor mention of each text is listed with what it names (an id of the knowledge base, or
  a kind and name for actors outside it), so every predicted mention is judged, those of persons,
  organizations and places without a state included, and one not listed is wrong.

Figures are reported on held-out PLOVER records by ``narrascope eval actors`` (default split).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

from ..errors import UsageError
from .confidence import MODELS, ConfidenceModel

__all__ = ["judge_check", "read_check", "train_actors", "training_facts"]

#: the shipped hand-built check
CHECK = "check.jsonl"


def read_check(path: str | Path | None = None) -> list[dict[str, Any]]:
    """The hand-built check: one JSON object a line (id, published, text, actors: [[surface, target]])."""
    if path is None:
        text = (resources.files("narrascope") / "data" / "actors" / CHECK).read_text(encoding="utf-8")
    else:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError as e:
            raise UsageError(f"cannot read the actor check {path}: {e}") from e
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def _occurrences(text: str, surface: str) -> list[tuple[int, int]]:
    return [m.span() for m in re.finditer(rf"(?<![\w-]){re.escape(surface)}(?![\w-])", text)]


def _target_matches(target: str, record: Any) -> bool:
    """Whether an actor record is what a check entry names: an id ("RUS", "group:taliban"), a kind
    ("organization"), or a kind and the person's full name ("person=Bill de Blasio")."""
    from ..evaluate.actors import mention_state

    if ":" in target or (len(target) == 3 and target.isupper()):
        return bool(record.id == target or (len(target) == 3 and mention_state(record) == target))
    kind, _, name = target.partition("=")
    return bool(record.kind == kind and (not name or record.name.casefold() == name.casefold()))


def judge_check(item: dict[str, Any], records: list[Any], mentions: list[Any]) -> list[bool]:
    """Each predicted mention of a check text: right when it overlaps a listed actor and resolves
    to what the entry names; a mention overlapping nothing listed is wrong."""
    text = item["text"]
    spans = [(where, target) for surface, target in item["actors"] for where in _occurrences(text, surface)]
    by_id = {r.id: r for r in records}
    out = []
    for m in mentions:
        targets = [target for (start, end), target in spans if m.start < end and start < m.end]
        record = by_id.get(m.actor)
        out.append(record is not None and any(_target_matches(t, record) for t in targets))
    return out


def training_facts(plover: str | Path, *, split: str = "train", check: str | Path | None = None,
                   use_check: bool = True, echo: Callable[[str], None] | None = None,
                   ) -> tuple[list[dict[str, float]], list[bool], list[str]]:
    """(features, correct, group) of every judged mention: PLOVER records of ``split`` and the check."""
    from ..evaluate.actors import judge_mentions, read_plover, select_split
    from .actors import find_actors_with_features
    from .kb import default_kb
    from .nlp import load_nlp

    try:
        data = json.loads(Path(plover).read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise UsageError(f"cannot read PLOVER records {plover}: {e}") from e
    if not isinstance(data, list):
        raise UsageError(f"{plover}: expected a JSON list of PLOVER records")
    kb = default_kb()
    states = {a.id for a in kb.states()}
    features: list[dict[str, float]] = []
    correct: list[bool] = []
    groups: list[str] = []
    chosen = select_split(data, split)
    nlp = load_nlp()
    for k, (record, doc) in enumerate(zip(chosen, nlp.pipe(r.get("text", "") for r in chosen), strict=True)):
        links = [link for link in read_plover([record])[0][1] if link.code in states]
        records, scored = find_actors_with_features(doc, kb)
        mentions = [m for m, _ in scored]
        for (_, f), ok in zip(scored, judge_mentions(record["text"], links, records, mentions), strict=True):
            if ok is not None:
                features.append(f)
                correct.append(ok)
                groups.append(str(record.get("id") or k))
        if echo is not None and (k + 1) % 50 == 0:
            echo(f"  PLOVER: {k + 1}/{len(chosen)} records, {len(correct)} mentions judged")
    if echo is not None:
        echo(f"PLOVER ({split}): {len(chosen)} records, {len(correct)} mentions judged, "
             f"{sum(correct)} right")
    if use_check:
        items = read_check(check)
        before = len(correct)
        for item, doc in zip(items, nlp.pipe(i["text"] for i in items), strict=True):
            records, scored = find_actors_with_features(doc, kb, published=item.get("published"))
            mentions = [m for m, _ in scored]
            for (_, f), ok in zip(scored, judge_check(item, records, mentions), strict=True):
                features.append(f)
                correct.append(ok)
                groups.append(f"check:{item['id']}")
        if echo is not None:
            echo(f"check: {len(items)} texts, {len(correct) - before} mentions judged, "
                 f"{sum(correct[before:])} right")
    return features, correct, groups


def train_actors(plover: str | Path, *, output: str | Path | None = None, check: str | Path | None = None,
                 echo: Callable[[str], None] | None = None) -> ConfidenceModel:
    """Fit the actors confidence model on the PLOVER training split and the check, and save it."""
    features, correct, groups = training_facts(plover, split="train", check=check, echo=echo)
    if not correct:
        raise UsageError(f"{plover}: no mention could be judged")
    model = ConfidenceModel.fit("actors", features, correct, groups=groups, c=0.5,
                                meta={"trained_on": "PLOVER records (training split by record id) and "
                                                    "data/actors/check.jsonl",
                                      "facts": len(correct), "right": sum(correct)})
    target = Path(output) if output else MODELS / "actors.confidence.json"
    model.save(target)
    if echo is not None:
        echo(f"wrote {target} ({len(model.weights)} weights)")
    return model


