"""Incremental crawling: the crawl state, the refresh window, and three scheduled runs.

The fixture articles are dated November 2025, so the runs pin ``INCREMENTAL_NOW``
to 2025-11-30T12:00Z with a 4-hour refresh window: only the newest listed article,
T028 (published 08:15Z), is inside it.
"""

from __future__ import annotations

import sqlite3
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest

from fixture_site.server import serving
from fixture_site.site import GROWTH_CHANGED_ID, GROWTH_NEW_IDS, build_site
from rfi_cn.items import ArticleItem
from rfi_cn.spiders.rfi_cn import RfiCnSpider
from rfi_cn.state.incremental import Incremental, in_refresh_window, parse_now
from rfi_cn.state.store import KnownArticle, SqliteCrawlState, url_key
from tests.crawling import ROOT, crawl_command, crawl_result, run_crawl
from tests.lake_invariants import check_lake

NOW = "2025-11-30T12:00:00Z"
WINDOW = {"INCREMENTAL_NOW": NOW, "INCREMENTAL_REFRESH_HOURS": "4"}
URL = "https://www.rfi.fr/cn/%E4%B8%AD%E5%9B%BD/20251130-%E6%B5%8B%E8%AF%95"


def known(
    article_id: str = "T001", content: str = "h1", published: str | None = "2025-11-30T08:15:00Z"
) -> KnownArticle:
    return KnownArticle(article_id, URL, content, published, "2025-11-30T12:00:00Z")


def test_url_key_names_an_article_on_any_origin() -> None:
    assert url_key(URL) == url_key("http://127.0.0.1:8000/cn/中国/20251130-测试/") == "/cn/中国/20251130-测试"


