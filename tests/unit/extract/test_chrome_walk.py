"""What the site chrome holds is found by reading each match's ancestors (few and shallow on a
real page), else by lexbor's descendant selectors: both give exactly what the selectors say,
at any depth."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from rfi_cn.extract.article import extract_article
from rfi_cn.extract.document import ANCESTOR_WALK, CHROME, Page

TAGS = ".a-hot-tag"


def by_selectors(page: Page, query: str) -> list[str]:
    """The reference: lexbor's own ``header X, footer X, aside X``."""
    inside = {node.mem_id for node in page.css(", ".join(f"{outer} {query}" for outer in CHROME))}
    return [node.text() for node in page.css(query) if node.mem_id not in inside]


def nested(tags: list[str], leaf: str) -> str:
    return "".join(f"<{tag}>" for tag in tags) + leaf + "".join(f"</{tag}>" for tag in reversed(tags))


def test_a_tag_deeper_than_the_walk_inside_and_outside_the_chrome() -> None:
    deep = ["div"] * (ANCESTOR_WALK + 40)
    page = Page(
        "<html><body>"
        + nested(["header", *deep], '<a class="a-hot-tag">in header</a>')
        + nested(["section", *deep], '<a class="a-hot-tag">outside</a>')
        + nested(["aside", "div", "span"], '<a class="a-hot-tag">in aside</a>')
        + '<a class="a-hot-tag">top</a></body></html>'
    )
    assert [node.text() for node in page.content(TAGS)] == ["outside", "top"] == by_selectors(page, TAGS)


def test_hot_tags_of_an_article_nested_past_the_walk() -> None:
    deep = ["div"] * (ANCESTOR_WALK * 3)
    page = nested(
        ["main", *deep],
        '<article data-article-content><h1 class="t-content__title">T</h1>'
        '<a class="a-hot-tag">台湾</a><a class="a-hot-tag">国防</a></article>',
    )
    chrome = '<header><a class="a-hot-tag">热门</a></header>'
    item = extract_article(f"<html><body>{chrome}{page}</body></html>", "https://www.rfi.fr/cn/x/20251130-x", "x")
    assert item["tags"] == ["台湾", "国防"]


CONTAINERS = st.sampled_from(["header", "footer", "aside", "div", "span", "section", "nav", "HEADER", "svg", "p"])


@settings(max_examples=150)
@given(st.lists(st.tuples(st.lists(CONTAINERS, max_size=8), st.integers(0, ANCESTOR_WALK + 8)), max_size=6))
def test_the_walk_agrees_with_the_selectors(blocks: list[tuple[list[str], int]]) -> None:
    body = "".join(
        nested([*outer, *["div"] * padding], f'<a class="a-hot-tag">{index}</a>')
        for index, (outer, padding) in enumerate(blocks)
    )
    page = Page(f"<html><body>{body}</body></html>")
    assert [node.text() for node in page.content(TAGS)] == by_selectors(page, TAGS)
