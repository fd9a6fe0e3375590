"""HTML pages: trafilatura finds the body, our cascade fills the metadata and cleans the text.

Metadata rungs, highest first; a field is filled only while still empty and ``provenance``
records the rung that filled it (container hints, set by ``extract``, rank above all of these):

- ``jsonld``: the page's schema.org article object (``NewsArticle``, ``Article``,
  ``ReportageNewsArticle``, ``OpinionNewsArticle``, ``BlogPosting``...): ``headline``, the names
  of ``Person`` authors, ``datePublished``, publisher name, ``articleSection`` and ``keywords``
  as tags, ``url``, ``alternativeHeadline`` as the dek. With no article object, a page node
  (``WebPage``...) gives ``datePublished`` and authors.
- ``meta``: Open Graph, ``article:*``, ``citation_*``, ``parsely-*``, ``sailthru.*``, Dublin Core,
  ``name=author``/``date``, microdata ``itemprop=datePublished`` (or ``published-date``...), the
  canonical link, ``<html lang>``
  (also ``content-language``, ``og:locale``; JSON-LD ``inLanguage`` is on the ``jsonld`` rung).
- ``url-domain`` (outlet only): the outlet table (``outlets.py``), which knows a listed host
  better than the page's ``<title>``; ``title`` (outlet only): the site's name the ``<title>``
  adds to the ``<h1>`` ("Headline | The Guardian" on a syndicating host), not a section name.
- ``trafilatura``: its title, site-name and tag finders; its site name only when it is a domain
  (it takes any part of the ``<title>`` holding a dot, a headline with "U.S." too). Never its
  date: trafilatura dates pages with htmldate, which also takes copyright years, a year-month in
  the URL and the like.
- ``page``: a publication date the page shows (a ``<time>`` element, or a dateline such as
  "Published 3 May 2019" in its date/byline markup, beside a "Published" label or just under the
  ``<h1>``; dates introduced as updates are skipped), and a dek marked up under the title.
- ``h1``: the title as the page shows it, when the title found above is the ``<h1>`` with the
  site's name added ("Title | Site") or a truncation of it.
- authors, after the body is cleaned: ``byline`` (the page's visible byline: "By Jane Doe", a
  "Written by" label, a link to an author page), ``byline-line`` (a "By X" line at the top of
  the body), ``trafilatura`` (its byline XPaths, run last because they measured less precise
  and twenty times slower), ``jsonld-organization`` (an organisation named as author). A link
  to an author page inside the site's menus (markup named as a menu, or a list of links to
  several author pages: a columnists' menu) is no byline.
- ``dateline``: a date-only line at the top or end of the body.
- with no publication date stated by any rung above, in this order: ``url``, a day in the path of
  the page's URL (``/2020/05/12/``, ``/2020-05-12-title``; a year or a month alone is no day);
  ``page-updated``, the date the page shows as its last update (the places of ``page``, and a line
  such as "Last updated: November 13, 2025"); ``jsonld-modified``, the article object's
  ``dateModified``. Never ``article:modified_time`` (CMSs stamp it on every page), a date in
  comments, related stories or the footer, a copyright year, or the day of the ingest.

A title is never the name of the software that made the page (``<meta name="generator">``, or a
known CMS such as "escenic") nor a site-wide line ("News from The Associated Press"); an outlet is
never a placeholder word ("Hosted", "Home") nor a date. Such values are skipped and the next rung
fills the field.

In other languages the same rungs read the cues of ``cues.py`` (a byline's "Автор:", "Von",
"بقلم"; "Обновлено" before an update's date), dates with the month written out
(``sources.dates.written_dates``: "14 августа 2017", "2019年3月3日") and a wire dateline opening
the lede ("МОСКВА, 14 августа 2017 — РИА Новости.", to ``removed``; its date on the ``dateline``
rung).

**A date is never guessed**: ``published`` is only a date the page (or its URL) states, for
publication, else for its last update, and ``provenance.published`` names the rung.

The subtitle (dek) is never the page's ``description``/``og:description`` alone: on most sites
that is an SEO summary or the first sentences of the body (removing it would cut the lede). It is
taken when the page shows it as a dek: an element marked up as one under the title (class
``dek``, ``standfirst``, ``subtitle``...), or a heading that repeats it at the top of the body.

Body: trafilatura's extraction cascade (``extract.include_comments``, ``extract.include_tables``)
on our parsed tree, links marked so that lines that are nothing but a link can be told from prose.
Then our cleaning; everything taken out goes to ``removed`` with its kind and label: the title
and dek repeated at the top, byline and dateline lines, captions and photo credits, paragraphs
``classify_paragraph`` flags, newsletter, share and app prompts, "Related" boxes (in a table,
every row after a "Top stories" row) and lone link-only teaser lines, and at the end author bios (also to ``author_bios``), an "About <outlet>"
note, contact, contribution and copyright lines, trailing link lists. Lines of one paragraph,
list or table are joined by a newline, paragraphs by a blank line.
"""

from __future__ import annotations

import html as html_lib
import json
import re
from calendar import monthrange
from collections.abc import Iterable, Iterator
from datetime import date
from functools import cached_property
from typing import Any
from urllib.parse import unquote, urlsplit

from lxml import etree
from lxml.html import HtmlElement
from lxml.html import fromstring as lxml_fromstring
from trafilatura import metadata as trafilatura_metadata
from trafilatura.core import trafilatura_sequence
from trafilatura.htmlprocessing import prune_unwanted_nodes
from trafilatura.settings import Extractor
from trafilatura.utils import HTML_PARSER, load_html
from trafilatura.xpaths import AUTHOR_DISCARD_XPATHS, AUTHOR_XPATHS

from ..model import RawItem, Removed
from ..settings import Settings
from ..sources.dates import written_dates
from .boilerplate import (
    FOREIGN_LEADS,
    MetaLine,
    agency_dateline,
    classify_paragraph,
    parse_byline,
    parse_meta_line,
    written_dateline,
)
from .cues import cues
from .decode import decode
from .draft import Draft
from .outlets import outlet_by_name, outlet_for_url

__all__ = ["extract_html", "stated_date"]

# ---------------------------------------------------------------------------------------------
# The extractor


def extract_html(item: RawItem, settings: Settings) -> Draft:
    """One HTML page -> a ``Draft``: the cleaned body and the metadata the page states."""
    html = decode(item.data, declared=item.hints.get("charset"))
    html = _xml_text(html)
    tree = parse_html(html)
    if tree is None:
        return Draft(text="")
    draft = Draft(text="")
    page = PageFacts(tree, html)
    organization_authors = page.jsonld.pop("organization_authors", [])
    # what the page says it is (for the genre stage): both rungs, the JSON-LD type first
    stated_types = page.jsonld.pop("page_types", [])
    draft.fill("page_types", _dedupe([*stated_types, *page.meta.pop("page_types", [])]),
               "jsonld" if stated_types else "meta")
    for rung, fields in (("jsonld", page.jsonld), ("meta", page.meta)):
        for name, value in fields.items():
            if name == "title" and not page.is_title(value) or name == "outlet" and not is_outlet_name(value):
                continue
            draft.fill(name, value, rung)
    if not draft.title and page.is_title(title := trafilatura_metadata.extract_title(tree)):
        draft.fill("title", title, "trafilatura")
    # the outlet table knows the host better than a <title> does; a syndicating host is not listed
    draft.fill("outlet", outlet_for_url(draft.url or item.hints.get("url")), "url-domain")
    if not draft.outlet:
        draft.fill("outlet", page.title_site_name, "title")
    if not draft.outlet:  # trafilatura takes a part of <title> with a dot for a domain: only a domain is one
        sitename = trafilatura_metadata.extract_sitename(tree)
        draft.fill("outlet", sitename if sitename and DOMAIN_NAME.match(sitename) else None, "trafilatura")
    if not draft.tags and "/tag" in html:  # trafilatura's tag finder reads links to /tag/ pages
        draft.fill("tags", trafilatura_metadata.extract_catstags("tag", tree), "trafilatura")
    if not draft.published:  # trafilatura's date rung is skipped: htmldate guesses
        draft.fill("published", page.shown_date, "page")
    if page.dek:
        draft.fill("subtitle", page.dek, "page")

    # trafilatura's own link mode drops text on some pages, so links are marked in the text instead
    mark_links(tree)
    if _element_count(tree, settings.extract.trafilatura_max_elements) > settings.extract.trafilatura_max_elements:
        paragraphs = plain_paragraphs(tree)  # trafilatura's cost grows faster than the page
        draft.provenance["text"] = "plain-reader"
    else:
        paragraphs = body_paragraphs(*main_text(tree, settings, url=item.hints.get("url") or draft.url))
    shown = title_as_shown(draft.title, [h for h in page.h1s if norm(h) != norm(draft.outlet)])
    if shown:
        draft.title = shown
        draft.provenance["title"] = "h1"
    body, body_byline = clean_body(paragraphs, draft, page)
    draft.text = join_paragraphs(body)
    if not draft.published:  # no publication date stated: the URL's date, then when the page was last changed
        draft.fill("published", url_date(draft.url or item.hints.get("url")), "url")
        if not draft.published:
            draft.fill("published", page.shown_update, "page-updated")
        draft.fill("published", page.modified, "jsonld-modified")

    # authors: the page's byline, one at the top of the body, then trafilatura's byline XPaths
    if not draft.authors:
        draft.fill("authors", byline_authors(tree), "byline")
    draft.fill("authors", body_byline, "byline-line")
    if not draft.authors and any(hint in html for hint in AUTHOR_MARKUP_HINTS):
        draft.fill("authors", trafilatura_authors(tree), "trafilatura")
    draft.fill("authors", organization_authors, "jsonld-organization")
    if draft.outlet:  # the outlet table's spelling of a name the page states ("the moscow times")
        draft.outlet = outlet_by_name(draft.outlet) or draft.outlet
    return draft


