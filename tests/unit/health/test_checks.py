"""The health checks: one pure function decides every run's status."""

from __future__ import annotations

from typing import Any

from scrapy.settings import Settings

from rfi_cn.health.checks import (
    DEFAULT_COVERAGE_FLOORS,
    Health,
    HealthConfig,
    RunFacts,
    evaluate,
    field_coverage,
    requests_made,
)

FULL = dict.fromkeys(DEFAULT_COVERAGE_FLOORS, 100.0)


def healthy_stats(**extra: Any) -> dict[str, Any]:
    stats = {
        "rfi_cn/articles/discovered": 40,
        "rfi_cn/articles/exported": 38,
        "rfi_cn/articles/rejected": 1,
        "rfi_cn/articles/failed": 1,
        "rfi_cn/failures/reason/gone": 1,
        "downloader/request_count": 50,
    }
    stats.update(extra)
    return stats


def facts(**changes: Any) -> RunFacts:
    values: dict[str, Any] = {
        "stats": healthy_stats(),
        "coverage": dict(FULL),
        "front_page": 200,
        "front_page_requested": True,
        "sections": {"中国": True, "政治": True},
    }
    values.update(changes)
    return RunFacts(**values)


def problems(health: Health) -> dict[str, tuple[str, Any, Any]]:
    return {check.name: (check.status, check.value, check.threshold) for check in health.problems}


def test_a_healthy_run_is_ok() -> None:
    health = evaluate(facts(), HealthConfig())
    assert health.status == "ok"
    assert problems(health) == {}
    assert health.describe() == "health ok"


def test_nothing_fetched_fails() -> None:
    stats = {"downloader/request_count": 2, "rfi_cn/failures/reason/transient": 1, "rfi_cn/listings/failed": 1}
    health = evaluate(facts(stats=stats, front_page=None, coverage={}, sections={}), HealthConfig())
    assert health.status == "failed"
    assert problems(health) == {
        "front_page": ("failed", None, "2xx"),
        "discovered": ("failed", 0, "> 0"),
        "transient_share": ("failed", 50.0, 20.0),
    }


def test_blocked_share_counts_pages_not_retries() -> None:
    # 30 requests of which 10 retries: 20 pages; 5 blocked = 25% > 20%
    stats = healthy_stats(**{"downloader/request_count": 30, "retry/count": 10, "rfi_cn/failures/reason/blocked": 5})
    assert requests_made(stats) == 20
    assert problems(evaluate(facts(stats=stats), HealthConfig())) == {"blocked_share": ("failed", 25.0, 20.0)}
    assert evaluate(facts(stats=stats), HealthConfig(failure_share=30.0)).status == "ok"


def test_exactly_at_the_share_passes() -> None:
    stats = healthy_stats(**{"downloader/request_count": 10, "rfi_cn/failures/reason/transient": 2})
    assert evaluate(facts(stats=stats), HealthConfig()).status == "ok"


def test_an_incremental_run_with_nothing_new_is_ok() -> None:
    stats = {"rfi_cn/articles/skipped_known": 30, "downloader/request_count": 5}
    health = evaluate(facts(stats=stats, coverage={}), HealthConfig())
    assert health.status == "ok", problems(health)


def test_a_quiet_run_whose_only_article_is_a_retry_failing_again_is_ok() -> None:
    retry = {
        "rfi_cn/articles/discovered": 1,
        "rfi_cn/articles/retried": 1,
        "rfi_cn/articles/rejected": 1,
        "rfi_cn/articles/skipped_known": 20,
        "downloader/request_count": 4,
    }
    assert evaluate(facts(stats=retry, coverage={}), HealthConfig()).status == "ok"
    new_and_rejected = {**retry, "rfi_cn/articles/discovered": 2, "rfi_cn/articles/rejected": 2}
    assert problems(evaluate(facts(stats=new_and_rejected, coverage={}), HealthConfig()))["exported"] == (
        "failed",
        0,
        "> 0",
    )


