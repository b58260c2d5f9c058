"""Deployment end to end: a real Scrapyd on loopback, ``scrapyd-deploy``, ``schedule.json``.

Scrapyd runs in a temporary directory with authentication on, started by
``deploy/scrapyd-launch`` (what ``deploy/scrapyd.service`` runs); the project is
deployed with ``deploy/deploy-egg`` (scrapy.cfg's ``[deploy]`` target, whose URL
and credentials come from the environment), and scheduled with
``deploy/rfi-cn-schedule.sh`` (what the cron line and the systemd service run);
the job crawls the loopback fixture site.
"""

from __future__ import annotations

import base64
import json
import os
import socket
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.crawling import ROOT, CrawlResult, run_crawl
from tests.polling import wait_for

USER, PASSWORD = "rfi", "s3cret-for-tests"
DEADLINE = 120.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def call(url: str, data: dict[str, Any] | list[tuple[str, str]] | None = None, auth: bool = True) -> dict[str, Any]:
    """One Scrapyd API call (POST when ``data`` is given), its JSON answer."""
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    request = urllib.request.Request(url, data=body)
    if auth:
        token = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
        request.add_header("Authorization", f"Basic {token}")
    with urllib.request.urlopen(request, timeout=30) as answer:
        return dict(json.load(answer))


@pytest.fixture(scope="module")
def scrapyd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    home = tmp_path_factory.mktemp("scrapyd")
    port = free_port()
    (home / "scrapyd.conf").write_text(
        f"[scrapyd]\nhttp_port = {port}\npoll_interval = 0.2\nmax_proc = 1\n", encoding="utf-8"
    )
    launch = credentials(f"http://127.0.0.1:{port}")  # the launcher reads the credentials from here
    env = {key: value for key, value in launch.items() if not key.startswith(("RFI_", "DATA_LAKE", "CRAWL_"))}
    with (home / "scrapyd.out").open("wb") as out:
        process = subprocess.Popen(
            [str(ROOT / "deploy" / "scrapyd-launch")], cwd=home, env=env, stdout=out, stderr=subprocess.STDOUT
        )
    url = f"http://127.0.0.1:{port}"

    def up() -> bool:
        assert process.poll() is None, (home / "scrapyd.out").read_text()
        try:
            return call(f"{url}/daemonstatus.json")["status"] == "ok"
        except OSError:
            return False

    try:
        wait_for(up, "scrapyd to listen", DEADLINE, 0.2)
        yield url, home
    finally:
        process.terminate()
        process.wait(timeout=30)


def credentials(url: str) -> dict[str, str]:
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"  # this Python's scrapyd*
    return {**os.environ, "PATH": path, "SCRAPYD_URL": url, "SCRAPYD_USERNAME": USER, "SCRAPYD_PASSWORD": PASSWORD}


