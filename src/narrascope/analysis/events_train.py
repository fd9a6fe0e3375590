"""``narrascope train events``: fit the confidence model of PLOVER events.

Every event ``find_events`` emits carries readable features (``events.event_features``: the cue's
kind and type, how and where its source and target were found, what kind of actor each is,
whether the two share a state, negation, modality, quotes, how deep the cue sits). The model
maps them to a calibrated probability that the event is right, fitted on the **training split**
of the PLOVER gold records (``in_training_split(record id)``): each record's primary event (the
one ``primary_event`` picks among all its events) is right when its type, its source state and,
when the gold names one, its target state are the gold's (``evaluate.events.right``). A record
with no event teaches nothing. Held-out figures are printed by ``narrascope eval events``.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import click

from ..errors import UsageError
from .confidence import MODELS, ConfidenceModel

__all__ = ["train_events", "train_events_command", "training_facts"]

#: the inverse regularisation of the logistic regression (chosen by grouped cross-validation on the training split)
C = 1.0


def training_facts(path: str | Path, *, split: str = "train", actors_floor: float | None = None,
                   echo: Callable[[str], None] | None = None,
                   ) -> tuple[list[dict[str, float]], list[bool], list[str]]:
    """(features, right, record id) of the primary event of every record of ``split`` that has one."""
    from ..evaluate.events import code_records, read_plover, right, select_split
    from .events import primary_event

    if actors_floor is None:
        from ..settings import load_settings

        actors_floor = float(load_settings().analysis.min_confidence.actors)
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


def train_events(path: str | Path, *, output: str | Path | None = None, actors_floor: float | None = None,
                 echo: Callable[[str], None] | None = None) -> ConfidenceModel:
    """Fit the events confidence model on the PLOVER training split and save it (deterministic)."""
    features, correct, groups = training_facts(path, split="train", actors_floor=actors_floor, echo=echo)
    if not correct:
        raise UsageError(f"{path}: no record of the training split was coded")
    model = ConfidenceModel.fit("events", features, correct, groups=groups, c=C,
                                meta={"trained_on": "PLOVER gold records, training split by record id "
                                                    "(in_training_split); each record's primary event, judged "
                                                    "right on type, source state and target state",
                                      "facts": len(correct), "right": sum(correct), "c": C})
    target = Path(output) if output else MODELS / "events.confidence.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    model.save(target)
    if echo is not None:
        echo(f"wrote {target} ({len(model.weights)} weights)")
    return model


@click.command("events")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("-o", "--output", type=click.Path(dir_okay=False),
              help="Where to write the model (default: the shipped data/models/events.confidence.json).")
def train_events_command(path: str, output: str | None) -> None:
    """Fit the confidence model of PLOVER events on PLOVER records (training split).

    PATH is the PLOVER gold records file (a JSON list). Only records whose id falls in the
    training split are used; ``narrascope eval events`` reports on the others. Each record's
    primary event is judged right when its type, source state and target state match the gold.

    \b
    Example:
      narrascope train events ../shared/data/plover-gsr/records.json
      narrascope train events ../shared/data/plover-gsr/records.json -o my-events.confidence.json
    """
    settings = getattr(click.get_current_context().obj, "settings", None)
    actors_floor = float(settings.analysis.min_confidence.actors) if settings is not None else None
    train_events(path, output=output, actors_floor=actors_floor,
                 echo=lambda line: click.echo(line, err=sys.stderr.isatty()))
