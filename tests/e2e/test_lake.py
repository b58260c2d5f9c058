"""The data lake contract, end to end: real crawls of the loopback fixture site.

Layout and batches, gzip, the run manifest against the files it lists, the
shipped JSON Schema against every exported record, a SIGKILL mid-export, and
an S3-compatible store (moto's server on loopback).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import signal
import subprocess
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest
from jsonschema import Draft202012Validator
from moto.server import ThreadedMotoServer

from fixture_site.faults import Stall
from tests.crawling import ROOT, crawl_command, run_crawl
from tests.lake_invariants import check_lake
from tests.polling import wait_for

SCHEMA_FILE = ROOT / "rfi_cn" / "lake" / "schemas" / "article.schema.json"
ECONOMY = ["T020", "T035", "T036", "T037"]  # the 经贸 section's articles


def visible_files(root: Path) -> list[str]:
    """Every file under ``root`` a lake reader would see (no dot file), relative, sorted."""
    return sorted(
        str(path.relative_to(root))
        for path in root.rglob("*")
        if path.is_file() and not any(part.startswith(".") for part in path.relative_to(root).parts)
    )


def manifest_of(lake: Path, job: str) -> dict[str, Any]:
    return json.loads((lake / "rfi_cn" / "_manifests" / f"{job}.json").read_text(encoding="utf-8"))


def lines(data: bytes) -> list[dict[str, Any]]:
    return [json.loads(line) for line in data.decode("utf-8").splitlines()]


def check_files_against_manifest(manifest: dict[str, Any], read: Any) -> int:
    """Each listed file's rows, bytes and sha256 are those of the stored bytes; the total rows."""
    total = 0
    for entry in manifest["files"]:
        data = read(entry["path"])
        plain = gzip.decompress(data) if entry["path"].endswith(".gz") else data
        assert (entry["bytes"], entry["sha256"]) == (len(data), hashlib.sha256(data).hexdigest()), entry["path"]
        assert entry["rows"] == len(lines(plain)), entry["path"]
        total += entry["rows"]
    return total


@pytest.fixture(scope="module")
def batched(site, tmp_path_factory: pytest.TempPathFactory):
    server, _ = site
    settings = {"RFI_JOB_ID": "job-batched", "FEED_EXPORT_BATCH_ITEM_COUNT": "10"}
    return run_crawl(server.base_url, tmp_path_factory.mktemp("batched"), settings=settings)


def test_layout_is_hive_partitions_of_batched_part_files(batched) -> None:
    assert batched.returncode == 0, batched.log[-3000:]
    day = manifest_of(batched.lake, "job-batched")["started_at"][:10]
    assert visible_files(batched.lake) == [
        "rfi_cn/_manifests/job-batched.json",
        *(f"rfi_cn/articles/dt={day}/part-job-batched-0000{batch}.jsonl" for batch in (1, 2, 3, 4)),
        f"rfi_cn/failures/dt={day}/part-job-batched-00001.jsonl",
        f"rfi_cn/rejects/dt={day}/part-job-batched-00001.jsonl",
    ]
    assert [p.name for p in batched.lake.rglob(".*")] == []  # no temporary file left behind
    articles = sorted((batched.lake / "rfi_cn" / "articles").glob("dt=*/part-*.jsonl"))
    assert [len(lines(part.read_bytes())) for part in articles] == [10, 10, 10, 6]


def test_manifest_lists_every_file_with_its_rows_bytes_and_sha256(batched, site) -> None:
    _, facts = site
    manifest = manifest_of(batched.lake, "job-batched")
    assert check_files_against_manifest(manifest, lambda path: (batched.lake / path).read_bytes()) == 38
    assert [entry["path"] for entry in manifest["files"]] == [
        path for path in visible_files(batched.lake) if "/_manifests/" not in path
    ]
    assert {key: manifest[key] for key in ("manifest_version", "job_id", "spider", "arguments", "finish_reason")} == {
        "manifest_version": 1,
        "job_id": "job-batched",
        "spider": "rfi_cn",
        "arguments": {},
        "finish_reason": "finished",
    }
    assert manifest["articles"] == {
        "discovered": 38,
        "exported": 36,
        "rejected": 1,
        "failed": 1,
        "unchanged": 0,
        "unaccounted": 0,
    }
    assert manifest["rows"] == {"articles": 36, "rejects": 1, "failures": 1}
    assert (manifest["schema_version"], manifest["compression"], manifest["failed_files"]) == ("1.1", None, [])
    assert manifest["started_at"] <= manifest["finished_at"]
    assert sorted(row["id"] for row in batched.records("articles")) == sorted(facts.exported_ids)
    check_lake(batched)


def test_every_exported_record_validates_against_the_shipped_schema(batched) -> None:
    validator = Draft202012Validator(json.loads(SCHEMA_FILE.read_text(encoding="utf-8")))
    articles = batched.records("articles")
    assert len(articles) == 36
    assert [list(validator.iter_errors(row)) for row in articles] == [[]] * 36


