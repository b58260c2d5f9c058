"""The crawl-state recorder: what it holds until a lake file is published, and the
state transaction of a published file (one, built ``RECORD_CHUNK_ROWS`` rows at a time)."""

from __future__ import annotations

import sqlite3
import tracemalloc
from pathlib import Path
from typing import Any

import pytest
from scrapy.settings import Settings
from scrapy.utils.test import get_crawler

from rfi_cn.items import ArticleItem, FailureItem, RejectItem
from rfi_cn.lake.addon import lake_feeds
from rfi_cn.spiders.rfi_cn import RfiCnSpider
from rfi_cn.state import store
from rfi_cn.state.incremental import CrawlStateRecorder, PendingRow, incremental_for
from rfi_cn.state.store import SqliteCrawlState


class Slot:
    """What the recorder sees of a feed slot: identity, and whether its file was published."""

    def __init__(self, published: bool = False) -> None:
        self.published = published


def article(number: int) -> ArticleItem:
    return ArticleItem(
        id=f"T{number:03d}",
        url=f"https://www.rfi.fr/cn/中国/20251130-测试新闻{number:04d}",
        content_hash=f"h{number}",
        published_at="2025-11-30T08:15:00Z",
        title="标题",
        body_html="<p>" + "正文" * 5000 + "</p>",  # the bulk a real item carries
    )


def recorder_for(tmp_path: Path, **settings: Any) -> tuple[CrawlStateRecorder, list[str]]:
    """A recorder on a crawl whose lake feeds are configured, and the SQL its state runs."""
    lake = Settings({"DATA_LAKE_URI": str(tmp_path / "lake")})
    values = {
        "DATA_LAKE_URI": str(tmp_path / "lake"),
        "CRAWL_STATE_ENABLED": True,
        "CRAWL_STATE_BACKEND": "rfi_cn.state.store.SqliteCrawlState",
        "CRAWL_STATE_PATH": str(tmp_path / "state.sqlite3"),
        "FEEDS": {uri: {"format": "jsonlines"} for uri in lake_feeds(lake)},
        **settings,
    }
    crawler = get_crawler(RfiCnSpider, values)
    recorder = CrawlStateRecorder.from_crawler(crawler)
    state = incremental_for(crawler).state
    assert isinstance(state, SqliteCrawlState)
    statements: list[str] = []
    state.connection.set_trace_callback(statements.append)
    return recorder, statements


def known(tmp_path: Path) -> list[tuple[str, str, str, str]]:
    with sqlite3.connect(tmp_path / "state.sqlite3") as db:
        return db.execute("SELECT id, url, content_hash, published_at FROM articles ORDER BY id").fetchall()


def test_it_holds_only_id_url_hash_and_date_until_the_file_is_published(tmp_path: Path) -> None:
    recorder, _ = recorder_for(tmp_path)
    slot = Slot()
    for number in (1, 2, 3):
        recorder.row_written(article(number), slot)  # type: ignore[arg-type]
    assert recorder.pending(slot) == [  # type: ignore[arg-type]
        PendingRow(f"T00{n}", f"https://www.rfi.fr/cn/中国/20251130-测试新闻000{n}", f"h{n}", "2025-11-30T08:15:00Z")
        for n in (1, 2, 3)
    ]
    held = recorder.articles[slot]  # type: ignore[index]
    assert all(type(row) is bytes and len(row) < 200 for row in held)  # no item (nor its 30 KB body) is kept


def test_a_pending_row_is_one_compact_object(tmp_path: Path) -> None:
    """Up to a whole lake file (5,000 rows) waits for its publication: each row is one bytes
    object (~420 bytes with a real-length URL), not a tuple of four strings (~650)."""
    recorder, _ = recorder_for(tmp_path)
    slot = Slot()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for number in range(2000):
            recorder.row_written(lean_article(number), slot)  # type: ignore[arg-type]
        held = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert held < 2000 * 450, held
    assert recorder.pending(slot)[1999] == PendingRow(  # type: ignore[arg-type]
        "T01999", lean_article(1999)["url"], f"{1999:064x}", "2025-11-30T08:15:00Z"
    )


def test_one_transaction_per_published_file_and_nothing_for_a_failed_one(tmp_path: Path) -> None:
    recorder, statements = recorder_for(tmp_path)
    stored, failed = Slot(), Slot()
    for number in (1, 2, 3):
        recorder.row_written(article(number), stored)  # type: ignore[arg-type]
    recorder.row_written(article(4), failed)  # type: ignore[arg-type]
    stored.published = True
    recorder.feed_slot_closed(failed)  # type: ignore[arg-type]
    assert statements == []  # an unpublished file writes nothing
    recorder.feed_slot_closed(stored)  # type: ignore[arg-type]
    assert [s for s in statements if s in ("BEGIN IMMEDIATE", "COMMIT")] == ["BEGIN IMMEDIATE", "COMMIT"]
    assert [row[0] for row in known(tmp_path)] == ["T001", "T002", "T003"]
    assert recorder.articles == {} and recorder.attempts == {}


