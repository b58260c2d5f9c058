"""Article body cleaning: RFI's markup in, a small safe HTML subset out.

``clean_body_html`` keeps ``p h2 h3 h4 blockquote ul ol li a strong em br``,
unwraps every other tag (the nested ``<span>`` of older articles, ``font``,
``div``...), deletes ads, self-promotion, share bars and active content with
what they hold, and keeps only ``href`` (absolute, http/https/mailto) as an
attribute. It is idempotent: cleaning its own output changes nothing.
``body_text`` turns that output into plain text, one block per paragraph.

Depth: libxml2 stops building a tree at 256 nested elements (2,048 with
``huge_tree``) and drops what follows without an error. The cleaner parses
with ``huge_tree`` and refuses (``TooDeepError``) a body nested deeper than
``MAX_DEPTH``: a body cut by such a parse, here or in the page parse before
it (parsel: 2,048 from the document root), is always deeper than that, so a
body is either kept whole or refused, never shortened. Nested ``strong`` or
``em`` collapse into one, so a deep body comes out shallow.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TypeAlias
from urllib.parse import urljoin, urlsplit

import lxml.html
from lxml import etree

KEPT_TAGS = frozenset({"p", "h2", "h3", "h4", "blockquote", "ul", "ol", "li", "a", "strong", "em", "br"})
BLOCK_TAGS = frozenset({"p", "h2", "h3", "h4", "blockquote", "ul", "ol", "li"})
TEXT_BLOCK_TAGS = frozenset({"p", "h2", "h3", "h4", "blockquote", "li"})
LINK_SCHEMES = frozenset({"http", "https", "mailto"})
MAX_PASSES = 4  # parse → clean → serialise rounds until the output reads back unchanged
# Half libxml2's huge-tree limit (2,048): no real body comes near (older articles nest six
# spans), and a body cut at that limit -- in a page or in a fragment -- is always deeper.
MAX_DEPTH = 1024
COLLAPSED_TAGS = frozenset({"strong", "em"})  # <strong><strong>x</strong></strong> is <strong>x</strong>

# Deleted with everything inside them: active content, media, forms, page furniture.
DROPPED_TAGS = frozenset(
    {
        "script", "style", "iframe", "frame", "frameset", "noscript", "template", "object",
        "embed", "applet", "svg", "math", "canvas", "audio", "video", "picture", "figure",
        "img", "source", "track", "form", "button", "input", "select", "textarea", "head",
        "title", "meta", "link", "base", "nav", "aside", "header", "footer",
    }
)  # fmt: skip

JUNK_CLASSES = ("m-interstitial", "o-self-promo", "m-share-bar", "t-content__shares", "m-block-ad")
JUNK_ATTRIBUTES = ("data-selfpromo-newsletter", "data-selfpromo-app", "data-root-share")
# Found through their attributes: one pass over the class attributes costs a fifth of five .//*[...] scans.
_TOKEN = "(contains(., '{0}') and contains(concat(' ', normalize-space(.), ' '), ' {0} '))"
JUNK_XPATH = " | ".join(
    [
        f".//@class[{' or '.join(_TOKEN.format(name) for name in JUNK_CLASSES)}]/..",
        *(f".//@{name}/.." for name in JUNK_ATTRIBUTES),
    ]
)

_JUNK = etree.XPath(JUNK_XPATH)  # compiled once: root.xpath(text) compiles it at every call (15 us)

# What XML (so lxml) cannot hold: C0 controls but tab and newlines, surrogates, U+FFFE/U+FFFF.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_CHAR_REF = re.compile(r"&#(?:[xX]([0-9a-fA-F]{1,8})|([0-9]{1,10}));?")
_SPACES = re.compile(r"[\s\u00a0\u200b\u3000]+")
_NOT_SPACE = re.compile(r"[^\s\u00a0\u200b\u3000]")
_CJK = "\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f"
# A line break between two CJK characters is source formatting, not a space.
_CJK_BREAK = re.compile(rf"(?<=[{_CJK}])[ \t\u00a0]*[\r\n][\s\u00a0]*(?=[{_CJK}])")


Element: TypeAlias = etree._Element
# lxml.html's parser makes every element a Python ``HtmlElement`` through a Python class lookup
# (~1.5 us each time a proxy is made: most of the cleaner's time). The cleaner parses with
# libxml2's same HTML parser and options without it, and calls ``lxml.html``'s functions on the
# plain elements that gives (``fragments_fromstring``, ``HtmlMixin.drop_tree``/``drop_tag``,
# ``tostring``); only the ``div`` around the fragment is made here, by the same parser.
_drop_tree = lxml.html.HtmlMixin.drop_tree  # remove an element and what it holds; its tail stays
_drop_tag = lxml.html.HtmlMixin.drop_tag  # remove an element's tag; its text, children and tail stay
_text_content = etree.XPath("string()", smart_strings=False)


class TooDeepError(ValueError):
    """The body is nested deeper than ``MAX_DEPTH``: it may have been cut by a parser."""


@dataclass(frozen=True)
class CleanBody:
    """A cleaned body: its HTML, and its plain text (one block per paragraph)."""

    html: str
    text: str


def clean_body(html: str | None, base_url: str) -> CleanBody:
    """The cleaned body of ``html`` and its text, from one tree; ``""`` when nothing is left.

    Unwrapping can leave nesting the HTML parser rebuilds when it reads the output
    again (a paragraph in a paragraph, a link in a link: ``_MAY_RENEST``). Only
    then is the output cleaned again until it is a fixed point, so that what we
    store reads back the same. Raises ``TooDeepError`` rather than return a body
    a parser may have shortened.
    """
    if not html or not html.strip():
        return CleanBody("", "")
    root = _parse_fragment(html)
    if _too_deep(root):
        raise TooDeepError(f"body nested deeper than {MAX_DEPTH} elements")
    _clean_tree(root, base_url)
    clean = _serialise(root)
    if _MAY_RENEST(root):
        root, clean = _fixed_point(clean, base_url)
    return CleanBody(clean, _text_of(root))


def clean_body_html(html: str | None, base_url: str) -> str:
    """The cleaned HTML of ``html`` (see ``clean_body``)."""
    return clean_body(html, base_url).html


def body_text(clean_html: str) -> str:
    """Plain text of cleaned HTML: its text blocks, stripped, joined by a blank line."""
    return _text_of(_parse_fragment(clean_html)) if clean_html else ""


def _fixed_point(clean: str, base_url: str) -> tuple[Element, str]:
    """Read ``clean`` back and clean it again until it no longer changes; the last tree and its HTML."""
    root = _parse_fragment(clean)
    for _ in range(MAX_PASSES):
        _clean_tree(root, base_url)
        again = _serialise(root)
        if again == clean:
            break
        clean = again
        root = _parse_fragment(clean)
    return root, clean


def _clean_tree(root: Element, base_url: str) -> None:
    _drop_junk(root)
    _unwrap_and_strip(root, base_url)
    _drop_empty(root)
    _normalise_space(root)


def _text_of(root: Element) -> str:
    return "\n\n".join(text for text in _text_blocks(root) if text)


def _parse_fragment(html: str) -> Element:
    """``html`` under a ``div``, parsed without libxml2's 256-level limit (``huge_tree``)."""
    parser = etree.HTMLParser(huge_tree=True)  # a parser per parse: lxml's are not thread-safe
    parts = lxml.html.fragments_fromstring(_xml_safe(html), parser=parser)
    root = parser.makeelement("div")  # as lxml.html's Element: in an HTML document
    if parts and isinstance(parts[0], str):
        root.text = parts.pop(0)
    root.extend(parts)
    return root


