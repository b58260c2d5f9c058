"""What ``scrapy check``, ``parse`` and ``shell`` share: they look, they never write.

They fetch through the same download handler as a crawl (``RFI_BASE_URL`` and every
other ``-s`` setting hold), but write nothing a crawl relies on: no lake files, no run
manifest (``DATA_LAKE_ENABLED``), no crawl state (``CRAWL_STATE_ENABLED``, which also
means an article already exported is fetched and shown again), and no run health or
its notifications (``HEALTH_ENABLED``, ``SPIDERMON_ENABLED``): there is no run to judge. These settings are set
above the command line, so no ``-s`` turns writing back on.
"""

from __future__ import annotations

from scrapy.settings import BaseSettings

READ_ONLY = {
    "DATA_LAKE_ENABLED": False,
    "CRAWL_STATE_ENABLED": False,
    "HEALTH_ENABLED": False,
    "SPIDERMON_ENABLED": False,
}


def read_only(settings: BaseSettings) -> None:
    for name, value in READ_ONLY.items():
        settings.set(name, value, priority=100)  # above "cmdline" (40): -s cannot undo it
