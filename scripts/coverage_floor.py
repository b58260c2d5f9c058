"""Fail when any module of rfi_cn is covered below the per-file floor.

The total floor (``[tool.coverage.report] fail_under``) lets a small new module
go entirely untested; this per-file floor (``[tool.rfi_cn] per_file_coverage``
in pyproject.toml) does not. Reads the data pytest-cov left in ``.coverage``.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    floor = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["rfi_cn"]["per_file_coverage"]
    report = subprocess.run(
        [sys.executable, "-m", "coverage", "json", "-q", "-o", "-"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    files = json.loads(report.stdout)["files"]
    covered = {name: data["summary"]["percent_covered"] for name, data in files.items()}
    low = {name: percent for name, percent in covered.items() if percent < floor}
    for name, percent in sorted(low.items()):
        print(f"{name}: {percent:.1f}% covered, below the per-file floor of {floor}%")
    if not low:
        print(f"every module is covered at {floor}% or more ({len(files)} modules)")
    return 1 if low else 0


if __name__ == "__main__":
    sys.exit(main())
