"""The fixture site's structure: which page lists which article, and what each serves.

``build_site`` returns the routes of a small rfi.fr/cn copy used by the
end-to-end tests, with the answers the crawl must give (``SiteFacts``):
4 sections, pagination in both URL shapes (``/cn/中国/2/`` and ``?page=2``),
articles listed in several sections, one article that 404s and one without a
title. ``build_site(grown=True)`` is the same site a little later: 3 new
articles (``GROWTH_NEW_IDS``) head 中国's first page and the newest article
(``GROWTH_CHANGED_ID``) has a new paragraph. ``build_large_site`` scales the same templates to thousands of articles
of real size for the benchmarks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Protocol

from fixture_site.pages import SITE, Article, _card, article_html, listing_html, site_path

SENTENCES = [
    "城市图书馆今天宣布延长周末开放时间，方便上班族借阅。",
    "气象部门提醒市民，本周后半段将有明显降温。",
    "一家本地面包店用旧配方重新推出了受欢迎的芝麻饼。",
    "铁路公司表示，新的时刻表将在下个月正式启用。",
    "研究人员在山区发现了一种此前未被记录的野花。",
    "社区志愿者周六清理了河岸边的垃圾。",
    "博物馆的新展览介绍了古代造纸技术的发展。",
    "学校将在寒假期间开设免费的编程兴趣课。",
    "港口的货运量在过去一个季度里稳步回升。",
    "一支业余合唱团在音乐节上获得了观众的热烈掌声。",
    "市政府计划在老城区增加更多自行车停车位。",
    "农民们说今年的秋收比去年来得更早一些。",
]
HEADINGS = ["背景", "各方反应", "下一步"]
AUTHORS = ["林晓", "陈安", "周明"]
TAGS = ["中国", "经济", "文化", "交通", "环境"]


@dataclass
class Page:
    status: int
    body: bytes
    content_type: str = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    fault: Fault | None = None  # misbehaviour before (or instead of) serving the page


class Fault(Protocol):
    """A route behaviour of the fault server (see ``fixture_site.faults``)."""

    def respond(self, handler: Any, page: Page) -> bool:
        """Answer the request itself and return True, or return False to serve ``page``."""


@dataclass
class SiteFacts:
    """What a full crawl of the site must produce."""

    exported_ids: set[str]
    rejected_urls: set[str]
    failed_urls: set[str]
    article_paths: list[str]

    @property
    def discovered(self) -> int:
        return len(self.exported_ids) + len(self.rejected_urls) + len(self.failed_urls)


def make_article(number: int, path_section: str, day: date, *, padding_bytes: int = 0, **overrides: object) -> Article:
    """A deterministic article: its text and metadata follow from ``number``."""
    slug = f"测试新闻{number:04d}"
    paragraphs = [SENTENCES[(number + offset) % len(SENTENCES)] for offset in range(4 + number % 3)]
    published = f"{day.isoformat()}T0{number % 10}:15:00+00:00"
    visible = f"{day:%d/%m/%Y} - {(number % 10) + 1:02d}:15"  # Paris is UTC+1 in winter
    values: dict[str, object] = {
        "path": f"/cn/{path_section}/{day:%Y%m%d}-{slug}",
        "code": f"T{number:03d}",
        "title": f"第{number}号测试新闻：{SENTENCES[number % len(SENTENCES)][:8]}",
        "lead": f"这是第{number}号测试新闻的导语。",
        "section": path_section,
        "kicker": "测试专题",
        "authors": [AUTHORS[number % len(AUTHORS)]],
        "tags": [TAGS[number % len(TAGS)], TAGS[(number + 1) % len(TAGS)]],
        "published": published,
        "published_visible": visible,
        "paragraphs": paragraphs,
        "headings": {2: HEADINGS[number % len(HEADINGS)]},
        "nested_spans": number % 4,
        "word_count": 100 + number,
        "image": f"https://s.rfi.fr/media/display/test/w:1024/p:16x9/{number:04d}.jpg",
        "caption": f"第{number}号图片说明。",
        "credit": "RFI - 测试",
        "padding_bytes": padding_bytes,
    }
    values.update(overrides)
    return Article(**values)  # type: ignore[arg-type]


ROBOTS_TXT = Page(200, "User-agent: *\nDisallow: /cn/直播\n".encode(), "text/plain")
CONTRACT_ARTICLE_PATH = "/cn/政治/20251130-台湾增加400亿美元国防开支-加速部署t-dome防空系统"
NAV_SECTIONS = ["中国", "政治", "国际", "经贸"]
# The newest listed article is T028 (2025-11-30T08:15Z); the growth adds T040-T042 that day.
GROWTH_NEW_IDS = ["T040", "T041", "T042"]
GROWTH_CHANGED_ID = "T028"


def _navigation() -> list[tuple[str, str]]:
    entries = [(site_path(f"/cn/{name}/"), name) for name in NAV_SECTIONS]
    # Not sections: live, replay, other editions, and an absolute link to the real site.
    entries += [("/cn/直播", "直播"), ("/cn/再次收听/", "再次收听"), ("/tw/", "繁體"), ("/fr/", "Français")]
    return entries


def build_site(grown: bool = False) -> tuple[dict[str, Page], SiteFacts]:
    """The end-to-end fixture site and what a crawl of it must yield (``grown``: after the growth)."""
    newest = date(2025, 11, 30)  # listings show the newest first
    articles: dict[int, Article] = {}

    def article(number: int, path_section: str, **overrides: object) -> str:
        if number not in articles:
            articles[number] = make_article(number, path_section, newest - timedelta(days=number % 28), **overrides)
        return articles[number].path

    routes: dict[str, Page] = {}
    missing = article(33, "国际")  # listed, but the server answers 404
    untitled = article(34, "国际", title=None)  # served without a title: a reject
    front_only = article(38, "国际报道")
    # The article that `scrapy check` names (a real URL), served with our own text.
    contract_article = make_article(39, "政治", date(2025, 11, 30))
    contract_article.path = CONTRACT_ARTICLE_PATH
    routes[CONTRACT_ARTICLE_PATH] = _html(article_html(contract_article))
    listings: dict[str, list[list[str]]] = {
        "中国": [[article(n, "中国") for n in range(1, 7)], [article(n, "中国") for n in range(7, 13)],
                 [article(n, "中国") for n in range(13, 17)]],
        "政治": [[article(n, "政治") for n in range(17, 23)] + [article(3, "中国")],
                 [article(n, "政治") for n in range(23, 27)] + [article(8, "中国")]],
        "国际": [[article(n, "国际") for n in range(27, 32)], [article(n, "国际") for n in range(32, 35)]],
        "经贸": [[article(35, "经贸"), article(36, "经贸"),
                  article(37, "专栏检索/今日经济", section="今日经济"), article(20, "政治")]],
    }  # fmt: skip

    if grown:
        new = [int(code[1:]) for code in GROWTH_NEW_IDS]
        articles.update((number, make_article(number, "中国", newest)) for number in new)
        listings["中国"][0][:0] = [articles[number].path for number in new]
        changed = articles[int(GROWTH_CHANGED_ID[1:])]
        changed.paragraphs = [*changed.paragraphs, "编辑部随后补充了一段新的说明。"]
    shapes = {"中国": "path", "政治": "query", "国际": "path", "经贸": "path"}
    for name, pages in listings.items():
        for index, paths in enumerate(pages):
            routes[_page_path(name, index, shapes[name])] = _html(
                listing_html(name, paths, _pagination(name, index, len(pages), shapes[name]), _navigation())
            )
    front_cards = [articles[n].path for n in (1, 17, 27)]
    offsite = ["https://www.rfi.fr/tw/%E4%B8%AD%E5%9B%BD/20251101-x", "https://www.example.com/cn/中国/20251101-y"]
    routes["/cn/"] = _html(listing_html(None, front_cards, None, _navigation(), [front_only], offsite))
    for item in articles.values():
        if item.path != missing:
            routes[item.path] = _html(article_html(item))
    routes["/robots.txt"] = ROBOTS_TXT

    rejected = {SITE + site_path(untitled)}
    failed = {SITE + site_path(missing)}
    exported = {item.code for item in articles.values() if item.url not in rejected | failed}
    facts = SiteFacts(
        exported_ids={code for code in exported if code},
        rejected_urls=rejected,
        failed_urls=failed,
        article_paths=[item.path for item in articles.values()],
    )
    return routes, facts


def with_related_cards(html: str, count: int) -> str:
    """``html`` with ``count`` related-article cards after its main content.

    A real page is not only inline CSS: ~800 elements of navigation and
    related articles are most of what a full parse of it costs.
    """
    if count <= 0:
        return html
    cards = "".join(_card(f"/cn/政治/20250101-相关新闻{number:04d}") for number in range(count))
    return html.replace("</main>", f'<aside class="o-aside-content">{cards}</aside></main>', 1)


def build_large_site(
    count: int,
    padding_bytes: int = 0,
    *,
    related: int = 0,
    per_page: int = 20,
    per_day: int = 100,
    first_day: date = date(2025, 1, 1),
) -> dict[str, Page]:
    """Routes of ``count`` articles of real size, for the benchmarks.

    Each article page carries ``padding_bytes`` of inline CSS and ``related``
    related-article cards (``with_related_cards``). Article ``n`` is published on day ``n // per_day`` after ``first_day`` in
    section ``n % 4``; each section lists its articles newest first,
    ``per_page`` to a page, with "next" links. Article ``n`` is the same page in
    every site built, so a larger site is a later state of a smaller one.
    """
    articles = [
        make_article(
            number,
            NAV_SECTIONS[number % len(NAV_SECTIONS)],
            first_day + timedelta(days=number // per_day),
            padding_bytes=padding_bytes,
        )
        for number in range(1, count + 1)
    ]
    routes = {"/robots.txt": ROBOTS_TXT}
    for name in NAV_SECTIONS:
        paths = [item.path for item in reversed(articles) if item.section == name]
        pages = [paths[start : start + per_page] for start in range(0, len(paths), per_page)] or [[]]
        for index, chunk in enumerate(pages):
            pagination = _pagination(name, index, len(pages), "path")
            routes[_page_path(name, index, "path")] = _html(listing_html(name, chunk, pagination, _navigation()))
    front = [item.path for item in reversed(articles[-10:])]
    routes["/cn/"] = _html(listing_html(None, front, None, _navigation()))
    for item in articles:
        routes[item.path] = _html(with_related_cards(article_html(item), related))
    return routes


def _page_path(section: str, index: int, shape: str) -> str:
    if index == 0:
        return f"/cn/{section}/"
    return f"/cn/{section}/{index + 1}/" if shape == "path" else f"/cn/{section}/?page={index + 1}"


def _pagination(section: str, index: int, count: int, shape: str) -> list[tuple[str, str]]:
    if count == 1:
        return []
    links = [(site_path(_page_path(section, page, shape)), str(page + 1)) for page in range(count)]
    if index + 1 < count and shape == "path":  # the query-shape section has no "next" link
        links.append((site_path(_page_path(section, index + 1, shape)), "下一页"))
    return links


def _html(text: str) -> Page:
    return Page(200, text.encode("utf-8"))
