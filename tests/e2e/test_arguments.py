"""``scrapy crawl`` with a bad or unknown ``-a`` argument: one line, exit 2, nothing requested or written."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.crawling import ROOT


@pytest.mark.parametrize(
    ("argument", "line"),
    [
        (
            "since=2025-13-01",
            "bad argument -a since=2025-13-01: month must be in 1..12; expected a date YYYY-MM-DD, e.g. 2025-11-01",
        ),
        (
            "max_pages=abc",
            "bad argument -a max_pages=abc: expected a whole number of listing pages per section, 1 or more, e.g. 2",
        ),
        (
            "section=中国",
            "unknown argument -a section=中国: the arguments are sections, max_pages, since, until, full, discover, tags, authors",
        ),
    ],
)
def test_a_bad_argument_stops_the_crawl_in_one_line(fresh_site, tmp_path: Path, argument: str, line: str) -> None:
    server, _ = fresh_site
    command = [sys.executable, "-m", "scrapy", "crawl", "rfi_cn", "-a", argument]
    for setting in (f"RFI_BASE_URL={server.base_url}", f"DATA_LAKE_URI={tmp_path / 'lake'}",
                    f"CRAWL_STATE_PATH={tmp_path / 'state' / 'rfi_cn.sqlite3'}", "LOG_LEVEL=WARNING"):  # fmt: skip
        command += ["-s", setting]
    completed = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=60)
    requests = list(server.requests)
    assert completed.returncode == 2
    assert completed.stdout == ""
    lines = completed.stderr.splitlines()
    assert len(lines) == 1, completed.stderr
    assert lines[0].endswith(f"[rfi_cn] ERROR: {line}")
    assert requests == []
    assert list(tmp_path.iterdir()) == []
