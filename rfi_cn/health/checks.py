"""The health of one run: every check, and the run's status, from one function.

``evaluate(facts, config)`` is the single source of truth: the run manifest
(``health``), the summary line, the exit status of ``scrapy crawl`` and the
Spidermon monitors all read its result. It is pure: ``RunFacts`` holds what the
run did (its stats, the lake files that failed, field coverage, which start
pages and listing sections succeeded, the coverage of earlier runs), and
``HealthConfig`` the thresholds (settings ``HEALTH_*``, see ``rfi_cn/settings.py``).

A check ends ``ok``, ``degraded`` (a soft check: the data is usable but
suspect) or ``failed`` (a hard check: the run lost data, fetched nothing or
could not publish). The run's status is the worst of its checks.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from scrapy.settings import BaseSettings

from rfi_cn import settings as project_settings
from rfi_cn.accounting import article_counts
from rfi_cn.state.incremental import feed_failed_runs

OK, DEGRADED, FAILED = "ok", "degraded", "failed"
SEVERITY = {OK: 0, DEGRADED: 1, FAILED: 2}

# Percent of exported articles with a non-empty value, per field: the project setting
# HEALTH_COVERAGE_FLOORS is the one list (docs/health.md says where each floor comes from).
DEFAULT_COVERAGE_FLOORS: Mapping[str, float] = MappingProxyType(dict(project_settings.HEALTH_COVERAGE_FLOORS))


@dataclass(frozen=True)
class HealthConfig:
    """The thresholds of the checks (settings ``HEALTH_*``)."""

    failure_share: float = 20.0  # percent of pages requested that may fail blocked (or transient)
    reject_share: float = 10.0  # percent of discovered articles that may be rejected before the run is degraded
    reject_share_min_articles: int = 20  # judged only over at least this many (new, not retried) articles
    coverage_floors: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_COVERAGE_FLOORS))
    coverage_min_articles: int = 1  # coverage is judged only over at least this many exported articles
    drift_points: float = 25.0  # a fall of more than this many points below the history's median
    drift_runs: int = 5  # the last N manifests read back
    drift_min_runs: int = 3  # drift is judged only with at least this many earlier runs
    feed_failed_runs: int = 3  # runs in a row that could not use the change feed before it is degraded (0: never)

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> HealthConfig:
        floors = settings.getdict("HEALTH_COVERAGE_FLOORS") or DEFAULT_COVERAGE_FLOORS
        return cls(
            failure_share=settings.getfloat("HEALTH_MAX_FAILURE_SHARE", 20.0),
            reject_share=settings.getfloat("HEALTH_MAX_REJECT_SHARE", 10.0),
            reject_share_min_articles=settings.getint("HEALTH_REJECT_SHARE_MIN_ARTICLES", 20),
            coverage_floors={name: float(value) for name, value in floors.items()},
            coverage_min_articles=settings.getint("HEALTH_COVERAGE_MIN_ARTICLES", 1),
            drift_points=settings.getfloat("HEALTH_DRIFT_POINTS", 25.0),
            drift_runs=settings.getint("HEALTH_DRIFT_RUNS", 5),
            drift_min_runs=settings.getint("HEALTH_DRIFT_MIN_RUNS", 3),
            feed_failed_runs=settings.getint("HEALTH_CHANGE_FEED_FAILED_RUNS", 3),
        )


@dataclass
class RunFacts:
    """What one run did, as the checks read it."""

    stats: Mapping[str, Any]
    failed_files: Sequence[Mapping[str, Any]] = ()
    coverage: Mapping[str, float] = field(default_factory=dict)  # percent per field over exported articles
    front_page: int | None = None  # the front page's status; None: not requested
    front_page_requested: bool = False
    start_pages: Mapping[str, bool] = field(default_factory=dict)  # each start request's URL -> answered 2xx
    sections: Mapping[str, bool] = field(default_factory=dict)  # requested section -> a listing page succeeded
    history: Sequence[Mapping[str, float]] = ()  # the coverage of earlier runs, newest first
    lake: bool = True  # whether a manifest is written (the data lake is on)
    distributed: bool = False  # one worker of a distributed run: pages and counts are shared with the others
    manifest_written: bool = True


@dataclass(frozen=True)
class Check:
    name: str
    status: str
    value: Any
    threshold: Any

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "status": self.status, "value": self.value, "threshold": self.threshold}


@dataclass(frozen=True)
class Health:
    status: str
    checks: tuple[Check, ...]

    @property
    def problems(self) -> list[Check]:
        """The checks that did not pass, worst first."""
        return sorted((c for c in self.checks if c.status != OK), key=lambda c: -SEVERITY[c.status])

    def as_dict(self) -> dict[str, Any]:
        return {"status": self.status, "checks": [check.as_dict() for check in self.checks]}

    def describe(self) -> str:
        """``health degraded (coverage:authors 0.0 < 20.0)``: the status and what caused it."""
        if not self.problems:
            return f"health {self.status}"
        causes = ", ".join(f"{c.name} {_text(c.value)} vs {_text(c.threshold)}" for c in self.problems)
        return f"health {self.status} ({causes})"


def _text(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def evaluate(facts: RunFacts, config: HealthConfig) -> Health:
    """Every check of the run and its status (the worst of them)."""
    checks = [
        *([] if facts.distributed else _fetching(facts)),
        *([] if facts.distributed else _articles(facts)),
        *_failure_shares(facts, config),
        *_reject_share(facts, config),
        *_walk_bounds(facts),
        *_state_writes(facts),
        *_publishing(facts),
        *_coverage(facts, config),
        *_drift(facts, config),
        *_change_feed(facts),
        *_change_feed_failures(facts, config),
    ]
    status = max((check.status for check in checks), key=SEVERITY.__getitem__, default=OK)
    return Health(status, tuple(checks))


def _passes(ok: bool, bad: str = FAILED) -> str:
    return OK if ok else bad


def _fetching(facts: RunFacts) -> list[Check]:
    checks = []
    if facts.front_page_requested:
        fetched = facts.front_page is not None and 200 <= facts.front_page < 300
        checks.append(Check("front_page", _passes(fetched), facts.front_page, "2xx"))
    if facts.start_pages:
        checks.append(_share_check("start_pages", facts.start_pages, "every start page 2xx"))
    if facts.sections:
        checks.append(_share_check("listings", facts.sections, "1 page per section"))
    return checks


def _share_check(name: str, results: Mapping[str, bool], threshold: str) -> Check:
    """``failed`` when none succeeded, ``degraded`` when some did not; value ``good/all (missing …)``."""
    good = sum(results.values())
    missing = sorted(key for key, ok in results.items() if not ok)
    status = OK if not missing else (FAILED if good == 0 else DEGRADED)
    shown = ", ".join(missing[:3]) + (f" and {len(missing) - 3} more" if len(missing) > 3 else "")
    value = f"{good}/{len(results)}" + (f" (missing {shown})" if missing else "")
    return Check(name, status, value, threshold)


def _articles(facts: RunFacts) -> list[Check]:
    counts = article_counts(dict(facts.stats))
    skipped = int(facts.stats.get("rfi_cn/articles/skipped_known", 0))
    checks = [Check("discovered", _passes(counts["discovered"] > 0 or skipped > 0), counts["discovered"], "> 0")]
    # exported > 0 unless every discovered article was unchanged (skipped ones are not discovered)
    # or a retry of an earlier run's failure (one that fails again says nothing new about the site)
    retried = int(facts.stats.get("rfi_cn/articles/retried", 0))
    needs_export = counts["discovered"] - retried > counts["unchanged"]
    checks.append(Check("exported", _passes(counts["exported"] > 0 or not needs_export), counts["exported"], "> 0"))
    # a run paused with a JOBDIR leaves its queued articles to the resumed run (see rfi_cn.accounting)
    unaccounted = counts["unaccounted"] - int(facts.stats.get("rfi_cn/articles/pending_in_jobdir", 0))
    checks.append(Check("unaccounted", _passes(unaccounted == 0), unaccounted, 0))
    return checks


def requests_made(stats: Mapping[str, Any]) -> int:
    """Pages requested: requests sent to the downloader, less retries of the same page."""
    return max(int(stats.get("downloader/request_count", 0)) - int(stats.get("retry/count", 0)), 0)


def _failure_shares(facts: RunFacts, config: HealthConfig) -> list[Check]:
    requests = requests_made(facts.stats)
    checks = []
    for reason in ("blocked", "transient"):
        failed = int(facts.stats.get(f"rfi_cn/failures/reason/{reason}", 0))
        share = round(100.0 * failed / requests, 1) if requests else 0.0
        checks.append(Check(f"{reason}_share", _passes(share <= config.failure_share), share, config.failure_share))
    return checks


def _reject_share(facts: RunFacts, config: HealthConfig) -> list[Check]:
    """Pages fetched but not valid articles: a template change that breaks a required field on
    some pages (the rest still exported, so the coverage checks see nothing) shows here."""
    counts = article_counts(dict(facts.stats))
    retried = int(facts.stats.get("rfi_cn/articles/retried", 0))  # a retry rejected again says nothing new
    articles, rejected = counts["discovered"] - retried, max(counts["rejected"] - retried, 0)
    if articles < max(config.reject_share_min_articles, 1):
        return []
    share = round(100.0 * rejected / articles, 1)
    return [Check("reject_share", _passes(share <= config.reject_share, DEGRADED), share, config.reject_share)]


def _walk_bounds(facts: RunFacts) -> list[Check]:
    """Sections cut off by ``RFI_MAX_LISTING_PAGES`` (a bound against endless pagination, not
    the user's ``-a max_pages``): what lay beyond was not reached, and someone should look."""
    cut = int(facts.stats.get("rfi_cn/listings/stopped_by_max_listing_pages", 0))
    return [Check("listing_limit", _passes(cut == 0, DEGRADED), cut, 0)] if cut else []


def _state_writes(facts: RunFacts) -> list[Check]:
    """Crawl-state writes that failed: nothing is lost, but the next run re-exports what this
    one published (readers de-duplicate by id) and stops its walks later."""
    errors = int(facts.stats.get("rfi_cn/state/write_errors", 0))
    return [Check("state_writes", DEGRADED, errors, 0)] if errors else []


def _change_feed(facts: RunFacts) -> list[Check]:
    """New articles the walk found that the change feed should have listed (published inside its
    time span): nothing is lost (the walk fetched them), but the feed is not to be trusted alone;
    the crawl state makes every run walk until a walk finds it complete. Present when a walk
    was compared with a feed."""
    if "rfi_cn/change_feed/missed" not in facts.stats:
        return []
    missed = int(facts.stats["rfi_cn/change_feed/missed"])
    return [Check("change_feed", _passes(missed == 0, DEGRADED), missed, 0)]


def _change_feed_failures(facts: RunFacts, config: HealthConfig) -> list[Check]:
    """Runs in a row, this one last, whose change feed failed, was invalid or listed no article:
    each walked the sections instead (nothing lost, every request of the walk spent). One is a
    bad moment; ``HEALTH_CHANGE_FEED_FAILED_RUNS`` in a row is a feed that has moved or broken,
    and the run is degraded until one uses it again. Present when the run got the feed's answer."""
    runs = feed_failed_runs(facts.stats)
    if runs is None or config.feed_failed_runs <= 0:
        return []
    limit = config.feed_failed_runs
    return [Check("change_feed_failures", _passes(runs < limit, DEGRADED), runs, f"< {limit}")]


def _publishing(facts: RunFacts) -> list[Check]:
    errors = int(facts.stats.get("rfi_cn/lake/storage_errors", 0)) + len(facts.failed_files)
    checks = [Check("storage", _passes(errors == 0), errors, 0)]
    if facts.lake:
        checks.append(Check("manifest", _passes(facts.manifest_written), facts.manifest_written, True))
    return checks


def _coverage(facts: RunFacts, config: HealthConfig) -> list[Check]:
    exported = int(facts.stats.get("rfi_cn/articles/exported", 0))
    if exported < max(config.coverage_min_articles, 1):
        return []
    checks = []
    for name, floor in config.coverage_floors.items():
        value = round(facts.coverage.get(name, 0.0), 1)
        checks.append(Check(f"coverage:{name}", _passes(value >= floor, DEGRADED), value, floor))
    return checks


def _drift(facts: RunFacts, config: HealthConfig) -> list[Check]:
    exported = int(facts.stats.get("rfi_cn/articles/exported", 0))
    history = list(facts.history)[: config.drift_runs]
    if exported < max(config.coverage_min_articles, 1) or len(history) < config.drift_min_runs:
        return []
    checks = []
    for name in config.coverage_floors:
        past = [run[name] for run in history if name in run]
        if len(past) < config.drift_min_runs:
            continue
        median = round(statistics.median(past), 1)
        value = round(facts.coverage.get(name, 0.0), 1)
        floor = round(median - config.drift_points, 1)
        checks.append(Check(f"drift:{name}", _passes(value >= floor, DEGRADED), value, floor))
    return checks


def field_coverage(filled: Mapping[str, int], exported: int) -> dict[str, float]:
    """Percent of ``exported`` articles with each field non-empty."""
    if exported <= 0:
        return {}
    return {name: round(100.0 * count / exported, 1) for name, count in filled.items()}
