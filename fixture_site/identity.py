"""A small site of articles that lie about who they are (issue 13, items 5 and 6).

Each article page claims something about its identity through its canonical
link or its body; ``IdentityFacts`` says what the crawl must record instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from fixture_site.pages import SITE, Article, article_html, listing_html, site_path
from fixture_site.site import ROBOTS_TXT, Page, make_article

DAY = date(2025, 12, 1)
# number -> the canonical href the page claims (None: its own URL, as the templates write it)
LYING_CANONICALS = {
    101: "https://mirror.example.net/cn/政治/20251201-测试新闻0101",  # another host
    102: "https://www.rfi.fr/tw/政治/20251201-测试新闻0102",  # another edition
    103: "/cn/政治/",  # a section page, not an article
}
BODY_LINKS_CODE_OF = (104, 105)  # article 104's body links article 105 through its share code, before its share bar


@dataclass
class IdentityFacts:
    ids_by_url: dict[str, str]  # every exported record: url -> id
    canonical_ignored: int
    article_paths: list[str]


def build_identity_site() -> tuple[dict[str, Page], IdentityFacts]:
    articles = {number: make_article(number, "政治", DAY) for number in range(101, 106)}
    routes: dict[str, Page] = {"/robots.txt": ROBOTS_TXT}
    for number, article in articles.items():
        routes[article.path] = _html(_page(number, article, articles))
    routes["/cn/"] = _html(listing_html(None, [article.path for article in articles.values()]))
    facts = IdentityFacts(
        ids_by_url={article.url: article.code or "" for article in articles.values()},
        canonical_ignored=len(LYING_CANONICALS),
        article_paths=[article.path for article in articles.values()],
    )
    return routes, facts


def _page(number: int, article: Article, articles: dict[int, Article]) -> str:
    html = article_html(article)
    if number in LYING_CANONICALS:
        claimed = LYING_CANONICALS[number]
        html = html.replace(
            f'<link rel="canonical" href="{article.url}">', f'<link rel="canonical" href="{_spelled(claimed)}">'
        )
    if number == BODY_LINKS_CODE_OF[0]:
        other = articles[BODY_LINKS_CODE_OF[1]]
        link = f'<p>延伸阅读：<a href="https://rfi.my/{other.code}.F">另一篇报道</a></p>'
        html = html.replace(
            '<div class="t-content__body u-clearfix">', '<div class="t-content__body u-clearfix">' + link, 1
        )
    return html


def _spelled(href: str) -> str:
    if href.startswith("/"):
        return site_path(href)
    scheme, rest = href.split("://", 1)
    host, _, path = rest.partition("/")
    return f"{scheme}://{host}{site_path('/' + path)}"


def _html(text: str) -> Page:
    return Page(200, text.encode("utf-8"))


__all__ = ["SITE", "IdentityFacts", "build_identity_site"]
