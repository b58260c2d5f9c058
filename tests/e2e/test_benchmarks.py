"""The benchmark harness: ``python3 -m benchmarks --quick`` prints every figure, and the newsroom site's shape.

No timing is asserted: the smoke run checks that every figure is measured
(a number, a target, a verdict) and printed; the site checks are exact.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from urllib.parse import quote, unquote

import pytest

from benchmarks import extraction_min, extraction_pieces
from benchmarks.extraction import the_page
from benchmarks.serve import with_feeds
from fixture_site.newsroom import SECTIONS, Newsroom
from fixture_site.pages import article_html
from fixture_site.site import build_large_site, with_related_cards
from tests.crawling import ROOT

FIGURES = {
    "steady_state_requests": 1.1,
    "newsroom_requests": 1.3,
    "extraction_ratio": 1.0,
    "crawl_cpu_ratio": 1.4,
    "memory_growth": 0.10,
}
# Smaller than --quick's sizes: the harness end to end, in seconds.
TINY = ["--rounds=2", "--old=20", "--new=5", "--per-day=5", "--history-days=1", "--runs=1"]
TINY += ["--cpu-articles=8", "--memory-start=8", "--memory-end=16", "--padding=2000", "--related=3"]


def test_quick_run_prints_every_figure_with_a_number_a_target_and_a_verdict(tmp_path: Path) -> None:
    out = tmp_path / "figures.json"
    absent = tmp_path / "no-such-page.html"  # as when ../shared is not there
    completed = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick", *TINY, f"--shared={absent}", f"--json={out}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["quick"] is True and "nproc=" in data["machine"]
    figures = {figure["key"]: figure for figure in data["figures"]}
    assert list(figures) == list(FIGURES)
    for key, target in FIGURES.items():
        figure = figures[key]
        assert figure["target"] == target, key
        assert isinstance(figure["value"], float) and figure["value"] == figure["value"], (key, figure["note"])
        assert figure["n"] >= 1 and all(isinstance(sample, float) for sample in figure["samples"]), key
        assert figure["passed"] is (figure["value"] <= target and not figure["broken"]), key
        assert not figure["broken"], figure["broken"]
    assert f"{absent} is absent" in figures["extraction_ratio"]["detail"]["page"]
    assert "page: fixture, real size" in figures["extraction_ratio"]["note"]

    table = completed.stdout[completed.stdout.index("## Figures") :]
    rows = [line for line in table.splitlines() if line.startswith("| ") and "---" not in line]
    assert [cell.strip() for cell in rows[0].strip("|").split("|")] == [
        "figure",
        "measured",
        "target",
        "pass/fail",
        "note",
    ]
    assert len(rows) == 1 + len(FIGURES)
    for row, figure in zip(rows[1:], data["figures"], strict=True):
        cells = [cell.strip() for cell in row.strip("|").split("|")]
        assert cells[0] == figure["name"] and cells[3] == ("PASS" if figure["passed"] else "FAIL")
        assert cells[2].startswith("≤ ") and cells[1] != "not measured"
    assert table.rstrip().splitlines()[-1].startswith("Machine: ")


def test_json_to_stdout_is_the_figures_alone(tmp_path: Path) -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick", "--only", "extraction", "--rounds=1", "--json=-"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    data = json.loads(completed.stdout)
    assert [figure["key"] for figure in data["figures"]] == ["extraction_ratio"]
    assert "## Figures" in completed.stderr


def test_a_part_that_fails_is_a_failed_row_and_the_exit_status(tmp_path: Path) -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--only", "extraction", f"--shared={tmp_path}", "--rounds=1", "--json=-"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert completed.returncode == 1, completed.stderr[-3000:]
    (figure,) = json.loads(completed.stdout)["figures"]
    assert figure["value"] is None and figure["passed"] is False
    assert figure["broken"].startswith("IsADirectoryError") and "| FAIL " in completed.stderr


def test_newsroom_publishes_20_to_30_articles_a_day_over_the_22_sections() -> None:
    newsroom = Newsroom(10)
    days = Counter(item.at.date() for item in newsroom.articles)
    assert sorted(days) == [date(2025, 1, 1) + timedelta(days=offset) for offset in range(10)]
    assert all(20 <= count <= 30 for count in days.values())
    assert len(SECTIONS) == 22 and len({item.section for item in newsroom.articles}) >= 15
    assert [item.number for item in newsroom.articles] == list(range(1, len(newsroom.articles) + 1))
    assert all(a.at <= b.at for a, b in zip(newsroom.articles, newsroom.articles[1:], strict=False))
    assert Newsroom(5).articles == newsroom.articles[: len(Newsroom(5).articles)]  # a later site extends an earlier one


def test_newsroom_site_at_a_moment_lists_what_is_published_newest_first() -> None:
    newsroom = Newsroom(10, per_page=5)
    now = datetime(2025, 1, 6, 6, tzinfo=UTC)
    routes = newsroom.routes(now)
    visible = newsroom.published_by(now)
    assert visible and all(item.at <= now for item in visible) and len(visible) < len(newsroom.articles)
    assert set(routes.articles) == {item.path for item in visible}
    busiest = Counter(item.section for item in visible).most_common(1)[0][0]
    ordered = [item for item in reversed(visible) if item.section == busiest]
    first_page = routes[f"/cn/{busiest}/"].body.decode()
    positions = [first_page.index(quote(item.path)) for item in ordered[:5]]
    assert positions == sorted(positions) and quote(ordered[5].path) not in first_page
    assert quote(f"/cn/{busiest}/2/") in first_page  # the next page is linked
    assert quote(ordered[5].path) in routes[f"/cn/{busiest}/2/"].body.decode()
    news = routes["/sitemaps/cn/news.xml"].body.decode()
    recent = [item for item in visible if item.at > now - timedelta(hours=48)]
    assert news.count("<url>") == len(recent) and quote(recent[0].path) in news
    assert routes["/cn/rss"].body.decode().count("<item>") == 30
    assert b"Sitemap: https://www.rfi.fr/sitemaps/cn/news.xml" in routes["/robots.txt"].body
    assert routes.get("/cn/中国/20250201-测试新闻9999") is None


def test_newsroom_article_pages_are_the_fixture_pages_of_real_size() -> None:
    newsroom = Newsroom(2, padding_bytes=420_000, related=250)
    item = newsroom.articles[3]
    page = newsroom.routes(datetime(2025, 1, 3, tzinfo=UTC))[item.path]
    expected = newsroom.article(item, padding_bytes=420_000)
    assert expected.path == item.path and len(expected.paragraphs) == 13
    assert page.body == with_related_cards(article_html(expected), 250).encode("utf-8")
    assert len(page.body) > 500_000


def test_the_four_section_site_is_served_with_its_change_feeds() -> None:
    routes = with_feeds(build_large_site(60, per_day=10), 60, 10, date(2025, 1, 1))
    news = routes["/sitemaps/cn/news.xml"].body.decode()
    listed = [unquote(path) for path in re.findall(r"<loc>https://www\.rfi\.fr([^<]+)</loc>", news)]
    # The newest is article 60 (day 6, 00:15): the 48 h before it hold articles 41-60.
    assert sorted(listed) == sorted(path for path in routes if re.search(r"测试新闻00(4[1-9]|5\d|60)$", path))
    assert routes["/cn/rss"].body.decode().count("<item>") == 30


def test_the_extraction_pieces_and_the_back_to_back_minimum_print_their_results(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Both run on the fixture page of real size when the real one is absent, and say so."""
    absent = tmp_path / "absent.html"
    label, page = the_page(absent)
    extraction_pieces.main(["--rounds", "2", "--shared", str(absent)])
    out = capsys.readouterr().out
    assert out.startswith(f"{label}, 2 rounds each, microseconds\n")
    rows = re.findall(r"^\| (.+?) +\| +(\d+\.\d) \| +(\d+\.\d) \|$", out, re.M)
    assert [name.strip() for name, _, _ in rows] == [name.strip() for name in extraction_pieces.pieces(page)]
    assert all(0 < float(low) <= float(median) for _, low, median in rows)
    extraction_min.main(["--calls", "2", "--shared", str(absent)])
    line = capsys.readouterr().out
    assert re.fullmatch(
        rf"{re.escape(label)}: item \d+\.\d\d ms, lxml\.html\.fromstring \d+\.\d\d ms, ratio \d+\.\d\dx\n", line
    )
