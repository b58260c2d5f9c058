"""Nothing lost on the way to the lake (issue 14, items 3–6), with real crawls on loopback.

A record UTF-8 cannot encode, a full disk (a real tmpfs mounted for the test), a
manifest that cannot be written, a lake on a storage that does not publish whole
files, ``-O`` replacing the lake's article feed, and failures retried by later
runs. Each crawl ends with ``tests.lake_invariants.check_lake``.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from fixture_site.integrity import article_path, article_url, failing, with_lone_surrogate
from fixture_site.server import FixtureServer
from tests.crawling import run_crawl
from tests.lake_invariants import check_lake, known_ids, manifest_path

ECONOMY = ["T020", "T035", "T036", "T037"]  # the 经贸 section's articles
# Nothing is inside the refresh window: only retries and new articles are fetched again.
LATER = {"INCREMENTAL_NOW": "2026-06-01T00:00:00Z", "INCREMENTAL_REFRESH_HOURS": "1"}


def article_requests(server: FixtureServer) -> list[str]:
    return sorted(path for path in server.requests if "测试新闻" in path)


def retries(state: Path) -> list[tuple[str, str, int]]:
    with sqlite3.connect(state) as db:
        return [tuple(row) for row in db.execute("SELECT url, reason, attempts FROM retries ORDER BY url")]


# --- Item 3: a record that cannot be written -------------------------------------------


def test_a_lone_surrogate_is_a_schema_reject_and_every_count_is_of_written_rows(fresh_site, tmp_path: Path) -> None:
    server, facts = fresh_site
    poisoned = article_path(facts.article_paths, 35)
    with_lone_surrogate(server.routes, poisoned)
    result = run_crawl(server.base_url, tmp_path, "-a", "sections=经贸")
    assert sorted(row["id"] for row in result.records("articles")) == ["T020", "T036", "T037"]
    assert [(row["url"], row["id"], row["reason"], row["detail"]) for row in result.records("rejects")] == [
        (article_url(poisoned), "T035", "schema", "$.media[0].url: not encodable as UTF-8")
    ]
    stats = result.stats
    assert [
        stats.get(f"rfi_cn/articles/{name}", 0) for name in ("discovered", "exported", "rejected", "unaccounted")
    ] == [4, 3, 1, 0]
    assert "rfi_cn/articles/unwritten" not in stats and "Traceback" not in result.log
    manifest = check_lake(result)
    assert manifest["rows"] == {"articles": 3, "rejects": 1, "failures": 0}
    assert known_ids(tmp_path / "crawl-state.sqlite3") == {"T020", "T036", "T037"}


# --- Item 4: storage errors ------------------------------------------------------------


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 16 KiB tmpfs (a real filesystem that fills up), mounted for the test; needs root."""
    mount = tmp_path / "small-disk"
    mount.mkdir()
    if (
        shutil.which("mount") is None
        or subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=16k,mode=0755", "tmpfs", str(mount)], capture_output=True
        ).returncode
    ):
        pytest.skip("cannot mount a tmpfs here (needs root); tests/unit/lake/test_export.py covers ENOSPC")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def test_a_full_disk_publishes_no_torn_file_and_records_nothing(fresh_site, tmp_path: Path, small_disk: Path) -> None:
    server, facts = fresh_site
    state = tmp_path / "state.sqlite3"
    settings = {"DATA_LAKE_URI": str(small_disk / "lake"), "CRAWL_STATE_PATH": str(state), "RFI_JOB_ID": "full"}
    result = run_crawl(server.base_url, tmp_path / "run1", settings=settings)
    result.lake = small_disk / "lake"
    stats = result.stats
    articles = small_disk / "lake" / "rfi_cn" / "articles"
    assert [path.name for path in articles.rglob("*")] == [f"dt={stats_day(result)}"]  # no part file, no .tmp
    assert stats["rfi_cn/lake/storage_errors"] == 1
    assert "Error storing" in result.log and "Stored jsonlines feed (" not in _article_store_lines(result.log)
    manifest = check_lake(result, state=state)
    assert manifest["files"] == [entry for entry in manifest["files"] if entry["kind"] != "articles"]
    assert [(entry["kind"], entry["rows"]) for entry in manifest["failed_files"]] == [
        ("articles", stats["rfi_cn/articles/exported"])
    ]
    written = stats["rfi_cn/articles/exported"]
    assert written + stats.get("rfi_cn/articles/unwritten", 0) == 36
    assert manifest["articles"]["unaccounted"] == stats.get("rfi_cn/articles/unwritten", 0)
    assert known_ids(state) == set()  # nothing published: nothing known
    # With room on the disk, the next run fetches and exports every article.
    server.requests.clear()
    again = run_crawl(server.base_url, tmp_path / "run2", settings={"CRAWL_STATE_PATH": str(state)})
    assert sorted(row["id"] for row in again.records("articles")) == sorted(facts.exported_ids)
    assert again.stats["rfi_cn/articles/exported"] == 36
    check_lake(again, state=state)


def stats_day(result) -> str:
    return json.loads(manifest_path(result).read_text(encoding="utf-8"))["started_at"][:10]


def _article_store_lines(log: str) -> str:
    return "\n".join(line for line in log.splitlines() if "/rfi_cn/articles/" in line)


def test_a_manifest_that_cannot_be_written_is_a_storage_error(fresh_site, tmp_path: Path) -> None:
    server, _ = fresh_site
    (tmp_path / "lake" / "rfi_cn").mkdir(parents=True)
    (tmp_path / "lake" / "rfi_cn" / "_manifests").write_text("not a folder")
    result = run_crawl(server.base_url, tmp_path, "-a", "sections=经贸")
    stats = result.stats
    assert (stats["rfi_cn/lake/storage_errors"], stats["rfi_cn/manifest/failed"]) == (1, 1)
    assert "The run manifest could not be written" in result.log and "Run manifest written" not in result.log
    assert stats["rfi_cn/articles/exported"] == len(result.records("articles")) == 4


