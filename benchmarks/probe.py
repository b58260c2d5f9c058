"""A crawl extension for the benchmarks only: resident memory at article counts.

Enabled by the crawl benchmark with ``-s EXTENSIONS=...``; never by the project.
At every ``BENCH_RSS_EVERY``-th exported article it stores the process's
resident set size (``/proc/self/status`` ``VmRSS``) and its peak so far
(``VmHWM``) in the stats as ``bench/rss_mb_at/<count>`` and
``bench/hwm_mb_at/<count>``, the time of the first and last article, the
process CPU seconds when the spider opened (``bench/cpu_at_open``: the
start-up that ``benchmarks.cpu`` leaves out) and at the end the peak
(``VmHWM``) as ``bench/peak_rss_mb``. With ``BENCH_RSS_COUNT=responses`` it counts
article responses instead of exported articles (the null spider exports nothing).

Profiling (``python3 -m benchmarks.memory_profile``): with ``BENCH_TRACEMALLOC_DIR``
set, the crawl runs under ``tracemalloc`` (``BENCH_TRACEMALLOC_FRAMES`` frames per
allocation, 12 by default); at every ``BENCH_RSS_EVERY``-th article it also stores
the traced Python heap (``bench/traced_mb_at/<count>``), and it dumps snapshots
``at-<count>.snapshot`` at the ``BENCH_TRACEMALLOC_AT`` articles named (a comma list)
and ``closed.snapshot`` once the spider has closed (feeds published, state committed).
With ``BENCH_MALLOC_STATS`` on (cheap, no tracing), each sample also stores where the
resident memory is: glibc's ``mallinfo2`` (``bench/malloc_used_mb_at``: live malloc'd
blocks, mmapped ones included; ``bench/malloc_free_mb_at``: free but kept in the heap),
Python's live blocks (``bench/pyblocks_at``), SQLite's own allocator
(``bench/sqlite_mb_at``) and the requests waiting in the scheduler (``bench/queued_at``).
"""

from __future__ import annotations

import ctypes
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.http import Response

from rfi_cn.items import ArticleItem
from rfi_cn.middlewares.requests import ARTICLE


def status_mb(field: str) -> float:
    """A memory field of ``/proc/self/status`` in MB: ``VmRSS`` now, ``VmHWM`` its peak."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    return 0.0


class _MallInfo2(ctypes.Structure):
    _fields_ = [
        (name, ctypes.c_size_t)
        for name in ("arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks", "fordblks")
    ] + [("keepcost", ctypes.c_size_t)]


def allocator_figures() -> dict[str, float]:
    """Live and free bytes of glibc's heap, SQLite's own, and Python's live blocks (glibc Linux only)."""
    libc = ctypes.CDLL(None)
    libc.mallinfo2.restype = _MallInfo2
    info = libc.mallinfo2()
    sqlite = ctypes.CDLL("libsqlite3.so.0")
    sqlite.sqlite3_memory_used.restype = ctypes.c_int64
    return {
        "malloc_used_mb": (info.uordblks + info.hblkhd) / 2**20,
        "malloc_free_mb": info.fordblks / 2**20,
        "sqlite_mb": sqlite.sqlite3_memory_used() / 2**20,
        "pyblocks": float(sys.getallocatedblocks()),
    }


class RssProbe:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.every = crawler.settings.getint("BENCH_RSS_EVERY", 250)
        self.count = 0
        self.count_responses = crawler.settings.get("BENCH_RSS_COUNT") == "responses"
        self.malloc_stats = crawler.settings.getbool("BENCH_MALLOC_STATS")
        trace_dir = crawler.settings.get("BENCH_TRACEMALLOC_DIR")
        self.trace_dir = Path(trace_dir) if trace_dir else None
        self.trace_at = {int(n) for n in crawler.settings.getlist("BENCH_TRACEMALLOC_AT")}
        if self.trace_dir is not None:
            self.trace_dir.mkdir(parents=True, exist_ok=True)
            if not tracemalloc.is_tracing():
                tracemalloc.start(crawler.settings.getint("BENCH_TRACEMALLOC_FRAMES", 12))

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RssProbe:
        probe = cls(crawler)
        if probe.count_responses:
            crawler.signals.connect(probe.response_received, signal=signals.response_received)
        else:
            crawler.signals.connect(probe.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(probe.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(probe.spider_closed, signal=signals.spider_closed)
        return probe

    def spider_opened(self) -> None:
        self.stats.set_value("bench/cpu_at_open", time.process_time())

    def spider_closed(self) -> None:
        # The peak of this process image: ru_maxrss would also count the parent it was spawned from.
        self.stats.set_value("bench/peak_rss_mb", round(status_mb("VmHWM"), 1))
        if self.trace_dir is not None:
            self._dump("closed")

    def _dump(self, name: str) -> None:
        assert self.trace_dir is not None
        tracemalloc.take_snapshot().dump(str(self.trace_dir / f"{name}.snapshot"))

    def response_received(self, response: Response, request: Request) -> None:
        if request.meta.get(ARTICLE):
            self._counted()

    def item_scraped(self, item: Any) -> None:
        if isinstance(item, ArticleItem):
            self._counted()

    def _counted(self) -> None:
        self.count += 1
        now = time.monotonic()
        if self.count == 1:
            self.stats.set_value("bench/first_article_at", now)
        self.stats.set_value("bench/last_article_at", now)
        if self.count % self.every == 0:
            self.stats.set_value(f"bench/rss_mb_at/{self.count:06d}", round(status_mb("VmRSS"), 1))
            self.stats.set_value(f"bench/hwm_mb_at/{self.count:06d}", round(status_mb("VmHWM"), 1))
            if self.malloc_stats:
                scheduler: Any = getattr(getattr(self.crawler.engine, "_slot", None), "scheduler", None)
                if scheduler is not None:
                    self.stats.set_value(f"bench/queued_at/{self.count:06d}", len(scheduler))
                for name, value in allocator_figures().items():
                    self.stats.set_value(f"bench/{name}_at/{self.count:06d}", round(value, 1))
            if self.trace_dir is not None:
                traced = tracemalloc.get_traced_memory()[0] / 2**20
                self.stats.set_value(f"bench/traced_mb_at/{self.count:06d}", round(traced, 1))
        if self.trace_dir is not None and self.count in self.trace_at:
            self._dump(f"at-{self.count:06d}")
