"""The ``rfi_cn`` spider's ``-a`` arguments, checked before the crawl starts.

A bad or unknown argument stops the run before any request or file: a typo such as
``-a section=中国`` must not silently crawl the whole site, and ``-a since=2025-13-01``
must not end in a traceback. ``check_arguments`` raises ``ArgumentError`` (a
``ValueError``) whose message is ONE line naming the argument and the form it expects;
the spider's ``from_crawler`` logs that line and exits with status 2
(``ArgumentsRefused``, a ``SystemExit``: no traceback, nothing written).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from rfi_cn.names import SAFE_NAME

# The discovery sources (rfi_cn.spiders.sources reads them from here): this module imports
# nothing from Scrapy, so any command or tool can check arguments.
SOURCES = ("sections", "rss", "sitemaps", "archives", "tags", "authors")
TRUE = ("1", "true", "yes")
FALSE = ("0", "false", "no")
EXPECTED = {
    "sections": "section names separated by commas, e.g. 中国,政治",
    "max_pages": "a whole number of listing pages per section, 1 or more, e.g. 2",
    "since": "a date YYYY-MM-DD, e.g. 2025-11-01",
    "until": "a date YYYY-MM-DD, e.g. 2025-11-30",
    "full": "1 (ignore the crawl state) or 0",
    "discover": f"sources separated by commas, from {','.join(SOURCES)}",
    "tags": "keyword page names separated by commas, e.g. 台湾,日本",
    "authors": "author page names separated by commas, e.g. 左依",
    "_job": "a job id of letters, digits, '.', '_' or '-' (set by Scrapyd)",
    "_version": "a project version (set by Scrapyd)",
}
KNOWN = tuple(EXPECTED)


class ArgumentError(ValueError):
    """A spider argument that cannot be used; ``str()`` is one line for the user."""

    def __init__(self, name: str, value: object, problem: str = "") -> None:
        expected = EXPECTED.get(name, "")
        if name not in EXPECTED:
            line = f"unknown argument -a {name}={value}: the arguments are {', '.join(n for n in KNOWN if n[0] != '_')}"
        else:
            line = f"bad argument -a {name}={value}: {problem + '; ' if problem else ''}expected {expected}"
        super().__init__(line)
        self.name = name


class ArgumentsRefused(SystemExit):
    """Ends the process with status 2 and no traceback (Scrapy runs the spider's
    ``from_crawler`` inside an asyncio task; only a ``SystemExit`` leaves it quietly)."""

    def __init__(self, error: ArgumentError) -> None:
        super().__init__(2)
        self.error = error


def refuse_bad_arguments(arguments: Mapping[str, Any], logger: logging.Logger) -> None:
    """Log the one line and end the process (status 2) when an argument is bad or unknown."""
    try:
        check_arguments(arguments)
    except ArgumentError as error:
        logger.error("%s", error)
        raise ArgumentsRefused(error) from None


def check_arguments(arguments: Mapping[str, Any]) -> dict[str, Any]:
    """The parsed arguments (``None`` or ``[]`` where not given), or ``ArgumentError``."""
    for name, value in arguments.items():
        if name not in EXPECTED:
            raise ArgumentError(name, value)
    text = {name: str(value).strip() for name, value in arguments.items() if value is not None}
    parsed: dict[str, Any] = {
        "sections": _names(text, "sections"),
        "max_pages": _pages(text),
        "since": _date(text, "since"),
        "until": _date(text, "until"),
        "full": _flag(text, "full"),
        "discover": _sources(text),
        "tags": _names(text, "tags"),
        "authors": _names(text, "authors"),
        "_job": _job(text),
    }
    if parsed["since"] and parsed["until"] and parsed["since"] > parsed["until"]:
        raise ArgumentError("until", text["until"], f"it is before since={text['since']}")
    return parsed


def _names(text: dict[str, str], name: str) -> list[str]:
    if name not in text:
        return []
    names = [part.strip() for part in text[name].split(",") if part.strip()]
    if not names or any("/" in part for part in names):
        raise ArgumentError(name, text[name])
    return names


def _pages(text: dict[str, str]) -> int | None:
    if "max_pages" not in text:
        return None
    value = text["max_pages"]
    if not value.isascii() or not value.isdigit() or int(value) < 1:
        raise ArgumentError("max_pages", value)
    return int(value)


def _date(text: dict[str, str], name: str) -> date | None:
    if name not in text:
        return None
    value = text[name]
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise ArgumentError(name, value)
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise ArgumentError(name, value, str(exc)) from None


def _flag(text: dict[str, str], name: str) -> bool:
    value = text.get(name, "0").lower()
    if value not in TRUE + FALSE:
        raise ArgumentError(name, text[name])
    return value in TRUE


def _sources(text: dict[str, str]) -> list[str]:
    if "discover" not in text:
        return []
    names = [part.strip() for part in text["discover"].split(",") if part.strip()]
    unknown = [part for part in names if part not in SOURCES]
    if not names or unknown:
        problem = f"unknown source {', '.join(unknown)}" if unknown else ""
        raise ArgumentError("discover", text["discover"], problem)
    return names


def _job(text: dict[str, str]) -> str | None:
    if "_job" not in text:
        return None
    if not SAFE_NAME.fullmatch(text["_job"]):  # it names lake files (rfi_cn.names)
        raise ArgumentError("_job", text["_job"])
    return text["_job"]
