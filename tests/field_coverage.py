"""Field coverage per fixture set: the share of article pages where each field is found.

``python3 -m tests.field_coverage`` prints the table that ``docs/extraction.md``
holds (``tests/unit/extract/test_coverage.py`` checks they agree). A field is
found when the record (extraction, cleaning, date normalisation) holds a
non-empty value. Sets: the fundus-style cases (``tests/pages``), the articles of
the end-to-end fixture site, of the discovery site, the variant corpus, and the
real article in ../shared when present.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from fixture_site.discovery import build_discovery_site
from fixture_site.site import build_site
from rfi_cn.items import ArticleItem
from rfi_cn.site import is_article_url, site_path_url
from tests.unit.extract.test_pages import record_of

ROOT = Path(__file__).resolve().parent
REAL_ARTICLE = ROOT.parent.parent / "shared" / "rfi-pages" / "cn-article-20251130-taiwan-t-dome.html"
COUNTED = [name for name in ArticleItem.fields if name not in ("crawled_at", "schema_version", "content_hash", "url")]


def _site_articles(routes: dict[str, Any]) -> Iterator[bytes]:
    for path, page in routes.items():
        if is_article_url(site_path_url(path)) and page.status == 200 and b"data-article-content" in page.body:
            yield page.body


def fixture_sets() -> dict[str, list[bytes]]:
    from tests.unit.extract.test_variants import CASES

    sets = {
        "tests/pages": [path.read_bytes() for path in sorted((ROOT / "pages").glob("*.html"))],
        "e2e site": list(_site_articles(build_site()[0])),
        "discovery site": list(_site_articles(build_discovery_site()[0])),
        "variants": [variant.html.encode() for _, variant in CASES],
    }
    if REAL_ARTICLE.exists():
        sets["real article"] = [REAL_ARTICLE.read_bytes()]
    return sets


def coverage(pages: list[bytes]) -> dict[str, float]:
    records = [record_of(page) for page in pages]
    return {name: sum(1 for record in records if record[name] not in (None, "", [])) / len(records) for name in COUNTED}


def table() -> str:
    sets = fixture_sets()
    figures = {name: coverage(pages) for name, pages in sets.items()}
    header = ["field", *(f"{name} ({len(pages)})" for name, pages in sets.items())]
    rows = [[f"`{name}`", *(f"{figures[set_name][name]:.2f}" for set_name in sets)] for name in COUNTED]
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(" --- " for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


if __name__ == "__main__":
    print(table())
