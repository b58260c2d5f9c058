"""Spider arguments: each bad or unknown one is refused with one line naming it."""

from __future__ import annotations

from datetime import date

import pytest

from rfi_cn.spiders.arguments import ArgumentError, check_arguments


def test_good_arguments_are_parsed() -> None:
    parsed = check_arguments(
        {
            "sections": "中国, 政治",
            "max_pages": "2",
            "since": "2025-11-01",
            "until": "2025-11-30",
            "full": "1",
            "discover": "rss,sitemaps",
            "tags": "台湾",
            "authors": "左依",
            "_job": "6487ec79947edab326d6db28a2d86511e8247444",
            "_version": "r42",
        }
    )
    assert parsed == {
        "sections": ["中国", "政治"],
        "max_pages": 2,
        "since": date(2025, 11, 1),
        "until": date(2025, 11, 30),
        "full": True,
        "discover": ["rss", "sitemaps"],
        "tags": ["台湾"],
        "authors": ["左依"],
        "_job": "6487ec79947edab326d6db28a2d86511e8247444",
    }


def test_no_arguments() -> None:
    assert check_arguments({}) == {
        "sections": [],
        "max_pages": None,
        "since": None,
        "until": None,
        "full": False,
        "discover": [],
        "tags": [],
        "authors": [],
        "_job": None,
    }


@pytest.mark.parametrize(
    ("arguments", "line"),
    [
        (
            {"since": "2025-13-01"},
            "bad argument -a since=2025-13-01: month must be in 1..12; expected a date YYYY-MM-DD, e.g. 2025-11-01",
        ),
        ({"since": "1 Nov 2025"}, "bad argument -a since=1 Nov 2025: expected a date YYYY-MM-DD, e.g. 2025-11-01"),
        (
            {"until": "2025-02-30"},
            "bad argument -a until=2025-02-30: day is out of range for month; expected a date YYYY-MM-DD, e.g. 2025-11-30",
        ),
        (
            {"since": "2025-12-01", "until": "2025-11-30"},
            "bad argument -a until=2025-11-30: it is before since=2025-12-01; expected a date YYYY-MM-DD, e.g. 2025-11-30",
        ),
        (
            {"max_pages": "abc"},
            "bad argument -a max_pages=abc: expected a whole number of listing pages per section, 1 or more, e.g. 2",
        ),
        (
            {"max_pages": "0"},
            "bad argument -a max_pages=0: expected a whole number of listing pages per section, 1 or more, e.g. 2",
        ),
        (
            {"max_pages": "-1"},
            "bad argument -a max_pages=-1: expected a whole number of listing pages per section, 1 or more, e.g. 2",
        ),
        (
            {"max_pages": "２"},
            "bad argument -a max_pages=２: expected a whole number of listing pages per section, 1 or more, e.g. 2",
        ),
        ({"full": "maybe"}, "bad argument -a full=maybe: expected 1 (ignore the crawl state) or 0"),
        ({"sections": ""}, "bad argument -a sections=: expected section names separated by commas, e.g. 中国,政治"),
        ({"sections": " , "}, "bad argument -a sections=,: expected section names separated by commas, e.g. 中国,政治"),
        (
            {"sections": "中国/../x"},
            "bad argument -a sections=中国/../x: expected section names separated by commas, e.g. 中国,政治",
        ),
        ({"tags": ""}, "bad argument -a tags=: expected keyword page names separated by commas, e.g. 台湾,日本"),
        ({"authors": ","}, "bad argument -a authors=,: expected author page names separated by commas, e.g. 左依"),
        (
            {"discover": "rss,foo"},
            "bad argument -a discover=rss,foo: unknown source foo; expected sources separated by commas, from sections,rss,sitemaps,archives,tags,authors",
        ),
        (
            {"discover": ""},
            "bad argument -a discover=: expected sources separated by commas, from sections,rss,sitemaps,archives,tags,authors",
        ),
        (
            {"_job": "../../etc"},
            "bad argument -a _job=../../etc: expected a job id of letters, digits, '.', '_' or '-' (set by Scrapyd)",
        ),
        (
            {"section": "中国"},
            "unknown argument -a section=中国: the arguments are sections, max_pages, since, until, full, discover, tags, authors",
        ),
        (
            {"maxpages": "2"},
            "unknown argument -a maxpages=2: the arguments are sections, max_pages, since, until, full, discover, tags, authors",
        ),
    ],
)
def test_bad_arguments_are_refused_in_one_line(arguments: dict[str, str], line: str) -> None:
    with pytest.raises(ArgumentError) as raised:
        check_arguments(arguments)
    assert str(raised.value) == line
    assert "\n" not in str(raised.value)
