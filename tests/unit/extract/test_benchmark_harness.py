"""The extraction benchmarks' helpers run (figure 3's pieces and its back-to-back minimum)."""

from __future__ import annotations

from benchmarks import extraction_min, extraction_pieces
from benchmarks.extraction import Extraction
from fixture_site.newsroom import Newsroom


def test_every_piece_runs_on_an_article_page() -> None:
    newsroom = Newsroom(1)
    page = newsroom.article_page(newsroom.articles[0]).body
    pieces = extraction_pieces.pieces(page)
    assert "extraction (all, as figure 3)" in pieces
    for method in pieces.values():
        method()
    low, median = extraction_pieces.timed(pieces["depth guard (count <)"], 3)
    assert 0 < low <= median
    assert extraction_min.fastest_ms(Extraction(), page, calls=2) > 0
