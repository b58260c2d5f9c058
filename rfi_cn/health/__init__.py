"""Run health: checks, the run's status (ok / degraded / failed), Spidermon monitors,
notifications, the summary line and progress lines. See docs/health.md."""
