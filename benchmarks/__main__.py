"""``python3 -m benchmarks``: every figure of issue 18 in one run, with its target and pass/fail.

Figures (``--only`` picks some; default all five, in this order):

1. ``steady``: requests per new article in the steady-state scheduled run (4 sections);
2. ``newsroom``: requests per new article over scheduled runs of a 22-section site;
3. ``extraction``: extraction time ÷ one ``lxml.html.fromstring`` of the real page;
4. ``cpu``: crawl CPU per article ÷ the null spider's, same pages, same run;
5. ``memory``: growth of the crawl's peak RSS from 2,000 to 20,000 real-size articles.

``--quick`` is a smoke run (small sizes, one repeat: seconds, and not figures to
quote); the full run takes about 4 minutes on two quiet cores, up to 10 when they are
shared. ``--json PATH`` also writes the figures (``-``: the JSON on standard
output, the table on standard error). See docs/performance.md.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import traceback
from pathlib import Path
from typing import Any

from benchmarks import cpu, extraction, incremental, memory, newsroom
from benchmarks.crawl import PADDING, RELATED
from benchmarks.figures import Figure, report
from benchmarks.machine import machine

PARTS = ("steady", "newsroom", "extraction", "cpu", "memory")
TARGETS = {
    "steady": incremental.TARGET,
    "newsroom": newsroom.TARGET,
    "extraction": extraction.TARGET,
    "cpu": cpu.TARGET,
    "memory": memory.TARGET,
}
UNITS = {"extraction": "x", "cpu": "x", "memory": "%"}
QUICK = {
    "repeats": 1,
    "rounds": 5,
    "old": 60,
    "new": 10,
    "per_day": 10,
    "history_days": 2,
    "runs": 2,
    "cpu_articles": 40,
    "memory_start": 40,
    "memory_end": 120,
}


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python3 -m benchmarks", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--only", nargs="+", choices=PARTS, default=list(PARTS), help="the figures to measure")
    parser.add_argument("--quick", action="store_true", help="a smoke run: small sizes, one repeat")
    parser.add_argument("--json", dest="json_path", help="write the figures as JSON to this file (- : stdout)")
    parser.add_argument("--repeats", type=int, default=3, help="repeats of the timed figures (3, 4)")
    parser.add_argument("--rounds", type=int, default=100, help="extraction rounds per repeat")
    parser.add_argument("--shared", type=Path, default=extraction.REAL_ARTICLE, help="the real article page")
    parser.add_argument("--old", type=int, default=incremental.OLD, help="figure 1: articles in the state")
    parser.add_argument("--new", type=int, default=incremental.NEW, help="figure 1: new articles")
    parser.add_argument("--per-day", type=int, default=incremental.PER_DAY, help="figure 1: articles a day")
    parser.add_argument("--history-days", type=int, default=newsroom.HISTORY_DAYS, help="figure 2: days in the state")
    parser.add_argument("--runs", type=int, default=newsroom.RUNS, help="figure 2: scheduled runs measured")
    parser.add_argument("--every", type=int, default=newsroom.EVERY_HOURS, help="figure 2: hours between runs")
    parser.add_argument("--cpu-articles", type=int, default=cpu.ARTICLES, help="figure 4: article pages per crawl")
    parser.add_argument("--memory-start", type=int, default=memory.START, help="figure 5: articles at the first peak")
    parser.add_argument("--memory-end", type=int, default=memory.END, help="figure 5: articles in the crawl")
    parser.add_argument("--padding", type=int, default=PADDING, help="bytes of inline CSS per article page")
    parser.add_argument("--related", type=int, default=RELATED, help="related-article cards per article page")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if args.quick:
        defaults = parser().parse_args([])
        for name, value in QUICK.items():
            if getattr(args, name) == getattr(defaults, name):  # an explicit option wins over --quick
                setattr(args, name, value)
    to_stdout = args.json_path == "-"
    out = sys.stderr if to_stdout else sys.stdout
    real_stdout, sys.stdout = sys.stdout, out  # the parts' progress lines go where the table goes
    started = time.monotonic()
    figures: list[Figure] = []
    try:
        print(f"# rfi_cn benchmarks{' (--quick: a smoke run, not figures to quote)' if args.quick else ''}")
        print(f"Machine: {machine()}")
        for part in PARTS:
            if part in args.only:
                figures.append(measure_or_report(part, args))
        elapsed = time.monotonic() - started
        print(f"\n## Figures ({elapsed:.0f} s)\n")
        print(report(figures))
        print(f"\nMachine: {machine()}")
    finally:
        sys.stdout = real_stdout
    if args.json_path:
        data: dict[str, Any] = {
            "machine": machine(),
            "quick": args.quick,
            "seconds": round(elapsed, 1),
            "options": {name: str(value) for name, value in vars(args).items()},
            "figures": [figure.as_json() for figure in figures],
        }
        text = json.dumps(data, ensure_ascii=False, indent=2)
        if to_stdout:
            print(text)
        else:
            Path(args.json_path).write_text(text + "\n", encoding="utf-8")
    return 1 if any(figure.name.endswith("the benchmark failed") for figure in figures) else 0


def measure_or_report(part: str, args: argparse.Namespace) -> Figure:
    """The figure of ``part``; when the harness itself fails on it, a row saying why (the others still run)."""
    try:
        return measure(part, args)
    except Exception as exc:  # a crawler change that breaks one part must not hide the other figures
        traceback.print_exc(file=sys.stdout)
        figure = Figure(part, f"{part}: the benchmark failed", TARGETS[part], UNITS.get(part, ""))
        figure.broken = f"{type(exc).__name__}: {exc}"[:200]
        return figure


def measure(part: str, args: argparse.Namespace) -> Figure:
    if part == "steady":
        return incremental.run(args.old, args.new, args.per_day)
    if part == "newsroom":
        return newsroom.run(args.history_days, args.runs, args.every)
    if part == "extraction":
        return extraction.run(args.rounds, args.repeats, args.shared)
    if part == "cpu":
        return cpu.run(args.cpu_articles, args.repeats, args.padding, args.related)
    return memory.run(args.memory_start, args.memory_end, 1, args.padding, args.related)


if __name__ == "__main__":
    sys.exit(main())
