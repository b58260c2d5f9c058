"""``python3 -m benchmarks.cpu_parts``: figure 4 split into the null spider, the crawl beyond
extraction (extraction stubbed: ``benchmarks.stubbed``) and the extraction. No timing is
asserted: every crawl must run, account for every article and export each page's URL once
(``Measured.problem``: a stub that handed every page the same record would fail it)."""

from __future__ import annotations

import re
import subprocess
import sys

from tests.crawling import ROOT


def test_the_three_crawls_run_and_the_split_is_printed() -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "benchmarks.cpu_parts", "--articles=8", "--repeats=1", "--padding=2000", "--related=3"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    out = completed.stdout
    assert re.findall(r"^  0 (\w+) +\d+\.\d\d ms per article$", out, re.M) == ["rfi_cn", "stubbed", "null"]
    assert re.search(r"beyond extraction \(stubbed - null\) -?\d+\.\d\d", out)
    assert re.search(r"extraction and its pipelines \(rfi_cn - stubbed\) -?\d+\.\d\d", out)
