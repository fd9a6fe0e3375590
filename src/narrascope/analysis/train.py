"""Train the persuasion-techniques model and its confidence from a corpus in the PTC layout
(``narrascope train techniques``).

Data: ``articles/article<ID>.txt`` and ``labels/article<ID>.labels`` (see ``narrascope.analysis.ptc``).
Only the articles of the fixed training split (``in_training_split``: md5 of the id, first byte
below 179, about 70%) are learnt from; the rest is held out and scored at the end, and those
held-out numbers go into the model's sidecar JSON. ``--all`` trains on every article (then no
honest numbers can be printed).

Two classifiers, both scikit-learn logistic regressions on CPU with a fixed random state:

- a **token tagger** for the short-span techniques (Loaded_Language, Name_Calling-Labeling,
  Repetition): one multinomial logistic regression over word, lemma, tag, shape, affix, neighbour,
  dependency, entity, in-quote and in-document-frequency features, how charged the word, its
  neighbours and its sentence are (VADER valences), an exclamation in the sentence, and the
  token's contextual vector from the parse (spaCy's ``doc.tensor``, standardised and shrunk by
  ``TENSOR_WEIGHT``) (``token_rows``; string features seen once are dropped); neighbouring tokens
  with the same label become one span (Repetition is learnt but not emitted:
  ``narrascope.analysis.techniques.UNEMITTED``);
- a **sentence classifier** for the sentence-long techniques: one-vs-rest logistic regressions on
  TF-IDF word 1-2-grams and character 2-5-grams of each sentence (``segments``); a sentence is
  positive for a technique when a gold span of it covers at least half of the sentence or half
  of the gold span lies in it.

Then the **confidence model**: the training articles are cut into ``FOLDS`` folds (by article);
for each, both classifiers are fitted on the other folds and predict its candidates, so every
training candidate has an out-of-fold probability. With the rules' candidates, cleaned as at
prediction time, each is judged against gold (right when it overlaps a gold span of a technique
that accepts its name) and a ``ConfidenceModel`` over readable features
(``narrascope.analysis.techniques.span_features``) is fitted on them, then fitted again on the
spans that survive the choice of fewer, stronger spans (what the record shows). It is written
beside the model as ``<stem>.confidence.json``. Held-out data is never used.
"""

from __future__ import annotations

import datetime as _dt
import json
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import UsageError
from .confidence import Calibration, ConfidenceModel
from .ptc import ACCEPTED, PTC_NAMES, PtcArticle, PtcSpan, fold_of, read_ptc
from .techniques import (
    CALIBRATION_PROXY,
    FIELD,
    MODEL_FORMAT,
    NUMERIC,
    TENSOR_WIDTH,
    UNEMITTED,
    TechniqueModel,
    clean_spans,
    confidence_path,
    gated,
    load_model,
    segments,
    span_features,
    starting_in,
    strongest,
    token_matrix,
    token_rows,
)

if TYPE_CHECKING:
    from spacy.tokens import Doc

__all__ = ["TOKEN_TECHNIQUES", "fit_techniques", "judge", "save_model", "train_techniques"]

#: Techniques the token tagger learns, in priority order when gold spans of several cover a token.
TOKEN_TECHNIQUES = ("Name_Calling-Labeling", "Loaded_Language", "Repetition")
#: A sentence technique needs at least this many positive training sentences to be learnt.
MIN_SENTENCES = 8
RANDOM_STATE = 13
#: How much the contextual vector weighs against the word features (its columns' scale after standardising).
TENSOR_WEIGHT = 0.3
#: Folds of the out-of-fold candidates the confidence model learns from.
FOLDS = 3


def judge(span: dict[str, Any], gold: Sequence[PtcSpan]) -> bool | None:
    """Whether a predicted span is right against PTC gold: it overlaps a gold span whose technique
    accepts its name (``ACCEPTED``; for a technique PTC lacks, its ``CALIBRATION_PROXY``). None when
    PTC can hold neither the name nor a proxy of it (the span is not judged)."""
    name = span["name"]
    proxy = CALIBRATION_PROXY.get(name, frozenset())
    if name not in PTC_NAMES and not proxy:
        return None
    for g in gold:
        if span["start"] < g.end and g.start < span["end"] and (
                name in ACCEPTED.get(g.name, frozenset({g.name})) or g.name in proxy):
            return True
    return False