def parse_html(html: str) -> HtmlElement | None:
    """The page's tree, parsed as trafilatura's ``load_html`` would, without its pass over the whole
    text for control characters (libxml2 copes with them; the text is cleaned later anyway)."""
    head = html[:200].lstrip().lower()
    if head.startswith("<?xml") or not html.strip():
        return load_html(html)  # lxml refuses text with an encoding declaration; trafilatura copes
    if "doctype" in head[:50]:  # a "/" in the doctype line upsets libxml2 (lxml bug 1955915)
        first, newline, rest = html.partition("\n")
        html = DOCTYPE_WITH_SLASH.sub("", first, count=1) + newline + rest
    try:
        tree = lxml_fromstring(html, parser=HTML_PARSER)
    except etree.ParserError:  # "Document is empty": markup with no elements (comments only...)
        return load_html(html)
    if tree is None or len(tree) < 1 or ("html" not in head[:50] and len(tree) < 2):
        return load_html(html)
    return tree


#: Characters XML text cannot hold (C0 controls but tab, newline and return; U+FFFE, U+FFFF).
NOT_XML_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
NUMERIC_REF = re.compile(r"&#(?:[xX]([0-9a-fA-F]+)|([0-9]+));?")


def _xml_text(html: str) -> str:
    """``html`` without the characters XML text cannot hold, written out or as references (``&#1;``).

    libxml2 parses them into the tree, but lxml refuses them when text is set again (trafilatura
    does), which made such a page an internal error (NS901) rather than an article.
    """
    if NOT_XML_TEXT.search(html):
        html = NOT_XML_TEXT.sub("", html)
    if "&#" in html:
        html = NUMERIC_REF.sub(_drop_bad_ref, html)
    return html


def _drop_bad_ref(match: re.Match[str]) -> str:
    digits = (match.group(1) or match.group(2)).lstrip("0") or "0"
    if len(digits) > 7:
        return ""  # past U+10FFFF
    value = int(digits, 16 if match.group(1) else 10)
    if (value < 0x20 and value not in (9, 10, 13)) or value in (0xFFFE, 0xFFFF) or value > 0x10FFFF:
        return ""
    return match.group()
DOCTYPE_WITH_SLASH = re.compile("^< ?! ?DOCTYPE[^>]*/[^<>]*>", re.IGNORECASE)


# ---------------------------------------------------------------------------------------------
# Reading the page: structured data, meta tags, markup

ARTICLE_TYPES = {
    "article", "newsarticle", "reportagenewsarticle", "opinionnewsarticle", "analysisnewsarticle",
    "backgroundnewsarticle", "reviewnewsarticle", "askpublicnewsarticle", "blogposting", "socialmediaposting",
    "liveblogposting", "report", "scholarlyarticle", "techarticle", "medicalscholarlyarticle", "satiricalarticle",
}
PAGE_TYPES = {"webpage", "itempage", "aboutpage", "faqpage", "medicalwebpage", "qapage"}
DEK_CLASS = re.compile(r"(?:^|[\s_-])(dek|standfirst|sub-?title|sub-?headline|subhead|strapline|kicker-?text|"
                       r"article-?summary|article-?description|lede-?text|intro-?text|teaser-?text)(?:$|[\s_-])", re.I)
DATE_CLASS = re.compile(r"publish|posted|byline|date|time|meta|stamp|author", re.I)
NOT_PUBLISHED_CLASS = re.compile(r"updat|modif|changed|comment|related|recommend|footer|copyright|"
                                 r"event|expir|deadline|review", re.I)
# markup whose dates are not the article's at all (an update time still is, on the lowest rung)
NOT_THE_ARTICLES_CLASS = re.compile(r"comment|related|recommend|footer|copyright|event|expir|deadline", re.I)
# a line that only says when the page was last changed ("Last updated: November 13, 2025")
UPDATE_LINE = re.compile(r"^\W*(?:last\s+)?(?:updated?|modified|reviewed)\b(?:\s+on)?\W{0,3}(?=.{6,40}$)", re.I)
UPDATED_WORDS = re.compile(r"\b(updated?|modified|edited|last (?:reviewed|checked)|reviewed)\b", re.I)
# content management systems whose name stands in for a title on some pages (normalised)
CMS_NAMES = {"escenic", "wordpress", "drupal", "joomla", "arc", "arc publishing", "brightspot", "ghost", "wix",
             "squarespace", "typo3", "sitecore", "contentful", "blogger", "tumblr", "medium", "hubspot", "webflow",
             "adobe experience manager", "aem", "methode", "polopoly", "nitf", "cue", "untitled", "untitled document",
             "home", "homepage", "home page", "index", "default", "page not found", "404"}
# site-wide lines sites put where a title goes ("News from The Associated Press"), normalised
SITE_WIDE_TITLE = re.compile(r"^(?:(?:the )?(?:latest|breaking|top|daily|local) )?(?:news|headlines|stories|updates) "
                             r"(?:from|on|at|by) (?:the )?\w+(?: \w+){0,4}$")
# words sites and CMSs put where the outlet's name goes ("Hosted", "Home"), normalised
NOT_AN_OUTLET = {"hosted", "home", "homepage", "news", "blog", "website", "site", "web", "index", "default", "main",
                 "article", "articles", "story", "stories", "page", "post", "posts", "online", "en", "english",
                 "undefined", "null", "none", "untitled", *CMS_NAMES}
# sections a <title> names after the headline rather than the site ("Headline - Opinion")
SECTION_NAME = re.compile(r"^(?:(?:u s|us|uk|world|local|breaking|latest|top) )?(?:news|opinion|sports?|business|"
                          r"politics|world|health|science|tech(?:nology)?|entertainment|lifestyle|travel|culture|"
                          r"video|videos|photos|blog|features?|analysis|comment|editorials?|live)$", re.I)
TITLE_SEPARATOR = re.compile(r"\s+[|–—:•·»«-]\s+|\s*[|•·»«]\s*")
DOMAIN_NAME = re.compile(r"^(?:www\.)?[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}$", re.I)


def is_outlet_name(value: str | None) -> bool:
    """Whether ``value`` can name an outlet: not a placeholder word ("Hosted", "Home")."""
    key = norm(value)
    return bool(key) and key not in NOT_AN_OUTLET and any(c.isalpha() for c in key) and not stated_date(value or "")


class PageFacts:
    """What the page states outside its body text, read before links are marked. The search for
    a date shown in the markup is the costly one, so it runs only when asked."""

    def __init__(self, tree: HtmlElement, html: str) -> None:
        self.tree = tree
        self.jsonld: dict[str, Any] = jsonld_fields(tree)
        self.meta, self.description = meta_fields(tree)
        #: the software the page says made it (``<meta name="generator">``)
        self.generator: str | None = self.meta.pop("generator", None)
        #: the page's ``<h1>`` texts, as shown
        self.h1s = [text for h in tree.iter("h1") if (text := " ".join(h.text_content().split()))]
        self.headings = {norm(h) for h in self.h1s} - {""}
        self.dek = marked_up_dek(tree, self.description)
        self.captions = {norm(c) for c in caption_texts(tree)} if "caption" in html else set()
        self.html = html
        #: when the JSON-LD says the article was last changed: taken only when nothing else dates it
        self.modified: str | None = self.jsonld.pop("modified", None)

    @cached_property
    def date_markup(self) -> list[HtmlElement]:
        """The elements whose class or id names a date, time, byline...: searched once, they are many on a huge page."""
        return date_markup(self.tree)

    @cached_property
    def shown_date(self) -> str | None:
        return shown_date(self.tree, markup=self.date_markup, html=self.html)

    @cached_property
    def shown_update(self) -> str | None:
        return shown_date(self.tree, updates=True, markup=self.date_markup, html=self.html)

    def is_title(self, value: str | None) -> bool:
        """Whether ``value`` can be the article's title: not the name of the software that made
        the page ("escenic") nor a site-wide line ("News from The Associated Press")."""
        key = norm(value)
        if not key:
            return False
        generator = norm(self.generator)
        if key in CMS_NAMES or (generator and (key == generator or key == generator.split()[0])):
            return False
        return not SITE_WIDE_TITLE.match(key)

    @cached_property
    def title_site_name(self) -> str | None:
        """The site's name the ``<title>`` adds after (or before) the ``<h1>``: "Headline | Site"."""
        element = self.tree.find(".//head//title")
        if element is None:
            return None
        title = " ".join(element.text_content().split())
        for heading in self.h1s:
            if len(norm(heading).split()) < 3:
                continue
            position = title.find(heading)
            if position < 0:
                continue
            before, after = title[:position], title[position + len(heading):]
            if TITLE_SEPARATOR.match(after):
                name = TITLE_SEPARATOR.split(after)[-1].strip()
            elif before and TITLE_SEPARATOR.match(before[::-1]):  # "Site | Headline"
                name = TITLE_SEPARATOR.split(before)[0].strip()
            else:
                continue
            if 1 <= len(name.split()) <= 6 and is_outlet_name(name) and not SECTION_NAME.match(norm(name)):
                return name
        return None

    @cached_property
    def link_texts(self) -> list[str]:
        return sorted({key for a in self.tree.iter("a") if len((key := norm(a.text_content())).split()) >= 2},
                      key=len, reverse=True)

    def link_share_of(self, key: str) -> float:
        """How much of ``key`` (a normalised line) is made of the page's link texts: for lines
        trafilatura's fallbacks rebuilt without the link markers."""
        rest = key
        for link in self.link_texts:
            if link in rest:
                rest = rest.replace(link, " ")
        return 1 - len(rest.replace(" ", "")) / max(1, len(key.replace(" ", "")))


