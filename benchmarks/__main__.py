"""``python3 -m benchmarks [extraction] [crawl] [incremental]``: run them, print the report."""

from __future__ import annotations

import argparse

from benchmarks import crawl, extraction, incremental
from benchmarks.machine import machine

PARTS = ("extraction", "crawl", "incremental")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python3 -m benchmarks", description=__doc__)
    parser.add_argument("parts", nargs="*", help="any of: extraction crawl incremental (default: all three)")
    parser.add_argument("--rounds", type=int, default=100, help="extraction rounds per page (default 100)")
    parser.add_argument("--articles", type=int, default=2000, help="articles in the crawl benchmark (default 2000)")
    parser.add_argument("--padding", type=int, default=crawl.PADDING, help="bytes of inline CSS per article")
    parser.add_argument("--related", type=int, default=crawl.RELATED, help="related-article cards per article")
    parser.add_argument("--old", type=int, default=incremental.OLD, help="articles in the state (incremental)")
    parser.add_argument("--new", type=int, default=incremental.NEW, help="new articles per run (incremental)")
    parser.add_argument("--per-day", type=int, default=incremental.PER_DAY, help="articles a day (incremental)")
    args = parser.parse_args()
    parts = args.parts or list(PARTS)
    if unknown := set(parts) - set(PARTS):
        parser.error(f"unknown part(s): {', '.join(sorted(unknown))}; choose from {', '.join(PARTS)}")
    print(f"# rfi_cn benchmarks\n\nMachine: {machine()}")
    if "extraction" in parts:
        extraction.run(args.rounds)
    if "crawl" in parts:
        crawl.run(args.articles, args.padding, args.related)
    if "incremental" in parts:
        incremental.run(args.old, args.new, args.per_day)


if __name__ == "__main__":
    main()
