"""A site whose navigation is hostile or sloppy, and what a crawl of it must make of it.

``build_navigation_site`` returns the routes (served by ``fixture_site.server``)
and ``NavigationFacts``. Its front page links these sections:

- 坏链: 20 articles and three hrefs no browser can resolve.
- 变体: one article linked under every variant spelling of its URL (escape case,
  ``%61``, tracking queries, fragment, host and scheme, dot segments), served
  without share code and without canonical; one linked with its query reordered.
- 逃逸: links, pagination and no article that leave /cn/ through ``..`` (literal or
  percent-encoded). The server answers the dotted paths as a normalising server
  would, and serves ``/private/`` (disallowed by robots.txt) too.
- 重定向: redirects to another port, to plain http, to another https port, to
  ``javascript:``, out of /cn/ through ``%2e%2e``, and one on-site through ``%2e%2e``.
- 格式: a PDF and a PNG served as ``text/html``, a gzip body that is no gzip.
- 无尽: ``?page=N`` pages without end, each listing one new article.
- 重复: ``?page=N`` pages without end, each listing the same two articles.
- 爆炸: four articles; ``ExplodingCallbacks`` (a spider middleware the test adds)
  makes the callbacks raise on this listing and on two of its articles.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import unquote

from scrapy.http import Response

from fixture_site.faults import Counted
from fixture_site.pages import SITE, article_html, listing_html, site_path
from fixture_site.site import Page, make_article

DAY = date(2025, 12, 1)
ROBOTS = "User-agent: *\nDisallow: /private/\n"
SECTIONS = ["坏链", "变体", "逃逸", "重定向", "格式", "无尽", "重复", "爆炸"]
BAD_HREFS = ["http://[oops/", "https://www.rfi.fr]/cn/", "https://www.rfi.fr:99999/cn/坏链/20251201-x"]
VARIANT_PATH = "/cn/变体/20251201-abc"
QUERY_PATH = "/cn/变体/20251201-def"
ENDLESS_LIMIT = 50  # RFI_MAX_LISTING_PAGES's default


def _path(number: int, section: str) -> str:
    return f"/cn/{section}/{DAY:%Y%m%d}-测试新闻{number:04d}"


def _html(text: str) -> Page:
    return Page(200, text.encode("utf-8"))


class Locate(Counted):
    """Answer 302 with this ``Location``, ``{port}`` replaced by the server's port."""

    def __init__(self, location: str) -> None:
        super().__init__(None)
        self.location = location

    def respond(self, handler: Any, page: Page) -> bool:
        self.misbehaves()
        location = self.location.replace("{port}", str(handler.server.server_address[1]))
        handler.send_page(Page(302, b"", headers={"Location": location}))
        return True


class EndlessRoutes(dict[str, Page]):
    """Routes plus ``?page=N`` listings without end, made on demand."""

    def __init__(self, routes: dict[str, Page]) -> None:
        super().__init__(routes)

    def get(self, key: str, default: Any = None) -> Any:  # type: ignore[override]
        page = super().get(key)
        if page is not None:
            return page
        match = re.fullmatch(r"/cn/(无尽|重复)/\?page=(\d+)", key)
        if match is None:
            return default
        return _endless_page(match.group(1), int(match.group(2)))


def _endless_page(section: str, number: int) -> Page:
    endless = section == "无尽"
    articles = [_path(1000 + number, "无尽")] if endless else [_path(901, "重复"), _path(902, "重复")]
    nxt = site_path(f"/cn/{section}/?page={number + 1}")
    return _html(listing_html(section, articles, [(nxt, "下一页")]))


def endless_article(number: int) -> Page:
    return _html(article_html(make_article(number, "无尽", DAY)))


@dataclass
class NavigationFacts:
    """What a crawl of the navigation site (no extra settings) must write."""

    exported_ids: set[str]
    rejects: list[tuple[str, str]]  # url, reason
    failures: list[tuple[str, str, str, int]]  # url, kind, reason, retries
    never_requested: list[str]  # request-log keys the crawl must not ask for
    locations: dict[str, Counted] = field(default_factory=dict)


