"""The item declaration is the one source of a field's shape: the schema and the pipelines agree with it."""

from __future__ import annotations

from rfi_cn import pipelines
from rfi_cn.extract.article import FIELD_RULES, extract_article
from rfi_cn.items import CANDIDATE_FIELDS, LIST_FIELDS, REQUIRED_FIELDS, ArticleItem, empty_value
from rfi_cn.lake.schema import article_schema


def _types(spec: dict[str, object]) -> set[str]:
    kind = spec.get("type")
    if isinstance(kind, list):
        return set(kind)
    if isinstance(kind, str):
        return {kind}
    options = spec.get("anyOf") or []
    return set().union(*(_types(option) for option in options)) if options else {"const"}  # type: ignore[union-attr]


def test_the_schema_has_the_items_fields_in_order_all_present() -> None:
    schema = article_schema()
    assert list(schema["properties"]) == list(ArticleItem.fields)
    assert schema["required"] == list(ArticleItem.fields)


def test_array_fields_are_the_items_list_fields() -> None:
    properties = article_schema()["properties"]
    assert {name for name, spec in properties.items() if "array" in _types(spec)} == LIST_FIELDS
    assert {"authors", "tags", "media"} == LIST_FIELDS


def test_required_fields_cannot_be_null_or_empty_in_the_schema() -> None:
    properties = article_schema()["properties"]
    assert REQUIRED_FIELDS == ("url", "title", "published_at", "body_text")
    for name in REQUIRED_FIELDS:
        assert "null" not in _types(properties[name]) and "array" not in _types(properties[name]), name
    assert pipelines.REQUIRED_FIELDS is REQUIRED_FIELDS


def test_absent_values_follow_the_declaration() -> None:
    item = extract_article("<html></html>", "https://www.rfi.fr/cn/x", "t")
    assert {name for name, value in item.items() if value == []} == LIST_FIELDS | CANDIDATE_FIELDS
    assert all(empty_value(name) is None for name in set(ArticleItem.fields) - LIST_FIELDS - CANDIDATE_FIELDS)


def test_every_rule_is_for_a_declared_field() -> None:
    assert set(FIELD_RULES) <= set(ArticleItem.fields)
