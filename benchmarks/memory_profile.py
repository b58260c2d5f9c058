"""Where figure 5's memory goes: the crawl of ``benchmarks.memory`` under ``tracemalloc``.

``python3 -m benchmarks.memory_profile [--start 2000] [--end 20000] [--top 25]`` runs
the same crawl as figure 5 (a fresh ``scrapy crawl rfi_cn`` of ``end`` real-size
newsroom articles) with ``tracemalloc`` on in the crawl process (``RssProbe``'s
``BENCH_TRACEMALLOC_DIR``), then diffs the Python heap at the ``start``-th article
against the heap at the ``end``-th article and once the spider has closed, and
prints the sites that grew most (by line, and by the first frame inside the project
or a library). Tracing slows the crawl about threefold and adds its own memory
(a trace per live block), so the RSS it prints is not figure 5's; the traced heap
is what Python allocated (C allocations of lexbor, lxml, sqlite are not in it).
"""

from __future__ import annotations

import argparse
import tempfile
import tracemalloc
from pathlib import Path

from benchmarks.crawl import PADDING, RELATED, crawl_measured, served_site
from benchmarks.memory import first_day, probe_settings

SAMPLES = ("rss_mb", "hwm_mb", "traced_mb", "malloc_used_mb", "malloc_free_mb", "sqlite_mb", "pyblocks", "queued")


def profile(
    start: int, end: int, top: int, frames: int, padding: int, related: int, keep: Path | None, trace: bool
) -> int:
    with (
        served_site(end, padding, related, first_day=first_day(end), newsroom=True) as site,
        tempfile.TemporaryDirectory(prefix="rfi-bench-memprof-") as workdir,
    ):
        traces = keep or Path(workdir) / "traces"
        settings = {**probe_settings(start), "BENCH_MALLOC_STATS": "1"}
        if trace:
            settings["BENCH_TRACEMALLOC_DIR"] = str(traces)
            settings["BENCH_TRACEMALLOC_AT"] = f"{start},{end}"
            settings["BENCH_TRACEMALLOC_FRAMES"] = str(frames)
        measured = crawl_measured(site.base_url, Path(workdir) / "crawl", settings)
        if problem := measured.problem(end):
            print(f"{problem}\n{measured.result.log[-3000:]}")
            return 1
        stats = measured.stats
        for prefix in SAMPLES:
            samples = {k.rsplit("/", 1)[1]: v for k, v in stats.items() if k.startswith(f"bench/{prefix}_at/")}
            if samples:
                print(f"{prefix:>14}: " + " ".join(f"{int(k)}:{v:.1f}" for k, v in sorted(samples.items())))
        print(f"peak {stats['bench/peak_rss_mb']} MB")
        if not trace:
            return 0
        first = tracemalloc.Snapshot.load(str(traces / f"at-{start:06d}.snapshot"))
        for name in (f"at-{end:06d}", "closed"):
            later = tracemalloc.Snapshot.load(str(traces / f"{name}.snapshot"))
            _report(first, later, f"{start} -> {name}", top)
    return 0


def _report(first: tracemalloc.Snapshot, later: tracemalloc.Snapshot, title: str, top: int) -> None:
    total = sum(s.size for s in later.statistics("filename")) - sum(s.size for s in first.statistics("filename"))
    print(f"\n## {title}: traced heap {total / 2**20:+.1f} MB")
    print("by line:")
    for stat in later.compare_to(first, "lineno")[:top]:
        frame = stat.traceback[0]
        print(f"  {stat.size_diff / 2**20:+7.2f} MB {stat.count_diff:+8d} blocks  {frame.filename}:{frame.lineno}")
    print("by traceback (growth > 0.1 MB):")
    grown = [stat for stat in later.compare_to(first, "traceback") if stat.size_diff > 100_000]
    grown.sort(key=lambda stat: -stat.size_diff)
    for stat in grown[:top]:
        print(f"  {stat.size_diff / 2**20:+7.2f} MB {stat.count_diff:+8d} blocks")
        for frame in list(stat.traceback)[-8:]:
            print(f"      {frame.filename}:{frame.lineno}")


def main() -> int:
    parser = argparse.ArgumentParser(prog="python3 -m benchmarks.memory_profile", description=__doc__)
    parser.add_argument("--start", type=int, default=2000)
    parser.add_argument("--end", type=int, default=20000)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--frames", type=int, default=12)
    parser.add_argument("--padding", type=int, default=PADDING)
    parser.add_argument("--related", type=int, default=RELATED)
    parser.add_argument("--keep", type=Path, help="keep the snapshots in this directory")
    parser.add_argument("--no-trace", dest="trace", action="store_false", help="allocator samples only, no tracemalloc")
    args = parser.parse_args()
    return profile(args.start, args.end, args.top, args.frames, args.padding, args.related, args.keep, args.trace)


if __name__ == "__main__":
    raise SystemExit(main())
