"""A scheduled run reads a change feed first, and walks the sections only when it must.

``RFI_CHANGE_FEED`` (default ``/sitemaps/cn/news.xml``, the news sitemap: the last two days'
articles with ``lastmod`` and ``news:publication_date``) is read first by a run whose crawl
state holds articles (a first run, with nothing to compare, walks straight away: the
article filter puts the walk in the feed's place). Every
article it lists is handed to the article filter with its ``lastmod`` (``meta["rfi_lastmod"]``):
a known article is fetched again only when the feed says it changed since its export
(``rfi_cn.state.incremental``). Then comes the walk (the front page request, marked
``meta["rfi_walk"]``), which the filter (``rfi_cn.middlewares.requests``) drops when the feed
reaches back into what earlier runs saw (an article of its oldest day is known:
``rfi_cn/change_feed/covered``), unless a walk is due anyway: the last one is older than
``RFI_WALK_EVERY_HOURS`` or a walk found the feed incomplete (``feed_distrusted``). Otherwise
(an empty, invalid or oversized feed, a gap since the last run, an unclean stop) the walk
follows (``rfi_cn/change_feed/walked``); a feed that fails to download (404, 403, a redirect,
over ``RFI_CHANGE_FEED_MAX_BYTES``, a timeout) costs that one request, is neither retried nor
followed, and falls back on the walk (``rfi_cn/change_feed/failed``), without a failure
record: the feed is an optimisation, not a page of the site's content.

Not used for a backfill (``-a full=1``) or with ``-a sections=``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import scrapy
from scrapy.crawler import Crawler
from scrapy.http import Response, XmlResponse
from twisted.python.failure import Failure

from rfi_cn.extract.sitemaps import feed_entries, sitemap_body
from rfi_cn.middlewares.requests import FEED, LASTMOD, PUBLISHED, WALK
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
    article_request: Callable[[str], scrapy.Request]
    front_page_request: Callable[[], scrapy.Request]

    def change_feed_request(self) -> scrapy.Request | None:
        """The feed's request, or ``None`` when this run walks the sections straight away."""
        settings = self.crawler.settings
        path = settings.get("RFI_CHANGE_FEED")
        if not path or self.sections or self.full:
            return None
        url = link_url(path, f"{SITE_ORIGIN}/", SITEMAP_PREFIX)
        if url is None:
            raise ValueError(f"RFI_CHANGE_FEED: {path!r} is not a path under {SITEMAP_PREFIX}")
        meta = {
            FEED: True,
            "dont_retry": True,  # one request, whatever happens: the walk is the fallback
            "dont_redirect": True,
            "download_maxsize": settings.getint("RFI_CHANGE_FEED_MAX_BYTES"),
        }
        return scrapy.Request(url, callback=self.parse_change_feed, errback=self.on_change_feed_error, meta=meta)

    def parse_change_feed(self, response: Response) -> Iterator[Any]:
        """The feed's articles; then the walk, unless the feed covers the time since the last run."""
        settings = self.crawler.settings
        max_size = settings.getint("RFI_CHANGE_FEED_MAX_BYTES")
        body = sitemap_body(response.body, response.url, isinstance(response, XmlResponse), max_size)
        limit = settings.getint("RFI_CHANGE_FEED_MAX_URLS")
        entries = feed_entries(body, response.url, self.dates, limit) if body else None
        if entries is None:
            self.crawler.stats.inc_value("rfi_cn/change_feed/invalid")
            self.logger.warning("Ignoring the change feed %s: not a urlset of at most %d URLs", response.url, limit)
        self.crawler.stats.inc_value("rfi_cn/change_feed/articles", len(entries or []))
        for entry in entries or []:
            request = self.article_request(entry.url)
            request.meta[LASTMOD] = entry.lastmod
            request.meta[PUBLISHED] = entry.published or entry.lastmod
            yield request
        walk = self.front_page_request()
        walk.meta[WALK] = True
        yield walk

    def on_change_feed_error(self, failure: Failure) -> Iterator[Any]:
        self.logger.warning("Change feed unavailable (%s): walking the sections", failure.getErrorMessage())
        self.crawler.stats.inc_value("rfi_cn/change_feed/failed")
        yield self.front_page_request()
