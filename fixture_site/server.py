"""A real HTTP server on loopback serving fixture routes, with a request log.

Routes are keyed by decoded path plus query (``/cn/政治/?page=2``). Every
request is recorded, so tests can assert what the crawl asked for; ``delay``
slows every answer (seconds) so a test can stop a crawl mid-way.
Run ``python -m fixture_site.server`` to browse or crawl the fixture site.
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote, urlsplit

from fixture_site.site import Page, build_site


class FixtureServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # a crawl opens dozens of connections at once; 5 drops SYNs

    def __init__(self, routes: dict[str, Page], port: int = 0) -> None:
        super().__init__(("127.0.0.1", port), _Handler)
        self.routes = routes
        self.requests: list[str] = []
        self.hosts: list[str] = []  # the Host header of every request
        self.delay = 0.0  # seconds before each answer: spreads a crawl over time
        self.lock = threading.Lock()
        self.stopping = threading.Event()  # releases faults that hold a connection

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def handle_error(self, request: object, client_address: object) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):  # a killed crawl hangs up: expected
            super().handle_error(request, client_address)  # type: ignore[arg-type]

    def requested(self, path: str) -> int:
        """How many times ``path`` (decoded) was requested."""
        with self.lock:
            return self.requests.count(path)


class _Handler(BaseHTTPRequestHandler):
    server: FixtureServer

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        key = unquote(parts.path) + (f"?{unquote(parts.query)}" if parts.query else "")
        with self.server.lock:
            self.server.requests.append(key)
            self.server.hosts.append(self.headers.get("Host", ""))
        if self.server.delay:
            time.sleep(self.server.delay)
        page = self.server.routes.get(key) or Page(404, b"<html><body>not found</body></html>")
        if page.fault is not None and page.fault.respond(self, page):
            return
        self.send_page(page)

    def send_page(self, page: Page, length: int | None = None) -> None:
        """Send ``page``; ``length`` overrides the Content-Length (-1: none, end at close)."""
        self.send_response(page.status)
        self.send_header("Content-Type", page.content_type)
        length = len(page.body) if length is None else length
        if length >= 0:
            self.send_header("Content-Length", str(length))
        for name, value in page.headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(page.body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the http.server API
        pass


@contextmanager
def serving(routes: dict[str, Page]) -> Iterator[FixtureServer]:
    """Serve ``routes`` on a free loopback port for the duration of the block."""
    server = FixtureServer(routes)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.stopping.set()
        server.shutdown()
        server.server_close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=8000)
    args = parser.parse_args()
    routes, _ = build_site()
    server = FixtureServer(routes, args.port)
    print(f"serving the fixture site on {server.base_url}/cn/", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
