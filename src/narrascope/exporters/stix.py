"""STIX 2.1 export: a bundle for an article set, built with the ``stix2`` library.

What becomes what:

- the producer, narrascope, is an ``identity`` (identity_class "system") every object is
  ``created_by_ref``;
- each outlet is an ``identity`` (identity_class "organization");
- each dated article is a ``report``: name = title, published = its published date (created and
  modified too), description = the first 500 characters of the text, ``lang`` = its language,
  labels = its genre and topics, external_references = its URL and its narrascope id, object_refs =
  the outlet identity, the ``url`` observable, its techniques and its narratives; the custom
  property ``x_narrascope_techniques`` says how it uses each technique: the attack-pattern, the
  spans (offsets into the text) and the calibrated confidence of the surest span (STIX's 0-100
  scale);
- an article that states no date is the same container as a ``grouping`` (context
  "unspecified", ``x_narrascope_undated: true``), because STIX 2.1 requires ``published`` on a
  report and the article has none: its date is left out, never replaced by the day it was
  ingested or a placeholder a reader would take for a date. Its created/modified are ``EPOCH``,
  as for every object with no date of its own (they say when the STIX object was made, not when
  the article appeared). OpenCTI imports a grouping as a container, like a report;
- each persuasion technique found is an ``attack-pattern`` with a narrascope external reference
  (its SemEval-2023 name) and, where the mapping in ``data/disarm.tsv`` is sound, a DISARM one
  ``{"source_name": "DISARM", "external_id": "T00xx"}``;
- each narrative (``narratives`` corpus table, when it has members among the exported articles) is
  a ``narrative`` object, the custom SDO OpenCTI defines and imports (pycti's
  ``CustomObjectNarrative``: type "narrative", name, description, narrative_types), listed in the
  member reports' object_refs, which is how OpenCTI attaches objects to a report container.

Ids are deterministic: UUIDv5 of narrascope's own keys (article id, outlet name, technique name,
narrative id) in a fixed namespace for the SDOs, and stix2's own UUIDv5 for the ``url`` SCOs; every
timestamp comes from the data, never the clock. The same store exports the same bundle, byte for byte.

The narratives need the store: ``api.export`` passes it as ``store=`` to exporters whose
``uses_store`` is true. Without it the bundle has no narratives.
"""

from __future__ import annotations

import csv
import json
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Any, TextIO

from ..model import Article
from ..plugins import hookimpl
from ..store.reads import existing_tables

if TYPE_CHECKING:
    from ..store import Store

__all__ = ["DISARM_SOURCE", "NAMESPACE", "DisarmTechnique", "StixExporter", "build_bundle", "disarm_mapping",
           "serialize_bundle"]

#: Namespace of narrascope's deterministic STIX ids (UUIDv5 of "<type>:<narrascope key>").
NAMESPACE = uuid.UUID("6f1f4a52-6d0c-5b0e-9a55-6e6172726173")
DISARM_SOURCE = "DISARM"
NARRASCOPE_SOURCE = "narrascope"
#: created/modified of objects that have no date of their own (the producer, outlets, techniques).
EPOCH = "2018-01-01T00:00:00Z"
#: context of the grouping an undated article becomes (STIX 2.1 grouping-context-ov)
UNDATED_CONTEXT = "unspecified"
DESCRIPTION_CHARS = 500


@dataclass(frozen=True)
class DisarmTechnique:
    technique: str
    disarm_id: str
    disarm_name: str
    justification: str


@lru_cache(maxsize=1)
def disarm_mapping() -> dict[str, DisarmTechnique]:
    """SemEval-2023 technique name -> DISARM technique, from ``data/disarm.tsv``."""
    text = resources.files("narrascope").joinpath("data/disarm.tsv").read_text(encoding="utf-8")
    rows = csv.reader((line for line in text.splitlines() if line.strip() and not line.startswith("#")),
                      delimiter="\t")
    return {row[0]: DisarmTechnique(*row) for row in rows}


@lru_cache(maxsize=1)
def _narrative_class() -> Any:
    """OpenCTI's Narrative SDO, defined the way pycti defines it (type "narrative")."""
    from stix2 import CustomObject
    from stix2.properties import ListProperty, StringProperty

    @CustomObject("narrative", [
        ("name", StringProperty(required=True)),
        ("description", StringProperty()),
        ("narrative_types", ListProperty(StringProperty)),
    ])
    class Narrative:
        pass

    return Narrative


def sdo_id(kind: str, key: str) -> str:
    return f"{kind}--{uuid.uuid5(NAMESPACE, f'{kind}:{key}')}"


