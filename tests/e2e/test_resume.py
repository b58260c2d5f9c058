"""JOBDIR: a crawl stopped mid-way and restarted finishes without exporting anything twice.

After a clean stop (SIGINT) the crawl state is off, so only Scrapy's JOBDIR
(queue, seen requests) and our running marker decide what the second run
fetches; after SIGKILL the crawl state says what was exported.
"""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
from contextlib import closing
from pathlib import Path

from fixture_site.server import FixtureServer
from rfi_cn.state.resume import discard_scheduler_files
from tests.crawling import ROOT, crawl_command, crawl_result, run_crawl
from tests.polling import wait_for

LISTINGS = {"/cn/", "/cn/中国/", "/cn/政治/", "/cn/国际/", "/cn/经贸/"}


def published_ids(workdir: Path) -> list[str]:
    """Ids in the visible part files, each of which must be whole (hidden ``.part-*.tmp`` are not)."""
    ids = []
    for part in sorted((workdir / "lake" / "rfi_cn" / "articles").glob("dt=*/part-*.jsonl")):
        text = part.read_text(encoding="utf-8")
        assert text.endswith("\n"), f"{part} is not whole"
        ids += [json.loads(line)["id"] for line in text.splitlines()]
    return ids


def known_articles(path: Path) -> int:
    with closing(sqlite3.connect(path)) as state:
        return int(state.execute("SELECT count(*) FROM articles").fetchone()[0])


def article_requests(server: FixtureServer) -> list[str]:
    with server.lock:
        return [path for path in server.requests if "测试新闻" in path]


def test_interrupted_crawl_resumes_from_its_jobdir_and_exports_each_article_once(fresh_site, tmp_path: Path) -> None:
    server, facts = fresh_site
    settings = {"JOBDIR": str(tmp_path / "job"), "CRAWL_STATE_ENABLED": "0"}
    server.delay = 0.1  # slow enough to stop it half-way
    command = crawl_command(server.base_url, tmp_path / "run1", settings=settings)
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    wait_for(lambda: len(article_requests(server)) >= 8, "8 article requests")
    process.send_signal(signal.SIGINT)
    first = crawl_result(tmp_path / "run1", process.wait(timeout=60), process.communicate()[1])
    assert (tmp_path / "job" / "requests.queue").exists()
    assert not (tmp_path / "job" / "rfi_cn.running").exists()  # a clean stop

    server.delay = 0.0
    server.requests.clear()
    second = run_crawl(server.base_url, tmp_path / "run2", settings=settings)

    assert first.stats["finish_reason"] == "shutdown"
    first_ids = [row["id"] for row in first.records("articles")]
    second_ids = [row["id"] for row in second.records("articles")]
    assert 0 < len(first_ids) < len(facts.exported_ids)
    assert sorted(first_ids + second_ids) == sorted(facts.exported_ids)
    assert second.stats["finish_reason"] == "finished"
    assert "/cn/" not in server.requests  # resumed from the saved queue, not from the start
    pending = first.stats["rfi_cn/articles/pending_in_jobdir"]
    assert first.stats["rfi_cn/articles/discovered"] == len(first_ids) + pending
    assert first.stats["rfi_cn/articles/unaccounted"] == 0
    stats = second.stats  # the whole job's counts
    assert (stats["rfi_cn/articles/discovered"], stats["rfi_cn/articles/exported"]) == (facts.discovered, 36)
    assert stats["rfi_cn/articles/unaccounted"] == 0


