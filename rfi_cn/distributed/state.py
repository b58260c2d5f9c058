"""The crawl state in Redis: one store that every worker of a cluster shares.

Distributed mode (``REDIS_URL``) selects it through ``CRAWL_STATE_BACKEND``, so
all workers agree on what is already exported. Same interface as the sqlite
store (``rfi_cn.state.store.CrawlState``). Layout, under ``REDIS_STATE_KEY``:
``<key>:article:<id>`` a hash per article, ``<key>:urls`` a hash from the
article's URL key (its decoded path) to its id, ``<key>:retries`` a hash from the URL
key of a failed or rejected article to its retry entry (JSON), ``<key>:meta`` a hash of what
the runs keep about themselves (``last_walk``, ``feed_distrusted``). These keys never expire:
deleting them resets the state, as deleting the sqlite file does.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict, fields

from redis import Redis
from scrapy.settings import BaseSettings

from rfi_cn.distributed import redis_url
from rfi_cn.state.store import KnownArticle, RetryEntry, url_key

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
            modified_at=row["modified_at"],  # absent in hashes written before it was kept
        )

    def record(self, article: KnownArticle) -> None:
        self.record_many([article])

    def record_many(self, articles: Iterable[KnownArticle]) -> None:
        """One MULTI/EXEC for the batch; the articles leave the retry list."""
        pipe = self.server.pipeline()
        for article in articles:
            values = {name: value or "" for name, value in asdict(article).items()}
            pipe.hset(f"{self.key}:article:{article.id}", mapping=values)  # type: ignore[arg-type]
            pipe.hset(f"{self.key}:urls", url_key(article.url), article.id)
            pipe.hdel(f"{self.key}:retries", url_key(article.url))
        if len(pipe):
            pipe.execute()

    def touch(self, article_id: str, seen_at: str, modified_at: str | None = None) -> None:
        if self.server.exists(f"{self.key}:article:{article_id}"):
            self.server.hset(f"{self.key}:article:{article_id}", "last_seen", seen_at)
            if modified_at:
                self.server.hset(f"{self.key}:article:{article_id}", "modified_at", modified_at)
            url = self.server.hget(f"{self.key}:article:{article_id}", "url")
            if url:
                self.server.hdel(f"{self.key}:retries", url_key(str(url)))

    def note_attempts(self, outcomes: Sequence[tuple[str, str]], seen_at: str) -> None:
        """``<key>:retries``: URL key → ``{"url", "reason", "attempts", "last_attempt"}`` (JSON)."""
        if not outcomes:
            return
        keys = [url_key(url) for url, _ in outcomes]
        known = self.server.hmget(f"{self.key}:retries", keys)
        entries = {}
        for key, (url, reason), previous in zip(keys, outcomes, known, strict=True):
            attempts = int(json.loads(str(previous))["attempts"]) if previous else 0
            entries[key] = json.dumps({"url": url, "reason": reason, "attempts": attempts + 1, "last_attempt": seen_at})
        self.server.hset(f"{self.key}:retries", mapping=entries)  # type: ignore[arg-type]

    def retry_candidates(self, max_attempts: int, never: Sequence[str]) -> list[RetryEntry]:
        stored: dict[str, str] = self.server.hgetall(f"{self.key}:retries")  # type: ignore[assignment]
        entries = [json.loads(stored[key]) for key in sorted(stored)]
        return [
            RetryEntry(entry["url"], entry["reason"], int(entry["attempts"]))
            for entry in entries
            if int(entry["attempts"]) <= max_attempts and entry["reason"] not in never
        ]

    def is_empty(self) -> bool:
        return not self.server.exists(f"{self.key}:urls")  # (EXISTS: in the worker ACL, docs/security.md)

    def get_meta(self, name: str) -> str | None:
        value = self.server.hget(f"{self.key}:meta", name)
        return str(value) if value is not None else None

    def set_meta(self, name: str, value: str | None) -> None:
        if value is None:
            self.server.hdel(f"{self.key}:meta", name)
        else:
            self.server.hset(f"{self.key}:meta", name, value)

    def close(self) -> None:
        self.server.close()
