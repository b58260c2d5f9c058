"""End-to-end: each discovery source, all of them together, a one-month backfill, programme audio."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from fixture_site.discovery import AUDIO_URL, BY_SOURCE, OCTOBER, PROGRAMME, DiscoveryFacts, build_discovery_site
from fixture_site.server import FixtureServer, serving
from tests.crawling import run_crawl


@pytest.fixture(scope="module")
def site() -> Iterator[tuple[FixtureServer, DiscoveryFacts]]:
    routes, facts = build_discovery_site()
    with serving(routes) as server:
        yield server, facts


def crawl(server: FixtureServer, workdir: Path, *arguments: str):
    server.requests.clear()
    result = run_crawl(server.base_url, workdir, *arguments)
    assert result.returncode == 0, result.log[-3000:]
    assert "Traceback" not in result.log and " ERROR: " not in result.log, result.log[-3000:]
    return result, Counter(server.requests)


def article_requests(requests: Counter[str], facts: DiscoveryFacts) -> dict[str, int]:
    every = set(facts.paths(set(facts.articles)))
    return {path: count for path, count in requests.items() if path in every}


@pytest.mark.parametrize(
    ("source", "arguments"),
    [
        ("sections", ()),
        ("rss", ()),
        ("sitemaps", ()),
        ("archives", ()),
        ("tags", ()),
        ("authors", ("-a", "authors=林晓")),
    ],
)
def test_each_source_alone_finds_exactly_what_it_lists(site, tmp_path: Path, source: str, arguments) -> None:
    server, facts = site
    result, requests = crawl(server, tmp_path, "-a", f"discover={source}", *arguments)
    assert sorted(row["id"] for row in result.records("articles")) == facts.ids(BY_SOURCE[source])
    assert article_requests(requests, facts) == dict.fromkeys(facts.paths(BY_SOURCE[source]), 1)
    assert result.stats["rfi_cn/articles/discovered"] == len(BY_SOURCE[source])
    assert result.stats["rfi_cn/articles/unaccounted"] == 0
    assert all(path.startswith(("/cn/", "/sitemaps/cn/")) or path == "/robots.txt" for path in requests)


def test_sitemaps_follow_the_index_and_refuse_children_elsewhere(site, tmp_path: Path) -> None:
    server, _ = site
    _, requests = crawl(server, tmp_path, "-a", "discover=sitemaps")
    documents = {path for path in requests if path.startswith("/sitemaps/")}
    assert documents == {
        "/sitemaps/cn/index.xml",
        "/sitemaps/cn/news.xml",
        "/sitemaps/cn/contents_202509.xml",
        "/sitemaps/cn/contents_202510.xml.gz",  # gzipped, read like SitemapSpider reads it
        "/sitemaps/cn/contents_202511.xml",
    }  # never /sitemaps/fr/index.xml, never another host


def test_tags_named_on_the_command_line_are_the_only_ones(site, tmp_path: Path) -> None:
    server, facts = site
    result, requests = crawl(server, tmp_path, "-a", "discover=tags", "-a", "tags=交通")
    assert sorted(row["id"] for row in result.records("articles")) == facts.ids({109, 116, 117})
    assert "/cn/关键词/环境/" not in requests and "/cn/" not in requests


def test_all_sources_together_request_each_article_once(site, tmp_path: Path) -> None:
    server, facts = site
    sources = "sections,rss,sitemaps,archives,tags,authors"
    result, requests = crawl(server, tmp_path, "-a", f"discover={sources}")
    everything = set().union(*BY_SOURCE.values())
    assert everything == set(facts.articles) and len(everything) == 21
    assert sorted(row["id"] for row in result.records("articles")) == facts.ids(everything)
    assert article_requests(requests, facts) == dict.fromkeys(facts.paths(everything), 1)
    assert requests["/cn/"] == 1 and requests["/cn/作者/林晓/"] == 1  # the author found on the articles
    stats = result.stats
    assert (stats["rfi_cn/articles/discovered"], stats["rfi_cn/articles/exported"]) == (21, 21)
    assert stats["rfi_cn/articles/unaccounted"] == 0


def test_backfill_of_one_month_requests_and_exports_exactly_that_month(site, tmp_path: Path) -> None:
    server, facts = site
    result, requests = crawl(server, tmp_path, "-a", "since=2025-10-01", "-a", "until=2025-10-31")
    assert sorted(row["id"] for row in result.records("articles")) == facts.ids(OCTOBER)
    assert article_requests(requests, facts) == dict.fromkeys(facts.paths(OCTOBER), 1)
    # The default backfill sources are sitemaps and archives, pruned by the range:
    assert "/sitemaps/cn/contents_202509.xml" not in requests  # lastmod before `since`
    assert "/cn/档案资料库/2025/09/" not in requests and "/cn/档案资料库/2025/11/" not in requests
    assert "/cn/档案资料库/2024/" not in requests and "/cn/rss" not in requests and "/cn/" not in requests
    stats = result.stats
    assert stats["rfi_cn/articles/discovered"] == 5 and stats["rfi_cn/articles/unaccounted"] == 0
    # the September file (by its lastmod), 109-112 in the November file, 112 and 113 in the news sitemap
    assert stats["rfi_cn/sitemaps/skipped_by_range"] == 1 + 4 + 2
    assert stats["rfi_cn/archives/skipped_by_range"] == 3  # 2025-09, 2025-11, 2024


def test_programme_page_exports_its_audio(site, tmp_path: Path) -> None:
    server, _ = site
    result, _ = crawl(server, tmp_path, "-a", "discover=rss")
    rows = {row["id"]: row for row in result.records("articles")}
    assert rows[f"T{PROGRAMME}"]["media"] == [{"url": AUDIO_URL, "type": "audio", "duration": 200}]
    assert rows[f"T{PROGRAMME}"]["schema_version"] == 1
    assert rows["T109"]["media"] == []
    assert list(rows["T109"])[-2:] == ["schema_version", "media"]  # the new field is last


def test_until_holds_for_sections_too_and_an_invalid_sitemap_is_counted(site, tmp_path: Path) -> None:
    server, facts = site
    sitemaps = "RFI_SITEMAP_PATHS=/sitemaps/cn/contents_202509.xml,/sitemaps/cn/old-page"
    result, requests = crawl(
        server, tmp_path, "-a", "discover=sections,sitemaps", "-a", "until=2025-11-15", "-s", sitemaps
    )
    expected = {101, 102, 103, 104, 110}  # September's sitemap, and 中国's articles up to 15 November
    assert sorted(row["id"] for row in result.records("articles")) == facts.ids(expected)
    assert article_requests(requests, facts) == dict.fromkeys(facts.paths(expected), 1)
    stats = result.stats
    assert stats["rfi_cn/articles/skipped_until"] == 2  # 111 and the programme page 121
    assert stats["rfi_cn/sitemaps/invalid"] == 1 and stats["rfi_cn/articles/unaccounted"] == 0
