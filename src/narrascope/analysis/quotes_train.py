"""``narrascope train quotes``: fit the confidence model of quotes on PolNeAR-style gold.

Every quote the rules find (``quotes.quote_candidates``) carries readable features: direct,
indirect or indirect with a quoted part; the rule that found its cue (a speech tag after the
quote, a cue governing it in the parse, a colon, "according to", a that-clause...); the cue; how
the speaker was found (a name, a surname, a pronoun resolved or not, an anonymous or other
description, the author...); the speaker phrase's length and distance from the content; the
content's length (``quotes.quote_features``). A quote is right when the evaluation's matching
rule (``narrascope.evaluate.quotes``: the content overlaps a gold attribution's and the speaker
span its source, one-to-one) pairs it with a gold attribution, so the confidence covers the quote
and its speaker together.

Only documents of the training split (``in_training_split(document name)``, about 70%) are
learnt from; the calibration is fitted on predictions out of fold by document. The held-out
documents are scored at the end, and those figures go into the model's ``meta``;
``narrascope eval quotes`` reports on them by default.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .confidence import MODELS, ConfidenceModel, calibration_report, choose_floor, in_training_split

if TYPE_CHECKING:
    from spacy.tokens import Doc

    from ..evaluate.quotes import GoldAttribution

__all__ = ["fit_quotes", "train_quotes", "training_facts"]

#: Logistic-regression regularisation (sklearn's C) of the confidence model.
REGULARISATION = 0.5


def training_facts(documents: Sequence[tuple[str, str, list[GoldAttribution]]], docs: Iterable[Doc],
                   ) -> tuple[list[dict[str, float]], list[bool], list[str]]:
    """(features, right, document name) of every quote the rules find in ``documents``."""
    from ..evaluate.quotes import judge_quotes
    from .quotes import quote_candidates

    features: list[dict[str, float]] = []
    correct: list[bool] = []
    groups: list[str] = []
    for (name, _text, gold), doc in zip(documents, docs, strict=True):
        found = quote_candidates(doc)
        features += [f for _, f in found]
        correct += judge_quotes(gold, [q for q, _ in found])
        groups += [name] * len(found)
    return features, correct, groups


def fit_quotes(documents: Sequence[tuple[str, str, list[GoldAttribution]]], docs: Sequence[Doc], *,
               source: str = "", echo: Callable[[str], None] = lambda line: None) -> ConfidenceModel:
    """Fit on the training-split documents of ``documents`` (parsed as ``docs``), report on the others."""
    train = [i for i, d in enumerate(documents) if in_training_split(d[0])]
    held = [i for i, d in enumerate(documents) if not in_training_split(d[0])]
    features, correct, groups = training_facts([documents[i] for i in train], [docs[i] for i in train])
    echo(f"training split: {len(train)} documents, {len(features)} quotes found, {sum(correct)} right")
    model = ConfidenceModel.fit("quotes", features, correct, groups=groups, c=REGULARISATION)
    meta: dict[str, Any] = {"data": source, "split": "in_training_split(document name)",
                            "train_documents": len(train), "facts": len(features), "right": sum(correct),
                            "judged_by": "narrascope.evaluate.quotes matching rule (source-and-content overlap)"}
    if held:
        h_features, h_correct, _ = training_facts([documents[i] for i in held], [docs[i] for i in held])
        confidences = [model(f) for f in h_features]
        report = calibration_report("quotes", confidences, h_correct, floor=0.0)
        meta.update({"heldout_documents": len(held), "heldout_facts": len(h_features),
                     "heldout_right": sum(h_correct), "heldout_ece": round(report.ece, 4),
                     "heldout_floor_for_0.80": choose_floor(confidences, h_correct)})
        echo(f"held-out split: {len(held)} documents, {len(h_features)} quotes, {sum(h_correct)} right;"
             f" expected calibration error {report.ece:.3f}")
    return ConfidenceModel(model.field, model.weights, model.bias, model.calibration, meta)


def train_quotes(folder: str | Path, *, output: str | Path | None = None, n_process: int = 1,
                 echo: Callable[[str], None] = lambda line: None) -> ConfidenceModel:
    """Parse the gold texts of ``folder`` (PolNeAR layout), fit the model, save it (default: shipped)."""
    from ..evaluate.quotes import read_gold
    from .nlp import load_nlp

    documents = read_gold(folder)
    echo(f"{len(documents)} documents read from {folder}; parsing")
    nlp = load_nlp()
    docs = []
    for i, doc in enumerate(nlp.pipe((text for _, text, _ in documents), batch_size=16, n_process=n_process), 1):
        docs.append(doc)
        if i % 100 == 0 or i == len(documents):
            echo(f"  parsed {i}/{len(documents)}")
    model = fit_quotes(documents, docs, source=Path(folder).as_posix(), echo=echo)
    target = Path(output) if output else MODELS / "quotes.confidence.json"
    model.save(target)
    echo(f"quotes confidence model ({len(model.weights)} weights) written to {target}")
    return model