# Nesting an HTML parser rebuilds when it reads the serialised tree (a block in a paragraph or
# heading, a link in a link, an item in an item), measured pair by pair on libxml2; looked for
# on the descendant axis, so a tree without it reads back as it is (and one with it is re-read).
_RENESTED_IN_P = "self::p or self::h2 or self::h3 or self::h4 or self::blockquote or self::ul or self::ol or self::li"
_MAY_RENEST = etree.XPath(
    "boolean(.//a[.//a]"
    f" | .//p[.//*[{_RENESTED_IN_P}]]"
    " | .//*[self::h2 or self::h3 or self::h4][.//p or .//li]"
    " | .//li[.//li])"
)

# An element MAX_DEPTH levels down: one XPath step per level visits each element once (14 µs).
_ELEMENT_AT_MAX_DEPTH = etree.XPath("boolean(" + "/".join(["*"] * MAX_DEPTH) + ")")
_ELEMENT_COUNT = etree.XPath("count(.//*)")  # 1-2 µs a body


def _too_deep(root: Element) -> bool:
    """Whether an element lies ``MAX_DEPTH`` levels under ``root`` (it takes that many elements)."""
    return bool(_ELEMENT_COUNT(root) >= MAX_DEPTH and _ELEMENT_AT_MAX_DEPTH(root))


