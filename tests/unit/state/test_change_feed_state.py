"""What the crawl state keeps for the change feed (sqlite, and Redis on a real redis-server):
each article's ``modified_at``, the runs' meta values; an older sqlite file keeps working;
and the refresh decision ``Incremental.should_fetch`` with a feed's ``lastmod``."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from redis import Redis
from scrapy import Spider
from scrapy.crawler import Crawler
from scrapy.statscollectors import StatsCollector

from rfi_cn.distributed.state import RedisCrawlState
from rfi_cn.state.incremental import FAILED_RUNS_BEFORE, FEED_DISTRUSTED, FEED_FAILED_RUNS, LAST_WALK, Incremental
from rfi_cn.state.store import CrawlState, KnownArticle, SqliteCrawlState
from tests.redis_server import redis_server

A = "https://www.rfi.fr/cn/中国/20251130-a"
B = "https://www.rfi.fr/cn/中国/20251101-b"
NOW = datetime(2025, 11, 30, 12, 0, tzinfo=UTC)


@pytest.fixture(params=["sqlite", "redis"])
def state(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[CrawlState]:
    if request.param == "sqlite":
        yield SqliteCrawlState(tmp_path / "state.sqlite3")
        return
    with redis_server(tmp_path) as url:
        yield RedisCrawlState(Redis.from_url(url, decode_responses=True), "test:state")


def test_modified_at_and_meta_round_trip(state: CrawlState) -> None:
    assert state.is_empty()
    assert state.get_meta(LAST_WALK) is None
    state.record_many([KnownArticle("TA", A, "h", "2025-11-30T08:00:00+00:00", "s", "2025-11-30T09:00:00+00:00")])
    state.record_many([KnownArticle("TB", B, "h", None, "s")])
    assert not state.is_empty()
    assert state.lookup_url(A) == KnownArticle(
        "TA", A, "h", "2025-11-30T08:00:00+00:00", "s", "2025-11-30T09:00:00+00:00"
    )
    assert state.lookup_id("TB") == KnownArticle("TB", B, "h", None, "s", None)
    state.touch("TA", "s2")  # no new modified_at: the recorded one stays
    assert state.lookup_id("TA").modified_at == "2025-11-30T09:00:00+00:00"  # type: ignore[union-attr]
    state.touch("TA", "s3", "2025-11-30T10:00:00+00:00")
    assert state.lookup_id("TA").modified_at == "2025-11-30T10:00:00+00:00"  # type: ignore[union-attr]
    state.set_meta(LAST_WALK, "2025-11-30T12:00:00+00:00")
    state.set_meta(FEED_DISTRUSTED, "run-1")
    state.set_meta(FEED_DISTRUSTED, "run-2")
    assert (state.get_meta(LAST_WALK), state.get_meta(FEED_DISTRUSTED)) == ("2025-11-30T12:00:00+00:00", "run-2")
    state.set_meta(FEED_DISTRUSTED, None)
    assert state.get_meta(FEED_DISTRUSTED) is None
    state.close()


def test_a_state_file_written_before_modified_at_and_meta_is_read_and_upgraded(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    with sqlite3.connect(path) as old:  # the schema of the previous version
        old.executescript(
            "CREATE TABLE articles (id TEXT PRIMARY KEY, url TEXT NOT NULL, url_key TEXT NOT NULL,"
            " content_hash TEXT NOT NULL, published_at TEXT, last_seen TEXT NOT NULL);"
            "CREATE TABLE retries (url_key TEXT PRIMARY KEY, url TEXT NOT NULL, reason TEXT NOT NULL,"
            " attempts INTEGER NOT NULL, last_attempt TEXT NOT NULL);"
            "INSERT INTO articles VALUES ('TA', 'https://www.rfi.fr/cn/中国/20251130-a', '/cn/中国/20251130-a',"
            " 'h', '2025-11-30T08:00:00+00:00', 's');"
        )
    old.close()
    state = SqliteCrawlState(path)
    assert state.lookup_url(A) == KnownArticle("TA", A, "h", "2025-11-30T08:00:00+00:00", "s", None)
    assert state.get_meta(LAST_WALK) is None
    state.record(KnownArticle("TB", B, "h", None, "s", "2025-11-01T09:00:00+00:00"))
    assert state.lookup_id("TB").modified_at == "2025-11-01T09:00:00+00:00"  # type: ignore[union-attr]
    state.close()
    statements: list[str] = []
    connect = sqlite3.connect

    class Recording(sqlite3.Connection):
        def execute(self, sql: str, *args: Any) -> sqlite3.Cursor:  # type: ignore[override]
            statements.append(sql)  # also what fails before it runs (a trace callback misses those)
            return super().execute(sql, *args)

    def traced(*args: Any, **kwargs: Any) -> sqlite3.Connection:
        return connect(*args, factory=Recording, **kwargs)

    with mock.patch.object(sqlite3, "connect", traced):
        again = SqliteCrawlState(path)  # opened again: the column is there, nothing to add
    assert again.lookup_id("TA") is not None
    assert statements and not [statement for statement in statements if "ALTER" in statement.upper()]
    again.close()


@pytest.mark.parametrize(
    ("recorded", "lastmod", "in_window", "out_of_window"),
    [
        ("2025-11-30T09:00:00+00:00", "2025-11-30T09:00:00+00:00", False, False),  # unchanged
        ("2025-11-30T09:00:00+00:00", "2025-11-30T08:59:59Z", False, False),  # older
        ("2025-11-30T09:00:00+00:00", "2025-11-30T10:00:01+01:00", True, True),  # 09:00:01 UTC: later
        ("2025-11-30T09:00:00+00:00", "2025-11-30T09:00:00", False, False),  # no offset: UTC
        (None, "2025-11-30T10:00:00Z", True, False),  # an older state's row: the window decides
        ("2025-11-30T09:00:00+00:00", None, True, False),  # no lastmod (the walk): the window
        ("2025-11-30T09:00:00+00:00", "2025-12-01", True, False),  # a bare date is too coarse: the window
        ("2025-11-30T09:00:00+00:00", "yesterday", True, False),  # unreadable: the window
    ],
)
def test_a_known_article_is_fetched_when_its_lastmod_is_later(
    tmp_path: Path, recorded: str | None, lastmod: str | None, in_window: bool, out_of_window: bool
) -> None:
    """Published at 08:00, now 12:00: inside a 48 h refresh window, outside a 1 h one."""
    state = SqliteCrawlState(tmp_path / "state.sqlite3")
    state.record(KnownArticle("TA", A, "h", "2025-11-30T08:00:00+00:00", "s", recorded))
    assert Incremental(state, NOW, refresh_hours=48).should_fetch(A, lastmod) is in_window
    assert Incremental(state, NOW, refresh_hours=1).should_fetch(A, lastmod) is out_of_window
    assert Incremental(state, NOW, refresh_hours=1).should_fetch(B, lastmod)  # unknown


def test_walk_due_and_distrust(tmp_path: Path) -> None:
    state = SqliteCrawlState(tmp_path / "state.sqlite3")
    incremental = Incremental(state, NOW, refresh_hours=48, walk_every_hours=168, run="run-2")
    assert incremental.walk_reason() == "walk_every"  # never walked
    state.set_meta(LAST_WALK, "2025-11-23T12:00:01+00:00")
    assert incremental.walk_reason() is None
    state.set_meta(LAST_WALK, "2025-11-23T12:00:00+00:00")  # exactly 168 h ago
    assert incremental.walk_reason() == "walk_every"
    assert Incremental(state, NOW, 48, walk_every_hours=0).walk_reason() == "walk_every"
    state.set_meta(LAST_WALK, NOW.isoformat())
    state.set_meta(FEED_DISTRUSTED, "run-1")
    assert incremental.walk_reason() == "distrusted"
    incremental.walk_started(after_feed=True)  # compared, nothing missed: trusted again at close
    incremental.close()
    state = SqliteCrawlState(tmp_path / "state.sqlite3")
    assert (state.get_meta(FEED_DISTRUSTED), state.get_meta(LAST_WALK)) == (None, NOW.isoformat())

    state.set_meta(FEED_DISTRUSTED, "run-2")  # set by another worker of this run: kept
    other = Incremental(state, NOW, 48, run="run-2")
    other.walk_started(after_feed=True)
    other.close()
    assert SqliteCrawlState(tmp_path / "state.sqlite3").get_meta(FEED_DISTRUSTED) == "run-2"


def test_one_process_lifts_the_distrust_of_an_earlier_run_with_the_same_pinned_time(tmp_path: Path) -> None:
    state = SqliteCrawlState(tmp_path / "state.sqlite3")
    missing = Incremental(state, NOW, 48)
    missing.walk_started(after_feed=True)
    missing.feed_missed()
    assert state.get_meta(FEED_DISTRUSTED) == NOW.isoformat()  # at once, not at close
    missing.close()
    assert SqliteCrawlState(tmp_path / "state.sqlite3").get_meta(FEED_DISTRUSTED) == NOW.isoformat()
    complete = Incremental(SqliteCrawlState(tmp_path / "state.sqlite3"), NOW, 48)  # a replay: same INCREMENTAL_NOW
    complete.walk_started(after_feed=True)
    complete.close()
    assert SqliteCrawlState(tmp_path / "state.sqlite3").get_meta(FEED_DISTRUSTED) is None
    not_compared = Incremental(SqliteCrawlState(tmp_path / "state.sqlite3"), NOW, 48)
    not_compared.state.set_meta(FEED_DISTRUSTED, "x")  # type: ignore[union-attr]
    not_compared.walk_started(after_feed=False)  # a walk without a feed to compare: the mark stays
    not_compared.close()
    assert SqliteCrawlState(tmp_path / "state.sqlite3").get_meta(FEED_DISTRUSTED) == "x"


def test_the_runs_in_a_row_whose_feed_failed_are_counted_in_the_state(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite3"

    def run(outcome: dict[str, int] | None) -> tuple[int | None, str | None]:
        """One run that requests the feed (``outcome``: its stats; ``None``: stopped before the answer)."""
        stats = StatsCollector(Crawler(Spider, {}))  # type: ignore[arg-type]
        incremental = Incremental(SqliteCrawlState(path), NOW, 48, stats=stats)
        incremental.feed_requested()
        before = stats.get_value(FAILED_RUNS_BEFORE)
        for name, value in (outcome or {}).items():
            stats.inc_value(f"rfi_cn/change_feed/{name}", value)
        incremental.close()
        return before, SqliteCrawlState(path).get_meta(FEED_FAILED_RUNS)

    SqliteCrawlState(path).record(KnownArticle("TA", A, "h", None, "s"))
    assert run({"failed": 1}) == (0, "1")
    assert run({"invalid": 1, "articles": 0}) == (1, "2")
    assert run(None) == (2, "2")  # no answer: nothing learnt, the count stays
    assert run({"articles": 0}) == (2, "3")  # a urlset of nothing: not used either
    assert run({"articles": 7}) == (3, None)  # used: the count is gone
    assert run({"articles": 7}) == (0, None)
    SqliteCrawlState(path).set_meta(FEED_FAILED_RUNS, "garbage")
    assert run({"failed": 1}) == (0, "1")  # an unreadable count reads as none
    not_reading = Incremental(SqliteCrawlState(path), NOW, 48, full=True, stats=StatsCollector(Crawler(Spider, {})))
    not_reading.feed_requested()  # a backfill does not read the state
    assert not_reading.stats.get_value(FAILED_RUNS_BEFORE) is None  # type: ignore[union-attr]
    not_reading.close()
    SqliteCrawlState(path).set_meta(FEED_FAILED_RUNS, "²")  # a digit, not a decimal one: int() would raise
    assert run({"failed": 1}) == (0, "1")
