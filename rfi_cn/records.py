"""Building reject and failure records, and the content hash.

Every article URL the crawl reaches ends as an article, a reject or a failure;
these helpers give the last two a stable shape and a reason class.
"""

from __future__ import annotations

import hashlib

from scrapy import Request
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from rfi_cn.dates import utc_now_iso
from rfi_cn.items import FailureItem, RejectItem
from rfi_cn.urls import to_site_url

GONE_STATUSES = frozenset({404, 410})
BLOCKED_STATUSES = frozenset({401, 403, 429, 451})


def content_hash(title: str | None, lead: str | None, body_text: str | None) -> str:
    """sha256 of title, lead and body text, one per line: changes when the text does."""
    text = "\n".join(part or "" for part in (title, lead, body_text))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def reject(url: str | None, reason: str, detail: str | None = None, item_id: str | None = None) -> RejectItem:
    """A reject record: the page was fetched, but is not a valid article."""
    return RejectItem(url=url, id=item_id, reason=reason, detail=detail, rejected_at=utc_now_iso())


def failure_record(failure: Failure, request: Request, kind: str) -> FailureItem:
    """A failure record for a request that never produced a usable response.

    ``reason`` is ``gone`` (404/410), ``blocked`` (401/403/429/451), ``http_error``
    (any other status) or ``transient`` (network errors and timeouts that outlived
    the retries).
    """
    status = None
    if isinstance(failure.value, HttpError):
        status = failure.value.response.status
        reason = "gone" if status in GONE_STATUSES else "blocked" if status in BLOCKED_STATUSES else "http_error"
        error = f"HTTP {status}"
    else:
        reason = "transient"
        error = f"{type(failure.value).__name__}: {failure.getErrorMessage()}"
    return FailureItem(
        url=to_site_url(request.url),
        kind=kind,
        reason=reason,
        status=status,
        error=error,
        retries=request.meta.get("retry_times", 0),
        failed_at=utc_now_iso(),
    )
