"""``scrapy shell``: fetches through the crawl's download handler, read-only (see ``rfi_cn.commands.readonly``)."""

from __future__ import annotations

import argparse

from scrapy.commands.shell import Command as ScrapyShell

from rfi_cn.commands.readonly import read_only


class Command(ScrapyShell):
    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        super().process_options(args, opts)
        assert self.settings is not None
        read_only(self.settings)
