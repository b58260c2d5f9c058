"""``RunHealth``: gathers the facts of a run as it goes and evaluates its health once.

As the crawl runs it counts, per field, the exported articles with a value
(``item_scraped`` of an ``ArticleItem``), whether the front page was fetched
and which requested sections had a listing page succeed (``response_received``),
and the failure reasons of article records. The run manifest
(``rfi_cn.lake.manifest``) asks it for the health when every lake file is
stored (``feed_exporter_closed``): the final numbers, storage errors included.
Without a lake (``DATA_LAKE_ENABLED = False``) the health is evaluated when the
engine stops. ``health`` is then read by the Spidermon monitors
(``rfi_cn.health.monitors``), the summary line and the ``crawl`` command's exit status.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from itemadapter import ItemAdapter
from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response

from rfi_cn.accounting import OUTCOMES, article_counts
from rfi_cn.health.checks import Health, HealthConfig, RunFacts, evaluate, field_coverage
from rfi_cn.health.history import coverage_history, manifests_folder
from rfi_cn.health.network import NetworkErrorHint
from rfi_cn.items import ArticleItem, FailureItem
from rfi_cn.lake.addon import writes_manifest
from rfi_cn.lake.storages import storage_for
from rfi_cn.middlewares.requests import FEED, LISTING
from rfi_cn.site import FRONT_PAGE, SITE_ORIGIN

logger = logging.getLogger(__name__)

ARTICLE_STATS = tuple(f"rfi_cn/articles/{name}" for name in ("discovered", *OUTCOMES, "unaccounted"))


class RunHealth:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.config = HealthConfig.from_settings(crawler.settings)
        self.filled: Counter[str] = Counter()
        self.article_failures: Counter[str] = Counter()
        self.front_page: int | None = None
        self.front_page_requested = False
        self.sections_ok: set[str] = set()
        self.start_pages: dict[str, bool] = {}
        self.health: Health | None = None
        self.coverage: dict[str, float] = {}
        self.manifest_uri: str | None = None
        self.lake = writes_manifest(crawler.settings)
        self.summary_by_command = crawler.settings.getbool("HEALTH_SUMMARY_BY_COMMAND")
        self.hint = NetworkErrorHint(crawler.settings.get("RFI_BASE_URL") or SITE_ORIGIN)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RunHealth:
        if not crawler.settings.getbool("HEALTH_ENABLED", True):
            raise NotConfigured  # no message: scrapy check/parse/shell print nothing about it
        extension = cls(crawler)
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(extension.request_scheduled, signal=signals.request_scheduled)
        crawler.signals.connect(extension.response_received, signal=signals.response_received)
        crawler.signals.connect(extension.engine_stopped, signal=signals.engine_stopped)
        return extension

    @classmethod
    def of(cls, crawler: Crawler) -> RunHealth | None:
        return crawler.get_extension(cls) if crawler.extensions is not None else None

    def spider_opened(self, spider: Spider) -> None:
        assert self.crawler.stats is not None
        for key in ARTICLE_STATS:  # a run that reached nothing still reports its zeros
            self.crawler.stats.inc_value(key, 0)
        self.hint.install()

    def item_scraped(self, item: Any) -> None:
        if isinstance(item, ArticleItem):
            for name, value in ItemAdapter(item).items():
                if value not in (None, "", [], {}):
                    self.filled[name] += 1
        elif isinstance(item, FailureItem) and item.get("kind") == "article":
            self.article_failures[str(item.get("reason"))] += 1

    def request_scheduled(self, request: Request, spider: Spider) -> None:
        url = first_url(request)
        if url == FRONT_PAGE:
            self.front_page_requested = True
        if request.meta.get("is_start_request") and not request.meta.get(FEED):  # the feed has a fallback
            self.start_pages.setdefault(url, False)

    def response_received(self, response: Response, request: Request, spider: Spider) -> None:
        ok = 200 <= response.status < 300
        url = first_url(request)
        if url == FRONT_PAGE and (self.front_page is None or ok):
            self.front_page = response.status
        if ok and url in self.start_pages:
            self.start_pages[url] = True
        if ok and request.meta.get(LISTING) and "section" in request.cb_kwargs:
            self.sections_ok.add(str(request.cb_kwargs["section"]))

    def facts(self, failed_files: Sequence[Mapping[str, Any]] = (), manifest_written: bool = True) -> RunFacts:
        assert self.crawler.stats is not None
        stats = self.crawler.stats.get_stats()
        exported = int(stats.get("rfi_cn/articles/exported", 0))
        self.coverage = field_coverage({name: self.filled[name] for name in self.config.coverage_floors}, exported)
        spider = self.crawler.spider
        requested = getattr(spider, "listing_pages", {}) or {}
        return RunFacts(
            stats=stats,
            failed_files=failed_files,
            coverage=self.coverage,
            front_page=self.front_page,
            front_page_requested=self.front_page_requested,
            start_pages=dict(self.start_pages),
            sections={name: name in self.sections_ok for name in requested},
            history=self._history(),
            lake=self.lake,
            distributed=self.crawler.settings.getbool("DISTRIBUTED_MODE"),
            manifest_written=manifest_written,
        )

    def evaluate(self, failed_files: Sequence[Mapping[str, Any]] = (), manifest_uri: str | None = None) -> Health:
        """The run's health from its final facts (called once every lake file is stored)."""
        self.manifest_uri = manifest_uri
        self.health = evaluate(self.facts(failed_files, manifest_written=True), self.config)
        self._failed_files = list(failed_files)
        self._record()
        return self.health

    def manifest_failed(self) -> Health:
        """The manifest could not be written: the run failed."""
        self.manifest_uri = None
        self.health = evaluate(self.facts(getattr(self, "_failed_files", ()), manifest_written=False), self.config)
        self._record()
        return self.health

    def final_health(self) -> Health:
        """The health, evaluated now if the manifest did not ask for it (no lake, or it never closed)."""
        if self.health is None:
            self.health = evaluate(self.facts(manifest_written=False), self.config)
            self._record()
        return self.health

    def _history(self) -> list[dict[str, float]]:
        if not self.lake:
            return []
        from rfi_cn.lake.addon import job_id

        spider = self.crawler.spider
        current = job_id(spider) if spider is not None else None
        root = self.crawler.settings.get("DATA_LAKE_URI")
        try:
            client = None
            if str(root).startswith("s3://"):  # the feed storage's client: AWS_* settings, endpoint included
                client = storage_for(self.crawler, f"{manifests_folder(root)}/_.json", {"overwrite": True}).s3_client
            return coverage_history(root, current, self.config.drift_runs, client)
        except Exception:  # history is advisory: a lake that cannot be listed skips the drift checks
            logger.warning("Could not read earlier run manifests: drift not checked", exc_info=True)
            return []

    def _record(self) -> None:
        assert self.crawler.stats is not None and self.health is not None
        self.crawler.stats.set_value("rfi_cn/health/status", self.health.status)
        for check in self.health.problems:
            self.crawler.stats.set_value(f"rfi_cn/health/{check.status}/{check.name}", check.value)

    def engine_stopped(self) -> None:
        self.hint.uninstall()
        self.final_health()
        if not self.summary_by_command:
            logger.info(self.summary())

    def summary(self) -> str:
        """The summary line of the run (``summary_line``)."""
        assert self.crawler.stats is not None
        stats = self.crawler.stats.get_stats()
        return summary_line(stats, self.article_failures, self.final_health(), self.manifest_uri)


