"""Template variants of an article page, each with the fields it must still give.

RFI serves one template to all its editions and it varies. ``variants(html)``
takes an article page and yields the variants seen or plausible:

- ``modifier``: a BEM modifier class beside each block class (``t-content__tags--v``);
- ``renamed``: every wrapper around a field's leaf renamed (the leaf keeps its class);
- ``removed``: each optional block removed;
- ``reordered``: blocks moved (tags before the article, breadcrumb after it...);
- ``requoted``: attributes reversed and single-quoted;
- ``spaced``: white space and comments between elements, comments and script
  strings holding ``</article>``;
- ``wrapped``: the article inside extra wrappers;
- ``nested-spans``: the old-generation body, every paragraph inside six ``<span>``;
- ``chrome``: site furniture with hot tags and share links, a body linking another
  article's share code.

Each variant carries ``expect``: the fields whose value differs from the
original's record, and the value (the documented fallback, read from the
page's metadata by ``lxml`` here, independently of the extractor). Every other
field must equal the original's.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import lxml.html
from lxml import etree

from rfi_cn.extract.article import fallback_id
from rfi_cn.normalise.dates import first_utc_iso

Tree = lxml.html.HtmlElement


@dataclass
class Variant:
    name: str
    html: str
    expect: dict[str, Any] = field(default_factory=dict)  # field -> value; others as the original


def has_class(name: str) -> str:
    return f"contains(concat(' ', normalize-space(@class), ' '), ' {name} ')"


# The leaves each field keys on: renaming every wrapper around them must change nothing.
LEAVES = {
    "authors": f"//*[{has_class('m-from-author__name')}]",
    "tags": f"//*[{has_class('a-hot-tag')}]",
    "dates": f"//*[{has_class('m-pub-dates__date')}]",
    "breadcrumb": f"//*[{has_class('m-breadcrumb__list__item__link')}]",
    "kicker": f"//*[{has_class('a-tag__wrapper')}]",
    "share": f"//article//a[contains(@href, 'rfi.my')][not(ancestor::*[{has_class('t-content__body')}])]",
    "image": f"//*[{has_class('t-content__main-media')}]//img",
}
# Optional blocks, and what removing one leaves in each field (``_fallbacks``).
BLOCKS = {
    "kicker": f"//*[{has_class('t-content__section')}]",
    "title": f"//h1[{has_class('t-content__title')}]",
    "lead": f"//p[{has_class('t-content__chapo')}]",
    "dates": f"//*[{has_class('t-content__dates')}]",
    "figure": f"//*[{has_class('t-content__main-media')}]",
    "authors": f"//*[{has_class('t-content__authors')}]",
    "share": f"//*[{has_class('t-content__shares')}]",
    "tags": f"//*[{has_class('t-content__tags')}]",
    "breadcrumb": f"//nav[{has_class('m-breadcrumb')}]",
    "interstitial": f"//*[{has_class('m-interstitial')}]",
    "self-promo": f"//*[{has_class('o-self-promo')}]",
}
ARTICLE = "//*[@data-article-content] | //article"
BEM = re.compile(r"^[tmao]-[a-z0-9-]+(?:__[a-z0-9_-]+)?$")
_SPACES = re.compile(r"[\s\u00a0\u3000]+")


def variants(html: str) -> Iterator[Variant]:
    yield from _modifiers(html)
    yield from _renamed(html)
    yield from _removed(html)
    yield from _reordered(html)
    yield _requoted(html)
    yield from _spaced(html)
    yield from _wrapped(html)
    yield _nested_spans(html)
    yield from _chrome(html)


# --- tree helpers -----------------------------------------------------------------------------


def parse(html: str) -> Tree:
    return lxml.html.document_fromstring(html)


def serialise(root: Tree) -> str:
    return "<!DOCTYPE html>\n" + lxml.html.tostring(root, encoding="unicode")


def edited(html: str, edit: Callable[[Tree], bool]) -> str | None:
    """``html`` after ``edit`` (which says whether it changed anything), else ``None``."""
    root = parse(html)
    return serialise(root) if edit(root) else None


def article_of(root: Tree) -> Tree | None:
    found = root.xpath(ARTICLE)
    return found[0] if found else None


def remove(element: Tree) -> None:
    """Remove ``element`` but keep its tail text."""
    element.drop_tree()


# --- the variants -----------------------------------------------------------------------------


def _modifiers(html: str) -> Iterator[Variant]:
    root = parse(html)
    body = root.find("body")
    tokens = sorted(
        {
            token
            for element in (body.iter() if body is not None else [])
            if isinstance(element.tag, str)
            for token in (element.get("class") or "").split()
            if BEM.match(token)
        }
    )
    for token in tokens:

        def edit(root: Tree, token: str = token) -> bool:
            for element in root.xpath(f"//body//*[{has_class(token)}]"):
                element.set("class", f"{element.get('class')} {token}--v2")
            return True

        yield Variant(f"modifier:{token}", edited(html, edit) or html)


def _renamed(html: str) -> Iterator[Variant]:
    for leaf, xpath in LEAVES.items():

        def edit(root: Tree, xpath: str = xpath) -> bool:
            article = article_of(root)
            changed = False
            for number, element in enumerate(root.xpath(xpath)):
                for wrapper in element.iterancestors():
                    if wrapper.tag in ("body", "html", "main") or wrapper is article:
                        break
                    if article is not None and article in wrapper.iterdescendants():
                        break  # a wrapper of the article itself: not a wrapper of this leaf alone
                    if wrapper.get("class") is not None:
                        wrapper.set("class", f"x-renamed-{number}")
                        changed = True
            return changed

        variant = edited(html, edit)
        if variant is not None:
            yield Variant(f"renamed:{leaf}", variant)


def _removed(html: str) -> Iterator[Variant]:
    for block, xpath in BLOCKS.items():

        def edit(root: Tree, xpath: str = xpath) -> bool:
            found = root.xpath(xpath)
            for element in found:
                remove(element)
            return bool(found)

        variant = edited(html, edit)
        if variant is not None:
            yield Variant(f"removed:{block}", variant, _fallbacks(block, parse(html)))


MOVES = {  # block -> (anchor, where): moved before/after the anchor, or last inside it
    "tags-before-article": (BLOCKS["tags"], ARTICLE, "before"),
    "breadcrumb-after-article": (BLOCKS["breadcrumb"], ARTICLE, "after"),
    "authors-after-body": (BLOCKS["authors"], f"//*[{has_class('t-content__body')}]", "after"),
    "share-before-title": (BLOCKS["share"], BLOCKS["title"], "before"),
    "figure-last": (BLOCKS["figure"], ARTICLE, "last"),
    "dates-first": (BLOCKS["dates"], ARTICLE, "first"),
}


def _reordered(html: str) -> Iterator[Variant]:
    for name, (block_xpath, anchor_xpath, where) in MOVES.items():

        def edit(
            root: Tree, block_xpath: str = block_xpath, anchor_xpath: str = anchor_xpath, where: str = where
        ) -> bool:
            blocks, anchors = root.xpath(block_xpath), root.xpath(anchor_xpath)
            if not blocks or not anchors:
                return False
            block, anchor = blocks[0], anchors[0]
            block.tail, tail = None, block.tail
            parent = block.getparent()
            previous = block.getprevious()
            if tail:  # keep the text that followed the block where it was
                if previous is not None:
                    previous.tail = (previous.tail or "") + tail
                else:
                    parent.text = (parent.text or "") + tail
            {"before": anchor.addprevious, "after": anchor.addnext}.get(where, lambda e: None)(block)
            if where == "last":
                anchor.append(block)
            elif where == "first":
                anchor.insert(0, block)
            return True

        variant = edited(html, edit)
        if variant is not None:
            yield Variant(f"reordered:{name}", variant)


_RAW_TEXT = re.compile(r"(<(script|style)\b.*?</\2\s*>)", re.S | re.I)
_START_TAG = re.compile(r"<([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[^\s=>/]+(?:=\"[^\"]*\")?)*)\s*>")
_ATTRIBUTE = re.compile(r"([^\s=>/]+)(?:=\"([^\"]*)\")?")


def _outside_raw_text(html: str, change: Callable[[str], str]) -> str:
    """``change`` applied to the page except inside ``<script>`` and ``<style>`` blocks."""
    parts = _RAW_TEXT.split(html)
    out = []
    index = 0
    while index < len(parts):
        out.append(change(parts[index]))
        if index + 1 < len(parts):
            out.append(parts[index + 1])  # the raw-text block, untouched
        index += 3
    return "".join(out)


def _requoted(html: str) -> Variant:
    def requote(match: re.Match[str]) -> str:
        attributes = _ATTRIBUTE.findall(match.group(2))
        written = []
        for name, value in reversed(attributes):
            if not value and f'{name}=""' not in match.group(2):
                written.append(name)
            elif "'" not in value:
                written.append(f"{name}='{value}'")
            else:
                written.append(f'{name}="{value}"')
        return f"<{match.group(1)}{''.join(' ' + item for item in written)} >"

    return Variant("requoted", _outside_raw_text(serialise(parse(html)), lambda text: _START_TAG.sub(requote, text)))


# Only after blocks: white space between inline elements is text.
_BLOCK_END = re.compile(r"(</(?:div|li|ul|ol|p|h1|h2|h3|nav|figure|article|section)>)")


def _spaced(html: str) -> Iterator[Variant]:
    text = serialise(parse(html))
    yield Variant("spaced:whitespace", _outside_raw_text(text, lambda part: _BLOCK_END.sub("\\1\n \t \n", part)))
    yield Variant(
        "spaced:comments", _outside_raw_text(text, lambda part: _BLOCK_END.sub("\\1<!-- a comment -->\n", part))
    )
    hostile = '<!-- </article></div> <article class="t-content__article-wrapper"> --><script>var s = "</div></article>";</script>'
    yield Variant("spaced:closing-tags-in-comments-and-scripts", text.replace("<body", "<body", 1).replace(
        "<main", hostile + "<main", 1) if "<main" in text else _after_body_open(text, hostile))  # fmt: skip
    head_script = '<script>document.write("<article><h1 class=\\"t-content__title\\">x</h1></article>");</script>'
    yield Variant("spaced:article-in-head-script", text.replace("</head>", head_script + "</head>", 1))


def _after_body_open(text: str, insert: str) -> str:
    match = re.search(r"<body[^>]*>", text)
    return text[: match.end()] + insert + text[match.end() :] if match else text


def _wrapped(html: str) -> Iterator[Variant]:
    def wrap_article(root: Tree) -> bool:
        article = article_of(root)
        if article is None:
            return False
        _wrap(article, ["div", "section", "div"], "x-frame")
        return True

    def wrap_body(root: Tree) -> bool:
        body = root.find("body")
        if body is None or not len(body):
            return False
        outer = etree.SubElement(body, "div")
        outer.set("class", "x-page")
        outer.text, body.text = body.text, None
        for child in list(body)[:-1]:
            outer.append(child)
        return True

    for name, edit in (("article", wrap_article), ("everything", wrap_body)):
        variant = edited(html, edit)
        if variant is not None:
            yield Variant(f"wrapped:{name}", variant)


def _wrap(element: Tree, tags: list[str], class_name: str) -> None:
    for depth, tag in enumerate(tags):
        wrapper = lxml.html.Element(tag)
        wrapper.set("class", f"{class_name}-{depth}")
        element.addprevious(wrapper)
        wrapper.tail, element.tail = element.tail, None
        wrapper.append(element)


def _nested_spans(html: str) -> Variant:
    def edit(root: Tree) -> bool:
        for paragraph in root.xpath(f"//*[{has_class('t-content__body')}]/p"):
            inner = lxml.html.Element("span")
            inner.text, paragraph.text = paragraph.text, None
            for child in list(paragraph):
                inner.append(child)
            for _ in range(5):
                outer = lxml.html.Element("span")
                outer.append(inner)
                inner = outer
            paragraph.append(inner)
        return True

    return Variant("nested-spans", edited(html, edit) or html)


def _chrome(html: str) -> Iterator[Variant]:
    header = (
        '<header class="o-header"><ul><li><a class="a-hot-tag" href="/cn/x/">头条</a></li></ul>'
        '<div class="m-from-author"><a class="m-from-author__name" href="/cn/y/">编辑部</a></div>'
        '<a href="https://rfi.my/HDR1.F">share</a></header>'
    )
    footer = (
        '<footer class="o-footer"><a class="a-hot-tag" href="/cn/z/">体育</a>'
        '<a href="https://rfi.my/FTR1.F">app</a><a href="https://rfi.my/FBcn">fb</a></footer>'
    )
    text = serialise(parse(html))
    yield Variant("chrome:header-and-footer", _after_body_open(text, header).replace("</body>", footer + "</body>", 1))

    def body_link(root: Tree) -> bool:
        bodies = root.xpath(f"//*[{has_class('t-content__body')}]")
        if not bodies:
            return False
        link = lxml.html.fragment_fromstring(LINKING_PARAGRAPH[0])
        bodies[0].insert(0, link)
        return True

    variant = edited(html, body_link)
    if variant is not None:
        yield Variant(
            "chrome:body-links-another-share-code", variant, {"body_html": _prepend_html, "body_text": _prepend_text}
        )


LINKING_PARAGRAPH = ('<p>另见 <a href="https://rfi.my/OTHR.F">另一篇</a></p>', "另见 另一篇")


def _prepend_html(original: dict[str, Any]) -> str:
    return LINKING_PARAGRAPH[0] + (original["body_html"] or "")


def _prepend_text(original: dict[str, Any]) -> str:
    return "\n\n".join(part for part in (LINKING_PARAGRAPH[1], original["body_text"]) if part)


# --- the documented fallbacks, read independently -------------------------------------------------


def _squeeze(text: str | None) -> str | None:
    value = _SPACES.sub(" ", text).strip() if text else ""
    return value or None


def _meta(root: Tree, key: str) -> str | None:
    found = root.xpath(f'//meta[@property="{key}" or @name="{key}"]/@content')
    return found[0] if found else None


def _news_article(root: Tree) -> dict[str, Any]:
    for text in root.xpath('//script[@type="application/ld+json"]/text()'):
        try:
            data = json.loads(text)
        except ValueError:
            continue
        stack = [data]
        while stack:
            node = stack.pop(0)
            if isinstance(node, list):
                stack[:0] = node
            elif isinstance(node, dict):
                types = node.get("@type")
                types = types if isinstance(types, list) else [types]
                if {"NewsArticle", "Article", "ReportageNewsArticle"} & set(types):
                    return node
                stack.extend(node.get("@graph") or [])
    return {}


def _fallbacks(block: str, root: Tree) -> dict[str, Any]:
    """The fields removing ``block`` changes, and the value the documented chain then gives."""
    news = _news_article(root)
    if block == "kicker":
        return {"kicker": None}
    if block == "title":
        return {"title": _squeeze(_meta(root, "og:title")) or _squeeze(news.get("headline"))}
    if block == "lead":
        return {"lead": _squeeze(_meta(root, "og:description")) or _squeeze(news.get("description"))}
    if block == "dates":
        return {
            "published_at": first_utc_iso([_meta(root, "article:published_time"), news.get("datePublished")]),
            "modified_at": first_utc_iso([_meta(root, "article:modified_time"), news.get("dateModified")]),
        }
    if block == "figure":
        image = news.get("image")
        image = image[0] if isinstance(image, list) and image else image
        image = image.get("url") if isinstance(image, dict) else image
        return {
            "image_url": _squeeze(_meta(root, "og:image")) or _squeeze(image),
            "image_caption": None,
            "image_credit": None,
        }
    if block == "authors":
        authors = news.get("author")
        entries = authors if isinstance(authors, list) else [authors]
        names = [entry.get("name") if isinstance(entry, dict) else entry for entry in entries]
        return {"authors": [name for name in map(_squeeze, names) if isinstance(name, str) and name]}
    if block == "share":
        return {"id": lambda original: fallback_id(original["url"])}
    if block == "tags":
        tags = [tag for tag in map(_squeeze, root.xpath('//meta[@property="article:tag"]/@content')) if tag]
        if not tags:
            words = news.get("keywords") or []
            words = words.split(",") if isinstance(words, str) else words
            tags = [word for word in map(_squeeze, words) if word and word != _squeeze(news.get("articleSection"))]
        return {"tags": tags}
    if block == "breadcrumb":
        return {"section": _squeeze(_meta(root, "article:section")) or _squeeze(news.get("articleSection"))}
    return {}  # the interstitial and the self-promotion: the cleaner drops them anyway


__all__ = ["Variant", "fallback_id", "variants"]
