"""No exception in a callback may make a page's links vanish.

``CallbackErrors`` is a spider middleware next to the spider. When a callback
raises, what it yielded before the exception has already gone on (Scrapy
passes a generator's outputs along as they come, and hands the exception to
``process_spider_exception``); the page itself ends as a failure record with
reason ``parse_error`` (``kind`` ``article`` for an article page, else
``listing``), counted in ``rfi_cn/parse_errors/<kind>``. An article page whose
callback had already yielded its article or reject gets no failure record:
an article ends as exactly one outcome.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterable
from typing import Any

from scrapy.crawler import Crawler
from scrapy.http import Response
from scrapy.statscollectors import StatsCollector

from rfi_cn.accounting import parse_error_record
from rfi_cn.items import ArticleItem, FailureItem, RejectItem
from rfi_cn.middlewares.requests import ARTICLE

logger = logging.getLogger(__name__)

OUTCOME_YIELDED = "rfi_outcome_yielded"  # meta: the article page's callback yielded its outcome


class CallbackErrors:
    """Spider middleware: a callback's exception becomes a ``parse_error`` failure record."""

    def __init__(self, stats: StatsCollector) -> None:
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CallbackErrors:
        assert crawler.stats is not None
        return cls(crawler.stats)

    async def process_spider_output(self, response: Response, result: AsyncIterator[Any]) -> AsyncIterator[Any]:
        article_page = bool(response.meta.get(ARTICLE))
        async for entry in result:
            if article_page and isinstance(entry, ArticleItem | RejectItem | FailureItem):
                response.meta[OUTCOME_YIELDED] = True
            yield entry

    def process_spider_exception(self, response: Response, exception: Exception) -> Iterable[Any]:
        kind = "article" if response.meta.get(ARTICLE) else "listing"
        self.stats.inc_value(f"rfi_cn/parse_errors/{kind}")
        logger.error("Callback failed on %s", response.url, exc_info=exception)
        if kind == "article" and response.meta.get(OUTCOME_YIELDED):
            return []  # the article already has its outcome
        return [parse_error_record(response.url, kind, exception)]
