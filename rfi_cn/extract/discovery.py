"""Links to the listings beyond the sections: keyword, author and archive pages.

Found by where they point (``/cn/关键词/<tag>/``, ``/cn/作者/<name>/``,
``/cn/档案资料库/…``), wherever they sit on the page: the front page's tag and
archive blocks, an article's tags and authors, an archive's years, months and
days. The listings themselves are read with ``listing.article_links`` and the
pagination helpers.
"""

from __future__ import annotations

import re

from parsel import Selector
from w3lib.url import safe_url_string

from rfi_cn.periods import ARCHIVE_PREFIX
from rfi_cn.urls import is_article_url, path_of, to_crawl_url

LINKS_XPATH = "//a/@href"
TAG_PREFIX = "/cn/关键词/"
AUTHOR_PREFIX = "/cn/作者/"
_NAMED_PAGE = re.compile(r"^/cn/(?:关键词|作者)/[^/]+/?$")


def tag_links(selector: Selector, page_url: str, base_url: str) -> list[str]:
    """Distinct keyword pages (``/cn/关键词/<tag>/``) linked from the page."""
    return _links(selector, page_url, base_url, lambda path: path.startswith(TAG_PREFIX) and _is_named(path))


def author_links(selector: Selector, page_url: str, base_url: str) -> list[str]:
    """Distinct author pages (``/cn/作者/<name>/``) linked from the page."""
    return _links(selector, page_url, base_url, lambda path: path.startswith(AUTHOR_PREFIX) and _is_named(path))


def archive_links(selector: Selector, page_url: str, base_url: str) -> list[str]:
    """Distinct archive pages (years, months, days, their pages) linked from the page, this one excluded."""
    here = to_crawl_url(page_url, page_url, base_url)
    links = _links(selector, page_url, base_url, lambda path: path.startswith(ARCHIVE_PREFIX))
    return [link for link in links if link != here and path_of(link) != ARCHIVE_PREFIX]


def named_page_url(base_url: str, prefix: str, name: str) -> str:
    """The keyword or author page of ``name`` (``-a tags=台湾`` → ``/cn/关键词/台湾/``)."""
    return safe_url_string(f"{base_url.rstrip('/')}{prefix}{name.strip()}/")


def _is_named(path: str) -> bool:
    return _NAMED_PAGE.match(path) is not None


def _links(selector: Selector, page_url: str, base_url: str, keep: object) -> list[str]:
    seen: dict[str, None] = {}
    for href in selector.xpath(LINKS_XPATH).getall():
        url = to_crawl_url(href, page_url, base_url)
        if url is not None and not is_article_url(url) and keep(path_of(url)):  # type: ignore[operator]
            seen.setdefault(url, None)
    return list(seen)
