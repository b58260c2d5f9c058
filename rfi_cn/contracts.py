"""Spider contracts for ``scrapy check rfi_cn``.

``@on_base_url`` moves the page named by ``@url`` (a real-site URL) onto
``RFI_BASE_URL``, so the same contracts check the live site, a mirror or the
loopback fixture site.
"""

from __future__ import annotations

from typing import Any

from scrapy.contracts import Contract
from scrapy.utils.project import get_project_settings

from rfi_cn.urls import to_crawl_url


class OnBaseUrlContract(Contract):
    """@on_base_url"""

    name = "on_base_url"

    def adjust_request_args(self, args: dict[str, Any]) -> dict[str, Any]:
        base_url = get_project_settings().get("RFI_BASE_URL")
        args["url"] = to_crawl_url(args["url"], args["url"], base_url) or args["url"]
        return args
