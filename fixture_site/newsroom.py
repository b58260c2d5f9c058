"""A site shaped like the real rfi.fr/cn over time, for the benchmarks of scheduled runs and of scale.

``Newsroom`` publishes ``per_day`` (a range: 20 to 30 a day by default,
RFI's Chinese output) articles a day from ``first_day``, each at a time of
day and in one of the 22 sections of the real navigation (some busier than
others), drawn from a seeded generator: article ``n`` is the same page in
every newsroom with the same seed, so a later site is a superset of an
earlier one. ``routes(now)`` is the site as a reader sees it at ``now``:
the front page (the navigation and the newest articles), every section's
listing newest first, ``per_page`` to a page with a "next" link, the
articles, ``/cn/rss`` (the newest 30), the Google News sitemap
``/sitemaps/cn/news.xml`` (the last two days, with ``lastmod``) and a
robots.txt naming it. Article pages are built when they are requested
(``LazyRoutes``), so 20,000 pages of real size cost the server no memory.
The text is ours (``fixture_site.site.make_article``).
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from html import escape

from fixture_site.pages import SITE, Article, _padding, article_html, listing_html, site_path
from fixture_site.site import SENTENCES, Page, make_article, with_related_cards

# The sections of the real navigation (../shared/rfi-site.md), with how many of a day's articles each gets.
SECTIONS = {
    "中国": 12, "国际": 10, "政治": 8, "港澳台": 8, "亚洲": 6, "经贸": 6, "最新消息": 5, "法国": 4,
    "欧洲": 4, "美洲": 4, "社会": 3, "中东": 3, "科技与文化": 3, "人权": 2, "非洲": 2, "法新社经济": 2,
    "滚动新闻": 2, "体育": 1, "健康": 1, "生态": 1, "特别专题": 1, "专栏检索": 1,
}  # fmt: skip
NEWS_SITEMAP_HOURS = 48
RSS_ITEMS = 30
FRONT_ARTICLES = 10
# Paragraphs of four sentences: a record of ~7.6 KB of JSON, like the real article's (7.6 KB).
PARAGRAPHS = 13


@dataclass(frozen=True)
class Published:
    number: int
    section: str
    at: datetime

    @property
    def path(self) -> str:
        return f"/cn/{self.section}/{self.at:%Y%m%d}-测试新闻{self.number:04d}"


class Newsroom:
    """Every article published from ``first_day`` for ``days`` days (see the module docstring)."""

    def __init__(
        self,
        days: int,
        first_day: date = date(2025, 1, 1),
        per_day: tuple[int, int] = (20, 30),
        *,
        per_page: int = 20,
        padding_bytes: int = 0,
        related: int = 0,
        paragraphs: int = PARAGRAPHS,
        seed: int = 18,
    ) -> None:
        self.first_day = first_day
        self.paragraphs = paragraphs
        self.per_page = per_page
        self.padding_bytes = padding_bytes
        self.related = related
        # The padding and the related cards are the same on every page: built once, spliced in as bytes.
        self.head_padding = f"{_padding(padding_bytes)}\n".encode() if padding_bytes > 0 else b""
        self.main_end = with_related_cards("</main>", related).encode()
        generator = random.Random(seed)
        names, weights = list(SECTIONS), list(SECTIONS.values())
        drawn: list[tuple[datetime, str]] = []
        for offset in range(days):
            midnight = datetime.combine(first_day + timedelta(days=offset), datetime.min.time(), UTC)
            for _ in range(generator.randint(*per_day)):
                section = generator.choices(names, weights)[0]
                drawn.append((midnight + timedelta(seconds=generator.randrange(86_400)), section))
        drawn.sort()
        self.articles = [Published(number, section, at) for number, (at, section) in enumerate(drawn, start=1)]

    def published_by(self, now: datetime) -> list[Published]:
        """The articles a reader can see at ``now``, oldest first."""
        return [item for item in self.articles if item.at <= now]

    def routes(self, now: datetime) -> LazyRoutes:
        """The site at ``now``: listings, feeds and robots.txt built, article pages built on request."""
        visible = self.published_by(now)
        newest = list(reversed(visible))
        pages: dict[str, Page] = {"/robots.txt": _robots()}
        navigation = [(site_path(f"/cn/{name}/"), name) for name in SECTIONS]
        navigation += [("/cn/直播", "直播"), ("/cn/再次收听/", "再次收听"), ("/tw/", "繁體")]
        for name in SECTIONS:
            paths = [item.path for item in newest if item.section == name]
            chunks = [paths[start : start + self.per_page] for start in range(0, len(paths), self.per_page)] or [[]]
            for index, chunk in enumerate(chunks):
                pagination = _pagination(name, index, len(chunks))
                pages[_listing_path(name, index)] = _html(listing_html(name, chunk, pagination, navigation))
        front = [item.path for item in newest[:FRONT_ARTICLES]]
        pages["/cn/"] = _html(listing_html(None, front, None, navigation))
        pages["/cn/rss"] = rss(newest[:RSS_ITEMS])
        pages["/sitemaps/cn/news.xml"] = news_sitemap(
            [item for item in newest if item.at > now - timedelta(hours=NEWS_SITEMAP_HOURS)]
        )
        return LazyRoutes(pages, {item.path: item for item in visible}, self)

    def article(self, item: Published, padding_bytes: int = 0) -> Article:
        """The fixture article published as ``item`` (its page, less the padding and related cards)."""
        paris = item.at + timedelta(hours=1)
        sentence = item.number
        paragraphs = []
        for _ in range(self.paragraphs):
            paragraphs.append("".join(SENTENCES[(sentence + offset) % len(SENTENCES)] for offset in range(4)))
            sentence += 5
        article = make_article(
            item.number,
            item.section,
            item.at.date(),
            padding_bytes=padding_bytes,
            published=item.at.isoformat(),
            published_visible=f"{paris:%d/%m/%Y - %H:%M}",
            paragraphs=paragraphs,
            word_count=sum(map(len, paragraphs)),
        )
        article.path = item.path
        return article

    def article_page(self, item: Published) -> Page:
        page = article_html(self.article(item)).encode("utf-8")  # then as with padding_bytes and with_related_cards:
        head_end, main_end = page.index(b"</head>"), page.index(b"</main>")
        parts = [page[:head_end], self.head_padding, page[head_end:main_end], self.main_end, page[main_end + 7 :]]
        return Page(200, b"".join(parts))


class LazyRoutes(Mapping[str, Page]):
    """The routes of a ``Newsroom`` at one moment; an article page is built each time it is asked for."""

    def __init__(self, pages: dict[str, Page], articles: dict[str, Published], newsroom: Newsroom) -> None:
        self.pages = pages
        self.articles = articles
        self.newsroom = newsroom

    def __getitem__(self, path: str) -> Page:
        if path in self.pages:
            return self.pages[path]
        return self.newsroom.article_page(self.articles[path])

    def __iter__(self) -> Iterator[str]:
        yield from self.pages
        yield from self.articles

    def __len__(self) -> int:
        return len(self.pages) + len(self.articles)

    def __contains__(self, path: object) -> bool:
        return path in self.pages or path in self.articles

    def page_paths(self) -> list[str]:
        """The paths of every listing, feed and robots.txt (not the articles)."""
        return list(self.pages)


def _listing_path(section: str, index: int) -> str:
    return f"/cn/{section}/" if index == 0 else f"/cn/{section}/{index + 1}/"


def _pagination(section: str, index: int, count: int) -> list[tuple[str, str]]:
    if count == 1:
        return []
    first = max(0, index - 2)
    links = [(site_path(_listing_path(section, page)), str(page + 1)) for page in range(first, min(count, index + 3))]
    if index + 1 < count:
        links.append((site_path(_listing_path(section, index + 1)), "下一页"))
    return links


def _robots() -> Page:
    text = f"User-agent: *\nDisallow: /cn/直播\n\nSitemap: {SITE}/sitemaps/cn/index.xml\nSitemap: {SITE}/sitemaps/cn/news.xml\n"
    return Page(200, text.encode(), "text/plain")


def rss(items: list[Published]) -> Page:
    entries = "".join(
        f"<item><title>第{item.number}号测试新闻</title><link>{SITE}{site_path(item.path)}</link>"
        f'<guid isPermaLink="false">rfi-{item.number}</guid>'
        f"<pubDate>{item.at:%a, %d %b %Y %H:%M:%S} GMT</pubDate><category>{escape(item.section)}</category></item>"
        for item in items
    )
    return Page(
        200,
        (
            '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel><title>RFI 中文</title>'
            f"<link>{SITE}/cn/</link><description>测试订阅</description>{entries}</channel></rss>"
        ).encode(),
        "application/rss+xml; charset=utf-8",
    )


def news_sitemap(items: list[Published]) -> Page:
    entries = "".join(
        f"<url><loc>{SITE}{site_path(item.path)}</loc><lastmod>{item.at.isoformat()}</lastmod>"
        "<news:news><news:publication><news:name>RFI</news:name><news:language>zh</news:language>"
        f"</news:publication><news:publication_date>{item.at.isoformat()}</news:publication_date>"
        f"<news:title>第{item.number}号测试新闻</news:title></news:news></url>"
        for item in items
    )
    return Page(
        200,
        (
            '<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
            f'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">{entries}</urlset>'
        ).encode(),
        "application/xml; charset=utf-8",
    )


def _html(text: str) -> Page:
    return Page(200, text.encode("utf-8"))
