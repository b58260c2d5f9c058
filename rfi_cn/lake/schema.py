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
import re
from collections.abc import Callable, Mapping
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
    """Every way ``record`` breaks the schema, as ``<JSON path>: <message>``, in path order
    (jsonschema's verdict; ``schema_valid`` is the fast check in front of it)."""
    errors = sorted(_validator().iter_errors(dict(record)), key=lambda error: list(map(str, error.absolute_path)))
    return [f"{error.json_path}: {error.message}" for error in errors]


# --- the compiled check ------------------------------------------------------------------
#
# ``jsonschema`` walks the schema for every record (~0.15 ms an article). ``schema_valid`` is
# the schema compiled once into closures, for the keywords it uses, each at least as strict
# as jsonschema's (``integer`` is an ``int`` and not a ``bool``, never ``1.0``; ``const`` and
# ``enum`` compare type and value; only plain ``dict``/``list``/``str``/``int``/``float``/
# ``None`` pass ``type``; the other keywords apply, as in jsonschema, to any instance of the
# kind they judge, subclasses included): a record it passes is valid. One it fails is handed to jsonschema, whose
# verdict and messages stand. A schema with a keyword not compiled here is never compiled:
# every record then goes to jsonschema.

Check = Callable[[Any], bool]
# Keywords that only annotate: they never make a record invalid.
_ANNOTATIONS = frozenset({"$schema", "$id", "$comment", "$defs", "title", "description", "version", "examples"})
_TYPES: dict[str, Check] = {
    "string": lambda value: type(value) is str,
    "null": lambda value: value is None,
    "integer": lambda value: type(value) is int,
    "number": lambda value: type(value) is int or type(value) is float,
    "boolean": lambda value: type(value) is bool,
    "array": lambda value: type(value) is list,
    "object": lambda value: type(value) is dict,
}
_SCALARS = (str, int, type(None))  # const / enum values compiled here: compared by type and value


class _NotCompiledError(ValueError):
    """The schema uses something the compiled check does not do."""


def schema_valid(record: Any) -> bool:
    """``True`` only for a record valid under the schema (``False``: ask ``schema_errors``)."""
    check = _compiled()
    return check is not None and check(record)


@cache
def _compiled() -> Check | None:
    schema = article_schema()
    try:
        return _compile(schema, schema)
    except (_NotCompiledError, RecursionError):  # RecursionError: a $ref cycle
        return None


def _compile(node: Any, root: dict[str, Any]) -> Check:
    if isinstance(node, bool):
        verdict = node
        return lambda value: verdict
    if not isinstance(node, dict):
        raise _NotCompiledError(repr(node))
    checks = [
        check for keyword, argument in node.items() if (check := _keyword(keyword, argument, node, root)) is not None
    ]
    if len(checks) == 1:
        return checks[0]
    return lambda value: all(check(value) for check in checks)


def _keyword(keyword: str, argument: Any, node: dict[str, Any], root: dict[str, Any]) -> Check | None:
    if keyword in _ANNOTATIONS:
        return None
    if keyword == "type":
        names = [argument] if isinstance(argument, str) else argument
        if not isinstance(names, list) or not names or any(name not in _TYPES for name in names):
            raise _NotCompiledError(f"type {argument!r}")
        kinds = [_TYPES[name] for name in names]
        return kinds[0] if len(kinds) == 1 else lambda value: any(kind(value) for kind in kinds)
    if keyword == "pattern" and isinstance(argument, str):
        search = re.compile(argument).search  # what jsonschema does: re.search
        return lambda value: not isinstance(value, str) or search(value) is not None
    if keyword == "minLength" and type(argument) is int:
        return lambda value: not isinstance(value, str) or len(value) >= argument
    if keyword == "minimum" and type(argument) in (int, float):
        return lambda value: isinstance(value, bool) or not isinstance(value, int | float) or value >= argument
    if keyword in ("const", "enum"):
        allowed = [argument] if keyword == "const" else argument
        if not isinstance(allowed, list) or any(type(entry) not in _SCALARS for entry in allowed):
            raise _NotCompiledError(f"{keyword} {argument!r}")
        return lambda value: any(type(value) is type(entry) and value == entry for entry in allowed)
    if keyword == "anyOf" and isinstance(argument, list) and argument:
        branches = [_compile(branch, root) for branch in argument]
        return lambda value: any(branch(value) for branch in branches)
    if keyword == "$ref" and isinstance(argument, str) and argument.startswith("#/$defs/"):
        target = root.get("$defs", {}).get(argument[len("#/$defs/") :])
        if target is None or "$ref" in target:
            raise _NotCompiledError(argument)
        return _compile(target, root)
    if keyword == "items" and isinstance(argument, dict | bool):
        each = _compile(argument, root)
        return lambda value: not isinstance(value, list) or all(each(entry) for entry in value)
    if keyword == "required" and isinstance(argument, list):
        names = list(argument)
        return lambda value: not isinstance(value, dict) or all(name in value for name in names)
    if keyword == "properties" and isinstance(argument, dict):
        properties = [(name, _compile(subschema, root)) for name, subschema in argument.items()]
        return lambda value: (
            not isinstance(value, dict) or all(check(value[name]) for name, check in properties if name in value)
        )
    if keyword == "additionalProperties" and argument is False and "patternProperties" not in node:
        known = frozenset(node.get("properties", {}))
        return lambda value: not isinstance(value, dict) or all(key in known for key in value)
    raise _NotCompiledError(f"{keyword} {argument!r}")


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
