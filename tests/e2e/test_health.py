"""End-to-end: the run's health in the manifest, the summary line and the exit status of a real ``scrapy crawl``."""

from __future__ import annotations

import itertools
import json
import re
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from fixture_site.health import blocked_site, without_markup
from fixture_site.server import serving
from fixture_site.site import build_site
from tests.crawling import CrawlResult, run_crawl
from tests.e2e.test_scrapyd import call, deploy, schedule, scrapyd, wait_finished, wait_for  # noqa: F401 - a fixture

QUICK = {"RETRY_TIMES": "0", "DOWNLOAD_TIMEOUT": "3", "CONCURRENT_REQUESTS_PER_DOMAIN": "16"}
FAILED_EXIT = 3


def manifest(result: CrawlResult) -> dict[str, Any]:
    files = sorted((result.lake / "rfi_cn" / "_manifests").glob("*.json"))
    assert files, result.log[-3000:]
    documents = [json.loads(file.read_text(encoding="utf-8")) for file in files]
    return max(documents, key=lambda doc: doc["finished_at"] + doc["job_id"])


def job_manifest(result: CrawlResult, job: str) -> dict[str, Any]:
    return json.loads((result.lake / "rfi_cn" / "_manifests" / f"{job}.json").read_text(encoding="utf-8"))


def problems(document: dict[str, Any]) -> dict[str, tuple[str, Any, Any]]:
    return {
        c["name"]: (c["status"], c["value"], c["threshold"])
        for c in document["health"]["checks"]
        if c["status"] != "ok"
    }


def last_line(result: CrawlResult) -> str:
    return result.log.rstrip("\n").splitlines()[-1].split("] INFO: ", 1)[-1]


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_unreachable_origin_fails_the_run(tmp_path: Path) -> None:
    port = closed_port()
    result = run_crawl(f"http://127.0.0.1:{port}", tmp_path, settings={**QUICK, "RFI_JOB_ID": "unreachable"})
    assert result.returncode == FAILED_EXIT, result.log[-3000:]
    document = job_manifest(result, "unreachable")
    assert document["health"]["status"] == "failed"
    assert problems(document) == {
        "front_page": ("failed", None, "2xx"),
        "start_pages": ("failed", "0/1 (missing https://www.rfi.fr/cn/)", "every start page 2xx"),
        "discovered": ("failed", 0, "> 0"),
        "transient_share": ("failed", 50.0, 20.0),  # robots.txt and the front page: 2 pages, 1 failure record
    }
    # one line per error, with the hint; no traceback
    assert "Traceback" not in result.log.split("Closing spider")[0]
    refused = f"cannot connect to 127.0.0.1:{port} (connection refused): check the network or RFI_BASE_URL"
    assert result.log.count(refused) == 3  # robots.txt given up, the front page waiting on it, the front page given up
    assert last_line(result) == (
        "rfi_cn: 0 exported, 0 rejected, 0 failed, 1 listing page failed, health failed "
        "(front_page None vs 2xx, start_pages 0/1 (missing https://www.rfi.fr/cn/) vs every start page 2xx, "
        "discovered 0 vs > 0, transient_share 50 vs 20), "
        f"manifest {result.lake}/rfi_cn/_manifests/unreachable.json"
    )
    assert result.stats["item_scraped_count"] == 0  # the failure record is not an article
    assert result.stats["rfi_cn/articles/exported"] == 0
    assert result.stats["rfi_cn/listings/failed"] == 1


def test_every_page_403_fails_the_run_as_blocked(tmp_path: Path) -> None:
    routes, _ = build_site()
    with serving(blocked_site(routes)) as server:
        result = run_crawl(server.base_url, tmp_path, settings={**QUICK, "RFI_JOB_ID": "blocked"})
    assert result.returncode == FAILED_EXIT, result.log[-3000:]
    document = job_manifest(result, "blocked")
    assert document["health"]["status"] == "failed"
    assert problems(document) == {
        "front_page": ("failed", 403, "2xx"),
        "start_pages": ("failed", "0/1 (missing https://www.rfi.fr/cn/)", "every start page 2xx"),
        "discovered": ("failed", 0, "> 0"),
        "blocked_share": ("failed", 50.0, 20.0),
    }
    assert [(row["url"], row["reason"]) for row in result.records("failures")] == [
        ("https://www.rfi.fr/cn/", "blocked")
    ]