def test_rejected_and_failed_article_urls_gain_an_attempt_per_published_file(tmp_path: Path) -> None:
    recorder, statements = recorder_for(tmp_path)
    rejects, failures = Slot(published=True), Slot(published=True)
    recorder.row_written(RejectItem(url="https://www.rfi.fr/cn/a", reason="missing_fields"), rejects)  # type: ignore[arg-type]
    recorder.row_written(FailureItem(url="https://www.rfi.fr/cn/b", kind="article", reason="transient"), failures)  # type: ignore[arg-type]
    recorder.row_written(FailureItem(url="https://www.rfi.fr/cn/c/", kind="listing", reason="transient"), failures)  # type: ignore[arg-type]
    recorder.feed_slot_closed(rejects)  # type: ignore[arg-type]
    recorder.feed_slot_closed(failures)  # type: ignore[arg-type]
    assert statements.count("COMMIT") == 2
    state = incremental_for(recorder.crawler).state
    assert state is not None
    assert [(e.url, e.reason, e.attempts) for e in state.retry_candidates(3, ())] == [
        ("https://www.rfi.fr/cn/a", "missing_fields", 1),
        ("https://www.rfi.fr/cn/b", "transient", 1),
    ]


def test_without_the_lakes_article_feed_the_state_is_not_written(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    recorder, _ = recorder_for(tmp_path, FEEDS={str(tmp_path / "out.jsonl"): {"format": "jsonlines"}})
    assert recorder.writing is False
    assert caplog.text.count("the crawl state is not written in this run") == 1


def test_a_state_write_that_fails_is_counted_not_raised(tmp_path: Path) -> None:
    recorder, _ = recorder_for(tmp_path)
    slot = Slot(published=True)
    recorder.row_written(article(1), slot)  # type: ignore[arg-type]
    state = incremental_for(recorder.crawler).state
    assert state is not None
    state.connection.close()  # the database is gone from under the crawl
    recorder.feed_slot_closed(slot)  # type: ignore[arg-type]
    assert recorder.crawler.stats is not None
    assert recorder.crawler.stats.get_value("rfi_cn/state/write_errors") == 1


def lean_article(number: int) -> ArticleItem:
    """An article as the recorder sees it, with a URL of the real site's length (~280 characters)."""
    slug = "%E5%8F%B0%E6%B9%BE" * 12
    return ArticleItem(
        id=f"T{number:05d}",
        url=f"https://www.rfi.fr/cn/%E4%B8%AD%E5%9B%BD/20251130-{slug}-{number}",
        content_hash=f"{number:064x}",
        published_at="2025-11-30T08:15:00Z",
    )


def test_a_published_file_of_2000_rows_is_one_transaction_built_in_bounded_chunks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A full lake file (FEED_EXPORT_BATCH_ITEM_COUNT) must not be copied whole into the rows of
    one statement: that spike (~0.9 KB a row) set the crawl's peak memory at each publish."""
    monkeypatch.setattr(store, "RECORD_CHUNK_ROWS", 200)
    recorder, _ = recorder_for(tmp_path)
    state = incremental_for(recorder.crawler).state
    assert isinstance(state, SqliteCrawlState)
    commits: list[str] = []  # (keeping every statement's text would be the biggest spike of all)
    state.connection.set_trace_callback(lambda sql: commits.append(sql) if sql == "COMMIT" else None)
    tracemalloc.start()  # from the first file: what the URL caches evict later is counted too
    try:
        for file in (0, 1):  # the first file fills urllib's and w3lib's bounded URL caches
            slot = Slot(published=True)
            for number in range(file * 2000, file * 2000 + 2000):
                recorder.row_written(lean_article(number), slot)  # type: ignore[arg-type]
            held = tracemalloc.get_traced_memory()[0]
            tracemalloc.reset_peak()
            recorder.feed_slot_closed(slot)  # type: ignore[arg-type]
            peak = tracemalloc.get_traced_memory()[1] - held
    finally:
        tracemalloc.stop()
    assert peak < 400_000, peak  # all rows built at once: 1.7 MB
    assert len(commits) == 2  # one transaction per published file
    assert [row[0] for row in known(tmp_path)] == [f"T{number:05d}" for number in range(4000)]
    assert recorder.articles == {}


def test_a_file_whose_transaction_fails_records_nothing_and_is_fetched_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store, "RECORD_CHUNK_ROWS", 2)
    recorder, _ = recorder_for(tmp_path)
    slot = Slot(published=True)
    for number in range(5):
        recorder.row_written(lean_article(number), slot)  # type: ignore[arg-type]
    state = incremental_for(recorder.crawler).state
    assert isinstance(state, SqliteCrawlState)
    # The second chunk (T00002, T00003) fails inside the database, after the first was written.
    state.connection.execute(
        "CREATE TRIGGER refuse AFTER INSERT ON articles WHEN NEW.id = 'T00003' "
        "BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END"
    )
    recorder.feed_slot_closed(slot)  # type: ignore[arg-type]
    assert known(tmp_path) == []  # the first chunk is rolled back with the rest
    assert recorder.crawler.stats is not None
    assert recorder.crawler.stats.get_value("rfi_cn/state/write_errors") == 1
