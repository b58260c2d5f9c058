"""End-to-end: articles that lie about their identity keep their own (issue 13, items 5 and 6)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from fixture_site.identity import IdentityFacts, build_identity_site
from fixture_site.server import serving
from tests.crawling import CrawlResult, run_crawl


@pytest.fixture(scope="module")
def crawl(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[CrawlResult, IdentityFacts, list[str]]]:
    routes, facts = build_identity_site()
    with serving(routes) as server:
        result = run_crawl(server.base_url, tmp_path_factory.mktemp("identity"))
        yield result, facts, list(server.requests)


def test_each_article_is_exported_under_its_fetched_url_and_its_own_share_code(crawl) -> None:
    result, facts, _ = crawl
    assert result.returncode == 0, result.log[-3000:]
    assert {row["url"]: row["id"] for row in result.records("articles")} == facts.ids_by_url
    assert len(facts.ids_by_url) == 5
    assert result.records("rejects") == [] and result.records("failures") == []


def test_refused_canonicals_are_counted_and_every_article_is_accounted_for(crawl) -> None:
    result, facts, _ = crawl
    stats = result.stats
    assert stats["rfi_cn/articles/canonical_ignored"] == facts.canonical_ignored == 3
    assert stats["rfi_cn/articles/discovered"] == stats["rfi_cn/articles/exported"] == 5
    assert stats["rfi_cn/articles/unaccounted"] == 0


def test_each_listed_article_was_requested_once_and_no_claimed_url(crawl) -> None:
    _, facts, requests = crawl
    assert sorted(path for path in requests if "/20251201-" in path) == sorted(facts.article_paths)
    assert not any(path.startswith(("/tw/", "/cn/政治/")) and "/20251201-" not in path for path in requests)
