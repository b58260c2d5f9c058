"""The run's shared request queue and seen-set: scrapy-redis's scheduler and dupefilter,
fixed for Scrapy 2.19 (own fingerprints, no deprecated calls, expiring run keys)."""

from __future__ import annotations

from redis import Redis
from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy_redis.dupefilter import RFPDupeFilter
from scrapy_redis.scheduler import Scheduler

from rfi_cn.distributed import pending_key, redis_url
from rfi_cn.site import is_article_url


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
