"""Pages in the style of fundus: ``tests/pages/<case>.html`` and ``<case>.json`` (every field).

Adding a case is adding the two files. The JSON holds the record as the
extraction, the body cleaner and the date normaliser leave it (validation is
not run, so a page that would be rejected can be a case too). Every page is
read as if fetched from ``PAGE_URL``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from rfi_cn.extract.article import extract_body
from rfi_cn.pipelines import CleanBodyPipeline, NormaliseDatesPipeline
from tests.conftest import PAGES

PAGE_URL = "https://www.rfi.fr/cn/%E5%9B%BD%E9%99%85/20251205-case"
CRAWLED = "2026-01-02T03:04:05Z"
CASES = sorted(path.stem for path in PAGES.glob("*.json"))


def record_of(page: bytes) -> dict[str, Any]:
    """The fields of ``page`` after extraction, cleaning and date normalisation."""
    item: Any = extract_body(page, "utf-8", PAGE_URL, CRAWLED).item
    for pipeline in (CleanBodyPipeline(), NormaliseDatesPipeline()):
        item = pipeline.process_item(item)
    return dict(item)


def expected(case: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((PAGES / f"{case}.json").read_text(encoding="utf-8"))
    return data


def test_every_html_page_has_its_json() -> None:
    assert sorted(path.stem for path in PAGES.glob("*.html")) == CASES
    assert len(CASES) >= 4


@pytest.mark.parametrize("case", CASES)
def test_page_gives_every_field(case: str) -> None:
    record = record_of((PAGES / f"{case}.html").read_bytes())
    assert set(record) == set(expected(case))
    for field, value in expected(case).items():
        assert record[field] == value, field


def write_expected(case: str) -> Path:  # pragma: no cover - a helper for adding a case, then review the JSON
    path = PAGES / f"{case}.json"
    record = record_of((PAGES / f"{case}.html").read_bytes())
    path.write_text(json.dumps(record, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return path
