"""Feed storages that publish a file only when it is complete, and checksum it.

``AtomicFileFeedStorage`` (``file://`` and plain paths) writes to a hidden
``.<name>.tmp`` beside the final path and renames it on close: Hive, Spark and
DuckDB skip dot files, so a reader never sees a partial file and a killed run
leaves no visible one. ``ChecksumS3FeedStorage`` is Scrapy's S3 storage, which
uploads only at close (an S3 object appears whole or not at all). Both hash the
stored bytes on the way through (after any compression), so the run manifest
can list each file's size and sha256 without reading it back.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlparse

from scrapy import Spider
from scrapy.crawler import Crawler
from scrapy.extensions.feedexport import FileFeedStorage, S3FeedStorage
from scrapy.utils.misc import build_from_crawler, load_object


class ChecksumFile:
    """A binary file that counts and hashes every byte written through it."""

    def __init__(self, file: IO[bytes]) -> None:
        self.file = file
        self.size = 0
        self._sha256 = hashlib.sha256()

    def write(self, data: bytes) -> int:
        self._sha256.update(data)
        self.size += len(data)
        return self.file.write(data)

    @property
    def sha256(self) -> str:
        return self._sha256.hexdigest()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.file, name)


def unwrap(file: IO[bytes] | ChecksumFile) -> IO[bytes]:
    return file.file if isinstance(file, ChecksumFile) else file


class Checksummed:
    """What a lake storage knows after ``store``: whether it stored, how many bytes, their sha256."""

    stored: bool = False
    size: int | None = None
    sha256: str | None = None

    def _stored(self, file: ChecksumFile | IO[bytes]) -> None:
        if isinstance(file, ChecksumFile):
            self.size, self.sha256 = file.size, file.sha256
        self.stored = True


def temporary_path(path: Path) -> Path:
    """The hidden name a file is written under until it is complete."""
    return path.with_name(f".{path.name}.tmp")


class AtomicFileFeedStorage(Checksummed, FileFeedStorage):
    """A local file that appears under its name only once complete (write, fsync, rename).

    Appending (``overwrite`` false, ``-o``) copies the existing file into the
    temporary one first, so the result is still published in one rename.
    """

    temporary: Path | None = None
    raw: IO[bytes] | None = None

    def open(self, spider: Spider) -> IO[bytes]:
        final = Path(self.path)
        final.parent.mkdir(parents=True, exist_ok=True)
        self.temporary = temporary_path(final)
        self.raw = self.temporary.open("wb")
        file = ChecksumFile(self.raw)
        if self.write_mode == "ab" and final.exists():
            with final.open("rb") as existing:
                shutil.copyfileobj(existing, file)
        return file  # type: ignore[return-value]

    def store(self, file: IO[bytes]) -> None:
        """Flush, fsync, rename: on any error (a full disk) nothing is published and the
        temporary file is removed."""
        raw = unwrap(file)
        try:
            raw.flush()
            os.fsync(raw.fileno())
            raw.close()
            assert self.temporary is not None
            os.replace(self.temporary, self.path)
        except BaseException:
            self.discard()
            raise
        _fsync_folder(Path(self.path).parent)
        self._stored(file)

    def discard(self) -> None:
        """Close and remove the temporary file: the final path is left as it was."""
        if self.raw is not None:
            with contextlib.suppress(OSError):  # a flush that fails (ENOSPC) still closes the descriptor
                self.raw.close()
        if self.temporary is not None:
            self.temporary.unlink(missing_ok=True)


def _fsync_folder(folder: Path) -> None:
    """Make the rename itself durable (a crash right after must not undo it)."""
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


class ChecksumS3FeedStorage(Checksummed, S3FeedStorage):
    """Scrapy's S3 storage (one upload at close), hashing what it uploads.

    Endpoint, credentials and region come from Scrapy's ``AWS_*`` settings or,
    when those are unset, from botocore's own chain (``AWS_ENDPOINT_URL``,
    ``AWS_ACCESS_KEY_ID``, ``AWS_DEFAULT_REGION``, ``~/.aws``…): MinIO and Ceph work.
    """

    def open(self, spider: Spider) -> IO[bytes]:
        self.file = super().open(spider)
        return ChecksumFile(self.file)  # type: ignore[return-value]

    def _store_in_thread(self, file: IO[bytes]) -> None:
        super()._store_in_thread(unwrap(file))
        self._stored(file)

    file: IO[bytes] | None = None

    def discard(self) -> None:
        """Nothing was uploaded: close (and so delete) the local temporary file."""
        if self.file is not None:
            self.file.close()


def storage_for(crawler: Crawler, uri: str, feed_options: dict[str, Any]) -> Any:
    """The feed storage ``FEED_STORAGES`` names for ``uri``'s scheme, as ``FeedExporter`` picks it."""
    storages = crawler.settings.getwithbase("FEED_STORAGES")
    scheme = urlparse(uri).scheme
    path = storages.get(scheme) or storages["file"]
    return build_from_crawler(load_object(path), crawler, uri, feed_options=feed_options)
