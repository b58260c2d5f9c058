"""The persistent crawl state: every article a run has exported, and the article
URLs that failed or were rejected (to be requested again).

A scheduled run reads it to skip what it already has (see ``rfi_cn.state.incremental``)
and records each exported article in it, one transaction per published lake file
(``record_many``). Failed and rejected article URLs are kept with their reason and
attempt count (``note_attempts``); the next runs request them again (``retry_candidates``,
``rfi_cn.state.retries``) until they are exported, seen unchanged, or out of tries. ``CrawlState`` is the interface;
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
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from itertools import islice
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
    # What the exported text is as of: the change feed's ``lastmod`` when the article came
    # through it, else the run's time. ``None`` in rows written before it was kept.
    modified_at: str | None = None


@dataclass(frozen=True)
class RetryEntry:
    """An article URL that failed or was rejected: the last reason, and in how many runs."""

    url: str
    reason: str
    attempts: int


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

    def record_many(self, articles: Iterable[KnownArticle]) -> None:
        """Remember exported articles in one transaction; they leave the retry list. ``articles``
        may be a generator: it is consumed once, a few hundred rows at a time."""
        ...

    def touch(self, article_id: str, seen_at: str, modified_at: str | None = None) -> None:
        """Note that a known article was seen again, unchanged (it leaves the retry list);
        ``modified_at``, when given, replaces the recorded one."""
        ...

    def is_empty(self) -> bool:
        """True when no article was ever recorded."""
        ...

    def get_meta(self, name: str) -> str | None:
        """A value the runs keep about themselves (``last_walk``, ``feed_distrusted``), or ``None``."""
        ...

    def set_meta(self, name: str, value: str | None) -> None:
        """Keep (or, with ``None``, forget) a value about the runs."""
        ...

    def note_attempts(self, outcomes: Sequence[tuple[str, str]], seen_at: str) -> None:
        """One more failed run for each ``(url, reason)``, in one transaction."""
        ...

    def retry_candidates(self, max_attempts: int, never: Sequence[str]) -> list[RetryEntry]:
        """URLs that failed in at most ``max_attempts`` runs, for a reason not in ``never``."""
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
    last_seen TEXT NOT NULL,
    modified_at TEXT
);
CREATE INDEX IF NOT EXISTS articles_url_key ON articles (url_key);
CREATE TABLE IF NOT EXISTS retries (
    url_key TEXT PRIMARY KEY,
    url TEXT NOT NULL,
    reason TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    last_attempt TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS meta (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
"""
_UPSERT = (
    "INSERT INTO articles (id, url, url_key, content_hash, published_at, last_seen, modified_at)"
    " VALUES (:id, :url, :url_key, :content_hash, :published_at, :last_seen, :modified_at)"
    " ON CONFLICT (id) DO UPDATE SET url = excluded.url,"
    " url_key = excluded.url_key, content_hash = excluded.content_hash,"
    " published_at = excluded.published_at, last_seen = excluded.last_seen,"
    " modified_at = excluded.modified_at"
)
# Rows built per statement of ``record_many``: a published lake file (5,000 articles) is one
# transaction, not 5,000 rows built at once (~0.9 KB each: the crawl's memory peak).
RECORD_CHUNK_ROWS = 500


def _rows(articles: Iterator[KnownArticle]) -> list[dict[str, Any]]:
    """The next ``RECORD_CHUNK_ROWS`` articles as statement parameters."""
    return [{**asdict(article), "url_key": url_key(article.url)} for article in islice(articles, RECORD_CHUNK_ROWS)]


_COLUMNS = "id, url, content_hash, published_at, last_seen, modified_at"


