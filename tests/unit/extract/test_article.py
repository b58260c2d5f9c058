"""Field-by-field extraction on fixture pages and on the real saved article."""

from __future__ import annotations

from datetime import date
from html import escape
from typing import Any

import lxml.html
import pytest
from parsel import Selector

from fixture_site.pages import Article, article_html
from fixture_site.site import make_article
from rfi_cn.extract import extract_article
from rfi_cn.extract.article import extract_body
from rfi_cn.extract.document import PageTooDeepError
from rfi_cn.items import ArticleItem, RejectItem
from rfi_cn.pipelines import CleanBodyPipeline, DeduplicatePipeline, NormaliseDatesPipeline, ValidatePipeline
from tests.conftest import fixture_selector, shared_file, shared_selector

CRAWLED = "2026-01-02T03:04:05Z"
MIRROR_PAGE = "https://www.rfi.fr/cn/x"


def run_pipelines(item: Any) -> Any:
    """The item pipelines in their configured order, fresh for each item."""
    for pipeline in (CleanBodyPipeline(), NormaliseDatesPipeline(), ValidatePipeline(), DeduplicatePipeline()):
        item = pipeline.process_item(item)
    return item


def test_programme_page_with_update_and_hostile_body() -> None:
    item = run_pipelines(extract_article(fixture_selector("programme_updated.html"), MIRROR_PAGE, CRAWLED))
    assert isinstance(item, ArticleItem)
    assert dict(item) == {
        "id": "9xYz",
        "url": "https://www.rfi.fr/cn/%E4%B8%93%E6%A0%8F%E6%A3%80%E7%B4%A2/%E4%BB%8A%E6%97%A5%E7%BB%8F%E6%B5%8E/20230803-%E5%A4%9C%E7%8F%AD%E5%85%AC%E4%BA%A4",
        "url_zh_hant": "https://www.rfi.fr/tw/%E5%B0%88%E6%AC%84%E6%AA%A2%E7%B4%A2/%E4%BB%8A%E6%97%A5%E7%B6%93%E6%BF%9F/20230803-%E5%A4%9C%E7%8F%AD%E5%85%AC%E4%BA%A4",
        "language": "zh-Hans",
        "title": "夜班公交线路调整",
        "lead": "市交通局宣布，从下月起夜班公交将增加三条线路，并延长末班车时间。",
        "kicker": "城市交通",
        "section": "今日经济",
        "authors": ["李华", "王芳"],
        "tags": ["交通", "城市"],
        "published_at": "2023-08-03T19:11:00Z",
        "modified_at": "2023-08-04T06:30:00Z",
        "image_url": None,
        "image_caption": None,
        "image_credit": None,
        "body_html": (
            "<p>夜班公交的新线路将连接火车站和大学城。</p><h3>乘客 怎么说</h3>"
            '<p>一位乘客说：“<a href="https://www.rfi.fr/cn/%E5%85%B3%E9%94%AE%E8%AF%8D/%E4%BA%A4%E9%80%9A/">交通</a>'
            "改善了，<em>晚上</em>回家方便多了。”</p><p>点这里查看时刻表。</p>"
            "<blockquote><p>我们会继续听取市民的意见。</p></blockquote><ul><li>新增三条线路</li><li>末班车延长一小时</li></ul>"
        ),
        "body_text": (
            "夜班公交的新线路将连接火车站和大学城。\n\n乘客 怎么说\n\n一位乘客说：“交通改善了，晚上回家方便多了。”\n\n"
            "点这里查看时刻表。\n\n我们会继续听取市民的意见。\n\n新增三条线路\n\n末班车延长一小时"
        ),
        "word_count": 640,
        "crawled_at": CRAWLED,
        "content_hash": "99525413f7e57ca4a9771a41af7897017332e29dd48e477d9c62218fc9835a65",
        "schema_version": 1,
        "media": [],
    }


