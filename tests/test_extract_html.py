"""HTML extraction: the metadata cascade rung by rung, body cleaning, decoding, pages with no article.

Every page here is written by hand for the case it tests.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from conftest import run_cli
from narrascope.errors import ExtractionError
from narrascope.extract import extract
from narrascope.extract.html import extract_html, split_authors, stated_date
from narrascope.model import RawItem
from narrascope.settings import ExtractSettings, Settings

PARAGRAPHS = [
    "The foreign ministry summoned the ambassador on Tuesday after a week of accusations that the embassy had "
    "funded a network of websites repeating the same claims about the border dispute.",
    "Officials said the websites had published more than four hundred articles since March, most of them "
    "translated from a single source and posted within minutes of each other across a dozen domains.",
    "The ambassador denied the accusations in a statement, calling them an attempt to distract from the "
    "government's own handling of the dispute, and said the embassy would cooperate with any inquiry.",
    "Analysts who have followed the campaign said its reach remained modest, but that the speed with which "
    "the same phrases travelled between outlets suggested coordination rather than coincidence.",
]


def body(*extra: str, paragraphs: list[str] = PARAGRAPHS) -> str:
    return "\n".join(f"<p>{p}</p>" for p in paragraphs) + "\n" + "\n".join(extra)


def page(*, head: str = "", article: str | None = None, before: str = "", after: str = "",
         lang: str = "en", h1: str = "Ministry summons ambassador over website network") -> str:
    article = body() if article is None else article
    return f"""<!DOCTYPE html>
