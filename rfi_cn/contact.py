"""The operator's contact in the User-Agent.

``RFI_CONTACT`` (setting or environment variable; the older ``RFI_CONTACT_URL`` is
read as a fallback) is a URL or an e-mail address of whoever runs the crawl. The
``OperatorContact`` add-on puts it into the User-Agent, ``rfi_cn/1.0 (+<contact>)``,
unless ``USER_AGENT`` was set explicitly above the project's settings (``-s``, Scrapyd
``-d setting=``). Without a contact the User-Agent is ``rfi_cn/1.0``, and a run against
the real site (``RFI_BASE_URL`` is ``https://www.rfi.fr``) logs one warning.
"""

from __future__ import annotations

import logging
import os

from scrapy.settings import SETTINGS_PRIORITIES, BaseSettings

from rfi_cn.site import SITE_ORIGIN

logger = logging.getLogger(__name__)

PRODUCT = "rfi_cn/1.0"
NO_CONTACT_WARNING = (
    "RFI_CONTACT is not set: the User-Agent names nobody the site can reach. "
    "Set RFI_CONTACT (a URL or an e-mail address of the operator), e.g. RFI_CONTACT=mailto:ops@example.org"
)


def contact_of(settings: BaseSettings) -> str | None:
    """``RFI_CONTACT`` (setting, else environment), else the older ``RFI_CONTACT_URL``."""
    for name in ("RFI_CONTACT", "RFI_CONTACT_URL"):
        value = settings.get(name) or os.environ.get(name)
        if value and str(value).strip():
            return " ".join(str(value).split())  # one line: no header injection through the contact
    return None


def user_agent(contact: str | None) -> str:
    """``rfi_cn/1.0 (+<contact>)``, or ``rfi_cn/1.0`` without a contact."""
    return f"{PRODUCT} (+{contact})" if contact else PRODUCT


def is_production(settings: BaseSettings) -> bool:
    """The crawl fetches the real site (not a mirror or a loopback server)."""
    return str(settings.get("RFI_BASE_URL") or SITE_ORIGIN).rstrip("/") == SITE_ORIGIN


class OperatorContact:
    """Add-on: the User-Agent names ``RFI_CONTACT``; a production run without one warns once."""

    def update_settings(self, settings: BaseSettings) -> None:
        contact = contact_of(settings)
        if (settings.getpriority("USER_AGENT") or 0) <= SETTINGS_PRIORITIES["project"]:
            settings.set("USER_AGENT", user_agent(contact), priority="project")
        if contact is None and is_production(settings):
            logger.warning(NO_CONTACT_WARNING)
