"""The Python runtime under a crawl: the garbage collector leaves start-up's objects alone.

Python's full (oldest-generation) collections walk every container object alive,
and by the time the spider opens those are mostly start-up's: the modules of
Scrapy, Twisted, lxml, jsonschema, Spidermon and ours, their classes and
functions. A crawl of real-size pages runs a full collection every few hundred
articles; each walked the start-up heap again (~45 ms each, ~0.2 ms per
article). ``FrozenStartupHeap`` collects once when the spider opens, then
``gc.freeze()``s what is left: those objects move to the permanent generation,
which collections skip. Objects created during the crawl are collected as
before; cyclic garbage made of start-up objects after the freeze would be kept
until the spider closes, when ``gc.unfreeze()`` hands them back (a process that
runs several crawls, or a test, gets its collector back as it was).

Setting: ``RFI_GC_FREEZE`` (default ``True``).
"""

from __future__ import annotations

import gc

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured


class FrozenStartupHeap:
    """Extension: ``gc.freeze()`` at ``spider_opened``, ``gc.unfreeze()`` at ``spider_closed``."""

    def __init__(self) -> None:
        self.frozen = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> FrozenStartupHeap:
        if not crawler.settings.getbool("RFI_GC_FREEZE", True):
            raise NotConfigured("RFI_GC_FREEZE is off")
        extension = cls()
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def spider_opened(self, spider: Spider) -> None:
        gc.collect()
        gc.freeze()
        self.frozen = True

    def spider_closed(self, spider: Spider) -> None:
        if self.frozen:
            gc.unfreeze()
            self.frozen = False
