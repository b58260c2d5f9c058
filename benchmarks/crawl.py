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
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.crawling import FAST, CrawlResult
from tests.fixture_site.server import FixtureServer, serving
from tests.fixture_site.site import build_large_site

from benchmarks.machine import table, verdict

ROOT = Path(__file__).resolve().parent.parent
PADDING = 535_000  # ~540 KB pages, like the real article
EXTENSIONS = {"rfi_cn.extensions.ArticleAccounting": 500, "benchmarks.probe.RssProbe": 900}


@dataclass
class Measured:
    """One crawl process: what it wrote and logged, and what it cost."""

    result: CrawlResult
    wall_seconds: float
    cpu_seconds: float
    max_rss_mb: float
    server_cpu_seconds: float

    @property
    def stats(self) -> dict[str, Any]:
        return self.result.stats


def crawl_measured(server: FixtureServer, workdir: Path, settings: dict[str, str] | None = None) -> Measured:
    """Run one ``scrapy crawl rfi_cn`` against ``server`` and measure it."""
    workdir.mkdir(parents=True, exist_ok=True)
    log = workdir / "crawl.log"
    command = [sys.executable, "-m", "scrapy", "crawl", "rfi_cn"]
    for name, value in {
        **FAST,
        "RFI_BASE_URL": server.base_url,
        "DATA_LAKE_URI": str(workdir / "lake"),
        "LOG_FILE": str(log),
        "EXTENSIONS": json.dumps(EXTENSIONS),
        "MEMUSAGE_CHECK_INTERVAL_SECONDS": "1",
        **(settings or {}),
    }.items():
        command += ["-s", f"{name}={value}"]
    server_before = resource.getrusage(resource.RUSAGE_SELF)
    started = time.monotonic()
    with (workdir / "stderr.txt").open("w") as stderr:
        process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=stderr)
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
    wall = time.monotonic() - started
    server_after = resource.getrusage(resource.RUSAGE_SELF)
    text = log.read_text(encoding="utf-8") if log.exists() else ""
    result = CrawlResult(process.returncode, workdir / "lake", text + (workdir / "stderr.txt").read_text())
    return Measured(
        result=result,
        wall_seconds=wall,
        cpu_seconds=usage.ru_utime + usage.ru_stime,
        max_rss_mb=usage.ru_maxrss / 1024,  # kilobytes on Linux
        server_cpu_seconds=(server_after.ru_utime + server_after.ru_stime)
        - (server_before.ru_utime + server_before.ru_stime),
    )


def run(articles: int, padding: int) -> Measured:
    """Print the crawl table for a site of ``articles`` articles; return the measurement."""
    print(f"\n## Crawl: {articles} articles of ~{(padding + 5500) // 1024} KB, one crawl process, throttling off\n")
    started = time.monotonic()
    routes = build_large_site(articles, padding)
    size = sum(len(page.body) for page in routes.values())
    print(f"(site built in {time.monotonic() - started:.1f} s: {len(routes)} routes, {size / 2**20:.0f} MiB)")
    with serving(routes) as server, tempfile.TemporaryDirectory(prefix="rfi-bench-") as workdir:
        measured = crawl_measured(server, Path(workdir))
        requests = len(server.requests)
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
    rows = [
        ["articles exported / requests made", f"{exported} / {requests}"],
        ["crawl time (Scrapy elapsed_time_seconds)", f"{elapsed:.1f} s"],
        ["articles per second (wall)", f"{per_second:.1f}"],
        ["CPU seconds per article (crawl process)", f"{cpu_per_article * 1000:.1f} ms"],
        ["articles per CPU second (one core)", f"{1 / cpu_per_article:.1f}"],
        ["CPU use of the crawl process", f"{measured.cpu_seconds / measured.wall_seconds:.0%} of one core"],
        ["peak RSS (ru_maxrss)", f"{measured.max_rss_mb:.0f} MB"],
        ["peak RSS (Scrapy memusage/max)", f"{stats.get('memusage/max', 0) / 2**20:.0f} MB"],
        ["RSS after 500 / after the last article", f"{early} MB / {late} MB"],
        ["RSS every 250 articles", ", ".join(f"{value:.0f}" for _, value in sorted(rss.items()))],
        ["loopback server CPU per article", f"{measured.server_cpu_seconds / max(exported, 1) * 1000:.1f} ms"],
    ]
    print(table(["measure", "value"], rows))
    print()
    print(
        table(
            ["target", "measured", "status"],
            [
                [">= 50 articles/s on one core (wall)", f"{per_second:.1f}", verdict(per_second >= 50)],
                ["peak RSS <= 300 MB", f"{measured.max_rss_mb:.0f} MB", verdict(measured.max_rss_mb <= 300)],
                [
                    "RSS flat (within 20%) from 500 to the end",
                    f"{growth:+.0%}" if growth is not None else "n/a",
                    verdict(growth is not None and abs(growth) <= 0.2),
                ],
            ],
        )
    )
    return measured
