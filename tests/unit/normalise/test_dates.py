import pytest

from rfi_cn.normalise.dates import first_utc_iso, to_utc_iso


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("03/08/2023 - 21:11", "2023-08-03T19:11:00Z"),  # Paris summer time, UTC+2
        ("30/11/2025 - 10:13", "2025-11-30T09:13:00Z"),  # Paris winter time, UTC+1
        ("2025-11-30T09:13:47+00:00", "2025-11-30T09:13:47Z"),
        ("2025-11-30T09:32:10+01:00", "2025-11-30T08:32:10Z"),
        ("2025-11-30T09:13:47Z", "2025-11-30T09:13:47Z"),
        ("更新时间： 04/08/2023 - 08:30", "2023-08-04T06:30:00Z"),
        ("2025-03-30T02:30:00", "2025-03-30T01:30:00Z"),  # the skipped hour is resolved, not raised
        ("", None),
        (None, None),
        ("pas une date", None),
        ("99/99/2023 - 25:61", None),
    ],
)
def test_to_utc_iso(value: str | None, expected: str | None) -> None:
    assert to_utc_iso(value) == expected


def test_first_utc_iso_takes_the_first_parsable_candidate() -> None:
    assert first_utc_iso([None, "garbage", "30/11/2025 - 10:13", "2020-01-01T00:00:00Z"]) == "2025-11-30T09:13:00Z"
    assert first_utc_iso([]) is None


# --- the ISO fast path (no dateutil) agrees with dateutil ---------------------------------

from datetime import UTC, datetime, timedelta, timezone  # noqa: E402

from dateutil import parser  # noqa: E402
from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@given(
    moment=st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2100, 1, 1)),
    offset_minutes=st.integers(min_value=-14 * 60, max_value=14 * 60),
    zulu=st.booleans(),
)
def test_iso_dates_with_an_offset_read_as_dateutil_reads_them(
    moment: datetime, offset_minutes: int, zulu: bool
) -> None:
    aware = moment.replace(microsecond=0, tzinfo=UTC if zulu else timezone(timedelta(minutes=offset_minutes)))
    text = aware.isoformat().replace("+00:00", "Z") if zulu else aware.isoformat()
    expected = parser.isoparse(text).astimezone(UTC).replace(tzinfo=None).isoformat() + "Z"
    assert to_utc_iso(text) == expected


def test_an_impossible_iso_date_is_not_a_date() -> None:
    assert to_utc_iso("2025-02-30T10:00:00+01:00") is None
