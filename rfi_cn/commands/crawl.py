"""``scrapy crawl``, with the run's health as its exit status.

Scrapy's ``crawl`` exits 1 only when the crawl could not start or raised. This
one (``COMMANDS_MODULE = "rfi_cn.commands"``; users still type ``scrapy crawl
rfi_cn``) logs the run's summary line last and exits with:

- 0: health ``ok`` (and ``degraded``, unless ``HEALTH_DEGRADED_EXIT_CODE`` says otherwise);
- ``HEALTH_FAILED_EXIT_CODE`` (default 3): health ``failed``;
- ``HEALTH_DEGRADED_EXIT_CODE`` (default 0): health ``degraded``;
- 1: Scrapy's own bootstrap failure (the crawl never ran).
"""

from __future__ import annotations

import argparse
import logging

from scrapy.commands.crawl import Command as ScrapyCrawl
from scrapy.exceptions import UsageError

from rfi_cn.health.checks import DEGRADED, FAILED
from rfi_cn.health.extension import RunHealth

logger = logging.getLogger("rfi_cn")


class Command(ScrapyCrawl):
    def short_desc(self) -> str:
        return "Run a spider of the current project, by name; the exit status tells the run's health"

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1:
            raise UsageError("running 'scrapy crawl' needs exactly one spider name")
        assert self.crawler_process is not None and self.settings is not None
        self.settings.set("HEALTH_SUMMARY_BY_COMMAND", True, priority="cmdline")
        crawler = self._create_crawler(args[0])
        self.crawler_process.crawl(crawler, **opts.spargs)
        self.crawler_process.start()
        if self.crawler_process.bootstrap_failed:
            self.exitcode = 1
            return
        extension = RunHealth.of(crawler)
        if extension is None:  # health switched off
            return
        logger.info(extension.summary())
        status = extension.final_health().status
        if status == FAILED:
            self.exitcode = crawler.settings.getint("HEALTH_FAILED_EXIT_CODE", 3)
        elif status == DEGRADED:
            self.exitcode = crawler.settings.getint("HEALTH_DEGRADED_EXIT_CODE", 0)
