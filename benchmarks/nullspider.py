"""The null spider: what the crawl costs without our code in the callbacks.

``scrapy crawl rfi_cn_null -a paths_file=PATHS -s SPIDER_MODULES=rfi_cn.spiders,benchmarks.nullspider``
runs with the project's settings, middlewares, pipelines, extensions and the
mirror download handler, and requests every page of ``PATHS`` (a JSON list of
decoded paths, as ``benchmarks.serve --routes-file`` writes) once: the front
page, every listing and every article, the pages a fresh ``rfi_cn`` crawl of
the same site requests. Its callbacks parse nothing and yield nothing, so the
CPU it spends is Scrapy's (scheduling, downloading, middlewares, building
responses): the floor that ``benchmarks.cpu`` divides the ``rfi_cn`` spider's
CPU per article by. Benchmarks only: never in the project's ``SPIDER_MODULES``.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any, ClassVar

import scrapy
from scrapy.http import Response

from fixture_site.pages import SITE, site_path
from rfi_cn.middlewares.requests import ARTICLE, LISTING
from rfi_cn.site import is_article_url

FEEDS = ("/robots.txt", "/cn/rss", "/sitemaps/cn/news.xml")


class NullSpider(scrapy.Spider):
    name = "rfi_cn_null"
    allowed_domains: ClassVar[list[str]] = ["www.rfi.fr"]

    def __init__(self, paths_file: str = "", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        paths = json.loads(Path(paths_file).read_text(encoding="utf-8")) if paths_file else []
        self.urls = [SITE + site_path(path) for path in paths if path not in FEEDS]
        self.responses = 0

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for url in self.urls:
            mark = ARTICLE if is_article_url(url) else LISTING
            yield scrapy.Request(url, callback=self.parse, meta={mark: True})

    def parse(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        self.crawler.stats.inc_value("bench/null_responses")
        return iter(())