def _token_data(docs: Sequence[Doc], articles: Sequence[PtcArticle],
                ) -> tuple[list[list[str]], np.ndarray, list[str], list[int]]:
    """Token string features, numeric features, labels and article numbers."""
    feats: list[list[str]] = []
    dense: list[np.ndarray] = []
    labels: list[str] = []
    groups: list[int] = []
    for n, (doc, article) in enumerate(zip(docs, articles, strict=True)):
        indices, f, d = token_rows(doc)
        by_char = ["O"] * len(doc.text)
        for name in reversed(TOKEN_TECHNIQUES):
            for s in article.spans:
                if s.name == name:
                    by_char[s.start:s.end] = [name] * (s.end - s.start)
        for i in indices:
            tok = doc[i]
            labels.append(by_char[tok.idx] if tok.idx < len(by_char) else "O")
        feats.extend(f)
        dense.append(d)
        groups.extend([n] * len(indices))
    width = len(NUMERIC) + TENSOR_WIDTH
    return feats, (np.vstack(dense) if dense else np.zeros((0, width), dtype=np.float32)), labels, groups


def _sentence_data(docs: Sequence[Doc], articles: Sequence[PtcArticle],
                   ) -> tuple[list[str], list[set[str]], list[int]]:
    texts: list[str] = []
    labels: list[set[str]] = []
    groups: list[int] = []
    for n, (doc, article) in enumerate(zip(docs, articles, strict=True)):
        for seg in segments(doc):
            a, b = seg.start_char, seg.end_char
            found = set()
            for s in article.spans:
                if s.name in TOKEN_TECHNIQUES:
                    continue
                inter = min(b, s.end) - max(a, s.start)
                if inter > 0 and (inter * 2 >= (b - a) or inter * 2 >= (s.end - s.start)):
                    found.add(s.name)
            texts.append(seg.text)
            labels.append(found)
            groups.append(n)
    return texts, labels, groups


def _fit_tokens(feats: Sequence[Sequence[str]], dense: np.ndarray, labels: Sequence[str],
                ) -> tuple[dict[str, int], np.ndarray, Any]:
    """The token tagger: a vocabulary of the string features seen at least twice, the scale of the
    numeric columns (the valences as they are; the contextual vector standardised, then shrunk by
    ``TENSOR_WEIGHT`` so that it nudges rather than drowns the words) and the logistic regression."""
    from collections import Counter

    from sklearn.linear_model import LogisticRegression

    seen = Counter(f for row in feats for f in set(row))
    vocab = {f: k for k, f in enumerate(sorted(f for f, c in seen.items() if c >= 2))}
    mean = np.zeros(dense.shape[1], dtype=np.float32)
    scale = np.ones(dense.shape[1], dtype=np.float32)
    if len(dense):
        mean[len(NUMERIC):] = dense[:, len(NUMERIC):].mean(axis=0)
        scale[len(NUMERIC):] = (dense[:, len(NUMERIC):].std(axis=0) + 1e-6) / TENSOR_WEIGHT
    numeric_scale = np.vstack([mean, scale])
    x = token_matrix(vocab, numeric_scale, feats, dense)
    clf = LogisticRegression(C=0.5, max_iter=300, random_state=RANDOM_STATE)
    clf.fit(x, labels)
    _shrink(clf)
    return vocab, numeric_scale, clf


def _sentence_vectorizer() -> Any:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import FeatureUnion

    return FeatureUnion([
        ("words", TfidfVectorizer(ngram_range=(1, 2), min_df=2, max_features=30000, sublinear_tf=True,
                                  lowercase=True, dtype=np.float32)),
        ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), min_df=3, max_features=40000,
                                  sublinear_tf=True, lowercase=True, dtype=np.float32)),
    ])


def _fit_sentences(texts: Sequence[str], y: np.ndarray) -> tuple[Any, Any]:
    from sklearn.linear_model import LogisticRegression
    from sklearn.multiclass import OneVsRestClassifier

    vec = _sentence_vectorizer()
    x = vec.fit_transform(texts)
    for _, tfidf in vec.transformer_list:
        # The vocabulary is enough to transform; stop_words_ would keep every pruned n-gram (raw text).
        if hasattr(tfidf, "stop_words_"):
            del tfidf.stop_words_
        # scikit-learn caches id(stop_words), a memory address, to skip a check it redoes without it:
        # kept, it would make every saved model differ from the last by a few bytes.
        if hasattr(tfidf, "_stop_words_id"):
            del tfidf._stop_words_id
    clf = OneVsRestClassifier(LogisticRegression(C=4.0, max_iter=500, class_weight="balanced",
                                                 random_state=RANDOM_STATE))
    clf.fit(x, y)
    for est in clf.estimators_:
        _shrink(est)
    return vec, clf


