"""Fetching through a flaky or hostile site: downloader middlewares that lose and leak nothing.

``RetryAfterMiddleware`` replaces Scrapy's ``RetryMiddleware``: a retried answer
that carries ``Retry-After`` (429, 503) is retried only after that wait, awaited
without blocking the reactor; a wait over ``RETRY_AFTER_MAX_SECONDS`` is not
retried at all (the site asked us to stay away longer than a run may wait), so
the page ends in the failures as ``blocked``.

``SafeRedirectMiddleware`` replaces Scrapy's ``RedirectMiddleware``: a redirect
to another origin than the site's own (scheme, host and port), or from the /cn/
edition out of it once its dot segments (``..``, ``%2e%2e``) are resolved, is
refused with ``OffsiteRedirect`` (the request's errback records it; Scrapy's own
offsite filter would drop it silently); a ``Location`` that is no fetchable URL
(``javascript:``, ``mailto:``, unparsable) is refused with ``BadRedirect``
(reason ``bad_redirect``, not retried). A followed redirect is requested at its
crawl key (``rfi_cn.site.crawl_key``: robots.txt and the claims see the
resolved path), and bypasses the duplicate filter so that an article redirected
to a page already crawled still ends somewhere (a ``duplicate_id`` reject).
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

from rfi_cn.site import EDITION_PREFIX, SITE_ORIGIN, InvalidLinkError, crawl_key, decode_dots, is_site_origin, path_of

logger = logging.getLogger(__name__)


class OffsiteRedirect(IgnoreRequest):
    """A redirect that would leave the crawled host."""


class BadRedirect(IgnoreRequest):
    """A redirect whose ``Location`` is no URL that can be fetched."""


REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})


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
        location = response.headers.get("Location")
        if location is not None and b"%2" in location:  # %2e%2e is .., resolved with the literal ones
            response.headers["Location"] = decode_dots(location.decode("latin-1")).encode("latin-1")
        try:
            result = super().process_response(request, response)
        except ValueError as exc:  # Request() refuses the Location (javascript:..., [oops)
            raise self._bad(location, exc) from exc
        if not isinstance(result, Request):
            if result is response and location is not None and self._would_redirect(request, response):
                raise self._bad(location, None)  # a scheme Scrapy does not follow: left as a 3xx
            return result
        if not is_site_origin(result.url):
            self.crawler.stats.inc_value("rfi_cn/redirects/offsite")
            raise OffsiteRedirect(f"redirect to {result.url} leaves {SITE_ORIGIN}")
        try:
            key = crawl_key(result.url)
        except InvalidLinkError as exc:
            raise self._bad(location, exc) from exc
        if path_of(request.url).startswith(EDITION_PREFIX) and not path_of(key).startswith(EDITION_PREFIX):
            self.crawler.stats.inc_value("rfi_cn/redirects/offsite")
            raise OffsiteRedirect(f"redirect to {result.url} leaves {EDITION_PREFIX}")
        if key != result.url:
            result = result.replace(url=key)
        result.dont_filter = True  # the duplicate filter would drop it silently
        return result

    def _would_redirect(self, request: Request, response: Response) -> bool:
        """Whether Scrapy's middleware would have followed this answer, had its Location been a URL."""
        return (
            response.status in REDIRECT_STATUSES
            and not request.meta.get("dont_redirect", False)
            and not request.meta.get("handle_httpstatus_all", False)
            and response.status not in request.meta.get("handle_httpstatus_list", ())
            and response.status not in getattr(self.crawler.spider, "handle_httpstatus_list", ())
        )

    def _bad(self, location: bytes | None, error: Exception | None) -> BadRedirect:
        self.crawler.stats.inc_value("rfi_cn/redirects/bad")
        text = (location or b"").decode("latin-1")[:200]
        return BadRedirect(f"redirect to {text!r}: not a URL that can be fetched" + (f" ({error})" if error else ""))
