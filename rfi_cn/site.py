"""The site model: what a URL of rfi.fr/cn is, and where its pages are fetched from.

Every URL the crawl handles, in requests, callbacks, records and the crawl state,
is a real-site URL (``https://www.rfi.fr/cn/…``). Only the download handler
(``rfi_cn.middlewares.mirror``) fetches it from another origin when
``RFI_BASE_URL`` names a mirror, a replay or a loopback test server, through
``to_mirror`` and ``from_mirror`` here. Everything outside ``/cn/`` on the site's
host is refused by ``link_url``, so the spider never asks for it.

One URL, one identity: ``crawl_key`` is the spelling every comparison of URLs
uses (claims, the duplicate filter, the crawl state), and ``link_url`` returns
it, so the URL requested and exported is the crawl key itself. It is w3lib's
``canonicalize_url`` (sorted query, percent-escapes upper-cased, unreserved
escapes such as ``%61`` decoded, no fragment) plus RFI's rules: the site's
hosts and schemes are one (``https://www.rfi.fr``), tracking queries
(``xtor``, ``utm_*``, …) are dropped, and dot segments, literal or
percent-encoded (``..``, ``%2e%2e``, ``%2E.``), are resolved before any scope
check, so ``/cn/%2e%2e/x`` is ``/x``: outside the edition.

A crawl asks for the same URL's key many times (the link on every listing page
that shows it, its request, the duplicate filter, the claims, the crawl state):
``crawl_key``, ``resolve_link`` and ``path_of`` are pure, so they remember their
latest answers (``functools.lru_cache``, ``KEY_CACHE_SIZE`` answers each). Only
URLs (href and page URL together) of at most ``KEY_CACHE_URL_LENGTH`` characters
are remembered, so hostile pages cannot fill the caches with megabytes; a URL
that cannot be parsed is never remembered (it raises every time).
"""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache
from urllib.parse import unquote, urljoin, urlsplit, urlunsplit

from w3lib.url import canonicalize_url, safe_url_string

SITE_ORIGIN = "https://www.rfi.fr"
SITE_HOSTS = frozenset({"www.rfi.fr", "rfi.fr"})
EDITION_PREFIX = "/cn/"
SITEMAP_PREFIX = "/sitemaps/cn/"  # the only documents outside /cn/ we read: the edition's sitemaps
FRONT_PAGE = f"{SITE_ORIGIN}{EDITION_PREFIX}"

# /cn/<section>/YYYYMMDD-<slug> and /cn/专栏检索/<programme>/YYYYMMDD-<slug>
_ARTICLE_PATH = re.compile(r"^/cn/(?:专栏检索/[^/]+|[^/]+)/(\d{8})-[^/]+/?$")
_SECTION_PATH = re.compile(r"^/cn/([^/]+)/$")


# Query parameters that only say where a reader came from: never part of a URL's identity.
_TRACKING_QUERY = re.compile(r"^(?:xtor|utm_\w+|at_\w+|fbclid|gclid|dclid|msclkid|mc_cid|mc_eid)$", re.IGNORECASE)
_ENCODED_DOT = re.compile(r"%2e", re.IGNORECASE)

# Answers remembered by each of crawl_key, resolve_link, path_of (the latest used). A crawl asks
# again within a few hundred URLs: on 2,000 articles 1,024 hit as often as 4,096 (misses 2,133
# vs 2,115 crawl keys), full after ~500 articles at ~0.5 MB, so the caches do not grow with the crawl.
KEY_CACHE_SIZE = 1024
KEY_CACHE_URL_LENGTH = 512  # longer URLs are worked out every time (real article URLs: ~150-350)


class InvalidLinkError(ValueError):
    """An href no browser could resolve (``http://[oops/``, a port out of range)."""


def decode_dots(href: str) -> str:
    """``href`` with its percent-encoded dots (``%2e``) decoded: a dot is unreserved, so
    ``%2e%2e`` *is* ``..`` (RFC 3986 §6.2.2: decode, then resolve dot segments), and a
    relative href must be resolved with them decoded."""
    return _ENCODED_DOT.sub(".", href)


