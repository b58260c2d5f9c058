"""Security: the four ways in or down of issue 17, each tried against a real crawl.

Pickles pushed into a run's Redis queue run nothing; endless response headers and a
gzip bomb end as ``too_large`` failures with flat memory; a job id that climbs out of
the lake stops the run before anything is written; the User-Agent names the operator.
"""

from __future__ import annotations

import json
import os
import pickle
import secrets
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from redis import Redis
from redis.exceptions import NoPermissionError
from scrapy.settings import Settings
from w3lib.url import safe_url_string

from fixture_site.security import EndlessHeaders, RecordAgents, gzip_bomb
from fixture_site.site import Page, SiteFacts
from rfi_cn.distributed import run_key
from tests.crawling import ROOT, CrawlResult, crawl_command, crawl_result, run_crawl
from tests.redis_server import redis_server

SITE = "https://www.rfi.fr"
# The Redis ACL a worker needs (docs/security.md): its key prefix, the commands it uses.
WORKER_ACL = (
    "on resetkeys ~rfi_cn:* resetchannels -@all "
    "+ping +multi +exec +zadd +zrange +zremrangebyrank +zcard +sadd +srem +smembers +scard "
    "+hget +hmget +hset +hdel +hincrby +hgetall +set +del +exists +expire +rename +scan +sismember"
)
VICTIM = "测试新闻0005"  # the article a hostile route replaces (listed on /cn/中国/)


def victim_path(facts: SiteFacts) -> str:
    (path,) = [path for path in facts.article_paths if VICTIM in path]
    return path


def failures(result: CrawlResult) -> list[tuple[str, str]]:
    return sorted((row["url"], row["reason"]) for row in result.records("failures"))


def expected_failures(facts: SiteFacts, path: str, reason: str) -> list[tuple[str, str]]:
    """The fixture site's own failure (a 404) and ``path``'s."""
    return sorted([(safe_url_string(f"{SITE}{path}"), reason), *[(url, "gone") for url in facts.failed_urls]])


def counts(result: CrawlResult) -> dict[str, int]:
    stats = result.stats
    return {name: stats.get(f"rfi_cn/articles/{name}", 0) for name in ("discovered", "exported", "rejected", "failed")}


# --- 1. No pickle from Redis --------------------------------------------------------------


