"""Figure 1: requests per new article in the steady-state scheduled run (the 4-section site).

The scenario of round 1, kept as it was so that figures compare across rounds:
a site of ``old`` articles (``per_day`` a day, 4 sections, newest first, 20 to a
listing page; ``fixture_site.site.build_large_site``) is crawled once into a
crawl state; then ``new`` newer articles appear and a second run with the same
state and ``INCREMENTAL_NOW`` at the end of the newest day is measured: every
request it made (robots.txt, front page, listings, articles) per article it
exported. The count is deterministic: one run is the measurement.
"""

from __future__ import annotations

import tempfile
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

from benchmarks.crawl import crawl_measured, request_kind, served_site
from benchmarks.figures import Figure

OLD, NEW, PER_DAY = 500, 25, 25
FIRST_DAY = date(2025, 1, 1)
TARGET = 1.1


def run(old: int = OLD, new: int = NEW, per_day: int = PER_DAY) -> Figure:
    """Crawl ``old`` articles into a state, then measure the run after ``new`` more."""
    figure = Figure("steady_state_requests", f"requests per new article, steady state (4 sections, {new} new)", TARGET)
    print(f"\n## Figure 1: a run after {new} new articles, on a state holding {old} ({per_day} a day, 4 sections)")
    newest_day = FIRST_DAY + timedelta(days=(old + new) // per_day)
    with tempfile.TemporaryDirectory(prefix="rfi-bench-incremental-") as workdir:
        settings = {
            "CRAWL_STATE_ENABLED": "True",
            "CRAWL_STATE_PATH": str(Path(workdir) / "state.sqlite"),
            "INCREMENTAL_NOW": f"{newest_day.isoformat()}T23:00:00Z",
        }
        for label, count in (("first", old), ("steady", old + new)):
            with served_site(count, per_day=per_day, first_day=FIRST_DAY) as site:
                measured = crawl_measured(site.base_url, Path(workdir) / label, settings)
            expected = old if label == "first" else None
            if problem := measured.problem(expected):
                figure.note = f"{label} run: {problem}"
                print(f"  {figure.note}\n{measured.result.log[-2000:]}")
                return figure
    kinds = Counter(request_kind(path) for path in site.requests)
    requests, exported = sum(kinds.values()), measured.exported
    if not exported:
        figure.note = "the steady-state run exported nothing"
        return figure
    figure.value = requests / exported
    figure.samples = [figure.value]
    figure.detail = {"requests": requests, "exported": exported, **kinds, "stats": _rfi_stats(measured.stats)}
    figure.note = (
        f"{requests} requests ({kinds['article']} articles, {kinds['listing']} listings, "
        f"{kinds['other']} other) / {exported} exported"
    )
    print(f"  {figure.note}")
    return figure


def _rfi_stats(stats: dict[str, object]) -> dict[str, object]:
    return {key: value for key, value in stats.items() if key.startswith(("rfi_cn/", "robotstxt/"))}
