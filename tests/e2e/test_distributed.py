"""Distributed mode: real crawl processes sharing a real redis-server."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from redis import Redis
from scrapy.settings import Settings

from fixture_site.server import FixtureServer
from fixture_site.site import GROWTH_CHANGED_ID, GROWTH_NEW_IDS, SiteFacts, build_site
from rfi_cn.distributed import run_key
from rfi_cn.distributed.coordinator import run_totals
from tests.crawling import FAST, ROOT
from tests.polling import wait_for
from tests.redis_server import redis_server

RUN = "test-run"


@pytest.fixture
def redis_url(tmp_path: Path) -> Iterator[str]:
    with redis_server(tmp_path) as url:
        yield url


@pytest.fixture
def site(fresh_site: tuple[FixtureServer, SiteFacts]) -> tuple[FixtureServer, SiteFacts]:
    fresh_site[0].delay = 0.3  # a crawl of ~8 s: both workers take part (an idle one looks again every 5 s)
    return fresh_site


def start_worker(
    base_url: str, lake: Path, redis_url: str, log: Path, run: str = RUN, extra: dict[str, str] | None = None
) -> subprocess.Popen[bytes]:
    settings = {
        **FAST,
        "RFI_BASE_URL": base_url,
        "DATA_LAKE_URI": str(lake),
        "LOG_FILE": str(log),
        "REDIS_URL": redis_url,
        "REDIS_RUN_ID": run,
        "REDIS_WORKER_TTL": "3",
        "CONCURRENT_REQUESTS_PER_DOMAIN": "1",
        **(extra or {}),
    }
    command = [sys.executable, "-m", "scrapy", "crawl", "rfi_cn"]
    for name, value in settings.items():
        command += ["-s", f"{name}={value}"]
    return subprocess.Popen(
        command, cwd=ROOT, env={**os.environ, "REDIS_URL": ""}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )


def published(lake: Path) -> list[dict[str, object]]:
    rows = []
    for part in sorted((lake / "rfi_cn" / "articles").glob("dt=*/part-*.jsonl")):
        rows += [json.loads(line) for line in part.read_text(encoding="utf-8").splitlines()]
    return rows


def exported_count(log: Path) -> int:
    text = log.read_text(encoding="utf-8")
    marker = "'rfi_cn/articles/exported': "
    return int(text.split(marker, 1)[1].split(",", 1)[0]) if marker in text else 0


def test_two_workers_share_the_crawl_and_export_each_article_once(site, redis_url: str, tmp_path: Path) -> None:
    server, facts = site
    lake = tmp_path / "lake"
    logs = [tmp_path / "a.log", tmp_path / "b.log"]
    workers = [start_worker(server.base_url, lake, redis_url, log) for log in logs]
    assert [worker.wait(timeout=120) for worker in workers] == [0, 0]

    ids = Counter(str(row["id"]) for row in published(lake))
    assert set(ids) == facts.exported_ids
    assert set(ids.values()) == {1}
    shares = [exported_count(log) for log in logs]
    assert sum(shares) == 36
    assert all(share > 0 for share in shares), shares
    assert Counter(server.requests)["/cn/中国/20251129-测试新闻0001"] == 1
    totals = run_totals(Redis.from_url(redis_url, decode_responses=True), Settings({"REDIS_RUN_ID": RUN}))
    assert totals == {"discovered": 38, "exported": 36, "rejected": 1, "failed": 1, "unchanged": 0, "unaccounted": 0}


def test_a_killed_worker_loses_nothing(site, redis_url: str, tmp_path: Path) -> None:
    server, facts = site
    lake = tmp_path / "lake"
    logs = [tmp_path / "victim.log", tmp_path / "survivor.log"]
    victim, survivor = (start_worker(server.base_url, lake, redis_url, log) for log in logs)
    client = Redis.from_url(redis_url, decode_responses=True)
    pending = run_key(Settings({"REDIS_RUN_ID": RUN}), f"pending:{os.uname().nodename}:{victim.pid}")
    wait_for(lambda: client.scard(pending) >= 3, "three pending articles")
    victim.send_signal(signal.SIGKILL)
    victim.wait(timeout=10)
    assert survivor.wait(timeout=120) == 0

    ids = Counter(str(row["id"]) for row in published(lake))
    assert set(ids) == facts.exported_ids
    assert set(ids.values()) == {1}
    assert "Adopting" in logs[1].read_text(encoding="utf-8")
    totals = run_totals(client, Settings({"REDIS_RUN_ID": RUN}))
    assert totals == {"discovered": 38, "exported": 36, "rejected": 1, "failed": 1, "unchanged": 0, "unaccounted": 0}


def test_a_second_scheduled_run_exports_only_what_is_new(site, redis_url: str, tmp_path: Path) -> None:
    server, facts = site
    server.delay = 0.1
    window = {"INCREMENTAL_NOW": "2025-11-30T12:00:00Z", "INCREMENTAL_REFRESH_HOURS": "4"}

    def run(name: str) -> list[str]:
        lake = tmp_path / name
        logs = [tmp_path / f"{name}-a.log", tmp_path / f"{name}-b.log"]
        workers = [start_worker(server.base_url, lake, redis_url, log, run=name, extra=window) for log in logs]
        assert [worker.wait(timeout=120) for worker in workers] == [0, 0]
        return [str(row["id"]) for row in published(lake)]

    assert sorted(run("first")) == sorted(facts.exported_ids)
    server.routes, _ = build_site(grown=True)
    server.requests.clear()
    assert sorted(run("second")) == sorted({*GROWTH_NEW_IDS, GROWTH_CHANGED_ID})
    articles = {path for path in server.requests if "测试新闻" in path}
    assert articles == {
        "/cn/国际/20251130-测试新闻0028",  # in the refresh window, and changed
        "/cn/国际/20251124-测试新闻0034",  # rejected by the first run: retried once, by one worker
        "/cn/中国/20251130-测试新闻0040",
        "/cn/中国/20251130-测试新闻0041",
        "/cn/中国/20251130-测试新闻0042",
    }
    client = Redis.from_url(redis_url, decode_responses=True)
    assert client.hlen("rfi_cn:state:urls") == 39, sorted(client.keys("*"))[:20]
    totals = run_totals(client, Settings({"REDIS_RUN_ID": "second"}))
    assert totals == {"discovered": 5, "exported": 4, "rejected": 1, "failed": 0, "unchanged": 0, "unaccounted": 0}
    assert server.requests.count("/cn/国际/20251124-测试新闻0034") == 1
