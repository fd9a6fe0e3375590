"""Quotes and sources: hand-written sentences per rule, the two seeds, and the brat evaluation harness."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from conftest import export_records, run_cli
from narrascope.analysis.confidence import load_confidence_model
from narrascope.analysis.nlp import parse
from narrascope.analysis.quotes import SPEAKER_HOW, find_quotes, quote_candidates, quote_spans
from narrascope.analysis.stages import QuotesStage
from narrascope.analysis.types import ActorRecord, Mention
from narrascope.evaluate.quotes import evaluate_quotes, read_brat
from narrascope.model import Article
from narrascope.settings import Settings

DATA = Path(__file__).parent / "data" / "quotes"


def quotes_of(text: str, **kw: Any) -> list[dict[str, Any]]:
    found = find_quotes(parse(text), **kw)
    for q in found:
        assert text[q["start"]:q["end"]] == q["content"]
        if q["speaker_span"]:
            assert 0 <= q["speaker_span"]["start"] < q["speaker_span"]["end"] <= len(text)
    return found


def one(found: list[dict[str, Any]], contains: str) -> dict[str, Any]:
    matches = [q for q in found if contains in q["content"]]
    assert len(matches) == 1, (contains, found)
    return matches[0]


def spoken(text: str, q: dict[str, Any]) -> str:
    span = q["speaker_span"]
    return text[span["start"]:span["end"]]


# ---------------------------------------------------------------------------------------------
# Quote marks


def test_straight_and_curly_marks() -> None:
    text = ('"The talks failed," Smith said.\n\n'
            "“We will keep trying,” Jones said.\n\n"
            "The minister said: «Nothing has changed since Monday at all.»")
    found = quotes_of(text)
    assert one(found, "The talks failed")["speaker"] == "Smith"
    assert one(found, "We will keep trying")["speaker"] == "Jones"
    assert one(found, "Nothing has changed")["speaker"] == "The minister"
    assert all(q["direct"] for q in found)


def test_apostrophes_are_not_marks() -> None:
    text = "Korea’s leaders don’t talk about the Kims’ plans, and ‘New Cold War’ is a slogan."
    assert [text[s.start:s.end] for s in quote_spans(text)] == ["New Cold War"]


def test_quote_spanning_paragraphs() -> None:
    text = ("Smith described the plan at length.\n\n"
            "“The first part is about schools and the teachers who run them.\n\n"
            "“The second part is about hospitals and the nurses in them,” Smith said.")
    spans = quote_spans(text)
    assert len(spans) == 1 and spans[0].paragraphs == 2
    q = one(quotes_of(text), "first part")
    assert "second part" in q["content"] and q["speaker"] == "Smith" and q["direct"]


def test_continuation_paragraph_carries_the_speaker() -> None:
    text = ("“Both sides have reasons to talk now,” Michael Kofman said.\n\n"
            "“Neither side wants a war on the peninsula, and both know what it would cost them.”\n\n"
            "The talks begin on Monday.")
    q = one(quotes_of(text), "Neither side wants a war")
    assert q["speaker"] == "Michael Kofman" and q["direct"]
    assert "Both sides" in q["content"]  # one attribution, its quoted stretches in `parts`
    assert len(q["parts"]) == 2


def test_partial_quote_takes_the_speaker_of_its_speech_noun() -> None:
    text = ("While Secretary of State Rex Tillerson went to Asia, President Donald Trump erupted with threats "
            "to unleash \"fire and fury\" on it.")
    q = one(quotes_of(text), "fire and fury")
    assert q["speaker"] == "Donald Trump" and q["direct"] and q["cue"] == "threats"


def test_scare_quotes_are_not_quotes() -> None:
    text = ("Putin accepted the “New Cold War” as reality. He wants to stand up to “Western aggression” "
            "and courts Moscow’s designated “strategic partner”: China.")
    assert quotes_of(text) == []


def test_speakerless_quotes_only_on_request() -> None:
    text = "The report ended there.\n\n“Nothing about this war was ever inevitable, and nothing about it is over.”"
    assert quotes_of(text) == []
    kept = quotes_of(text, unattributed=True)
    assert len(kept) == 1 and kept[0]["speaker"] is None and kept[0]["speaker_span"] is None


@pytest.mark.parametrize(("text", "content", "speaker"), [
    # the name comes after its apposition's commas
    ("“Yes, I support the senator from Texas,” Brent Bozell III, founder of the Media Research Center, "
     "tells reporters.", "Yes, I support", "Brent Bozell III"),
    # an inverted tag whose name the parser gave to a later verb
    ("\"What's shaping up is a battle for the ages,\" said David Brock, a Clinton confidant who heads the group.",
     "battle for the ages", "David Brock"),
    # a short quote with a tag is words said, not a scare quote
    ("\"Biden is very good,\" Nides wrote.\n\n\"So far so good,\" Clinton replied.", "So far so good", "Clinton"),
    # a verb outside the cue lexicon right after a name
    ("“You know, it happens, right?” Trump went on, as if he didn’t hear her.", "it happens", "Trump"),
])
def test_speech_tag_after_the_quote(text: str, content: str, speaker: str) -> None:
    q = one(quotes_of(text), content)
    assert spoken(text, q) == speaker and q["direct"]


def test_cue_verb_right_before_a_short_quote() -> None:
    text = "Some in the crowd booed when Rubio thanked Miami, and a man yelled “Stay there!”"
    q = one(quotes_of(text), "Stay there")
    assert spoken(text, q) == "a man" and q["cue"] == "yelled"


def test_nested_speech_belongs_to_the_outer_speaker() -> None:
    text = "Cruz said he is certain Rubio will continue to be “a champion for limitless opportunity in America.”"
    q = one(quotes_of(text), "a champion")
    assert spoken(text, q) == "Cruz" and q["cue"] == "said"


def test_partial_quote_in_indirect_speech_is_one_attribution() -> None:
    text = "Kaine declared that \"I strongly support\" the state's misnamed law."
    found = quotes_of(text)
    assert len(found) == 1 and found[0]["speaker"] == "Kaine" and found[0]["direct"]
    assert found[0]["content"].startswith('"I strongly support"')


def test_times_are_not_speakers() -> None:
    text = ("6:50 p.m.\n\nFamed fight doctor Ferdie Pacheco once said: “Cassius Clay was born in Louisville. "
            "Muhammad Ali was born in Miami.”")
    q = one(quotes_of(text), "Cassius Clay")
    assert q["speaker"] == "Ferdie Pacheco"


# ---------------------------------------------------------------------------------------------
# Indirect speech


@pytest.mark.parametrize(("text", "speaker", "content", "cue"), [
    ("Smith said that the sanctions were working.", "Smith", "the sanctions were working", "said"),
    ("According to Jane Doe, the sanctions were working.", "Jane Doe", "the sanctions were working",
     "according to"),
    ("The experts argued that the president would be grateful for any support.", "The experts",
     "the president would be grateful", "argued"),
    ("Tillerson pointed out that Washington does not seek regime change.", "Tillerson",
     "Washington does not seek regime change", "pointed out"),
    ("Jennifer Lind wrote in a recent opinion piece that China had lived with the bomb for years.",
     "Jennifer Lind", "China had lived with the bomb", "wrote"),
    ("The talks had stalled by March, a reliable diplomatic source told me.", "a reliable diplomatic source",
     "The talks had stalled by March", "told"),
])
def test_indirect_speech(text: str, speaker: str, content: str, cue: str) -> None:
    q = one(quotes_of(text), content)
    assert q["speaker"] == speaker and q["cue"] == cue and not q["direct"]


def test_pronoun_speaker_resolves_to_the_last_person() -> None:
    text = "Angela Merkel met the press in Berlin.\n\n“We will not give in to pressure from anyone,” she said."
    q = one(quotes_of(text), "We will not give in")
    assert q["speaker"] == "Angela Merkel"
    assert spoken(text, q) == "she"  # the span as written


def test_role_from_apposition_and_from_title() -> None:
    text = ("“Pyongyang’s nuclear capability is a game-changer for the Americans,” Jennifer Lind, associate "
            "professor of government at Dartmouth College, wrote in a recent opinion piece.\n\n"
            "In the spirit of Cold War II, the Kremlin will use every opportunity, the Russian journalist "
            "Konstantin Eggert writes.")
    found = quotes_of(text)
    lind = one(found, "game-changer")
    assert lind["speaker"] == "Jennifer Lind"
    assert lind["speaker_role"] == "associate professor of government at Dartmouth College"
    eggert = one(found, "every opportunity")
    assert eggert["speaker"] == "Konstantin Eggert" and eggert["speaker_role"] == "Russian journalist"


@pytest.mark.parametrize(("text", "anonymous"), [
    ("The ceasefire will hold until Friday, officials said.", True),
    ("A senior official said that the ceasefire would hold.", True),
    ("Sources close to the ministry said that the ceasefire would hold.", True),
    ("Jane Doe said that the ceasefire would hold.", False),
])
def test_anonymous_sources(text: str, anonymous: bool) -> None:
    found = quotes_of(text)
    assert len(found) == 1 and found[0]["anonymous"] is anonymous


def test_speaker_takes_the_actor_of_an_overlapping_mention() -> None:
    text = "Rex Tillerson flew to Manila.\n\n“We do not seek a regime change,” Tillerson pointed out."
    start = text.index("Tillerson", 10)
    mentions = [Mention(0, 13, "Rex Tillerson", "rex-tillerson", "ner"),
                Mention(start, start + 9, "Tillerson", "rex-tillerson", "coref")]
    actors = [ActorRecord(id="rex-tillerson", name="Rex Tillerson", kind="person", country="USA",
                          role="Secretary of State")]
    q = one(quotes_of(text, mentions=mentions, actors=actors), "regime change")
    assert q["speaker_actor"] == "rex-tillerson" and q["speaker"] == "Rex Tillerson"
    assert q["speaker_role"] == "Secretary of State" and spoken(text, q) == "Tillerson"


def test_first_person_is_the_author() -> None:
    text = "I believe that the sanctions will fail within a year."
    q = one(quotes_of(text, authors=["Ann Author"]), "sanctions will fail")
    assert q["speaker"] == "Ann Author"


def test_related_article_lines_are_not_speakers() -> None:
    text = "Related article: Why North Korea can unite Russia and Japan, the editors said."
    assert all(q["speaker"] != "article" for q in quotes_of(text))


# ---------------------------------------------------------------------------------------------
# The seeds, as the pipeline sees them


@pytest.fixture(scope="module")
def seed_quotes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[dict[str, Any]]]:
    seeds = Path(__file__).resolve().parent.parent / "examples" / "seeds"
    db = tmp_path_factory.mktemp("seeds") / "seeds.db"
    result = run_cli("ingest", str(seeds), "--db", str(db))
    assert result.exit_code == 0, result.output
    out = {}
    for record in export_records(db):
        out[record["authors"][0]] = find_quotes(parse(record["text"]), authors=record["authors"])
    return out


def _has(found: list[dict[str, Any]], speaker: str, contains: str, **extra: Any) -> bool:
    return any(q["speaker"] == speaker and contains in q["content"] and all(q[k] == v for k, v in extra.items())
               for q in found)


def test_seed_eggert_quotes(seed_quotes: dict[str, list[dict[str, Any]]]) -> None:
    found = seed_quotes["Konstantin Eggert"]
    assert _has(found, "a reliable diplomatic source", "one of the Russian research centers", anonymous=True)
    assert _has(found, "The experts", "would be grateful for any support")
    assert _has(found, "Konstantin Eggert", "the Kremlin will use every opportunity")
    assert not any(q["content"] in ("New Cold War", "Western aggression", "strategic partner") for q in found)


def test_seed_trudolyubov_quotes(seed_quotes: dict[str, list[dict[str, Any]]]) -> None:
    found = seed_quotes["Maxim Trudolyubov"]
    assert _has(found, "Rex Tillerson", "We do not seek a regime change", direct=True)
    assert _has(found, "Jennifer Lind", "intercontinental nuclear capability is a game-changer", direct=True)
    assert _has(found, "Michael Kofman", "Both China and Russia would be apprehensive", direct=True)
    assert _has(found, "Michael Kofman", "in three areas they have shared concerns", direct=True)
    assert _has(found, "Michael Kofman", "Both countries dislike the deployment of U.S. missile defense", direct=True)
    assert _has(found, "Donald Trump", "fire and fury", direct=True)
    assert not any(q["speaker"] == "article" for q in found)


# ---------------------------------------------------------------------------------------------
# Evaluation harness on a hand-made brat set


def test_read_brat_joins_events_and_keeps_sourceless_attributions() -> None:
    text = (DATA / "text" / "beta.txt").read_text(encoding="utf-8")
    gold = read_brat((DATA / "attributions" / "beta_a1.ann").read_text(encoding="utf-8"), text)
    assert [(g.content_text, g.source is None, g.direct) for g in gold] == [
        ("that taxes were too high", False, False), ('"mild"', True, True)]


def test_eval_scores_by_hand() -> None:
    # alpha: 2 gold, both found (the second annotator's empty file is ignored); beta: Brown found, the
    # "mild" scare quote (gold without a source) missed; gamma: no gold, one prediction.
    # all: gold 4, predicted 4, matched 3; direct: gold 2 ("We will win," and "mild"), predicted 1, matched 1.
    report = evaluate_quotes(DATA)
    scores = {s.name: s for s in report.scores}
    assert report.documents == 3
    assert (scores["all"].gold, scores["all"].predicted, scores["all"].matched) == (4, 4, 3)
    assert scores["all"].precision == pytest.approx(0.75) and scores["all"].f1 == pytest.approx(0.75)
    assert (scores["direct"].gold, scores["direct"].predicted, scores["direct"].matched) == (2, 1, 1)
    assert scores["direct"].recall == pytest.approx(0.5) and scores["direct"].f1 == pytest.approx(2 / 3)
    assert "source-and-content overlap" in report.format()


def test_eval_command_json() -> None:
    import json

    from click.testing import CliRunner

    from narrascope.cli.evaluate import eval_quotes_command

    result = CliRunner().invoke(eval_quotes_command, [str(DATA), "--json", "--jobs", "1", "--split", "all"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["scores"][0]["matched"] == 3 and "overlap" in data["rule"]


def test_quote_content_stops_at_its_closing_mark() -> None:
    for text in ('The minister said: "We will not accept pressure from Washington," and the delegation left the hall.',
                 '"We will not accept pressure from Washington," and the X delegation left the hall.',
                 'The minister said "We will not accept pressure from Washington," and the delegation left the hall.'):
        close = text.index(',"') + 1  # the closing mark
        for q in quotes_of(text):
            assert q["end"] <= close, (text, q)  # never past the closing mark
            assert q["content"] == "We will not accept pressure from Washington"
            assert q["speaker"] != "the X delegation"  # '"...," and X left': a clause, not a speech tag


@pytest.mark.parametrize("text", [
    '<script>alert(1)</script> said the page. "We will fight for every one of them," <script> said.',
    'The site showed "<script>alert(1)</script> we will win against them all," <script> told readers.',
    '"We will win against them all, whatever happens," </script> said.',
    'The page read "We will win against them all, whatever happens," <a title=officials>said</a> today.',
])
def test_markup_is_never_a_speaker(text: str) -> None:
    for q in quotes_of(text, unattributed=True):
        if q["speaker_span"]:
            span = q["speaker_span"]
            assert "script" not in spoken(text, q) and "officials" not in spoken(text, q), q
            assert text[span["start"] - 1:span["start"]] not in ("<", "/") and text[span["end"]:span["end"] + 1] != ">"


def test_a_name_right_after_an_inline_tag_still_speaks() -> None:
    # Markup next to a name is trimmed from the speaker phrase; it does not silence the speaker.
    text = ("Talks would go on. <img src=x onerror=alert('img')> Sergey Lavrov told reporters: "
            "\"We will not accept pressure from Washington,\" and the delegation walked out.")
    quotes = find_quotes(parse(text), [])
    assert [(q["speaker"], q["content"]) for q in quotes] == [
        ("Sergey Lavrov", "We will not accept pressure from Washington")]


# ---------------------------------------------------------------------------------------------
# Issue 10 error classes, on sentences written for these tests


def test_typewriter_quote_marks_are_quote_marks() -> None:
    # The New York Times writes two apostrophes (or two backticks to open) for a double quote mark.
    text = ("Sooner or later, ''I think we will have a consumption tax,'' Mr. Brooks said.\n\n"
            "``We will not raise taxes on the middle class,'' the senator said on Monday.")
    assert [text[s.start:s.end] for s in quote_spans(text)] == [
        "I think we will have a consumption tax", "We will not raise taxes on the middle class"]
    found = quotes_of(text)
    brooks = one(found, "consumption tax")
    assert brooks["direct"] and spoken(text, brooks) == "Mr. Brooks" and brooks["content"].startswith("I think")
    senator = one(found, "middle class")
    assert senator["direct"] and spoken(text, senator) == "the senator"


def test_three_apostrophes_close_the_inner_and_the_outer_quote() -> None:
    text = ("''I tell other central banks, 'I'm really sorry, but the Fed doesn't care about you at all,''' "
            "said Mr. Meyer, who runs a research firm.")
    (span,) = quote_spans(text)
    assert text[span.open:span.open + 2] == "''" and text[span.close:span.outer_end] == "''"
    assert span.outer_end == text.index(" said")  # the pair after the inner mark closes the outer quote
    q = one(quotes_of(text), "central banks")
    assert q["direct"] and spoken(text, q) == "Mr. Meyer"


def test_a_pronoun_takes_the_subject_not_the_nearest_name() -> None:
    # The nearest person before "he" is the man the police shot; the grammatical antecedent is Trump.
    text = ("Donald Trump spoke on Tuesday about Keith Scott, the man the police shot in Charlotte.\n\n"
            "\"This is a tragedy for the whole city and for the country,\" he said.")
    q = one(quotes_of(text), "tragedy")
    assert q["speaker"] == "Donald Trump" and spoken(text, q) == "he"


def test_a_pronoun_agrees_in_gender() -> None:
    # "she" cannot be the subject, Bernie Sanders: it is the woman he praised.
    text = ("Bernie Sanders praised Hillary Clinton at a rally in Vermont on Monday.\n\n"
            "\"We have worked together on health care for a long time,\" she said.")
    q = one(quotes_of(text), "health care")
    assert q["speaker"] == "Hillary Clinton"


def test_a_pronoun_with_no_compatible_antecedent_stays_unresolved() -> None:
    text = "The committee met on Monday.\n\n\"We will publish the report in the spring,\" she said."
    q = one(quotes_of(text), "publish the report")
    assert q["speaker"] is None and spoken(text, q) == "she"


@pytest.mark.parametrize(("text", "content", "not_speaker"), [
    ("Supporters of Bernie Sanders said that the primary had been rigged from the start.", "rigged", "Bernie Sanders"),
    ("Castro's spokesman tweeted that the embargo had failed for five decades.", "embargo", "Castro"),
    ("Clinton supporters said that the vote had been fair and the count accurate.", "the vote", "Clinton"),
])
def test_a_name_in_a_modifier_is_not_the_speaker(text: str, content: str, not_speaker: str) -> None:
    q = one(quotes_of(text), content)
    assert q["speaker"] != not_speaker and not_speaker in q["speaker"]  # the whole phrase speaks
    assert q["anonymous"]  # supporters and a spokesman are not named


def test_a_quote_is_not_credited_to_the_previous_paragraph() -> None:
    # The parser runs the two paragraphs into one sentence; the quote is Joe Bateman's, not Dean Johnson's.
    text = ("Dean Johnson, a salesman from Sumter, says Cruz will \u201cleave here with momentum.\u201d\n\n"
            "Joe Bateman, who traveled from Illinois to help the campaign, says there\u2019s a "
            "\u201clong road ahead\u201d but he feels confident.")
    q = one(quotes_of(text), "long road ahead")
    assert q["speaker"] == "Joe Bateman"


def test_a_speech_tag_between_two_quotes_keeps_one_speaker() -> None:
    # The next paragraph's "said" must not take the second sentence of the quote.
    text = ("\"Immigration is at the center of this campaign,\" Clinton said at a college as she sat between "
            "two students. \"This is very personal to me.\"\n\n"
            "Sanders's top advisers said Sunday that the campaign would go on.")
    q = one(quotes_of(text), "very personal")
    assert q["speaker"] == "Clinton" and "center of this campaign" in q["content"]


def test_a_source_named_earlier_is_not_anonymous() -> None:
    text = ("Jennifer Palmieri, the campaign's spokeswoman, declined to comment on Monday.\n\n"
            "The spokeswoman said later that the candidate would not attend the debate.")
    q = one(quotes_of(text), "would not attend")
    assert q["speaker"] == "Jennifer Palmieri" and not q["anonymous"] and spoken(text, q) == "The spokeswoman"
    unnamed = one(quotes_of("A spokeswoman said later that the candidate would not attend the debate."),
                  "would not attend")
    assert unnamed["anonymous"] and unnamed["speaker"] == "A spokeswoman"


@pytest.mark.parametrize(("text", "speaker", "role"), [
    # an age is not a role; the description after it is
    ('"We are not going anywhere," said John Smith, 56, a retired teacher.', "John Smith", "retired teacher"),
    ('"We are not going anywhere," said Jane Doe, 56.', "Jane Doe", None),
    # a bare title of address is not a role
    ('"We are not going anywhere," Mr. Smith said on Monday.', "Smith", None),
    # a title before the name is
    ('"We are not going anywhere," Defense Secretary Ash Carter said on Monday.', "Ash Carter", "Defense Secretary"),
])
def test_a_role_describes_a_person(text: str, speaker: str, role: str | None) -> None:
    q = one(quotes_of(text), "going anywhere")
    assert q["speaker"] == speaker and q["speaker_role"] == role


def test_every_quote_carries_a_calibrated_confidence() -> None:
    assert load_confidence_model("quotes") is not None  # the shipped model
    text = ("\"We will not give in to pressure from anyone,\" Angela Merkel said in Berlin.\n\n"
            "The talks had stalled by March, a diplomat told me.\n\n"
            "Critics say the agreement is weak, according to the local press.")
    found = quotes_of(text)
    assert len(found) >= 2
    for q in found:
        assert 0.0 <= q["confidence"] <= 1.0 and round(q["confidence"], 3) == q["confidence"]
    named = one(found, "give in")
    assert named["confidence"] >= 0.8  # a named speech tag after a whole quote is the surest kind
    assert named["confidence"] > one(found, "stalled")["confidence"]


def test_confidence_features_are_readable() -> None:
    text = "\"We will not give in to pressure from anyone,\" Angela Merkel said in Berlin."
    ((record, features),) = quote_candidates(parse(text))
    assert "confidence" not in record and not any(k.startswith("_") for k in record)
    assert {"kind=direct", "rule=speech_tag", "cue=say", "speaker=name"} <= set(features)
    assert all(k.split("=", 1)[1] in SPEAKER_HOW for k in features if k.startswith("speaker="))


def test_the_stage_keeps_quotes_at_the_floor() -> None:
    text = ("\"We will not give in to pressure from anyone,\" Angela Merkel said in Berlin.\n\n"
            "The talks had stalled by March, a diplomat told me.")
    article = Article(id="q", source={"kind": "text", "location": "q"}, text=text)
    everything = QuotesStage().compute(article, Settings().with_overrides(
        {"analysis": {"min_confidence": {"quotes": 0.0}}}, source="test"))["quotes"]
    floor = min(q["confidence"] for q in everything) + 0.001
    kept = QuotesStage().compute(article, Settings().with_overrides(
        {"analysis": {"min_confidence": {"quotes": floor}}}, source="test"))["quotes"]
    assert len(everything) == 2 and len(kept) == 1 and all(q["confidence"] >= floor for q in kept)


def test_many_names_cost_linear_time() -> None:
    import time

    names = " ".join(f"Officer{i} Smith{i} met Agent{i} Jones{i}." for i in range(300))
    text = names + ' "We will keep talking until the end of the year," he said.'
    doc = parse(text)
    started = time.perf_counter()
    find_quotes(doc)
    assert time.perf_counter() - started < 5.0


def test_eval_reports_the_split_the_floor_and_the_calibration() -> None:
    report = evaluate_quotes(DATA, split="all", floor=0.0)
    data = report.to_dict()
    assert data["split"] == "all" and data["floor"] == 0.0
    assert data["calibration"]["facts"] == report.scores[0].predicted
    assert "calibration (quotes)" in report.format()
    # a floor above every confidence keeps nothing
    assert evaluate_quotes(DATA, split="all", floor=1.01).scores[0].predicted == 0


def test_train_command_writes_a_confidence_model(tmp_path: Path) -> None:
    import json

    from click.testing import CliRunner

    from narrascope.cli.train import train_quotes_command

    target = tmp_path / "quotes.confidence.json"
    result = CliRunner().invoke(train_quotes_command, [str(DATA), "-o", str(target)])
    assert result.exit_code == 0, result.output
    model = json.loads(target.read_text(encoding="utf-8"))
    assert model["format"] == 1 and model["field"] == "quotes" and model["meta"]["train_documents"] >= 0
    assert "parsed 3/3" in result.output


def test_a_quote_inside_the_subject_is_the_inverted_speakers() -> None:
    # The parser makes the phrase holding the quote the subject of "said"; the speaker is the name after it.
    text = "Any \"cleareyed\" interpretation of the talks, said Michael Kofman, an expert on Russia, would see a deal."
    q = one(quotes_of(text), "cleareyed")
    assert q["speaker"] == "Michael Kofman" and q["direct"]


def test_words_judged_belong_to_the_judge() -> None:
    # "comments" are Trump's, but "just part of the primary campaign" is what the senator called them.
    text = "On Monday, the senator described Trump's comments as \"just part of the primary campaign.\""
    q = one(quotes_of(text), "primary campaign")
    assert spoken(text, q) == "the senator" and q["cue"] == "described"
