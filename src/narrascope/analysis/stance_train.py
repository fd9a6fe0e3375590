"""NewsMTSC for the stance model: reading it, splitting it by article, and ``narrascope train stance``.

NewsMTSC (Hamborg & Donnay, EACL 2021; MIT) holds sentences of political news, each with one or
more target mentions and a gold polarity toward each (2 negative, 4 neutral, 6 positive). Its
``primary_gid`` names the article a sentence comes from: ``allsides_<article>_<story>_<sentence>_...``
(AllSides groups three outlets' articles on one story) and ``polusa_v1_<article>_-1_<sentence>_...``.
``article_key`` keeps one story's (AllSides) or one article's (POLUSA) sentences together, so the
training and held-out splits (``in_training_split`` of that key) never share an article.

Training (deterministic: lbfgs logistic regression, sorted features, folds from md5 of the key):
features of every target of the training split (``stance_model.mention_features``), features seen
in fewer than ``min_count`` targets dropped, a multinomial logistic regression with ``C``;
five-fold out-of-fold predictions (folds by article key) fit the calibration of the predicted
class's probability into the confidence that it is right.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from .confidence import MODELS, Calibration, in_training_split
from .stance_model import CLASSES, StanceModel, mention_features

if TYPE_CHECKING:
    from spacy.tokens import Doc

__all__ = ["GOLD_CLASS", "NewsMtscTarget", "article_key", "featurize", "read_newsmtsc", "train_stance",
           "train_stance_command"]

#: NewsMTSC polarity codes -> our classes.
GOLD_CLASS = {2.0: "negative", 4.0: "neutral", 6.0: "positive"}
SEED = 13


@dataclass(frozen=True)
class NewsMtscTarget:
    """One gold target: its sentence, the mention's character span in it, the gold class."""

    gid: str
    key: str
    sentence: str
    start: int
    end: int
    mention: str
    label: str


def article_key(gid: str) -> str:
    """The article (POLUSA) or story (AllSides) a NewsMTSC ``primary_gid`` belongs to."""
    parts = gid.split("_")
    if parts[0] == "allsides" and len(parts) > 2:
        return f"allsides_{parts[2]}"
    return "_".join(parts[:3])


def read_newsmtsc(path: str | Path) -> list[NewsMtscTarget]:
    """Every target of a NewsMTSC JSONL file (or of ``train.jsonl`` in a folder), in file order."""
    source = Path(path)
    if source.is_dir():
        source = source / "train.jsonl"
    out = []
    with source.open(encoding="utf-8") as lines:
        for line in lines:
            if not line.strip():
                continue
            row = json.loads(line)
            sentence = row["sentence_normalized"]
            for target in row["targets"]:
                label = GOLD_CLASS.get(float(target["polarity"]))
                if label is None:
                    continue
                out.append(NewsMtscTarget(gid=row["primary_gid"], key=article_key(row["primary_gid"]),
                                          sentence=sentence, start=int(target["from"]), end=int(target["to"]),
                                          mention=target["mention"], label=label))
    return out


def in_split(target: NewsMtscTarget, split: str) -> bool:
    """Whether ``target`` belongs to ``split`` (train, heldout or all)."""
    if split == "all":
        return True
    return in_training_split(target.key) == (split == "train")


def featurize(targets: Sequence[NewsMtscTarget], *, progress: Callable[[str], None] | None = None,
              docs: dict[str, Doc] | None = None) -> list[dict[str, float] | None]:
    """``mention_features`` of each target on the spaCy parse of its sentence (None when the span
    falls on no token). Sentences are parsed once, in batches; ``docs``, when given, receives each
    sentence's parse."""
    from .nlp import load_nlp

    nlp = load_nlp()
    sentences = list(dict.fromkeys(t.sentence for t in targets))
    docs = {} if docs is None else docs
    began = time.monotonic()
    for i, doc in enumerate(nlp.pipe(sentences, batch_size=64)):
        docs[sentences[i]] = doc
        if progress and (i + 1) % 1000 == 0:
            progress(f"parsed {i + 1}/{len(sentences)} sentences ({time.monotonic() - began:.0f} s)")
    out: list[dict[str, float] | None] = []
    caches: dict[str, dict[int, Any]] = {}
    for t in targets:
        doc = docs[t.sentence]
        span = doc.char_span(t.start, t.end, alignment_mode="expand")
        cache = caches.setdefault(t.sentence, {})
        out.append(mention_features(doc, span.start, span.end, cache=cache) if span is not None and len(span)
                   else None)
    return out


def _fold(key: str, folds: int) -> int:
    return int(hashlib.md5(f"{SEED}:{key}".encode()).hexdigest(), 16) % folds


def _fit(features: Sequence[dict[str, float]], labels: Sequence[str], *, c: float, min_count: int) -> StanceModel:
    import numpy as np
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    seen = Counter(name for f in features for name in f)
    kept = [{k: v for k, v in f.items() if seen[k] >= min_count} for f in features]
    vec = DictVectorizer(sort=True)
    matrix = vec.fit_transform(kept)
    clf = LogisticRegression(C=c, max_iter=5000)
    clf.fit(matrix, [CLASSES.index(label) for label in labels])
    names = list(vec.get_feature_names_out())
    coef = np.asarray(clf.coef_, dtype=np.float32)
    # Features whose three weights all round to nothing are dropped: a smaller file, the same model.
    keep = [j for j in range(len(names)) if float(np.abs(coef[:, j]).max()) >= 1e-4]
    return StanceModel(index={names[j]: i for i, j in enumerate(keep)}, coef=coef[:, keep],
                       intercept=np.asarray(clf.intercept_, dtype=np.float64))


