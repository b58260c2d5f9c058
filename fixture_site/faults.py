"""Route behaviours of a flaky, hostile site, and a fixture site made of them.

A ``Page`` served by ``FixtureServer`` may carry a ``fault``: before serving the
page the server asks the fault, which may answer itself (an error status, a
stall, a reset, a cut body, a redirect) and counts the requests it saw. Counts
are kept under a lock: the server answers each request in its own thread.

``build_fault_site`` returns the routes of a small site in which every fault of
the README's fault table occurs once, and ``FaultFacts``: what a crawl of it
must write (run it with ``FAULT_SETTINGS``).
"""

from __future__ import annotations

import io
import socket
import struct
import threading
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from fixture_site.pages import SITE, Article, article_html, listing_html, site_path
from fixture_site.site import Page, make_article

BLOCKED_PAGE = b"<html><body><h1>Access denied</h1><p>Your requests look automated: blocked.</p></body></html>"

# The crawl settings the facts assume: small timeouts and limits so every fault shows quickly.
FAULT_SETTINGS = {
    "RETRY_TIMES": "2",
    "DOWNLOAD_TIMEOUT": "2",
    "DOWNLOAD_MAXSIZE": "60000",
    "DOWNLOAD_WARNSIZE": "0",
    "RETRY_AFTER_MAX_SECONDS": "5",
    "REDIRECT_MAX_TIMES": "3",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "16",
}
TRIES = 3  # RETRY_TIMES + 1
OVERSIZED_PADDING = 80_000  # bytes of inline CSS: over DOWNLOAD_MAXSIZE above


class Counted:
    """Misbehave on the first ``times`` requests (every request when ``times`` is None)."""

    def __init__(self, times: int | None = None) -> None:
        self.times = times
        self.seen = 0
        self._lock = threading.Lock()

    def misbehaves(self) -> bool:
        with self._lock:
            self.seen += 1
            return self.times is None or self.seen <= self.times


class FailWith(Counted):
    """Answer ``status`` (with ``headers``, e.g. Retry-After), then serve the page."""

    def __init__(self, status: int, times: int | None = None, headers: dict[str, str] | None = None) -> None:
        super().__init__(times)
        self.status = status
        self.headers = headers or {}

    def respond(self, handler: Any, page: Page) -> bool:
        if not self.misbehaves():
            return False
        handler.send_page(Page(self.status, BLOCKED_PAGE, headers=self.headers))
        return True


class Stall(Counted):
    """Read the request, then hold the connection without a word for ``hold`` seconds."""

    def __init__(self, times: int | None = None, hold: float = 6.0) -> None:
        super().__init__(times)
        self.hold = hold

    def respond(self, handler: Any, page: Page) -> bool:
        if not self.misbehaves():
            return False
        handler.server.stopping.wait(self.hold)
        handler.close_connection = True
        return True


class Reset(Counted):
    """Read the request, then reset the connection (TCP RST)."""

    def respond(self, handler: Any, page: Page) -> bool:
        if not self.misbehaves():
            return False
        handler.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        handler.rfile.close()
        handler.wfile.close()
        handler.connection.close()  # the last reference: the kernel sends RST
        handler.wfile = io.BytesIO()  # for the handler's own flush and close
        handler.close_connection = True
        return True


