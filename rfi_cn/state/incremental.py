"""Incremental crawling: a scheduled run costs what is new, not what is archived.

``Incremental`` is what the spider and the pipeline ask about the crawl state
(``rfi_cn.state.store``): an article page already exported is not requested again
unless the change feed's ``lastmod`` is later than the ``modified_at`` recorded at its
export or, without both, it was published within the refresh window
(``INCREMENTAL_REFRESH_HOURS`` before ``INCREMENTAL_NOW``, default the clock); a listing
page whose articles are all known ends its section's pagination; whether a run that read
the change feed walks the sections anyway (``walk_reason``: ``RFI_WALK_EVERY_HOURS``, a
distrusted feed; the state's meta ``last_walk`` and ``feed_distrusted``, written here);
how many runs in a row could not use the change feed (``feed_failed_runs``, for the run
health: ``feed_failed_runs()``);
``-a full=1`` ignores the state.
``SkipUnchangedPipeline`` routes out a re-fetched article whose ``content_hash``
did not change (counted as ``rfi_cn/articles/unchanged``), and
``CrawlStateRecorder`` writes every exported article into the state once the
lake file holding it is published (one transaction per file), and nothing else;
rejected and failed article URLs are kept for retries (``rfi_cn.state.retries``).
All three share one state per crawl (``incremental_for``).
"""

from __future__ import annotations

import json
import logging
import weakref
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem, NotConfigured
from scrapy.extensions.feedexport import FeedSlot
from scrapy.statscollectors import StatsCollector

from rfi_cn.items import ArticleItem, FailureItem, RejectItem
from rfi_cn.lake.addon import lake_feeds
from rfi_cn.lake.export import published, row_written
from rfi_cn.normalise.dates import utc_now_iso
from rfi_cn.site import article_date
from rfi_cn.state.store import CrawlState, KnownArticle, open_state

logger = logging.getLogger(__name__)

LAST_WALK = "last_walk"  # state meta: INCREMENTAL_NOW (or the clock) of the last run that walked the sections
FEED_DISTRUSTED = "feed_distrusted"  # state meta: set by a run whose walk found the feed incomplete
FEED_FAILED_RUNS = "feed_failed_runs"  # state meta: runs in a row whose change feed could not be used
FAILED_RUNS_BEFORE = "rfi_cn/change_feed/failed_runs_before"  # stat: that count when this run requested the feed


class UnchangedArticle(DropItem):
    """A re-fetched article whose text is the one already exported: not exported again."""

    def __init__(self, article_id: str) -> None:
        super().__init__(f"unchanged since the last export: {article_id}", log_level="DEBUG")
        self.article_id = article_id


def parse_now(value: str | None) -> datetime:
    """``INCREMENTAL_NOW`` as an aware UTC datetime; empty means the clock."""
    if not value:
        return datetime.now(UTC)
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def moment(value: object) -> datetime | None:
    """An ISO 8601 time with its time of day (a feed's ``lastmod``, a recorded time) as an
    aware UTC datetime; ``None`` when absent, not a string (request meta read back from a
    shared queue), unreadable or a bare date (too coarse to order a change against a fetch)."""
    if not isinstance(value, str) or not 10 < len(value) <= 64:
        return None
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def feed_failed_runs(stats: Mapping[str, Any]) -> int | None:
    """The runs in a row, this one last, whose change feed could not be used: it failed to
    download, was invalid (``rfi_cn/change_feed/failed``, ``/invalid``) or listed no article of
    the run's range (``/articles`` 0: a news sitemap lists the last two days' articles); 0 when
    this run used it; ``None`` when this run did not request it, or stopped before it answered."""
    if FAILED_RUNS_BEFORE not in stats:
        return None
    if stats.get("rfi_cn/change_feed/articles"):
        return 0
    answered = any(f"rfi_cn/change_feed/{name}" in stats for name in ("failed", "invalid", "articles"))
    return int(stats[FAILED_RUNS_BEFORE]) + 1 if answered else None


def in_refresh_window(published_at: str | None, now: datetime, hours: float) -> bool:
    """True when an article published at ``published_at`` may still change: within
    ``hours`` before ``now`` (or after it). An unknown date is outside."""
    if not published_at:
        return False
    return parse_now(published_at) >= now - timedelta(hours=hours)


