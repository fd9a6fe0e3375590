"""The narrative model: hashed TF-IDF, streaming clustering, and split/merge per weekly window.

Pure computation on in-memory documents (no store), so the benchmark and the tests drive the
same code the ``narratives`` analysis runs. One run of ``NarrativeModel.add`` takes a list of
``Doc`` and:

1. counts document frequencies into a persisted hashed vector (``N_FEATURES`` buckets, crc32 of
   the token), so incremental runs never refit a vocabulary;
2. weighs each document (1 + log tf) x idf, L2-normalised, over lemma-ish word tokens (stop words
   dropped, a plural "s" cut), title words counted twice, and actor ids (``@RUS``) from the record;
   each language has its own tokens and features (see "Languages" below);
3. walks the documents in weekly windows, oldest first, in chunks of ``CHUNK`` documents: each
   document joins the most similar live narrative if cosine >= ``assign_threshold`` (centroids are
   truncated to their ``CENTROID_TERMS`` heaviest terms); the rest are clustered among themselves
   by leader clustering (join the first earlier seed of the chunk at cosine >= the threshold, or
   become a new narrative);
4. at the end of each window: a narrative that received >= ``SPLIT_MIN`` documents in the window
   is tested for a split by spherical 2-means on those documents (seeded by ``seed``); a mean
   cosine silhouette >= ``split_silhouette`` with both parts >= ``SPLIT_MIN_PART`` splits off the
   smaller part (the larger keeps the id) as a new narrative whose ``parent`` is the old one;
   narratives whose centroids now have cosine >= ``merge_threshold`` merge: the younger (higher
   id) is retired with ``merged_into`` the older, which takes its members (a narrative never
   merges back into the parent it split from).

Candidates (narratives of fewer than ``MIN_NARRATIVE_SIZE`` articles) that received no article
in the ``candidate_weeks`` weeks before a window are closed: they stay (ids, members and status
unchanged) but are no longer matched or merged. A corpus of unrelated articles makes one
candidate per article, so without this every article would be compared with every earlier one
(quadratic); with it, the centroids an article meets are those of the narratives plus the
candidates of the last few weeks. ``comparisons`` counts the (document, centroid) pairs scored.

An undated document (no ``published``: ``period`` and ``date`` are "") belongs to no window: the
undated documents of a run are clustered after its dated windows, against the narratives open
then, and counted apart (``meta["undated"]``, ``undated``), never in a series, the totals, a split
or a merge, and they never close a candidate.

The tunables (``seed``, ``assign_threshold``, ``merge_threshold``, ``split_silhouette``,
``candidate_weeks``) are the ``[narratives]`` settings, passed in (``NarrativeModel.from_settings``);
their defaults are those of ``settings.NarrativesSettings``, written nowhere else.

Languages. Each document is vectorised in the language of its record (``Doc.language``, ISO 639-1):

- tokens: words of letters; runs of a script written without spaces between words (Han, kana,
  Hangul, Thai) are cut into overlapping character bigrams, a lone character of such a run dropped;
- stop words: for English (and an article of no stated language) scikit-learn's list plus
  ``NEWS_STOP_WORDS``, unchanged; for another language spaCy's list for it when spaCy has one
  (``spacy.lang.<code>.stop_words``), and for Chinese and Japanese also the bigrams made of two
  function characters (or two hiragana, Japanese grammar); the rest is left to the idf;
- lemmas: the English plural "s" cut for English only; Russian words go to their dictionary form
  (pymorphy3: "Лаврова" and "Лавров" are one term); a language Snowball stems
  (``SNOWBALL``, PyStemmer) counts stems, read as the first form of each seen;
  other languages keep the word as written (lower-cased). So a label reads in the language of
  its narrative's articles;
- features: a term of a language other than English (or unstated) is hashed with its language
  ("ru:москва"), and so is an actor id ("@ru:RUS"). So articles of different languages share no
  feature and never join one narrative on shared names or actors; English features are those
  of before languages were told apart;
- idf: a term's is over the documents of its language (``language_docs``; English and unstated
  together), so a language with few articles does not take its common words for rare ones; with
  one language this is the idf over all documents, as before;
- translations: a document given the features of its translations (``bridge``: the other side of
  each ``reuse_pairs`` row of kind ``translation``) holds the words of both languages, so a
  translation and its original (and the articles like either) can join one narrative.

Everything is deterministic for a given seed and input order (documents are processed by
(period, key)); ids are integers handed out in creation order and never reused. So are the
labels: the readable term of a feature bucket is the first lemma (or actor name) the model's own
documents gave it (``NarrativeModel.terms``, filled by ``make_doc(..., terms=model.terms)``), never
something another corpus left in the process.
"""

from __future__ import annotations

import base64
import math
import re
import zlib
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

import numpy as np
from scipy import sparse

from ..analysis.languages import analyzer
from ..settings import NarrativesSettings

__all__ = ["ClaimChunk", "Doc", "NarrativeModel", "add_terms", "bridge", "claim_evidence", "claim_sentences",
           "language_key", "make_doc", "make_docs", "score_claims", "stop_words", "tokens", "week_of"]

N_FEATURES = 2**20
CHUNK = 2000
REINDEX_MIN = 500  # re-index the centroids once more than this many (or a quarter) changed
CENTROID_TERMS = 300
SPLIT_MIN = 6
SPLIT_MIN_PART = 3
SPLIT_ITERATIONS = 10
TITLE_WEIGHT = 2
ACTOR_WEIGHT = 2
MIN_NARRATIVE_SIZE = 3  # smaller clusters are kept as candidates
#: the [narratives] settings' defaults (their one definition is in settings.py)
DEFAULTS = NarrativesSettings()
EVIDENCE_SENTENCES = 3

NEWS_STOP_WORDS = frozenset({
    "said", "says", "say", "told", "tell", "also", "would", "could", "one", "two", "year", "years",
    "new", "like", "just", "according", "people", "time", "week", "day", "mr", "ms", "mrs", "percent",
    "including", "many", "much", "may", "might", "will", "shall", "get", "got", "make", "made",
})


#: the languages vectorised the English way (no language stated counts as English, as before)
ENGLISH = frozenset({"", "en"})
#: Chinese function characters: a bigram of two of them is grammar, not a term
ZH_FUNCTION_CHARS = frozenset("的了是在和有也这那就都而及与着或一个上为以被对将把等们之其于从到不没很还又但要会能可")
#: runs of scripts written without spaces between words: Han, hiragana, katakana, Hangul, Thai
UNSPACED = re.compile("[\u0e00-\u0e7f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]+")
HIRAGANA = re.compile("[\u3040-\u309f]+")


#: the news words of ``NEWS_STOP_WORDS`` in other languages (Russian as dictionary forms, since its
#: words are lemmatised; Ukrainian as written): saying, time, counting, people
NEWS_STOP_WORDS_BY_LANGUAGE = {
    "ru": frozenset({
        "сказать", "говорить", "заявить", "сообщить", "рассказать", "отметить", "также", "мочь", "один", "два",
        "год", "новый", "просто", "человек", "время", "неделя", "день", "господин", "процент", "включая",
        "много", "получить", "сделать", "стать", "являться", "первый", "последний", "который", "весь", "свой",
    }),
    "uk": frozenset({
        "сказав", "сказала", "заявив", "заявила", "повідомив", "повідомила", "також", "може", "можуть", "один",
        "одна", "два", "дві", "рік", "року", "році", "роки", "років", "новий", "нова", "нові", "людей", "люди",
        "час", "тиждень", "тижня", "день", "дня", "днів", "відсотків", "зокрема", "багато",
    }),
}


