"""Bounds on what a server can make the crawler hold before the body: response headers.

``DOWNLOAD_MAXSIZE`` bounds only the body. Twisted's HTTP/1.1 client keeps every
header line a server sends, so a server streaming endless headers grows the
crawler's memory without limit. Here the response parser counts the status and
header lines as they arrive: past ``RFI_MAX_HEADER_BYTES`` bytes or
``RFI_MAX_HEADER_COUNT`` header fields (a single line longer than
``RFI_MAX_HEADER_BYTES`` included), the connection is dropped and the download
fails with ``ResponseTooLargeError``, recorded as a ``too_large`` failure and not
retried. Memory stays at most one bound's worth per connection.

It works like Scrapy's own lenient parser: Twisted's ``HTTP11ClientProtocol.request``
hard-codes the parser class, so the parser object's class is replaced right after
it is made (``_BoundedHTTPClientParser`` adds counters, set at once).
"""

from __future__ import annotations

from typing import Any

from scrapy.core.downloader.handlers.http11 import (
    _LenientHTTP11ClientFactory,
    _LenientHTTP11ClientProtocol,
    _LenientHTTPClientParser,
)
from twisted.internet.defer import Deferred
from twisted.web._newclient import HEADER, ResponseFailed


class ResponseTooLargeError(Exception):
    """A response over one of the crawl's size bounds (failure reason ``too_large``)."""


class _BoundedHTTPClientParser(_LenientHTTPClientParser):
    """Scrapy's lenient response parser, refusing headers over the bounds."""

    max_header_bytes: int
    max_header_count: int
    header_bytes: int
    header_count: int

    def lineReceived(self, line: bytes) -> None:  # noqa: N802 - Twisted's API
        self.header_bytes += len(line) + 1
        if self.header_bytes > self.max_header_bytes:
            raise ResponseTooLargeError(f"response headers over RFI_MAX_HEADER_BYTES ({self.max_header_bytes} B)")
        if self.state == HEADER and line.rstrip(b"\r") and line[:1] not in b" \t":
            self.header_count += 1
            if self.header_count > self.max_header_count:
                limit = self.max_header_count
                raise ResponseTooLargeError(f"more than RFI_MAX_HEADER_COUNT ({limit}) response headers")
        super().lineReceived(line)

    def lineLengthExceeded(self, line: bytes) -> None:  # noqa: N802 - Twisted's API
        raise ResponseTooLargeError(f"a response header line over RFI_MAX_HEADER_BYTES ({self.max_header_bytes} B)")


class _BoundedHTTP11ClientProtocol(_LenientHTTP11ClientProtocol):
    max_header_bytes = 65536
    max_header_count = 200

    def request(self, request: Any) -> Deferred[Any]:
        result: Deferred[Any] = super().request(request)
        assert self._parser is not None  # request() always makes one (see Scrapy's lenient protocol)
        self._parser.__class__ = _BoundedHTTPClientParser
        parser: _BoundedHTTPClientParser = self._parser  # type: ignore[assignment]
        parser.max_header_bytes = self.max_header_bytes
        parser.max_header_count = self.max_header_count
        parser.header_bytes = 0
        parser.header_count = 0
        parser.MAX_LENGTH = self.max_header_bytes  # one endless line: LineReceiver's own bound
        return result


def bounded_factory(max_header_bytes: int, max_header_count: int) -> type[_LenientHTTP11ClientFactory]:
    """A connection-pool protocol factory whose responses have bounded headers."""

    class Protocol(_BoundedHTTP11ClientProtocol):
        pass

    Protocol.max_header_bytes = max_header_bytes
    Protocol.max_header_count = max_header_count

    class Factory(_LenientHTTP11ClientFactory):
        def buildProtocol(self, addr: Any) -> Protocol:  # noqa: N802 - Twisted's API
            return Protocol(self._quiescentCallback)

    return Factory


def too_large_cause(error: BaseException | None) -> ResponseTooLargeError | None:
    """The ``ResponseTooLargeError`` behind a download error, if any: Twisted wraps it in
    ``ResponseFailed``, which Scrapy wraps in ``DownloadFailedError`` (its ``__cause__``)."""
    seen = 0
    while error is not None and seen < 8:
        if isinstance(error, ResponseTooLargeError):
            return error
        if isinstance(error, ResponseFailed):
            for reason in error.reasons:
                if isinstance(reason.value, ResponseTooLargeError):
                    return reason.value
        error, seen = error.__cause__, seen + 1
    return None
