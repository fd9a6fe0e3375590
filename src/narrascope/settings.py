"""One settings object, read from the commented defaults file plus an optional user file.

``defaults.toml`` beside this module lists every tunable with its default and a comment. A user
file overrides any subset of keys; unknown sections or keys and values of the wrong type raise
``SettingsError`` (NS401) rather than being ignored.

Each setting is defined once, as a field of a section below; a number's field also carries its range
(``setting(default, low=..., high=...)``, inclusive; ``setting_range``). A number without one is at
least 0 (no setting is negative), and every number is finite (no NaN or infinity). A value out of its
range is NS401, from a file or from an option that overrides a setting (``check_setting``).
"""

from __future__ import annotations

import math
import os
import tomllib
from dataclasses import Field, dataclass, field, fields, is_dataclass, replace
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

from .errors import SettingsError

__all__ = ["MinConfidence", "Settings", "check_setting", "load_settings", "setting", "setting_range"]

T = TypeVar("T")
#: The range of a number whose definition names none: at least 0, no upper bound.
DEFAULT_RANGE: tuple[float, float | None] = (0, None)


def setting(default: T, *, low: float = 0, high: float | None = None) -> T:
    """A setting's definition: its default and the range (inclusive) a value must fall in."""
    return field(default=default, metadata={"range": (low, high)})


def setting_range(definition: Field[Any]) -> tuple[float, float | None]:
    """The (low, high) range of a number setting's definition (high None: no upper bound)."""
    return tuple(definition.metadata.get("range", DEFAULT_RANGE))


ENV_CONFIG = "NARRASCOPE_CONFIG"
LOCAL_CONFIG = "narrascope.toml"


@dataclass(frozen=True)
class InputSettings:
    max_bytes: int = setting(20_000_000, low=1)
    skip_hidden: bool = True
    feed_local_links: str = "folder"
    stdin_spool_bytes: int = 16_000_000
    csv_columns: tuple[str, ...] = ()
    progress_seconds: float = setting(5.0)


@dataclass(frozen=True)
class ExtractSettings:
    min_chars: int = 200
    include_comments: bool = False
    include_tables: bool = True
    caption_max_words: int = 8
    trafilatura_max_elements: int = 30_000


@dataclass(frozen=True)
class LanguageSettings:
    accept: tuple[str, ...] = ("en",)


@dataclass(frozen=True)
class StoreSettings:
    batch_size: int = setting(50, low=1)
    keep_raw: bool = True
    busy_timeout_ms: int = 30000


@dataclass(frozen=True)
class BudgetSettings:
    item_seconds: float = 300.0
    item_memory_mb: int = 3072


@dataclass(frozen=True)
class ClusterSettings:
    address: str = ""
    connect_seconds: float = setting(30.0, low=0.1)


@dataclass(frozen=True)
class PipelineSettings:
    stages: tuple[str, ...] = ("language", "genre")


@dataclass(frozen=True)
class MinConfidence:
    """Per field, the least calibrated confidence of a fact kept in the record (``analysis.min_confidence``).

    Defaults are set so that the kept facts reach precision >= 0.80 on held-out development gold
    (README, "How far to trust each field"); 0 keeps every fact the stage finds.
    """

    actors: float = setting(0.5, high=1.0)
    quotes: float = setting(0.4, high=1.0)
    events: float = setting(0.4, high=1.0)
    techniques: float = setting(0.25, high=1.0)
    stances: float = setting(0.7, high=1.0)
    frames: float = setting(0.5, high=1.0)
    topics: float = setting(0.6, high=1.0)
    genre: float = setting(0.5, high=1.0)


@dataclass(frozen=True)
class AnalysisSettings:
    actors_files: tuple[str, ...] = ()
    techniques_model: str = ""
    topic_min_score: float = 2.0
    parse_piece_chars: int = 100_000
    min_confidence: MinConfidence = field(default_factory=MinConfidence)


@dataclass(frozen=True)
class ReuseSettings:
    ngram: int = setting(5, low=1)
    window: int = setting(6, low=1)
    max_postings: int = setting(100, low=1)
    max_outlet_postings: int = setting(2, low=1)
    min_shared_fingerprints: int = setting(2, low=1)
    seed: int = setting(4, low=1)  # words per alignment seed, not a random seed
    gap: int = 12
    max_shift: int = 6
    min_passage_words: int = setting(15, low=1)
    min_score: float = setting(0.5, high=1.0)
    repost_coverage: float = setting(0.6, high=1.0)
    lineage_coverage: float = setting(0.25, high=1.0)
    max_passage_articles: int = setting(3, low=1)


