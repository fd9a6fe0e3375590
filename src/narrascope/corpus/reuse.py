"""Text reuse and syndication: shared passages, reuse clusters, the original and the outlet graph.

``update_reuse`` fingerprints the articles added since the last run (the watermark), looks their
fingerprints up in the persistent index (``reuse_fingerprints``) and among themselves, aligns each
candidate pair (``reuse_core.align``), infers which side is the source (``reuse_core.infer_direction``)
and writes the pairs and passages; existing pairs are kept. Clusters and the outlet graph are then
rebuilt from all pairs, which is cheap. ``full=True`` (or a new analysis version) starts from an
empty index.

An incremental run equals a full one: whether a fingerprint is boilerplate depends on how many
articles (and how many of one outlet) hold it, so when new articles (or a superseded version's
removal) change a fingerprint's status, every older article holding it has its pairs redone.
Clusters are made of lineage links only (``reuse_core.lineage_links``): a pair sharing a bio or a
quoted paragraph stays a pair but joins no cluster, so its source is no "original" of the copy.

The CLI verbs (``narrascope reuse``, ``narrascope reuse show ID``) register through the plugin seam.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import StoreError
from ..plugins import hookimpl
from ..runners import SerialRunner
from . import (
    Column,
    Index,
    Migration,
    MigrationSet,
    TableSpec,
    batched,
    derived_state,
    new_articles,
    record_state,
    superseded_rowids,
)
from . import reuse_core as core
from . import translation as tr

if TYPE_CHECKING:
    from ..runners import Runner
    from ..settings import Settings
    from ..store import Store

__all__ = ["ReuseAnalysis", "update_reuse"]

NAME = "reuse"
VERSION = "reuse.v3"  # v3: translations; characters as tokens in Chinese and Japanese
_LOOKUP_CHUNK = 500
#: articles per fingerprinting task, and candidate pairs per alignment task on a distributed runner
#: (a serial run aligns all pairs in one task, so each article is tokenised once)
FINGERPRINT_CHUNK = 500
ALIGN_CHUNK = 1000
#: articles per sentence-embedding task (the encoder's work: about 50 ms a sentence on one core)
EMBED_CHUNK = 20

Progress = Callable[[int], Iterator[object]]

TABLES = (
    TableSpec(
        "reuse_pairs",
        (
            Column("source", "TEXT", "article id of the likely original (the side the text spread from)", not_null=True),
            Column("target", "TEXT", "article id of the republisher or the article quoting the source", not_null=True),
            Column("kind", "TEXT", "repost (both sides at least reuse.repost_coverage shared), partial, or translation"
                                   " (the target translates the source, whole or passages; other languages)",
                   not_null=True),
            Column("passages", "INTEGER", "number of shared passages (rows in reuse_passages)", not_null=True),
            Column("shared_words", "INTEGER", "words of the source inside shared passages", not_null=True),
            Column("coverage_source", "REAL", "share of the source's words inside shared passages (0-1)", not_null=True),
            Column("coverage_target", "REAL", "share of the target's words inside shared passages (0-1)", not_null=True),
            Column("score", "REAL", "similarity of the shared passages: share of their words in exactly shared"
                                    " runs, weighted by passage length (1.0: verbatim); for a translation, the mean"
                                    " encoder similarity of its aligned sentences", not_null=True),
            Column("confidence", "REAL", "confidence in the direction: 0.95 statement, 0.8 date, 0.6 containment, 0.4 republication,"
                                         " 0.2 ingest order; minus 0.15 per rung that disagrees", not_null=True),
            Column("direction_evidence", "JSON", "the evidence: published dates, coverage and unshared inner words"
                                                 " of each side, each rung's vote (source|target), decided_by;"
                                                 " for a translation also languages [source, target]", not_null=True),
        ),
        "Pairs of articles sharing at least one passage, directed original -> republisher.",
        indexes=(Index("reuse_pairs_articles", ("source", "target"), unique=True),
                 Index("reuse_pairs_target", ("target",))),
    ),
    TableSpec(
        "reuse_passages",
        (
            Column("source", "TEXT", "article id of the pair's source", not_null=True),
            Column("source_start", "INTEGER", "start offset of the passage in the source's text", not_null=True),
            Column("source_end", "INTEGER", "end offset (exclusive) in the source's text", not_null=True),
            Column("target", "TEXT", "article id of the pair's target", not_null=True),
            Column("target_start", "INTEGER", "start offset of the passage in the target's text", not_null=True),
            Column("target_end", "INTEGER", "end offset (exclusive) in the target's text", not_null=True),
            Column("words", "INTEGER", "words the passage spans in the source", not_null=True),
            Column("score", "REAL", "share of those words in exactly shared runs (1.0: verbatim)", not_null=True),
        ),
        "Shared passages with character offsets into both articles' text; for a translation, one row per"
        " aligned sentence pair (score: the two sentences' encoder similarity).",
        indexes=(Index("reuse_passages_source", ("source",)), Index("reuse_passages_target", ("target",))),
    ),
    TableSpec(
        "reuse_clusters",
        (
            Column("article", "TEXT", "article id", not_null=True, unique=True),
            Column("cluster", "INTEGER", "cluster number: the smallest articles.rowid among its members", not_null=True),
            Column("role", "TEXT", "original (the cluster's likely original) | republisher (target of a repost)"
                                   " | partial (target of a partial copy only) | source (target of no lineage link:"
                                   " another article the cluster's copies took text from)", not_null=True),
            Column("original", "TEXT", "article id of the cluster's likely original: the earliest member that is no"
                                       " lineage link's target", not_null=True),
            Column("size", "INTEGER", "number of articles in the cluster", not_null=True),
        ),
        "Reuse clusters: connected components of the lineage links among reuse_pairs (reposts, and partial"
        " copies covering at least reuse.lineage_coverage of the copy with a passage few other articles carry),"
        " with each member's role.",
        indexes=(Index("reuse_clusters_cluster", ("cluster",)),),
    ),
    TableSpec(
        "reuse_outlets",
        (
            Column("source_outlet", "TEXT", "outlet of the sources ('' when unknown)", not_null=True),
            Column("target_outlet", "TEXT", "outlet of the targets ('' when unknown)", not_null=True),
            Column("pairs", "INTEGER", "reuse pairs from source_outlet to target_outlet", not_null=True),
            Column("reposts", "INTEGER", "of which reposts", not_null=True),
            Column("partials", "INTEGER", "of which partial reuse", not_null=True),
        ),
        "The outlet graph the reuse pairs imply: who republishes whom, how often.",
        graph_role="edges",
    ),
)
#: The fingerprint index (internal, not exported): winnowed n-gram hash -> articles.rowid.
FINGERPRINTS = TableSpec(
    "reuse_fingerprints",
    (
        Column("hash", "INTEGER", "a winnowed n-gram hash", not_null=True),
        Column("article", "INTEGER", "articles.rowid of an article holding it", not_null=True),
    ),
    "The fingerprint index: which articles hold each winnowed n-gram hash.",
    indexes=(Index("reuse_fingerprints_hash", ("hash",)), Index("reuse_fingerprints_article", ("article",))),
    exported=False,
)
#: The anchor index of translation candidates (internal): numbers and name skeletons -> articles.rowid.
ANCHORS = TableSpec(
    "reuse_anchors",
    (
        Column("hash", "INTEGER", "an anchor's hash (a number or a name's consonant skeleton)", not_null=True),
        Column("article", "INTEGER", "articles.rowid of an article holding it", not_null=True),
    ),
    "The anchor index of translation candidates: which articles hold each number or name skeleton.",
    indexes=(Index("reuse_anchors_hash", ("hash",)), Index("reuse_anchors_article", ("article",))),
    exported=False,
)
#: Cached sentence embeddings (internal): computed once per article version and encoder.
SENTENCES = TableSpec(
    "reuse_sentences",
    (
        Column("article", "INTEGER", "articles.rowid", not_null=True, unique=True),
        Column("encoder", "TEXT", "the encoder that made the vectors (another one re-embeds)", not_null=True),
        Column("spans", "JSON", "the sentences' [start, end] character offsets in the article's text", not_null=True),
        Column("vectors", "BLOB", "their embeddings: float16, 384 per sentence, row-major", not_null=True),
    ),
    "Sentence embeddings of the articles that were translation candidates (a cache: incremental runs"
    " do not embed an article twice).",
    exported=False,
)
MIGRATIONS = MigrationSet(NAME, (Migration("tables", tables=(*TABLES, FINGERPRINTS)),
                                 Migration("translations", tables=(ANCHORS, SENTENCES))))


class ReuseAnalysis:
    name = NAME
    version = VERSION
    tables = TABLES
    migrations = MIGRATIONS
    inputs = ("articles.text", "articles.outlet", "articles.published", "articles.record.republished_from",
              "articles.language", "settings.reuse")

    def update(self, store: Store, settings: Settings, *, full: bool = False,
               progress: Progress | None = None) -> dict[str, Any]:
        return update_reuse(store, settings, full=full, progress=progress)


def _parameters(settings: Settings) -> dict[str, Any]:
    """The ``[reuse]`` settings as a dict (recorded as the run's inputs: a change means a full run)."""
    return asdict(settings.reuse)


def _ticker(progress: Progress | None, total: int) -> Callable[[], object]:
    """A function that advances the progress bar by one (a no-op without one)."""
    if progress is None or total == 0:
        return lambda: None
    bar = iter(progress(total))
    return lambda: next(bar, None)


def update_reuse(store: Store, settings: Settings, *, full: bool = False,
                 progress: Progress | None = None, runner: Runner | None = None,
                 chunk_size: int | None = None) -> dict[str, Any]:
    """Bring the reuse tables up to date with the store; return a JSON-ready summary.

    The ``[reuse]`` section of ``settings`` gives the parameters. The articles are read and compared
    outside any transaction (ingest and readers go on); the rows are written in one short
    transaction. If another ``reuse`` run recorded its results meanwhile, this one's are discarded
    and the update starts again from that run's watermark.

    The heavy pure parts, fingerprinting the new articles and aligning the candidate pairs, run on
    ``runner`` (default: here, serially; a ``DaskRunner`` for a cluster), ``chunk_size`` articles
    or pairs per task (default ``FINGERPRINT_CHUNK`` articles; ``ALIGN_CHUNK`` pairs given a runner,
    else all pairs in one). The candidate search and every read and write of the store stay in this
    process, and the tables do not depend on the runner or the chunk size.
    """
    for _attempt in range(3):
        summary = _update_once(store, settings, full=full, progress=progress, runner=runner,
                               chunk_size=chunk_size)
        if summary is not None:
            return summary
        full = False
    raise StoreError("reuse: other `narrascope reuse` runs kept updating the store meanwhile; try again",
                     code="NS501")


def _update_once(store: Store, settings: Settings, *, full: bool, progress: Progress | None,
                 runner: Runner | None, chunk_size: int | None) -> dict[str, Any] | None:
    params = _parameters(settings)
    distributed = runner is not None
    runner = runner or SerialRunner()
    state = derived_state(store, NAME)
    seen = (state.computed_at, state.watermark) if state else None
    if state is None or state.version != VERSION or (state.inputs.get("settings.reuse") != params):
        full = True
    after = 0 if full else state.watermark  # type: ignore[union-attr]

    # 1. fingerprint the new articles (outside any transaction: readers and ingest keep going)
    new: dict[int, dict[str, Any]] = {}
    texts: dict[int, str] = {}
    fp_list: list[np.ndarray] = []
    doc_list: list[np.ndarray] = []
    outlet_numbers: dict[str, int] = {}
    outlet_of: dict[int, int] = {}
    rows = list(new_articles(store, after))
    tick = _ticker(progress, len(rows))
    for rowid, record in rows:
        new[rowid] = _meta(rowid, record)
        texts[rowid] = record.get("text") or ""
        outlet_of[rowid] = _outlet_number(outlet_numbers, new[rowid]["outlet"])
    fingerprint = partial(core.fingerprint_texts, n=params["ngram"], window=params["window"])
    keys = list(new)
    computed = runner.map(fingerprint, batched([texts[rowid] for rowid in keys], chunk_size or FINGERPRINT_CHUNK))
    for rowid, fps in zip(keys, (fps for chunk in computed for fps in chunk), strict=True):
        fp_list.append(fps)
        doc_list.append(np.full(len(fps), rowid, dtype=np.int64))
        tick()
    watermark = max(new, default=after)
    new_fps = np.concatenate(fp_list) if fp_list else np.empty(0, dtype=np.uint64)
    new_docs = np.concatenate(doc_list) if doc_list else np.empty(0, dtype=np.int64)

    # 2. candidates among the new articles and against the index. An incremental run also redoes
    # every pair of an older article one of whose fingerprints changed status (became boilerplate
    # or stopped being it, as new articles came or old versions went): then its pairs equal a
    # full run's.
    if full:
        old_fps, old_docs = np.empty(0, dtype=np.uint64), np.empty(0, dtype=np.int64)
        affected: set[int] = set()
        global_boilerplate = None
    else:
        old_fps, old_docs, affected, global_boilerplate = _incremental_postings(
            store, new_fps, new_docs, after=after, params=params, outlet_numbers=outlet_numbers, outlet_of=outlet_of)
    all_docs = np.concatenate((old_docs, new_docs))
    groups = np.full(int(all_docs.max(initial=0)) + 1, -1, dtype=np.int64)
    for rowid, number in outlet_of.items():
        if rowid < len(groups):
            groups[rowid] = number
    involved = np.zeros(len(groups), dtype=bool)
    involved[[r for r in (*new, *affected) if r < len(groups)]] = True
    candidates, boilerplate = core.candidate_pairs(
        np.concatenate((old_fps, new_fps)), all_docs, groups=groups, min_shared=params["min_shared_fingerprints"],
        max_postings=params["max_postings"], max_group_postings=params["max_outlet_postings"],
        involved=None if full else involved, with_boilerplate=True)
    if global_boilerplate is not None:
        boilerplate = global_boilerplate
    for rowid in {int(x) for x in candidates[:, :2].ravel()} - new.keys():
        meta, text = _load(store, rowid)
        if meta is not None:
            new[rowid], texts[rowid] = meta, text
    redone = [new[r]["id"] if r in new else _article_id(store, r) for r in sorted(affected)]

    # 3. align and direct every candidate pair, chunk by chunk on the runner, in candidate order
    pairs: list[tuple[Any, ...]] = []
    passages: list[tuple[Any, ...]] = []
    tick = _ticker(progress, len(candidates))
    todo = []
    for a, b, _shared in candidates.tolist():
        if a in new and b in new:
            todo.append((a, b))
        else:
            tick()  # an article that was superseded meanwhile
    size = chunk_size or (ALIGN_CHUNK if distributed else max(1, len(todo)))

    def chunks() -> Iterator[AlignChunk]:
        for chunk in batched(todo, size):
            held = sorted({rowid for pair in chunk for rowid in pair})
            yield AlignChunk(chunk, {r: texts[r] for r in held}, {r: new[r] for r in held}, boilerplate, params)

    for results in runner.map(align_chunk, chunks()):
        for found in results:
            tick()
            if found is not None:
                pairs.append(found[0])
                passages.extend(found[1])

    # 3b. translations: anchors of the new articles, candidates in other languages, the encoder on them
    translated = _Translations()
    if params["translation"]:
        translated = _translations(store, runner, rows=[r for r, _ in rows], new=new, texts=texts, after=after,
                              full=full, params=params, same_language={(p[0], p[1]) for p in pairs},
                              chunk_size=chunk_size)

    # 4. write: pairs, passages, the index, then clusters and the outlet graph from all pairs
    with store.transaction():
        now_state = derived_state(store, NAME)
        if ((now_state.computed_at, now_state.watermark) if now_state else None) != seen:
            return None  # another run wrote meanwhile (the transaction ends with nothing written)
        if full:
            for table in ("reuse_pairs", "reuse_passages", "reuse_fingerprints", "reuse_anchors"):
                store.conn.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed names
        _drop_superseded(store)
        for chunk in batched([r for r in redone if r], _LOOKUP_CHUNK):
            # a changed fingerprint redoes same-language pairs only: translations do not use fingerprints
            marks = ",".join("?" * len(chunk))
            store.conn.execute(
                f"DELETE FROM reuse_passages WHERE (source IN ({marks}) OR target IN ({marks})) AND NOT EXISTS"  # noqa: S608
                " (SELECT 1 FROM reuse_pairs p WHERE p.source = reuse_passages.source AND p.target ="
                " reuse_passages.target AND p.kind = 'translation')", (*chunk, *chunk))
            store.conn.execute(f"DELETE FROM reuse_pairs WHERE (source IN ({marks}) OR target IN ({marks}))"  # noqa: S608
                               " AND kind != 'translation'", (*chunk, *chunk))
        # a translation never replaces a same-language pair of the same two articles (found earlier)
        held = _existing_pairs(store, [(p[0], p[1]) for p in translated.pairs])
        pairs += [p for p in translated.pairs if frozenset(p[:2]) not in held]
        passages += [p for p in translated.passages if frozenset((p[0], p[3])) not in held]
        store.conn.executemany(
            "INSERT OR REPLACE INTO reuse_pairs (source, target, kind, passages, shared_words, coverage_source,"
            " coverage_target, score, confidence, direction_evidence) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", pairs)
        store.conn.executemany(
            "INSERT INTO reuse_passages (source, source_start, source_end, target, target_start, target_end, words,"
            " score) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", passages)
        store.conn.executemany("INSERT INTO reuse_fingerprints (hash, article) VALUES (?, ?)",
                               zip(new_fps.view(np.int64).tolist(), new_docs.tolist(), strict=True))
        store.conn.executemany("INSERT INTO reuse_anchors (hash, article) VALUES (?, ?)", translated.anchors)
        store.conn.executemany(
            "INSERT OR REPLACE INTO reuse_sentences (article, encoder, spans, vectors) VALUES (?, ?, ?, ?)",
            translated.sentences)
        clusters = _rebuild_clusters(store, params)
        _rebuild_outlets(store)
        total_pairs = store.conn.execute("SELECT COUNT(*) FROM reuse_pairs").fetchone()[0]
        covered = store.conn.execute("SELECT COUNT(DISTINCT article) FROM reuse_fingerprints").fetchone()[0]
        record_state(store, NAME, VERSION, inputs={"settings.reuse": params}, watermark=watermark,
                     articles=covered)
    return {
        "analysis": NAME, "version": VERSION, "full": full, "new_articles": len(rows),
        "candidates": len(candidates), "redone_articles": len(affected), "new_pairs": len(pairs), "new_passages": len(passages),
        "pairs": total_pairs, "clusters": clusters, "watermark": watermark, "articles": covered,
        "translation_candidates": translated.candidates, "new_translations": len(translated.pairs),
        "embedded_articles": translated.embedded,
    }


@dataclass
class _Translations:
    """What the translation step found: rows to write and counts for the summary."""

    pairs: list[tuple[Any, ...]] = field(default_factory=list)
    passages: list[tuple[Any, ...]] = field(default_factory=list)
    anchors: list[tuple[int, int]] = field(default_factory=list)
    sentences: list[tuple[int, str, str, bytes]] = field(default_factory=list)
    candidates: int = 0
    embedded: int = 0


def _translations(store: Store, runner: Runner, *, rows: list[int], new: dict[int, dict[str, Any]],
                  texts: dict[int, str], after: int, full: bool, params: dict[str, Any],
                  same_language: set[tuple[str, str]], chunk_size: int | None) -> _Translations:
    """Translation pairs involving the new articles (``translation`` module): anchors, candidates
    against the anchor index and among the new articles, sentence embeddings (cached), alignment,
    direction. Anchoring and embedding run on ``runner``; the rest here."""
    found = _Translations()
    computed = runner.map(tr.anchor_texts, batched([texts[r] for r in rows], chunk_size or FINGERPRINT_CHUNK))
    hash_list: list[np.ndarray] = []
    doc_list: list[np.ndarray] = []
    for rowid, anchors in zip(rows, (a for chunk in computed for a in chunk), strict=True):
        hash_list.append(anchors)
        doc_list.append(np.full(len(anchors), rowid, dtype=np.int64))
    new_h = np.concatenate(hash_list) if hash_list else np.empty(0, dtype=np.int64)
    new_d = np.concatenate(doc_list) if doc_list else np.empty(0, dtype=np.int64)
    found.anchors = list(zip(new_h.tolist(), new_d.tolist(), strict=True))
    language: dict[int, str | None] = {r: new[r].get("language") for r in rows}
    old_h, old_d = np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    if not full and len(new_h):
        got_h: list[int] = []
        got_d: list[int] = []
        for chunk in batched(np.unique(new_h).tolist(), _LOOKUP_CHUNK):
            for h, article, lang in store.conn.execute(
                    "SELECT f.hash, f.article, a.language FROM reuse_anchors f JOIN articles a ON a.rowid = f.article"
                    f" WHERE f.hash IN ({','.join('?' * len(chunk))}) AND f.article <= ? AND a.latest = 1",  # noqa: S608
                    (*chunk, after)):
                got_h.append(h)
                got_d.append(article)
                language[article] = lang
        old_h, old_d = np.array(got_h, dtype=np.int64), np.array(got_d, dtype=np.int64)
    all_h, all_d = np.concatenate((old_h, new_h)), np.concatenate((old_d, new_d))
    if len(all_d) == 0:
        return found
    size = int(all_d.max()) + 1
    codes: dict[str, int] = {}
    languages = np.full(size, -1, dtype=np.int64)
    for rowid, lang in language.items():
        if lang and rowid < size:
            languages[rowid] = codes.setdefault(lang.lower(), len(codes))
    involved = None
    if not full:
        involved = np.zeros(size, dtype=bool)
        involved[[r for r in rows if r < size]] = True
    candidates = tr.candidate_pairs(all_h, all_d, languages, max_postings=params["translation_max_postings"],
                                    min_shared=params["translation_min_anchors"],
                                    min_weight=params["translation_min_weight"],
                                    per_language=params["translation_candidates"], involved=involved)
    found.candidates = len(candidates)
    if not len(candidates):
        return found
    for rowid in {int(x) for x in candidates.ravel()} - new.keys():
        meta, text = _load(store, rowid)
        if meta is not None:
            new[rowid], texts[rowid] = meta, text
    todo = [(a, b) for a, b in candidates.tolist() if a in new and b in new
            and (new[a]["id"], new[b]["id"]) not in same_language and (new[b]["id"], new[a]["id"]) not in same_language]
    needed = sorted({r for pair in todo for r in pair})
    embedded: dict[int, tuple[list[tuple[int, int]], np.ndarray]] = {}
    for chunk in batched(needed, _LOOKUP_CHUNK):
        for article, spans, blob in store.conn.execute(
                f"SELECT article, spans, vectors FROM reuse_sentences WHERE article IN ({','.join('?' * len(chunk))})"  # noqa: S608
                " AND encoder = ?", (*chunk, tr.ENCODER)):
            held = [tuple(span) for span in json.loads(spans)]
            embedded[article] = (held, np.frombuffer(blob, dtype=np.float16).reshape(len(held), -1))
    missing = [r for r in needed if r not in embedded]
    results = runner.map(tr.embed_texts, batched([texts[r] for r in missing], chunk_size or EMBED_CHUNK))
    for rowid, (spans, vectors) in zip(missing, (x for chunk in results for x in chunk), strict=True):
        embedded[rowid] = (spans, vectors)
        found.sentences.append((rowid, tr.ENCODER, json.dumps(spans), vectors.astype(np.float16).tobytes()))
    found.embedded = len(missing)
    for a, b in todo:
        (sa, va), (sb, vb) = embedded[a], embedded[b]
        alignment = tr.translation_alignment(
            texts[a], sa, va, texts[b], sb, vb, threshold=params["translation_threshold"],
            min_sentences=params["translation_min_sentences"], min_coverage=params["translation_min_coverage"],
            partial_coverage=params["translation_partial_coverage"],
            partial_similarity=params["translation_partial_similarity"],
            partial_sentences=params["translation_partial_sentences"])
        if alignment is None:
            continue
        a_is_source, confidence, evidence = core.infer_direction(new[a], new[b], alignment,
                                                                 min_words=params["min_passage_words"])
        pair, passage_rows = _oriented(new[a], new[b], alignment, a_is_source, confidence, evidence, params,
                                       translation=True)
        found.pairs.append(pair)
        found.passages.extend(passage_rows)
    return found


def _existing_pairs(store: Store, keys: list[tuple[str, str]]) -> set[frozenset[str]]:
    """Of these article pairs (either direction), those the store already holds as a same-language pair."""
    held: set[frozenset[str]] = set()
    ids = sorted({x for key in keys for x in key})
    for chunk in batched(ids, _LOOKUP_CHUNK):
        marks = ",".join("?" * len(chunk))
        for source, target in store.conn.execute(
                f"SELECT source, target FROM reuse_pairs WHERE (source IN ({marks}) OR target IN ({marks}))"  # noqa: S608
                " AND kind != 'translation'", (*chunk, *chunk)):
            held.add(frozenset((source, target)))
    wanted = {frozenset(key) for key in keys}
    return held & wanted


@dataclass(frozen=True)
class AlignChunk:
    """A chunk of candidate pairs (article rowids) with what aligning them needs: the texts and
    metadata of the articles they join, the corpus's boilerplate fingerprints and the parameters."""

    pairs: list[tuple[int, int]]
    texts: dict[int, str]
    metas: dict[int, dict[str, Any]]
    boilerplate: np.ndarray
    params: dict[str, Any]


def align_chunk(chunk: AlignChunk) -> list[tuple[tuple[Any, ...], list[tuple[Any, ...]]] | None]:
    """Per candidate pair, in order: (the pair row, its passage rows) as written, or None when the
    two share no passage. Pure, so a runner may call it anywhere (a Dask worker)."""
    params = chunk.params
    token_cache: dict[int, core.Tokens] = {}

    def toks(rowid: int) -> core.Tokens:
        if rowid not in token_cache:
            token_cache[rowid] = core.tokens(chunk.texts[rowid])
        return token_cache[rowid]

    results: list[tuple[tuple[Any, ...], list[tuple[Any, ...]]] | None] = []
    for a, b in chunk.pairs:
        alignment = core.align(toks(a), toks(b), seed=params["seed"], gap=params["gap"], max_shift=params["max_shift"],
                               min_words=params["min_passage_words"], min_score=params["min_score"],
                               a_text=chunk.texts[a], b_text=chunk.texts[b], boilerplate=chunk.boilerplate,
                               n=params["ngram"], window=params["window"])
        if not alignment.passages:
            results.append(None)
            continue
        a_is_source, confidence, evidence = core.infer_direction(chunk.metas[a], chunk.metas[b], alignment,
                                                                 min_words=params["min_passage_words"])
        results.append(_oriented(chunk.metas[a], chunk.metas[b], alignment, a_is_source, confidence, evidence,
                                 params))
    return results


def _meta(rowid: int, record: dict[str, Any]) -> dict[str, Any]:
    return {"rowid": rowid, "order": rowid, "id": record["id"], "outlet": record.get("outlet"),
            "published": record.get("published"), "republished_from": record.get("republished_from"),
            "title": record.get("title"), "language": record.get("language")}


def _load(store: Store, rowid: int) -> tuple[dict[str, Any] | None, str]:
    row = store.conn.execute("SELECT record FROM articles WHERE rowid = ? AND latest = 1", (rowid,)).fetchone()
    if row is None:
        return None, ""
    (stored,) = row
    record = json.loads(stored)
    return _meta(rowid, record), record.get("text") or ""


def _outlet_number(numbers: dict[str, int], outlet: str | None) -> int:
    if not outlet:
        return -1
    return numbers.setdefault(core.outlet_key(outlet), len(numbers))


def _postings(store: Store, hashes: np.ndarray, *, exclude_after: int, outlet_numbers: dict[str, int],
              outlet_of: dict[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """The index's postings (hash, article rowid) for these fingerprints; notes each article's outlet number."""
    found_h: list[int] = []
    found_d: list[int] = []
    signed = hashes.view(np.int64).tolist()
    for chunk in batched(signed, _LOOKUP_CHUNK):
        marks = ",".join("?" * len(chunk))
        for h, article, outlet in store.conn.execute(
                "SELECT f.hash, f.article, a.outlet FROM reuse_fingerprints f JOIN articles a ON a.rowid = f.article"
                f" WHERE f.hash IN ({marks}) AND f.article <= ?", (*chunk, exclude_after)):  # noqa: S608
            found_h.append(h)
            found_d.append(article)
            outlet_of[article] = _outlet_number(outlet_numbers, outlet)
    return (np.array(found_h, dtype=np.int64).view(np.uint64), np.array(found_d, dtype=np.int64))


def _article_id(store: Store, rowid: int) -> str | None:
    (article_id,) = store.conn.execute("SELECT id FROM articles WHERE rowid = ?", (rowid,)).fetchone() or (None,)
    return article_id


def _incremental_postings(store: Store, new_fps: np.ndarray, new_docs: np.ndarray, *, after: int,
                          params: dict[str, Any], outlet_numbers: dict[str, int], outlet_of: dict[int, int]
                          ) -> tuple[np.ndarray, np.ndarray, set[int], np.ndarray]:
    """What an incremental run compares: (the index's postings of every fingerprint of the new and
    the affected articles, the affected articles, the corpus's boilerplate fingerprints).

    A fingerprint's status (boilerplate or not) depends on how many articles, and how many of one
    outlet, hold it. Only fingerprints held by more articles than the lower cap can be boilerplate,
    so their postings (and the new articles') decide the status before and after this run. An
    older article holding a fingerprint whose status changed is *affected*: its pairs are redone.
    """
    stale = set(superseded_rowids(store, after))
    floor = min(params["max_postings"], params["max_outlet_postings"])
    heavy = [h for (h,) in store.conn.execute(
        "SELECT hash FROM reuse_fingerprints GROUP BY hash HAVING COUNT(*) > ?", (floor,))]
    watched = np.unique(np.concatenate((np.array(heavy, dtype=np.int64).view(np.uint64), new_fps)))
    w_fps, w_docs = _postings(store, watched, exclude_after=after, outlet_numbers=outlet_numbers,
                              outlet_of=outlet_of)
    size = int(max(w_docs.max(initial=0), new_docs.max(initial=0))) + 1
    groups = np.full(size, -1, dtype=np.int64)
    for rowid, number in outlet_of.items():
        if rowid < size:
            groups[rowid] = number
    caps = {"groups": groups, "max_postings": params["max_postings"],
            "max_group_postings": params["max_outlet_postings"]}
    before = core.boilerplate_fingerprints(w_fps, w_docs, **caps)
    live = ~np.isin(w_docs, list(stale)) if stale else np.ones(len(w_docs), dtype=bool)
    now = core.boilerplate_fingerprints(np.concatenate((w_fps[live], new_fps)),
                                        np.concatenate((w_docs[live], new_docs)), **caps)
    changed = np.setxor1d(before, now)
    affected = {int(d) for d in np.unique(w_docs[live & np.isin(w_fps, changed)])}
    lookup = [new_fps]
    for chunk in batched(sorted(affected), _LOOKUP_CHUNK):
        rows = store.conn.execute(
            f"SELECT hash FROM reuse_fingerprints WHERE article IN ({','.join('?' * len(chunk))})",  # noqa: S608
            chunk).fetchall()
        lookup.append(np.array([h for (h,) in rows], dtype=np.int64).view(np.uint64))
    needed = np.unique(np.concatenate(lookup))
    # the watched postings hold every new fingerprint's already; look up only the rest
    e_fps, e_docs = _postings(store, np.setdiff1d(needed, watched), exclude_after=after,
                              outlet_numbers=outlet_numbers, outlet_of=outlet_of)
    have = live & np.isin(w_fps, needed)
    old_fps, old_docs = np.concatenate((w_fps[have], e_fps)), np.concatenate((w_docs[have], e_docs))
    if stale:
        keep = ~np.isin(old_docs, list(stale))
        old_fps, old_docs = old_fps[keep], old_docs[keep]
    return old_fps, old_docs, affected, now


def _oriented(a: dict[str, Any], b: dict[str, Any], alignment: core.Alignment, a_is_source: bool,
              confidence: float, evidence: dict[str, Any], params: dict[str, Any], *,
              translation: bool = False) -> tuple[tuple[Any, ...], list[tuple[Any, ...]]]:
    """The pair row and passage rows, written source-first, evidence renamed a/b -> source/target.

    A ``translation`` pair is of that kind, scored by the plain mean of its sentences' similarities,
    and its evidence names both languages."""
    src, tgt = (a, b) if a_is_source else (b, a)
    side = {"a": "source", "b": "target"} if a_is_source else {"a": "target", "b": "source"}
    named = {}
    for key, value in evidence.items():
        if isinstance(value, dict) and set(value) <= {"a", "b"}:
            value = {side[k]: v for k, v in value.items()}
        elif key == "votes":
            value = {rung: side[v] for rung, v in value.items()}
        elif key in ("statement", "republication"):
            value = {**value, "article": side[value["article"]]}
        named[key] = value
    cov_s, cov_t = alignment.coverage("a"), alignment.coverage("b")
    if not a_is_source:
        cov_s, cov_t = cov_t, cov_s
    kind = "repost" if min(cov_s, cov_t) >= params["repost_coverage"] else "partial"
    score = alignment.score
    if translation:
        kind, score = "translation", round(sum(p.score for p in alignment.passages) / len(alignment.passages), 4)
        named["languages"] = [src.get("language"), tgt.get("language")]
    shared = alignment.shared_words if a_is_source else core._union(p.b_words for p in alignment.passages)
    pair = (src["id"], tgt["id"], kind, len(alignment.passages), shared, round(cov_s, 4), round(cov_t, 4),
            score, confidence, json.dumps(named, ensure_ascii=False, sort_keys=True))
    rows = []
    for p in alignment.passages:
        s_span, t_span = ((p.a_start, p.a_end), (p.b_start, p.b_end)) if a_is_source else \
            ((p.b_start, p.b_end), (p.a_start, p.a_end))
        words = p.words if a_is_source else p.b_words[1] - p.b_words[0]
        rows.append((src["id"], *s_span, tgt["id"], *t_span, words, p.score))
    return pair, rows


def _drop_superseded(store: Store) -> None:
    """Forget pairs and fingerprints of articles a newer version of their URL replaced."""
    stale = "SELECT id FROM articles WHERE latest = 0"
    store.conn.execute(f"DELETE FROM reuse_pairs WHERE source IN ({stale}) OR target IN ({stale})")  # noqa: S608
    store.conn.execute(f"DELETE FROM reuse_passages WHERE source IN ({stale}) OR target IN ({stale})")  # noqa: S608
    for table in ("reuse_fingerprints", "reuse_anchors", "reuse_sentences"):
        store.conn.execute(f"DELETE FROM {table} WHERE article IN (SELECT rowid FROM articles WHERE latest = 0)")  # noqa: S608


def _rebuild_clusters(store: Store, params: dict[str, Any]) -> int:
    """Clusters from all pairs: connected components of the lineage links (``core.lineage_links``),
    each member's role, and the cluster's likely original."""
    pairs = [core.Link(*row) for row in store.conn.execute(
        "SELECT source, target, kind, coverage_source, coverage_target FROM reuse_pairs")]
    ids = sorted({x for p in pairs for x in (p.source, p.target)})
    info: dict[str, tuple[int, str | None]] = {}
    for chunk in batched(ids, _LOOKUP_CHUNK):
        for article_id, rowid, published in store.conn.execute(
                f"SELECT id, rowid, published FROM articles WHERE id IN ({','.join('?' * len(chunk))})", chunk):  # noqa: S608
            info[article_id] = (rowid, published)
    pairs = [p for p in pairs if p.source in info and p.target in info]
    spans = store.conn.execute(
        "SELECT source, target, source_start, source_end, target_start, target_end FROM reuse_passages").fetchall()
    links = core.lineage_links(pairs, spans, repost_coverage=params["repost_coverage"],
                               lineage_coverage=params["lineage_coverage"],
                               max_passage_articles=params["max_passage_articles"])
    rowid_of = {k: v[0] for k, v in info.items()}
    component = core.components([(rowid_of[p.source], rowid_of[p.target]) for p in links])
    members: dict[int, list[str]] = defaultdict(list)
    for article_id, rowid in rowid_of.items():
        if rowid in component:
            members[component[rowid]].append(article_id)
    targets = {p.target for p in links}
    repost_targets = {p.target for p in links if p.kind == "repost"}

    def age(article_id: str) -> tuple[bool, str, int]:
        rowid, published = info[article_id]
        return (published is None, published or "", rowid)

    rows = []
    for cluster, arts in members.items():
        roots = [a for a in arts if a not in targets] or arts
        original = min(roots, key=age)
        for article_id in sorted(arts, key=age):
            role = "original" if article_id == original else "republisher" if article_id in repost_targets else \
                "partial" if article_id in targets else "source"
            rows.append((article_id, cluster, role, original, len(arts)))
    store.conn.execute("DELETE FROM reuse_clusters")
    store.conn.executemany("INSERT INTO reuse_clusters (article, cluster, role, original, size) VALUES (?, ?, ?, ?, ?)",
                           rows)
    return len(members)


def _rebuild_outlets(store: Store) -> None:
    rows = store.conn.execute(
        "SELECT COALESCE(s.outlet, ''), COALESCE(t.outlet, ''), p.kind FROM reuse_pairs p"
        " JOIN articles s ON s.id = p.source JOIN articles t ON t.id = p.target").fetchall()
    counts: Counter[tuple[str, str, str]] = Counter(rows)
    edges: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    for (so, to, kind), n in counts.items():
        edge = edges[(so, to)]
        edge[0] += n
        if kind in ("repost", "partial"):
            edge[1 if kind == "repost" else 2] += n
    store.conn.execute("DELETE FROM reuse_outlets")
    store.conn.executemany(
        "INSERT INTO reuse_outlets (source_outlet, target_outlet, pairs, reposts, partials) VALUES (?, ?, ?, ?, ?)",
        [(so, to, *edge) for (so, to), edge in sorted(edges.items(), key=lambda kv: (-kv[1][0], kv[0]))])


@hookimpl
def narrascope_analyses() -> list[ReuseAnalysis]:
    return [ReuseAnalysis()]
