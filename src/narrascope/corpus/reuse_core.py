"""The text reuse core: fingerprints, candidate pairs, passage alignment, direction of spread.

Pure functions over texts and numpy arrays, used by ``corpus.reuse`` on a store and by
``benchmarks/reuse.py`` on in-memory corpora.

1. **Tokens.** Word tokens (``\\w+``), lowercased, each hashed with CRC-32 (stable across
   processes, unlike ``hash``); offsets are kept for the articles that get aligned. In scripts
   written without spaces (Chinese, Japanese, Thai, ...) every character is a token, so the
   n-grams below are character n-grams there and reuse in those languages is found the same way.
2. **Fingerprints.** Hashes of word ``ngram``-grams, winnowed (the minimum hash of every window of
   ``window`` consecutive n-grams, Schleimer et al. 2003): any run of ``ngram + window - 1`` shared
   words is guaranteed to share a fingerprint, at about ``2 / (window + 1)`` of the n-grams.
3. **Candidates.** An inverted index fingerprint -> articles; fingerprints held by more than
   ``max_postings`` articles, or by more than ``max_outlet_postings`` articles of one outlet,
   are boilerplate and skipped; pairs sharing at least
   ``min_shared_fingerprints`` fingerprints are candidates.
4. **Alignment.** Seed-and-extend: every ``seed``-gram the two texts share (repeated n-grams
   ignored) is a seed; seeds are chained along the diagonal, tolerating gaps of up to ``gap``
   words and a drift of ``max_shift`` words (so a reworded sentence does not split a passage,
   while a cut paragraph does). A chain spanning at least ``min_passage_words`` words of which at
   least ``min_score`` are covered by seeds is a passage, with character offsets on both sides.
5. **Direction** (``infer_direction``): a statement (``republished_from`` naming the other
   article's outlet), then dates, then containment (see the function), then ingest order.
6. **Lineage** (``lineage_links``): the pairs clusters are made of. Reposts, and partial copies
   covering at least ``lineage_coverage`` of the copy whose passage at most
   ``max_passage_articles`` unrelated articles carry (passim and similar reprint detectors drop
   high document-frequency passages the same way); a bio or one quoted paragraph chains nothing.

The names in lower case are the ``[reuse]`` settings (``settings.ReuseSettings``), passed in as
arguments; a function's defaults are those settings' defaults.
"""

from __future__ import annotations

import re
import zlib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np

from ..settings import ReuseSettings

__all__ = ["Alignment", "Passage", "Tokens", "align", "boilerplate_fingerprints", "candidate_pairs", "fingerprint_texts",
           "fingerprints",
           "infer_direction", "Link", "lineage_links", "outlet_key", "outlet_matches", "token_hashes", "tokens"]

#: the [reuse] settings' defaults, the functions' defaults below (their one definition is in settings.py)
DEFAULTS = ReuseSettings()

#: Scripts written without spaces between words (Chinese, Japanese kana, Thai, Lao, Khmer, Myanmar):
#: each character is a token there, so n-grams of tokens are character n-grams.
_UNSPACED = "\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
WORD = re.compile(f"[{_UNSPACED}]|[^\\W{_UNSPACED}]+")
_MASK = np.uint64(0xFFFFFFFFFFFFFFFF)
_MUL = np.uint64(0x9E3779B97F4A7C15)
_TOKEN_CACHE: dict[str, int] = {}
_CACHE_LIMIT = 2_000_000
# Characters that may close a passage after its last word (the full stop, a closing quote).
_TRAILING = ".!?;:’'\"”)]"


@dataclass(frozen=True)
class Tokens:
    """An article's word tokens: stable hashes and character offsets into its text."""

    hashes: np.ndarray  # uint64, one per token
    starts: np.ndarray  # int64
    ends: np.ndarray    # int64


@dataclass(frozen=True)
class Passage:
    a_start: int
    a_end: int
    b_start: int
    b_end: int
    words: int     # words the passage spans on side a
    score: float   # share of those words inside shared seeds (1.0: verbatim)
    a_words: tuple[int, int]  # token span [start, end) on side a
    b_words: tuple[int, int]


