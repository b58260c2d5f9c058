"""Scrapy's "generator callback returns a value" check, run once here instead of on every
page of a crawl (``WARN_ON_GENERATOR_RETURN_VALUE = False`` in the settings)."""

import inspect
from collections.abc import Iterator
from typing import Any

import pytest
from scrapy.utils.misc import is_generator_with_return_value
from scrapy.utils.project import get_project_settings

from rfi_cn.spiders.rfi_cn import RfiCnSpider

CALLBACKS = sorted(
    name for name, member in inspect.getmembers(RfiCnSpider, inspect.isfunction) if inspect.isgeneratorfunction(member)
)


def test_every_generator_callback_is_checked() -> None:
    assert {"parse_front", "parse_listing", "parse_article", "on_article_error", "parse_rss"} <= set(CALLBACKS)


@pytest.mark.parametrize("name", CALLBACKS)
def test_no_callback_returns_a_value(name: str) -> None:
    assert not is_generator_with_return_value(getattr(RfiCnSpider(), name))


def test_the_check_finds_a_returned_value() -> None:
    def callback(response: Any) -> Iterator[Any]:
        yield 1
        return 2

    assert is_generator_with_return_value(callback)


def test_scrapy_does_not_check_on_every_page() -> None:
    assert get_project_settings().getbool("WARN_ON_GENERATOR_RETURN_VALUE", True) is False
