"""The real catalogue (``services_catalog/``), read once per test session.

Its models are frozen, so tests in several modules can share one copy.
"""

from __future__ import annotations

from functools import cache

from bot.catalog.loader import LoadedCatalog, read_catalog
from bot.catalog.matching import Answers, CatalogIndex, Match
from bot.catalog.schema import Service
from tests.conftest import REPO


@cache
def real_catalogue() -> LoadedCatalog:
    return read_catalog([REPO / "services_catalog"], root=REPO)


def best_match(index: CatalogIndex, service: Service) -> Match:
    """The service as matched for a family it fits well, so the card has many reasons."""
    place = service.locations[0].municipality if service.locations else None
    if place is None and not service.nationwide:
        place = service.municipalities[0]
    ages = service.ages
    answers = Answers(
        municipality=place,
        child_ages=(ages.min,) if ages is not None and not ages.expecting else (),
        expecting=ages is not None and ages.expecting,
        needs=tuple(service.needs),
        languages=("ar", "so"),
    )
    for match in index.match(answers, limit=len(index)):
        if match.service.id == service.id:
            return match
    raise AssertionError(f"{service.id} does not match its own needs")
