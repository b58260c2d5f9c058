"""Article links of an RSS 2.0 feed (``/cn/rss``), with their ``pubDate`` day.

The feed is the freshest source: it lists the newest articles within minutes.
Each ``item`` gives its ``link`` (else a permalink ``guid``); links outside the
/cn/ edition or not to an article are dropped. An article is its path: a query
(feed tracking such as ``?xtor=RSS``) is dropped so other sources' links match.
"""

from __future__ import annotations

from datetime import UTC, date
from email.utils import parsedate_to_datetime
from typing import NamedTuple

import lxml.etree
from w3lib.url import url_query_cleaner

from rfi_cn.site import is_article_url, link_url

ITEMS_XPATH = "/rss/channel/item"
LINK_XPATH = "string(link)"
PERMALINK_XPATH = "string(guid[not(@isPermaLink) or @isPermaLink='true'])"
PUB_DATE_XPATH = "string(pubDate)"


class FeedEntry(NamedTuple):
    url: str
    published: date | None


def xml_root(body: bytes) -> lxml.etree._Element | None:
    """The document element of an XML body; ``None`` when it is not XML. No entities, no network."""
    parser = lxml.etree.XMLParser(resolve_entities=False, no_network=True, recover=True, remove_comments=True)
    try:
        return lxml.etree.fromstring(body, parser=parser)
    except lxml.etree.XMLSyntaxError:
        return None


def rss_entries(body: bytes, page_url: str) -> list[FeedEntry]:
    """Distinct article entries of an RSS 2.0 feed, in feed order, as crawlable URLs."""
    root = xml_root(body)
    if root is None:
        return []
    entries: dict[str, FeedEntry] = {}
    for item in root.xpath(ITEMS_XPATH):
        href = item.xpath(LINK_XPATH).strip() or item.xpath(PERMALINK_XPATH).strip()
        url = _without_query(link_url(href, page_url))
        if url is not None and is_article_url(url) and url not in entries:
            entries[url] = FeedEntry(url, rfc822_day(item.xpath(PUB_DATE_XPATH)))
    return list(entries.values())


def _without_query(url: str | None) -> str | None:
    """The feed's tracking query (``?xtor=RSS-…``) and fragment dropped."""
    return url_query_cleaner(url, ()) if url else None


def rfc822_day(text: str) -> date | None:
    """The UTC day of an RFC 822 date (``Sun, 30 Nov 2025 09:13:47 GMT``)."""
    try:
        moment = parsedate_to_datetime(text.strip())
    except (TypeError, ValueError, IndexError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).date()
