"""Per-article stages: small named, versioned callables run after extraction.

A stage declares ``name``, ``version``, what record fields it ``requires`` and what it ``sets``.
``compute(article, settings)`` returns the new field values without touching the article;
``apply`` writes them on. Keeping the two apart makes a stage testable as input -> output and lets
a runner batch, cache or distribute the computing.

The pipeline is the ordered list of stage names in the settings (``[pipeline] stages``); stages
register through the plugin seam (``narrascope_stages``). A stage may reject an article by raising
``InputRejected`` (the language gate does, NS203).

**Requires, checked when the pipeline is built.** Each name a stage ``requires`` must be a field
of the record (``Article``) no later stage sets, or a field (``extensions.<namespace>``) or a stage
name that an earlier stage of the pipeline provides; otherwise ``build_pipeline`` raises NS406
before any input is read.

**Languages.** A stage may declare the ``languages`` (ISO 639-1 codes) it has a model for; on an
article in another language the pipeline does not run it, sets its fields empty and records in
``provenance["stages"][name]`` that it did not run and why (``{"ran": false, "reason": ...}``). A
stage without ``languages`` runs on every article; so does every stage on an article whose
language is unknown. A later run that does run the stage drops its note.

**Fields of third-party stages.** A stage may add one JSON object to the record under its own
namespace: it declares ``"extensions.<namespace>"`` in ``sets`` and returns that key with a dict;
the pipeline puts it in ``article.extensions[<namespace>]`` (the record's ``extensions``), which
the store, the exports and ``show`` keep.

**A failing third-party stage** (one not shipped in the ``narrascope`` package) costs its article,
never the batch: when it raises, returns something other than a dict, sets an undeclared field or
a value that is not JSON (an extension that is not an object), the article is rejected with NS206
(ingest records it in ``rejects``; ``analyze`` keeps the old record and reports it). Core stages
keep their behaviour: an error there is a bug, contained to the item as NS901 by ingest.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from ..errors import InputRejected, SettingsError
from ..model import Article
from ..plugins import is_builtin
from ..settings import Settings
from ..version import __version__

__all__ = ["EXTENSION_PREFIX", "STAGES_NOTE", "Pipeline", "Stage", "apply_updates", "build_pipeline", "check_requires",
           "floor_field", "is_core", "not_run_reason"]

#: Whether a stage ships in the narrascope package (its errors are bugs, not a plugin's).
is_core = is_builtin

#: The prefix of a field a third-party stage adds: ``extensions.<namespace>``.
EXTENSION_PREFIX = "extensions."
#: The ``provenance`` key under which the stages that did not run on an article say why:
#: ``{"events": {"ran": false, "reason": "no model for language 'ru' (runs on: en)"}}``.
STAGES_NOTE = "stages"
#: The fields of the record.
RECORD_FIELDS = frozenset(Article.__dataclass_fields__)


class Stage(Protocol):
    name: str
    version: str
    requires: tuple[str, ...]
    sets: tuple[str, ...]

    def compute(self, article: Article, settings: Settings) -> dict[str, Any]: ...


@dataclass(frozen=True)
class Pipeline:
    stages: tuple[Stage, ...]
    settings: Settings

    def run(self, article: Article, *, on_stage: Callable[[str, dict[str, Any]], None] | None = None) -> Article:
        """Run every stage in order on ``article`` (changed in place and returned).

        ``on_stage(name, updates)`` is told what each stage set as soon as it is done, so that work
        stopped later (past the item's budget) keeps the stages that finished.
        """
        for stage in self.stages:
            reason = not_run_reason(stage, article)
            noted = stage.name in _stage_notes(article)
            if reason is not None or noted:  # the stage's note in provenance: set, or dropped as it runs now
                article.provenance = _with_stage_note(article, stage.name, reason)
            if reason is not None:
                updates = {**_empty_fields(stage), "provenance": article.provenance}
            elif is_core(stage):
                updates = stage.compute(article, self.settings)
                unexpected = set(updates) - set(stage.sets)
                if unexpected:
                    raise RuntimeError(f"stage {stage.name} set undeclared fields {sorted(unexpected)}")
            else:
                updates = _third_party_updates(stage, article, self.settings)
            if noted and "provenance" not in updates:
                updates = {**updates, "provenance": article.provenance}
            apply_updates(article, updates)
            if on_stage is not None:
                on_stage(stage.name, updates)
        article.pipeline = self.describe(article.pipeline.get("stages", {}))
        return article

    def describe(self, extraction: dict[str, str] | None = None) -> dict[str, Any]:
        """The ``pipeline`` record field: package version, every stage's version, and the
        confidence floor each stage applied (``min_confidence``: field -> floor), so that a record
        made under other floors is out of date for ``analyze`` and ``reprocess``."""
        stages = {k: v for k, v in (extraction or {}).items() if k.startswith("extract.")}
        stages.update({stage.name: stage.version for stage in self.stages})
        return {"version": __version__, "stages": stages, "min_confidence": self.floors()}

    def floors(self) -> dict[str, float]:
        """Field -> the floor in force, for the stages of this pipeline that set a field with confidences."""
        out = {}
        for stage in self.stages:
            name = floor_field(stage)
            if name is not None:
                out[name] = float(getattr(self.settings.analysis.min_confidence, name))
        return out


def not_run_reason(stage: Stage, article: Article) -> str | None:
    """Why ``stage`` does not run on ``article``, or None when it runs: a stage that declares the
    ``languages`` it has a model for does not run on an article in another language (an article
    whose language is unknown runs every stage, as before languages were declared)."""
    languages = getattr(stage, "languages", None)
    if languages is None or not article.language or article.language in languages:
        return None
    return f"no model for language {article.language!r} (runs on: {', '.join(languages)})"


def _stage_notes(article: Article) -> dict[str, Any]:
    notes = article.provenance.get(STAGES_NOTE)
    return notes if isinstance(notes, dict) else {}


def _with_stage_note(article: Article, name: str, reason: str | None) -> dict[str, Any]:
    """``article.provenance`` with ``provenance["stages"][name]`` saying the stage did not run and
    why (``reason``), or without it when the stage runs (a note of an earlier run is dropped)."""
    notes = {k: v for k, v in _stage_notes(article).items() if k != name}
    if reason is not None:
        notes[name] = {"ran": False, "reason": reason}
    provenance = {k: v for k, v in article.provenance.items() if k != STAGES_NOTE}
    if notes:
        provenance[STAGES_NOTE] = dict(sorted(notes.items()))
    return provenance


def _empty_fields(stage: Stage) -> dict[str, Any]:
    """The fields ``stage`` sets, each at its empty default (a stage that did not run claims nothing)."""
    out: dict[str, Any] = {}
    for name in stage.sets:
        spec = Article.__dataclass_fields__.get(name)
        if spec is None or name == "provenance":
            continue
        factory = spec.default_factory
        out[name] = factory() if callable(factory) else spec.default
    return out


def floor_field(stage: Stage) -> str | None:
    """The field whose confidence floor (``analysis.min_confidence.<field>``) a stage applies: the
    first field it sets that carries confidences (``genre`` for the genre stage, ``stances`` for
    stance...), or None."""
    from ..analysis.confidence import FIELDS

    return next((name for name in stage.sets if name in FIELDS), None)


def build_pipeline(settings: Settings, names: Sequence[str] | None = None) -> Pipeline:
    """The stages named in the settings (or ``names``), checked against what is installed."""
    from ..plugins import registry

    available = registry().stages
    chosen = []
    for name in names if names is not None else settings.pipeline.stages:
        if name not in available:
            raise SettingsError(f"unknown stage {name!r} in [pipeline] stages; installed: {', '.join(sorted(available))}"
                                " (see `narrascope stages`)")
        chosen.append(available[name])
    check_requires(chosen, available)
    return Pipeline(stages=tuple(chosen), settings=settings)


def apply_updates(article: Article, updates: Mapping[str, Any]) -> None:
    """Write what a stage computed onto ``article``: record fields as attributes, each
    ``extensions.<namespace>`` into ``article.extensions``."""
    for name, value in updates.items():
        if name.startswith(EXTENSION_PREFIX):
            article.extensions = {**article.extensions, name[len(EXTENSION_PREFIX):]: value}
        else:
            setattr(article, name, value)


def _third_party_updates(stage: Stage, article: Article, settings: Settings) -> dict[str, Any]:
    """What a third-party stage computed, checked against its declaration; NS206 when it fails."""
    def failed(why: str) -> InputRejected:
        return InputRejected(f"stage {stage.name} ({type(stage).__module__}) failed: {why}", code="NS206",
                             stage=stage.name)

    try:
        updates = stage.compute(article, settings)
    except InputRejected as e:  # a deliberate, coded reject of the article
        if "stage" not in vars(e):
            e.stage = stage.name  # not "read", the class default: the plugin stage refused it
        raise
    except Exception as e:  # noqa: BLE001 - a plugin's bug costs its article, never the batch
        raise failed(f"{type(e).__name__}: {e}") from e
    if not isinstance(updates, dict):
        raise failed(f"returned {type(updates).__name__}, not a dict of fields")
    unexpected = sorted(set(updates) - set(stage.sets))
    if unexpected:
        raise failed(f"set undeclared fields {unexpected} (declared: {list(stage.sets)})")
    for name, value in updates.items():
        if name.startswith(EXTENSION_PREFIX) and not isinstance(value, dict):
            raise failed(f"{name} must be a JSON object, not {type(value).__name__}")
        try:
            json.dumps(value, ensure_ascii=False, allow_nan=False)
        except (TypeError, ValueError) as e:
            raise failed(f"{name} is not JSON: {e}") from e
    return updates


def check_requires(chosen: Sequence[Stage], available: Mapping[str, Stage]) -> None:
    """Check that every stage of ``chosen`` (in pipeline order) finds what it ``requires``; NS406 if not.

    A name is met by a field or stage name an earlier stage provides (its ``sets``, its name), or
    by a record field (filled by extraction, or stored by an earlier run for ``analyze``) that no
    later stage of the pipeline sets. An ``extensions.<namespace>`` field or a stage name must come
    from an earlier stage.
    """
    problems = []
    provided: set[str] = set()
    for i, stage in enumerate(chosen):
        for need in stage.requires:
            if need in provided:
                continue
            later = [s.name for s in chosen[i + 1:] if need in s.sets or need == s.name]
            if later:
                problems.append(f"stage {stage.name} requires {need!r}, which stage {later[0]} provides later:"
                                f" put {later[0]} before {stage.name}")
            elif need in RECORD_FIELDS and not need.startswith(EXTENSION_PREFIX):
                continue
            else:
                who = sorted(s.name for s in available.values() if need in s.sets or need == s.name)
                problems.append(f"stage {stage.name} requires {need!r}, which "
                                + (f"stage {who[0]} provides: put it in the pipeline before {stage.name}" if who
                                   else "no installed stage provides and the record has no such field"))
        provided |= {*stage.sets, stage.name}
    if problems:
        raise SettingsError("the pipeline's requires are not met: " + "; ".join(problems)
                            + " ([pipeline] stages; see `narrascope stages`)", code="NS406")
