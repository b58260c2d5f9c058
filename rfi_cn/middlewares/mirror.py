"""Fetching the site from another origin: a download handler that maps URLs at the wire.

``RFI_BASE_URL`` may name a mirror, a replay or a loopback test server. Every
other part of the crawl (requests, middlewares, robots.txt, the duplicate filter,
callbacks, records, the crawl state) sees only real-site URLs; this handler alone
fetches a page of the site (``rfi_cn.site.SITE_ORIGIN``) from the same path on
``RFI_BASE_URL`` and hands the response back under the real-site URL, with a ``Location`` on the mirror's origin
mapped back too. It is a download handler rather than a downloader middleware so
that nothing is rescheduled and no other component ever sees the mirror's URL.

It also bounds the response headers (``RFI_MAX_HEADER_BYTES``, ``RFI_MAX_HEADER_COUNT``;
see ``rfi_cn.middlewares.limits``): a response over them fails with ``ResponseTooLargeError``.
"""

from __future__ import annotations

from scrapy import Request
from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler
from scrapy.crawler import Crawler
from scrapy.http import Response

from rfi_cn.middlewares.limits import bounded_factory, too_large_cause
from rfi_cn.site import SITE_ORIGIN, from_mirror, to_mirror


class MirrorDownloadHandler(HTTP11DownloadHandler):
    """Scrapy's HTTP/1.1 handler, fetching real-site URLs from ``RFI_BASE_URL``."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.base_url: str = (crawler.settings.get("RFI_BASE_URL") or SITE_ORIGIN).rstrip("/")
        self._pool._factory = bounded_factory(
            crawler.settings.getint("RFI_MAX_HEADER_BYTES"), crawler.settings.getint("RFI_MAX_HEADER_COUNT")
        )

    async def download_request(self, request: Request) -> Response:
        mirror_url = to_mirror(request.url, self.base_url)
        if mirror_url == request.url:
            return await self._bounded_download(request)
        response = await self._bounded_download(request.replace(url=mirror_url))
        location = response.headers.get(b"Location")
        if location is not None:
            site_location = from_mirror(location.decode("latin-1"), self.base_url)
            response.headers[b"Location"] = site_location.encode("latin-1")
        return response.replace(url=request.url, request=request)

    async def _bounded_download(self, request: Request) -> Response:
        try:
            return await super().download_request(request)
        except Exception as error:
            too_large = too_large_cause(error)
            if too_large is None:
                raise
            raise too_large from None  # not a network fault: not retried, failure reason too_large
