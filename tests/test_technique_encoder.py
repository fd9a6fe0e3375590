"""The technique tagger: windows of whole lines, runs of words into candidate spans, the shipped
ONNX model, and the vocabulary it keeps."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from narrascope.analysis.nlp import parse
from narrascope.analysis.stance_encoder import WordPiece
from narrascope.analysis.technique_encoder import (
    CLASSES,
    ENCODER_PATH,
    load_technique_encoder,
    place_tagger,
    runs,
    windows,
    words,
)
from narrascope.analysis.technique_encoder_train import prune_vocabulary, read_oof
from narrascope.analysis.techniques import find_techniques, gated, load_model, segments

VOCAB = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "[unused0]", "the", "corrupt", "king", "lied", "##s", "and",
         ".", "a", "c", "d", "e", "i", "k", "l", "n", "o", "p", "r", "s", "t", "u", "##a", "##c", "##d", "##e", "##i",
         "##k", "##l", "##n", "##o", "##p", "##r", "##s", "##t", "##u", "h", "##h", "ruler", "##ship"]


def probs(rows: list[dict[str, float]]) -> np.ndarray:
    """Rows of word probabilities: the named classes get their mass, "no technique" the rest."""
    out = np.zeros((len(rows), len(CLASSES) + 1))
    for i, row in enumerate(rows):
        for name, p in row.items():
            out[i, CLASSES.index(name) + 1] = p
        out[i, 0] = 1.0 - sum(row.values())
    return out


def test_windows_cover_every_word_once_within_the_size() -> None:
    tok = WordPiece(VOCAB)
    text = "the corrupt king lied.\n" * 40 + "the rulership lies"
    wins = windows(tok, text, size=32)
    assert len(wins) > 1
    spans = [s for w in wins for s in w.spans]
    assert spans == words(text)
    for w in wins:
        assert len(w.ids) <= 32
        assert w.ids[0] == tok.vocab["[CLS]"] and w.ids[-1] == tok.vocab["[SEP]"]
        for first, (a, b) in zip(w.firsts, w.spans, strict=True):
            assert w.ids[first] == tok.pieces(text[a:b])[0]
    # a line is never cut when it fits a window: the first window ends at a line's end
    last = wins[0].spans[-1]
    assert text[last[1]] == "\n"


def test_runs_join_words_on_one_line_and_name_them_by_mass() -> None:
    text = "the corrupt king lied\nto us all"
    spans = words(text)
    p = probs([{}, {"Loaded_Language": 0.5, "Name_Calling-Labeling": 0.3}, {"Name_Calling-Labeling": 0.7}, {},
               {"Doubt": 0.9}, {"Doubt": 0.9}, {}])
    found = runs(text, spans, p, threshold=0.5)
    assert [(text[c["start"]:c["end"]], c["name"]) for c in found] == [("corrupt king", "Name_Calling-Labeling"),
                                                                        ("to us", "Doubt")]
    assert all(c["source"] == "model:encoder" and 0.0 <= c["p"] <= 1.0 for c in found)
    assert found[0]["p"] == pytest.approx(0.8 * 0.5 + 0.7 * 0.5, abs=1e-4)
    assert found[0]["detail"] == "clear"  # 1.0 of 1.5 of the mass is name calling


def test_runs_stop_at_a_line_break_and_skip_silent_classes() -> None:
    text = "evil\nthugs again again"
    spans = words(text)
    p = probs([{"Loaded_Language": 0.9}, {"Loaded_Language": 0.9}, {"Repetition": 0.95}, {"Repetition": 0.95}])
    found = runs(text, spans, p, threshold=0.5)
    assert [text[c["start"]:c["end"]] for c in found] == ["evil", "thugs"]


def test_bandwagon_class_is_named_by_the_reductio_cue() -> None:
    text = "just like the Nazis did"
    p = probs([{"Appeal_to_Popularity": 0.9}] * len(words(text)))
    (span,) = runs(text, words(text), p, threshold=0.5)
    assert span["name"] == "Guilt_by_Association"


def test_pruned_vocabulary_keeps_used_pieces_specials_and_single_characters() -> None:
    keep = prune_vocabulary(VOCAB, ["the king lied"])
    kept = {VOCAB[i] for i in keep}
    assert {"the", "king", "lied", "[CLS]", "[SEP]", "[UNK]", "[PAD]", "e", "##s"} <= kept
    assert not {"corrupt", "ruler", "##ship", "[unused0]"} & kept
    # every word still splits into known pieces
    small = WordPiece([VOCAB[i] for i in keep])
    assert small.unk not in small.pieces("corrupt rulership")


@pytest.mark.skipif(not ENCODER_PATH.is_file(), reason="no shipped technique tagger")
def test_shipped_tagger_reads_charged_words_not_plain_ones() -> None:
    tagger = load_technique_encoder()
    assert tagger is not None
    loaded = "The treasonous thugs and their corrupt cronies are destroying our great nation."
    plain = "The committee met on Tuesday and published its annual report on road maintenance."
    spans, p = tagger.word_probabilities(loaded + "\n" + plain)
    some = 1.0 - p[:, 0]
    cut = len(words(loaded))
    assert p.shape == (len(spans), len(CLASSES) + 1)
    assert np.allclose(p.sum(axis=1), 1.0, atol=1e-4)
    assert some[:cut].max() > 0.5 > some[cut:].max()
    names = {c["name"] for c in tagger.candidates(loaded)}
    assert names & {"Loaded_Language", "Name_Calling-Labeling"}


@pytest.mark.skipif(not ENCODER_PATH.is_file(), reason="no shipped technique tagger")
def test_shipped_model_runs_the_tagger_with_out_of_fold_candidates_beside_it() -> None:
    model = load_model()
    assert model.encoder == ENCODER_PATH.name and model.tagger is not None
    oof = read_oof()
    assert oof and all(c["source"] == "model:encoder" and c["start"] < c["end"] for cs in oof.values() for c in cs)
    doc = parse("Those corrupt traitors in Washington are lying to you again, the vile liars.")
    found = find_techniques(doc)
    assert found
    for s in found:
        assert 0.0 <= s["confidence"] <= 1.0
        assert doc.text[s["start"]:s["end"]] == s["text"]


@pytest.mark.skipif(not ENCODER_PATH.is_file(), reason="no shipped technique tagger")
def test_a_model_trained_elsewhere_gets_a_whole_copy_of_the_tagger(tmp_path: Path) -> None:
    target = place_tagger(tmp_path / "models" / ENCODER_PATH.name)
    copied = sorted(p.name for p in target.parent.iterdir())
    assert copied == ["techniques_encoder.json", "techniques_encoder.onnx", "techniques_encoder.oof.json",
                      "techniques_encoder.vocab"]
    tagger = load_technique_encoder(str(target))
    assert tagger is not None and tagger.meta["classes"] == list(CLASSES)
    assert read_oof(target) == read_oof()
    # an existing tagger is left as it is
    target.write_bytes(b"mine")
    assert place_tagger(target).read_bytes() == b"mine"


def test_the_tagger_reads_only_sentences_holding_a_candidate() -> None:
    doc = parse("The weather was mild. The corrupt thugs lied again. Markets closed early. Traitors everywhere!")
    segs = segments(doc)
    thugs = doc.text.index("corrupt")
    traitors = doc.text.index("Traitors")
    spans = [{"start": thugs, "end": thugs + len("corrupt thugs")}, {"start": traitors, "end": traitors + 8}]
    ranges = gated(segs, spans)
    assert [doc.text[a:b] for a, b in ranges] == ["The corrupt thugs lied again.", "Traitors everywhere!"]
    # a span running over a sentence end opens both sentences; none opens none
    both = gated(segs, [{"start": doc.text.index("mild"), "end": doc.text.index("corrupt")}])
    assert [doc.text[a:b] for a, b in both] == ["The weather was mild.", "The corrupt thugs lied again."]
    assert gated(segs, []) == []


def test_runs_stop_at_a_sentence_start() -> None:
    text = "They lie. Corrupt thugs rule."
    spans = words(text)
    p = probs([{"Loaded_Language": 0.9}] * len(spans))
    found = runs(text, spans, p, threshold=0.5, breaks=[0, text.index("Corrupt")])
    assert [text[c["start"]:c["end"]] for c in found] == ["They lie.", "Corrupt thugs rule."]
