"""Field coverage of earlier runs, read back from their manifests in the lake.

Each manifest carries ``field_coverage`` (percent of exported articles with a
value, per field) and ``health``. ``coverage_history`` returns the coverage of
the latest ``runs`` earlier runs that exported articles and did not fail,
newest first: the drift checks compare this run with their median. A local lake
is read from disk; an ``s3://`` lake is listed and read with the same client
the feed storage uses (``AWS_*`` settings or botocore's chain).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from rfi_cn.lake.addon import lake_root

# Manifests read back at most, newest first: enough to find `runs` usable ones among failed runs.
READ_FACTOR = 4


def manifests_folder(root: str | None) -> str:
    return f"{lake_root(root)}/rfi_cn/_manifests"


def coverage_history(
    root: str | None, current_job: str | None, runs: int, s3_client: Any = None
) -> list[dict[str, float]]:
    """The ``field_coverage`` of the last ``runs`` usable earlier runs, newest first."""
    if runs <= 0:
        return []
    folder = manifests_folder(root)
    documents = (
        _s3_manifests(folder, runs * READ_FACTOR, s3_client)
        if folder.startswith("s3://")
        else _local_manifests(folder, runs * READ_FACTOR)
    )
    return usable_coverage(documents, current_job, runs)


def usable_coverage(documents: Iterable[dict[str, Any]], current_job: str | None, runs: int) -> list[dict[str, float]]:
    """Coverage of runs other than ``current_job`` that exported and were not ``failed``, newest first."""
    usable = [
        doc
        for doc in documents
        if doc.get("job_id") != current_job
        and isinstance(doc.get("field_coverage"), dict)
        and doc["field_coverage"]
        and (doc.get("health") or {}).get("status") != "failed"
    ]
    usable.sort(key=lambda doc: str(doc.get("finished_at") or ""), reverse=True)
    return [{str(k): float(v) for k, v in doc["field_coverage"].items()} for doc in usable[:runs]]


def _local_manifests(folder: str, limit: int) -> list[dict[str, Any]]:
    path = Path(folder[len("file://") :] if folder.startswith("file://") else folder)
    if not path.is_dir():
        return []
    files = sorted(path.glob("*.json"), key=lambda file: file.stat().st_mtime, reverse=True)[:limit]
    documents = []
    for file in files:
        try:
            documents.append(json.loads(file.read_text(encoding="utf-8")))
        except (OSError, ValueError):
            continue  # a manifest being replaced, or not ours: not history
    return documents


def _s3_manifests(folder: str, limit: int, client: Any) -> list[dict[str, Any]]:
    if client is None:
        raise ValueError("an s3:// lake needs the S3 client of its feed storage")
    parsed = urlparse(folder)
    bucket, prefix = parsed.netloc, parsed.path.lstrip("/") + "/"
    objects: list[dict[str, Any]] = []
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        objects += [entry for entry in page.get("Contents", []) if str(entry["Key"]).endswith(".json")]
    objects.sort(key=lambda entry: entry["LastModified"], reverse=True)
    documents = []
    for entry in objects[:limit]:
        body = client.get_object(Bucket=bucket, Key=entry["Key"])["Body"].read()
        try:
            documents.append(json.loads(body))
        except ValueError:
            continue
    return documents
