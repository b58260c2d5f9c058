"""Crawl throughput and memory: a real ``scrapy crawl rfi_cn`` against a loopback site of real-size pages.

The site (``build_large_site``) has N articles of ~540 KB plus their section
listings, built once in memory and served as pre-built bytes by a threaded
loopback server in this process; the crawl is a separate process with
throttling off (``AUTOTHROTTLE_ENABLED=0``, ``DOWNLOAD_DELAY=0``; robots.txt,
concurrency, pipelines and the data lake feeds as in production). Measured:
articles per second of wall time, CPU seconds per article and the peak RSS of
the crawl process (``wait4``), its RSS every 250 exported articles (the
``RssProbe`` extension), and the server's own CPU time, to show it is not the
bottleneck.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from benchmarks.machine import table, verdict
from rfi_cn import settings as project_settings
from tests.crawling import FAST, CrawlResult

ROOT = Path(__file__).resolve().parent.parent
# ~540 KB pages like the real article, as dear to parse (~2 ms): 420 KB of inline CSS, 250 related-article cards.
PADDING = 420_000
RELATED = 250
# The project's extensions plus the probe (a -s EXTENSIONS replaces the project's dict).
EXTENSIONS = {**project_settings.EXTENSIONS, "benchmarks.probe.RssProbe": 900}


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
    articles: int, padding: int = 0, related: int = 0, per_day: int = 100, first_day: date | None = None
) -> Iterator[Site]:
    """Serve ``build_large_site(articles, padding, ...)`` from a separate process for the block."""
    command = [sys.executable, "-m", "benchmarks.serve", str(articles), f"--padding={padding}"]
    command += [f"--related={related}", f"--per-day={per_day}"]
    if first_day:
        command.append(f"--first-day={first_day.isoformat()}")
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


def crawl_measured(base_url: str, workdir: Path, settings: dict[str, str] | None = None) -> Measured:
    """Run one ``scrapy crawl rfi_cn`` against ``base_url`` and measure it."""
    workdir.mkdir(parents=True, exist_ok=True)
    log = workdir / "crawl.log"
    command = [sys.executable, "-m", "scrapy", "crawl", "rfi_cn"]
    for name, value in {
        **FAST,
        "RFI_BASE_URL": base_url,
        "DATA_LAKE_URI": str(workdir / "lake"),
        "CRAWL_STATE_PATH": str(workdir / "crawl-state.sqlite3"),  # a fresh state: every article is new
        "LOG_FILE": str(log),
        "EXTENSIONS": json.dumps(EXTENSIONS),
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


def run(articles: int, padding: int = PADDING, related: int = RELATED) -> Measured:
    """Print the crawl table for a site of ``articles`` articles; return the measurement."""
    print(f"\n## Crawl: {articles} articles, one crawl process, throttling off\n")
    with served_site(articles, padding, related) as site, tempfile.TemporaryDirectory(prefix="rfi-bench-") as workdir:
        print(
            f"(site: {site.routes} pages, {site.size / 2**20:.0f} MiB, "
            f"articles of ~{site.size / articles / 1024:.0f} KB; served by a separate process)"
        )
        measured = crawl_measured(site.base_url, Path(workdir))
    requests = len(site.requests)
    stats = measured.stats
    exported = stats.get("rfi_cn/articles/exported", 0)
    if measured.result.returncode != 0 or exported != articles or stats.get("rfi_cn/articles/unaccounted"):
        print(f"WARNING: exit {measured.result.returncode}, exported {exported} of {articles}")
        print(measured.result.log[-3000:])
    elapsed = stats.get("elapsed_time_seconds") or measured.wall_seconds
    per_second = exported / elapsed
    cpu_per_article = measured.cpu_seconds / max(exported, 1)
    rss = {int(key.rsplit("/", 1)[1]): value for key, value in stats.items() if key.startswith("bench/rss_mb_at/")}
    early, late = rss.get(500), rss.get(max(rss) if rss else 0)
    growth = (late / early - 1) if early and late else None
    peak = stats.get("bench/peak_rss_mb", 0.0)
    rows = [
        ["articles exported / requests made", f"{exported} / {requests}"],
        ["crawl time (Scrapy elapsed_time_seconds)", f"{elapsed:.1f} s"],
        ["articles per second (wall)", f"{per_second:.1f}"],
        ["CPU seconds per article (crawl process)", f"{cpu_per_article * 1000:.1f} ms"],
        ["articles per CPU second (one core)", f"{1 / cpu_per_article:.1f}"],
        ["CPU use of the crawl process", f"{measured.cpu_seconds / measured.wall_seconds:.0%} of one core"],
        ["peak RSS (VmHWM of the crawl process)", f"{peak:.0f} MB"],
        ["RSS after 500 / after the last article", f"{early} MB / {late} MB"],
        ["RSS every 250 articles", ", ".join(f"{value:.0f}" for _, value in sorted(rss.items()))],
        ["loopback server CPU per article", f"{site.serve_cpu_seconds / max(exported, 1) * 1000:.1f} ms"],
    ]
    print(table(["measure", "value"], rows))
    print()
    print(
        table(
            ["target", "measured", "status"],
            [
                [">= 50 articles/s on one core (wall)", f"{per_second:.1f}", verdict(per_second >= 50)],
                ["peak RSS <= 300 MB", f"{peak:.0f} MB", verdict(peak <= 300)],
                [
                    "RSS flat (within 20%) from 500 to the end",
                    f"{growth:+.0%}" if growth is not None else "n/a",
                    verdict(growth is not None and abs(growth) <= 0.2),
                ],
            ],
        )
    )
    return measured