def build_navigation_site() -> tuple[dict[str, Page], NavigationFacts]:
    routes: dict[str, Page] = {"/robots.txt": Page(200, ROBOTS.encode(), "text/plain")}
    exported: set[str] = set()
    rejects: list[tuple[str, str]] = []
    failures: list[tuple[str, str, str, int]] = []
    locations: dict[str, Counted] = {}
    navigation = [(site_path(f"/cn/{name}/"), name) for name in SECTIONS]

    def serve(number: int, section: str, page: Page | None = None, **overrides: Any) -> str:
        article = make_article(number, section, DAY, **overrides)
        routes[article.path] = page or _html(article_html(article))
        return article.path

    def listing(section: str, paths: list[str], extra: list[str] | None = None, pages: Any = None) -> None:
        routes[f"/cn/{section}/"] = _html(listing_html(section, paths, pages, navigation, None, extra))

    # 坏链: the bad hrefs are skipped and counted, the 20 articles kept.
    bad = [serve(number, "坏链") for number in range(201, 221)]
    listing("坏链", bad, BAD_HREFS)
    exported |= {f"T{number}" for number in range(201, 221)}

    # 变体: one article, many spellings; no share code, no canonical: its id comes from its URL.
    plain = make_article(301, "变体", DAY, path=VARIANT_PATH, code=None)
    routes[VARIANT_PATH] = _html(re.sub(r'<link rel="canonical"[^>]*>', "", article_html(plain)))
    encoded = site_path(VARIANT_PATH)
    variants = [
        encoded,
        encoded.lower(),  # lower-case escapes
        encoded.replace("-abc", "-%61bc"),  # an unreserved letter escaped
        encoded + "?xtor=RSS-7",
        encoded + "?utm_source=x&xtor=y",
        encoded + "#comments",
        SITE + encoded,
        "http://rfi.fr" + encoded,
        "https://WWW.RFI.FR:443" + encoded,
        encoded.replace("/20251201", "/./20251201"),
        "/cn/坏链/../变体/20251201-abc",
        "/cn/%E5%9D%8F%E9%93%BE/%2e%2e/%E5%8F%98%E4%BD%93/20251201-abc",
    ]
    query = make_article(302, "变体", DAY, path=QUERY_PATH)
    routes[QUERY_PATH + "?a=1&b=2"] = _html(article_html(query))
    variants += [site_path(QUERY_PATH) + "?b=2&a=1", site_path(QUERY_PATH) + "?a=1&b=2&xtor=RSS"]
    listing("变体", [], variants)
    exported.add("T302")

    # 逃逸: every way out of /cn/ through dot segments; one article that stays.
    escape_paths = {
        "/cn/%2e%2e/20251201-测试新闻0401": "/20251201-测试新闻0401",
        "/cn/%2E./private/20251201-测试新闻0402": "/private/20251201-测试新闻0402",
        "/cn/逃逸/../../private/20251201-测试新闻0403": "/private/20251201-测试新闻0403",
        "/cn/.%2e/private/20251201-测试新闻0404": "/private/20251201-测试新闻0404",
    }
    never = []
    for href, target in escape_paths.items():
        page = _html(article_html(make_article(int(target[-4:]), "逃逸", DAY, path=target)))
        dotted = unquote(re.sub("%2e", ".", href, flags=re.IGNORECASE))
        routes[target] = routes[dotted] = page  # a normalising server serves both
        never += [target, dotted]
    stays = serve(405, "逃逸")
    pages = [(site_path("/cn/逃逸/"), "1"), ("/cn/%2e%2e/private/2/", "下一页")]
    routes["/private/2/"] = _html(listing_html("逃逸", [_path(406, "逃逸")], None, navigation))
    serve(406, "逃逸")
    never += ["/private/2/", "/cn/../private/2/", _path(406, "逃逸")]
    listing("逃逸", [stays], list(escape_paths), pages)
    exported.add("T405")

    # 重定向: only same-origin redirects that stay in /cn/ are followed.
    target = serve(509, "重定向")
    redirects = {
        501: ("http://127.0.0.1:1" + site_path(target), "offsite_redirect"),  # another port
        502: ("http://www.rfi.fr" + site_path(target), "offsite_redirect"),  # https → http
        503: ("https://www.rfi.fr:8443" + site_path(target), "offsite_redirect"),  # another https port
        504: ("javascript:alert(1)", "bad_redirect"),
        505: ("/cn/%2e%2e/private/" + site_path("20251201-测试新闻0402"), "offsite_redirect"),  # out of /cn/
        506: ("/cn/%E9%87%8D%E5%AE%9A%E5%90%91/%2e%2e/%E9%87%8D%E5%AE%9A%E5%90%91/20251201-%E6%B5%8B%E8%AF%95%E6%96%B0%E9%97%BB0509", None),
    }  # fmt: skip
    redirected = []
    for number, (location, reason) in redirects.items():
        path = serve(number, "重定向")
        routes[path].fault = locations[path] = Locate(location)
        redirected.append(path)
        if reason:
            failures.append((SITE + site_path(path), "article", reason, 0))
    never += ["/cn/重定向/../重定向/20251201-测试新闻0509"]
    listing("重定向", redirected)
    exported.add("T509")

    # 格式: bodies that are not what their headers say.
    pdf = Page(200, b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n", "text/html; charset=utf-8")
    png = Page(200, b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01", "text/html")
    not_gzip = Page(200, b"this is not gzip at all", "text/html; charset=utf-8", headers={"Content-Encoding": "gzip"})
    formats = [serve(601, "格式", pdf), serve(602, "格式", png), serve(603, "格式", not_gzip)]
    rejects += [(SITE + site_path(formats[0]), "not_html"), (SITE + site_path(formats[1]), "not_html")]
    failures.append((SITE + site_path(formats[2]), "article", "undecodable", 0))
    listing("格式", formats)

    # 无尽 and 重复: pagination without end.
    routes["/cn/无尽/"] = _endless_page("无尽", 1)
    routes["/cn/重复/"] = _endless_page("重复", 1)
    for number in range(1001, 1001 + ENDLESS_LIMIT + 5):
        serve(number, "无尽")
    exported |= {f"T{number}" for number in range(1001, 1001 + ENDLESS_LIMIT)}
    serve(901, "重复")
    serve(902, "重复")
    exported |= {"T901", "T902"}
    never += [f"/cn/无尽/?page={ENDLESS_LIMIT + 1}", "/cn/重复/?page=3"]

    # 爆炸: the listing's callback raises after two of its links; article 701's after its item,
    # article 702's before it.
    bomb = [serve(number, "爆炸") for number in range(701, 705)]
    listing("爆炸", bomb)
    exported |= {"T701"}
    failures += [
        (SITE + site_path("/cn/爆炸/"), "listing", "parse_error", 0),
        (SITE + site_path(bomb[1]), "article", "parse_error", 0),
    ]
    never += bomb[2:]

    front = _html(listing_html(None, [], None, navigation, None, [encoded + "?xtor=RSS"]))
    routes["/cn/"] = front
    facts = NavigationFacts(
        exported_ids=exported,
        rejects=sorted(rejects),
        failures=sorted(failures),
        never_requested=never,
        locations=locations,
    )
    return EndlessRoutes(routes), facts


BOMB_LISTING = SITE + site_path("/cn/爆炸/")
BOMB_AFTER_ITEM = SITE + site_path(_path(701, "爆炸"))
BOMB_BEFORE_ITEM = SITE + site_path(_path(702, "爆炸"))


class ExplodingCallbacks:
    """Spider middleware (tests only) next to the spider: makes the callback's output
    raise on the 爆炸 pages, as a bug in a callback would. Add it at 990."""

    async def process_spider_output(self, response: Response, result: AsyncIterator[Any]) -> AsyncIterator[Any]:
        count = 0
        async for entry in result:
            if response.url == BOMB_BEFORE_ITEM or (response.url == BOMB_LISTING and count == 2):
                raise RuntimeError(f"boom on {response.url}")
            count += 1
            yield entry
        if response.url == BOMB_AFTER_ITEM:
            raise RuntimeError(f"boom after the item of {response.url}")


def news_sitemap(urls: list[str]) -> Page:
    """A news sitemap (urlset) listing ``urls``."""
    entries = "".join(f"<url><loc>{url}</loc></url>" for url in urls)
    body = f'<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</urlset>'
    return Page(200, body.encode("utf-8"), "application/xml")