<html lang="{lang}">
<head><meta charset="utf-8"><title>{h1} | Example Herald</title>{head}</head>
<body>
<nav><a href="/">Home</a> <a href="/world">World</a> <a href="/politics">Politics</a></nav>
<main><article>
<h1>{h1}</h1>
{before}
{article}
{after}
</article></main>
<footer><p>© 2019 Example Herald. All rights reserved.</p></footer>
</body></html>"""


def run(html: str | bytes, **hints: object):
    data = html.encode("utf-8") if isinstance(html, str) else html
    item = RawItem(data=data, media_type="text/html", source_kind="html", location="test.html", hints=dict(hints))
    return extract_html(item, Settings())


def jsonld(**fields: object) -> str:
    return f'<script type="application/ld+json">{json.dumps(fields)}</script>'


# --- the metadata cascade -------------------------------------------------------------------------


def test_jsonld_wins_over_meta_tags() -> None:
    head = jsonld(**{
        "@context": "https://schema.org", "@type": "NewsArticle",
        "headline": "Ministry summons ambassador over website network",
        "author": [{"@type": "Person", "name": "Jane Roe"}, {"@type": "Person", "name": "Omar Haddad"}],
        "datePublished": "2021-03-04T09:30:00+01:00",
        "publisher": {"@type": "Organization", "name": "Example Herald"},
        "articleSection": "World", "keywords": "diplomacy, disinformation",
        "url": "https://herald.example/world/ministry-summons-ambassador",
    }) + """
    <meta property="og:title" content="A different title from Open Graph">
    <meta property="og:site_name" content="Herald Online">
    <meta property="article:published_time" content="2020-01-01T00:00:00Z">
    <meta name="author" content="Someone Else">"""
    draft = run(page(head=head))
    assert draft.title == "Ministry summons ambassador over website network"
    assert draft.authors == ["Jane Roe", "Omar Haddad"]
    assert draft.published == "2021-03-04"  # the date the page states, in its own time zone
    assert draft.outlet == "Example Herald"
    assert draft.tags == ["World", "diplomacy", "disinformation"]
    assert draft.url == "https://herald.example/world/ministry-summons-ambassador"
    assert {draft.provenance[k] for k in ("title", "authors", "published", "outlet", "tags", "url")} == {"jsonld"}


def test_jsonld_graph_with_references_and_an_organisation_author() -> None:
    graph = {"@context": "https://schema.org", "@graph": [
        {"@type": "WebPage", "@id": "#page", "datePublished": "2022-06-01"},
        {"@type": "Person", "@id": "#jane", "name": "Jane Roe"},
        {"@type": "Article", "headline": "Ministry summons ambassador over website network",
         "author": {"@id": "#jane"}, "mainEntityOfPage": {"@id": "#page"}},
    ]}
    draft = run(page(head=jsonld(**graph)))
    assert draft.authors == ["Jane Roe"]
    assert draft.published == "2022-06-01"  # the page node of the graph states it

    org_only = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": "Ministry summons",
                "author": {"@type": "Organization", "name": "Herald Staff Desk"},
                "publisher": {"@type": "Organization", "name": "Example Herald"}}
    draft = run(page(head=jsonld(**org_only), before="<p class='byline'>By Jane Roe</p>"))
    assert draft.authors == ["Jane Roe"]  # a byline naming a person beats an organisation as author
    assert draft.provenance["authors"] == "byline"
    draft = run(page(head=jsonld(**org_only)))
    assert draft.authors == ["Herald Staff Desk"]
    assert draft.provenance["authors"] == "jsonld-organization"


def test_meta_tags_when_there_is_no_jsonld() -> None:
    head = """
    <meta property="og:title" content="Ministry summons ambassador over website network | Example Herald">
    <meta property="og:site_name" content="Example Herald">
    <meta property="article:published_time" content="2019-05-03T18:00:00-04:00">
    <meta property="article:author" content="https://www.facebook.com/someprofile">
    <meta name="author" content="Jane Roe">
    <meta property="article:tag" content="Diplomacy">
    <meta property="article:section" content="World">
    <link rel="canonical" href="https://herald.example/2019/05/03/ministry">"""
    draft = run(page(head=head, lang="en-GB"))
    assert draft.title == "Ministry summons ambassador over website network"  # site name taken off
    assert draft.outlet == "Example Herald"
    assert draft.published == "2019-05-03"
    assert draft.authors == ["Jane Roe"]  # a profile URL is no name
    assert draft.tags == ["Diplomacy", "World"]
    assert draft.url == "https://herald.example/2019/05/03/ministry"
    assert draft.language == "en"
    for name in ("title", "outlet", "published", "authors", "tags", "url", "language"):
        assert draft.provenance[name] == "meta", name


@pytest.mark.parametrize("head, published, authors", [
    ('<meta name="citation_title" content="T"><meta name="citation_author" content="Roe, Jane">'
     '<meta name="citation_publication_date" content="2018/11/02">', "2018-11-02", ["Roe, Jane"]),
    ('<meta name="parsely-author" content="Jane Roe"><meta name="parsely-pub-date" content="2017-02-03T10:00:00Z">',
     "2017-02-03", ["Jane Roe"]),
    ('<meta name="sailthru.author" content="Jane Roe"><meta name="sailthru.date" content="2016-07-08 12:00:00">',
     "2016-07-08", ["Jane Roe"]),
    ('<meta name="dc.creator" content="Jane Roe"><meta name="dc.date.issued" content="2015-09-10">',
     "2015-09-10", ["Jane Roe"]),
    ('<meta name="author" content="By Jane Roe and Omar Haddad"><meta name="date" content="12 March 2014">',
     "2014-03-12", ["Jane Roe", "Omar Haddad"]),
])
def test_meta_tag_families(head: str, published: str, authors: list[str]) -> None:
    draft = run(page(head=head))
    assert draft.published == published
    assert draft.authors == authors


def test_trafilatura_rung_and_title_as_shown() -> None:
    draft = run(page(head='<meta property="og:site_name" content="Example Herald">'))
    # no structured title: trafilatura's title finder reads the single <h1>
    assert draft.title == "Ministry summons ambassador over website network"
    assert draft.provenance["title"] == "trafilatura"

    head = '<meta property="og:title" content="Ministry summons ambassador over website network - Herald Online">'
    draft = run(page(head=head))
    assert draft.title == "Ministry summons ambassador over website network"
    assert draft.provenance["title"] == "h1"


def test_no_date_stated_means_no_date() -> None:
    # a copyright year, a year in the URL, a date in a comment: htmldate would guess from them, we do not
    head = '<link rel="canonical" href="https://herald.example/2019/ministry-summons-ambassador">'
    comments = ('<div class="comments"><p class="comment-meta"><time datetime="2019-06-01">June 1, 2019</time>'
                '</p><p>Last updated: June 2, 2019</p></div>')
    html = page(head=head, after="<p>Copyright 2019 Example Herald.</p>" + comments)
    draft = run(html, url="https://herald.example/2019/ministry-summons-ambassador")
    assert draft.published is None
    assert "published" not in draft.provenance


@pytest.mark.parametrize("url, published", [
    ("https://herald.example/2019/05/03/ministry-summons-ambassador", "2019-05-03"),
    ("https://herald.example/world/2019-05-03-ministry-summons-ambassador.html", "2019-05-03"),
    ("https://herald.example/2019/5/3/", "2019-05-03"),
    ("https://herald.example/2019/13/03/ministry", None),  # no such month
    ("https://herald.example/2019/05/ministry-summons-ambassador", None),  # a month is no day
    ("https://herald.example/ministry?date=2019/05/03", None),  # the query is no path
    ("https://herald.example%2Farticles%2F2019-05-03%2BMinistry", "2019-05-03"),  # an og:url written escaped
])
def test_a_date_in_the_url_path_when_the_page_states_none(url: str, published: str | None) -> None:
    head = f'<link rel="canonical" href="{url}">'
    draft = run(page(head=head))
    assert draft.published == published
    assert draft.provenance.get("published") == ("url" if published else None)
    # a date the page states for publication comes first
    stated = run(page(head=head + '<meta property="article:published_time" content="2019-05-01T10:00:00Z">'))
    assert (stated.published, stated.provenance["published"]) == ("2019-05-01", "meta")


def test_a_modified_date_only_when_no_publication_date_is_stated() -> None:
    # article:modified_time alone is no date: CMSs stamp every page with it (on WCXB it was the
    # shown date on 1 page in 21)
    modified = '<meta property="article:modified_time" content="2024-03-09T10:00:00+00:00">'
    assert run(page(head=modified)).published is None
    graph = jsonld(**{"@context": "https://schema.org", "@type": "NewsArticle", "headline": "A headline",
                      "dateModified": "2024-03-10T10:00:00Z"})
    draft = run(page(head=graph + modified))
    assert (draft.published, draft.provenance["published"]) == ("2024-03-10", "jsonld-modified")
    # the update the page shows comes before the JSON-LD's
    draft = run(page(head=graph, after='<p class="updated">Last updated: 12 March 2024</p>'))
    assert (draft.published, draft.provenance["published"]) == ("2024-03-12", "page-updated")
    # published before modified, whichever rung states each
    draft = run(page(head=graph + modified, before='<p class="byline">By Jane Roe, May 1, 2019</p>'))
    assert (draft.published, draft.provenance["published"]) == ("2019-05-01", "page")
    # a URL's date is the publication day, before any update
    canonical = '<link rel="canonical" href="https://herald.example/2019/05/03/ministry">'
    draft = run(page(head=canonical + graph))
    assert (draft.published, draft.provenance["published"]) == ("2019-05-03", "url")


@pytest.mark.parametrize("markup, published", [
    ('<div class="hero"><div class="label">Published</div><div class="value">October 14, 2025</div></div>',
     "2025-10-14"),
    ('<div><span>Date published:</span> 14 October 2025</div>', "2025-10-14"),
    ('<div><span>First published on</span><span>14/10/2025</span></div>', "2025-10-14"),
    ('<div><span>Published</span><span>10/04/2025</span></div>', None),  # day and month either way: a guess
])
def test_a_date_beside_a_published_label(markup: str, published: str | None) -> None:
    far = "".join(f"<p>{p}</p>" for p in PARAGRAPHS * 12)  # past the lines read by the title: only the label tells
    draft = run(page(article=body() + far + markup))
    assert (draft.published, draft.provenance.get("published")) == (published, published and "page")


@pytest.mark.parametrize("markup, updated", [
    ('<div class="blog-hero_date-wrapper"><div>Last updated on:</div><div>October 1, 2025</div></div>', "2025-10-01"),
    ('<p class="post-date">Updated: October 01, 2025</p>', "2025-10-01"),
    ('<p class="date no_marg">Last updated on 1 October 2025</p>', "2025-10-01"),
    ('<p style="text-align:right;">Last updated: October 1, 2025</p>', "2025-10-01"),
    ('<div style="font-size:small"><i>Updated: 10/31/2025</i></div>', "2025-10-31"),
    ('<div style="font-size:small"><i>Updated: 10/1/2025</i></div>', None),  # which is the month: a guess
])
def test_an_update_the_page_shows_when_it_shows_no_publication_date(markup: str, updated: str | None) -> None:
    far = "".join(f"<p>{p}</p>" for p in PARAGRAPHS)  # the update line after the text, away from the title
    for html in (page(before=markup), page(article=body() + far + markup)):
        draft = run(html)
        assert (draft.published, draft.provenance.get("published")) == (updated, updated and "page-updated"), html
    shown = run(page(before='<time datetime="2021-02-03">3 February 2021</time>' + markup))
    assert (shown.published, shown.provenance["published"]) == ("2021-02-03", "page")


def test_a_date_the_page_shows_and_updates_that_are_not_publication() -> None:
    shown = page(before='<div class="article-meta"><span class="byline">By Jane Roe</span>'
                        '<time datetime="2020-10-11T08:00:00Z">11 October 2020</time></div>')
    draft = run(shown)
    assert draft.published == "2020-10-11"
    assert draft.provenance["published"] == "page"
    assert draft.authors == ["Jane Roe"]

    updated_only = page(before='<p class="post-meta">Last updated on <time datetime="2024-01-02">2 January 2024'
                               "</time></p>")
    draft = run(updated_only)  # an update is no publication date: it fills the field on the lowest rung only
    assert (draft.published, draft.provenance["published"]) == ("2024-01-02", "page-updated")

    dateline = page(before='<div class="story-info">Published: March 3, 2019 · Updated: March 5, 2019</div>')
    assert run(dateline).published == "2019-03-03"


def test_dek_only_when_the_page_shows_one() -> None:
    description = "The embassy denies funding a network of websites."
    head = f'<meta property="og:description" content="{description}">'
    shown = run(page(head=head, before=f'<p class="article-dek">{description}</p>'))
    assert shown.subtitle == description
    assert description not in shown.text

    # a description that is only an SEO summary is no dek
    assert run(page(head=head)).subtitle is None


def test_outlet_from_the_url_domain_when_the_page_names_none() -> None:
    pytest.importorskip("narrascope.extract.outlets")
    from narrascope.extract.outlets import outlet_for_url

    url = "https://www.bbc.co.uk/news/world-12345"
    expected = outlet_for_url(url)
    if expected is None:
        pytest.skip("bbc.co.uk is not in the outlet table")
    draft = run(page(), url=url)
    assert draft.outlet == expected
    assert draft.provenance["outlet"] == "url-domain"


# --- the body ----------------------------------------------------------------------------------------


def test_body_keeps_paragraphs_and_drops_the_repeated_title() -> None:
    draft = run(page())
    assert draft.text == "\n\n".join(PARAGRAPHS)
    assert "Ministry summons ambassador" not in draft.text


def test_boilerplate_goes_to_removed_with_its_kind() -> None:
    article = body(
        '<p><a href="/world/other-story">Related: Ambassador expelled in neighbouring capital</a></p>',
        "<p>Sign up for our daily newsletter to get the latest stories in your inbox.</p>",
        "<p>Jane Roe is a senior fellow at the Example Institute for Media Studies.</p>",
        "<p>Copyright 2021 Example Herald. All rights reserved.</p>",
        paragraphs=PARAGRAPHS[:2] + ["Photo: Getty Images"] + PARAGRAPHS[2:],
    )
    head = '<meta name="author" content="Jane Roe">'
    draft = run(page(head=head, before="<p>By Jane Roe</p>", article=article))
    assert draft.text == "\n\n".join(PARAGRAPHS)
    kinds = {(r.kind, r.text) for r in draft.removed}
    assert ("related", "Related: Ambassador expelled in neighbouring capital") in kinds
    assert ("credit", "Photo: Getty Images") in kinds
    assert ("bio", "Jane Roe is a senior fellow at the Example Institute for Media Studies.") in kinds
    assert draft.author_bios == ["Jane Roe is a senior fellow at the Example Institute for Media Studies."]
    assert any(r.kind == "byline" and r.text == "By Jane Roe" for r in draft.removed)
    assert any(r.text.startswith("Sign up for our daily newsletter") for r in draft.removed)
    assert any(r.text.startswith("Copyright 2021") for r in draft.removed)


def test_link_only_teasers_and_related_boxes_are_removed() -> None:
    article = body(paragraphs=[
        PARAGRAPHS[0], PARAGRAPHS[1],
        '<a href="/story/2">EMBASSY STAFF LEAVE CAPITAL AS ROW DEEPENS</a>',
        PARAGRAPHS[2],
        "Don't miss",
        '<a href="/story/3">Border talks stall again as both sides dig in</a>',
        '<a href="/story/4">Sanctions list grows by twelve names</a>',
        PARAGRAPHS[3],
    ])
    draft = run(page(article=article))
    assert draft.text == "\n\n".join(PARAGRAPHS)
    related = [r.text for r in draft.removed if r.kind == "related"]
    assert related == ["EMBASSY STAFF LEAVE CAPITAL AS ROW DEEPENS", "Don't miss",
                       "Border talks stall again as both sides dig in", "Sanctions list grows by twelve names"]


def test_links_inside_prose_are_prose() -> None:
    linked = PARAGRAPHS[1].replace("the websites had published more than four hundred articles since March",
                                   '<a href="/report">the websites had published more than four hundred articles'
                                   " since March</a>")
    draft = run(page(article=body(paragraphs=[PARAGRAPHS[0], linked, PARAGRAPHS[2], PARAGRAPHS[3]])))
    assert draft.text == "\n\n".join(PARAGRAPHS)


def test_lists_inside_the_article_stay() -> None:
    article = body("<ul><li>Four hundred articles since March</li><li>A dozen domains</li></ul>")
    draft = run(page(article=article))
    assert draft.text.endswith("\n\n- Four hundred articles since March\n- A dozen domains")


def test_byline_line_at_the_top_of_the_body() -> None:
    draft = run(page(before="<p>By Jane Roe and Omar Haddad | Example Herald</p>"))
    assert draft.authors == ["Jane Roe", "Omar Haddad"]
    assert any(r.kind == "byline" for r in draft.removed)
    assert draft.text.startswith(PARAGRAPHS[0][:40])


@pytest.mark.parametrize("include", [False, True])
def test_comments_and_tables_follow_the_settings(include: bool) -> None:
    comments = ('<div id="comments" class="comments"><h3>3 comments</h3><div class="comment"><p>I think the '
                "ambassador is right about this whole affair and the ministry overreacted badly.</p></div></div>")
    table = ("<table><tr><th>Month</th><th>Articles</th></tr><tr><td>March</td><td>118</td></tr>"
             "<tr><td>April</td><td>297</td></tr></table>")
    html = page(article=body(table), after=comments)
    item = RawItem(data=html.encode(), media_type="text/html", source_kind="html", location="x.html")
    settings = replace(Settings(), extract=ExtractSettings(include_comments=include, include_tables=include))
    draft = extract_html(item, settings)
    assert ("overreacted" in draft.text) is include
    assert ("April | 297" in draft.text) is include


# --- decoding -----------------------------------------------------------------------------------------


def test_windows_1252_page_with_a_meta_charset() -> None:
    text = "The caf\u00e9 owner said \u201cwe were never paid\u201d \u2013 and the embassy\u2019s reply cost \u20ac5,000."
    html = page(article=body(f"<p>{text} " + PARAGRAPHS[0] + "</p>")).replace(
        '<meta charset="utf-8">', '<meta charset="windows-1252">')
    data = html.encode("cp1252")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    draft = run(data)
    assert text in draft.text
    assert "\u00c3" not in draft.text  # no mojibake


# --- pages with no article --------------------------------------------------------------------------


LOGIN_PAGE = """<!DOCTYPE html><html lang="en"><head><title>Sign in | Example Herald</title></head>
<body><header><a href="/">Example Herald</a></header>
<main><h1>Sign in</h1>
<form action="/login" method="post">
<label>Email <input type="email" name="email"></label>
<label>Password <input type="password" name="password"></label>
<button type="submit">Sign in</button>
<p><a href="/forgot">Forgot your password?</a></p>
<p>New here? <a href="/register">Create an account</a></p>
</form></main>
<footer><a href="/terms">Terms</a> <a href="/privacy">Privacy</a></footer></body></html>"""

INDEX_PAGE = """<!DOCTYPE html><html lang="en"><head><title>World | Example Herald</title></head>
<body><h1>World</h1><ul>
{items}
</ul><footer><a href="/about">About us</a></footer></body></html>""".format(items="\n".join(
    f'<li><a href="/world/story-{i}">Headline number {i} about the border dispute and the talks</a></li>'
    for i in range(40)))


@pytest.mark.parametrize("html", [LOGIN_PAGE, INDEX_PAGE], ids=["login", "index"])
def test_page_with_no_article_is_rejected(html: str, settings: Settings) -> None:
    item = RawItem(data=html.encode(), media_type="text/html", source_kind="html", location="x.html")
    with pytest.raises(ExtractionError) as caught:
        extract(item, settings)
    assert caught.value.code in ("NS201", "NS202")


def test_ingest_records_a_login_page_as_a_reject(tmp_path: Path, db: Path) -> None:
    (tmp_path / "login.html").write_text(LOGIN_PAGE, encoding="utf-8")
    (tmp_path / "story.html").write_text(page(), encoding="utf-8")
    result = run_cli("ingest", str(tmp_path / "login.html"), str(tmp_path / "story.html"), "--db", str(db), "--json")
    assert result.exit_code == 3
    report = json.loads(result.stdout)
    assert len(report["stored"]) == 1
    rejects = json.loads(run_cli("list", "--rejects", "--db", str(db), "--json").stdout)
    assert [r["code"] for r in rejects] in (["NS201"], ["NS202"])


@pytest.mark.parametrize("html", [
    b"", b"<html></html>", b"<!-- nothing -->", b"<html><body></body></html>",
    b"<?xml version='1.0' encoding='utf-8'?><html><body><p>Short.</p></body></html>",
    b"<frameset><frame src='a.html'></frameset>",
])
def test_degenerate_pages_give_an_empty_or_short_body(html: bytes) -> None:
    draft = run(html)
    assert len(draft.text) < 50


# --- helpers -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("value, expected", [
    ("2021-03-04", "2021-03-04"),
    ("2021-03-04T23:30:00-05:00", "2021-03-04"),
    ("20210304", "2021-03-04"),
    ("March 4, 2021", "2021-03-04"),
    ("Thu, 4 Mar 2021 10:00:00 GMT", "2021-03-04"),
    ("Published 4th March 2021, 10:00", "2021-03-04"),
    ("13/04/2021", "2021-04-13"),
    ("04/05/2021", None),  # day and month could be either way round
    ("2021-02-30", None),
    ("Updated March 5, 2021", None),
    ("Updated March 5, 2021 | Published March 4, 2021", "2021-03-04"),
    ("last year", None),
])
def test_stated_date(value: str, expected: str | None) -> None:
    assert stated_date(value) == expected


@pytest.mark.parametrize("value, expected", [
    ("By Anna Bell, Carl Dunn and Eve Fox", ["Anna Bell", "Carl Dunn", "Eve Fox"]),
    ("Center for Drug Evaluation and Research", ["Center for Drug Evaluation and Research"]),
    ("Doris Munoz-Mantilla, MD, FOMA", ["Doris Munoz-Mantilla"]),
    ("Harry Rabinowitz Tech Reporter", ["Harry Rabinowitz"]),
    ("Jane Roe | Reuters", ["Jane Roe", "Reuters"]),
    ("admin", []),
    ("andrew.keaveney", []),
    ("https://www.facebook.com/janeroe", []),
    # link texts and template placeholders around a byline are no names
    ("Learn More", []),
    ("By Role", []),
    ("page.head.extra.author", []),
    ("Webmaster", []),
    ("Thomas More", ["Thomas More"]),
    ("Articles by Juliette", ["Juliette"]),
    ("David Jackson - Senior Writer", ["David Jackson"]),
    ("David Jackson - FullStack Editorial Team", ["David Jackson"]),
    ("GURUS - Drupal", ["GURUS - Drupal"]),
])
def test_split_authors(value: str, expected: list[str]) -> None:
    assert split_authors(value) == expected


# --- metadata errors seen on real pages (issue 11), each on a small page written for it -----------


def syndicated_page(*, title: str, head: str = "", h1: str | None = None, before: str = "", menu: str = "") -> str:
    """A page whose <title> is given whole (no site name added by the helper)."""
    h1 = title if h1 is None else h1
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>{head}</head>
<body><header><div>{menu}</div></header>
<main><article><h1>{h1}</h1>{before}
{body()}
</article></main></body></html>"""


