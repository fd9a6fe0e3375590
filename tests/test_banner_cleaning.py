"""JSONL and CSV text is cleaned like a scrape: banners, wire trailers and promo lists go to ``removed``.

27 Sputnik records that were nothing but the cookie banner became a narrative, and "Accept &
Close" an organisation. Records are built here as a dataset would carry them and go through the
real source, the real extractor and (for the end-to-end cases) the real CLI and store.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from conftest import export_records, run_cli
from fixtures_make import jsonl, paragraphs, title, write
from narrascope.extract import extract
from narrascope.extract.boilerplate import classify_paragraph
from narrascope.model import RawItem
from narrascope.settings import Settings

FAST = '[pipeline]\nstages = ["language", "genre"]\n'

SPUTNIK_BANNER = (
    "We use cookies on our website to improve your experience. By continuing to browse the site you agree to our"
    " use of cookies. You can find out more about the cookies we use and how to manage them in our Privacy Policy."
    " Sputnik and its partners use cookies and similar technologies to personalise content and ads.\n"
    "Privacy Policy · Accept & Close"
)
SUBSCRIPTION_BANNER = (
    "Subscribe to our newsletter\n"
    "Get the latest news and analysis delivered to your inbox every morning. Sign up now and never miss a story.\n"
    "Already a subscriber? Log in"
)


def body(n: int) -> str:
    return "\n\n".join(paragraphs(n))


def cleaned(text: str, settings: Settings, *, kind: str = "jsonl") -> tuple[str, list[tuple[str, str | None, str]]]:
    article = extract(RawItem(data=text.encode(), media_type="text/plain", source_kind=kind, location="x"), settings)
    return article.text, [(r.kind, r.label, r.text) for r in article.removed]


def ingest(tmp_path: Path, db: Path, path: Path) -> dict:
    config = write(tmp_path / "fast.toml", FAST)
    result = run_cli("--config", str(config), "ingest", "--db", str(db), "--json", str(path))
    assert result.exit_code in (0, 3), result.output
    return json.loads(result.stdout)


def csv_table(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows([["title", "text", "url"], *rows])
    return out.getvalue().encode()


# -- a record that is only a banner is no article ----------------------------------------------


def test_jsonl_records_that_are_only_a_cookie_banner_are_rejected(tmp_path: Path, db: Path) -> None:
    records = [{"text": SPUTNIK_BANNER, "url": f"https://sputnik.example/{n}", "title": f"Sputnik story {n}"}
               for n in range(3)]
    records.append({"text": body(1), "url": "https://sputnik.example/real", "title": title(1)})
    report = ingest(tmp_path, db, write(tmp_path / "sputnik.jsonl", jsonl(records)))
    assert len(report["stored"]) == 1
    assert [r["code"] for r in report["rejected"]] == ["NS201"] * 3
    stored = export_records(db)
    assert [r["title"] for r in stored] == [title(1)]
    assert "Accept" not in stored[0]["text"]


def test_csv_rows_that_are_only_a_banner_are_rejected(tmp_path: Path, db: Path) -> None:
    rows = [["Cookie row", SPUTNIK_BANNER, "https://x.example/1"], ["Paywall row", SUBSCRIPTION_BANNER, ""],
            [title(2), body(2), "https://x.example/2"]]
    report = ingest(tmp_path, db, write(tmp_path / "rows.csv", csv_table(rows)))
    assert [r["code"] for r in report["rejected"]] == ["NS201", "NS201"] and len(report["stored"]) == 1


# -- banners around an article ------------------------------------------------------------------


def test_a_cookie_banner_around_the_article_goes_to_removed(settings: Settings) -> None:
    text, removed = cleaned(SPUTNIK_BANNER + "\n\n" + body(1) + "\n\nPrivacy Policy · Accept & Close", settings)
    assert text == body(1)
    assert ("nav", "consent", "Privacy Policy · Accept & Close") in removed
    assert sum(1 for kind, label, _ in removed if label == "consent") == 3
    assert not any(kind == "tags" for kind, _, _ in removed)  # "Privacy Policy · Accept & Close" is no breadcrumb


def test_a_banner_glued_to_the_text_on_one_line(settings: Settings) -> None:
    one_line = body(2).replace("\n\n", " ")
    text, removed = cleaned("Privacy Policy · Accept & Close " + one_line + " We use cookies to improve your"
                            " experience. By continuing to browse you agree to our use of cookies.", settings,
                            kind="csv")
    assert text == one_line
    assert [label for _, label, _ in removed] == ["consent", "consent"]


def test_subscription_banners_go_to_removed(settings: Settings) -> None:
    text, removed = cleaned(body(3) + "\n\n" + SUBSCRIPTION_BANNER, settings)
    assert text == body(3)
    assert [(kind, label) for kind, label, _ in removed] == [("nav", "subscribe")] * 3


# -- wire trailers and promo lists ----------------------------------------------------------------


@pytest.mark.parametrize("trailer", [
    "\n\nkdh@yna.co.kr\n(END)",
    " kdh@yna.co.kr (END)",
    "\n\n(END)",
    " (END)",
    "\n\n((jane.doe@thomsonreuters.com; +1 202 555 0100))",
    "\n\nEnditem",
])
def test_wire_trailers_go_to_removed(trailer: str, settings: Settings) -> None:
    text, removed = cleaned(body(4) + trailer, settings)
    assert text == body(4)
    assert removed and all(kind == "other" and label in ("wire-end", "reporter-email") for kind, label, _ in removed)
    assert "".join(t for _, _, t in removed).replace(" ", "") == trailer.replace("\n", "").replace(" ", "")


def test_a_promo_list_goes_to_removed(settings: Settings) -> None:
    paras = paragraphs(5)
    promo = "Read more:\nRussia says the talks are stuck\nUkraine rejects a new proposal\nRelated: Sanctions to stay"
    text, removed = cleaned("\n\n".join(paras[:2]) + "\n\n" + promo + "\n\n" + "\n\n".join(paras[2:]), settings)
    assert text == "\n\n".join(paras)
    assert [kind for kind, _, _ in removed] == ["related"] * 4


@pytest.mark.parametrize("paragraph", [
    "The EU requires websites to obtain consent before storing cookies on a visitor's computer.",
    "Regulators said the firm had used cookies to track users without their consent, and fined it.",
    "Subscribers to the state broadcaster's channel rose by a third, the ministry said.",
    "The talks will end on Friday, officials said.",
])
def test_article_paragraphs_about_cookies_and_endings_stay(paragraph: str) -> None:
    assert classify_paragraph(paragraph) is None
