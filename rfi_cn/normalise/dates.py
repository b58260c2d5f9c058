"""Date normalisation: any date the site writes, as UTC ``YYYY-MM-DDTHH:MM:SSZ``.

The site writes ISO 8601 with an offset in ``time/@datetime``, metas and
JSON-LD, and Paris local time (``30/11/2025 - 10:13``, day first, daylight
saving) in the visible text. A value without a zone is therefore read as
Europe/Paris.

A date is never invented: a text is read only when it is, as a whole, one of
a few strict forms, each stating year, month, day, hour and minute (and the
seconds when it has them). Every field comes from a named group of the form's
regex, so nothing is filled in from today. dateutil's parser is not used:
it fills missing parts from its ``default`` and guesses at ambiguous text.

- ISO 8601: ``2025-11-30T09:13:47+00:00``, ``2025-11-30 10:13`` (no zone: Paris)
- day first: ``30/11/2025 - 10:13``, ``30.11.2025 10:13:05``
- Chinese: ``2025年11月30日 10:13``, ``2025年11月30日10时13分``
- RFC 2822: ``Sun, 30 Nov 2025 10:13:00 GMT`` (a stated weekday must match)

A form may follow a Chinese caption (``更新时间：``, ``发表于``) and be followed
by a zone (``Z``, ``+01:00``, ``+0100``, ``GMT+8``, or a name in
``NAMED_ZONES``). A caption naming a place's time (``北京时间``) is that
place's zone. A zone we do not know, or two zones, drop the text. The instant
must lie between 1990-01-01 and one day after ``now`` (the crawl).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo

# zoneinfo, not dateutil's gettz: dateutil reads only the 32-bit transitions and
# forgets daylight saving time after 2038.
PARIS = ZoneInfo("Europe/Paris")
EARLIEST = datetime(1990, 1, 1, tzinfo=UTC)
LATEST_AFTER_NOW = timedelta(days=1)
# Longer texts are not dates: the longest form with a caption and a zone is about 50
# characters, and no regex, strip or split should ever see a 7 MB "date".
MAX_DATE_CHARS = 100

# RFC 2822's zone names (and CET/CEST, the site's own) at their fixed offsets in hours.
# Not CST/CDT: RFC 2822 reads CST as US Central (UTC-6), but on a Chinese site it is as
# likely China Standard Time (UTC+8) -- Java prints Asia/Shanghai as "CST". No guess: dropped.
NAMED_ZONES = {
    "UT": 0, "UTC": 0, "GMT": 0, "Z": 0, "CET": 1, "CEST": 2,
    "EST": -5, "EDT": -4, "MST": -7, "MDT": -6, "PST": -8, "PDT": -7,
}  # fmt: skip
# "<place>时间" in a caption: that place's clock.
PLACE_ZONES = {
    "北京": "Asia/Shanghai", "中国": "Asia/Shanghai", "台北": "Asia/Taipei", "台湾": "Asia/Taipei",
    "香港": "Asia/Hong_Kong", "澳门": "Asia/Macau", "巴黎": "Europe/Paris", "法国": "Europe/Paris",
}  # fmt: skip
# "<word>时间" captions that name no place.
PLAIN_CAPTIONS = frozenset({"", "发表", "发布", "更新", "修改", "出版", "最后更新", "刊登"})
MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

# The common case (time/@datetime, metas, JSON-LD) skips the forms and zones: 10x faster.
_ISO_WITH_OFFSET = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]+)?(?:[+-][0-9]{2}:[0-5][0-9]|Z)"
)
_CAPTION = r"(?:(?P<caption>[\u4e00-\u9fff]{1,10} ?[:：]?) ?)?"  # 更新时间：, 北京时间, 发表于
_ZONE = r"(?: ?(?P<zone>[+-][0-9]{2}(?::?[0-9]{2})?|(?:UTC|GMT|UT)[+-][0-9]{1,2}(?::?[0-9]{2})?|[A-Z]{1,5}))?"
_OFFSET = re.compile(r"(?:UTC|GMT|UT)?(?P<sign>[+-])(?P<hours>[0-9]{1,2}):?(?P<minutes>[0-9]{2})?", re.I)
_CLOCK = r"(?P<hour>[0-9]{1,2}):(?P<minute>[0-9]{2})(?::(?P<second>[0-9]{2})(?:[.,][0-9]+)?)?"
_CJK_CLOCK = r"(?P<hour>[0-9]{1,2}) ?[时点點] ?(?P<minute>[0-9]{1,2}) ?分(?: ?(?P<second>[0-9]{1,2}) ?秒)?"
_MONTH_NAME = "|".join(name.title() for name in MONTHS)
_WEEKDAY_NAME = "|".join(name.title() for name in WEEKDAYS)
_YEAR, _MONTH, _DAY = r"(?P<year>[0-9]{4})", r"(?P<month>[0-9]{1,2})", r"(?P<day>[0-9]{1,2})"
_CJK_DATE = rf"{_YEAR} ?年 ?{_MONTH} ?月 ?{_DAY} ?[日号] ?"
_FORMS = [
    rf"(?P<year>[0-9]{{4}})-(?P<month>[0-9]{{2}})-(?P<day>[0-9]{{2}})[T ]{_CLOCK}",
    rf"{_DAY}(?P<sep>[/.]){_MONTH}(?P=sep){_YEAR}(?: ?- ?| |, ?){_CLOCK}",
    _CJK_DATE + _CLOCK,
    _CJK_DATE + _CJK_CLOCK,
    rf"(?:(?P<weekday>{_WEEKDAY_NAME}), ?)?{_DAY} (?P<month>{_MONTH_NAME}) {_YEAR} {_CLOCK}",
]
# The text's white space is squeezed to single spaces first. Names are read in any case.
DATE_FORMS = [re.compile(_CAPTION + form + _ZONE, re.ASCII | re.IGNORECASE) for form in _FORMS]


def to_utc_iso(value: str | None, now: datetime | None = None) -> str | None:
    """One date string as UTC; ``None`` when it is not a complete, plausible date.

    ``now`` (default: the clock) is the crawl time: a date more than a day after it is refused.
    """
    if not value or len(value) > MAX_DATE_CHARS:
        return None
    moment = read_date(value)
    latest = (now or datetime.now(UTC)) + LATEST_AFTER_NOW
    if moment is None or not EARLIEST <= moment <= latest:
        return None
    return _format(moment.astimezone(UTC))


def first_utc_iso(candidates: Iterable[str | None], now: datetime | None = None) -> str | None:
    """The first candidate, in order of preference, that is a complete, plausible date."""
    now = now or datetime.now(UTC)
    for candidate in candidates:
        normalised = to_utc_iso(candidate, now)
        if normalised is not None:
            return normalised
    return None


def read_date(value: str) -> datetime | None:
    """The aware time ``value`` states in full, its fields as written, or ``None``.

    No range check and no length bound: ``to_utc_iso`` applies both.
    """
    text = " ".join(value.split())
    try:
        if _ISO_WITH_OFFSET.fullmatch(text):
            return datetime.fromisoformat(text)
        for form in DATE_FORMS:
            match = form.fullmatch(text)
            if match:
                return _moment(match)
    except (ValueError, OverflowError):
        return None
    return None


def utc_now_iso() -> str:
    """The current time in the item's date format."""
    return _format(datetime.now(UTC))


