"""Local feed files that hand every record to the OS as soon as it is exported.

Scrapy's ``FileFeedStorage`` writes through an 8 KiB user-space buffer: a crawl
killed with SIGKILL loses the last records of each file. The crawl state records
an article right after the feeds have written it (``item_scraped``), so with
that buffer a killed crawl could leave an article in the state and not in the
lake, and no later run would export it. ``WriteThroughFileFeedStorage`` flushes
after each write, so what the state holds is in the lake.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import IO, Any

from scrapy import Spider
from scrapy.extensions.feedexport import FileFeedStorage


class _FlushingWriter(io.BufferedWriter):
    def write(self, data: Any) -> int:
        written = super().write(data)
        self.flush()
        return written


class WriteThroughFileFeedStorage(FileFeedStorage):
    """``FileFeedStorage`` whose file is flushed after every record."""

    def open(self, spider: Spider) -> IO[bytes]:
        path = Path(self.path)
        path.parent.mkdir(parents=True, exist_ok=True)
        return _FlushingWriter(io.FileIO(path, self.write_mode))
