"""The judged events on real articles (``data/plover_judged.jsonl``): reading the judged file and
the documents it names, running the pipeline on them and judging what it finds.

Training (``analysis.events_train``) fits on the training split of these and evaluation
(``evaluate.events``) scores the held-out split; both import this module, which imports neither.
See ``analysis.events_train`` for what the file holds and how documents are split.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import UsageError

if TYPE_CHECKING:
    from spacy.tokens import Doc

__all__ = ["JUDGED", "RESERVED", "JudgedEvent", "code_text", "judge_event", "judged_entries", "judged_facts",
           "read_document"]

#: the judged events on real articles, shipped beside the lexicon (``data/plover_judged.jsonl``)
JUDGED = "plover_judged.jsonl"
#: NTREX documents kept for the final hand check: never judged, never trained on
RESERVED = frozenset(["rt.com.91337", "rt.com.91335", "rt.com.91350", "reuters.218882", "reuters.218888", "cnn.304489", "cnn.304447", "guardian.221762", "guardian.221756", "foxnews.94512", "nytimes.184862", "nytimes.184804", "cnbc.com.6790", "cnbc.com.6772", "telegraph.405408", "telegraph.405413", "bbc.381736", "euronews-en.153799", "cbsnews.248394", "abcnews.306774"])


def read_document(data_dir: str | Path, doc_id: str) -> tuple[str, str | None]:
    """(text, publication date or None) of a judged document, read from the shared data folder.

    ``doc_id`` is ``polnear/<file name>`` (``polnear/train/text``, the date from
    ``polnear/metadata.tsv``), ``ptc/<file name>`` (``ptc/articles``) or ``ntrex/<document id>``
    (the lines of ``ntrex/newstest2019-src.eng.txt`` that ``DOCUMENT_IDS.tsv`` gives that id,
    joined by line breaks). Offsets in the judged file index into this text.
    """
    root = Path(data_dir)
    corpus, _, name = doc_id.partition("/")
    if corpus == "polnear":
        text = (root / "polnear" / "train" / "text" / name).read_text(encoding="utf-8")
        return text, _polnear_dates(str(root)).get(name.removesuffix(".txt"))
    if corpus == "ptc":
        return (root / "ptc" / "articles" / name).read_text(encoding="utf-8"), None
    if corpus == "ntrex":
        if name in RESERVED:
            raise UsageError(f"{doc_id} is reserved for the final hand check")
        return "\n".join(_ntrex(str(root)).get(name, [])), None
    raise UsageError(f"unknown judged document {doc_id!r}: polnear/, ptc/ or ntrex/")


@lru_cache(maxsize=2)
def _polnear_dates(root: str) -> dict[str, str]:
    import csv

    path = Path(root) / "polnear" / "metadata.tsv"
    if not path.is_file():
        return {}
    with path.open(encoding="utf-8", newline="") as handle:
        return {row["filename"]: row["publication_date"] for row in csv.DictReader(handle, delimiter="\t")
                if row.get("publication_date") not in (None, "", "None")}


@lru_cache(maxsize=2)
def _ntrex(root: str) -> dict[str, list[str]]:
    base = Path(root) / "ntrex"
    ids = (base / "DOCUMENT_IDS.tsv").read_text(encoding="utf-8").splitlines()
    lines = (base / "newstest2019-src.eng.txt").read_text(encoding="utf-8").splitlines()
    docs: dict[str, list[str]] = {}
    for doc_id, line in zip(ids, lines, strict=True):
        docs.setdefault(doc_id.strip(), []).append(line)
    return docs


def code_text(text: str, *, published: str | None = None, actors_floor: float, quotes_floor: float,
              ) -> tuple[Doc, list[tuple[dict[str, Any], dict[str, float]]]]:
    """What the article pipeline finds in ``text``: the actors stage (shipped knowledge base, the
    actors floor), the quotes stage (the quotes floor), then every event with its features (no
    events floor)."""
    from .actors import find_actors, kept_records
    from .confidence import keep
    from .events import find_events_with_features
    from .kb import default_kb
    from .nlp import parse
    from .quotes import find_quotes

    doc = parse(text)
    records, _mentions = find_actors(doc, default_kb(), published=published)
    records = kept_records(records, actors_floor)
    mentions = sorted((m for r in records for m in r.mentions), key=lambda m: (m.start, m.end))
    quotes = keep(find_quotes(doc, mentions, records), quotes_floor)
    return doc, find_events_with_features(doc, mentions, quotes, records)


def judged_entries(path: str | Path | None = None) -> list[dict[str, Any]]:
    """The judged events (``data/plover_judged.jsonl`` unless ``path``): one JSON object a line.

    Each names a document (``doc``), the offset and word of an event's cue (``at``, ``cue``), the
    first words of its sentence (``sentence``, to check the text is the one judged) and what is
    right there: ``type`` (null: no event should be coded at this cue), ``source`` and ``target``
    (the actor ids that would be right: the actor named, or the state it acts for; ``target``
    empty when the event has none), ``negated``, ``hypothetical``, ``claimed_by`` (null: the
    narrator's), a short ``reason`` and, for events the stage missed, ``missed: true``.
    """
    from importlib import resources

    text = Path(path).read_text(encoding="utf-8") if path else \
        resources.files("narrascope").joinpath(f"data/{JUDGED}").read_text(encoding="utf-8")
    entries = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
        except ValueError as e:
            raise UsageError(f"{path or JUDGED} line {number}: {e}") from e
        if not isinstance(entry, dict) or not {"doc", "at", "cue"} <= entry.keys():
            raise UsageError(f"{path or JUDGED} line {number}: needs doc, at and cue")
        entries.append(entry)
    return entries


def judge_event(entry: Mapping[str, Any], event: Mapping[str, Any]) -> dict[str, bool]:
    """Each part of an event judged against the entry for its cue: type, source, target (the actor
    named or the state it stands for among the ids the entry accepts), negated, hypothetical,
    claimed_by; ``right`` is type, source and target together (what the confidence estimates)."""
    sources = set(entry.get("source") or ())
    targets = set(entry.get("target") or ())
    type_ok = entry.get("type") is not None and event["type"] == entry["type"]
    source_ok = bool(sources & {event.get("source_actor") or event.get("source"), event.get("source_state")})
    if targets:
        target_ok = bool(targets & {event.get("target_actor") or event.get("target"), event.get("target_state")})
    else:
        target_ok = event.get("target") is None
    return {"type": type_ok, "source": source_ok, "target": target_ok,
            "negated": bool(event.get("negated")) == bool(entry.get("negated")),
            "hypothetical": bool(event.get("hypothetical")) == bool(entry.get("hypothetical")),
            "claimed_by": event.get("claimed_by") == entry.get("claimed_by"),
            "right": type_ok and source_ok and target_ok}


@dataclass
class JudgedEvent:
    """One event found on a judged document with its features and the verdict of its entry
    (``verdict`` None: no entry for its cue, so it is not judged)."""

    doc: str
    event: dict[str, Any]
    features: dict[str, float]
    verdict: dict[str, bool] | None


def judged_facts(data_dir: str | Path, *, split: str = "train", judged: str | Path | None = None,
                 actors_floor: float, quotes_floor: float, echo: Callable[[str], None] | None = None,
                 ) -> list[JudgedEvent]:
    """Every event the pipeline finds today on the judged documents of ``split`` (by
    ``in_training_split(document id)``), with its verdict when the judged file has an entry for
    its cue (same offset and word, sentence as judged)."""
    from .confidence import in_training_split

    by_doc: dict[str, dict[int, Mapping[str, Any]]] = {}
    for entry in judged_entries(judged):
        if entry.get("missed"):
            continue
        by_doc.setdefault(entry["doc"], {})[int(entry["at"])] = entry
    docs = sorted(d for d in by_doc if split == "all" or in_training_split(d) == (split == "train"))
    if echo is not None:
        echo(f"judged articles ({split}): {len(docs)} documents; parsing and coding them")
    out: list[JudgedEvent] = []
    for k, doc_id in enumerate(docs):
        text, published = read_document(data_dir, doc_id)
        _doc, found = code_text(text, published=published, actors_floor=actors_floor, quotes_floor=quotes_floor)
        for event, features in found:
            at = int(event["cue_span"]["start"])
            judged_entry = by_doc[doc_id].get(at)
            if judged_entry is not None and text[at:at + len(judged_entry["cue"])] != judged_entry["cue"]:
                raise UsageError(f"{doc_id}: the text at offset {at} is not the one judged ({judged_entry['cue']!r})")
            verdict = judge_event(judged_entry, event) if judged_entry is not None else None
            out.append(JudgedEvent(doc_id, event, features, verdict))
        if echo is not None and (k + 1) % 25 == 0:
            echo(f"  {k + 1}/{len(docs)} documents, {sum(e.verdict is not None for e in out)} judged events")
    if echo is not None:
        judged_events = [e for e in out if e.verdict is not None]
        echo(f"{len(judged_events)} judged events ({sum(e.verdict['right'] for e in judged_events if e.verdict)} "
             f"right), {len(out) - len(judged_events)} events with no entry (not used)")
    return out
