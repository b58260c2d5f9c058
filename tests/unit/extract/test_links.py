from urllib.parse import unquote

from parsel import Selector

from fixture_site.pages import listing_html
from rfi_cn.extract import article_links, pagination_links, section_links
from tests.conftest import shared_selector

SITE = "https://www.rfi.fr"


def test_real_front_page_yields_its_48_distinct_article_links() -> None:
    links = article_links(shared_selector("rfi-pages/cn-home-20251130.html"), "https://www.rfi.fr/cn/")
    assert len(links) == 48 == len(set(links))
    assert all(link.startswith("https://www.rfi.fr/cn/") for link in links)


def test_real_front_page_navigation_sections() -> None:
    links = section_links(shared_selector("rfi-pages/cn-home-20251130.html"), f"{SITE}/cn/")
    names = [unquote(link.removeprefix(f"{SITE}/cn/").rstrip("/")) for link in links]
    assert names == [
        "中国", "港澳台", "法国", "亚洲", "非洲", "美洲", "欧洲", "中东", "人权", "政治", "经贸", "社会",
        "生态", "科技与文化", "最新消息", "国际", "体育", "法新社经济", "健康", "名流", "特别专题", "专栏检索",
    ]  # fmt: skip


def test_pagination_in_path_shape() -> None:
    page = listing_html(
        "中国", [], [("/cn/中国/", "1"), ("/cn/中国/2/", "2"), ("/cn/中国/3/", "3"), ("/cn/中国/2/", "下一页")]
    )
    links = pagination_links(Selector(text=page), f"{SITE}/cn/%E4%B8%AD%E5%9B%BD/")
    assert links == [f"{SITE}/cn/%E4%B8%AD%E5%9B%BD/2/", f"{SITE}/cn/%E4%B8%AD%E5%9B%BD/3/"]


def test_pagination_in_query_shape_and_rel_next() -> None:
    page = listing_html("政治", [], [("?page=1", "1"), ("?page=2", "2")]).replace(
        "</head>", '<link rel="next" href="https://www.rfi.fr/cn/政治/?page=3"></head>'
    )
    links = pagination_links(Selector(text=page), f"{SITE}/cn/%E6%94%BF%E6%B2%BB/?page=1")
    assert links == [
        f"{SITE}/cn/%E6%94%BF%E6%B2%BB/?page=3",
        f"{SITE}/cn/%E6%94%BF%E6%B2%BB/?page=2",
    ]  # document order


def test_article_links_keep_only_cn_articles_on_the_origin() -> None:
    page = listing_html(
        "中国",
        ["/cn/中国/20251101-a", "/cn/专栏检索/今日经济/20251102-b", "/cn/中国/20251101-a"],
        extra_links=[
            "https://www.rfi.fr/tw/中国/20251101-c",
            "https://other.example/cn/中国/20251101-d",
            "/cn/关键词/中国/",
        ],
    )
    links = article_links(Selector(text=page), f"{SITE}/cn/")
    assert links == [
        f"{SITE}/cn/%E4%B8%AD%E5%9B%BD/20251101-a",
        f"{SITE}/cn/%E4%B8%93%E6%A0%8F%E6%A3%80%E7%B4%A2/%E4%BB%8A%E6%97%A5%E7%BB%8F%E6%B5%8E/20251102-b",
    ]
