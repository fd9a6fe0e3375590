"""Train the persuasion-techniques model from a corpus in the PTC layout (``narrascope train techniques``).

Data: ``articles/article<ID>.txt`` and ``labels/article<ID>.labels`` (see ``narrascope.analysis.ptc``).
Only the articles of the fixed training split (``in_training_split``: md5 of the id, first byte
below 179, about 70%) are learnt from; the rest is held out and scored at the end, and those
held-out numbers go into the model's sidecar JSON. ``--all`` trains on every article (then no
honest numbers can be printed).

Two classifiers, both scikit-learn logistic regressions on CPU with a fixed random state:

- a **token tagger** for the short-span techniques (Loaded_Language, Name_Calling-Labeling,
  Repetition): one multinomial logistic regression over word, lemma, tag, shape, affix, neighbour,
  dependency, entity, in-quote and in-document-frequency features (``token_features``; features
  seen once are dropped); neighbouring tokens with the same label become one span;
- a **sentence classifier** for the sentence-long techniques: one-vs-rest logistic regressions on
  TF-IDF word 1-2-grams and character 2-5-grams of each sentence (``segments``); a sentence is
  positive for a technique when a gold span of it covers at least half of the sentence or half
  of the gold span lies in it.

Decision thresholds (one for the tagger, one per sentence technique) maximise span F1 plus
technique F1 (``narrascope eval techniques``) of 3-fold cross-validated predictions over the
training articles (folds by article), never held-out data.
"""

from __future__ import annotations

import datetime as _dt
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
import numpy as np

from ..errors import UsageError
from .ptc import ACCEPTED, PtcArticle, read_ptc
from .techniques import (
    MODEL_FORMAT,
    MODEL_PATH,
    TechniqueModel,
    load_model,
    segments,
    sentence_spans,
    token_features,
    token_spans,
)

if TYPE_CHECKING:
    from spacy.tokens import Doc

__all__ = ["TOKEN_TECHNIQUES", "train_techniques", "train_techniques_command"]

#: Techniques the token tagger learns, in priority order when gold spans of several cover a token.
TOKEN_TECHNIQUES = ("Name_Calling-Labeling", "Loaded_Language", "Repetition")
#: A sentence technique needs at least this many positive training sentences to be learnt.
MIN_SENTENCES = 8
RANDOM_STATE = 13
FOLDS = 3


def _token_data(docs: Sequence[Doc], articles: Sequence[PtcArticle],
                ) -> tuple[list[dict[str, Any]], list[str], list[int], list[list[int]]]:
    """Token features, labels and article numbers, and each article's tagged token indices."""
    feats: list[dict[str, Any]] = []
    labels: list[str] = []
    groups: list[int] = []
    tok_idx: list[list[int]] = []
    for n, (doc, article) in enumerate(zip(docs, articles, strict=True)):
        indices, f = token_features(doc)
        tok_idx.append(indices)
        by_char = ["O"] * len(doc.text)
        for name in reversed(TOKEN_TECHNIQUES):
            for s in article.spans:
                if s.name == name:
                    by_char[s.start:s.end] = [name] * (s.end - s.start)
        for i in indices:
            tok = doc[i]
            labels.append(by_char[tok.idx] if tok.idx < len(by_char) else "O")
        feats.extend(f)
        groups.extend([n] * len(indices))
    return feats, labels, groups, tok_idx


def _sentence_data(docs: Sequence[Doc], articles: Sequence[PtcArticle], names: Sequence[str] | None = None,
                   ) -> tuple[list[str], list[set[str]], list[int]]:
    texts: list[str] = []
    labels: list[set[str]] = []
    groups: list[int] = []
    for n, (doc, article) in enumerate(zip(docs, articles, strict=True)):
        for seg in segments(doc):
            a, b = seg.start_char, seg.end_char
            found = set()
            for s in article.spans:
                if s.name in TOKEN_TECHNIQUES or (names is not None and s.name not in names):
                    continue
                inter = min(b, s.end) - max(a, s.start)
                if inter > 0 and (inter * 2 >= (b - a) or inter * 2 >= (s.end - s.start)):
                    found.add(s.name)
            texts.append(seg.text)
            labels.append(found)
            groups.append(n)
    return texts, labels, groups


def _fit_tokens(feats: list[dict[str, Any]], labels: list[str]) -> tuple[Any, Any]:
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    vec = DictVectorizer(dtype=np.float32)
    x = vec.fit_transform(feats)
    seen = np.asarray((x > 0).sum(axis=0)).ravel()
    vec.restrict(seen >= 2)
    x = vec.transform(feats)
    clf = LogisticRegression(C=0.5, max_iter=300, random_state=RANDOM_STATE)
    clf.fit(x, labels)
    return vec, clf


