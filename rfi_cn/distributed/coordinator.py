"""Liveness, shutdown, recovery and run totals among the workers of a run."""

from __future__ import annotations

import logging
from typing import Any

from redis import Redis
from redis.exceptions import ResponseError
from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider, NotConfigured
from scrapy.settings import BaseSettings
from twisted.internet import task

from rfi_cn.accounting import OUTCOMES, article_counts
from rfi_cn.distributed import pending_key, redis_url, run_key, worker_name

logger = logging.getLogger(__name__)


class WorkerCoordinator:
    """Liveness, shutdown and recovery among the workers of a run.

    - Each worker keeps ``alive:<worker>`` fresh (expiring after
      ``REDIS_WORKER_TTL`` seconds) and sets ``busy:<worker>`` from its start
      and whenever it receives a response, until it is idle.
    - An idle worker stays open while another worker of the run is busy: that
      worker may still push requests.
    - An idle worker adopts the pending set of any worker that is no longer
      alive (killed mid-crawl) and requests those articles again: what a dead
      worker fetched never reached a published file.
    - At close, a worker adds its counts to the run's totals
      (``rfi_cn:<run>:stats``); ``discovered`` is the number of article URLs
      the run requested (``claimed:fetched``).
    """

    def __init__(self, crawler: Crawler, server: Redis) -> None:
        self.crawler = crawler
        self.server = server
        settings = crawler.settings
        self.worker = worker_name()
        self.alive_key = run_key(settings, f"alive:{self.worker}")
        self.busy_key = run_key(settings, f"busy:{self.worker}")
        self.stats_key = run_key(settings, "stats")
        self.worker_ttl = settings.getint("REDIS_WORKER_TTL")
        self.run_ttl = settings.getint("REDIS_RUN_TTL")
        self.heartbeat = task.LoopingCall(self.beat)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> WorkerCoordinator:
        url = redis_url(crawler.settings)
        if not url:
            raise NotConfigured("REDIS_URL is not set")
        coordinator = cls(crawler, Redis.from_url(url, decode_responses=True))
        crawler.signals.connect(coordinator.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(coordinator.response_received, signal=signals.response_received)
        crawler.signals.connect(coordinator.spider_idle, signal=signals.spider_idle)
        # Output is published when the feeds close: only then is a worker's pending set done.
        crawler.signals.connect(coordinator.published, signal=signals.feed_exporter_closed)
        crawler.signals.connect(coordinator.spider_closed, signal=signals.spider_closed)
        return coordinator

    def spider_opened(self) -> None:
        self.heartbeat.start(max(self.worker_ttl / 3, 0.5), now=True)
        self.server.set(self.busy_key, 1, ex=self.worker_ttl)  # starting up: it will push requests

    def beat(self) -> None:
        self.server.set(self.alive_key, 1, ex=self.worker_ttl)

    def response_received(self, **kwargs: Any) -> None:
        self.server.set(self.busy_key, 1, ex=self.worker_ttl)

    def spider_idle(self, spider: Spider) -> None:
        self.server.delete(self.busy_key)
        adopted = self.adopt_orphans()
        if adopted:
            assert self.crawler.engine is not None
            for url in adopted:
                self.crawler.engine.crawl(spider.article_request(url, dont_filter=True))  # type: ignore[attr-defined]
            raise DontCloseSpider(f"adopted {len(adopted)} article(s) of a dead worker")
        busy = list(self.server.scan_iter(run_key(self.crawler.settings, "busy:*")))
        if busy:
            raise DontCloseSpider(f"{len(busy)} other worker(s) of the run are busy")

    def adopt_orphans(self) -> list[str]:
        """Take over the pending sets of workers that are no longer alive."""
        adopted: list[str] = []
        prefix = run_key(self.crawler.settings, "pending:")
        for key in self.server.scan_iter(f"{prefix}*"):
            worker = key.removeprefix(prefix)
            if worker == self.worker or self.server.exists(run_key(self.crawler.settings, f"alive:{worker}")):
                continue
            claimed = f"{key}:adopted-by:{self.worker}"
            try:
                self.server.rename(key, claimed)  # atomic: one survivor wins
            except ResponseError:
                continue
            urls = sorted(str(member) for member in self.server.smembers(claimed))
            self.server.delete(claimed)
            logger.warning("Adopting %d article(s) of dead worker %s", len(urls), worker)
            assert self.crawler.stats is not None
            self.crawler.stats.inc_value("rfi_cn/distributed/adopted", len(urls))
            adopted += urls
        return adopted

    def spider_closed(self) -> None:
        if not self.crawler.settings.getdict("FEEDS"):
            self.published()

    def published(self) -> None:
        """The worker's files are stored: add its counts to the run, and retire."""
        if not self.heartbeat.running:
            return
        self.heartbeat.stop()
        assert self.crawler.stats is not None
        pipe = self.server.pipeline()
        for name in OUTCOMES:
            pipe.hincrby(self.stats_key, name, self.crawler.stats.get_value(f"rfi_cn/articles/{name}", 0))
        pipe.expire(self.stats_key, self.run_ttl)
        pipe.delete(self.busy_key, self.alive_key, pending_key(self.crawler))
        pipe.execute()
        totals = run_totals(self.server, self.crawler.settings)
        logger.info("Run %s totals so far, all workers: %s", self.crawler.settings["REDIS_RUN_ID"], totals)


def run_totals(server: Redis, settings: BaseSettings) -> dict[str, int]:
    """The run's accounting across workers (``article_counts``): the article URLs
    requested, and what closed workers published."""
    stored: dict[str, str] = server.hgetall(run_key(settings, "stats"))  # type: ignore[assignment]
    published = {f"rfi_cn/articles/{key}": int(value) for key, value in stored.items()}
    published["rfi_cn/articles/discovered"] = int(server.scard(run_key(settings, "claimed:fetched")))
    return article_counts(published)
