"""Where records go: the data lake feeds and their URI parameters.

``DataLakeFeeds`` is a Scrapy add-on that adds three feeds under
``DATA_LAKE_URI``: articles, rejects and failures, each in crawl-date
partitions (``<root>/rfi_cn/<kind>/dt=YYYY-MM-DD/part-<job id>-<batch>.jsonl``).
Feeds given by the user (``-O out.jsonl``, ``FEEDS``) receive the articles
instead of the lake's article feed; rejects and failures still go to the lake,
so nothing is lost.

The add-on also installs the lake's contract: a feed exporter that counts the rows
it really wrote and publishes only whole files (``rfi_cn.lake.export``), storages
that publish a file only when complete (``rfi_cn.lake.storages``; a lake root on any
other scheme is refused unless ``DATA_LAKE_ALLOW_NON_ATOMIC``), optional gzip
(``DATA_LAKE_COMPRESSION``, ``.jsonl.gz``) and the run manifest written last
(``rfi_cn.lake.manifest``). The contract: ``docs/lake.md``.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlparse

from scrapy import Spider
from scrapy.extensions.feedexport import FeedExporter
from scrapy.settings import SETTINGS_PRIORITIES, BaseSettings
from scrapy.utils.misc import load_object

from rfi_cn.names import scheduled_job

ARTICLE_CLASS = "rfi_cn.items.ArticleItem"
RECORD_CLASSES = {
    "articles": ARTICLE_CLASS,
    "rejects": "rfi_cn.items.RejectItem",
    "failures": "rfi_cn.items.FailureItem",
}
PART_NAME = "part-%(job_id)s-%(batch_id)05d.jsonl"
COMPRESSIONS = {None: ("", []), "gzip": (".gz", ["scrapy.extensions.postprocessing.GzipPlugin"])}
STORAGES = {
    "": "rfi_cn.lake.storages.AtomicFileFeedStorage",
    "file": "rfi_cn.lake.storages.AtomicFileFeedStorage",
    "s3": "rfi_cn.lake.storages.ChecksumS3FeedStorage",
}
# Scrapy's feed exporter is replaced by one that counts written rows and publishes only whole files.
LAKE_JSONLINES = "rfi_cn.lake.export.LakeJsonLinesExporter"


def lake_uri(root: str, kind: str, compression: str | None = None) -> str:
    """The feed URI template of one record kind under the lake ``root``."""
    suffix, _ = COMPRESSIONS[compression]
    return f"{lake_root(root)}/rfi_cn/{kind}/dt=%(crawl_date)s/{PART_NAME}{suffix}"


def lake_root(root: str | None) -> str:
    return (root or "data").rstrip("/")


def manifest_uri(root: str, job: str) -> str:
    """Where the manifest of run ``job`` goes: ``<root>/rfi_cn/_manifests/<job>.json``."""
    return f"{lake_root(root)}/rfi_cn/_manifests/{job}.json"


def lake_feeds(settings: BaseSettings) -> dict[str, str]:
    """The lake's feed URI templates and the record kind each holds."""
    root = settings.get("DATA_LAKE_URI")
    compression = compression_of(settings)
    return {lake_uri(root, kind, compression): kind for kind in RECORD_CLASSES}


def compression_of(settings: BaseSettings) -> str | None:
    """``DATA_LAKE_COMPRESSION``: ``None`` (plain ``.jsonl``) or ``"gzip"`` (``.jsonl.gz``)."""
    compression = settings.get("DATA_LAKE_COMPRESSION") or None
    if compression not in COMPRESSIONS:
        raise ValueError(f"DATA_LAKE_COMPRESSION must be one of {sorted(map(str, COMPRESSIONS))}: {compression!r}")
    return compression


def job_id(spider: Spider) -> str:
    """Scrapyd's job id when scheduled there (it passes ``-a _job=<id>``), else one
    made from the start time and pid. A given id must be a safe name (``rfi_cn.names``)."""
    scheduled = scheduled_job(spider, spider.settings)  # a safe name, or UnsafeNameError (rfi_cn/names.py)
    if scheduled:
        return scheduled
    return f"{_start_time(spider):%Y%m%dT%H%M%SZ}-{os.getpid()}"


def uri_params(params: dict[str, Any], spider: Spider) -> dict[str, Any]:
    """``FEED_URI_PARAMS``: the crawl date partition and the job id."""
    return {**params, "crawl_date": f"{_start_time(spider):%Y-%m-%d}", "job_id": job_id(spider)}


