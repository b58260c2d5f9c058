"""The persistent crawl state: every article a run has exported.

A scheduled run reads it to skip what it already has (see ``rfi_cn.state.incremental``)
and records each exported article in it. ``CrawlState`` is the interface;
``SqliteCrawlState`` (standard library ``sqlite3``) the default backend, chosen by
``CRAWL_STATE_BACKEND`` so another store (e.g. Redis, shared by several hosts)
can be added behind the same interface. Deleting the file resets the state.

Two jobs may share one state: the database runs in WAL mode (readers never block
the writer) and a writer waits up to ``CRAWL_STATE_TIMEOUT`` seconds for the
other's short write transaction instead of failing.
"""

from __future__ import annotations

import contextlib
import sqlite3
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import unquote, urlsplit

from scrapy.settings import BaseSettings
from scrapy.utils.misc import load_object

from rfi_cn.site import InvalidLinkError, crawl_key


@dataclass(frozen=True)
class KnownArticle:
    """What the state remembers of one exported article."""

    id: str
    url: str
    content_hash: str
    published_at: str | None
    last_seen: str


class CrawlState(Protocol):
    """A store of exported articles, keyed by id and findable by URL."""

    def lookup_url(self, url: str) -> KnownArticle | None:
        """The article exported from ``url`` (on any origin), or ``None``."""
        ...

    def lookup_id(self, article_id: str) -> KnownArticle | None:
        """The article exported with ``article_id``, or ``None``."""
        ...

    def record(self, article: KnownArticle) -> None:
        """Remember an exported article (replaces what was known of its id)."""
        ...

    def touch(self, article_id: str, seen_at: str) -> None:
        """Note that a known article was seen again, unchanged."""
        ...

    def close(self) -> None: ...


def url_key(url: str) -> str:
    """The part of an article URL that names it on any origin: the decoded path of its
    crawl key (``rfi_cn.site.crawl_key``), without a trailing slash.

    Same format as before the crawl key existed (the decoded path of the URL
    fetched): keys already in a state file are the keys of their articles'
    crawl keys, so old state files need no migration; variant spellings
    (escapes, ``%61``, dot segments, queries) now meet on the same key.
    """
    with contextlib.suppress(InvalidLinkError):
        url = crawl_key(url)
    return unquote(urlsplit(url).path).rstrip("/")


def open_state(settings: BaseSettings) -> CrawlState:
    """The backend named by ``CRAWL_STATE_BACKEND``, built from the settings."""
    backend: Any = load_object(settings.get("CRAWL_STATE_BACKEND"))
    state: CrawlState = backend.from_settings(settings)
    return state


_SCHEMA = """
CREATE TABLE IF NOT EXISTS articles (
    id TEXT PRIMARY KEY,
    url TEXT NOT NULL,
    url_key TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    published_at TEXT,
    last_seen TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS articles_url_key ON articles (url_key);
"""
_COLUMNS = "id, url, content_hash, published_at, last_seen"


class SqliteCrawlState:
    """The crawl state in one sqlite file (WAL mode, busy timeout)."""

    def __init__(self, path: str | Path, timeout: float = 30.0) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.connection = sqlite3.connect(self.path, timeout=timeout, isolation_level=None)
        self.connection.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
        self.connection.execute("PRAGMA journal_mode = WAL")
        self.connection.execute("PRAGMA synchronous = NORMAL")
        self.connection.executescript(_SCHEMA)

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> SqliteCrawlState:
        return cls(settings.get("CRAWL_STATE_PATH"), settings.getfloat("CRAWL_STATE_TIMEOUT", 30.0))

    def lookup_url(self, url: str) -> KnownArticle | None:
        row = self.connection.execute(
            f"SELECT {_COLUMNS} FROM articles WHERE url_key = ? ORDER BY last_seen DESC LIMIT 1", (url_key(url),)
        ).fetchone()
        return KnownArticle(*row) if row else None

    def lookup_id(self, article_id: str) -> KnownArticle | None:
        row = self.connection.execute(f"SELECT {_COLUMNS} FROM articles WHERE id = ?", (article_id,)).fetchone()
        return KnownArticle(*row) if row else None

    def record(self, article: KnownArticle) -> None:
        self.connection.execute(
            "INSERT INTO articles (id, url, url_key, content_hash, published_at, last_seen)"
            " VALUES (:id, :url, :url_key, :content_hash, :published_at, :last_seen)"
            " ON CONFLICT (id) DO UPDATE SET url = excluded.url,"
            " url_key = excluded.url_key, content_hash = excluded.content_hash,"
            " published_at = excluded.published_at, last_seen = excluded.last_seen",
            {**asdict(article), "url_key": url_key(article.url)},
        )

    def touch(self, article_id: str, seen_at: str) -> None:
        self.connection.execute("UPDATE articles SET last_seen = ? WHERE id = ?", (seen_at, article_id))

    def close(self) -> None:
        self.connection.close()