class Incremental:
    """The crawl state as the spider and the pipelines see it."""

    def __init__(
        self,
        state: CrawlState | None,
        now: datetime,
        refresh_hours: float,
        full: bool = False,
        walk_every_hours: float = 168.0,
        run: str = "",
        stats: StatsCollector | None = None,
    ) -> None:
        self.state = state
        self.now = now
        self.refresh_hours = refresh_hours
        self.full = full
        self.walk_every_hours = walk_every_hours  # RFI_WALK_EVERY_HOURS
        self.run = run  # REDIS_RUN_ID: the workers of one run share it ("" for one process)
        self.stats = stats
        self.modified: dict[str, str] = {}  # article id -> the feed's lastmod, until the article is recorded
        self.walked = False  # this run fetched the front page (the walk of the sections)
        self.compared = False  # ... after a change feed with a time span: its new articles were compared
        self.missed = 0  # new articles the walk found that the feed should have listed

    @property
    def reading(self) -> bool:
        """Whether this run consults the state (not a backfill, and a state exists)."""
        return self.state is not None and not self.full

    def should_fetch(self, url: str, lastmod: str | None = None) -> bool:
        """False for an article already exported, unless it may have changed since: with a
        change feed's ``lastmod`` (and a recorded ``modified_at``), when ``lastmod`` is later;
        otherwise when it was published within the refresh window."""
        if not self.reading:
            return True
        assert self.state is not None
        known = self.state.lookup_url(url)
        if known is None:
            return True
        changed, recorded = moment(lastmod), moment(known.modified_at)
        if changed is not None and recorded is not None:
            return changed > recorded
        return in_refresh_window(known.published_at, self.now, self.refresh_hours)

    def knows(self, url: str) -> bool:
        """Whether an earlier run exported the article at ``url``."""
        if not self.reading:
            return False
        assert self.state is not None
        return self.state.lookup_url(url) is not None

    def has_history(self) -> bool:
        """Whether an earlier run recorded an article (a change feed can only cover what follows one)."""
        if not self.reading:
            return False
        assert self.state is not None
        return not self.state.is_empty()

    def walk_reason(self) -> str | None:
        """Why this run walks the sections although the change feed covers the time since the last
        run, or ``None``: ``walk_every`` when the last walk is older than ``RFI_WALK_EVERY_HOURS``
        (or its time is unknown; 0: every run), ``distrusted`` when a walk found the feed incomplete."""
        if not self.reading:
            return None
        assert self.state is not None
        last = moment(self.state.get_meta(LAST_WALK))
        if last is None or self.walk_every_hours <= 0 or last <= self.now - timedelta(hours=self.walk_every_hours):
            return "walk_every"
        if self.state.get_meta(FEED_DISTRUSTED):
            return "distrusted"
        return None

    def feed_requested(self) -> None:
        """This run requests the change feed: the runs in a row before it that could not use theirs
        go into the stats (``FAILED_RUNS_BEFORE``), for the run health and for ``close``."""
        if self.reading and self.stats is not None:
            assert self.state is not None
            value = self.state.get_meta(FEED_FAILED_RUNS) or ""
            self.stats.set_value(FAILED_RUNS_BEFORE, int(value) if value.isdecimal() and len(value) < 10 else 0)

    def note_modified(self, article_id: str, lastmod: str) -> None:
        """The change feed's ``lastmod`` of an article fetched through it (recorded at its export)."""
        self.modified[article_id] = lastmod

    def walk_started(self, after_feed: bool) -> None:
        """The front page was fetched; ``after_feed``: with a change feed's time span to compare."""
        self.walked = True
        self.compared = self.compared or after_feed

    def feed_missed(self) -> None:
        """The walk found a new article the feed should have listed: the feed is distrusted at once
        (the mark survives a crash; other workers of the run see it), once per run."""
        self.missed += 1
        if self.state is not None and self.missed == 1:
            self._write_meta(FEED_DISTRUSTED, self.run or self.now.isoformat())

    def all_known(self, urls: Iterable[str]) -> bool:
        """True when a listing page lists articles and every one was exported before."""
        if not self.reading:
            return False
        assert self.state is not None
        urls = list(urls)
        return bool(urls) and all(self.state.lookup_url(url) is not None for url in urls)

    def reached_known(self, urls: Iterable[str]) -> bool:
        """True when a listing page lists an article exported before and published before
        the refresh window: in a newest-first listing, every later one is older."""
        if not self.reading:
            return False
        assert self.state is not None
        for url in urls:
            known = self.state.lookup_url(url)
            if known is not None and not in_refresh_window(known.published_at, self.now, self.refresh_hours):
                return True
        return False

    def covers_since_last_run(self, urls: Iterable[str]) -> bool:
        """True when a change feed's articles reach back into what earlier runs saw: an
        article of the feed's oldest day is known."""
        if not self.reading:
            return False
        assert self.state is not None
        days = {url: article_date(url) for url in urls}
        dated = [day for day in days.values() if day is not None]
        if not dated:
            return False
        oldest = min(dated)
        return any(self.state.lookup_url(url) is not None for url, day in days.items() if day == oldest)

    def is_unchanged(self, item: ArticleItem) -> bool:
        """True when the state holds this article with the same content hash."""
        if not self.reading:
            return False
        assert self.state is not None
        known = self.state.lookup_id(item["id"])
        return known is not None and known.content_hash == item.get("content_hash")

    def record_many(self, rows: Iterable[PendingRow]) -> None:
        """Record exported articles (one transaction; ``rows`` is read once, as it goes)."""
        if self.state is not None:
            seen = utc_now_iso()
            now = self.now.isoformat()
            self.state.record_many(
                KnownArticle(*row, last_seen=seen, modified_at=self.modified.pop(row.id, None) or now) for row in rows
            )

    def note_attempts(self, outcomes: Sequence[tuple[str, str]]) -> None:
        """One more failed run for each rejected or failed article ``(url, reason)`` (one transaction)."""
        if self.state is not None and outcomes:
            self.state.note_attempts(outcomes, utc_now_iso())

    def touch(self, article_id: str) -> None:
        if self.state is not None:
            modified = self.modified.pop(article_id, None) or self.now.isoformat()
            self.state.touch(article_id, utc_now_iso(), modified)

    def close(self) -> None:
        """Keep the time of this run's walk and the count of runs in a row whose feed could not be
        used; a walk that compared the feed and found nothing missing lifts the distrust (unless
        another worker of this run set it); then close."""
        if self.state is not None:
            if self.walked:
                self._write_meta(LAST_WALK, self.now.isoformat())
            runs = feed_failed_runs(self.stats.get_stats()) if self.stats is not None else None
            if runs is not None and self.stats is not None and runs != self.stats.get_value(FAILED_RUNS_BEFORE):
                self._write_meta(FEED_FAILED_RUNS, str(runs) if runs else None)
            distrusted = self.state.get_meta(FEED_DISTRUSTED) if self.compared and not self.missed else None
            if distrusted is not None and (not self.run or distrusted != self.run):
                self._write_meta(FEED_DISTRUSTED, None)
            self.state.close()
            self.state = None

    def _write_meta(self, name: str, value: str | None) -> None:
        """A failed write loses nothing but a shortcut (the next run walks)."""
        state = self.state
        assert state is not None
        counted_write(self.stats, f"write of {name}", lambda: state.set_meta(name, value), "the next run walks")


