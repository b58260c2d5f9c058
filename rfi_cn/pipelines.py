"""Item pipelines, each one job, in this order (see ``ITEM_PIPELINES``):

1. ``CleanBodyPipeline``: raw body HTML → cleaned ``body_html``, ``body_text``, ``content_hash``.
2. ``NormaliseDatesPipeline``: date candidates → UTC ``YYYY-MM-DDTHH:MM:SSZ`` or ``None``.
3. ``ValidatePipeline``: an article missing a required field, or not valid under the
   article JSON Schema (``rfi_cn/lake/schemas/article.schema.json``), becomes a ``RejectItem``.
4. ``DeduplicatePipeline``: a second article with an id seen in this run becomes a ``RejectItem``.

Rejects and failures pass through untouched: nothing is dropped silently.
"""

from __future__ import annotations

from typing import Any

from itemadapter import ItemAdapter

from rfi_cn.accounting import reject
from rfi_cn.items import REQUIRED_FIELDS, ArticleItem, content_hash
from rfi_cn.lake.schema import schema_errors
from rfi_cn.normalise.cleaning import body_text, clean_body_html
from rfi_cn.normalise.dates import first_utc_iso


class CleanBodyPipeline:
    """Cleans the body and derives its text and the content hash."""

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, ArticleItem):
            return item
        item["body_html"] = clean_body_html(item.get("body_html"), item.get("url") or "") or None
        item["body_text"] = body_text(item["body_html"] or "") or None
        item["content_hash"] = content_hash(item.get("title"), item.get("lead"), item["body_text"])
        return item


class NormaliseDatesPipeline:
    """Turns each date field's candidates into one UTC ISO 8601 value."""

    DATE_FIELDS = ("published_at", "modified_at")

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, ArticleItem):
            return item
        for field in self.DATE_FIELDS:
            value = item.get(field)
            candidates = value if isinstance(value, list) else [value]
            item[field] = first_utc_iso(candidates)
        return item


class ValidatePipeline:
    """Routes an article to the rejects when it lacks url, title, published date or body
    text (``missing_fields``), or breaks the article JSON Schema (``schema``, with the
    validation messages): only records a loader can trust are exported."""

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, ArticleItem):
            return item
        missing = [field for field in REQUIRED_FIELDS if not item.get(field)]
        if missing:
            return reject(item.get("url"), "missing_fields", ", ".join(missing), item.get("id"))
        errors = schema_errors(ItemAdapter(item).asdict())
        if errors:
            return reject(item.get("url"), "schema", "; ".join(errors), item.get("id"))
        return item


class DeduplicatePipeline:
    """Routes an article whose ``id`` was already exported in this run to the rejects."""

    def __init__(self) -> None:
        self.first_url_of: dict[str, str] = {}

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, ArticleItem):
            return item
        first_url = self.first_url_of.get(item["id"])
        if first_url is not None:
            return reject(item["url"], "duplicate_id", f"same id as {first_url}", item["id"])
        self.first_url_of[item["id"]] = item["url"]
        return item
