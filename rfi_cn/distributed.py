"""Distributed mode: many crawl processes share one Redis request queue and seen-set.

Switched on by ``REDIS_URL`` (setting or environment variable); without it
nothing here is loaded. It uses scrapy-redis 0.9.1's scheduler and priority
queue, with these fixes for Scrapy 2.19 (see the README, "Scaling out"):

- fingerprints come from Scrapy's own ``crawler.request_fingerprinter``
  (scrapy-redis computes its own SHA1 and ignores ``REQUEST_FINGERPRINTER_CLASS``);
- stats calls without the deprecated ``spider`` argument;
- no ``RedisSpider``: our spider's ``async def start()`` seeds the crawl
  (scrapy-redis spiders rely on ``start_requests()``, which Scrapy no longer calls);
- every key belongs to one *run* (``REDIS_RUN_ID``), shared by the workers
  scheduled together and expiring after ``REDIS_RUN_TTL``, so each run re-reads
  the listing pages while the workers of a run share the articles;
- a worker takes no more requests from the shared queue than it can download
  at once (``CONCURRENT_REQUESTS`` = ``CONCURRENT_REQUESTS_PER_DOMAIN``);
- a worker closes only when the shared queue is empty and no other worker of
  the run is still busy (busy flags expire, so a killed worker does not hold
  the others forever).
"""

from __future__ import annotations

import logging
import os
import socket
from datetime import UTC, datetime
from typing import Any

from redis import Redis
from redis.exceptions import ResponseError
from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider, NotConfigured
from scrapy.settings import SETTINGS_PRIORITIES, BaseSettings
from scrapy_redis.dupefilter import RFPDupeFilter
from scrapy_redis.scheduler import Scheduler
from twisted.internet import task

from rfi_cn.urls import is_article_url

logger = logging.getLogger(__name__)

KEY_PREFIX = "rfi_cn"


def redis_url(settings: BaseSettings) -> str | None:
    """The Redis URL that switches distributed mode on, if any."""
    return settings.get("REDIS_URL") or os.environ.get("REDIS_URL") or None


def run_id(settings: BaseSettings) -> str:
    """The run the workers share: ``REDIS_RUN_ID``, else the current UTC hour."""
    return settings.get("REDIS_RUN_ID") or datetime.now(UTC).strftime("%Y%m%dT%H")


def run_key(settings: BaseSettings, name: str) -> str:
    """A Redis key of the current run (``rfi_cn:<run>:<name>``)."""
    return f"{KEY_PREFIX}:{run_id(settings)}:{name}"