def test_a_share_of_rejects_above_the_threshold_degrades_the_run() -> None:
    some_rejected = healthy_stats(**{"rfi_cn/articles/exported": 34, "rfi_cn/articles/rejected": 5})  # 5 of 40
    assert problems(evaluate(facts(stats=some_rejected), HealthConfig())) == {"reject_share": ("degraded", 12.5, 10.0)}
    assert evaluate(facts(), HealthConfig()).status == "ok"  # 1 of 40: 2.5 %
    few = {"rfi_cn/articles/discovered": 4, "rfi_cn/articles/exported": 2, "rfi_cn/articles/rejected": 2}
    assert "reject_share" not in problems(evaluate(facts(stats={**few, "downloader/request_count": 6}), HealthConfig()))
    retries = healthy_stats(
        **{"rfi_cn/articles/retried": 4, "rfi_cn/articles/exported": 34, "rfi_cn/articles/rejected": 5}
    )
    assert evaluate(facts(stats=retries), HealthConfig()).status == "ok"  # 1 new reject of 36 new articles


def test_a_section_cut_off_by_the_listing_page_bound_degrades_the_run() -> None:
    cut = healthy_stats(**{"rfi_cn/listings/stopped_by_max_listing_pages": 2})
    assert problems(evaluate(facts(stats=cut), HealthConfig())) == {"listing_limit": ("degraded", 2, 0)}
    user_bound = healthy_stats(**{"rfi_cn/listings/stopped_by_limit": 3})  # -a max_pages: the user's choice
    assert evaluate(facts(stats=user_bound), HealthConfig()).status == "ok"


def test_a_failed_crawl_state_write_degrades_the_run() -> None:
    stats = healthy_stats(**{"rfi_cn/state/write_errors": 2})
    assert problems(evaluate(facts(stats=stats), HealthConfig())) == {"state_writes": ("degraded", 2, 0)}


def test_all_unchanged_is_ok_but_rejected_all_fails() -> None:
    unchanged = {"rfi_cn/articles/discovered": 5, "rfi_cn/articles/unchanged": 5, "downloader/request_count": 6}
    assert evaluate(facts(stats=unchanged, coverage={}), HealthConfig()).status == "ok"
    rejected = {"rfi_cn/articles/discovered": 5, "rfi_cn/articles/rejected": 5, "downloader/request_count": 6}
    assert problems(evaluate(facts(stats=rejected, coverage={}), HealthConfig())) == {"exported": ("failed", 0, "> 0")}


def test_unaccounted_storage_errors_failed_files_and_manifest_fail() -> None:
    stats = healthy_stats(**{"rfi_cn/articles/discovered": 42})
    assert problems(evaluate(facts(stats=stats), HealthConfig())) == {"unaccounted": ("failed", 2, 0)}
    stats = healthy_stats(**{"rfi_cn/lake/storage_errors": 1})
    assert problems(evaluate(facts(stats=stats), HealthConfig())) == {"storage": ("failed", 1, 0)}
    failed_files = [{"kind": "articles", "path": "rfi_cn/articles/x.jsonl"}]
    assert problems(evaluate(facts(failed_files=failed_files), HealthConfig())) == {"storage": ("failed", 1, 0)}
    assert problems(evaluate(facts(manifest_written=False), HealthConfig())) == {"manifest": ("failed", False, True)}
    names = [check.name for check in evaluate(facts(lake=False, manifest_written=False), HealthConfig()).checks]
    assert "manifest" not in names


def test_a_distributed_worker_is_not_judged_on_run_wide_counts() -> None:
    # a worker discovers articles another worker fetches: its own counts do not add up
    stats = {"rfi_cn/articles/discovered": 10, "rfi_cn/articles/exported": 3, "downloader/request_count": 12}
    assert evaluate(facts(stats=stats), HealthConfig()).status == "failed"
    names = [check.name for check in evaluate(facts(stats=stats, distributed=True), HealthConfig()).checks]
    assert not {"front_page", "start_pages", "listings", "discovered", "exported", "unaccounted"} & set(names)
    assert evaluate(facts(stats=stats, distributed=True, front_page=None), HealthConfig()).status == "ok"


def test_articles_waiting_in_a_jobdir_are_not_unaccounted() -> None:
    stats = healthy_stats(**{"rfi_cn/articles/discovered": 45, "rfi_cn/articles/pending_in_jobdir": 5})
    assert evaluate(facts(stats=stats), HealthConfig()).status == "ok"