def remove_dot_segments(path: str) -> str:
    """``path`` with its ``.`` and ``..`` segments resolved (RFC 3986 §5.2.4); percent-encoded
    dots count as dots. Never climbs above the root."""
    segments: list[str] = []
    parts = _ENCODED_DOT.sub(".", path).split("/")
    for index, segment in enumerate(parts):
        last = index == len(parts) - 1
        if segment == ".":
            if last:
                segments.append("")
        elif segment == "..":
            if len(segments) > 1:
                segments.pop()
            if last:
                segments.append("")
        else:
            segments.append(segment)
    resolved = "/".join(segments)
    return resolved if resolved.startswith("/") or not path.startswith("/") else "/" + resolved


def crawl_key(url: str) -> str:
    """The one spelling of ``url`` that every comparison uses (see the module docstring).

    Raises ``InvalidLinkError`` for a URL that cannot be parsed.
    """
    return _remembered_key(url) if len(url) <= KEY_CACHE_URL_LENGTH else _crawl_key(url)


def _crawl_key(url: str) -> str:
    try:
        parts = urlsplit(url.strip())
        hostname, port = parts.hostname, parts.port
    except ValueError as exc:
        raise InvalidLinkError(f"{url!r}: {exc}") from exc
    scheme, netloc = parts.scheme.lower(), parts.netloc.lower()
    if hostname in SITE_HOSTS and port in (None, 80, 443) and scheme in ("http", "https"):
        scheme, netloc = "https", "www.rfi.fr"
    path = remove_dot_segments(parts.path) or "/"
    try:
        canonical = urlsplit(canonicalize_url(urlunsplit((scheme, netloc, path, parts.query, ""))))
    except ValueError as exc:
        raise InvalidLinkError(f"{url!r}: {exc}") from exc
    query = "&".join(  # after canonicalisation: ?%78tor= is ?xtor=
        pair for pair in canonical.query.split("&") if pair and not _TRACKING_QUERY.match(pair.split("=", 1)[0])
    )
    key = urlunsplit(canonical._replace(query=query))
    return url if key == url else key  # a URL that is its own key: one string in the cache


_remembered_key = lru_cache(maxsize=KEY_CACHE_SIZE)(_crawl_key)


def resolve_link(href: str, page_url: str, prefix: str = EDITION_PREFIX) -> str | None:
    """Like ``link_url``, but raises ``InvalidLinkError`` for an href that cannot be resolved."""
    if len(href) + len(page_url) <= KEY_CACHE_URL_LENGTH:
        return _remembered_link(href, page_url, prefix)
    return _resolve_link(href, page_url, prefix)


def _resolve_link(href: str, page_url: str, prefix: str) -> str | None:
    try:
        absolute = urljoin(page_url, decode_dots(href.strip()))
    except ValueError as exc:
        raise InvalidLinkError(f"{href!r}: {exc}") from exc
    key = crawl_key(absolute)
    if not is_site_origin(key) or not path_of(key).startswith(prefix):
        return None
    return key


_remembered_link = lru_cache(maxsize=KEY_CACHE_SIZE)(_resolve_link)


def link_url(href: str, page_url: str, prefix: str = EDITION_PREFIX) -> str | None:
    """The real-site URL (the crawl key) of ``href`` found on ``page_url``, or ``None``
    when it leaves ``prefix`` once its dot segments are resolved.

    Anything on another host or port, in another edition, with another scheme
    or that cannot be parsed gives ``None``; the site's hosts and schemes are made
    its own (``https://www.rfi.fr``).
    """
    try:
        return resolve_link(href, page_url, prefix)
    except InvalidLinkError:
        return None


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
    return _remembered_path(url) if len(url) <= KEY_CACHE_URL_LENGTH else _path_of(url)


def _path_of(url: str) -> str:
    return unquote(urlsplit(url).path)


_remembered_path = lru_cache(maxsize=KEY_CACHE_SIZE)(_path_of)


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