def _sentence_vectorizer() -> Any:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import FeatureUnion

    return FeatureUnion([
        ("words", TfidfVectorizer(ngram_range=(1, 2), min_df=2, max_features=30000, sublinear_tf=True,
                                  lowercase=True, dtype=np.float32)),
        ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), min_df=3, max_features=40000,
                                  sublinear_tf=True, lowercase=True, dtype=np.float32)),
    ])


def _fit_sentences(texts: list[str], y: np.ndarray) -> tuple[Any, Any]:
    from sklearn.linear_model import LogisticRegression
    from sklearn.multiclass import OneVsRestClassifier

    vec = _sentence_vectorizer()
    x = vec.fit_transform(texts)
    for _, tfidf in vec.transformer_list:
        # The vocabulary is enough to transform; stop_words_ would keep every pruned n-gram (raw text).
        if hasattr(tfidf, "stop_words_"):
            del tfidf.stop_words_
    clf = OneVsRestClassifier(LogisticRegression(C=4.0, max_iter=500, class_weight="balanced",
                                                 random_state=RANDOM_STATE))
    clf.fit(x, y)
    return vec, clf


def _folds(groups: Sequence[int], n_groups: int) -> list[np.ndarray]:
    g = np.asarray(groups)
    return [np.isin(g, [k for k in range(n_groups) if k % FOLDS == f]) for f in range(FOLDS)]


def train_techniques(folder: str | Path, *, split: str = "train", limit: int | None = None,
                     progress: Callable[[str], None] | None = None, n_process: int = 1,
                     min_sentences: int = MIN_SENTENCES) -> tuple[TechniqueModel, list[PtcArticle], list[Doc]]:
    """Fit a ``TechniqueModel`` on the ``split`` articles of a PTC folder; also returns them and their Docs."""
    from sklearn.preprocessing import MultiLabelBinarizer

    from .nlp import load_nlp

    say = progress or (lambda _msg: None)
    articles = read_ptc(folder, split=split, limit=limit)
    say(f"parsing {len(articles)} articles")
    docs = list(load_nlp().pipe((a.text for a in articles), n_process=n_process, batch_size=8))

    say("token tagger")
    feats, tlabels, tgroups, tok_idx = _token_data(docs, articles)
    token_classes = sorted(set(tlabels))
    if len(token_classes) < 2 or "O" not in token_classes:
        raise UsageError("the training data has no Loaded_Language, Name_Calling or Repetition span")
    # Cross-validated token probabilities (grouped by article), in the order of token_classes.
    folds = _folds(tgroups, len(articles))
    p_tok = np.zeros((len(tlabels), len(token_classes)))
    for k, test in enumerate(folds):
        say(f"token tagger, fold {k + 1}/{FOLDS}")
        train_idx = np.flatnonzero(~test)
        if len({tlabels[i] for i in train_idx}) < 2 or not test.any():
            continue
        vec, clf = _fit_tokens([feats[i] for i in train_idx], [tlabels[i] for i in train_idx])
        probs = clf.predict_proba(vec.transform([feats[i] for i in np.flatnonzero(test)]))
        cols = [token_classes.index(c) for c in clf.classes_]
        p_tok[np.ix_(test, np.asarray(cols, dtype=np.intp))] = probs
    say("token tagger, final fit")
    token_vec, token_clf = _fit_tokens(feats, tlabels)

    say("sentence classifier")
    texts, slabels, sgroups = _sentence_data(docs, articles)
    counts: dict[str, int] = {}
    for labs in slabels:
        for name in labs:
            counts[name] = counts.get(name, 0) + 1
    names = sorted(n for n, c in counts.items() if min_sentences <= c < len(texts))
    if not names:
        raise UsageError(f"no sentence-long technique has {min_sentences} training sentences")
    mlb = MultiLabelBinarizer(classes=names)
    y = mlb.fit_transform([labs & set(names) for labs in slabels]).astype(bool)
    folds = _folds(sgroups, len(articles))
    p = np.zeros(y.shape, dtype=float)
    for k, test in enumerate(folds):
        say(f"sentence classifier, fold {k + 1}/{FOLDS}")
        if not test.any() or (~test).sum() == 0:
            continue
        ytrain = y[~test]
        keep = ytrain.any(axis=0) & ~ytrain.all(axis=0)
        if not keep.any():
            continue
        vec, clf = _fit_sentences([texts[i] for i in np.flatnonzero(~test)], ytrain[:, keep])
        p[np.ix_(test, keep)] = clf.predict_proba(vec.transform([texts[i] for i in np.flatnonzero(test)]))
    say("sentence classifier, final fit")
    sent_vec, sent_clf = _fit_sentences(texts, y)

    say("thresholds")
    token_threshold, thresholds = _tune(docs, articles, tok_idx, np.asarray(tgroups), p_tok, token_classes,
                                        np.asarray(sgroups), p, names)
    _shrink(token_clf)
    for est in sent_clf.estimators_:
        _shrink(est)

    import sklearn

    meta = {
        "format": MODEL_FORMAT,
        "trained_on": str(folder),
        "split": split,
        "split_rule": "PTC article id: md5(id)[0] < 179 -> train (about 70%), else held out",
        "articles": len(articles),
        "gold_spans": sum(len(a.spans) for a in articles),
        "sklearn": sklearn.__version__,
        "date": _dt.date.today().isoformat(),
        "token_techniques": [n for n in token_clf.classes_ if n != "O"],
        "token_threshold": token_threshold,
        "sentence_techniques": names,
        "sentence_thresholds": thresholds,
        "random_state": RANDOM_STATE,
    }
    model = TechniqueModel(token_vec, token_clf, list(token_clf.classes_), token_threshold, sent_vec, sent_clf,
                           names, thresholds, meta)
    return model, articles, docs


