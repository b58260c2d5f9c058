"""Extraction cost per page: the spider's item work against one bare lxml parse and trafilatura.

For each page (the real article in ../shared when present, and a fixture
article padded to real size), one round times, in turn and on the same bytes:

- ``rfi_cn item``: what the spider does per article page (``parse_article``:
  slice, parse, extract every field) plus the Clean, Dates and Validate pipelines;
- ``rfi_cn, whole page``: the same with the whole page parsed (no slice), for reference;
The fixture article has the real page's size and parse cost: 420 KB of inline
CSS and 250 related-article cards around our own article.

- ``lxml parse``: one ``lxml.html.document_fromstring`` of the bytes, the floor of
  any DOM extractor that reads the whole page;
- ``trafilatura``: ``trafilatura.extract`` with its defaults (text only, its cheapest mode).

Rounds interleave the methods so that load from other processes hits them
alike; medians and their ratios are reported.
"""

from __future__ import annotations

import gc
import importlib.util
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import lxml.html
from scrapy.http import HtmlResponse

from benchmarks.crawl import PADDING, RELATED
from benchmarks.machine import fastest_ms, median_ms, table, verdict
from fixture_site.pages import article_html
from fixture_site.site import make_article, with_related_cards
from rfi_cn.pipelines import CleanBodyPipeline, NormaliseDatesPipeline, ValidatePipeline
from rfi_cn.spiders.rfi_cn import RfiCnSpider, page_selector

ROOT = Path(__file__).resolve().parent.parent
REAL_ARTICLE = ROOT.parent / "shared" / "rfi-pages" / "cn-article-20251130-taiwan-t-dome.html"
PAGE_URL = "http://127.0.0.1:8000/cn/%E6%94%BF%E6%B2%BB/20251130-x"
PIPELINES = (CleanBodyPipeline(), NormaliseDatesPipeline(), ValidatePipeline())
SPIDER = RfiCnSpider()


def response_of(page: bytes) -> HtmlResponse:
    return HtmlResponse(PAGE_URL, body=page, headers={"Content-Type": "text/html; charset=utf-8"})


def rfi_cn_item(page: bytes) -> Any:
    """The spider's work on one article page, then the pipelines that shape the item."""
    item = next(iter(SPIDER.parse_article(response_of(page))))
    for pipeline in PIPELINES:
        item = pipeline.process_item(item)
    return item


def rfi_cn_item_whole_page(page: bytes) -> Any:
    from rfi_cn.extract import extract_article
    from rfi_cn.normalise.dates import utc_now_iso

    response = response_of(page)
    item = extract_article(page_selector(response), response.url, utc_now_iso())
    for pipeline in PIPELINES:
        item = pipeline.process_item(item)
    return item


def lxml_parse(page: bytes) -> Any:
    return lxml.html.document_fromstring(page)


def trafilatura_extract(page: bytes) -> Any:
    import trafilatura

    return trafilatura.extract(page)


METHODS: dict[str, Callable[[bytes], Any]] = {
    "rfi_cn item": rfi_cn_item,
    "rfi_cn, whole page": rfi_cn_item_whole_page,
    "lxml parse": lxml_parse,
    "trafilatura": trafilatura_extract,
}


def pages() -> dict[str, bytes]:
    found = {}
    if REAL_ARTICLE.exists():
        found["real article (../shared)"] = REAL_ARTICLE.read_bytes()
    else:
        print(f"(the real article {REAL_ARTICLE} is not here: skipped)")
    fixture = make_article(7, "政治", date(2025, 11, 20), padding_bytes=PADDING)
    found["fixture article, real size"] = with_related_cards(article_html(fixture), RELATED).encode("utf-8")
    return found


def time_methods(page: bytes, rounds: int) -> dict[str, list[float]]:
    """Seconds per call of every method, ``rounds`` interleaved rounds."""
    for method in METHODS.values():
        method(page)  # warm up: imports, caches
    times: dict[str, list[float]] = {name: [] for name in METHODS}
    for _ in range(rounds):
        gc.collect()
        for name, method in METHODS.items():
            start = time.perf_counter()
            method(page)
            times[name].append(time.perf_counter() - start)
    return times


