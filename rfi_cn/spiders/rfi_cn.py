"""The ``rfi_cn`` spider: it only navigates.

Front page → section index pages (from the site navigation, or ``-a sections=``)
→ their pagination → article pages. Extraction lives in ``rfi_cn.extract``;
cleaning, dates and validation in the pipelines. Every article URL it reaches
is requested once and ends as an article, a reject or a failure.

Arguments: ``sections`` (comma-separated names, default all), ``max_pages``
(listing pages per section, at most ``RFI_MAX_LISTING_PAGES``), ``since`` (``YYYY-MM-DD``: skip older articles
and stop paginating a section at a page holding only older ones), ``full``
(``1``: ignore the crawl state, see ``rfi_cn.state.incremental``); ``discover``,
``until``, ``tags``, ``authors``: the other sources, see ``rfi_cn.spiders.sources``.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import date
from typing import Any, ClassVar

import scrapy
from parsel import Selector
from scrapy.crawler import Crawler
from scrapy.http import Response, TextResponse
from twisted.python.failure import Failure

from rfi_cn.accounting import failure_record, reject
from rfi_cn.extract import article_links, next_page_link, pagination_links, section_links
from rfi_cn.extract.article import extract_body
from rfi_cn.extract.document import PageTooDeepError
from rfi_cn.extract.links import invalid_link_count
from rfi_cn.extract.sniff import binary_kind
from rfi_cn.middlewares.requests import ARTICLE, FRONT, LISTING, NEXT_PAGE, claim_digest
from rfi_cn.normalise.dates import utc_now_iso
from rfi_cn.normalise.encoding import page_text
from rfi_cn.site import FRONT_PAGE, SITE_HOSTS, article_date, section_name, section_url
from rfi_cn.spiders.arguments import refuse_bad_arguments
from rfi_cn.spiders.feed import ChangeFeed
from rfi_cn.spiders.sources import DiscoverySources


class RfiCnSpider(ChangeFeed, DiscoverySources, scrapy.Spider):
    name = "rfi_cn"
    allowed_domains: ClassVar[list[str]] = sorted(SITE_HOSTS)

    def __init__(
        self,
        sections: str | None = None,
        max_pages: str | int | None = None,
        since: str | None = None,
        full: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.sections = [name.strip() for name in (sections or "").split(",") if name.strip()]
        self.max_pages = int(max_pages) if max_pages else None
        self.since = date.fromisoformat(since) if since else None
        self.full = bool(full and full not in ("0", "false", "no"))  # read by rfi_cn.state.incremental
        self.listing_pages: dict[str, set[str]] = {}
        # the article links each section's pages listed, as claim digests (20 bytes, not the URL)
        self.section_articles: dict[str, set[bytes]] = {}
        self.max_listing_pages = 50  # RFI_MAX_LISTING_PAGES, read in from_crawler
        self.arguments: dict[str, str] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> RfiCnSpider:
        refuse_bad_arguments(kwargs, logging.getLogger(cls.name))  # one line, exit 2, before anything starts
        spider: RfiCnSpider = super().from_crawler(crawler, *args, **kwargs)
        spider.arguments = {name: str(value) for name, value in kwargs.items()}  # for the run manifest
        spider.max_listing_pages = crawler.settings.getint("RFI_MAX_LISTING_PAGES", 50)
        return spider

    async def start(self) -> AsyncIterator[scrapy.Request]:
        self._resume_memory()
        for request in self.source_requests():
            yield request
        if "sections" not in self.discover:
            return
        if self.sections:
            for name in self.sections:
                yield self.listing_request(section_url(name), name)
        else:
            yield self.change_feed_request() or self.front_page_request()

    def front_page_request(self) -> scrapy.Request:
        return scrapy.Request(FRONT_PAGE, callback=self.parse_front, errback=self.on_listing_error, meta={FRONT: True})

    def parse_front(self, response: Response) -> Iterator[Any]:
        """The front page: every navigation section, and the articles it lists.

        @path /cn/
        @returns requests 4
        @returns items 0 0
        """
        selector = page_selector(response)
        self._count_invalid_links(selector, response.url)
        yield from self.front_page_sources(selector, response.url)
        for url in section_links(selector, response.url):
            yield self.listing_request(url, section_name(url) or url)
        yield from self.article_requests(article_links(selector, response.url))

    def parse_listing(self, response: Response, section: str) -> Iterator[Any]:
        """A section page: its articles, then the next page.

        A section's walk ends at ``RFI_MAX_LISTING_PAGES`` pages (or ``-a max_pages``),
        after a page that lists no article its earlier pages did not list, and
        (``-a since``) at a page holding only older articles.

        @path /cn/政治/
        @cb_kwargs {"section": "政治"}
        @returns requests 2
        @returns items 0 0
        """
        selector = page_selector(response)
        self._count_invalid_links(selector, response.url)
        links = article_links(selector, response.url)
        yield from self.article_requests(links)
        if self._only_older(links):
            self.crawler.stats.inc_value("rfi_cn/listings/stopped_by_since")
            return
        seen = self.section_articles.setdefault(section, set())
        new = set(map(claim_digest, links)) - seen
        seen |= new
        next_pages = [url for url in self.next_pages(selector, response.url) if url not in self._pages(section)]
        if not next_pages:
            return
        if not new:
            self.crawler.stats.inc_value("rfi_cn/listings/stopped_no_new")
            return
        room = self._page_limit() - len(self._pages(section))
        if room < len(next_pages):
            self.crawler.stats.inc_value("rfi_cn/listings/stopped_by_limit")
            if self.max_pages is None or self.max_pages >= self.max_listing_pages:  # the safety bound, not -a
                self.crawler.stats.inc_value("rfi_cn/listings/stopped_by_max_listing_pages")
        for url in next_pages[: max(room, 0)]:
            yield self.listing_request(url, section, next_page=True)

    def parse_article(self, response: Response) -> Iterator[Any]:
        """An article page: its item, or a reject when it cannot be read.

        @path /cn/政治/20251130-台湾增加400亿美元国防开支-加速部署t-dome防空系统
        @returns items 1 1
        @returns requests 0 0
        @scrapes id url title lead published_at body_html
        """
        content_type = (response.headers.get("Content-Type") or b"").decode("latin-1")
        if not isinstance(response, TextResponse):
            yield reject(response.url, "not_html", content_type)
            return
        binary = binary_kind(response.body)
        if binary is not None:  # a PDF or image labelled text/html
            yield reject(response.url, "not_html", f"{content_type} (body is {binary})")
            return
        try:
            extraction = extract_body(response.body, response.encoding, response.url, utc_now_iso())
            if extraction.canonical_ignored:
                self.crawler.stats.inc_value("rfi_cn/articles/canonical_ignored")
            yield extraction.item
        except PageTooDeepError as exc:  # refused before parsing: see rfi_cn.extract.document
            yield reject(response.url, "too_deep", str(exc))
        except Exception as exc:  # a broken page must end in the rejects, not vanish
            self.logger.exception("Extraction failed for %s", response.url)
            yield reject(response.url, "extraction_error", repr(exc))
        yield from self.article_page_sources(response)

    def on_article_error(self, failure: Failure) -> Iterator[Any]:
        yield failure_record(failure, failure.request, kind="article")  # type: ignore[attr-defined]

    def on_listing_error(self, failure: Failure) -> Iterator[Any]:
        yield failure_record(failure, failure.request, kind="listing")  # type: ignore[attr-defined]

    def listing_request(self, url: str, section: str, next_page: bool = False) -> scrapy.Request:
        """A section (or keyword, author) page; ``next_page`` marks its pagination, which
        ``rfi_cn.middlewares.requests`` drops when the page held only known articles."""
        self.listing_pages.setdefault(section, set()).add(url)
        return scrapy.Request(
            url,
            callback=self.parse_listing,
            errback=self.on_listing_error,
            cb_kwargs={"section": section},
            meta={LISTING: True, NEXT_PAGE: next_page},
        )

    def article_requests(self, urls: list[str]) -> Iterator[scrapy.Request]:
        """One request per article link; ``rfi_cn.middlewares.requests`` decides which go out."""
        for url in urls:
            yield self.article_request(url)

    def article_request(self, url: str, dont_filter: bool = False) -> scrapy.Request:
        """The request for one article page (also used to re-request a dead worker's articles)."""
        return scrapy.Request(
            url,
            callback=self.parse_article,
            errback=self.on_article_error,
            dont_filter=dont_filter,
            meta={ARTICLE: True},
        )

    def _resume_memory(self) -> None:
        """With a ``JOBDIR``, the listing pages earlier runs reached live in the persisted
        ``self.state`` (saved at each clean stop; ``rfi_cn.state.resume`` discards it
        after an unclean one, so the listings are walked afresh)."""
        state = getattr(self, "state", None)
        if state is not None:
            self.listing_pages = state.setdefault("listing_pages", self.listing_pages)

    def next_pages(self, selector: Selector, page_url: str) -> list[str]:
        """The next page when the block names one (so ``since`` can stop early), else all pages."""
        following = next_page_link(selector, page_url)
        return [following] if following else pagination_links(selector, page_url)

    def _only_older(self, links: list[str]) -> bool:
        if self.since is None:
            return False
        dates = [day for day in map(article_date, links) if day is not None]
        return bool(dates) and all(day < self.since for day in dates)

    def _pages(self, section: str) -> set[str]:
        return self.listing_pages.setdefault(section, set())

    def _page_limit(self) -> int:
        """Listing pages per section: ``RFI_MAX_LISTING_PAGES``, or ``-a max_pages`` when lower."""
        if self.max_pages is None:
            return self.max_listing_pages
        return min(self.max_pages, self.max_listing_pages)

    def _count_invalid_links(self, selector: Selector, page_url: str) -> None:
        """Hrefs that cannot be resolved are skipped by the link extractors; counted here."""
        invalid = invalid_link_count(selector, page_url)
        if invalid:
            self.crawler.stats.inc_value("rfi_cn/links/invalid", invalid)


def page_selector(response: Response, cut: Callable[[bytes], bytes] | None = None) -> Selector:
    """A selector over the page (or the part ``cut`` keeps) that is not cached on the response.

    ``response.selector`` keeps the parsed tree alive in a reference cycle with
    the response until the garbage collector runs; a local selector is freed
    as soon as the callback returns. Only what ``cut`` keeps is decoded (an article
    page's 40 KB of its 540 KB): decoding the whole page costs as much as a parse.
    A wrong declared charset is corrected (``rfi_cn.normalise.encoding``). A page that is not
    text has no links.
    """
    if not isinstance(response, TextResponse) or not response.body:
        return Selector(text="", type="html")
    body = cut(response.body) if cut else response.body
    return Selector(text=page_text(body, response.encoding)[0], type="html")
