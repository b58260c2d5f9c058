"""Links on listing pages: articles, pagination, sections, as crawlable URLs.

Pagination is followed by structure, not by one URL shape: any link inside a
pagination block (or a ``rel=next``) counts, whether it reads ``/cn/中国/2/``
or ``?page=2``.
"""

from __future__ import annotations

from parsel import Selector

from rfi_cn.urls import is_article_url, section_name, to_crawl_url

ARTICLE_LINKS_XPATH = "//a/@href"
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


def article_links(selector: Selector, page_url: str, base_url: str) -> list[str]:
    """Distinct article URLs linked from the page, in page order."""
    return _crawl_urls(selector.xpath(ARTICLE_LINKS_XPATH).getall(), page_url, base_url, is_article_url)


def pagination_links(selector: Selector, page_url: str, base_url: str) -> list[str]:
    """Distinct pages the listing's pagination block links to, this page excluded."""
    links = _crawl_urls(selector.xpath(PAGINATION_XPATH).getall(), page_url, base_url, lambda url: True)
    here = to_crawl_url(page_url, page_url, base_url)
    return [link for link in links if link != here and not is_article_url(link)]


def next_page_link(selector: Selector, page_url: str, base_url: str) -> str | None:
    """The page after this one, when the pagination block says which it is."""
    links = _crawl_urls(selector.xpath(NEXT_PAGE_XPATH).getall(), page_url, base_url, lambda url: True)
    here = to_crawl_url(page_url, page_url, base_url)
    return next((link for link in links if link != here and not is_article_url(link)), None)


def section_links(selector: Selector, page_url: str, base_url: str) -> list[str]:
    """Distinct section index pages linked from the site navigation."""

    def is_section(url: str) -> bool:
        name = section_name(url)
        return name is not None and name not in NOT_SECTIONS

    return _crawl_urls(selector.xpath(NAVIGATION_XPATH).getall(), page_url, base_url, is_section)


def _crawl_urls(hrefs: list[str], page_url: str, base_url: str, keep: object) -> list[str]:
    seen: dict[str, None] = {}
    for href in hrefs:
        url = to_crawl_url(href, page_url, base_url)
        if url is not None and url not in seen and keep(url):  # type: ignore[operator]
            seen[url] = None
    return list(seen)
