"""Tagged technique spans the parse rules out (``unfit_reason``) and uncharged spans (``is_uncharged``)."""

from __future__ import annotations

from narrascope.analysis.nlp import parse
from narrascope.analysis.techniques import clean_spans, is_uncharged, unfit_reason


def _tagged(text: str, words: str, name: str = "Name_Calling-Labeling") -> dict[str, object]:
    start = text.index(words)
    return {"name": name, "start": start, "end": start + len(words), "source": "model:token", "p": 0.5}


def test_name_calling_on_an_adverb_labels_no_one() -> None:
    text = "The mayor was clearly annoyed by the late bus."
    doc = parse(text)
    assert unfit_reason(doc, _tagged(text, "clearly")) is not None


def test_name_calling_on_an_adjective_of_a_thing_labels_no_one() -> None:
    text = "The council met after a bitter quarrel over the budget."
    doc = parse(text)
    assert unfit_reason(doc, _tagged(text, "bitter")) is not None


def test_name_calling_on_a_label_of_someone_stays() -> None:
    text = "The senator called his rival a coward in the debate."
    doc = parse(text)
    assert unfit_reason(doc, _tagged(text, "a coward")) is None
    text = "They are corrupt, the senator said."
    doc = parse(text)
    assert unfit_reason(doc, _tagged(text, "corrupt")) is None


def test_a_tagged_span_does_not_cross_a_sentence_start() -> None:
    text = "He shouted at the crowd! Get out of here now."
    doc = parse(text)
    span = _tagged(text, "crowd! Get", "Loaded_Language")
    assert unfit_reason(doc, span) == "crosses a sentence start"
    assert clean_spans(text, [span], doc) == []
    assert clean_spans(text, [span]) != []  # without the parse nothing is ruled out


def test_rule_spans_are_not_judged_by_the_parse() -> None:
    text = "The mayor was clearly annoyed by the late bus."
    doc = parse(text)
    assert unfit_reason(doc, _tagged(text, "clearly") | {"source": "rule:word"}) is None


def test_uncharged_span() -> None:
    text = "She opened the door of the office and wept over the horrific news."
    doc = parse(text)
    assert is_uncharged(doc, _tagged(text, "door", "Loaded_Language"))
    assert not is_uncharged(doc, _tagged(text, "horrific", "Loaded_Language"))