@lru_cache(maxsize=1)
def _english_stop_words() -> frozenset[str]:
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return frozenset(ENGLISH_STOP_WORDS) | NEWS_STOP_WORDS


@lru_cache(maxsize=64)
def stop_words(language: str = "") -> frozenset[str]:
    """The stop words of a language (ISO 639-1; "" and "en": English): scikit-learn's English list
    plus ours, or spaCy's list for the language (empty when spaCy has none). Imported on first use,
    since importing scikit-learn or spaCy costs most of a second and every command loads this module."""
    if language in ENGLISH:
        return _english_stop_words()
    import importlib
    import importlib.util

    module = f"spacy.lang.{language}.stop_words"
    if not re.fullmatch(r"[a-z]{2,3}", language) or importlib.util.find_spec(f"spacy.lang.{language}") is None:
        return NEWS_STOP_WORDS_BY_LANGUAGE.get(language, frozenset())
    words = getattr(importlib.import_module(module), "STOP_WORDS", ())
    return frozenset(word.lower() for word in words) | NEWS_STOP_WORDS_BY_LANGUAGE.get(language, frozenset())


def language_key(language: Any) -> str:
    """The language a document is vectorised in: the ISO 639-1 code of its record ("en-US" -> "en"),
    "" when none is stated (treated as English)."""
    if not isinstance(language, str):
        return ""
    code = language.strip().lower().replace("_", "-").split("-")[0]
    return code if re.fullmatch(r"[a-z]{2,3}", code) else ""


TOKEN = re.compile(r"[^\W\d_][^\W\d_'’-]*[^\W\d_]", re.UNICODE)
SENTENCE = re.compile(r"[^.!?\n]+(?:[.!?]+[\"'”’)]*|$)", re.UNICODE)
#: sentences of another language: also the full stops of CJK, Arabic and Devanagari
WORLD_SENTENCE = re.compile(r"[^.!?\n。！？؟।]+(?:[.!?。！？؟।]+[\"'”’)」』]*|$)", re.UNICODE)
QUESTION_MARKS = ("?", "？", "؟")


def tokens(text: str, language: str = "") -> list[str]:
    """The lower-cased word tokens of ``text``; in a language other than English (``language_key``),
    a run of an unspaced script (``UNSPACED``) gives its overlapping character bigrams instead (an
    English text gives ``TOKEN``'s words, as ever)."""
    lowered = text.lower()
    if language in ENGLISH or UNSPACED.search(lowered) is None:
        return TOKEN.findall(lowered)
    out: list[str] = []
    at = 0
    for match in UNSPACED.finditer(lowered):
        out.extend(TOKEN.findall(lowered[at:match.start()]))
        run = match.group()
        out.extend(run[i:i + 2] for i in range(len(run) - 1))
        at = match.end()
    out.extend(TOKEN.findall(lowered[at:]))
    return out
#: verbs of saying and asserting: a sentence with one of these (or a quote in it) is a claim.
CLAIM_VERBS = frozenset({
    "said", "says", "say", "claimed", "claims", "claim", "accused", "accuses", "announced", "announces",
    "warned", "warns", "argued", "argues", "insisted", "insists", "stated", "states", "reported",
    "reports", "denied", "denies", "alleged", "alleges", "told", "added", "believes", "believe",
    "declared", "declares", "confirmed", "confirms", "suggested", "suggests", "called", "calls",
    "blamed", "blames", "vowed", "vows", "threatened", "threatens", "demanded", "demands",
    "is", "are", "was", "were", "will", "has", "have", "had", "must", "should", "would",
})


def week_of(day: str) -> str:
    """The Monday of the ISO week holding ``day`` ("YYYY-MM-DD")."""
    d = date.fromisoformat(day[:10])
    return (d - timedelta(days=d.weekday())).isoformat()


#: (language, token) -> (bucket, lemma): a pure function of them, so caching it across runs changes
#: nothing (an English token is its own key)
_LEMMA_CACHE: dict[str, tuple[int, str] | None] = {}


def _english_lemma(token: str) -> str | None:
    stops = _english_stop_words()
    if len(token) < 3 or token in stops:
        return None
    if token.endswith("ies") and len(token) > 4:
        return token[:-3] + "y"
    if token.endswith("s") and len(token) > 3 and not token.endswith(("ss", "us", "is")):
        token = token[:-1]
    return token if token not in stops else None


#: ISO 639-1 code -> the Snowball stemmer of PyStemmer for it
SNOWBALL = {"ar": "arabic", "ca": "catalan", "cs": "czech", "da": "danish", "de": "german", "el": "greek",
            "es": "spanish", "et": "estonian", "eu": "basque", "fa": "persian", "fi": "finnish", "fr": "french",
            "ga": "irish", "hi": "hindi", "hu": "hungarian", "hy": "armenian", "id": "indonesian", "it": "italian",
            "lt": "lithuanian", "nb": "norwegian", "ne": "nepali", "nl": "dutch", "no": "norwegian", "pl": "polish",
            "pt": "portuguese", "ro": "romanian", "ru": "russian", "sr": "serbian", "sv": "swedish", "ta": "tamil",
            "tr": "turkish"}


@lru_cache(maxsize=64)
def _snowball(language: str) -> Callable[[str], str] | None:
    """The Snowball stemmer of a language (PyStemmer), or None when it has none."""
    if language not in SNOWBALL:
        return None
    import Stemmer

    stemmer: Callable[[str], str] = Stemmer.Stemmer(SNOWBALL[language]).stemWord
    return stemmer


def _lemma(token: str, language: str = "") -> str | None:
    """The term a lower-cased token counts as in ``language``, or None for a stop word or a fragment."""
    found = _term(token, language)
    return None if found is None else found[0]


def _term(token: str, language: str = "") -> tuple[str, str] | None:
    """(the term a lower-cased token counts as in ``language``, its readable form), or None for a
    stop word or a fragment. A stemmed word reads as the first form of it seen (the token)."""
    if language in ENGLISH:
        lemma = _english_lemma(token)
        return None if lemma is None else (lemma, lemma)
    stops = stop_words(language)
    if UNSPACED.match(token):   # a bigram of an unspaced script
        if len(token) < 2 or token in stops or HIRAGANA.fullmatch(token):
            return None
        if language in ("zh", "ja") and any(char in ZH_FUNCTION_CHARS for char in token):
            return None
        return token, token
    if len(token) < 3 or token in stops:
        return None
    morphology = analyzer("ru") if language == "ru" else None
    if morphology is not None:   # a dictionary form: readable as it is
        lemma = morphology.parse(token)[0].normal_form
        return None if lemma in stops else (lemma, lemma)
    stem = _snowball(language)
    return (stem(token), token) if stem is not None else (token, token)


