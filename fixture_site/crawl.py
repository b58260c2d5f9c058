"""What a ``scrapy crawl rfi_cn`` left behind, for the tests and the benchmarks alike.

``FAST`` turns throttling off (loopback servers need no politeness);
``CrawlResult`` reads the lake records and the dumped stats of a finished crawl.
``tests/crawling.py`` runs crawls for the tests on top of these; the benchmarks
use them directly (they import nothing from ``tests``).
"""

from __future__ import annotations

import ast
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

FAST = {"AUTOTHROTTLE_ENABLED": "0", "DOWNLOAD_DELAY": "0", "LOG_LEVEL": "INFO"}


@dataclass
class CrawlResult:
    returncode: int
    lake: Path
    log: str

    def records(self, kind: str) -> list[dict[str, Any]]:
        """Every record of ``kind`` (articles, rejects, failures) in the lake, in file order."""
        rows = []
        for part in sorted((self.lake / "rfi_cn" / kind).glob("dt=*/part-*.jsonl")):
            rows += [json.loads(line) for line in part.read_text(encoding="utf-8").splitlines()]
        return rows

    @property
    def stats(self) -> dict[str, Any]:
        """The stats Scrapy dumped at the end of the crawl."""
        match = re.search(r"Dumping Scrapy stats:\n(\{.*?\})\n", self.log, re.S)
        assert match, self.log[-3000:]
        text = re.sub(r"datetime\.datetime\([^)]*\)", "None", match.group(1))
        return dict(ast.literal_eval(text))
