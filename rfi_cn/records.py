"""Building reject and failure records, and the content hash.

Every article URL the crawl reaches ends as an article, a reject or a failure;
these helpers give the last two a stable shape and a reason class.
"""

from __future__ import annotations

import hashlib

from scrapy import Request
from scrapy.exceptions import DownloadCancelledError, IgnoreRequest
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from rfi_cn.dates import utc_now_iso
from rfi_cn.fetching import OffsiteRedirect
from rfi_cn.items import FailureItem, RejectItem
from rfi_cn.urls import to_site_url

GONE_STATUSES = frozenset({404, 410})
BLOCKED_STATUSES = frozenset({401, 403, 429, 451})
# Statuses a server gives for a passing trouble: retried, and "transient" once the retries are spent.
TRANSIENT_STATUSES = frozenset({408, 500, 502, 503, 504, 522, 524})
# The messages Scrapy's own middlewares raise IgnoreRequest with.
IGNORED_REASONS = {"Forbidden by robots.txt": "robots", "max redirections reached": "redirect_loop"}


def content_hash(title: str | None, lead: str | None, body_text: str | None) -> str:
    """sha256 of title, lead and body text, one per line: changes when the text does."""
    text = "\n".join(part or "" for part in (title, lead, body_text))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def reject(url: str | None, reason: str, detail: str | None = None, item_id: str | None = None) -> RejectItem:
    """A reject record: the page was fetched, but is not a valid article."""
    return RejectItem(url=url, id=item_id, reason=reason, detail=detail, rejected_at=utc_now_iso())


def failure_record(failure: Failure, request: Request, kind: str) -> FailureItem:
    """A failure record for a request that never produced a usable response.

    ``reason`` says what to do about it (see ``failure_reason``); ``retries`` is how
    many times the request was retried before it was given up.
    """
    status = failure.value.response.status if isinstance(failure.value, HttpError) else None
    retries = request.meta.get("retry_times", 0)
    reason = failure_reason(failure.value) if failure.value is not None else "transient"
    error = f"HTTP {status}" if status is not None else f"{type(failure.value).__name__}: {failure.getErrorMessage()}"
    if reason == "blocked" and isinstance(failure.value, HttpError):
        retry_after = failure.value.response.headers.get("Retry-After")
        if retry_after:
            error += f", Retry-After: {retry_after.decode('latin-1')}"
    if reason == "too_large" and not failure.getErrorMessage():  # cut while streaming: no message
        error += "over DOWNLOAD_MAXSIZE"
    if reason == "transient":
        error += f" (gave up after {retries + 1} tries)"
    return FailureItem(
        url=to_site_url(request.url),
        kind=kind,
        reason=reason,
        status=status,
        error=error,
        retries=retries,
        failed_at=utc_now_iso(),
    )


def failure_reason(error: BaseException) -> str:
    """The class of a fetch failure.

    ``gone`` (404/410: stop asking), ``blocked`` (401/403/429/451: the site refuses
    us), ``transient`` (5xx/408, network errors and timeouts that outlived the
    retries: ask again next run), ``http_error`` (any other status), ``robots``
    (robots.txt forbids it), ``offsite_redirect`` (redirected off the crawled host),
    ``redirect_loop``, ``too_large`` (over ``DOWNLOAD_MAXSIZE``), ``ignored``
    (refused by another middleware).
    """
    if isinstance(error, HttpError):
        status = error.response.status
        if status in GONE_STATUSES:
            return "gone"
        if status in BLOCKED_STATUSES:
            return "blocked"
        return "transient" if status in TRANSIENT_STATUSES else "http_error"
    if isinstance(error, OffsiteRedirect):
        return "offsite_redirect"
    if isinstance(error, IgnoreRequest):
        return IGNORED_REASONS.get(str(error), "ignored")
    if isinstance(error, DownloadCancelledError):  # Scrapy cancels a download only over DOWNLOAD_MAXSIZE
        return "too_large"
    return "transient"
