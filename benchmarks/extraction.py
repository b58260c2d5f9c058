"""Figure 3: extraction time per article page ÷ one ``lxml.html.fromstring`` of the same bytes.

"Extraction" is what the crawl does per article page beyond downloading it:
the spider's ``parse_article`` (one lexbor parse, every field) and the item
pipelines that finish the record (``shaping_pipelines``: those of
``ITEM_PIPELINES`` before deduplication; on main Clean, Dates and Validate). The page is the real
544 KB article in ``../shared/rfi-pages/`` when it is there; otherwise a
fixture article of the same size, parse cost and record size
(``fixture_site.newsroom``: 420 KB of inline CSS, 250 related-article cards
around our own text), and the report says so. Each
repeat runs ``rounds`` interleaved rounds (extraction, then the parse, on the
same bytes, so that load from other processes hits both alike) and gives the
ratio of their fastest tenths (the mean of the fastest 10% of the calls: what
a call costs when the other processes on the machine leave the core alone;
medians are in the detail, and swing with the load); the figure is the median
ratio of the repeats. For
reference the detail also has ``lxml.html.document_fromstring`` and, when it
is installed, ``trafilatura.extract`` (timed apart, after the rounds: its
50 ms calls between the others would leave them cold caches).

The floor: ``Page`` alone (the depth guard and the lexbor parse) ÷
``lxml.html.fromstring``, timed in rounds of their own after the figure's (so
the figure's rounds are as in earlier rounds). No extraction on that tree can
cost less; what lies between it and the figure is the fields, the body
cleaning and the validation.
"""

from __future__ import annotations

import gc
import importlib.util
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import lxml.html
from scrapy.crawler import Crawler
from scrapy.http import HtmlResponse
from scrapy.utils.misc import build_from_crawler, load_object
from scrapy.utils.project import get_project_settings

from benchmarks.crawl import PADDING, RELATED
from benchmarks.figures import Figure
from benchmarks.machine import fastest_ms
from fixture_site.newsroom import Newsroom
from rfi_cn.extract.document import Page
from rfi_cn.spiders.rfi_cn import RfiCnSpider

ROOT = Path(__file__).resolve().parent.parent
REAL_ARTICLE = ROOT.parent / "shared" / "rfi-pages" / "cn-article-20251130-taiwan-t-dome.html"
PAGE_URL = "https://www.rfi.fr/cn/%E6%94%BF%E6%B2%BB/20251130-x"
TARGET = 1.0
# The first item pipelines that route items out rather than finish them: the extraction stops before them.
ROUTING = ("DeduplicatePipeline", "SkipUnchangedPipeline")


def response_of(page: bytes) -> HtmlResponse:
    return HtmlResponse(PAGE_URL, body=page, headers={"Content-Type": "text/html; charset=utf-8"})


def shaping_pipelines() -> list[Any]:
    """The project's ``ITEM_PIPELINES``, in order, up to the first that routes items (``ROUTING``):
    the ones that finish the record (on main: clean the body, normalise the dates, validate)."""
    settings = get_project_settings()
    crawler = Crawler(RfiCnSpider, settings)
    pipelines = []
    for path, _ in sorted(settings.getdict("ITEM_PIPELINES").items(), key=lambda entry: entry[1]):
        if path.rsplit(".", 1)[-1] in ROUTING:
            break
        pipelines.append(build_from_crawler(load_object(path), crawler))
    return pipelines


class Extraction:
    """The spider's work on one article page, then the pipelines that shape the item."""

    def __init__(self) -> None:
        self.spider = RfiCnSpider()
        self.pipelines = shaping_pipelines()

    def __call__(self, page: bytes) -> Any:
        item = next(iter(self.spider.parse_article(response_of(page))))
        for pipeline in self.pipelines:
            item = pipeline.process_item(item)
        return item


def floor(page: bytes, rounds: int) -> float:
    """``Page`` ÷ ``lxml.html.fromstring`` (fastest tenths), ``rounds`` interleaved rounds of their own."""
    times = time_methods({"page": Page, "lxml": lxml_fromstring}, page, rounds)  # Page: guard + lexbor parse
    return fastest_ms(times["page"]) / fastest_ms(times["lxml"])


def lxml_fromstring(page: bytes) -> Any:
    return lxml.html.fromstring(page)


