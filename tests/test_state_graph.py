"""The state graph holds states (issue 11), on a real store.

At ``--level state`` edges such as ``person:anthony-fauci -> person:anthony-fauci`` or
``group:isis -> IRQ`` had ends that are not states. Records with hand-made actors and events are
imported (``narrascope import``: a real store, the real graph analysis and CLI): persons and bodies
with a country roll up to it, armed groups, places and actors with no state are left out, and
every node and edge end at the state level is an ISO 3166-1 alpha-3 state.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from conftest import ingest_jsonl, run_cli

STATES_TSV = Path(__file__).resolve().parent.parent / "src" / "narrascope" / "data" / "actors" / "states.tsv"
ISO_STATES = {line.split("\t")[0] for line in STATES_TSV.read_text(encoding="utf-8").splitlines()
              if line.strip() and not line.startswith("#") and not line.startswith("id\t")}

TEXT = ("Anthony Fauci praised Anthony Fauci. ISIS attacked Iraq near Mosul. Fauci met Vladimir Putin in Geneva."
        " The WHO criticised Fauci. An unnamed official accused Russia. The CDC helped Iraq."
        " ISIS threatened Turkey.")


def mention(word: str, nth: int = 0) -> dict[str, Any]:
    start = -1
    for _ in range(nth + 1):
        start = TEXT.index(word, start + 1)
    return {"start": start, "end": start + len(word), "text": word, "confidence": 0.9}


def actor(actor_id: str, name: str, kind: str, country: str | None, *words: str, **extra: Any) -> dict[str, Any]:
    return {"id": actor_id, "name": name, "kind": kind, "country": country,
            "mentions": [mention(w) for w in words], **extra}


def event(type_: str, source: str, target: str, sentence: str, **states: str) -> dict[str, Any]:
    start = TEXT.index(sentence)
    return {"type": type_, "source": source, "target": target, "start": start, "end": start + len(sentence),
            "text": sentence, "negated": False, "hypothetical": False, "confidence": 0.9, **states}


ACTORS = [
    actor("person:anthony-fauci", "Anthony Fauci", "person", "USA", "Anthony Fauci"),
    actor("group:isis", "ISIS", "group", None, "ISIS", operates_in="IRQ"),
    actor("IRQ", "Iraq", "state", "IRQ", "Iraq"),
    actor("location:mosul", "Mosul", "location", "IRQ", "Mosul"),
    actor("person:vladimir-putin", "Vladimir Putin", "person", "RUS", "Vladimir Putin"),
    actor("location:geneva", "Geneva", "location", "CHE", "Geneva"),
    actor("org:who", "WHO", "organization", None, "WHO"),
    actor("person:unnamed-official", "unnamed official", "person", None, "unnamed official"),
    actor("RUS", "Russia", "state", "RUS", "Russia"),
    actor("org:cdc", "CDC", "organization", "USA", "CDC"),
]
EVENTS = [
    event("SUPPORT", "person:anthony-fauci", "person:anthony-fauci", "Anthony Fauci praised Anthony Fauci.",
          source_state="USA", target_state="USA"),
    event("ASSAULT", "group:isis", "IRQ", "ISIS attacked Iraq near Mosul.", source_state="IRQ", target_state="IRQ"),
    event("ASSAULT", "group:isis", "location:mosul", "ISIS attacked Iraq near Mosul.", target_state="IRQ"),
    event("CONSULT", "person:anthony-fauci", "person:vladimir-putin", "Fauci met Vladimir Putin in Geneva.",
          source_state="USA", target_state="RUS"),
    event("ACCUSE", "org:who", "person:anthony-fauci", "The WHO criticised Fauci.", target_state="USA"),
    event("ACCUSE", "person:unnamed-official", "RUS", "An unnamed official accused Russia.", target_state="RUS"),
    event("AID", "org:cdc", "IRQ", "The CDC helped Iraq.", source_state="USA", target_state="IRQ"),
    # an end the record does not list among its actors: an armed group by its id, with a stated state
    event("THREATEN", "group:isis-k", "TUR", "ISIS threatened Turkey.", source_state="SYR", target_state="TUR"),
]


@pytest.fixture(scope="module")
def state_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("states")
    base_db = folder / "base.db"
    ingest_jsonl(folder, base_db, [{"title": "Fauci and Putin", "text": TEXT + " " + TEXT, "outlet": "Test Wire",
                                    "published": "2021-05-01", "url": "https://example.org/states"}])
    exported = run_cli("export", "--db", str(base_db), "--format", "jsonl")
    record = json.loads(exported.stdout.splitlines()[0])
    record.update(text=TEXT, actors=ACTORS, events=EVENTS, quotes=[], stances=[])
    source = folder / "records.jsonl"
    source.write_text(json.dumps(record) + "\n", encoding="utf-8")
    db = folder / "states.db"
    imported = run_cli("import", str(source), "--db", str(db))
    assert imported.exit_code == 0, imported.output
    return db


def graph(db: Path, *args: str) -> dict[str, Any]:
    result = run_cli("graph", "--db", str(db), "--json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_every_node_and_edge_end_at_state_level_is_a_state(state_db: Path) -> None:
    states = graph(state_db, "--level", "state")
    nodes = {n["id"] for n in states["nodes"]}
    assert nodes and nodes <= ISO_STATES, nodes - ISO_STATES
    ends = {end for e in states["edges"] for end in (e["source"], e["target"])}
    assert ends <= ISO_STATES, ends - ISO_STATES
    assert all(e["source"] != e["target"] for e in states["edges"])


def test_persons_and_bodies_roll_up_and_the_rest_is_left_out(state_db: Path) -> None:
    events = {(e["source"], e["target"], e["type"]) for e in graph(state_db, "--level", "state", "--kind",
                                                                    "event")["edges"]}
    # Fauci (USA) met Putin (RUS); the CDC (a US body) helped Iraq. Nothing else is between two states:
    # not Fauci with himself, not ISIS (an armed group, listed or not), not the WHO or an official of no state.
    assert events == {("USA", "RUS", "CONSULT"), ("USA", "IRQ", "AID")}
    actors = {(e["source"], e["target"], e["type"]) for e in graph(state_db, "--kind", "event")["edges"]}
    assert ("group:isis", "IRQ", "ASSAULT") in actors  # the actor level keeps every event between two actors
    assert ("org:who", "person:anthony-fauci", "ACCUSE") in actors
    assert ("person:anthony-fauci", "person:anthony-fauci", "SUPPORT") not in actors  # an actor acting on itself


def test_state_level_gexf_holds_states_only(state_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "states.gexf"
    result = run_cli("graph", "--db", str(state_db), "--level", "state", "--gexf", str(out))
    assert result.exit_code == 0, result.output
    ns = {"g": "http://gexf.net/1.3"}
    root = ET.parse(out).getroot()
    ids = {n.get("id") for n in root.findall(".//g:node", ns)}
    assert ids and ids <= ISO_STATES
