"""Audio and video a page links or embeds: ``[{url, type, duration}]``.

Programme pages (``/cn/专栏检索/<programme>/…``) carry their episode. Read, in
order: RFI's player data (``<script data-media-id type=application/json>`` with
``sources[].url``, as the live-radio button on every real page has it; ``live``
entries are the station, not the page's media, and are dropped), ``<audio>`` /
``<video>`` / ``<source>`` elements, links to media files, and JSON-LD
``AudioObject`` / ``VideoObject``. The site header, navigation and footer are
left out. One entry per URL; a later source fills a missing duration.
``type`` is ``audio`` or ``video``; ``duration`` is whole seconds or ``None``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any, TypedDict
from urllib.parse import urljoin, urlsplit

from parsel import Selector
from selectolax.lexbor import LexborNode

from rfi_cn.extract.document import Page
from rfi_cn.extract.jsonld import parse_json

CHROME = ("header", "nav", "footer")
PLAYER_DATA = "script[data-media-id]"
LINKS = "a[href]"
TYPED_LINKS = "a[href][type]"
CANDIDATES = f"{PLAYER_DATA}, audio, video, {LINKS}"  # a node's tag tells which of them it matched
DURATION_ATTRIBUTES = ("data-duration", "duration")

AUDIO_EXTENSIONS = frozenset({".mp3", ".m4a", ".aac", ".ogg", ".oga", ".opus", ".wav"})
VIDEO_EXTENSIONS = frozenset({".mp4", ".m4v", ".webm", ".mov", ".m3u8"})
JSONLD_TYPES = {"AudioObject": "audio", "VideoObject": "video", "PodcastEpisode": "audio"}
# Every link kind_of calls media has one of these in its path (a superset, case-insensitive).
_MAYBE_MEDIA = re.compile(
    "|".join(re.escape(extension) for extension in sorted(AUDIO_EXTENSIONS | VIDEO_EXTENSIONS)), re.I
)
_ISO_DURATION = re.compile(r"^P(?:(\d+)D)?T?(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?$", re.I)
_CLOCK = re.compile(r"^(?:(\d+):)?(\d{1,2}):(\d{2})$")


class Media(TypedDict):
    url: str
    type: str
    duration: int | None


def media_entries(page: Page | Selector | str, page_url: str) -> list[Media]:
    """Every distinct audio or video of the page, in the order above."""
    found: dict[str, Media] = {}
    for href, kind, duration in _candidates(Page.of(page)):
        url = _absolute(href, page_url)
        if url is None or kind is None:
            continue
        if url not in found:
            found[url] = Media(url=url, type=kind, duration=duration)
        elif found[url]["duration"] is None:
            found[url]["duration"] = duration
    return list(found.values())


def duration_seconds(value: Any) -> int | None:
    """Seconds from a number, ISO 8601 (``PT3M20S``) or a clock (``03:20``, ``1:02:03``)."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return round(value) if value >= 0 else None
    text = str(value).strip()
    if re.fullmatch(r"\d+(?:\.\d+)?", text):
        return round(float(text))
    iso = _ISO_DURATION.match(text)
    if iso and any(iso.groups()):
        days, hours, minutes, seconds = (float(part) if part else 0.0 for part in iso.groups())
        return round(days * 86400 + hours * 3600 + minutes * 60 + seconds)
    clock = _CLOCK.match(text)
    if clock:
        hours, minutes, seconds = (int(part) if part else 0 for part in clock.groups())
        return hours * 3600 + minutes * 60 + seconds
    return None


def kind_of(url: str, hint: str | None = None) -> str | None:
    """``audio`` or ``video`` from a hint (element name, MIME type) or the file extension."""
    if hint:
        lowered = hint.lower()
        for kind in ("audio", "video"):
            if lowered == kind or lowered.startswith(kind + "/"):
                return kind
    path = urlsplit(url).path.lower()
    extension = path[path.rfind(".") :] if "." in path.rsplit("/", 1)[-1] else ""
    if extension in AUDIO_EXTENSIONS:
        return "audio"
    if extension in VIDEO_EXTENSIONS:
        return "video"
    return None


