"""Figure 5: how the crawl's memory grows from ``start`` to ``end`` real-size articles.

One fresh ``scrapy crawl rfi_cn`` (an empty crawl state, so every article is
exported and recorded) of ``end`` article pages of ~540 KB
(``fixture_site.newsroom``, built on request by the server process). The
``RssProbe`` extension samples the crawl process's ``VmRSS`` and its peak so
far ``VmHWM`` every ``start / 4`` exported articles; the figure is the growth
of the peak from the ``start``-th article to the end of the crawl (feeds
closed, state committed): ``VmHWM(end) / VmHWM(start) - 1``. The detail also
has the RSS samples, throughput and peak.

The floor: after the crawl (``null=True``, the default), the null spider
(``benchmarks.nullspider``: same settings, extensions and download handler; it
requests the same front page, listings and article pages and parses nothing) crawls
the same served site, sampled at the same counts of article responses; its growth is
in the note and the detail (``null``), not in the figure.
"""

from __future__ import annotations

import statistics
import tempfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from benchmarks.cpu import null_crawl
from benchmarks.crawl import PADDING, RELATED, Measured, crawl_measured, served_site
from benchmarks.figures import Figure

START, END = 2000, 20000
TARGET = 0.10


def run(
    start: int = START,
    end: int = END,
    repeats: int = 1,
    padding: int = PADDING,
    related: int = RELATED,
) -> Figure:
    figure = Figure("memory_growth", f"RSS growth (peak) from {start:,} to {end:,} articles", TARGET, "%")
    print(f"\n## Figure 5: memory of a crawl of {end} real-size articles, peak at {start} vs at the end")
    details = []
    null_growth: dict[str, Any] = {}
    settings = probe_settings(start)
    with tempfile.TemporaryDirectory(prefix="rfi-bench-memory-") as workdir:
        routes_file = Path(workdir) / "routes.json"
        with served_site(
            end, padding, related, first_day=first_day(end), newsroom=True, routes_file=routes_file
        ) as site:
            for repeat in range(repeats):
                measured = crawl_measured(site.base_url, Path(workdir) / f"crawl-{repeat}", settings)
                if problem := measured.problem(end):
                    figure.note = problem
                    print(f"  {problem}\n{measured.result.log[-2000:]}")
                    return figure
                growth = _growth(measured, start)
                figure.samples.append(growth["peak_mb_at_end"] / growth["peak_mb_at_start"] - 1)
                elapsed = measured.stats.get("elapsed_time_seconds") or measured.wall_seconds
                growth["articles_per_second"] = end / elapsed
                growth["cpu_ms_per_article"] = measured.crawl_cpu_seconds / end * 1000
                details.append(growth)
                print(
                    f"  peak {growth['peak_mb_at_start']:.0f} MB at {start}, {growth['peak_mb_at_end']:.0f} MB at "
                    f"the end; RSS {growth['rss_mb_at_start']:.0f} -> {growth['rss_mb_at_last_sample']:.0f} MB; "
                    f"{end / elapsed:.0f} articles/s, {growth['cpu_ms_per_article']:.1f} ms CPU per article"
                )
            null_growth = _null_growth(site.base_url, Path(workdir) / "null", routes_file, settings, start)
            print(f"  null spider: {null_growth.get('note')}")
    figure.value = statistics.median(figure.samples)
    figure.detail = {"crawls": details, "every": int(settings["BENCH_RSS_EVERY"]), "null": null_growth}
    last = details[-1]
    figure.note = (
        f"VmHWM {last['peak_mb_at_start']:.0f} -> {last['peak_mb_at_end']:.0f} MB; "
        f"VmRSS {last['rss_mb_at_start']:.0f} -> {last['rss_mb_at_last_sample']:.0f} MB"
    )
    if null_growth:
        figure.note += f"; null spider {null_growth['note']}"
    return figure


def probe_settings(start: int) -> dict[str, str]:
    """``benchmarks.probe``'s sampling for a crawl measured from its ``start``-th article: every
    quarter of ``start`` (so ``start`` is a sample); a backfill of the whole site, whose sections
    run to hundreds of listing pages."""
    every = start // 4 if start % 4 == 0 else start
    return {"BENCH_RSS_EVERY": str(every), "RFI_MAX_LISTING_PAGES": "100000"}


def _growth(measured: Measured, start: int) -> dict[str, Any]:
    """The peak at the ``start``-th sample and at the end, and the RSS samples, of one crawl."""
    stats = measured.stats
    hwm = {int(k.rsplit("/", 1)[1]): v for k, v in stats.items() if k.startswith("bench/hwm_mb_at/")}
    rss = {int(k.rsplit("/", 1)[1]): v for k, v in stats.items() if k.startswith("bench/rss_mb_at/")}
    return {
        "peak_mb_at_start": hwm[start],
        "peak_mb_at_end": float(stats["bench/peak_rss_mb"]),
        "rss_mb_at_start": rss[start],
        "rss_mb_at_last_sample": rss[max(rss)],
        "rss_mb_samples": [rss[count] for count in sorted(rss)],
        "hwm_mb_samples": [hwm[count] for count in sorted(hwm)],
    }


def _null_growth(
    base_url: str, workdir: Path, routes_file: Path, settings: dict[str, str], start: int
) -> dict[str, Any]:
    """The null spider's growth over the same pages, sampled at the same article-response counts."""
    measured, problem = null_crawl(base_url, workdir, routes_file, {**settings, "BENCH_RSS_COUNT": "responses"})
    if problem:
        return {"note": f"not measured: {problem}"}
    growth = _growth(measured, start)
    growth["growth"] = growth["peak_mb_at_end"] / growth["peak_mb_at_start"] - 1
    growth["note"] = (
        f"{growth['growth']:+.1%} (VmHWM {growth['peak_mb_at_start']:.0f} -> {growth['peak_mb_at_end']:.0f} MB)"
    )
    return growth


def first_day(articles: int) -> date:
    """A first day early enough that every article (20 a day at the least) is published by
    today: an article dated after the crawl has no valid date and would be a reject."""
    return datetime.now(UTC).date() - timedelta(days=articles // 20 + 2)