def deploy(url: str) -> subprocess.CompletedProcess[str]:
    env = credentials(url)
    return subprocess.run(
        [str(ROOT / "deploy" / "deploy-egg"), "--version", "1"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def schedule(url: str, settings: dict[str, str]) -> str:
    """Schedule rfi_cn with ``deploy/rfi-cn-schedule.sh``; its job id."""
    words = [word for name, value in settings.items() for word in ("-d", f"setting={name}={value}")]
    scheduled = subprocess.run(
        [str(ROOT / "deploy" / "rfi-cn-schedule.sh"), *words],
        env=credentials(url),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return str(json.loads(scheduled.stdout)["jobid"])


def wait_finished(url: str, job: str) -> None:
    def finished() -> bool:
        return any(entry["id"] == job for entry in call(f"{url}/listjobs.json?project=rfi_cn")["finished"])

    wait_for(finished, f"job {job} to finish", DEADLINE, 0.2)


def without_crawl_time(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(({k: v for k, v in row.items() if k != "crawled_at"} for row in rows), key=lambda row: row["id"])


def test_scrapyd_refuses_an_unauthenticated_schedule(scrapyd) -> None:
    url, _ = scrapyd
    with pytest.raises(urllib.error.HTTPError) as refused:
        call(f"{url}/schedule.json", {"project": "rfi_cn", "spider": "rfi_cn"}, auth=False)
    assert refused.value.code == 401


def test_deploy_schedule_and_export_through_scrapyd(scrapyd, fresh_site, tmp_path: Path) -> None:
    url, home = scrapyd
    deployed = deploy(url)
    assert deployed.returncode == 0, deployed.stderr
    assert json.loads(deployed.stdout.strip().splitlines()[-1])["status"] == "ok", deployed.stdout
    assert call(f"{url}/listspiders.json?project=rfi_cn")["spiders"] == ["rfi_cn"]

    server, facts = fresh_site
    lake = tmp_path / "lake"
    settings = {
        "RFI_BASE_URL": server.base_url,
        "DATA_LAKE_URI": str(lake),
        "CRAWL_STATE_PATH": str(tmp_path / "state.sqlite3"),
        "AUTOTHROTTLE_ENABLED": "0",
        "DOWNLOAD_DELAY": "0",
    }
    job = schedule(url, settings)
    wait_finished(url, job)
    direct = run_crawl(server.base_url, tmp_path / "direct")  # the same crawl from the source tree

    log = home / "logs" / "rfi_cn" / "rfi_cn" / f"{job}.log"
    result = CrawlResult(0, lake, log.read_text(encoding="utf-8"))
    articles = result.records("articles")
    assert sorted(row["id"] for row in articles) == sorted(facts.exported_ids)
    assert without_crawl_time(articles) == without_crawl_time(direct.records("articles"))  # record for record
    assert [row["url"] for row in result.records("rejects")] == sorted(facts.rejected_urls)
    assert [row["url"] for row in result.records("failures")] == sorted(facts.failed_urls)
    parts = sorted(path.name for path in (lake / "rfi_cn" / "articles").glob("dt=*/*.jsonl"))
    assert parts == [f"part-{job}-00001.jsonl"]  # Scrapyd's job id names the file
    assert result.stats["finish_reason"] == "finished"
    assert result.stats["rfi_cn/articles/unaccounted"] == 0
    assert not (home / "items").exists()  # items_dir stays unset: the project's feeds are used
    assert (tmp_path / "state.sqlite3").exists()


def test_a_job_cancelled_on_scrapyd_resumes_from_its_jobdir(scrapyd, fresh_site, tmp_path: Path) -> None:
    url, home = scrapyd
    if call(f"{url}/listprojects.json")["projects"] != ["rfi_cn"]:
        assert deploy(url).returncode == 0
    server, facts = fresh_site
    lake = tmp_path / "lake"
    server.delay = 0.1
    settings = {
        "RFI_BASE_URL": server.base_url,
        "DATA_LAKE_URI": str(lake),
        "JOBDIR": str(tmp_path / "job"),
        "CRAWL_STATE_ENABLED": "0",  # only the JOBDIR decides what the second job fetches
        "AUTOTHROTTLE_ENABLED": "0",
        "DOWNLOAD_DELAY": "0",
    }
    first = schedule(url, settings)
    wait_for(lambda: sum("测试新闻" in path for path in list(server.requests)) >= 8, "8 article requests")
    assert call(f"{url}/cancel.json", {"project": "rfi_cn", "job": first})["status"] == "ok"
    wait_finished(url, first)
    server.delay = 0.0
    second = schedule(url, settings)
    wait_finished(url, second)

    logs = home / "logs" / "rfi_cn" / "rfi_cn"
    assert (
        CrawlResult(0, lake, (logs / f"{first}.log").read_text(encoding="utf-8")).stats["finish_reason"] == "shutdown"
    )
    ids = {job: [] for job in (first, second)}
    for part in (lake / "rfi_cn" / "articles").glob("dt=*/*.jsonl"):
        job = next(job for job in ids if part.name.startswith(f"part-{job}-"))
        ids[job] += [json.loads(line)["id"] for line in part.read_text(encoding="utf-8").splitlines()]
    assert ids[first] and ids[second]
    assert sorted(ids[first] + ids[second]) == sorted(facts.exported_ids)
