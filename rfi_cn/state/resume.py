"""Resuming a crawl from its ``JOBDIR`` after an unclean stop.

A clean stop (one Ctrl-C, SIGTERM, a Scrapyd cancel) lets Scrapy save its
request queue, and the next run with the same ``JOBDIR`` carries on. After an
unclean one (SIGKILL, a second Ctrl-C, a crash) the on-disk queue can be
inconsistent while the seen-requests file already holds the start pages, so a
plain resume never requests them again and what only they list is lost.

``JobRunMarker`` leaves ``<JOBDIR>/rfi_cn.running`` while the spider is open and
removes it when the spider closes. A marker found at start-up means the previous
run never closed. Its saved request queue and seen-set are then discarded before
the scheduler opens them (a queue file cut short by SIGKILL makes every push of
that priority fail: "unpack requires a buffer of 4 bytes"), and
``previous_stop_was_unclean`` tells the spider to walk the start and every
listing page again, without stopping at pages of known articles, and to forget
which articles it had reached: the crawl state (which knows what was exported)
skips the exported ones, every other one is requested again.
"""

from __future__ import annotations

import logging
import os
import shutil
from datetime import UTC, datetime
from pathlib import Path

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.settings import BaseSettings

logger = logging.getLogger(__name__)

MARKER_NAME = "rfi_cn.running"
# What Scrapy keeps in a JOBDIR: the disk queue, the seen-set and the spider's memory
# (which listing pages and articles it reached).
SCHEDULER_FILES = ("requests.queue", "requests.seen", "spider.state")


def marker_path(settings: BaseSettings) -> Path | None:
    """Where the running marker lives, or ``None`` without a ``JOBDIR``."""
    jobdir = settings.get("JOBDIR")
    return Path(jobdir) / MARKER_NAME if jobdir else None


def previous_stop_was_unclean(settings: BaseSettings) -> bool:
    """True when the last run in this ``JOBDIR`` opened the spider and never closed it."""
    path = marker_path(settings)
    return path is not None and path.exists()


def discard_scheduler_files(jobdir: Path) -> None:
    """Remove the saved queue, seen-set and spider memory of a run that never closed: they
    may be torn or stale, and the re-walked listings plus the crawl state rebuild what they held."""
    for name in SCHEDULER_FILES:
        path = jobdir / name
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink(missing_ok=True)


class JobRunMarker:
    """Extension: the running marker in ``JOBDIR``, written on open, removed on close."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> JobRunMarker:
        path = marker_path(crawler.settings)
        if path is None:
            raise NotConfigured
        if path.exists():  # built before the engine opens the scheduler's files
            discard_scheduler_files(path.parent)
        extension = cls(path)
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def spider_opened(self) -> None:
        if self.path.exists():
            logger.warning("Last run in %s did not stop cleanly: requesting listing pages again", self.path.parent)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.write_text(f"pid {os.getpid()} since {datetime.now(UTC):%Y-%m-%dT%H:%M:%SZ}\n", encoding="utf-8")

    def spider_closed(self) -> None:
        self.path.unlink(missing_ok=True)
