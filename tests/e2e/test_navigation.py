"""A crawl of a hostile, sloppy site: no link lost to a bad one, one request per URL
however it is spelt, nothing fetched outside /cn/ or against robots.txt, walks
that end, and the failure reasons a reader would pick.

One real ``scrapy crawl`` of ``fixture_site.navigation`` (module-scoped), with
``ExplodingCallbacks`` added next to the spider to make callbacks raise.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
from protego import Protego

from fixture_site.navigation import (
    BAD_HREFS,
    ENDLESS_LIMIT,
    QUERY_PATH,
    ROBOTS,
    VARIANT_PATH,
    build_navigation_site,
    news_sitemap,
)
from fixture_site.pages import SITE, article_html, site_path
from fixture_site.server import serving
from fixture_site.site import Page, build_site, make_article
from rfi_cn.accounting import OUTCOMES, article_counts
from rfi_cn.extract.article import fallback_id
from tests.crawling import run_crawl

MIDDLEWARES = {
    "rfi_cn.middlewares.requests.ArticleRequestFilter": 950,
    "rfi_cn.middlewares.errors.CallbackErrors": 960,
    "fixture_site.navigation.ExplodingCallbacks": 990,
}
SETTINGS = {"SPIDER_MIDDLEWARES": json.dumps(MIDDLEWARES), "CONCURRENT_REQUESTS_PER_DOMAIN": "16"}


@pytest.fixture(scope="module")
def crawl(tmp_path_factory: pytest.TempPathFactory) -> Any:
    routes, facts = build_navigation_site()
    with serving(routes) as server:
        result = run_crawl(server.base_url, tmp_path_factory.mktemp("navigation"), settings=SETTINGS)
        return result, facts, list(server.requests)


def test_the_crawl_finishes_and_every_article_is_accounted_for(crawl: Any) -> None:
    result, _, _ = crawl
    assert result.returncode == 0, result.log[-3000:]
    assert result.stats["finish_reason"] == "finished"
    counts = article_counts(result.stats)
    assert counts == {"discovered": 86, "exported": 77, "rejected": 2, "failed": 7, "unchanged": 0, "unaccounted": 0}
    assert counts["discovered"] == sum(counts[name] for name in OUTCOMES)
    assert result.stats["rfi_cn/articles/unaccounted"] == 0
    assert len(result.records("articles")) == 77 and len(result.records("rejects")) == 2


def test_bad_hrefs_are_skipped_and_counted_and_the_page_keeps_its_articles(crawl: Any) -> None:
    result, _, requests = crawl
    assert result.stats["rfi_cn/links/invalid"] == len(BAD_HREFS) == 3
    ids = {row["id"] for row in result.records("articles")}
    assert {f"T{number}" for number in range(201, 221)} <= ids
    assert sum(1 for key in requests if key.startswith("/cn/坏链/2025")) == 20


def test_every_spelling_of_a_url_is_one_request_and_one_article(crawl: Any) -> None:
    result, _, requests = crawl
    assert [key for key in requests if key.startswith(VARIANT_PATH)] == [VARIANT_PATH]
    assert [key for key in requests if key.startswith(QUERY_PATH)] == [QUERY_PATH + "?a=1&b=2"]
    url = SITE + site_path(VARIANT_PATH)
    rows = [row for row in result.records("articles") if row["id"] == fallback_id(url)]
    assert [row["url"] for row in rows] == [url]  # no share code, no canonical: the id of the crawl key
    assert [row["id"] for row in result.records("articles")].count("T302") == 1


def test_nothing_outside_cn_nor_disallowed_by_robots_is_requested(crawl: Any) -> None:
    _, facts, requests = crawl
    robots = Protego.parse(ROBOTS)
    outside = [key for key in requests if not key.startswith("/cn/") and key != "/robots.txt"]
    assert outside == []
    assert [key for key in requests if "/../" in key or "/./" in key or key.endswith("/..")] == []
    assert [key for key in requests if not robots.can_fetch(SITE + key, "rfi_cn")] == []
    assert [key for key in facts.never_requested if key in requests] == []
    assert requests.count("/robots.txt") == 1
    assert {key: count for key, count in Counter(requests).items() if count > 1} == {}  # nothing twice


def test_redirects_leave_neither_the_origin_nor_the_edition(crawl: Any) -> None:
    result, facts, requests = crawl
    failures = sorted((row["url"], row["kind"], row["reason"], row["retries"]) for row in result.records("failures"))
    assert failures == facts.failures
    by_url = {row["url"]: row for row in result.records("failures")}
    javascript = by_url[SITE + site_path("/cn/重定向/20251201-测试新闻0504")]
    assert re.fullmatch(
        r"BadRedirect: redirect to 'javascript:alert\(1\)': not a URL that can be fetched.*", javascript["error"]
    )
    other_port = by_url[SITE + site_path("/cn/重定向/20251201-测试新闻0501")]
    assert other_port["error"].startswith("OffsiteRedirect: redirect to http://127.0.0.1:1/cn/")
    assert all(fault.seen == 1 for fault in facts.locations.values())  # not retried
    assert result.stats["rfi_cn/redirects/offsite"] == 4 and result.stats["rfi_cn/redirects/bad"] == 1
    # The on-site redirect through %2e%2e is followed to its resolved path, once.
    assert requests.count("/cn/重定向/20251201-测试新闻0509") == 1
    target = [row["url"] for row in result.records("articles") if row["id"] == "T509"]
    assert target == [SITE + site_path("/cn/重定向/20251201-测试新闻0509")]


def test_bodies_that_are_not_html_get_the_reason_a_reader_would_pick(crawl: Any) -> None:
    result, facts, _ = crawl
    rejects = sorted((row["url"], row["reason"]) for row in result.records("rejects"))
    assert rejects == facts.rejects
    details = sorted(row["detail"] for row in result.records("rejects"))
    assert details == ["text/html (body is PNG)", "text/html; charset=utf-8 (body is PDF)"]
    undecodable = [row for row in result.records("failures") if row["reason"] == "undecodable"]
    assert [(row["retries"], row["error"].split(":")[0]) for row in undecodable] == [(0, "BadGzipFile")]


def test_pagination_ends_at_the_limit_and_after_a_page_with_nothing_new(crawl: Any) -> None:
    result, _, requests = crawl
    assert sum(1 for key in requests if key.startswith("/cn/无尽/") and "测试新闻" not in key) == ENDLESS_LIMIT
    assert f"/cn/无尽/?page={ENDLESS_LIMIT}" in requests
    assert [key for key in requests if key.startswith("/cn/重复/") and "测试新闻" not in key] in (
        ["/cn/重复/", "/cn/重复/?page=2"],
    )
    assert result.stats["rfi_cn/listings/stopped_by_limit"] == 1
    assert result.stats["rfi_cn/listings/stopped_by_max_listing_pages"] == 1  # the health check's listing_limit
    assert result.stats["rfi_cn/listings/stopped_no_new"] == 1
    ids = {row["id"] for row in result.records("articles")}
    assert {f"T{number}" for number in range(1001, 1001 + ENDLESS_LIMIT)} <= ids
    assert f"T{1001 + ENDLESS_LIMIT}" not in ids


def test_a_callback_that_raises_keeps_what_it_yielded_and_ends_its_page_as_a_parse_error(crawl: Any) -> None:
    result, _, requests = crawl
    bomb = sorted(key for key in requests if key.startswith("/cn/爆炸/2025"))
    assert bomb == ["/cn/爆炸/20251201-测试新闻0701", "/cn/爆炸/20251201-测试新闻0702"]  # yielded before the raise
    assert [row["id"] for row in result.records("articles") if row["id"] in ("T701", "T702")] == ["T701"]
    errors = sorted((row["kind"], row["url"]) for row in result.records("failures") if row["reason"] == "parse_error")
    assert errors == [
        ("article", SITE + site_path("/cn/爆炸/20251201-测试新闻0702")),  # raised before its item
        ("listing", SITE + site_path("/cn/爆炸/")),
    ]  # 0701 raised after its item: exported, and no second outcome
    assert result.stats["rfi_cn/parse_errors/listing"] == 1
    assert result.stats["rfi_cn/parse_errors/article"] == 2
    assert result.stats["rfi_cn/listings/failed"] == 1


def test_a_change_feed_that_covers_the_time_since_the_last_run_spares_the_walk(tmp_path: Path) -> None:
    routes, facts = build_site()
    grown, _ = build_site(grown=True)
    newest, day_before = date(2025, 11, 30), date(2025, 11, 29)
    feed = {
        "RFI_CHANGE_FEED": "/sitemaps/cn/news.xml",
        "INCREMENTAL_NOW": "2025-11-30T12:00:00Z",
        "INCREMENTAL_REFRESH_HOURS": "4",
        "CRAWL_STATE_PATH": str(tmp_path / "state.sqlite3"),
    }
    with serving(routes) as server:
        first = run_crawl(server.base_url, tmp_path / "run1", settings=feed)  # an empty state: the walk
        assert {row["id"] for row in first.records("articles")} == facts.exported_ids
        assert "/sitemaps/cn/news.xml" not in server.requests  # nothing known: the feed could not cover
        assert not any(key.startswith("rfi_cn/change_feed/") for key in first.stats)

        new = [make_article(number, "中国", newest) for number in (40, 41, 42)]
        listed = [*new, make_article(28, "国际", newest), make_article(1, "中国", day_before)]
        server.routes = {**grown, "/sitemaps/cn/news.xml": news_sitemap([item.url for item in listed])}
        server.requests.clear()
        second = run_crawl(server.base_url, tmp_path / "run2", settings=feed)
        retried = [unquote(row["url"].split("rfi.fr")[1]) for row in first.records("rejects")]
        assert len(retried) == 1  # the first run's reject is asked for again (rfi_cn.state.retries)
        assert sorted(server.requests) == sorted(
            ["/robots.txt", "/sitemaps/cn/news.xml", *retried, *(item.path for item in listed[:4])]
        )  # T001 (known, before the window) is not fetched, and nothing is walked
        assert sorted(row["id"] for row in second.records("articles")) == ["T028", "T040", "T041", "T042"]
        assert second.stats["rfi_cn/change_feed/covered"] == 1
        assert second.stats["rfi_cn/articles/unaccounted"] == 0

        unknown = make_article(43, "中国", newest)  # a feed with nothing known: a gap since the last run
        server.routes = {**server.routes, unknown.path: Page(200, article_html(unknown).encode()),
                         "/sitemaps/cn/news.xml": news_sitemap([unknown.url])}  # fmt: skip
        server.requests.clear()
        third = run_crawl(server.base_url, tmp_path / "run3", settings=feed)
        assert third.stats["rfi_cn/change_feed/walked"] == 1 and "/cn/" in server.requests
        assert [row["id"] for row in third.records("articles")] == ["T043"]
