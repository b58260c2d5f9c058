"""The site model: what a URL of rfi.fr/cn is, and where its pages are fetched from.

Every URL the crawl handles, in requests, callbacks, records and the crawl state,
is a real-site URL (``https://www.rfi.fr/cn/…``). Only the download handler
(``rfi_cn.middlewares.mirror``) fetches it from another origin when
``RFI_BASE_URL`` names a mirror, a replay or a loopback test server, through
``to_mirror`` and ``from_mirror`` here. Everything outside ``/cn/`` on the site's
host is refused by ``link_url``, so the spider never asks for it.
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
FRONT_PAGE = f"{SITE_ORIGIN}{EDITION_PREFIX}"

# /cn/<section>/YYYYMMDD-<slug> and /cn/专栏检索/<programme>/YYYYMMDD-<slug>
_ARTICLE_PATH = re.compile(r"^/cn/(?:专栏检索/[^/]+|[^/]+)/(\d{8})-[^/]+/?$")
_SECTION_PATH = re.compile(r"^/cn/([^/]+)/$")


def link_url(href: str, page_url: str, prefix: str = EDITION_PREFIX) -> str | None:
    """The real-site URL of ``href`` found on ``page_url``, or ``None`` when it leaves ``prefix``.

    Anything on another host, in another edition or with another scheme gives
    ``None``; the scheme and host are made the site's own.
    """
    absolute = urlsplit(urljoin(page_url, href.strip()))
    if absolute.scheme not in ("http", "https") or absolute.hostname not in SITE_HOSTS:
        return None
    if not unquote(absolute.path).startswith(prefix):
        return None
    return safe_url_string(urlunsplit(("https", "www.rfi.fr", absolute.path, absolute.query, "")))


def site_path_url(path: str) -> str:
    """The real-site URL of a path (``/cn/政治/``), percent-encoded."""
    return safe_url_string(f"{SITE_ORIGIN}{path}")


def to_mirror(url: str, base_url: str) -> str:
    """Where the real-site ``url`` is fetched from: the same path on ``base_url``."""
    parts = urlsplit(url)
    if parts.hostname not in SITE_HOSTS:
        return url
    base = urlsplit(base_url)
    return urlunsplit((base.scheme, base.netloc, parts.path, parts.query, parts.fragment))


def from_mirror(url: str, base_url: str) -> str:
    """The real-site URL of ``url`` when it is on ``base_url``'s origin; other URLs as they are."""
    parts, base = urlsplit(url), urlsplit(base_url)
    if (parts.scheme, parts.netloc) != (base.scheme, base.netloc):
        return url
    return urlunsplit(("https", "www.rfi.fr", parts.path, parts.query, parts.fragment))


def is_site_origin(url: str) -> bool:
    """True when ``url`` is on the site's own scheme, host and port."""
    parts = urlsplit(url)
    return parts.scheme == "https" and parts.hostname in SITE_HOSTS and parts.port in (None, 443)


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


def section_url(name: str) -> str:
    """The index page of section ``name``."""
    return site_path_url(f"{EDITION_PREFIX}{name}/")
