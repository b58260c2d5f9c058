"""``LocalClaims``: exact claims whose memory does not grow with the length of the URLs."""

from __future__ import annotations

import pickle
import tracemalloc
from types import SimpleNamespace
from typing import Any

from rfi_cn.middlewares.requests import LocalClaims

SECTION = "https://www.rfi.fr/cn/%E4%B8%AD%E5%9B%BD/"


def long_url(number: int) -> str:
    """A lying listing's link: 2,000+ characters of percent-encoded Chinese, unique per number."""
    return f"{SECTION}20251130-{'%E5%8F%B0' * 220}-{number}"


def held_bytes(claims: LocalClaims, count: int) -> int:
    """What claiming ``count`` long URLs leaves allocated once the URLs are gone (as the
    requests that carried them are, in a crawl)."""
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for number in range(count):
            claims.claim(long_url(number))
        return tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()


def test_claims_of_huge_urls_hold_a_fixed_size_digest_per_url_not_the_url() -> None:
    claims = LocalClaims()
    held = held_bytes(claims, 2000)
    # 2,000 URLs of 2 KB kept would be 4 MB; a 20-byte digest (a 56-byte block) and a
    # set slot per claim are ~110 bytes, whatever the URL
    assert held < 2000 * 160, held
    assert all(claims.claimed(long_url(number)) for number in range(2000))
    assert not claims.claimed(long_url(2000))


def test_claims_stay_exact() -> None:
    claims = LocalClaims()
    assert claims.claim(f"{SECTION}20251130-a") is True
    assert claims.claim(f"{SECTION}20251130-a") is False
    assert claims.claim(f"{SECTION}20251130-b") is True  # a neighbour is its own claim
    assert claims.claim(f"{SECTION}20251130-a?x=1") is True
    assert [claims.claimed(f"{SECTION}20251130-{tail}") for tail in ("a", "b", "c")] == [True, True, False]


def spider_with(state: dict[str, Any]) -> Any:
    return SimpleNamespace(state=state)


def test_claims_persist_in_the_jobdir_spider_state_and_survive_its_pickle() -> None:
    state: dict[str, Any] = {}
    claims = LocalClaims()
    claims.spider_opened(spider_with(state))
    claims.claim(f"{SECTION}20251130-a")
    claims.claim(long_url(1))
    saved = pickle.loads(pickle.dumps(state))  # what scrapy's SpiderState writes at a clean stop
    assert saved.keys() == {"article_urls"}
    assert all(isinstance(entry, bytes) for entry in saved["article_urls"])
    resumed = LocalClaims()
    resumed.spider_opened(spider_with(saved))
    assert resumed.claim(f"{SECTION}20251130-a") is False
    assert resumed.claim(long_url(1)) is False
    assert resumed.claim(f"{SECTION}20251130-b") is True
    assert resumed.claimed(f"{SECTION}20251130-b")
    assert len(saved["article_urls"]) == 3  # the state holds the live set: what the next stop saves


def test_a_jobdir_saved_before_digests_still_holds_its_claims() -> None:
    """A JOBDIR written by an earlier release kept the URLs themselves."""
    saved: dict[str, Any] = {"article_urls": {f"{SECTION}20251130-a", long_url(7)}}
    claims = LocalClaims()
    claims.spider_opened(spider_with(saved))
    assert claims.claim(f"{SECTION}20251130-a") is False
    assert claims.claim(long_url(7)) is False
    assert claims.claim(f"{SECTION}20251130-b") is True
    assert all(isinstance(entry, bytes) for entry in saved["article_urls"])
    assert len(saved["article_urls"]) == 3