def _tune(docs: Sequence[Doc], articles: Sequence[PtcArticle], tok_idx: Sequence[list[int]], tgroups: np.ndarray,
          p_tok: np.ndarray, token_classes: list[str], sgroups: np.ndarray, p_sent: np.ndarray, names: list[str],
          ) -> tuple[float, dict[str, float]]:
    """The token threshold and the sentence thresholds that maximise span F1 plus technique F1 (the
    evaluation's two numbers) of cross-validated predictions on the training articles: a grid over
    the token threshold with one shared sentence threshold, then two rounds of coordinate ascent over
    each sentence technique's own threshold (1.01 switches a technique off)."""

    token_grid = [round(float(t), 3) for t in np.arange(0.1, 0.751, 0.05)]
    sent_grid = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.01]
    segs = [segments(doc) for doc in docs]
    gold = [[(s.start, s.end, s.name) for s in a.spans] for a in articles]
    tok_rows = [p_tok[tgroups == n] for n in range(len(docs))]
    sent_rows = [p_sent[sgroups == n] for n in range(len(docs))]
    def summary(n: int, spans: list[dict[str, Any]]) -> tuple[int, int, int, int, int]:
        """What a set of predicted spans contributes to the counts of article n: predicted,
        predicted matched, predicted with an accepted name, and bitmasks of the gold spans matched
        and matched with an accepted name (so that unions of span sets cost one OR)."""
        matched = ok = gold_mask = gold_ok = 0
        for s in spans:
            hit = False
            good = False
            for k, g in enumerate(gold[n]):
                if s["start"] < g[1] and g[0] < s["end"]:
                    hit = True
                    gold_mask |= 1 << k
                    if s["name"] in ACCEPTED.get(g[2], (g[2],)):
                        good = True
                        gold_ok |= 1 << k
            matched += hit
            ok += good
        return len(spans), matched, ok, gold_mask, gold_ok

    by_t = {t: [summary(n, token_spans(doc, tok_idx[n], tok_rows[n], token_classes, t)) for n, doc in enumerate(docs)]
            for t in token_grid}
    by_class = {}
    for j, name in enumerate(names):
        for g in sent_grid:
            by_class[name, g] = [summary(n, sentence_spans(doc, segs[n], sent_rows[n][:, [j]], [name], {name: g}))
                                 for n, doc in enumerate(docs)]
    n_gold = sum(len(g) for g in gold)

    def objective(t: float, thr: dict[str, float]) -> float:
        pred = pred_matched = pred_ok = gold_matched = gold_ok = 0
        parts = [by_t[t]] + [by_class[name, g] for name, g in thr.items()]
        for n in range(len(docs)):
            mask = ok_mask = 0
            for part in parts:
                c = part[n]
                pred += c[0]
                pred_matched += c[1]
                pred_ok += c[2]
                mask |= c[3]
                ok_mask |= c[4]
            gold_matched += mask.bit_count()
            gold_ok += ok_mask.bit_count()
        return _f1(pred_matched, pred, gold_matched, n_gold) + _f1(pred_ok, pred_matched, gold_ok, gold_matched)

    best_score, best_t, best_thr = -1.0, 0.5, {name: 0.5 for name in names}
    for t in token_grid:
        for g in sent_grid:
            thr = {name: g for name in names}
            score = objective(t, thr)
            if score > best_score:
                best_score, best_t, best_thr = score, t, thr
    for _round in range(2):
        for name in names:
            for g in sent_grid:
                thr = best_thr | {name: g}
                score = objective(best_t, thr)
                if score > best_score:
                    best_score, best_thr = score, thr
    return best_t, best_thr


def _f1(tp_p: int, n_p: int, tp_r: int, n_r: int) -> float:
    p = tp_p / n_p if n_p else 0.0
    r = tp_r / n_r if n_r else 0.0
    return 2 * p * r / (p + r) if p + r else 0.0


