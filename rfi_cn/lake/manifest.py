"""The run manifest: what one run published, written last, atomically.

When every feed file of the run is stored (Scrapy's ``feed_exporter_closed``
signal), ``RunManifest`` writes ``<root>/rfi_cn/_manifests/<job id>.json``
through the same storages as the feeds (hidden temporary file + rename
locally, one upload on S3). A loader takes a run only once its manifest
exists, and can check each listed file's rows, bytes and sha256.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.extensions.feedexport import FeedSlot
from scrapy.utils.defer import ensure_awaitable

from rfi_cn.accounting import article_counts
from rfi_cn.health.extension import RunHealth
from rfi_cn.lake.addon import RECORD_CLASSES, compression_of, job_id, lake_feeds, lake_root, manifest_uri
from rfi_cn.lake.export import published
from rfi_cn.lake.schema import schema_version
from rfi_cn.lake.storages import storage_for

logger = logging.getLogger(__name__)

MANIFEST_VERSION = 1


def file_entry(root: str, kind: str, slot: FeedSlot) -> dict[str, Any]:
    """A stored feed file as the manifest lists it; ``path`` is relative to the lake root."""
    storage = slot.storage
    prefix = f"{lake_root(root)}/"
    path = slot.uri[len(prefix) :] if slot.uri.startswith(prefix) else slot.uri
    return {
        "kind": kind,
        "path": path,
        "rows": slot.itemcount,
        "bytes": getattr(storage, "size", None),
        "sha256": getattr(storage, "sha256", None),
    }


def utc_iso(value: Any) -> str | None:
    if not isinstance(value, datetime):
        return None
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def build_manifest(
    job: str,
    spider: Spider,
    stats: dict[str, Any],
    files: list[dict[str, Any]],
    failed_files: list[dict[str, Any]],
    compression: str | None,
) -> dict[str, Any]:
    """The manifest document of one run, from its stats and the files it stored."""
    rows = {kind: sum(entry["rows"] for entry in files if entry["kind"] == kind) for kind in RECORD_CLASSES}
    articles = article_counts(stats)
    return {
        "manifest_version": MANIFEST_VERSION,
        "job_id": job,
        "spider": spider.name,
        "arguments": dict(getattr(spider, "arguments", {})),
        "started_at": utc_iso(stats.get("start_time")),
        "finished_at": utc_iso(stats.get("finish_time")) or utc_iso(datetime.now(UTC)),
        "finish_reason": stats.get("finish_reason"),
        "schema_version": schema_version(),
        "compression": compression,
        "articles": articles,
        "listings_failed": stats.get("rfi_cn/listings/failed", 0),
        "rows": rows,
        "files": sorted(files, key=lambda entry: entry["path"]),
        "storage_errors": len(failed_files),
        "failed_files": sorted(failed_files, key=lambda entry: entry["path"]),
    }


class RunManifest:
    """Collects each stored lake file, then writes the run manifest once all are stored."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.root: str = crawler.settings.get("DATA_LAKE_URI")
        self.kinds = lake_feeds(crawler.settings)
        self.compression = compression_of(crawler.settings)
        self.files: list[dict[str, Any]] = []
        self.failed_files: list[dict[str, Any]] = []

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RunManifest:
        extension = cls(crawler)
        crawler.signals.connect(extension.feed_slot_closed, signal=signals.feed_slot_closed)
        crawler.signals.connect(extension.feed_exporter_closed, signal=signals.feed_exporter_closed)
        return extension

    def feed_slot_closed(self, slot: FeedSlot) -> None:
        kind = self.kinds.get(slot.uri_template)
        if kind is None:  # a user's own feed (-O), not part of the lake
            return
        entry = file_entry(self.root, kind, slot)
        if published(slot):
            self.files.append(entry)
        else:
            self.failed_files.append(entry)

    async def feed_exporter_closed(self) -> None:
        spider = self.crawler.spider
        assert spider is not None and self.crawler.stats is not None
        job = job_id(spider)
        stats = self.crawler.stats.get_stats()
        manifest = build_manifest(job, spider, stats, self.files, self.failed_files, self.compression)
        uri = manifest_uri(self.root, job)
        health = RunHealth.of(self.crawler)
        if health is not None:  # the final numbers: every lake file is stored by now
            manifest["health"] = health.evaluate(self.failed_files, uri).as_dict()
            manifest["field_coverage"] = health.coverage
        if self.failed_files:
            logger.error("%d lake files could not be stored; see failed_files in %s", len(self.failed_files), uri)
        try:
            await write_atomically(self.crawler, spider, uri, json.dumps(manifest, ensure_ascii=False, indent=2) + "\n")
        except Exception:
            logger.error("The run manifest could not be written: %s", uri, exc_info=True)
            self.crawler.stats.inc_value("rfi_cn/lake/storage_errors")
            self.crawler.stats.set_value("rfi_cn/manifest/failed", 1)
            if health is not None:
                health.manifest_failed()
            return
        self.crawler.stats.set_value("rfi_cn/manifest/files", len(self.files))
        logger.info("Run manifest written: %s", uri)


async def write_atomically(crawler: Crawler, spider: Spider, uri: str, text: str) -> None:
    """Write ``text`` to ``uri`` through the feed storage of its scheme: whole or not at all
    (on an error the temporary file is discarded and the error raised)."""
    storage = storage_for(crawler, uri, {"overwrite": True})
    file = storage.open(spider)
    try:
        file.write(text.encode("utf-8"))
        await ensure_awaitable(storage.store(file))
    except BaseException:
        discard = getattr(storage, "discard", None)
        if discard is not None:
            discard()
        raise