def test_outlet_is_not_taken_from_a_headline() -> None:
    # an msn.com page carrying The Guardian: the headline holds a "." (U.S.), which trafilatura's
    # site-name finder takes for a domain
    headline = "Trump and the U.S. election: what the polls say now"
    html = syndicated_page(title=f"{headline} | The Guardian", h1=headline)
    draft = run(html, url="https://www.msn.com/en-gb/news/world/trump-and-the-us-election/ar-AA1abcd")
    assert draft.title == headline
    assert draft.outlet == "The Guardian"
    assert draft.provenance["outlet"] == "title"
    # no site name after the headline: the domain's outlet, never the headline
    html = syndicated_page(title=f"{headline} - U.S. news", h1=headline)
    draft = run(html, url="https://www.theguardian.com/us-news/2024/oct/01/trump-election")
    assert draft.outlet == "The Guardian"


def test_a_cms_name_is_no_title() -> None:
    # a Telegraph page whose og:title is the name of its CMS, also its meta generator
    headline = "Ministers to review the rules on foreign ownership of newspapers"
    head = ('<meta property="og:title" content="escenic"><meta name="generator" content="Escenic Content Engine">'
            '<meta property="og:site_name" content="The Telegraph">')
    draft = run(syndicated_page(title="escenic", head=head, h1=headline))
    assert draft.title == headline
    # without a generator tag, the known CMS name alone is refused too
    draft = run(syndicated_page(title="escenic", head='<meta property="og:title" content="Escenic">', h1=headline))
    assert draft.title == headline


