"""The run's shared request queue and seen-set: scrapy-redis's scheduler and dupefilter,
fixed for Scrapy 2.19 (own fingerprints, no deprecated calls, expiring run keys), with
requests stored as JSON, never pickle (``rfi_cn.distributed.serializer``)."""

from __future__ import annotations

import logging

from redis import Redis
from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy_redis.dupefilter import RFPDupeFilter
from scrapy_redis.queue import PriorityQueue
from scrapy_redis.scheduler import Scheduler

from rfi_cn.distributed import pending_key, redis_url
from rfi_cn.distributed.serializer import BadRequestDataError, request_from_data, request_to_data
from rfi_cn.site import is_article_url

logger = logging.getLogger(__name__)

BAD_REQUESTS = "rfi_cn/distributed/bad_requests"


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


class JsonPriorityQueue(PriorityQueue):
    """scrapy-redis's priority queue, its entries JSON written and read by ``serializer``
    (whatever ``SCHEDULER_SERIALIZER`` says): a bad entry raises ``BadRequestDataError``."""

    def _encode_request(self, request: Request) -> bytes:
        return request_to_data(request, self.spider)

    def _decode_request(self, encoded_request: bytes) -> Request:
        return request_from_data(encoded_request, self.spider)


class RedisScheduler(Scheduler):
    """scrapy-redis's scheduler without deprecated calls, with expiring run keys.

    An article request popped from the shared queue joins this worker's
    *pending* set until the worker closes cleanly (its files are published
    then); a killed worker's pending set is adopted by a survivor.

    An entry that is not a request this crawler wrote (``BadRequestDataError``: pickle,
    foreign JSON, a disallowed callback) is dropped from the queue, logged and counted
    in ``rfi_cn/distributed/bad_requests``; the worker carries on with the next one.
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
        while True:
            try:
                request: Request | None = self.queue.pop(self.idle_before_close)
            except BadRequestDataError as error:  # already removed from the queue by the pop
                logger.warning("Dropped a bad entry of the Redis request queue %s: %s", self.queue.key, error)
                if self.stats:
                    self.stats.inc_value(BAD_REQUESTS)
                continue
            break
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
