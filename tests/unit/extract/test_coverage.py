"""docs/extraction.md states the rules and the coverage figures the code has: checked, so they cannot drift."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from rfi_cn.extract.article import FIELD_RULES
from tests.field_coverage import REAL_ARTICLE, table

DOC = Path(__file__).resolve().parents[3] / "docs" / "extraction.md"


def section(name: str) -> str:
    match = re.search(rf"<!-- {name}:begin -->\n(.*?)\n<!-- {name}:end -->", DOC.read_text(encoding="utf-8"), re.S)
    assert match, name
    return match.group(1)


def test_the_documented_rules_are_the_rule_table() -> None:
    rows = ["| field | places, in order |", "| --- | --- |"]
    rows += [
        f"| `{name}` | " + " → ".join(source.where for source in sources) + " |"
        for name, sources in FIELD_RULES.items()
    ]
    assert section("rules") == "\n".join(rows)


def test_the_documented_coverage_is_measured() -> None:
    if not REAL_ARTICLE.exists():
        pytest.skip(f"{REAL_ARTICLE} (a column of the table) is not available")
    assert table() == section("coverage")
