"""Incremental cost: requests per newly exported article in a steady-state scheduled run.

Needs the crawl state of the incremental issue (``rfi_cn/state.py``, settings
``CRAWL_STATE_ENABLED``, ``CRAWL_STATE_PATH``, ``INCREMENTAL_NOW``); without it
this prints "not available". The scenario: a site of ``OLD`` articles
(``PER_DAY`` a day, about RFI's Chinese output) is crawled once into a state;
then ``NEW`` newer articles appear (one more day) and a second run with the same
state is measured: every request it made (robots.txt, front page, listings,
articles) per article it newly exported.
"""

from __future__ import annotations

import importlib.util
import tempfile
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

from benchmarks.crawl import crawl_measured, served_site
from benchmarks.machine import table, verdict

OLD, NEW, PER_DAY = 500, 25, 25
FIRST_DAY = date(2025, 1, 1)


def available() -> bool:
    return importlib.util.find_spec("rfi_cn.state.store") is not None


def run(old: int = OLD, new: int = NEW, per_day: int = PER_DAY) -> None:
    """Print the incremental table: a first run over ``old`` articles, then one after ``new`` more."""
    print(f"\n## Incremental: a run after {new} new articles, on a state holding {old} ({per_day} a day)\n")
    if not available():
        print("not available: rfi_cn/state.py (the incremental crawl state) is not in this tree")
        return
    newest_day = FIRST_DAY + timedelta(days=(old + new) // per_day)
    with tempfile.TemporaryDirectory(prefix="rfi-bench-incremental-") as workdir:
        settings = {
            "CRAWL_STATE_ENABLED": "True",
            "CRAWL_STATE_PATH": str(Path(workdir) / "state.sqlite"),
            "INCREMENTAL_NOW": f"{newest_day.isoformat()}T23:00:00Z",
        }
        runs = {}
        for label, count in (("first run (empty state)", old), ("steady-state run", old + new)):
            with served_site(count, per_day=per_day, first_day=FIRST_DAY) as site:
                measured = crawl_measured(site.base_url, Path(workdir) / label.split()[0], settings)
            kinds = Counter(_kind(path) for path in site.requests)
            runs[label] = (measured, kinds)
    rows = []
    for label, (measured, kinds) in runs.items():
        exported = measured.stats.get("rfi_cn/articles/exported", 0)
        requests = sum(kinds.values())
        ratio = f"{requests / exported:.2f}" if exported else "n/a"
        rows.append([label, exported, requests, kinds["article"], kinds["listing"], kinds["other"], ratio])
    print(table(["run", "exported", "requests", "article", "listing", "robots/front", "requests per new"], rows))
    steady, kinds = runs["steady-state run"]
    exported = steady.stats.get("rfi_cn/articles/exported", 0)
    ratio = sum(kinds.values()) / exported if exported else float("inf")
    print()
    print(
        table(
            ["target", "measured", "status"],
            [["<= 1.2 requests per new article", f"{ratio:.2f}", verdict(ratio <= 1.2)]],
        )
    )
    print(
        f"(settings: {settings | {'CRAWL_STATE_PATH': '<tmp>'}}; stats of the steady run: "
        f"{ {k: v for k, v in steady.stats.items() if k.startswith('rfi_cn/')} })"
    )


def _kind(path: str) -> str:
    if path in ("/robots.txt", "/cn/"):
        return "other"
    return "article" if path.rsplit("/", 1)[-1][:8].isdigit() else "listing"
