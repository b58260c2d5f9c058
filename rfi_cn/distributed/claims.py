"""Claims across the workers of a run: the first worker to claim an article URL requests it."""

from __future__ import annotations

from redis import Redis
from scrapy.crawler import Crawler

from rfi_cn.distributed import redis_url, run_key


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

    def claimed(self, url: str) -> bool:
        """Whether a worker of the run has claimed ``url``."""
        return bool(self.server.sismember(self.key, url))

    def fetching(self, url: str) -> None:
        """Count ``url`` as discovered by the run (it will be requested)."""
        pipe = self.server.pipeline()
        pipe.sadd(f"{self.key}:fetched", url)
        pipe.expire(f"{self.key}:fetched", self.ttl)
        pipe.execute()
