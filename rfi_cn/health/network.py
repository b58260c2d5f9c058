"""Network errors as one line with a hint, instead of a traceback per retry.

Scrapy logs a request it gives up on (the retry middleware) and a robots.txt it
cannot fetch (with a full traceback, for every request waiting on it). When the
cause is the network (a name that does not resolve, a refused connection, a
timeout, a dropped connection), ``NetworkErrorHint`` rewrites such a record
into one line naming the origin host and what to check, e.g. ``cannot resolve
www.rfi.fr: check the network or RFI_BASE_URL (GET https://www.rfi.fr/cn/,
gave up after 4 tries)``. Other errors keep their traceback.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlparse

from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    ResponseDataLossError,
)
from twisted.internet import error as twisted_errors

HINT = "check the network or RFI_BASE_URL"
LOGGERS = ("scrapy.downloadermiddlewares.retry", "scrapy.downloadermiddlewares.robotstxt", "scrapy.core.scraper")
RESOLVE = (CannotResolveHostError, twisted_errors.DNSLookupError)
REFUSED = (DownloadConnectionRefusedError, twisted_errors.ConnectionRefusedError)
TIMEOUT = (DownloadTimeoutError, twisted_errors.TimeoutError, twisted_errors.TCPTimedOutError)
DROPPED = (DownloadFailedError, ResponseDataLossError, twisted_errors.ConnectionLost, twisted_errors.ConnectError)


def network_problem(error: BaseException, base_url: str) -> str | None:
    """What went wrong with the origin, in words, or None when ``error`` is not a network error."""
    origin = urlparse(base_url)
    host = origin.hostname or base_url
    port = origin.port or (443 if origin.scheme == "https" else 80)
    if isinstance(error, RESOLVE):
        return f"cannot resolve {host}: {HINT}"
    if isinstance(error, REFUSED):
        return f"cannot connect to {host}:{port} (connection refused): {HINT}"
    if isinstance(error, TIMEOUT):
        return f"no answer from {host}:{port} within DOWNLOAD_TIMEOUT: {HINT}"
    if isinstance(error, DROPPED):
        return f"connection to {host}:{port} failed ({type(error).__name__}): {HINT}"
    return None


class NetworkErrorHint(logging.Filter):
    """A filter on Scrapy's download-error loggers that shortens network errors to one line."""

    def __init__(self, base_url: str) -> None:
        super().__init__()
        self.base_url = base_url

    def install(self) -> None:
        for name in LOGGERS:
            logging.getLogger(name).addFilter(self)

    def uninstall(self) -> None:
        for name in LOGGERS:
            logging.getLogger(name).removeFilter(self)

    def filter(self, record: logging.LogRecord) -> bool:
        args: dict[str, Any] = record.args if isinstance(record.args, dict) else {}
        error = record.exc_info[1] if record.exc_info else None
        if error is None:
            error = next((value for value in args.values() if isinstance(value, BaseException)), None)
        problem = network_problem(error, self.base_url) if error is not None else None
        if problem is None:
            return True
        where = []
        if args.get("request") is not None:
            request = args["request"]
            where.append(f"{getattr(request, 'method', 'GET')} {getattr(request, 'url', request)}")
        if "retry_times" in args:
            where.append(f"gave up after {args['retry_times']} tries")
        record.msg = problem + (f" ({', '.join(where)})" if where else "")
        record.args = None
        record.exc_info = None
        record.exc_text = None
        return True
