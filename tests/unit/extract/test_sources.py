"""The discovery sources' pure parts: feeds, sitemaps, archive periods, date ranges, links, media."""

from __future__ import annotations

import gzip
from datetime import date

import pytest
from parsel import Selector
from scrapy.utils.test import get_crawler

from fixture_site.discovery import AUDIO_URL, PROGRAMME, build_discovery_site
from rfi_cn.extract.article import extract_article
from rfi_cn.extract.links import archive_links, author_links, named_page_url, tag_links
from rfi_cn.extract.media import duration_seconds, kind_of, media_entries
from rfi_cn.extract.rss import rfc822_day, rss_entries
from rfi_cn.extract.sitemaps import sitemap_body, sitemap_links
from rfi_cn.periods import DateRange, archive_period, day_of
from rfi_cn.site import SITEMAP_PREFIX, link_url
from rfi_cn.spiders.rfi_cn import RfiCnSpider
from rfi_cn.spiders.sources import parse_sources
from tests.conftest import shared_selector

SITE = "https://www.rfi.fr"
BASE = SITE  # pages are read under their real-site URLs, wherever they were fetched from
OCTOBER = DateRange(date(2025, 10, 1), date(2025, 10, 31))


def html(body: str) -> Selector:
    return Selector(text=f"<html><body>{body}</body></html>", type="html")


def test_rss_entries_keep_edition_articles_with_their_day() -> None:
    feed = f"""<?xml version="1.0"?><rss version="2.0"><channel>
      <item><link>{SITE}/cn/%E4%B8%AD%E5%9B%BD/20251130-a</link><pubDate>Sun, 30 Nov 2025 23:30:00 -0100</pubDate></item>
      <item><guid>{SITE}/cn/政治/20251129-b</guid><pubDate>not a date</pubDate></item>
      <item><guid isPermaLink="false">{SITE}/cn/政治/20251128-c</guid></item>
      <item><link>{SITE}/cn/%E4%B8%AD%E5%9B%BD/20251130-a?xtor=RSS-1#top</link></item>
      <item><link>{SITE}/tw/中国/20251130-d</link></item>
      <item><link>{SITE}/cn/中国/</link></item>
    </channel></rss>""".encode()
    assert rss_entries(feed, f"{BASE}/cn/rss") == [
        (f"{BASE}/cn/%E4%B8%AD%E5%9B%BD/20251130-a", date(2025, 12, 1)),  # 23:30 at -01:00 is the next UTC day
        (f"{BASE}/cn/%E6%94%BF%E6%B2%BB/20251129-b", None),
    ]
    assert rss_entries(b"not xml at all", f"{BASE}/cn/rss") == []
    assert rfc822_day("Sat, 29 Nov 2025 08:00:00") == date(2025, 11, 29)  # no zone: read as UTC


def test_sitemap_index_skips_children_unchanged_since_the_range_and_outside_the_prefix() -> None:
    index = f"""<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
      <sitemap><loc>{SITE}/sitemaps/cn/contents_202509.xml</loc><lastmod>2025-09-29</lastmod></sitemap>
      <sitemap><loc>{SITE}/sitemaps/cn/contents_202510.xml</loc><lastmod>2025-09-30T23:00:00Z</lastmod></sitemap>
      <sitemap><loc>{SITE}/sitemaps/cn/contents_202511.xml</loc></sitemap>
      <sitemap><loc>{SITE}/sitemaps/tw/contents_202511.xml</loc></sitemap>
      <sitemap><loc>https://cdn.example.com/sitemaps/cn/x.xml</loc></sitemap>
    </sitemapindex>""".encode()
    links = sitemap_links(index, f"{BASE}/sitemaps/cn/index.xml", OCTOBER)
    # 2025-09-30 is within the day of slack: its file may hold a 1 October (Paris) article.
    assert links.sitemaps == [f"{BASE}/sitemaps/cn/contents_202510.xml", f"{BASE}/sitemaps/cn/contents_202511.xml"]
    assert (links.articles, links.skipped) == ([], 1)
    assert len(sitemap_links(index, f"{BASE}/sitemaps/cn/index.xml", DateRange()).sitemaps) == 3