class Truncate(Counted):
    """Promise the whole body in Content-Length, send half of it, close."""

    def respond(self, handler: Any, page: Page) -> bool:
        if not self.misbehaves():
            return False
        handler.send_page(replace(page, body=page.body[: len(page.body) // 2]), length=len(page.body))
        return True


class NoLength(Counted):
    """Send the page without Content-Length: its end is the connection's close."""

    def respond(self, handler: Any, page: Page) -> bool:
        if not self.misbehaves():
            return False
        handler.send_page(page, length=-1)
        return True


class Redirect(Counted):
    """Redirect (``status``) to ``path`` on this server, or on ``host`` (same port) when given."""

    def __init__(self, path: str, status: int = 301, host: str | None = None) -> None:
        super().__init__(None)
        self.path = path
        self.status = status
        self.host = host

    def respond(self, handler: Any, page: Page) -> bool:
        self.misbehaves()
        location = site_path(self.path)
        if self.host is not None:
            location = f"http://{self.host}:{handler.server.server_address[1]}{location}"
        handler.send_page(Page(self.status, b"", headers={"Location": location}))
        return True


@dataclass
class FaultFacts:
    """What a crawl of the fault site (with ``FAULT_SETTINGS``) must write."""

    exported_ids: set[str]
    rejects: list[tuple[str, str, str]]  # url, reason, detail
    failures: list[tuple[str, str, str, int | None, str, int]]  # url, kind, reason, status, error regex, retries
    article_paths: list[str]
    faults: dict[str, Counted] = field(default_factory=dict)  # route → its fault, to read the counts

    @property
    def discovered(self) -> int:
        return len(self.article_paths)


SECTION = "故障"
FORBIDDEN = "禁区"  # disallowed in robots.txt
MISSING = "失踪"  # its index page is 404
DAY = date(2025, 11, 20)


def build_fault_site() -> tuple[dict[str, Page], FaultFacts]:
    """Routes where every fault occurs, and what the crawl must make of them."""
    routes: dict[str, Page] = {}
    faults: dict[str, Counted] = {}
    listed: list[str] = []
    exported: set[str] = set()
    rejects: list[tuple[str, str, str]] = []
    failures: list[tuple[str, str, str, int | None, str, int]] = []

    def article(number: int, section: str = SECTION, **overrides: Any) -> Article:
        return make_article(number, section, DAY, **overrides)

    def serve(item: Article, fault: Counted | None = None, *, page: Page | None = None, list_it: bool = True) -> str:
        page = page or Page(200, article_html(item).encode("utf-8"))
        page.fault = fault
        routes[item.path] = page
        if fault is not None:
            faults[item.path] = fault
        if list_it:
            listed.append(item.path)
        return SITE + site_path(item.path)

    def fails(item: Article, fault: Counted | None, reason: str, status: int | None, error: str, retries: int = 0):
        failures.append((serve(item, fault), "article", reason, status, error, retries))

    # Transient faults and survivable pages: retried or read, and exported.
    for number, fault in [
        (101, FailWith(500, times=2)),
        (102, FailWith(503, times=1)),
        (103, FailWith(429, times=1, headers={"Retry-After": "1"})),
        (104, Stall(times=1)),
        (105, Reset(times=1)),
        (106, Truncate(times=1)),
    ]:
        serve(article(number), fault)
        exported.add(f"T{number}")
    serve(article(107), page=Page(200, _malformed(article_html(article(107))).encode("utf-8")))
    latin1 = Page(200, article_html(article(108)).encode("utf-8"), content_type="text/html; charset=iso-8859-1")
    serve(article(108), page=latin1)
    gb = Page(200, article_html(article(109)).encode("gb18030"))  # declared utf-8 (header and meta)
    serve(article(109), page=gb)
    serve(article(110, published="公元某日"))  # only the visible date parses
    exported |= {"T107", "T108", "T109", "T110"}
    target = article(112)
    serve(target, list_it=False)
    serve(article(111), Redirect(target.path, 301))  # on-site redirect to an unlisted article
    twin = article(114)
    twin_url = serve(twin)
    serve(article(113), Redirect(twin.path, 302))  # on-site redirect to a listed article
    exported |= {"T112", "T114"}
    rejects.append((twin_url, "duplicate_id", "id T114 already scraped in this run"))

    # Permanent faults: failures with their reason.
    fails(article(121), FailWith(404), "gone", 404, "HTTP 404")
    fails(article(122), FailWith(410), "gone", 410, "HTTP 410")
    fails(article(123), FailWith(403), "blocked", 403, "HTTP 403")
    fails(article(124), FailWith(429, headers={"Retry-After": "1"}), "blocked", 429, "HTTP 429, Retry-After: 1", 2)
    fails(article(125), FailWith(429, headers={"Retry-After": "3600"}), "blocked", 429, "HTTP 429, Retry-After: 3600")
    fails(article(126), FailWith(503), "transient", 503, rf"HTTP 503 \(gave up after {TRIES} tries\)", 2)
    fails(article(127), Stall(), "transient", None, rf"DownloadTimeoutError: .* \(gave up after {TRIES} tries\)", 2)
    fails(article(128), Reset(), "transient", None, rf"\w+: .* \(gave up after {TRIES} tries\)", 2)
    fails(article(129), Redirect(article(112).path, host="localhost"), "offsite_redirect", None,
          r"OffsiteRedirect: redirect to http://localhost:\d+/cn/.* leaves https://www\.rfi\.fr")  # fmt: skip
    fails(
        article(138),
        Redirect("/fr/asie-pacifique/"),
        "offsite_redirect",
        None,
        r"OffsiteRedirect: redirect to https://www\.rfi\.fr/fr/asie-pacifique/ leaves /cn/",
    )  # off the edition
    too_large = (
        r"DownloadCancelledError: Expected to receive \d+ bytes which is larger than download max size \(60000\) .*"
    )
    fails(article(130, padding_bytes=OVERSIZED_PADDING), None, "too_large", None, too_large)
    fails(
        article(131, padding_bytes=OVERSIZED_PADDING),
        NoLength(),
        "too_large",
        None,
        "DownloadCancelledError: over DOWNLOAD_MAXSIZE",
    )
    fails(article(135, FORBIDDEN), None, "robots", None, r"IgnoreRequest: Forbidden by robots\.txt")
    loop = article(137)
    fails(loop, Redirect(loop.path, 302), "redirect_loop", None, r"IgnoreRequest: max redirections reached")

    # Pages that arrive but are not valid articles: rejects with their reason.
    cut = article(132)
    cut_html = article_html(cut)
    rejects.append(
        (serve(cut, page=_html(cut_html[: cut_html.index("t-content__body")])), "missing_fields", "body_text")
    )
    rejects.append((serve(article(133, title=None)), "missing_fields", "title"))
    undated = article(134, published="未知", published_visible="某年某月")
    rejects.append((serve(undated), "missing_fields", "published_at"))
    image = Page(200, b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01", content_type="image/png")
    rejects.append((serve(article(136), page=image), "not_html", "image/png"))

    _listings(routes, listed, failures)
    facts = FaultFacts(exported, sorted(rejects), sorted(failures, key=lambda row: row[0]), listed, faults)
    return routes, facts


def _listings(routes: dict[str, Page], listed: list[str], failures: list) -> None:
    """Front page (navigation and the robots-forbidden article), the fault section in two pages."""
    navigation = [(site_path(f"/cn/{name}/"), name) for name in (SECTION, FORBIDDEN, MISSING)]
    on_front = [path for path in listed if path.startswith(f"/cn/{FORBIDDEN}/")]
    in_section = [path for path in listed if path not in on_front]
    half = len(in_section) // 2
    pages = [(site_path(f"/cn/{SECTION}/"), "1"), (site_path(f"/cn/{SECTION}/2/"), "2")]
    first = _html(listing_html(SECTION, in_section[:half], pages, navigation))
    first.fault = FailWith(503, times=1)  # a listing page that fails once
    routes[f"/cn/{SECTION}/"] = first
    routes[f"/cn/{SECTION}/2/"] = _html(listing_html(SECTION, in_section[half:], pages, navigation))
    routes["/cn/"] = _html(listing_html(None, on_front, None, navigation))
    routes[f"/cn/{FORBIDDEN}/"] = _html(listing_html(FORBIDDEN, [], None, navigation))
    routes["/robots.txt"] = Page(200, f"User-agent: *\nDisallow: /cn/{FORBIDDEN}/\n".encode(), "text/plain")
    failures += [
        (
            SITE + site_path(f"/cn/{FORBIDDEN}/"),
            "listing",
            "robots",
            None,
            r"IgnoreRequest: Forbidden by robots\.txt",
            0,
        ),
        (SITE + site_path(f"/cn/{MISSING}/"), "listing", "gone", 404, "HTTP 404", 0),
    ]
    failures.sort(key=lambda row: row[0])


def _malformed(html: str) -> str:
    """Unclosed and stray tags, a bare ampersand and a lone angle bracket: browsers cope, so must we."""
    broken = html.replace("</p>", "").replace("</span>", "").replace("</li>", "")
    return broken.replace(
        '<div class="t-content__body', '</em></div>&nbsp &x < 3 <div><b><i><div class="t-content__body'
    )


def _html(text: str) -> Page:
    return Page(200, text.encode("utf-8"))