def test_a_site_wide_slogan_is_no_title() -> None:
    headline = "Flood waters recede as towns along the river count the cost"
    head = '<meta property="og:title" content="News from The Associated Press">'
    draft = run(syndicated_page(title="News from The Associated Press", head=head, h1=headline),
                url="https://apnews.com/article/floods-river-towns-0123456789abcdef")
    assert draft.title == headline
    assert draft.outlet == "AP"


def test_a_hosting_word_is_no_outlet() -> None:
    head = '<meta property="og:site_name" content="Hosted">'
    draft = run(syndicated_page(title="Flood waters recede along the river", head=head),
                url="https://hosted.ap.org/article/0123456789abcdef/flood-waters-recede")
    assert draft.outlet == "AP"  # the domain's outlet
    draft = run(syndicated_page(title="Flood waters recede along the river", head=head))
    assert draft.outlet is None


def test_a_columnist_menu_is_no_byline() -> None:
    links = "".join(f"<li><a href='/author/{slug}/'>{name}</a></li>" for slug, name in (
        ("alan-price", "Alan Price"), ("mary-stone", "Mary Stone"), ("li-wei", "Li Wei")))
    title = "Ministry summons ambassador over website network"
    # a list of links to author pages, no class to tell it is a menu
    assert run(syndicated_page(title=title, menu=f"<ul>{links}</ul>")).authors == []
    # one author link in markup that says it is a menu
    menu = "<div class='dropdown-menu'><a href='/author/alan-price/'>Alan Price</a></div>"
    assert run(syndicated_page(title=title, menu=menu)).authors == []
    # the article's own author link still counts, menu or not
    byline = "<p class='byline'><a href='/author/jane-roe/'>Jane Roe</a></p>"
    assert run(syndicated_page(title=title, menu=f"<ul>{links}</ul>", before=byline)).authors == ["Jane Roe"]


