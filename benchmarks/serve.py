"""The benchmark site in its own process: build it, serve it, report what was asked.

``python3 -m benchmarks.serve ARTICLES [--padding BYTES] [--related N] [--per-day N]``
serves ``build_large_site`` (4 sections, pages built up front) plus ``/cn/rss``
and the news sitemap (``with_feeds``), so a crawler that reads a change feed can
be measured on it too;
``python3 -m benchmarks.serve ARTICLES --newsroom [--now ISO]`` serves a
``fixture_site.newsroom.Newsroom`` (22 sections, 20-30 articles a day, pages of
real size built on request) as it is at ``--now`` (default: when its
``ARTICLES``-th article is published). The first line printed is the base URL,
the page count, the bytes of the pages built up front and the build CPU
seconds; ``--routes-file`` also writes every path served (JSON). It serves
until its standard input closes, then prints the paths requested (one JSON
line). Keeping the pages out of the measuring process keeps the crawl's memory
figures honest (a child forked from a large process inherits its peak) and
keeps the server off the crawl's CPU accounting.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from datetime import time as time_of_day
from pathlib import Path

from fixture_site.newsroom import NEWS_SITEMAP_HOURS, RSS_ITEMS, Newsroom, Published, news_sitemap, rss
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

    def __init__(self, routes: Mapping[str, Page]) -> None:
        super().__init__(routes)  # type: ignore[arg-type]  # any mapping with .get serves
        self.RequestHandlerClass = KeepAliveHandler


def newsroom_routes(args: argparse.Namespace) -> Mapping[str, Page]:
    days = args.days or args.articles // 20 + 2
    newsroom = Newsroom(days, args.first_day, padding_bytes=args.padding, related=args.related)
    now = args.now or newsroom.articles[min(args.articles, len(newsroom.articles)) - 1].at
    return newsroom.routes(now)


def with_feeds(routes: dict[str, Page], articles: int, per_day: int, first_day: date) -> dict[str, Page]:
    """``build_large_site``'s routes plus ``/cn/rss`` and the news sitemap, as the real site has them.

    Article ``n`` of that site is published on day ``n // per_day`` at ``0<n % 10>:15`` UTC.
    """
    published = [
        Published(
            number,
            ("中国", "政治", "国际", "经贸")[number % 4],
            datetime.combine(first_day + timedelta(days=number // per_day), time_of_day(number % 10, 15), UTC),
        )
        for number in range(1, articles + 1)
    ]
    newest = sorted(published, key=lambda item: item.at, reverse=True)
    if newest:
        recent = [item for item in newest if item.at > newest[0].at - timedelta(hours=NEWS_SITEMAP_HOURS)]
        routes["/sitemaps/cn/news.xml"] = news_sitemap(recent)
        routes["/cn/rss"] = rss(newest[:RSS_ITEMS])
    return routes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("articles", type=int)
    parser.add_argument("--padding", type=int, default=0)
    parser.add_argument("--related", type=int, default=0)
    parser.add_argument("--per-day", type=int, default=100)
    parser.add_argument("--first-day", type=date.fromisoformat, default=date(2025, 1, 1))
    parser.add_argument("--newsroom", action="store_true", help="serve the 22-section newsroom site")
    parser.add_argument("--days", type=int, default=0, help="newsroom: days of publishing (default: enough)")
    parser.add_argument("--now", type=datetime.fromisoformat, default=None, help="newsroom: the site at this time")
    parser.add_argument("--routes-file", type=Path, default=None, help="write every path served here (JSON)")
    args = parser.parse_args()
    routes: Mapping[str, Page]
    if args.newsroom:
        routes = newsroom_routes(args)
    else:
        routes = build_large_site(
            args.articles, args.padding, related=args.related, per_day=args.per_day, first_day=args.first_day
        )
        routes = with_feeds(routes, args.articles, args.per_day, args.first_day)
    if args.routes_file:
        args.routes_file.write_text(json.dumps(list(routes), ensure_ascii=False), encoding="utf-8")
    server = BenchmarkServer(routes)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    built = getattr(routes, "pages", routes)
    size = sum(len(page.body) for page in built.values())
    print(server.base_url, len(routes), size, time.process_time(), flush=True)
    sys.stdin.read()  # until the benchmark closes our input
    server.shutdown()
    with server.lock:
        print(json.dumps(server.requests, ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
