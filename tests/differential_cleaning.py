"""The body cleaner against an earlier version of itself, byte for byte.

``python3 -m tests.differential_cleaning [COMMIT] [EXAMPLES]`` loads
``rfi_cn/normalise/cleaning.py`` as it was at ``COMMIT`` (default ``16f4097``, main before
issue 18's round 3) with ``git show``, and checks that both give the same
``(body_html, body_text)``, or raise the same exception, on: the raw body of every page of
``tests/pages``, the real article in ../shared when present, the fixture site's articles,
every template variant of all of them (``tests/variants.py``), the property tests' hostile
samples, and ``EXAMPLES`` (default 3,000) generated bodies. Run by hand after a change meant
to leave the cleaner's output as it was (not collected by pytest: minutes, and pinned to a commit).
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import rfi_cn.normalise.cleaning as current
from fixture_site.site import build_site
from rfi_cn.extract.article import extract_page
from tests.unit.test_properties import HOSTILE, hostile_markup, kept_markup
from tests.variants import variants

ROOT = Path(__file__).resolve().parent.parent
REAL_ARTICLE = ROOT.parent / "shared" / "rfi-pages" / "cn-article-20251130-taiwan-t-dome.html"
BASE = "https://www.rfi.fr/cn/x/20251130-x"
TOKENS = [
    "<p>", "</p>", "<span>", "</span>", "<a href='/x'>", "</a>", "<!-- c -->", "&#x85;", "\u2028", " ", "\n",
    "\u200b", "\u3000", "x", "中", "<br>", "<script>s</script>", "<div class='m-block-ad'>ad</div>", "<strong>",
    "</strong>", "<li>", "<ul>", "</ul>", "<h2>", "<em>", "<figure>", "<svg>", "&#0;", "&#12;", "\x0c", "\x1c",
    "&nbsp;", "<?pi x?>", "<font>", "<table><tr><td>", "<b>",
]  # fmt: skip


def earlier(commit: str) -> ModuleType:
    source = subprocess.run(
        ["git", "show", f"{commit}:rfi_cn/normalise/cleaning.py"], cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout
    spec = importlib.util.spec_from_loader("earlier_cleaning", loader=None)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    exec(compile(source, f"{commit}:cleaning.py", "exec"), module.__dict__)
    return module


def outcome(module: Any, raw: str) -> tuple[str, str] | str:
    try:
        body = module.clean_body(raw, BASE)
    except Exception as exc:  # the same exception is part of the same output
        return type(exc).__name__
    return body.html, body.text


def corpus() -> list[str]:
    pages = [path.read_text(encoding="utf-8") for path in sorted((ROOT / "tests" / "pages").glob("*.html"))]
    if REAL_ARTICLE.exists():
        pages.append(REAL_ARTICLE.read_text(encoding="utf-8"))
    routes, _ = build_site()
    pages += [page.body.decode() for page in routes.values() if b"t-content__body" in page.body]
    pages += [variant.html for page in list(pages) for variant in variants(page)]
    return [extract_page(page, BASE, "x").item["body_html"] or "" for page in pages] + list(HOSTILE)


def main() -> None:
    commit = sys.argv[1] if len(sys.argv) > 1 else "16f4097"
    examples = int(sys.argv[2]) if len(sys.argv) > 2 else 3000
    old = earlier(commit)
    bodies = corpus()
    for raw in bodies:
        assert outcome(old, raw) == outcome(current, raw), raw[:300]
    print(f"{len(bodies)} bodies: the same output as {commit}")

    @settings(max_examples=examples, deadline=None, suppress_health_check=list(HealthCheck))
    @given(
        st.one_of(
            st.text(max_size=300),
            hostile_markup,
            kept_markup().map(lambda pair: pair[0]),
            st.lists(st.sampled_from(TOKENS), max_size=30).map("".join),
        )
    )
    def same(raw: str) -> None:
        assert outcome(old, raw) == outcome(current, raw)

    same()
    print(f"{examples} generated bodies: the same output as {commit}")


if __name__ == "__main__":
    main()
