"""The crawl state (sqlite, and Redis on a real redis-server): batches in one
transaction, the retry list."""

from __future__ import annotations

from pathlib import Path

import pytest
from redis import Redis
from scrapy.settings import Settings

from rfi_cn.distributed.state import RedisCrawlState
from rfi_cn.state.store import CrawlState, KnownArticle, RetryEntry, SqliteCrawlState
from tests.redis_server import redis_server

A = "https://www.rfi.fr/cn/中国/20251130-a"
B = "https://www.rfi.fr/cn/中国/20251130-b"
C = "https://www.rfi.fr/cn/中国/20251130-c"


def test_record_many_is_one_transaction(tmp_path: Path) -> None:
    state = SqliteCrawlState(tmp_path / "state.sqlite3")
    statements: list[str] = []
    state.connection.set_trace_callback(statements.append)
    state.record_many([KnownArticle(f"T{n}", f"{A}{n}", "h", None, "2025-12-01T00:00:00Z") for n in range(100)])
    assert (statements.count("BEGIN IMMEDIATE"), statements.count("COMMIT")) == (1, 1)
    assert state.connection.execute("SELECT count(*) FROM articles").fetchone() == (100,)
    state.record_many([])
    assert statements.count("COMMIT") == 1
    state.close()


@pytest.fixture(params=["sqlite", "redis"])
def state(request: pytest.FixtureRequest, tmp_path: Path):
    if request.param == "sqlite":
        store: CrawlState = SqliteCrawlState(tmp_path / "state.sqlite3")
        yield store
        return
    with redis_server(tmp_path) as url:
        yield RedisCrawlState(Redis.from_url(url, decode_responses=True), "test:state")


def test_attempts_accumulate_and_an_export_or_an_unchanged_visit_ends_the_retries(state: CrawlState) -> None:
    state.note_attempts([(A, "transient"), (B, "missing_fields"), (C, "gone")], "2025-12-01T00:00:00Z")
    state.note_attempts([(A, "blocked")], "2025-12-02T00:00:00Z")
    assert state.retry_candidates(3, ("gone",)) == [RetryEntry(A, "blocked", 2), RetryEntry(B, "missing_fields", 1)]
    assert state.retry_candidates(1, ("gone",)) == [RetryEntry(B, "missing_fields", 1)]
    assert state.retry_candidates(1, ()) == [RetryEntry(B, "missing_fields", 1), RetryEntry(C, "gone", 1)]
    state.record_many([KnownArticle("TA", "http://127.0.0.1:1/cn/中国/20251130-a/", "h", None, "2025-12-03T00:00:00Z")])
    state.record_many([KnownArticle("TB", B, "h", None, "2025-12-03T00:00:00Z")])
    state.touch("TB", "2025-12-04T00:00:00Z")
    assert state.retry_candidates(3, ("gone",)) == []
    state.note_attempts([(C, "gone")], "2025-12-05T00:00:00Z")
    assert state.retry_candidates(5, ()) == [RetryEntry(C, "gone", 2)]
    state.close()


def test_the_page_cache_is_the_setting_and_never_below_64_kib(tmp_path: Path) -> None:
    settings = Settings({"CRAWL_STATE_PATH": str(tmp_path / "a.sqlite3")})
    default = SqliteCrawlState.from_settings(settings)
    assert default.connection.execute("PRAGMA cache_size").fetchone() == (-512,)
    settings.set("CRAWL_STATE_CACHE_KIB", 8)
    small = SqliteCrawlState.from_settings(settings)
    assert small.connection.execute("PRAGMA cache_size").fetchone() == (-64,)
    default.close()
    small.close()