def _shrink(clf: Any) -> None:
    """Store weights as float32: half the file, the same decisions."""
    clf.coef_ = clf.coef_.astype(np.float32)
    clf.intercept_ = clf.intercept_.astype(np.float32)


def _fit_classifiers(feats: Sequence[Sequence[str]], dense: np.ndarray, tlabels: Sequence[str], texts: Sequence[str],
                     y: np.ndarray, names: Sequence[str], meta: dict[str, Any]) -> TechniqueModel:
    """Both classifiers on the given rows (sentence techniques without a positive and a negative row left out)."""
    if len(set(tlabels)) < 2 or "O" not in tlabels:
        raise UsageError("the training data has no Loaded_Language, Name_Calling or Repetition span")
    vocab, numeric_scale, token_clf = _fit_tokens(feats, dense, tlabels)
    usable = y.any(axis=0) & ~y.all(axis=0)
    if not usable.any():
        raise UsageError("no sentence-long technique has both positive and negative training sentences")
    sent_vec, sent_clf = _fit_sentences(texts, y[:, usable])
    kept = np.flatnonzero(usable).tolist()
    learnt = [names[k] for k in kept]
    return TechniqueModel(vocab, numeric_scale, token_clf, [str(c) for c in token_clf.classes_], sent_vec,
                          sent_clf, learnt, meta)


def fit_techniques(docs: Sequence[Doc], articles: Sequence[PtcArticle], *,
                   progress: Callable[[str], None] | None = None, min_sentences: int = MIN_SENTENCES,
                   folds: int = FOLDS, meta: dict[str, Any] | None = None,
                   encoder: str = "", encoder_oof: dict[str, list[dict[str, Any]]] | None = None) -> TechniqueModel:
    """A ``TechniqueModel`` with its confidence model, fitted on ``articles`` (parsed as ``docs``).

    With ``encoder`` (the technique tagger's file name, beside the model) the model runs that tagger
    too, and ``encoder_oof`` (article id -> the tagger's out-of-fold candidates: each from a tagger
    trained without that article) joins the candidates the confidence model is fitted on. An
    article without out-of-fold candidates (one outside the tagger's training split, with
    ``--all``) is fitted as if the tagger had not run."""
    from sklearn.preprocessing import MultiLabelBinarizer

    say = progress or (lambda _msg: None)
    feats, dense, tlabels, tgroups = _token_data(docs, articles)
    texts, slabels, sgroups = _sentence_data(docs, articles)
    counts: dict[str, int] = {}
    for labs in slabels:
        for name in labs:
            counts[name] = counts.get(name, 0) + 1
    names = sorted(n for n, c in counts.items() if min_sentences <= c < len(texts))
    if not names:
        raise UsageError(f"no sentence-long technique has {min_sentences} training sentences")
    y = MultiLabelBinarizer(classes=names).fit_transform([labs & set(names) for labs in slabels]).astype(bool)
    tg, sg = np.asarray(tgroups), np.asarray(sgroups)

    # Out-of-fold candidates of every training article, for the confidence model.
    fold = np.asarray([fold_of(a.id, folds, salt="calibration") for a in articles])
    oof: list[tuple[list[dict[str, Any]], float | None]] = [([], None)] * len(docs)
    for k in range(folds):
        held = np.flatnonzero(fold == k)
        if not len(held) or len(held) == len(docs):
            continue
        say(f"confidence, fold {k + 1}/{folds}")
        t_rows, s_rows = np.flatnonzero(fold[tg] != k), np.flatnonzero(fold[sg] != k)
        rest = y[s_rows]
        if len({tlabels[i] for i in t_rows}) < 2 or not (rest.any(axis=0) & ~rest.all(axis=0)).any():
            continue  # too little left to learn from (a tiny corpus): this fold adds only rule candidates
        part = _fit_classifiers([feats[i] for i in t_rows], dense[t_rows], [tlabels[i] for i in t_rows],
                                [texts[i] for i in s_rows], y[s_rows], names, {})
        for n in held.tolist():
            oof[n] = part.predict(docs[n])
    if encoder_oof is not None:
        oof = [([*spans, *(dict(c) for c in encoder_oof.get(a.id, []))], loaded)
               for (spans, loaded), a in zip(oof, articles, strict=True)]
    say("final fit")
    model = _fit_classifiers(feats, dense, tlabels, texts, y, names, {})
    model.encoder = encoder
    say("confidence model")
    model.confidence = fit_confidence(docs, articles, oof,
                                      tagged=frozenset(encoder_oof) if encoder_oof is not None else frozenset())
    import sklearn

    model.meta = {
        "format": MODEL_FORMAT,
        "articles": len(articles),
        "gold_spans": sum(len(a.spans) for a in articles),
        "sklearn": sklearn.__version__,
        "token_techniques": [n for n in model.token_labels if n != "O"],
        "token_techniques_emitted": [n for n in model.token_labels if n != "O" and n not in UNEMITTED],
        "token_candidate": model.token_candidate,
        "sentence_techniques": model.sentence_labels,
        "sentence_candidate": model.sentence_candidate,
        "random_state": RANDOM_STATE,
        "confidence_folds": folds,
        "confidence": dict(model.confidence.meta),
        "encoder": encoder,
    } | dict(meta or {})
    return model


