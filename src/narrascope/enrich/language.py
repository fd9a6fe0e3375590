"""The ``language`` stage: ISO 639-1 language of the article, and the acceptance gate (NS203).

A language the input states (a JSONL ``language`` field, ``<html lang>``, ``og:locale``, JSON-LD
``inLanguage``: extraction passes it on with its rung in ``provenance``) is kept when it is a valid
ISO 639-1 code ("en-US" -> "en"); otherwise the language is detected from the title and text.
``provenance["language"]`` says which: ``stated`` or ``detected``.

A text with no letters has no language to detect (a classifier would still name one): it is
rejected, NS203, as is an article whose language ``language.accept`` does not list.
"""

from __future__ import annotations

import re
from typing import Any

import py3langid

from ..errors import ExtractionError
from ..model import Article
from ..plugins import hookimpl
from ..settings import Settings

__all__ = ["ISO_639_1", "LanguageStage", "detect_language", "iso_639_1"]

#: Every ISO 639-1 code.
ISO_639_1 = frozenset(re.findall(r"[a-z]{2}", """
aa ab ae af ak am an ar as av ay az ba be bg bi bm bn bo br bs ca ce ch co cr cs cu cv cy da de dv dz ee el
en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht hu hy hz ia id ie ig ii ik io is it
iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky la lb lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt
my na nb nd ne ng nl nn no nr nv ny oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl
sm sn so sq sr ss st su sv sw ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi yo
za zh zu
"""))
LANGUAGE_TAG = re.compile(r"^([A-Za-z]{2})(?:[-_][A-Za-z0-9]{1,8})*$")
LETTER = re.compile(r"[^\W\d_]")
#: ``provenance`` rungs that are not a statement of the input.
NOT_STATED = (None, "detected")


def iso_639_1(tag: str | None) -> str | None:
    """The ISO 639-1 code of a language tag ("en", "en-US", "EN_gb" -> "en"), or None if it is none."""
    match = LANGUAGE_TAG.match(tag.strip()) if tag else None
    code = match.group(1).lower() if match else None
    return code if code in ISO_639_1 else None


def detect_language(text: str) -> str | None:
    """ISO 639-1 code of ``text`` (py3langid's model ships inside the package: no download).

    None for a text without letters, where any answer would be noise.
    """
    sample = text[:5000]
    if not LETTER.search(sample):
        return None
    code, _score = py3langid.classify(sample)
    return str(code)


class LanguageStage:
    name = "language"
    version = "2"
    requires = ("text",)
    sets = ("language", "provenance")

    def compute(self, article: Article, settings: Settings) -> dict[str, Any]:
        stated = iso_639_1(article.language) if article.provenance.get("language") not in NOT_STATED else None
        language = stated or detect_language(article.title + "\n" + article.text)
        if language is None:
            raise ExtractionError("no language detected: the text has no letters", code="NS203", stage=self.name)
        accepted = settings.language.accept
        if accepted and language not in accepted:
            how = "stated" if stated else "detected"
            raise ExtractionError(
                f"article language is {language!r} ({how}); accepted: {', '.join(accepted)} (language.accept)",
                code="NS203",
                stage=self.name,
            )
        provenance = {**article.provenance, "language": "stated" if stated else "detected"}
        return {"language": language, "provenance": provenance}


@hookimpl
def narrascope_stages() -> list[LanguageStage]:
    return [LanguageStage()]
