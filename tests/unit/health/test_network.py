"""Network errors become one line with a hint."""

from __future__ import annotations

import logging
import sys

from scrapy import Request
from scrapy.exceptions import CannotResolveHostError, DownloadConnectionRefusedError, DownloadTimeoutError
from twisted.internet.error import DNSLookupError

from rfi_cn.health.network import NetworkErrorHint, network_problem


def record(msg: str, args: dict[str, object], exc: BaseException | None = None) -> logging.LogRecord:
    exc_info = None
    if exc is not None:
        try:
            raise exc
        except BaseException:
            exc_info = sys.exc_info()
    return logging.LogRecord("scrapy.downloadermiddlewares.retry", logging.ERROR, __file__, 1, msg, (args,), exc_info)


def test_problems_name_the_origin_host() -> None:
    assert network_problem(CannotResolveHostError("x"), "https://www.rfi.fr") == (
        "cannot resolve www.rfi.fr: check the network or RFI_BASE_URL"
    )
    assert network_problem(DNSLookupError("x"), "http://mirror.example:8080") == (
        "cannot resolve mirror.example: check the network or RFI_BASE_URL"
    )
    assert network_problem(DownloadConnectionRefusedError("x"), "http://127.0.0.1:9") == (
        "cannot connect to 127.0.0.1:9 (connection refused): check the network or RFI_BASE_URL"
    )
    assert network_problem(DownloadTimeoutError("x"), "https://www.rfi.fr") == (
        "no answer from www.rfi.fr:443 within DOWNLOAD_TIMEOUT: check the network or RFI_BASE_URL"
    )
    assert network_problem(ValueError("not the network"), "https://www.rfi.fr") is None


def test_a_given_up_retry_is_one_line() -> None:
    request = Request("https://www.rfi.fr/cn/")
    error = CannotResolveHostError("DNS lookup failed: no results for hostname lookup: www.rfi.fr.")
    item = record(
        "Gave up retrying %(request)s (failed %(retry_times)d times): %(reason)s",
        {"request": request, "retry_times": 4, "reason": error},
    )
    assert NetworkErrorHint("https://www.rfi.fr").filter(item)
    assert item.getMessage() == (
        "cannot resolve www.rfi.fr: check the network or RFI_BASE_URL (GET https://www.rfi.fr/cn/, gave up after 4 tries)"
    )


def test_a_traceback_is_dropped_for_network_errors_only() -> None:
    request = Request("https://www.rfi.fr/cn/")
    network = record("Error downloading %(request)s: %(f_exception)s", {"request": request}, DNSLookupError("x"))
    NetworkErrorHint("https://www.rfi.fr").filter(network)
    assert network.exc_info is None
    assert (
        network.getMessage()
        == "cannot resolve www.rfi.fr: check the network or RFI_BASE_URL (GET https://www.rfi.fr/cn/)"
    )
    bug = ValueError("bug")
    other = record("Error downloading %(request)s: %(f_exception)s", {"request": request, "f_exception": bug}, bug)
    NetworkErrorHint("https://www.rfi.fr").filter(other)
    assert other.exc_info is not None
    assert other.getMessage() == "Error downloading <GET https://www.rfi.fr/cn/>: bug"


def test_install_and_uninstall() -> None:
    hint = NetworkErrorHint("https://www.rfi.fr")
    logger = logging.getLogger("scrapy.downloadermiddlewares.robotstxt")
    hint.install()
    assert hint in logger.filters
    hint.uninstall()
    assert hint not in logger.filters
