"""The summary line and the progress line."""

from __future__ import annotations

from typing import Any

from scrapy.utils.test import get_crawler

from rfi_cn.health.checks import Check, Health
from rfi_cn.health.extension import summary_line
from rfi_cn.health.progress import Progress
from rfi_cn.spiders.rfi_cn import RfiCnSpider


def test_the_issue_example() -> None:
    stats = {
        "rfi_cn/articles/discovered": 416,
        "rfi_cn/articles/exported": 412,
        "rfi_cn/articles/rejected": 3,
        "rfi_cn/articles/failed": 1,
        "rfi_cn/rejects/reason/missing_fields": 2,
        "rfi_cn/rejects/reason/schema": 1,
        "rfi_cn/failures/reason/gone": 1,
    }
    line = summary_line(stats, {"gone": 1}, Health("ok", ()), "data/rfi_cn/_manifests/job.json")
    assert line == (
        "rfi_cn: 412 exported, 3 rejected (missing_fields 2, schema 1), 1 failed (gone 1), health ok, "
        "manifest data/rfi_cn/_manifests/job.json"
    )


def test_listing_failures_unchanged_and_causes() -> None:
    stats = {"rfi_cn/articles/discovered": 2, "rfi_cn/articles/unchanged": 2, "rfi_cn/listings/failed": 3}
    health = Health("failed", (Check("blocked_share", "failed", 60.0, 20.0), Check("storage", "ok", 0, 0)))
    assert summary_line(stats, {}, health, None) == (
        "rfi_cn: 0 exported, 0 rejected, 0 failed, 2 unchanged, 3 listing pages failed, "
        "health failed (blocked_share 60 vs 20), no manifest"
    )


class Scheduler:
    def __len__(self) -> int:
        return 17


class Engine:
    scheduler = Scheduler()


def test_progress_line() -> None:
    crawler = get_crawler(RfiCnSpider, {"LOGSTATS_INTERVAL": 30.0})
    assert crawler.stats is not None
    values: dict[str, Any] = {
        "rfi_cn/articles/discovered": 120,
        "rfi_cn/articles/exported": 98,
        "rfi_cn/articles/rejected": 1,
        "rfi_cn/articles/failed": 2,
        "response_received_count": 32,
    }
    for key, value in values.items():
        crawler.stats.set_value(key, value)
    crawler.engine = Engine()  # type: ignore[assignment]
    progress = Progress(crawler, 30.0)
    assert (
        progress.line()
        == "Progress: 120 discovered, 98 exported, 1 rejected, 2 failed; 64 pages/min; 17 requests queued"
    )
    crawler.stats.set_value("response_received_count", 47)
    assert progress.line().endswith("; 30 pages/min; 17 requests queued")
