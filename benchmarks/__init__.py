"""Benchmarks of rfi_cn: the five figures of issue 18 (docs/performance.md).

``python3 -m benchmarks`` (see ``--help``; ``--quick`` for a smoke run) prints
requests per new article (two scheduled-run scenarios), extraction against one
lxml parse, crawl CPU against a null spider and memory growth, each with its
target and pass/fail. Not tests: nothing here is collected by pytest, and
nothing asserts a timing; ``tests/e2e/test_benchmarks.py`` checks the harness runs.
"""