def _xml_safe(html: str) -> str:
    """``html`` without the characters lxml refuses, written or as character references."""
    return _CHAR_REF.sub(_xml_safe_reference, _NOT_XML.sub("", html))


def _xml_safe_reference(match: re.Match[str]) -> str:
    code = int(match.group(1), 16) if match.group(1) else int(match.group(2))
    if code == 0 or code > 0x10FFFF or _NOT_XML.match(chr(code)):
        return ""
    return match.group(0)


def _drop_junk(root: Element) -> None:
    """Delete comments, processing instructions, ``DROPPED_TAGS`` and junk blocks with what they
    hold, keeping their tails (one ``strip_elements``: the HTML parser writes tag names in lower case)."""
    etree.strip_elements(root, etree.Comment, etree.ProcessingInstruction, *DROPPED_TAGS, with_tail=False)
    for element in _JUNK(root):
        if element.getparent() is not None:
            _drop_tree(element)


def _unwrap_and_strip(root: Element, base_url: str) -> None:
    root.attrib.clear()
    for element in list(root.iterdescendants()):
        tag = _tag(element)
        href = _safe_href(element.get("href"), base_url) if tag == "a" else None
        if tag not in KEPT_TAGS or (tag == "a" and href is None) or _repeats_parent(element, tag):
            _drop_tag(element)
            continue
        element.attrib.clear()
        if href is not None:
            element.set("href", href)


def _repeats_parent(element: Element, tag: str) -> bool:
    """A ``strong`` in a ``strong`` (or ``em`` in ``em``) adds nothing but depth.

    Elements are visited in document order, so the parent is already what is kept of it.
    """
    parent = element.getparent()
    return tag in COLLAPSED_TAGS and parent is not None and _tag(parent) == tag


def _safe_href(href: str | None, base_url: str) -> str | None:
    if not href or not href.strip():
        return None
    absolute = urljoin(base_url, href.strip())
    if urlsplit(absolute).scheme.lower() not in LINK_SCHEMES:
        return None
    return absolute


def _normalise_space(root: Element) -> None:
    # Each text read once and written only when it changes: lxml's getters and setters convert
    # the text every time (a write of the same text would only merge adjacent text nodes).
    root.text = _squeeze(root.text)
    for element in root.iterdescendants():
        text, tail = element.text, element.tail
        if text is not None and (squeezed := _squeeze(text)) != text:
            element.text = squeezed
        if tail is not None and (squeezed := _squeeze(tail)) != tail:
            element.tail = squeezed
    for element in root.iter():
        block = _tag(element) in BLOCK_TAGS
        if block or element is root:
            _strip_block_edges(element)
        if block:
            tail = element.tail
            if tail is not None and not tail.strip():
                element.tail = None


