"""Persuasion techniques (rules, the trained model, the PTC eval harness, training) and frames."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

from narrascope.analysis.frames import find_frames, score_frames, top_frames
from narrascope.analysis.nlp import parse
from narrascope.analysis.ptc import PtcArticle, PtcSpan, fold_of, in_training_split, read_ptc, semeval_name
from narrascope.analysis.technique_rules import rule_spans
from narrascope.analysis.techniques import (
    MODEL_PATH,
    clean_spans,
    confidence_path,
    find_techniques,
    is_weak_span,
    load_model,
    model_card,
    select_spans,
)
from narrascope.analysis.types import FRAMES, TECHNIQUES
from narrascope.errors import UsageError
from narrascope.evaluate.techniques import (
    adjudicate,
    cross_fitted_floor,
    evaluate_techniques,
    fingerprint,
    gold_consistency,
    is_news_report,
    read_adjudication,
    score_article,
)
from narrascope.settings import Settings, defaults_text

#: The floor the pipeline applies: the shipped defaults file's.
FLOOR = Settings().with_overrides(tomllib.loads(defaults_text()), source="defaults").analysis.min_confidence.techniques

ROOT = Path(__file__).resolve().parent.parent
PTC_FIXTURE = ROOT / "tests" / "data" / "ptc"
GOLD = ROOT.parent / "shared" / "gold" / "seeds.json"


def rules(text: str, quotes: list[dict] = ()) -> list[tuple[str, str]]:
    doc = parse(text)
    return [(s["name"], text[s["start"]:s["end"]]) for s in rule_spans(doc, quotes)]


def names_over(text: str, phrase: str, spans: list[tuple[str, str]]) -> set[str]:
    return {name for name, t in spans if phrase in t or t in phrase}


# ---------------------------------------------------------------------------------------------
# Rules, one hand-written sentence each


@pytest.mark.parametrize(("text", "name", "phrase"), [
    ("The minister denounced the bellicose speech.", "Loaded_Language", "bellicose"),
    ("Rebels said the junta had stolen the harvest.", "Loaded_Language", "stolen"),
    ("Talks with the dictatorship resumed in May.", "Name_Calling-Labeling", "the dictatorship"),
    ("Observers expect the Assad regime to survive.", "Name_Calling-Labeling", "the Assad regime"),
    ("He offered Minsk the same deal that he gave Saddam Hussein and Muammar Gaddafi.",
     "Guilt_by_Association", "Saddam Hussein and Muammar Gaddafi"),
    ("Critics say the senator behaves just like Hitler.", "Guilt_by_Association", "like Hitler"),
    ("The new ruling was clear. Dissent will not be tolerated.", "Slogans", "Dissent will not be tolerated"),
    ("Voters cheered the \"Take Back Control\" slogan at every rally.", "Slogans", "Take Back Control"),
    ("A senior intelligence source told me the deal was dead.", "Appeal_to_Authority",
     "A senior intelligence source told me"),
    ("\"Prices will rise,\" Anna Kowalska, professor of economics at Warsaw University, wrote last week.",
     "Appeal_to_Authority", "Anna Kowalska, professor of economics at Warsaw University"),
    ("Chemical stockpiles could fall into the hands of terrorist groups.", "Appeal_to_Fear-Prejudice",
     "Chemical stockpiles could fall into the hands of terrorist groups"),
    ("A mayor mired in scandal and desperate for votes, Smith attacked the press.",
     "Questioning_the_Reputation", "A mayor mired in scandal"),
    ("It was the worst economic decision in history.", "Exaggeration-Minimisation", "worst economic decision in history"),
    ("We will defend our homeland at any cost.", "Flag_Waving", "our homeland"),
    ("Either you are with the government or you are a traitor to it.", "False_Dilemma-No_Choice", "Either you are"),
    ("Everyone knows the election was decided in advance.", "Appeal_to_Popularity", "Everyone knows"),
    ("The clock is ticking for the negotiators.", "Appeal_to_Time", "The clock is ticking"),
    ("The pact will inevitably lead to a federal superstate.", "Consequential_Oversimplification",
     "inevitably lead to"),
    ("Their talk of human rights is sheer hypocrisy.", "Appeal_to_Hypocrisy", "hypocrisy"),
])
def test_rule_finds_technique(text: str, name: str, phrase: str) -> None:
    spans = rules(text)
    assert name in names_over(text, phrase, spans), spans


@pytest.mark.parametrize(("text", "name"), [
    ("The EU extended its sanctions regime against Moscow.", "Name_Calling-Labeling"),
    ("Washington says regime change is not its goal.", "Name_Calling-Labeling"),
    ("The harvest was stored in the barn.", "Loaded_Language"),
    ("Officials met in Geneva on Monday to discuss trade.", "Appeal_to_Authority"),
    ("Saddam Hussein ruled Iraq from 1979 to 2003.", "Guilt_by_Association"),
    ("Never again did the two leaders meet.", "Slogans"),
    # Plain attributions are reporting, not an appeal to authority.
    ("Officials said the talks would resume on Monday.", "Appeal_to_Authority"),
    ("A senior official told Reuters the plan was on track.", "Appeal_to_Authority"),
    ("Sources said the minister would resign.", "Appeal_to_Authority"),
    ("Maria Lopez, a spokeswoman for the ministry, said the border would reopen.", "Appeal_to_Authority"),
])
def test_rule_stays_quiet(text: str, name: str) -> None:
    assert name not in {n for n, _ in rules(text)}


def test_authority_needs_a_source_used_as_proof() -> None:
    vouched = rules("Well-placed sources say the deal is already dead.")
    assert ("Appeal_to_Authority", "Well-placed sources say") in vouched
    own = rules("An intelligence source told me the talks had failed.")
    assert ("Appeal_to_Authority", "An intelligence source told me") in own
    assert "Appeal_to_Authority" not in {n for n, _ in rules("An intelligence source told reporters the talks failed.")}


def test_authority_from_a_quote_with_an_expert_speaker() -> None:
    text = "The ceasefire will hold, Maria Lopez said."
    at = text.index("Maria Lopez")
    quote = {"speaker": "Maria Lopez", "speaker_role": "senior analyst at the RAND Corporation",
             "speaker_span": {"start": at, "end": at + 11}, "anonymous": False, "start": 0, "end": 23}
    assert ("Appeal_to_Authority", "Maria Lopez") in rules(text, [quote])
    assert "Appeal_to_Authority" not in {n for n, _ in rules(text, [quote | {"speaker_role": None}])}


def test_spans_are_well_formed_with_calibrated_confidence() -> None:
    text = "The regime is a brutal dictatorship. Experts say it is the worst crisis in history!"
    doc = parse(text)
    found = find_techniques(doc)
    assert found
    for s in found:
        assert s["name"] in TECHNIQUES
        assert text[s["start"]:s["end"]] == s["text"]
        assert s["text"] == s["text"].strip(" \n.,:;")
        assert 0.0 <= s["confidence"] <= 1.0 and s["score"] == s["confidence"]
        assert round(s["confidence"], 3) == s["confidence"]
    assert found == sorted(found, key=lambda s: (s["start"], s["end"], s["name"]))
    assert find_techniques(doc) == found  # deterministic


# ---------------------------------------------------------------------------------------------
# The error classes of issue 10, on hand-written text


@pytest.mark.parametrize("text", ["and", "the", "a", "he", "of the", "man", "God", "3d", "’s", "it was"])
def test_no_span_on_a_function_word_or_a_lone_short_token(text: str) -> None:
    assert is_weak_span(text)
    body = f"Before {text} after."
    at = body.index(text)
    candidate = {"name": "Loaded_Language", "start": at, "end": at + len(text), "source": "model:token", "p": 0.9}
    assert clean_spans(body, [candidate]) == []
    assert clean_spans(body, [candidate | {"source": "rule:word"}]) == []


@pytest.mark.parametrize("text", ["evil", "the corrupt king", "KKK members", "Nazi", "stolen billions"])
def test_real_spans_are_not_weak(text: str) -> None:
    assert not is_weak_span(text)


def test_tagged_spans_lose_edge_connectives() -> None:
    body = "They told a vicious lie and walked away, and of shameful deeds."
    spans = [{"name": "Loaded_Language", "start": body.index(p), "end": body.index(p) + len(p), "source": "model:token"}
             for p in ("vicious lie and", "of shameful deeds")]
    assert [body[s["start"]:s["end"]] for s in clean_spans(body, spans)] == ["vicious lie", "shameful deeds"]


def test_no_weak_span_in_the_pipeline_output() -> None:
    text = ("The corrupt and brutal regime and its thugs have stolen billions from the people, and the "
            "so-called elections were a sham and a farce. He is a liar and a crook, and the man knows it.")
    found = find_techniques(parse(text))
    assert found
    assert not [s for s in found if is_weak_span(s["text"])]


def test_plain_attributions_are_not_appeals_to_authority() -> None:
    text = ("Officials said the ferry would resume service on Monday. A senior official told Reuters the "
            "repairs cost $2 million. Police said two people were injured, and a spokeswoman for the port "
            "authority said the terminal would reopen at noon.")
    found = find_techniques(parse(text))
    assert "Appeal_to_Authority" not in {s["name"] for s in found}


def test_overlapping_spans_of_one_technique_are_one_span() -> None:
    body = "A reliable diplomatic source told me the talks were over."
    end_short = body.index(" told")
    end_long = body.index(" the talks")
    spans = [{"name": "Appeal_to_Authority", "start": 0, "end": end_short, "confidence": 0.4},
             {"name": "Appeal_to_Authority", "start": 0, "end": end_long, "confidence": 0.6},
             {"name": "Loaded_Language", "start": 0, "end": end_long, "confidence": 0.3},
             {"name": "Doubt", "start": 0, "end": len(body) - 1, "confidence": 0.2}]
    chosen = select_spans(body, spans)
    assert [(s["name"], s["text"]) for s in chosen] == [
        ("Appeal_to_Authority", "A reliable diplomatic source told me"),
        ("Doubt", "A reliable diplomatic source told me the talks were over")]
    found = find_techniques(parse(body + " The regime has stolen billions and lied about it."))
    for a in found:
        for b in found:
            if a is not b and a["name"] == b["name"]:
                assert a["end"] <= b["start"] or b["end"] <= a["start"], (a, b)
            if a is not b:
                assert (a["start"], a["end"]) != (b["start"], b["end"])


def test_token_rows_read_valence_and_the_parse_vector() -> None:
    from narrascope.analysis.techniques import NUMERIC, TENSOR_WIDTH, token_rows

    doc = parse("The brutal regime crushed peaceful protesters.")
    indices, feats, dense = token_rows(doc)
    assert [doc[i].text for i in indices] == ["The", "brutal", "regime", "crushed", "peaceful", "protesters"]
    assert dense.shape == (6, len(NUMERIC) + TENSOR_WIDTH)
    brutal, the = indices.index(1), indices.index(0)
    assert 0 < dense[brutal, 0] <= 1 and dense[the, 0] == 0 and dense[the, 2] == dense[brutal, 0]
    assert any(f.startswith("charged|") for f in feats[brutal]) and not any(f.startswith("charged|") for f in feats[the])
    assert abs(dense[:, len(NUMERIC):]).sum() > 0  # the contextual vectors of the parse
    model = load_model()
    x = model.token_matrix(feats, dense)
    assert x.shape == (6, len(model.token_vocab) + len(NUMERIC) + TENSOR_WIDTH)


def test_a_sober_wire_report_carries_no_technique() -> None:
    text = ("BRUSSELS, March 3 - European Union finance ministers agreed on Tuesday to extend a temporary "
            "rule on state aid for six months, two officials said, after talks that lasted into the night.\n"
            "The extension covers loans and guarantees to companies hit by higher energy prices. Germany "
            "and France had asked for it in January; the Netherlands and Sweden had wanted it to end in June.\n"
            "\"We found a compromise that keeps the rules simple,\" the Belgian finance minister told reporters "
            "after the meeting. The European Commission will publish the text on Thursday.\n"
            "Ministers also discussed a proposal to raise the minimum corporate tax rate, but took no decision. "
            "The next meeting is scheduled for April 12 in Luxembourg.")
    found = [s for s in find_techniques(parse(text)) if s["confidence"] >= FLOOR]
    assert found == [], found


def test_news_reports_are_chosen_by_url() -> None:
    assert is_news_report("https://www.bbc.com/news/world-europe-50473792")
    assert is_news_report("https://edition.cnn.com/2019/11/18/politics/story/index.html")
    assert not is_news_report("https://www.theguardian.com/commentisfree/2019/nov/18/the-view")
    assert not is_news_report("https://www.cbssports.com/nfl/news/a-game")
    assert not is_news_report("https://www.foxnews.com/entertainment/a-star")
    assert not is_news_report("https://sputniknews.com/columnists/201911181077343476-royal/")
    assert not is_news_report(None)


# ---------------------------------------------------------------------------------------------
# Seeds: all but one of the technique examples per article overlap a kept span with that name


@pytest.fixture(scope="module")
def seed_records(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    """The seed records as the pipeline makes them: ingested and exported through the real CLI."""
    from click.testing import CliRunner

    from narrascope.cli import cli

    db = tmp_path_factory.mktemp("seeds") / "seeds.db"
    runner = CliRunner()
    assert runner.invoke(cli, ["ingest", str(ROOT / "examples" / "seeds"), "--db", str(db), "-q"]).exit_code == 0
    result = runner.invoke(cli, ["export", "--db", str(db)])
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in result.output.splitlines() if line.strip()]
    found = {}
    for rec in records:
        for path in sorted((ROOT / "examples" / "seeds").glob("*.txt")):
            if rec["text"][:40] in path.read_text(encoding="utf-8"):
                found[path.name] = rec
    return found


@pytest.fixture(scope="module")
def seed_texts(seed_records: dict[str, dict]) -> dict[str, str]:
    return {name: rec["text"] for name, rec in seed_records.items()}


@pytest.mark.skipif(not GOLD.exists(), reason="shared seed gold not available")
def test_seed_technique_examples(seed_records: dict[str, dict]) -> None:
    gold = json.loads(GOLD.read_text(encoding="utf-8"))["articles"]
    for name, article in gold.items():
        record = seed_records[name]
        text = record["text"]
        # The stage's own output: find_techniques with the quotes stage's quotes, at the default floor.
        assert all(t["confidence"] >= FLOOR for t in record["techniques"])
        found = [t for t in find_techniques(parse(text), record["quotes"]) if t["confidence"] >= FLOOR]
        assert [(t["name"], t["start"], t["end"]) for t in found] == [
            (t["name"], t["start"], t["end"]) for t in record["techniques"]]
        hits = 0
        for example in article["techniques"]["examples"]:
            i = text.index(example["text_contains"])
            j = i + len(example["text_contains"])
            hits += any(t["name"] == example["name"] and t["start"] < j and i < t["end"] for t in found)
        assert hits >= len(article["techniques"]["examples"]) - 1, (name, hits)


@pytest.mark.skipif(not GOLD.exists(), reason="shared seed gold not available")
def test_seed_frames_are_among_the_top(seed_texts: dict[str, str]) -> None:
    gold = json.loads(GOLD.read_text(encoding="utf-8"))["articles"]
    texts = seed_texts
    for name, article in gold.items():
        top = top_frames(find_frames(parse(texts[name])))
        assert set(article["frames"]) <= set(top), (name, top)


# ---------------------------------------------------------------------------------------------
# The eval harness on a hand-written PTC fixture


def test_ptc_reader_and_mapping() -> None:
    articles = read_ptc(PTC_FIXTURE)
    assert [a.id for a in articles] == ["1", "2"]
    assert [s.name for s in articles[0].spans] == ["Loaded_Language", "Name_Calling-Labeling",
                                                   "Appeal_to_Authority", "Doubt"]
    assert articles[0].text[articles[0].spans[0].start:articles[0].spans[0].end] == "brutal"
    assert semeval_name("Bandwagon,Reductio_ad_hitlerum", "the Gestapo-like police") == "Guilt_by_Association"
    assert semeval_name("Bandwagon,Reductio_ad_hitlerum", "everyone is doing it") == "Appeal_to_Popularity"
    assert semeval_name("Black-and-White_Fallacy") == "False_Dilemma-No_Choice"
    assert in_training_split("111111122") and not in_training_split("1")  # md5(id)[0] < 179
    assert read_ptc(PTC_FIXTURE, split="train") == [] and len(read_ptc(PTC_FIXTURE, split="heldout")) == 2


def test_score_article_by_hand() -> None:
    gold = [(0, 10, "Loaded_Language"), (20, 30, "Whataboutism"),
            (40, 50, "Doubt")]
    predicted = [(5, 8, "Loaded_Language"), (25, 26, "Straw_Man"), (28, 35, "Doubt"), (60, 70, "Slogans")]
    c = score_article(gold, predicted)
    # 3 of 4 predicted overlap gold; 2 of 3 gold are overlapped; of the 3 matched predictions the
    # Loaded_Language and the Straw_Man (merged with Whataboutism) are right, the Doubt is not;
    # of the 2 matched gold spans both accept one of their overlapping predictions.
    assert (c.predicted, c.predicted_matched, c.predicted_label_ok) == (4, 3, 2)
    assert (c.gold, c.gold_matched, c.gold_label_ok) == (3, 2, 2)


def test_eval_on_fixture_rules_only() -> None:
    # By hand, every rule span kept (floor 0): article 1 predicts "brutal" (LL), "The regime" (NC, no
    # gold) and "a brutal dictatorship" (NC); the plain "A senior official told reporters" is no
    # appeal to authority any more. Article 2 predicts "the worst crisis in history" (exaggeration)
    # and an Appeal_to_Time sentence PTC cannot hold (not scored).
    # Span P 3/4, R 4/7 (the authority, Doubt and Slogans gold are missed); technique P 3/3, R 3/4
    # (the gold Loaded_Language "crisis" only overlaps the exaggeration).
    d = evaluate_techniques(PTC_FIXTURE, model=False, split="all", min_confidence=0.0).to_dict()
    assert d["predicted_spans"] == 4 and d["gold_spans"] == 7 and d["unscored_predictions"] == 1
    assert d["span"] == {"precision": 0.75, "recall": round(4 / 7, 4), "f1": round(2 * 0.75 * (4 / 7) / (0.75 + 4 / 7), 4)}
    assert d["technique"] == {"precision": 1.0, "recall": 0.75, "f1": round(2 * 0.75 / 1.75, 4)}
    assert d["per_technique"]["Name_Calling-Labeling"]["precision"] == 0.5
    assert d["weak_spans"] == 0
    assert d["calibration"]["facts"] == 4 and d["calibration"]["correct"] == 3
    assert "share at least one character" in d["matching_rule"]
    # A floor above every confidence keeps nothing.
    assert evaluate_techniques(PTC_FIXTURE, model=False, split="all", min_confidence=1.0).to_dict()["predicted_spans"] == 0


def test_eval_cli_prints_matching_rule_and_calibration() -> None:
    from click.testing import CliRunner

    from narrascope.cli.evaluate import eval_techniques_command

    result = CliRunner().invoke(eval_techniques_command, [str(PTC_FIXTURE), "--split", "all", "--json"])
    assert result.exit_code == 0, result.output
    d = json.loads(result.output)
    assert d["articles"] == 2 and "per_technique" in d and "span" in d
    assert d["min_confidence"] == FLOOR and d["calibration"]["floor"] == FLOOR
    assert d["density"]["ptc"]["articles"] == 2
    text = CliRunner().invoke(eval_techniques_command, [str(PTC_FIXTURE), "--split", "all",
                                                        "--min-confidence", "0.3"]).output
    assert "spans on a lone token of three letters or fewer: 0" in text
    assert "analysis.min_confidence.techniques = 0.3" in text


def _article(id_: str, text: str, marked: list[tuple[str, int, str]]) -> PtcArticle:
    """An article whose gold marks the n-th occurrence of each (words, n, name)."""
    spans = []
    for words, nth, name in marked:
        start = -1
        for _ in range(nth + 1):
            start = text.index(words, start + 1)
        spans.append(PtcSpan(start, start + len(words), name, name))
    return PtcArticle(id_, text, spans)


def _span(article: PtcArticle, words: str, name: str, confidence: float, nth: int = 0) -> dict:
    start = -1
    for _ in range(nth + 1):
        start = article.text.index(words, start + 1)
    return {"name": name, "start": start, "end": start + len(words), "text": words, "confidence": confidence}


def test_gold_consistency_counts_unmarked_recurrences() -> None:
    text = ("The tyrant spoke at noon. Later the tyrant left. Two tyrants met. The tyrant smiled.\n"
            "Say it again: again and again. The brutal regime. The brutal regime fell.")
    article = _article("c1", text, [
        ("tyrant", 0, "Name_Calling-Labeling"),   # recurs twice more: marked once more, with another name
        ("tyrant", 1, "Loaded_Language"),         # ... which recurs at 0 (marked, other name) and 2 (not)
        ("again", 0, "Repetition"),               # Repetition is about repeats: left out
        ("brutal regime", 1, "Name_Calling-Labeling"),  # its recurrence at 0 is not marked
    ])
    c = gold_consistency([article])
    # "tyrant" as NC: recurrences 1 (marked LL only) and 2 (none); "tyrant" as LL: recurrences 0
    # (marked NC only) and 2 (none); "tyrants" is no word-boundary match; "brutal regime": 0 (none).
    assert c["recurrences"] == 5
    assert c["marked_same_technique"] == 0 and c["marked_any_technique"] == 2
    marked_both = _article("c2", "The thugs came. The thugs left.", [("thugs", 0, "Name_Calling-Labeling"),
                                                                     ("thugs", 1, "Name_Calling-Labeling")])
    assert gold_consistency([marked_both])["share_same"] == 1.0


def test_adjudication_decides_what_the_gold_leaves_open(tmp_path: Path) -> None:
    text = "They are crooks and liars. The outrageous plan failed. Officials met on Monday. A shameful vote."
    article = _article("a1", text, [("crooks", 0, "Name_Calling-Labeling")])
    found = [_span(article, "crooks", "Name_Calling-Labeling", 0.5),      # the gold confirms it; readers reject it
             _span(article, "outrageous plan", "Loaded_Language", 0.45),  # both readers accept
             _span(article, "Officials met", "Loaded_Language", 0.4),     # one reader rejects: wrong
             _span(article, "shameful", "Loaded_Language", 0.35),         # judged on other words: stale, unjudged
             _span(article, "liars", "Name_Calling-Labeling", 0.1)]       # below every floor asked

    def row(kind: str, span: dict, readers: list[bool], words: str | None = None) -> dict:
        return {"kind": kind, "article": "a1", "start": span["start"], "end": span["end"], "technique": span["name"],
                "readers": readers, "shown": fingerprint(words or span["text"])}

    rows = [row("model", found[0], [False, False]), row("model", found[1], [True, True]),
            row("model", found[2], [True, False]), row("model", found[3], [True, True], words="a shameful vote"),
            row("gold", found[0], [True, True]), row("decoy", _span(article, "They", "Doubt", 0), [False, False]),
            row("negative", found[4], [True, False])]
    path = tmp_path / "adjudication.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    result = adjudicate([article], [found], read_adjudication(path), [0.3, 0.42])
    low, high = result["at_floors"]
    assert (low["kept"], low["gold_right"], low["readers_right"], low["readers_wrong"], low["unjudged"]) == (4, 1, 1, 1, 1)
    # Over every kept span: gold or readers 2/4, readers alone 1/4 (they rejected the gold's), gold 1/4.
    assert (low["precision"], low["readers_only_precision"], low["gold_only_precision"]) == (0.5, 0.25, 0.25)
    assert (high["kept"], high["precision"], high["readers_only_precision"]) == (2, 1.0, 0.5)
    controls = result["controls"]
    assert (controls["gold"]["accepted_by_all"], controls["decoy"]["accepted_by_all"]) == (1, 0)
    assert (controls["negative"]["items"], controls["negative"]["accepted_by_all"]) == (1, 0)
    assert result["stale"] == 1 and result["items"] == 6
    assert result["reader_agreement"] == round(4 / 6, 4)  # of the 6 current items, both readers agree on 4
    for bad in ('{"kind": "model", "article": "a1"}', json.dumps({**rows[0], "kind": "other"})):
        path.write_text(bad + "\n", encoding="utf-8")
        with pytest.raises(UsageError):
            read_adjudication(path)


def test_cross_fitted_floor_never_scores_an_article_at_a_floor_read_off_itself() -> None:
    # Every article: a right span at 0.6 and a wrong one at 0.3. At floor 0.2 span precision is 0.5
    # (< 0.55, not eligible); at 0.5 it is 1.0: each half picks 0.5 from the other half.
    articles, predictions = [], []
    for n in range(8):
        a = _article(f"x{n}", "A vile scheme. Nothing more today.", [("vile scheme", 0, "Loaded_Language")])
        articles.append(a)
        predictions.append([_span(a, "vile scheme", "Loaded_Language", 0.6),
                            _span(a, "Nothing more", "Doubt", 0.3)])
    halves = {fold_of(a.id, 2, salt="operating-point") for a in articles}
    assert halves == {0, 1}  # the ids fall in both halves
    o = cross_fitted_floor(articles, predictions, [0.2, 0.5])
    assert [h["floor"] for h in o["halves"]] == [0.5, 0.5]
    assert o["predicted"] == 8 and o["span"]["precision"] == 1.0 and o["span"]["recall"] == 1.0
    # When the other half has no eligible floor, the highest floor is taken.
    o = cross_fitted_floor(articles, predictions, [0.1, 0.2])
    assert [h["floor"] for h in o["halves"]] == [0.2, 0.2] and o["span"]["precision"] == 0.5


def test_eval_cli_adjudication(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from narrascope.cli import cli
    from narrascope.cli.evaluate import eval_techniques_command

    article = read_ptc(PTC_FIXTURE, split="all")[0]
    rows = [{"kind": "decoy", "article": article.id, "start": 0, "end": 3, "technique": "Doubt",
             "readers": [False, False], "shown": fingerprint(article.text[0:3])}]
    path = tmp_path / "adjudication.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    result = CliRunner().invoke(eval_techniques_command, [str(PTC_FIXTURE), "--split", "all", "--min-confidence", "0",
                                                          "--adjudication", str(path), "--json"])
    assert result.exit_code == 0, result.output
    a = json.loads(result.output)["adjudication"]
    assert a["controls"]["decoy"] == {"items": 1, "accepted_by_all": 0}
    # No kept span has a verdict: the gold decides what it confirms, the rest counts as not right.
    first = a["at_floors"][0]
    assert first["unjudged"] == first["kept"] - first["gold_right"] and first["precision"] == first["gold_only_precision"]
    text = CliRunner().invoke(eval_techniques_command, [str(PTC_FIXTURE), "--split", "all", "--adjudication",
                                                        str(path)]).output
    assert "random stretches 0/1" in text and "at a floor chosen on the other half of the articles" in text
    refused = CliRunner().invoke(cli, ["eval", "techniques", str(PTC_FIXTURE), "--cv", "2", "--adjudication", str(path)])
    assert refused.exit_code != 0 and "not with cv" in refused.output


def test_adjudication_items_hold_context_and_reasons_hold_no_article_words() -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("ptc_adjudication", ROOT / "benchmarks" / "ptc_adjudication.py")
    assert spec is not None and spec.loader is not None
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    text = "Title line\n\nThe regime is a disgrace to America, they said.\n\nIt was shocking.\n\nLast line."
    start = text.index("shocking")
    # The neighbouring lines are the nearest non-empty ones, past PTC's blank lines.
    assert tool.context(text, start, start + 8) == (
        "The regime is a disgrace to America, they said. It was [[shocking]]. Last line.")
    assert tool.strip_words("'a disgrace to America' is loaded; 'shocking' alone is one word", text) == (
        "… is loaded; 'shocking' alone is one word")
    assert tool.strip_words("no technique here", text) == "no technique here"


def test_shipped_adjudication_holds_verdicts_not_text() -> None:
    rows = read_adjudication(ROOT / "benchmarks" / "handcheck" / "ptc_adjudication.jsonl")
    assert {r["kind"] for r in rows} == {"model", "gold", "decoy", "negative"}
    assert all(len(r["readers"]) >= 2 and len(r["shown"]) == 12 and r["end"] > r["start"] for r in rows)
    raw = (ROOT / "benchmarks" / "handcheck" / "ptc_adjudication.jsonl").read_text(encoding="utf-8")
    assert '"text"' not in raw and '"context"' not in raw


# ---------------------------------------------------------------------------------------------
# The shipped model and training


def test_shipped_model_and_card() -> None:
    model = load_model()
    card = model_card()
    assert MODEL_PATH.stat().st_size < 5_000_000
    assert card["split"] == "train" and "md5" in card["split_rule"]
    assert set(card["token_techniques"]) <= set(TECHNIQUES)
    assert set(model.sentence_labels) <= set(TECHNIQUES)
    assert model.confidence is not None and confidence_path().is_file()
    held = card["heldout_metrics"]
    assert held["floor"] == FLOOR and held["weak_spans"] == 0
    # Precision first (issue 10): span precision and technique accuracy at the default floor. Span F1
    # at that floor is far below the issue's 0.42 (recall about 0.16): see the README.
    assert held["span"]["precision"] >= 0.55 and held["technique"]["precision"] >= 0.55
    assert held["calibration"]["precision_at_floor"] >= 0.3


@pytest.mark.slow
def test_train_save_load_predict_is_deterministic(tmp_path: Path) -> None:
    from narrascope.analysis.train import save_model, train_techniques

    outputs = []
    for n in range(2):
        model, _articles, _docs = train_techniques(PTC_FIXTURE, split="all", min_sentences=1)
        path = save_model(model, tmp_path / f"m{n}.joblib")
        assert path.with_suffix(".json").exists() and confidence_path(path).exists()
        doc = parse("The regime is a brutal dictatorship. A senior official told reporters the plan was working.")
        outputs.append(find_techniques(doc, model_path=str(path), use_rules=False))
        assert all(0.0 <= s["confidence"] <= 1.0 for s in outputs[-1])
    assert outputs[0] == outputs[1]
    assert load_model(str(tmp_path / "m0.joblib")).meta["articles"] == 2
    assert confidence_path(tmp_path / "m0.joblib").read_text() == confidence_path(tmp_path / "m1.joblib").read_text()


# ---------------------------------------------------------------------------------------------
# Frames


def test_frames_on_hand_written_texts() -> None:
    security = ("The army moved missile batteries to the border as troops prepared for war. NATO warned "
                "of a military threat and the defense minister ordered more weapons.")
    economy = ("Inflation rose and the economy slowed; unemployment, taxes and the budget deficit dominated the "
               "market news as investors sold stocks and the central bank raised prices of credit.")
    assert top_frames(score_frames(security))[0] == "Security_and_defense"
    assert top_frames(score_frames(economy))[0] == "Economic"
    frames = score_frames(security)
    assert all(f["name"] in FRAMES and 0 <= f["score"] < 1 for f in frames)
    assert [f["score"] for f in frames] == sorted((f["score"] for f in frames), reverse=True)
    assert score_frames("Nothing here at all.") == []


def test_top_frames_rule() -> None:
    frames = [{"name": "A", "score": 0.9}, {"name": "B", "score": 0.6}, {"name": "C", "score": 0.55},
              {"name": "D", "score": 0.52}, {"name": "E", "score": 0.1}]
    assert top_frames(frames) == ["A", "B", "C", "D"]


# ---------------------------------------------------------------------------------------------
# Cross-validation with the technique tagger's candidates made without each article


def test_cross_validation_never_lets_the_tagger_read_an_article_it_trained_on(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import narrascope.analysis.technique_encoder as encoder_module
    import narrascope.analysis.technique_encoder_train as encoder_train
    import narrascope.analysis.train as train_module
    from narrascope.evaluate.techniques import cross_validate_techniques

    # Six articles in the PTC layout: loaded words and doubting sentences, enough to fit on half.
    (tmp_path / "articles").mkdir()
    (tmp_path / "labels").mkdir()
    texts = {}
    for n in range(1, 7):
        lines, labels, at = [f"Report number {n}", ""], [], 0
        for k in range(10):
            line = (f"Can anyone believe the claims of group {k} today?" if k % 2 else
                    f"The disgraceful regime {k} shocked the town of Example {n}.")
            lines.append(line)
        text = "\n".join(lines) + "\n"
        for line in lines:
            start = text.index(line, at) if line else at
            if line.startswith("Can"):
                labels.append(f"{n}\tDoubt\t{start}\t{start + len(line)}")
            elif line.startswith("The"):
                word = start + line.index("disgraceful")
                labels.append(f"{n}\tLoaded_Language\t{word}\t{word + len('disgraceful')}")
            at = start + len(line)
        (tmp_path / "articles" / f"article{n}.txt").write_text(text, encoding="utf-8")
        (tmp_path / "labels" / f"article{n}.labels").write_text("\n".join(labels) + "\n", encoding="utf-8")
        texts[str(n)] = text

    class Recording:
        def __init__(self) -> None:
            self.calls: list[tuple[str, bool]] = []

        def candidates(self, text: str, *, ranges: list[tuple[int, int]] | None = None) -> list[dict]:
            self.calls.append((text, ranges is not None))
            first = (ranges or [(0, len(text))])[0][0]
            return [{"name": "Loaded_Language", "start": first, "end": first + 6, "p": 0.8, "detail": "clear",
                     "source": "model:encoder"}] if ranges != [] else []

    tagger = Recording()
    out_of_fold = [{"name": "Doubt", "start": 0, "end": 6, "p": 0.7, "detail": "clear", "source": "model:encoder"}]
    monkeypatch.setattr(encoder_module, "load_technique_encoder", lambda *_a, **_k: tagger)
    monkeypatch.setattr(encoder_train, "read_oof", lambda *_a, **_k: {"1": out_of_fold})  # trained on article 1
    fitted_on: list[dict[str, list[dict]]] = []
    fit = train_module.fit_techniques

    def recording_fit(docs, articles, **kwargs):  # type: ignore[no-untyped-def]
        fitted_on.append(kwargs.get("encoder_oof") or {})
        return fit(docs, articles, **kwargs)

    monkeypatch.setattr(train_module, "fit_techniques", recording_fit)
    report = cross_validate_techniques(tmp_path, folds=2, min_confidence=0.0)

    assert "never on an article it trained on" in report.model and report.articles == 6
    # The tagger never reads the article it trained on, and reads each other article once whole (to
    # fit on) and once on the gated sentences of its fold (to predict it).
    assert all(text != texts["1"] for text, _ in tagger.calls)
    assert sorted(t for t, ranged in tagger.calls if not ranged) == sorted(texts[i] for i in texts if i != "1")
    assert sorted(t for t, ranged in tagger.calls if ranged) == sorted(texts[i] for i in texts if i != "1")
    # Each fold's confidence learns from the candidates of its own training articles only, the
    # trained-on article's being its out-of-fold ones.
    assert len(fitted_on) == 2 and {fold_of(i, 2) for i in texts} == {0, 1}
    for k, given in enumerate(fitted_on):  # fold k is predicted by the k-th fit
        assert set(given) == {i for i in texts if fold_of(i, 2) != k}
        if "1" in given:
            assert given["1"] == out_of_fold, k


def test_a_tagged_span_is_shown_without_the_attribution_it_runs_into() -> None:
    text = ('"They are simply blinded by their hatred and rabid desire," Grisham said on Monday. '
            'Such a “classic” move of his, critics say.')
    quote_end = text.index(',"') + 1
    run = {"name": "Loaded_Language", "start": text.index("blinded"), "end": text.index(" on Monday"),
           "confidence": 0.4}
    scare = {"name": "Loaded_Language", "start": text.index("a “classic”"), "end": text.index(" of his"),
             "confidence": 0.4}
    shown = select_spans(text, [run | {"source": "model:encoder"}, scare | {"source": "model:encoder"}])
    assert [s["text"] for s in shown] == ["blinded by their hatred and rabid desire", "a “classic” move"]
    assert shown[0]["end"] < quote_end and shown[0]["confidence"] == 0.4
    # A rule's span is the rule's: left as it is.
    ruled = select_spans(text, [run | {"source": "rule:word"}])
    assert ruled[0]["text"].endswith("Grisham said")
