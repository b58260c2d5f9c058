"""Figure 2: requests per new article over several scheduled runs of a site shaped like the real one.

The site is ``fixture_site.newsroom.Newsroom``: 22 sections as in the real
navigation, 20 to 30 new articles a day spread over them (some sections
busier), listings newest first, 20 to a page, plus ``/cn/rss`` and the news
sitemap. A first run at ``RUN_HOUR`` after ``history`` days of publishing fills
the crawl state (not measured); then ``runs`` scheduled runs, ``every`` hours
apart, each against the site as it is at its start and with ``INCREMENTAL_NOW``
set to that time, are measured: every request each made, per article published
since the previous run. Every new article must be exported: a run that misses
one fails the figure whatever its ratio. Counts are deterministic.
"""

from __future__ import annotations

import tempfile
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from benchmarks.crawl import crawl_measured, request_kind, served_site
from benchmarks.figures import Figure
from fixture_site.newsroom import SECTIONS, Newsroom

HISTORY_DAYS, RUNS, EVERY_HOURS, RUN_HOUR = 14, 4, 24, 6
FIRST_DAY = date(2025, 1, 1)
TARGET = 1.3


def run(history: int = HISTORY_DAYS, runs: int = RUNS, every: int = EVERY_HOURS) -> Figure:
    """Fill a state with ``history`` days, then measure ``runs`` scheduled runs ``every`` hours apart."""
    figure = Figure(
        "newsroom_requests",
        f"requests per new article, {len(SECTIONS)} sections, {runs} runs every {every} h",
        TARGET,
    )
    print(
        f"\n## Figure 2: {len(SECTIONS)} sections, 20-30 articles a day; a state of {history} days, "
        f"then {runs} runs every {every} h"
    )
    start = datetime.combine(FIRST_DAY + timedelta(days=history), datetime.min.time(), UTC) + timedelta(hours=RUN_HOUR)
    times = [start + timedelta(hours=every * index) for index in range(runs + 1)]
    days = (times[-1].date() - FIRST_DAY).days + 1
    newsroom = Newsroom(days, FIRST_DAY)  # the same articles the served sites publish (no pages built here)
    totals: Counter[str] = Counter()
    new_total = 0
    rows = []
    with tempfile.TemporaryDirectory(prefix="rfi-bench-newsroom-") as workdir:
        state = {"CRAWL_STATE_ENABLED": "True", "CRAWL_STATE_PATH": str(Path(workdir) / "state.sqlite")}
        for index, now in enumerate(times):
            published = newsroom.published_by(now)
            before = newsroom.published_by(times[index - 1]) if index else []
            new = {f"T{item.number:03d}" for item in published[len(before) :]}
            settings = {**state, "INCREMENTAL_NOW": now.isoformat().replace("+00:00", "Z")}
            with served_site(0, newsroom=True, days=days, first_day=FIRST_DAY, now=now) as site:
                measured = crawl_measured(site.base_url, Path(workdir) / f"run-{index}", settings)
            if problem := measured.problem():
                figure.note = f"run {index}: {problem}"
                print(f"  {figure.note}\n{measured.result.log[-2000:]}")
                return figure
            exported = {row["id"] for row in measured.result.records("articles")}
            kinds = Counter(request_kind(path) for path in site.requests)
            label = "first run (fills the state)" if index == 0 else f"run {index} at {now:%Y-%m-%d %H:%M}"
            line = (
                f"  {label}: {len(new)} new, {len(exported)} exported, {sum(kinds.values())} requests "
                f"({kinds['article']} articles, {kinds['listing']} listings, {kinds['other']} other)"
            )
            print(line)
            if missing := new - exported:
                figure.broken = f"run {index} missed {len(missing)} of {len(new)} new articles"
                print(f"  {figure.broken}: {sorted(missing)[:10]}")
            if index == 0:
                continue
            totals += kinds
            new_total += len(new)
            figure.samples.append(sum(kinds.values()) / max(len(new), 1))
            rows.append({"run": index, "at": now.isoformat(), "new": len(new), "exported": len(exported), **kinds})
    requests = sum(totals.values())
    figure.value = requests / max(new_total, 1)
    figure.note = (
        f"{requests} requests ({totals['article']} articles, {totals['listing']} listings, "
        f"{totals['other']} other) / {new_total} new; per run {min(figure.samples):.2f}-{max(figure.samples):.2f}"
    )
    figure.samples = [figure.value]  # the judged figure is the ratio of the totals; the runs are in the detail
    figure.detail = {"runs": rows, "history_days": history, "every_hours": every}
    return figure
