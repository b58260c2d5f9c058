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
