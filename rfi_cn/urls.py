"""What a URL of rfi.fr/cn is, and how it maps onto the origin we crawl.

The crawl may run against a mirror (``RFI_BASE_URL``): links are resolved and
rewritten onto that origin, while items keep the canonical ``https://www.rfi.fr``
URL. Everything outside ``/cn/`` on the site's host is refused here, so the
spider never asks for it.
"""

from __future__ import annotations

import re
from datetime import date
from urllib.parse import unquote, urljoin, urlsplit, urlunsplit

from w3lib.url import safe_url_string

SITE_ORIGIN = "https://www.rfi.fr"
SITE_HOSTS = frozenset({"www.rfi.fr", "rfi.fr"})
EDITION_PREFIX = "/cn/"
SITEMAP_PREFIX = "/sitemaps/cn/"  # the only documents outside /cn/ we read: the edition's sitemaps

# /cn/<section>/YYYYMMDD-<slug> and /cn/专栏检索/<programme>/YYYYMMDD-<slug>
_ARTICLE_PATH = re.compile(r"^/cn/(?:专栏检索/[^/]+|[^/]+)/(\d{8})-[^/]+/?$")
_SECTION_PATH = re.compile(r"^/cn/([^/]+)/$")


def origin_of(url: str) -> str:
    """``scheme://host[:port]`` of ``url``."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def to_crawl_url(href: str, page_url: str, base_url: str, prefix: str = EDITION_PREFIX) -> str | None:
    """Resolve ``href`` found on ``page_url`` into a URL under ``base_url``'s /cn/ (or ``prefix``).

    Absolute links to the real site are moved onto ``base_url``; anything on
    another host, in another edition or with another scheme gives ``None``.
    """
    absolute = urlsplit(urljoin(page_url, href.strip()))
    if absolute.scheme not in ("http", "https"):
        return None
    base = urlsplit(base_url)
    on_mirror = absolute.netloc == base.netloc
    if not on_mirror and absolute.hostname not in SITE_HOSTS:
        return None
    if not unquote(absolute.path).startswith(prefix):
        return None
    moved = urlunsplit((base.scheme, base.netloc, absolute.path, absolute.query, ""))
    return safe_url_string(moved)


def to_site_url(url: str) -> str:
    """The real-site URL of a page fetched from any origin."""
    parts = urlsplit(url)
    return urlunsplit(("https", "www.rfi.fr", parts.path, parts.query, ""))


def path_of(url: str) -> str:
    """The decoded path of ``url`` (``/cn/政治/``)."""
    return unquote(urlsplit(url).path)


def is_article_url(url: str) -> bool:
    """True for an article page of the /cn/ edition."""
    return _ARTICLE_PATH.match(path_of(url)) is not None


def article_date(url: str) -> date | None:
    """The publication day written in an article URL, or ``None``."""
    match = _ARTICLE_PATH.match(path_of(url))
    if match is None:
        return None
    digits = match.group(1)
    try:
        return date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError:
        return None


def section_name(url: str) -> str | None:
    """The section of a section index URL (``/cn/政治/`` → ``政治``), else ``None``."""
    match = _SECTION_PATH.match(path_of(url))
    return match.group(1) if match else None


def section_url(base_url: str, name: str) -> str:
    """The index page of section ``name`` on ``base_url``."""
    return safe_url_string(f"{base_url.rstrip('/')}/cn/{name}/")
