"""Cut an article page down to the parts its item is read from, before parsing.

A real article page is ~540 KB, mostly inline CSS and JavaScript and page
furniture around a ~30 KB article. Every field lives in the ``<head>`` (metas,
links, JSON-LD), the breadcrumb, the ``<article>`` element or the tags block,
so ``article_slice`` keeps only those, in page order, and drops the head's
scripts and styles. Parsing that is several times cheaper than parsing the
page and gives the same fields. When a marker is missing or a block unclosed
it returns the page unchanged, and the extraction reads the whole page.
It scans the raw bytes (any ASCII-compatible encoding) with ``bytes.find``.
"""

from __future__ import annotations

from itertools import pairwise

HEAD_CLOSE = b"/head"
ARTICLE = (b"<article", b"</article>")
BREADCRUMB = (b'<nav class="m-breadcrumb"', b"</nav>")
TAGS = (b'<div class="t-content__tags"', b"</ul>", b"</div>")  # the block ends with its list
RAW_TEXT_TAGS = (b"script", b"style")
KEPT_SCRIPT_TYPE = b"application/ld+json"
_NAME_ENDS = frozenset([b"", *(bytes([char]) for char in b" \t\r\n\f/>")])
_MAY_MATTER = frozenset([b"/", b"s", b"S"])  # what can follow "<" in </head>, <script, <style


class UnexpectedStructureError(ValueError):
    """The page's structure is not the one expected: read the whole page."""


def article_slice(page: bytes) -> bytes:
    """The page's head (no scripts or styles but JSON-LD), breadcrumb, article and tags; else ``page``."""
    try:
        head, head_end = stripped_head(page)
        article = _region(page, ARTICLE, head_end)
        if article is None or page.find(ARTICLE[0], article[0] + 1, article[1]) >= 0:
            raise UnexpectedStructureError("no article, or nested articles")
        # The breadcrumb comes before the article and the tags after it: look there first.
        breadcrumb = _region(page, BREADCRUMB, head_end, article[0]) or _region(page, BREADCRUMB, article[1])
        tags = _region(page, TAGS, article[1]) or _region(page, TAGS, head_end, article[0])
        found = sorted(region for region in (article, breadcrumb, tags) if region is not None)
        if any(before[1] > after[0] for before, after in pairwise(found)):
            raise UnexpectedStructureError("overlapping blocks")
    except UnexpectedStructureError:
        return page
    return b"".join([head, b"</head><body>", *(page[start:end] for start, end in found), b"</body></html>"])


def stripped_head(page: bytes) -> tuple[bytes, int]:
    """The page up to ``</head>`` without ``<script>``/``<style>`` blocks (JSON-LD kept), and where it ends.

    Only ``<`` characters are visited, so a large inline stylesheet is crossed
    in one search. Raises ``UnexpectedStructureError`` without ``</head>`` or with an unclosed block.
    """
    kept = []
    position = cursor = 0
    while (start := page.find(b"<", cursor)) >= 0:
        if page[start + 1 : start + 2] not in _MAY_MATTER:
            cursor = start + 1
            continue
        if _is_tag(page, start, HEAD_CLOSE):
            kept.append(page[position:start])
            return b"".join(kept), start
        tag = next((name for name in RAW_TEXT_TAGS if _is_tag(page, start, name)), None)
        if tag is None:
            cursor = start + 1
            continue
        block_end = _raw_text_end(page, start, tag)
        is_jsonld = KEPT_SCRIPT_TYPE in page[start : page.find(b">", start)]
        kept.append(page[position : block_end if is_jsonld else start])
        position = cursor = block_end
    raise UnexpectedStructureError("no </head>")


def _is_tag(page: bytes, start: int, name: bytes) -> bool:
    """Whether ``page[start:]`` opens tag ``name`` (``b"/head"`` for a closing tag), in any case."""
    end = start + 1 + len(name)
    return page[start + 1 : end].lower() == name and page[end : end + 1] in _NAME_ENDS


def _raw_text_end(page: bytes, start: int, tag: bytes) -> int:
    """Just past the ``</tag>`` that closes the raw-text element opened at ``start``."""
    closing = b"/" + tag
    cursor = start + 1
    while (close := page.find(b"<", cursor)) >= 0:  # one byte: a memchr, much faster than b"</"
        if page.startswith(b"/", close + 1) and _is_tag(page, close, closing):
            end = page.find(b">", close)
            if end >= 0:
                return end + 1
        cursor = close + 1
    raise UnexpectedStructureError(f"unclosed <{tag.decode()}>")


def _region(page: bytes, markers: tuple[bytes, ...], first: int, last: int | None = None) -> tuple[int, int] | None:
    """(start, end) of the block opened by ``markers[0]`` in ``page[first:last]`` and closed by the others in turn.

    ``None`` when it does not open there.
    """
    start = page.find(markers[0], first, last)
    if start < 0:
        return None
    end = start
    for closing in markers[1:]:
        end = page.find(closing, end)
        if end < 0:
            raise UnexpectedStructureError(f"unclosed {markers[0].decode()}")
        end += len(closing)
    return start, end
