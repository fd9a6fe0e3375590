"""The genre stage on pages and scrapes written here: wire reports, op-eds, page-stated kinds, text-only scrapes.

Pages go through the real extractors (HTML cascade, plain-text cleaning) and the real stage with
the shipped confidence model; the eval and train commands run on a small gold folder made here.
"""

from __future__ import annotations

import gzip
import json
from dataclasses import replace
from pathlib import Path

import pytest

from conftest import run_cli
from narrascope.enrich.genre import GenreStage, classify_genre, genre_cues
from narrascope.evaluate.genre import conservative_calibration, read_sample, wilson_lower
from narrascope.extract import extract
from narrascope.model import Article, RawItem
from narrascope.settings import Settings

WIRE_BODY = [
    "WASHINGTON (Reuters) - The U.S. Senate on Tuesday passed a bill to extend funding for the federal"
    " highway program by six months, sending the measure to the House of Representatives.",
    "The bill passed 81 to 17, officials said. Senate Majority Leader Jane Holt told reporters the vote"
    " showed that both parties wanted to avoid a shutdown of road projects across the country.",
    "\u201cWe did our job today,\u201d Holt said in a statement after the vote, adding that the House"
    " was expected to take up the measure on Thursday.",
    "The Department of Transportation said about 4,000 projects would have been delayed without the"
    " extension. A spokeswoman for the department said it had prepared contingency plans.",
    "Governors from both parties had urged Congress to act, according to a letter released on Monday."
    " Several of them said the delays would have cost jobs in their states.",
    "Reporting by Tom Reed; Editing by Ann Black",
]

OPED_BODY = [
    "For twenty years I have watched our city council promise to fix the buses, and for twenty years I"
    " have waited at the same cold stop. It is time we stopped pretending that another study will help.",
    "My neighbours do not need more consultants. They need buses that come. I believe the council should"
    " spend the money it has set aside for planning on drivers instead, and I think most riders agree.",
    "Critics will say that this is naive, that transit is complicated. I do not buy it. Other cities of"
    " our size have done it, and I see no reason we cannot.",
    "The council meets next month. I urge every reader who rides the bus to come and say so, because if"
    " we stay home, nothing will change, and I will be at that stop for another twenty years.",
]

GUIDE_BODY = [
    "If you want to keep your kitchen drain clear, you should start with a few simple habits that you can"
    " keep up every week without buying anything new.",
    "First, pour a kettle of hot water down your sink once a week. You will melt the soap and fat that"
    " build up in your pipes before they harden.",
    "Second, never pour grease into your drain. You can let it cool in a jar and throw it in the bin.",
    "Third, fit a strainer over your plughole. You catch the food scraps before they reach your pipes,"
    " and you empty it into your compost.",
    "Finally, if your sink drains slowly, you can try baking soda and vinegar before you call a plumber.",
]

NEWS_BODY = [
    "The Harbour Bridge closed to traffic on Friday after inspectors found cracks in two supports, the"
    " city's transport authority said.",
    "Officials said repairs would take at least a month and that ferries would run extra services in the"
    " meantime. The authority told reporters that the bridge had passed its last inspection in March.",
]


def _page(body: list[str], *, title: str, head: str = "", tail: str = "") -> bytes:
    paragraphs = "".join(f"<p>{p}</p>" for p in body)
    return (f"<html lang='en'><head><title>{title}</title>{head}</head><body><article><h1>{title}</h1>"
            f"{paragraphs}{tail}</article></body></html>").encode()


def _html(data: bytes, settings: Settings, url: str | None = None) -> Article:
    return extract(RawItem(data=data, media_type="text/html", source_kind="html", location="page.html",
                           hints={"url": url} if url else {}), settings)


def _text(data: str, settings: Settings) -> Article:
    return extract(RawItem(data=data.encode(), media_type="text/plain", source_kind="text", location="scrape.txt"),
                   settings)


def _genre(article: Article, settings: Settings) -> dict:
    return GenreStage().compute(article, settings)


def test_a_wire_report_is_reporting(settings: Settings) -> None:
    article = _html(_page(WIRE_BODY, title="Senate passes six-month highway funding extension"), settings,
                    url="https://www.example-news.com/world/us/senate-highway-bill-idUS123")
    out = _genre(article, settings)
    assert out["genre"] == "reporting"
    assert any(e.startswith("dateline: WASHINGTON (Reuters)") for e in out["genre_evidence"])
    # The body alone says so too: dateline, wire credit, reporting formulas.
    hidden = classify_genre(replace(article, url=None), use_url=False)
    assert hidden.genre == "reporting" and hidden.confidence is not None
    assert hidden.confidence >= settings.analysis.min_confidence.genre


