"""A crawl extension for ``benchmarks.cpu_parts`` only: the article extraction stubbed out.

With ``benchmarks.stubbed.StubbedExtraction`` in ``EXTENSIONS`` (and the
pipelines before ``DeduplicatePipeline`` left out of ``ITEM_PIPELINES``), the
spider's ``parse_article`` gets, for every article page, a copy of one finished
record (the first page's, extracted, cleaned, dated and validated for real
once) with the page's URL and an id of its own. Everything else runs as in
production: navigation, the request filter, scheduling, downloading, the
remaining pipelines, the lake export, the crawl state, run health. Its CPU
minus the null spider's is what the crawl costs beyond extraction. Never in
the project's settings.
"""

from __future__ import annotations

import hashlib
from typing import Any

from scrapy.crawler import Crawler

import rfi_cn.spiders.rfi_cn as spider_module
from rfi_cn.extract.article import Extraction, extract_body
from rfi_cn.items import ArticleItem
from rfi_cn.pipelines import CleanBodyPipeline, NormaliseDatesPipeline, ValidatePipeline

# ITEM_PIPELINES of a stubbed crawl: what follows the extraction's pipelines.
PIPELINES = {
    "rfi_cn.pipelines.DeduplicatePipeline": 400,
    "rfi_cn.state.incremental.SkipUnchangedPipeline": 500,
}


class StubbedExtraction:
    """Replaces ``rfi_cn.spiders.rfi_cn.extract_body`` for the crawl (benchmarks only)."""

    def __init__(self) -> None:
        self.record: ArticleItem | None = None
        spider_module.extract_body = self.extract_body  # type: ignore[assignment]

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StubbedExtraction:
        return cls()

    def extract_body(self, body: bytes, declared: str | None, page_url: str, crawled_at: str) -> Extraction:
        if self.record is None:
            item: Any = extract_body(body, declared, page_url, crawled_at).item
            for pipeline in (CleanBodyPipeline(), NormaliseDatesPipeline(), ValidatePipeline()):
                item = pipeline.process_item(item)
            assert isinstance(item, ArticleItem), item
            self.record = item
        item = self.record.copy()  # a dict of its own: copy.copy would share the fields
        item["url"] = page_url
        item["id"] = hashlib.sha1(page_url.encode(), usedforsecurity=False).hexdigest()[:16]
        return Extraction(item)