def first_url(request: Request) -> str:
    """The URL first requested: a redirected request keeps its chain in ``redirect_urls``."""
    return str((request.meta.get("redirect_urls") or [request.url])[0])


def _reasons(counts: Mapping[str, int]) -> str:
    parts = [f"{reason} {count}" for reason, count in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])) if count]
    return f" ({', '.join(parts)})" if parts else ""


def summary_line(
    stats: Mapping[str, Any], article_failures: Mapping[str, int], health: Health, manifest_uri: str | None
) -> str:
    """The run in one line: articles by outcome with their reasons, the health, the manifest."""
    counts = article_counts(dict(stats))
    prefix = "rfi_cn/rejects/reason/"
    rejects = {key[len(prefix) :]: int(value) for key, value in stats.items() if key.startswith(prefix)}
    parts = [
        f"{counts['exported']} exported",
        f"{counts['rejected']} rejected{_reasons(rejects)}",
        f"{counts['failed']} failed{_reasons(article_failures)}",
    ]
    if counts["unchanged"]:
        parts.append(f"{counts['unchanged']} unchanged")
    listings = int(stats.get("rfi_cn/listings/failed", 0))
    if listings:
        parts.append(f"{listings} listing page{'' if listings == 1 else 's'} failed")
    parts.append(health.describe())
    parts.append(f"manifest {manifest_uri}" if manifest_uri else "no manifest")
    return "rfi_cn: " + ", ".join(parts)