def lxml_document_fromstring(page: bytes) -> Any:
    return lxml.html.document_fromstring(page)


def trafilatura_extract(page: bytes) -> Any:
    import trafilatura

    return trafilatura.extract(page)


def the_page(shared: Path = REAL_ARTICLE) -> tuple[str, bytes]:
    """The real article when ``../shared`` has it, else a fixture page of its size (labelled so)."""
    if shared.exists():
        return "the real 544 KB article (../shared)", shared.read_bytes()
    page = fixture_page(PADDING, RELATED)
    return f"a fixture article of {len(page) // 1024} KB ({shared} is absent)", page


def fixture_page(padding: int, related: int) -> bytes:
    """A newsroom article page as the benchmarks' crawls serve it (``padding`` bytes of CSS, ``related`` cards)."""
    newsroom = Newsroom(1, padding_bytes=padding, related=related)
    return newsroom.article_page(newsroom.articles[0]).body


def time_methods(methods: dict[str, Callable[[bytes], Any]], page: bytes, rounds: int) -> dict[str, list[float]]:
    """Seconds per call of every method, ``rounds`` interleaved rounds."""
    for method in methods.values():
        method(page)  # warm up: imports, caches
    times: dict[str, list[float]] = {name: [] for name in methods}
    for _ in range(rounds):
        gc.collect()
        for name, method in methods.items():
            start = time.perf_counter()
            method(page)
            times[name].append(time.perf_counter() - start)
    return times


def run(rounds: int = 100, repeats: int = 3, shared: Path = REAL_ARTICLE) -> Figure:
    """Time the extraction against one ``lxml.html.fromstring`` of the page, ``repeats`` times."""
    label, page = the_page(shared)
    figure = Figure("extraction_ratio", "extraction ÷ one lxml.html.fromstring", TARGET, "x")
    print(f"\n## Figure 3: extraction of {label}, {repeats} repeats of {rounds} interleaved rounds")
    methods: dict[str, Callable[[bytes], Any]] = {
        "extraction": Extraction(),
        "lxml.html.fromstring": lxml_fromstring,
        "lxml.html.document_fromstring": lxml_document_fromstring,
    }
    medians: dict[str, list[float]] = {name: [] for name in methods}
    tenths: dict[str, list[float]] = {name: [] for name in methods}
    for _ in range(repeats):
        times = time_methods(methods, page, rounds)
        for name, seconds in times.items():
            medians[name].append(statistics.median(seconds) * 1000)
            tenths[name].append(fastest_ms(seconds))
        figure.samples.append(tenths["extraction"][-1] / tenths["lxml.html.fromstring"][-1])
    figure.value = statistics.median(figure.samples)
    ms = {name: statistics.median(values) for name, values in tenths.items()}
    median = {name: statistics.median(values) for name, values in medians.items()}
    figure.detail = {"page": label, "bytes": len(page), "fastest_tenth_ms": ms, "median_ms": median, "rounds": rounds}
    figure.detail["floor"] = floor(page, rounds)
    figure.detail["pipelines"] = [type(pipeline).__name__ for pipeline in methods["extraction"].pipelines]  # type: ignore[attr-defined]
    figure.note = (
        f"{ms['extraction']:.2f} ms vs {ms['lxml.html.fromstring']:.2f} ms (fastest tenths; medians "
        f"{median['extraction']:.2f} vs {median['lxml.html.fromstring']:.2f}); "
        f"{ms['extraction'] / ms['lxml.html.document_fromstring']:.2f}x a document_fromstring; "
        f"floor (guard + lexbor parse alone) {figure.detail['floor']:.2f}x; "
        f"page: {'real' if shared.exists() else 'fixture, real size'}"
    )
    for name in methods:
        print(f"  {name}: fastest tenth {ms[name]:.2f} ms, median {median[name]:.2f} ms")
    if importlib.util.find_spec("trafilatura") is not None:  # apart: its 50 ms calls would cool the caches
        seconds = time_methods({"trafilatura.extract": trafilatura_extract}, page, max(1, rounds // 10))
        figure.detail["trafilatura_ms"] = fastest_ms(seconds["trafilatura.extract"])
        print(f"  (timed apart, for reference) trafilatura.extract: {figure.detail['trafilatura_ms']:.2f} ms")
    return figure