class Receiver(BaseHTTPRequestHandler):
    """A loopback webhook receiver: keeps every POSTed body."""

    bodies: list[bytes]

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        type(self).bodies.append(self.rfile.read(length))
        self.send_response(204)
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the http.server API
        pass


@pytest.fixture
def receiver() -> Iterator[tuple[str, list[bytes]]]:
    handler = type("Handler", (Receiver,), {"bodies": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/hook", handler.bodies
    finally:
        server.shutdown()
        server.server_close()


def test_lost_author_block_degrades_the_run_and_notifies(tmp_path: Path, receiver: tuple[str, list[bytes]]) -> None:
    url, bodies = receiver
    routes, facts = build_site()
    with serving(without_markup(routes, "authors")) as server:
        result = run_crawl(
            server.base_url, tmp_path, settings={**QUICK, "RFI_JOB_ID": "no-authors", "HEALTH_WEBHOOK_URL": url}
        )
    assert result.returncode == 0, result.log[-3000:]  # degraded exits 0 by default
    document = job_manifest(result, "no-authors")
    assert document["health"]["status"] == "degraded"
    assert problems(document) == {"coverage:authors": ("degraded", 0.0, 20.0)}
    assert document["field_coverage"]["authors"] == 0.0
    assert document["field_coverage"]["title"] == 100.0
    assert len(bodies) == 1
    notice = json.loads(bodies[0])
    assert notice["status"] == "degraded"
    assert notice["job_id"] == "no-authors"
    assert notice["problems"] == [{"name": "coverage:authors", "status": "degraded", "value": 0.0, "threshold": 20.0}]
    assert notice["text"] == last_line(result)
    exported = len(facts.exported_ids)
    assert last_line(result) == (
        f"rfi_cn: {exported} exported, 1 rejected (missing_fields 1), 1 failed (gone 1), "
        f"health degraded (coverage:authors 0 vs 20), manifest {result.lake}/rfi_cn/_manifests/no-authors.json"
    )


def test_degraded_exit_status_is_a_setting(tmp_path: Path) -> None:
    routes, _ = build_site()
    with serving(without_markup(routes, "authors")) as server:
        result = run_crawl(server.base_url, tmp_path, settings={**QUICK, "HEALTH_DEGRADED_EXIT_CODE": "4"})
    assert result.returncode == 4, result.log[-3000:]


def test_coverage_drift_against_earlier_runs(tmp_path: Path) -> None:
    routes, _ = build_site()
    lake = tmp_path / "lake"
    settings = {**QUICK, "HEALTH_DRIFT_MIN_RUNS": "2", "DATA_LAKE_URI": str(lake)}
    history = CrawlResult(0, lake, "")
    with serving(routes) as server:
        for run in ("healthy-1", "healthy-2"):
            healthy = run_crawl(
                server.base_url, tmp_path / run, "-a", "full=1", settings={**settings, "RFI_JOB_ID": run}
            )
            assert healthy.returncode == 0, healthy.log[-3000:]
            assert job_manifest(history, run)["health"]["status"] == "ok"
            assert job_manifest(history, run)["field_coverage"]["tags"] == 100.0
    # two articles in five lose their tags: coverage falls, still above the 50% floor
    with serving(without_markup(routes, "tags", lambda index: index % 5 < 2)) as server:
        result = run_crawl(
            server.base_url, tmp_path / "drift", "-a", "full=1", settings={**settings, "RFI_JOB_ID": "drift"}
        )
    assert result.returncode == 0, result.log[-3000:]
    document = job_manifest(history, "drift")
    parts = [lake / entry["path"] for entry in document["files"] if entry["kind"] == "articles"]
    this_run = [json.loads(line) for part in parts for line in part.read_text(encoding="utf-8").splitlines()]
    assert len(this_run) == document["articles"]["exported"] == 36
    with_tags = sum(1 for row in this_run if row["tags"])
    coverage = round(100.0 * with_tags / len(this_run), 1)
    assert document["field_coverage"]["tags"] == coverage
    assert 50.0 <= coverage < 75.0
    assert problems(document) == {"drift:tags": ("degraded", coverage, 75.0)}  # the median 100 less 25 points
    assert document["health"]["status"] == "degraded"


def test_normal_crawl_is_ok_and_ends_with_the_summary_line(tmp_path: Path) -> None:
    routes, facts = build_site()
    with serving(routes) as server:
        result = run_crawl(server.base_url, tmp_path, settings={**QUICK, "RFI_JOB_ID": "normal"})
    assert result.returncode == 0, result.log[-3000:]
    document = job_manifest(result, "normal")
    assert document["health"]["status"] == "ok"
    assert problems(document) == {}
    names = [check["name"] for check in document["health"]["checks"]]
    assert names[:11] == [
        "front_page", "start_pages", "listings", "discovered", "exported", "unaccounted",
        "blocked_share", "transient_share", "reject_share", "storage", "manifest",
    ]  # fmt: skip
    assert len(facts.exported_ids) == 36
    assert last_line(result) == (
        "rfi_cn: 36 exported, 1 rejected (missing_fields 1), 1 failed (gone 1), health ok, "
        f"manifest {result.lake}/rfi_cn/_manifests/normal.json"
    )
    assert result.stats["item_scraped_count"] == 36  # articles only, not the reject and failure records
    assert "deprecated" not in result.log.lower()  # Spidermon's Spider.log() warning is filtered out


def test_scrapyd_runs_the_health_crawl_command(scrapyd: tuple[str, Path], tmp_path: Path) -> None:  # noqa: F811
    """Scrapyd's runner uses the project's ``crawl``: the summary line ends the job log, Scrapyd
    logs the exit status, and ``listjobs.json`` still lists the job as finished."""
    url, home = scrapyd
    if call(f"{url}/listprojects.json")["projects"] != ["rfi_cn"]:
        deployed = deploy(url)
        assert deployed.returncode == 0, deployed.stderr
    lake = tmp_path / "lake"
    job = schedule(
        url,
        {
            **QUICK,
            "RFI_BASE_URL": f"http://127.0.0.1:{closed_port()}",
            "DATA_LAKE_URI": str(lake),
            "CRAWL_STATE_PATH": str(tmp_path / "state.sqlite3"),
        },
    )
    wait_finished(url, job)
    log = (home / "logs" / "rfi_cn" / "rfi_cn" / f"{job}.log").read_text(encoding="utf-8")
    assert last_line(CrawlResult(0, lake, log)).startswith("rfi_cn: 0 exported, 0 rejected, 0 failed, ")
    assert last_line(CrawlResult(0, lake, log)).endswith(f"manifest {lake}/rfi_cn/_manifests/{job}.json")
    assert job_manifest(CrawlResult(0, lake, log), job)["health"]["status"] == "failed"
    died = f"Process died: exitstatus=3 project='rfi_cn' spider='rfi_cn' job='{job}'"
    wait_for(lambda: died in (home / "scrapyd.out").read_text(encoding="utf-8"), "Scrapyd to log the exit status")


def test_a_manifest_that_cannot_be_written_fails_the_run(tmp_path: Path) -> None:
    manifests = tmp_path / "lake" / "rfi_cn" / "_manifests"
    manifests.parent.mkdir(parents=True)
    manifests.write_text("a file where the manifests folder should be", encoding="utf-8")
    routes, _ = build_site()
    with serving(routes) as server:
        result = run_crawl(server.base_url, tmp_path, settings={**QUICK, "RFI_JOB_ID": "no-manifest"})
    assert result.returncode == FAILED_EXIT, result.log[-3000:]
    assert result.stats["rfi_cn/health/status"] == "failed"
    assert result.stats["rfi_cn/health/failed/manifest"] is False
    assert last_line(result) == (
        "rfi_cn: 36 exported, 1 rejected (missing_fields 1), 1 failed (gone 1), "
        "health failed (storage 1 vs 0, manifest False vs True), no manifest"
    )


def test_progress_lines_replace_scrapys(tmp_path: Path) -> None:
    routes, _ = build_site()
    with serving(routes) as server:
        server.delay = 0.05  # spread the crawl over a few intervals
        result = run_crawl(server.base_url, tmp_path, settings={**QUICK, "LOGSTATS_INTERVAL": "0.2"})
    assert result.returncode == 0, result.log[-3000:]
    lines = re.findall(
        r"\[rfi_cn\.health\.progress\] INFO: Progress: (\d+) discovered, (\d+) exported, (\d+) rejected, "
        r"(\d+) failed; (\d+) pages/min; (\d+) requests queued",
        result.log,
    )
    assert lines, result.log[-3000:]
    counts = [tuple(map(int, line)) for line in lines]
    for earlier, later in itertools.pairwise(counts):  # the counts only grow
        assert all(before <= after for before, after in zip(earlier[:4], later[:4], strict=True))
    assert all(line[1] <= 36 and line[2] <= 1 and line[3] <= 1 for line in counts)
    assert "scrapy.extensions.logstats" not in result.log
