"""The listing walk remembers which articles a section listed in a fixed size per article."""

from __future__ import annotations

import sys

from scrapy import Request
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from fixture_site.pages import SITE, listing_html, site_path
from rfi_cn.spiders.rfi_cn import RfiCnSpider

SECTION = "中国"
SLUG = "台湾增加四百亿美元国防开支" * 6  # 78 characters: a 760-byte percent-encoded link


def listing(page: int, first: int, count: int) -> HtmlResponse:
    """Page ``page`` of the section: ``count`` articles with long slugs, and a link to the next page."""
    paths = [f"/cn/{SECTION}/20251130-{SLUG}{number}" for number in range(first, first + count)]
    html = listing_html(SECTION, paths, pagination=[(f"/cn/{SECTION}/?page={page + 1}", "下一页")])
    url = SITE + site_path(f"/cn/{SECTION}/" + (f"?page={page}" if page > 1 else ""))
    return HtmlResponse(url, body=html.encode(), encoding="utf-8", request=Request(url))


def remembered_bytes(spider: RfiCnSpider) -> int:
    """What the walk's memory of listed articles holds: its sets and what they hold."""
    return sum(sys.getsizeof(seen) + sum(map(sys.getsizeof, seen)) for seen in spider.section_articles.values())


def test_the_walk_keeps_a_digest_per_listed_article_not_its_url() -> None:
    spider = RfiCnSpider.from_crawler(get_crawler(RfiCnSpider, {"RFI_MAX_LISTING_PAGES": 100}))
    outputs = []
    for page in range(1, 11):  # 10 pages of 30 articles
        output = list(spider.parse_listing(listing(page, page * 1000, 30), SECTION))
        outputs.append(sum(1 for request in output if "?page=" not in request.url))
    assert outputs == [30] * 10
    # 300 URLs of 760 bytes would be 230 KB; a 20-byte digest is a 53-byte object, and the
    # set's table 16 bytes a slot (1,024 slots for 300): 32 KB
    assert remembered_bytes(spider) < 300 * 120


def test_a_page_that_lists_nothing_new_still_ends_the_walk() -> None:
    spider = RfiCnSpider.from_crawler(get_crawler(RfiCnSpider, {"RFI_MAX_LISTING_PAGES": 100}))
    first = list(spider.parse_listing(listing(1, 0, 5), SECTION))
    again = list(spider.parse_listing(listing(2, 0, 5), SECTION))  # page 2 lists page 1's articles
    assert [request.url.split("?")[-1] for request in first if "?page=" in request.url] == ["page=2"]
    assert [request for request in again if "?page=" in request.url] == []
    assert spider.crawler.stats.get_value("rfi_cn/listings/stopped_no_new") == 1