class SqliteCrawlState:
    """The crawl state in one sqlite file (WAL mode, busy timeout)."""

    def __init__(self, path: str | Path, timeout: float = 30.0, cache_kib: int = 512) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.connection = sqlite3.connect(self.path, timeout=timeout, isolation_level=None)
        self.connection.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
        self.connection.execute("PRAGMA journal_mode = WAL")
        self.connection.execute("PRAGMA synchronous = NORMAL")
        # SQLite's page cache (2 MiB by default) fills as the run records its first file and then
        # stays: a fixed cost, but part of the crawl's memory growth; the OS caches the file anyway.
        self.connection.execute(f"PRAGMA cache_size = {-max(64, int(cache_kib))}")
        self.connection.executescript(_SCHEMA)
        columns = {row[1] for row in self.connection.execute("PRAGMA table_info(articles)")}
        if "modified_at" not in columns:  # a state file written before the column existed: its rows read NULL
            try:
                self.connection.execute("ALTER TABLE articles ADD COLUMN modified_at TEXT")
            except sqlite3.OperationalError as exc:  # another job added it meanwhile; else (locked...) stop here
                if "duplicate column" not in str(exc):
                    raise

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> SqliteCrawlState:
        return cls(
            settings.get("CRAWL_STATE_PATH"),
            settings.getfloat("CRAWL_STATE_TIMEOUT", 30.0),
            settings.getint("CRAWL_STATE_CACHE_KIB", 512),
        )

    def lookup_url(self, url: str) -> KnownArticle | None:
        row = self.connection.execute(
            f"SELECT {_COLUMNS} FROM articles WHERE url_key = ? ORDER BY last_seen DESC LIMIT 1", (url_key(url),)
        ).fetchone()
        return KnownArticle(*row) if row else None

    def lookup_id(self, article_id: str) -> KnownArticle | None:
        row = self.connection.execute(f"SELECT {_COLUMNS} FROM articles WHERE id = ?", (article_id,)).fetchone()
        return KnownArticle(*row) if row else None

    def record(self, article: KnownArticle) -> None:
        self.record_many([article])

    def record_many(self, articles: Iterable[KnownArticle]) -> None:
        articles = iter(articles)
        rows = _rows(articles)
        if not rows:
            return
        with self._transaction():
            while rows:
                self.connection.executemany(_UPSERT, rows)
                self.connection.executemany("DELETE FROM retries WHERE url_key = :url_key", rows)
                rows = _rows(articles)

    def touch(self, article_id: str, seen_at: str, modified_at: str | None = None) -> None:
        with self._transaction():
            self.connection.execute(
                "UPDATE articles SET last_seen = ?, modified_at = coalesce(?, modified_at) WHERE id = ?",
                (seen_at, modified_at, article_id),
            )
            self.connection.execute(
                "DELETE FROM retries WHERE url_key IN (SELECT url_key FROM articles WHERE id = ?)", (article_id,)
            )

    def note_attempts(self, outcomes: Sequence[tuple[str, str]], seen_at: str) -> None:
        if not outcomes:
            return
        with self._transaction():
            self.connection.executemany(
                "INSERT INTO retries (url_key, url, reason, attempts, last_attempt) VALUES (?, ?, ?, 1, ?)"
                " ON CONFLICT (url_key) DO UPDATE SET url = excluded.url, reason = excluded.reason,"
                " attempts = retries.attempts + 1, last_attempt = excluded.last_attempt",
                [(url_key(url), url, reason, seen_at) for url, reason in outcomes],
            )

    def retry_candidates(self, max_attempts: int, never: Sequence[str]) -> list[RetryEntry]:
        rows = self.connection.execute(
            "SELECT url, reason, attempts FROM retries WHERE attempts <= ? ORDER BY url_key", (max_attempts,)
        ).fetchall()
        return [RetryEntry(*row) for row in rows if row[1] not in never]

    def is_empty(self) -> bool:
        return self.connection.execute("SELECT 1 FROM articles LIMIT 1").fetchone() is None

    def get_meta(self, name: str) -> str | None:
        row = self.connection.execute("SELECT value FROM meta WHERE name = ?", (name,)).fetchone()
        return str(row[0]) if row else None

    def set_meta(self, name: str, value: str | None) -> None:
        if value is None:
            self.connection.execute("DELETE FROM meta WHERE name = ?", (name,))
        else:
            self.connection.execute(
                "INSERT INTO meta (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                (name, value),
            )

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        """One write transaction (the connection is in autocommit mode otherwise)."""
        self.connection.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.connection.execute("ROLLBACK")
            raise
        self.connection.execute("COMMIT")

    def close(self) -> None:
        self.connection.close()
