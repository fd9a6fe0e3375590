"""Long texts are analysed in pieces, never refused: offsets stay into the full text.

spaCy refuses a text over 1,000,000 characters (``nlp.max_length``); that was "NS901 internal
error" on ingest. The parse is now made in pieces of ``analysis.parse_piece_chars`` joined back into
one Doc over the whole text.
"""

from __future__ import annotations

import json
from pathlib import Path

from conftest import export_records, run_cli
from narrascope.analysis.nlp import parse, pieces

PARAGRAPH = ("Sergey Lavrov met Antony Blinken in Geneva on Monday, and the two ministers said the talks on "
             "Ukraine would go on next month.")


def test_pieces_cover_the_text_and_cut_at_paragraph_breaks() -> None:
    text = "\n\n".join(f"{PARAGRAPH} Paragraph {i}." for i in range(200))
    cuts = pieces(text, 2_000)
    assert cuts[0][0] == 0 and cuts[-1][1] == len(text)
    assert all(a[1] == b[0] for a, b in zip(cuts, cuts[1:], strict=False))
    assert all(0 < end - start <= 2_000 for start, end in cuts)
    assert all(text[:end].endswith("\n\n") for _start, end in cuts[:-1])
    # No break at all: cut at the size.
    assert pieces("x" * 10, 4) == [(0, 4), (4, 8), (8, 10)]


def test_a_parse_in_pieces_reads_as_one_parse_of_the_whole_text() -> None:
    text = "\n\n".join(f"{PARAGRAPH} Paragraph {i}." for i in range(60))
    whole, split = parse(text), parse(text, piece_chars=1_000)
    assert split.text == text
    assert split.has_annotation("DEP") and split.has_annotation("SENT_START")
    assert [(e.start_char, e.end_char, e.label_) for e in split.ents] == [
        (e.start_char, e.end_char, e.label_) for e in whole.ents]
    assert [s.start_char for s in split.sents] == [s.start_char for s in whole.sents]
    assert all(text[e.start_char:e.end_char] == e.text for e in split.ents)


def test_a_text_over_a_million_characters_is_analysed_not_an_internal_error(tmp_path: Path, db: Path) -> None:
    # 1.2 million characters: English paragraphs around a long run of long tokens (a pasted data
    # blob, fast to parse), so that actors stand past the million mark too.
    blob = " ".join("Q" + "x" * 199 for _ in range(6_000))
    text = "\n\n".join([*(PARAGRAPH for _ in range(5)), blob, *(PARAGRAPH for _ in range(5))])
    assert len(text) > 1_200_000
    source = tmp_path / "long.jsonl"
    source.write_text(json.dumps({"title": "Talks go on", "text": text, "language": "en"}) + "\n")
    config = tmp_path / "actors.toml"
    config.write_text('[pipeline]\nstages = ["language", "actors"]\n')
    result = run_cli("--config", str(config), "ingest", str(source), "--db", str(db))
    assert result.exit_code == 0, result.output
    [record] = export_records(db)
    assert record["text"] == text
    mentions = [m for actor in record["actors"] for m in actor["mentions"]]
    assert any(m["start"] > 1_000_000 for m in mentions)
    assert all(text[m["start"]:m["end"]] == m["text"] for m in mentions)
    assert {a["id"] for a in record["actors"]} >= {"person:sergey-lavrov"}
