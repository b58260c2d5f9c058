"""The change feed read first by default (``RFI_CHANGE_FEED``), against a small newsroom.

A module-scoped first run at ``FIRST_RUN`` fills a crawl state (an empty state: the walk,
no feed request); every test copies that state and crawls the site as it is 24 h later,
with the feed it serves: the real one, hostile ones, one that lies. Request logs and
counts are exact.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from redis import Redis

from fixture_site.change_feed import (
    FEED,
    FIRST_RUN,
    SECOND_RUN,
    feed_of,
    hostile_feeds,
    in_feed,
    new_between,
    newsroom,
    routes,
)
from fixture_site.newsroom import SECTIONS
from fixture_site.pages import article_html
from fixture_site.server import serving
from fixture_site.site import Page
from tests.crawling import CrawlResult, run_crawl
from tests.e2e.test_distributed import published, start_worker
from tests.redis_server import redis_server

SECTION_PAGES = [f"/cn/{name}/" for name in SECTIONS]
NEW = new_between(FIRST_RUN, SECOND_RUN)
KNOWN = newsroom().published_by(FIRST_RUN)
# Known articles published within the 48 h refresh window before the second run: the walk's
# listings name them, and without a lastmod the window rule fetches them again.
IN_WINDOW = [item for item in KNOWN if item.at >= SECOND_RUN - timedelta(hours=48)]


def iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


@pytest.fixture(scope="module")
def first_state(tmp_path_factory: pytest.TempPathFactory) -> Path:
    workdir = tmp_path_factory.mktemp("change-feed-first")
    state = workdir / "state.sqlite3"
    with serving(routes(FIRST_RUN)) as server:
        result = run_crawl(
            server.base_url, workdir, settings={"CRAWL_STATE_PATH": str(state), "INCREMENTAL_NOW": iso(FIRST_RUN)}
        )
        assert result.returncode == 0, result.log[-3000:]
        assert FEED not in server.requests  # an empty state: nothing the feed could cover
    assert sorted(row["id"] for row in result.records("articles")) == sorted(f"T{i.number:03d}" for i in KNOWN)
    assert meta(state) == {"last_walk": FIRST_RUN.isoformat()}
    return state


def meta(state: Path) -> dict[str, str]:
    with sqlite3.connect(state) as connection:
        return dict(connection.execute("SELECT name, value FROM meta").fetchall())


def second_run(
    first_state: Path, tmp_path: Path, site: dict[str, Page], now: datetime = SECOND_RUN, **settings: str
) -> tuple[CrawlResult, list[str], Path]:
    """A run on a copy of the first run's state; the crawl, the paths requested, the state."""
    state = tmp_path / "state.sqlite3"
    if not state.exists():
        shutil.copy(first_state, state)
    with serving(site) as server:
        workdir = tmp_path / f"run-{len(list(tmp_path.glob('run-*')))}"
        result = run_crawl(
            server.base_url,
            workdir,
            settings={"CRAWL_STATE_PATH": str(state), "INCREMENTAL_NOW": iso(now), **settings},
        )
        requests = list(server.requests)
    assert result.returncode == 0, result.log[-3000:]
    assert result.stats["rfi_cn/articles/unaccounted"] == 0
    return result, requests, state


def ids(result: CrawlResult) -> list[str]:
    return sorted(row["id"] for row in result.records("articles"))


def codes(items: list[Any]) -> list[str]:
    return sorted(f"T{item.number:03d}" for item in items)


def test_the_default_run_reads_the_feed_and_fetches_only_the_new_articles(first_state: Path, tmp_path: Path) -> None:
    result, requests, state = second_run(first_state, tmp_path, routes(SECOND_RUN))
    assert sorted(requests) == sorted(["/robots.txt", FEED, *(item.path for item in NEW)])
    assert ids(result) == codes(NEW)
    assert result.stats["rfi_cn/change_feed/covered"] == 1
    assert result.stats["rfi_cn/change_feed/articles"] == len(in_feed(SECOND_RUN)) == len(NEW) + 4
    assert result.stats["rfi_cn/articles/skipped_known"] == 4  # in the window, but their lastmod is older
    assert "rfi_cn/change_feed/missed" not in result.stats  # no walk: nothing compared
    assert meta(state) == {"last_walk": FIRST_RUN.isoformat()}  # no walk in this run
    health = manifest(result)["health"]
    assert health["status"] == "ok"
    assert "change_feed" not in [check["name"] for check in health["checks"]]


