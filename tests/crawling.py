"""Run a real ``scrapy crawl rfi_cn`` subprocess and read what it wrote."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from fixture_site.crawl import FAST, CrawlResult

__all__ = ["FAST", "ROOT", "CrawlResult", "crawl_command", "crawl_result", "run_crawl"]

ROOT = Path(__file__).resolve().parent.parent


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
