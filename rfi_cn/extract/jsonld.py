"""JSON-LD blocks of a page, as the objects they hold (``@graph`` and nested media included)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from parsel import Selector

JSONLD_XPATH = '//script[@type="application/ld+json"]/text()'
NESTED_KEYS = ("@graph", "audio", "video", "associatedMedia")


def jsonld_objects(selector: Selector) -> Iterator[dict[str, Any]]:
    """Every JSON object of the page's JSON-LD, in page order; malformed blocks are skipped."""
    for text in selector.xpath(JSONLD_XPATH).getall():
        yield from _objects(parse_json(text))


def parse_json(text: str) -> Any:
    """``text`` as JSON, or ``None`` when it is not."""
    try:
        return json.loads(text)
    except ValueError:
        return None


def _objects(data: Any) -> Iterator[dict[str, Any]]:
    if isinstance(data, list):
        for entry in data:
            yield from _objects(entry)
    elif isinstance(data, dict):
        yield data
        for key in NESTED_KEYS:
            yield from _objects(data.get(key))
