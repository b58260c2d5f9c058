"""Properties of the URL grammar (hypothesis): one crawl key per article, whatever the
spelling; dot segments that climb out of /cn/ are out of scope."""

from __future__ import annotations

import re
import string
from datetime import date
from urllib.parse import quote

from hypothesis import given, settings
from hypothesis import strategies as st
from scrapy import Request

from rfi_cn.middlewares.fingerprint import CrawlKeyFingerprinter
from rfi_cn.site import crawl_key, is_article_url, link_url, path_of
from rfi_cn.state.store import url_key

PAGE = "https://www.rfi.fr/cn/%E6%94%BF%E6%B2%BB/"
SEGMENT_CHARS = string.ascii_letters + string.digits + "-_~" + "中国政治经贸测试新闻台湾"
segments = st.text(alphabet=SEGMENT_CHARS, min_size=1, max_size=12).filter(lambda text: text not in (".", ".."))
days = st.dates(min_value=date(1000, 1, 1)).map(lambda day: f"{day:%Y%m%d}")


@st.composite
def article_paths(draw: st.DrawFn) -> str:
    section = draw(st.one_of(segments, segments.map(lambda name: f"专栏检索/{name}")))
    return f"/cn/{section}/{draw(days)}-{draw(segments)}"


def _escape_case(url: str, upper: bool) -> str:
    out, index = [], 0
    while index < len(url):
        if url[index] == "%":
            escape = url[index : index + 3]
            out.append(escape.upper() if upper else escape.lower())
            index += 3
        else:
            out.append(url[index])
            index += 1
    return "".join(out)


def _escape_unreserved(url: str, picks: list[int]) -> str:
    """``url`` with some unreserved path letters written as ``%XX`` (``a`` → ``%61``)."""
    head, _, path = url.partition("/cn/")
    chars = list(path)
    for pick in picks:
        position = pick % len(chars)
        inside_escape = "%" in chars[max(0, position - 2) : position]
        if chars[position] in string.ascii_letters + string.digits and not inside_escape:
            chars[position] = f"%{ord(chars[position]):02X}"
    return f"{head}/cn/{''.join(chars)}"


ORIGINS = ["http://rfi.fr", "https://rfi.fr", "HTTPS://WWW.RFI.FR", "https://www.rfi.fr:443", "http://www.rfi.fr:80"]
DOTS = ["..", "%2e%2e", "%2E%2E", "%2e.", ".%2E"]
VARIANTS = [
    lambda url, draw: _escape_case(url, upper=False),
    lambda url, draw: _escape_case(url, upper=True),
    lambda url, draw: _escape_unreserved(url, draw(st.lists(st.integers(0, 200), min_size=1, max_size=4))),
    lambda url, draw: url + "?xtor=" + draw(st.sampled_from(["RSS-1", "CS1-2", "x"])),
    lambda url, draw: url + "?utm_source=a&utm_campaign=b",
    lambda url, draw: url + "#" + draw(st.sampled_from(["comments", "top", ""])),
    lambda url, draw: draw(st.sampled_from(ORIGINS)) + re.sub(r"^[^/]*//[^/]*", "", url),  # another origin spelling
    lambda url, draw: url.replace("/cn/", "/cn/./", 1),
    lambda url, draw: url.replace("/cn/", f"/cn/{draw(st.sampled_from(['x', '中国', 'a-b']))}/{draw(st.sampled_from(DOTS))}/", 1),
]  # fmt: skip


@st.composite
def spelled(draw: st.DrawFn) -> tuple[str, str]:
    """An article URL as the site writes it, and a variant spelling of it."""
    canonical = "https://www.rfi.fr" + quote(draw(article_paths()), safe="/-_~")
    variant = canonical
    for index in draw(st.lists(st.integers(0, len(VARIANTS) - 1), min_size=1, max_size=4)):
        variant = VARIANTS[index](variant, draw)
    return canonical, variant


@settings(max_examples=300, deadline=None)
@given(spelled())
def test_every_spelling_of_an_article_url_has_the_same_crawl_key(pair: tuple[str, str]) -> None:
    canonical, variant = pair
    assert is_article_url(canonical)
    assert crawl_key(variant) == crawl_key(canonical)
    assert url_key(variant) == url_key(canonical)
    assert link_url(variant, PAGE) == crawl_key(canonical)
    fingerprinter = CrawlKeyFingerprinter()
    assert fingerprinter.fingerprint(Request(variant)) == fingerprinter.fingerprint(Request(canonical))


@st.composite
def escaping_paths(draw: st.DrawFn) -> str:
    """A path under /cn/ whose dot segments climb out of it, then somewhere else."""
    depth = draw(st.integers(0, 3))
    down = [draw(segments) for _ in range(depth)]
    up = [draw(st.sampled_from(DOTS)) for _ in range(depth + 1 + draw(st.integers(0, 2)))]
    noise = draw(st.lists(st.sampled_from([".", "%2e", "%2E"]), max_size=2))
    rest = [draw(st.sampled_from(["20251201-x", "private", "tw", "fr", "sitemaps"])), draw(segments)]
    return "/" + "/".join(["cn", *down, *noise, *up, *rest])


@settings(max_examples=300, deadline=None)
@given(escaping_paths(), st.booleans())
def test_a_path_whose_dot_segments_leave_cn_is_out_of_scope(path: str, absolute: bool) -> None:
    href = "https://www.rfi.fr" + path if absolute else path
    assert link_url(href, PAGE) is None
    assert not path_of(crawl_key("https://www.rfi.fr" + path)).startswith("/cn/")