class _Touch:
    """A pickle that creates ``path`` when loaded: what an attacker with Redis access pushes."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __reduce__(self) -> tuple[Any, ...]:
        return (os.system, (f"touch {self.path}",))


def test_a_pickle_pushed_into_the_run_queue_runs_nothing_and_the_crawl_finishes(fresh_site, tmp_path: Path) -> None:
    server, facts = fresh_site
    marker = tmp_path / "pwned"
    run = "attacked"
    hostile = [
        pickle.dumps(_Touch(marker)),  # code execution through pickle
        pickle.dumps({"url": f"{SITE}/cn/", "callback": "parse_front"}),  # a harmless-looking pickle
        json.dumps({"url": f"{SITE}/cn/", "_class": "os.system"}).encode(),  # a class to load
        json.dumps({"url": f"{SITE}/cn/", "callback": "__init__"}).encode(),  # not a parse*/on_* method
        json.dumps({"url": f"{SITE}/cn/", "callback": "parse_nothing"}).encode(),  # no such method
        json.dumps({"url": "http://169.254.169.254/latest/meta-data/"}).encode(),  # off the site
        b"\x00\xff not json",
    ]
    with redis_server(tmp_path) as url:
        client = Redis.from_url(url)
        password = secrets.token_hex(16)
        client.execute_command("ACL", "SETUSER", "rfi_worker", f">{password}", *WORKER_ACL.split())
        worker_url = url.replace("redis://", f"redis://rfi_worker:{password}@")
        queue = run_key(Settings({"REDIS_RUN_ID": run}), "requests")
        for score, entry in enumerate(hostile):  # the lowest scores: popped before anything else
            client.zadd(queue, {entry: -1_000_000 + score})
        result = run_crawl(
            server.base_url,
            tmp_path / "worker",
            settings={"REDIS_URL": worker_url, "REDIS_RUN_ID": run, "REDIS_WORKER_TTL": "3"},
            env={"REDIS_URL": ""},
        )
        leftovers = client.zrange(queue, 0, -1)
        denied = client.execute_command("ACL", "LOG")
        client.set("other:key", "x")
        with pytest.raises(NoPermissionError):  # the worker's user reaches its own prefix only
            Redis.from_url(worker_url).get("other:key")

    assert not marker.exists()
    assert result.returncode == 0, result.log[-3000:]
    assert denied == []  # the worker needed nothing beyond WORKER_ACL
    assert result.stats["rfi_cn/distributed/bad_requests"] == len(hostile)
    assert result.log.count("Dropped a bad entry of the Redis request queue") == len(hostile)
    assert leftovers == []
    assert sorted(row["id"] for row in result.records("articles")) == sorted(facts.exported_ids)
    assert counts(result) == {"discovered": 38, "exported": 36, "rejected": 1, "failed": 1}
    assert server.requested("/latest/meta-data/") == 0


# --- 3. Bounded responses -----------------------------------------------------------------


def peak_memory_kib(command: list[str]) -> tuple[int, int]:
    """Run ``command`` under a wrapper process; its return code and peak resident set (KiB):
    the wrapper's only child is the crawl, so RUSAGE_CHILDREN is the crawl's own peak."""
    wrapper = (
        "import resource, subprocess, sys; code = subprocess.call(sys.argv[1:]); "
        "print(code, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    completed = subprocess.run(
        [sys.executable, "-c", wrapper, *command], cwd=ROOT, capture_output=True, text=True, timeout=300, check=True
    )
    code, peak = completed.stdout.split()
    return int(code), int(peak)


def test_endless_headers_end_as_too_large_with_flat_memory(fresh_site, tmp_path: Path) -> None:
    server, facts = fresh_site
    clean_code, clean_peak = peak_memory_kib(crawl_command(server.base_url, tmp_path / "clean"))
    assert clean_code == 0

    path = victim_path(facts)
    bomb = EndlessHeaders(limit=256 * 1024 * 1024)
    server.routes[path] = Page(200, b"", fault=bomb)
    server.requests.clear()
    code, peak = peak_memory_kib(crawl_command(server.base_url, tmp_path / "bomb"))
    result = crawl_result(tmp_path / "bomb", code)

    print(f"peak RSS: clean crawl {clean_peak} KiB, endless headers {peak} KiB, header bytes sent {bomb.sent}")
    # The crawler hung up after at most RFI_MAX_HEADER_BYTES (64 KiB) plus what was in flight
    # in the socket buffers; an unbounded parser would have taken all 256 MiB.
    assert bomb.sent < 16 * 1024 * 1024
    # The same crawl without the hostile page is the baseline: holding 64 KiB of headers
    # more costs nothing measurable, so 16 MiB is slack for allocator noise only.
    assert peak < clean_peak + 16 * 1024, (peak, clean_peak)
    assert code == 0, result.log[-3000:]
    assert failures(result) == expected_failures(facts, path, "too_large")
    assert counts(result) == {"discovered": 38, "exported": 35, "rejected": 1, "failed": 2}
    assert bomb.requests == 1  # not retried: a hostile answer is not a network fault


def test_one_endless_header_line_ends_as_too_large(fresh_site, tmp_path: Path) -> None:
    server, facts = fresh_site
    path = victim_path(facts)
    bomb = EndlessHeaders(limit=64 * 1024 * 1024, one_line=True)
    server.routes[path] = Page(200, b"", fault=bomb)
    result = run_crawl(server.base_url, tmp_path)
    assert bomb.sent < 16 * 1024 * 1024
    assert failures(result) == expected_failures(facts, path, "too_large")
    errors = [row["error"] for row in result.records("failures") if row["reason"] == "too_large"]
    assert errors == ["ResponseTooLargeError: a response header line over RFI_MAX_HEADER_BYTES (65536 B)"]
    assert bomb.requests == 1


def test_too_many_small_headers_end_as_too_large(fresh_site, tmp_path: Path) -> None:
    server, facts = fresh_site
    path = victim_path(facts)
    server.routes[path] = Page(200, b"<html></html>", headers={f"X-Many-{n}": "1" for n in range(201)})
    result = run_crawl(server.base_url, tmp_path)
    assert failures(result) == expected_failures(facts, path, "too_large")
    errors = [row["error"] for row in result.records("failures") if row["reason"] == "too_large"]
    assert errors == ["ResponseTooLargeError: more than RFI_MAX_HEADER_COUNT (200) response headers"]


def test_a_gzip_bomb_ends_as_too_large(fresh_site, tmp_path: Path) -> None:
    server, facts = fresh_site
    path = victim_path(facts)
    server.routes[path] = Page(200, gzip_bomb(32 * 1024 * 1024), headers={"Content-Encoding": "gzip"})
    result = run_crawl(server.base_url, tmp_path)
    assert failures(result) == expected_failures(facts, path, "too_large")
    assert counts(result) == {"discovered": 38, "exported": 35, "rejected": 1, "failed": 2}
    assert result.stats["rfi_cn/failures/reason/too_large"] == 1


# --- 4. Safe names ------------------------------------------------------------------------


REFUSED = "rfi_cn: refusing to start: {} must match [A-Za-z0-9._-]{{1,128}}"


@pytest.mark.parametrize(
    ("arguments", "env", "status", "message"),
    [
        (["-a", "_job=/../../../../../escaped/pwned"], {}, 2, "bad argument -a _job=/../../../../../escaped/pwned"),
        ([], {"SCRAPY_JOB": "../../../escaped/pwned"}, 1, REFUSED.format("the job id (SCRAPY_JOB)")),
        (["-s", "RFI_JOB_ID=.hidden"], {}, 1, REFUSED.format("the job id (RFI_JOB_ID)")),
        (["-s", "REDIS_RUN_ID=other:run"], {}, 1, REFUSED.format("REDIS_RUN_ID")),
    ],
)
def test_an_unsafe_name_stops_the_run_before_anything_is_written(
    fresh_site, tmp_path: Path, arguments: list[str], env: dict[str, str], status: int, message: str
) -> None:
    """A Scrapyd argument is refused with the other arguments (exit 2); a setting or
    environment variable by the SafeNames add-on (exit 1)."""
    server, _ = fresh_site
    workdir = tmp_path / "a" / "b" / "c" / "work"  # deep enough for the ../ to land inside tmp_path
    result = run_crawl(server.base_url, workdir, *arguments, env={"SCRAPY_JOB": "", **env})

    assert result.returncode == status
    assert message in result.log
    assert server.requests == []
    written = sorted(str(path.relative_to(tmp_path)) for path in tmp_path.rglob("*") if path.is_file())
    assert written == ["a/b/c/work/crawl.log"]


def test_a_safe_job_id_names_the_part_files_and_manifest(fresh_site, tmp_path: Path) -> None:
    server, _ = fresh_site
    result = run_crawl(server.base_url, tmp_path, "-a", "_job=2026-12-03T08.00_job-1")
    assert result.returncode == 0
    parts = sorted(path.name for path in (result.lake / "rfi_cn").rglob("part-*"))
    assert parts == ["part-2026-12-03T08.00_job-1-00001.jsonl"] * 3
    assert (result.lake / "rfi_cn" / "_manifests" / "2026-12-03T08.00_job-1.json").is_file()


# --- 5. The operator's User-Agent ---------------------------------------------------------


def test_the_user_agent_names_the_operator_contact(fresh_site, tmp_path: Path) -> None:
    server, _ = fresh_site
    recorder = RecordAgents()
    for page in server.routes.values():
        if page.fault is None:
            page.fault = recorder
    result = run_crawl(server.base_url, tmp_path, env={"RFI_CONTACT": "mailto:ops@example.org"})
    assert result.returncode == 0
    assert len(recorder.agents) > 40
    assert set(recorder.agents) == {"rfi_cn/1.0 (+mailto:ops@example.org)"}
    assert "RFI_CONTACT is not set" not in result.log  # a loopback run is not production