def _start_time(spider: Spider) -> datetime:
    assert spider.crawler.stats is not None
    started = spider.crawler.stats.get_value("start_time")
    if isinstance(started, datetime):
        return started.astimezone(UTC)
    return datetime.now(UTC)


class DataLakeFeeds:
    """Add-on: route articles, rejects and failures into the lake partitions."""

    def update_settings(self, settings: BaseSettings) -> None:
        if _feeds_switched_off(settings):
            return
        from rfi_cn.lake.export import LakeFeedExporter  # here: the exporter module imports this one

        settings.set_in_component_priority_dict("EXTENSIONS", FeedExporter, None)
        settings.set_in_component_priority_dict("EXTENSIONS", LakeFeedExporter, 0)
        exporters = settings["FEED_EXPORTERS"]
        for name in ("jsonlines", "jsonl", "jl"):
            if name not in exporters:  # a project's own exporter wins
                exporters[name] = LAKE_JSONLINES
        if not settings.getbool("DATA_LAKE_ENABLED", True):
            return
        refuse_non_atomic(settings)
        feeds = _articles_only(settings.getdict("FEEDS"))
        user_feeds = bool(feeds)
        _, postprocessing = COMPRESSIONS[compression_of(settings)]
        for uri, kind in lake_feeds(settings).items():
            if kind == "articles" and user_feeds:
                continue
            feeds[uri] = {
                "format": "jsonlines",
                "encoding": "utf-8",
                "item_classes": [RECORD_CLASSES[kind]],
                "overwrite": True,  # a part file is one batch of one run: never appended to
                **({"postprocessing": postprocessing, "gzip_filename": ""} if postprocessing else {}),
            }
        priority = max(settings.getpriority("FEEDS") or 0, 40)
        settings.set("FEEDS", feeds, priority=priority)
        storages = settings["FEED_STORAGES"]
        for scheme, storage in STORAGES.items():
            if scheme not in storages:  # a project's own storage wins
                storages[scheme] = storage
        from rfi_cn.lake.manifest import RunManifest  # here: the manifest module imports this one

        settings.set_in_component_priority_dict("EXTENSIONS", RunManifest, 600)


def writes_manifest(settings: BaseSettings) -> bool:
    """Whether this run writes a run manifest (the add-on enabled ``RunManifest``)."""
    from rfi_cn.lake.manifest import RunManifest  # here: the manifest module imports this one

    enabled = settings.getwithbase("EXTENSIONS")
    return any(
        (load_object(key) if isinstance(key, str) else key) is RunManifest and priority is not None
        for key, priority in enabled.items()
    )


def refuse_non_atomic(settings: BaseSettings) -> None:
    """A lake root whose scheme has no storage that publishes whole files (``STORAGES``:
    local files, S3) is refused unless ``DATA_LAKE_ALLOW_NON_ATOMIC`` is set: on ftp://
    or gs:// a reader could see a partial file."""
    scheme = urlparse(lake_root(settings.get("DATA_LAKE_URI"))).scheme
    if len(scheme) == 1:  # a Windows drive letter
        scheme = ""
    if scheme not in STORAGES and not settings.getbool("DATA_LAKE_ALLOW_NON_ATOMIC"):
        raise ValueError(
            f"DATA_LAKE_URI scheme {scheme!r} has no atomic storage (only {sorted(STORAGES)}): "
            "set DATA_LAKE_ALLOW_NON_ATOMIC=True to write there anyway"
        )


def _feeds_switched_off(settings: BaseSettings) -> bool:
    """FEEDS emptied above the project's priority: ``scrapy check`` does so, as its
    callbacks' output is discarded; a lake (and a run manifest) would only mislead."""
    return not settings.getdict("FEEDS") and (settings.getpriority("FEEDS") or 0) > SETTINGS_PRIORITIES["project"]


def _articles_only(feeds: dict[str, Any]) -> dict[str, Any]:
    """User feeds get the articles only (unless they filter themselves), in one file
    unless their URI names a batch."""
    result = {}
    for uri, options in feeds.items():
        options = dict(options or {})
        if not options.get("item_classes") and not options.get("item_filter"):
            options["item_classes"] = [ARTICLE_CLASS]
        if "%(batch_id)" not in str(uri) and "%(batch_time)" not in str(uri):
            options.setdefault("batch_item_count", 0)
        result[str(uri)] = options
    return result