def test_visible_paris_dates_are_used_when_nothing_else_is_there() -> None:
    html = (
        '<html><body><div class="t-content__dates"><span class="m-pub-dates__date">发表时间： <time>03/08/2023 - 21:11</time></span>'
        '<span class="m-pub-dates__date">更新时间： <time>30/11/2025 - 10:13</time></span></div></body></html>'
    )
    item = NormaliseDatesPipeline().process_item(extract_article(Selector(text=html), MIRROR_PAGE, CRAWLED))
    assert (item["published_at"], item["modified_at"]) == ("2023-08-03T19:11:00Z", "2025-11-30T09:13:00Z")


def test_a_page_without_title_or_date_is_rejected_with_the_reason() -> None:
    page = "https://www.rfi.fr/cn/%E4%B8%AD%E5%9B%BD/20250101-a"
    item = run_pipelines(extract_article(fixture_selector("minimal.html"), page, CRAWLED))
    assert isinstance(item, RejectItem)
    assert item["url"] == "https://www.rfi.fr/cn/%E4%B8%AD%E5%9B%BD/20250101-a"
    assert item["id"] == "bf0b85190690b4ff"  # sha256(url)[:16]: the page has no share link
    assert (item["reason"], item["detail"]) == ("missing_fields", "title, published_at")


def test_every_field_is_present_even_on_an_empty_page() -> None:
    item = extract_article(Selector(text="<html></html>"), MIRROR_PAGE, CRAWLED)
    assert set(item) == set(ArticleItem.fields)
    assert item["authors"] == [] and item["tags"] == [] and item["title"] is None


def test_generated_fixture_article_round_trips() -> None:
    article = make_article(5, "中国", date(2025, 11, 6))
    item = run_pipelines(extract_article(Selector(text=article_html(article)), MIRROR_PAGE, CRAWLED))
    assert item["id"] == "T005"
    assert item["url"] == article.url
    assert item["title"] == article.title
    assert item["authors"] == article.authors and item["tags"] == article.tags
    assert item["published_at"] == "2025-11-06T05:15:00Z"
    assert item["body_text"] == "\n\n".join([*article.paragraphs[:2], article.headings[2], *article.paragraphs[2:]])
    assert item["word_count"] == 105 and item["image_credit"] == "RFI - 测试"


@pytest.mark.parametrize(("opening", "closing", "times"), [("<span>", "</span>", 260), ("<strong>", "</strong>", 1000)])
def test_a_deeply_nested_paragraph_keeps_the_whole_body(opening: str, closing: str, times: int) -> None:
    article = make_article(5, "中国", date(2025, 11, 6), nested_spans=0)
    page = _page_with_deep_first_paragraph(article, opening * times, closing * times)
    item = run_pipelines(extract_body(page, "utf-8", MIRROR_PAGE, CRAWLED).item)
    assert isinstance(item, ArticleItem)
    assert item["body_text"] == "\n\n".join([*article.paragraphs[:2], article.headings[2], *article.paragraphs[2:]])
    assert item["tags"] == article.tags  # the page after the body is there too


@pytest.mark.parametrize(("tag", "times"), [("span", 1500), ("strong", 5000)])
def test_a_body_deeper_than_the_cleaner_reads_is_a_too_deep_reject(tag: str, times: int) -> None:
    article = make_article(5, "中国", date(2025, 11, 6), nested_spans=0)
    page = _page_with_deep_first_paragraph(article, f"<{tag}>" * times, f"</{tag}>" * times)
    item = run_pipelines(extract_body(page, "utf-8", MIRROR_PAGE, CRAWLED).item)
    assert isinstance(item, RejectItem)
    assert (item["url"], item["id"], item["reason"], item["detail"]) == (
        article.url,
        "T005",  # the page was read whole: its own share code
        "too_deep",
        "body nested deeper than 1024 elements",
    )


