"""A fixture site for the discovery sources: RSS, sitemaps, archives, keyword and author pages.

Articles span 2024-12 and 2025-09..11; each source lists a known subset, so a
crawl from one source must export exactly that subset (``DiscoveryFacts``).
Article 121 is a programme page with an audio player. The text is ours; the
feed and sitemap formats are the standard ones (RSS 2.0, sitemaps.org, Google News).
"""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass
from datetime import date
from html import escape

from fixture_site.pages import SITE, Article, article_html, listing_html, site_path
from fixture_site.site import Page, make_article

DAYS = {
    101: date(2025, 9, 5), 102: date(2025, 9, 12), 103: date(2025, 9, 20), 104: date(2025, 9, 28),
    105: date(2025, 10, 2), 106: date(2025, 10, 10), 107: date(2025, 10, 18), 108: date(2025, 10, 31),
    114: date(2025, 10, 15),
    109: date(2025, 11, 3), 110: date(2025, 11, 10), 111: date(2025, 11, 18), 112: date(2025, 11, 28),
    113: date(2025, 11, 29),
    115: date(2024, 12, 15),
    116: date(2025, 11, 21), 117: date(2025, 11, 22), 118: date(2025, 11, 23),
    119: date(2025, 11, 24), 120: date(2025, 11, 25), 121: date(2025, 11, 20),
}  # fmt: skip
TAG, SECOND_TAG, AUTHOR = "交通", "环境", "林晓"
PROGRAMME = 121
AUDIO_URL = "https://aod-rfi.akamaized.net/rfi/chinois/audio/modules/actu/202511/eco_20251120.mp3"
LIVE_URL = "https://live.example-radio.net/chinese-64.mp3"
# What each source alone must reach (article numbers).
BY_SOURCE = {
    "sections": {110, 111, 121},
    "rss": {109, 110, 111, 112, 121},
    "sitemaps": set(range(101, 114)),
    "archives": set(range(101, 113)) | {114, 115},
    "tags": {109, 116, 117, 118},  # 交通 from the front page, 环境 from article 116
    "authors": {101, 119, 120},  # with -a authors=林晓
}
OCTOBER = {105, 106, 107, 108, 114}


@dataclass
class DiscoveryFacts:
    articles: dict[int, Article]

    def ids(self, numbers: set[int]) -> list[str]:
        return sorted(f"T{number:03d}" for number in numbers)

    def paths(self, numbers: set[int]) -> list[str]:
        return sorted(self.articles[number].path for number in numbers)


def build_discovery_site() -> tuple[dict[str, Page], DiscoveryFacts]:
    """The routes of the discovery fixture site and its articles."""
    articles = {number: _article(number) for number in DAYS}
    routes: dict[str, Page] = {"/robots.txt": Page(200, b"User-agent: *\nDisallow:\n", "text/plain")}
    for number, item in articles.items():
        html = article_html(item)
        routes[item.path] = _html(_with_player(html) if number == PROGRAMME else html)

    def paths(*numbers: int) -> list[str]:
        return [articles[number].path for number in numbers]

    def listing(
        title: str, numbers: list[int], pages: list[tuple[str, str]] | None = None, links: list[str] | None = None
    ) -> Page:
        return _html(listing_html(title, paths(*numbers), pages, None, None, [site_path(link) for link in links or []]))

    navigation = [(site_path("/cn/中国/"), "中国")]
    front_links = [
        site_path(f"/cn/关键词/{TAG}/"),
        site_path("/cn/档案资料库/2025/"),
        site_path("/cn/档案资料库/2024/"),
    ]
    routes["/cn/"] = _html(listing_html(None, [], None, navigation, None, front_links))
    routes["/cn/中国/"] = listing("中国", [110, 111, PROGRAMME])

    routes["/cn/rss"] = Page(200, _rss(articles, [112, 111, 110, 109, PROGRAMME]), "application/rss+xml; charset=utf-8")
    _sitemaps(routes, articles)
    routes["/sitemaps/cn/old-page"] = _html("<html><body>这不是站点地图</body></html>")  # not a sitemap

    # Archives: year → months → days, a paginated month, another year.
    archive = "/cn/档案资料库/"
    years = [f"{archive}2025/", f"{archive}2024/"]
    routes[f"{archive}2025/"] = listing("2025", [], None, [f"{archive}2025/{m}/" for m in ("09", "10", "11")] + years)
    routes[f"{archive}2024/"] = listing("2024", [115], None, years)
    routes[f"{archive}2025/09/"] = listing(
        "2025-09", [102, 104], None, [f"{archive}2025/09/05/", f"{archive}2025/09/20/"]
    )
    routes[f"{archive}2025/09/05/"] = listing("2025-09-05", [101])
    routes[f"{archive}2025/09/20/"] = listing("2025-09-20", [103])
    routes[f"{archive}2025/10/"] = listing("2025-10", [105, 106, 107, 108, 114])
    november = [(site_path(f"{archive}2025/11/"), "1"), (site_path(f"{archive}2025/11/") + "?page=2", "2")]
    routes[f"{archive}2025/11/"] = listing("2025-11", [109, 110], november)
    routes[f"{archive}2025/11/?page=2"] = listing("2025-11", [111, 112], november)

    # Keyword and author pages, paginated by a "next" link.
    routes[f"/cn/关键词/{TAG}/"] = listing(TAG, [109, 116], [(site_path(f"/cn/关键词/{TAG}/2/"), "下一页")])
    routes[f"/cn/关键词/{TAG}/2/"] = listing(TAG, [117])
    routes[f"/cn/关键词/{SECOND_TAG}/"] = listing(SECOND_TAG, [118])
    routes[f"/cn/作者/{AUTHOR}/"] = listing(
        AUTHOR, [101, 119], [(site_path(f"/cn/作者/{AUTHOR}/") + "?page=2", "下一页")]
    )
    routes[f"/cn/作者/{AUTHOR}/?page=2"] = listing(AUTHOR, [120])
    return routes, DiscoveryFacts(articles)


