"""The atomic local feed storage and the lake URIs, without the engine."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from scrapy.settings import Settings

from rfi_cn.lake.addon import DataLakeFeeds, lake_feeds, manifest_uri
from rfi_cn.lake.manifest import RunManifest
from rfi_cn.lake.storages import AtomicFileFeedStorage


def test_a_file_appears_only_when_stored(tmp_path: Path) -> None:
    final = tmp_path / "dt=2025-11-30" / "part-j-00001.jsonl"
    storage = AtomicFileFeedStorage(str(final), feed_options={"overwrite": True})
    file = storage.open(None)  # type: ignore[arg-type]  # the spider is not used
    file.write(b'{"id": "A"}\n')
    assert [path.name for path in final.parent.iterdir()] == [".part-j-00001.jsonl.tmp"]
    storage.store(file)
    assert [path.name for path in final.parent.iterdir()] == ["part-j-00001.jsonl"]
    assert final.read_bytes() == b'{"id": "A"}\n'
    assert (storage.stored, storage.size, storage.sha256) == (True, 12, hashlib.sha256(b'{"id": "A"}\n').hexdigest())


def test_overwrite_replaces_and_append_keeps_the_old_content(tmp_path: Path) -> None:
    final = tmp_path / "out.jsonl"
    final.write_bytes(b"old\n")
    for options, expected in (({"overwrite": False}, b"old\nnew\n"), ({"overwrite": True}, b"new\n")):
        final.write_bytes(b"old\n")
        storage = AtomicFileFeedStorage(final.as_uri(), feed_options=options)
        file = storage.open(None)  # type: ignore[arg-type]
        file.write(b"new\n")
        assert final.read_bytes() == b"old\n"  # readers still see the previous file
        storage.store(file)
        assert final.read_bytes() == expected
        assert (storage.size, storage.sha256) == (len(expected), hashlib.sha256(expected).hexdigest())


def test_lake_feeds_and_manifest_uris() -> None:
    settings = Settings({"DATA_LAKE_URI": "s3://bucket/prefix/", "DATA_LAKE_COMPRESSION": "gzip"})
    assert lake_feeds(settings) == {
        f"s3://bucket/prefix/rfi_cn/{kind}/dt=%(crawl_date)s/part-%(job_id)s-%(batch_id)05d.jsonl.gz": kind
        for kind in ("articles", "rejects", "failures")
    }
    assert manifest_uri("s3://bucket/prefix/", "j1") == "s3://bucket/prefix/rfi_cn/_manifests/j1.json"


def test_the_add_on_installs_storages_gzip_and_the_manifest() -> None:
    settings = Settings({"DATA_LAKE_URI": "lake", "DATA_LAKE_COMPRESSION": "gzip"})
    DataLakeFeeds().update_settings(settings)
    feeds = settings.getdict("FEEDS")
    options = feeds["lake/rfi_cn/rejects/dt=%(crawl_date)s/part-%(job_id)s-%(batch_id)05d.jsonl.gz"]
    assert (options["postprocessing"], options["overwrite"]) == (["scrapy.extensions.postprocessing.GzipPlugin"], True)
    assert settings.getdict("FEED_STORAGES") == {
        "": "rfi_cn.lake.storages.AtomicFileFeedStorage",
        "file": "rfi_cn.lake.storages.AtomicFileFeedStorage",
        "s3": "rfi_cn.lake.storages.ChecksumS3FeedStorage",
    }
    assert settings.getdict("EXTENSIONS")[RunManifest] == 600


def test_an_unknown_compression_is_refused() -> None:
    with pytest.raises(ValueError, match="DATA_LAKE_COMPRESSION"):
        DataLakeFeeds().update_settings(Settings({"DATA_LAKE_COMPRESSION": "zstd"}))


def test_scrapy_check_switching_feeds_off_keeps_the_lake_and_manifest_off() -> None:
    settings = Settings()
    settings.set("FEEDS", {}, priority=35)  # what `scrapy check` does
    DataLakeFeeds().update_settings(settings)
    assert settings.getdict("FEEDS") == {}
    assert RunManifest not in settings.getdict("EXTENSIONS")
