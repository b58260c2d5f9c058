"""Fixture sites for the run-health tests: a site that blocks us, and template changes.

``blocked_site`` answers 403 to every page. ``without_markup`` removes one
field from article pages (all of them, or those whose index in path order
``drop(index)`` selects), from every place the extractor reads it (its markup and
the page's metadata, ``rfi_cn.extract.article.FIELD_RULES``): the authors, or the
tags. A template change that empties a field behaves so; one that only breaks the
markup is caught by the fallbacks and loses nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace

from fixture_site.faults import FailWith
from fixture_site.site import Page

MARKUP: dict[str, list[tuple[re.Pattern[str], str]]] = {  # (what, what it becomes)
    "authors": [
        (re.compile(r'<a [^>]*class="m-from-author__name">[^<]*</a>'), ""),
        (re.compile(r'"author": \[[^\]]*\]'), '"author": []'),  # JSON-LD author[]
    ],
    "tags": [
        (re.compile(r'<div class="t-content__tags">.*?</ul></div>', re.S), ""),
        (re.compile(r'<meta property="article:tag" content="[^"]*">'), ""),
        (re.compile(r'"keywords": \[[^\]]*\]'), '"keywords": []'),  # JSON-LD keywords, where a page has them
    ],
}


def blocked_site(routes: dict[str, Page]) -> dict[str, Page]:
    """Every route answers 403, robots.txt included."""
    return {path: replace(page, fault=FailWith(403)) for path, page in routes.items()}


def is_article(page: Page) -> bool:
    return b"data-article-content" in page.body


def without_markup(
    routes: dict[str, Page], block: str, drop: Callable[[int], bool] = lambda index: True
) -> dict[str, Page]:
    """``routes`` with ``block`` (``authors`` or ``tags``) removed from the selected article pages."""
    result = dict(routes)
    articles = sorted(path for path, page in routes.items() if is_article(page))
    for index, path in enumerate(articles):
        if drop(index):
            html = routes[path].body.decode("utf-8")
            for pattern, replacement in MARKUP[block]:
                html = pattern.sub(replacement, html)
            result[path] = replace(routes[path], body=html.encode("utf-8"))
    return result
