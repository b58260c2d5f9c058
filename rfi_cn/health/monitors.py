"""Spidermon monitors and notification actions over the run's health.

``RunHealthMonitorSuite`` runs when the engine stops (``SPIDERMON_ENGINE_STOP_MONITORS``):
Scrapy sends ``spider_closed`` to every handler at once, so a spider-close suite
would run while the feed files are still being stored, before the final numbers
(rows written, storage errors, the manifest) exist. By engine stop the health is
final. Its monitor reads the one evaluation (``RunHealth.final_health``): one test
fails for a ``failed`` run, one for a ``degraded`` run, naming the checks.

When a test fails, the suite's actions notify: ``WebhookAction`` POSTs the health
as JSON to ``HEALTH_WEBHOOK_URL`` (off while unset). Spidermon's own actions
(Slack, email, Sentry, ...) can be added to ``HEALTH_NOTIFY_ACTIONS``.
"""

from __future__ import annotations

import json
import logging
import urllib.request
import warnings
from typing import Any

from scrapy.exceptions import ScrapyDeprecationWarning
from scrapy.utils.misc import load_object

with warnings.catch_warnings():  # spidermon's imports warn about its own deprecated modules
    warnings.simplefilter("ignore", DeprecationWarning)
    from spidermon import Monitor, MonitorSuite
    from spidermon.contrib.monitors.mixins.spider import SpiderMonitorMixin
    from spidermon.core.actions import Action
    from spidermon.exceptions import SkipAction

from rfi_cn.health.checks import DEGRADED, FAILED, SEVERITY, Health
from rfi_cn.health.extension import RunHealth

logger = logging.getLogger(__name__)
# unittest leaves frames of modules that set __unittest out of a failure's traceback: the
# Spidermon report then shows the failed checks only, not a Python traceback.
__unittest = True

# Spidermon 1.27 logs its report through Spider.log(), deprecated in Scrapy: one warning per run
# in the user's log. Silenced for spidermon's modules only.
warnings.filterwarnings(
    "ignore", message=r"Spider\.log\(\) is deprecated", category=ScrapyDeprecationWarning, module=r"spidermon\."
)


def run_health(crawler: Any) -> tuple[RunHealth, Health]:
    extension = RunHealth.of(crawler)
    if extension is None:
        raise RuntimeError("rfi_cn.health.extension.RunHealth is not enabled")
    return extension, extension.final_health()


class RunHealthMonitor(Monitor, SpiderMonitorMixin):
    """Run health (rfi_cn.health.checks)."""

    def _named(self, status: str) -> list[str]:
        _, health = run_health(self.crawler)
        return [f"{c.name}={c.value} (threshold {c.threshold})" for c in health.checks if c.status == status]

    def test_no_check_failed(self) -> None:
        """No hard check failed."""
        failed = self._named(FAILED)
        self.assertFalse(failed, "run failed: " + "; ".join(failed))  # noqa: PT009 - spidermon monitors are TestCases

    def test_no_check_degraded(self) -> None:
        """No soft check failed."""
        degraded = self._named(DEGRADED)
        self.assertFalse(degraded, "run degraded: " + "; ".join(degraded))  # noqa: PT009


class WebhookAction(Action):
    """POST the run's health as JSON to ``HEALTH_WEBHOOK_URL`` (skipped while it is unset)."""

    def __init__(self, url: str | None = None, timeout: float = 10.0, min_status: str = DEGRADED) -> None:
        super().__init__()
        self.url = url
        self.timeout = timeout
        self.min_status = min_status

    @classmethod
    def from_crawler_kwargs(cls, crawler: Any) -> dict[str, Any]:
        return {
            "url": crawler.settings.get("HEALTH_WEBHOOK_URL"),
            "timeout": crawler.settings.getfloat("HEALTH_WEBHOOK_TIMEOUT", 10.0),
            "min_status": crawler.settings.get("HEALTH_WEBHOOK_MIN_STATUS", DEGRADED),
        }

    def run_action(self) -> None:
        if not self.url:
            raise SkipAction("HEALTH_WEBHOOK_URL is not set")
        extension, health = run_health(self.data.crawler)
        if SEVERITY[health.status] < SEVERITY.get(self.min_status, SEVERITY[DEGRADED]):
            raise SkipAction(f"health {health.status} is below HEALTH_WEBHOOK_MIN_STATUS")
        document = payload(extension, health)
        request = urllib.request.Request(
            self.url,
            data=json.dumps(document, ensure_ascii=False).encode("utf-8"),
            headers={"Content-Type": "application/json; charset=utf-8"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=self.timeout) as response:
            response.read()
        logger.info("Health notification sent to %s", self.url)


def payload(extension: RunHealth, health: Health) -> dict[str, Any]:
    """What a notification carries: the summary line, the status, the checks that did not pass."""
    from rfi_cn.lake.addon import job_id

    spider = extension.crawler.spider
    return {
        "text": extension.summary(),
        "spider": getattr(spider, "name", None),
        "job_id": job_id(spider) if spider is not None else None,
        "status": health.status,
        "problems": [check.as_dict() for check in health.problems],
        "manifest": extension.manifest_uri,
    }


class RunHealthMonitorSuite(MonitorSuite):
    monitors = [("Run health", RunHealthMonitor)]  # noqa: RUF012 - spidermon's declarative API

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        crawler = kwargs.get("crawler")
        extra = crawler.settings.getlist("HEALTH_NOTIFY_ACTIONS") if crawler is not None else []
        kwargs["monitors_failed_actions"] = [WebhookAction, *(load_object(name) for name in extra)]
        super().__init__(*args, **kwargs)