def test_news_sitemap_entries_are_kept_by_url_day_then_publication_date_then_lastmod() -> None:
    urlset = f"""<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
      <url><loc>{SITE}/cn/中国/20251015-a</loc><lastmod>2025-12-01</lastmod></url>
      <url><loc>{SITE}/cn/中国/20251101-b</loc><news:news><news:publication_date>2025-10-20</news:publication_date></news:news></url>
      <url><loc>{SITE}/cn/中国/20251099-c</loc><news:news><news:publication_date>2025-10-20T08:00:00+02:00</news:publication_date></news:news></url>
      <url><loc>{SITE}/cn/中国/20251399-d</loc><news:news><news:publication_date>2025-09-02</news:publication_date></news:news></url>
      <url><loc>{SITE}/cn/中国/20251499-e</loc><lastmod>2025-09-01</lastmod></url>
      <url><loc>{SITE}/cn/中国/20251599-f</loc><lastmod>2025-11-01</lastmod></url>
      <url><loc>{SITE}/cn/中国/</loc></url>
      <url><loc>{SITE}/cn/中国/20251015-a</loc></url>
    </urlset>""".encode()
    links = sitemap_links(urlset, f"{BASE}/sitemaps/cn/news.xml", OCTOBER)
    # -c, -d, -e and -f carry impossible URL dates, so the entry's own dates decide.
    assert [url.rsplit("-", 1)[1] for url in links.articles] == ["a", "c", "f"]
    assert (links.sitemaps, links.skipped) == ([], 3)
    assert sitemap_links(b"<html><body>no</body></html>", BASE, OCTOBER) == ([], [], 0)


def test_sitemap_body_is_found_as_sitemap_spider_finds_it() -> None:
    xml = b'<?xml version="1.0"?><urlset/>'
    assert sitemap_body(xml, "http://h/s", is_xml=True, max_size=0) == xml
    assert sitemap_body(gzip.compress(xml), "http://h/s.gz", is_xml=False, max_size=0) == xml
    assert sitemap_body(gzip.compress(xml * 100), "http://h/s.gz", is_xml=False, max_size=50) is None
    assert sitemap_body(xml, "http://h/s.xml", is_xml=False, max_size=0) == xml  # inflated in transit
    assert sitemap_body(b"<html/>", "http://h/page", is_xml=False, max_size=0) is None


def test_sitemap_documents_may_live_only_under_the_editions_sitemap_prefix() -> None:
    page = f"{BASE}/sitemaps/cn/index.xml"
    assert link_url(f"{SITE}/sitemaps/cn/a.xml", page, SITEMAP_PREFIX) == f"{BASE}/sitemaps/cn/a.xml"
    assert link_url("/sitemaps/fr/a.xml", page, SITEMAP_PREFIX) is None
    assert link_url(f"{SITE}/sitemaps/cn/a.xml", page) is None  # the default prefix is /cn/


@pytest.mark.parametrize(
    ("path", "period"),
    [
        ("/cn/档案资料库/2025/", (date(2025, 1, 1), date(2025, 12, 31))),
        ("/cn/档案资料库/2024/02/", (date(2024, 2, 1), date(2024, 2, 29))),
        ("/cn/档案资料库/202511/", (date(2025, 11, 1), date(2025, 11, 30))),
        ("/cn/档案资料库/2025-11-03/", (date(2025, 11, 3), date(2025, 11, 3))),
        ("/cn/档案资料库/20251103", (date(2025, 11, 3), date(2025, 11, 3))),
        ("/cn/档案资料库/2025/13/", None),
        ("/cn/档案资料库/2025/2/", None),  # a page number, not a month: no period, so it is followed
        ("/cn/档案资料库/", None),
        ("/cn/中国/2025/", None),
    ],
)
def test_archive_period_reads_years_months_and_days(path: str, period) -> None:
    assert archive_period(f"{BASE}{path}") == period


