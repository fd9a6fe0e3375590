"""The torch side of narrascope's small encoders (training time only): a BERT layer and the loading
of all-MiniLM-L6-v2's weights into it. The stance encoder and the technique tagger share them."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

__all__ = ["HEADS", "HIDDEN", "INTER", "copy_embeddings", "copy_layers", "layer", "optimise"]

HIDDEN, HEADS, INTER = 384, 12, 1536


def layer() -> Any:
    """A new BERT layer (post-norm, GELU) of all-MiniLM-L6-v2's size."""
    import torch
    from torch import nn

    class Layer(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.q, self.k, self.v, self.o = (nn.Linear(HIDDEN, HIDDEN) for _ in range(4))
            self.ln1, self.ln2 = nn.LayerNorm(HIDDEN, eps=1e-12), nn.LayerNorm(HIDDEN, eps=1e-12)
            self.up, self.down = nn.Linear(HIDDEN, INTER), nn.Linear(INTER, HIDDEN)
            self.drop = nn.Dropout(0.1)

        def forward(self, x: Any, bias: Any) -> Any:
            b, t, _ = x.shape

            def heads(y: Any) -> Any:
                return y.view(b, t, HEADS, HIDDEN // HEADS).transpose(1, 2)

            att = heads(self.q(x)) @ heads(self.k(x)).transpose(-1, -2) / math.sqrt(HIDDEN // HEADS) + bias
            ctx = (self.drop(att.softmax(-1)) @ heads(self.v(x))).transpose(1, 2).reshape(b, t, HIDDEN)
            x = self.ln1(x + self.drop(self.o(ctx)))
            return self.ln2(x + self.drop(self.down(torch.nn.functional.gelu(self.up(x)))))

    return Layer()


def copy_embeddings(net: Any, t: dict[str, Any], positions: int) -> None:
    """Position and type embeddings and the embedding LayerNorm of the base model into ``net``
    (attributes ``positions``, ``types``, ``ln``); ``t`` maps tensor names to torch tensors."""
    net.positions.weight.copy_(t["embeddings.position_embeddings.weight"][:positions])
    net.types.weight.copy_(t["embeddings.token_type_embeddings.weight"])
    net.ln.weight.copy_(t["embeddings.LayerNorm.weight"])
    net.ln.bias.copy_(t["embeddings.LayerNorm.bias"])


def copy_layers(layers: Iterable[Any], t: dict[str, Any]) -> None:
    """The base model's first layers (as many as ``layers`` holds) into ``layers`` (call under ``torch.no_grad()``)."""
    for i, lay in enumerate(layers):
        p = f"encoder.layer.{i}."
        for mine, theirs in (("q", "attention.self.query"), ("k", "attention.self.key"),
                             ("v", "attention.self.value"), ("o", "attention.output.dense"),
                             ("up", "intermediate.dense"), ("down", "output.dense")):
            getattr(lay, mine).weight.copy_(t[p + theirs + ".weight"])
            getattr(lay, mine).bias.copy_(t[p + theirs + ".bias"])
        for mine, theirs in (("ln1", "attention.output.LayerNorm"), ("ln2", "output.LayerNorm")):
            getattr(lay, mine).weight.copy_(t[p + theirs + ".weight"])
            getattr(lay, mine).bias.copy_(t[p + theirs + ".bias"])


def optimise(loss: Any, net: Any, opt: Any, sched: Any) -> None:
    """One optimiser step: backward, gradients clipped to norm 1, AdamW and the schedule."""
    import torch

    opt.zero_grad()
    loss.backward()
    torch.nn.utils.clip_grad_norm_(net.parameters(), 1.0)
    opt.step()
    sched.step()