def test_gzip_parts_and_arguments_in_the_manifest(site, tmp_path: Path) -> None:
    server, _ = site
    settings = {"RFI_JOB_ID": "job-gz", "DATA_LAKE_COMPRESSION": "gzip", "FEED_EXPORT_BATCH_ITEM_COUNT": "3"}
    result = run_crawl(server.base_url, tmp_path, "-a", "sections=经贸", settings=settings)
    manifest = manifest_of(result.lake, "job-gz")
    day = manifest["started_at"][:10]
    assert visible_files(result.lake) == [
        "rfi_cn/_manifests/job-gz.json",
        f"rfi_cn/articles/dt={day}/part-job-gz-00001.jsonl.gz",
        f"rfi_cn/articles/dt={day}/part-job-gz-00002.jsonl.gz",
    ]
    assert check_files_against_manifest(manifest, lambda path: (result.lake / path).read_bytes()) == 4
    parts = sorted((result.lake / "rfi_cn" / "articles").glob("dt=*/*.gz"))
    assert sorted(row["id"] for part in parts for row in lines(gzip.decompress(part.read_bytes()))) == ECONOMY
    assert (manifest["arguments"], manifest["compression"]) == ({"sections": "经贸"}, "gzip")
    check_lake(result)


def test_user_output_file_is_not_in_the_manifest(site, tmp_path: Path) -> None:
    server, _ = site
    out = tmp_path / "out.jsonl"
    result = run_crawl(server.base_url, tmp_path, "-a", "sections=经贸", "-O", str(out), settings={"RFI_JOB_ID": "j"})
    assert sorted(row["id"] for row in lines(out.read_bytes())) == ECONOMY
    assert not (tmp_path / ".out.jsonl.tmp").exists()
    manifest = manifest_of(result.lake, "j")
    assert (manifest["files"], manifest["rows"]["articles"], manifest["articles"]["exported"]) == ([], 0, 4)


def test_a_file_that_cannot_be_stored_is_listed_as_failed(site, tmp_path: Path) -> None:
    server, _ = site
    today = datetime.now(UTC).date()
    for day in (today, today + timedelta(days=1)):  # the crawl date, even across midnight
        (tmp_path / f"lake/rfi_cn/articles/dt={day}/part-job-blocked-00001.jsonl").mkdir(parents=True)
    result = run_crawl(server.base_url, tmp_path, "-a", "sections=经贸", settings={"RFI_JOB_ID": "job-blocked"})
    manifest = manifest_of(result.lake, "job-blocked")
    day = manifest["started_at"][:10]
    assert manifest["files"] == []
    assert [(entry["kind"], entry["path"], entry["rows"]) for entry in manifest["failed_files"]] == [
        ("articles", f"rfi_cn/articles/dt={day}/part-job-blocked-00001.jsonl", 4)
    ]
    assert "1 lake files could not be stored" in result.log


def test_sigkill_mid_export_leaves_no_visible_part_file_and_no_manifest(site, tmp_path: Path) -> None:
    server, facts = site
    held = next(path for path in facts.article_paths if "20251121-测试新闻0037" in path)
    page = server.routes[held]
    server.routes[held] = replace(page, fault=Stall(hold=60))  # answered only when the server stops
    command = crawl_command(server.base_url, tmp_path, "-a", "sections=经贸", settings={"RFI_JOB_ID": "job-killed"})
    crawl = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    articles = tmp_path / "lake" / "rfi_cn" / "articles"
    try:
        # Mid-export: the article part file is open (an article was exported) while one is held.
        wait_for(lambda: server.requested(held) and list(articles.glob("dt=*/.part-*.jsonl.tmp")), "export")
        os.kill(crawl.pid, signal.SIGKILL)
        assert crawl.wait(timeout=30) == -signal.SIGKILL
    finally:
        crawl.kill()
        server.routes[held] = page
    assert visible_files(tmp_path / "lake") == []
    assert [path.name for path in articles.glob("dt=*/.*")] == [".part-job-killed-00001.jsonl.tmp"]
    assert not (tmp_path / "lake" / "rfi_cn" / "_manifests").exists()


@pytest.fixture
def s3_endpoint() -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


def test_s3_root_writes_objects_and_manifest(site, tmp_path: Path, s3_endpoint: str) -> None:
    server, _ = site
    env = {  # the standard AWS variables, as for MinIO or Ceph
        "AWS_ENDPOINT_URL": s3_endpoint,
        "AWS_ACCESS_KEY_ID": "test-key",
        "AWS_SECRET_ACCESS_KEY": "test-secret",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_CONFIG_FILE": str(tmp_path / "no-config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "no-credentials"),
    }
    s3 = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        aws_access_key_id="test-key",
        aws_secret_access_key="test-secret",
        region_name="us-east-1",
    )
    s3.create_bucket(Bucket="lake")
    settings = {"RFI_JOB_ID": "job-s3", "DATA_LAKE_URI": "s3://lake/crawls", "FEED_EXPORT_BATCH_ITEM_COUNT": "3"}
    result = run_crawl(server.base_url, tmp_path, "-a", "sections=经贸", settings=settings, env=env)
    assert result.returncode == 0, result.log[-3000:]

    def read(key: str) -> bytes:
        return s3.get_object(Bucket="lake", Key=f"crawls/{key}")["Body"].read()

    manifest = json.loads(read("rfi_cn/_manifests/job-s3.json"))
    day = manifest["started_at"][:10]
    keys = sorted(entry["Key"] for entry in s3.list_objects_v2(Bucket="lake")["Contents"])
    assert keys == [
        "crawls/rfi_cn/_manifests/job-s3.json",
        f"crawls/rfi_cn/articles/dt={day}/part-job-s3-00001.jsonl",
        f"crawls/rfi_cn/articles/dt={day}/part-job-s3-00002.jsonl",
    ]
    assert check_files_against_manifest(manifest, read) == 4
    assert manifest["articles"]["exported"] == 4 and manifest["finish_reason"] == "finished"
    assert not result.lake.exists()  # nothing went to the local default
