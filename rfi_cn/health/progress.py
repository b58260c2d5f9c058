"""Progress lines on long crawls, and an ``item_scraped_count`` that counts articles only.

``Progress`` replaces Scrapy's ``LogStats``: every ``LOGSTATS_INTERVAL`` seconds
(default 30) it logs ``Progress: 120 discovered, 98 exported, 1 rejected,
2 failed; 64 pages/min; 35 requests queued``. The counts are the
``rfi_cn/articles/*`` stats; pages per minute are responses received over the
interval; the queue is the scheduler's length (``len(scheduler)``, also for the
Redis scheduler in distributed mode, where it is the shared queue).

``ArticleCoreStats`` replaces Scrapy's ``CoreStats``: reject and failure records
are items to Scrapy, so ``item_scraped_count`` counted them as if they were
articles (a run that fetched nothing reported ``item_scraped_count: 1``). Here
it counts exported articles (the lake's article rows; the same number as
``rfi_cn/articles/exported``), so a tool or a person reading Scrapy's usual stat
is not misled; the records are counted as ``rfi_cn/articles/rejected``,
``rfi_cn/articles/failed`` and ``rfi_cn/listings/failed``.
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.extensions.corestats import CoreStats
from scrapy.utils.asyncio import create_looping_call

from rfi_cn.accounting import article_counts
from rfi_cn.items import ArticleItem

logger = logging.getLogger(__name__)


class ArticleCoreStats(CoreStats):
    def spider_opened(self, spider: Spider) -> None:
        super().spider_opened(spider)
        self.stats.inc_value("item_scraped_count", 0)  # a run without articles says 0

    def item_scraped(self, item: Any, spider: Spider) -> None:
        if isinstance(item, ArticleItem):
            self.stats.inc_value("item_scraped_count")


class Progress:
    def __init__(self, crawler: Crawler, interval: float) -> None:
        self.crawler = crawler
        self.interval = interval
        self.pages_before = 0
        self.task: Any = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Progress:
        interval = crawler.settings.getfloat("LOGSTATS_INTERVAL")
        if not interval:
            raise NotConfigured
        extension = cls(crawler, interval)
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def spider_opened(self, spider: Spider) -> None:
        self.task = create_looping_call(self.log)
        self.task.start(self.interval, now=False)

    def spider_closed(self, spider: Spider) -> None:
        if self.task is not None and self.task.running:
            self.task.stop()

    def line(self) -> str:
        assert self.crawler.stats is not None
        stats = self.crawler.stats.get_stats()
        counts = article_counts(stats)
        pages = int(stats.get("response_received_count", 0))
        rate = round((pages - self.pages_before) * 60.0 / self.interval)
        self.pages_before = pages
        engine = self.crawler.engine
        scheduler = engine.scheduler if engine is not None else None
        try:
            queued: Any = len(scheduler) if scheduler is not None else 0  # type: ignore[arg-type]
        except TypeError:  # a scheduler without a length
            queued = "?"
        return (
            f"Progress: {counts['discovered']} discovered, {counts['exported']} exported, "
            f"{counts['rejected']} rejected, {counts['failed']} failed; {rate} pages/min; {queued} requests queued"
        )

    def log(self) -> None:
        logger.info(self.line())
