"""The lake exporter's rows are Scrapy's JSON Lines rows, byte for byte (its fast path
reads the item directly; rfi_cn.lake.export.LakeJsonLinesExporter)."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from typing import Any

import scrapy
from hypothesis import given
from hypothesis import strategies as st
from scrapy.exporters import JsonLinesItemExporter

from rfi_cn.items import ArticleItem, FailureItem, RejectItem
from rfi_cn.lake.export import LakeJsonLinesExporter

values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text() | st.just("台湾 \u2028 \x00 \ud800"),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=8,
)


def rows(exporter_class: type[JsonLinesItemExporter], items: list[Any], **options: Any) -> bytes:
    file = io.BytesIO()
    exporter = exporter_class(file, encoding="utf-8", **options)  # type: ignore[arg-type]
    for item in items:
        try:
            exporter.export_item(item)
        except (UnicodeError, ValueError):  # a lone surrogate: neither writes a byte of it
            file.write(b"<unencodable>\n")
    return file.getvalue()


@st.composite
def records(draw: st.DrawFn) -> scrapy.Item:
    kind = draw(st.sampled_from([ArticleItem, RejectItem, FailureItem]))
    names = draw(st.lists(st.sampled_from(sorted(kind.fields)), unique=True, max_size=8))  # any order of filling
    return kind({name: draw(values) for name in names})


@given(items=st.lists(records(), max_size=5))
def test_rows_are_scrapys_rows(items: list[scrapy.Item]) -> None:
    assert rows(LakeJsonLinesExporter, items) == rows(JsonLinesItemExporter, items)


@st.composite
def full_articles(draw: st.DrawFn) -> ArticleItem:
    """Every field of an article filled, in any order, with small values (as real rows are)."""
    names = draw(st.permutations(sorted(ArticleItem.fields)))
    small = st.none() | st.text(max_size=3) | st.lists(st.text(max_size=3), max_size=2)
    return ArticleItem({name: draw(small) for name in names})


@given(item=full_articles())
def test_a_full_article_row_is_scrapys_row(item: ArticleItem) -> None:
    assert rows(LakeJsonLinesExporter, [item]) == rows(JsonLinesItemExporter, [item])


def test_a_filled_article_in_declaration_order() -> None:
    item = ArticleItem(body_text="正文", url="https://www.rfi.fr/cn/x", id="x", tags=["a"], media=[])
    item["crawled_at"] = datetime(2026, 12, 3, tzinfo=UTC)  # not JSON: Scrapy's encoder writes ISO 8601
    expected = (
        '{"id": "x", "url": "https://www.rfi.fr/cn/x", "tags": ["a"], "body_text": "正文", '
        '"crawled_at": "2026-12-03T00:00:00+00:00", "media": []}\n'
    ).encode()
    assert rows(LakeJsonLinesExporter, [item]) == rows(JsonLinesItemExporter, [item]) == expected


class Serialized(scrapy.Item):
    name = scrapy.Field(serializer=str.upper)
    plain = scrapy.Field()


def test_fields_with_a_serializer_go_scrapys_way() -> None:
    item = Serialized(plain=1, name="abc")
    assert rows(LakeJsonLinesExporter, [item]) == b'{"name": "ABC", "plain": 1}\n'


def test_exporter_options_go_scrapys_way() -> None:
    item = RejectItem(url="u", reason="r")
    for options in (
        {"fields_to_export": ["reason"]},
        {"export_empty_fields": True},
        {"fields_to_export": {"url": "U"}},
    ):
        assert rows(LakeJsonLinesExporter, [item], **options) == rows(JsonLinesItemExporter, [item], **options)