def jsonld_fields(tree: HtmlElement) -> dict[str, Any]:
    """Fields of the first schema.org article object in the page's JSON-LD."""
    nodes: list[dict[str, Any]] = []
    for script in tree.xpath('//script[@type="application/ld+json"]'):
        if not script.text:
            continue
        try:
            data = json.loads(script.text, strict=False)
        except ValueError:  # broken JSON-LD is common; the next rungs cover it
            continue
        nodes.extend(_json_nodes(data))
    by_id = {n["@id"]: n for n in nodes if isinstance(n.get("@id"), str)}
    articles = [n for n in nodes if _types(n) & ARTICLE_TYPES]
    # the page node of a graph (Yoast and others) often carries the date its article node lacks
    page_dates = [d for n in nodes if _types(n) & PAGE_TYPES if (d := stated_date(_first_text(n.get("datePublished")) or ""))]
    page_modified = [d for n in nodes if _types(n) & PAGE_TYPES
                     if (d := stated_date(_first_text(n.get("dateModified")) or ""))]
    if not articles:  # a page node stating its date and authors (a Yoast graph without an article node)
        stating = [n for n in nodes if _types(n) & PAGE_TYPES and ("datePublished" in n or "author" in n)]
        return {"published": next(iter(page_dates), None), "modified": next(iter(page_modified), None),
                "authors": _jsonld_authors(stating[0].get("author"), by_id) if stating else []}
    article = max(articles, key=lambda n: ("headline" in n, "datePublished" in n, "author" in n))
    fields: dict[str, Any] = {}
    headline = _first_text(article.get("headline")) or _first_text(article.get("name"))
    if headline and len(headline) <= 200 and not headline.endswith(("...", "…")):  # truncated at 110 characters
        fields["title"] = headline
    fields["subtitle"] = _first_text(article.get("alternativeHeadline"))
    publisher = _resolve(article.get("publisher"), by_id)
    publisher_name = _first_text(publisher.get("name")) if isinstance(publisher, dict) else _first_text(publisher)
    fields["outlet"] = publisher_name
    fields["authors"] = _jsonld_authors(article.get("author"), by_id)
    fields["organization_authors"] = _jsonld_organization_authors(article.get("author"), by_id, publisher_name)
    fields["published"] = stated_date(_first_text(article.get("datePublished")) or "") or next(iter(page_dates), None)
    fields["modified"] = stated_date(_first_text(article.get("dateModified")) or "") or next(iter(page_modified), None)
    fields["tags"] = _dedupe(_split_tags(article.get("articleSection")) + _split_tags(article.get("keywords")))
    fields["section"] = next(iter(_split_tags(article.get("articleSection"))), None)
    fields["page_types"] = _stated_types(article)
    url = article.get("url") or _resolve(article.get("mainEntityOfPage"), by_id)
    if isinstance(url, dict):
        url = url.get("@id") or url.get("url")
    fields["url"] = url if isinstance(url, str) and url.startswith("http") else None
    language = article.get("inLanguage")
    if isinstance(language, dict):  # {"@type": "Language", "name": "English", "alternateName": "en"}
        language = language.get("alternateName")
    fields["language"] = language_tag(_first_text(language))
    return fields


def language_tag(value: str | None) -> str | None:
    """The two-letter language part of a stated tag ("en-US", "en_GB", "EN" -> "en"), else None."""
    match = LANGUAGE_TAG.match(value.strip().lower()) if value else None
    return match.group(1) if match else None


def _json_nodes(data: Any) -> Iterator[dict[str, Any]]:
    if isinstance(data, list):
        for entry in data:
            yield from _json_nodes(entry)
    elif isinstance(data, dict):
        yield data
        if "@graph" in data:
            yield from _json_nodes(data["@graph"])


def _types(node: dict[str, Any]) -> set[str]:
    kind = node.get("@type")
    kinds = kind if isinstance(kind, list) else [kind]
    return {k.lower() for k in kinds if isinstance(k, str)}


def _stated_types(node: dict[str, Any]) -> list[str]:
    """The schema.org types a node states, as written ("OpinionNewsArticle")."""
    kind = node.get("@type")
    return [k.strip() for k in (kind if isinstance(kind, list) else [kind]) if isinstance(k, str) and k.strip()]


def _resolve(value: Any, by_id: dict[str, dict[str, Any]]) -> Any:
    if isinstance(value, dict) and set(value) <= {"@id", "@type"} and value.get("@id") in by_id:
        return by_id[value["@id"]]
    return value


def _first_text(value: Any) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, str):
        text = " ".join(html_lib.unescape(value).split())  # JSON-LD often carries HTML entities
        return text or None
    return None


def _jsonld_authors(value: Any, by_id: dict[str, dict[str, Any]]) -> list[str]:
    people: list[str] = []
    for entry in value if isinstance(value, list) else [value]:
        entry = _resolve(entry, by_id)
        if isinstance(entry, str):
            people.extend(split_authors(entry))
        elif isinstance(entry, dict) and "organization" not in _types(entry):
            people.extend(split_authors(_first_text(entry.get("name")) or ""))
    if people:
        return _dedupe(people)
    return []


def _jsonld_organization_authors(value: Any, by_id: dict[str, dict[str, Any]], publisher: str | None) -> list[str]:
    """Organisations given as the author, other than the publisher: the last resort for authors,
    as a byline on the page names people."""
    names = []
    for entry in value if isinstance(value, list) else [value]:
        entry = _resolve(entry, by_id)
        if isinstance(entry, dict) and "organization" in _types(entry) and (name := _first_text(entry.get("name"))):
            names.append(name)
    return _dedupe(n for n in names if not publisher or n.casefold() != publisher.casefold())


def _split_tags(value: Any) -> list[str]:
    if isinstance(value, list):
        return [t for v in value for t in _split_tags(v)]
    if isinstance(value, str):
        return [t.strip() for t in value.split(",") if t.strip()]
    return []


META_TITLE = ("og:title", "citation_title", "parsely-title", "sailthru.title", "dc.title", "dcterms.title",
              "twitter:title")
META_AUTHOR = ("article:author", "citation_author", "parsely-author", "sailthru.author", "author", "dc.creator",
               "dcterms.creator", "byl")
META_DATE = ("article:published_time", "citation_publication_date", "citation_date", "citation_online_date",
             "parsely-pub-date", "sailthru.date", "dc.date.issued", "dcterms.issued", "dc.date", "dcterms.date",
             "dcterms.created", "date", "pubdate", "publishdate", "publish-date", "publish_date", "article.published",
             "og:published_time", "datepublished", "article_date_original", "original-publish-date")
# other names sites give the publication date ("w-published-date", "published", "publication_date")
META_PUBLISHED = re.compile(r"(?:^|[-_.:])publi(?:shed|cation|sh)(?:[-_.:]?(?:date|time|on|at))?$", re.I)
META_OUTLET = ("og:site_name", "citation_journal_title", "citation_publisher", "dc.publisher", "application-name")
META_TAGS = ("article:tag", "article:section", "parsely-section", "parsely-tags", "sailthru.tags", "news_keywords")
META_SECTION = ("article:section", "parsely-section")
META_DEK = ("dek", "standfirst", "subtitle", "sub-title", "subheadline")


def meta_fields(tree: HtmlElement) -> tuple[dict[str, Any], str | None]:
    """Fields from meta tags and links, and the page's own description (not used alone)."""
    meta: dict[str, list[str]] = {}
    for element in tree.iter("meta"):
        key = (element.get("property") or element.get("name") or element.get("itemprop") or "").strip().lower()
        content = " ".join(html_lib.unescape(element.get("content") or "").split())
        if key and content:
            meta.setdefault(key, []).append(content)

    def first(keys: Iterable[str]) -> str | None:
        return next((meta[k][0] for k in keys if k in meta), None)

    fields: dict[str, Any] = {}
    outlet = first(META_OUTLET)
    title = first(META_TITLE)
    if title and outlet:
        title = re.sub(rf"\s+[|–—•·»-]\s+{re.escape(outlet)}\s*$", "", title, flags=re.I) or title
    fields["title"] = title
    fields["outlet"] = outlet
    authors: list[str] = []
    for key in META_AUTHOR:
        for value in meta.get(key, []):
            if not re.match(r"https?://|www\.|@", value):  # article:author is often a profile URL
                authors.extend(split_authors(value))
        if authors:
            break
    fields["authors"] = _dedupe(authors)
    fields["published"] = next((d for k in META_DATE for v in meta.get(k, []) if (d := stated_date(v))), None) or next(
        (d for k, values in meta.items() if META_PUBLISHED.search(k) for v in values if (d := stated_date(v))), None)
    stating = [] if fields["published"] else [
        e for e in tree.xpath("//*[@itemprop]") if e.tag != "meta" and (
            e.get("itemprop") == "datePublished" or META_PUBLISHED.search(e.get("itemprop", "")))]
    for element in stating:
        fields["published"] = stated_date(element.get("content") or element.get("datetime") or
                                          element.text_content())
        if fields["published"]:
            break
    fields["tags"] = _dedupe(t for k in META_TAGS for v in meta.get(k, []) for t in _split_tags(v))
    fields["section"] = next((t for k in META_SECTION for v in meta.get(k, []) for t in _split_tags(v)), None)
    opinion = (first(("article:opinion",)) or "").lower()
    fields["page_types"] = _dedupe([*(f"og:{v.lower()}" for v in meta.get("og:type", [])[:1]),
                                    *(["opinion" if opinion == "true" else "not-opinion"] if opinion in ("true", "false")
                                      else [])])
    fields["subtitle"] = first(META_DEK)
    fields["generator"] = first(("generator",))
    canonical = [link.get("href", "") for link in tree.iterfind('.//head/link[@rel="canonical"]')]
    url = next((u for u in [*canonical, *meta.get("og:url", [])] if u.startswith("http")), None)
    fields["url"] = url
    lang = tree.get("lang") or tree.get("{http://www.w3.org/XML/1998/namespace}lang") or first(
        ("content-language", "dc.language", "og:locale"))
    fields["language"] = language_tag(lang)
    description = first(("og:description", "description", "twitter:description"))
    return fields, description