def _moment(match: re.Match[str]) -> datetime:
    """The instant a matched form states; ``ValueError`` when it is impossible or its zone unknown."""
    fields = match.groupdict()
    month = fields["month"]
    wall = datetime(
        int(fields["year"]),
        int(month) if month.isdigit() else MONTHS.index(month.lower()) + 1,
        int(fields["day"]),
        int(fields["hour"]),
        int(fields["minute"]),
        int(fields["second"] or 0),
    )
    weekday = fields.get("weekday")
    if weekday and WEEKDAYS.index(weekday.lower()) != wall.weekday():
        raise ValueError(f"{wall:%Y-%m-%d} is not a {weekday}")
    # A wall time in a spring-forward gap keeps the offset before the gap (fold=0), as
    # dateutil's resolve_imaginary would: 02:30 on the day Paris skips it is 01:30 UTC.
    return wall.replace(tzinfo=_zone(fields.get("caption"), fields["zone"]))


def _zone(caption: str | None, suffix: str | None) -> tzinfo:
    """The one zone the text states, Paris when it states none."""
    stated = [zone for zone in (_caption_zone(caption), _suffix_zone(suffix)) if zone is not None]
    if len(stated) > 1:
        raise ValueError(f"two zones: {caption!r}, {suffix!r}")
    return stated[0] if stated else PARIS


def _caption_zone(caption: str | None) -> tzinfo | None:
    """The zone a caption names, if any: ``北京时间`` → Asia/Shanghai; ``更新时间：``, ``发表于``,
    ``日期：`` → none; ``ValueError`` for another place (``东京时间``) or words that are no caption (``下午``)."""
    if not caption:
        return None
    words = caption.rstrip(" :：")
    place, is_time, _ = words.partition("时间")
    if is_time and place in PLACE_ZONES:
        return ZoneInfo(PLACE_ZONES[place])
    if is_time and place not in PLAIN_CAPTIONS:
        raise ValueError(f"unknown zone {caption!r}")
    if not (is_time or caption.endswith((":", "：")) or words.endswith(("日期", "于"))):
        raise ValueError(f"not a caption: {caption!r}")
    return None


def _suffix_zone(suffix: str | None) -> tzinfo | None:
    """``+01:00``, ``+0100``, ``UTC+8``, ``EST``; ``ValueError`` for a name not in ``NAMED_ZONES``."""
    if not suffix:
        return None
    parts = _OFFSET.fullmatch(suffix)
    if parts is None:
        if suffix.upper() not in NAMED_ZONES:
            raise ValueError(f"unknown zone {suffix!r}")
        return timezone(timedelta(hours=NAMED_ZONES[suffix.upper()]))
    if int(parts["minutes"] or 0) >= 60:
        raise ValueError(f"bad offset {suffix!r}")
    offset = timedelta(hours=int(parts["hours"]), minutes=int(parts["minutes"] or 0))
    return timezone(offset if parts["sign"] == "+" else -offset)  # ValueError from 24 hours on


def _format(moment: datetime) -> str:
    """``YYYY-MM-DDTHH:MM:SSZ`` with a four-digit year (``strftime`` drops zeros)."""
    return moment.replace(tzinfo=None, microsecond=0).isoformat() + "Z"
