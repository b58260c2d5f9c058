"""Date ranges for backfills (``since``/``until``) and the periods listings cover.

A source is pruned only on a date it states: an article URL's day, a sitemap's
``lastmod``, an archive page whose path reads as a year, month or day. Anything
without a legible date is kept, so a range never hides a page by guesswork.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

from rfi_cn.normalise.dates import to_utc_iso
from rfi_cn.site import path_of

ARCHIVE_PREFIX = "/cn/档案资料库/"
# A day of slack around stated timestamps: lastmod is UTC, URL dates are Paris days.
SLACK = timedelta(days=1)
_W3C_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")  # a sitemap's lastmod may be a date alone
# /2025/, /2025/11/, /2025/11/03/, /202511/, /20251103/, /2025-11/, /2025-11-03/
_PERIOD = re.compile(r"^(\d{4})(?:[-/]?(\d{2}))?(?:[-/]?(\d{2}))?/?$")


@dataclass(frozen=True)
class DateRange:
    """Inclusive days; either end may be open (``None``)."""

    since: date | None = None
    until: date | None = None

    @property
    def bounded(self) -> bool:
        return self.since is not None or self.until is not None

    def contains(self, day: date | None) -> bool:
        """True when ``day`` is inside, or unknown."""
        if day is None:
            return True
        return (self.since is None or day >= self.since) and (self.until is None or day <= self.until)

    def overlaps(self, first: date, last: date) -> bool:
        """True when the days ``first``..``last`` meet the range."""
        return (self.since is None or last >= self.since) and (self.until is None or first <= self.until)

    def modified_since(self, lastmod: date | None) -> bool:
        """False only when ``lastmod`` says nothing behind it changed since ``since``."""
        return lastmod is None or self.since is None or lastmod >= self.since - SLACK

    def years(self, this_year: int, first_year: int) -> list[int]:
        """The calendar years the range touches, bounded by ``first_year`` and ``this_year``."""
        start = max(self.since.year if self.since else first_year, first_year)
        end = min(self.until.year if self.until else this_year, this_year)
        return list(range(start, end + 1))


def day_of(timestamp: str | None) -> date | None:
    """The UTC day of a W3C/ISO timestamp (``2025-11-30T09:13:47+01:00``), or the day a date alone
    states (``2025-11-30``: ``to_utc_iso`` refuses a date without its time)."""
    if timestamp and _W3C_DAY.fullmatch(timestamp.strip()):
        try:
            return date.fromisoformat(timestamp.strip())
        except ValueError:
            return None
    normalised = to_utc_iso(timestamp)
    return date.fromisoformat(normalised[:10]) if normalised else None


def archive_period(url: str) -> tuple[date, date] | None:
    """The first and last day an archive page covers, when its path says so.

    ``/cn/档案资料库/2025/`` → the year, ``…/2025/11/`` or ``…/202511/`` → the month,
    ``…/2025/11/03/`` or ``…/20251103/`` → the day; anything else → ``None``.
    """
    path = path_of(url)
    if not path.startswith(ARCHIVE_PREFIX):
        return None
    match = _PERIOD.match(path[len(ARCHIVE_PREFIX) :])
    if match is None:
        return None
    year, month, day = (int(part) if part else None for part in match.groups())
    assert year is not None
    try:
        if month is None:
            return date(year, 1, 1), date(year, 12, 31)
        if day is None:
            return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])
        return date(year, month, day), date(year, month, day)
    except ValueError:
        return None