def marked_up_dek(tree: HtmlElement, description: str | None) -> str | None:
    """A standfirst the page marks up as one (class ``dek``, ``standfirst``, ``subtitle``... or
    ``itemprop=alternativeHeadline``). When the page has a description, the element must repeat
    it, so that an unrelated box with a "summary" class is not taken for the dek."""
    want = norm(description) if description else None
    heading = next(tree.iter("h1"), None)
    if heading is None:
        return None
    for element in _following(heading, 40):  # the dek sits under the title
        if element.tag not in ("p", "h2", "h3", "div", "span"):
            continue
        label = f"{element.get('class', '')} {element.get('itemprop', '')}"
        marked = "alternativeHeadline" in label
        if not (marked or DEK_CLASS.search(label)) or _in_unrelated_region(element):
            continue
        text = " ".join(element.text_content().split())
        if 20 <= len(text) <= 400 and (marked or want is None or norm(text) == want):
            return text
    return None


def _following(element: HtmlElement, limit: int) -> Iterator[HtmlElement]:
    """Up to ``limit`` elements after ``element`` in page order (its content excluded)."""
    count = 0
    node: HtmlElement | None = element
    while node is not None:
        for sibling in node.itersiblings():
            for descendant in sibling.iter():
                if not isinstance(descendant.tag, str):
                    continue
                yield descendant
                count += 1
                if count >= limit:
                    return
        node = node.getparent()


def caption_texts(tree: HtmlElement) -> Iterator[str]:
    for element in tree.xpath('//figcaption | //*[contains(@class, "caption")]'):
        text = " ".join(element.text_content().split())
        if text and len(text) <= 600:
            yield text


DATE_MARKUP = re.compile("date|Date|time|Time|publish|posted|byline|meta|stamp|author")


def date_markup(tree: HtmlElement) -> list[HtmlElement]:
    """The elements whose class or id names a date, a time, a byline..., in page order. (An XPath
    of twenty ``contains()`` per element took 25 s on a page of a million elements; libxml2 picks
    the elements with a class or id, a regular expression reads those.)"""
    return [e for e in tree.xpath("//*[@class or @id]") if e.tag not in ("script", "style", "body", "html") and (
        DATE_MARKUP.search(e.get("class") or "") or DATE_MARKUP.search(e.get("id") or ""))]


def shown_date(tree: HtmlElement, *, updates: bool = False, markup: list[HtmlElement] | None = None,
               html: str | None = None) -> str | None:
    """A publication date the page shows: a ``<time>`` or dateline in its date/byline markup.

    With ``updates``, the date the page shows as its last update instead (when it shows no
    publication date): the same places, dates introduced as updates included, then a line that
    only says so ("Last updated: November 13, 2025") anywhere outside comments and related boxes.
    ``markup``: the elements ``date_markup`` finds, when already found; with the page's ``html``,
    the searches for a "Published" label and an update line (each a pass over every text of the
    page) run only if their words occur in it.
    """
    read = first_date if updates else dateline_date
    for element in tree.iter("time"):
        if _in_unrelated_region(element, updates=updates) or not updates and _introduced_as_update(element):
            continue
        value = stated_date(element.get("datetime") or "") or read(element.text_content())
        if value:
            return value
    for element in date_markup(tree) if markup is None else markup:
        label = f"{element.get('class', '')} {element.get('id', '')}"
        if not DATE_CLASS.search(label) or (NOT_THE_ARTICLES_CLASS if updates else NOT_PUBLISHED_CLASS).search(label):
            continue
        text = " ".join(" ".join(element.itertext()).split())  # "Luke Kim<small>May 1, 2025": words apart
        if len(text) > 200 or _in_unrelated_region(element, updates=updates) or (
                not updates and _introduced_as_update(element)):
            continue
        value = read(text)
        if value:
            return value
    def mentions(cues: tuple[str, ...]) -> bool:
        return html is None or any(cue in html for cue in cues)

    if updates:
        return _dateline_near_title(tree, updates=True) or (_update_line(tree) if mentions(UPDATE_CUES) else None)
    return (_labelled_date(tree) if mentions(LABEL_CUES) else None) or _dateline_near_title(tree)


def _dateline_near_title(tree: HtmlElement, *, updates: bool = False) -> str | None:
    """A short line that holds a date, just above or below the page's ``<h1>``."""
    heading = next(tree.iter("h1"), None)
    if heading is None:
        return None
    above = [e for e in heading.itersiblings(preceding=True)][:3]
    for element in [*above, *_following(heading, 40)]:
        if element.tag in ("a", "h1", "h2", "h3", "script", "style"):
            continue  # a link's date is another page's; a heading's is part of its title
        text = " ".join(element.text_content().split())
        if not 6 <= len(text) <= 80 or _in_unrelated_region(element, updates=updates) or (
                not updates and _introduced_as_update(element)):
            continue
        value = first_date(text) if updates else dateline_date(text)
        if value:
            return value
    return None


# a label that says the date beside it is the publication date ("Published", "Date published:")
PUBLISHED_LABEL = re.compile(r"^(?:(?:first|date)\s+)?(?:published|posted|publication\s+date)(?:\s+on)?\s*:?$", re.I)
LABEL_CUES = ("ublish", "UBLISH", "osted", "OSTED")
LABEL_XPATH = "//text()[{}]/..".format(" or ".join(f'contains(., "{cue}")' for cue in LABEL_CUES))


def _labelled_date(tree: HtmlElement) -> str | None:
    """A date in the element just after a "Published" label (``<div>Published</div><div>October 14,
    2025</div>``)."""
    for label in dict.fromkeys(tree.xpath(LABEL_XPATH)):
        if label.tag in ("script", "style", "a", "title") or not PUBLISHED_LABEL.match(
                " ".join(label.text_content().split())):
            continue
        shown = label.getnext()
        text = " ".join((label.tail or "").split()) or (
            " ".join(shown.text_content().split()) if shown is not None else "")
        if 6 <= len(text) <= 80 and not _in_unrelated_region(label):
            value = dateline_date(text)
            if value:
                return value
    return None


UPDATE_CUES = ("pdate", "PDATE", "odified", "ODIFIED", "eviewed", "EVIEWED")
# the elements whose own text may say "updated" (found by libxml2: a page may have a million elements)
UPDATE_CUE_XPATH = "//text()[{}]/..".format(" or ".join(f'contains(., "{cue}")' for cue in UPDATE_CUES))


def _update_line(tree: HtmlElement) -> str | None:
    """The date of a short element that only says when the page was last changed."""
    for element in dict.fromkeys(tree.xpath(UPDATE_CUE_XPATH)):
        if element.tag in ("script", "style", "a"):
            continue
        line = " ".join(element.text_content().split())
        if UPDATE_LINE.match(line) and not _in_unrelated_region(element, updates=True):
            value = first_date(line)
            if value:
                return value
    return None


def _introduced_as_update(element: HtmlElement) -> bool:
    """A date its surroundings call an update ("Last updated on <time>...</time>"): the last word
    before it that introduces a date is an update word, or its own text is an update line. An
    update after it ("May 1, 2019 - Updated July 9, 2025") leaves it the publication date."""
    own = GLUED.sub(" ", " ".join(element.text_content().split()))
    parent = element.getparent()
    context = GLUED.sub(" ", " ".join((parent if parent is not None else element).text_content().split()))
    at = context.find(own) if own and len(context) <= 200 else -1
    introducers = list(DATE_INTRODUCER.finditer(context[:at])) if at > 0 else []
    if introducers:
        return not re.match(r"publish|posted", introducers[-1][0], re.I)
    return bool(UPDATED_WORDS.search(own)) and not re.search(r"publish|posted", own, re.I)


DATE_INTRODUCER = re.compile(r"\b(?:publish\w*|posted|updated?|modified|edited|last (?:reviewed|checked)|reviewed)\b",
                             re.I)


def _heads_article(node: HtmlElement) -> bool:
    """An element at the top of an ``<article>``, before its text: the article's own details."""
    parent = node.getparent()
    return parent is not None and parent.tag == "article" and sum(
        len(sibling.text_content().strip()) for sibling in node.itersiblings(preceding=True)) < 300


def _in_unrelated_region(element: HtmlElement, *, updates: bool = False) -> bool:
    """Inside comments, related stories, a sidebar or the footer, or (unless ``updates``) marked
    as an update time."""
    node: HtmlElement | None = element
    for _ in range(6):
        if node is None:
            break
        if node.tag in ("footer", "nav") or node.tag == "aside" and not _heads_article(node):
            return True
        label = f"{node.get('class', '')} {node.get('id', '')} {node.get('itemprop', '')}"
        if updates and NOT_THE_ARTICLES_CLASS.search(label):
            return True
        if not updates and (NOT_PUBLISHED_CLASS.search(label) or "dateModified" in label):
            return True
        node = node.getparent()
    return False


def title_as_shown(title: str, h1s: list[str]) -> str | None:
    """The page's ``<h1>`` when ``title`` is a variant of it: the h1 with the site's name added
    ("Title | Site", "Site: Title") or a truncation of it; None when ``title`` stands."""
    key = norm(title)
    if not key or any(norm(h) == key for h in h1s):
        return None
    for heading in h1s:
        shown = norm(heading)
        if len(shown.split()) < 3 or len(shown) < 0.4 * len(key):
            continue
        if key.startswith(shown + " ") or key.endswith(" " + shown):
            return heading
        if shown.startswith(key + " ") and len(key.split()) >= 4 and len(heading) <= 300:
            return heading
    return None


# ---------------------------------------------------------------------------------------------
# Dates

MONTHS = {m: i + 1 for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct",
                                          "nov", "dec"))}