def test_a_non_atomic_lake_storage_is_refused(fresh_site, tmp_path: Path) -> None:
    server, _ = fresh_site
    result = run_crawl(
        server.base_url, tmp_path, "-a", "sections=经贸", settings={"DATA_LAKE_URI": "ftp://127.0.0.1:9/lake"}
    )
    assert result.returncode != 0
    assert "DATA_LAKE_URI scheme 'ftp' has no atomic storage" in result.log
    assert server.requests == []


def test_an_allowed_non_atomic_storage_that_fails_records_nothing(fresh_site, tmp_path: Path) -> None:
    server, _ = fresh_site
    free = _closed_port()
    settings = {"DATA_LAKE_URI": f"ftp://127.0.0.1:{free}/lake", "DATA_LAKE_ALLOW_NON_ATOMIC": "True"}
    result = run_crawl(server.base_url, tmp_path, "-a", "sections=经贸", settings=settings)
    stats = result.stats
    assert stats["rfi_cn/articles/exported"] == 4
    assert stats["rfi_cn/lake/unpublished_rows/articles"] == 4
    assert stats["rfi_cn/lake/storage_errors"] == 2  # the article file and the manifest
    assert stats["rfi_cn/manifest/failed"] == 1
    assert known_ids(tmp_path / "crawl-state.sqlite3") == set()


def _closed_port() -> int:
    from tests.redis_server import free_port

    return free_port()


# --- Item 5: -O replaces the lake's article feed ----------------------------------------


def test_output_option_writes_no_state_and_the_next_run_fetches_everything(fresh_site, tmp_path: Path) -> None:
    server, _ = fresh_site
    state = {"CRAWL_STATE_PATH": str(tmp_path / "state.sqlite3")}
    out = tmp_path / "out.jsonl"
    first = run_crawl(server.base_url, tmp_path / "run1", "-a", "sections=经贸", "-O", str(out), settings=state)
    assert sorted(json.loads(line)["id"] for line in out.read_text(encoding="utf-8").splitlines()) == ECONOMY
    assert first.log.count("the crawl state is not written in this run") == 1
    assert first.stats["rfi_cn/articles/exported"] == 4
    assert known_ids(tmp_path / "state.sqlite3") == set()
    server.requests.clear()
    second = run_crawl(server.base_url, tmp_path / "run2", "-a", "sections=经贸", settings=state)
    assert len(article_requests(server)) == 4
    assert sorted(row["id"] for row in second.records("articles")) == ECONOMY
    check_lake(second, state=tmp_path / "state.sqlite3")
    assert known_ids(tmp_path / "state.sqlite3") == set(ECONOMY)


# --- Item 6: failures and rejects are retried by the next runs ---------------------------


def test_failed_and_rejected_articles_are_retried_by_later_runs_but_gone_ones_not(fresh_site, tmp_path: Path) -> None:
    server, facts = fresh_site
    state = tmp_path / "state.sqlite3"
    settings = {**LATER, "CRAWL_STATE_PATH": str(state), "RETRY_TIMES": "0", "RFI_RETRY_RUNS": "2"}
    flaky = article_path(facts.article_paths, 32)  # on 国际's page 2, with the 404 (T033) and the reject (T034)
    gone, untitled = article_path(facts.article_paths, 33), article_path(facts.article_paths, 34)
    page = failing(server.routes, flaky, 503)
    first = run_crawl(server.base_url, tmp_path / "run1", settings=settings)
    assert sorted((row["url"], row["reason"]) for row in first.records("failures")) == sorted(
        [(article_url(flaky), "transient"), (article_url(gone), "gone")]
    )
    assert first.stats["rfi_cn/articles/exported"] == 35
    check_lake(first, state=state)
    assert retries(state) == sorted(
        [
            (article_url(flaky), "transient", 1),
            (article_url(gone), "gone", 1),
            (article_url(untitled), "missing_fields", 1),
        ]
    )
    server.routes[flaky] = page
    lakes = [first.lake]

    server.requests.clear()
    second = run_crawl(server.base_url, tmp_path / "run2", settings=settings)
    assert article_requests(server) == sorted([flaky, untitled])  # requested directly: 国际 stops at page 1
    assert "/cn/国际/2/" not in server.requests
    stats = second.stats
    assert [
        stats.get(f"rfi_cn/articles/{name}", 0)
        for name in ("discovered", "retried", "exported", "rejected", "failed", "unaccounted")
    ] == [2, 2, 1, 1, 0, 0]
    assert [row["id"] for row in second.records("articles")] == ["T032"]
    check_lake(second, state=state, lakes=lakes)
    assert retries(state) == sorted([(article_url(gone), "gone", 1), (article_url(untitled), "missing_fields", 2)])
    lakes.append(second.lake)

    server.requests.clear()
    third = run_crawl(server.base_url, tmp_path / "run3", settings=settings)
    assert article_requests(server) == [untitled]  # its second and last retry (RFI_RETRY_RUNS=2)
    assert (third.stats["rfi_cn/articles/retried"], third.stats["rfi_cn/articles/rejected"]) == (1, 1)
    check_lake(third, state=state, lakes=lakes)
    lakes.append(third.lake)

    server.requests.clear()
    fourth = run_crawl(server.base_url, tmp_path / "run4", settings=settings)
    assert article_requests(server) == []
    assert "rfi_cn/articles/retried" not in fourth.stats
    check_lake(fourth, state=state, lakes=lakes)
    assert retries(state) == sorted([(article_url(gone), "gone", 1), (article_url(untitled), "missing_fields", 3)])
