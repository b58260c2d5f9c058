"""Accounting: every article URL the crawl reaches ends as exactly one outcome.

The outcomes (``OUTCOMES``): ``exported`` (in the lake), ``rejected`` (fetched but
not a valid article: a reject record with its reason), ``failed`` (never fetched
usably: a failure record with its reason) and ``unchanged`` (re-fetched within
the refresh window, same text as exported before). ``article_counts`` is the one
place that turns crawl stats into those counts and ``unaccounted``
(``discovered`` minus the outcomes); the crawl stats, the run manifest and the
distributed run totals all use it.

``reject``, ``failure_record`` and ``parse_error_record`` build the two kinds of records with a reason
class (``failure_reason``).

``ArticleAccounting`` counts records by kind and reason in the crawl stats
(``rfi_cn/articles/exported`` is counted where rows are written, ``rfi_cn.lake.export``;
``rfi_cn/articles/rejected``,
``rfi_cn/articles/failed``, ``rfi_cn/rejects/reason/<reason>``,
``rfi_cn/failures/reason/<reason>``), re-fetched articles routed out as unchanged
(``rfi_cn/articles/unchanged``) and, when the crawl closes, compares them with
``rfi_cn/articles/discovered``: a gap is logged as an error.

With a ``JOBDIR`` the counts carry over to the resumed run (``rfi_cn.accounting.json``
there), and a run stopped with requests still queued reports them as
``rfi_cn/articles/pending_in_jobdir`` instead of a gap. After an unclean stop the
carried counts are stale (the resumed run walks the site again): they are dropped.
"""

from __future__ import annotations

import gzip
import json
import logging
import zlib
from pathlib import Path
from typing import Any

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DownloadCancelledError, IgnoreRequest
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.statscollectors import StatsCollector
from scrapy.utils._compression import _DecompressionMaxSizeExceeded
from twisted.python.failure import Failure

from rfi_cn.items import FailureItem, RejectItem
from rfi_cn.middlewares.fetching import BadRedirect, OffsiteRedirect
from rfi_cn.middlewares.limits import ResponseTooLargeError
from rfi_cn.normalise.dates import utc_now_iso
from rfi_cn.state.incremental import UnchangedArticle
from rfi_cn.state.resume import previous_stop_was_unclean

logger = logging.getLogger(__name__)

OUTCOMES = ("exported", "rejected", "failed", "unchanged")
CARRIED = tuple(f"rfi_cn/articles/{kind}" for kind in ("discovered", *OUTCOMES))
CARRY_NAME = "rfi_cn.accounting.json"


def article_counts(stats: dict[str, Any]) -> dict[str, int]:
    """``discovered``, each outcome and ``unaccounted``, from crawl stats (or run totals)."""
    counts = {name: int(stats.get(f"rfi_cn/articles/{name}", 0)) for name in ("discovered", *OUTCOMES)}
    counts["unaccounted"] = counts["discovered"] - sum(counts[name] for name in OUTCOMES)
    return counts


