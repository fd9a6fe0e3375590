"""Analysis cost grows about linearly with the text, also on text made of names, quotes and places.

A 360 KB text of names and entities took 175 s and 2.2 GB: the stages read ``doc.text`` (which spaCy
rebuilds from every token on each access) per mention and per event, and the appeal-to-authority
rule scanned a name's whole sentence once per name. The stages' time (the parse apart) on four
times the text must stay within a linear bound.
"""

from __future__ import annotations

import random
import time

from narrascope.analysis.nlp import doc_text, parse, span_text
from narrascope.analysis.stages import parsed
from narrascope.enrich import build_pipeline
from narrascope.model import Article
from narrascope.settings import load_settings

FIRST = ["John", "Maria", "Sergey", "Angela", "Emmanuel", "Boris", "Olaf", "Kamala", "Ahmed", "Fatima", "Ivan", "Olga"]
LAST = ["Smith", "Petrov", "Merkel", "Macron", "Johnson", "Scholz", "Harris", "Hassan", "Garcia", "Ivanov", "Lavrov"]
ORGS = ["the Kremlin", "NATO", "the European Union", "the United Nations", "Reuters", "the Pentagon", "Moscow",
        "Washington", "Beijing", "Kyiv", "the White House", "Gazprom"]


def pathological(chars: int, *, seed: int = 0) -> str:
    """Sentences packed with person names, organisations, places, quotes and expert appositions."""
    r = random.Random(seed)
    out: list[str] = []
    size = 0
    while size < chars:
        a, b = f"{r.choice(FIRST)} {r.choice(LAST)}", f"{r.choice(FIRST)} {r.choice(LAST)}"
        o1, o2, o3 = r.choice(ORGS), r.choice(ORGS), r.choice(ORGS)
        sentence = r.choice([
            f'{a}, a senior expert at {o1}, said "{b} and {o2} are lying about {o3}," according to {o1}.',
            f"{a} told {b} that {o1} would attack {o2}, he said.",
            f'"We will never accept this," {a}, the spokesman of {o1}, said, while {b} of {o2} denied it.',
            f"{a} and {b} met in {o1} with {o2} and {o3}, a reliable source said.",
        ])
        out.append(sentence + ("\n\n" if r.random() < 0.2 else " "))
        size += len(out[-1])
    return "Names\n\n" + "".join(out)


def stage_seconds(text: str) -> float:
    settings = load_settings()
    pipeline = build_pipeline(settings, ["actors", "quotes", "events", "techniques", "stance"])
    article = Article(id="x", source={}, text=text, title="Names", language="en")
    parsed(article, settings)  # the parse is spaCy's, and linear: left out
    start = time.process_time()
    pipeline.run(article)
    return time.process_time() - start


def test_stages_stay_linear_on_a_text_of_names_and_entities() -> None:
    stage_seconds(pathological(2_000, seed=9))  # models loaded
    small, large = stage_seconds(pathological(15_000, seed=1)), stage_seconds(pathological(60_000, seed=2))
    assert large < 4 * small * 2.5 + 1.0, (small, large)


def test_doc_text_is_built_once_per_doc() -> None:
    doc = parse("Talks go on in Geneva, the ministers said.")
    assert doc_text(doc) == doc.text
    assert doc_text(doc) is doc_text(doc)
    # A Doc cut from it, copying its user data, gets its own text, not the whole article's.
    doc = parse("Talks go on in Geneva. The ministers said so on Monday.")
    second = list(doc.sents)[1].as_doc(copy_user_data=True)
    assert doc_text(second) == second.text == "The ministers said so on Monday."
    assert span_text(second[1:3]) == "ministers said"


def test_wordpiece_memo_skips_long_runs() -> None:
    from narrascope.analysis.stance_encoder import MEMO_KEY, WordPiece

    tokenizer = WordPiece(["[UNK]", "a", "##a", "url"])
    blob = "a" * (MEMO_KEY + 1)
    first = tokenizer.pieces(blob)
    assert first == tokenizer.pieces(blob) and blob not in tokenizer._raw  # same pieces, not remembered
    assert tokenizer.pieces("url") == [3] and "url" in tokenizer._raw