def test_date_range() -> None:
    assert OCTOBER.contains(date(2025, 10, 1)) and OCTOBER.contains(date(2025, 10, 31)) and OCTOBER.contains(None)
    assert not OCTOBER.contains(date(2025, 9, 30)) and not OCTOBER.contains(date(2025, 11, 1))
    assert OCTOBER.overlaps(date(2025, 1, 1), date(2025, 12, 31))
    assert not OCTOBER.overlaps(date(2025, 11, 1), date(2025, 11, 30))
    assert not OCTOBER.overlaps(date(2025, 9, 1), date(2025, 9, 29))
    assert OCTOBER.years(this_year=2026, first_year=2006) == [2025]
    assert DateRange().years(this_year=2026, first_year=2024) == [2024, 2025, 2026]
    assert DateRange(until=date(2007, 5, 1)).years(this_year=2026, first_year=2006) == [2006, 2007]
    assert not DateRange().bounded and DateRange(until=date(2025, 10, 31)).bounded
    assert day_of("2025-10-31T23:30:00-02:00") == date(2025, 11, 1)
    assert day_of("") is None and day_of("yesterday") is None


def test_a_range_ending_before_it_starts_is_refused() -> None:
    spider = RfiCnSpider(since="2025-11-02", until="2025-11-01")
    with pytest.raises(ValueError, match="after"):
        next(spider.source_requests())


def test_source_paths_outside_their_prefix_are_refused() -> None:
    paths = ["/sitemaps/cn/index.xml", "/sitemaps/fr/index.xml"]
    crawler = get_crawler(RfiCnSpider, {"RFI_BASE_URL": SITE, "RFI_SITEMAP_PATHS": paths})
    spider = RfiCnSpider.from_crawler(crawler, discover="sitemaps")
    requests = spider.source_requests()
    assert next(requests).url == "https://www.rfi.fr/sitemaps/cn/index.xml"
    with pytest.raises(ValueError, match="not a path under /sitemaps/cn/"):
        next(requests)


def test_parse_sources() -> None:
    assert parse_sources(None, backfill=False) == ("sections",)
    assert parse_sources("", backfill=True) == ("sitemaps", "archives")
    assert parse_sources(" rss, sitemaps ,rss", backfill=True) == ("rss", "sitemaps")
    with pytest.raises(ValueError, match="unknown discovery source"):
        parse_sources("rss,podcasts", backfill=False)


def test_keyword_author_and_archive_links_are_found_by_where_they_point() -> None:
    page = html(
        '<a href="/cn/%E5%85%B3%E9%94%AE%E8%AF%8D/%E5%8F%B0%E6%B9%BE/">台湾</a>'
        f'<a href="{SITE}/cn/关键词/日本/">日本</a><a href="/cn/关键词/日本/2/">2</a>'
        '<a href="/cn/作者/左依/">左依</a><a href="/tw/作者/左依/">左依</a>'
        '<a href="/cn/档案资料库/2025/">2025</a><a href="/cn/档案资料库/2025/11/">11</a>'
        '<a href="/cn/档案资料库/">archives</a><a href="/cn/中国/20251130-x">x</a>'
    )
    here = f"{BASE}/cn/档案资料库/2025/11/"
    assert tag_links(page, here) == [
        f"{BASE}/cn/%E5%85%B3%E9%94%AE%E8%AF%8D/%E5%8F%B0%E6%B9%BE/",
        f"{BASE}/cn/%E5%85%B3%E9%94%AE%E8%AF%8D/%E6%97%A5%E6%9C%AC/",
    ]
    assert author_links(page, here) == [f"{BASE}/cn/%E4%BD%9C%E8%80%85/%E5%B7%A6%E4%BE%9D/"]
    assert archive_links(page, here) == [f"{BASE}/cn/%E6%A1%A3%E6%A1%88%E8%B5%84%E6%96%99%E5%BA%93/2025/"]
    assert named_page_url("/cn/作者/", " 左依 ") == f"{BASE}/cn/%E4%BD%9C%E8%80%85/%E5%B7%A6%E4%BE%9D/"


