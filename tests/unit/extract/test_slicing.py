"""The page slice read before extraction: same item as the whole page, or the whole page."""

from __future__ import annotations

from datetime import date

import pytest
from parsel import Selector

from fixture_site.pages import article_html
from fixture_site.site import make_article
from rfi_cn.extract import extract_article
from rfi_cn.extract.slicing import article_slice
from tests.conftest import PAGES, shared_file
from tests.unit.extract.test_article import CRAWLED, MIRROR_PAGE, REAL_ARTICLE, run_pipelines


def item_of(page: bytes) -> dict[str, object]:
    """The record the pipelines make of ``page``; a reject's own clock time left out."""
    selector = Selector(body=page, encoding="utf-8", type="html")
    record = dict(run_pipelines(extract_article(selector, MIRROR_PAGE, CRAWLED)))
    record.pop("rejected_at", None)
    return record


def test_the_real_article_gives_the_same_item_from_a_tenth_of_the_page() -> None:
    page = shared_file(REAL_ARTICLE).read_bytes()
    part = article_slice(page)
    assert len(part) < len(page) // 10
    assert b"<style" not in part and part.count(b"<script") == 1  # the JSON-LD only
    assert item_of(part) == item_of(page)


def test_a_padded_fixture_article_loses_its_padding_not_its_fields() -> None:
    page = article_html(make_article(21, "政治", date(2025, 11, 9), padding_bytes=200_000)).encode()
    part = article_slice(page)
    assert len(part) < 10_000
    assert item_of(part) == item_of(page)
    assert item_of(part)["tags"] == ["经济", "文化"] and item_of(part)["section"] == "政治"


def test_the_hostile_fixture_page_keeps_its_blocks_in_page_order() -> None:
    page = (PAGES / "programme_updated.html").read_bytes()
    part = article_slice(page)
    assert part != page
    assert part.index(b"m-breadcrumb") < part.index(b"<article") < part.index(b"t-content__tags")
    assert item_of(part) == item_of(page)


@pytest.mark.parametrize(
    "page",
    [
        pytest.param((PAGES / "minimal.html").read_bytes(), id="no-article-element"),
        pytest.param(b"<html><body><article><p>x</p></article></body></html>", id="no-head"),
        pytest.param(b"<html><head><style>p{}</head><body><article>x</article></body></html>", id="unclosed-style"),
        pytest.param(b"<html><head></head><body><article>x</body></html>", id="unclosed-article"),
        pytest.param(
            b'<html><head></head><body><article>x</article><div class="t-content__tags"><ul></body></html>',
            id="unclosed-tags",
        ),
        pytest.param(b"<html><head></head><body><article><article>x</article></article></body></html>", id="nested"),
        pytest.param(b"", id="empty"),
    ],
)
def test_a_page_without_the_expected_structure_is_read_whole(page: bytes) -> None:
    assert article_slice(page) is page


def test_head_scripts_and_styles_go_in_any_case_and_json_ld_stays() -> None:
    page = (
        b'<html lang="zh-Hans"><HEAD><meta property="og:title" content="T"><SCRIPT>if (a<b) {x="</scr"}</SCRIPT >'
        b'<style media="x">a{}</STYLE><script type="application/ld+json">{"wordCount": 7}</script></HEAD>'
        b'<body><header>nav</header><article class="a"><h1>x</h1></article><footer>f</footer></body></html>'
    )
    assert article_slice(page) == (
        b'<html lang="zh-Hans"><HEAD><meta property="og:title" content="T">'
        b'<script type="application/ld+json">{"wordCount": 7}</script>'
        b'</head><body><article class="a"><h1>x</h1></article></body></html>'
    )


def test_blocks_are_found_on_either_side_of_the_article_and_may_not_overlap() -> None:
    tags = b'<div class="t-content__tags"><ul><li><a class="a-hot-tag">x</a></li></ul></div>'
    crumb = b'<nav class="m-breadcrumb"><a>y</a></nav>'
    page = b"<html><head></head><body>" + tags + b"<article>z</article>" + crumb + b"</body></html>"
    assert (
        article_slice(page) == b"<html><head></head><body>" + tags + b"<article>z</article>" + crumb + b"</body></html>"
    )
    overlapping = b'<html><head></head><body><nav class="m-breadcrumb"><article>z</article></nav></body></html>'
    assert article_slice(overlapping) is overlapping


# --- properties ---------------------------------------------------------------------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@settings(max_examples=60, deadline=None)
@given(
    number=st.integers(min_value=1, max_value=999),
    untitled=st.booleans(),
    no_code=st.booleans(),
    no_image=st.booleans(),
    padding=st.sampled_from([0, 5_000]),
)
def test_any_fixture_article_gives_the_same_item_sliced_or_whole(
    number: int, untitled: bool, no_code: bool, no_image: bool, padding: int
) -> None:
    overrides: dict[str, object] = {"padding_bytes": padding}
    if untitled:
        overrides["title"] = None
    if no_code:
        overrides["code"] = None
    if no_image:
        overrides["image"] = None
    page = article_html(make_article(number, "中国", date(2025, 11, 1), **overrides)).encode()
    assert article_slice(page) != page
    assert item_of(article_slice(page)) == item_of(page)


@given(st.binary(max_size=300) | st.lists(st.sampled_from(
    [b"<head>", b"</head>", b"<HEAD>", b"</HEAD >", b"<script>", b"</script>", b"<style>", b"</style", b"<article>",
     b"</article>", b'<nav class="m-breadcrumb">', b"</nav>", b'<div class="t-content__tags">', b"</ul>", b"</div>",
     b"<", b">", b"x", b"<s", b"</", b'type="application/ld+json"'])).map(b"".join))  # fmt: skip
def test_slicing_any_bytes_gives_bytes_and_never_raises(page: bytes) -> None:
    part = article_slice(page)
    assert part is page or part.endswith(b"</body></html>")
