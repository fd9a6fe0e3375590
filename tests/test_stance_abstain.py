"""Stance abstains on weak or ambiguous evidence (step 5 of ``narrascope.analysis.stance``): the
wrong target when two actors share a sentence, the author's forecasts, conditions and questions,
neutral calls that miss a judgement tied to the target or hidden in a negation. Sentences written
for these tests (real spaCy parse, the shipped models)."""

from __future__ import annotations

from narrascope.analysis.nlp import parse
from narrascope.analysis.stance import admissible, coordinated, find_stances, hops, hypothetical, negated
from narrascope.analysis.types import ActorRecord, Mention
from narrascope.settings import load_settings

FLOOR = load_settings().analysis.min_confidence.stances


def _actor(text: str, name: str, actor_id: str, kind: str = "state", country: str | None = None,
           *more: str) -> ActorRecord:
    mentions = []
    for form in (name, *more):
        start = text.find(form)
        while start >= 0:
            if not any(m.start <= start < m.end for m in mentions):
                mentions.append(Mention(start, start + len(form), form, actor_id))
            start = text.find(form, start + 1)
    return ActorRecord(id=actor_id, name=name, kind=kind, country=country,
                       mentions=sorted(mentions, key=lambda m: m.start))


def _quote(text: str, speaker: ActorRecord) -> dict:
    start = text.index("“") + 1
    end = text.index("”")
    return {"speaker": speaker.name, "speaker_actor": speaker.id, "start": start, "end": end,
            "content": text[start:end]}


def _shown(stances: list[dict], holder: str, target: str) -> dict | None:
    return next((s for s in stances if s["holder"] == holder and s["target"] == target
                 and s["confidence"] >= FLOOR), None)


def _span(doc, text: str, form: str):  # type: ignore[no-untyped-def]
    start = text.index(form)
    return doc.char_span(start, start + len(form), alignment_mode="expand")


def test_the_judgement_of_one_actor_is_not_read_as_one_of_the_other_named_beside_it() -> None:
    # The speaker praises Brook by attacking the Liberal Party: the ruthless tactics are the party's.
    text = ("Governor Anna Weiss told the rally: “A vote for Judge Alan Brook is a vote to reject the ruthless "
            "and outrageous tactics of the Liberal Party.”")
    weiss = _actor(text, "Anna Weiss", "person:anna-weiss", "person")
    brook = _actor(text, "Alan Brook", "person:alan-brook", "person")
    party = _actor(text, "Liberal Party", "org:liberal-party", "organization")
    stances = find_stances(parse(text), [weiss, brook, party], [_quote(text, weiss)])
    toward_brook = _shown(stances, weiss.id, brook.id)
    assert toward_brook is None or toward_brook["polarity"] >= 0
    # The words tied to the party still make the speaker's stance toward it (or none, never the
    # claim that she is neutral).
    toward_party = _shown(stances, weiss.id, party.id)
    assert toward_party is None or toward_party["polarity"] < 0


def test_the_author_holds_no_stance_in_a_forecast_or_a_condition() -> None:
    text = ("The election is five weeks away. If, as expected, the Greens do badly, then they will be "
            "severely weakened in their attempts to win the capital.")
    greens = _actor(text, "Greens", "group:greens", "group")
    assert _shown(find_stances(parse(text), [greens], [], genre="reporting"), "author", greens.id) is None
    text = "Publicly bowing to Sylvania would be far too embarrassing for Ivan Petrov, the Freedonian president."
    petrov = _actor(text, "Ivan Petrov", "person:ivan-petrov", "person")
    assert _shown(find_stances(parse(text), [petrov], [], genre="reporting"), "author", petrov.id) is None


def test_forecasts_conditions_and_questions_are_hypothetical_statements_are_not() -> None:
    cases = {
        "If the Greens do badly, they will lose the capital.": True,
        "The Greens will be severely weakened.": True,
        "Bowing to Sylvania would be embarrassing for Petrov.": True,
        "Is the corrupt regime of Sylvania finally collapsing?": True,
        "The Greens did badly in the election.": False,
        "Petrov should resign after the shameful vote.": False,
    }
    for sentence, expected in cases.items():
        doc = parse(sentence)
        name = "Greens" if "Greens" in sentence else "Sylvania" if "Petrov" not in sentence else "Petrov"
        assert hypothetical(_span(doc, sentence, name)) is expected, sentence