def test_listings_some_sections_degrade_none_fails() -> None:
    some = evaluate(facts(sections={"中国": True, "政治": False, "国际": False}), HealthConfig())
    assert problems(some) == {"listings": ("degraded", "1/3 (missing 国际, 政治)", "1 page per section")}
    none = evaluate(facts(sections={"中国": False}), HealthConfig())
    assert none.status == "failed"


def test_start_pages_none_fails_some_degrade() -> None:
    pages = {f"https://www.rfi.fr/cn/{n}": n % 2 == 0 for n in range(6)}
    some = evaluate(facts(start_pages=pages), HealthConfig())
    assert problems(some) == {
        "start_pages": (
            "degraded",
            "3/6 (missing https://www.rfi.fr/cn/1, https://www.rfi.fr/cn/3, https://www.rfi.fr/cn/5)",
            "every start page 2xx",
        )
    }
    none = evaluate(facts(start_pages=dict.fromkeys(pages, False)), HealthConfig())
    assert problems(none)["start_pages"][:2] == (
        "failed",
        "0/6 (missing https://www.rfi.fr/cn/0, https://www.rfi.fr/cn/1, https://www.rfi.fr/cn/2 and 3 more)",
    )


def test_a_field_below_its_floor_degrades() -> None:
    coverage = {**FULL, "authors": 0.0, "lead": 89.9}
    health = evaluate(facts(coverage=coverage), HealthConfig())
    assert health.status == "degraded"
    assert problems(health) == {"coverage:authors": ("degraded", 0.0, 20.0), "coverage:lead": ("degraded", 89.9, 90.0)}
    assert health.describe() == "health degraded (coverage:lead 89.9 vs 90, coverage:authors 0 vs 20)"


def test_failed_outranks_degraded() -> None:
    health = evaluate(facts(coverage={**FULL, "tags": 0.0}, manifest_written=False), HealthConfig())
    assert health.status == "failed"
    assert [check.name for check in health.problems] == ["manifest", "coverage:tags"]


def test_drift_against_the_median_of_history() -> None:
    history = [{**FULL, "tags": value} for value in (100.0, 90.0, 96.0, 40.0)]  # median 93
    health = evaluate(facts(coverage={**FULL, "tags": 60.0}, history=history), HealthConfig())
    assert problems(health) == {"drift:tags": ("degraded", 60.0, 68.0)}
    kept = evaluate(facts(coverage={**FULL, "tags": 68.0}, history=history), HealthConfig())
    assert kept.status == "ok"


def test_drift_needs_enough_history_and_only_the_last_runs() -> None:
    short = [{**FULL, "tags": 100.0}] * 2
    assert evaluate(facts(coverage={**FULL, "tags": 60.0}, history=short), HealthConfig()).status == "ok"
    # the last 3 runs are already at 60: older runs at 100 are outside HEALTH_DRIFT_RUNS
    history = [{**FULL, "tags": 60.0}] * 3 + [{**FULL, "tags": 100.0}] * 5
    config = HealthConfig(drift_runs=3)
    assert evaluate(facts(coverage={**FULL, "tags": 60.0}, history=history), config).status == "ok"


def test_no_coverage_checks_without_exported_articles() -> None:
    stats = {"rfi_cn/articles/discovered": 5, "rfi_cn/articles/unchanged": 5, "downloader/request_count": 6}
    health = evaluate(facts(stats=stats, coverage={}, history=[FULL] * 5), HealthConfig())
    assert not [check for check in health.checks if ":" in check.name]


def test_config_from_settings() -> None:
    settings = Settings(
        {
            "HEALTH_MAX_FAILURE_SHARE": "5",
            "HEALTH_COVERAGE_FLOORS": '{"title": 99}',
            "HEALTH_DRIFT_POINTS": "10",
            "HEALTH_DRIFT_RUNS": "7",
            "HEALTH_DRIFT_MIN_RUNS": "1",
        }
    )
    config = HealthConfig.from_settings(settings)
    assert config == HealthConfig(
        failure_share=5.0, coverage_floors={"title": 99.0}, drift_points=10.0, drift_runs=7, drift_min_runs=1
    )
    assert HealthConfig.from_settings(Settings()).coverage_floors == DEFAULT_COVERAGE_FLOORS


def test_field_coverage() -> None:
    assert field_coverage({"title": 3, "authors": 1}, 3) == {"title": 100.0, "authors": 33.3}
    assert field_coverage({"title": 0}, 0) == {}
