"""``scrapy parse <URL>``: one page through the spider and, by default, the pipelines.

``scrapy parse https://www.rfi.fr/cn/<section>/<YYYYMMDD>-<slug>`` needs no other flag:
the spider is ``rfi_cn`` (``--spider`` still works), the callback follows from the
URL (an article page: ``parse_article``; the front page: ``parse_front``; a section
or its pagination: ``parse_listing`` with its section), and the items go through the
item pipelines (cleaned, dates normalised, validated) before they are printed;
``--no-pipelines`` shows the raw extraction. A URL on ``RFI_BASE_URL`` (the mirror)
is read as the real-site URL it stands for. Read-only: see ``rfi_cn.commands.readonly``.
"""

from __future__ import annotations

import argparse
import copy
import logging
import warnings
from typing import Any
from urllib.parse import unquote

from scrapy.commands.parse import Command as ScrapyParse
from scrapy.exceptions import DropItem, ScrapyDeprecationWarning
from scrapy.utils.defer import deferred_from_coro

from rfi_cn.commands.readonly import read_only
from rfi_cn.site import FRONT_PAGE, SITE_ORIGIN, from_mirror, is_article_url, is_site_origin, path_of

logger = logging.getLogger(__name__)


def callback_for(url: str) -> tuple[str, dict[str, Any]] | None:
    """The spider callback (and its keyword arguments) that reads the real-site page ``url``."""
    if not is_site_origin(url):
        return None
    if is_article_url(url):
        return "parse_article", {}
    if url.split("?")[0] == FRONT_PAGE:
        return "parse_front", {}
    parts = unquote(path_of(url)).split("/")  # /cn/<section>/..., pagination included
    if len(parts) >= 3 and parts[1] == "cn" and parts[2]:
        return "parse_listing", {"section": parts[2]}
    return None


class Command(ScrapyParse):
    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument(
            "--no-pipelines", dest="pipelines", action="store_false", help="print the items before the pipelines"
        )
        parser.set_defaults(pipelines=True, spider="rfi_cn")

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        super().process_options(args, opts)
        assert self.settings is not None
        read_only(self.settings)
        # Scrapy's parse command itself wraps every callback's output in a Deferred.
        warnings.filterwarnings("ignore", r".* returned a Deferred\.", ScrapyDeprecationWarning)
        if len(args) == 1:
            base_url = self.settings.get("RFI_BASE_URL") or SITE_ORIGIN
            args[0] = from_mirror(args[0], base_url)
            found = callback_for(args[0])
            if not opts.callback and found:
                opts.callback = found[0]
                opts.cbkwargs = {**found[1], **(opts.cbkwargs or {})}

    def scraped_data(self, args: Any) -> Any:
        items, requests, opts, depth, spider, callback = args
        if not opts.pipelines:
            return super().scraped_data(args)
        return deferred_from_coro(self._through_pipelines(items, requests, opts, depth, spider, callback))

    async def _through_pipelines(
        self, items: list[Any], requests: list[Any], opts: argparse.Namespace, *rest: Any
    ) -> Any:
        """Each item as the pipelines leave it (Scrapy's own ``--pipelines`` runs them
        unawaited and prints the items as the spider yielded them)."""
        assert self.pcrawler.engine is not None
        itemproc = self.pcrawler.engine.scraper.itemproc
        processed = []
        for item in items:
            try:
                processed.append(await itemproc.process_item_async(item))
            except DropItem as exc:
                logger.warning("The pipelines dropped the item: %s", exc)
        shown = copy.copy(opts)
        shown.pipelines = False  # done above
        return super().scraped_data((processed, requests, shown, *rest))
