"""`narrascope eval extraction`: the metrics on hand-computed cases, and tiny gold sets in both
layouts built in tmp_path (never copied from the real datasets)."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from conftest import run_cli
from narrascope.errors import UsageError
from narrascope.evaluate import evaluate_extraction
from narrascope.evaluate.extraction import (
    author_names,
    bag_of_words_scores,
    detect_layout,
    same_date,
    same_field,
    shingle_scores,
)

STORY = [
    "Officials in the capital said on Monday that the pipeline would reopen within a week after repairs to a "
    "damaged section near the border were finished ahead of schedule.",
    "The operator said deliveries had been cut by half during the outage and that customers downstream had "
    "drawn on stored reserves to make up the shortfall in the meantime.",
    "Engineers found no sign of sabotage, the ministry said, although an investigation into the cause of the "
    "damage would continue for several more weeks.",
]
OTHER = [
    "Farmers in the northern valleys began the harvest early this year after a dry summer left the fields "
    "ready two weeks before the usual date, the agriculture office said.",
    "Prices at the regional market fell slightly as the first lorries arrived, traders said, and were "
    "expected to settle once the bulk of the crop came in later in the month.",
]


def article_page(title: str, paragraphs: list[str], *, author: str | None = None, date: str | None = None) -> bytes:
    data = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": title}
    if author:
        data["author"] = {"@type": "Person", "name": author}
    if date:
        data["datePublished"] = date
    body = "\n".join(f"<p>{p}</p>" for p in paragraphs)
    html = (f'<!DOCTYPE html><html lang="en"><head><title>{title}</title>'
            f'<script type="application/ld+json">{json.dumps(data)}</script></head>'
            f"<body><article><h1>{title}</h1>{body}</article></body></html>")
    return gzip.compress(html.encode("utf-8"))


def aeb_folder(root: Path, pages: dict[str, tuple[bytes, str]]) -> Path:
    (root / "html").mkdir(parents=True)
    truth = {}
    for page_id, (html, gold) in pages.items():
        (root / "html" / f"{page_id}.html.gz").write_bytes(html)
        truth[page_id] = {"articleBody": gold, "url": f"https://example.org/{page_id}"}
    (root / "ground-truth.json").write_text(json.dumps(truth), encoding="utf-8")
    return root


def wcxb_folder(root: Path, pages: dict[str, tuple[bytes, dict[str, object]]]) -> Path:
    (root / "html").mkdir(parents=True)
    (root / "ground-truth").mkdir()
    for page_id, (html, gold) in pages.items():
        (root / "html" / f"{page_id}.html.gz").write_bytes(html)
        record = {"url": f"https://example.org/{page_id}", "file_id": page_id, "ground_truth": gold}
        (root / "ground-truth" / f"{page_id}.json").write_text(json.dumps(record), encoding="utf-8")
    return root


# --- the metrics, by hand -----------------------------------------------------------------------------


def test_shingle_scores_by_hand() -> None:
    assert shingle_scores("one two three four five", "one two three four five") == (1.0, 1.0)
    # gold shingles: (a b c d) (b c d e) (c d e f); predicted: (a b c d) (b c d x) -> tp 1, fp 1, fn 2
    assert shingle_scores("a b c d e f", "a b c d x") == (0.5, pytest.approx(1 / 3))
    # multisets: a shingle predicted twice but in the gold once counts once
    assert shingle_scores("a b c d", "a b c d. a b c d") == (pytest.approx(1 / 5), 1.0)
    assert shingle_scores("a b c d e", "") == (0.0, 0.0)
    assert shingle_scores("", "") == (1.0, 1.0)


def test_bag_of_words_scores_by_hand() -> None:
    # gold {a: 2, b: 1}, predicted {a: 1, b: 1, c: 1}: tp 2 -> precision 2/3, recall 2/3
    precision, recall, f1 = bag_of_words_scores("a a b", "A b c")
    assert (precision, recall, f1) == (pytest.approx(2 / 3), pytest.approx(2 / 3), pytest.approx(2 / 3))
    assert bag_of_words_scores("Same words", "same, WORDS!") == (1.0, 1.0, 1.0)
    assert bag_of_words_scores("words", "") == (0.0, 0.0, 0.0)


def test_same_field() -> None:
    assert same_field("The  Title", "the title")
    assert same_field(None, None) and same_field(None, "")
    assert not same_field(None, "2020-01-01")
    assert not same_field("Jane Roe", "Jane Doe")


def test_author_names_are_normalised() -> None:
    # credentials and roles are no names; case, accents, dots and "Dr" do not count
    assert author_names("Dylan Bailey, MS, RD, FAND") == {"dylan bailey"}
    assert author_names("Danielle DeSiato, Donna Enzmann, and Natalie Nguyen") == {
        "danielle desiato", "donna enzmann", "natalie nguyen"}
    assert author_names("Sergio Martínez-Beltrán | The Texas Newsroom") == {"sergio martinez beltran",
                                                                            "the texas newsroom"}
    assert author_names("Dr. Jane  Roe") == author_names("jane roe") == {"jane roe"}
    assert author_names(None) == author_names("") == set()


def test_same_date() -> None:
    assert same_date("2024-05-14", "2024-05-14")
    assert same_date("2003-11", "2003-11-05")  # the gold states the month only
    assert not same_date("2024-05-14", "2024-05-15")
    assert not same_date("2024-05-14", None)


# --- the whole evaluation on tiny gold sets ----------------------------------------------------------


def test_aeb_layout_perfect_and_partial(tmp_path: Path) -> None:
    folder = aeb_folder(tmp_path / "aeb", {
        "a": (article_page("Pipeline to reopen within a week", STORY), "\n\n".join(STORY)),
        # the gold holds only the first paragraph: precision drops, recall stays whole
        "b": (article_page("Harvest starts early", OTHER), OTHER[0]),
    })
    assert detect_layout(folder) == "aeb"
    report = evaluate_extraction(folder)
    assert report.layout == "aeb" and report.pages == 2
    ours = {s.name: s for s in report.systems}["narrascope"]
    expected_b = shingle_scores(OTHER[0], "\n\n".join(OTHER))
    assert expected_b[1] == 1.0 and expected_b[0] < 1.0
    assert ours.precision == pytest.approx((1.0 + expected_b[0]) / 2)
    assert ours.recall == pytest.approx(1.0)
    assert ours.f1 == pytest.approx(2 * ours.precision * ours.recall / (ours.precision + ours.recall))
    assert ours.title is None  # aeb has no metadata to score
    assert [s.name for s in report.systems] == ["narrascope", "trafilatura", "trafilatura-no-comments"]

    perfect = evaluate_extraction(folder, limit=1)
    assert perfect.pages == 1
    assert {s.name: s.f1 for s in perfect.systems}["narrascope"] == 1.0


def test_wcxb_layout_text_and_metadata(tmp_path: Path) -> None:
    folder = wcxb_folder(tmp_path / "wcxb", {
        "0001": (article_page("Pipeline to reopen within a week", STORY, author="Jane Roe", date="2024-05-14"),
                 {"title": "Pipeline to reopen within a week", "author": "Jane Roe", "publish_date": "2024-05-14",
                  "main_content": "\n\n".join(STORY)}),
        # no author, no date stated: nulls in the gold are right when nothing is predicted
        "0002": (article_page("Harvest starts early", OTHER),
                 {"title": "Harvest starts early", "author": None, "publish_date": None,
                  "main_content": "\n\n".join(OTHER)}),
        # the gold names an author the page does not state; no body in the gold: metadata only
        "0003": (article_page("Harvest starts early", OTHER),
                 {"title": "Harvest starts early", "author": "Omar Haddad", "publish_date": None}),
        # the page names an author the gold says it has none of: a false author; a wrong date
        "0004": (article_page("Harvest starts early", OTHER, author="Lena Park", date="2024-06-01"),
                 {"title": "Harvest starts early", "author": None, "publish_date": "2024-06-02"}),
        # two authors in the gold, one found (with a credential the names leave out); a date the gold lacks
        "0005": (article_page("Harvest starts early", OTHER, author="Sam Lee, MD", date="2024-07-01"),
                 {"title": "Harvest starts early", "author": "Sam Lee and Ana Ruiz", "publish_date": None}),
    })
    assert detect_layout(folder) == "wcxb"
    report = evaluate_extraction(folder)
    assert report.layout == "wcxb" and report.pages == 5
    ours = {s.name: s for s in report.systems}["narrascope"]
    assert ours.pages == 2  # pages with a gold body
    assert (ours.precision, ours.recall, ours.f1) == (1.0, 1.0, 1.0)
    assert ours.title == 1.0
    # exact match, nulls included: pages 1 and 2 right; 3, 4 and 5 wrong
    assert ours.author == pytest.approx(2 / 5)
    # names on the pages whose gold has an author (1, 3, 5): Jane Roe and Sam Lee found, of 2 named and 4 gold
    assert (ours.author_pages, ours.author_precision, ours.author_recall) == (3, 1.0, pytest.approx(2 / 4))
    assert ours.false_authors == 1  # page 4
    # dates only where the gold has one (pages 1 and 4)
    assert (ours.date_pages, ours.published) == (2, 0.5)
    assert ours.false_dates == 1  # page 5 names a date its gold has none of
    table = report.format()
    assert "title" in table and "narrascope" in table and "false-authors" in table and "false-dates" in table


def test_neither_layout_is_a_coded_error(tmp_path: Path) -> None:
    (tmp_path / "html").mkdir()
    with pytest.raises(UsageError) as caught:
        detect_layout(tmp_path)
    assert caught.value.code == "NS403"


def test_cli(tmp_path: Path) -> None:
    folder = aeb_folder(tmp_path / "aeb", {"a": (article_page("Pipeline to reopen", STORY), "\n\n".join(STORY))})
    result = run_cli("eval", "extraction", str(folder), "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["layout"] == "aeb" and data["pages"] == 1
    assert {s["name"] for s in data["systems"]} == {"narrascope", "trafilatura", "trafilatura-no-comments"}

    table = run_cli("eval", "extraction", str(folder), "--limit", "1")
    assert table.exit_code == 0 and "narrascope" in table.stdout and "F1" in table.stdout

    empty = tmp_path / "empty"
    empty.mkdir()
    bad = run_cli("eval", "extraction", str(empty))
    assert bad.exit_code == 2  # NS403, a bad option value
    assert "NS403" in bad.output
