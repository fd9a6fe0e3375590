"""narrascope-exclaim: the test plugin that proves narrascope's extension seam end to end.

Everything a third party can add, through the hooks of ``narrascope.plugins`` only:

- the stage ``exclaim`` adds the record field ``extensions.exclaim``: every exclamation mark of
  the text with its offsets and a confidence, their count, and the stage version;
- the stage ``shout`` requires ``extensions.exclaim`` (checked when the pipeline is built, NS406)
  and fails on purpose on a text holding ``[plugin-crash]`` (it raises) or
  ``[plugin-bad-return]`` (it returns a list): both must cost that article alone (NS206); on
  ``[plugin-refuse]`` it rejects the article on purpose, with its own code (NS201);
- the corpus analysis ``exclaim`` writes the table ``exclaim_by_outlet`` (articles and marks per
  outlet), exported with ``narrascope export --table exclaim_by_outlet``;
- the exporter ``tsv-summary`` (``narrascope export --format tsv-summary``): one line per article;
- the workbench page ``/plugin/exclaim`` (linked from the navigation bar) shows the table.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TextIO

from narrascope.corpus import Column, TableSpec, derived_state, iter_table, new_articles, record_state
from narrascope.errors import InputRejected
from narrascope.plugins import hookimpl

NAME = "exclaim"
STAGE_VERSION = "1"
ANALYSIS_VERSION = "exclaim.v1"
TABLE = "exclaim_by_outlet"
PAGE = "/plugin/exclaim"
MARK = re.compile(r"!")


class ExclaimStage:
    """Every "!" of the text: a fact with its offsets, certain (confidence 1.0: it is a character)."""

    name = NAME
    version = STAGE_VERSION
    requires = ("text",)
    sets = ("extensions.exclaim",)

    def compute(self, article: Any, settings: Any) -> dict[str, Any]:
        marks = [{"start": m.start(), "end": m.end(), "text": m.group(), "confidence": 1.0}
                 for m in MARK.finditer(article.text)]
        return {"extensions.exclaim": {"count": len(marks), "marks": marks, "version": f"{NAME}.v{STAGE_VERSION}"}}


class ShoutStage:
    """An article shouts when it has three marks or more; breaks its contract on a marker, on purpose."""

    name = "shout"
    version = "1"
    requires = ("text", "extensions.exclaim")
    sets = ("extensions.shout",)

    def compute(self, article: Any, settings: Any) -> Any:
        if "[plugin-crash]" in article.text:
            raise ZeroDivisionError("the shout stage crashed (on purpose: [plugin-crash])")
        if "[plugin-bad-return]" in article.text:
            return ["not", "a", "dict"]
        if "[plugin-refuse]" in article.text:  # a deliberate reject keeps its own code
            raise InputRejected("the shout stage refuses this article ([plugin-refuse])", code="NS201")
        count = article.extensions[NAME]["count"]
        return {"extensions.shout": {"shouting": count >= 3, "confidence": 1.0, "version": "shout.v1"}}


class ExclaimAnalysis:
    """Per outlet: the latest articles the ``exclaim`` stage ran on, and their exclamation marks."""

    name = NAME
    version = ANALYSIS_VERSION
    tables = (
        TableSpec(TABLE, (
            Column("outlet", "TEXT", "the articles' outlet; '' when they name none", not_null=True),
            Column("articles", "INTEGER", "latest articles of the outlet the exclaim stage ran on", not_null=True),
            Column("marks", "INTEGER", "exclamation marks in their texts", not_null=True),
        ), "Exclamation marks per outlet (the test plugin narrascope-exclaim).", unique=(("outlet",),)),
    )
    inputs = ("articles.outlet", "articles.extensions.exclaim")

    def update(self, store: Any, settings: Any, *, full: bool = False,
               progress: Callable[[int], Iterator[object]] | None = None) -> dict[str, Any]:
        # A small table: recounted whole on every run, so new versions of a URL need no care.
        articles: Counter[str] = Counter()
        marks: Counter[str] = Counter()
        watermark = 0
        for rowid, record in new_articles(store):
            watermark = rowid
            found = (record.get("extensions") or {}).get(NAME)
            if found is None:
                continue
            outlet = record.get("outlet") or ""
            articles[outlet] += 1
            marks[outlet] += int(found["count"])
        with store.transaction():
            store.conn.execute(f"DELETE FROM {TABLE}")  # noqa: S608 - a constant
            store.conn.executemany(f"INSERT INTO {TABLE} (outlet, articles, marks) VALUES (?, ?, ?)",  # noqa: S608
                                   [(o, articles[o], marks[o]) for o in sorted(articles)])
            record_state(store, NAME, ANALYSIS_VERSION, inputs={"fields": list(self.inputs)}, watermark=watermark,
                         articles=sum(articles.values()))
        return {"outlets": len(articles), "articles": sum(articles.values()), "marks": sum(marks.values())}


class TsvSummaryExporter:
    name = "tsv-summary"
    description = "the test plugin's exporter: id, outlet, exclamation marks, title; tab-separated"

    def write(self, articles: Iterable[Any], stream: TextIO) -> int:
        stream.write("id\toutlet\texclamation_marks\ttitle\n")
        count = 0
        for article in articles:
            found = article.extensions.get(NAME)
            marks = "" if found is None else str(found["count"])
            cells = [article.id, article.outlet or "", marks, article.title]
            stream.write("\t".join(" ".join(c.split()) for c in cells) + "\n")
            count += 1
        return count


PAGE_TEMPLATE = """{% extends "base.html" %}
{% block title %}Exclamation marks{% endblock %}
{% block main %}
<h1>Exclamation marks per outlet</h1>
{% if rows is none %}
<p>Not computed yet: run <code>narrascope export --table exclaim_by_outlet</code>.</p>
{% else %}
<table class="exclaim">
<tr><th>outlet</th><th>articles</th><th>marks</th></tr>
{% for row in rows %}<tr><td>{{ row.outlet or "(none)" }}</td><td>{{ row.articles }}</td><td>{{ row.marks }}</td></tr>
{% endfor %}
</table>
{% endif %}
{% endblock %}
"""


@hookimpl
def narrascope_stages() -> list[Any]:
    return [ExclaimStage(), ShoutStage()]


@hookimpl
def narrascope_analyses() -> list[Any]:
    return [ExclaimAnalysis()]


@hookimpl
def narrascope_exporters() -> list[Any]:
    return [TsvSummaryExporter()]


@hookimpl
def narrascope_web_routes() -> list[Any]:
    from starlette.requests import Request
    from starlette.responses import HTMLResponse
    from starlette.routing import Route

    def page(request: Request) -> HTMLResponse:
        with request.app.state.store.open() as store:
            rows = list(iter_table(store, TABLE)) if derived_state(store, NAME) is not None else None
        html = request.app.state.templates.from_string(PAGE_TEMPLATE).render(
            rows=rows, writable=request.app.state.write_token is not None)
        return HTMLResponse(html)

    return [Route(PAGE, page, methods=["GET"], name="exclaim")]


@hookimpl
def narrascope_web_nav() -> list[tuple[str, str]]:
    return [("Exclaim", PAGE)]
