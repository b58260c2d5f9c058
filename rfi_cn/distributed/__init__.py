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

import os
import socket
from datetime import UTC, datetime

from scrapy.crawler import Crawler
from scrapy.settings import BaseSettings

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


def worker_name() -> str:
    """This crawl process, unique across the cluster."""
    return f"{socket.gethostname()}:{os.getpid()}"


def pending_key(crawler: Crawler, worker: str | None = None) -> str:
    """The set of article URLs a worker took from the queue and has not yet published."""
    return run_key(crawler.settings, f"pending:{worker or worker_name()}")