def test_an_op_ed_in_an_opinion_section_is_opinion(settings: Settings) -> None:
    head = '<meta property="og:type" content="article"><meta property="article:section" content="Opinion">'
    article = _html(_page(OPED_BODY, title="Our city needs buses, not another study", head=head), settings,
                    url="https://www.example-news.com/opinion/2024/05/02/buses-not-studies/")
    assert article.section == "Opinion"
    out = _genre(article, settings)
    assert out["genre"] == "opinion"
    assert "url section: /opinion/" in out["genre_evidence"] and "section: Opinion" in out["genre_evidence"]


def test_an_op_ed_with_a_bio_and_a_disclaimer_is_opinion_without_its_url(settings: Settings) -> None:
    tail = ("<p>Maria Lopez is a senior fellow at the Urban Transit Institute and a former member of the city's"
            " transport board.</p><p>The views expressed in this article are the author's own.</p>")
    article = _html(_page(OPED_BODY, title="Our city needs buses, not another study", tail=tail), settings,
                    url="https://www.example-news.com/2024/05/02/buses-not-studies/")
    result = classify_genre(article, use_url=False)
    assert result.genre == "opinion"
    kinds = {e.split(":")[0] for e in result.evidence}
    assert {"author bio", "disclaimer"} <= kinds


def test_page_types_and_sections_the_page_states(settings: Settings) -> None:
    opinion_head = ('<meta property="og:type" content="article"><meta property="article:opinion" content="true">'
                    '<script type="application/ld+json">{"@context": "https://schema.org", "@type": '
                    '"OpinionNewsArticle", "headline": "Our city needs buses", "articleSection": "Columns"}</script>')
    opinion = _html(_page(OPED_BODY[:2], title="Our city needs buses", head=opinion_head), settings)
    assert opinion.page_types == ["OpinionNewsArticle", "og:article", "opinion"] and opinion.section == "Columns"
    assert classify_genre(opinion).genre == "opinion"

    news_head = ('<script type="application/ld+json">{"@context": "https://schema.org", "@type": '
                 '"ReportageNewsArticle", "headline": "Bridge closes", "articleSection": "World"}</script>')
    news = _html(_page(NEWS_BODY, title="Bridge closes", head=news_head), settings)
    assert news.page_types == ["ReportageNewsArticle"] and news.section == "World"
    result = classify_genre(news)
    assert result.genre == "reporting"
    assert "page type: ReportageNewsArticle" in result.evidence and "section: World" in result.evidence


def test_a_text_scrape_with_only_text_signals(settings: Settings) -> None:
    scrape = "\n\n".join(["Opinion: Our city needs buses, not another study", *OPED_BODY,
                          "Maria Lopez is a columnist for the Riverside Courier."])
    article = _text(scrape, settings)
    assert article.url is None and article.section is None and not article.page_types
    out = _genre(article, settings)
    assert out["genre"] == "opinion"
    assert any(e.startswith("title: Opinion:") for e in out["genre_evidence"])

    report = _text("\n\n".join(["Senate passes six-month highway funding extension", *WIRE_BODY]), settings)
    assert _genre(report, settings)["genre"] == "reporting"


def test_a_how_to_guide_is_no_news_claim(settings: Settings) -> None:
    article = _html(_page(GUIDE_BODY, title="How to Keep Your Kitchen Drain Clear: A Complete Guide"), settings,
                    url="https://www.example-plumbing.com/blog/how-to-keep-your-drain-clear/")
    out = _genre(article, settings)
    assert out["genre"] == "other" and out["genre_confidence"] is None
    assert "url section: /blog/" in out["genre_evidence"]
    assert any(e.startswith("second person:") for e in out["genre_evidence"])


def test_conflicting_page_statements_are_no_claim(settings: Settings) -> None:
    tail = "<p>Maria Lopez is an associate professor of urban planning at Riverside University.</p>"
    body = ["The council will vote next month on a plan to add twenty buses to the eastern routes, the"
            " mayor's office said on Tuesday.", "The plan would cost about four million dollars a year and"
            " would be paid for from the transport levy, according to a council report."]
    # A news section of a known outlet (strong) against a professor's bio (strong): no claim.
    article = _html(_page(body, title="Council to vote on bus plan", tail=tail), settings,
                    url="https://www.theguardian.com/news/local/council-bus-plan/")
    result = classify_genre(article)
    assert result.genre == "other" and result.confidence is None
    # On a site the outlet table does not know, /news/ weighs less (companies have one too): the bio wins.
    unknown = classify_genre(replace(article, url="https://www.example-council.org/news/council-bus-plan/"))
    assert unknown.genre == "opinion" and "url section: /news/ (points to reporting)" in unknown.evidence


