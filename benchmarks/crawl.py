"""Running measured crawls: a served site in its own process, a ``scrapy crawl`` measured with ``wait4``.

``served_site`` starts ``benchmarks.serve`` (the old 4-section ``build_large_site``
or the 22-section ``fixture_site.newsroom``) and, once the block ends, knows
every path requested and the server's CPU. ``crawl_measured`` runs one crawl
process with throttling off (``AUTOTHROTTLE_ENABLED=0``, ``DOWNLOAD_DELAY=0``;
robots.txt, concurrency, pipelines, the crawl state and the data lake feeds as
in production) plus the ``RssProbe`` extension, and returns its stats, wall
time and CPU (the process's own rusage, its start-up included and, separately,
left out).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from fixture_site.crawl import FAST, CrawlResult
from rfi_cn import settings as project_settings

ROOT = Path(__file__).resolve().parent.parent
# ~540 KB pages like the real article, as dear to parse (~2 ms): 420 KB of inline CSS, 250 related-article cards.
PADDING = 420_000
RELATED = 250
# The project's extensions plus the probe (a -s EXTENSIONS replaces the project's dict).
EXTENSIONS = {**project_settings.EXTENSIONS, "benchmarks.probe.RssProbe": 900}
SPIDER_MODULES = "rfi_cn.spiders,benchmarks.nullspider"


@dataclass
class Site:
    """The site served by a ``benchmarks.serve`` process; requests and CPU are known once it stops."""

    base_url: str
    routes: int
    size: int
    build_cpu_seconds: float
    requests: list[str] = field(default_factory=list)
    serve_cpu_seconds: float = 0.0


@contextmanager
def served_site(
    articles: int,
    padding: int = 0,
    related: int = 0,
    per_day: int = 100,
    first_day: date | None = None,
    *,
    newsroom: bool = False,
    days: int = 0,
    now: datetime | None = None,
    routes_file: Path | None = None,
) -> Iterator[Site]:
    """Serve the benchmark site from a separate process for the block (see ``benchmarks.serve``)."""
    command = [sys.executable, "-m", "benchmarks.serve", str(articles), f"--padding={padding}"]
    command += [f"--related={related}", f"--per-day={per_day}"]
    if first_day:
        command.append(f"--first-day={first_day.isoformat()}")
    if newsroom:
        command.append("--newsroom")
    if days:
        command.append(f"--days={days}")
    if now:
        command.append(f"--now={now.isoformat()}")
    if routes_file:
        command.append(f"--routes-file={routes_file}")
    process = subprocess.Popen(command, cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert process.stdin and process.stdout
    try:
        base_url, routes, size, build_cpu = process.stdout.readline().split()
        site = Site(base_url, int(routes), int(size), float(build_cpu))
        yield site
    finally:
        process.stdin.close()
        last_line = process.stdout.read()
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
    site.requests = json.loads(last_line)
    site.serve_cpu_seconds = usage.ru_utime + usage.ru_stime - site.build_cpu_seconds


@dataclass
class Measured:
    """One crawl process: what it wrote and logged, and what it cost."""

    result: CrawlResult
    wall_seconds: float
    cpu_seconds: float

    @property
    def stats(self) -> dict[str, Any]:
        return self.result.stats

    @property
    def exported(self) -> int:
        return int(self.stats.get("rfi_cn/articles/exported", 0))

    @property
    def crawl_cpu_seconds(self) -> float:
        """CPU seconds from the spider's opening to the process's exit (start-up and imports left out)."""
        return self.cpu_seconds - float(self.stats.get("bench/cpu_at_open", 0.0))

    def problem(self, expected_exported: int | None = None) -> str | None:
        """Why this crawl cannot be measured, or ``None``."""
        if self.result.returncode != 0:
            return f"exit status {self.result.returncode}"
        if self.stats.get("rfi_cn/articles/unaccounted"):
            return f"{self.stats['rfi_cn/articles/unaccounted']} articles unaccounted"
        if expected_exported is not None and self.exported != expected_exported:
            return f"exported {self.exported} articles, expected {expected_exported}"
        if expected_exported is not None:  # rows that share a URL would be work not done (state, dedupe)
            urls = len({row["url"] for row in self.result.records("articles")})
            if urls != expected_exported:
                return f"{urls} distinct article URLs in the lake, expected {expected_exported}"
        return None


def crawl_measured(
    base_url: str,
    workdir: Path,
    settings: dict[str, str] | None = None,
    spider: str = "rfi_cn",
    arguments: dict[str, str] | None = None,
) -> Measured:
    """Run one ``scrapy crawl <spider>`` against ``base_url`` and measure it.

    The crawl state lives in ``workdir`` unless ``settings`` name another:
    a fresh ``workdir`` is a fresh state, where every article is new.
    """
    workdir.mkdir(parents=True, exist_ok=True)
    log = workdir / "crawl.log"
    command = [sys.executable, "-m", "scrapy", "crawl", spider]
    for name, value in (arguments or {}).items():
        command += ["-a", f"{name}={value}"]
    for name, value in {
        **FAST,
        "RFI_BASE_URL": base_url,
        "DATA_LAKE_URI": str(workdir / "lake"),
        "CRAWL_STATE_PATH": str(workdir / "crawl-state.sqlite3"),
        "LOG_FILE": str(log),
        "EXTENSIONS": json.dumps(EXTENSIONS),
        "SPIDER_MODULES": SPIDER_MODULES,
        **(settings or {}),
    }.items():
        command += ["-s", f"{name}={value}"]
    started = time.monotonic()
    with (workdir / "stderr.txt").open("w") as stderr:
        process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=stderr)
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
    wall = time.monotonic() - started
    text = log.read_text(encoding="utf-8") if log.exists() else ""
    result = CrawlResult(process.returncode, workdir / "lake", text + (workdir / "stderr.txt").read_text())
    return Measured(result=result, wall_seconds=wall, cpu_seconds=usage.ru_utime + usage.ru_stime)


def request_kind(path: str) -> str:
    """``article``, ``listing`` or ``other`` (robots.txt, the front page, feeds) for a requested path."""
    if path in ("/robots.txt", "/cn/") or not path.startswith("/cn/") or path == "/cn/rss":
        return "other"
    return "article" if path.rsplit("/", 1)[-1][:8].isdigit() else "listing"
