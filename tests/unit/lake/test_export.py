"""Export-time failures without the engine: a record UTF-8 cannot encode, a disk
that fills at a chosen byte, lake roots on storages that do not publish whole files."""

from __future__ import annotations

import errno
import io
from pathlib import Path
from typing import IO, Any

import pytest
from scrapy.extensions.feedexport import FeedExporter
from scrapy.settings import Settings

from rfi_cn.items import ArticleItem
from rfi_cn.lake.addon import DataLakeFeeds
from rfi_cn.lake.export import LakeFeedExporter, LakeJsonLinesExporter, UnencodableRecordError
from rfi_cn.lake.schema import encodable, encoding_errors
from rfi_cn.lake.storages import AtomicFileFeedStorage, ChecksumFile
from rfi_cn.pipelines import ValidatePipeline


class FullDisk(io.RawIOBase):
    """A raw file that accepts ``room`` bytes, then fails with ENOSPC (part of a write lands)."""

    def __init__(self, file: IO[bytes], room: int) -> None:
        self.file, self.room = file, room

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        if not self.room:
            raise OSError(errno.ENOSPC, "No space left on device")
        part = bytes(data[: self.room])
        self.room -= len(part)
        return self.file.write(part)

    def fileno(self) -> int:
        return self.file.fileno()

    def close(self) -> None:
        self.file.close()
        super().close()


class FullDiskStorage(AtomicFileFeedStorage):
    """The lake's local storage on a disk with ``room`` bytes free."""

    room = 100

    def open(self, spider: Any) -> IO[bytes]:
        super().open(spider)
        raw = io.BufferedWriter(FullDisk(self.raw, self.room), buffer_size=64)  # type: ignore[arg-type]
        self.raw = raw  # type: ignore[assignment]
        return ChecksumFile(raw)  # type: ignore[return-value]


def write_rows(file: IO[bytes], count: int) -> None:
    for _ in range(count):
        file.write('{"id": "T001", "title": "标题"}\n'.encode())


def test_enospc_at_a_chosen_byte_publishes_nothing_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    final = tmp_path / "dt=2025-11-30" / "part-j-00001.jsonl"
    storage = FullDiskStorage(str(final), feed_options={"overwrite": True})
    file = storage.open(None)
    with pytest.raises(OSError, match="No space left") as raised:
        write_rows(file, 10)  # 400 bytes: the 100th byte cuts a row (and a character) in two
    assert raised.value.errno == errno.ENOSPC
    storage.discard()  # what the exporter does with a file it could not write
    assert list(final.parent.iterdir()) == [] and storage.stored is False


def test_enospc_while_storing_removes_the_temporary_file(tmp_path: Path) -> None:
    final = tmp_path / "part-j-00001.jsonl"
    storage = FullDiskStorage(str(final), feed_options={"overwrite": True})
    file = storage.open(None)
    file.write(b"x" * 60)  # fits in the buffer; the disk fills when it is flushed at store
    file.write(b"y" * 60)
    with pytest.raises(OSError, match="No space left"):
        storage.store(file)
    assert list(tmp_path.iterdir()) == [] and storage.stored is False


def test_a_record_utf8_cannot_encode_is_not_written_at_all() -> None:
    out = io.BytesIO()
    exporter = LakeJsonLinesExporter(out, encoding="utf-8")
    exporter.export_item({"id": "T001"})
    with pytest.raises(UnencodableRecordError, match="surrogates not allowed"):
        exporter.export_item({"id": "T002", "url": "https://s.rfi.fr/x\ud800.mp3"})
    assert out.getvalue() == b'{"id": "T001"}\n'


def test_validation_rejects_a_record_utf8_cannot_encode() -> None:
    record = {"id": "T\ud800", "media": [{"url": "x\udfff"}], "tags": ["ok"]}
    assert encoding_errors(record) == ["$.id: not encodable as UTF-8", "$.media[0].url: not encodable as UTF-8"]
    assert encodable("T\ud800") == "T\\ud800" and encodable(None) is None
    item = ArticleItem(
        id="T\ud800", url="https://www.rfi.fr/cn/a", title="t", published_at="2025-11-30T08:15:00Z", body_text="b"
    )
    rejected = ValidatePipeline().process_item(item)
    assert (rejected["reason"], rejected["id"]) == ("schema", "T\\ud800")
    assert "$.id: not encodable as UTF-8" in rejected["detail"]
    rejected["detail"].encode("utf-8")  # the reject itself can be written


@pytest.mark.parametrize("uri", ["ftp://host/lake", "gs://bucket/lake", "sftp://host/lake", "hdfs://nn/lake"])
def test_a_lake_on_a_non_atomic_storage_is_refused_unless_allowed(uri: str) -> None:
    with pytest.raises(ValueError, match="has no atomic storage"):
        DataLakeFeeds().update_settings(Settings({"DATA_LAKE_URI": uri}))
    allowed = Settings({"DATA_LAKE_URI": uri, "DATA_LAKE_ALLOW_NON_ATOMIC": True})
    DataLakeFeeds().update_settings(allowed)
    assert any(str(feed).startswith(uri) for feed in allowed.getdict("FEEDS"))


@pytest.mark.parametrize("uri", ["lake", "/abs/lake", "file:///abs/lake", "s3://bucket/lake"])
def test_atomic_storages_are_accepted(uri: str) -> None:
    settings = Settings({"DATA_LAKE_URI": uri})
    DataLakeFeeds().update_settings(settings)
    assert settings.getdict("EXTENSIONS")[LakeFeedExporter] == 0
    assert settings.getdict("EXTENSIONS")[FeedExporter] is None
