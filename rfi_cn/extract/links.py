"""Links on a page, as real-site URLs: articles, pagination, sections, keyword, author and archive pages.

Pagination is followed by structure, not by one URL shape: any link inside a
pagination block (or a ``rel=next``) counts, whether it reads ``/cn/中国/2/``
or ``?page=2``. Keyword, author and archive pages are found by where they point
(``/cn/关键词/<tag>/``, ``/cn/作者/<name>/``, ``/cn/档案资料库/…``), wherever they
sit on the page.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from parsel import Selector

from rfi_cn.periods import ARCHIVE_PREFIX
from rfi_cn.site import InvalidLinkError, is_article_url, link_url, path_of, resolve_link, section_name, site_path_url

LINKS_XPATH = "//a/@href"
_PAGINATION_BLOCK = "//*[contains(@class, 'm-pagination') or contains(@class, 'pagination')]"
PAGINATION_XPATH = (
    f"{_PAGINATION_BLOCK}//a/@href"
    " | //a[@rel='next']/@href | //link[@rel='next']/@href"
    " | //*[@data-load-more]/@href | //*[@data-load-more]/@data-href"
)
# The "next page" link: rel=next, a class saying so, or a label saying so.
_NEXT_LABELS = ("下一页", "下一頁", "下页", "Next", "Suivant", "›", "»", ">")
NEXT_PAGE_XPATH = (
    "//link[@rel='next']/@href | //a[@rel='next']/@href"
    f" | {_PAGINATION_BLOCK}//a[contains(@class, 'next') or contains(@class, 'Next')]/@href"
    f" | {_PAGINATION_BLOCK}//a[{' or '.join(f'normalize-space(.)={label!r}' for label in _NEXT_LABELS)}]/@href"
    " | //*[@data-load-more]/@href | //*[@data-load-more]/@data-href"
)
NAVIGATION_XPATH = "//a[contains(concat(' ', normalize-space(@class), ' '), ' a-nav-item ')]/@href"
NOT_SECTIONS = frozenset({"再次收听", "直播", "应用", "我们是谁", "档案资料库", "关键词", "作者"})
TAG_PREFIX = "/cn/关键词/"
AUTHOR_PREFIX = "/cn/作者/"
_NAMED_PAGE = re.compile(r"^/cn/(?:关键词|作者)/[^/]+/?$")


def article_links(selector: Selector, page_url: str) -> list[str]:
    """Distinct article URLs linked from the page, in page order."""
    return _site_urls(selector.xpath(LINKS_XPATH).getall(), page_url, is_article_url)


def invalid_link_count(selector: Selector, page_url: str) -> int:
    """How many of the page's hrefs cannot be resolved at all (``http://[oops/``): every
    extractor here skips them (``link_url`` gives ``None``)."""
    invalid = 0
    for href in selector.xpath(LINKS_XPATH).getall():
        try:
            resolve_link(href, page_url)
        except InvalidLinkError:
            invalid += 1
    return invalid


def pagination_links(selector: Selector, page_url: str) -> list[str]:
    """Distinct pages the listing's pagination block links to, this page excluded."""
    links = _site_urls(selector.xpath(PAGINATION_XPATH).getall(), page_url, _any)
    here = link_url(page_url, page_url)
    return [link for link in links if link != here and not is_article_url(link)]


def next_page_link(selector: Selector, page_url: str) -> str | None:
    """The page after this one, when the pagination block says which it is."""
    links = _site_urls(selector.xpath(NEXT_PAGE_XPATH).getall(), page_url, _any)
    here = link_url(page_url, page_url)
    return next((link for link in links if link != here and not is_article_url(link)), None)


def section_links(selector: Selector, page_url: str) -> list[str]:
    """Distinct section index pages linked from the site navigation."""

    def is_section(url: str) -> bool:
        name = section_name(url)
        return name is not None and name not in NOT_SECTIONS

    return _site_urls(selector.xpath(NAVIGATION_XPATH).getall(), page_url, is_section)


def tag_links(selector: Selector, page_url: str) -> list[str]:
    """Distinct keyword pages (``/cn/关键词/<tag>/``) linked from the page."""
    return _listing_links(selector, page_url, lambda path: path.startswith(TAG_PREFIX) and _is_named(path))


def author_links(selector: Selector, page_url: str) -> list[str]:
    """Distinct author pages (``/cn/作者/<name>/``) linked from the page."""
    return _listing_links(selector, page_url, lambda path: path.startswith(AUTHOR_PREFIX) and _is_named(path))


def archive_links(selector: Selector, page_url: str) -> list[str]:
    """Distinct archive pages (years, months, days, their pages) linked from the page, this one excluded."""
    here = link_url(page_url, page_url)
    links = _listing_links(selector, page_url, lambda path: path.startswith(ARCHIVE_PREFIX))
    return [link for link in links if link != here and path_of(link) != ARCHIVE_PREFIX]


def named_page_url(prefix: str, name: str) -> str:
    """The keyword or author page of ``name`` (``-a tags=台湾`` → ``/cn/关键词/台湾/``)."""
    return site_path_url(f"{prefix}{name.strip()}/")


def _is_named(path: str) -> bool:
    return _NAMED_PAGE.match(path) is not None


def _any(url: str) -> bool:
    return True


def _listing_links(selector: Selector, page_url: str, keep_path: Callable[[str], bool]) -> list[str]:
    """Links to listing pages (not articles) whose decoded path ``keep_path`` accepts."""
    return _site_urls(
        selector.xpath(LINKS_XPATH).getall(),
        page_url,
        lambda url: not is_article_url(url) and keep_path(path_of(url)),
    )


def _site_urls(hrefs: Iterable[str], page_url: str, keep: Callable[[str], bool]) -> list[str]:
    seen: dict[str, None] = {}
    for href in hrefs:
        url = link_url(href, page_url)
        if url is not None and url not in seen and keep(url):
            seen[url] = None
    return list(seen)
