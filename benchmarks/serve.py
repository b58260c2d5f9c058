"""The benchmark site in its own process: build it, serve it, report what was asked.

``python3 -m benchmarks.serve ARTICLES [--padding BYTES] [--related N] [--per-day N]`` builds
``build_large_site`` in memory, serves it on a free loopback port, prints its
base URL, page count, bytes and build CPU seconds as its first line, serves
until its standard input closes, then prints the paths requested (one JSON line). Keeping the 1 GB of
pages out of the measuring process keeps the crawl's ``ru_maxrss`` honest (a
child forked from a large process inherits its peak) and keeps the server off
the crawl's CPU accounting.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
from datetime import date

from fixture_site.server import FixtureServer, _Handler
from fixture_site.site import Page, build_large_site


class KeepAliveHandler(_Handler):
    """HTTP/1.1: the crawler reuses its connections, as it does with the real site's CDN."""

    protocol_version = "HTTP/1.1"


class BenchmarkServer(FixtureServer):
    """The fixture server, made fast enough not to be what is measured.

    The stock listen backlog of 5 overflows under a crawl of 540 KB pages: the
    kernel drops the SYN and the client retries a second later, which made one
    request in ten take a second. A deep backlog and keep-alive remove that.
    """

    request_queue_size = 1024

    def __init__(self, routes: dict[str, Page]) -> None:
        super().__init__(routes)
        self.RequestHandlerClass = KeepAliveHandler


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("articles", type=int)
    parser.add_argument("--padding", type=int, default=0)
    parser.add_argument("--related", type=int, default=0)
    parser.add_argument("--per-day", type=int, default=100)
    parser.add_argument("--first-day", type=date.fromisoformat, default=date(2025, 1, 1))
    args = parser.parse_args()
    routes = build_large_site(
        args.articles, args.padding, related=args.related, per_day=args.per_day, first_day=args.first_day
    )
    server = BenchmarkServer(routes)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    size = sum(len(page.body) for page in routes.values())
    print(server.base_url, len(routes), size, time.process_time(), flush=True)
    sys.stdin.read()  # until the benchmark closes our input
    server.shutdown()
    with server.lock:
        print(json.dumps(server.requests, ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