def _english_bucket(token: str) -> tuple[int, str] | None:
    """``_bucket`` of an English token (the hot path: no language to look at)."""
    found = _LEMMA_CACHE.get(token, False)
    if found is not False:
        return found  # type: ignore[return-value]
    lemma = _english_lemma(token)
    value = None if lemma is None else (zlib.crc32(lemma.encode("utf-8")) % N_FEATURES, lemma)
    if len(_LEMMA_CACHE) < 2_000_000:
        _LEMMA_CACHE[token] = value
    return value


def _bucket_of(language: str) -> Callable[[str], tuple[int, str] | None]:
    """``_bucket`` for the tokens of one language."""
    if language in ENGLISH:
        return _english_bucket
    return lambda token: _bucket(token, language)


def _bucket(token: str, language: str = "") -> tuple[int, str] | None:
    """(feature bucket, lemma) of a lower-cased token in ``language``, or None for a stop word (cached).

    An English (or unstated-language) term is hashed alone, as it always was; another language's
    with its code, so two languages never share a feature."""
    if language in ENGLISH:
        return _english_bucket(token)
    key = f"{language}\x00{token}"
    found = _LEMMA_CACHE.get(key, False)
    if found is not False:
        return found  # type: ignore[return-value]
    counted = _term(token, language)
    value = None
    if counted is not None:
        term, readable = counted
        value = (zlib.crc32(f"{language}:{term}".encode()) % N_FEATURES, readable)
    if len(_LEMMA_CACHE) < 2_000_000:
        _LEMMA_CACHE[key] = value
    return value


def _actor_bucket(actor_id: str, language: str = "") -> int:
    name = "@" + actor_id if language in ENGLISH else f"@{language}:{actor_id}"
    return zlib.crc32(name.encode("utf-8")) % N_FEATURES


@dataclass(slots=True)
class Doc:
    """One article as the model sees it (slots: a full run holds one per article)."""

    key: int                     # articles.rowid (orders documents within a window)
    article: str                 # the article id
    period: str                  # Monday of the week ("YYYY-MM-DD"); "" when the article is undated
    features: np.ndarray         # feature buckets (unique; int32)
    weights: np.ndarray          # their term counts (title and actors weighted; float32, exact for counts)
    date: str = ""               # the day ("YYYY-MM-DD") the period comes from; "" when undated
    text: str = ""
    quotes: list[tuple[int, int]] = field(default_factory=list)  # quote spans, to find claims
    language: str = ""           # the language it is vectorised in (``language_key``; "": English)


def make_doc(key: int, article: str, day: str | None, *, title: str = "", text: str = "",
             actors: Iterable[dict[str, Any]] = (), quotes: Iterable[dict[str, Any]] = (),
             keep_text: bool = True, terms: dict[int, str] | None = None, language: str | None = None) -> Doc:
    """The model's view of an article dated ``day`` (None: undated); ``keep_text=False`` saves memory (no evidence).

    ``language`` is the record's (any tag, see ``language_key``; None: English). ``terms`` (the
    model's ``terms``, bucket -> readable term) gets the first lemma or actor name of each bucket it
    lacks, so the model can label its narratives (without it, no label has words).
    """
    lang = language_key(language)
    bucket_of = _bucket_of(lang)
    counts: Counter[int] = Counter()
    for words, weight in ((text, 1), (title, TITLE_WEIGHT)):
        for token, n in Counter(tokens(words, lang)).items():
            found = bucket_of(token)
            if found is not None:
                counts[found[0]] += n * weight
                if terms is not None and found[0] not in terms:
                    terms[found[0]] = found[1]
    for actor in actors:
        actor_id = actor.get("id")
        if actor_id:
            bucket = _actor_bucket(actor_id, lang)
            counts[bucket] += ACTOR_WEIGHT * max(1, len(actor.get("mentions") or ()))
            if terms is not None and bucket not in terms:
                terms[bucket] = actor.get("name") or actor_id
    spans = [(int(q["start"]), int(q["end"])) for q in quotes if q.get("start") is not None and q.get("end") is not None]
    # compact: a full run holds every document at once (buckets < 2**20 and term counts are exact here)
    features = np.fromiter(counts, dtype=np.int32, count=len(counts))
    weights = np.fromiter(counts.values(), dtype=np.float32, count=len(counts))
    return Doc(key, article, week_of(day) if day else "", features, weights, day[:10] if day else "",
               text if keep_text else "", spans, lang)


def bridge(doc: Doc, partners: Iterable[Doc]) -> Doc:
    """``doc`` holding also the terms of ``partners`` (its translations, each vectorised in its own
    language): the counts of a feature both hold are added. The other fields are ``doc``'s."""
    counts: Counter[int] = Counter(dict(zip(doc.features.tolist(), doc.weights.tolist(), strict=True)))
    for partner in partners:
        counts.update(dict(zip(partner.features.tolist(), partner.weights.tolist(), strict=True)))
    features = np.fromiter(counts, dtype=np.int32, count=len(counts))
    weights = np.fromiter(counts.values(), dtype=np.float32, count=len(counts))
    return Doc(doc.key, doc.article, doc.period, features, weights, doc.date, doc.text, doc.quotes, doc.language)


#: One article to vectorise: (key, article id, day or None, title, text, actors, quotes[, language]),
#: as ``make_doc`` takes them (no language: English).
DocInput = tuple[Any, ...]


def make_docs(items: list[DocInput]) -> tuple[list[Doc], dict[int, str]]:
    """Vectorise a chunk of articles (without their text): (their ``Doc``, in order; the readable
    term of each bucket they hold, first seen first).

    Pure, so a runner may call it anywhere (a Dask worker). The caller adds the terms to the
    model's ``terms`` chunk by chunk, in input order (``add_terms``): then the labels are those of a
    serial run, whatever the chunks and wherever they ran.
    """
    terms: dict[int, str] = {}
    docs = [make_doc(key, article, day, title=title, text=text, actors=actors, quotes=quotes, keep_text=False,
                     terms=terms, language=language[0] if language else None)
            for key, article, day, title, text, actors, quotes, *language in items]
    return docs, terms


def add_terms(into: dict[int, str], terms: dict[int, str]) -> None:
    """Add the readable terms a ``make_docs`` chunk saw (computed here or elsewhere) to ``into``
    (a model's ``terms``), keeping any earlier term of a bucket, as ``make_doc(..., terms=into)``
    would have."""
    for bucket, term in terms.items():
        into.setdefault(bucket, term)