def counted_write(stats: StatsCollector | None, what: str, write: Callable[[], None], cost: str) -> None:
    """A crawl-state write that fails (locked, full, gone) is counted
    (``rfi_cn/state/write_errors``, which the run health reports as ``degraded``) and logged
    with what it ``cost``s, instead of vanishing in a signal handler."""
    try:
        write()
    except Exception:
        if stats is not None:
            stats.inc_value("rfi_cn/state/write_errors")
        logger.error("Crawl state %s failed: %s", what, cost, exc_info=True)


_PER_CRAWLER: weakref.WeakKeyDictionary[Crawler, Incremental] = weakref.WeakKeyDictionary()


def incremental_for(crawler: Crawler) -> Incremental:
    """The crawl's one ``Incremental``, opened on first use (once the spider and the
    settings are final); the spider's ``-a full=1`` makes it a backfill."""
    incremental = _PER_CRAWLER.get(crawler)
    if incremental is None:
        settings = crawler.settings
        state = open_state(settings) if settings.getbool("CRAWL_STATE_ENABLED") else None
        incremental = Incremental(
            state,
            parse_now(settings.get("INCREMENTAL_NOW")),
            settings.getfloat("INCREMENTAL_REFRESH_HOURS"),
            full=bool(getattr(crawler.spider, "full", False)),
            walk_every_hours=settings.getfloat("RFI_WALK_EVERY_HOURS", 168.0),
            run=settings.get("REDIS_RUN_ID") or "",
            stats=crawler.stats,
        )
        _PER_CRAWLER[crawler] = incremental
    return incremental


