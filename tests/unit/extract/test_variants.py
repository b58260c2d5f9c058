"""Every template variant of every fixture page gives the original's fields, or the documented fallback.

The variants come from ``tests/variants.py``; the pages are ``tests/pages/*.html``
and fixture-site articles. Each variant × field is compared exactly; the
total is checked so that a variant that silently stops being generated fails too.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from fixture_site.pages import article_html
from fixture_site.site import make_article
from rfi_cn.items import ArticleItem, content_hash
from tests.conftest import PAGES
from tests.unit.extract.test_pages import record_of
from tests.variants import Variant, variants


def base_pages() -> dict[str, str]:
    pages = {path.stem: path.read_text(encoding="utf-8") for path in sorted(PAGES.glob("*.html"))}
    updated = make_article(
        14, "政治", date(2025, 11, 20), modified="2025-11-20T11:00:00+00:00", modified_visible="20/11/2025 - 12:00"
    )
    pages["fixture-updated"] = article_html(updated)
    pages["fixture-no-image-no-code"] = article_html(make_article(3, "中国", date(2025, 11, 2), image=None, code=None))
    return pages


PAGES_HTML = base_pages()
CASES = [(page, variant) for page, html in PAGES_HTML.items() for variant in variants(html)]
ORIGINALS = {page: record_of(html.encode()) for page, html in PAGES_HTML.items()}
FIELDS = list(ArticleItem.fields)


def expected_record(original: dict[str, Any], variant: Variant) -> dict[str, Any]:
    """The original's record with the variant's documented changes; the hash follows the text."""
    record = dict(original)
    for name, value in variant.expect.items():
        record[name] = value(original) if callable(value) else value
    record["content_hash"] = content_hash(record["title"], record["lead"], record["body_text"])
    return record


@pytest.mark.parametrize(("page", "variant"), CASES, ids=[f"{page}-{variant.name}" for page, variant in CASES])
def test_variant_gives_the_expected_fields(page: str, variant: Variant) -> None:
    record = record_of(variant.html.encode())
    expected = expected_record(ORIGINALS[page], variant)
    wrong = {name: (record[name], expected[name]) for name in FIELDS if record[name] != expected[name]}
    assert wrong == {}


def test_the_corpus_size() -> None:
    """Recorded in docs/extraction.md: variants × fields compared exactly."""
    assert (len(PAGES_HTML), len(CASES), len(FIELDS)) == (6, 341, 22)  # 7,502 variant × field comparisons
