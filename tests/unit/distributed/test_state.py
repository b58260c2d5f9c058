"""The Redis crawl state against a real redis-server: same behaviour as the sqlite one."""

from __future__ import annotations

from pathlib import Path

from redis import Redis

from rfi_cn.distributed.state import RedisCrawlState
from rfi_cn.state.store import KnownArticle
from tests.redis_server import redis_server

URL = "https://www.rfi.fr/cn/%E4%B8%AD%E5%9B%BD/20251130-%E6%B5%8B%E8%AF%95"
MIRROR_URL = "http://127.0.0.1:8000/cn/中国/20251130-测试"


def test_records_looks_up_by_id_and_url_on_any_origin_and_touches(tmp_path: Path) -> None:
    with redis_server(tmp_path) as url:
        state = RedisCrawlState(Redis.from_url(url, decode_responses=True), "test:state")
        assert state.lookup_url(URL) is None
        assert state.lookup_id("T001") is None
        state.record(KnownArticle("T001", URL, "h1", "2025-11-30T08:15:00Z", "2025-11-30T12:00:00Z"))
        state.record(KnownArticle("T002", URL + "-2", "h2", None, "2025-11-30T12:00:00Z"))
        assert state.lookup_url(MIRROR_URL) == KnownArticle(
            "T001", URL, "h1", "2025-11-30T08:15:00Z", "2025-11-30T12:00:00Z"
        )
        assert state.lookup_id("T002") == KnownArticle("T002", URL + "-2", "h2", None, "2025-11-30T12:00:00Z")
        state.record(KnownArticle("T001", URL, "h3", "2025-11-30T08:15:00Z", "2025-11-30T13:00:00Z"))
        state.touch("T002", "2025-12-01T00:00:00Z")
        state.touch("T404", "2025-12-01T00:00:00Z")  # unknown: nothing is created
        assert state.lookup_id("T001").content_hash == "h3"  # type: ignore[union-attr]
        assert state.lookup_id("T002").last_seen == "2025-12-01T00:00:00Z"  # type: ignore[union-attr]
        assert state.lookup_id("T404") is None
        state.close()
