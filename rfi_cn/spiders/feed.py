"""A scheduled run reads a change feed first, and walks the sections only when it must.

With ``RFI_CHANGE_FEED`` set (a path under ``/sitemaps/cn/``, e.g. the news sitemap
``/sitemaps/cn/news.xml``, which lists the last two days' articles), a run that reads
the crawl state starts with the feed instead of the front page. Every article the
feed lists is handed to the article filter as usual, and so is the walk (the front
page request, marked ``meta["rfi_walk"]``). The filter (``rfi_cn.middlewares.requests``)
drops the walk when the feed reaches back into what earlier runs saw (an article of
its oldest day is known in the crawl state): everything published since the last run
is in it (``rfi_cn/change_feed/covered``). Otherwise (no crawl state, an empty or
unreadable feed, a gap since the last run, an unclean stop) the walk follows
(``rfi_cn/change_feed/walked``); a feed that fails to download also falls back on
the walk (``rfi_cn/change_feed/failed``), without a failure record: the feed is an
optimisation, not a page of the site's content.

Not used for a backfill (``-a full=1``) or with ``-a sections=``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import scrapy
from scrapy.crawler import Crawler
from scrapy.http import Response, XmlResponse
from twisted.python.failure import Failure

from rfi_cn.extract.sitemaps import sitemap_body, sitemap_links
from rfi_cn.middlewares.requests import FEED, WALK
from rfi_cn.periods import DateRange
from rfi_cn.site import SITE_ORIGIN, SITEMAP_PREFIX, link_url


class ChangeFeed:
    """The change-feed start of a scheduled run (a mixin for the spider)."""

    # Provided by the spider (rfi_cn.spiders.rfi_cn): its arguments and its navigation API.
    crawler: Crawler
    sections: list[str]
    full: bool
    logger: Any
    dates: DateRange
    article_requests: Callable[[list[str]], Iterator[scrapy.Request]]
    front_page_request: Callable[[], scrapy.Request]

    def change_feed_request(self) -> scrapy.Request | None:
        """The feed's request, or ``None`` when this run walks the sections straight away."""
        path = self.crawler.settings.get("RFI_CHANGE_FEED")
        if not path or self.sections or self.full:
            return None
        url = link_url(path, f"{SITE_ORIGIN}/", SITEMAP_PREFIX)
        if url is None:
            raise ValueError(f"RFI_CHANGE_FEED: {path!r} is not a path under {SITEMAP_PREFIX}")
        return scrapy.Request(
            url, callback=self.parse_change_feed, errback=self.on_change_feed_error, meta={FEED: True}
        )

    def parse_change_feed(self, response: Response) -> Iterator[Any]:
        """The feed's articles; then the walk, unless the feed covers the time since the last run."""
        max_size = self.crawler.settings.getint("DOWNLOAD_MAXSIZE")
        body = sitemap_body(response.body, response.url, isinstance(response, XmlResponse), max_size)
        urls = sitemap_links(body, response.url, self.dates).articles if body else []
        self.crawler.stats.inc_value("rfi_cn/change_feed/articles", len(urls))
        yield from self.article_requests(urls)
        walk = self.front_page_request()
        walk.meta[WALK] = True
        yield walk

    def on_change_feed_error(self, failure: Failure) -> Iterator[Any]:
        self.logger.warning("Change feed unavailable (%s): walking the sections", failure.getErrorMessage())
        self.crawler.stats.inc_value("rfi_cn/change_feed/failed")
        yield self.front_page_request()
