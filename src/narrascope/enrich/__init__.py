"""Per-article stages: small named, versioned callables run after extraction.

A stage declares ``name``, ``version``, what record fields it ``requires`` and what it ``sets``.
``compute(article, settings)`` returns the new field values without touching the article;
``apply`` writes them on. Keeping the two apart makes a stage testable as input -> output and lets
a runner batch, cache or distribute the computing.

The pipeline is the ordered list of stage names in the settings (``[pipeline] stages``); stages
register through the plugin seam (``narrascope_stages``). A stage may reject an article by raising
``InputRejected`` (the language gate does, NS203).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from ..errors import SettingsError
from ..model import Article
from ..settings import Settings
from ..version import __version__

__all__ = ["Pipeline", "Stage", "build_pipeline", "floor_field"]


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
            updates = stage.compute(article, self.settings)
            unexpected = set(updates) - set(stage.sets)
            if unexpected:
                raise RuntimeError(f"stage {stage.name} set undeclared fields {sorted(unexpected)}")
            for name, value in updates.items():
                setattr(article, name, value)
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
    return Pipeline(stages=tuple(chosen), settings=settings)