def _timestamp(day: str | None) -> str | None:
    """A "YYYY-MM-DD" (or a longer ISO date-time) as a STIX timestamp at midnight UTC of that day;
    None when it is no plausible day (a store imported before import checked dates may hold one)."""
    from ..corpus.narratives import article_day

    found = article_day(day)
    return f"{found}T00:00:00Z" if found else None


def _rows_in(store: Store, sql: str, values: list[Any]) -> Iterator[tuple[Any, ...]]:
    """The rows of ``sql`` (its ``IN ({})`` filled with placeholders) over ``values``, 500 at a time."""
    for start in range(0, len(values), 500):
        chunk = values[start:start + 500]
        yield from store.conn.execute(sql.format(",".join("?" * len(chunk))), chunk)


def _narratives(store: Store, ids: list[str]) -> tuple[list[dict[str, Any]], dict[str, list[int]]]:
    """The narratives with members among ``ids`` and, per article, its narrative ids."""
    if not {"narratives", "narrative_members"} <= existing_tables(store):
        return [], {}
    by_article: dict[str, list[int]] = {}
    for article, narrative in _rows_in(
            store, "SELECT article, narrative FROM narrative_members WHERE article IN ({}) ORDER BY article, narrative",
            ids):
        by_article.setdefault(str(article), []).append(int(narrative))
    wanted = sorted({n for ns in by_article.values() for n in ns})
    columns = ("id", "label", "terms", "sentence", "size", "first_seen", "last_seen", "status")
    rows = _rows_in(store, f"SELECT {', '.join(columns)} FROM narratives WHERE id IN ({{}}) ORDER BY id", wanted)
    from ..corpus.reading import undated_members

    undated = undated_members(store, wanted)
    found = [dict(zip(columns, row, strict=True)) for row in rows]
    return [{**narrative, "undated": undated.get(narrative["id"], 0)} for narrative in found], by_article


def build_bundle(articles: Iterable[Article], *, store: Store | None = None) -> tuple[Any, int]:
    """The STIX 2.1 bundle for ``articles`` (and how many articles it holds)."""
    import stix2

    articles = list(articles)
    ids = [a.id for a in articles]
    narratives, narratives_of = _narratives(store, ids) if store is not None else ([], {})
    mapping = disarm_mapping()

    producer = stix2.Identity(
        id=sdo_id("identity", "narrascope"), name="narrascope", identity_class="system",
        description="narrascope: news analysis for influence operations research.", created=EPOCH, modified=EPOCH)
    common = {"created_by_ref": producer.id}

    outlets: dict[str, Any] = {}
    techniques: dict[str, Any] = {}
    narrative_objects: dict[int, Any] = {}
    Narrative = _narrative_class()
    for row in narratives:
        claim = f"Representative claim: {row['sentence']}" if row["sentence"] else None
        seen = f"{row['first_seen']} to {row['last_seen']}" if row["first_seen"] else "none dated"
        undated = f" ({row['undated']} undated)" if row["undated"] else ""
        description = "\n".join(filter(None, (
            claim, f"{row['size']} articles{undated}, {seen}, status {row['status']}.")))
        first = _timestamp(row["first_seen"]) or EPOCH
        narrative_objects[row["id"]] = Narrative(
            id=sdo_id("narrative", str(row["id"])), name=row["label"] or f"narrative {row['id']}",
            description=description, created=first, modified=_timestamp(row["last_seen"]) or first,
            external_references=[{"source_name": NARRASCOPE_SOURCE, "external_id": f"narrative-{row['id']}"}],
            **common)

    urls: list[Any] = []
    reports: list[Any] = []
    for article in articles:
        refs: list[str] = []
        if article.outlet:
            if article.outlet not in outlets:
                outlets[article.outlet] = stix2.Identity(
                    id=sdo_id("identity", f"outlet:{article.outlet}"), name=article.outlet,
                    identity_class="organization", sectors=["communications"], created=EPOCH, modified=EPOCH,
                    **common)
            refs.append(outlets[article.outlet].id)
        if article.url:
            url = stix2.URL(value=article.url)
            urls.append(url)
            refs.append(url.id)
        used: dict[str, list[dict[str, Any]]] = {}
        for t in article.techniques:
            if t.get("name"):
                used.setdefault(t["name"], []).append(t)
        for name in sorted(used):
            if name not in techniques:
                techniques[name] = _attack_pattern(stix2, name, mapping.get(name), common)
            refs.append(techniques[name].id)
        refs += [narrative_objects[n].id for n in narratives_of.get(article.id, []) if n in narrative_objects]
        if not refs:  # a report must refer to something; the producer stands in
            refs.append(producer.id)
        published = _timestamp(article.published)
        external = [{"source_name": NARRASCOPE_SOURCE, "external_id": article.id}]
        if article.url:
            external.insert(0, {"source_name": article.outlet or "article", "url": article.url})
        labels = [x for x in dict.fromkeys([article.genre, *article.topics]) if x]
        optional: dict[str, Any] = {}
        if article.language:
            optional["lang"] = article.language
        if labels:
            optional["labels"] = labels
        if used:
            optional["x_narrascope_techniques"] = [_technique_use(techniques[name].id, spans)
                                                   for name, spans in sorted(used.items())]
        content = {"name": article.title or "(untitled)", "description": article.text[:DESCRIPTION_CHARS],
                   "object_refs": list(dict.fromkeys(refs)), "external_references": external, "allow_custom": True,
                   **optional, **common}
        if published is None:  # no date to state: a grouping, which has no published (see the module docstring)
            reports.append(stix2.Grouping(
                id=sdo_id("grouping", article.id), context=UNDATED_CONTEXT, created=EPOCH, modified=EPOCH,
                x_narrascope_undated=True, **content))
        else:
            reports.append(stix2.Report(id=sdo_id("report", article.id), published=published, created=published,
                                        modified=published, **content))

    unique_urls = list({u.id: u for u in urls}.values())
    objects = [producer, *(outlets[k] for k in sorted(outlets)), *(techniques[k] for k in sorted(techniques)),
               *(narrative_objects[k] for k in sorted(narrative_objects)), *unique_urls, *reports]
    bundle_key = "\n".join(o.id for o in objects)
    bundle = stix2.Bundle(*objects, id=f"bundle--{uuid.uuid5(NAMESPACE, 'bundle:' + bundle_key)}", allow_custom=True)
    return bundle, len(articles)


