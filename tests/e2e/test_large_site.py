"""The benchmarks' scaled site: its shape, and a real crawl of real-size pages."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from fixture_site.server import serving
from fixture_site.site import build_large_site
from tests.crawling import run_crawl


def test_large_site_lists_every_article_newest_first_per_section() -> None:
    routes = build_large_site(45, per_page=5, per_day=10)
    articles = sorted(path for path in routes if path.rsplit("/", 1)[-1][:8].isdigit())
    assert len(articles) == 45
    assert articles[0] == "/cn/中国/20250101-测试新闻0004" and articles[-1] == "/cn/经贸/20250105-测试新闻0043"
    first_listing = routes["/cn/国际/"].body.decode()  # articles 2, 6, ... 42, newest first
    assert first_listing.index(quote("测试新闻0042")) < first_listing.index(quote("测试新闻0038"))
    assert set(routes) >= {"/robots.txt", "/cn/", "/cn/国际/2/", "/cn/国际/3/"} and "/cn/国际/4/" not in routes


def test_a_crawl_of_real_size_pages_exports_every_article(tmp_path: Path) -> None:
    routes = build_large_site(24, padding_bytes=300_000, per_page=4)
    assert all(len(page.body) > 300_000 for path, page in routes.items() if "测试新闻" in path)
    with serving(routes) as server:
        result = run_crawl(server.base_url, tmp_path)
    assert result.returncode == 0, result.log[-3000:]
    rows = result.records("articles")
    assert sorted(row["id"] for row in rows) == [f"T{number:03d}" for number in range(1, 25)]
    assert all(row["title"] and row["published_at"] and row["body_text"] and len(row["tags"]) == 2 for row in rows)
    assert result.stats["rfi_cn/articles/exported"] == 24 and result.stats["rfi_cn/articles/unaccounted"] == 0