def _shrink(clf: Any) -> None:
    """Store weights as float32: half the file, the same decisions."""
    clf.coef_ = clf.coef_.astype(np.float32)
    clf.intercept_ = clf.intercept_.astype(np.float32)


def save_model(model: TechniqueModel, path: str | Path, *, metrics: dict[str, Any] | None = None) -> Path:
    """Write the model (joblib, compress=3) and its sidecar JSON beside it."""
    import joblib

    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    if metrics is not None:
        model.meta["heldout_metrics"] = metrics
    joblib.dump(model, target, compress=3)
    card = dict(model.meta)
    card["file"] = target.name
    card["size_bytes"] = target.stat().st_size
    target.with_suffix(".json").write_text(json.dumps(card, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    load_model.cache_clear()
    return target


@click.command("techniques")
@click.argument("folder", type=click.Path(exists=True, file_okay=False))
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None,
              help=f"Where to write the model (default: the shipped model file, {MODEL_PATH.name}).")
@click.option("--all", "all_articles", is_flag=True,
              help="Train on every article instead of the fixed training split (no held-out scores then).")
@click.option("--limit", type=click.IntRange(1), default=None, help="Only the first N articles of the split.")
@click.option("--jobs", "-j", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Processes for spaCy parsing.")
@click.option("--json", "as_json", is_flag=True, help="Print the model card (with held-out metrics) as JSON.")
def train_techniques_command(folder: str, output: str | None, all_articles: bool, limit: int | None, jobs: int,
                             as_json: bool) -> None:
    """Train the persuasion-techniques model on a corpus in the PTC layout.

    FOLDER holds articles/article<ID>.txt and labels/article<ID>.labels. The model learns from
    the fixed training split (md5 of the article id, about 70%) and is scored on the held-out
    rest, with the span and technique F1 of `narrascope eval techniques`. Deterministic: the
    same data gives the same model. Use the new file with the analysis.techniques_model setting.

    \b
    Example:
      narrascope train techniques ../shared/data/ptc -o my-techniques.joblib
    """
    from ..evaluate.techniques import evaluate_techniques

    out = Path(output) if output else MODEL_PATH
    steps = _Steps(enabled=not as_json and sys.stderr.isatty())
    model, _articles, _docs = train_techniques(folder, split="all" if all_articles else "train", limit=limit,
                                               progress=steps, n_process=jobs)
    metrics = None
    if not all_articles:
        steps("scoring the held-out split")
        save_model(model, out)
        heldout = read_ptc(folder, split="heldout")
        if heldout:
            report = evaluate_techniques(folder, articles=heldout, model_path=str(out), min_score=0.5)
            d = report.to_dict()
            metrics = {"split": "heldout", "articles": d["articles"], "gold_spans": d["gold_spans"],
                       "span": d["span"], "technique": d["technique"], "with_rules": True,
                       "per_technique": {k: {m: v[m] for m in ("precision", "recall", "f1", "gold")}
                                         for k, v in d["per_technique"].items()}}
            no_rules = evaluate_techniques(folder, articles=heldout, model_path=str(out), min_score=0.5,
                                           rules=False).to_dict()
            metrics["model_only"] = {"span": no_rules["span"], "technique": no_rules["technique"]}
    save_model(model, out, metrics=metrics)
    steps.close()
    card = model.meta | {"file": str(out)}
    if as_json:
        click.echo(json.dumps(card, indent=2, ensure_ascii=False))
        return
    click.echo(f"wrote {out} ({out.stat().st_size // 1024} KiB), trained on {card['articles']} articles "
               f"({card['split']} split)")
    if metrics:
        s, t = metrics["span"], metrics["technique"]
        click.echo(f"held out ({metrics['articles']} articles, {metrics['gold_spans']} gold spans, score >= 0.5):")
        click.echo(f"  spans (any overlap, any label)  P {s['precision']:.3f}  R {s['recall']:.3f}  F1 {s['f1']:.3f}")
        click.echo(f"  technique on matched spans      P {t['precision']:.3f}  R {t['recall']:.3f}  F1 {t['f1']:.3f}")


class _Steps:
    """A progress bar over the training steps (parse, folds, final fits, scoring)."""

    TOTAL = 2 + 2 * (FOLDS + 1) + 2

    def __init__(self, *, enabled: bool) -> None:
        self.bar: Any = None
        if enabled:
            from tqdm import tqdm

            self.bar = tqdm(total=self.TOTAL, desc="train", unit="step", file=sys.stderr, leave=False,
                            dynamic_ncols=True)

    def __call__(self, message: str) -> None:
        if self.bar is not None:
            self.bar.set_postfix_str(message, refresh=False)
            self.bar.update(1)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