def _squeeze(text: str | None) -> str | None:
    if text is None:
        return None
    if text.isspace():  # indentation: no need for the regexes
        return " "
    if "\n" in text or "\r" in text:  # the break regex tests every character: only run it when it can match
        text = _CJK_BREAK.sub("", text)
    return _SPACES.sub(" ", text) or None


def _strip_block_edges(block: Element) -> None:
    """Strip white space at the start and end of a block, however deep the text sits."""
    node = block
    while True:
        text = node.text
        if text and text.strip():
            if (stripped := text.lstrip()) != text:
                node.text = stripped
            break
        if text is not None:
            node.text = None
        if not len(node):
            break
        first = node[0]
        tag = _tag(first)
        if tag in BLOCK_TAGS or tag == "br":
            break
        node = first
    last = block
    while len(last):
        child = last[-1]
        tail = child.tail
        if tail is not None:
            stripped_tail = tail.rstrip() or None
            if stripped_tail != tail:
                child.tail = stripped_tail
            if stripped_tail is not None:
                return
        if _tag(child) in BLOCK_TAGS:
            return
        last = child
    text = last.text
    if text is not None and (stripped_text := text.rstrip() or None) != text:
        last.text = stripped_text


def _drop_empty(root: Element) -> None:
    for element in reversed(list(root.iterdescendants())):
        if _tag(element) != "br" and element.getparent() is not None and _is_blank(_text_content(element)):
            _drop_tree(element)


def _is_blank(text: str) -> bool:
    """Nothing but what ``_normalise_space`` turns into nothing (zero-width spaces included): no
    character outside ``_SPACES``'s class (found at the first one, not by rewriting the text)."""
    return _NOT_SPACE.search(text) is None


def _serialise(root: Element) -> str:
    html = lxml.html.tostring(root, encoding="unicode")
    inner = html[len("<div>") : -len("</div>")]
    return inner.strip()


def _text_blocks(root: Element) -> list[str]:
    """Leaf text blocks in document order; loose inline text forms its own block.

    A walk with its own stack, not recursion: a body may nest up to ``MAX_DEPTH`` blocks.
    """
    blocks: list[str] = []
    stack = [(root, iter(root), [root.text or ""])]  # (block, its children left, its loose text so far)
    while stack:
        block, children, loose = stack[-1]
        child = next(children, None)
        if child is None:
            stack.pop()
            blocks.append(_flatten(loose))
            if stack:
                stack[-1][2].append(block.tail or "")
        elif (tag := _tag(child)) not in BLOCK_TAGS:
            loose.append(_inline_text(child) + (child.tail or ""))
        else:
            blocks.append(_flatten(loose))
            loose.clear()
            if tag in TEXT_BLOCK_TAGS and next(child.iterdescendants(*TEXT_BLOCK_TAGS), None) is None:
                blocks.append(_flatten([_inline_text(child)]))
                loose.append(child.tail or "")
            else:
                stack.append((child, iter(child), [child.text or ""]))
    return blocks


def _inline_text(element: Element) -> str:
    """The text of ``element`` and all it holds, a ``<br>`` inside it as a line break.

    A walk, not recursion: inline elements may nest up to ``MAX_DEPTH`` deep.
    """
    if not isinstance(element.tag, str) or not len(element):  # a comment (iterwalk takes elements only), or a leaf
        return element.text or ""
    parts: list[str] = []
    for event, node in etree.iterwalk(element, events=("start", "end", "comment")):
        if event == "start":
            parts.append("\n" if _tag(node) == "br" and node is not element else node.text or "")
        elif event == "comment":
            parts.append((node.text or "") + (node.tail or ""))
        elif node is not element:
            parts.append(node.tail or "")
    return "".join(parts)


def _flatten(parts: list[str]) -> str:
    lines = (line.strip() for line in "".join(parts).split("\n"))
    return "\n".join(line for line in lines if line)


def _tag(element: etree._Element) -> str:
    tag = element.tag
    return tag.lower() if isinstance(tag, str) else ""
