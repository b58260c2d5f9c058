"""The fixture site, served on loopback for end-to-end tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from fixture_site.server import FixtureServer, serving
from fixture_site.site import SiteFacts, build_site


@pytest.fixture(scope="module")
def site() -> Iterator[tuple[FixtureServer, SiteFacts]]:
    """The fixture site, shared by a module's tests: leave its routes and delay alone."""
    routes, facts = build_site()
    with serving(routes) as server:
        yield server, facts


@pytest.fixture
def fresh_site() -> Iterator[tuple[FixtureServer, SiteFacts]]:
    """A fixture site of the test's own: its delay, routes and request log are the test's."""
    routes, facts = build_site()
    with serving(routes) as server:
        yield server, facts
