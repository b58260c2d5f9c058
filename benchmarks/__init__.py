"""Benchmarks of rfi_cn: extraction cost, crawl throughput and memory, incremental cost.

Run ``python3 -m benchmarks`` (see ``--help``) after
``python3 -m pip install -r requirements-bench.txt``. Not tests: nothing here
is collected by pytest, and nothing asserts a timing; the output is a report.
"""
