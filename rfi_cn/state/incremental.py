"""Incremental crawling: a scheduled run costs what is new, not what is archived.

``Incremental`` is what the spider and the pipeline ask about the crawl state
(``rfi_cn.state.store``): an article page already exported is not requested again
unless it was published within the refresh window (``INCREMENTAL_REFRESH_HOURS``
before ``INCREMENTAL_NOW``, default the clock); a listing page whose articles are
all known ends its section's pagination; ``-a full=1`` ignores the state.
``SkipUnchangedPipeline`` routes out a re-fetched article whose ``content_hash``
did not change (counted as ``rfi_cn/articles/unchanged``), and
``CrawlStateRecorder`` writes every exported article into the state once the
lake file holding it is published, and nothing else. All three share one state per crawl (``incremental_for``).
"""

from __future__ import annotations

import weakref
from collections import deque
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem, NotConfigured
from scrapy.extensions.feedexport import FeedSlot

from rfi_cn.items import ArticleItem
from rfi_cn.normalise.dates import utc_now_iso
from rfi_cn.state.store import CrawlState, KnownArticle, open_state


class UnchangedArticle(DropItem):
    """A re-fetched article whose text is the one already exported: not exported again."""

    def __init__(self, article_id: str) -> None:
        super().__init__(f"unchanged since the last export: {article_id}", log_level="DEBUG")
        self.article_id = article_id


def parse_now(value: str | None) -> datetime:
    """``INCREMENTAL_NOW`` as an aware UTC datetime; empty means the clock."""
    if not value:
        return datetime.now(UTC)
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def in_refresh_window(published_at: str | None, now: datetime, hours: float) -> bool:
    """True when an article published at ``published_at`` may still change: within
    ``hours`` before ``now`` (or after it). An unknown date is outside."""
    if not published_at:
        return False
    return parse_now(published_at) >= now - timedelta(hours=hours)


class Incremental:
    """The crawl state as the spider and the pipelines see it."""

    def __init__(self, state: CrawlState | None, now: datetime, refresh_hours: float, full: bool = False) -> None:
        self.state = state
        self.now = now
        self.refresh_hours = refresh_hours
        self.full = full

    @property
    def reading(self) -> bool:
        """Whether this run consults the state (not a backfill, and a state exists)."""
        return self.state is not None and not self.full

    def should_fetch(self, url: str) -> bool:
        """False for an article already exported and published before the refresh window."""
        if not self.reading:
            return True
        assert self.state is not None
        known = self.state.lookup_url(url)
        return known is None or in_refresh_window(known.published_at, self.now, self.refresh_hours)

    def all_known(self, urls: Iterable[str]) -> bool:
        """True when a listing page lists articles and every one was exported before."""
        if not self.reading:
            return False
        assert self.state is not None
        urls = list(urls)
        return bool(urls) and all(self.state.lookup_url(url) is not None for url in urls)

    def reached_known(self, urls: Iterable[str]) -> bool:
        """True when a listing page lists an article exported before and published before
        the refresh window: in a newest-first listing, every later one is older."""
        if not self.reading:
            return False
        assert self.state is not None
        for url in urls:
            known = self.state.lookup_url(url)
            if known is not None and not in_refresh_window(known.published_at, self.now, self.refresh_hours):
                return True
        return False

    def is_unchanged(self, item: ArticleItem) -> bool:
        """True when the state holds this article with the same content hash."""
        if not self.reading:
            return False
        assert self.state is not None
        known = self.state.lookup_id(item["id"])
        return known is not None and known.content_hash == item.get("content_hash")

    def record(self, item: ArticleItem) -> None:
        if self.state is not None:
            self.state.record(
                KnownArticle(item["id"], item["url"], item["content_hash"], item.get("published_at"), utc_now_iso())
            )

    def touch(self, article_id: str) -> None:
        if self.state is not None:
            self.state.touch(article_id, utc_now_iso())

    def close(self) -> None:
        if self.state is not None:
            self.state.close()
            self.state = None


_PER_CRAWLER: weakref.WeakKeyDictionary[Crawler, Incremental] = weakref.WeakKeyDictionary()


def incremental_for(crawler: Crawler) -> Incremental:
    """The crawl's one ``Incremental``, opened on first use (once the spider and the
    settings are final); the spider's ``-a full=1`` makes it a backfill."""
    incremental = _PER_CRAWLER.get(crawler)
    if incremental is None:
        settings = crawler.settings
        state = open_state(settings) if settings.getbool("CRAWL_STATE_ENABLED") else None
        incremental = Incremental(
            state,
            parse_now(settings.get("INCREMENTAL_NOW")),
            settings.getfloat("INCREMENTAL_REFRESH_HOURS"),
            full=bool(getattr(crawler.spider, "full", False)),
        )
        _PER_CRAWLER[crawler] = incremental
    return incremental


class SkipUnchangedPipeline:
    """Routes out a refresh-window article whose content hash is the stored one."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SkipUnchangedPipeline:
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        if isinstance(item, ArticleItem) and incremental_for(self.crawler).is_unchanged(item):
            raise UnchangedArticle(item["id"])
        return item


class CrawlStateRecorder:
    """Extension: records each exported article in the crawl state once its file is published.

    A record written before its lake file is stored would, after a crash, mark an
    article as exported that no reader will ever see (lake files appear only when
    complete). Articles are therefore held in scrape order, and when an article
    feed's file is stored the first ``slot.itemcount`` of them (batches close in
    order) are committed; a file that failed to store commits nothing, so its
    articles are fetched again next run.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.unpublished: deque[ArticleItem] = deque()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlStateRecorder:
        if not crawler.settings.getbool("CRAWL_STATE_ENABLED"):
            raise NotConfigured
        extension = cls(crawler)
        crawler.signals.connect(extension.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(extension.item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(extension.feed_slot_closed, signal=signals.feed_slot_closed)
        crawler.signals.connect(extension.feed_exporter_closed, signal=signals.feed_exporter_closed)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def item_scraped(self, item: Any) -> None:
        if isinstance(item, ArticleItem):
            self.unpublished.append(item)

    def item_dropped(self, item: Any, exception: BaseException) -> None:
        if isinstance(exception, UnchangedArticle):
            incremental_for(self.crawler).touch(exception.article_id)

    def feed_slot_closed(self, slot: FeedSlot) -> None:
        if not slot.filter.accepts(ArticleItem()):
            return
        published = [self.unpublished.popleft() for _ in range(min(slot.itemcount, len(self.unpublished)))]
        if getattr(slot.storage, "stored", True):
            for item in published:
                incremental_for(self.crawler).record(item)

    def feed_exporter_closed(self) -> None:
        incremental_for(self.crawler).close()

    def spider_closed(self) -> None:
        if not self.crawler.settings.getdict("FEEDS"):  # no feed exporter: nothing is published
            incremental_for(self.crawler).close()