@pytest.mark.parametrize("kind", sorted(hostile_feeds()))
def test_a_hostile_feed_costs_one_request_and_the_walk_loses_nothing(
    first_state: Path, tmp_path: Path, kind: str
) -> None:
    site = {**routes(SECOND_RUN), FEED: hostile_feeds()[kind]}
    result, requests, state = second_run(
        first_state, tmp_path, site, **({"DOWNLOAD_TIMEOUT": "2"} if kind == "stall" else {})
    )
    assert requests.count(FEED) == 1
    expected = ["/robots.txt", FEED, "/cn/", *SECTION_PAGES, *(item.path for item in NEW + IN_WINDOW)]
    assert sorted(requests) == sorted(expected)
    assert ids(result) == codes(NEW)  # the window's known articles are fetched again, unchanged
    assert result.stats["rfi_cn/articles/unchanged"] == len(IN_WINDOW)
    keys = ("failed", "invalid", "articles", "covered")
    fell_back = {key: result.stats.get(f"rfi_cn/change_feed/{key}") for key in keys}
    failing = kind in ("404", "403", "500", "redirect_loop", "redirect_away", "huge", "reset", "truncated", "stall")
    assert fell_back == ({"failed": 1, "invalid": None, "articles": None, "covered": None} if failing else
                         {"failed": None, "invalid": None, "articles": 0, "covered": None} if kind == "empty_urlset" else
                         {"failed": None, "invalid": 1, "articles": 0, "covered": None})  # fmt: skip
    assert result.records("failures") == []  # the feed is no page of the site's content
    health = manifest(result)["health"]
    assert health["status"] == "ok"
    assert {"name": "change_feed_failures", "status": "ok", "value": 1, "threshold": "< 3"} in health["checks"]
    assert meta(state) == {"last_walk": SECOND_RUN.isoformat(), "feed_failed_runs": "1"}


def test_a_feed_unusable_three_runs_in_a_row_degrades_the_third_until_one_uses_it(
    first_state: Path, tmp_path: Path
) -> None:
    statuses, previous = [], FIRST_RUN
    for hours in (0, 8, 16):  # the site moved its feed: 404 on three runs, each walks
        now = SECOND_RUN + timedelta(hours=hours)
        gone = {**routes(now), FEED: hostile_feeds()["404"]}
        result, requests, state = second_run(first_state, tmp_path, gone, now=now)
        assert "/cn/" in requests and ids(result) == codes(new_between(previous, now))
        checks = {check["name"]: check for check in manifest(result)["health"]["checks"]}
        statuses.append((checks["change_feed_failures"]["status"], checks["change_feed_failures"]["value"]))
        previous = now
    assert statuses == [("ok", 1), ("ok", 2), ("degraded", 3)]
    assert manifest(result)["health"]["status"] == "degraded"
    assert "health degraded (change_feed_failures 3 vs < 3)" in result.log.splitlines()[-1]
    assert meta(state)["feed_failed_runs"] == "3"

    now = SECOND_RUN + timedelta(days=1)  # the feed is back (listing the last 48 h: 12 articles)
    result, requests, state = second_run(first_state, tmp_path, routes(now), now=now)
    assert result.stats["rfi_cn/change_feed/articles"] == len(in_feed(now)) == 12
    health = manifest(result)["health"]
    assert health["status"] == "ok", [check for check in health["checks"] if check["status"] != "ok"]
    assert {"name": "change_feed_failures", "status": "ok", "value": 0, "threshold": "< 3"} in health["checks"]
    assert "feed_failed_runs" not in meta(state)


def manifest(result: CrawlResult) -> dict[str, Any]:
    (path,) = (result.lake / "rfi_cn" / "_manifests").glob("*.json")
    document: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return document


