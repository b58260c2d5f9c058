"""Fetching through a flaky or hostile site: downloader middlewares that lose and leak nothing.

``RetryAfterMiddleware`` replaces Scrapy's ``RetryMiddleware``: a retried answer
that carries ``Retry-After`` (429, 503) is retried only after that wait, awaited
without blocking the reactor; a wait over ``RETRY_AFTER_MAX_SECONDS`` is not
retried at all (the site asked us to stay away longer than a run may wait), so
the page ends in the failures as ``blocked``.

``SafeRedirectMiddleware`` replaces Scrapy's ``RedirectMiddleware``: a redirect
to another origin than the site's own (scheme, host and port), or from the /cn/
edition out of it, is refused with
``OffsiteRedirect`` (the request's
errback records it; Scrapy's own offsite filter would drop it silently), and an
on-site redirect bypasses the duplicate filter so that an article redirected to
a page already crawled still ends somewhere (a ``duplicate_id`` reject).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from scrapy import Request
from scrapy.downloadermiddlewares.redirect import RedirectMiddleware
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.settings import BaseSettings
from scrapy.utils.asyncio import sleep
from scrapy.utils.response import response_status_message

from rfi_cn.site import EDITION_PREFIX, SITE_ORIGIN, is_site_origin, path_of

logger = logging.getLogger(__name__)


class OffsiteRedirect(IgnoreRequest):
    """A redirect that would leave the crawled host."""


def retry_after_seconds(value: bytes | str | None, now: datetime | None = None) -> float | None:
    """The wait a ``Retry-After`` header asks for, in seconds (≥ 0); ``None`` when absent or unreadable.

    The header is either a number of seconds or an HTTP date (RFC 9110 §10.2.3).
    """
    if value is None:
        return None
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    text = text.strip()
    if text.isdigit():
        return float(text)
    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max(0.0, (moment - (now or datetime.now(UTC))).total_seconds())


class RetryAfterMiddleware(RetryMiddleware):
    """``RetryMiddleware`` that honours ``Retry-After``, capped by ``RETRY_AFTER_MAX_SECONDS``."""

    def __init__(self, settings: BaseSettings) -> None:
        super().__init__(settings)
        self.max_wait = settings.getfloat("RETRY_AFTER_MAX_SECONDS", 120.0)

    async def process_response(self, request: Request, response: Response) -> Request | Response:  # type: ignore[override]
        if request.meta.get("dont_retry", False) or response.status not in self.retry_http_codes:
            return response
        wait = retry_after_seconds(response.headers.get("Retry-After"))
        if wait is not None and wait > self.max_wait:
            logger.warning(
                "Not retrying %s: Retry-After %.0f s is over RETRY_AFTER_MAX_SECONDS (%.0f s)",
                request,
                wait,
                self.max_wait,
            )
            self.crawler.stats.inc_value("rfi_cn/retry_after/over_cap")
            return response
        retry = self._retry(request, response_status_message(response.status))
        if retry is None:
            return response
        if wait:
            self.crawler.stats.inc_value("rfi_cn/retry_after/waited")
            await sleep(wait)
        return retry


class SafeRedirectMiddleware(RedirectMiddleware):
    """``RedirectMiddleware`` that never leaves the crawled host and never loses a redirected page."""

    async def process_response(self, request: Request, response: Response) -> Request | Response:  # type: ignore[override]
        result = super().process_response(request, response)
        if not isinstance(result, Request):
            return result
        if not is_site_origin(result.url):
            self.crawler.stats.inc_value("rfi_cn/redirects/offsite")
            raise OffsiteRedirect(f"redirect to {result.url} leaves {SITE_ORIGIN}")
        if path_of(request.url).startswith(EDITION_PREFIX) and not path_of(result.url).startswith(EDITION_PREFIX):
            self.crawler.stats.inc_value("rfi_cn/redirects/offsite")
            raise OffsiteRedirect(f"redirect to {result.url} leaves {EDITION_PREFIX}")
        result.dont_filter = True  # the duplicate filter would drop it silently
        return result