def fit_confidence(docs: Sequence[Doc], articles: Sequence[PtcArticle],
                   model_candidates: Sequence[tuple[list[dict[str, Any]], float | None]], *,
                   tagged: frozenset[str] = frozenset()) -> ConfidenceModel:
    """The confidence model from out-of-fold model candidates and rule candidates (module docstring);
    ``tagged``: the ids of the articles whose candidates hold the technique tagger's."""
    from .technique_rules import PRIOR_FACTS, rule_kinds, rule_prior, rule_spans

    rows: list[tuple[int, dict[str, Any], dict[str, float], bool]] = []
    for n, (doc, article) in enumerate(zip(docs, articles, strict=True)):
        spans, loaded = model_candidates[n]
        text = doc.text
        segs = segments(doc)
        rules = rule_spans(doc, text=text, segs=segs)
        rest = [dict(s) for s in spans if s.get("source") != "model:encoder"]
        # The tagger's candidates where the pipeline runs it: sentences holding another candidate.
        ranges = gated(segs, rules + rest)
        by_tagger = starting_in([s for s in spans if s.get("source") == "model:encoder"], ranges)
        cands = clean_spans(text, rules + rest + by_tagger, doc)
        for s, f in zip(cands, span_features(cands, text, loaded=loaded, doc=doc, tagger_ran=article.id in tagged),
                        strict=True):
            ok = judge(s, article.spans)
            if ok is not None:
                rows.append((n, s, f, ok))
    if not rows:
        raise UsageError("no candidate span to fit the confidence model on")
    # Every rule kind starts from its prior: PRIOR_FACTS pseudo-facts at the prior's precision, in an
    # article of median loadedness (they take part in the fit, never in a measurement).
    loads = sorted(v for _s, v in model_candidates if v is not None)
    median = loads[len(loads) // 2] if loads else None
    for technique, kind in rule_kinds():
        features: dict[str, float] = {f"source=rule:{kind}": 1.0, f"source=rule:{kind}|technique={technique}": 1.0}
        if median is not None:
            features["article_loadedness"] = median
        right = round(PRIOR_FACTS * rule_prior(technique, kind))
        for k in range(PRIOR_FACTS):
            rows.append((-1, {"name": technique, "start": 0, "end": 0, "source": f"rule:{kind}"}, features,
                         k < right))

    def fit(chosen: Sequence[tuple[int, dict[str, Any], dict[str, float], bool]], note: str) -> ConfidenceModel:
        return _fit_with_priors(chosen, articles, meta={
            "fitted_on": note, "facts": sum(r[0] >= 0 for r in chosen),
            "correct": sum(r[3] for r in chosen if r[0] >= 0), "prior_facts_per_rule_kind": PRIOR_FACTS,
            "articles": len(articles), "correct_means": "overlaps a gold span of a technique accepting the name "
            "(PTC merges; CALIBRATION_PROXY for techniques PTC lacks)"})

    first = fit(rows, "out-of-fold candidates of the training articles")
    # Again on what survives the choice of fewer, stronger spans: the record shows those.
    for r in rows:
        r[1]["confidence"] = first(r[2])
    by_article: dict[int, list[tuple[int, dict[str, Any], dict[str, float], bool]]] = {}
    for r in rows:
        by_article.setdefault(r[0], []).append(r)
    survivors = list(by_article.pop(-1, []))
    for group in by_article.values():
        kept = {id(s) for s in strongest([r[1] for r in group])}
        survivors.extend(r for r in group if id(r[1]) in kept)
    return fit(survivors, "out-of-fold spans of the training articles that survive the choice of the strongest")


def _fit_with_priors(rows: Sequence[tuple[int, dict[str, Any], dict[str, float], bool]],
                     articles: Sequence[PtcArticle], *, meta: dict[str, Any], folds: int = 5) -> ConfidenceModel:
    """The regression on real and prior facts; its calibration on the real facts only, out of fold
    (folds by article), so that the pseudo-facts of the priors never count as evidence of calibration."""
    real = [r for r in rows if r[0] >= 0]
    prior = [r for r in rows if r[0] < 0]
    fold = {r[0]: fold_of(articles[r[0]].id, folds, salt="confidence") for r in real}

    def regression(chosen: Sequence[tuple[int, dict[str, Any], dict[str, float], bool]]) -> ConfidenceModel:
        return ConfidenceModel.fit(FIELD, [r[2] for r in chosen], [r[3] for r in chosen],
                                   groups=[str(r[0]) for r in chosen], folds=2, meta=meta)

    raw = [0.0] * len(real)
    for k in range(folds):
        train = [r for r in real if fold[r[0]] != k] + prior
        test = [i for i, r in enumerate(real) if fold[r[0]] == k]
        if not test or len({r[3] for r in train}) < 2:
            continue
        part = regression(train)
        for i in test:
            raw[i] = part.raw(real[i][2])
    final = regression(list(rows))
    return replace(final, calibration=Calibration.fit(raw, [r[3] for r in real]))


def train_techniques(folder: str | Path, *, split: str = "train", limit: int | None = None,
                     progress: Callable[[str], None] | None = None, n_process: int = 1,
                     min_sentences: int = MIN_SENTENCES, encoder: str | Path = "",
                     ) -> tuple[TechniqueModel, list[PtcArticle], list[Doc]]:
    """Fit a ``TechniqueModel`` on the ``split`` articles of a PTC folder; also returns them and their Docs.

    ``encoder``: the technique tagger file the model will run (it must lie beside the model file),
    with its out-of-fold candidates beside it (``technique_encoder_train.oof_path``); "" for none."""
    from .nlp import load_nlp
    from .technique_encoder_train import read_oof

    say = progress or (lambda _msg: None)
    articles = read_ptc(folder, split=split, limit=limit)
    say(f"parsing {len(articles)} articles")
    docs = list(load_nlp().pipe((a.text for a in articles), n_process=n_process, batch_size=8))
    meta = {"trained_on": str(folder), "split": split,
            "split_rule": "PTC article id: md5(id)[0] < 179 -> train (about 70%), else held out"}
    oof = read_oof(encoder) if encoder else None
    if encoder and oof is None:
        raise UsageError(f"{encoder} has no out-of-fold candidates beside it: train it with "
                         "`narrascope train techniques --encoder`")
    model = fit_techniques(docs, articles, progress=say, min_sentences=min_sentences, meta=meta,
                           encoder=Path(encoder).name if encoder else "", encoder_oof=oof)
    return model, articles, docs


def save_model(model: TechniqueModel, path: str | Path, *, metrics: dict[str, Any] | None = None) -> Path:
    """Write the model (joblib, compress=3), its confidence model (``<stem>.confidence.json``) and its
    card (``<stem>.json``) beside it."""
    import joblib

    from .confidence import load_confidence_model

    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    if model.confidence is None:
        raise UsageError("the model has no confidence model to save")
    if metrics is not None:
        model.meta["heldout_metrics"] = metrics
    confidence, model.confidence = model.confidence, None
    tagger, model.tagger = model.tagger, None
    try:
        joblib.dump(model, target, compress=3)
    finally:
        model.confidence, model.tagger = confidence, tagger
    confidence.save(confidence_path(target))
    card = dict(model.meta)
    # The day goes on the card only: the model file is the same whatever day it is rebuilt on.
    card["date"] = _dt.date.today().isoformat()
    card["file"] = target.name
    card["size_bytes"] = target.stat().st_size
    target.with_suffix(".json").write_text(json.dumps(card, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    load_model.cache_clear()
    load_confidence_model.cache_clear()
    return target