@dataclass(frozen=True)
class NarrativesSettings:
    seed: int = setting(0, high=2**32 - 1)  # numpy's random generators take 0 .. 2**32 - 1
    assign_threshold: float = setting(0.22, high=1.0)  # cosine similarities
    merge_threshold: float = setting(0.5, high=1.0)
    split_silhouette: float = setting(0.3, high=1.0)
    emerge_min: int = setting(3, low=1)
    grow_factor: float = setting(2.0, low=1.0)
    fade_weeks: int = 4
    candidate_weeks: int = 4


@dataclass(frozen=True)
class WebSettings:
    page_size: int = setting(20, low=1)
    max_page_size: int = setting(100, low=1)
    max_offset: int = 100_000
    actor_articles: int = 100
    actor_scan_window: int = 2_000
    max_upload_bytes: int = 10_000_000
    search_rank_limit: int = 20_000
    max_stix_articles: int = 5_000


@dataclass(frozen=True)
class Settings:
    input: InputSettings = field(default_factory=InputSettings)
    extract: ExtractSettings = field(default_factory=ExtractSettings)
    language: LanguageSettings = field(default_factory=LanguageSettings)
    store: StoreSettings = field(default_factory=StoreSettings)
    budget: BudgetSettings = field(default_factory=BudgetSettings)
    cluster: ClusterSettings = field(default_factory=ClusterSettings)
    pipeline: PipelineSettings = field(default_factory=PipelineSettings)
    analysis: AnalysisSettings = field(default_factory=AnalysisSettings)
    reuse: ReuseSettings = field(default_factory=ReuseSettings)
    narratives: NarrativesSettings = field(default_factory=NarrativesSettings)
    web: WebSettings = field(default_factory=WebSettings)
    #: Where the user overrides came from, for `db info` and error messages.
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
        section: Any = self
        for part in path:
            section = getattr(section, part)
        by_name = {f.name: f for f in fields(section)}
        return by_name[key], getattr(section, key)


def check_setting(settings: Settings, name: str, value: Any, *, source: str) -> Any:
    """``value`` for the setting ``name`` as a file would give it, checked against its definition
    (NS401 naming ``source``, e.g. an option that overrides the setting)."""
    definition, current = settings.definition(name)
    return _coerce(value, current, name, source, definition)


def _apply_table(section: Any, values: dict[str, Any], prefix: str, source: str) -> Any:
    """``section`` (a settings dataclass) with the keys of one TOML table applied; sub-tables recurse."""
    known = {f.name: f for f in fields(section)}
    updates: dict[str, Any] = {}
    for key, value in values.items():
        name = f"{prefix}.{key}"
        if key not in known:
            raise SettingsError(f"{source}: unknown key {name}")
        current = getattr(section, key)
        if is_dataclass(current):
            if not isinstance(value, dict):
                raise SettingsError(f"{source}: [{name}] must be a table")
            updates[key] = _apply_table(current, value, name, source)
        else:
            updates[key] = _coerce(value, current, name, source, known[key])
    return replace(section, **updates)


#: Settings whose value must be one of a few words.
CHOICES: dict[str, tuple[str, ...]] = {"input.feed_local_links": ("folder", "any", "none")}


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
    allowed = CHOICES.get(name)
    if allowed and value not in allowed:
        raise SettingsError(f"{source}: {name} must be one of {', '.join(allowed)}, not {value!r}")
    return value


def defaults_text() -> str:
    """The commented defaults file, as shipped."""
    return resources.files("narrascope").joinpath("defaults.toml").read_text(encoding="utf-8")


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
    """Defaults, then the first of: ``path``, $NARRASCOPE_CONFIG, ./narrascope.toml."""
    settings = Settings().with_overrides(tomllib.loads(defaults_text()), source="defaults")
    chosen: Path | None = None
    if path is not None:
        chosen = Path(path)
    elif os.environ.get(ENV_CONFIG):
        chosen = Path(os.environ[ENV_CONFIG])
    elif Path(LOCAL_CONFIG).is_file():
        chosen = Path(LOCAL_CONFIG)
    if chosen is None:
        return replace(settings, source="defaults")
    return settings.with_overrides(_read_toml(chosen), source=str(chosen))
