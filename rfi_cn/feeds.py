"""Where records go: the data lake feeds and their URI parameters.

``DataLakeFeeds`` is a Scrapy add-on that adds three feeds under
``DATA_LAKE_URI``: articles, rejects and failures, each in crawl-date
partitions (``<root>/rfi_cn/<kind>/dt=YYYY-MM-DD/part-<job id>-<batch>.jsonl``).
Feeds given by the user (``-O out.jsonl``, ``FEEDS``) receive the articles
instead of the lake's article feed; rejects and failures still go to the lake,
so nothing is lost.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from typing import Any

from scrapy import Spider
from scrapy.settings import BaseSettings

ARTICLE_CLASS = "rfi_cn.items.ArticleItem"
RECORD_CLASSES = {
    "articles": ARTICLE_CLASS,
    "rejects": "rfi_cn.items.RejectItem",
    "failures": "rfi_cn.items.FailureItem",
}
PART_NAME = "part-%(job_id)s-%(batch_id)05d.jsonl"


def lake_uri(root: str, kind: str) -> str:
    """The feed URI template of one record kind under the lake ``root``."""
    return f"{root.rstrip('/')}/rfi_cn/{kind}/dt=%(crawl_date)s/{PART_NAME}"


def job_id(spider: Spider) -> str:
    """Scrapyd's job id when scheduled there (it passes ``-a _job=<id>``), else one
    made from the start time and pid."""
    scheduled = getattr(spider, "_job", None) or os.environ.get("SCRAPY_JOB") or spider.settings.get("RFI_JOB_ID")
    if scheduled:
        return str(scheduled)
    return f"{_start_time(spider):%Y%m%dT%H%M%SZ}-{os.getpid()}"


def uri_params(params: dict[str, Any], spider: Spider) -> dict[str, Any]:
    """``FEED_URI_PARAMS``: the crawl date partition and the job id."""
    return {**params, "crawl_date": f"{_start_time(spider):%Y-%m-%d}", "job_id": job_id(spider)}


def _start_time(spider: Spider) -> datetime:
    assert spider.crawler.stats is not None
    started = spider.crawler.stats.get_value("start_time")
    if isinstance(started, datetime):
        return started.astimezone(UTC)
    return datetime.now(UTC)


class DataLakeFeeds:
    """Add-on: route articles, rejects and failures into the lake partitions."""

    def update_settings(self, settings: BaseSettings) -> None:
        if not settings.getbool("DATA_LAKE_ENABLED", True):
            return
        root = settings.get("DATA_LAKE_URI") or "data"
        feeds = _articles_only(settings.getdict("FEEDS"))
        kinds = ["rejects", "failures"] if feeds else list(RECORD_CLASSES)
        for kind in kinds:
            feeds[lake_uri(root, kind)] = {
                "format": "jsonlines",
                "encoding": "utf-8",
                "item_classes": [RECORD_CLASSES[kind]],
            }
        priority = max(settings.getpriority("FEEDS") or 0, 40)
        settings.set("FEEDS", feeds, priority=priority)


def _articles_only(feeds: dict[str, Any]) -> dict[str, Any]:
    """User feeds get the articles only (unless they filter themselves), in one file
    unless their URI names a batch."""
    result = {}
    for uri, options in feeds.items():
        options = dict(options or {})
        if not options.get("item_classes") and not options.get("item_filter"):
            options["item_classes"] = [ARTICLE_CLASS]
        if "%(batch_id)" not in str(uri) and "%(batch_time)" not in str(uri):
            options.setdefault("batch_item_count", 0)
        result[str(uri)] = options
    return result
