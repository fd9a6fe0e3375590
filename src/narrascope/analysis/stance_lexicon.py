"""The valence lexicon shared by the stance rules (``stance``) and the stance model's features
(``stance_model``), in a module of its own so neither imports the other for it."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

__all__ = ["lexicon"]


@lru_cache(maxsize=1)
def lexicon() -> dict[str, float]:
    """Word -> valence in [-4, 4]: VADER's lexicon with our domain additions on top (features of
    the stance model: the valence of the words attached to a mention)."""
    import vaderSentiment

    words: dict[str, float] = {}
    vader = resources.files(vaderSentiment).joinpath("vader_lexicon.txt").read_text(encoding="utf-8")
    for line in vader.splitlines():
        parts = line.split("\t")
        if len(parts) >= 2:
            words[parts[0]] = float(parts[1])
    ours = resources.files("narrascope").joinpath("data/stance_lexicon.tsv").read_text(encoding="utf-8")
    for line in ours.splitlines():
        if line.strip() and not line.startswith("#"):
            word, value = line.split("\t")
            words[word] = float(value)
    return words
