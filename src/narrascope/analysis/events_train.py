"""``narrascope train events``: fit the confidence model of PLOVER events.

Every event ``find_events`` emits carries readable features (``events.event_features``: the type,
the cue's kind, how and where its source and target were found, what kind of actor each is,
whether the two share a state, negation, modality, quotes, how deep the cue sits). The model maps
them to a calibrated probability that the event is right, fitted on the **training splits** of
two sets:

- the PLOVER gold records (``in_training_split(record id)``): each record's primary event (the
  one ``primary_event`` picks among all its events) is right when its type, its source state and,
  when the gold names one, its target state are the gold's (``evaluate.events.right``); a record
  with no event teaches nothing;
- the judged events on real articles (``data/plover_judged.jsonl``, ``in_training_split(document
  id)``): every event the stage found on political news (PolNeAR, PTC and NTREX documents, never
  the NTREX documents kept for the final hand check), judged by reading its sentence. The file
  keeps document ids, offsets, cue words and the first words of each sentence, never the texts:
  ``read_document`` reads them again from the shared data folder. An event found today is judged
  by the entry for its cue (``judge_event``); one with no entry (a cue the rules did not find when
  it was judged) is not used.

The PLOVER records are single sentences about relations between states; real articles carry far
more campaign talk, sport, metaphor and private life, so the judged events teach the model what
real errors look like. Held-out figures on both are printed by ``narrascope eval events``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import UsageError
from .confidence import MODELS, ConfidenceModel

if TYPE_CHECKING:
    from spacy.tokens import Doc

__all__ = ["JUDGED", "RESERVED", "JudgedEvent", "code_text", "data_paths", "judge_event", "judged_entries",
           "judged_facts", "read_document", "train_events", "training_facts", "training_set"]

#: the judged events on real articles, shipped beside the lexicon (``data/plover_judged.jsonl``)
JUDGED = "plover_judged.jsonl"
#: NTREX documents kept for the final hand check: never judged, never trained on
RESERVED = frozenset(["rt.com.91337", "rt.com.91335", "rt.com.91350", "reuters.218882", "reuters.218888", "cnn.304489", "cnn.304447", "guardian.221762", "guardian.221756", "foxnews.94512", "nytimes.184862", "nytimes.184804", "cnbc.com.6790", "cnbc.com.6772", "telegraph.405408", "telegraph.405413", "bbc.381736", "euronews-en.153799", "cbsnews.248394", "abcnews.306774"])

#: the inverse regularisation of the logistic regression (chosen by grouped cross-validation on the training split)
C = 0.3


def training_facts(path: str | Path, *, split: str = "train", actors_floor: float | None = None,
                   echo: Callable[[str], None] | None = None,
                   ) -> tuple[list[dict[str, float]], list[bool], list[str]]:
    """(features, right, record id) of the primary event of every record of ``split`` that has one."""
    from ..evaluate.events import code_records, read_plover, right, select_split
    from .events import primary_event

    if actors_floor is None:  # the setting's default: the same data always gives the same model
        from ..settings import MinConfidence

        actors_floor = float(MinConfidence().actors)
    records = select_split(read_plover(path), split)
    if echo is not None:
        echo(f"PLOVER ({split}): {len(records)} records; parsing and coding them")
    features: list[dict[str, float]] = []
    correct: list[bool] = []
    groups: list[str] = []
    for k, coded in enumerate(code_records(records, actors_floor=actors_floor)):
        best = primary_event(coded.doc, coded.events)
        if best is not None:
            index = next(i for i, e in enumerate(coded.events) if e is best)
            features.append(coded.features[index])
            correct.append(right(coded.gold, best))
            groups.append(coded.gold.id)
        if echo is not None and (k + 1) % 50 == 0:
            echo(f"  {k + 1}/{len(records)} records, {len(correct)} coded")
    if echo is not None:
        echo(f"{len(correct)} of {len(records)} records coded, {sum(correct)} primary events right")
    return features, correct, groups


# ---------------------------------------------------------------------------------------------
# The judged set: events the stage found on real articles, each judged by reading its sentence


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


def data_paths(path: str | Path) -> tuple[Path, Path]:
    """(PLOVER records file, shared data folder) from either: the shared data folder (holding
    ``plover-gsr/records.json``, ``polnear``, ``ptc``, ``ntrex``) or the records file itself (its
    folder's parent is then the data folder)."""
    path = Path(path)
    if path.is_dir():
        return path / "plover-gsr" / "records.json", path
    return path, path.parent.parent


def training_set(path: str | Path, *, judged: str | Path | None = None, actors_floor: float, quotes_floor: float,
                 echo: Callable[[str], None] | None = None) -> tuple[list[dict[str, float]], list[bool], list[str]]:
    """(features, right, group) of every training fact: the primary event of each PLOVER record of
    the training split, and every judged event of the judged documents of the training split."""
    records, data_dir = data_paths(path)
    features, correct, groups = training_facts(records, split="train", actors_floor=actors_floor, echo=echo)
    if not all((data_dir / corpus).is_dir() for corpus in ("polnear", "ptc", "ntrex")):
        if echo is not None:
            echo(f"{data_dir}: no polnear, ptc and ntrex folders: the judged events are left out")
        return features, correct, groups
    for found in judged_facts(data_dir, split="train", judged=judged, actors_floor=actors_floor,
                              quotes_floor=quotes_floor, echo=echo):
        if found.verdict is not None:
            features.append(found.features)
            correct.append(found.verdict["right"])
            groups.append(found.doc)
    return features, correct, groups


def train_events(path: str | Path, *, judged: str | Path | None = None, output: str | Path | None = None,
                 actors_floor: float | None = None, quotes_floor: float | None = None,
                 echo: Callable[[str], None] | None = None) -> ConfidenceModel:
    """Fit the events confidence model on the training splits of the PLOVER records and of the
    judged events on real articles, and save it (deterministic: same data, same model). The floors
    default to their settings' defaults; the command passes the settings in force."""
    if actors_floor is None or quotes_floor is None:
        from ..settings import MinConfidence

        floors = MinConfidence()
        actors_floor = float(floors.actors) if actors_floor is None else actors_floor
        quotes_floor = float(floors.quotes) if quotes_floor is None else quotes_floor
    features, correct, groups = training_set(path, judged=judged, actors_floor=actors_floor,
                                             quotes_floor=quotes_floor, echo=echo)
    if not correct:
        raise UsageError(f"{path}: no training fact was coded")
    plover = sum(not g.startswith(("polnear/", "ptc/", "ntrex/")) for g in groups)
    model = ConfidenceModel.fit("events", features, correct, groups=groups, c=C,
                                meta={"trained_on": "training splits (in_training_split) of the PLOVER gold records "
                                                    "(each record's primary event, judged right on type, source state "
                                                    "and target state) and of the judged events on real articles "
                                                    f"(data/{JUDGED}, split by document; every judged event, right on "
                                                    "type, source and target)",
                                      "facts": len(correct), "right": sum(correct), "plover_facts": plover,
                                      "judged_facts": len(correct) - plover, "c": C})
    target = Path(output) if output else MODELS / "events.confidence.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    model.save(target)
    if echo is not None:
        echo(f"wrote {target} ({len(model.weights)} weights, {len(correct)} facts: {plover} PLOVER records, "
             f"{len(correct) - plover} judged events)")
    return model