class SkipUnchangedPipeline:
    """Routes out a refresh-window article whose content hash is the stored one."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SkipUnchangedPipeline:
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        if isinstance(item, ArticleItem) and incremental_for(self.crawler).is_unchanged(item):
            raise UnchangedArticle(item["id"])
        return item


class PendingRow(NamedTuple):
    """What the state needs of an exported article while its lake file is not yet published."""

    id: str
    url: str
    content_hash: str
    published_at: str | None


class CrawlStateRecorder:
    """Extension: writes the crawl state from the rows of published lake files, and only those.

    A record written before its lake file is stored would, after a crash or a storage
    error, mark an article as exported that no reader will ever see (lake files
    appear only when complete). So for each row written to a lake file (the
    ``row_written`` signal of ``rfi_cn.lake.export``) the recorder keeps only what
    the state needs: the ``PendingRow`` (id, url, content hash, date) of an article, packed
    in one bytes object (compact JSON: ~420 bytes with a real-length URL, a tuple of four
    strings was ~650; a whole 5,000-row file waits), the URL and reason of a reject or an
    article failure. When the file is published,
    its rows go into the state in one transaction, unpacked as the store consumes them
    (``rfi_cn.state.store.RECORD_CHUNK_ROWS`` rows a statement: building a whole
    5,000-row file's rows at once was the crawl's memory peak): articles become known
    (and leave the retry list), rejected and failed URLs gain an attempt. A file that
    was not published, or whose transaction fails, records nothing, so its articles
    are fetched (and exported) again next run.

    When the lake's article feed is replaced (``-O``, ``-o``, the user's own ``FEEDS``,
    ``DATA_LAKE_ENABLED=False``) the articles are not in the lake: the state is not
    written at all in that run (it is still read), and this is logged once.
    """

    def __init__(self, crawler: Crawler, writing: bool = True) -> None:
        self.crawler = crawler
        self.writing = writing
        self.kinds = lake_feeds(crawler.settings)
        self.articles: dict[FeedSlot, list[bytes]] = {}  # packed PendingRows (see ``pending``)
        self.attempts: dict[FeedSlot, list[tuple[str, str]]] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlStateRecorder:
        if not crawler.settings.getbool("CRAWL_STATE_ENABLED"):
            raise NotConfigured
        feeds = crawler.settings.getdict("FEEDS")
        writing = any(kind == "articles" and uri in feeds for uri, kind in lake_feeds(crawler.settings).items())
        if not writing:
            logger.warning(
                "The lake's article feed is replaced by other feeds (-O/-o/FEEDS) or off: "
                "the crawl state is not written in this run, so later runs fetch these articles again"
            )
        extension = cls(crawler, writing)
        if writing:
            crawler.signals.connect(extension.row_written, signal=row_written)
            crawler.signals.connect(extension.item_dropped, signal=signals.item_dropped)
            crawler.signals.connect(extension.feed_slot_closed, signal=signals.feed_slot_closed)
        crawler.signals.connect(extension.feed_exporter_closed, signal=signals.feed_exporter_closed)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def row_written(self, item: Any, slot: FeedSlot) -> None:
        if isinstance(item, ArticleItem):
            row = (item["id"], item["url"], item["content_hash"], item.get("published_at"))
            self.articles.setdefault(slot, []).append(json.dumps(row, separators=(",", ":")).encode())
        elif isinstance(item, RejectItem | FailureItem) and item.get("url"):
            if isinstance(item, FailureItem) and item.get("kind") != "article":
                return
            self.attempts.setdefault(slot, []).append((item["url"], str(item.get("reason"))))

    def item_dropped(self, item: Any, exception: BaseException) -> None:
        if isinstance(exception, UnchangedArticle):
            self._write("touch", lambda: incremental_for(self.crawler).touch(exception.article_id))

    def feed_slot_closed(self, slot: FeedSlot) -> None:
        articles = self.articles.pop(slot, [])
        attempts = self.attempts.pop(slot, [])
        if published(slot):
            incremental = incremental_for(self.crawler)
            self._write("record", lambda: incremental.record_many(_unpacked(articles)))
            self._write("attempts", lambda: incremental.note_attempts(attempts))

    def pending(self, slot: FeedSlot) -> list[PendingRow]:
        """The article rows waiting for ``slot``'s file to be published."""
        return list(_unpacked(self.articles.get(slot, [])))

    def _write(self, what: str, write: Callable[[], None]) -> None:
        """A state write that fails loses no article: the next run fetches and exports it again."""
        counted_write(self.crawler.stats, what, write, "the next run fetches these articles again")

    def feed_exporter_closed(self) -> None:
        incremental_for(self.crawler).close()

    def spider_closed(self) -> None:
        if not self.crawler.settings.getdict("FEEDS"):  # no feed exporter: nothing is published
            incremental_for(self.crawler).close()


def _unpacked(rows: Iterable[bytes]) -> Iterator[PendingRow]:
    """``PendingRow``s from the recorder's packed rows (JSON is exact for strings and None:
    ``ensure_ascii`` escapes even a lone surrogate)."""
    return (PendingRow(*json.loads(row)) for row in rows)
