"""Who an article page is: its URL (canonical, trusted only for this edition) and its share code."""

from __future__ import annotations

import pytest

from rfi_cn.extract.article import extract_page, fallback_id, share_code
from rfi_cn.extract.document import Page

FETCHED = "https://www.rfi.fr/cn/%E6%94%BF%E6%B2%BB/20251201-a"
OTHER = "https://www.rfi.fr/cn/%E5%9B%BD%E9%99%85/20251202-b"


def page_with_canonical(href: str) -> str:
    return f'<html><head><link rel="canonical" href="{href}"></head><body></body></html>'


@pytest.mark.parametrize(
    ("href", "url", "ignored"),
    [
        (FETCHED, FETCHED, False),
        (OTHER, OTHER, False),  # another article URL of the edition: the page says it is that one
        ("/cn/%E5%9B%BD%E9%99%85/20251202-b", OTHER, False),  # relative
        ("https://rfi.fr/cn/%E5%9B%BD%E9%99%85/20251202-b#top", OTHER, False),  # bare host, fragment
        ("http://www.rfi.fr/cn/%E5%9B%BD%E9%99%85/20251202-b", OTHER, False),  # the site's own scheme
        ("https://mirror.example.net/cn/%E5%9B%BD%E9%99%85/20251202-b", FETCHED, True),  # another host
        ("https://www.rfi.fr.evil.test/cn/%E5%9B%BD%E9%99%85/20251202-b", FETCHED, True),
        ("https://www.rfi.fr/tw/%E5%9C%8B%E9%9A%9B/20251202-b", FETCHED, True),  # another edition
        ("https://www.rfi.fr/cn/%E6%94%BF%E6%B2%BB/", FETCHED, True),  # a section page
        ("https://www.rfi.fr/cn/", FETCHED, True),  # the front page
        ("javascript:alert(1)", FETCHED, True),
        ("   ", FETCHED, False),  # empty: no claim at all
    ],
)
def test_a_canonical_is_believed_only_for_an_article_of_this_edition(href: str, url: str, ignored: bool) -> None:
    extraction = extract_page(page_with_canonical(href), FETCHED, "t")
    assert (extraction.item["url"], extraction.canonical_ignored) == (url, ignored)
    assert extraction.item["id"] == fallback_id(url)


def test_no_canonical_is_the_fetched_url() -> None:
    extraction = extract_page("<html><body></body></html>", FETCHED, "t")
    assert (extraction.item["url"], extraction.canonical_ignored) == (FETCHED, False)


SHARE_BAR = '<div class="t-content__shares"><ul class="m-share-bar"><li class="m-share-bar__item"><a href="https://x.com/intent/tweet?url=https%3A%2F%2Frfi.my%2FOwn1.X">x</a></li></ul></div>'
BODY_LINK = '<div class="t-content__body"><p><a href="https://rfi.my/Othr.F">another article</a></p></div>'


@pytest.mark.parametrize(
    ("html", "code"),
    [
        (f"<article>{BODY_LINK}{SHARE_BAR}</article>", "Own1"),  # the body comes first: not its code
        (f"<article>{SHARE_BAR}{BODY_LINK}</article>", "Own1"),
        (f"<article>{BODY_LINK}</article>", None),  # only the body names a code: none is ours
        (f"{BODY_LINK}", None),  # no article container either
        # the share bar with every wrapper renamed: any rfi.my link of the article outside its body
        (f'<article>{BODY_LINK}<div class="x"><a href="https://rfi.my/Own2.W">w</a></div></article>', "Own2"),
        # the site's header and footer share the site, not the article
        ('<header><a href="https://rfi.my/Hdr1.F">s</a></header><article></article><footer><a href="https://rfi.my/Ftr1.F">f</a></footer>', None),
        # a self-reference in the head
        ('<html><head><meta property="og:see_also" content="https://rfi.my/Head.F"></head><body>' + BODY_LINK + "</body></html>", "Head"),
        (f'<html><head><link rel="shortlink" href="https://rfi.my/Lnk1.F"></head><body><article>{SHARE_BAR}</article></body></html>', "Own1"),
    ],
)  # fmt: skip
def test_the_share_code_is_the_articles_own_never_its_bodys(html: str, code: str | None) -> None:
    assert share_code(Page(html)) == code
    item = extract_page(html, FETCHED, "t").item
    assert item["id"] == (code or fallback_id(FETCHED))
