"""Which analyses run in which language, and the word forms of names in inflected languages.

The English analysis parses with spaCy's English model (``analysis.nlp``); it never runs on a text
in another language. Other languages have what this module offers, and nothing more:

- ``STAGE_LANGUAGES``: per analysis stage, the languages it has a model or rules for. A stage
  asked to run on an article in another language does not run, and says so in the article's
  ``provenance["stages"]`` (see ``narrascope.enrich``).
- ``word_forms``/``phrase_forms``: every inflected form of a name written in the nominative
  ("Лавров" -> "Лаврова", "Лавровым"...; "Белый дом" -> "Белого дома"...), from pymorphy3's
  Russian and Ukrainian dictionaries (OpenCorpora and VESUM, shipped inside the PyPI packages
  ``pymorphy3-dicts-ru`` and ``pymorphy3-dicts-uk``: nothing is downloaded). Forms are generated from
  the knowledge base once, so an article is matched by plain look-ups: no morphological analysis
  of the article's words, and no lemma is guessed for a word the dictionaries do not know.
- ``words``: the words of a text with their offsets, a word being letters with inner hyphens or
  apostrophes ("аль-Асад", "Об'єднаних").

Why dictionaries and not a stemmer: a Snowball stem cuts "Лавров", "Лавра" (a monastery) and
"Лаврового" to one stem and "Кремль" and "Кремлёвская" to "кремл"; the dictionary's paradigm of
the surname "Лавров" holds none of the others, which keeps precision first.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

__all__ = ["INFLECTED", "INTL", "STAGE_LANGUAGES", "WORD", "normal", "phrase_forms", "stage_languages", "word_forms", "word_set",
           "words"]

#: The languages whose names are found through their inflected forms (pymorphy3 dictionaries).
INFLECTED = ("ru", "uk")
#: The languages other than English whose actors and quotes are read (``actors_intl``,
#: ``quotes_intl``): the knowledge base has their names (``names.tsv``) and the quotes their
#: speech verbs. Russian and Ukrainian names are declined; German, French and Spanish ones are
#: listed in every form.
INTL = (*INFLECTED, "de", "fr", "es")
#: Per analysis stage, the languages it runs on. English is the spaCy pipeline.
STAGE_LANGUAGES: dict[str, tuple[str, ...]] = {
    "actors": ("en", *INTL),
    "quotes": ("en", *INTL),
    "events": ("en",),
    "techniques": ("en",),
    "frames": ("en",),
    "stance": ("en",),
    "topics": ("en",),
}
#: The grammatical cases a name is declined in (pymorphy3's grammemes; vocative for Ukrainian).
CASES = ("nomn", "gent", "datv", "accs", "ablt", "loct", "voct")
CONSONANTS = frozenset("бвгджзклмнпрстфхцчшщ")
#: the singular endings of a masculine noun with a hard stem, for a name the dictionary lacks
HARD_STEM_ENDINGS = {"ru": ("а", "у", "ом", "е"), "uk": ("а", "у", "ові", "ом", "і", "е")}
WORD = re.compile(r"[^\W\d_]+(?:['’\-][^\W\d_]+)*")


def word_set(text: str) -> frozenset[str]:
    """The whitespace-separated words of a word list written in the source."""
    return frozenset(text.split())


def stage_languages(name: str) -> tuple[str, ...] | None:
    """The languages the analysis stage ``name`` runs on (None: any language)."""
    return STAGE_LANGUAGES.get(name)


def normal(word: str) -> str:
    """A word as forms are compared: lower case, "ё" as "е" (Russian prints both), the typographic
    apostrophe as the plain one. Keeps the length, so offsets hold."""
    return word.lower().replace("ё", "е").replace("’", "'")


def words(text: str) -> Iterator[tuple[int, int, str]]:
    """(start, end, word) for every word of ``text``."""
    for match in WORD.finditer(text):
        yield match.start(), match.end(), match.group()


@lru_cache(maxsize=4)
def analyzer(language: str) -> Any:
    """pymorphy3's analyser of ``language`` (ru or uk), loaded once."""
    import pymorphy3

    return pymorphy3.MorphAnalyzer(lang=language)


def _nominative_parses(word: str, language: str) -> list[Any]:
    """The dictionary's readings of ``word`` as a nominative, those whose lemma is the word itself first."""
    key = normal(word)
    parses = [p for p in analyzer(language).parse(word) if normal(p.word) == key and "nomn" in p.tag]
    return sorted(parses, key=lambda p: normal(p.normal_form) != key)


@lru_cache(maxsize=4096)
def word_forms(word: str, language: str) -> frozenset[str]:
    """Every form (``normal``) of the word ``word``, written in the nominative: the paradigms of
    its readings whose lemma is the word itself ("Лавров" the surname, not the plural of "лавр"),
    else the word alone (a name the dictionary does not know is matched as written)."""
    key = normal(word)
    forms = {key}
    if language not in INFLECTED:
        return frozenset(forms)
    for parse in _nominative_parses(word, language):
        if {"Surn", "Name", "Patr"} & parse.tag.grammemes:
            # a person's name: the forms of the reading's gender ("Захарова" is not "Захаров")
            gender = parse.tag.gender
            forms |= {normal(f.word) for f in parse.lexeme
                      if f.tag.gender in (gender, None) and (f.tag.number == parse.tag.number or gender is None)}
        elif normal(parse.normal_form) == key:
            forms |= {normal(f.word) for f in parse.lexeme}
    if forms == {key} and word[:1].isupper() and key[-1:] in CONSONANTS and not analyzer(language).word_is_known(word):
        # a foreign name the dictionary does not know ("Ын"): the endings of a masculine hard stem
        forms |= {key + ending for ending in HARD_STEM_ENDINGS[language]}
    return frozenset(forms)


def _forms_by_case(word: str, language: str) -> dict[str, set[str]]:
    """Case -> the forms of ``word`` (nominative) in that case, in its number (and, for a name,
    its gender): "Сергій" -> {"datv": {"сергію", "сергієві"}, ...}. Empty for an unknown word."""
    out: dict[str, set[str]] = {}
    for parse in _nominative_parses(word, language)[:1]:
        for form in parse.lexeme:
            tag, own = form.tag, parse.tag
            if tag.number != own.number or tag.case is None or tag.gender not in (own.gender, None) \
                    or tag.POS != own.POS or (tag.tense, tag.voice) != (own.tense, own.voice) or "Supr" in tag:
                continue
            out.setdefault(form.tag.case, set()).add(normal(form.word))
    return out


@lru_cache(maxsize=4096)
def phrase_forms(phrase: str, language: str) -> frozenset[tuple[str, ...]]:
    """Every declined form of the name ``phrase`` as a tuple of ``normal`` words: one word, its
    paradigm; several, each case with every word in that case ("Белого дома", "Сергію Лаврову",
    "Дональда Трампа") or with the last word alone declined ("Ким Чен Ына", as foreign names of
    several words decline)."""
    parts = [w for _s, _e, w in words(phrase)]
    if len(parts) == 1:
        return frozenset((form,) for form in word_forms(parts[0], language))
    head = tuple(normal(w) for w in parts[:-1])
    out = {(*head, last) for last in word_forms(parts[-1], language)}
    if language not in INFLECTED:
        return frozenset(out)
    by_case = [_forms_by_case(w, language) for w in parts]
    for case in CASES:
        options = [sorted(cases.get(case) or {normal(w)}) for w, cases in zip(parts, by_case, strict=True)]
        if any(case in cases for cases in by_case):
            out |= set(itertools.product(*options))
    return frozenset(out)
