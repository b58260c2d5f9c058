"""The docs cannot rot: every block marked ```` ```sh runnable ```` in README.md and docs/
is run, as written, against the fixture site.

The runnable blocks of one file are one bash script (``set -euo pipefail``; a variable
set in one block is there in the next), run from the repository root as a user would.
Three things differ from a user's shell, and only these:

- ``. .venv/bin/activate`` puts this test's Python first on ``PATH`` (the suite already
  runs inside the environment the README's commands make);
- port 8000 becomes a free port (other crawls may run on this machine), and a fixture
  site started with ``&`` is waited for until it accepts connections;
- background jobs left running are stopped when the script ends.

The default ``data/`` and ``crawl-state/`` must be untouched: runnable docs write to
scratch folders only.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.crawling import ROOT

DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
BLOCK = re.compile(r"^```sh runnable[^\n]*\n(.*?)^```", re.S | re.M)
PRELUDE = """set -euo pipefail
trap 'kill $(jobs -p) 2>/dev/null || true' EXIT
wait_for_port() {  # at most 20 s
  for _ in $(seq 200); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.1; done
  echo "nothing listens on port $1" >&2; return 1
}
"""


def runnable_blocks(path: Path) -> list[str]:
    return BLOCK.findall(path.read_text(encoding="utf-8"))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def as_test_script(blocks: list[str], port: int) -> str:
    """The blocks as one script, with the three substitutions of the module docstring."""
    bindir = Path(sys.executable).parent
    lines = []
    for line in "\n".join(blocks).splitlines():
        line = line.replace("8000", str(port))
        if line.strip() == ". .venv/bin/activate":
            line = f'export PATH="{bindir}:$PATH"  # (the test) . .venv/bin/activate'
        lines.append(line)
        if "fixture_site" in line and line.split("#")[0].rstrip().endswith("&"):
            lines.append(f"wait_for_port {port}")
    return PRELUDE + "\n".join(lines) + "\n"


def snapshot(folder: Path) -> dict[str, int]:
    return {str(path): path.stat().st_mtime_ns for path in folder.rglob("*")} if folder.exists() else {}


def test_the_readme_and_docs_have_runnable_blocks() -> None:
    assert len(runnable_blocks(ROOT / "README.md")) >= 3
    assert sum(len(runnable_blocks(path)) for path in DOCS) >= 6


@pytest.mark.parametrize("doc", [path for path in DOCS if runnable_blocks(path)], ids=lambda path: path.name)
def test_runnable_blocks_run(doc: Path, tmp_path: Path) -> None:
    script = tmp_path / "doc.sh"
    script.write_text(as_test_script(runnable_blocks(doc), free_port()), encoding="utf-8")
    defaults = {name: snapshot(ROOT / name) for name in ("data", "crawl-state")}
    environment = {**os.environ, "TMPDIR": str(tmp_path), "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    environment.pop("CRAWL_STATE_PATH", None)  # the conftest's; the docs name their own
    completed = subprocess.run(
        ["bash", str(script)], cwd=ROOT, capture_output=True, text=True, timeout=300, env=environment
    )
    output = completed.stdout + completed.stderr
    assert completed.returncode == 0, f"{doc.name}:\n{script.read_text()}\n---\n{output[-4000:]}"
    assert "Traceback" not in output, output[-4000:]
    assert "exit status" not in output, output[-4000:]  # a block's crawl that failed says so
    assert {name: snapshot(ROOT / name) for name in ("data", "crawl-state")} == defaults
    expected = EXPECTED.get(doc.name, [])
    for text in expected:
        assert text in completed.stdout, f"{text!r} not in\n{completed.stdout[-4000:]}"


# What the docs say their commands print (the parts that do not change between runs).
EXPECTED = {
    "README.md": [
        "/lake/rfi_cn/_manifests/",
        "/lake/rfi_cn/articles/dt=",
        "│ 中国     │       20 │",
        "│ 今日经济 │        1 │",
        "'id': 'T112'",
        "'published_at': '2025-11-28T",
    ],
    "discovery.md": [
        "sections: 3 articles\nrss: 5 articles\nsitemaps: 13 articles\narchives: 14 articles\n"
        "tags: 4 articles\nauthors: 3 articles\n",
        "october: 5 articles\n",
    ],
    "operations.md": [
        " 'rfi_cn/articles/exported': 36,\n 'rfi_cn/articles/failed': 1,\n 'rfi_cn/articles/rejected': 1,\n",
        " 'rfi_cn/articles/exported': 0,\n 'rfi_cn/articles/failed': 0,\n 'rfi_cn/articles/rejected': 1,\n"
        " 'rfi_cn/articles/retried': 1,\n 'rfi_cn/articles/skipped_known': 21,\n",
    ],
}
