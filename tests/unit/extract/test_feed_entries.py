"""``feed_entries``: a change feed's articles with their lastmod and publication date, or None."""

from __future__ import annotations

from rfi_cn.extract.sitemaps import FeedEntry, feed_entries
from rfi_cn.periods import DateRange

PAGE = "https://www.rfi.fr/sitemaps/cn/news.xml"
A = "https://www.rfi.fr/cn/%E4%B8%AD%E5%9B%BD/20251130-a"
URLSET = '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">{}</urlset>'


def urlset(*entries: str) -> bytes:
    return URLSET.format("".join(entries)).encode()


def test_entries_keep_lastmod_and_publication_date_and_drop_what_is_no_article() -> None:
    body = urlset(
        f"<url><loc>{A}</loc><lastmod>2025-11-30T10:00:00+00:00</lastmod>"
        "<news:news><news:publication_date>2025-11-30T08:00:00+01:00</news:publication_date></news:news></url>",
        f"<url><loc>{A}</loc><lastmod>2025-11-30T11:00:00+00:00</lastmod></url>",  # a repeat: the first wins
        "<url><loc>https://www.rfi.fr/cn/%E4%B8%AD%E5%9B%BD/20251129-b</loc></url>",
        "<url><loc>https://www.rfi.fr/fr/france/20251130-c</loc></url>",  # another edition
        "<url><loc>https://evil.example/cn/%E4%B8%AD%E5%9B%BD/20251130-d</loc></url>",
        "<url><loc>https://www.rfi.fr/cn/%E4%B8%AD%E5%9B%BD/</loc></url>",  # a section, no article
    )
    assert feed_entries(body, PAGE, DateRange(None, None), 1000) == [
        FeedEntry(A, "2025-11-30T10:00:00+00:00", "2025-11-30T08:00:00+01:00"),
        FeedEntry("https://www.rfi.fr/cn/%E4%B8%AD%E5%9B%BD/20251129-b", None, None),
    ]


def test_a_document_that_is_no_urlset_or_too_long_is_refused_whole() -> None:
    index = b'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><sitemap><loc>x</loc></sitemap></sitemapindex>'
    for body in (b"", b"\x00\x01garbage", b"<html><body>maintenance</body></html>", index):
        assert feed_entries(body, PAGE, DateRange(None, None), 1000) is None
    three = urlset(*(f"<url><loc>{A}-{n}</loc></url>" for n in range(3)))
    assert feed_entries(three, PAGE, DateRange(None, None), 2) is None
    assert len(feed_entries(three, PAGE, DateRange(None, None), 3) or []) == 3
