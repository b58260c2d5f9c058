"""``python3 -m benchmarks.extraction_pieces``: figure 3's extraction cut into its pieces, each
timed alone (``time.perf_counter_ns``, ``--rounds`` back-to-back calls, 300 by default; min and
median in microseconds), on the page figure 3 uses. Where the time goes; not a figure to quote
(the pieces share caches differently when they run one after the other, as in a crawl).

- ``lxml.html.fromstring``: the reference parse;
- ``depth guard``: what ``Page`` counts before parsing (``bytes.count(b"<")``);
- ``lexbor parse``: ``LexborHTMLParser`` of the bytes;
- ``fields``: ``extract_page`` on the parsed page (every field, identity and media; the page's
  caches are fresh each round); ``media``: ``media_entries`` alone, same;
- ``clean body``: ``clean_body`` of the raw body ``extract_page`` gives;
- ``dates``, ``validate``: those pipelines on the item as the one before leaves it;
- ``extraction``: all of it, as figure 3 times it (the spider's ``parse_article`` + pipelines).
"""

from __future__ import annotations

import argparse
import copy
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import lxml.html
from selectolax.lexbor import LexborHTMLParser

from benchmarks.extraction import PAGE_URL, REAL_ARTICLE, Extraction, the_page
from rfi_cn.extract.article import extract_page
from rfi_cn.extract.document import Page
from rfi_cn.extract.media import media_entries
from rfi_cn.normalise.cleaning import clean_body
from rfi_cn.pipelines import CleanBodyPipeline, NormaliseDatesPipeline, ValidatePipeline

CRAWLED_AT = "2025-12-01T00:00:00Z"  # as utc_now_iso writes it


def timed(method: Callable[[], Any], rounds: int) -> tuple[float, float]:
    """Min and median microseconds of ``rounds`` calls (after one warm-up call)."""
    method()
    samples = []
    for _ in range(rounds):
        start = time.perf_counter_ns()
        method()
        samples.append(time.perf_counter_ns() - start)
    return min(samples) / 1000, statistics.median(samples) / 1000


def pieces(page: bytes) -> dict[str, Callable[[], Any]]:
    parsed = Page(page)

    def fresh() -> Page:
        return copy.copy(parsed)  # the parsed tree, none of its cached reads

    item = extract_page(page, PAGE_URL, CRAWLED_AT).item
    raw_body = item["body_html"]
    cleaned = CleanBodyPipeline().process_item(copy.deepcopy(item))
    dated = NormaliseDatesPipeline().process_item(copy.deepcopy(cleaned))
    extraction = Extraction()
    return {
        "lxml.html.fromstring": lambda: lxml.html.fromstring(page),
        "depth guard (count <)": lambda: page.count(b"<"),
        "lexbor parse": lambda: LexborHTMLParser(page),
        "Page (guard + parse)": lambda: Page(page),
        "fields (on the parsed page)": lambda: extract_page(fresh(), PAGE_URL, CRAWLED_AT),
        "  of which media": lambda: media_entries(fresh(), PAGE_URL),
        "clean body": lambda: clean_body(raw_body, PAGE_URL),
        "dates pipeline": lambda: NormaliseDatesPipeline().process_item(cleaned.copy()),  # fields of its own
        "validate pipeline": lambda: ValidatePipeline().process_item(dated),
        "extraction (all, as figure 3)": lambda: extraction(page),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--rounds", type=int, default=300)
    parser.add_argument("--shared", type=Path, default=REAL_ARTICLE, help="the real article page")
    args = parser.parse_args(argv)
    label, page = the_page(args.shared)
    print(f"{label}, {args.rounds} rounds each, microseconds")
    print(f"| {'piece':32} | {'min':>8} | {'median':>8} |")
    print(f"| {'-' * 32} | {'-' * 8} | {'-' * 8} |")
    for name, method in pieces(page).items():
        low, median = timed(method, args.rounds)
        print(f"| {name:32} | {low:8.1f} | {median:8.1f} |")


if __name__ == "__main__":
    main()
