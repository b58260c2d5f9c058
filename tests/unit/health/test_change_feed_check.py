"""The ``change_feed`` health check: listed only when a walk was compared with the feed."""

from __future__ import annotations

from rfi_cn.health.checks import Check, HealthConfig, RunFacts, evaluate


def feed_checks(stats: dict[str, int]) -> list[Check]:
    health = evaluate(RunFacts(stats={"rfi_cn/articles/exported": 0, **stats}, lake=False), HealthConfig())
    return [check for check in health.checks if check.name == "change_feed"]


def test_missed_articles_degrade_and_a_complete_feed_passes() -> None:
    assert feed_checks({}) == []  # no walk compared with a feed
    assert feed_checks({"rfi_cn/change_feed/missed": 0}) == [Check("change_feed", "ok", 0, 0)]
    assert feed_checks({"rfi_cn/change_feed/missed": 3}) == [Check("change_feed", "degraded", 3, 0)]
    health = evaluate(RunFacts(stats={"rfi_cn/change_feed/missed": 3}, lake=False), HealthConfig())
    assert health.checks[-1].name == "change_feed"  # appended after the existing checks


def failure_checks(stats: dict[str, int], config: HealthConfig | None = None) -> list[Check]:
    facts = RunFacts(stats={"rfi_cn/articles/exported": 0, **stats}, lake=False)
    return [check for check in evaluate(facts, config or HealthConfig()).checks if check.name == "change_feed_failures"]


BEFORE = "rfi_cn/change_feed/failed_runs_before"


def test_a_feed_that_fails_three_runs_in_a_row_degrades_the_run() -> None:
    assert failure_checks({}) == []  # the feed was not requested
    assert failure_checks({BEFORE: 5}) == []  # requested, but the run stopped before it answered
    assert failure_checks({BEFORE: 5, "rfi_cn/change_feed/articles": 12}) == [
        Check("change_feed_failures", "ok", 0, "< 3")  # used: the count starts again
    ]
    assert failure_checks({BEFORE: 0, "rfi_cn/change_feed/failed": 1}) == [
        Check("change_feed_failures", "ok", 1, "< 3")
    ]
    assert failure_checks({BEFORE: 1, "rfi_cn/change_feed/invalid": 1, "rfi_cn/change_feed/articles": 0}) == [
        Check("change_feed_failures", "ok", 2, "< 3")
    ]
    assert failure_checks({BEFORE: 1, "rfi_cn/change_feed/articles": 0}) == [  # a urlset of nothing
        Check("change_feed_failures", "ok", 2, "< 3")
    ]
    assert failure_checks({BEFORE: 2, "rfi_cn/change_feed/failed": 1}) == [
        Check("change_feed_failures", "degraded", 3, "< 3")
    ]
    assert failure_checks({BEFORE: 2, "rfi_cn/change_feed/failed": 1}, HealthConfig(feed_failed_runs=0)) == []
    assert failure_checks({BEFORE: 0, "rfi_cn/change_feed/failed": 1}, HealthConfig(feed_failed_runs=1)) == [
        Check("change_feed_failures", "degraded", 1, "< 1")
    ]
