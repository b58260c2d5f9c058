"""End-to-end: a real ``scrapy crawl rfi_cn`` against the loopback fixture site."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from fixture_site.server import FixtureServer
from fixture_site.site import SiteFacts
from tests.crawling import ROOT, run_crawl
from tests.lake_invariants import check_lake


@pytest.fixture(scope="module")
def full_crawl(site: tuple[FixtureServer, SiteFacts], tmp_path_factory: pytest.TempPathFactory):
    server, _ = site
    server.requests.clear()
    result = run_crawl(server.base_url, tmp_path_factory.mktemp("full"))
    return result, list(server.requests)


def test_full_crawl_exports_exactly_the_expected_articles(full_crawl, site) -> None:
    result, _ = full_crawl
    _, facts = site
    assert result.returncode == 0, result.log[-3000:]
    articles = result.records("articles")
    assert sorted(row["id"] for row in articles) == sorted(facts.exported_ids)
    assert len(facts.exported_ids) == 36
    assert all(row["url"].startswith("https://www.rfi.fr/cn/") for row in articles)
    assert all(set(row) >= {"published_at", "body_text", "content_hash"} and row["body_text"] for row in articles)


def test_full_crawl_rejects_and_failures(full_crawl, site) -> None:
    result, _ = full_crawl
    _, facts = site
    rejects = result.records("rejects")
    failures = result.records("failures")
    assert [(row["url"], row["reason"], row["detail"]) for row in rejects] == [
        (url, "missing_fields", "title") for url in facts.rejected_urls
    ]
    assert [(row["url"], row["kind"], row["reason"], row["status"], row["error"]) for row in failures] == [
        (url, "article", "gone", 404, "HTTP 404") for url in facts.failed_urls
    ]


def test_full_crawl_stats_account_for_every_article(full_crawl, site) -> None:
    result, _ = full_crawl
    _, facts = site
    stats = result.stats
    assert stats["finish_reason"] == "finished"
    assert stats["rfi_cn/articles/discovered"] == facts.discovered == 38
    assert stats["rfi_cn/articles/exported"] == 36
    assert stats["rfi_cn/articles/rejected"] == 1
    assert stats["rfi_cn/articles/failed"] == 1
    assert stats["rfi_cn/articles/unaccounted"] == 0
    assert "Traceback" not in result.log
    check_lake(result)


def test_each_article_is_requested_once_and_nothing_outside_cn(full_crawl, site) -> None:
    _, requests = full_crawl
    _, facts = site
    counts = Counter(requests)
    assert {path: counts[path] for path in facts.article_paths} == dict.fromkeys(facts.article_paths, 1)
    assert all(path.startswith("/cn/") or path == "/robots.txt" for path in requests)
    assert "/cn/直播" not in counts and "/cn/再次收听/" not in counts
    listing_pages = {"/cn/", "/cn/中国/", "/cn/中国/2/", "/cn/中国/3/", "/cn/政治/", "/cn/政治/?page=2",
                     "/cn/国际/", "/cn/国际/2/", "/cn/经贸/"}  # fmt: skip
    assert {path for path in counts if not any(path == p for p in facts.article_paths)} == listing_pages | {
        "/robots.txt"
    }


def test_exported_json_is_utf8_with_chinese_unescaped(full_crawl) -> None:
    result, _ = full_crawl
    part = next((result.lake / "rfi_cn" / "articles").glob("dt=*/part-*-00001.jsonl"))
    assert "测试新闻" in part.read_text(encoding="utf-8")


def test_sections_and_max_pages_narrow_the_crawl(site, tmp_path: Path) -> None:
    server, _ = site
    server.requests.clear()
    result = run_crawl(server.base_url, tmp_path, "-a", "sections=中国,政治", "-a", "max_pages=2")
    listings = sorted(path for path in server.requests if "测试新闻" not in path)
    assert listings == sorted(["/robots.txt", "/cn/中国/", "/cn/中国/2/", "/cn/政治/", "/cn/政治/?page=2"])
    assert len(result.records("articles")) == 12 + 10  # 中国 pages 1-2, 政治 pages 1-2 (3 and 8 twice)


def test_since_skips_older_articles_and_stops_paginating(site, tmp_path: Path) -> None:
    server, _ = site
    server.requests.clear()
    result = run_crawl(server.base_url, tmp_path, "-a", "sections=中国", "-a", "since=2025-11-24")
    assert sorted(row["id"] for row in result.records("articles")) == ["T001", "T002", "T003", "T004", "T005", "T006"]
    assert "/cn/中国/2/" in server.requests  # holds only older articles: the section stops there
    assert "/cn/中国/3/" not in server.requests
    assert result.stats["rfi_cn/articles/skipped_since"] == 6
    assert result.stats["rfi_cn/listings/stopped_by_since"] == 1


def test_standard_output_option_gets_the_articles(site, tmp_path: Path) -> None:
    server, _ = site
    out = tmp_path / "out.jsonl"
    result = run_crawl(server.base_url, tmp_path, "-a", "sections=经贸", "-O", str(out))
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert sorted(row["id"] for row in rows) == ["T020", "T035", "T036", "T037"]
    assert result.records("articles") == []  # -O replaces the lake's article feed


def test_scrapy_check_contracts_pass(site) -> None:
    server, _ = site
    completed = subprocess.run(
        [sys.executable, "-m", "scrapy", "check", "rfi_cn"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "RFI_BASE_URL": server.base_url},
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    assert "OK" in completed.stderr
