"""The crawl state in Redis: one store that every worker of a cluster shares.

Distributed mode (``REDIS_URL``) selects it through ``CRAWL_STATE_BACKEND``, so
all workers agree on what is already exported. Same interface as the sqlite
store (``rfi_cn.state.store.CrawlState``). Layout, under ``REDIS_STATE_KEY``:
``<key>:article:<id>`` a hash per article, ``<key>:urls`` a hash from the
article's URL key (its decoded path) to its id. These keys never expire:
deleting them resets the state, as deleting the sqlite file does.
"""

from __future__ import annotations

from dataclasses import asdict, fields

from redis import Redis
from scrapy.settings import BaseSettings

from rfi_cn.distributed import redis_url
from rfi_cn.state.store import KnownArticle, url_key

FIELDS = [field.name for field in fields(KnownArticle)]


class RedisCrawlState:
    """Exported articles in Redis hashes; one round trip per lookup or record."""

    def __init__(self, server: Redis, key: str) -> None:
        self.server = server
        self.key = key

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> RedisCrawlState:
        server = Redis.from_url(redis_url(settings) or "", decode_responses=True)
        return cls(server, settings.get("REDIS_STATE_KEY"))

    def lookup_url(self, url: str) -> KnownArticle | None:
        article_id = self.server.hget(f"{self.key}:urls", url_key(url))
        return self.lookup_id(str(article_id)) if article_id is not None else None

    def lookup_id(self, article_id: str) -> KnownArticle | None:
        values = self.server.hmget(f"{self.key}:article:{article_id}", FIELDS)
        if values[0] is None:
            return None
        row = {name: str(value) if value else None for name, value in zip(FIELDS, values, strict=True)}
        return KnownArticle(
            id=str(row["id"]),
            url=str(row["url"]),
            content_hash=str(row["content_hash"]),
            published_at=row["published_at"],  # stored as "" when unknown
            last_seen=str(row["last_seen"]),
        )

    def record(self, article: KnownArticle) -> None:
        values = {name: value or "" for name, value in asdict(article).items()}
        pipe = self.server.pipeline()
        pipe.hset(f"{self.key}:article:{article.id}", mapping=values)  # type: ignore[arg-type]
        pipe.hset(f"{self.key}:urls", url_key(article.url), article.id)
        pipe.execute()

    def touch(self, article_id: str, seen_at: str) -> None:
        if self.server.exists(f"{self.key}:article:{article_id}"):
            self.server.hset(f"{self.key}:article:{article_id}", "last_seen", seen_at)

    def close(self) -> None:
        self.server.close()
