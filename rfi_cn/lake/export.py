"""The lake's feed exporter: a row counts only once it is written, a file only once it is stored.

``LakeFeedExporter`` replaces Scrapy's ``FeedExporter`` (the ``DataLakeFeeds``
add-on installs it). Scrapy's ``item_scraped`` signal fires before the exporter
writes, and a write that raises is only logged; so here:

- an article counts as ``rfi_cn/articles/exported`` when every feed that takes
  articles wrote its row (one that no feed wrote is counted as
  ``rfi_cn/articles/unwritten``: it is no outcome, so ``unaccounted`` is not 0);
- each row written to a lake feed is announced with the ``row_written`` signal
  (``item``, ``slot``): the crawl state records only those rows, once their
  file is published;
- a write that fails with a storage error (``OSError``), or any failure of a
  format that may have written part of a row, breaks the file: it is not
  stored (its temporary file is discarded), later rows of it are not written;
- a file is published when the storage's ``store`` returned (and, for the
  lake's own storages, says ``stored``): the slot's ``published`` attribute.
  Any other end counts in ``rfi_cn/lake/storage_errors`` and
  ``rfi_cn/lake/unpublished_rows/<kind>``, and is logged as an error.
"""

from __future__ import annotations

import logging
from typing import IO, Any

import scrapy
from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exporters import JsonLinesItemExporter
from scrapy.extensions.feedexport import FeedExporter, FeedSlot, apply_uri_params
from scrapy.utils.defer import ensure_awaitable
from scrapy.utils.python import to_bytes

from rfi_cn.items import ArticleItem
from rfi_cn.lake.addon import lake_feeds

logger = logging.getLogger(__name__)

row_written = object()  # signal: a row is in a lake file (arguments: item, slot)
PUBLISHED = "published"  # the FeedSlot attribute: True once its file is stored
BROKEN = "rfi_cn_broken"  # the FeedSlot attribute: the error that broke its file


class UnencodableRecordError(ValueError):
    """A record the exporter cannot encode; nothing of it was written."""


class LakeJsonLinesExporter(JsonLinesItemExporter):
    """JSON Lines that encodes a whole row before writing any of it.

    A ``scrapy.Item`` whose fields have no ``serializer`` (every record of the
    lake) is read straight from the item, in declaration order: the row Scrapy's
    ``get_serialized_fields`` would give, byte for byte, without its per-field
    adapter calls (a third of the export's CPU). Anything else goes Scrapy's way.
    """

    def __init__(self, file: Any, **kwargs: Any) -> None:
        super().__init__(file, **kwargs)
        self.plain_orders: dict[type, tuple[str, ...]] = {}  # per Item class; () when Scrapy's way

    def export_item(self, item: Any) -> None:
        itemdict = self._row(item)
        try:
            data = to_bytes(self.encoder.encode(itemdict) + "\n", self.encoding)
        except (UnicodeError, TypeError, ValueError) as exc:
            raise UnencodableRecordError(f"{type(exc).__name__}: {exc}") from exc
        self.file.write(data)

    def _row(self, item: Any) -> dict[str, Any]:
        if isinstance(item, scrapy.Item) and self.fields_to_export is None and not self.export_empty_fields:
            order = self.plain_orders.get(type(item))
            if order is None:
                fields = type(item).fields
                plain = not any("serializer" in meta for meta in fields.values())
                order = self.plain_orders[type(item)] = tuple(fields) if plain else ()
            if order:
                populated = item.keys()
                return {name: item[name] for name in order if name in populated}
        return dict(self.get_serialized_fields(item))


def published(slot: FeedSlot) -> bool:
    """Whether ``slot``'s file was stored and confirmed by its storage."""
    return bool(getattr(slot, PUBLISHED, False))


