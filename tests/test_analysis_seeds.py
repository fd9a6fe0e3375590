"""Quality gate: the article analysis of the two bundled seeds against their hand annotation.

Every item of tests/data/seeds_analysis_gold.json is one test, so a regression names what broke:
actor surface forms resolved to the right id, people's roles, quotes with their speakers and no
scare quotes, events, technique examples (at least all but one per article), frames among the
top four, stance signs, genre. The store, ingest and export are the real ones.
"""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path
from typing import Any

import pytest

from conftest import ROOT, copy_store, export_records

GOLD = json.loads((ROOT / "tests" / "data" / "seeds_analysis_gold.json").read_text(encoding="utf-8"))["articles"]


def norm(s: Any) -> str:
    s = unicodedata.normalize("NFKC", str(s or "")).lower()
    for a, b in (("’", "'"), ("‘", "'"), ("“", '"'), ("”", '"')):
        s = s.replace(a, b)
    return " ".join(s.split())


@pytest.fixture(scope="module")
def records(tmp_path_factory: pytest.TempPathFactory, seeds_once: Path) -> dict[str, dict[str, Any]]:
    db = tmp_path_factory.mktemp("seeds") / "seeds.db"
    copy_store(seeds_once, db)  # the seeds ingested with the default pipeline, once for the run
    return {Path(r["source"]["location"]).name: r for r in export_records(db)}


def _cases(kind: str) -> list[Any]:
    out: list[Any] = []
    for name, g in sorted(GOLD.items()):
        if kind == "actor":
            out += [pytest.param(name, aid, form, id=f"{name[:3]}-{aid}-{form}")
                    for aid, forms in g["actors"]["must"].items() for form in forms]
        elif kind == "role":
            out += [pytest.param(name, p, id=f"{name[:3]}-{p['name']}") for p in g["actors"].get("people_with_roles", [])]
        elif kind == "not_actor":
            out += [pytest.param(name, bad, id=f"{name[:3]}-{bad}") for bad in g["actors"].get("must_not_be_actor", [])]
        elif kind == "quote":
            out += [pytest.param(name, q, id=f"{name[:3]}-{q['speaker']}-{q['content_contains'][:20]}")
                    for q in g["quotes"]["must"]]
        elif kind == "not_quote":
            out += [pytest.param(name, q, id=f"{name[:3]}-{q.get('content') or q.get('speaker')}")
                    for q in g["quotes"].get("must_not", [])]
        elif kind == "event":
            out += [pytest.param(name, e, id=f"{name[:3]}-{e['source']}-{e['type']}-{e['target']}")
                    for e in g["events"]["must"]]
        elif kind == "stance":
            out += [pytest.param(name, s, id=f"{name[:3]}-{s['holder']}-{s['target']}") for s in g["stances"]]
        else:
            out.append(pytest.param(name, g, id=name[:3]))
    return out


def _country(record: dict[str, Any], actor_id: str | None) -> str | None:
    actor = next((a for a in record["actors"] if a["id"] == actor_id), None)
    return (actor or {}).get("country") or actor_id


@pytest.mark.parametrize(("name", "actor_id", "form"), _cases("actor"))
def test_surface_form_is_a_mention_of_the_actor(records: dict, name: str, actor_id: str, form: str) -> None:
    record = records[name]
    actor = next((a for a in record["actors"] if a["id"] == actor_id), None)
    assert actor is not None, f"no actor {actor_id}"
    assert any(norm(form) in norm(m["text"]) for m in actor["mentions"]), sorted({m["text"] for m in actor["mentions"]})
    for m in actor["mentions"]:
        assert record["text"][m["start"]:m["end"]] == m["text"]


@pytest.mark.parametrize(("name", "person"), _cases("role"))
def test_people_carry_their_roles(records: dict, name: str, person: dict) -> None:
    actor = next((a for a in records[name]["actors"] if norm(a["name"]) == norm(person["name"])), None)
    assert actor is not None, f"no actor named {person['name']}"
    assert norm(person["role_contains"]) in norm(actor["role"])


@pytest.mark.parametrize(("name", "form"), _cases("not_actor"))
def test_non_actors_are_not_actors(records: dict, name: str, form: str) -> None:
    assert norm(form) not in {norm(a["name"]) for a in records[name]["actors"]}


@pytest.mark.parametrize(("name", "quote"), _cases("quote"))
def test_quote_is_found_with_its_speaker(records: dict, name: str, quote: dict) -> None:
    quotes = records[name]["quotes"]
    hits = [q for q in quotes if norm(quote["content_contains"]) in norm(q["content"])]
    assert hits, "content not found in any quote"
    assert any(norm(quote["speaker"]) in norm(q["speaker"]) for q in hits), [q["speaker"] for q in hits]
    if "anonymous" in quote:
        assert any(q["anonymous"] == quote["anonymous"] for q in hits)
    for q in quotes:
        assert records[name]["text"][q["start"]:q["end"]] == q["content"]


@pytest.mark.parametrize(("name", "bad"), _cases("not_quote"))
def test_scare_quotes_and_boilerplate_are_not_quotes(records: dict, name: str, bad: dict) -> None:
    quotes = records[name]["quotes"]
    if "content" in bad:
        assert not any(norm(q["content"]) == norm(bad["content"]) for q in quotes)
    if "speaker" in bad:
        assert not any(norm(q["speaker"]) == norm(bad["speaker"]) for q in quotes)


@pytest.mark.parametrize(("name", "event"), _cases("event"))
def test_event_is_coded(records: dict, name: str, event: dict) -> None:
    record = records[name]
    hits = [e for e in record["events"] if e["type"] == event["type"]
            and _country(record, e["source"]) == event["source"] and _country(record, e["target"]) == event["target"]]
    assert any(norm(event["text_contains"])[:40] in norm(record["text"][e["start"]:e["end"]]) for e in hits), \
        [(e["type"], e["source"], e["target"], e["text"][:60]) for e in record["events"]]


@pytest.mark.parametrize(("name", "gold"), _cases("techniques"))
def test_technique_examples_overlap_a_predicted_span(records: dict, name: str, gold: dict) -> None:
    record = records[name]
    examples = gold["techniques"]["examples"]
    found = []
    for t in examples:
        i = record["text"].find(t["text_contains"])
        assert i >= 0, t["text_contains"]
        j = i + len(t["text_contains"])
        if any(x["name"] == t["name"] and min(j, x["end"]) > max(i, x["start"]) for x in record["techniques"]):
            found.append(t["name"])
    assert len(found) >= len(examples) - 1, f"found {found}"


@pytest.mark.parametrize(("name", "gold"), _cases("frames"))
def test_listed_frames_are_among_the_top_four(records: dict, name: str, gold: dict) -> None:
    top = [f["name"] for f in sorted(records[name]["frames"], key=lambda f: -f["score"])][:4]
    assert set(gold["frames"]) <= set(top), top


@pytest.mark.parametrize(("name", "stance"), _cases("stance"))
def test_stance_sign(records: dict, name: str, stance: dict) -> None:
    record = records[name]
    values = [s["polarity"] for s in record["stances"]
              if s["holder"] == stance["holder"] and _country(record, s["target"]) == stance["target"]]
    assert values, "no stance"
    assert (values[-1] < 0) == (stance["polarity"] == "negative"), values
    for s in record["stances"]:
        assert -1 <= s["polarity"] <= 1


@pytest.mark.parametrize(("name", "gold"), _cases("genre"))
def test_genre_is_opinion(records: dict, name: str, gold: dict) -> None:
    assert records[name]["genre"] == "opinion"
