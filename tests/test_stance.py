"""Stance: holders, targets, own side, event words, the headline, aggregation, and the train and
eval commands, on sentences written for these tests (real spaCy parse, the shipped models)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import run_cli
from narrascope.analysis.nlp import parse
from narrascope.analysis.stance import Piece, aggregate, find_stances, own_side
from narrascope.analysis.stance_encoder import WordPiece, marked_pieces
from narrascope.analysis.stance_model import load_stance_model, mention_features
from narrascope.analysis.stance_train import article_key
from narrascope.analysis.types import ActorRecord, Mention
from narrascope.settings import load_settings

FLOOR = load_settings().analysis.min_confidence.stances


def _actor(text: str, name: str, actor_id: str, kind: str = "state", country: str | None = None,
           *more: str) -> ActorRecord:
    mentions = []
    for form in (name, *more):
        start = text.find(form)
        while start >= 0:
            mentions.append(Mention(start, start + len(form), form, actor_id))
            start = text.find(form, start + 1)
    return ActorRecord(id=actor_id, name=name, kind=kind, country=country,
                       mentions=sorted(mentions, key=lambda m: m.start))


def _kept(stances: list[dict]) -> list[dict]:
    return [s for s in stances if s["confidence"] >= FLOOR]


def test_confidences_are_present_and_within_the_unit_interval() -> None:
    text = ("Freedonia's brutal dictatorship keeps lying to its people. "
            "Sylvania has shown generous cooperation and real progress on reform.")
    stances = find_stances(parse(text), [_actor(text, "Freedonia", "FRE"), _actor(text, "Sylvania", "SYL")], [])
    assert stances
    for s in stances:
        assert 0.0 <= s["confidence"] <= 1.0 and -1.0 <= s["polarity"] <= 1.0
        for ev in s["evidence"]:
            assert 0 <= ev["start"] < ev["end"] <= len(text)
            assert 0.0 <= ev["confidence"] <= 1.0 and -1.0 <= ev["polarity"] <= 1.0


def test_author_stance_follows_the_words_about_the_actor() -> None:
    text = ("Freedonia's brutal dictatorship keeps lying to its people. "
            "Sylvania has shown generous cooperation and real progress on reform.")
    stances = find_stances(parse(text), [_actor(text, "Freedonia", "FRE"), _actor(text, "Sylvania", "SYL")], [])
    by_target = {s["target"]: s for s in _kept(stances) if s["holder"] == "author"}
    assert by_target["FRE"]["polarity"] < 0 < by_target["SYL"]["polarity"]


def test_a_spokesman_takes_no_stance_toward_his_own_state() -> None:
    # The spokesman speaks for Freedonia: what he says of Freedonia is not an attack on it,
    # whatever the words around it; what he says of Sylvania is his stance.
    text = ('Foreign ministry spokesman Ivan Petrov said: "Freedonia will never accept these shameful lies, '
            'and Sylvania is a reckless aggressor." The talks broke down.')
    start = text.index("Freedonia will")
    end = text.index('." The') + 1
    spokesman = _actor(text, "Ivan Petrov", "person:ivan-petrov", "person", "FRE")
    quote = {"speaker": "Ivan Petrov", "speaker_actor": spokesman.id, "start": start, "end": end,
             "content": text[start:end]}
    actors = [spokesman, _actor(text, "Freedonia", "FRE"), _actor(text, "Sylvania", "SYL"),
              _actor(text, "Foreign ministry", "org:freedonia-foreign-ministry", "organization", "FRE")]
    stances = find_stances(parse(text), actors, [quote])
    held = {(s["holder"], s["target"]) for s in stances}
    assert ("person:ivan-petrov", "FRE") not in held
    assert ("person:ivan-petrov", "org:freedonia-foreign-ministry") not in held
    assert ("person:ivan-petrov", "SYL") in held
    assert not any(s["holder"] == "author" and s["target"] == "SYL" and s["evidence"] for s in stances
                   if any(start <= e["start"] < end for e in s["evidence"]))


def test_own_side_rules() -> None:
    state = ActorRecord(id="FRE", name="Freedonia", kind="state")
    minister = ActorRecord(id="person:x", name="X", kind="person", country="FRE")
    ministry = ActorRecord(id="org:fre-mfa", name="Ministry", kind="organization", country="FRE")
    other = ActorRecord(id="SYL", name="Sylvania", kind="state")
    outlet = ActorRecord(id="org:freedonia-today", name="Freedonia Today", kind="organization", country="FRE")
    assert own_side(minister, state) and own_side(minister, ministry) and own_side(state, minister)
    assert own_side(minister, minister) and not own_side(minister, other)
    assert own_side(None, outlet, outlet="Freedonia Today") and not own_side(None, state, outlet="Freedonia Today")


def test_a_party_is_not_its_states_own_side() -> None:
    # A president attacking the opposition (or the opposition the government) holds a stance: a
    # party is of its state but does not act for it.
    president = ActorRecord(id="person:p", name="P", kind="person", country="FRE", role="President")
    party = ActorRecord(id="group:greens", name="Greens", kind="group", country="FRE")
    state = ActorRecord(id="FRE", name="Freedonia", kind="state")
    assert not own_side(president, party) and not own_side(party, state)
    assert own_side(party, party)


def test_a_state_takes_no_stance_from_the_mentions_of_those_acting_for_it() -> None:
    # "the ruthless tactics of Minister Varga" judge Varga, not Freedonia: the state record lists
    # his mention (rolled up) but only its own mentions are stance targets.
    text = "Minister Ivan Varga used ruthless, shameful and dishonest tactics. Freedonia held elections in May."
    varga = _actor(text, "Ivan Varga", "person:ivan-varga", "person", "FRE")
    state = _actor(text, "Freedonia", "FRE")
    state.mentions = sorted([*state.mentions, *varga.mentions], key=lambda m: m.start)
    stances = find_stances(parse(text), [varga, state], [], genre="opinion")
    by_target = {s["target"]: s for s in stances if s["holder"] == "author"}
    assert by_target["person:ivan-varga"]["polarity"] < 0
    assert all(e["start"] >= text.index("Freedonia") for e in by_target.get("FRE", {}).get("evidence", []))


def test_the_author_takes_no_stance_toward_the_outlet_itself() -> None:
    text = "Freedonia Today has been accused of spreading vile propaganda and lies by Sylvania."
    outlet = _actor(text, "Freedonia Today", "org:freedonia-today", "organization", "FRE")
    stances = find_stances(parse(text), [outlet, _actor(text, "Sylvania", "SYL")], [], outlet="Freedonia Today")
    assert not [s for s in stances if s["target"] == outlet.id and s["holder"] == "author"]


def test_no_stance_toward_places() -> None:
    text = ("The brutal, corrupt and hopeless Darien jungle swallowed the migrants. "
            "Asia suffered a terrible, deadly year.")
    actors = [_actor(text, "Darien jungle", "location:darien-jungle", "location"),
              _actor(text, "Asia", "location:asia", "location")]
    assert find_stances(parse(text), actors, []) == []


def test_event_words_are_not_a_judgement_of_the_actor_nearby() -> None:
    # "contagious", "deadly" describe the disease, not Pence.
    text = ("The highly contagious and deadly virus spread through three more counties on Tuesday "
            "as Mike Pence toured a factory in Ohio.")
    pence = _actor(text, "Mike Pence", "person:mike-pence", "person", "USA")
    # (The classifier is tested, so the text is read as opinion: every author sentence counts.)
    negative = [s for s in _kept(find_stances(parse(text), [pence], [], genre="opinion")) if s["polarity"] < 0]
    assert negative == []
    # The same words judging him do give a negative stance.
    judged = "Mike Pence lied again and again about the contagious virus and failed the country."
    pence = _actor(judged, "Mike Pence", "person:mike-pence", "person", "USA")
    assert [s["polarity"] < 0 for s in _kept(find_stances(parse(judged), [pence], [], genre="opinion"))] == [True]


def test_the_headline_stance_is_kept() -> None:
    title = "Freedonia's brutal regime crushes peaceful protesters"
    text = "Freedonia held a vote on Sunday. Results are expected next week."
    actors = [_actor(text, "Freedonia", "FRE")]
    stances = find_stances(parse(text), actors, [], title=title)
    author = [s for s in stances if s["holder"] == "author" and s["target"] == "FRE"]
    assert author and author[0]["polarity"] < 0 and author[0].get("headline") is True
    # The body alone does not say it.
    body_only = [s for s in find_stances(parse(text), actors, []) if s["holder"] == "author"]
    assert all(s["polarity"] >= 0 for s in body_only)


def test_the_author_does_not_hold_the_judgement_of_reported_speech() -> None:
    # A report that someone accused, denied or said something is not the reporter's judgement.
    text = ("Freedonia's prime minister accused Sylvania of reckless and brutal aggression. "
            "According to Freedonian officials, Sylvania is a dangerous, lying regime. "
            "Sylvania has shown generous cooperation and real progress on reform.")
    actors = [_actor(text, "Sylvania", "SYL")]
    doc = parse(text)
    author = [s for s in find_stances(doc, actors, []) if s["holder"] == "author" and s["target"] == "SYL"]
    first_two = text.index("Sylvania has shown")
    assert author and all(e["start"] >= first_two for s in author for e in s["evidence"])
    assert author[0]["polarity"] >= 0


def test_a_headline_reporting_someone_gives_the_author_no_stance() -> None:
    from narrascope.analysis.stance import reported_title

    text = "Freedonia held a vote on Sunday. Results are expected next week."
    actors = [_actor(text, "Freedonia", "FRE")]
    for title in ('Sylvanian leader calls Freedonia "a brutal regime"', "Sylvania says Freedonia's brutal regime lies"):
        assert reported_title(title)
        author = [s for s in find_stances(parse(text), actors, [], title=title) if s["holder"] == "author"]
        assert not any(s.get("headline") for s in author) and all(s["polarity"] >= 0 for s in author)
    assert not reported_title("Freedonia's brutal regime crushes peaceful protesters")


def test_a_news_report_describing_a_grim_event_gives_the_author_no_stance() -> None:
    from narrascope.analysis.stance import evaluative

    text = ("Prosecutors are seeking the death penalty for Karl Brenner, the suspect in the Freedonia bombing. "
            "Brenner was convicted of murdering two men in 2009.")
    brenner = _actor(text, "Karl Brenner", "person:karl-brenner", "person", None, "Brenner")
    doc = parse(text)
    assert not any(evaluative(sent) for sent in doc.sents)
    assert not [s for s in find_stances(doc, [brenner], [], genre="reporting") if s["holder"] == "author"
                and s["polarity"] != 0]
    # An evaluative word is the author's judgement, in a report too.
    judged = "Freedonia's brutal and corrupt regime keeps lying to its people."
    assert evaluative(parse(judged))
    author = [s for s in find_stances(parse(judged), [_actor(judged, "Freedonia", "FRE")], [], genre="reporting")
              if s["holder"] == "author"]
    assert author and author[0]["polarity"] < 0


def test_quoted_speaker_holds_the_stance_of_the_quote() -> None:
    text = 'The minister said: "Sylvania is a reckless aggressor." Sylvania rejected that.'
    start = text.index("Sylvania is")
    end = text.index('."') + 1
    minister = _actor(text, "The minister", "person:minister", "person", "FRE")
    quote = {"speaker": "The minister", "speaker_actor": minister.id, "start": start, "end": end,
             "content": text[start:end]}
    stances = find_stances(parse(text), [minister, _actor(text, "Sylvania", "SYL")], [quote])
    speaker = [s for s in stances if s["holder"] == minister.id and s["target"] == "SYL"]
    assert speaker and speaker[0]["polarity"] < 0
    assert all(start <= e["start"] < end for e in speaker[0]["evidence"])
    # The author's stance toward Sylvania rests on the author's own sentence only.
    author = [s for s in stances if s["holder"] == "author" and s["target"] == "SYL"]
    assert all(not (start <= e["start"] < end) for s in author for e in s["evidence"])


def test_negation_flips_the_stance() -> None:
    text = "Freedonia is not a success. Sylvania is a success."
    stances = {s["target"]: s["polarity"] for s in
               find_stances(parse(text), [_actor(text, "Freedonia", "FRE"), _actor(text, "Sylvania", "SYL")], [],
                            genre="opinion")}
    assert stances["FRE"] < 0 < stances["SYL"]


def test_aggregation_weighs_sentences_by_confidence() -> None:
    strong = Piece(0, 10, "negative", 0.9, -0.8)
    weak = Piece(20, 30, "positive", 0.55, 0.3)
    stance = aggregate("author", "FRE", [strong, weak])
    assert stance is not None and stance["polarity"] < 0
    # One disagreeing sentence lowers the confidence below that of the surest agreeing one.
    assert stance["confidence"] < 0.9
    assert [e["start"] for e in stance["evidence"]] == [0]
    alone = aggregate("author", "FRE", [strong])
    assert alone is not None and alone["confidence"] == 0.9


def test_the_feature_model_reads_the_target_position_not_the_name() -> None:
    doc = parse("Critics said Alice Smith ruined the economy while Bob Jones praised it.")
    names = {m.text: m for m in doc.ents}
    alice, bob = names["Alice Smith"], names["Bob Jones"]
    fa, fb = mention_features(doc, alice.start, alice.end), mention_features(doc, bob.start, bob.end)
    assert "w:alice" not in fa and "w:ENT" in fa  # names are masked
    assert fa != fb
    model = load_stance_model()
    assert model.predict(fa)[2] < model.predict(fb)[2]


def test_wordpiece_marks_the_mention() -> None:
    tok = WordPiece(["[PAD]", "[unused0]", "[unused1]", "[UNK]", "[CLS]", "[SEP]", "the", "minister", "met",
                     "syl", "##van", "##ia", "."])
    ids, at = marked_pieces(tok, "The minister met Sylvania.", 17, 25)
    assert at == 4 and ids[at] == 1 and ids[at + 4] == 2
    assert ids[at + 1:at + 4] == [9, 10, 11] and ids[0] == 4 and ids[-1] == 5


def test_article_key_keeps_a_story_together() -> None:
    assert article_key("allsides_1018_408_1_Hillary Clinton_2_17") == article_key("allsides_1019_408_9_X_0_7")
    assert article_key("polusa_v1_113708233_-1_112_Alexa_43_48") == article_key("polusa_v1_113708233_-1_53_E_1_2")
    assert article_key("polusa_v1_113708233_-1_112_Alexa_43_48") != article_key("polusa_v1_113708375_-1_7_M_1_9")


def _newsmtsc(path: Path) -> Path:
    rows = [
        ("allsides_1_10_0_A", "Alice Smith lied to voters and wrecked the economy.", "Alice Smith", 2.0),
        ("allsides_2_11_0_B", "Bob Jones won praise for his brave and honest leadership.", "Bob Jones", 6.0),
        ("allsides_3_12_0_C", "Carol White spoke at a meeting in Ohio on Tuesday.", "Carol White", 4.0),
        ("polusa_v1_4_-1_0_D", "Dan Brown was slammed for his disastrous, corrupt policies.", "Dan Brown", 2.0),
        ("polusa_v1_5_-1_0_E", "Eve Green thanked the nurses for their wonderful work.", "Eve Green", 6.0),
        ("polusa_v1_6_-1_0_F", "Frank Black will travel to Paris next week.", "Frank Black", 4.0),
    ] * 3
    lines = []
    for i, (gid, sentence, mention, polarity) in enumerate(rows):
        start = sentence.index(mention)
        gid = gid.replace("_0_", f"_{i}_") if i >= 6 else gid
        key = gid.split("_")
        gid = "_".join(key[:2] + [str(int(key[2]) + 100 * (i // 6))] + key[3:])
        lines.append(json.dumps({"primary_gid": gid, "sentence_normalized": sentence,
                                 "targets": [{"Input.gid": gid, "from": start, "to": start + len(mention),
                                              "mention": mention, "polarity": polarity}]}))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.slow
def test_train_and_eval_stance_commands(tmp_path: Path) -> None:
    data = _newsmtsc(tmp_path / "train.jsonl")
    model = tmp_path / "stance.npz"
    result = run_cli("train", "stance", str(tmp_path), "-o", str(model))
    assert result.exit_code == 0, result.output
    assert model.is_file() and model.with_suffix(".json").is_file()
    sidecar = json.loads(model.with_suffix(".json").read_text(encoding="utf-8"))
    assert sidecar["targets"] > 0 and "NewsMTSC" in sidecar["data"]
    # Deterministic: the same data gives the same model.
    again = tmp_path / "again.npz"
    assert run_cli("train", "stance", str(data), "-o", str(again)).exit_code == 0
    assert again.read_bytes() == model.read_bytes()
    out = run_cli("eval", "stance", str(data), "--split", "all", "--model", str(model), "--features-only", "--json")
    assert out.exit_code == 0, out.output
    report = json.loads(out.stdout)
    assert report["raw"]["targets"] == 18
    for key in ("macro_f1", "accuracy", "non_neutral_precision", "sign_flips"):
        assert key in report["raw"] and key in report["at_floor"]
    assert report["calibration"]["facts"] == 18
    # The abstention rules (step 5) split the calls kept at the floor in two.
    abstention = report["abstention"]
    assert abstention["kept"]["calls"] + abstention["abstained"]["calls"] == report["kept"]["targets"]
    text = run_cli("eval", "stance", str(data), "--split", "all", "--model", str(model), "--features-only")
    assert "macro-F1" in text.stdout and "calibration (stances)" in text.stdout and "abstention at the floor" in text.stdout