MONTH = r"(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|" \
        r"oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
ISO_DATE = re.compile(r"^\s*(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:$|[T\s])")
COMPACT_DATE = re.compile(r"^\s*(\d{4})(\d{2})(\d{2})(?:$|T)")
MONTH_DAY_YEAR = re.compile(rf"\b{MONTH}\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})\b", re.I)
DAY_MONTH_YEAR = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\.?\s+(?:of\s+)?{MONTH},?\s+(\d{{4}})\b", re.I)
NUMERIC_DATE = re.compile(r"\b(\d{1,2})[/.](\d{1,2})[/.](\d{4})\b")
GLUED = re.compile(r"(?<=[a-z])(?=[A-Z]{3})|(?<=\d)(?=[A-Za-z])(?!(?:st|nd|rd|th)\b)")


def stated_date(value: str) -> str | None:
    """``value`` as "YYYY-MM-DD" when it states a date unambiguously (ISO 8601, a written month,
    or day/month numbers only one way round), else None."""
    value = value.strip()
    if not value:
        return None
    match = ISO_DATE.match(value) or COMPACT_DATE.match(value)
    if match:
        return _valid(int(match[1]), int(match[2]), int(match[3]))
    return dateline_date(value)


def dateline_date(text: str) -> str | None:
    """The publication date in a short visible dateline ("Published March 3, 2019 10:00 ET")."""
    text = " ".join(text.split())
    if not text or len(text) > 200:
        return None
    # "HealthDECEMBER 22, 2022Updated: ..." when markup put no space between its parts
    text = GLUED.sub(" ", text)
    updated = UPDATED_WORDS.search(text) or cues().updated_word.search(text)
    # "Updated May 4, 2019 | Published May 1, 2019": take the date not introduced as an update
    for position, day in _dates_in(text):
        if not (updated and updated.start() < position and not _published_between(text, updated.end(), position)):
            return day
    return None


def first_date(text: str) -> str | None:
    """The first date a short line states, whatever introduces it ("Last updated: May 4, 2019")."""
    text = " ".join(text.split())
    if not text or len(text) > 200:
        return None
    return next((day for _position, day in _dates_in(GLUED.sub(" ", text))), None)


def url_date(url: str | None) -> str | None:
    """The date a URL's path states (``/2020/05/12/``, ``/2020-05-12-title``), else None."""
    if not url:
        return None
    path = urlsplit(unquote(url)).path  # (an og:url written "https://site%2F2025-12-15%2Btitle")
    match = URL_DATE.search(path)
    return _valid(int(match[1]), int(match[3]), int(match[4])) if match else None


URL_DATE = re.compile(r"/((?:19|20)\d{2})([/-])(0?[1-9]|1[0-2])\2(0?[1-9]|[12]\d|3[01])(?=[/_.+-]|$)")


def _dates_in(text: str) -> list[tuple[int, str]]:
    """Every unambiguous date in ``text`` with its position, in order."""
    found: list[tuple[int, str]] = []
    for match in MONTH_DAY_YEAR.finditer(text):
        day = _valid(int(match[3]), MONTHS[match[1][:3].lower()], int(match[2]))
        if day:
            found.append((match.start(), day))
    for match in DAY_MONTH_YEAR.finditer(text):
        day = _valid(int(match[3]), MONTHS[match[2][:3].lower()], int(match[1]))
        if day:
            found.append((match.start(), day))
    for match in NUMERIC_DATE.finditer(text):
        first, second, year = int(match[1]), int(match[2]), int(match[3])
        if first > 12 >= second:
            day = _valid(year, second, first)
        elif second > 12 >= first:
            day = _valid(year, first, second)
        else:  # 05/06/2024: the order is a guess, so no date
            day = None
        if day:
            found.append((match.start(), day))
    iso = re.search(r"\b(\d{4})([-./])(\d{1,2})\2(\d{1,2})\b", text)  # 2025-12-17, 2025.12.17, 2025/12/17
    if iso and (day := _valid(int(iso[1]), int(iso[3]), int(iso[4]))):
        found.append((iso.start(), day))
    # a month written out in another language ("14 августа 2017", "3. März 2019", "2019年3月3日")
    found += [(start, day) for start, _end, day in written_dates(text) if (start, day) not in found]
    return sorted(found)


def _published_between(text: str, start: int, end: int) -> bool:
    return bool(re.search(r"published|posted", text[start:end], re.I) or cues().published_word.search(text[start:end]))


def _valid(year: int, month: int, day: int) -> str | None:
    """The ISO date, or None for an impossible one (2024-02-30) or a year no page is from."""
    if not (1800 <= year <= 2200 and 1 <= month <= 12 and 1 <= day <= monthrange(year, month)[1]):
        return None
    return date(year, month, day).isoformat()


# ---------------------------------------------------------------------------------------------
# trafilatura's author finder


# every class, id or tag trafilatura's author XPaths look for contains one of these
AUTHOR_MARKUP_HINTS = ("uthor", "yline", "riter", "screenname", "username", "byl", "BBL", "zuozhe", "bianji",
                       "xiaobian", "ubmitted-by", "osted-by", "ournalist-name", "channel-name")


def trafilatura_authors(tree: HtmlElement) -> list[str]:
    """trafilatura's author finder (its byline XPaths) on the part of the page that holds the
    title (its ``<article>`` or ``<main>``, else a few levels up from the ``<h1>``): its XPaths
    are costly on a whole page, and a byline sits by the title."""
    heading = next(tree.iter("h1"), None)
    region = tree
    if heading is not None:
        container = next(heading.iterancestors("article", "main"), None)
        region = container if container is not None else heading
        for _ in range(0 if container is not None else 4):
            parent = region.getparent()
            if parent is None or parent.tag == "body":
                break
            region = parent
    # a copy of the region as a document of its own, as trafilatura's XPaths search from the root
    own = tree if region is tree else lxml_fromstring(etree.tostring(region))
    subtree = prune_unwanted_nodes(own, AUTHOR_DISCARD_XPATHS)
    author = trafilatura_metadata.extract_metainfo(subtree, AUTHOR_XPATHS, len_limit=120)
    if not author:
        return []
    author = trafilatura_metadata.normalize_authors(None, MARKERS.sub("", author)) or ""
    names = _dedupe(a for part in author.split(";") for a in split_authors(part))
    # its XPaths also take in the job title after a name ("Justin Roe; Trial Attorney")
    return names[:1] + [n for n in names[1:] if not ROLE.search(n)]


# ---------------------------------------------------------------------------------------------
# Authors

BY_PREFIX = re.compile(r"^\s*(?:this (?:post|article|story) (?:was|is) )?(?:(?:written|posted|reported|words|story|"
                       r"text|article|recipe)\s+by|(?:(?:more|all|view|see)\s+)?(?:articles|posts|stories)\s+by|by|"
                       r"author(?:ed by)?|contributors?|read more about)\b[:\s]*", re.I)
ROLE = re.compile(
    r"(?i:\b(?:expert|writer|editor|director|ceo|cto|cfo|founder|manager|officer|consultant|head|president|fellow|"
    r"professor|dietitian|nurse|attorney|lawyer|reporter|correspondent|contributor|specialist|coach|advis[eo]r|"
    r"analyst|engineer|designer|strategist|marketer|lead|chief|vp|owner|partner|member|representative|trainer|"
    r"instructor|teacher|doctor|physician|therapist|pharmacist|scientist|researcher|student|host|producer|"
    r"photographer|blogger|creator|educator)s?\b)|^(?:[A-Z][A-Z-]{1,7}(?:\s+\d+)?|Ph\.?\s?D\.?|M\.?D\.?|Jr\.?|Sr\.?|"
    r"Esq\.?)$")
LOWERCASE_WORD = re.compile(r"\s(?!(?:and|van|von|de|der|den|da|del|della|di|du|la|le|bin|al|y|e)\s)[a-z][a-z]+\b")
NAME_TAIL = re.compile(
    rf"\s+(?:(?:last\s+)?updated|published|posted|on|(?:medically\s+|fact[- ]?)?(?:reviewed|checked|edited)\s+by|"
    rf"{MONTH}(?=\s+\d|\s*$)|(?:(?:senior|staff|contributing|tech|lead|chief|managing|deputy|former|head)\s+)*"
    rf"(?:writer|reporter|editor|founder|contributor|correspondent|columnist|journalist)s?)\b.*$", re.I)
NOT_A_NAME = re.compile(r"https?://|www\.|@|\d{3,}|©|^(?:staff|admin|administrator|editor|author|the author|"
                        r"written by|by|undefined|null|none|unknown|guest|anonymous|team|name|updated|share|webmaster|site admin)$", re.I)
# "andrew.keaveney", "veena": logins; "page.head.extra.author": a template's placeholder
USERNAME = re.compile(r"^[^\s]*[_\d][^\s]*$|^[a-z]+(?:[.-][a-z]+)+$|^[a-z]+$")
# words of the page's furniture that link or label text around a byline ("Learn More", "By Role"):
# a "name" made of these alone is none
UI_WORDS = {"learn", "more", "read", "view", "see", "all", "full", "profile", "bio", "post", "posts", "article",
            "articles", "stories", "category", "categories", "role", "roles", "need", "needs", "industry",
            "industries", "topic", "topics", "type", "follow", "about", "contact", "share", "menu", "home", "search",
            "subscribe", "login", "log", "sign", "in", "up", "out", "the", "a", "our", "us", "me", "numbers", "company",
            "size", "use", "case", "cases", "page", "head", "extra", "author", "authors", "sat", "sun", "mon", "tue",
            "wed", "thu", "fri", "state", "states", "manufacturer", "brand", "price", "team", "here", "now", "free",
            "this", "on", "by", "of", "and", "or", "to", "for", "with", "from", "at", "date", "time", "min", "comments"}
