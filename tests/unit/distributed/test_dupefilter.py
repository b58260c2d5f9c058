"""Distributed mode's shared seen-set uses the project's fingerprinter: the crawl key."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from scrapy import Request

from rfi_cn.distributed.scheduler import RedisDupeFilter
from rfi_cn.middlewares.fingerprint import CrawlKeyFingerprinter

URL = "https://www.rfi.fr/cn/%E5%8F%98%E4%BD%93/20251201-abc"


def test_the_redis_dupefilter_fingerprints_by_crawl_key() -> None:
    crawler: Any = SimpleNamespace(request_fingerprinter=CrawlKeyFingerprinter())
    dupefilter = RedisDupeFilter(server=None, key="seen", crawler=crawler)  # type: ignore[arg-type]
    spellings = [URL, URL + "?xtor=RSS", URL.lower() + "#top", "http://rfi.fr/cn/x/../变体/20251201-%61bc"]
    assert len({dupefilter.request_fingerprint(Request(url)) for url in spellings}) == 1
    assert dupefilter.request_fingerprint(Request(URL + "-2")) != dupefilter.request_fingerprint(Request(URL))