def test_an_unclean_stop_makes_the_next_run_request_the_listings_again(fresh_site, tmp_path: Path) -> None:
    server, _ = fresh_site
    settings = {"JOBDIR": str(tmp_path / "job"), "CRAWL_STATE_ENABLED": "0"}
    marker = tmp_path / "job" / "rfi_cn.running"
    done = run_crawl(server.base_url, tmp_path / "run1", "-a", "sections=经贸", settings=settings)
    assert sorted(row["id"] for row in done.records("articles")) == ["T020", "T035", "T036", "T037"]
    assert not marker.exists()

    server.requests.clear()
    run_crawl(server.base_url, tmp_path / "run2", "-a", "sections=经贸", settings=settings)
    assert server.requests == []  # a finished job: every start request is filtered as seen

    marker.write_text("pid 1\n", encoding="utf-8")  # what a killed run leaves behind
    server.requests.clear()
    again = run_crawl(server.base_url, tmp_path / "run3", "-a", "sections=经贸", settings=settings)
    # The listing again, and its articles: with the crawl state off nothing tells which
    # the killed run had published, so all are fetched again (a duplicate, never a loss).
    assert server.requests[:2] == ["/robots.txt", "/cn/经贸/"]
    assert sorted(server.requests[2:]) == sorted(
        ["/cn/政治/20251110-测试新闻0020", "/cn/经贸/20251123-测试新闻0035", "/cn/经贸/20251122-测试新闻0036",
         "/cn/专栏检索/今日经济/20251121-测试新闻0037"]
    )  # fmt: skip
    assert sorted(row["id"] for row in again.records("articles")) == ["T020", "T035", "T036", "T037"]
    assert "did not stop cleanly" in again.log
    assert not marker.exists()


def test_killed_crawl_resumed_with_its_jobdir_and_state_exports_each_article_once(fresh_site, tmp_path: Path) -> None:
    """SIGKILL mid-crawl, then a restart with the same JOBDIR and state: the batches the
    killed run had published stay (and are known to the state), the batch it was writing
    never appears, and the restart exports everything else: each article exactly once."""
    server, facts = fresh_site
    settings = {
        "JOBDIR": str(tmp_path / "job"),
        "CRAWL_STATE_PATH": str(tmp_path / "state.sqlite3"),
        "FEED_EXPORT_BATCH_ITEM_COUNT": "5",
    }
    server.delay = 0.1
    command = crawl_command(server.base_url, tmp_path / "run1", settings=settings)
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    articles = tmp_path / "run1" / "lake" / "rfi_cn" / "articles"
    wait_for(lambda: len(list(articles.glob("dt=*/part-*.jsonl"))) >= 2, "two published batches")
    # ... and recorded: a kill between a file's rename and its state commit (a few
    # milliseconds) would export that batch twice (see docs/operations.md).
    wait_for(lambda: known_articles(tmp_path / "state.sqlite3") >= 10, "two batches recorded")
    process.kill()
    process.wait(timeout=60)
    assert (tmp_path / "job" / "rfi_cn.running").exists()  # it never closed

    server.delay = 0.0
    second = run_crawl(server.base_url, tmp_path / "run2", settings=settings)

    first_ids = published_ids(tmp_path / "run1")
    second_ids = published_ids(tmp_path / "run2")
    assert len(first_ids) % 5 == 0 and first_ids  # whole batches only
    assert sorted(first_ids + second_ids) == sorted(facts.exported_ids)
    assert not list((tmp_path / "run1" / "lake").glob("rfi_cn/_manifests/*.json"))  # the killed run has none
    assert [row["url"] for row in second.records("rejects")] == sorted(facts.rejected_urls)
    assert [row["url"] for row in second.records("failures")] == sorted(facts.failed_urls)
    assert "did not stop cleanly" in second.log
    assert second.stats["rfi_cn/articles/skipped_known"] == len(first_ids)
    assert second.stats["rfi_cn/articles/unaccounted"] == 0


def test_an_unclean_stop_discards_the_saved_queue_and_seen_set(tmp_path: Path) -> None:
    (tmp_path / "requests.queue").mkdir()
    (tmp_path / "requests.queue" / "p0").write_bytes(b"\x00\x00")  # a chunk cut short by SIGKILL
    (tmp_path / "requests.seen").write_text("fingerprint\n")
    (tmp_path / "spider.state").write_bytes(b"stale")
    (tmp_path / "rfi_cn.accounting.json").write_text("{}")
    discard_scheduler_files(tmp_path)
    assert sorted(path.name for path in tmp_path.iterdir()) == ["rfi_cn.accounting.json"]
