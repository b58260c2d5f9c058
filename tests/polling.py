"""Waiting on a real process or server without sleeping and hoping."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest


def wait_for(condition: Callable[[], Any], what: str, deadline: float = 60.0, interval: float = 0.05) -> Any:
    """Poll ``condition`` until it returns something true (returned), or fail naming ``what``."""
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        result = condition()
        if result:
            return result
        time.sleep(interval)
    pytest.fail(f"timed out after {deadline:g} s waiting for {what}")