@dataclass
class Alignment:
    passages: list[Passage] = field(default_factory=list)
    a_tokens: int = 0
    b_tokens: int = 0

    def coverage(self, side: str) -> float:
        """Share of side ``a`` or ``b``'s words inside shared passages."""
        total = self.a_tokens if side == "a" else self.b_tokens
        spans = [p.a_words if side == "a" else p.b_words for p in self.passages]
        return _union(spans) / total if total else 0.0

    def inner_unshared(self, side: str) -> int:
        """Words of side ``a`` or ``b`` between its first and last passage that no passage covers.

        Material a republisher cut shows up here on the original's side; boilerplate a
        republisher added (headers, footers) lies outside the passages and does not.
        """
        spans = sorted(p.a_words if side == "a" else p.b_words for p in self.passages)
        if not spans:
            return 0
        return spans[-1][1] - spans[0][0] - _union(spans)

    @property
    def shared_words(self) -> int:
        return _union([p.a_words for p in self.passages])

    @property
    def score(self) -> float:
        words = sum(p.words for p in self.passages)
        return round(sum(p.score * p.words for p in self.passages) / words, 4) if words else 0.0


def _union(spans: Iterable[tuple[int, int]]) -> int:
    total, end = 0, -1
    for s, e in sorted(spans):
        if e <= end:
            continue
        total += e - max(s, end)
        end = e
    return total


def _token_hash(token: str) -> int:
    h = _TOKEN_CACHE.get(token)
    if h is None:
        h = zlib.crc32(token.lower().encode("utf-8")) + 1
        if len(_TOKEN_CACHE) < _CACHE_LIMIT:
            _TOKEN_CACHE[token] = h
    return h


def token_hashes(text: str) -> np.ndarray:
    """Stable hashes (uint64) of the lowercased word tokens of ``text``."""
    words = WORD.findall(text)
    hashes = list(map(_TOKEN_CACHE.get, words))  # one C-level pass; misses come back as None
    if None in hashes:
        hashes = [h if h is not None else _token_hash(w) for h, w in zip(hashes, words, strict=True)]
    return np.array(hashes, dtype=np.uint64).reshape(-1)


def tokens(text: str) -> Tokens:
    """Token hashes with character offsets (``text[starts[i]:ends[i]]`` is token ``i``)."""
    spans = [(m.start(), m.end()) for m in WORD.finditer(text)]
    offsets = np.array(spans, dtype=np.int64).reshape(-1, 2)
    return Tokens(token_hashes(text), offsets[:, 0], offsets[:, 1])


def ngram_hashes(hashes: np.ndarray, n: int) -> np.ndarray:
    """Mixed uint64 hashes of every run of ``n`` tokens (empty when the text is shorter)."""
    if len(hashes) < n:
        return np.empty(0, dtype=np.uint64)
    out = hashes[: len(hashes) - n + 1].copy()
    for k in range(1, n):
        out = out * _MUL + hashes[k: len(hashes) - n + 1 + k]
    # xorshift-multiply finaliser so that the winnowing minimum is a fair sample
    out ^= out >> np.uint64(31)
    out *= np.uint64(0xBF58476D1CE4E5B9)
    out ^= out >> np.uint64(29)
    return out


def fingerprints(hashes: np.ndarray, *, n: int = DEFAULTS.ngram, window: int = DEFAULTS.window) -> np.ndarray:
    """The winnowed n-gram fingerprints of a token hash sequence (unique, uint64)."""
    grams = ngram_hashes(hashes, n)
    if len(grams) <= window:
        return np.unique(grams)
    views = np.lib.stride_tricks.sliding_window_view(grams, window)
    chosen = views.argmin(axis=1) + np.arange(len(views))
    return np.unique(grams[chosen])


def fingerprint_texts(texts: list[str], *, n: int = DEFAULTS.ngram, window: int = DEFAULTS.window) -> list[np.ndarray]:
    """``fingerprints`` of each text's tokens, in order: one chunk of the fingerprinting step, which a
    runner may compute anywhere (a Dask worker)."""
    return [fingerprints(token_hashes(text), n=n, window=window) for text in texts]


