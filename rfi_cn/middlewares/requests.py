"""Which article requests a page's links become: the one filter between navigation and fetching.

The spider marks the requests it builds: article pages (``meta["rfi_article"]``),
listing pages (``meta["rfi_listing"]``) and a listing's next pages
(``meta["rfi_next_page"]``). ``ArticleRequestFilter``, a spider middleware, lets an
article request through only when

1. its URL's day is within ``-a since=`` / ``-a until=`` (else ``skipped_since`` /
   ``skipped_until``);
2. this run has not claimed it yet: the claims backend (``RFI_CLAIMS_BACKEND``: a
   set here, a Redis set shared by the workers of a run in distributed mode);
3. the crawl state does not know it as exported, unless the change feed's ``lastmod``
   (``meta["rfi_lastmod"]``) says it changed since, or (without one) it is inside the
   refresh window (``skipped_known``, see ``rfi_cn.state.incremental``);

and counts each one it lets through as ``rfi_cn/articles/discovered`` (start
requests too: retries of earlier runs' failures, ``rfi_cn.state.retries``, which
are not dropped as known and also count as ``rfi_cn/articles/retried``): every
discovered article then ends as one outcome (``rfi_cn.accounting``). URLs are
compared by their crawl key (``rfi_cn.site.crawl_key``), and an article request
is made for the crawl key itself; the claims are the articles' only deduplication
(``ArticleDupeFilter``, the project's ``DUPEFILTER_CLASS``, lets article requests by
while it lives in memory; a ``JOBDIR``'s records them, Redis's replaces it). A listing page all of whose articles the
crawl state knows ends its section: its next pages are dropped
(``rfi_cn/listings/stopped_by_state``); so does a listing page that lists an
article the state knows and that is older than the refresh window
(``rfi_cn/listings/stopped_by_known``): listings are newest first, so what
follows it is older still, known already (``RFI_STOP_AT_KNOWN``, default on).
Neither applies after an unclean stop, when every listing is walked again.

After a change feed's page (``rfi_cn.spiders.feed``) it drops the walk when the feed
covers the time since the last run and no walk is due; when the walk follows, its
requests carry the feed's time span (``meta["rfi_feed_span"]``) down to the new articles
it finds, and an exported one published inside the span is one the feed missed
(``rfi_cn/change_feed/missed``; the state then distrusts the feed).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import AsyncIterator
from datetime import date, datetime
from typing import Any, Protocol

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.dupefilters import RFPDupeFilter
from scrapy.http import Response
from scrapy.statscollectors import StatsCollector
from scrapy.utils.misc import load_object

from rfi_cn.items import ArticleItem
from rfi_cn.normalise.dates import first_utc_iso
from rfi_cn.site import InvalidLinkError, article_date, crawl_key
from rfi_cn.state.incremental import Incremental, incremental_for, moment
from rfi_cn.state.resume import previous_stop_was_unclean
from rfi_cn.state.retries import RETRY, retry_requests

FEED = "rfi_feed"  # a change feed's page (rfi_cn.spiders.feed)
WALK = "rfi_walk"  # the walk of the sections after a change feed, dropped when the feed covers the gap
FRONT = "rfi_front"  # the front page: fetching it is a walk of the sections (recorded in the crawl state)
LASTMOD = "rfi_lastmod"  # an article request from a change feed: the feed's lastmod for it
PUBLISHED = "rfi_published"  # ... and its publication time (else lastmod): the feed's time span
SPAN = "rfi_feed_span"  # (oldest, end) of the change feed read before this walk: what it should have listed
ARTICLE = "rfi_article"
LISTING = "rfi_listing"
NEXT_PAGE = "rfi_next_page"

logger = logging.getLogger(__name__)


class Claims(Protocol):
    """The article URLs a run has taken on."""

    def claim(self, url: str) -> bool:
        """True for the first claim of ``url`` in the run."""

    def fetching(self, url: str) -> None:
        """``url`` will be requested (counted by the run)."""

    def claimed(self, url: str) -> bool:
        """Whether this run (or job) has claimed ``url`` already."""


class LocalClaims:
    """Single-process claims: a set of URL digests, kept in the ``JOBDIR``'s spider state
    (``state["article_urls"]``) when there is one.

    A claim holds a 20-byte BLAKE2b digest of the URL (``claim_digest``), not the URL:
    a crawl key is ~150 bytes of percent-encoded Chinese (up to the 2 KB a link may be),
    its digest one 56-byte block whatever the URL, so a backfill of 20,000 articles holds
    ~2 MB less. Exactness: two URLs share a claim only if their 160-bit digests collide;
    among a billion URLs the chance is ~1e-30 (n²/2¹⁶¹), and BLAKE2b is a cryptographic hash,
    so a site cannot craft links that collide (2⁸⁰ work). A 16-byte digest would cost the
    same 56-byte block, so the wider one is free.
    """

    def __init__(self) -> None:
        self.digests: set[bytes] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> LocalClaims:
        claims = cls()
        crawler.signals.connect(claims.spider_opened, signal=signals.spider_opened)
        return claims

    def spider_opened(self, spider: Spider) -> None:
        """With a ``JOBDIR``, the URLs claimed by earlier runs of the job (saved at each clean stop).
        A state saved by a release that kept the URLs themselves is converted to digests."""
        state = getattr(spider, "state", None)
        if state is not None:
            saved = state.get("article_urls", set())
            self.digests |= {entry if isinstance(entry, bytes) else claim_digest(entry) for entry in saved}
            state["article_urls"] = self.digests  # the live set: what the next clean stop saves

    def claim(self, url: str) -> bool:
        digest = claim_digest(url)
        if digest in self.digests:
            return False
        self.digests.add(digest)
        return True

    def fetching(self, url: str) -> None:
        """The crawl stats count it (``rfi_cn/articles/discovered``)."""

    def claimed(self, url: str) -> bool:
        return claim_digest(url) in self.digests


def claim_digest(url: str) -> bytes:
    """The 20-byte BLAKE2b digest ``LocalClaims`` keeps for ``url`` (see its docstring)."""
    return hashlib.blake2b(url.encode("utf-8", "surrogatepass"), digest_size=20).digest()


class ArticleDupeFilter(RFPDupeFilter):
    """Scrapy's dupefilter (``DUPEFILTER_CLASS``), less article requests while it lives in memory:
    the claims (``ArticleRequestFilter.admit``) already made each the run's only request for its
    URL, and the dupefilter would keep its fingerprint a second time (~100 bytes an article: the
    crawl's memory growth). Listings still go through it. With a ``JOBDIR`` its file outlives a
    crash, which the claims (saved at a clean stop) do not: then it records every request, as
    Scrapy's does. In distributed mode Redis's dupefilter replaces it (``rfi_cn.distributed``)."""

    def request_seen(self, request: Request) -> bool:
        if self.file is None and request.meta.get(ARTICLE):
            return False
        return super().request_seen(request)


class ArticleRequestFilter:
    """Spider middleware: since/until, claims and the crawl state, applied to article requests."""

    def __init__(self, crawler: Crawler, claims: Claims, incremental: Incremental, walk_all: bool) -> None:
        assert crawler.stats is not None
        self.crawler = crawler
        self.stats: StatsCollector = crawler.stats
        self.claims = claims
        self.incremental = incremental
        self.walk_all = walk_all  # after an unclean stop, no listing ends a section
        self.stop_at_known = crawler.settings.getbool("RFI_STOP_AT_KNOWN", True)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArticleRequestFilter:
        backend: Any = load_object(crawler.settings["RFI_CLAIMS_BACKEND"])
        walk_all = previous_stop_was_unclean(crawler.settings)  # before this run leaves its marker
        return cls(crawler, backend.from_crawler(crawler), incremental_for(crawler), walk_all)

    async def process_start(self, start: AsyncIterator[Any]) -> AsyncIterator[Any]:
        """First the retries of earlier runs' failed or rejected articles, then the spider's start
        (a change feed's request becomes the walk when the crawl state knows no article yet)."""
        spider: Any = self.crawler.spider
        article_request = getattr(spider, "article_request", None)  # a spider that makes article requests
        for request in retry_requests(spider, article_request) if article_request else []:
            if self.admit(request.url, retry=True):
                yield request
        async for entry in start:
            if _is_marked(entry, FEED):
                if not self.incremental.has_history():
                    entry = spider.front_page_request()  # nothing known: the feed cannot cover, the walk is certain
                else:
                    self.incremental.feed_requested()
            if _is_marked(entry, ARTICLE) and not self.admit(entry.url, retry=RETRY in entry.meta):
                continue
            yield entry

    async def process_spider_output(
        self, response: Response, result: AsyncIterator[Any], spider: Spider | None = None
    ) -> AsyncIterator[Any]:
        output = [_keyed(entry) async for entry in result]
        articles = [entry.url for entry in output if _is_marked(entry, ARTICLE)]
        stop_section = self._stops_section(response, articles)
        skip_walk = self._feed_covers(response, output)
        span = self._walk_span(response)
        for entry in output:
            if skip_walk and _is_marked(entry, WALK):
                continue
            if _is_marked(entry, ARTICLE) and not self.admit(entry.url, RETRY in entry.meta, entry.meta.get(LASTMOD)):
                continue
            if stop_section and _is_marked(entry, NEXT_PAGE):
                continue
            if span and (
                _is_marked(entry, LISTING) or (_is_marked(entry, ARTICLE) and not self.incremental.knows(entry.url))
            ):
                entry.meta[SPAN] = span  # a new article the walk found: did the feed list it?
            if isinstance(entry, ArticleItem):
                self._exported_from(response, entry)
            yield entry

    def _walk_span(self, response: Response) -> Any:
        """On the walk's pages: the time span of the change feed read first (``SPAN``), else ``None``.
        The front page's response also records the walk in the crawl state."""
        span = response.meta.get(SPAN) if _span(response.meta) else None
        if response.meta.get(FRONT):
            self.incremental.walk_started(after_feed=bool(span))
            if span:
                self.stats.inc_value("rfi_cn/change_feed/missed", 0)  # compared: the health check appears
        return span

    def _exported_from(self, response: Response, item: ArticleItem) -> None:
        """An article page's item: the feed's ``lastmod`` goes with it into the crawl state; an
        article the walk found, new, not in the feed, and published inside the feed's time span
        is one the feed missed (``rfi_cn/change_feed/missed``): the crawl state then distrusts it."""
        lastmod = response.meta.get(LASTMOD)
        if moment(lastmod) is not None and item.get("id"):
            self.incremental.note_modified(str(item["id"]), str(lastmod))
        span = _span(response.meta)
        if span is None:
            return
        candidates = item.get("published_at")  # the spider's candidates (the dates pipeline picks later)
        published = moment(first_utc_iso(candidates if isinstance(candidates, list) else [candidates]))
        oldest, end = span
        if published is None or not oldest <= published <= end:
            return
        self.stats.inc_value("rfi_cn/change_feed/missed")
        logger.warning("The change feed did not list %s (published %s): walking every run", item.get("url"), published)
        self.incremental.feed_missed()

    def _feed_covers(self, response: Response, output: list[Any]) -> bool:
        """Whether a change feed's page makes the walk of the sections unnecessary. When the walk
        follows, it carries the feed's time span (``SPAN``): from its oldest publication time to
        this run's ``INCREMENTAL_NOW`` (the clock at its start)."""
        if not response.meta.get(FEED):
            return False
        feed = [entry for entry in output if _is_marked(entry, ARTICLE)]
        if not self.walk_all and self.incremental.covers_since_last_run([entry.url for entry in feed]):
            reason = self.incremental.walk_reason()
            if reason is None:
                self.stats.inc_value("rfi_cn/change_feed/covered")
                return True
            self.stats.inc_value(f"rfi_cn/change_feed/walked/{reason}")
        self.stats.inc_value("rfi_cn/change_feed/walked")
        times = [t for t in (moment(entry.meta.get(PUBLISHED)) for entry in feed) if t is not None]
        if times:
            span = [min(times).isoformat(), self.incremental.now.isoformat()]
            for entry in output:
                if _is_marked(entry, WALK):
                    entry.meta[SPAN] = span
        return False

    def _stops_section(self, response: Response, articles: list[str]) -> bool:
        """Whether the next pages of this listing page are dropped (the crawl state says
        they hold only known articles)."""
        if not response.meta.get(LISTING) or self.walk_all:
            return False
        # Only what earlier runs exported says where they stopped: an article this run has
        # claimed (exported by now, and so known once its file is published) says nothing of
        # the rest of this listing; it sits here because another listing lists it too.
        earlier = [url for url in articles if not self.claims.claimed(url)]
        if not earlier:
            return False
        if self.incremental.all_known(earlier):
            self.stats.inc_value("rfi_cn/listings/stopped_by_state")
            return True
        if self.stop_at_known and self.incremental.reached_known(earlier):
            self.stats.inc_value("rfi_cn/listings/stopped_by_known")
            return True
        return False

    def admit(self, url: str, retry: bool = False, lastmod: str | None = None) -> bool:
        """Whether the article at ``url`` is requested; counts the reason when it is not.
        A ``retry`` (``rfi_cn.state.retries``) is not dropped as known; a known article with
        a change feed's ``lastmod`` is fetched when the feed says it changed since its export."""
        published = article_date(url)
        since: date | None = getattr(self.crawler.spider, "since", None)
        until: date | None = getattr(self.crawler.spider, "until", None)
        if since and published and published < since:
            self.stats.inc_value("rfi_cn/articles/skipped_since")
            return False
        if until and published and published > until:
            self.stats.inc_value("rfi_cn/articles/skipped_until")
            return False
        if not self.claims.claim(url):
            return False
        if not retry and not self.incremental.should_fetch(url, lastmod):
            self.stats.inc_value("rfi_cn/articles/skipped_known")
            return False
        self.claims.fetching(url)
        self.stats.inc_value("rfi_cn/articles/discovered")
        if retry:
            self.stats.inc_value("rfi_cn/articles/retried")
        return True


def _keyed(entry: Any) -> Any:
    """An article request made for its URL's crawl key (the spider's links already are)."""
    if not _is_marked(entry, ARTICLE):
        return entry
    try:
        key = crawl_key(entry.url)
    except InvalidLinkError:
        return entry
    return entry if key == entry.url else entry.replace(url=key)


def _span(meta: dict[str, Any]) -> tuple[datetime, datetime] | None:
    """The change feed's time span a walk's request carries, or ``None`` (absent or malformed:
    meta can come back from a shared queue)."""
    span = meta.get(SPAN)
    if not isinstance(span, list | tuple) or len(span) != 2:
        return None
    oldest, end = moment(span[0]), moment(span[1])
    return (oldest, end) if oldest is not None and end is not None else None


def _is_marked(entry: Any, mark: str) -> bool:
    return isinstance(entry, Request) and bool(entry.meta.get(mark))
