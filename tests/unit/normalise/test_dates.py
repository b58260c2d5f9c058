from datetime import UTC, datetime, timedelta, timezone

import pytest
from dateutil import parser
from hypothesis import given
from hypothesis import strategies as st

from rfi_cn.normalise.dates import MAX_DATE_CHARS, first_utc_iso, to_utc_iso

NOW = datetime(2025, 12, 1, 12, 0, tzinfo=UTC)  # "the crawl"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        # the site's forms
        ("03/08/2023 - 21:11", "2023-08-03T19:11:00Z"),  # Paris summer time, UTC+2
        ("30/11/2025 - 10:13", "2025-11-30T09:13:00Z"),  # Paris winter time, UTC+1
        ("30/11/2025 - 10:13:47", "2025-11-30T09:13:47Z"),  # seconds, when given, are kept
        ("2025-11-30T09:13:47+00:00", "2025-11-30T09:13:47Z"),
        ("2025-11-30T09:32:10+01:00", "2025-11-30T08:32:10Z"),
        ("2025-11-30T09:13:47Z", "2025-11-30T09:13:47Z"),
        ("更新时间： 04/08/2023 - 08:30", "2023-08-04T06:30:00Z"),
        ("发表时间： 30/11/2025 - 10:13", "2025-11-30T09:13:00Z"),
        # Chinese forms, read in full (dateutil read the first as 2025-12-02T23:00:00Z)
        ("2025年11月30日 10:13", "2025-11-30T09:13:00Z"),
        ("2025年11月30日10时13分05秒", "2025-11-30T09:13:05Z"),
        ("北京时间 2025年11月30日 10:13", "2025-11-30T02:13:00Z"),  # a named place's clock is honoured
        ("东京时间 2025年11月30日 10:13", None),  # a place we do not know: no guess
        ("东京时间是：30/11/2025 - 10:13", None),
        ("最后更新时间： 30/11/2025 - 10:13", "2025-11-30T09:13:00Z"),
        ("发表于 30/11/2025 - 10:13", "2025-11-30T09:13:00Z"),
        # RFC 2822 and named or numeric zones
        ("Sun, 30 Nov 2025 10:13:00 GMT", "2025-11-30T10:13:00Z"),
        ("Sun, 30 Nov 2025 10:13:00 +0100", "2025-11-30T09:13:00Z"),
        ("Mon, 30 Nov 2025 10:13:00 GMT", None),  # the weekday contradicts the date
        ("30 Nov 2025 10:00 EST", "2025-11-30T15:00:00Z"),
        ("30 Nov 2025 10:00 CST", None),  # China (UTC+8) or US Central (UTC-6): ambiguous, dropped
        ("30 Nov 2025 10:00 XYZ", None),  # an unknown zone is not Paris
        ("2025-11-30 10:13 UTC+8", "2025-11-30T02:13:00Z"),
        ("2025-11-30T10:13+01", "2025-11-30T09:13:00Z"),
        ("2025-11-30T10:13:00+01:60", None),
        ("2025-11-30T10:13:00+24:00", None),
        ("北京时间 2025-11-30 10:13 +08:00", None),  # two zones: which one?
        # incomplete: nothing is filled in from today
        ("10:13", None),
        ("11月30日 10:13", None),
        ("10:00 EST", None),
        ("2025-11-30", None),
        ("30/11/2025", None),
        ("Sun, 30 Nov 2025", None),
        ("Nov 2025 10:13", None),
        # out of range: 1990-01-01 .. one day after the crawl
        ("0001-01-01T00:00:00+00:00", None),
        ("9999-12-31T23:59:59+00:00", None),
        ("01/01/0001 - 00:00", None),
        ("31/12/9999 - 23:59", None),
        ("31/12/1989 - 23:59", None),
        ("1989-12-31T23:59:59Z", None),
        ("1990-01-01T00:00:00Z", "1990-01-01T00:00:00Z"),
        ("2025-12-02T12:00:00Z", "2025-12-02T12:00:00Z"),  # the crawl plus one day
        ("2025-12-02T12:00:01Z", None),
        ("2025-12-03T12:00:00Z", None),  # the crawl plus two days
        # Paris daylight saving edges
        ("2025-03-30T01:59:00", "2025-03-30T00:59:00Z"),
        ("2025-03-30T02:30:00", "2025-03-30T01:30:00Z"),  # the skipped hour keeps the winter offset
        ("30/03/2025 - 03:00", "2025-03-30T01:00:00Z"),
        ("26/10/2025 - 01:59", "2025-10-25T23:59:00Z"),
        ("26/10/2025 - 02:30", "2025-10-26T00:30:00Z"),  # the repeated hour: its first (summer) reading
        ("26/10/2025 - 03:00", "2025-10-26T02:00:00Z"),
        # not dates
        ("", None),
        (None, None),
        ("pas une date", None),
        ("99/99/2023 - 25:61", None),
        ("2025-02-30T10:00:00+01:00", None),
        ("30/11/2025 - 10:13 pm", None),
        ("下午 2025年11月30日 3:15", None),
    ],
)
def test_to_utc_iso(value: str | None, expected: str | None) -> None:
    assert to_utc_iso(value, now=NOW) == expected


def test_the_clock_is_the_default_crawl_time() -> None:
    tomorrow_plus_two = datetime.now(UTC) + timedelta(days=2)
    assert to_utc_iso(tomorrow_plus_two.isoformat()) is None
    assert to_utc_iso("2025-11-30T09:13:47+00:00") == "2025-11-30T09:13:47Z"


def test_first_utc_iso_takes_the_first_complete_candidate() -> None:
    candidates = [None, "garbage", "10:13", "Sun, 30 Nov 2025", "30/11/2025 - 10:13", "2020-01-01T00:00:00Z"]
    assert first_utc_iso(candidates, now=NOW) == "2025-11-30T09:13:00Z"
    assert first_utc_iso(["2025-12-05T00:00:00Z", "2025-11-01T00:00:00Z"], now=NOW) == "2025-11-01T00:00:00Z"
    assert first_utc_iso([], now=NOW) is None


def test_the_text_a_date_parser_sees_is_bounded() -> None:
    date = "2025-11-30T09:13:47+00:00"
    assert to_utc_iso(date.ljust(MAX_DATE_CHARS), now=NOW) == "2025-11-30T09:13:47Z"
    assert to_utc_iso(date.ljust(MAX_DATE_CHARS + 1), now=NOW) is None  # too long to be a date, however it ends
    assert to_utc_iso(date + " " * 7_000_000, now=NOW) is None
    assert to_utc_iso("30/11/2025 - 10:13" * 400_000, now=NOW) is None


# --- the ISO fast path agrees with dateutil where both read a date -------------------------


@given(
    moment=st.datetimes(min_value=datetime(1990, 1, 2), max_value=datetime(2025, 11, 30)),
    offset_minutes=st.integers(min_value=-14 * 60, max_value=14 * 60),
    zulu=st.booleans(),
)
def test_iso_dates_with_an_offset_read_as_dateutil_reads_them(
    moment: datetime, offset_minutes: int, zulu: bool
) -> None:
    aware = moment.replace(microsecond=0, tzinfo=UTC if zulu else timezone(timedelta(minutes=offset_minutes)))
    text = aware.isoformat().replace("+00:00", "Z") if zulu else aware.isoformat()
    expected = parser.isoparse(text).astimezone(UTC).replace(tzinfo=None).isoformat() + "Z"
    assert to_utc_iso(text, now=NOW) == expected