def _candidates(page: Page) -> Iterator[tuple[str, str | None, int | None]]:
    scripts: list[LexborNode] = []
    elements: list[LexborNode] = []
    links: list[LexborNode] = []
    for node in page.css(CANDIDATES):  # one query; each kind keeps its document order
        (scripts if node.tag == "script" else links if node.tag == "a" else elements).append(node)
    players = [(node, data) for node in scripts if (data := _player(node)) is not None]
    links = _maybe_media(page, links)  # most links: a cheap no
    if players or elements or links:  # only then look for the site chrome holding some of them
        candidates = [node for node, _ in players] + elements + links
        kept = {node.mem_id for node in page.excluding(candidates, CHROME, CANDIDATES)}
        players = [(node, data) for node, data in players if node.mem_id in kept]
        elements, links = ([node for node in nodes if node.mem_id in kept] for nodes in (elements, links))
    yield from _player_data(data for _, data in players)
    yield from _elements(elements)
    for link in links:
        href = link.attributes.get("href") or ""
        kind = kind_of(href, link.attributes.get("type"))
        if kind is not None:
            yield href, kind, _attribute_duration(link)
    yield from _jsonld(page)


def _maybe_media(page: Page, links: list[LexborNode]) -> list[LexborNode]:
    """The links ``kind_of`` could call media: a type hint, or a media extension in the href.
    The hrefs are searched joined first (no extension spans a line break): usually no match."""
    hrefs = [link.attrs.get("href") or "" for link in links]
    extension = _MAYBE_MEDIA.search("\n".join(hrefs)) is not None
    typed = {node.mem_id for node in page.css(TYPED_LINKS)} if links else set()
    return [
        link
        for link, href in zip(links, hrefs, strict=True)
        if link.mem_id in typed or (extension and _MAYBE_MEDIA.search(href) is not None)
    ]


def _player(node: LexborNode) -> dict[str, Any] | None:
    """The player data of a ``script[data-media-id]``; ``None`` when it is not JSON or is the live radio."""
    data = parse_json(node.text())
    if not isinstance(data, dict) or str(data.get("type", "")).lower() == "live":
        return None
    return data


def _player_data(players: Iterable[dict[str, Any]]) -> Iterator[tuple[str, str | None, int | None]]:
    for data in players:
        duration = duration_seconds(data.get("duration"))
        for source in data.get("sources") or []:
            href = source.get("url") if isinstance(source, dict) else None
            if isinstance(href, str):
                yield href, kind_of(href, data.get("mediaType") or data.get("type")) or "audio", duration


def _elements(nodes: list[LexborNode]) -> Iterator[tuple[str, str | None, int | None]]:
    for element in nodes:
        name = element.tag or ""
        duration = _attribute_duration(element)
        src = element.attributes.get("src")
        if src is not None:
            yield src, name, duration
        for source in element.css("source[src]"):
            yield source.attributes.get("src") or "", name, duration


def _jsonld(page: Page) -> Iterator[tuple[str, str | None, int | None]]:
    for node in page.jsonld:
        kind = JSONLD_TYPES.get(str(node.get("@type")))
        href = node.get("contentUrl") or node.get("embedUrl")
        if kind and isinstance(href, str):
            yield href, kind, duration_seconds(node.get("duration"))


def _attribute_duration(element: LexborNode) -> int | None:
    for name in DURATION_ATTRIBUTES:
        value = element.attributes.get(name)
        if value:
            return duration_seconds(value)
    return None


def _absolute(href: str, site_url: str) -> str | None:
    url = urljoin(site_url, href.strip()) if href and href.strip() else None
    return url if url and urlsplit(url).scheme in ("http", "https") else None
