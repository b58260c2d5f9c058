"""JSON-LD blocks of a page, as the objects they hold (``@graph`` and nested media included).

Each block is parsed once per page (``rfi_cn.extract.document.Page.jsonld``);
the helpers here read the values the article fields fall back on.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

NESTED_KEYS = ("@graph", "audio", "video", "associatedMedia")
ARTICLE_TYPES = frozenset({"NewsArticle", "Article", "ReportageNewsArticle"})


def parse_json(text: str) -> Any:
    """``text`` as JSON, or ``None`` when it is not."""
    try:
        return json.loads(text)
    except (ValueError, RecursionError):  # RecursionError: nested deeper than the parser goes
        return None


def objects_of(texts: Iterable[str]) -> Iterator[dict[str, Any]]:
    """Every JSON object of the JSON-LD block texts, in page order; malformed blocks are skipped."""
    for text in texts:
        yield from _objects(parse_json(text))


def types_of(node: dict[str, Any]) -> list[str]:
    """``@type`` as a list of strings (it may be one string or a list)."""
    value = node.get("@type")
    if isinstance(value, str):
        return [value]
    return [entry for entry in value if isinstance(entry, str)] if isinstance(value, list) else []


def news_article(objects: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """The first ``NewsArticle`` / ``Article`` / ``ReportageNewsArticle`` object; ``{}`` when none."""
    for node in objects:
        if ARTICLE_TYPES.intersection(types_of(node)):
            return node
    return {}


def string(node: dict[str, Any], key: str) -> str | None:
    value = node.get(key)
    return value if isinstance(value, str) else None


def names(value: Any) -> list[str]:
    """Names of a JSON-LD ``author``: a string, a ``Person`` or a list of either."""
    entries = value if isinstance(value, list) else [value]
    found = []
    for entry in entries:
        name = entry.get("name") if isinstance(entry, dict) else entry
        if isinstance(name, str):
            found.append(name)
    return found


def keywords(value: Any) -> list[str]:
    """``keywords``: a list of strings or one comma-separated string."""
    if isinstance(value, str):
        return value.split(",")
    return [entry for entry in value if isinstance(entry, str)] if isinstance(value, list) else []


def image_url(value: Any) -> str | None:
    """The first URL of a JSON-LD ``image``: a URL, an ``ImageObject`` or a list of either."""
    entry = value[0] if isinstance(value, list) and value else value
    if isinstance(entry, dict):
        entry = entry.get("url") or entry.get("contentUrl")
    return entry if isinstance(entry, str) else None


def _objects(data: Any) -> Iterator[dict[str, Any]]:
    if isinstance(data, list):
        for entry in data:
            yield from _objects(entry)
    elif isinstance(data, dict):
        yield data
        for key in NESTED_KEYS:
            yield from _objects(data.get(key))
