"""The one extension seam: pluggy hooks, used by the core's own modules as by third parties.

A plugin is a module (or object) with functions decorated ``@hookimpl`` and named after the hooks
below. narrascope's own sources, stages and exporters are plugins listed in ``BUILTIN_PLUGINS``;
third-party packages register modules under the ``narrascope`` entry-point group::

    [project.entry-points.narrascope]
    my_feed = "my_package.narrascope_plugin"

``registry()`` collects what every plugin registers, keyed by name; a later plugin may not reuse a
name an earlier one took (that would be a silent override).
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import pluggy

from .errors import NarrascopeError

if TYPE_CHECKING:
    from .corpus import CorpusAnalysis
    from .enrich import Stage
    from .exporters import Exporter
    from .sources import Source

__all__ = ["BUILTIN_PLUGINS", "Registry", "hookimpl", "hookspec", "is_builtin", "plugin_manager", "registry"]

hookspec = pluggy.HookspecMarker("narrascope")
hookimpl = pluggy.HookimplMarker("narrascope")

BUILTIN_PLUGINS = (
    "narrascope.sources.text",
    "narrascope.sources.html",
    "narrascope.sources.rss",
    "narrascope.sources.warc",
    "narrascope.sources.jsonl",
    "narrascope.sources.csv",
    "narrascope.enrich.language",
    "narrascope.enrich.genre",
    "narrascope.analysis.stages",
    "narrascope.corpus.graph",
    "narrascope.corpus.timelines",
    "narrascope.corpus.reuse",
    "narrascope.corpus.narratives",
    "narrascope.exporters.jsonl",
    "narrascope.exporters.csv",
    "narrascope.exporters.stix",
)


class HookSpecs:
    @hookspec
    def narrascope_sources(self) -> Iterable[Source]:  # type: ignore[empty-body]
        """Input formats: objects with ``name``, ``sniff(name, head)`` and ``read(blob, settings)``."""

    @hookspec
    def narrascope_stages(self) -> Iterable[Stage]:  # type: ignore[empty-body]
        """Per-article stages (see ``narrascope.enrich.Stage``)."""

    @hookspec
    def narrascope_exporters(self) -> Iterable[Exporter]:  # type: ignore[empty-body]
        """Export formats (see ``narrascope.exporters.Exporter``)."""

    @hookspec
    def narrascope_analyses(self) -> Iterable[CorpusAnalysis]:  # type: ignore[empty-body]
        """Corpus analyses writing derived tables (see ``narrascope.corpus.CorpusAnalysis``)."""

    @hookspec
    def narrascope_web_routes(self) -> Iterable[Any]:  # type: ignore[empty-body]
        """Starlette routes the workbench (``narrascope serve``) mounts beside its own pages. Called
        only inside ``narrascope.web``, so a plugin imports Starlette in this hook's body, never at
        module level. A page reads the store through ``request.app.state.store.open()`` and may
        render with ``request.app.state.templates`` (extend ``base.html`` for the site's frame)."""

    @hookspec
    def narrascope_web_nav(self) -> Iterable[tuple[str, str]]:  # type: ignore[empty-body]
        """Links for the workbench's navigation bar: (label, path) pairs, shown after the core's own."""

    @hookspec
    def narrascope_commands(self, cli: Any) -> None:
        """Add click commands to the ``narrascope`` command group (third-party verbs; the core's own live
        in ``narrascope.cli``)."""


@lru_cache(maxsize=1)
def plugin_manager() -> pluggy.PluginManager:
    pm = pluggy.PluginManager("narrascope")
    pm.add_hookspecs(HookSpecs)
    for name in BUILTIN_PLUGINS:
        pm.register(importlib.import_module(name), name=name)
    try:
        pm.load_setuptools_entrypoints("narrascope")
    except Exception as e:  # a broken third-party plugin must not look like a narrascope bug
        raise NarrascopeError(f"a narrascope plugin failed to load: {e}", code="NS404") from e
    return pm


@dataclass(frozen=True)
class Registry:
    sources: dict[str, Source]
    stages: dict[str, Stage]
    exporters: dict[str, Exporter]
    analyses: dict[str, CorpusAnalysis]


def _by_name(kind: str, batches: list[Iterable[Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    # pluggy calls the most recently registered plugin first; reverse so builtins come first.
    for batch in reversed(batches):
        for thing in batch:
            if thing.name in out:
                raise NarrascopeError(f"two plugins register the {kind} {thing.name!r}", code="NS404")
            out[thing.name] = thing
    return out


@lru_cache(maxsize=1)
def registry() -> Registry:
    hook = plugin_manager().hook
    return Registry(
        sources=_by_name("source", hook.narrascope_sources()),
        stages=_by_name("stage", hook.narrascope_stages()),
        exporters=_by_name("exporter", hook.narrascope_exporters()),
        analyses=_by_name("corpus analysis", hook.narrascope_analyses()),
    )


def is_builtin(part: object) -> bool:
    """Whether a registered part (a stage, an analysis, an exporter...) ships in the narrascope
    package rather than in a plugin: its errors are narrascope's bugs, its tables narrascope's docs."""
    module = type(part).__module__
    return module == "narrascope" or module.startswith("narrascope.")