# --- dates and bylines the page states in markup found on real pages ----------------------------------


def test_a_page_node_states_the_date_when_there_is_no_article_node() -> None:
    graph = {"@context": "https://schema.org", "@graph": [
        {"@type": "WebPage", "url": "https://herald.example/guide", "datePublished": "2022-10-05T12:53:00-07:00",
         "dateModified": "2025-12-02T13:37:11-08:00"},
        {"@type": "Organization", "name": "Example Herald"}]}
    draft = run(page(head=jsonld(**graph)))
    assert draft.published == "2022-10-05"
    assert draft.provenance["published"] == "jsonld"


@pytest.mark.parametrize("markup, published", [
    # an update after the date leaves it the publication date
    ("<p class='text-xs'><span>August 16, 2019</span> <span>- Updated July 9, 2025</span></p>", "2019-08-16"),
    # an update before it does not; it is the update rung's, with no publication date stated
    ("<p class='text-xs'><span>Updated</span> <span>July 9, 2025</span></p>", "2025-07-09"),
    ("<p><span class='kind'>Essay - Published: 2025.12.17 |</span></p>", "2025-12-17"),
    ("<p><span itemprop='published-date' content='Published Oct 20, 2025 at 5:00 PM PST'>Oct 20</span></p>",
     "2025-10-20"),
    # the name and the date in the author's markup, no space between them, far from the title
    ("<span></span>" * 45 + "<div class='resource-author-details'><p>Luke Kim</p><small>December 17, 2025</small>"
     "</div>", "2025-12-17"),
])
def test_a_date_shown_by_the_title(markup: str, published: str | None) -> None:
    assert run(page(before=markup)).published == published


