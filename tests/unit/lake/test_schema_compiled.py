"""The compiled schema check (``schema_valid``) never passes a record jsonschema refuses,
and ``schema_errors`` answers exactly as jsonschema does, whatever the record."""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from rfi_cn.items import ArticleItem
from rfi_cn.lake import schema as schema_module
from rfi_cn.lake.schema import article_schema, schema_errors, schema_valid
from rfi_cn.pipelines import ValidatePipeline
from tests.unit.lake.test_schema import readme_record

REFERENCE = Draft202012Validator(article_schema())


def reference_errors(record: dict[str, Any]) -> list[str]:
    """jsonschema's own verdict, as ``schema_errors`` wrote it before the compiled check."""
    errors = sorted(REFERENCE.iter_errors(record), key=lambda error: list(map(str, error.absolute_path)))
    return [f"{error.json_path}: {error.message}" for error in errors]


def test_the_shipped_schema_compiles_and_a_real_record_takes_the_fast_path() -> None:
    assert schema_module._compiled() is not None
    assert schema_valid(readme_record())
    assert schema_valid({**readme_record(), "media": [{"url": "https://x/a.mp3", "type": "audio", "duration": 3}]})


@pytest.mark.parametrize(
    "change",
    [
        {"schema_version": True},  # True == 1 in Python; jsonschema's const tells them apart
        {"word_count": True},  # bool is an int in Python, not in JSON Schema
        {"word_count": -1},
        {"schema_version": 1.0},  # a float 1.0 equals the const for jsonschema: the check defers to it
        {"word_count": 3.0},  # an integer for jsonschema: the check defers to it
        {"title": ""},
        {"url": "https://www.rfi.fr/cn/x\n"},  # re.search: "$" matches before a final newline
        {"url": "ftp://x"},
        {"id": "CE AH"},
        {"tags": ["a", ""]},
        {"tags": ("a",)},  # a tuple is no JSON array (jsonschema: not of type 'array')
        {"media": [{"url": "https://x/a.mp3", "type": "radio", "duration": None}]},
        {"media": [{"url": "https://x/a.mp3", "type": "audio"}]},
        {"media": [{"url": "https://x/a.mp3", "type": "audio", "duration": None, "extra": 1}]},
        {"media": [OrderedDict(url="https://x/a.mp3", type="audio", duration=None)]},  # a dict subclass
        {"modified_at": "2025-11-30T09:14:02+00:00"},
        {"undeclared": 1},
    ],
)
def test_hostile_values_get_jsonschemas_exact_verdict(change: dict[str, Any]) -> None:
    record = {**readme_record(), **change}
    expected = reference_errors(record)
    assert schema_errors(record) == expected
    if expected:
        assert not schema_valid(record)


def test_integral_floats_are_deferred_to_jsonschema_which_finds_them_valid() -> None:
    for change in ({"schema_version": 1.0}, {"word_count": 3.0}):
        record = {**readme_record(), **change}
        assert not schema_valid(record)  # the check is stricter: 1.0 is no int
        assert reference_errors(record) == [] == schema_errors(record)


def test_a_url_with_a_final_newline_passes_both_as_re_search_does() -> None:
    record = {**readme_record(), "url": "https://www.rfi.fr/cn/x\n"}
    assert schema_valid(record)
    assert reference_errors(record) == [] == schema_errors(record)


class Text(str):
    pass


@pytest.mark.parametrize(
    ("node", "value"),
    [
        ({"pattern": "^a$"}, Text("b")),
        ({"minLength": 2}, Text("b")),
        ({"minimum": 2}, 1),
        ({"required": ["x"]}, OrderedDict()),
        ({"properties": {"x": {"type": "string"}}}, OrderedDict(x=1)),
        ({"additionalProperties": False}, OrderedDict(x=1)),
        ({"items": {"type": "string"}}, [1]),
    ],
)
def test_a_keyword_without_a_type_beside_it_judges_subclasses_as_jsonschema_does(
    node: dict[str, Any], value: Any
) -> None:
    assert list(Draft202012Validator(node).iter_errors(value)) != []
    assert not schema_module._compile(node, {})(value)


def test_a_schema_keyword_the_check_does_not_know_sends_every_record_to_jsonschema() -> None:
    for node in ({"type": "string", "format": "uri"}, {"type": "decimal"}, {"const": [1]}, {"$ref": "#/$defs/x"}):
        with pytest.raises(schema_module._NotCompiledError):
            schema_module._compile(node, {"$defs": {}})


def test_the_pipeline_still_converts_nested_items_before_validating() -> None:
    """A value the compiled check does not know (an item inside a field) goes through the full
    conversion and jsonschema, as before."""

    class Entry(ArticleItem):
        pass

    record = readme_record()
    item = ArticleItem(record)
    item["media"] = [Entry()]  # an item, not a dict: converted to {} then refused by the schema
    result = ValidatePipeline().process_item(item)
    assert result["reason"] == "schema"
    assert result["detail"].startswith("$.media[0]: 'url' is a required property")


JSON_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-3, max_value=3),
    st.floats(allow_nan=True, allow_infinity=False, width=16),
    st.sampled_from(["", "CEAH", "audio", "video", "https://x/a.mp3", "2025-11-30T09:13:47Z", "0" * 64, "a b", "x\n"]),
    st.text(max_size=4),
)
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.sampled_from(["url", "type", "duration", "x"]), inner, max_size=4)
    ),
    max_leaves=6,
)


@settings(max_examples=300)
@given(
    changes=st.dictionaries(st.sampled_from([*ArticleItem.fields, "extra"]), JSON_VALUES, max_size=4),
    dropped=st.sets(st.sampled_from(list(ArticleItem.fields)), max_size=2),
)
def test_any_record_gets_jsonschemas_verdict(changes: dict[str, Any], dropped: set[str]) -> None:
    record = {key: value for key, value in {**readme_record(), **changes}.items() if key not in dropped}
    expected = reference_errors(record)
    assert schema_errors(record) == expected
    if schema_valid(record):
        assert expected == []
