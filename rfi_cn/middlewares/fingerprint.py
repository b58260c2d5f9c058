"""Scrapy's duplicate filter keyed on the crawl key (``REQUEST_FINGERPRINTER_CLASS``).

Scrapy's default fingerprint canonicalises with w3lib only: ``?xtor=RSS``, a
dot segment or ``http://rfi.fr`` would make a second request for one page. This
fingerprinter hashes the method, the body and ``rfi_cn.site.crawl_key`` of the
URL, so the duplicate filter (and the Redis one, which asks
``crawler.request_fingerprinter``) compares URLs as the claims and the crawl
state do.
"""

from __future__ import annotations

import hashlib
import weakref

from scrapy import Request
from scrapy.crawler import Crawler

from rfi_cn.site import InvalidLinkError, crawl_key


class CrawlKeyFingerprinter:
    """SHA1 of method, crawl key and body; cached per request like Scrapy's own."""

    def __init__(self, crawler: Crawler | None = None) -> None:
        self.cache: weakref.WeakKeyDictionary[Request, bytes] = weakref.WeakKeyDictionary()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlKeyFingerprinter:
        return cls(crawler)

    def fingerprint(self, request: Request) -> bytes:
        cached = self.cache.get(request)
        if cached is None:
            try:
                key = crawl_key(request.url)
            except InvalidLinkError:
                key = request.url
            digest = hashlib.sha1(usedforsecurity=False)
            for part in (request.method.encode(), key.encode(), request.body):
                digest.update(len(part).to_bytes(8, "big"))
                digest.update(part)
            cached = self.cache[request] = digest.digest()
        return cached
