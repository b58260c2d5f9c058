"""Item pipelines, each one job, in this order (see ``ITEM_PIPELINES``):

1. ``CleanBodyPipeline``: raw body HTML → cleaned ``body_html``, ``body_text``, ``content_hash``;
   a body nested too deep to be read whole becomes a ``RejectItem`` (``too_deep``).
2. ``NormaliseDatesPipeline``: date candidates → UTC ``YYYY-MM-DDTHH:MM:SSZ`` or ``None``.
3. ``ValidatePipeline``: an article missing a required field, or not valid under the
   article JSON Schema (``rfi_cn/lake/schemas/article.schema.json``), becomes a ``RejectItem``.
4. ``DeduplicatePipeline``: a second article with an id seen in this run becomes a ``RejectItem``.

Rejects and failures pass through untouched: nothing is dropped silently.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from itemadapter import ItemAdapter

from rfi_cn.accounting import reject
from rfi_cn.items import REQUIRED_FIELDS, ArticleItem, content_hash
from rfi_cn.lake.schema import encodable, encoding_errors, schema_errors, schema_valid
from rfi_cn.normalise.cleaning import TooDeepError, clean_body
from rfi_cn.normalise.dates import first_utc_iso


class CleanBodyPipeline:
    """Cleans the body and derives its text and the content hash.

    A body nested too deep to be read whole (it may have been cut by a parser)
    is a ``too_deep`` reject: never a shortened export.
    """

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, ArticleItem):
            return item
        try:
            body = clean_body(item.get("body_html"), item.get("url") or "")
        except TooDeepError as exc:
            return reject(item.get("url"), "too_deep", str(exc), item.get("id"))
        item["body_html"] = body.html or None
        item["body_text"] = body.text or None
        item["content_hash"] = content_hash(item.get("title"), item.get("lead"), item["body_text"])
        return item


class NormaliseDatesPipeline:
    """Turns each date field's candidates into one UTC ISO 8601 value, or ``None``.

    A date more than a day after the crawl is refused: "the crawl" is the item's
    ``crawled_at``, so items read again later are judged as they were when fetched.
    """

    DATE_FIELDS = ("published_at", "modified_at")

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, ArticleItem):
            return item
        crawled_at = _instant(item.get("crawled_at"))
        for field in self.DATE_FIELDS:
            value = item.get(field)
            candidates = value if isinstance(value, list) else [value]
            item[field] = first_utc_iso(candidates, now=crawled_at)
        return item


def _instant(value: Any) -> datetime | None:
    """An ISO 8601 timestamp with its zone (``crawled_at``), else ``None`` (the clock is used)."""
    try:
        moment = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None
    return moment if moment is not None and moment.tzinfo is not None else None


class ValidatePipeline:
    """Routes an article to the rejects when it lacks url, title, published date or body
    text (``missing_fields``), or breaks the article JSON Schema (``schema``, with the
    validation messages, or any string UTF-8 cannot encode, such as a lone surrogate from
    JSON-LD): only records a loader can trust, and the lake can hold, are exported."""

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, ArticleItem):
            return item
        missing = [field for field in REQUIRED_FIELDS if not item.get(field)]
        if missing:
            return reject(item.get("url"), "missing_fields", ", ".join(missing), item.get("id"))
        record = dict(item)
        if schema_valid(record):  # the compiled check: valid as it stands (rfi_cn.lake.schema)
            errors = encoding_errors(record)
        else:  # jsonschema reads the full conversion, decides, and names every error
            record = ItemAdapter(item).asdict()
            errors = schema_errors(record) + encoding_errors(record)
        if errors:
            return reject(encodable(item.get("url")), "schema", encodable("; ".join(errors)), encodable(item.get("id")))
        return item


class DeduplicatePipeline:
    """Routes an article whose ``id`` was already scraped in this run to the rejects.

    Only the ids are kept (a URL for each would be most of the run's memory growth): the
    reject names the id; the first article is the lake's row with that id (or it was unchanged)."""

    def __init__(self) -> None:
        self.seen_ids: set[str] = set()

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, ArticleItem):
            return item
        if item["id"] in self.seen_ids:
            detail = f"id {item['id']} already scraped in this run"
            return reject(item["url"], "duplicate_id", detail, item["id"])
        self.seen_ids.add(item["id"])
        return item