class LakeFeedExporter(FeedExporter):
    """Scrapy's feed exporter, counting written rows and publishing only whole files."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.lake_kinds: dict[str, str] = {
            uri: kind for uri, kind in lake_feeds(crawler.settings).items() if uri in self.feeds
        }

    def item_scraped(self, item: Any, spider: Spider) -> None:
        assert self.crawler.stats is not None
        slots = []
        accepted = written = 0
        for slot in self.slots:
            slots.append(slot)
            if not slot.filter.accepts(item):
                continue
            accepted += 1
            if not self._write(slot, item):
                continue
            written += 1
            if self.lake_kinds.get(slot.uri_template):
                self.crawler.signals.send_catch_log(row_written, item=item, slot=slot)
            batch = self.feeds[slot.uri_template]["batch_item_count"]
            if batch and slot.itemcount >= batch:
                uri_params = self._get_uri_params(spider, self.feeds[slot.uri_template]["uri_params"], slot)
                self._schedule_slot_close(slot, spider)
                slots[-1] = self._start_new_batch(
                    batch_id=slot.batch_id + 1,
                    uri=apply_uri_params(slot.uri_template, uri_params),
                    feed_options=self.feeds[slot.uri_template],
                    spider=spider,
                    uri_template=slot.uri_template,
                )
        self.slots = slots
        if isinstance(item, ArticleItem):
            if accepted and written == accepted:
                self.crawler.stats.inc_value("rfi_cn/articles/exported")
            else:
                self.crawler.stats.inc_value("rfi_cn/articles/unwritten")
                logger.error(
                    "Article %s was not written to %d of %d feeds", item.get("url"), accepted - written, accepted
                )

    def _write(self, slot: FeedSlot, item: Any) -> bool:
        """Write ``item`` to ``slot``; False (and the reason logged) when it is not written."""
        assert self.crawler.stats is not None
        if getattr(slot, BROKEN, None) is not None:
            return False
        try:
            slot.start_exporting()
            assert slot.exporter is not None
            slot.exporter.export_item(item)
        except UnencodableRecordError as exc:
            logger.error("Record not written to %s (%s): %s", slot.uri, exc, item.get("url"))
            self.crawler.stats.inc_value("rfi_cn/lake/unencodable")
            return False
        except Exception as exc:  # a storage error, or a partial row: the file is torn
            setattr(slot, BROKEN, exc)
            logger.error("Writing %s failed; the file will not be published", slot.uri, exc_info=True)
            return False
        slot.itemcount += 1
        return True

    async def _close_slot(self, slot: FeedSlot, spider: Spider) -> None:
        assert self.crawler.stats is not None
        broken: BaseException | None = getattr(slot, BROKEN, None)
        if broken is None and not slot.itemcount and not (slot.store_empty and slot.batch_id == 1):
            return  # nothing written: no file
        kind = self.lake_kinds.get(slot.uri_template, "feed")
        message = f"{slot.format} feed ({slot.itemcount} items) in: {slot.uri}"
        file: IO[bytes] | None = None
        try:
            if broken is not None:
                raise broken
            slot.start_exporting()
            slot.finish_exporting()
            file = self._get_file(slot)
            await ensure_awaitable(slot.storage.store(file))
            if getattr(slot.storage, "stored", True) is not True:
                raise OSError(f"{type(slot.storage).__name__} did not confirm the file")
        except Exception:
            logger.error("Error storing %s: not published", message, exc_info=True, extra={"spider": spider})
            _discard(slot, file)
            self.crawler.stats.inc_value(f"feedexport/failed_count/{type(slot.storage).__name__}")
            self.crawler.stats.inc_value("rfi_cn/lake/storage_errors")
            self.crawler.stats.inc_value(f"rfi_cn/lake/unpublished_rows/{kind}", slot.itemcount)
        else:
            setattr(slot, PUBLISHED, True)
            logger.info("Stored %s", message, extra={"spider": spider})
            self.crawler.stats.inc_value(f"feedexport/success_count/{type(slot.storage).__name__}")
        await self.crawler.signals.send_catch_log_async(signals.feed_slot_closed, slot=slot)


def _discard(slot: FeedSlot, file: IO[bytes] | None) -> None:
    """Drop what a slot wrote: the storage's own ``discard`` (the lake's storages remove
    their temporary file), else close the file."""
    discard = getattr(slot.storage, "discard", None)
    try:
        if discard is not None:
            discard()
        elif (file or slot.file) is not None:
            (file or slot.file).close()  # type: ignore[union-attr]
    except Exception:
        logger.error("Could not discard the unpublished %s", slot.uri, exc_info=True)
