"""The real catalogue (``services_catalog/``), read once per test session.

Its models are frozen, so tests in several modules can share one copy.
"""

from __future__ import annotations

from functools import cache

from bot.catalog.loader import LoadedCatalog, read_catalog
from tests.conftest import REPO


@cache
def real_catalogue() -> LoadedCatalog:
    return read_catalog([REPO / "services_catalog"], root=REPO)