def test_a_known_article_is_fetched_again_only_when_its_lastmod_is_later(first_state: Path, tmp_path: Path) -> None:
    changed, touched, same = IN_WINDOW[0], IN_WINDOW[1], IN_WINDOW[2]
    later = SECOND_RUN - timedelta(hours=1)
    site = routes(SECOND_RUN)
    edited = newsroom().article(changed)
    edited.paragraphs = [*edited.paragraphs, "编辑部随后补充了一段新的说明。"]  # a new content hash
    site[changed.path] = Page(200, article_html(edited).encode())
    site[FEED] = feed_of(in_feed(SECOND_RUN), {changed.number: later, touched.number: later})
    result, requests, state = second_run(first_state, tmp_path, site)
    assert sorted(requests) == sorted(["/robots.txt", FEED, changed.path, touched.path, *(i.path for i in NEW)])
    assert same.path not in requests  # in the window, lastmod unchanged
    assert ids(result) == codes([changed, *NEW])
    assert result.stats["rfi_cn/articles/unchanged"] == 1  # `touched`: a later lastmod, the same text
    with sqlite3.connect(state) as connection:
        recorded = dict(connection.execute("SELECT id, modified_at FROM articles").fetchall())
    assert recorded[f"T{changed.number:03d}"] == recorded[f"T{touched.number:03d}"] == later.isoformat()
    assert recorded[f"T{same.number:03d}"] == FIRST_RUN.isoformat()  # fetched by the first run's walk
    assert {recorded[f"T{item.number:03d}"] for item in NEW} == {item.at.isoformat() for item in NEW}

    result, requests, _ = second_run(first_state, tmp_path, site)  # the same feed again: nothing to fetch
    assert sorted(requests) == ["/robots.txt", FEED]
    assert result.stats["rfi_cn/articles/skipped_known"] == len(in_feed(SECOND_RUN))


def test_a_state_written_before_lastmod_was_kept_refreshes_by_the_window(first_state: Path, tmp_path: Path) -> None:
    state = tmp_path / "state.sqlite3"
    shutil.copy(first_state, state)
    with sqlite3.connect(state) as connection:  # the rows of an older version: no modified_at
        connection.execute("UPDATE articles SET modified_at = NULL")
    result, requests, _ = second_run(first_state, tmp_path, routes(SECOND_RUN))
    assert sorted(requests) == sorted(["/robots.txt", FEED, *(item.path for item in NEW + IN_WINDOW)])
    assert result.stats["rfi_cn/articles/unchanged"] == len(IN_WINDOW)


@pytest.mark.parametrize("walk_every", ["0", "23"])
def test_a_walk_is_due_after_walk_every_hours_even_when_the_feed_covers(
    first_state: Path, tmp_path: Path, walk_every: str
) -> None:
    result, requests, state = second_run(first_state, tmp_path, routes(SECOND_RUN), RFI_WALK_EVERY_HOURS=walk_every)
    assert sorted(requests) == sorted(["/robots.txt", FEED, "/cn/", *SECTION_PAGES, *(i.path for i in NEW)])
    assert ids(result) == codes(NEW)  # the window's known articles came through the feed: not fetched again
    assert result.stats["rfi_cn/change_feed/walked/walk_every"] == 1
    assert result.stats["rfi_cn/change_feed/missed"] == 0  # compared: the feed listed every new article
    checks = {check["name"]: check for check in manifest(result)["health"]["checks"]}
    assert checks["change_feed"] == {"name": "change_feed", "status": "ok", "value": 0, "threshold": 0}
    assert meta(state) == {"last_walk": SECOND_RUN.isoformat()}


def test_a_feed_that_omits_new_articles_is_caught_by_the_walk_and_distrusted(first_state: Path, tmp_path: Path) -> None:
    left_out = [item for item in NEW if item.section == "国际"]
    assert len(left_out) == 2
    lying = {**routes(SECOND_RUN), FEED: feed_of([i for i in in_feed(SECOND_RUN) if i not in left_out])}
    result, requests, state = second_run(first_state, tmp_path, lying, RFI_WALK_EVERY_HOURS="0")
    assert ids(result) == codes(NEW)  # nothing lost: the walk found them
    assert result.stats["rfi_cn/change_feed/missed"] == 2
    health = manifest(result)["health"]
    assert health["status"] == "degraded"
    assert [check for check in health["checks"] if check["status"] != "ok"] == [
        {"name": "change_feed", "status": "degraded", "value": 2, "threshold": 0}
    ]
    assert meta(state)["feed_distrusted"] == SECOND_RUN.isoformat()

    third = SECOND_RUN + timedelta(hours=1)  # the feed complete again, no walk due: distrust walks
    result, requests, state = second_run(first_state, tmp_path, routes(third), now=third)
    assert "/cn/" in requests and result.stats["rfi_cn/change_feed/walked/distrusted"] == 1
    assert result.stats["rfi_cn/change_feed/missed"] == 0
    assert meta(state) == {"last_walk": third.isoformat()}  # a complete feed: trusted again

    result, requests, _ = second_run(first_state, tmp_path, routes(third), now=third)
    assert sorted(requests) == ["/robots.txt", FEED] and result.stats["rfi_cn/change_feed/covered"] == 1