def claim_evidence(text: str, quotes: list[tuple[int, int]], idx: np.ndarray, val: np.ndarray,
                   idf: Callable[[np.ndarray], np.ndarray], language: str = "") -> list[dict[str, Any]]:
    """The claim sentences of ``text`` closest to a centroid (``idx`` sorted features, ``val``
    unit weights): up to ``EVIDENCE_SENTENCES`` [{start, end, text, score}] in text order. ``idf``
    gives the inverse document frequency of an array of features; ``language`` is the text's
    (``Doc.language``), whose tokens and features are used."""
    if not len(idx):
        return []
    sentences = claim_sentences(text, quotes, language=language)
    if not sentences:
        return []
    # all sentences at once: (sentence, feature) counts, then dot and norm per sentence
    parts = [tokens(text[start:end], language) for start, end in sentences]
    lookup: dict[str, int] = {}
    bucket_of = _bucket_of(language)
    for token in set().union(*parts):
        found = bucket_of(token)
        lookup[token] = -1 if found is None else found[0]
    features = np.fromiter((lookup[t] for part in parts for t in part), dtype=np.int64)
    sentence = np.repeat(np.arange(len(sentences), dtype=np.int64), [len(part) for part in parts])
    known = features >= 0
    pairs, counts = np.unique(sentence[known] * N_FEATURES + features[known], return_counts=True)
    which, features = pairs // N_FEATURES, pairs % N_FEATURES
    tf = (1.0 + np.log(counts)) * idf(features)
    at = np.minimum(np.searchsorted(idx, features), len(idx) - 1)   # centroid features are sorted
    weight = np.where(idx[at] == features, val[at], 0.0)
    dots = np.bincount(which, weights=weight * tf, minlength=len(sentences))
    norms = np.sqrt(np.bincount(which, weights=tf * tf, minlength=len(sentences)))
    norms[norms == 0] = 1.0
    scored = [(round(float(dots[i] / norms[i]), 4), start, end)
              for i, (start, end) in enumerate(sentences) if dots[i] > 0]
    scored.sort(key=lambda s: (-s[0], s[1]))
    chosen = scored[:EVIDENCE_SENTENCES]
    return [{"start": s, "end": e, "text": text[s:e], "score": score} for score, s, e in sorted(chosen, key=lambda c: c[1])]


@dataclass(frozen=True)
class ClaimChunk:
    """What claim scoring needs for a chunk of articles, away from the model (``score_claims``)."""

    items: list[tuple[str, list[tuple[int, int]], int, str]]   # (text, quote spans, narrative id, language)
    centroids: dict[int, tuple[np.ndarray, np.ndarray]]   # narrative id -> (features, unit weights)
    features: np.ndarray   # sorted features the chunk's articles hold
    df: np.ndarray         # their document frequencies
    n_docs: int
    #: documents counted per language (``NarrativeModel.language_docs``): each language's idf is over its own
    language_docs: dict[str, int] = field(default_factory=dict)


def score_claims(chunk: ClaimChunk) -> list[list[dict[str, Any]]]:
    """Each article's evidence (``claim_evidence`` against its narrative's centroid), in order. Pure,
    so a runner may call it anywhere; the idf is the model's, computed the same way on the same arrays."""
    def idf_of(language: str) -> Callable[[np.ndarray], np.ndarray]:
        n = chunk.language_docs.get(_counted(language)) or chunk.n_docs

        def idf(features: np.ndarray) -> np.ndarray:
            at = np.minimum(np.searchsorted(chunk.features, features), max(len(chunk.features) - 1, 0))
            # a sentence's features are among its article's: a miss (none expected) counts as unseen
            df = np.where(chunk.features[at] == features, chunk.df[at], 0) if len(chunk.features) else \
                np.zeros(len(features), dtype=np.int64)
            return np.log((1 + n) / (1 + df)) + 1.0
        return idf

    return [claim_evidence(text, quotes, *chunk.centroids[narrative], idf_of(language), language)
            for text, quotes, narrative, language in chunk.items]


def _counted(language: str) -> str:
    """The language a document counts under for the idf (English and unstated together)."""
    return "" if language in ENGLISH else language


def claim_sentences(text: str, quotes: list[tuple[int, int]] = (),  # type: ignore[assignment]
                    *, language: str = "") -> list[tuple[int, int]]:
    """(start, end) of the claim-like sentences of ``text``: assertions, not questions.

    A claim has at least six words, does not end in a question mark, and, in English (or no
    stated language), has a verb of saying or asserting (or overlaps a quote the record found). In
    another language, whose verbs the list does not know, every such assertion is a claim (the
    closest to the centroid are kept); in an unspaced script, six words are twelve characters.
    """
    found = []
    for match in (SENTENCE if language in ENGLISH else WORLD_SENTENCE).finditer(text):
        start, end = match.span()
        sentence = match.group()
        stripped = sentence.strip()
        english = language in ENGLISH
        if not stripped or (stripped.rstrip("\"'”’)").endswith("?") if english else
                            stripped.rstrip("\"'”’)」』").endswith(QUESTION_MARKS)):
            continue
        start += len(sentence) - len(sentence.lstrip())
        end = start + len(stripped)
        words = stripped.lower().split()
        if len(words) < 6 and (english or sum(len(run) for run in UNSPACED.findall(stripped)) < 12):
            continue
        if not english:
            found.append((start, end))
            continue
        quoted = any(qs < end and qe > start for qs, qe in quotes)
        if quoted or any(w.strip(",;:\"'”’") in CLAIM_VERBS for w in words):
            found.append((start, end))
    return found


def _b64(array: np.ndarray) -> str:
    return base64.b64encode(zlib.compress(np.ascontiguousarray(array).data, 1)).decode("ascii")  # no bytes copy


def _unb64(text: str, dtype: Any) -> np.ndarray:
    return np.frombuffer(zlib.decompress(base64.b64decode(text)), dtype=dtype).copy()


