"""``narrascope train events``: fit the confidence model of PLOVER events.

Every event ``find_events`` emits carries readable features (``events.event_features``: the type,
the cue's kind, how and where its source and target were found, what kind of actor each is,
whether the two share a state, negation, modality, quotes, how deep the cue sits). The model maps
them to a calibrated probability that the event is right, fitted on the **training splits** of
two sets:

- the PLOVER gold records (``in_training_split(record id)``): each record's primary event (the
  one ``primary_event`` picks among all its events) is right when its type, its source state and,
  when the gold names one, its target state are the gold's (``evaluate.events.right``); a record
  with no event teaches nothing;
- the judged events on real articles (``data/plover_judged.jsonl``, ``in_training_split(document
  id)``): every event the stage found on political news (PolNeAR, PTC and NTREX documents, never
  the NTREX documents kept for the final hand check), judged by reading its sentence. The file
  keeps document ids, offsets, cue words and the first words of each sentence, never the texts:
  ``read_document`` reads them again from the shared data folder. An event found today is judged
  by the entry for its cue (``judge_event``); one with no entry (a cue the rules did not find when
  it was judged) is not used.

The PLOVER records are single sentences about relations between states; real articles carry far
more campaign talk, sport, metaphor and private life, so the judged events teach the model what
real errors look like. Held-out figures on both are printed by ``narrascope eval events``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ..errors import UsageError
from .confidence import MODELS, ConfidenceModel
from .events_judged import (
    JUDGED,
    RESERVED,
    JudgedEvent,
    code_text,
    judge_event,
    judged_entries,
    judged_facts,
    read_document,
)

__all__ = ["JUDGED", "RESERVED", "JudgedEvent", "code_text", "data_paths", "judge_event", "judged_entries",
           "judged_facts", "read_document", "train_events", "training_facts", "training_set"]

#: the inverse regularisation of the logistic regression (chosen by grouped cross-validation on the training split)
C = 0.3


def training_facts(path: str | Path, *, split: str = "train", actors_floor: float | None = None,
                   echo: Callable[[str], None] | None = None,
                   ) -> tuple[list[dict[str, float]], list[bool], list[str]]:
    """(features, right, record id) of the primary event of every record of ``split`` that has one."""
    from ..evaluate.events import code_records, read_plover, right, select_split
    from .events import primary_event

    if actors_floor is None:  # the setting's default: the same data always gives the same model
        from ..settings import MinConfidence

        actors_floor = float(MinConfidence().actors)
    records = select_split(read_plover(path), split)
    if echo is not None:
        echo(f"PLOVER ({split}): {len(records)} records; parsing and coding them")
    features: list[dict[str, float]] = []
    correct: list[bool] = []
    groups: list[str] = []
    for k, coded in enumerate(code_records(records, actors_floor=actors_floor)):
        best = primary_event(coded.doc, coded.events)
        if best is not None:
            index = next(i for i, e in enumerate(coded.events) if e is best)
            features.append(coded.features[index])
            correct.append(right(coded.gold, best))
            groups.append(coded.gold.id)
        if echo is not None and (k + 1) % 50 == 0:
            echo(f"  {k + 1}/{len(records)} records, {len(correct)} coded")
    if echo is not None:
        echo(f"{len(correct)} of {len(records)} records coded, {sum(correct)} primary events right")
    return features, correct, groups


# ---------------------------------------------------------------------------------------------
# The training set: the PLOVER records and the judged events (``events_judged``) of the training split


def data_paths(path: str | Path) -> tuple[Path, Path]:
    """(PLOVER records file, shared data folder) from either: the shared data folder (holding
    ``plover-gsr/records.json``, ``polnear``, ``ptc``, ``ntrex``) or the records file itself (its
    folder's parent is then the data folder)."""
    path = Path(path)
    if path.is_dir():
        return path / "plover-gsr" / "records.json", path
    return path, path.parent.parent


def training_set(path: str | Path, *, judged: str | Path | None = None, actors_floor: float, quotes_floor: float,
                 echo: Callable[[str], None] | None = None) -> tuple[list[dict[str, float]], list[bool], list[str]]:
    """(features, right, group) of every training fact: the primary event of each PLOVER record of
    the training split, and every judged event of the judged documents of the training split."""
    records, data_dir = data_paths(path)
    features, correct, groups = training_facts(records, split="train", actors_floor=actors_floor, echo=echo)
    if not all((data_dir / corpus).is_dir() for corpus in ("polnear", "ptc", "ntrex")):
        if echo is not None:
            echo(f"{data_dir}: no polnear, ptc and ntrex folders: the judged events are left out")
        return features, correct, groups
    for found in judged_facts(data_dir, split="train", judged=judged, actors_floor=actors_floor,
                              quotes_floor=quotes_floor, echo=echo):
        if found.verdict is not None:
            features.append(found.features)
            correct.append(found.verdict["right"])
            groups.append(found.doc)
    return features, correct, groups


def train_events(path: str | Path, *, judged: str | Path | None = None, output: str | Path | None = None,
                 actors_floor: float | None = None, quotes_floor: float | None = None,
                 echo: Callable[[str], None] | None = None) -> ConfidenceModel:
    """Fit the events confidence model on the training splits of the PLOVER records and of the
    judged events on real articles, and save it (deterministic: same data, same model). The floors
    default to their settings' defaults; the command passes the settings in force."""
    if actors_floor is None or quotes_floor is None:
        from ..settings import MinConfidence

        floors = MinConfidence()
        actors_floor = float(floors.actors) if actors_floor is None else actors_floor
        quotes_floor = float(floors.quotes) if quotes_floor is None else quotes_floor
    features, correct, groups = training_set(path, judged=judged, actors_floor=actors_floor,
                                             quotes_floor=quotes_floor, echo=echo)
    if not correct:
        raise UsageError(f"{path}: no training fact was coded")
    plover = sum(not g.startswith(("polnear/", "ptc/", "ntrex/")) for g in groups)
    model = ConfidenceModel.fit("events", features, correct, groups=groups, c=C,
                                meta={"trained_on": "training splits (in_training_split) of the PLOVER gold records "
                                                    "(each record's primary event, judged right on type, source state "
                                                    "and target state) and of the judged events on real articles "
                                                    f"(data/{JUDGED}, split by document; every judged event, right on "
                                                    "type, source and target)",
                                      "facts": len(correct), "right": sum(correct), "plover_facts": plover,
                                      "judged_facts": len(correct) - plover, "c": C})
    target = Path(output) if output else MODELS / "events.confidence.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    model.save(target)
    if echo is not None:
        echo(f"wrote {target} ({len(model.weights)} weights, {len(correct)} facts: {plover} PLOVER records, "
             f"{len(correct) - plover} judged events)")
    return model


