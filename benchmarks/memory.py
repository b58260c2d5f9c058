"""Figure 5: how the crawl's memory grows from ``start`` to ``end`` real-size articles.

One fresh ``scrapy crawl rfi_cn`` (an empty crawl state, so every article is
exported and recorded) of ``end`` article pages of ~540 KB
(``fixture_site.newsroom``, built on request by the server process). The
``RssProbe`` extension samples the crawl process's ``VmRSS`` and its peak so
far ``VmHWM`` every ``start / 4`` exported articles; the figure is the growth
of the peak from the ``start``-th article to the end of the crawl (feeds
closed, state committed): ``VmHWM(end) / VmHWM(start) - 1``. The detail also
has the RSS samples, throughput and peak.
"""

from __future__ import annotations

import statistics
import tempfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from benchmarks.crawl import PADDING, RELATED, crawl_measured, served_site
from benchmarks.figures import Figure

START, END = 2000, 20000
TARGET = 0.10


def run(start: int = START, end: int = END, repeats: int = 1, padding: int = PADDING, related: int = RELATED) -> Figure:
    figure = Figure("memory_growth", f"RSS growth (peak) from {start:,} to {end:,} articles", TARGET, "%")
    every = start // 4 if start % 4 == 0 else start
    print(f"\n## Figure 5: memory of a crawl of {end} real-size articles, peak at {start} vs at the end")
    details = []
    with (
        served_site(end, padding, related, first_day=_first_day(end), newsroom=True) as site,
        tempfile.TemporaryDirectory(prefix="rfi-bench-memory-") as workdir,
    ):
        for repeat in range(repeats):
            # A backfill of the whole site: its sections run to hundreds of listing pages.
            settings = {"BENCH_RSS_EVERY": str(every), "RFI_MAX_LISTING_PAGES": "100000"}
            measured = crawl_measured(site.base_url, Path(workdir) / f"crawl-{repeat}", settings)
            if problem := measured.problem(end):
                figure.note = problem
                print(f"  {problem}\n{measured.result.log[-2000:]}")
                return figure
            stats = measured.stats
            hwm = {int(k.rsplit("/", 1)[1]): v for k, v in stats.items() if k.startswith("bench/hwm_mb_at/")}
            rss = {int(k.rsplit("/", 1)[1]): v for k, v in stats.items() if k.startswith("bench/rss_mb_at/")}
            peak = float(stats["bench/peak_rss_mb"])
            figure.samples.append(peak / hwm[start] - 1)
            elapsed = stats.get("elapsed_time_seconds") or measured.wall_seconds
            details.append(
                {
                    "peak_mb_at_start": hwm[start],
                    "peak_mb_at_end": peak,
                    "rss_mb_at_start": rss[start],
                    "rss_mb_at_last_sample": rss[max(rss)],
                    "rss_mb_samples": [rss[count] for count in sorted(rss)],
                    "articles_per_second": end / elapsed,
                    "cpu_ms_per_article": measured.crawl_cpu_seconds / end * 1000,
                }
            )
            print(
                f"  peak {hwm[start]:.0f} MB at {start}, {peak:.0f} MB at the end; RSS {rss[start]:.0f} -> "
                f"{rss[max(rss)]:.0f} MB; {end / elapsed:.0f} articles/s, "
                f"{details[-1]['cpu_ms_per_article']:.1f} ms CPU per article"
            )
    figure.value = statistics.median(figure.samples)
    figure.detail = {"crawls": details, "every": every}
    last = details[-1]
    figure.note = (
        f"VmHWM {last['peak_mb_at_start']:.0f} -> {last['peak_mb_at_end']:.0f} MB; "
        f"VmRSS {last['rss_mb_at_start']:.0f} -> {last['rss_mb_at_last_sample']:.0f} MB"
    )
    return figure


def _first_day(articles: int) -> date:
    """A first day early enough that every article (20 a day at the least) is published by
    today: an article dated after the crawl has no valid date and would be a reject."""
    return datetime.now(UTC).date() - timedelta(days=articles // 20 + 2)