class NarrativeModel:
    """Narratives and their centroids; ``add`` clusters new documents, ``to_state`` persists it."""

    def __init__(self, *, seed: int = DEFAULTS.seed, assign_threshold: float = DEFAULTS.assign_threshold,
                 merge_threshold: float = DEFAULTS.merge_threshold, split_silhouette: float = DEFAULTS.split_silhouette,
                 candidate_weeks: int = DEFAULTS.candidate_weeks) -> None:
        self.seed = seed
        self.assign_threshold = assign_threshold
        self.merge_threshold = merge_threshold
        self.split_silhouette = split_silhouette
        self.candidate_weeks = candidate_weeks
        self.df = np.zeros(N_FEATURES, dtype=np.int64)
        self.n_docs = 0
        #: documents counted per language ("": English and unstated): a term's idf is over the
        #: documents of its language, so a language with few articles in the corpus does not see
        #: its common words as rare (with one language, this is ``n_docs``)
        self.language_docs: Counter[str] = Counter()
        self.sums: list[dict[str, np.ndarray] | None] = []   # per row: {"idx", "val"} sum of members
        self.rows: dict[int, int] = {}        # narrative id -> row
        self.meta: list[dict[str, Any]] = []  # per row: id, size, created, parent, merged_into, best, series
        self.totals: Counter[str] = Counter()  # period -> articles
        self.undated = 0                      # articles with no date (in no period)
        self.events: list[dict[str, Any]] = []
        #: bucket -> readable term, the first this model's documents gave it (``make_doc(terms=...)``)
        self.terms: dict[int, str] = {}
        self.next_id = 1
        self.moves: list[tuple[int, int]] = []   # (from, to) for members stored by earlier runs
        self.splits: list[dict[str, Any]] = []
        self._centroid_cache: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        self._matrix: sparse.csr_matrix | None = None   # centroids transposed; rows in ``_dirty`` stale
        self._dirty: set[int] = set()
        self._open: set[int] = set()          # rows matched and merged: live, and not closed candidates
        self._watch: dict[int, str] = {}      # open rows that may be candidates -> last period with an article
        self.comparisons = 0                  # (document or centroid, open centroid) pairs scored

    @classmethod
    def from_settings(cls, narratives: NarrativesSettings, *, seed: int | None = None) -> NarrativeModel:
        """An empty model with the ``[narratives]`` settings (``seed`` overriding ``narratives.seed``)."""
        return cls(seed=narratives.seed if seed is None else seed, assign_threshold=narratives.assign_threshold,
                   merge_threshold=narratives.merge_threshold, split_silhouette=narratives.split_silhouette,
                   candidate_weeks=narratives.candidate_weeks)

    # -- persistence -------------------------------------------------------------------------

    def to_state(self) -> dict[str, Any]:
        nz = np.flatnonzero(self.df).astype(np.int32)
        keep: set[int] = set()
        # written in place into the stored dtypes (int32, float32): no float64 copy of every centroid
        # (a centroid has min(terms of the sum, CENTROID_TERMS) terms, so the sizes are known first)
        lengths = np.array([0 if total is None else min(len(total["idx"]), CENTROID_TERMS) for total in self.sums],
                           dtype=np.int32)
        ends = np.cumsum(lengths, dtype=np.int64)
        # (one array at a time: the centroids are gone over twice, each array encoded and freed)
        rows = {}
        for part in ("idx", "val"):
            packed = np.zeros(int(ends[-1]) if len(ends) else 0, dtype=np.int32 if part == "idx" else np.float32)
            for row, meta in enumerate(self.meta):
                idx, val = self._centroid(row)
                start, end = int(ends[row]) - int(lengths[row]), int(ends[row])
                if part == "idx":
                    keep.update(idx[np.argsort(-val)[:12]].tolist())
                    packed[start:end] = idx   # raises on a length that is not the centroid's
                else:
                    packed[start:end] = val * meta["size"]
            rows[part] = _b64(packed)
            del packed
        rows["lengths"] = _b64(lengths)
        return {
            "seed": self.seed, "assign_threshold": self.assign_threshold, "merge_threshold": self.merge_threshold,
            "split_silhouette": self.split_silhouette, "candidate_weeks": self.candidate_weeks, "n_docs": self.n_docs, "next_id": self.next_id,
            "language_docs": dict(self.language_docs),
            "df_idx": _b64(nz), "df_val": _b64(self.df[nz].astype(np.int32)),
            "rows": rows, "meta": self.meta, "totals": dict(self.totals), "undated": self.undated,
            "events": self.events,
            "terms": {str(k): self.terms[k] for k in sorted(keep) if k in self.terms},
        }

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> NarrativeModel:
        model = cls(seed=state["seed"], assign_threshold=state["assign_threshold"],
                    merge_threshold=state["merge_threshold"], split_silhouette=state["split_silhouette"],
                    candidate_weeks=state.get("candidate_weeks", 0))
        model.n_docs = state["n_docs"]
        model.language_docs = Counter(state.get("language_docs") or {"": state["n_docs"]})
        model.next_id = state["next_id"]
        model.df[_unb64(state["df_idx"], np.int32)] = _unb64(state["df_val"], np.int32)
        model.meta = state["meta"]
        rows = state["rows"]
        idx_all = _unb64(rows["idx"], np.int32).astype(np.int64)
        val_all = _unb64(rows["val"], np.float32).astype(np.float64)
        ends = np.cumsum(_unb64(rows["lengths"], np.int32))
        starts = ends - _unb64(rows["lengths"], np.int32)
        model.sums = [{"idx": idx_all[a:b], "val": val_all[a:b]} for a, b in zip(starts.tolist(), ends.tolist(), strict=True)]
        model.rows = {m["id"]: row for row, m in enumerate(model.meta)}
        for row, meta in enumerate(model.meta):
            if meta["merged_into"] is None:
                model._open.add(row)
                if meta["size"] < MIN_NARRATIVE_SIZE:
                    model._watch[row] = max((p for p, n in meta["series"].items() if n > 0), default="")
        model.totals = Counter(state["totals"])
        model.undated = int(state.get("undated", 0))
        model.events = state["events"]
        model.terms = {int(k): v for k, v in state["terms"].items()}
        return model

    # -- vectors -----------------------------------------------------------------------------

    def count_df(self, docs: list[Doc]) -> None:
        for doc in docs:
            self.df[doc.features] += 1
        self.n_docs += len(docs)
        self.language_docs.update(_counted(doc.language) for doc in docs)

    def idf(self, idx: np.ndarray, language: str | np.ndarray = "") -> np.ndarray:
        """The idf of features ``idx`` among the documents of ``language`` (or, an array: the number of
        documents to count against, one per feature)."""
        return np.log((1 + self._documents(language)) / (1 + self.df[idx])) + 1.0

    def _documents(self, language: str | np.ndarray) -> Any:
        if isinstance(language, str):
            return self.language_docs.get(_counted(language)) or self.n_docs
        return language

    def vectors(self, docs: list[Doc]) -> sparse.csr_matrix:
        """Rows of L2-normalised (1 + log tf) x idf for ``docs``."""
        indptr = np.zeros(len(docs) + 1, dtype=np.int64)
        idx_parts, val_parts = [], []
        for i, doc in enumerate(docs):
            idx_parts.append(doc.features)
            val_parts.append(doc.weights)
            indptr[i + 1] = indptr[i] + len(doc.features)
        idx = np.concatenate(idx_parts).astype(np.int64) if idx_parts else np.zeros(0, dtype=np.int64)
        val = np.concatenate(val_parts).astype(np.float64) if val_parts else np.zeros(0)
        counts = np.array([self._documents(doc.language) for doc in docs], dtype=np.float64)
        val = (1.0 + np.log(val)) * self.idf(idx, np.repeat(counts, np.diff(indptr)))
        matrix = sparse.csr_matrix((val, idx, indptr), shape=(len(docs), N_FEATURES))
        matrix.sort_indices()
        norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
        norms[norms == 0] = 1.0
        return sparse.csr_matrix(sparse.diags(1.0 / norms) @ matrix)

    def _centroid(self, row: int) -> tuple[np.ndarray, np.ndarray]:
        """The row's centroid: its ``CENTROID_TERMS`` heaviest features, L2-normalised.

        Cached only when truncated (the costly case): a small sum is its own centroid up to a
        norm, cheap to redo, and caching it for every candidate of a big corpus costs a float64
        copy per narrative.
        """
        cached = self._centroid_cache.get(row)
        if cached is not None:
            return cached
        total = self.sums[row]
        if total is None or len(total["idx"]) == 0:
            result = (np.zeros(0, dtype=np.int64), np.zeros(0))
        else:
            idx, val = total["idx"], total["val"]
            if len(idx) > CENTROID_TERMS:
                # stable: ties broken by feature index, so runs are reproducible
                top = np.lexsort((idx, -val))[:CENTROID_TERMS]
                top.sort()
                idx, val = idx[top], val[top]
            norm = float(np.sqrt(np.dot(val, val))) or 1.0
            result = (idx, val / norm)
            if len(total["idx"]) > CENTROID_TERMS:
                self._centroid_cache[row] = result
        return result

    def _rows_matrix(self, rows: list[int]) -> sparse.csr_matrix:
        """A matrix with one row per narrative, holding the centroids of ``rows`` only (others empty)."""
        k = len(self.meta)
        counts = np.zeros(k + 1, dtype=np.int64)
        idx_parts, val_parts = [np.zeros(0, np.int64)], [np.zeros(0)]
        for row in sorted(rows):
            idx, val = self._centroid(row) if row in self._open else (np.zeros(0, np.int64), np.zeros(0))
            idx_parts.append(idx)
            val_parts.append(val)
            counts[row + 1] = len(idx)
        return sparse.csr_matrix((np.concatenate(val_parts), np.concatenate(idx_parts), np.cumsum(counts)),
                                 shape=(k, N_FEATURES))

    def similarities(self, vectors: sparse.csr_matrix) -> sparse.csr_matrix:
        """Cosine of each row of ``vectors`` to every open centroid (n x narratives, sparse).

        An inverted index (open centroids transposed) is built once and reused while few
        centroids change; changed (or closed) ones are scored apart and patched in, so a small
        incremental run does not pay for re-indexing the whole model at every window.
        """
        k = len(self.meta)
        self.comparisons += vectors.shape[0] * len(self._open)
        if self._matrix is None or len(self._dirty) > max(REINDEX_MIN, len(self._open) // 4):
            self._matrix = sparse.csr_matrix(self._rows_matrix(list(self._open)).T)
            self._dirty = set()
        base_k = self._matrix.shape[1]
        dirty = sorted(self._dirty | set(range(base_k, k)))
        sims = vectors @ self._matrix
        if dirty:
            mask = np.ones(base_k)
            mask[[r for r in dirty if r < base_k]] = 0.0
            sims = sims @ sparse.diags(mask)
            sims.resize((vectors.shape[0], k))
            sims = sims + vectors @ self._rows_matrix(dirty).T
        return sparse.csr_matrix(sims)

    def _add_to_sum(self, row: int, vectors: sparse.csr_matrix, sign: float = 1.0) -> None:
        """Add (``sign`` 1) or take away (-1) the rows of ``vectors`` to the row's member sum."""
        self._add_terms(row, vectors.indices, vectors.data, sign)

    def _add_terms(self, row: int, indices: np.ndarray, data: np.ndarray, sign: float = 1.0) -> None:
        """Add (``sign`` 1) or take away (-1) the (feature, weight) pairs to the row's member sum."""
        current = self.sums[row]
        idx: np.ndarray
        val: np.ndarray
        if (sign == 1.0 and (current is None or not len(current["idx"]))
                and (len(indices) < 2 or bool((np.diff(indices) > 0).all()))):
            # an empty sum and no feature twice (one new article): the sum is the vector itself
            idx, val = indices.astype(np.int64), data.astype(np.float64)
        else:
            parts_idx = [indices.astype(np.int64)]
            parts_val = [data * sign]
            if current is not None and len(current["idx"]):
                parts_idx.append(current["idx"])
                parts_val.append(current["val"])
            idx, inverse = np.unique(np.concatenate(parts_idx), return_inverse=True)
            val = np.bincount(inverse, weights=np.concatenate(parts_val), minlength=len(idx))
        keep = val > 1e-9
        self.sums[row] = {"idx": idx[keep], "val": val[keep]}
        self._centroid_cache.pop(row, None)
        self._dirty.add(row)

    def _new_narrative(self, period: str, parent: int | None = None) -> int:
        row = len(self.meta)
        self.meta.append({"id": self.next_id, "size": 0, "created": period, "parent": parent,
                          "merged_into": None, "best": None, "series": {}, "days": {}, "undated": 0})
        self.sums.append(None)
        self.rows[self.next_id] = row
        self.next_id += 1
        self._open.add(row)
        self._watch[row] = period
        return row

    def _close_candidates(self, period: str) -> None:
        """Close the open candidates whose last article is more than ``candidate_weeks`` weeks before ``period``."""
        if self.candidate_weeks <= 0:
            return
        cutoff = _weeks_before(period, self.candidate_weeks)
        for row, last in list(self._watch.items()):
            meta = self.meta[row]
            if meta["merged_into"] is not None or meta["size"] >= MIN_NARRATIVE_SIZE:
                del self._watch[row]   # merged, or a narrative now: never closed
            elif last < cutoff:
                del self._watch[row]
                self._open.discard(row)
                self._dirty.add(row)

    # -- clustering --------------------------------------------------------------------------

    def add(self, docs: list[Doc], *, progress: Callable[[int], None] | None = None,
            count_df: bool = True) -> dict[int, tuple[int, float]]:
        """Cluster ``docs``; return key -> (narrative id, cosine to its centroid when it joined).

        Documents moved by a later split or merge in the same run report their final narrative.
        ``count_df=False`` when the caller already counted them (a full run counts all first).
        """
        if count_df:
            self.count_df(docs)
        assigned: dict[int, tuple[int, float]] = {}   # key -> (row, score)
        by_period: dict[str, list[Doc]] = defaultdict(list)
        for doc in docs:
            by_period[doc.period].append(doc)
        for period in sorted(by_period, key=lambda p: (not p, p)):   # the undated ("") last
            window = sorted(by_period[period], key=lambda d: d.key)
            if period:
                self._close_candidates(period)
            window_rows: dict[int, list[int]] = defaultdict(list)   # row -> positions in window
            first_new = len(self.meta)
            vectors_parts = []
            for start in range(0, len(window), CHUNK):
                chunk = window[start:start + CHUNK]
                vectors = self.vectors(chunk)
                vectors_parts.append(vectors)
                rows, scores = self._assign(vectors, period)
                for i, (row, score) in enumerate(zip(rows, scores, strict=True)):
                    window_rows[row].append(start + i)
                    assigned[chunk[i].key] = (row, score)
                self._update_sums(rows, vectors)
                if progress is not None:
                    progress(len(chunk))
            window_vectors = sparse.vstack(vectors_parts, format="csr") if len(vectors_parts) > 1 else vectors_parts[0]
            for row, positions in window_rows.items():
                self.meta[row]["size"] += len(positions)
                if not period:
                    self.meta[row]["undated"] = self.meta[row].get("undated", 0) + len(positions)
                    continue
                series = self.meta[row]["series"]
                series[period] = series.get(period, 0) + len(positions)
                if row in self._watch:
                    self._watch[row] = max(self._watch[row], period)
                _count_days(self.meta[row], [window[p].date for p in positions], 1)
            if not period:  # no week: no totals, and no split or merge event dated by it
                self.undated += len(window)
                continue
            self.totals[period] += len(window)
            self._splits(period, window, window_rows, window_vectors, assigned)
            self._merges(period, window_rows, assigned, first_new)
        return {key: (self.resolve(self.meta[row]["id"]), score) for key, (row, score) in assigned.items()}

    def resolve(self, narrative: int) -> int:
        """The live narrative ``narrative`` is now part of (itself unless it was merged)."""
        meta = self.meta[self.rows[narrative]]
        while meta["merged_into"] is not None:
            meta = self.meta[self.rows[meta["merged_into"]]]
        return int(meta["id"])

    def _assign(self, vectors: sparse.csr_matrix, period: str) -> tuple[list[int], list[float]]:
        n = vectors.shape[0]
        rows = [-1] * n
        scores = [0.0] * n
        if self._open:
            best, best_sim = _row_argmax(self.similarities(vectors))
            for i in np.flatnonzero(best_sim >= self.assign_threshold).tolist():
                rows[i] = int(best[i])
                scores[i] = float(best_sim[i])
        rest = [i for i in range(n) if rows[i] < 0]
        if rest:
            gram = (vectors[rest] @ vectors[rest].T).toarray()
            seeds: list[int] = []   # positions in rest
            seed_rows: list[int] = []
            for j, i in enumerate(rest):
                if seeds:
                    sims = gram[j, seeds]
                    k = int(sims.argmax())
                    if sims[k] >= self.assign_threshold:
                        rows[i], scores[i] = seed_rows[k], float(sims[k])
                        continue
                seeds.append(j)
                seed_rows.append(self._new_narrative(period))
                rows[i], scores[i] = seed_rows[-1], 1.0
        return rows, scores

    def _update_sums(self, rows: list[int], vectors: sparse.csr_matrix) -> None:
        """Add each vector to its row's sum: one reordering of ``vectors``, then a slice per row."""
        if not rows:
            return
        order = np.argsort(np.asarray(rows, dtype=np.int64), kind="stable")
        grouped = vectors[order]
        sorted_rows = np.asarray(rows, dtype=np.int64)[order]
        starts = np.flatnonzero(np.r_[True, sorted_rows[1:] != sorted_rows[:-1]])
        ends = np.r_[starts[1:], len(sorted_rows)]
        indptr, indices, data = grouped.indptr, grouped.indices, grouped.data
        for row, a, b in zip(sorted_rows[starts].tolist(), starts.tolist(), ends.tolist(), strict=True):
            self._add_terms(row, indices[indptr[a]:indptr[b]], data[indptr[a]:indptr[b]])

    def _splits(self, period: str, window: list[Doc], window_rows: dict[int, list[int]],
                vectors: sparse.csr_matrix, assigned: dict[int, tuple[int, float]]) -> None:
        for row in sorted(window_rows):
            positions = window_rows[row]
            meta = self.meta[row]
            if len(positions) < SPLIT_MIN or meta["merged_into"] is not None or meta["created"] == period:
                continue
            members = vectors[positions]
            labels, silhouette = _two_means(members, seed=self.seed + meta["id"])
            if labels is None:
                continue
            sizes = np.bincount(labels, minlength=2)
            if silhouette < self.split_silhouette or sizes.min() < SPLIT_MIN_PART:
                continue
            small = int(sizes.argmin()) if sizes[0] != sizes[1] else 1
            moved = [positions[i] for i in np.flatnonzero(labels == small)]
            new_row = self._new_narrative(period, parent=meta["id"])
            moved_vectors = vectors[moved]
            self._add_to_sum(row, moved_vectors, sign=-1.0)
            self._add_to_sum(new_row, moved_vectors)
            meta["size"] -= len(moved)
            meta["series"][period] -= len(moved)
            new_meta = self.meta[new_row]
            new_meta["size"] = len(moved)
            new_meta["series"][period] = len(moved)
            _count_days(meta, [window[p].date for p in moved], -1)
            _count_days(new_meta, [window[p].date for p in moved], 1)
            idx, val = self._centroid(new_row)
            for position in moved:
                key = window[position].key
                doc_vector = vectors[position]
                score = float((doc_vector[:, idx] @ val)[0]) if len(idx) else 0.0
                assigned[key] = (new_row, score)
            window_rows[new_row] = moved
            window_rows[row] = [p for p in positions if p not in set(moved)]
            self.events.append({"narrative": meta["id"], "period": period, "kind": "split",
                                "other": new_meta["id"],
                                "detail": {"silhouette": round(float(silhouette), 3), "kept": int(sizes.max()),
                                           "moved": len(moved)}})
            self.events.append({"narrative": new_meta["id"], "period": period, "kind": "split",
                                "other": meta["id"], "detail": {"parent": meta["id"], "moved": len(moved)}})

    def _merges(self, period: str, window_rows: dict[int, list[int]], assigned: dict[int, tuple[int, float]],
                first_new: int) -> None:
        touched = sorted(r for r in window_rows if self.meta[r]["merged_into"] is None)
        if not touched or len(self._open) < 2:
            return
        # A narrative born in this window from one article (at most CENTROID_TERMS terms, so its
        # centroid is that article) scored under assign_threshold against every centroid open then
        # and every other seed of the window: it cannot reach merge_threshold with an untouched
        # narrative, and a touched one finds it from its own side. So it need not ask: with many
        # unrelated articles, these are nearly all the touched narratives.
        def lone(r: int) -> bool:
            total = self.sums[r]
            return (r >= first_new and len(window_rows[r]) == 1 and self.meta[r]["size"] == 1
                    and total is not None and len(total["idx"]) <= CENTROID_TERMS)

        asking = ([r for r in touched if not lone(r)] if self.assign_threshold < self.merge_threshold
                  else touched)
        if not asking:
            return
        touched = asking
        sims = self.similarities(sparse.csr_matrix(self._rows_matrix(touched)[touched])).tocoo()
        close = sims.data >= self.merge_threshold
        pairs = []
        for i, other, sim in zip(sims.row[close].tolist(), sims.col[close].tolist(), sims.data[close].tolist(),
                                 strict=True):
            row = touched[i]
            if other != row and sim >= self.merge_threshold:
                pairs.append((-sim, min(row, other), max(row, other)))
        for negative_sim, older, younger in sorted(set(pairs)):
            if self.meta[older]["merged_into"] is not None or self.meta[younger]["merged_into"] is not None:
                continue
            if self.meta[younger]["parent"] == self.meta[older]["id"]:
                continue  # a split is not undone: the child shares its parent's words by birth
            self._merge(period, older, younger, -negative_sim, assigned)

    def _merge(self, period: str, into: int, row: int, similarity: float,
               assigned: dict[int, tuple[int, float]]) -> None:
        target, source = self.meta[into], self.meta[row]
        total = self.sums[row]
        if total is not None and len(total["idx"]):
            summed = sparse.csr_matrix((total["val"], total["idx"], [0, len(total["idx"])]), shape=(1, N_FEATURES))
            self._add_to_sum(into, summed)
        self.sums[row] = None
        self._centroid_cache.pop(row, None)
        self._dirty.add(row)
        self._open.discard(row)
        target["size"] += source["size"]
        for p, n in source["series"].items():
            target["series"][p] = target["series"].get(p, 0) + n
        for d, n in source["days"].items():
            target["days"][d] = target["days"].get(d, 0) + n
        source["days"] = {}
        target["undated"] = target.get("undated", 0) + source.get("undated", 0)
        source["undated"] = 0
        if source["best"] is not None and (target["best"] is None or source["best"][0] > target["best"][0]):
            target["best"] = source["best"]
        source["merged_into"] = target["id"]
        source["merged_at"] = period
        source["size"] = 0
        source["series"] = {}
        self.moves.append((source["id"], target["id"]))
        self.events.append({"narrative": source["id"], "period": period, "kind": "merge", "other": target["id"],
                            "detail": {"similarity": round(similarity, 3), "into": target["id"]}})
        self.events.append({"narrative": target["id"], "period": period, "kind": "merge", "other": source["id"],
                            "detail": {"similarity": round(similarity, 3), "absorbed": source["id"]}})

    def remove(self, narrative: int, day: str | None) -> None:
        """Forget one member (an article replaced by a newer version; ``day`` None or "" when it was
        undated): counts only, not the centroid."""
        row = self.rows.get(narrative)
        if row is None:
            return
        meta = self.meta[row]
        while meta["merged_into"] is not None:
            meta = self.meta[self.rows[meta["merged_into"]]]
        meta["size"] = max(0, meta["size"] - 1)
        if not day:
            meta["undated"] = max(0, meta.get("undated", 0) - 1)
            self.undated = max(0, self.undated - 1)
            return
        period = week_of(day)
        if meta["series"].get(period):
            meta["series"][period] -= 1
        if meta["days"].get(day):
            meta["days"][day] -= 1
        if self.totals.get(period):
            self.totals[period] -= 1

    # -- evidence and labels -----------------------------------------------------------------

    def claim_chunk(self, docs: list[Doc], texts: list[str], narratives: list[int]) -> ClaimChunk:
        """The work of scoring these docs' claims (their ``texts``, each against its narrative), for
        ``score_claims``; the centroids are the model's now (``add`` is done)."""
        features = (np.unique(np.concatenate([doc.features for doc in docs])).astype(np.int64) if docs
                    else np.zeros(0, dtype=np.int64))
        return ClaimChunk([(text, doc.quotes, narrative, doc.language)
                           for doc, text, narrative in zip(docs, texts, narratives, strict=True)],
                          {n: self._centroid(self.rows[n]) for n in sorted(set(narratives))},
                          features, self.df[features], self.n_docs, dict(self.language_docs))

    def note_evidence(self, narrative: int, article: str, evidence: list[dict[str, Any]]) -> None:
        """Keep the best-scoring claim sentence as the narrative's representative one (the earlier
        article keeps it on a tie: call in article order)."""
        if not evidence:
            return
        top = min(evidence, key=lambda e: (-e["score"], e["start"]))
        meta = self.meta[self.rows[narrative]]
        if meta["best"] is None or top["score"] > meta["best"][0]:
            meta["best"] = [top["score"], article, top["start"], top["end"], top["text"]]

    def key_terms(self, row: int, n: int = 6) -> list[str]:
        idx, val = self._centroid(row)
        terms: list[str] = []
        for i in np.lexsort((idx, -val)):
            term = self.terms.get(int(idx[i]))
            if term and term not in terms:
                terms.append(term)
            if len(terms) == n:
                break
        return terms


def _row_argmax(sims: sparse.csr_matrix) -> tuple[np.ndarray, np.ndarray]:
    """Per row: the column of the highest value (the lowest column on ties) and that value (0 if none)."""
    n = sims.shape[0]
    lengths = np.diff(sims.indptr)
    best = np.zeros(n, dtype=np.int64)
    best_sim = np.zeros(n)
    filled = lengths > 0
    if not filled.any():
        return best, best_sim
    best_sim[filled] = np.maximum.reduceat(sims.data, sims.indptr[:-1][filled])
    rows = np.repeat(np.arange(n), lengths)
    top = sims.data == best_sim[rows]
    top_rows, top_cols = rows[top], sims.indices[top]
    order = np.lexsort((top_cols, top_rows))
    first_rows, first = np.unique(top_rows[order], return_index=True)
    best[first_rows] = top_cols[order][first]
    return best, best_sim


def _count_days(meta: dict[str, Any], days: list[str], sign: int) -> None:
    for day, n in Counter(days).items():
        if day:
            meta["days"][day] = meta["days"].get(day, 0) + sign * n


def _two_means(members: sparse.csr_matrix, *, seed: int) -> tuple[np.ndarray | None, float]:
    """Spherical 2-means on unit rows via their Gram matrix; (labels, mean cosine silhouette)."""
    gram = (members @ members.T).toarray()
    n = gram.shape[0]
    rng = np.random.default_rng(seed)
    first = int(rng.integers(n))
    second = int(np.argmin(gram[first] + np.arange(n) * 1e-12))
    if second == first:
        return None, 0.0
    labels = (gram[:, second] > gram[:, first]).astype(np.int64)
    for _ in range(SPLIT_ITERATIONS):
        sims = np.zeros((n, 2))
        for k in (0, 1):
            mask = labels == k
            if not mask.any():
                return None, 0.0
            norm = math.sqrt(float(gram[np.ix_(mask, mask)].sum())) or 1.0
            sims[:, k] = gram[:, mask].sum(axis=1) / norm
        new = sims.argmax(axis=1)
        if np.array_equal(new, labels):
            break
        labels = new
    if len(set(labels.tolist())) < 2:
        return None, 0.0
    distance = 1.0 - gram
    silhouettes = np.zeros(n)
    for i in range(n):
        own = labels == labels[i]
        own_count = own.sum() - 1
        if own_count == 0:
            continue
        a = (distance[i, own].sum() - distance[i, i]) / own_count
        b = distance[i, ~own].mean()
        silhouettes[i] = (b - a) / max(a, b) if max(a, b) > 0 else 0.0
    return labels, float(silhouettes.mean())


def series_events(meta: dict[str, Any], totals: dict[str, int], last_period: str, *,
                  emerge_min: int, grow_factor: float, fade_windows: int) -> list[dict[str, Any]]:
    """emerge / grow / fade events of one narrative from its weekly series."""
    series = {p: n for p, n in meta["series"].items() if n > 0}
    if not series:
        return []
    events = []
    period = date.fromisoformat(min(series))
    end = date.fromisoformat(last_period)
    cumulative, emerged, empty = 0, False, 0
    history: list[float] = []
    while period <= end:
        key = period.isoformat()
        n = series.get(key, 0)
        share = n / totals[key] if totals.get(key) else 0.0
        if n:
            if emerged and empty >= fade_windows:
                events.append({"period": key, "kind": "emerge", "detail": {"articles": n, "returned": True}})
            empty = 0
            cumulative += n
            if not emerged and cumulative >= emerge_min:
                emerged = True
                events.append({"period": key, "kind": "emerge", "detail": {"articles": n, "total": cumulative}})
            elif emerged and n >= emerge_min and history:
                baseline = sum(history[-2:]) / len(history[-2:])
                if baseline > 0 and share >= grow_factor * baseline:
                    events.append({"period": key, "kind": "grow",
                                   "detail": {"articles": n, "share": round(share, 4), "before": round(baseline, 4)}})
        else:
            empty += 1
            if emerged and empty == fade_windows:
                events.append({"period": key, "kind": "fade", "detail": {"last_seen": _weeks_before(key, fade_windows)}})
        history.append(share)
        period += timedelta(days=7)
    return events


def _weeks_before(period: str, weeks: int) -> str:
    return (date.fromisoformat(period) - timedelta(days=7 * weeks)).isoformat()