def test_what_an_actor_suffers_from_another_is_no_judgement_of_it() -> None:
    # Brook is the one who suffered; the meanness and the anger are the Liberal Party's.
    text = ("Senator Mark Hale said: “Judge Alan Brook has suffered the meanness, the anger of the Liberal Party "
            "throughout his nomination.”")
    hale = _actor(text, "Mark Hale", "person:mark-hale", "person")
    brook = _actor(text, "Alan Brook", "person:alan-brook", "person")
    party = _actor(text, "Liberal Party", "org:liberal-party", "organization")
    stances = find_stances(parse(text), [hale, brook, party], [_quote(text, hale)])
    toward_brook = _shown(stances, hale.id, brook.id)
    assert toward_brook is None or toward_brook["polarity"] >= 0


def test_a_neutral_call_does_not_count_when_a_judging_word_is_tied_to_the_target() -> None:
    neutral, negative = ("neutral", 0.9, 0.0), ("negative", 0.9, -0.8)
    text = "Voters saw the anger of the Liberal Party during the hearings."
    party = _span(parse(text), text, "Liberal Party")
    assert not admissible(neutral, party, [], author=False)
    assert admissible(negative, party, [], author=False)
    text = "Voters saw members of the Liberal Party during the hearings."
    assert admissible(neutral, _span(parse(text), text, "Liberal Party"), [], author=False)


def test_a_neutral_call_is_not_shown_on_a_negated_clause() -> None:
    # A complaint by negation: the minister does not see a response from Sylvania.
    text = ("Foreign Minister Ivan Petrov said: “Freedonia does not see any corresponding response from Sylvania "
            "to our early disarmament steps.”")
    petrov = _actor(text, "Ivan Petrov", "person:ivan-petrov", "person", "FRE")
    syl = _actor(text, "Sylvania", "SYL")
    stances = find_stances(parse(text), [petrov, _actor(text, "Freedonia", "FRE"), syl], [_quote(text, petrov)])
    toward = _shown(stances, petrov.id, syl.id)
    assert toward is None or toward["polarity"] < 0
    assert negated(_span(parse(text), text, "Sylvania"))
    assert not negated(_span(parse("Sylvania sent a response."), "Sylvania sent a response.", "Sylvania"))


def test_coordinated_actors_share_what_is_said_and_plain_sentences_keep_their_neutral_stance() -> None:
    text = "Ivan Petrov said Freedonia has repeatedly objected to the membership bids of Sylvania for the EU and NATO."
    doc = parse(text)
    assert coordinated(_span(doc, text, "EU"), _span(doc, text, "NATO"))
    assert not coordinated(_span(doc, text, "Sylvania"), _span(doc, text, "NATO"))
    text = "The Freedonian navy returned the frigate to the Kessler & Roth shipyard in Hamburg last year."
    yard = _actor(text, "Kessler & Roth", "org:kessler-roth", "organization")
    navy = _actor(text, "Freedonian navy", "org:freedonian-navy", "organization", "FRE")
    stance = _shown(find_stances(parse(text), [yard, navy], [], genre="opinion"), "author", yard.id)
    assert stance is not None and stance["polarity"] == 0


def test_a_judging_word_is_tied_to_the_actor_it_describes() -> None:
    text = "A vote for Brook is a vote to reject the ruthless tactics of the party."
    doc = parse(text)
    ruthless = doc[text.split().index("ruthless")]
    # the preposition "of" is not a hop: ruthless -> tactics -> party
    assert hops(ruthless, _span(doc, text, "party").root) == 2
    assert hops(ruthless, _span(doc, text, "Brook").root) > 2
    # And a judgement tied to the target keeps its sign when another actor is named.
    text = "Freedonia's brutal and corrupt regime jailed three Sylvanian reporters."
    fre, syl = _actor(text, "Freedonia", "FRE"), _actor(text, "Sylvanian", "SYL")
    stances = find_stances(parse(text), [fre, syl], [], genre="opinion")
    toward_fre = _shown(stances, "author", "FRE")
    assert toward_fre is not None and toward_fre["polarity"] < 0
    toward_syl = _shown(stances, "author", "SYL")
    assert toward_syl is None or toward_syl["polarity"] >= 0