def _posting_runs(fps: np.ndarray, docs: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The posting lists of the fingerprints held by two rows or more: (fps, docs) sorted by
    fingerprint, and each list's start and size."""
    # Sort once; keep only the rows whose fingerprint another row shares (most are unique), so
    # the arrays that follow are small.
    order = np.argsort(fps, kind="stable")
    sorted_fps = fps[order]
    dup = sorted_fps[1:] == sorted_fps[:-1]
    shared = np.zeros(len(sorted_fps), dtype=bool)
    shared[1:] = dup
    shared[:-1] |= dup
    del dup
    fps_s, docs_s = sorted_fps[shared], docs[order[shared]].astype(np.int64)
    del order, sorted_fps, shared
    starts = np.concatenate(([0], np.flatnonzero(fps_s[1:] != fps_s[:-1]) + 1)) if len(fps_s) else \
        np.empty(0, dtype=np.int64)
    sizes = np.diff(np.concatenate((starts, [len(fps_s)]))).astype(np.int64)
    return fps_s, docs_s, starts.astype(np.int64), sizes


def _kept_runs(docs_s: np.ndarray, starts: np.ndarray, sizes: np.ndarray, groups: np.ndarray | None,
               max_postings: int, max_group_postings: int) -> np.ndarray:
    """Which posting lists are not boilerplate (see ``candidate_pairs``)."""
    keep = sizes <= max_postings
    if groups is not None and len(starts):
        keep &= ~_group_boilerplate(docs_s, starts, sizes, groups, max_group_postings)
    return np.asarray(keep, dtype=bool)


def boilerplate_fingerprints(fps: np.ndarray, docs: np.ndarray, *, groups: np.ndarray | None = None,
                             max_postings: int = DEFAULTS.max_postings,
                             max_group_postings: int = DEFAULTS.max_outlet_postings) -> np.ndarray:
    """The fingerprints ``candidate_pairs`` skips as boilerplate on these postings (sorted, unique).

    Given every posting of a fingerprint, its status is the same as in a run over the whole corpus:
    an incremental run uses this to find the fingerprints whose status the new articles change.
    """
    if len(fps) < 2:
        return np.empty(0, dtype=np.uint64)
    fps_s, docs_s, starts, sizes = _posting_runs(fps, docs)
    if len(starts) == 0:
        return np.empty(0, dtype=np.uint64)
    keep = _kept_runs(docs_s, starts, sizes, groups, max_postings, max_group_postings)
    return np.asarray(fps_s[starts[~keep]], dtype=np.uint64)


def candidate_pairs(fps: np.ndarray, docs: np.ndarray, *, groups: np.ndarray | None = None,
                    min_shared: int = DEFAULTS.min_shared_fingerprints, max_postings: int = DEFAULTS.max_postings,
                    max_group_postings: int = DEFAULTS.max_outlet_postings, new_from: int = 0,
                    involved: np.ndarray | None = None, with_boilerplate: bool = False) -> Any:
    """Pairs of documents sharing at least ``min_shared`` fingerprints: an (m, 3) int64 array (a, b, shared), a < b.

    ``fps`` and ``docs`` are parallel arrays (one row per fingerprint of a document, unique per
    document; document ids are non-negative integers). Fingerprints held by more than
    ``max_postings`` documents are skipped (boilerplate of the whole corpus), and so are those held
    by more than ``max_group_postings`` documents of one group when ``groups`` is given (indexed by
    document id: the document's outlet number, negative for none): an outlet's own header, footer
    or disclaimer. With ``new_from``, only pairs with at least one document id >= ``new_from`` are
    returned; with ``involved`` (booleans indexed by document id), only pairs with at least one
    involved document. With ``with_boilerplate``, returns (pairs, the skipped fingerprints, sorted)
    so that ``align`` can tell boilerplate next to a passage from the passage.
    """
    empty = np.empty((0, 3), dtype=np.int64)
    none = np.empty(0, dtype=np.uint64)
    if len(fps) < 2:
        return (empty, none) if with_boilerplate else empty
    fps_s, docs_s, starts, sizes = _posting_runs(fps, docs)
    if len(fps_s) == 0:
        return (empty, none) if with_boilerplate else empty
    keep = _kept_runs(docs_s, starts, sizes, groups, max_postings, max_group_postings)
    boilerplate = fps_s[starts[~keep]]  # sorted, since fps_s is
    starts, sizes = starts[keep], sizes[keep]
    if len(starts) == 0:
        return (empty, boilerplate) if with_boilerplate else empty
    width = np.int64(docs_s.max() + 1)
    keys: list[np.ndarray] = []
    # Pairs within each posting list, by offset: element k pairs with element k + d.
    for d in range(1, int(sizes.max())):
        has = sizes > d
        s, z = starts[has], sizes[has]
        lengths = z - d  # every i in [s, s + z - d) pairs with i + d
        idx = np.repeat(s - np.cumsum(np.concatenate(([0], lengths[:-1]))), lengths) + np.arange(lengths.sum())
        x, y = docs_s[idx], docs_s[idx + d]
        a, b = np.minimum(x, y), np.maximum(x, y)
        if new_from:
            mask = b >= new_from
            a, b = a[mask], b[mask]
        if involved is not None:
            mask = involved[a] | involved[b]
            a, b = a[mask], b[mask]
        keys.append(a * width + b)
    pair_keys, counts = np.unique(np.concatenate(keys), return_counts=True)
    good = (counts >= min_shared) & (pair_keys // width != pair_keys % width)
    pair_keys, counts = pair_keys[good], counts[good]
    pairs = np.stack((pair_keys // width, pair_keys % width, counts), axis=1)
    return (pairs, boilerplate) if with_boilerplate else pairs


def _group_boilerplate(docs: np.ndarray, starts: np.ndarray, sizes: np.ndarray, groups: np.ndarray,
                       limit: int) -> np.ndarray:
    """For each posting list (run), whether one group holds it in more than ``limit`` documents."""
    flagged = np.zeros(len(starts), dtype=bool)
    big = np.flatnonzero(sizes > limit)  # only these can break the limit
    if len(big) == 0:
        return flagged
    run = np.repeat(big, sizes[big])
    rows = np.repeat(starts[big] - np.cumsum(np.concatenate(([0], sizes[big][:-1]))), sizes[big]) + \
        np.arange(sizes[big].sum())
    grp = groups[docs[rows]]
    known = grp >= 0
    run, grp = run[known], grp[known]
    if len(run) == 0:
        return flagged
    order = np.lexsort((grp, run))
    run, grp = run[order], grp[order]
    change = np.flatnonzero((run[1:] != run[:-1]) | (grp[1:] != grp[:-1])) + 1
    first = np.concatenate(([0], change))
    counts = np.diff(np.concatenate((first, [len(run)])))
    flagged[run[first[counts > limit]]] = True
    return flagged


def align(a: Tokens, b: Tokens, *, seed: int = DEFAULTS.seed, gap: int = DEFAULTS.gap, max_shift: int = DEFAULTS.max_shift,
          min_words: int = DEFAULTS.min_passage_words, min_score: float = DEFAULTS.min_score,
          a_text: str | None = None, b_text: str | None = None, boilerplate: np.ndarray | None = None,
          n: int = DEFAULTS.ngram, window: int = DEFAULTS.window) -> Alignment:
    """The passages ``a`` and ``b`` share, with token spans and character offsets on both sides.

    ``boilerplate`` (fingerprints ``candidate_pairs`` skipped, sorted) marks text many articles carry: a
    passage with fewer than ``min_words`` words outside it on either side is dropped (an outlet's
    header next to two body words that happen to agree is no reuse).
    """
    result = Alignment(a_tokens=len(a.hashes), b_tokens=len(b.hashes))
    ga, gb = ngram_hashes(a.hashes, seed), ngram_hashes(b.hashes, seed)
    common = np.intersect1d(ga, gb)
    if len(common) == 0:
        return result
    ia = np.flatnonzero(np.isin(ga, common))
    ib = np.flatnonzero(np.isin(gb, common))
    positions_b: dict[int, list[int]] = defaultdict(list)
    for j, h in zip(ib.tolist(), gb[ib].tolist(), strict=True):
        positions_b[h].append(j)
    count_a: dict[int, int] = defaultdict(int)
    for h in ga[ia].tolist():
        count_a[h] += 1
    # chains: [start_i, start_j, last_i, last_j, covered_words]
    chains: list[list[int]] = []
    open_chains: list[list[int]] = []
    reach = seed + gap
    for i, h in zip(ia.tolist(), ga[ia].tolist(), strict=True):
        js = positions_b[h]
        if len(js) > 3 or count_a[h] > 3:  # a phrase the text repeats: no evidence of alignment
            continue
        open_chains = [c for c in open_chains if i - c[2] <= reach]
        for j in js:
            best, best_cost = None, None
            for c in open_chains:
                di, dj = i - c[2], j - c[3]
                if 0 < di <= reach and 0 < dj <= reach and abs(di - dj) <= max_shift:
                    cost = di + dj
                    if best_cost is None or cost < best_cost:
                        best, best_cost = c, cost
            if best is None:
                chain = [i, j, i, j, seed]
                chains.append(chain)
                open_chains.append(chain)
            else:
                best[4] += min(seed, i - best[2])
                best[2], best[3] = i, j
    mask_a = _boilerplate_mask(a.hashes, boilerplate, n, window)
    mask_b = _boilerplate_mask(b.hashes, boilerplate, n, window)
    for si, sj, li, lj, covered in chains:
        words = li + seed - si
        if words < min_words or covered / words < min_score:
            continue
        if mask_a is not None and mask_b is not None and min(
                words - int(mask_a[si: li + seed].sum()), lj + seed - sj - int(mask_b[sj: lj + seed].sum())) < min_words:
            continue
        a_end, b_end = int(a.ends[li + seed - 1]), int(b.ends[lj + seed - 1])
        if a_text is not None and b_text is not None:
            a_end, b_end = _close(a_text, a_end, b_text, b_end)
        result.passages.append(Passage(int(a.starts[si]), a_end, int(b.starts[sj]), b_end, words,
                                       round(covered / words, 4), (si, li + seed), (sj, lj + seed)))
    result.passages.sort(key=lambda p: p.a_start)
    return result


def _boilerplate_mask(hashes: np.ndarray, boilerplate: np.ndarray | None, n: int, window: int) -> np.ndarray | None:
    """Tokens inside boilerplate: covered by one of the text's own (winnowed) fingerprints that is
    boilerplate, or between two of them at most ``window`` n-grams apart (winnowing picks one in
    every window of a shared run). Only the text's own fingerprints count, so the mask changes only
    when one of them changes status: what an incremental run recomputes."""
    if boilerplate is None or len(boilerplate) == 0:
        return None
    grams = ngram_hashes(hashes, n)
    if len(grams) <= window:
        chosen = np.arange(len(grams))
    else:
        views = np.lib.stride_tricks.sliding_window_view(grams, window)
        chosen = np.unique(views.argmin(axis=1) + np.arange(len(views)))
    # boilerplate is sorted (candidate_pairs returns it so): a binary search, not a sort per call
    picked = grams[chosen]
    at = np.minimum(np.searchsorted(boilerplate, picked), len(boilerplate) - 1)
    positions = chosen[boilerplate[at] == picked].tolist()
    mask = np.zeros(len(hashes), dtype=bool)
    for k, p in enumerate(positions):
        nxt = positions[k + 1] if k + 1 < len(positions) else None
        end = nxt if nxt is not None and nxt - p <= window else p
        mask[p: end + n] = True
    return mask


def _close(a_text: str, a_end: int, b_text: str, b_end: int) -> tuple[int, int]:
    """Extend both passage ends over the closing punctuation they share (the full stop, a quote)."""
    while (a_end < len(a_text) and b_end < len(b_text) and a_text[a_end] == b_text[b_end]
           and a_text[a_end] in _TRAILING):
        a_end, b_end = a_end + 1, b_end + 1
    return a_end, b_end


# -- direction --------------------------------------------------------------------------------

_OUTLET_NOISE = re.compile(r"^(?:https?://)?(?:www\.)?|\.(?:com|org|net|de|ru|co\.uk|info)(?:/.*)?$|^the\s+", re.I)


def outlet_key(name: str | None) -> str:
    if not name:
        return ""
    return re.sub(r"[^\w]+", "", _OUTLET_NOISE.sub("", name.strip().lower())).lower()


def outlet_matches(statement: str | None, outlet: str | None) -> bool:
    """Does a ``republished_from`` statement name this outlet ("DW" ~ "dw.com", "The Moscow Times" ~ "Moscow Times")?"""
    s, o = outlet_key(statement), outlet_key(outlet)
    if not s or not o:
        return False
    return s == o or (min(len(s), len(o)) >= 4 and (s in o or o in s))


#: confidence of the rung that decided the direction
RUNG_CONFIDENCE = {"statement": 0.95, "date": 0.8, "containment": 0.6, "republication": 0.4, "order": 0.2}
RUNGS = tuple(RUNG_CONFIDENCE)


def infer_direction(a: dict[str, Any], b: dict[str, Any], alignment: Alignment, *,
                    min_words: int = DEFAULTS.min_passage_words) -> tuple[bool, float, dict[str, Any]]:
    """Which of two articles sharing passages is the source: (a_is_source, confidence, evidence).

    ``a`` and ``b`` are dicts with ``outlet``, ``published``, ``republished_from`` and ``order``
    (the ingest order, articles.rowid). The rungs, strongest first; the first that speaks decides:

    - **statement**: one article's ``republished_from`` names the other's outlet -> the other is
      the source.
    - **date**: both ``published`` and different -> the earlier is the source.
    - **containment**: the side with shared-passage material the other lacks *between* its passages
      (a paragraph the other cut, >= ``min_words`` words, while the other side has almost
      none) is the source; a short text almost wholly inside a longer one it covers under half of
      (an excerpt) has the longer one as source. Boilerplate a republisher adds at the top or
      bottom is outside the passages and does not count, so it cannot make a republisher the source.
    - **republication**: one article states a republication naming a third party and the other
      states none -> the stating one is the republisher (weak: both may copy the same original).
    - **order**: the article ingested first (weak; confidence 0.2).

    Every rung's verdict goes into the evidence; each of statement, date and containment that
    contradicts the decision lowers the confidence by 0.15.
    """
    votes: dict[str, int] = {}  # rung -> +1 (a is source) / -1 (b is source)
    evidence: dict[str, Any] = {}
    a_names_b = outlet_matches(a.get("republished_from"), b.get("outlet"))
    b_names_a = outlet_matches(b.get("republished_from"), a.get("outlet"))
    if a_names_b != b_names_a:
        votes["statement"] = -1 if a_names_b else 1
        evidence["statement"] = {"article": "a" if a_names_b else "b",
                                 "republished_from": (a if a_names_b else b).get("republished_from")}
    elif bool(a.get("republished_from")) != bool(b.get("republished_from")) and not (a_names_b or b_names_a):
        votes["republication"] = -1 if a.get("republished_from") else 1
        evidence["republication"] = {"article": "a" if a.get("republished_from") else "b",
                                     "republished_from": a.get("republished_from") or b.get("republished_from")}
    da, db = a.get("published"), b.get("published")
    evidence["published"] = {"a": da, "b": db}
    if da and db and da != db:
        votes["date"] = 1 if da < db else -1
    cov_a, cov_b = alignment.coverage("a"), alignment.coverage("b")
    inner_a, inner_b = alignment.inner_unshared("a"), alignment.inner_unshared("b")
    evidence["coverage"] = {"a": round(cov_a, 3), "b": round(cov_b, 3)}
    evidence["inner_unshared_words"] = {"a": inner_a, "b": inner_b}
    slack = min_words // 3
    if inner_a >= min_words and inner_b <= slack:
        votes["containment"] = 1
    elif inner_b >= min_words and inner_a <= slack:
        votes["containment"] = -1
    elif cov_b >= 0.8 and cov_a < 0.5:
        votes["containment"] = 1  # b is an excerpt of a
    elif cov_a >= 0.8 and cov_b < 0.5:
        votes["containment"] = -1
    votes["order"] = 1 if a.get("order", 0) <= b.get("order", 0) else -1
    decided = next(rung for rung in RUNGS if rung in votes)
    a_is_source = votes[decided] > 0
    confidence = RUNG_CONFIDENCE[decided]
    # only the strong rungs count against a decision: a third-party republication note or the
    # ingest order says little about these two articles
    contradicting = [r for r in ("statement", "date", "containment") if r in votes and votes[r] != votes[decided]]
    confidence = max(0.05, confidence - 0.15 * len(contradicting))
    evidence["votes"] = {rung: ("a" if v > 0 else "b") for rung, v in votes.items()}
    evidence["decided_by"] = decided
    if contradicting:
        evidence["contradicted_by"] = contradicting
    return a_is_source, round(confidence, 2), evidence


class Link(NamedTuple):
    """A reuse pair as the clustering sees it."""

    source: str
    target: str
    kind: str
    coverage_source: float
    coverage_target: float


def lineage_links(pairs: Sequence[Link], spans: Iterable[tuple[str, str, int, int, int, int]], *,
                  repost_coverage: float = DEFAULTS.repost_coverage, lineage_coverage: float = DEFAULTS.lineage_coverage,
                  max_passage_articles: int = DEFAULTS.max_passage_articles) -> list[Link]:
    """The pairs that say where a text came from: the links reuse clusters are made of.

    Every pair is a fact (two articles share passages), but a small shared passage, such as an
    author's bio, a disclaimer or one quoted paragraph, says nothing of lineage and must not chain
    articles into a cluster. A pair is a lineage link when it is

    - a **repost** (both sides mostly shared), or
    - a **partial** copy whose passages cover at least ``lineage_coverage`` of the copy (the
      target), and whose copied passage is not one that many unrelated articles carry: the articles
      sharing an overlapping passage of the copy, counted once per repost group (a story and its
      reposts are one), are at most ``max_passage_articles``. When the source is mostly inside the
      copy (``coverage_source >= repost_coverage``), the passage is the source itself and is kept.

    ``spans`` are the passages: (source, target, source_start, source_end, target_start, target_end).
    """
    strong = components([(p.source, p.target) for p in pairs if p.kind == "repost"])
    # every article's passages, as (start, end, partner) on its own text
    regions: dict[str, list[tuple[int, int, str]]] = defaultdict(list)
    own: dict[tuple[str, str], list[tuple[int, int]]] = defaultdict(list)
    for source, target, s0, s1, t0, t1 in spans:
        regions[source].append((s0, s1, target))
        regions[target].append((t0, t1, source))
        own[(source, target)].append((t0, t1))
    links = []
    for p in pairs:
        if p.kind == "repost":
            links.append(p)
            continue
        if p.coverage_target < lineage_coverage:
            continue
        if p.coverage_source < repost_coverage:
            carriers = {strong.get(partner, partner)
                        for t0, t1 in own[(p.source, p.target)]
                        for r0, r1, partner in regions[p.target]
                        if min(t1, r1) - max(t0, r0) >= min(t1 - t0, r1 - r0) / 2}
            if len(carriers) > max_passage_articles:
                continue
        links.append(p)
    return links


def components(edges: Sequence[tuple[Any, Any]]) -> dict[Any, Any]:
    """Connected components: node -> smallest node of its component."""
    parent: dict[Any, Any] = {}

    def find(x: Any) -> Any:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in edges:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    return {node: find(node) for node in list(parent)}
