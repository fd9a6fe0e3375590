"""One settings object, read from the commented defaults file plus an optional user file.

``defaults.toml`` beside this module lists every tunable with its default and a comment. A user
file overrides any subset of keys; unknown sections or keys and values of the wrong type raise
``SettingsError`` (NS401) rather than being ignored.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, fields, is_dataclass, replace
from importlib import resources
from pathlib import Path
from typing import Any

from .errors import SettingsError

__all__ = ["MinConfidence", "Settings", "load_settings"]

ENV_CONFIG = "NARRASCOPE_CONFIG"
LOCAL_CONFIG = "narrascope.toml"


@dataclass(frozen=True)
class InputSettings:
    max_bytes: int = 20_000_000
    skip_hidden: bool = True
    feed_local_links: str = "folder"
    stdin_spool_bytes: int = 16_000_000


@dataclass(frozen=True)
class ExtractSettings:
    min_chars: int = 200
    include_comments: bool = False
    include_tables: bool = True
    caption_max_words: int = 8


@dataclass(frozen=True)
class LanguageSettings:
    accept: tuple[str, ...] = ("en",)


@dataclass(frozen=True)
class StoreSettings:
    batch_size: int = 50
    keep_raw: bool = True
    busy_timeout_ms: int = 30000


@dataclass(frozen=True)
class PipelineSettings:
    stages: tuple[str, ...] = ("language", "genre")


@dataclass(frozen=True)
class MinConfidence:
    """Per field, the least calibrated confidence of a fact kept in the record (``analysis.min_confidence``).

    Defaults are set so that the kept facts reach precision >= 0.80 on held-out development gold
    (README, "How far to trust each field"); 0 keeps every fact the stage finds.
    """

    actors: float = 0.5
    quotes: float = 0.4
    events: float = 0.4
    techniques: float = 0.25
    stances: float = 0.7
    frames: float = 0.5
    topics: float = 0.6
    genre: float = 0.5


@dataclass(frozen=True)
class AnalysisSettings:
    actors_files: tuple[str, ...] = ()
    techniques_model: str = ""
    topic_min_score: float = 2.0
    min_confidence: MinConfidence = field(default_factory=MinConfidence)


@dataclass(frozen=True)
class ReuseSettings:
    ngram: int = 5
    window: int = 6
    max_postings: int = 100
    max_outlet_postings: int = 2
    min_shared_fingerprints: int = 2
    seed: int = 4
    gap: int = 12
    max_shift: int = 6
    min_passage_words: int = 15
    min_score: float = 0.5
    repost_coverage: float = 0.6


@dataclass(frozen=True)
class NarrativesSettings:
    seed: int = 0
    assign_threshold: float = 0.22
    merge_threshold: float = 0.5
    split_silhouette: float = 0.3
    emerge_min: int = 3
    grow_factor: float = 2.0
    fade_weeks: int = 4
    candidate_weeks: int = 4


@dataclass(frozen=True)
class WebSettings:
    page_size: int = 20
    max_page_size: int = 100
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


def _apply_table(section: Any, values: dict[str, Any], prefix: str, source: str) -> Any:
    """``section`` (a settings dataclass) with the keys of one TOML table applied; sub-tables recurse."""
    known = {f.name for f in fields(section)}
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
            updates[key] = _coerce(value, current, name, source)
    return replace(section, **updates)


#: Settings (by prefix) whose value is a confidence in [0, 1].
UNIT_INTERVAL = "analysis.min_confidence."
#: Settings whose value must be one of a few words.
CHOICES: dict[str, tuple[str, ...]] = {"input.feed_local_links": ("folder", "any", "none")}


def _coerce(value: Any, default: Any, name: str, source: str) -> Any:
    if isinstance(default, bool):
        if not isinstance(value, bool):
            raise SettingsError(f"{source}: {name} must be true or false, not {value!r}")
        return value
    if isinstance(default, int):
        if isinstance(value, bool) or not isinstance(value, int):
            raise SettingsError(f"{source}: {name} must be a whole number, not {value!r}")
        return value
    if isinstance(default, float):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise SettingsError(f"{source}: {name} must be a number, not {value!r}")
        if name.startswith(UNIT_INTERVAL) and not 0.0 <= value <= 1.0:
            raise SettingsError(f"{source}: {name} is a confidence, between 0 and 1, not {value!r}")
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
