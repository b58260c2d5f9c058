"""The distributed-mode add-on: with ``REDIS_URL``, swap in the Redis scheduler, seen-set,
claims, crawl state and worker coordinator (see the package docstring)."""

from __future__ import annotations

from typing import Any

from scrapy.settings import SETTINGS_PRIORITIES, BaseSettings

from rfi_cn.distributed import redis_url, run_id, run_key
from rfi_cn.distributed.coordinator import WorkerCoordinator


class DistributedMode:
    """Add-on: with ``REDIS_URL``, swap in the Redis scheduler, seen-set and coordinator."""

    def update_settings(self, settings: BaseSettings) -> None:
        url = redis_url(settings)
        if not url:
            return
        _override(settings, "REDIS_URL", url)
        _override(settings, "REDIS_RUN_ID", run_id(settings))
        _override(settings, "SCHEDULER", "rfi_cn.distributed.scheduler.RedisScheduler")
        _override(settings, "DUPEFILTER_CLASS", "rfi_cn.distributed.scheduler.RedisDupeFilter")
        _override(settings, "SCHEDULER_PERSIST", True)
        # JSON, never pickle: entries are checked before they become requests (serializer.py).
        _override(settings, "SCHEDULER_QUEUE_CLASS", "rfi_cn.distributed.scheduler.JsonPriorityQueue")
        _override(settings, "SCHEDULER_SERIALIZER", "rfi_cn.distributed.serializer")
        _override(settings, "SCHEDULER_QUEUE_KEY", run_key(settings, "requests"))
        _override(settings, "SCHEDULER_DUPEFILTER_KEY", run_key(settings, "seen"))
        _override(settings, "CRAWL_STATE_BACKEND", "rfi_cn.distributed.state.RedisCrawlState")
        _override(settings, "RFI_CLAIMS_BACKEND", "rfi_cn.distributed.claims.RedisClaims")
        _override(settings, "DISTRIBUTED_MODE", True)
        # One host: a worker should not take more from the shared queue than it can download.
        _override(settings, "CONCURRENT_REQUESTS", settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN"))
        settings.set_in_component_priority_dict("EXTENSIONS", WorkerCoordinator, 600)


def _override(settings: BaseSettings, name: str, value: Any) -> None:
    """Set ``name`` over the project's own value (distributed mode changes these knobs)."""
    settings.set(name, value, priority=max(settings.getpriority(name) or 0, SETTINGS_PRIORITIES["addon"]))