def _article(number: int) -> Article:
    section = "专栏检索/今日经济" if number == PROGRAMME else "中国"
    tags = [TAG, SECOND_TAG] if number == 116 else [TAG]
    return make_article(number, section, DAYS[number], tags=tags, authors=[AUTHOR], section=section.split("/")[-1])


def _with_player(html: str) -> str:
    """RFI's player markup (JSON data + button), a download link and JSON-LD, all for one episode;
    and the live-radio button in the header, which is the station, not the episode."""
    player = {
        "mediaId": "eco_20251120",
        "type": "audio",
        "duration": 200,
        "sources": [{"name": "eco", "url": AUDIO_URL}],
    }
    live = {"mediaId": "direct_rfi_cn", "type": "live", "sources": [{"name": "direct", "url": LIVE_URL}]}
    audio_ld = {
        "@context": "https://schema.org",
        "@type": "AudioObject",
        "contentUrl": AUDIO_URL,
        "duration": "PT3M20S",
    }
    episode = (
        f'<div class="m-em-audio"><script data-media-id="eco_20251120" type="application/json">{json.dumps(player)}</script>'
        '<div class="a-audio-player-btn"><play-media media-id="eco_20251120" play-title="播放"></play-media></div>'
        f'<a class="m-em-audio__download" href="{AUDIO_URL}" download>下载节目</a></div>'
        f'<script type="application/ld+json">{json.dumps(audio_ld)}</script>'
    )
    station = f'<script data-media-id="direct_rfi_cn" type="application/json">{json.dumps(live)}</script>'
    html = html.replace('<nav class="o-site-nav">', f'<nav class="o-site-nav">{station}', 1)
    return html.replace(
        '<div class="t-content__body u-clearfix">', f'{episode}<div class="t-content__body u-clearfix">', 1
    )


def _rss(articles: dict[int, Article], numbers: list[int]) -> bytes:
    items = "".join(
        f"<item><title>{escape(articles[n].title or '')}</title><link>{articles[n].url}</link>"
        f'<guid isPermaLink="false">rfi-{n}</guid><pubDate>{_rfc822(DAYS[n])}</pubDate></item>'
        for n in numbers
    )
    # Not articles of the edition: another host, the /tw/ edition, a section page.
    others = "".join(
        f"<item><title>其他</title><link>{escape(url)}</link></item>"
        for url in (
            "https://www.example.com/cn/中国/20251101-别处",
            f"{SITE}/tw/中国/20251101-繁体",
            f"{SITE}{site_path('/cn/中国/')}",
        )
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel><title>RFI 中文</title>'
        f"<link>{SITE}/cn/</link><description>测试订阅</description>{items}{others}</channel></rss>"
    ).encode()


def _rfc822(day: date) -> str:
    return f"{day:%a, %d %b %Y} 08:00:00 GMT"


def _sitemaps(routes: dict[str, Page], articles: dict[int, Article]) -> None:
    """The index and its monthly files (October gzipped), and a Google News sitemap."""
    months = {"202509": ([101, 102, 103, 104], "2025-09-28T18:00:00+00:00"),
              "202510": ([105, 106, 107, 108], "2025-10-31T18:00:00+00:00"),
              "202511": ([109, 110, 111, 112], "2025-11-28T18:00:00+00:00")}  # fmt: skip
    children = [f"{SITE}/sitemaps/cn/contents_{month}.xml{'.gz' if month == '202510' else ''}" for month in months]
    refused = ["https://www.example.com/sitemaps/cn/contents_202511.xml", f"{SITE}/sitemaps/fr/index.xml"]
    entries = "".join(
        f"<sitemap><loc>{loc}</loc><lastmod>{lastmod}</lastmod></sitemap>"
        for loc, (_, lastmod) in zip(children, months.values(), strict=True)
    ) + "".join(f"<sitemap><loc>{loc}</loc></sitemap>" for loc in refused)
    routes["/sitemaps/cn/index.xml"] = _xml(
        f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</sitemapindex>'
    )
    for month, (numbers, _) in months.items():
        urls = "".join(
            f"<url><loc>{articles[n].url}</loc><lastmod>{DAYS[n]}T12:00:00+00:00</lastmod></url>" for n in numbers
        )
        urls += f"<url><loc>{SITE}{site_path('/cn/中国/')}</loc></url>"  # a section page: not an article
        body = f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'
        if month == "202510":
            routes[f"/sitemaps/cn/contents_{month}.xml.gz"] = Page(
                200, gzip.compress(body.encode(), mtime=0), "application/octet-stream"
            )
        else:
            routes[f"/sitemaps/cn/contents_{month}.xml"] = _xml(body)
    news = "".join(
        f"<url><loc>{articles[n].url}</loc><news:news><news:publication><news:name>RFI</news:name>"
        f"<news:language>zh</news:language></news:publication><news:publication_date>{DAYS[n]}T08:00:00+00:00"
        f"</news:publication_date><news:title>{escape(articles[n].title or '')}</news:title></news:news></url>"
        for n in (112, 113)
    )
    routes["/sitemaps/cn/news.xml"] = _xml(
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        f'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">{news}</urlset>'
    )


def _xml(text: str) -> Page:
    body = text if text.startswith("<?xml") else f'<?xml version="1.0" encoding="UTF-8"?>\n{text}'
    return Page(200, body.encode("utf-8"), "application/xml; charset=utf-8")


def _html(text: str) -> Page:
    return Page(200, text.encode("utf-8"))
