"""The README's two commands, their Python parts, in a brand-new virtual environment.

``scripts/setup`` (the first command) and ``scripts/setup-dev`` (the second) run with
``VENV`` pointing at an empty folder: ``python3 -m venv``, then ``pip install -r
requirements.txt`` / ``requirements-dev.txt`` from the package index (pip's download
cache may serve files it already has; nothing is pre-installed). The fresh environment
must then list the spider, crawl the fixture site, and import every test module. Their
apt parts are not exercised here (this machine has python3-venv, redis-server and curl).

Slow (about 1-2 minutes, most of it pip): marked ``slow``; ``scripts/check`` and
``.ci/run`` run it. Skipped only when no package index answers.
"""

from __future__ import annotations

import os
import subprocess
import urllib.request
from pathlib import Path

import pytest

from tests.crawling import FAST, ROOT

pytestmark = pytest.mark.slow


def index_url() -> str:
    configured = subprocess.run(
        ["python3", "-m", "pip", "config", "get", "global.index-url"], capture_output=True, text=True
    ).stdout.strip()
    return os.environ.get("PIP_INDEX_URL") or configured or "https://pypi.org/simple/"


def registry_unreachable() -> str | None:
    """Why no package index can be used, or None when one answers."""
    url = index_url().rstrip("/") + "/scrapy/"
    try:
        with urllib.request.urlopen(url, timeout=15) as response:
            response.read(1)
    except OSError as exc:
        return f"no package registry reachable ({url}: {exc})"
    return None


def run(command: list[str], env: dict[str, str], timeout: float = 900) -> subprocess.CompletedProcess[str]:
    completed = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)
    assert completed.returncode == 0, f"{command}:\n{completed.stdout[-3000:]}\n{completed.stderr[-3000:]}"
    return completed


def test_the_readme_commands_install_into_a_fresh_virtual_environment(fresh_site, tmp_path: Path) -> None:
    reason = registry_unreachable()
    if reason:
        pytest.skip(reason)
    venv = tmp_path / "venv"
    env = {key: value for key, value in os.environ.items() if key not in ("VIRTUAL_ENV", "PYTHONPATH")}
    env.update(VENV=str(venv), PIP_DISABLE_PIP_VERSION_CHECK="1", PIP_ROOT_USER_ACTION="ignore")
    env.pop("CRAWL_STATE_PATH", None)
    python = str(venv / "bin" / "python")

    # The first command: scripts/setup, then the spider from the new environment.
    run(["scripts/setup"], env)
    assert (venv / "pyvenv.cfg").exists()
    assert run([str(venv / "bin" / "scrapy"), "list"], env).stdout == "rfi_cn\n"
    workdir = tmp_path / "crawl"
    server, _ = fresh_site
    command = [python, "-m", "scrapy", "crawl", "rfi_cn", "-a", "sections=中国", "-a", "max_pages=1"]
    settings = {**FAST, "RFI_BASE_URL": server.base_url, "DATA_LAKE_URI": str(workdir / "lake"),
                "CRAWL_STATE_PATH": str(workdir / "state.sqlite3")}  # fmt: skip
    for name, value in settings.items():
        command += ["-s", f"{name}={value}"]
    crawl = run(command, env, timeout=120)
    assert "'rfi_cn/articles/exported': 6," in crawl.stderr
    assert "'rfi_cn/articles/unaccounted': 0," in crawl.stderr
    assert len(list((workdir / "lake" / "rfi_cn" / "articles").glob("dt=*/part-*.jsonl"))) == 1

    # The second command's Python part: scripts/setup-dev into the same environment, then
    # its tools run and every test module imports there.
    run(["scripts/setup-dev"], env)
    run([python, "-m", "ruff", "--version"], env)
    run([python, "-m", "mypy", "--version"], env)
    collected = run([python, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider"], env)
    assert " tests collected" in collected.stdout.splitlines()[-1]
