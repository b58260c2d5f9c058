"""``scrapy check``: the spider's contracts, read-only (see ``rfi_cn.commands.readonly``)."""

from __future__ import annotations

import argparse

from scrapy.commands.check import Command as ScrapyCheck

from rfi_cn.commands.readonly import read_only


class Command(ScrapyCheck):
    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        super().process_options(args, opts)
        assert self.settings is not None
        read_only(self.settings)
