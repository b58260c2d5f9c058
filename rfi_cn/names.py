"""Names that become part of a path or a key: checked before the crawl starts.

A job id (``-a _job=``, ``SCRAPY_JOB``, ``RFI_JOB_ID``) names the lake's part files
and the run manifest; ``REDIS_RUN_ID`` names the run's Redis keys. Each must match
``[A-Za-z0-9._-]{1,128}`` without a leading dot, so no value can climb out of the lake
(``/../../tmp/x``), hide a file (``.x``) or address another run's keys (``a:b``).
``SafeNames``, an add-on, checks them all before anything is opened or written:
a bad value stops the run with one clear error line and exit status 1.
"""

from __future__ import annotations

import logging
import os
import re
from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import UsageError
from scrapy.settings import BaseSettings

logger = logging.getLogger(__name__)

SAFE_NAME = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}")


class UnsafeNameError(UsageError):
    """A value that would become part of a path or key is not a safe name."""


def safe_name(value: object, what: str) -> str:
    """``value`` as a string if it is a safe name, else ``UnsafeNameError`` naming ``what``."""
    text = str(value)
    if not SAFE_NAME.fullmatch(text):
        raise UnsafeNameError(f"{what} must match [A-Za-z0-9._-]{{1,128}} without a leading dot: {text!r}")
    return text


def _job_ids(spider: Any, settings: BaseSettings) -> list[tuple[str, Any]]:
    """The job ids given from outside, in the order they win."""
    return [
        ("the job id (-a _job)", getattr(spider, "_job", None)),
        ("the job id (SCRAPY_JOB)", os.environ.get("SCRAPY_JOB")),
        ("the job id (RFI_JOB_ID)", settings.get("RFI_JOB_ID")),
    ]


def scheduled_job(spider: Any, settings: BaseSettings) -> str | None:
    """The job id given from outside, if any: Scrapyd's ``-a _job=``, ``SCRAPY_JOB``, ``RFI_JOB_ID``."""
    for what, value in _job_ids(spider, settings):
        if value:
            return safe_name(value, what)
    return None


def check_names(spider: Any, settings: BaseSettings) -> None:
    """Every externally given name of this run; raises ``UnsafeNameError`` on the first bad one."""
    for what, value in [*_job_ids(spider, settings), ("REDIS_RUN_ID", settings.get("REDIS_RUN_ID"))]:
        if value:
            safe_name(value, what)


class SafeNames:
    """Add-on: stop the run before it starts when a job id or run id is not a safe name.

    Add-ons are built after the spider (so ``-a _job`` is known) and before any
    extension, feed or scheduler exists: nothing has been written yet.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SafeNames:
        return cls(crawler)

    def update_settings(self, settings: BaseSettings) -> None:
        try:
            check_names(self.crawler.spider, settings)
        except UnsafeNameError as error:
            logger.error("rfi_cn: refusing to start: %s", error)
            raise
