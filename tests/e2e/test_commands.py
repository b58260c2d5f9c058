"""``scrapy check``, ``parse`` and ``shell``: they fetch from ``RFI_BASE_URL`` like a crawl,
``parse`` needs only the real-site URL and runs the pipelines, and none of them writes
the lake or the crawl state."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

from fixture_site.server import FixtureServer, serving
from fixture_site.site import CONTRACT_ARTICLE_PATH, build_site
from tests.crawling import ROOT, run_crawl

ARTICLE = "/cn/国际/20251124-测试新闻0034"  # a rejected article (no title): exported ones below


def scrapy(server: FixtureServer, workdir: Path, *words: str) -> subprocess.CompletedProcess[str]:
    """``scrapy <words>`` against the fixture server, the lake and the crawl state in ``workdir``."""
    command = [sys.executable, "-m", "scrapy", *words]
    for setting in (
        f"RFI_BASE_URL={server.base_url}",
        f"DATA_LAKE_URI={workdir / 'lake'}",
        f"CRAWL_STATE_PATH={workdir / 'state' / 'rfi_cn.sqlite3'}",
        "LOG_LEVEL=WARNING",
    ):
        command += ["-s", setting]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=90)


def files(folder: Path) -> list[str]:
    return sorted(str(path.relative_to(folder)) for path in folder.rglob("*"))


def test_check_fetches_from_the_mirror_and_writes_nothing(fresh_site, tmp_path: Path) -> None:
    server, _ = fresh_site
    completed = scrapy(server, tmp_path, "check", "rfi_cn")
    requested = set(server.requests)
    assert completed.returncode == 0, completed.stderr
    assert "Ran 7 contracts" in completed.stderr and completed.stderr.rstrip().endswith("OK")
    assert {"/cn/", "/cn/政治/", CONTRACT_ARTICLE_PATH} <= requested
    assert files(tmp_path) == []


def test_parse_takes_the_real_site_url_and_runs_the_pipelines(tmp_path: Path) -> None:
    routes, _ = build_site()
    url = f"https://www.rfi.fr{quote(CONTRACT_ARTICLE_PATH)}"
    with serving(routes) as server:
        completed = scrapy(server, tmp_path, "parse", url)
        requested = list(server.requests)
    assert completed.returncode == 0, completed.stderr
    assert completed.stderr == ""
    assert requested == ["/robots.txt", CONTRACT_ARTICLE_PATH]
    assert "'id': 'T039'" in completed.stdout
    # The NormaliseDates pipeline ran: UTC with a Z, not the page's raw forms.
    assert "'published_at': '2025-11-30T09:15:00Z'" in completed.stdout
    assert files(tmp_path) == []


def test_parse_without_pipelines_shows_the_raw_extraction(fresh_site, tmp_path: Path) -> None:
    server, _ = fresh_site
    completed = scrapy(server, tmp_path, "parse", "--no-pipelines", f"https://www.rfi.fr{CONTRACT_ARTICLE_PATH}")
    assert completed.returncode == 0, completed.stderr
    assert "'id': 'T039'" in completed.stdout
    assert "'published_at': '2025-11-30T09:15:00Z'" not in completed.stdout
    assert files(tmp_path) == []


def test_parse_of_an_article_already_in_the_crawl_state(fresh_site, tmp_path: Path) -> None:
    """The state is neither read (the item is shown, not dropped as unchanged) nor written."""
    server, _ = fresh_site
    crawl = run_crawl(server.base_url, tmp_path / "crawl", "-a", "sections=政治", "-a", "max_pages=1")
    assert crawl.returncode == 0, crawl.log[-2000:]
    state = tmp_path / "crawl" / "crawl-state.sqlite3"
    before = state.read_bytes()
    command = [sys.executable, "-m", "scrapy", "parse", f"https://www.rfi.fr{CONTRACT_ARTICLE_PATH}"]
    command += ["-s", f"RFI_BASE_URL={server.base_url}", "-s", f"CRAWL_STATE_PATH={state}"]
    command += ["-s", f"DATA_LAKE_URI={tmp_path / 'lake'}", "-s", "LOG_LEVEL=INFO"]
    completed = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=90)
    assert completed.returncode == 0, completed.stderr
    assert "'id': 'T039'" in completed.stdout
    assert "Task exception was never retrieved" not in completed.stderr
    assert "Traceback" not in completed.stderr
    assert state.read_bytes() == before
    assert not (tmp_path / "lake").exists()


def test_shell_fetches_from_the_mirror_and_writes_nothing(tmp_path: Path) -> None:
    routes, _ = build_site()
    url = f"https://www.rfi.fr{ARTICLE}"
    with serving(routes) as server:
        completed = scrapy(server, tmp_path, "shell", url, "-c", "(response.url, response.status, len(response.body))")
        requested = list(server.requests)
    assert completed.returncode == 0, completed.stderr
    assert ARTICLE in requested
    assert completed.stdout.strip() == repr((f"https://www.rfi.fr{quote(ARTICLE)}", 200, len(routes[ARTICLE].body)))
    assert files(tmp_path) == []