JUST_A_MONTH = re.compile(rf"^{MONTH}$", re.I)


def split_authors(value: str) -> list[str]:
    """Names in a byline string: "By A, B and C" -> ["A", "B", "C"]; roles and credentials after
    a name ("Jane Doe, MD", "John Roe, Senior Editor") are dropped."""
    value = BY_PREFIX.sub("", " ".join(value.split()))
    names = []
    for part in re.split(r"\s*[;|]\s*", value):
        # "Jane Roe - Senior Writer", "David Jackson - FullStack Editorial Team": a role after a dash
        tail = DASH_TAIL.search(part)
        if tail and (ROLE.search(tail[1]) or TEAM_WORD.search(tail[1])):
            part = part[: tail.start()]
        part = NAME_TAIL.sub("", BY_PREFIX.sub("", part)).strip(" ,-–—:•·")
        if LOWERCASE_WORD.search(" " + part):
            tokens = [part]  # "Center for Drug Evaluation and Research": one name, not two
        else:
            # after the first, a comma-separated piece naming a role or credential belongs to the name before
            pieces = [p for i, p in enumerate(re.split(r"\s*,\s*(?:and\s+)?", part)) if p and not (i and ROLE.search(p))]
            if len(pieces) == 2 and " " not in pieces[0]:
                pieces = [", ".join(pieces)]  # "Kaufman, Jeff T.": family name first
            tokens = [t for piece in pieces for t in re.split(r"\s+(?:and|&)\s+(?=\S+\s)", piece) if t]
        for token in tokens:
            token = NAME_TAIL.sub("", token).strip(" ,-–—:•·")
            if (token and len(token) <= 80 and not NOT_A_NAME.search(token) and not USERNAME.match(token)
                    and not JUST_A_MONTH.match(token) and any(c.isalpha() for c in token)
                    and not set(WORD.findall(token.casefold())) <= UI_WORDS):
                names.append(token)
    return names


DASH_TAIL = re.compile(r"\s+[–—-]\s+([^–—]+)$")
TEAM_WORD = re.compile(r"\b(?:team|staff|desk|editorial|newsroom)\b", re.I)


BYLINE_TEXT = re.compile(r"^(?i:by|written by|posted by|words by|reported by|author:?)\s+"
                         r"((?:(?:dr|prof|mr|mrs|ms)\.?\s+)?[A-Z][\w.'’-]*(?:\s+(?:[A-Z][\w.'’-]*|van|von|de|der|da|"
                         r"del|la|le|bin|al)){0,4}(?:\s*(?:,|and|&)\s*[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*){0,3})*)"
                         r"(?:\s*(?:[|,•·–—-]|\s(?:on|in|updated|published)\b).*)?$")
BYLINE_LABEL = re.compile(r"^(?:by|written by|posted by|words by|author:?|authors?:)$", re.I)


AUTHOR_LINK = re.compile(r"/(?:author|authors|writers?|contributors?|staff)/[^/?#]+/?(?:$|[?#])")
BYLINE_START = re.compile(r"(?:by|written by|posted by|words by|reported by|authors?:?)(?:\s|:|$)", re.I)


def byline_authors(tree: HtmlElement) -> list[str]:
    """Names in the page's visible byline ("By Jane Doe", or a "Written by" label and a name
    after it), or in a link to an author page; the first one in the page wins."""
    for element in _byline_candidates(tree):
        text = " ".join(MARKERS.sub("", element.text_content()).split())
        if not 2 <= len(text) <= 80:
            continue
        name = None
        match = BYLINE_TEXT.match(text)
        if match and element.tag == "a" and not AUTHOR_LINK.search(element.get("href", "")):
            continue  # "By Category", "By Manufacturer": a link to a listing, not a byline
        if match:
            name = match[1]
        elif (lead := cues().byline_lead.match(text)) and element.tag != "a":
            # "Автор: Иван Петров", "Yazar: Ahmet Yılmaz", "作者：张伟"; a lead word alone: the name follows it
            following = element.getnext() if lead.end() == len(text) else None
            if following is not None:
                text += " " + " ".join(MARKERS.sub("", following.text_content()).split())
            names = parse_byline(text)
            if names and not _in_unrelated_region(element) and not _in_menu(element):
                return names
            continue
        elif BYLINE_LABEL.match(text):
            following = element.getnext()
            name = " ".join(MARKERS.sub("", following.text_content()).split()) if following is not None else None
        elif element.tag == "a":
            name = text
        if name and len(name) <= 80 and not _in_unrelated_region(element) and not _in_menu(element):
            names = split_authors(name)
            if names and all(len(n.split()) <= 5 for n in names):
                return names
    return []


MENU_CLASS = re.compile(r"(?:^|[\s_-])(?:menu|menus|nav|navbar|navigation|dropdown|megamenu|submenu|masthead|"
                        r"site-?header|drawer|flyout)(?:$|[\s_-])", re.I)


def _in_menu(element: HtmlElement) -> bool:
    """Inside the site's menus: markup that says it is one, or a list of links to several author
    pages (a menu of columnists), as a byline names its authors in one line, not one per item."""
    node: HtmlElement | None = element
    for _ in range(10):
        if node is None or node.tag in ("article", "main", "body"):
            return False
        if MENU_CLASS.search(f"{node.get('class', '')} {node.get('id', '')} {node.get('role', '')}"):
            return True
        if node.tag in ("ul", "ol") and sum(
                1 for item in node.iterchildren("li")
                if any(AUTHOR_LINK.search(a.get("href", "")) for a in item.iter("a"))) >= 3:
            return True
        node = node.getparent()
    return False


def _byline_candidates(tree: HtmlElement) -> Iterator[HtmlElement]:
    """Elements whose text starts like a byline, and links to author pages, in page order."""
    for element in tree.iter():
        tag = element.tag
        if not isinstance(tag, str) or tag in ("script", "style", "title", "head"):
            continue
        if tag == "a" and AUTHOR_LINK.search(element.get("href", "")):
            yield element
            continue
        text = element.text
        if text and (BYLINE_START.match(text.lstrip(" \t\n\r\ue001"))
                     or cues().byline_lead.match(text.lstrip(" \t\n\r\ue001"))):
            yield element


def _dedupe(values: Iterable[str]) -> list[str]:
    seen: dict[str, str] = {}
    for value in values:
        if value and value.casefold() not in seen:
            seen[value.casefold()] = value
    return list(seen.values())


# ---------------------------------------------------------------------------------------------
# The body

def main_text(tree: HtmlElement, settings: Settings, *, url: str | None) -> tuple[etree._Element, ...]:
    """trafilatura's main body (and comments, if ``extract.include_comments``) of ``tree``.

    This is ``bare_extraction`` without its tree copy, metadata and output steps: trafilatura's
    extraction cascade, run on our parsed tree, which it prunes in place (comment sections, infinite
    scroll). ``trafilatura_sequence`` is internal to trafilatura, hence the exact version pin.
    """
    options = Extractor(output_format="python", comments=settings.extract.include_comments,
                        tables=settings.extract.include_tables, url=url)
    body, _text, comments, _comments_text = trafilatura_sequence(tree, options, url)
    return (body, comments) if settings.extract.include_comments else (body,)


def _element_count(tree: HtmlElement, limit: int) -> int:
    """How many elements the page has, counted up to one past ``limit``."""
    count = 0
    for _ in tree.iter():
        count += 1
        if count > limit:
            break
    return count


#: Elements whose text the plain reader never takes: code, styling, navigation, page furniture, forms.
PLAIN_SKIP = ("head", "script", "style", "noscript", "template", "nav", "header", "footer", "aside", "form",
              "button", "select", "svg", "iframe")
#: Elements that start and end a line for the plain reader.
PLAIN_BLOCKS = frozenset({"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "blockquote", "pre",
                          "table", "tr", "td", "th", "dd", "dt", "dl", "section", "article", "main",
                          "figure", "figcaption", "br", "hr"})


def plain_paragraphs(tree: HtmlElement) -> list[Paragraph]:
    """narrascope's own body reader, for pages too large for trafilatura (``extract.trafilatura_max_elements``):
    the page's text outside code, navigation and page furniture, one line per block element, in page
    order, in one pass over the tree (no recursion, so any depth). The cleaning that follows is the same."""
    etree.strip_elements(tree, *PLAIN_SKIP, with_tail=False)
    etree.strip_elements(tree, etree.Comment, etree.ProcessingInstruction, with_tail=False)
    pieces: list[str] = []
    for event, element in etree.iterwalk(tree, events=("start", "end")):
        block = element.tag in PLAIN_BLOCKS
        if event == "start":
            if block:
                pieces.append(LINE_BREAK)
            if element.text:
                pieces.append(element.text)
        else:
            if block:
                pieces.append(LINE_BREAK)
            if element.tail and element is not tree:
                pieces.append(element.tail)
    lines = _merge_tiny_runs(_lines(pieces))
    return [Paragraph(line, "p", index, link_share) for index, (line, link_share) in enumerate(lines, 1)]


#: A run of more than ``TINY_RUN`` block lines of at most ``TINY_WORDS`` words each, none a link,
#: is no list of paragraphs but words cut apart ("<p>word" a million times): the plain reader groups
#: it into paragraphs of ``TINY_RUN`` lines (each piece still on its own line), so the cleaning's
#: per-paragraph work is not done a million times.
TINY_WORDS = 3
TINY_RUN = 200


def _merge_tiny_runs(lines: list[tuple[str, float]]) -> list[tuple[str, float]]:
    merged: list[tuple[str, float]] = []
    run: list[str] = []

    def flush() -> None:
        if len(run) > TINY_RUN:
            merged.extend(("\n".join(run[i:i + TINY_RUN]), 0.0) for i in range(0, len(run), TINY_RUN))
        else:
            merged.extend((line, 0.0) for line in run)
        run.clear()

    for line, link_share in lines:
        if not link_share and line.count(" ") < TINY_WORDS:
            run.append(line)
            continue
        flush()
        merged.append((line, link_share))
    flush()
    return merged


