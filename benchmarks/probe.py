"""A crawl extension for the benchmarks only: resident memory at article counts.

Enabled by the crawl benchmark with ``-s EXTENSIONS=...``; never by the project.
At every ``BENCH_RSS_EVERY``-th exported article it stores the process's
resident set size (``/proc/self/status`` ``VmRSS``) and its peak so far
(``VmHWM``) in the stats as ``bench/rss_mb_at/<count>`` and
``bench/hwm_mb_at/<count>``, the time of the first and last article, the
process CPU seconds when the spider opened (``bench/cpu_at_open``: the
start-up that ``benchmarks.cpu`` leaves out) and at the end the peak
(``VmHWM``) as ``bench/peak_rss_mb``.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler

from rfi_cn.items import ArticleItem


def status_mb(field: str) -> float:
    """A memory field of ``/proc/self/status`` in MB: ``VmRSS`` now, ``VmHWM`` its peak."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    return 0.0


class RssProbe:
    def __init__(self, crawler: Crawler) -> None:
        self.stats = crawler.stats
        self.every = crawler.settings.getint("BENCH_RSS_EVERY", 250)
        self.count = 0

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RssProbe:
        probe = cls(crawler)
        crawler.signals.connect(probe.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(probe.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(probe.spider_closed, signal=signals.spider_closed)
        return probe

    def spider_opened(self) -> None:
        self.stats.set_value("bench/cpu_at_open", time.process_time())

    def spider_closed(self) -> None:
        # The peak of this process image: ru_maxrss would also count the parent it was spawned from.
        self.stats.set_value("bench/peak_rss_mb", round(status_mb("VmHWM"), 1))

    def item_scraped(self, item: Any) -> None:
        if not isinstance(item, ArticleItem):
            return
        self.count += 1
        now = time.monotonic()
        if self.count == 1:
            self.stats.set_value("bench/first_article_at", now)
        self.stats.set_value("bench/last_article_at", now)
        if self.count % self.every == 0:
            self.stats.set_value(f"bench/rss_mb_at/{self.count:06d}", round(status_mb("VmRSS"), 1))
            self.stats.set_value(f"bench/hwm_mb_at/{self.count:06d}", round(status_mb("VmHWM"), 1))
