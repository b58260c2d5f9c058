"""Names that become paths or keys (``rfi_cn.names``)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from scrapy.settings import Settings

from rfi_cn.names import UnsafeNameError, check_names, safe_name, scheduled_job


@pytest.mark.parametrize("value", ["a", "job-1", "2026-12-03T08.00_x", "a.b", "A" * 128, "0", "_x", "-x", "a..b"])
def test_safe_names_pass(value: str) -> None:
    assert safe_name(value, "the job id") == value


@pytest.mark.parametrize(
    "value",
    [
        "",
        ".",
        "..",
        ".hidden",
        "/abs",
        "../up",
        "a/b",
        "a\\b",
        "a:b",
        "a b",
        "a\nb",
        "a\x00b",
        "A" * 129,
        "作业",
        "/../../../../tmp/x/pwned",
    ],
)
def test_unsafe_names_are_refused_with_their_source(value: str) -> None:
    with pytest.raises(UnsafeNameError, match=r"^the job id \(-a _job\) must match \[A-Za-z0-9\._-\]\{1,128\}"):
        safe_name(value, "the job id (-a _job)")


def test_the_spider_argument_wins_then_scrapyd_then_the_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCRAPY_JOB", "from-env")
    settings = Settings({"RFI_JOB_ID": "from-setting"})
    assert scheduled_job(SimpleNamespace(_job="from-arg"), settings) == "from-arg"
    assert scheduled_job(SimpleNamespace(), settings) == "from-env"
    monkeypatch.delenv("SCRAPY_JOB")
    assert scheduled_job(SimpleNamespace(), settings) == "from-setting"
    assert scheduled_job(SimpleNamespace(), Settings()) is None


def test_every_given_name_is_checked_even_one_that_would_not_win(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SCRAPY_JOB", raising=False)
    with pytest.raises(UnsafeNameError, match=r"RFI_JOB_ID"):
        check_names(SimpleNamespace(_job="fine"), Settings({"RFI_JOB_ID": "../bad"}))
    with pytest.raises(UnsafeNameError, match=r"^REDIS_RUN_ID"):
        check_names(SimpleNamespace(), Settings({"REDIS_RUN_ID": "run:*"}))
    check_names(SimpleNamespace(_job="fine"), Settings({"REDIS_RUN_ID": "20261203T08"}))