def test_below_the_floor_the_genre_is_other_with_the_evidence_kept(settings: Settings) -> None:
    article = _html(_page(WIRE_BODY, title="Senate passes highway funding extension"), settings)
    claim = classify_genre(article)
    assert claim.genre == "reporting" and claim.confidence is not None
    strict = replace(settings, analysis=replace(settings.analysis, min_confidence=replace(
        settings.analysis.min_confidence, genre=1.0)))
    out = _genre(article, strict)
    assert out["genre"] == "other" and out["genre_confidence"] is None
    assert out["genre_evidence"][0].startswith("not claimed: reporting")
    assert any(e.startswith("dateline:") for e in out["genre_evidence"])


def test_satire_outlets_stay_satire(settings: Settings) -> None:
    article = _text("\n\n".join(["Area man wins argument with toaster", *OPED_BODY]), settings)
    out = _genre(replace(article, outlet="The Onion"), settings)
    assert out["genre"] == "satire" and 0 < out["genre_confidence"] <= 1


def test_confidences_are_present_and_within_bounds(settings: Settings) -> None:
    pages = [_html(_page(WIRE_BODY, title="Senate passes bill"), settings),
             _text("\n\n".join(["Opinion: Buses now", *OPED_BODY]), settings)]
    for article in pages:
        out = _genre(article, settings)
        assert out["genre"] in ("opinion", "reporting")
        assert isinstance(out["genre_confidence"], float) and 0.0 <= out["genre_confidence"] <= 1.0
        assert round(out["genre_confidence"], 3) == out["genre_confidence"]


def test_every_cue_pattern_compiles_and_names_a_known_genre() -> None:
    cues = genre_cues()
    assert len(cues) > 20
    assert {c.genre for c in cues} <= {"opinion", "reporting", "other", "satire"}
    assert {c.strength for c in cues} <= {"strong", "medium", "weak"}


def test_the_conservative_calibration_claims_no_more_than_the_sample_shows() -> None:
    assert wilson_lower(10, 10) == pytest.approx(0.787, abs=0.001)
    assert wilson_lower(0, 0) == 0.0
    scores = [0.7] * 3 + [0.9] * 40
    calibration = conservative_calibration(scores, [True] * 43)
    assert calibration(0.9) < 1.0 and calibration(0.7) < calibration(0.9)
    assert all(b >= a for a, b in zip(calibration.y, calibration.y[1:], strict=False))


def _gold_folder(root: Path, pages: dict[str, tuple[bytes, str]]) -> Path:
    folder = root / "mini"
    (folder / "html").mkdir(parents=True)
    truth = {}
    for page_id, (data, url) in pages.items():
        (folder / "html" / f"{page_id}.html.gz").write_bytes(gzip.compress(data))
        truth[page_id] = {"articleBody": "", "url": url}
    (folder / "ground-truth.json").write_text(json.dumps(truth), encoding="utf-8")
    return folder


def test_eval_and_train_genre_commands_on_a_small_sample(tmp_path: Path) -> None:
    pages = {
        "wire1": (_page(WIRE_BODY, title="Senate passes highway bill"), "https://news.example.com/news/senate-bill"),
        "oped1": (_page(OPED_BODY, title="Buses, not studies"), "https://news.example.com/opinion/buses"),
        "guide1": (_page(GUIDE_BODY, title="How to Clean a Drain"),
                   "https://plumbing.example.com/blog/how-to-clean-a-drain"),
    }
    _gold_folder(tmp_path, pages)
    sample = tmp_path / "sample.tsv"
    sample.write_text("# test sample\ndataset\tid\tlabel\treason\nmini\twire1\treporting\t/news/\n"
                      "mini\toped1\topinion\t/opinion/\nmini\tguide1\tother\t/blog/ how-to\n", encoding="utf-8")
    assert [r.label for r in read_sample(sample)] == ["reporting", "opinion", "other"]
    result = run_cli("eval", "genre", str(sample), "--data", str(tmp_path), "--split", "all", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    views = {v["view"]: v for v in report["views"]}
    assert set(views) == {"url", "no-url", "text-only"} and report["pages"] == 3
    assert views["url"]["accuracy"] == 1.0, views["url"]["misses"]
    assert views["url"]["calibration"]["facts"] == 2
    text = run_cli("eval", "genre", str(sample), "--data", str(tmp_path), "--split", "all")
    assert "view no-url: accuracy" in text.stdout and "confusion" in text.stdout and "calibration (genre)" in text.stdout

    model = tmp_path / "genre.confidence.json"
    trained = run_cli("train", "genre", str(sample), "--data", str(tmp_path), "-o", str(model))
    assert trained.exit_code == 0, trained.output
    fitted = json.loads(model.read_text(encoding="utf-8"))
    assert fitted["field"] == "genre" and fitted["format"] == 1