def test_a_time_in_the_aside_that_heads_the_article() -> None:
    html = page(article=f"<aside><time datetime='2021-06-06'>June 6, 2021</time></aside>{body()}")
    assert run(html).published == "2021-06-06"
    # an aside after the text is a sidebar: its date is another story's
    html = page(article=f"{body()}<aside><time datetime='2021-06-06'>June 6, 2021</time></aside>")
    assert run(html).published is None


def test_a_by_link_to_a_listing_is_no_byline() -> None:
    menu = "<div><a href='/projector-categories/'>By Category</a> <a href='/brands/'>By Manufacturer</a></div>"
    assert run(page(before=menu)).authors == []
    assert run(page(before="<div><a href='/author/jane-roe/'>By Jane Roe</a></div>")).authors == ["Jane Roe"]


def test_site_name_after_a_bullet_and_a_date_is_no_outlet() -> None:
    head = '<meta property="og:title" content="A brief intro to git • Cory Dransfeldt">' \
           '<meta property="og:site_name" content="Cory Dransfeldt">'
    assert run(syndicated_page(title="A brief intro to git", head=head, h1="Git")).title == "A brief intro to git"
    html = syndicated_page(title="Gym injury lawsuits explained for members | 12/20/2024",
                           h1="Gym injury lawsuits explained for members")
    assert run(html).outlet is None


def test_a_related_box_in_the_tables_of_a_page_laid_out_in_one() -> None:
    # a page laid out in a table: the article's rows, then a "Top stories" row and teasers below it
    rows = "".join(f"<tr><td><p>{p}</p></td></tr>" for p in PARAGRAPHS)
    teasers = ("<tr><td>Top stories</td></tr>"
               "<tr><td>Parliament votes to recognise the events of 1915 in an overwhelming majority.</td></tr>"
               "<tr><td>Partner news</td></tr>"
               "<tr><td><a href='/x'>Tourism booms in the capital</a> Visitors rose by a third this year.</td></tr>")
    html = page(article=f"<table>{rows}{teasers}</table>")
    item = RawItem(data=html.encode(), media_type="text/html", source_kind="html", location="x.html")
    draft = extract_html(item, replace(Settings(), extract=ExtractSettings(include_tables=True)))
    assert PARAGRAPHS[-1][:60] in draft.text
    assert "Parliament votes" not in draft.text and "Tourism booms" not in draft.text
    assert any(r.kind == "related" and "Parliament votes" in r.text for r in draft.removed)
