"""The records the crawl emits: articles, rejects and failures.

Field order is export order (Scrapy 2.18+). ``ArticleItem`` is the public
contract, schema 1.1 (records carry the major, ``schema_version`` 1): every field is always present, ``None`` or ``[]``
when the page has none.
"""

from __future__ import annotations

import hashlib

import scrapy

SCHEMA_VERSION = 1  # the schema's major version; schemas/article.schema.json holds major.minor (1.1 added `media`)


class ArticleItem(scrapy.Item):
    """One article page. Dates hold their raw candidates until normalised.

    Each field's metadata is the one place its shape is declared: ``list=True``
    (exported as an array, ``[]`` when absent), ``candidates=True`` (a list of raw
    candidates until a pipeline picks one), ``required=True`` (an export without
    it is rejected as ``missing_fields``). ``LIST_FIELDS``, ``REQUIRED_FIELDS``,
    ``empty_value`` and the schema test derive from it.
    """

    id = scrapy.Field()
    url = scrapy.Field(required=True)
    url_zh_hant = scrapy.Field()
    language = scrapy.Field()
    title = scrapy.Field(required=True)
    lead = scrapy.Field()
    kicker = scrapy.Field()
    section = scrapy.Field()
    authors = scrapy.Field(list=True)
    tags = scrapy.Field(list=True)
    published_at = scrapy.Field(candidates=True, required=True)
    modified_at = scrapy.Field(candidates=True)
    image_url = scrapy.Field()
    image_caption = scrapy.Field()
    image_credit = scrapy.Field()
    body_html = scrapy.Field()
    body_text = scrapy.Field(required=True)
    word_count = scrapy.Field()
    crawled_at = scrapy.Field()
    content_hash = scrapy.Field()
    schema_version = scrapy.Field()
    media = scrapy.Field(list=True)  # 1.1: [{url, type: audio|video, duration: seconds|None}]


LIST_FIELDS = frozenset(name for name, meta in ArticleItem.fields.items() if meta.get("list"))
CANDIDATE_FIELDS = frozenset(name for name, meta in ArticleItem.fields.items() if meta.get("candidates"))
REQUIRED_FIELDS = tuple(name for name, meta in ArticleItem.fields.items() if meta.get("required"))


def empty_value(field: str) -> list[object] | None:
    """What an absent field holds: ``[]`` for a list (or candidates), else ``None``."""
    meta = ArticleItem.fields[field]
    return [] if meta.get("list") or meta.get("candidates") else None


class RejectItem(scrapy.Item):
    """An article page that was fetched but not exported, and why."""

    url = scrapy.Field()
    id = scrapy.Field()
    reason = scrapy.Field()
    detail = scrapy.Field()
    rejected_at = scrapy.Field()


class FailureItem(scrapy.Item):
    """A page that could not be fetched: its status or error, and a reason class."""

    url = scrapy.Field()
    kind = scrapy.Field()
    reason = scrapy.Field()
    status = scrapy.Field()
    error = scrapy.Field()
    retries = scrapy.Field()
    failed_at = scrapy.Field()


def content_hash(title: str | None, lead: str | None, body_text: str | None) -> str:
    """sha256 of title, lead and body text, one per line: changes when the text does."""
    text = "\n".join(part or "" for part in (title, lead, body_text))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
