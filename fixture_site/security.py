"""Hostile route behaviours for the security tests (``tests/e2e/test_security.py``).

``EndlessHeaders`` answers with a status line and then header lines without end
(up to ``limit`` bytes, so an unprotected crawler is not driven out of memory for
good); ``GzipBomb`` is a small gzip body that inflates far past ``DOWNLOAD_MAXSIZE``;
``RecordAgents`` serves the page and records the User-Agent of each request.
"""

from __future__ import annotations

import gzip
import threading
from typing import Any

from fixture_site.site import Page

HEADER_LINE_BYTES = 100


class EndlessHeaders:
    """A 200 status line, then ``X-Pad-<n>`` header lines until ``limit`` bytes or a hang-up
    (``one_line``: a single header line that never ends)."""

    def __init__(self, limit: int = 256 * 1024 * 1024, one_line: bool = False) -> None:
        self.limit = limit
        self.one_line = one_line
        self.sent = 0  # header bytes written before the client hung up (or the limit)
        self.requests = 0

    def respond(self, handler: Any, page: Page) -> bool:
        self.requests += 1
        handler.close_connection = True
        chunk = b"".join(b"X-Pad-%07d: %s\r\n" % (number, b"a" * (HEADER_LINE_BYTES - 19)) for number in range(1000))
        if self.one_line:
            chunk = b"a" * len(chunk)
        try:
            handler.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n")
            if self.one_line:
                handler.wfile.write(b"X-Endless: ")
            while self.sent < self.limit and not handler.server.stopping.is_set():
                handler.wfile.write(chunk)
                self.sent += len(chunk)
            handler.wfile.write(b"\r\n")
        except OSError:  # the crawler dropped the connection: what it should do
            pass
        return True


def gzip_bomb(inflated: int) -> bytes:
    """A gzip body of ``inflated`` zero bytes (about 1/1000 of that compressed)."""
    return gzip.compress(b"\0" * inflated, compresslevel=9)


class RecordAgents:
    """Serve the page; remember each request's User-Agent."""

    def __init__(self) -> None:
        self.agents: list[str | None] = []
        self._lock = threading.Lock()

    def respond(self, handler: Any, page: Page) -> bool:
        with self._lock:
            self.agents.append(handler.headers.get("User-Agent"))
        return False
