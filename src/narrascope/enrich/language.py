"""The ``language`` stage: ISO 639-1 language of the body, and the acceptance gate (NS203)."""

from __future__ import annotations

from typing import Any

import py3langid

from ..errors import ExtractionError
from ..model import Article
from ..plugins import hookimpl
from ..settings import Settings


def detect_language(text: str) -> str:
    """ISO 639-1 code of ``text`` (py3langid's model ships inside the package: no download)."""
    code, _score = py3langid.classify(text[:5000])
    return str(code)


class LanguageStage:
    name = "language"
    version = "1"
    requires = ("text",)
    sets = ("language",)

    def compute(self, article: Article, settings: Settings) -> dict[str, Any]:
        language = detect_language(article.title + "\n" + article.text)
        accepted = settings.language.accept
        if accepted and language not in accepted:
            raise ExtractionError(
                f"article language is {language!r}; accepted: {', '.join(accepted)} (language.accept)",
                code="NS203",
                stage=self.name,
            )
        return {"language": language}


@hookimpl
def narrascope_stages() -> list[LanguageStage]:
    return [LanguageStage()]