def _raw(model: StanceModel, features: dict[str, float]) -> tuple[str, float]:
    return model.decide(model.probabilities(features))


def train_stance(folder: str | Path, *, output: str | Path | None = None, c: float = 0.3, min_count: int = 2,
                 folds: int = 5, progress: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Train the stance model on the training split of NewsMTSC in ``folder`` and save it
    (``output``, default the shipped ``data/models/stance.npz``). Returns the sidecar metadata."""
    say = progress or (lambda _m: None)
    targets = [t for t in read_newsmtsc(folder) if in_split(t, "train")]
    say(f"{len(targets)} training targets from {len({t.key for t in targets})} articles; parsing")
    feats = featurize(targets, progress=say)
    rows = [(t, f) for t, f in zip(targets, feats, strict=True) if f is not None]
    # Out-of-fold predictions (folds by article) for the calibration.
    raw: list[float] = [0.0] * len(rows)
    polar: list[bool] = [False] * len(rows)
    right: list[bool] = [False] * len(rows)
    for k in range(folds):
        train = [i for i, (t, _f) in enumerate(rows) if _fold(t.key, folds) != k]
        test = [i for i, (t, _f) in enumerate(rows) if _fold(t.key, folds) == k]
        model = _fit([rows[i][1] for i in train], [rows[i][0].label for i in train], c=c, min_count=min_count)
        for i in test:
            label, score = _raw(model, rows[i][1])
            raw[i], polar[i], right[i] = score, label != "neutral", label == rows[i][0].label
        say(f"fold {k + 1}/{folds}: {sum(right[i] for i in test) / max(1, len(test)):.3f} accuracy out of fold")
    # Separate calibrations for polar and neutral calls: the same probability is not equally
    # reliable for both.
    calibration = Calibration.fit([r for r, p in zip(raw, polar, strict=True) if p],
                                  [ok for ok, p in zip(right, polar, strict=True) if p])
    neutral_calibration = Calibration.fit([r for r, p in zip(raw, polar, strict=True) if not p],
                                          [ok for ok, p in zip(right, polar, strict=True) if not p])
    model = _fit([f for _t, f in rows], [t.label for t, _f in rows], c=c, min_count=min_count)
    meta = {
        "data": "NewsMTSC train.jsonl (Hamborg & Donnay, EACL 2021; MIT), training split only: "
                "in_training_split(article_key(primary_gid))",
        "targets": len(rows), "articles": len({t.key for t, _f in rows}), "c": c, "min_count": min_count,
        "features": len(model.index), "folds": folds, "seed": SEED,
        "sklearn": _sklearn_version(),
        "out_of_fold_accuracy": round(sum(right) / max(1, len(right)), 4),
    }
    model = StanceModel(index=model.index, coef=model.coef, intercept=model.intercept, calibration=calibration,
                        neutral_calibration=neutral_calibration, meta=meta)
    target = Path(output) if output else MODELS / "stance.npz"
    model.save(target)
    say(f"saved {target.with_suffix('.npz')} ({len(model.index)} features) and {target.with_suffix('.json')}")
    return meta


def _sklearn_version() -> str:
    import sklearn

    return str(sklearn.__version__)


@click.command("stance")
@click.argument("folder", type=click.Path(exists=True))
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None,
              help="Write the feature model here (FILE.npz and FILE.json) instead of the shipped one; the "
                   "encoder goes beside it (stance_encoder.onnx, .vocab, .json).")
@click.option("--c", "c", type=float, default=0.3, show_default=True, help="Inverse regularisation strength.")
@click.option("--encoder", "with_encoder", is_flag=True,
              help="Fine-tune the encoder too (needs the training extra: pip install -e '.[train]').")
@click.option("--epochs", type=click.IntRange(1), default=4, show_default=True, help="Encoder training epochs.")
def train_stance_command(folder: str, output: str | None, c: float, with_encoder: bool, epochs: int) -> None:
    """Rebuild the stance models from NewsMTSC (FOLDER with train.jsonl, or the file).

    Trains on the training split only (``in_training_split`` of each sentence's article), so
    ``narrascope eval stance FILE`` measures on sentences they never saw. The feature model
    takes a few minutes; ``--encoder`` also fine-tunes the encoder with torch (about an hour on
    two CPU cores). Deterministic on one machine.

    \b
    Example:
      narrascope train stance ../shared/data/newsmtsc
      narrascope train stance ../shared/data/newsmtsc --encoder
      narrascope train stance ../shared/data/newsmtsc/train.jsonl -o /tmp/stance.npz
    """
    say = lambda m: click.echo(m, err=True)  # noqa: E731
    meta = train_stance(folder, output=output, c=c, progress=say)
    click.echo(f"trained on {meta['targets']} targets ({meta['articles']} articles), {meta['features']} features; "
               f"out-of-fold accuracy {meta['out_of_fold_accuracy']:.3f}")
    if with_encoder:
        from .stance_encoder_train import train_encoder

        target = Path(output).with_name("stance_encoder.onnx") if output else None
        info = train_encoder(folder, output=target, epochs=epochs, progress=say)
        click.echo(f"encoder: accuracy {info['calibration_accuracy']:.3f} on the calibration part of the training split")
