"""``scrapy parse``: the callback a real-site URL is read with."""

from __future__ import annotations

import pytest

from rfi_cn.commands.parse import callback_for


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://www.rfi.fr/cn/", ("parse_front", {})),
        ("https://www.rfi.fr/cn/?page=2", ("parse_front", {})),
        ("https://www.rfi.fr/cn/政治/20251130-台湾增加400亿美元国防开支", ("parse_article", {})),
        ("https://www.rfi.fr/cn/%E6%94%BF%E6%B2%BB/20251130-x", ("parse_article", {})),
        ("https://www.rfi.fr/cn/专栏检索/要闻解说/20251120-x", ("parse_article", {})),
        ("https://www.rfi.fr/cn/政治/", ("parse_listing", {"section": "政治"})),
        ("https://www.rfi.fr/cn/%E4%B8%AD%E5%9B%BD/2/", ("parse_listing", {"section": "中国"})),
        ("https://www.rfi.fr/cn/政治/?page=3", ("parse_listing", {"section": "政治"})),
        ("https://www.rfi.fr/fr/", None),
        ("https://www.rfi.fr/sitemaps/cn/index.xml", None),
        ("https://example.org/cn/政治/", None),
    ],
)
def test_callback_for(url: str, expected: tuple[str, dict[str, str]] | None) -> None:
    assert callback_for(url) == expected