def body_paragraphs(*bodies: etree._Element | None) -> list[Paragraph]:
    """trafilatura's body as lines: a list item, a table row or a line of a paragraph each, with
    the block (paragraph, list, table) it belongs to and the share of its text inside links."""
    paragraphs: list[Paragraph] = []
    block_index = 0
    for body in bodies:
        if body is not None:
            block_index = _read_body(body, paragraphs, block_index + 1)
    return paragraphs


def _read_body(body: etree._Element, paragraphs: list[Paragraph], block_index: int) -> int:
    if body.text and body.text.strip():
        paragraphs.append(Paragraph(" ".join(MARKERS.sub("", body.text).split()), "p", block_index))
    for block in body:
        block_index += 1
        units = list(block) if block.tag in ("list", "table") and len(block) else [block]
        for unit in units:
            for line, link_share in _unit_lines(unit):
                paragraphs.append(Paragraph(line, unit.tag, block_index, link_share))
        # text between blocks (a heading trafilatura unwrapped) is a paragraph of its own
        if block.tail and (tail := " ".join(MARKERS.sub("", block.tail).split())):
            block_index += 1
            paragraphs.append(Paragraph(tail, "p", block_index))
    return block_index


LINE_BREAK = "\ue000"  # private-use characters: a <lb/>, and the start and end of a link's text
LINK_START, LINK_END = "\ue001", "\ue002"
MARKERS = re.compile("[\ue000-\ue002]")


def mark_links(tree: HtmlElement) -> None:
    """Wrap the text of every link in markers that survive trafilatura's text extraction."""
    for link in tree.iter("a"):
        link.text = LINK_START + (link.text or "")
        if len(link):
            last = link[-1]
            last.tail = (last.tail or "") + LINK_END
        else:
            link.text += LINK_END


BLOCK_CHILDREN = {"p", "head", "list", "item", "quote", "table", "row", "code"}


def _unit_lines(unit: etree._Element) -> list[tuple[str, float]]:
    """The lines of one unit with their link share: ``<lb/>`` breaks and nested blocks start a
    line, source-code newlines do not."""
    pieces: list[str] = ["- "] if unit.tag == "item" else []
    if not len(unit):  # plain text, nothing to walk
        pieces.append(unit.text or "")
        return _lines(pieces)

    def walk(element: etree._Element) -> None:
        if element.tag == "lb":
            pieces.append(LINE_BREAK)
        elif element.tag == "cell" and element.getprevious() is not None:
            pieces.append(" | ")
        elif element is not unit and element.tag in BLOCK_CHILDREN:
            pieces.append(LINE_BREAK + ("- " if element.tag == "item" else ""))
        if element.text and element.tag != "lb":
            pieces.append(element.text)
        for child in element:
            walk(child)
            if child.tail:
                pieces.append(child.tail)

    walk(unit)
    return _lines(pieces)


def _lines(pieces: list[str]) -> list[tuple[str, float]]:
    lines = []
    for raw in "".join(pieces).split(LINE_BREAK):
        if not raw or raw.isspace():
            continue
        if LINK_START not in raw:  # most lines: no link, so no share to count
            line = " ".join((MARKERS.sub("", raw) if LINK_END in raw else raw).split())
            if line and line != "-":
                lines.append((line, 0.0))
            continue
        line = " ".join(MARKERS.sub("", raw).split())
        if not line or line == "-":
            continue
        # characters (spaces aside) between a link's start and end markers, over all of them
        linked = sum(len(part.split(LINK_END, 1)[0].replace(" ", "")) for part in raw.split(LINK_START)[1:])
        total = len(line.replace(" ", ""))
        lines.append((line, min(1.0, linked / total) if total else 0.0))
    return lines


class Paragraph:
    __slots__ = ("block", "link_share", "tag", "text")

    def __init__(self, text: str, tag: str, block: int, link_share: float = 0.0) -> None:
        self.text = text
        self.tag = tag
        self.block = block
        self.link_share = link_share

    def __repr__(self) -> str:
        return f"Paragraph({self.text[:40]!r}, {self.tag}, {self.block}, {self.link_share:.2f})"


def join_paragraphs(kept: list[Paragraph]) -> str:
    """Lines of one block joined by a newline, blocks by a blank line."""
    out: list[str] = []
    previous: int | None = None
    for paragraph in kept:
        if out:
            out.append("\n" if paragraph.block == previous else "\n\n")
        out.append(paragraph.text)
        previous = paragraph.block
    return "".join(out)


CREDIT = re.compile(
    r"^\(?(?:photo|image|picture|video|graphic|illustration|source|credit|courtesy)s?(?:\s+credit)?\s*(?:by|:)"
    r"|\b(?:getty images|shutterstock|afp|reuters|ap photo|associated press|istock(?:photo)?|epa|alamy|pa images)"
    r"\s*\)?$"
    r"|^\(?(?:photo|image)[^.]{0,60}/\s*[A-Z]", re.I)
CONTRIBUTION = re.compile(r"\b(?:contributed to this (?:report|story|article)|additional reporting by|"
                          r"reporting by\b.*\bediting by)\b", re.I)
CONTACT = re.compile(r"^(?:write to|contact|email|e-mail|reach)\b.{0,80}(?:@|\bat\b)|^\S+@\S+\.\w+$|^"
                     r"(?:https?://)?(?:www\.)?(?:twitter|x|facebook|instagram)\.com/\S+$", re.I)
COPYRIGHT = re.compile(r"^(?:copyright\b|©|\(c\)\s*\d{4})|\ball rights reserved\b|"
                       r"\bfor (?:your )?personal,? non-?commercial use\b", re.I)
PROMPT = re.compile(
    r"^(?:(?:sign up|subscribe)\b.{0,80}\b(?:newsletter|inbox|updates|alerts)|click here\b.{0,60}$|"
    r"follow (?:us|me|him|her|them)\b|follow @|follow [\w@.' ]{1,40} on "
    r"(?:twitter|facebook|instagram|youtube|linkedin|x)\b|share (?:this|on)|like this (?:story|article)|"
    r"download (?:our|the) .{0,30}app|get (?:our|the) .{0,40}newsletter|thanks for (?:signing up|subscribing)|"
    r"keep an eye on your inbox|join (?:our|the) .{0,40}(?:newsletter|list|community|challenge)|"
    r"(?:also|more) on [\w.]+\.(?:com|org|net|co\.uk)\b|advertisement$|story continues below|"
    r"continue reading|listen to\b.{0,40}\blive\b|sorry!?$|there was an error processing|"
    r"an error (?:has )?occurred|this (?:article|story) has been sent to|thank you!?$)", re.I)
RELATED_INTRO = re.compile(
    r"^(?:related(?: articles?| stories| content| posts| coverage| news| reading| links)?|more (?:stories|news|"
    r"from [\w .'-]{1,30}|on this (?:story|topic)|like this)|you (?:may|might) also (?:like|be interested in)|"
    r"recommended(?: for you| stories| reading)?|most (?:popular|read|viewed)|trending(?: now| stories)?|"
    r"read next|up next|explore further|don'?t miss|see also|also read|popular (?:stories|posts)|latest news|"
    r"top stories|partner (?:news|content|stories)|sponsored (?:content|stories|links))\s*[:.!]?$", re.I)
UI_LINE = re.compile(
    r"^(?:-\s*)?(?:order reprints?|reprints?|print(?: article| this (?:page|article))?|e-?mail(?: this)?|share|"
    r"tweet|save(?: article| for later)?|comments?|\d+\s+comments?|view comments|leave a comment|"
    r"skip to (?:main )?content|back to top|advertisement|loading\.*|tags?:.*|"
    r"\d+\s*(?:min|minute)s?\s+read|reading time:?.{0,20})$", re.I)
URL_LINE = re.compile(r"^(?:[\w ]{1,20}:\s*)?(?:https?://|www\.)\S+$", re.I)
LABELLED_LINK = re.compile(r"^[\w' ]{2,30}:\s*(.+)$")
BIO_VERB = re.compile(
    r"^(?!(?:the|this|that|our|it|we|he|she|they|an?|its|their|his|her)\b)(?:(?-i:[A-Z])[\w.'’-]*\s+){2,4}"
    r"(?:is|was|has been|serves as|writes|covers|reports)\b.{0,200}\b(?:fellow|professor|"
    r"director|editor|correspondent|reporter|writer|journalist|author|analyst|researcher|columnist|contributor|"
    r"founder|chair(?:man|woman)?|president|lecturer|student|scholar|ambassador|expert|officer|producer|host|"
    r"member|adviser|advisor|economist|strategist|partner|consultant|candidate)\b", re.I)
ABOUT_HEADING = re.compile(r"^about (?:the )?(?:authors?|writers?|contributors?)\b|^about\s+(\S.{0,60})$", re.I)
BYLINE = re.compile(r"^(?:[\d/.-]{6,10}\s+)?(?i:by|written by|posted by|words by|reported by)\s+(?:[A-Z][\w.'’-]*\s*){1,4}"
                    r"(?:(?:,|and|&)\s*(?:[A-Z][\w.'’-]*\s*){1,4})*(?:[|,•·–—-].{0,80})?$")
DATE_ONLY = re.compile(rf"^(?:(?:published|posted|updated|last updated)\s*(?:on|:)?\s*)?"
                       rf"(?:(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*,?\s+)?"
                       rf"(?:{MONTH}\s+\d{{1,2}},?\s+\d{{4}}|\d{{1,2}}\s+{MONTH},?\s+\d{{4}}|\d{{4}}-\d{{2}}-\d{{2}})"
                       rf"[\s,|at–—-]*(?:\d{{1,2}}[:.]\d{{2}}(?:\s*[ap]\.?m\.?)?)?\s*[A-Z]{{0,4}}$", re.I)
