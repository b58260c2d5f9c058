"""The article request filter's section stops: only what earlier runs exported ends a walk."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from scrapy import Request
from scrapy.http import HtmlResponse
from scrapy.utils.project import get_project_settings
from scrapy.utils.test import get_crawler

from rfi_cn.distributed.addon import DistributedMode
from rfi_cn.middlewares.requests import (
    ARTICLE,
    LISTING,
    NEXT_PAGE,
    ArticleDupeFilter,
    ArticleRequestFilter,
    LocalClaims,
)
from rfi_cn.state.incremental import Incremental
from rfi_cn.state.store import KnownArticle, SqliteCrawlState

SECTION = "https://www.rfi.fr/cn/%E4%B8%AD%E5%9B%BD/"
OLD = "https://www.rfi.fr/cn/%E4%B8%AD%E5%9B%BD/20240101-old"  # exported by an earlier run, long ago
NEW = "https://www.rfi.fr/cn/%E4%B8%AD%E5%9B%BD/20251130-new"
NOW = datetime(2025, 12, 1, tzinfo=UTC)


def listing_output(filtering: ArticleRequestFilter) -> list[str]:
    """What the filter lets out of a listing page that lists OLD and NEW and links its page 2."""
    entries = [
        Request(NEW, meta={ARTICLE: True}),
        Request(OLD, meta={ARTICLE: True}),
        Request(f"{SECTION}2/", meta={LISTING: True, NEXT_PAGE: True}),
    ]

    async def result() -> AsyncIterator[Any]:
        for entry in entries:
            yield entry

    async def collect() -> list[str]:
        response = HtmlResponse(SECTION, request=Request(SECTION, meta={LISTING: True}), body=b"<html></html>")
        return [entry.url async for entry in filtering.process_spider_output(response, result())]

    return asyncio.run(collect())


def make_filter(tmp_path: Path, claims: LocalClaims, **settings: Any) -> ArticleRequestFilter:
    state = SqliteCrawlState(tmp_path / "state.sqlite3")
    state.record(KnownArticle("OLD", OLD, "0" * 64, "2024-01-01T08:00:00Z", "2024-01-01T09:00:00Z"))
    crawler = get_crawler(settings_dict={"RFI_STOP_AT_KNOWN": True, **settings})
    return ArticleRequestFilter(crawler, claims, Incremental(state, NOW, 48.0), walk_all=False)


def test_a_listing_that_reaches_an_article_of_an_earlier_run_ends_its_section(tmp_path: Path) -> None:
    filtering = make_filter(tmp_path, LocalClaims())
    assert listing_output(filtering) == [NEW]  # OLD is known: not fetched; page 2 is older still
    assert filtering.stats.get_value("rfi_cn/listings/stopped_by_known") == 1


def test_an_article_this_run_already_claimed_does_not_end_the_section(tmp_path: Path) -> None:
    """A backfill: OLD was exported earlier in this same run (another listing lists it too) and
    its file is published, so the state knows it; that says nothing of this section's page 2."""
    claims = LocalClaims()
    claims.claim(OLD)
    filtering = make_filter(tmp_path, claims)
    assert listing_output(filtering) == [NEW, f"{SECTION}2/"]
    assert filtering.stats.get_value("rfi_cn/listings/stopped_by_known") is None


def test_the_claims_admit_an_article_once_and_leave_dont_filter_alone(tmp_path: Path) -> None:
    claims = LocalClaims()
    claims.claim(OLD)  # as in a backfill: page 2 is not dropped
    filtering = make_filter(tmp_path, claims)
    entries = [Request(NEW, meta={ARTICLE: True}), Request(f"{SECTION}2/", meta={LISTING: True, NEXT_PAGE: True})]

    async def result() -> AsyncIterator[Any]:
        for entry in [*entries, Request(NEW, meta={ARTICLE: True})]:  # the second is the same article
            yield entry

    async def collect() -> list[Request]:
        response = HtmlResponse(SECTION, request=Request(SECTION, meta={LISTING: True}), body=b"<html></html>")
        return [entry async for entry in filtering.process_spider_output(response, result())]

    out = asyncio.run(collect())
    assert [(entry.url, entry.dont_filter) for entry in out] == [(NEW, False), (f"{SECTION}2/", False)]


@pytest.mark.parametrize("jobdir", [False, True], ids=["in-memory", "jobdir"])
def test_the_in_memory_dupefilter_keeps_listings_only_and_a_jobdirs_keeps_all(tmp_path: Path, jobdir: bool) -> None:
    """The claims deduplicate articles; in memory the dupefilter keeps listing fingerprints only.
    A JOBDIR's dupefilter outlives a crash (the claims do not): it records articles too."""
    dupefilter = ArticleDupeFilter(str(tmp_path) if jobdir else None)
    article, listing = Request(NEW, meta={ARTICLE: True}), Request(f"{SECTION}2/", meta={LISTING: True})
    assert [dupefilter.request_seen(request) for request in (article, listing, article, listing)] == [
        False,
        False,
        jobdir,
        True,
    ]
    assert len(dupefilter._fingerprints) == (2 if jobdir else 1)
    dupefilter.close("finished")


def test_the_project_uses_it_and_distributed_mode_replaces_it_with_rediss() -> None:
    settings = get_project_settings()
    assert settings["DUPEFILTER_CLASS"] == "rfi_cn.middlewares.requests.ArticleDupeFilter"
    settings.set("REDIS_URL", "redis://127.0.0.1:1/0")
    DistributedMode().update_settings(settings)
    assert settings["DUPEFILTER_CLASS"] == "rfi_cn.distributed.scheduler.RedisDupeFilter"
