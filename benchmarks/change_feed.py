"""Requests per new article in the incremental scenario, walking the sections vs. reading the change feed.

``python3 -m benchmarks.change_feed``: the scenario of ``benchmarks.incremental``
(``OLD`` articles in the state, ``NEW`` more, ``PER_DAY`` a day, 4 sections), served
in-process with a news sitemap of the last two days added, crawled twice per mode:
a first run into an empty state, then the steady-state run that is measured. Modes:
``RFI_CHANGE_FEED`` empty (the walk, stopped by ``RFI_STOP_AT_KNOWN``) and the default, the
news sitemap (here without ``lastmod``: the refresh window decides refreshes, as for the walk).
"""

from __future__ import annotations

import tempfile
from datetime import timedelta
from pathlib import Path

from benchmarks.incremental import FIRST_DAY, NEW, OLD, PER_DAY
from benchmarks.machine import table
from fixture_site.navigation import news_sitemap
from fixture_site.pages import SITE, site_path
from fixture_site.server import serving
from fixture_site.site import Page, build_large_site
from tests.crawling import run_crawl

FEED = "/sitemaps/cn/news.xml"


def routes(count: int) -> dict[str, Page]:
    """``build_large_site(count)`` plus a news sitemap listing its last two days."""
    site = build_large_site(count, per_day=PER_DAY, first_day=FIRST_DAY)
    since = f"{FIRST_DAY + timedelta(days=count // PER_DAY - 1):%Y%m%d}"
    recent = [path for path in site if "测试新闻" in path and path.rsplit("/", 1)[1][:8] >= since]
    site[FEED] = news_sitemap([SITE + site_path(path) for path in recent])
    return site


def main() -> None:
    rows = []
    newest_day = FIRST_DAY + timedelta(days=(OLD + NEW) // PER_DAY)
    for feed in ("", FEED):
        with tempfile.TemporaryDirectory(prefix="rfi-bench-feed-") as workdir:
            settings = {
                "CRAWL_STATE_PATH": str(Path(workdir) / "state.sqlite"),
                "INCREMENTAL_NOW": f"{newest_day.isoformat()}T23:00:00Z",
                "RFI_CHANGE_FEED": feed,
            }
            for label, count in (("first", OLD), ("steady", OLD + NEW)):
                with serving(routes(count)) as server:
                    result = run_crawl(server.base_url, Path(workdir) / label, settings=settings)
                    requests = list(server.requests)
            exported = result.stats.get("rfi_cn/articles/exported", 0)
            articles = sum(1 for path in requests if "测试新闻" in path)
            rows.append(
                [
                    f"RFI_CHANGE_FEED={feed}",
                    exported,
                    len(requests),
                    articles,
                    len(requests) - articles,
                    f"{len(requests) / max(exported, 1):.2f}",
                    result.stats.get("rfi_cn/articles/unaccounted"),
                ]
            )
    print(f"\n## Steady-state run after {NEW} new articles on a state of {OLD} ({PER_DAY} a day, 4 sections)\n")
    print(table(["mode", "exported", "requests", "article", "other", "requests per new", "unaccounted"], rows))


if __name__ == "__main__":
    main()