def run(rounds: int) -> dict[str, dict[str, float]]:
    """Print the extraction table; return the median milliseconds per page and method."""
    print(f"\n## Extraction: median ms per page over {rounds} interleaved rounds\n")
    if importlib.util.find_spec("trafilatura") is None:
        print("trafilatura is not installed: python3 -m pip install -r requirements-bench.txt")
        return {}
    medians = {}
    rows = []
    for label, page in pages().items():
        times = time_methods(page, rounds)
        medians[label] = {name: median_ms(seconds) for name, seconds in times.items()}
        fastest = {name: fastest_ms(seconds) for name, seconds in times.items()}
        item_ms, parse_ms, traf_ms = (medians[label][name] for name in ("rfi_cn item", "lxml parse", "trafilatura"))
        rows.append(
            [
                label,
                f"{len(page) / 1024:.0f} KB",
                *(f"{medians[label][name]:.2f}" for name in METHODS),
                f"{item_ms / parse_ms:.2f}x",
                f"{fastest['rfi_cn item'] / fastest['lxml parse']:.2f}x",
                f"{traf_ms / item_ms:.1f}x",
            ]
        )
    header = [
        "page",
        "size",
        *(f"{name} ms" for name in METHODS),
        "item / parse",
        "(fastest 10%)",
        "trafilatura / item",
    ]
    print(table(header, rows))
    print()
    print(
        table(
            ["target", "worst page", "status"],
            [
                [
                    "item <= 1.5x one lxml parse",
                    f"{max(m['rfi_cn item'] / m['lxml parse'] for m in medians.values()):.2f}x",
                    verdict(all(m["rfi_cn item"] <= 1.5 * m["lxml parse"] for m in medians.values())),
                ],
                [
                    "item >= 4x faster than trafilatura",
                    f"{min(m['trafilatura'] / m['rfi_cn item'] for m in medians.values()):.1f}x",
                    verdict(all(m["trafilatura"] >= 4 * m["rfi_cn item"] for m in medians.values())),
                ],
                [
                    "stretch: item < one lxml parse",
                    f"{max(m['rfi_cn item'] / m['lxml parse'] for m in medians.values()):.2f}x",
                    verdict(all(m["rfi_cn item"] < m["lxml parse"] for m in medians.values())),
                ],
            ],
        )
    )
    if REAL_ARTICLE.exists():
        compare_fields(REAL_ARTICLE.read_bytes())
    return medians


def compare_fields(page: bytes) -> None:
    """Our fields against trafilatura's, on the real page: exact versus approximate."""
    import json

    import trafilatura

    ours = rfi_cn_item(page)
    theirs = json.loads(trafilatura.extract(page, output_format="json", with_metadata=True) or "{}")
    paragraphs = ours["body_text"].split("\n\n")
    their_text = theirs.get("text") or ""
    their_lines = [line.strip() for line in their_text.splitlines() if line.strip()]
    print("\n### The real article, field by field (rfi_cn is checked exactly in tests/test_extract_article.py)\n")
    rows = [
        ["title", ours["title"], theirs.get("title")],
        ["published", ours["published_at"], theirs.get("date")],
        ["authors", ", ".join(ours["authors"]), theirs.get("author")],
        ["tags", ", ".join(ours["tags"]), theirs.get("tags")],
        ["section", ours["section"], theirs.get("categories")],
        ["body paragraphs found", f"{len(paragraphs)} of {len(paragraphs)}", _found(paragraphs, their_text)],
        ["body lines not in the article body", "0", sum(1 for line in their_lines if line not in ours["body_text"])],
        ["image, caption, credit, lead, id", "yes", "no such fields"],
    ]
    print(table(["field", "rfi_cn", "trafilatura"], [[name, _short(a), _short(b)] for name, a, b in rows]))


def _found(paragraphs: list[str], text: str) -> str:
    return f"{sum(1 for paragraph in paragraphs if paragraph in text)} of {len(paragraphs)}"


def _short(value: object, width: int = 48) -> str:
    text = "" if value is None else str(value)
    return text if len(text) <= width else text[: width - 1] + "…"