def test_sqlite_state_records_looks_up_and_replaces(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "state.sqlite3"
    state = SqliteCrawlState(path)
    assert state.lookup_url(URL) is None and state.lookup_id("T001") is None
    state.record(known())
    state.record(known(content="h2"))
    state.touch("T001", "2025-12-01T00:00:00Z")
    state.close()
    reopened = SqliteCrawlState(path)
    expected = KnownArticle("T001", URL, "h2", "2025-11-30T08:15:00Z", "2025-12-01T00:00:00Z")
    assert reopened.lookup_id("T001") == expected
    assert reopened.lookup_url("http://127.0.0.1:1/cn/中国/20251130-测试") == expected
    assert reopened.connection.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    reopened.close()


def test_refresh_window_is_judged_by_the_published_date() -> None:
    now = parse_now(NOW)
    assert now == datetime(2025, 11, 30, 12, tzinfo=UTC)
    assert in_refresh_window("2025-11-30T08:00:00Z", now, 4)
    assert not in_refresh_window("2025-11-30T07:59:59Z", now, 4)
    assert in_refresh_window("2025-12-01T00:00:00Z", now, 4)  # dated after "now": still fresh
    assert not in_refresh_window(None, now, 4)
    assert parse_now("2025-11-30T12:00:00") == now
    assert abs((parse_now(None) - datetime.now(UTC)).total_seconds()) < 60


def test_incremental_decisions(tmp_path: Path) -> None:
    state = SqliteCrawlState(tmp_path / "state.sqlite3")
    state.record(known("T001", published="2025-11-01T00:00:00Z"))
    incremental = Incremental(state, parse_now(NOW), 4)
    other = "https://www.rfi.fr/cn/中国/20251130-other"
    assert not incremental.should_fetch(URL)
    assert incremental.should_fetch(other)
    assert incremental.all_known([URL]) and not incremental.all_known([URL, other]) and not incremental.all_known([])
    assert incremental.is_unchanged(ArticleItem(id="T001", content_hash="h1"))
    assert not incremental.is_unchanged(ArticleItem(id="T001", content_hash="h2"))
    incremental.full = True  # a backfill ignores the state
    assert incremental.should_fetch(URL) and not incremental.all_known([URL])
    assert not incremental.is_unchanged(ArticleItem(id="T001", content_hash="h1"))
    incremental.close()
    assert Incremental(None, parse_now(NOW), 4).should_fetch(URL)


def article_requests(requests: list[str]) -> set[str]:
    return {path for path in requests if "测试新闻" in path or "防空" in path}


def test_three_scheduled_runs_fetch_and_export_only_what_is_new(tmp_path: Path) -> None:
    routes, facts = build_site()
    grown_routes, _ = build_site(grown=True)
    state = {**WINDOW, "CRAWL_STATE_PATH": str(tmp_path / "state.sqlite3")}
    with serving(routes) as server:
        first = run_crawl(server.base_url, tmp_path / "run1", settings=state)
        assert sorted(row["id"] for row in first.records("articles")) == sorted(facts.exported_ids)

        server.requests.clear()
        second = run_crawl(server.base_url, tmp_path / "run2", settings=state)
        assert second.records("articles") == []
        assert article_requests(server.requests) == {  # the refresh window, and the reject of run 1 retried
            "/cn/国际/20251130-测试新闻0028",
            "/cn/国际/20251124-测试新闻0034",
        }
        stats = second.stats
        assert (stats["rfi_cn/articles/discovered"], stats["rfi_cn/articles/unchanged"]) == (2, 1)
        assert (stats["rfi_cn/articles/retried"], stats["rfi_cn/articles/rejected"]) == (1, 1)
        assert stats["rfi_cn/articles/unaccounted"] == 0
        assert stats["rfi_cn/articles/skipped_known"] == 21 - 1  # front + first pages list 21, T028 is fetched
        assert stats["rfi_cn/listings/stopped_by_state"] == 4  # every section stops at its first page
        check_lake(first, state=tmp_path / "state.sqlite3")
        check_lake(second, state=tmp_path / "state.sqlite3", lakes=[first.lake])

        server.routes = grown_routes
        server.requests.clear()
        third = run_crawl(server.base_url, tmp_path / "run3", settings=state)
        expected = {*GROWTH_NEW_IDS, GROWTH_CHANGED_ID}
        assert sorted(row["id"] for row in third.records("articles")) == sorted(expected)
        assert article_requests(server.requests) == {
            "/cn/国际/20251130-测试新闻0028",
            "/cn/国际/20251124-测试新闻0034",  # its second retry
            "/cn/中国/20251130-测试新闻0040",
            "/cn/中国/20251130-测试新闻0041",
            "/cn/中国/20251130-测试新闻0042",
        }
        # Page 1 lists the new articles, then T001, known and older than the window: page 2 is not fetched.
        assert "/cn/中国/2/" not in server.requests and "/cn/中国/3/" not in server.requests
        assert third.stats["rfi_cn/listings/stopped_by_known"] == 1
        assert third.stats["rfi_cn/articles/unaccounted"] == 0
        check_lake(third, state=tmp_path / "state.sqlite3", lakes=[first.lake, second.lake])

        server.requests.clear()
        backfill = run_crawl(server.base_url, tmp_path / "run4", "-a", "full=1", settings=state)
        assert len(backfill.records("articles")) == len(facts.exported_ids) + 3

    with sqlite3.connect(tmp_path / "state.sqlite3") as db:
        assert db.execute("SELECT count(*) FROM articles").fetchone() == (39,)
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_two_jobs_at_once_share_the_state_without_corrupting_it(fresh_site, tmp_path: Path) -> None:
    server, facts = fresh_site
    path = tmp_path / "state.sqlite3"
    jobs = []
    for name in "ab":
        settings = {"CRAWL_STATE_PATH": str(path), "CRAWL_STATE_TIMEOUT": "60"}
        command = crawl_command(server.base_url, tmp_path / name, settings=settings)
        jobs.append(subprocess.Popen(command, cwd=ROOT))
    results = [crawl_result(tmp_path / name, job.wait(timeout=120)) for name, job in zip("ab", jobs, strict=True)]
    assert [result.returncode for result in results] == [0, 0], [result.log[-2000:] for result in results]
    for result in results:
        assert result.stats["finish_reason"] == "finished" and result.stats["rfi_cn/articles/unaccounted"] == 0
        assert "Traceback" not in result.log and "database is locked" not in result.log
    assert {row["id"] for result in results for row in result.records("articles")} == facts.exported_ids
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert {row[0] for row in db.execute("SELECT id FROM articles")} == facts.exported_ids


@pytest.mark.parametrize("value", ["0", "false"])
def test_full_zero_is_not_a_backfill(value: str) -> None:
    assert RfiCnSpider(full=value).full is False
    assert RfiCnSpider(full="1").full is True
