"""The pure parts of fault handling, and the safety settings and repository hygiene."""

from __future__ import annotations

import re
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest
from scrapy import Request
from scrapy.exceptions import DownloadCancelledError, DownloadTimeoutError, IgnoreRequest
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.project import get_project_settings
from twisted.python.failure import Failure

from rfi_cn.accounting import failure_reason, failure_record
from rfi_cn.middlewares.fetching import OffsiteRedirect, retry_after_seconds
from rfi_cn.normalise.encoding import page_text
from tests.crawling import ROOT

NOW = datetime(2025, 11, 30, 12, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        ("1", 1.0),
        (b" 120 ", 120.0),
        ("Sun, 30 Nov 2025 12:01:30 GMT", 90.0),
        ("Sun, 30 Nov 2025 11:00:00 GMT", 0.0),  # already past: retry now
        ("soon", None),
        ("-5", None),
        ("", None),
        (None, None),
    ],
)
def test_retry_after_seconds(header: str | bytes | None, seconds: float | None) -> None:
    assert retry_after_seconds(header, NOW) == seconds


def _http_error(status: int, headers: dict[str, str] | None = None) -> HttpError:
    return HttpError(Response("http://127.0.0.1/cn/x/", status=status, headers=headers), "status")


@pytest.mark.parametrize(
    ("error", "reason"),
    [
        (_http_error(404), "gone"),
        (_http_error(410), "gone"),
        (_http_error(401), "blocked"),
        (_http_error(403), "blocked"),
        (_http_error(429), "blocked"),
        (_http_error(451), "blocked"),
        (_http_error(500), "transient"),
        (_http_error(503), "transient"),
        (_http_error(408), "transient"),
        (_http_error(418), "http_error"),
        (IgnoreRequest("Forbidden by robots.txt"), "robots"),
        (IgnoreRequest("max redirections reached"), "redirect_loop"),
        (OffsiteRedirect("redirect to http://elsewhere/ leaves https://www.rfi.fr"), "offsite_redirect"),
        (IgnoreRequest("Filtered offsite request to 'x'"), "ignored"),
        (DownloadCancelledError(""), "too_large"),
        (DownloadTimeoutError("took longer than 30.0 seconds"), "transient"),
        (ConnectionResetError(), "transient"),
    ],
)
def test_failure_reason(error: BaseException, reason: str) -> None:
    assert failure_reason(error) == reason


def test_failure_record_says_how_many_tries_and_the_retry_after() -> None:
    request = Request("https://www.rfi.fr/cn/%E4%B8%AD%E5%9B%BD/20251130-x", meta={"retry_times": 2})
    record = failure_record(Failure(_http_error(503)), request, kind="article")
    assert (record["url"], record["reason"], record["status"], record["retries"]) == (
        "https://www.rfi.fr/cn/%E4%B8%AD%E5%9B%BD/20251130-x",
        "transient",
        503,
        2,
    )
    assert record["error"] == "HTTP 503 (gave up after 3 tries)"
    blocked = failure_record(Failure(_http_error(429, {"Retry-After": "600"})), request, kind="article")
    assert (blocked["reason"], blocked["error"]) == ("blocked", "HTTP 429, Retry-After: 600")


@pytest.mark.parametrize(
    ("body", "declared", "text", "encoding"),
    [
        ("中文".encode(), "cp1252", "中文", "utf-8"),  # UTF-8 labelled latin-1
        ("中文".encode("gb18030"), "utf-8", "中文", "gb18030"),  # GB18030 labelled UTF-8
        ("café".encode("cp1252"), "cp1252", "café", "cp1252"),  # a true latin-1 page stays latin-1
        (b"plain", None, "plain", "utf-8"),
        (b"\x81", "utf-8", "\ufffd", "utf-8"),  # nothing reads it: replacement character
    ],
)
def test_page_text(body: bytes, declared: str | None, text: str, encoding: str) -> None:
    assert page_text(body, declared) == (text, encoding)


def test_no_way_into_a_running_crawl_and_no_way_out_of_the_host() -> None:
    settings = get_project_settings()
    assert settings.getbool("TELNETCONSOLE_ENABLED") is False
    assert settings.getbool("REMOTE_CONTROL_ENABLED") is False
    assert settings.getbool("ROBOTSTXT_OBEY") is True
    middlewares = settings.getdict("DOWNLOADER_MIDDLEWARES")
    assert middlewares["scrapy.downloadermiddlewares.redirect.RedirectMiddleware"] is None
    assert middlewares["rfi_cn.middlewares.fetching.SafeRedirectMiddleware"] == 600
    assert middlewares["rfi_cn.middlewares.fetching.RetryAfterMiddleware"] == 550


# A credential written into a file: key material, cloud keys, or a secret given a literal value.
CREDENTIALS = [
    re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----"),
    re.compile(r"\bAKIA[0-9A-Z]{16}\b"),
    re.compile(r"\bgh[pousr]_[A-Za-z0-9]{30,}"),
    re.compile(r"(?i)\b(password|passwd|secret|api_?key|token)\s*[:=]\s*['\"][^'\"\s$<{]{4,}['\"]"),
    re.compile(r"(?im)^\s*(password|passwd|secret|api_?key|token)\s*=\s*(?!None|null|True|False)[\w!@#%^&*+-]{4,}\s*$"),
    re.compile(r"[a-z+]+://[^/\s:@'\"]+:[^/\s@'\"$<{]+@"),  # user:password@host
]


def _repository_files() -> list[Path]:
    try:
        listed = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):  # not a git checkout: every file but the generated ones
        skipped = {".git", "data", ".hypothesis", ".mypy_cache", ".ruff_cache", ".pytest_cache", "build"}
        return [p for p in ROOT.rglob("*") if p.is_file() and not skipped & set(p.relative_to(ROOT).parts)]
    return [ROOT / name for name in listed.splitlines()]


def test_no_credentials_in_the_repository() -> None:
    files = _repository_files()
    assert len(files) > 20
    found = []
    for path in files:
        if not path.is_file():
            continue
        text = path.read_bytes().decode("utf-8", errors="replace")
        found += [(path.name, match.group(0)) for pattern in CREDENTIALS for match in pattern.finditer(text)]
    assert found == []
