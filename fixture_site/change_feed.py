"""A small newsroom read through its change feed: the site of ``tests/e2e/test_change_feed.py``.

``fixture_site.newsroom.Newsroom`` over ``DAYS`` days (4 to 6 articles a day over the 22
sections of the real navigation, every section one listing page), seen at ``FIRST_RUN``
(the run that fills the crawl state) and at ``SECOND_RUN``, 24 h later. ``routes(now)``
builds every page of the site at ``now`` (the news sitemap of the last 48 h with
``lastmod`` included); the hostile feeds replace ``FEED``.
"""

from __future__ import annotations

import gzip
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from fixture_site.faults import Reset, Stall, Truncate
from fixture_site.newsroom import Newsroom, Published, news_sitemap
from fixture_site.pages import SITE, site_path
from fixture_site.site import Page

FEED = "/sitemaps/cn/news.xml"
FIRST_DAY = date(2025, 3, 1)
DAYS = 4
FIRST_RUN = datetime(2025, 3, 3, 6, 0, tzinfo=UTC)
SECOND_RUN = FIRST_RUN + timedelta(hours=24)
FEED_HOURS = 48


def newsroom() -> Newsroom:
    return Newsroom(DAYS, FIRST_DAY, per_day=(4, 6), paragraphs=2)


def routes(now: datetime) -> dict[str, Page]:
    """Every page of the site at ``now``, built (article pages too)."""
    lazy = newsroom().routes(now)
    return {path: lazy[path] for path in lazy}


def new_between(start: datetime, end: datetime) -> list[Published]:
    """The articles published after ``start`` and by ``end``, oldest first."""
    return [item for item in newsroom().published_by(end) if item.at > start]


def in_feed(now: datetime) -> list[Published]:
    """What the news sitemap lists at ``now``, newest first."""
    return [item for item in reversed(newsroom().published_by(now)) if item.at > now - timedelta(hours=FEED_HOURS)]


def feed_of(items: list[Published], lastmod: dict[int, datetime] | None = None) -> Page:
    """A news sitemap listing ``items``; ``lastmod`` overrides some articles' ``lastmod`` (by number)."""
    page = news_sitemap(items)
    body = page.body.decode()
    for number, moment in (lastmod or {}).items():
        (item,) = [item for item in items if item.number == number]
        body = body.replace(
            f"{url_of(item)}</loc><lastmod>{item.at.isoformat()}</lastmod>",
            f"{url_of(item)}</loc><lastmod>{moment.isoformat()}</lastmod>",
        )
    return Page(200, body.encode(), page.content_type)


def url_of(item: Published) -> str:
    return SITE + site_path(item.path)


def hostile_feeds() -> dict[str, Page]:
    """Feeds that must each cost one request and fall back on the walk (``stall`` needs a
    ``DOWNLOAD_TIMEOUT`` below its 6 s hold)."""
    real = feed_of(in_feed(SECOND_RUN))
    index = (
        '<?xml version="1.0" encoding="UTF-8"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"<sitemap><loc>{SITE}{FEED}</loc></sitemap></sitemapindex>"
    )
    many = "".join(
        f"<url><loc>{SITE}{site_path(f'/cn/中国/20250303-多{number:04d}')}</loc></url>" for number in range(1001)
    )
    return {
        "404": Page(404, b"<html><body>not found</body></html>"),
        "403": Page(403, b"<html><body>forbidden</body></html>"),
        "500": Page(500, b"<html><body>error</body></html>"),
        "redirect_loop": Page(301, b"", headers={"Location": f"{SITE}{FEED}"}),
        "redirect_away": Page(302, b"", headers={"Location": "/cn/"}),
        "garbage": Page(200, bytes(range(256)) * 8, "application/xml"),
        "html": Page(200, "<html><body><p>维护中</p></body></html>".encode(), "text/html; charset=utf-8"),
        "empty": Page(200, b"", "application/xml"),
        "empty_urlset": Page(
            200, b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"></urlset>', "application/xml"
        ),
        "index_loop": Page(200, index.encode(), "application/xml"),
        "over_1000_urls": Page(
            200,
            f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{many}</urlset>'.encode(),
            "application/xml",
        ),
        "huge": Page(200, b"<urlset>" + b" " * (5 * 1024 * 1024) + b"</urlset>", "application/xml"),
        "reset": replace(real, fault=Reset()),
        "truncated": replace(real, fault=Truncate()),
        "stall": replace(real, fault=Stall()),
        "gzip_bomb": Page(200, gzip.compress(b"\0" * (64 * 1024 * 1024), compresslevel=9), "application/octet-stream"),
    }