HEAD_SPAN = 4  # lines at the top where a repeated title, dek, byline or dateline is looked for
TAIL_SPAN = 8  # lines at the end where bios, credits and contact lines are looked for


def clean_body(paragraphs: list[Paragraph], draft: Draft, page: PageFacts) -> tuple[list[Paragraph], list[str]]:
    """The body lines kept, and the names in a byline line at its top; everything taken out goes
    to ``draft.removed``."""
    kept: list[Paragraph] = []
    byline_names: list[str] = []
    before_prose = True  # no paragraph of prose kept yet
    title = norm(draft.title)
    subtitle = norm(draft.subtitle) if draft.subtitle else None
    description = norm(page.description) if page.description else None
    tail_from = len(paragraphs) - 3
    in_related = False  # after a "Related stories" line, until a line that is not a link
    related_table: int | None = None  # a table whose row says "Top stories": its later rows are the box
    for index, paragraph in enumerate(paragraphs):
        text = paragraph.text
        dateline = agency_dateline(text) if before_prose else None
        if dateline:  # "МОСКВА, 14 августа — РИА Новости." opening the lede
            draft.removed.append(Removed(kind="other", text=dateline[0], label="dateline"))
            if dateline[1]:
                draft.fill("published", dateline[1], "dateline")
            text = paragraph.text = text[len(dateline[0]) :].strip()
        words = len(text.split())
        # the comparison key, needed for short lines and the top of the body only
        key = norm(text) if before_prose or words <= 60 else ""
        head = index < HEAD_SPAN and before_prose
        edge = head or index >= tail_from
        removal: tuple[str, str | None] | None = None
        if in_related and paragraph.link_share >= LINK_ONLY:
            removal = ("related", "link")
        elif paragraph.block == related_table and paragraph.tag == "row":
            removal = ("related", None)
        elif before_prose and index < 12 and key and (key == title or key in page.headings):
            removal = ("other", "title")
        elif head and subtitle and key == subtitle:
            removal = ("other", "dek")
        elif head and page.dek and key == norm(page.dek):
            draft.fill("subtitle", page.dek, "page")
            removal = ("other", "dek")
        elif head and paragraph.tag == "head" and description and key == description:
            # a heading that repeats the description is a standfirst, never the lede
            draft.fill("subtitle", text, "page")
            removal = ("other", "dek")
        elif head and BYLINE.match(text):
            byline = re.split(r"\s[|•·–—]\s|,\s(?=[A-Z][a-z]+\.? \d)", text)[0]
            byline_names = byline_names or split_authors(byline)
            removal = ("byline", None)
        elif edge and DATE_ONLY.match(text):
            draft.fill("published", dateline_date(text), "dateline")
            removal = ("byline", "dateline")
        elif head and (foreign := _foreign_byline(text)) is not None:
            byline_names = byline_names or foreign.authors or []
            if foreign.published:
                draft.fill("published", foreign.published, "dateline")
            removal = ("byline", None)
        elif edge and (written := written_dateline(text)) is not None:
            if written[1] == "dateline":
                draft.fill("published", written[0], "dateline")
            removal = ("byline", "dateline")
        elif head and URL_LINE.match(text):
            removal = ("other", "link")
        elif words > 25 and not SENTENCE_END.search(text) and (
                paragraph.link_share >= 0.9 or page.link_share_of(key or norm(text)) >= 0.9):
            removal = ("nav", "links")  # link texts run together into a "paragraph": an index, a menu
        elif paragraph.link_share >= LINK_ONLY and words <= 25 and not URL_LINE.match(text) and (
                before_prose or _teaser(paragraphs, index)):
            # links before the article starts, and link-only teaser lines between its paragraphs
            removal = ("related", "link")
        else:
            removal = classify_paragraph(text) or _furniture(paragraph, key, words, page)
        in_related = bool(removal and removal[0] == "related")
        if removal == ("related", None) and paragraph.tag == "row" and RELATED_INTRO.match(text.strip(" |")):
            related_table = paragraph.block
        if removal:
            draft.removed.append(Removed(kind=removal[0], text=text, label=removal[1]))
        else:
            kept.append(paragraph)
            before_prose = before_prose and words <= 25
    return _strip_tail(kept, draft), byline_names


def _foreign_byline(text: str) -> MetaLine | None:
    """A byline line in another language at the top of the body ("Автор: Иван Петров | 14 августа 2017")."""
    lead = cues().byline_lead.match(text)
    if not lead and text.split(" ", 1)[0].lower() not in FOREIGN_LEADS:
        return None
    meta = parse_meta_line(text)
    return meta if meta is not None and meta.authors is not None else None


def _teaser(paragraphs: list[Paragraph], index: int) -> bool:
    """A lone link-only paragraph between paragraphs of prose: a teaser for another story."""
    paragraph = paragraphs[index]
    if paragraph.tag != "p" or paragraph.text.endswith((".", "!", "?", ":", '"', "”")):
        return False
    neighbours = paragraphs[max(0, index - 1) : index] + paragraphs[index + 1 : index + 2]
    return all(n.link_share < LINK_ONLY and len(n.text.split()) > 12 for n in neighbours)


SENTENCE_END = re.compile(r"[.!?。](?:\s|$)")
LINK_ONLY = 0.8  # share of a line's text inside links above which it is a link, not prose


def _furniture(paragraph: Paragraph, key: str, words: int, page: PageFacts) -> tuple[str, str | None] | None:
    """Captions, credits, promotion lines and labelled links: page furniture, not prose."""
    text = paragraph.text
    if words <= 60 and key in page.captions:
        return "caption", None
    if words <= 25 and CREDIT.search(text):
        return "credit", None
    if words <= 40 and PROMPT.search(text):
        return "other", "promotion"
    if words <= 8 and RELATED_INTRO.match(text):
        return "related", None
    if words <= 12 and UI_LINE.match(text):
        return ("tags", None) if text.lower().startswith("tag") else ("nav", None)
    if words <= 30 and paragraph.link_share >= 0.5 and RELATED_LABEL.match(text) and LABELLED_LINK.match(text):
        return "related", "link"
    return None


RELATED_LABEL = re.compile(r"^(?:read (?:more|also)|related|see also|also|more|watch|listen|recommended|"
                           r"don'?t miss|further reading|previously)\b", re.I)


def _strip_tail(kept: list[Paragraph], draft: Draft) -> list[Paragraph]:
    """Bios, about-the-company notes, contributions, contact and copyright lines at the end."""
    authors = [a for a in draft.authors if a]
    surnames = {a.split()[-1] for a in authors if a.split()}
    end = len(kept)
    about_from: int | None = None
    for index in range(len(kept) - 2, max(-1, len(kept) - 1 - TAIL_SPAN), -1):
        paragraph = kept[index]
        about = ABOUT_HEADING.match(paragraph.text) if len(paragraph.text.split()) <= 8 else None
        # "About the author", or "About Ascom" followed by "Ascom is...": a press release's note
        if about and (about[1] is None or kept[index + 1].text.lower().startswith(about[1].strip(" :").lower())):
            about_from = index
    if about_from is not None and about_from > 0:
        heading = kept[about_from].text
        for paragraph in kept[about_from + 1 :]:
            if _is_author_bio(paragraph.text, authors, surnames) or re.search(r"authors?|writers?", heading, re.I):
                draft.author_bios.append(paragraph.text)
                draft.removed.append(Removed(kind="bio", text=paragraph.text))
            else:
                draft.removed.append(Removed(kind="other", text=paragraph.text, label="about"))
        draft.removed.append(Removed(kind="other", text=heading, label="about"))
        end = about_from
    outlet = (draft.outlet or "").strip()
    about_outlet = re.compile(rf"^{re.escape(outlet)}(?:,|\s+(?:is|was|has|offers|provides|\())", re.I) if outlet else None
    limit = max(1, end - TAIL_SPAN)
    while end > limit:
        text = kept[end - 1].text
        words = len(text.split())
        if kept[end - 1].link_share >= LINK_ONLY and words <= 30 and not URL_LINE.match(text):
            draft.removed.append(Removed(kind="related", text=text, label="link"))
        elif kept[end - 1].tag == "head" and words <= 12:
            draft.removed.append(Removed(kind="other", text=text, label="heading"))
        elif _is_author_bio(text, authors, surnames) and words <= 120:
            draft.author_bios.insert(0, text)
            draft.removed.append(Removed(kind="bio", text=text))
        elif about_outlet is not None and about_outlet.match(text) and words <= 150:
            draft.removed.append(Removed(kind="other", text=text, label="about"))
        elif words <= 40 and (CONTRIBUTION.search(text) or CONTACT.search(text)):
            draft.removed.append(Removed(kind="credit", text=text))
        elif words <= 60 and COPYRIGHT.search(text):
            draft.removed.append(Removed(kind="credit", text=text, label="copyright"))
        else:
            break
        end -= 1
    return kept[:end]


def _is_author_bio(text: str, authors: list[str], surnames: set[str]) -> bool:
    if BIO_VERB.match(text):
        return True
    first = text.split()[0].rstrip(",") if text.split() else ""
    by_author = any(text.startswith(a) for a in authors) or first.removesuffix("'s").removesuffix("’s") in surnames
    if not by_author:
        return False
    return bool(re.match(r"^[\w.'’ -]{2,60}\s(?:is|was|has|writes|covers|serves)\b", text)) or bool(
        re.search(r"\bfollow (?:him|her|them)\b|@\w{2,}", text, re.I))


def norm(text: str | None) -> str:
    """Case- and punctuation-blind key for comparing short texts."""
    return " ".join(WORD.findall((text or "").casefold()))


WORD = re.compile(r"\w+")
LANGUAGE_TAG = re.compile(r"^([a-z]{2})(?:$|[-_])")
