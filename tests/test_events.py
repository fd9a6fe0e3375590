"""Events: hand-written sentences per PLOVER type, negation, hypotheticals, passives, noun triggers,
pronoun targets, the seed gold events, and the ``eval events`` harness on a hand-written fixture.

Everything runs the real pieces: the pinned spaCy model, ``find_actors`` with the shipped knowledge
base, ``find_events``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from conftest import ROOT, SEEDS, export_records, run_cli
from narrascope.analysis.actors import find_actors
from narrascope.analysis.events import find_events, load_lexicon, primary_event
from narrascope.analysis.nlp import parse
from narrascope.analysis.types import PLOVER_TYPES
from narrascope.evaluate.events import MATCHING_RULE, evaluate_events, read_plover

FIXTURE = ROOT / "tests" / "data" / "events" / "records.json"


def events_of(text: str, quotes: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    doc = parse(text)
    actors, mentions = find_actors(doc)
    events = find_events(doc, mentions, quotes or [], actors)
    for e in events:  # the span contract of SCHEMA.md
        assert text[e["start"]:e["end"]] == e["text"]
        assert e["type"] in PLOVER_TYPES
    return events


def has(events: list[dict[str, Any]], type_: str, source: str, target: str | None, **flags: bool) -> bool:
    return any(e["type"] == type_ and e["source"] == source and e["target"] == target
               and all(e[k] == v for k, v in flags.items()) for e in events)


# ---------------------------------------------------------------------------------------------
# The lexicon


def test_lexicon_covers_every_plover_type() -> None:
    types = {entry.type for entries in load_lexicon().values() for entry in entries}
    assert types == set(PLOVER_TYPES)


def test_lexicon_puts_specific_rows_first() -> None:
    impose = load_lexicon()[("verb", "impose")]
    assert all(e.objects is not None for e in impose)
    assert {e.type for e in impose} == {"SANCTION", "COERCE"}
    welcome = load_lexicon()[("verb", "welcome")]
    assert welcome[0].objects is not None and welcome[-1].objects is None


# ---------------------------------------------------------------------------------------------
# One sentence per type


TYPED = [
    ("AGREE", "Germany agreed to cooperate with Poland on border controls.", "DEU", "POL"),
    ("CONSULT", "The French president met the Chinese premier in Beijing.", "FRA", "CHN"),
    ("SUPPORT", "Japan praised India for its climate policy.", "JPN", "IND"),
    ("CONCEDE", "Iran released two British sailors on Friday.", "IRN", "GBR"),
    ("COOPERATE", "Norway shared intelligence with Sweden about the attack.", "NOR", "SWE"),
    ("AID", "Canada sent medical supplies to Haiti.", "CAN", "HTI"),
    ("RETREAT", "Russia withdrew its troops from Georgia.", "RUS", "GEO"),
    ("REQUEST", "Brazil urged Argentina to lower its tariffs.", "BRA", "ARG"),
    ("ACCUSE", "Turkey accused Greece of violating its airspace.", "TUR", "GRC"),
    ("REJECT", "Pakistan rejected an Indian proposal for talks.", "PAK", "IND"),
    ("THREATEN", "China threatened to impose tariffs on Australian wine.", "CHN", "AUS"),
    ("PROTEST", "Thousands of Kenyans staged a protest against the Ugandan embassy.", "KEN", "UGA"),
    ("SANCTION", "The United States imposed sanctions on Venezuela.", "USA", "VEN"),
    ("MOBILIZE", "Armenia mobilized its reservists against Azerbaijan.", "ARM", "AZE"),
    ("COERCE", "Egyptian police arrested three Sudanese journalists.", "EGY", "SDN"),
    ("ASSAULT", "Israeli aircraft bombed Syrian positions near Damascus.", "ISR", "SYR"),
]


@pytest.mark.parametrize(("type_", "text", "source", "target"), TYPED, ids=[t[0] for t in TYPED])
def test_each_type(type_: str, text: str, source: str, target: str) -> None:
    events = events_of(text)
    assert has(events, type_, source, target, negated=False), events


def test_primary_event_is_the_main_clause() -> None:
    text = "Russia threatened to cut off gas supplies to Ukraine."
    doc = parse(text)
    actors, mentions = find_actors(doc)
    best = primary_event(doc, find_events(doc, mentions, [], actors))
    assert best is not None and (best["type"], best["source"], best["target"], best["cue"]) == \
        ("THREATEN", "RUS", "UKR", "threatened")


def test_cue_and_sentence_span() -> None:
    text = "It rained all day. Spain condemned Morocco for the raid. Nothing else happened."
    [event] = events_of(text)
    assert event["text"] == "Spain condemned Morocco for the raid."
    assert event["cue"] == "condemned"
    assert text[event["cue_span"]["start"]:event["cue_span"]["end"]] == "condemned"


def test_a_sentence_without_actors_has_no_events() -> None:
    assert events_of("The committee met on Tuesday and agreed to meet again.") == []


# ---------------------------------------------------------------------------------------------
# Negation, hypotheticals, intent


@pytest.mark.parametrize("text", [
    "France did not condemn Algeria.",
    "France never condemned Algeria.",
    "France no longer condemns Algeria.",
])
def test_negation(text: str) -> None:
    assert has(events_of(text), "ACCUSE", "FRA", "DZA", negated=True)


def test_affirmative_is_not_negated() -> None:
    assert has(events_of("France condemned Algeria."), "ACCUSE", "FRA", "DZA", negated=False, hypothetical=False)


@pytest.mark.parametrize("text", [
    "Chile could sanction Peru next year.",
    "Chile might sanction Peru next year.",
    "If the talks fail, Chile will sanction Peru.",
])
def test_hypothetical(text: str) -> None:
    events = events_of(text)
    assert any(e["source"] == "CHL" and e["target"] == "PER" and e["hypothetical"] for e in events), events


def test_a_threat_is_real_what_it_threatens_is_not() -> None:
    events = events_of("Chile threatened to sanction Peru.")
    assert has(events, "THREATEN", "CHL", "PER", hypothetical=False)
    assert has(events, "SANCTION", "CHL", "PER", hypothetical=True)


def test_intended_cooperation_is_agree_intended_force_threaten() -> None:
    assert has(events_of("Finland will give Tanzania a grant of 50 million dollars."), "AGREE", "FIN", "TZA")
    assert has(events_of("Serbia said it would attack Albania."), "THREATEN", "SRB", "ALB", hypothetical=True)


def test_a_conditional_threat_is_still_a_threat() -> None:
    events = events_of("Iran threatened to cut off electricity to Armenia unless it paid its bills.")
    assert has(events, "THREATEN", "IRN", "ARM", hypothetical=False), events


# ---------------------------------------------------------------------------------------------
# Passives, nouns, pronouns, quotes


def test_passive_agent_is_the_source() -> None:
    events = events_of("Lebanon was attacked by Syrian forces.")
    assert has(events, "ASSAULT", "SYR", "LBN"), events


def test_noun_trigger_with_of_theme_and_to_target() -> None:
    events = events_of("Both countries dislike the deployment of U.S. missile defense to South Korea.")
    assert has(events, "AID", "USA", "KOR"), events


def test_noun_trigger_possessor_is_the_source() -> None:
    events = events_of("Russia's invasion of Ukraine shocked Europe.")
    assert has(events, "ASSAULT", "RUS", "UKR"), events


def test_noun_trigger_takes_the_governing_subject_and_a_pronoun_target() -> None:
    text = "Pakistan warned India. Then Donald Trump erupted with threats to unleash fire and fury on it."
    events = events_of(text)
    # "it" is the nearest preceding state that is not the threatener itself
    assert has(events, "THREATEN", "USA", "IND"), events


def test_pronoun_subject_resolves_to_the_previous_state() -> None:
    events = events_of("Hungary held a vote on Sunday. It then rejected the Austrian proposal.")
    assert has(events, "REJECT", "HUN", "AUT"), events


def test_we_in_a_quote_is_the_speaker() -> None:
    text = 'Mexico\'s foreign minister spoke. "We condemn Guatemala," she said.'
    start = text.index("We")
    quotes = [{"speaker": "she", "speaker_actor": "MEX", "start": start, "end": text.index('," she'),
               "content": text[start:text.index('," she')], "direct": True}]
    assert has(events_of(text, quotes), "ACCUSE", "MEX", "GTM")


def test_must_under_a_speaker_is_a_request() -> None:
    events = events_of("Russia said on Tuesday that Sudan must return the helicopter.")
    assert has(events, "REQUEST", "RUS", "SDN"), events


# ---------------------------------------------------------------------------------------------
# The seed gold (hand annotation of the two seed op-eds), through the real ingest


SEED_EVENTS = [
    ("000", "CONSULT", "RUS", "PRK", "Lavrov handed Kim a message from Vladimir Putin"),
    ("000", "AGREE", "RUS", "PRK", "would meet the North Korean leader before year ends"),
    ("000", "REQUEST", "USA", "PRK", "North Korea must show serious and verifiable evidence of disarmament"),
    ("001", "THREATEN", "USA", "PRK", 'threats to unleash "fire and fury" on it'),
    ("001", "AID", "USA", "KOR", "deployment of U.S. missile defense (THAAD) to South Korea"),
]


@pytest.fixture(scope="module")
def seed_texts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    db = tmp_path_factory.mktemp("seeds") / "seeds.db"
    result = run_cli("ingest", "--quiet", "--db", str(db), str(SEEDS))
    assert result.exit_code == 0, result.output
    return {Path(r["source"]["location"]).name[:3]: r for r in export_records(db)}


@pytest.mark.parametrize(("seed", "type_", "source", "target", "snippet"), SEED_EVENTS,
                         ids=[f"{s[0]}-{s[1]}" for s in SEED_EVENTS])
def test_seed_gold_event(seed_texts: dict[str, dict[str, Any]], seed: str, type_: str, source: str, target: str,
                         snippet: str) -> None:
    record = seed_texts[seed]
    doc = parse(record["text"])
    actors, mentions = find_actors(doc, published=record.get("published"))
    events = find_events(doc, mentions, [], actors)
    hits = [e for e in events if e["type"] == type_ and e["source"] == source and e["target"] == target
            and snippet in e["text"]]
    assert hits, [(e["type"], e["source"], e["target"], e["cue"]) for e in events if snippet in e["text"]]


# ---------------------------------------------------------------------------------------------
# The evaluation harness on a hand-written PLOVER fixture


def test_read_plover_maps_old_names_and_fixes_codes() -> None:
    gold = {g.id: g for g in read_plover(FIXTURE)}
    assert gold["T-DISAPPROVE-1"].type == "ACCUSE"
    assert gold["T-SANCTION-1"].sources == frozenset({"ITA"})
    assert gold["T-SUPPORT-1"].targets == frozenset()
    assert gold["T-SUPPORT-1"].sources == frozenset({"FRA", "DEU"})


def test_eval_counts_on_the_fixture() -> None:
    # Computed by hand from tests/data/events/records.json: 6 records; the weather sentence codes
    # nothing; every coded record has the right type and source; targets are scored on the 4 records
    # whose gold has one, and the Kenya record's gold target (Ethiopia) is deliberately not ours.
    report = evaluate_events(FIXTURE).to_dict()
    assert (report["records"], report["coded"]) == (6, 5)
    assert report["coverage"] == pytest.approx(5 / 6)
    assert report["type_accuracy"] == 1.0
    assert (report["source_scored"], report["source_accuracy"]) == (5, 1.0)
    assert (report["target_scored"], report["target_accuracy"]) == (4, 0.75)
    assert report["no_gold_target"] == 1
    assert report["matching_rule"] == MATCHING_RULE


def test_eval_cli_prints_scores_and_the_rule() -> None:
    result = run_cli("eval", "events", str(FIXTURE))
    assert result.exit_code == 0, result.output
    assert "coverage                0.833" in result.output
    assert "Matching rule:" in result.output
    limited = run_cli("eval", "events", str(FIXTURE), "--limit", "2", "--json")
    assert json.loads(limited.output)["records"] == 2


def test_eval_rejects_a_file_that_is_not_plover(tmp_path: Path) -> None:
    from narrascope.errors import UsageError

    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"not": "a list"}), encoding="utf-8")
    with pytest.raises(UsageError):
        read_plover(bad)


def test_an_unknown_domestic_target_stands_for_the_source_state() -> None:
    events = events_of("Turkish authorities imposed a curfew in the town of Cizre on Tuesday.")
    curfew = [e for e in events if e["type"] == "COERCE" and e["source"] == "TUR"]
    assert curfew and curfew[0]["target"] != "TUR" and curfew[0]["target_state"] == "TUR", events


def test_an_intergovernmental_target_keeps_its_id() -> None:
    events = events_of("Lebanon rejected a United Nations appeal for troops.")
    assert any(e["type"] == "REJECT" and e["source_state"] == "LBN" and e["target_state"] == "org:un"
               for e in events), events
