"""Quotes: what is denied or refused is not said, a bare noun phrase is not speech, and pronouns
take the subject of the main clause. Hand-written sentences, one rule each."""

from __future__ import annotations

from typing import Any

import pytest

from narrascope.analysis.nlp import parse
from narrascope.analysis.quotes import find_quotes


def quotes_of(text: str) -> list[dict[str, Any]]:
    found = find_quotes(parse(text))
    for q in found:
        assert text[q["start"]:q["end"]] == q["content"]
    return found


def spoken(text: str, q: dict[str, Any]) -> str:
    span = q["speaker_span"]
    return text[span["start"]:span["end"]]


# ---------------------------------------------------------------------------------------------
# Denials and refusals


@pytest.mark.parametrize("text, withheld", [
    ("The mayor denied that the budget had been cut.", "budget had been cut"),
    ("The company rejected the idea that its drivers were underpaid.", "drivers were underpaid"),
    ("A spokeswoman for the airline declined to comment on the lawsuit.", "lawsuit"),
    ("The coach refused to say whether he would resign.", "would resign"),
    ("The minister denied ever claiming that prices would fall.", "prices would fall"),
    ("The senator denounced claims that her office had leaked the memo.", "leaked the memo"),
    ("The club dismissed reports that its manager would leave.", "manager would leave"),
])
def test_what_is_denied_or_refused_is_not_a_quote(text: str, withheld: str) -> None:
    assert not [q for q in quotes_of(text) if withheld in q["content"]]


def test_quoted_words_inside_a_denial_stay() -> None:
    text = 'The mayor denied that the budget had been "slashed to the bone."'
    (q,) = [q for q in quotes_of(text) if "slashed" in q["content"]]
    assert spoken(text, q) == "The mayor" and q["direct"]


def test_the_words_a_denial_is_made_with_stay() -> None:
    text = 'The mayor denied the claim, saying: "We never cut a single cent from the schools."'
    (q,) = [q for q in quotes_of(text) if "single cent" in q["content"]]
    assert spoken(text, q) == "The mayor"


def test_praising_a_report_is_not_disputing_it() -> None:
    text = "The senator praised the report that the factory would reopen."
    assert [q for q in quotes_of(text) if "factory would reopen" in q["content"]]


# ---------------------------------------------------------------------------------------------
# Bare noun phrases


@pytest.mark.parametrize("text, phrase", [
    ("The governor defended his record on Tuesday.", "his record"),
    ("Officials said exports had risen, citing figures from the customs office.", "figures from"),
    ("The union condemned the board members.", "board members"),
    ("She voiced her frustration on the radio.", "frustration"),
    ("The council discussed the parking rules.", "parking rules"),
    ("The professor acknowledged earlier studies in her lecture.", "earlier studies"),
    ("The aides agreed to discuss the negotiations.", "to discuss"),
])
def test_a_bare_noun_phrase_is_not_a_quote(text: str, phrase: str) -> None:
    assert not [q for q in quotes_of(text) if q["content"].strip().startswith(phrase) or q["content"] == phrase]


@pytest.mark.parametrize("text, content", [
    ("The union called for a general strike.", "a general strike"),
    ("The minister announced a new housing plan.", "a new housing plan"),
    ("The senator called the plan a disaster.", "the plan a disaster"),
    ("Ms. Ortiz accused the mayor of hiding the report.", "the mayor of hiding the report"),
    ("Mr. Lund praised the coach for his patience.", "the coach for his patience"),
    ("The minister blamed the floods on poor planning.", "the floods on poor planning"),
])
def test_demands_predicates_and_judgements_stay(text: str, content: str) -> None:
    assert [q for q in quotes_of(text) if content in q["content"]]


def test_agreeing_to_talk_says_nothing_and_an_object_is_no_speaker() -> None:
    text = "Two aides, who agreed to discuss the negotiations on condition of anonymity, confirmed the meeting."
    assert quotes_of(text) == []


def test_a_call_on_someone_carries_what_they_are_asked() -> None:
    text = "The league called on the clubs to cut ticket prices."
    (q,) = [q for q in quotes_of(text) if "clubs" in q["content"]]
    assert q["content"] == "the clubs to cut ticket prices"
    assert spoken(text, q) == "The league"


# ---------------------------------------------------------------------------------------------
# Speakers


@pytest.mark.parametrize("text, name", [
    ('Mayor Tom Brennan denied that Governor Alan Reyes had misled voters. '
     '"We will keep working for this city," he added.', "Tom Brennan"),
    ('Senator Paul Grady said that Governor Mark Ellis had lied about the budget. '
     '"It is a disgrace to the state," he added.', "Paul Grady"),
])
def test_he_is_the_subject_of_the_main_clause(text: str, name: str) -> None:
    (q,) = [q for q in quotes_of(text) if q["direct"]]
    assert spoken(text, q) == "he" and q["speaker"] == name


def test_a_participle_after_a_speech_tag_belongs_to_its_speaker() -> None:
    text = 'The fire destroyed three warehouses, investigators said, describing the blaze as "deliberate and planned."'
    (q,) = [q for q in quotes_of(text) if "deliberate" in q["content"]]
    assert spoken(text, q) == "investigators"


# ---------------------------------------------------------------------------------------------
# Partial quotes, and quotes running over lines that do not reopen them


def test_a_paraphrase_around_a_quoted_phrase_is_a_partial_quote() -> None:
    text = ('Minister Olaf Brenner described the rival bloc as a "paper tiger" with an economy '
            'that depends on gas exports, his office said on Monday.')
    partial = [q for q in quotes_of(text) if "paper tiger" in q["content"]]
    assert partial and all(q["direct"] and q["partial"] for q in partial)


def test_a_fully_quoted_statement_is_direct_and_not_partial() -> None:
    text = '"We will not sign this deal," Minister Olaf Brenner said on Monday.'
    found = [q for q in quotes_of(text) if "sign this deal" in q["content"]]
    assert found and all(q["direct"] and not q["partial"] for q in found)


def test_a_quote_running_over_lines_without_reopening_is_one_direct_quote() -> None:
    text = ("Olaf Brenner spoke to supporters in the town square.\n\n"
            '"Five weeks from now this country chooses its future.\n\n'
            'I am not running, but I am really running," Brenner said.\n\n'
            "The crowd cheered.")
    found = [q for q in quotes_of(text) if "really running" in q["content"]]
    assert len(found) == 1
    q = found[0]
    assert q["direct"] and "Five weeks from now" in q["content"] and "Brenner" in (q["speaker"] or "")


def test_a_quote_left_open_before_an_unrelated_opening_mark_does_not_run_on() -> None:
    text = ('"We are ready to talk.\n\n'
            'The talks resumed on Monday.\n\n'
            'Mr Brenner said "no" to the plan.')
    assert not [q for q in quotes_of(text) if "talks resumed" in q["content"]]
