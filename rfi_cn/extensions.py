"""Crawl accounting: every article URL reached is exported, rejected or failed.

``ArticleAccounting`` counts records by kind and reason in the crawl stats
(``rfi_cn/articles/exported``, ``rfi_cn/articles/rejected``,
``rfi_cn/articles/failed``, ``rfi_cn/rejects/reason/<reason>``,
``rfi_cn/failures/reason/<reason>``), re-fetched articles routed out as unchanged
(``rfi_cn/articles/unchanged``) and, when the crawl closes, compares them with
``rfi_cn/articles/discovered``: a gap is logged as an error. Known articles the
spider did not request are counted apart (``rfi_cn/articles/skipped_known``).

With a ``JOBDIR`` the counts carry over to the resumed run (``rfi_cn.accounting.json``
there), and a run stopped with requests still queued reports them as
``rfi_cn/articles/pending_in_jobdir`` instead of a gap. After an unclean stop the
carried counts are stale (the resumed run walks the site again): they are dropped.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.statscollectors import StatsCollector

from rfi_cn.incremental import UnchangedArticle
from rfi_cn.items import ArticleItem, FailureItem, RejectItem
from rfi_cn.resume import previous_stop_was_unclean

logger = logging.getLogger(__name__)

ACCOUNTED_KINDS = ("exported", "rejected", "failed", "unchanged")
CARRIED = tuple(f"rfi_cn/articles/{kind}" for kind in ("discovered", *ACCOUNTED_KINDS))
CARRY_NAME = "rfi_cn.accounting.json"


class ArticleAccounting:
    def __init__(self, stats: StatsCollector, carry: Path | None = None, carry_in: bool = False) -> None:
        self.stats = stats
        self.carry = carry  # the counts of this JOBDIR's runs
        self.carry_in = carry_in  # whether to start from them

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArticleAccounting:
        assert crawler.stats is not None
        jobdir = crawler.settings.get("JOBDIR")
        carry = Path(jobdir) / CARRY_NAME if jobdir else None
        extension = cls(crawler.stats, carry, carry_in=not previous_stop_was_unclean(crawler.settings))
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(extension.item_error, signal=signals.item_error)
        crawler.signals.connect(extension.item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def item_scraped(self, item: Any) -> None:
        if isinstance(item, ArticleItem):
            self.stats.inc_value("rfi_cn/articles/exported")
        elif isinstance(item, RejectItem):
            self.stats.inc_value("rfi_cn/articles/rejected")
            self.stats.inc_value(f"rfi_cn/rejects/reason/{item.get('reason')}")
        elif isinstance(item, FailureItem):
            self.stats.inc_value(f"rfi_cn/{item.get('kind')}s/failed")
            self.stats.inc_value(f"rfi_cn/failures/reason/{item.get('reason')}")

    def item_error(self, item: Any) -> None:
        self.stats.inc_value("rfi_cn/items/pipeline_errors")

    def item_dropped(self, item: Any, exception: BaseException) -> None:
        if isinstance(exception, UnchangedArticle):
            self.stats.inc_value("rfi_cn/articles/unchanged")

    def spider_opened(self) -> None:
        if self.carry is not None and self.carry_in and self.carry.exists():
            for key, value in json.loads(self.carry.read_text(encoding="utf-8")).items():
                self.stats.inc_value(key, value)

    def spider_closed(self, spider: Spider, reason: str) -> None:
        discovered = self.stats.get_value("rfi_cn/articles/discovered", 0)
        if spider.crawler.settings.get("REDIS_URL"):
            return  # a worker's share is not the run: see rfi_cn.distributed.run_totals
        accounted = sum(self.stats.get_value(f"rfi_cn/articles/{kind}", 0) for kind in ACCOUNTED_KINDS)
        if self.carry is not None:
            self.carry.parent.mkdir(parents=True, exist_ok=True)
            self.carry.write_text(json.dumps({key: self.stats.get_value(key, 0) for key in CARRIED}), encoding="utf-8")
            if reason == "shutdown" and discovered > accounted:
                self.stats.set_value("rfi_cn/articles/pending_in_jobdir", discovered - accounted)
                logger.info("%d article requests wait in the JOBDIR for the resumed run", discovered - accounted)
                accounted = discovered
        self.stats.set_value("rfi_cn/articles/unaccounted", discovered - accounted)
        if discovered != accounted:
            logger.error("%d article URLs reached but not accounted for", discovered - accounted)
