"""A crawl of a site where everything goes wrong: nothing lost, nothing let in.

One real ``scrapy crawl`` against the fault site (``fixture_site.faults``):
every transient fault is retried and its article exported, every permanent one
ends in the rejects or failures with its reason, and the counts add up.
"""

from __future__ import annotations

import re
from collections import Counter

import pytest

from fixture_site.faults import DAY, FAULT_SETTINGS, TRIES, build_fault_site
from fixture_site.pages import SITE, site_path
from fixture_site.server import serving
from fixture_site.site import make_article
from tests.crawling import run_crawl


@pytest.fixture(scope="module")
def fault_crawl(tmp_path_factory: pytest.TempPathFactory):
    routes, facts = build_fault_site()
    with serving(routes) as server:
        result = run_crawl(server.base_url, tmp_path_factory.mktemp("faults"), settings=FAULT_SETTINGS)
        return result, facts, Counter(server.requests), list(server.hosts), server.base_url


def test_the_crawl_finishes_cleanly(fault_crawl) -> None:
    result, *_ = fault_crawl
    assert result.returncode == 0, result.log[-3000:]
    assert result.stats["finish_reason"] == "finished"
    assert "Traceback" not in result.log, result.log
    extensions = re.search(r"Enabled extensions:\n(\[.*?\])", result.log, re.S)
    assert extensions and "rfi_cn.accounting.ArticleAccounting" in extensions.group(1)
    assert "telnet" not in extensions.group(1).lower() and "remote" not in extensions.group(1).lower()
    middlewares = re.search(r"Enabled downloader middlewares:\n(\[.*?\])", result.log, re.S)
    assert middlewares and "rfi_cn.middlewares.fetching.SafeRedirectMiddleware" in middlewares.group(1)
    assert "scrapy.downloadermiddlewares.redirect.RedirectMiddleware" not in middlewares.group(1)


def test_transient_faults_are_retried_and_their_articles_exported(fault_crawl) -> None:
    result, facts, requests, _, _ = fault_crawl
    assert sorted(row["id"] for row in result.records("articles")) == sorted(facts.exported_ids)
    tries = {path[len("/cn/故障/20251120-") :]: requests[path] for path in facts.faults if facts.faults[path].times}
    assert tries == {
        "测试新闻0101": 3,
        "测试新闻0102": 2,
        "测试新闻0103": 2,
        "测试新闻0104": 2,
        "测试新闻0105": 2,
        "测试新闻0106": 2,
    }
    assert requests["/cn/故障/"] == 2  # the listing page that failed once
    assert result.stats["rfi_cn/retry_after/waited"] == 1 + 2  # 103 once, 124 twice


def test_pages_that_survive_are_read_right(fault_crawl) -> None:
    result, *_ = fault_crawl
    articles = {row["id"]: row for row in result.records("articles")}
    assert articles["T108"]["title"] == "第108号测试新闻：城市图书馆今天宣"  # UTF-8 labelled latin-1
    assert articles["T109"]["title"] == "第109号测试新闻：气象部门提醒市民"  # GB18030 labelled UTF-8
    assert articles["T110"]["published_at"] == "2025-11-20T00:15:00Z"  # visible "20/11/2025 - 01:15" Paris
    malformed = make_article(107, "故障", DAY)  # its paragraphs and the heading before the third one
    blocks = [*malformed.paragraphs[:2], malformed.headings[2], *malformed.paragraphs[2:]]
    assert articles["T107"]["body_text"] == "\n\n".join(blocks)
    assert articles["T112"]["url"] == SITE + site_path("/cn/故障/20251120-测试新闻0112")


def test_permanent_faults_end_in_rejects_and_failures_with_their_reason(fault_crawl) -> None:
    result, facts, *_ = fault_crawl
    rejects = sorted((row["url"], row["reason"], row["detail"]) for row in result.records("rejects"))
    assert rejects == facts.rejects
    failures = sorted(result.records("failures"), key=lambda row: row["url"])
    assert [row["url"] for row in failures] == [row[0] for row in facts.failures]
    for row, (url, kind, reason, status, error, retries) in zip(failures, facts.failures, strict=True):
        assert (row["kind"], row["reason"], row["status"], row["retries"]) == (kind, reason, status, retries), url
        assert re.fullmatch(error, row["error"]), (url, row["error"])


def test_every_article_url_is_accounted_for(fault_crawl) -> None:
    result, facts, *_ = fault_crawl
    stats = result.stats
    assert stats["rfi_cn/articles/discovered"] == facts.discovered == 31
    exported, rejected = len(facts.exported_ids), len(facts.rejects)
    failed = sum(1 for row in facts.failures if row[1] == "article")
    assert (exported, rejected, failed) == (12, 5, 14)
    assert exported + rejected + failed == facts.discovered
    assert (stats["rfi_cn/articles/exported"], stats["rfi_cn/articles/rejected"], stats["rfi_cn/articles/failed"]) == (
        exported,
        rejected,
        failed,
    )
    assert stats["rfi_cn/articles/unaccounted"] == 0
    assert stats["rfi_cn/failures/reason/robots"] == 2  # the section page and its article


def test_no_request_leaves_the_host_and_no_retry_when_told_to_wait_too_long(fault_crawl) -> None:
    _, _, requests, hosts, base_url = fault_crawl
    assert set(hosts) == {base_url.removeprefix("http://")}
    assert all(path.startswith("/cn/") or path == "/robots.txt" for path in requests)
    assert requests["/cn/故障/20251120-测试新闻0125"] == 1  # Retry-After: 3600 is over the 5 s cap
    assert requests["/cn/故障/20251120-测试新闻0124"] == TRIES
    assert requests["/cn/故障/20251120-测试新闻0137"] == 4  # the first request and three redirects
    assert not any(path.startswith("/cn/禁区") for path in requests)
