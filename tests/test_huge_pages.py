"""Pages too large for trafilatura are read by narrascope's own plain reader, in linear time.

trafilatura's body finder costs more than linear time on pages of many elements (a page of a
million ``<p>`` ran over ten minutes); past ``extract.trafilatura_max_elements`` the body is read
by ``plain_paragraphs`` (one line per block element, page furniture left out) and cleaned as usual.
"""

from __future__ import annotations

import time

from narrascope.extract import extract
from narrascope.extract.html import TINY_RUN, parse_html, plain_paragraphs
from narrascope.model import RawItem
from narrascope.settings import Settings, load_settings

SENTENCES = [f"The ministers met in Geneva on day {i} and said the talks on the ceasefire would go on next week."
             for i in range(12)]


def small_limit(limit: int = 20) -> Settings:
    return load_settings().with_overrides({"extract": {"trafilatura_max_elements": limit}}, source="test")


def page(paragraphs: list[str]) -> bytes:
    return ("<html><head><title>Talks go on</title><style>p {color: red}</style></head><body>"
            "<header><nav><a href='/'>Home</a> <a href='/world'>World</a></nav></header>"
            "<script>var tracking = 'never text';</script>"
            "<article><h1>Talks go on</h1>" + "".join(f"<p>{p}</p>" for p in paragraphs) +
            "<div><div><blockquote>A quote set apart, <a href='/x'>with a link</a> inside it.</blockquote></div></div>"
            "</article><footer>Copyright 2024 The Paper. All rights reserved.</footer></body></html>").encode()


def test_a_page_past_the_element_limit_is_read_by_the_plain_reader() -> None:
    item = RawItem(page(SENTENCES), "text/html", "html", "page.html")
    article = extract(item, small_limit())
    assert article.provenance["text"] == "plain-reader"
    for sentence in SENTENCES:
        assert sentence in article.text
    assert "A quote set apart, with a link inside it." in article.text
    for furniture in ("never text", "color: red", "Home", "All rights reserved"):
        assert furniture not in article.text
    assert article.text.index(SENTENCES[0]) < article.text.index(SENTENCES[-1])
    # Under the limit, trafilatura reads the same page.
    assert "text" not in extract(item, load_settings()).provenance


def test_the_plain_reader_is_linear_and_copes_with_nesting() -> None:
    settings = small_limit()
    # (libxml2 itself keeps a few hundred levels; the reader walks the tree without recursion)
    deep = ("<html><body>" + "<div><span>" * 100 + " ".join(SENTENCES) + "</span></div>" * 100 + "</body></html>").encode()
    article = extract(RawItem(deep, "text/html", "html", "deep.html"), settings)
    assert SENTENCES[0] in article.text

    def seconds(n: int) -> float:
        html = ("<html><body>" + "".join(f"<p>{SENTENCES[i % 12]} {i}</p>" for i in range(n)) + "</body></html>")
        start = time.process_time()
        extract(RawItem(html.encode(), "text/html", "html", "many.html"), settings)
        return time.process_time() - start

    small, large = seconds(2_000), seconds(16_000)
    assert large < 8 * small * 2  # 8 times the paragraphs: linear, with room for noise


def test_a_run_of_tiny_paragraphs_is_read_as_lines_of_words() -> None:
    """A page of a million ``<p>word`` (the hostile benchmark's) cost the cleaning ~100 µs per
    ``<p>``: the plain reader groups a long run of tiny lines into paragraphs of ``TINY_RUN`` lines,
    so the per-paragraph work is done once per group. Short runs (a list, a menu) stay as they are."""
    n = 5 * TINY_RUN + 7
    tiny = page([*SENTENCES[:2], *(f"w{i}" for i in range(n)), *SENTENCES[2:]])
    lines = plain_paragraphs(parse_html(tiny.decode()))
    words = [line.text for line in lines if line.text.startswith("w")]
    assert len(words) == 6 and all(len(line.split("\n")) == TINY_RUN for line in words[:5])
    assert "\n".join(words).split("\n") == [f"w{i}" for i in range(n)]  # every piece on its line, in page order
    article = extract(RawItem(tiny, "text/html", "html", "tiny.html"), small_limit())
    assert article.text.index(SENTENCES[1]) < article.text.index("w0\nw1\nw2") < article.text.index(SENTENCES[2])
    # a short run, a link or a line of more words is left as it is
    items = ["Share", "Print", "Email"] * 20 + ["<a href='/x'>A link</a>"] + ["one two"] * 30 + ["one two three four"]
    lines = plain_paragraphs(parse_html(page([*SENTENCES, *items]).decode()))
    assert [line.text for line in lines].count("Share") == 20 and [line.text for line in lines].count("one two") == 30
