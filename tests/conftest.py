"""Shared test helpers: the fixture pages, the real pages in ../shared when present."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from parsel import Selector

# Property tests assert values, not time: no per-example deadline, and no failing because the
# machine is busy (the suite runs on two workers beside the crawls' servers).
settings.register_profile("rfi_cn", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("rfi_cn")

HERE = Path(__file__).parent
PAGES = HERE / "pages"
SHARED = HERE.parent.parent / "shared"


def fixture_selector(name: str) -> Selector:
    return Selector(text=(PAGES / name).read_text(encoding="utf-8"), type="html")


def shared_file(relative: str) -> Path:
    """A file from ../shared; the test is skipped when it is not there."""
    path = SHARED / relative
    if not path.exists():
        pytest.skip(f"{path} is not available")
    return path


def shared_selector(relative: str) -> Selector:
    return Selector(body=shared_file(relative).read_bytes(), type="html", encoding="utf-8")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The tests marked ``slow`` first: on two workers (``scripts/check``) one of them starts the
    fresh-environment install at once while the other takes the rest, instead of both waiting on it."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


@pytest.fixture(autouse=True)
def own_crawl_state(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Crawls started by a test default to a crawl state of their own (``CRAWL_STATE_PATH``
    from the environment), so no crawl skips what another test's crawl exported."""
    monkeypatch.setenv("CRAWL_STATE_PATH", str(tmp_path_factory.mktemp("crawl-state") / "rfi_cn.sqlite3"))
