"""Run a real ``scrapy crawl rfi_cn`` subprocess and read what it wrote."""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
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


def crawl_command(base_url: str, workdir: Path, *arguments: str, settings: dict[str, str] | None = None) -> list[str]:
    """The ``scrapy crawl rfi_cn`` command line that crawls ``base_url`` into ``workdir/lake``."""
    workdir.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "scrapy", "crawl", "rfi_cn", *arguments]
    for name, value in {
        **FAST,
        "RFI_BASE_URL": base_url,
        "DATA_LAKE_URI": str(workdir / "lake"),
        "CRAWL_STATE_PATH": str(workdir / "crawl-state.sqlite3"),
        "LOG_FILE": str(workdir / "crawl.log"),
        **(settings or {}),
    }.items():
        command += ["-s", f"{name}={value}"]
    return command


def crawl_result(workdir: Path, returncode: int, stderr: str = "") -> CrawlResult:
    """What a crawl started by ``crawl_command`` left in ``workdir``."""
    log = workdir / "crawl.log"
    text = log.read_text(encoding="utf-8") if log.exists() else ""
    return CrawlResult(returncode, workdir / "lake", text + stderr)


def run_crawl(
    base_url: str,
    workdir: Path,
    *arguments: str,
    settings: dict[str, str] | None = None,
    timeout: float = 120,
    env: dict[str, str] | None = None,
) -> CrawlResult:
    """Crawl ``base_url`` into ``workdir/lake``; ``arguments`` are extra command-line words,
    ``env`` extra environment variables."""
    command = crawl_command(base_url, workdir, *arguments, settings=settings)
    environment = {**os.environ, **(env or {})}
    completed = subprocess.run(command, cwd=ROOT, timeout=timeout, capture_output=True, text=True, env=environment)
    return crawl_result(workdir, completed.returncode, completed.stderr)
