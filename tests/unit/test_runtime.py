"""FrozenStartupHeap: start-up's objects are frozen while the spider runs, and only then."""

from __future__ import annotations

import gc

import pytest
from scrapy import Spider, signals
from scrapy.exceptions import NotConfigured
from scrapy.utils.test import get_crawler

from rfi_cn.runtime import FrozenStartupHeap


class _Spider(Spider):
    name = "runtime"


def test_frozen_from_spider_opened_to_spider_closed() -> None:
    crawler = get_crawler(_Spider, {"RFI_GC_YOUNG_THRESHOLD": 5000})
    extension = FrozenStartupHeap.from_crawler(crawler)
    spider = _Spider()
    python_thresholds = gc.get_threshold()
    assert gc.get_freeze_count() == 0
    try:
        crawler.signals.send_catch_log(signals.spider_opened, spider=spider)
        assert extension.frozen
        assert gc.get_freeze_count() > 1000  # the modules, classes and functions loaded so far
        assert gc.get_threshold() == (5000, *python_thresholds[1:])
        young: list[object] = []
        young.append(young)  # a cycle made after the freeze is still collected
        del young
        assert gc.collect() >= 1
    finally:
        crawler.signals.send_catch_log(signals.spider_closed, spider=spider, reason="finished")
    assert gc.get_freeze_count() == 0
    assert gc.get_threshold() == python_thresholds
    assert not extension.frozen


def test_a_zero_threshold_keeps_pythons() -> None:
    crawler = get_crawler(_Spider, {"RFI_GC_YOUNG_THRESHOLD": 0})
    extension = FrozenStartupHeap.from_crawler(crawler)  # held: signals keep weak references
    python_thresholds = gc.get_threshold()
    try:
        crawler.signals.send_catch_log(signals.spider_opened, spider=_Spider())
        assert extension.frozen
        assert gc.get_threshold() == python_thresholds
    finally:
        crawler.signals.send_catch_log(signals.spider_closed, spider=_Spider(), reason="finished")
    assert gc.get_freeze_count() == 0


def test_both_settings_off_turn_it_off() -> None:
    with pytest.raises(NotConfigured):
        FrozenStartupHeap.from_crawler(get_crawler(_Spider, {"RFI_GC_FREEZE": False, "RFI_GC_YOUNG_THRESHOLD": 0}))


def test_the_threshold_applies_without_the_freeze() -> None:
    crawler = get_crawler(_Spider, {"RFI_GC_FREEZE": False, "RFI_GC_YOUNG_THRESHOLD": 4321})
    extension = FrozenStartupHeap.from_crawler(crawler)  # held: signals keep weak references
    python_thresholds = gc.get_threshold()
    try:
        crawler.signals.send_catch_log(signals.spider_opened, spider=_Spider())
        assert gc.get_threshold() == (4321, *python_thresholds[1:])
        assert not extension.frozen
        assert gc.get_freeze_count() == 0
    finally:
        crawler.signals.send_catch_log(signals.spider_closed, spider=_Spider(), reason="finished")
    assert gc.get_threshold() == python_thresholds


def test_closing_a_spider_that_never_opened_unfreezes_nothing() -> None:
    gc.freeze()
    try:
        crawler = get_crawler(_Spider)
        extension = FrozenStartupHeap.from_crawler(crawler)  # held: signals keep weak references
        crawler.signals.send_catch_log(signals.spider_closed, spider=_Spider(), reason="finished")
        assert gc.get_freeze_count() > 0  # someone else's freeze is left alone
        assert not extension.frozen
    finally:
        gc.unfreeze()
