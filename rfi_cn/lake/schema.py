"""The article record's JSON Schema (draft 2020-12), shipped as package data.

``rfi_cn/lake/schemas/article.schema.json`` is the contract a loader can trust:
every exported article validates against it (``ValidatePipeline`` rejects the
ones that do not). Its ``version`` is ``major.minor``: an added field bumps the
minor version; any other change is a new major version, which is also the
records' ``schema_version``.
"""

from __future__ import annotations

import json
import pkgutil
from collections.abc import Mapping
from functools import cache
from typing import Any

from jsonschema import Draft202012Validator

SCHEMA_RESOURCE = "schemas/article.schema.json"


@cache
def article_schema() -> dict[str, Any]:
    """The schema document, read from the installed package (also from an egg or zip)."""
    data = pkgutil.get_data("rfi_cn.lake", SCHEMA_RESOURCE)
    assert data is not None, SCHEMA_RESOURCE
    schema: dict[str, Any] = json.loads(data)
    return schema


@cache
def _validator() -> Draft202012Validator:
    schema = article_schema()
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def schema_version() -> str:
    """The full ``major.minor`` version of the shipped schema, e.g. ``"1.0"``."""
    return str(article_schema()["version"])


def schema_errors(record: Mapping[str, Any]) -> list[str]:
    """Every way ``record`` breaks the schema, as ``<JSON path>: <message>``, in path order."""
    errors = sorted(_validator().iter_errors(dict(record)), key=lambda error: list(map(str, error.absolute_path)))
    return [f"{error.json_path}: {error.message}" for error in errors]


def encoding_errors(record: Mapping[str, Any]) -> list[str]:
    """Every string of ``record`` that UTF-8 cannot encode (a lone surrogate such as
    ``\\ud800``, valid in JSON), as ``<JSON path>: not encodable as UTF-8``: the lake's
    files are UTF-8, so such a record could not be written."""
    return [f"{path}: not encodable as UTF-8" for path in _unencodable(record, "$")]


def _unencodable(value: Any, path: str) -> list[str]:
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return [path]
        return []
    if isinstance(value, Mapping):
        found = [f"{path}: key" for key in value if isinstance(key, str) and _unencodable(key, path)]
        return found + [p for key, item in value.items() for p in _unencodable(item, f"{path}.{key}")]
    if isinstance(value, list | tuple):
        return [p for index, item in enumerate(value) for p in _unencodable(item, f"{path}[{index}]")]
    return []


def encodable(text: str | None) -> str | None:
    """``text`` with what UTF-8 cannot encode written as ``\\uXXXX`` escapes (for a reject's id and url)."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8") if isinstance(text, str) else text
