"""Response bounds as failure reasons (``rfi_cn.middlewares.limits``) and the operator's
User-Agent (``rfi_cn.contact``)."""

from __future__ import annotations

import logging

import pytest
from scrapy.exceptions import DownloadFailedError, IgnoreRequest
from scrapy.settings import Settings
from scrapy.utils._compression import _DecompressionMaxSizeExceeded
from twisted.python.failure import Failure
from twisted.web.client import ResponseFailed

from rfi_cn.accounting import failure_reason
from rfi_cn.contact import NO_CONTACT_WARNING, OperatorContact, contact_of, user_agent
from rfi_cn.middlewares.limits import ResponseTooLargeError, too_large_cause


def _decompression_bomb() -> IgnoreRequest:
    try:
        try:
            raise _DecompressionMaxSizeExceeded(9_000_000, 8_388_608)
        except _DecompressionMaxSizeExceeded as error:
            raise IgnoreRequest("Ignored response ... exceeded DOWNLOAD_MAXSIZE") from error
    except IgnoreRequest as ignored:
        return ignored


def _headers_bomb() -> DownloadFailedError:
    cause = ResponseFailed([Failure(ResponseTooLargeError("response headers over RFI_MAX_HEADER_BYTES (65536 B)"))])
    error = DownloadFailedError(str(cause))
    error.__cause__ = cause
    return error


def test_a_decompression_bomb_is_too_large_not_ignored() -> None:
    assert failure_reason(_decompression_bomb()) == "too_large"
    assert failure_reason(IgnoreRequest("Filtered offsite request to 'x'")) == "ignored"


def test_oversized_headers_are_found_behind_scrapys_and_twisteds_wrappers() -> None:
    error = _headers_bomb()
    assert isinstance(too_large_cause(error), ResponseTooLargeError)
    assert too_large_cause(DownloadFailedError("connection lost")) is None
    assert failure_reason(ResponseTooLargeError("x")) == "too_large"


@pytest.mark.parametrize(
    ("settings", "env", "agent"),
    [
        ({"RFI_CONTACT": "mailto:ops@example.org"}, {}, "rfi_cn/1.0 (+mailto:ops@example.org)"),
        ({}, {"RFI_CONTACT": "https://example.org/crawler"}, "rfi_cn/1.0 (+https://example.org/crawler)"),
        ({}, {"RFI_CONTACT_URL": "https://example.org/old"}, "rfi_cn/1.0 (+https://example.org/old)"),
        ({"RFI_CONTACT": "ops@example.org\r\nX-Injected: 1"}, {}, "rfi_cn/1.0 (+ops@example.org X-Injected: 1)"),
        ({}, {}, "rfi_cn/1.0"),
    ],
)
def test_the_user_agent_names_the_contact(
    monkeypatch: pytest.MonkeyPatch, settings: dict[str, str], env: dict[str, str], agent: str
) -> None:
    for name in ("RFI_CONTACT", "RFI_CONTACT_URL"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    project = Settings(
        {"USER_AGENT": "rfi_cn/1.0", "RFI_BASE_URL": "http://127.0.0.1:1", **settings}, priority="project"
    )
    OperatorContact().update_settings(project)
    assert project["USER_AGENT"] == user_agent(contact_of(project)) == agent


def test_an_explicit_user_agent_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RFI_CONTACT", raising=False)
    settings = Settings({"USER_AGENT": "rfi_cn/1.0", "RFI_CONTACT": "mailto:a@example.org"}, priority="project")
    settings.set("USER_AGENT", "custom/2.0", priority="cmdline")
    OperatorContact().update_settings(settings)
    assert settings["USER_AGENT"] == "custom/2.0"


@pytest.mark.parametrize(
    ("base_url", "contact", "warnings"),
    [
        ("https://www.rfi.fr", None, 1),
        ("https://www.rfi.fr/", "mailto:a@example.org", 0),
        ("http://127.0.0.1:8000", None, 0),
    ],
)
def test_a_production_run_without_contact_warns_once(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, base_url: str, contact: str | None, warnings: int
) -> None:
    for name in ("RFI_CONTACT", "RFI_CONTACT_URL"):
        monkeypatch.delenv(name, raising=False)
    settings = Settings({"RFI_BASE_URL": base_url, "RFI_CONTACT": contact}, priority="project")
    with caplog.at_level(logging.WARNING, logger="rfi_cn.contact"):
        OperatorContact().update_settings(settings)
    assert [record.getMessage() for record in caplog.records] == [NO_CONTACT_WARNING] * warnings