def test_a_page_too_deep_to_parse_cheaply_is_refused_before_parsing() -> None:
    article = make_article(5, "中国", date(2025, 11, 6), nested_spans=0)
    page = _page_with_deep_first_paragraph(article, "<span>" * 8000, "</span>" * 8000)
    with pytest.raises(PageTooDeepError, match="nesting work"):  # the spider makes it a too_deep reject
        extract_body(page, "utf-8", MIRROR_PAGE, CRAWLED)


def _page_with_deep_first_paragraph(article: Article, opening: str, closing: str) -> bytes:
    """The article's page, its first paragraph nested in ``opening`` … ``closing``."""
    first = escape(article.paragraphs[0])
    html = article_html(article)
    assert html.count(f"<p>{first}</p>") == 1
    return html.replace(f"<p>{first}</p>", f"<p>{opening}{first}{closing}</p>").encode()


# --- the real article saved from the live site -----------------------------------------

REAL_ARTICLE = "rfi-pages/cn-article-20251130-taiwan-t-dome.html"


def test_real_article_fields() -> None:
    selector = shared_selector(REAL_ARTICLE)
    item = run_pipelines(extract_article(selector, "https://www.rfi.fr/cn/x", CRAWLED))
    meta = {
        name: selector.xpath(f'//meta[@property="{name}"]/@content').get()
        for name in ("og:title", "og:description", "og:url")
    }
    assert item["id"] == "CEAH"
    assert item["url"] == meta["og:url"]
    assert item["url"].startswith("https://www.rfi.fr/cn/%E6%94%BF%E6%B2%BB/20251130-")
    assert item["url_zh_hant"] == (
        "https://www.rfi.fr/tw/%E6%94%BF%E6%B2%BB/20251130-%E5%8F%B0%E7%81%A3%E5%A2%9E%E5%8A%A0400%E5%84%84"
        "%E7%BE%8E%E5%85%83%E5%9C%8B%E9%98%B2%E9%96%8B%E6%94%AF-%E5%8A%A0%E9%80%9F%E9%83%A8%E7%BD%B2t-dome"
        "%E9%98%B2%E7%A9%BA%E7%B3%BB%E7%B5%B1"
    )
    assert item["language"] == "zh-Hans"
    assert item["title"] == meta["og:title"]
    assert item["lead"] == meta["og:description"]
    assert item["kicker"] == "台海局势"
    assert item["section"] == "政治"
    assert item["authors"] == ["左依"]
    assert item["tags"] == ["中国", "台海"]
    assert item["published_at"] == "2025-11-30T09:13:47Z"
    assert item["modified_at"] == "2025-11-30T09:14:02Z"
    assert (
        item["image_url"]
        == "https://s.rfi.fr/media/display/064ecb9c-caf9-11f0-9b38-005056bfb2b6/w:1024/p:16x9/000-867R2EZ.jpg"
    )
    assert item["image_caption"] == selector.xpath("//figure//img/@alt").get()
    assert item["image_credit"] == "AFP - I-HWA CHENG"
    assert item["word_count"] == 1193
    assert item["schema_version"] == 1 and item["crawled_at"] == CRAWLED
    assert item["media"] == []  # the live-radio player in the page's navigation is the station, not the article


def test_real_article_body_is_its_headings_and_paragraphs_only() -> None:
    page = lxml.html.parse(str(shared_file(REAL_ARTICLE))).getroot()
    body = page.xpath('//div[contains(@class, "t-content__body")]')[0]
    blocks = [child.text_content().strip() for child in body if child.tag in ("p", "h2")]
    furniture = [
        text.strip()
        for block in body.xpath('.//*[contains(@class, "m-interstitial") or contains(@class, "o-self-promo")]')
        for text in block.itertext()
        if text.strip()
    ]
    item = run_pipelines(extract_article(shared_selector(REAL_ARTICLE), "https://www.rfi.fr/cn/x", CRAWLED))
    assert sum(1 for child in body if child.tag == "h2") == 3
    assert item["body_text"] == "\n\n".join(blocks)
    assert furniture and not any(text in item["body_text"] for text in furniture)
    assert item["body_html"].count("<h2>") == 3 and "class=" not in item["body_html"]
