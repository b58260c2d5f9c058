"""Contracts for ``scrapy check``: a callback names the page it is checked against by its path.

``@path /cn/政治/`` stands for that page of the site (``rfi_cn.site``); where it is
fetched from is the download handler's business (``RFI_BASE_URL``), so the same
contracts check the live site, a mirror or the loopback fixture site.
"""

from __future__ import annotations

from typing import Any

from scrapy.contracts import Contract

from rfi_cn.site import site_path_url


class PathContract(Contract):
    """@path /cn/<section>/ : the request's URL, the site's page at that path."""

    name = "path"

    def adjust_request_args(self, args: dict[str, Any]) -> dict[str, Any]:
        args["url"] = site_path_url(self.args[0])
        return args