class DistributedMode:
    """Add-on: with ``REDIS_URL``, swap in the Redis scheduler, seen-set and coordinator."""

    def update_settings(self, settings: BaseSettings) -> None:
        url = redis_url(settings)
        if not url:
            return
        _override(settings, "REDIS_URL", url)
        _override(settings, "REDIS_RUN_ID", run_id(settings))
        _override(settings, "SCHEDULER", "rfi_cn.distributed.RedisScheduler")
        _override(settings, "DUPEFILTER_CLASS", "rfi_cn.distributed.RedisDupeFilter")
        _override(settings, "SCHEDULER_PERSIST", True)
        _override(settings, "SCHEDULER_QUEUE_KEY", run_key(settings, "requests"))
        _override(settings, "SCHEDULER_DUPEFILTER_KEY", run_key(settings, "seen"))
        _override(settings, "CRAWL_STATE_BACKEND", "rfi_cn.state_redis.RedisCrawlState")
        # One host: a worker should not take more from the shared queue than it can download.
        _override(settings, "CONCURRENT_REQUESTS", settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN"))
        extensions = settings.getdict("EXTENSIONS")
        extensions["rfi_cn.distributed.WorkerCoordinator"] = 600
        _override(settings, "EXTENSIONS", extensions)


def _override(settings: BaseSettings, name: str, value: Any) -> None:
    """Set ``name`` over the project's own value (distributed mode changes these knobs)."""
    settings.set(name, value, priority=max(settings.getpriority(name) or 0, SETTINGS_PRIORITIES["addon"]))


class RedisDupeFilter(RFPDupeFilter):
    """The run's shared seen-set, keyed by Scrapy's own request fingerprints."""

    def __init__(self, server: Redis, key: str, debug: bool = False, crawler: Crawler | None = None) -> None:
        super().__init__(server, key, debug)
        self.fingerprinter = crawler.request_fingerprinter if crawler else None

    @classmethod
    def from_spider(cls, spider: Spider) -> RedisDupeFilter:
        settings = spider.crawler.settings
        server = Redis.from_url(redis_url(settings) or "")
        return cls(server, settings["SCHEDULER_DUPEFILTER_KEY"], settings.getbool("DUPEFILTER_DEBUG"), spider.crawler)

    def request_fingerprint(self, request: Request) -> str:
        if self.fingerprinter is None:
            return str(super().request_fingerprint(request))
        return self.fingerprinter.fingerprint(request).hex()

    def close(self, reason: str = "") -> None:
        """Keep the seen-set: other workers of the run still use it (it expires with the run)."""


class RedisScheduler(Scheduler):
    """scrapy-redis's scheduler without deprecated calls, with expiring run keys.

    An article request popped from the shared queue joins this worker's
    *pending* set until the worker closes cleanly (its files are published
    then); a killed worker's pending set is adopted by a survivor.
    """

    def enqueue_request(self, request: Request) -> bool:
        if not request.dont_filter and self.df.request_seen(request):
            self.df.log(request, self.spider)
            return False
        if self.stats:
            self.stats.inc_value("scheduler/enqueued/redis")
        if is_article_url(request.url):  # a retry goes back to the shared queue
            self.server.srem(pending_key(self.spider.crawler), request.url)
        self.queue.push(request)
        return True

    def next_request(self) -> Request | None:
        request: Request | None = self.queue.pop(self.idle_before_close)
        if request is None:
            return None
        if self.stats:
            self.stats.inc_value("scheduler/dequeued/redis")
        if is_article_url(request.url):
            self.server.sadd(pending_key(self.spider.crawler), request.url)
        return request

    def close(self, reason: str) -> None:
        ttl = self.spider.crawler.settings.getint("REDIS_RUN_TTL")
        for key in (self.queue.key, self.df.key):
            self.server.expire(key, ttl)


def worker_name() -> str:
    """This crawl process, unique across the cluster."""
    return f"{socket.gethostname()}:{os.getpid()}"


def pending_key(crawler: Crawler, worker: str | None = None) -> str:
    """The set of article URLs a worker took from the queue and has not yet published."""
    return run_key(crawler.settings, f"pending:{worker or worker_name()}")


class RedisClaims:
    """The article URLs the run has taken on: the first worker to claim one requests it."""

    def __init__(self, server: Redis, key: str, ttl: int) -> None:
        self.server = server
        self.key = key
        self.ttl = ttl

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RedisClaims:
        settings = crawler.settings
        server = Redis.from_url(redis_url(settings) or "", decode_responses=True)
        return cls(server, run_key(settings, "claimed"), settings.getint("REDIS_RUN_TTL"))

    def claim(self, url: str) -> bool:
        pipe = self.server.pipeline()
        pipe.sadd(self.key, url)
        pipe.expire(self.key, self.ttl)
        added, _ = pipe.execute()
        return bool(added)

    def fetching(self, url: str) -> None:
        """Count ``url`` as discovered by the run (it will be requested)."""
        pipe = self.server.pipeline()
        pipe.sadd(f"{self.key}:fetched", url)
        pipe.expire(f"{self.key}:fetched", self.ttl)
        pipe.execute()


class LocalClaims:
    """Single-process claims: a set."""

    def __init__(self) -> None:
        self.urls: set[str] = set()

    def claim(self, url: str) -> bool:
        if url in self.urls:
            return False
        self.urls.add(url)
        return True

    def fetching(self, url: str) -> None:
        """The crawl stats count it (``rfi_cn/articles/discovered``)."""


def claims_for(crawler: Crawler) -> RedisClaims | LocalClaims:
    """Redis claims in distributed mode, a local set otherwise."""
    return RedisClaims.from_crawler(crawler) if redis_url(crawler.settings) else LocalClaims()


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

    COUNTED = ("exported", "rejected", "failed", "unchanged")

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
        for name in self.COUNTED:
            pipe.hincrby(self.stats_key, name, self.crawler.stats.get_value(f"rfi_cn/articles/{name}", 0))
        pipe.expire(self.stats_key, self.run_ttl)
        pipe.delete(self.busy_key, self.alive_key, pending_key(self.crawler))
        pipe.execute()
        totals = run_totals(self.server, self.crawler.settings)
        logger.info("Run %s totals so far, all workers: %s", self.crawler.settings["REDIS_RUN_ID"], totals)


def run_totals(server: Redis, settings: BaseSettings) -> dict[str, int]:
    """The run's accounting across workers: the article URLs requested, and what closed workers published."""
    totals = {str(key): int(value) for key, value in server.hgetall(run_key(settings, "stats")).items()}
    totals["discovered"] = int(server.scard(run_key(settings, "claimed:fetched")))
    return totals
