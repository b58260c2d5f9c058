import gzip
import zlib
from datetime import date
from urllib.parse import unquote, urlsplit

import pytest
from scrapy import Request

from rfi_cn.accounting import failure_reason
from rfi_cn.extract.sniff import binary_kind
from rfi_cn.middlewares.fetching import BadRedirect, OffsiteRedirect
from rfi_cn.middlewares.fingerprint import CrawlKeyFingerprinter
from rfi_cn.site import (
    SITE_ORIGIN,
    InvalidLinkError,
    article_date,
    crawl_key,
    from_mirror,
    is_article_url,
    is_site_origin,
    link_url,
    remove_dot_segments,
    resolve_link,
    section_name,
    to_mirror,
)
from rfi_cn.state.store import url_key

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


ARTICLE = "https://www.rfi.fr/cn/%E5%8F%98%E4%BD%93/20251201-abc"


@pytest.mark.parametrize(
    "variant",
    [
        ARTICLE,
        ARTICLE.lower(),
        ARTICLE.replace("-abc", "-%61bc"),
        ARTICLE + "?xtor=RSS-7",
        ARTICLE + "?utm_source=x&utm_medium=y&xtor=z",
        ARTICLE + "#comments",
        ARTICLE.replace("https://www.rfi.fr", "http://rfi.fr"),
        ARTICLE.replace("https://www.rfi.fr", "HTTPS://WWW.RFI.FR:443"),
        ARTICLE.replace("/20251201", "/./20251201"),
        ARTICLE.replace("/cn/", "/cn/x/../"),
        ARTICLE.replace("/cn/", "/cn/x/%2E%2e/"),
        "https://www.rfi.fr/cn/变体/20251201-abc",
    ],
)
def test_every_spelling_of_an_article_url_has_one_crawl_key(variant: str) -> None:
    assert crawl_key(variant) == ARTICLE
    assert url_key(variant) == "/cn/变体/20251201-abc"


def test_the_crawl_key_sorts_the_query_and_keeps_what_is_not_tracking() -> None:
    assert crawl_key("https://www.rfi.fr/cn/x/?page=2&a=1&xtor=RSS") == "https://www.rfi.fr/cn/x/?a=1&page=2"
    assert crawl_key("https://www.rfi.fr/cn/x/?page=2") != crawl_key("https://www.rfi.fr/cn/x/?page=3")


@pytest.mark.parametrize(
    ("path", "resolved"),
    [
        ("/cn/../x", "/x"),
        ("/cn/%2e%2e/x", "/x"),
        ("/cn/%2E./x", "/x"),
        ("/cn/.%2E/x", "/x"),
        ("/cn/a/./b/../c", "/cn/a/c"),
        ("/cn/a/..", "/cn/"),
        ("/cn/.", "/cn/"),
        ("/../../x", "/x"),
        ("/cn/a..b/c", "/cn/a..b/c"),
    ],
)
def test_dot_segments_are_resolved_encoded_or_not(path: str, resolved: str) -> None:
    assert remove_dot_segments(path) == resolved


@pytest.mark.parametrize(
    "href",
    [
        "/cn/%2e%2e/20251201-x",
        "/cn/%2E./private/20251201-x",
        "/cn/政治/../../private/",
        "../../20251201-x",
        "https://www.rfi.fr/cn/%2e%2e/tw/",
    ],
)
def test_dot_segments_that_leave_the_edition_are_out_of_scope(href: str) -> None:
    assert link_url(href, "https://www.rfi.fr/cn/%E6%94%BF%E6%B2%BB/") is None


@pytest.mark.parametrize("href", ["http://[oops/", "https://www.rfi.fr]/cn/", "https://www.rfi.fr:99999/cn/x"])
def test_an_href_that_cannot_be_resolved_is_refused_not_raised(href: str) -> None:
    assert link_url(href, "https://www.rfi.fr/cn/") is None
    with pytest.raises(InvalidLinkError):
        resolve_link(href, "https://www.rfi.fr/cn/")


def test_the_state_key_of_a_url_already_canonical_is_the_old_one() -> None:
    """State files written before the crawl key hold ``unquote(path).rstrip("/")``: still the key."""
    for url in [ARTICLE, "https://www.rfi.fr/cn/%E4%B8%AD%E5%9B%BD/20251130-%E6%B5%8B%E8%AF%95/", SITE_ORIGIN + "/cn/"]:
        assert url_key(url) == unquote(urlsplit(url).path).rstrip("/")


def test_the_fingerprint_is_keyed_on_the_crawl_key() -> None:
    fingerprinter = CrawlKeyFingerprinter()
    fingerprints = {fingerprinter.fingerprint(Request(url)) for url in (ARTICLE, ARTICLE + "?xtor=1", ARTICLE.lower())}
    assert len(fingerprints) == 1
    assert fingerprinter.fingerprint(Request(ARTICLE + "x")) not in fingerprints
    assert fingerprinter.fingerprint(Request(ARTICLE, method="POST")) not in fingerprints


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        (b"%PDF-1.7\n", "PDF"),
        (b"\x89PNG\r\n\x1a\n\x00", "PNG"),
        (b"  \r\nGIF89a", "GIF"),
        (b"\xff\xd8\xff\xe0", "JPEG"),
        (b"RIFF\x00\x00\x00\x00WEBPVP8 ", "RIFF WEBP"),
        (b"<!DOCTYPE html><html>", None),
        ("<html>中文</html>".encode(), None),
        (b"", None),
    ],
)
def test_binary_bodies_are_known_by_their_magic_bytes(body: bytes, kind: str | None) -> None:
    assert binary_kind(body) == kind


@pytest.mark.parametrize(
    ("error", "reason"),
    [
        (BadRedirect("x"), "bad_redirect"),
        (OffsiteRedirect("x"), "offsite_redirect"),
        (gzip.BadGzipFile("Not a gzipped file"), "undecodable"),
        (zlib.error("invalid block type"), "undecodable"),
        (ConnectionError("reset"), "transient"),
    ],
)
def test_failure_reasons(error: BaseException, reason: str) -> None:
    assert failure_reason(error) == reason