class ArticleAccounting:
    def __init__(self, stats: StatsCollector, carry: Path | None = None, carry_in: bool = False) -> None:
        self.stats = stats
        self.carry = carry  # the counts of this JOBDIR's runs
        self.carry_in = carry_in  # whether to start from them

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArticleAccounting:
        assert crawler.stats is not None
        jobdir = crawler.settings.get("JOBDIR")
        carry = Path(jobdir) / CARRY_NAME if jobdir else None
        extension = cls(crawler.stats, carry, carry_in=not previous_stop_was_unclean(crawler.settings))
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(extension.item_error, signal=signals.item_error)
        crawler.signals.connect(extension.item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def item_scraped(self, item: Any) -> None:
        # Articles: rfi_cn/articles/exported counts rows written (rfi_cn.lake.export).
        if isinstance(item, RejectItem):
            self.stats.inc_value("rfi_cn/articles/rejected")
            self.stats.inc_value(f"rfi_cn/rejects/reason/{item.get('reason')}")
        elif isinstance(item, FailureItem):
            self.stats.inc_value(f"rfi_cn/{item.get('kind')}s/failed")
            self.stats.inc_value(f"rfi_cn/failures/reason/{item.get('reason')}")

    def item_error(self, item: Any) -> None:
        self.stats.inc_value("rfi_cn/items/pipeline_errors")

    def item_dropped(self, item: Any, exception: BaseException) -> None:
        if isinstance(exception, UnchangedArticle):
            self.stats.inc_value("rfi_cn/articles/unchanged")

    def spider_opened(self) -> None:
        if self.carry is not None and self.carry_in and self.carry.exists():
            for key, value in json.loads(self.carry.read_text(encoding="utf-8")).items():
                self.stats.inc_value(key, value)

    def spider_closed(self, spider: Spider, reason: str) -> None:
        discovered = self.stats.get_value("rfi_cn/articles/discovered", 0)
        if spider.crawler.settings.getbool("DISTRIBUTED_MODE"):
            return  # a worker's share is not the run: see rfi_cn.distributed.coordinator.run_totals
        accounted = sum(article_counts(self.stats.get_stats())[kind] for kind in OUTCOMES)
        if self.carry is not None:
            self.carry.parent.mkdir(parents=True, exist_ok=True)
            self.carry.write_text(json.dumps({key: self.stats.get_value(key, 0) for key in CARRIED}), encoding="utf-8")
            if reason == "shutdown" and discovered > accounted:
                self.stats.set_value("rfi_cn/articles/pending_in_jobdir", discovered - accounted)
                logger.info("%d article requests wait in the JOBDIR for the resumed run", discovered - accounted)
                accounted = discovered
        self.stats.set_value("rfi_cn/articles/unaccounted", discovered - accounted)
        if discovered != accounted:
            logger.error("%d article URLs reached but not accounted for", discovered - accounted)


GONE_STATUSES = frozenset({404, 410})
BLOCKED_STATUSES = frozenset({401, 403, 429, 451})
# Statuses a server gives for a passing trouble: retried, and "transient" once the retries are spent.
TRANSIENT_STATUSES = frozenset({408, 500, 502, 503, 504, 522, 524})
# The messages Scrapy's own middlewares raise IgnoreRequest with.
# Decoders whose errors mean a body its Content-Encoding cannot decode (brotli, zstandard).
UNDECODABLE_MODULES = frozenset({"brotli", "_brotli", "brotlicffi", "zstandard", "compression.zstd"})
IGNORED_REASONS = {"Forbidden by robots.txt": "robots", "max redirections reached": "redirect_loop"}


def reject(url: str | None, reason: str, detail: str | None = None, item_id: str | None = None) -> RejectItem:
    """A reject record: the page was fetched, but is not a valid article."""
    return RejectItem(url=url, id=item_id, reason=reason, detail=detail, rejected_at=utc_now_iso())


def parse_error_record(url: str, kind: str, error: BaseException) -> FailureItem:
    """The failure record of a page whose callback raised ``error``."""
    return FailureItem(
        url=url,
        kind=kind,
        reason="parse_error",
        status=None,
        error=f"{type(error).__name__}: {error}",
        retries=0,
        failed_at=utc_now_iso(),
    )


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
        url=request.url,
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
    (robots.txt forbids it), ``offsite_redirect`` (redirected off the site's
    origin or out of /cn/), ``bad_redirect`` (a ``Location`` that is no URL, such
    as ``javascript:``), ``redirect_loop``, ``too_large`` (a body over
    ``DOWNLOAD_MAXSIZE``, also once decompressed, or headers over
    ``RFI_MAX_HEADER_BYTES``/``RFI_MAX_HEADER_COUNT``), ``undecodable`` (a body its
    ``Content-Encoding`` cannot decode), ``ignored`` (refused by another middleware).
    Not from here: ``parse_error`` (a callback raised on the page,
    ``rfi_cn.middlewares.errors``). The table is in docs/crawling.md.
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
    if isinstance(error, ResponseTooLargeError):
        return "too_large"
    if isinstance(error, BadRedirect):
        return "bad_redirect"
    if isinstance(error, gzip.BadGzipFile | zlib.error) or type(error).__module__ in UNDECODABLE_MODULES:
        return "undecodable"
    if isinstance(error, IgnoreRequest):
        if isinstance(error.__cause__, _DecompressionMaxSizeExceeded):  # HttpCompressionMiddleware
            return "too_large"
        return IGNORED_REASONS.get(str(error), "ignored")
    if isinstance(error, DownloadCancelledError):  # Scrapy cancels a download only over DOWNLOAD_MAXSIZE
        return "too_large"
    return "transient"