def test_real_front_page_links_keywords_and_archive_years() -> None:
    selector = shared_selector("rfi-pages/cn-home-20251130.html")
    tags = tag_links(selector, f"{SITE}/cn/")
    years = archive_links(selector, f"{SITE}/cn/")
    assert len(tags) == 15 and f"{SITE}/cn/%E5%85%B3%E9%94%AE%E8%AF%8D/%E5%8F%B0%E6%B9%BE/" in tags
    assert sorted(archive_period(url)[0].year for url in years) == [2006, *range(2009, 2026)]
    assert author_links(selector, f"{SITE}/cn/") == []


def test_programme_fixture_page_yields_its_audio_once() -> None:
    routes, facts = build_discovery_site()
    article = facts.articles[PROGRAMME]
    selector = Selector(text=routes[article.path].body.decode(), type="html")
    item = extract_article(selector, f"{BASE}{article.path}", "2026-01-01T00:00:00Z")
    # The player data, the download link and the JSON-LD name one file; the header's live radio is left out.
    assert item["media"] == [{"url": AUDIO_URL, "type": "audio", "duration": 200}]


def test_media_from_elements_links_and_jsonld() -> None:
    page = html(
        '<header><audio src="https://x.test/jingle.mp3"></audio></header>'
        '<video data-duration="01:02:03" poster="p.jpg"><source src="/media/v.webm" type="video/webm"></video>'
        '<audio duration="12.6"><source src="//cdn.test/a.m4a"></audio>'
        '<a href="https://x.test/ep.mp3?dl=1">mp3</a><a href="https://x.test/page.html">page</a>'
        '<a href="https://x.test/stream" type="audio/aac">aac</a><a href="javascript:void(0)">x</a>'
        '<script data-media-id="m" type="application/json">{"sources": [{"url": "https://x.test/ep.mp3?dl=1"}]}</script>'
        '<script data-media-id="n" type="application/json">not json</script>'
        '<script type="application/ld+json">{"@graph": [{"@type": "NewsArticle", "video": '
        '{"@type": "VideoObject", "contentUrl": "https://x.test/v.mp4", "duration": "PT1H2M"}}]}</script>'
    )
    assert media_entries(page, f"{BASE}/cn/专栏检索/p/20251120-x") == [
        {"url": "https://x.test/ep.mp3?dl=1", "type": "audio", "duration": None},
        {"url": "https://www.rfi.fr/media/v.webm", "type": "video", "duration": 3723},
        {"url": "https://cdn.test/a.m4a", "type": "audio", "duration": 13},
        {"url": "https://x.test/stream", "type": "audio", "duration": None},
        {"url": "https://x.test/v.mp4", "type": "video", "duration": 3720},
    ]


@pytest.mark.parametrize(
    ("value", "seconds"),
    [(200, 200), (199.6, 200), ("200", 200), ("PT3M20S", 200), ("PT1H", 3600), ("P1DT1S", 86401),
     ("pt0.5s", 0), ("03:20", 200), ("1:02:03", 3723), (True, None), (-1, None), ("P", None), ("soon", None), (None, None)],
)  # fmt: skip
def test_duration_seconds(value, seconds) -> None:
    assert duration_seconds(value) == seconds


def test_kind_of() -> None:
    assert kind_of("https://x/a.MP3") == "audio" and kind_of("https://x/v.mp4") == "video"
    assert kind_of("https://x/a", "video/mp4") == "video" and kind_of("https://x/a", "Audio") == "audio"
    assert kind_of("https://x/a.html") is None and kind_of("https://x/dir.d/file") is None
