"""Coverage history read back from earlier run manifests."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from rfi_cn.health.history import coverage_history, usable_coverage


def write(folder: Path, job: str, finished: str, coverage: Any, status: str = "ok", mtime: int = 0) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    document = {"job_id": job, "finished_at": finished, "field_coverage": coverage, "health": {"status": status}}
    path = folder / f"{job}.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    os.utime(path, (mtime, mtime))


def test_newest_usable_runs_first(tmp_path: Path) -> None:
    folder = tmp_path / "rfi_cn" / "_manifests"
    write(folder, "a", "2025-01-01T00:00:00Z", {"tags": 90}, mtime=1)
    write(folder, "b", "2025-01-02T00:00:00Z", {"tags": 80}, mtime=2)
    write(folder, "failed", "2025-01-03T00:00:00Z", {"tags": 0}, status="failed", mtime=3)
    write(folder, "empty", "2025-01-04T00:00:00Z", {}, mtime=4)
    write(folder, "current", "2025-01-05T00:00:00Z", {"tags": 10}, mtime=5)
    (folder / "broken.json").write_text("{not json", encoding="utf-8")
    os.utime(folder / "broken.json", (0, 0))
    (folder / ".hidden-part.json.tmp").write_text("x", encoding="utf-8")
    assert coverage_history(str(tmp_path), "current", 5) == [{"tags": 80.0}, {"tags": 90.0}]
    assert coverage_history(str(tmp_path), "current", 1) == [{"tags": 80.0}]
    assert coverage_history(f"file://{tmp_path}", "current", 1) == [{"tags": 80.0}]


def test_no_lake_yet_is_no_history(tmp_path: Path) -> None:
    assert coverage_history(str(tmp_path / "nowhere"), None, 5) == []
    assert coverage_history(str(tmp_path), None, 0) == []


def test_manifests_without_coverage_are_skipped() -> None:
    old = {"job_id": "old", "finished_at": "2024-01-01T00:00:00Z"}  # a manifest from before health
    assert usable_coverage([old, {"job_id": "x", "field_coverage": "lying"}], None, 5) == []


def test_s3_lake_is_listed_with_the_given_client() -> None:
    class Body:
        def __init__(self, data: bytes) -> None:
            self.data = data

        def read(self) -> bytes:
            return self.data

    class Client:
        def __init__(self) -> None:
            self.calls: list[Any] = []

        def get_paginator(self, name: str) -> Any:
            client = self

            class Paginator:
                def paginate(self, **kwargs: Any) -> list[dict[str, Any]]:
                    client.calls.append(kwargs)
                    return [{"Contents": [{"Key": "lake/rfi_cn/_manifests/a.json", "LastModified": 1}]}]

            return Paginator()

        def get_object(self, Bucket: str, Key: str) -> dict[str, Any]:  # noqa: N803 - boto3's names
            doc = {"job_id": "a", "finished_at": "2025", "field_coverage": {"tags": 70}, "health": {"status": "ok"}}
            return {"Body": Body(json.dumps(doc).encode())}

    client = Client()
    assert coverage_history("s3://bucket/lake", "b", 3, client) == [{"tags": 70.0}]
    assert client.calls == [{"Bucket": "bucket", "Prefix": "lake/rfi_cn/_manifests/"}]
    with pytest.raises(ValueError, match="S3 client"):
        coverage_history("s3://bucket/lake", "b", 3)
