"""The shipped article JSON Schema and the Validate pipeline step, without the engine."""

from __future__ import annotations

import json
import re
from datetime import date
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from parsel import Selector

from fixture_site.pages import article_html
from fixture_site.site import make_article
from rfi_cn.extract import extract_article
from rfi_cn.items import SCHEMA_VERSION, ArticleItem, RejectItem
from rfi_cn.lake.schema import article_schema, schema_errors, schema_version
from rfi_cn.pipelines import ValidatePipeline
from tests.crawling import ROOT
from tests.unit.extract.test_article import run_pipelines

README = (ROOT / "README.md").read_text(encoding="utf-8")


def readme_record() -> dict[str, Any]:
    """The example article record the README shows."""
    match = re.search(r"An article record.*?```json\n(.*?)```", README, re.S)
    assert match
    return dict(json.loads(match.group(1)))


def test_schema_is_draft_2020_12_read_from_the_package() -> None:
    schema = article_schema()
    assert schema == json.loads(
        (ROOT / "rfi_cn" / "lake" / "schemas" / "article.schema.json").read_text(encoding="utf-8")
    )
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(schema)
    assert schema_version() == "1.1"
    assert int(schema_version().split(".")[0]) == SCHEMA_VERSION == schema["properties"]["schema_version"]["const"]


def test_schema_requires_exactly_the_item_fields() -> None:
    schema = article_schema()
    assert schema["required"] == list(ArticleItem.fields) == list(schema["properties"])


def test_the_readme_record_is_valid() -> None:
    assert schema_errors(readme_record()) == []


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"word_count": -5}, "$.word_count: -5 is less than the minimum of 0"),
        ({"published_at": "2025-11-13 07:15"}, "$.published_at: '2025-11-13 07:15' does not match"),
        ({"tags": ["文化", 3]}, "$.tags[1]: 3 is not of type 'string'"),
        ({"schema_version": 2}, "$.schema_version: 1 was expected"),
        ({"undeclared": []}, "$: Additional properties are not allowed ('undeclared' was unexpected)"),
    ],
)
def test_a_record_breaking_the_schema_becomes_a_schema_reject(change: dict[str, Any], message: str) -> None:
    record = {**readme_record(), **change}
    result = ValidatePipeline().process_item(ArticleItem(record) if "undeclared" not in change else _with_extra(record))
    assert isinstance(result, RejectItem)
    assert (result["url"], result["id"], result["reason"]) == (record["url"], "T017", "schema")
    assert result["detail"].startswith(message)


def _with_extra(record: dict[str, Any]) -> ArticleItem:
    """An item carrying a field the schema does not know (as a new field would before the schema has it)."""

    class NewArticleItem(ArticleItem):
        undeclared = ArticleItem.fields["tags"]

    return NewArticleItem(record)


def test_several_errors_are_all_reported_in_path_order() -> None:
    record = {**readme_record(), "word_count": "many", "content_hash": "abc"}
    assert schema_errors(record) == [
        "$.content_hash: 'abc' does not match '^[0-9a-f]{64}$'",
        "$.word_count: 'many' is not of type 'integer', 'null'",
    ]


def test_a_valid_article_passes_and_missing_fields_keep_their_reason() -> None:
    record = readme_record()
    assert ValidatePipeline().process_item(ArticleItem(record)) == ArticleItem(record)
    result = ValidatePipeline().process_item(ArticleItem({**record, "title": None, "body_text": ""}))
    assert (result["reason"], result["detail"]) == ("missing_fields", "title, body_text")


def test_the_readme_record_is_what_the_crawler_extracts_from_fixture_article_17() -> None:
    shown = readme_record()
    page = article_html(make_article(17, "政治", date(2025, 11, 13)))
    item = run_pipelines(extract_article(Selector(text=page), "http://127.0.0.1:8000/cn/x", shown["crawled_at"]))
    assert dict(item) == shown