def test_a_stale_feed_is_caught_by_the_walk(first_state: Path, tmp_path: Path) -> None:
    stale = {**routes(SECOND_RUN), FEED: feed_of(in_feed(FIRST_RUN))}  # yesterday's feed served today
    result, requests, state = second_run(first_state, tmp_path, stale, RFI_WALK_EVERY_HOURS="0")
    assert sorted(requests) == sorted(["/robots.txt", FEED, "/cn/", *SECTION_PAGES, *(i.path for i in NEW)])
    assert ids(result) == codes(NEW)
    assert result.stats["rfi_cn/change_feed/missed"] == len(NEW)  # all published after its newest entry
    assert "feed_distrusted" in meta(state)


def test_distributed_workers_read_the_feed_through_the_redis_state(tmp_path: Path) -> None:
    """Two workers per run, the crawl state in Redis: the walk's time and each article's
    ``modified_at`` land in Redis; the next run reads the feed and fetches only what is new
    (its lastmod and span travel through the JSON request queue)."""
    client_settings = {"INCREMENTAL_REFRESH_HOURS": "48"}
    with redis_server(tmp_path) as url, serving(routes(FIRST_RUN)) as server:
        client = Redis.from_url(url, decode_responses=True)

        def run(name: str, now: datetime, **extra: str) -> list[str]:
            lake = tmp_path / name
            settings = {**client_settings, "INCREMENTAL_NOW": iso(now), **extra}
            logs = [tmp_path / f"{name}-{worker}.log" for worker in "ab"]
            workers = [start_worker(server.base_url, lake, url, log, run=name, extra=settings) for log in logs]
            assert [worker.wait(timeout=120) for worker in workers] == [0, 0]
            return sorted(str(row["id"]) for row in published(lake))

        assert run("first", FIRST_RUN) == codes(KNOWN)
        assert FEED not in server.requests
        assert client.hgetall("rfi_cn:state:meta") == {"last_walk": FIRST_RUN.isoformat()}
        server.routes = routes(SECOND_RUN)
        server.requests.clear()
        assert run("second", SECOND_RUN) == codes(NEW)
        assert server.requests.count(FEED) == 1 and "/cn/" not in server.requests
        assert sorted(path for path in server.requests if path not in ("/robots.txt", FEED)) == sorted(
            item.path for item in NEW
        )
        recorded = client.hget(f"rfi_cn:state:article:T{NEW[0].number:03d}", "modified_at")
        assert recorded == NEW[0].at.isoformat()  # the feed's lastmod, recorded by whichever worker exported it

        lying = {**routes(SECOND_RUN), FEED: feed_of([i for i in in_feed(SECOND_RUN) if i.section != "国际"])}
        server.routes = lying
        client.delete(*client.keys("rfi_cn:state:article:T01[14]"))  # T011 and T014 (国际) new again
        client.hdel("rfi_cn:state:urls", *(item.path.rstrip("/") for item in NEW if item.section == "国际"))
        assert run("third", SECOND_RUN, RFI_WALK_EVERY_HOURS="0") == codes([i for i in NEW if i.section == "国际"])
        assert client.hget("rfi_cn:state:meta", "feed_distrusted") == "third"  # the run id: workers share it

        server.routes = {**routes(SECOND_RUN), FEED: hostile_feeds()["404"]}
        server.requests.clear()
        assert run("fourth", SECOND_RUN) == []  # nothing new; the feed's 404 costs one request, the walk follows
        assert server.requests.count(FEED) == 1 and "/cn/" in server.requests
        assert client.hget("rfi_cn:state:meta", "feed_failed_runs") == "1"
        manifests = [json.loads(path.read_text()) for path in (tmp_path / "fourth" / "rfi_cn" / "_manifests").glob("*")]
        listed = [
            check for m in manifests for check in m["health"]["checks"] if check["name"] == "change_feed_failures"
        ]
        assert len(manifests) == 2 and listed == [  # by the worker that got the 404
            {"name": "change_feed_failures", "status": "ok", "value": 1, "threshold": "< 3"}
        ]
