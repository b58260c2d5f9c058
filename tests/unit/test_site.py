from datetime import date

import pytest

from rfi_cn.site import article_date, from_mirror, is_article_url, is_site_origin, link_url, section_name, to_mirror

MIRROR = "http://127.0.0.1:8000"


@pytest.mark.parametrize(
    ("href", "expected"),
    [
        ("/cn/%E4%B8%AD%E5%9B%BD/", "https://www.rfi.fr/cn/%E4%B8%AD%E5%9B%BD/"),
        ("https://www.rfi.fr/cn/中国/2/", "https://www.rfi.fr/cn/%E4%B8%AD%E5%9B%BD/2/"),
        ("http://rfi.fr/cn/中国/", "https://www.rfi.fr/cn/%E4%B8%AD%E5%9B%BD/"),
        ("?page=2", "https://www.rfi.fr/cn/%E6%94%BF%E6%B2%BB/?page=2"),
        ("http://127.0.0.1:8000/cn/%E4%B8%AD%E5%9B%BD/", None),
        ("https://www.rfi.fr/tw/中国/", None),
        ("/fr/", None),
        ("https://www.example.com/cn/中国/", None),
        ("javascript:void(0)", None),
        ("mailto:x@example.com", None),
    ],
)
def test_link_url_gives_real_site_urls_and_refuses_the_rest(href: str, expected: str | None) -> None:
    assert link_url(href, "https://www.rfi.fr/cn/%E6%94%BF%E6%B2%BB/") == expected


def test_the_mirror_mapping_goes_both_ways_and_leaves_other_origins_alone() -> None:
    site = "https://www.rfi.fr/cn/%E4%B8%AD%E5%9B%BD/?page=2"
    assert to_mirror(site, MIRROR) == "http://127.0.0.1:8000/cn/%E4%B8%AD%E5%9B%BD/?page=2"
    assert from_mirror(to_mirror(site, MIRROR), MIRROR) == site
    assert to_mirror("https://example.com/cn/", MIRROR) == "https://example.com/cn/"
    assert from_mirror("http://127.0.0.1:9000/cn/", MIRROR) == "http://127.0.0.1:9000/cn/"  # another port


def test_the_site_origin_is_scheme_host_and_port() -> None:
    assert is_site_origin("https://www.rfi.fr/cn/")
    assert is_site_origin("https://rfi.fr:443/cn/")
    assert not is_site_origin("http://www.rfi.fr/cn/")
    assert not is_site_origin("https://www.rfi.fr:8443/cn/")
    assert not is_site_origin("https://www.example.com/cn/")


@pytest.mark.parametrize(
    ("url", "day"),
    [
        ("https://www.rfi.fr/cn/%E6%94%BF%E6%B2%BB/20251130-abc", date(2025, 11, 30)),
        ("https://www.rfi.fr/cn/专栏检索/今日经济/20251128-xyz", date(2025, 11, 28)),
        ("https://www.rfi.fr/cn/政治/20251399-bad-date", None),
        ("https://www.rfi.fr/cn/政治/", None),
        ("https://www.rfi.fr/cn/专栏检索/今日经济/", None),
        ("https://www.rfi.fr/cn/关键词/中国/", None),
    ],
)
def test_article_date_reads_the_url(url: str, day: date | None) -> None:
    assert article_date(url) == day


def test_is_article_url() -> None:
    assert is_article_url("https://www.rfi.fr/cn/政治/20251130-abc")
    assert not is_article_url("https://www.rfi.fr/cn/政治/2/")
    assert not is_article_url("https://www.rfi.fr/cn/a/b/c/20251130-abc")


def test_section_name() -> None:
    assert section_name("https://www.rfi.fr/cn/%E6%94%BF%E6%B2%BB/") == "政治"
    assert section_name("https://www.rfi.fr/cn/政治/2/") is None
    assert section_name("https://www.rfi.fr/cn/直播") is None
