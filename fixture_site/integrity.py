"""Fixture pages for the lake-integrity tests: a record that UTF-8 cannot encode, and
articles that fail once, then recover.

The site is ``build_site()``'s; these helpers change one route each and return
what the crawl must then do.
"""

from __future__ import annotations

from dataclasses import replace

from fixture_site.pages import SITE, site_path
from fixture_site.site import Page

# A JSON-LD AudioObject whose URL holds a lone surrogate: valid JSON (an escape), no valid UTF-8.
SURROGATE_JSONLD = (
    '<script type="application/ld+json">'
    '{"@context": "https://schema.org", "@type": "AudioObject", "contentUrl": "https://s.rfi.fr/media/x\\ud800.mp3"}'
    "</script>"
)


def article_path(paths: list[str], number: int) -> str:
    """The decoded path of fixture article ``number`` (e.g. 35 → ``/cn/经贸/…-测试新闻0035``)."""
    return next(path for path in paths if path.endswith(f"测试新闻{number:04d}"))


def article_url(path: str) -> str:
    """The real-site URL the crawl records for ``path``."""
    return SITE + site_path(path)


def with_lone_surrogate(routes: dict[str, Page], path: str) -> None:
    """Serve the article at ``path`` with the surrogate JSON-LD in its head."""
    page = routes[path]
    body = page.body.replace(b"</head>", SURROGATE_JSONLD.encode("ascii") + b"</head>", 1)
    assert body != page.body, path
    routes[path] = replace(page, body=body)


def failing(routes: dict[str, Page], path: str, status: int = 503) -> Page:
    """Make ``path`` answer ``status``; returns the page to restore."""
    page = routes[path]
    routes[path] = Page(status, f"<html><body>{status}</body></html>".encode())
    return page