def _technique_use(ref: str, spans: list[dict[str, Any]]) -> dict[str, Any]:
    """How an article uses one technique: the attack-pattern, the spans (offsets into the article
    text) and the calibrated confidence of the surest span on STIX's 0-100 scale."""
    best = max((float(s.get("confidence", s.get("score", 0.0)) or 0.0) for s in spans), default=0.0)
    return {"attack_pattern_ref": ref, "confidence": int(round(100 * min(1.0, max(0.0, best)))),
            "spans": [[int(s["start"]), int(s["end"])] for s in spans]}


def _attack_pattern(stix2: Any, name: str, disarm: DisarmTechnique | None, common: dict[str, Any]) -> Any:
    external: list[dict[str, str]] = []
    description = f"SemEval-2023 Task 3 persuasion technique {name}."
    if disarm is not None:
        external.append({"source_name": DISARM_SOURCE, "external_id": disarm.disarm_id,
                         "description": disarm.disarm_name})
        description += f" DISARM {disarm.disarm_id} {disarm.disarm_name}: {disarm.justification}"
    external.append({"source_name": NARRASCOPE_SOURCE, "external_id": name,
                     "description": "SemEval-2023 Task 3 persuasion technique"})
    return stix2.AttackPattern(id=sdo_id("attack-pattern", name), name=name.replace("_", " "),
                               description=description, external_references=external,
                               created=EPOCH, modified=EPOCH, **common)


class StixExporter:
    name = "stix"
    description = "a STIX 2.1 bundle: outlets, articles as reports, techniques (DISARM ids), narratives"
    #: ``api.export`` passes ``store=`` so narratives can be read.
    uses_store = True

    def write(self, articles: Iterable[Article], stream: TextIO, *, store: Store | None = None) -> int:
        bundle, count = build_bundle(articles, store=store)
        stream.write(serialize_bundle(bundle) + "\n")
        return count


def _plain(value: Any) -> Any:
    """A stix2 value as plain JSON data, properties in spec order (as ``serialize(pretty=True)`` orders them)."""
    import datetime as dt

    from stix2.base import _STIXBase
    from stix2.utils import format_datetime

    if isinstance(value, _STIXBase):
        defaulted = set(value._defaulted_optional_properties)
        return {key: _plain(value[key]) for key in value if key not in defaulted}
    if isinstance(value, dict):
        return {key: _plain(value[key]) for key in sorted(value)}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dt.date):  # datetime too
        return format_datetime(value)
    return value


def serialize_bundle(bundle: Any) -> str:
    """The bundle as stix2's ``serialize(pretty=True)`` writes it (4-space indent, spec property order).

    stix2's pretty mode finds each property's place by searching the whole bundle for it, which is
    quadratic: 500 articles took two minutes. Each object's own property order is the same order,
    found in linear time (5,000 articles: 0.4 s); tests check the bytes are stix2's.
    """
    return json.dumps(_plain(bundle), indent=4, separators=(",", ": "))


@hookimpl
def narrascope_exporters() -> list[StixExporter]:
    return [StixExporter()]
