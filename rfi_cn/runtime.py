"""The Python runtime under a crawl: the garbage collector's share of the CPU.

Two costs, both measured on 1,000 real-size article pages (``docs/performance.md``):

- Python's full (oldest-generation) collections walk every container object
  alive, and by the time the spider opens those are mostly start-up's: the
  modules of Scrapy, Twisted, lxml, jsonschema, Spidermon and ours, their
  classes and functions. Each full collection walked that heap again (~45 ms
  each; 0.23 s of a 1,000-article crawl). ``FrozenStartupHeap`` collects once
  when the spider opens, then ``gc.freeze()``s what is left: those objects
  move to the permanent generation, which collections skip (0.01 s).
- The youngest generation is collected every 700 net allocations of container
  objects (Python's default): ~600 collections per 1,000 articles, 0.15 s
  with the middle generation. ``RFI_GC_YOUNG_THRESHOLD`` (5,000) makes that
  ~15 collections, 0.03 s, for ~2 MB more peak RSS (garbage cycles wait a
  little longer; the responses themselves are freed by reference counting).

Objects created during the crawl are collected as before. Cyclic garbage made
of start-up objects after the freeze is kept until the spider closes, when
``gc.unfreeze()`` hands it back and the thresholds are restored (a process
that runs several crawls, or a test, gets its collector back as it was).

Settings: ``RFI_GC_FREEZE`` (default ``True``), ``RFI_GC_YOUNG_THRESHOLD``
(default 5000; ``0`` keeps Python's).
"""

from __future__ import annotations

import gc

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured


class FrozenStartupHeap:
    """Extension: at ``spider_opened`` ``gc.freeze()`` and the young threshold; undone at ``spider_closed``."""

    def __init__(self, young_threshold: int = 0, freeze: bool = True) -> None:
        self.young_threshold = young_threshold
        self.freeze = freeze
        self.frozen = False
        self.thresholds: tuple[int, int, int] | None = None  # Python's, restored at the end

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> FrozenStartupHeap:
        freeze = crawler.settings.getbool("RFI_GC_FREEZE", True)
        young_threshold = max(0, crawler.settings.getint("RFI_GC_YOUNG_THRESHOLD", 0))
        if not freeze and not young_threshold:
            raise NotConfigured("RFI_GC_FREEZE is off and RFI_GC_YOUNG_THRESHOLD is 0")
        extension = cls(young_threshold, freeze)
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def spider_opened(self, spider: Spider) -> None:
        if self.freeze:
            gc.collect()
            gc.freeze()
            self.frozen = True
        if self.young_threshold:
            self.thresholds = gc.get_threshold()
            gc.set_threshold(self.young_threshold, *self.thresholds[1:])

    def spider_closed(self, spider: Spider) -> None:
        if self.thresholds is not None:
            gc.set_threshold(*self.thresholds)
            self.thresholds = None
        if self.frozen:
            gc.unfreeze()
            self.frozen = False
