"""The URL grammar's memory (rfi_cn.site: crawl_key, resolve_link, path_of remember their
answers): same answers as working them out, bounded in count and in URL length, never an
error remembered."""

from __future__ import annotations

from collections.abc import Iterator
from unittest import mock

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rfi_cn import site
from rfi_cn.site import KEY_CACHE_SIZE, KEY_CACHE_URL_LENGTH, InvalidLinkError, crawl_key, link_url, path_of

PAGE = "https://www.rfi.fr/cn/%E6%94%BF%E6%B2%BB/"
CACHES = (site._remembered_key, site._remembered_link, site._remembered_path)


@pytest.fixture(autouse=True)
def empty_caches() -> Iterator[None]:
    for cache in CACHES:
        cache.cache_clear()
    yield
    for cache in CACHES:
        cache.cache_clear()


def test_a_link_seen_again_is_not_worked_out_again() -> None:
    first = link_url("/cn/政治/20251130-测试?xtor=RSS", PAGE)
    assert first == "https://www.rfi.fr/cn/%E6%94%BF%E6%B2%BB/20251130-%E6%B5%8B%E8%AF%95"
    assert link_url("/cn/政治/20251130-测试?xtor=RSS", PAGE) is first
    assert crawl_key(first) is first  # a key is its own key: the same string is remembered
    assert crawl_key(first) is first
    assert site._remembered_link.cache_info().hits == 1
    assert (site._remembered_key.cache_info().misses, site._remembered_key.cache_info().hits) == (2, 1)


def test_an_unparseable_url_raises_every_time_and_is_not_remembered() -> None:
    for _ in range(3):
        with pytest.raises(InvalidLinkError):
            crawl_key("http://[oops/cn/")
        with pytest.raises(InvalidLinkError):
            site.resolve_link("http://[oops/cn/", PAGE)
        assert link_url("http://[oops/cn/", PAGE) is None
    assert site._remembered_key.cache_info().currsize == 0
    assert site._remembered_link.cache_info().currsize == 0


def test_long_urls_are_worked_out_but_not_remembered() -> None:
    slug = "x" * KEY_CACHE_URL_LENGTH
    href = f"/cn/政治/20251130-{slug}?utm_source=a"
    expected = f"https://www.rfi.fr/cn/%E6%94%BF%E6%B2%BB/20251130-{slug}"
    for _ in range(2):
        assert link_url(href, PAGE) == expected
        assert crawl_key(expected) == expected
        assert path_of(expected) == f"/cn/政治/20251130-{slug}"
    assert [cache.cache_info().currsize for cache in CACHES] == [0, 0, 0]


def test_the_caches_are_bounded() -> None:
    for number in range(KEY_CACHE_SIZE + 500):
        assert link_url(f"/cn/政治/20251130-{number}", PAGE) == f"{PAGE}20251130-{number}"
    assert [cache.cache_info().currsize for cache in CACHES] == [KEY_CACHE_SIZE] * 3
    assert link_url("/cn/政治/20251130-0", PAGE) == f"{PAGE}20251130-0"  # evicted, worked out again


hrefs = st.one_of(
    st.text(alphabet="/.%2eEcn政治?=&#xtorutm_a:[]@ ", max_size=40),
    st.text(max_size=30).map(lambda text: f"/cn/{text}"),
)


def uncached_link(href: str) -> str | None:
    """``resolve_link`` worked out with no cache at all: the keys and paths it asks for too."""
    with (
        mock.patch.object(site, "_remembered_key", site._crawl_key),
        mock.patch.object(site, "_remembered_path", site._path_of),
    ):
        return site._resolve_link(href, PAGE, site.EDITION_PREFIX)


@given(href=hrefs)
def test_remembered_answers_are_the_worked_out_ones(href: str) -> None:
    """The caches live on across examples: an answer remembered from any earlier href must be right."""
    for _ in range(2):  # first worked out, then remembered
        try:
            expected: str | None = uncached_link(href)
        except InvalidLinkError:
            with pytest.raises(InvalidLinkError):
                site.resolve_link(href, PAGE)
            continue
        assert site.resolve_link(href, PAGE) == expected
        if expected is not None:
            assert crawl_key(expected) == site._crawl_key(expected) == expected
            assert path_of(expected) == site._path_of(expected)
