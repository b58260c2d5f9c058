"""The lake's invariants, checked at the end of an end-to-end crawl (``check_lake``).

1. The run's manifest lists exactly the article part files of the run that a reader
   sees, with their real row counts; rows in those files = the manifest's
   ``rows.articles`` = the ``rfi_cn/articles/exported`` stat (less the rows of files
   that could not be stored: ``failed_files``, ``rfi_cn/lake/unpublished_rows/articles``).
2. The manifest's ``articles`` are ``accounting.article_counts`` of the run's stats
   (one definition of the outcomes), and the stats' ``unaccounted`` agrees.
3. Every article the crawl state calls known is in a part file listed by a manifest
   (of this lake, or of ``lakes`` that share the state).
4. No temporary file is left in the lake.
"""

from __future__ import annotations

import gzip
import json
import re
import sqlite3
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from rfi_cn.accounting import article_counts
from tests.crawling import CrawlResult


def manifest_path(result: CrawlResult) -> Path:
    """The manifest this run wrote (from its log)."""
    match = re.search(r"Run manifest written: (\S+)", result.log)
    assert match, f"no manifest written:\n{result.log[-3000:]}"
    return Path(match.group(1))


def part_rows(path: Path) -> list[dict[str, Any]]:
    data = path.read_bytes()
    if path.name.endswith(".gz"):
        data = gzip.decompress(data)
    return [json.loads(line) for line in data.decode("utf-8").splitlines()]


def listed_article_ids(lake: Path) -> set[str]:
    """Ids of every article in a part file listed by any manifest of ``lake``."""
    ids: set[str] = set()
    for manifest in (lake / "rfi_cn" / "_manifests").glob("*.json"):
        for entry in json.loads(manifest.read_text(encoding="utf-8"))["files"]:
            if entry["kind"] == "articles":
                ids |= {row["id"] for row in part_rows(lake / entry["path"])}
    return ids


def known_ids(state: Path) -> set[str]:
    if not state.exists():
        return set()
    with sqlite3.connect(state) as db:
        return {row[0] for row in db.execute("SELECT id FROM articles")}


def check_lake(result: CrawlResult, state: Path | None = None, lakes: Iterable[Path] = ()) -> dict[str, Any]:
    """Assert the invariants above for one crawl; returns its manifest. ``state``: the
    crawl state file (default: ``crawl-state.sqlite3`` beside the lake, as ``run_crawl`` sets)."""
    stats = result.stats
    manifest = json.loads(manifest_path(result).read_text(encoding="utf-8"))
    job = manifest["job_id"]
    listed = [entry for entry in manifest["files"] if entry["kind"] == "articles"]
    on_disk = sorted(
        str(path.relative_to(result.lake)) for path in (result.lake / "rfi_cn" / "articles").glob(f"dt=*/part-{job}-*")
    )
    assert sorted(entry["path"] for entry in listed) == on_disk
    rows = 0
    for entry in listed:
        counted = len(part_rows(result.lake / entry["path"]))
        assert entry["rows"] == counted, entry
        rows += counted
    unpublished = sum(entry["rows"] for entry in manifest["failed_files"] if entry["kind"] == "articles")
    assert unpublished == stats.get("rfi_cn/lake/unpublished_rows/articles", 0)
    assert rows == manifest["rows"]["articles"] == stats.get("rfi_cn/articles/exported", 0) - unpublished
    assert manifest["storage_errors"] == len(manifest["failed_files"])
    assert manifest["articles"] == article_counts(stats)
    assert stats.get("rfi_cn/articles/unaccounted", 0) == manifest["articles"]["unaccounted"]
    state = state if state is not None else result.lake.parent / "crawl-state.sqlite3"
    listed_ids = set().union(*(listed_article_ids(lake) for lake in (result.lake, *lakes)))
    assert known_ids(state) <= listed_ids, sorted(known_ids(state) - listed_ids)
    assert [path.name for path in result.lake.rglob(".*.tmp")] == []
    return dict(manifest)
