"""Spider contracts for ``scrapy check rfi_cn``.

``@on_base_url`` moves the page named by ``@url`` (a real-site URL) onto
``RFI_BASE_URL``, so the same contracts check the live site, a mirror or the
loopback fixture site. It also sets the spider to a backfill (``full``): a
contract checks navigation, whatever the crawl state already holds.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from scrapy.contracts import Contract
from scrapy.utils.project import get_project_settings

from rfi_cn.urls import to_crawl_url


class OnBaseUrlContract(Contract):
    """@on_base_url"""

    name = "on_base_url"

    def __init__(self, method: Callable[..., Any], *args: Any) -> None:
        super().__init__(method, *args)
        self.spider = getattr(method, "__self__", None)

    def adjust_request_args(self, args: dict[str, Any]) -> dict[str, Any]:
        base_url = get_project_settings().get("RFI_BASE_URL")
        args["url"] = to_crawl_url(args["url"], args["url"], base_url) or args["url"]
        incremental = getattr(self.spider, "incremental", None)
        if incremental is not None:
            incremental.full = True
        return args
