"""Hostile article pages: deep, wide, broken JSON-LD, lying charsets. Exact results or a refusal."""

from __future__ import annotations

import pytest

from rfi_cn.extract.article import extract_body, extract_page
from rfi_cn.extract.document import MAX_NESTING_WORK, Page, PageTooDeepError, nesting_work

URL = "https://www.rfi.fr/cn/%E6%94%BF%E6%B2%BB/20251201-a"
ARTICLE = (
    '<article data-article-content><h1 class="t-content__title">深处的标题</h1>'
    '<div class="t-content__body"><p>正文在最深处。</p></div></article>'
    '<div class="t-content__tags"><a class="a-hot-tag">深</a></div>'
)


def nested(depth: int, inner: str, tag: str = "div") -> str:
    return f"<html><body>{f'<{tag}>' * depth}{inner}{f'</{tag}>' * depth}</body></html>"


@pytest.mark.parametrize("depth", [300, 2_100, 5_000])
def test_an_article_nested_deeper_than_libxml2_keeps_every_field(depth: int) -> None:
    # libxml2 drops what follows ~256 (fragment) / ~2,048 (page) levels without a word; lexbor keeps it
    item = extract_page(nested(depth, ARTICLE), URL, "t").item
    assert (item["title"], item["tags"]) == ("深处的标题", ["深"])
    assert item["body_html"] == '<div class="t-content__body"><p>正文在最深处。</p></div>'


@pytest.mark.parametrize(
    "page",
    [
        nested(10_000, ARTICLE),
        "<html><body>" + "<div>" * 10_000 + ARTICLE,  # never closed
        "<html><body>" + "<div>" * 3_000 + "<div></div>" * 10_000 + ARTICLE + "</body></html>",  # deep and wide
    ],
    ids=["nested-10000", "unclosed-10000", "deep-and-wide"],
)
def test_a_page_whose_parse_would_take_seconds_is_refused(page: str) -> None:
    assert nesting_work(page.encode()) > MAX_NESTING_WORK
    with pytest.raises(PageTooDeepError):
        Page(page)
    with pytest.raises(PageTooDeepError):
        extract_body(page.encode(), "utf-8", URL, "t")


def test_nested_inline_elements_cost_nothing_and_are_not_refused() -> None:
    page = nested(50_000, ARTICLE, tag="span")
    assert nesting_work(page.encode()) > MAX_NESTING_WORK  # the estimate is an upper bound...
    with pytest.raises(PageTooDeepError):  # ...so it refuses these too: documented, no real page comes near
        Page(page)


@pytest.mark.parametrize(
    "block",
    [
        "{ not json",
        "[" * 100_000 + "]" * 100_000,  # deeper than json.loads recurses
        '{"@type": "NewsArticle", "wordCount": true, "author": 7, "keywords": {"a": 1}, "image": [[]]}',
        '{"@type": ["ReportageNewsArticle", "Thing"], "headline": "从 JSON-LD 来", "wordCount": "12"}',
    ],
    ids=["malformed", "deep", "wrong-types", "type-list"],
)
def test_json_ld_of_any_shape_never_breaks_the_page(block: str) -> None:
    page = f'<html><head><script type="application/ld+json">{block}</script></head><body>{ARTICLE}</body></html>'
    item = extract_page(page, URL, "t").item
    assert item["title"] == "深处的标题" and item["authors"] == [] and item["image_url"] is None
    assert item["word_count"] == (12 if "从 JSON-LD" in block else None)


def test_a_gb18030_page_labelled_utf8_is_read_in_gb18030() -> None:
    page = f'<html><head><meta charset="utf-8"></head><body>{ARTICLE}</body></html>'.encode("gb18030")
    item = extract_body(page, "utf-8", URL, "t").item
    assert item["title"] == "深处的标题" and item["tags"] == ["深"]


def test_a_utf8_page_labelled_latin1_is_read_in_utf8() -> None:
    page = f"<html><body>{ARTICLE}</body></html>".encode()
    assert extract_body(page, "iso-8859-1", URL, "t").item["title"] == "深处的标题"


def test_a_page_that_spells_a_replacement_character_keeps_it() -> None:
    page = "<html><body>" + ARTICLE.replace("深处的标题", "坏\ufffd字") + "</body></html>"
    assert extract_body(page.encode(), "utf-8", URL, "t").item["title"] == "坏\ufffd字"


def test_a_figure_outside_the_article_or_in_its_body_is_not_the_lead_image() -> None:
    page = (
        '<html><head><meta property="og:image" content="https://s.test/og.jpg"></head><body>'
        '<header><figure><img src="https://s.test/logo.png"><figcaption><span>徽标</span></figcaption></figure></header>'
        '<article data-article-content><div class="t-content__body"><figure><img src="https://s.test/inline.jpg">'
        "</figure><p>正文</p></div></article></body></html>"
    )
    item = extract_page(page, URL, "t").item
    assert (item["image_url"], item["image_caption"], item["image_credit"]) == ("https://s.test/og.jpg", None, None)
