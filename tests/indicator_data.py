"""Synthetic indicator events: a year of families using the needs dialog, for tests and bench.

Shaped like the recorder's output (bot/indicators/record.py): one ``started``, then for each
question ``asked`` and ``answered``/``skipped`` (or ``abandoned`` there), sometimes ``back``,
``results_shown`` with service ids, municipality, needs and gaps, then ``finished`` or
``abandoned``; actions outside the dialog have no session. Big towns get most families, a few
municipalities and one deep-link source only a handful, so suppression has work to do.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.db.models import IndicatorEvent

Row = dict[str, Any]
COLUMNS = (
    "month",
    "session",
    "kind",
    "locale",
    "source",
    "tree",
    "version",
    "node",
    "items",
    "municipality",
    "needs",
    "gaps",
)

MUNICIPALITIES: Sequence[tuple[str, float]] = (
    ("285", 30),  # Kotka
    ("286", 26),  # Kouvola
    ("405", 24),  # Lappeenranta
    ("153", 9),  # Imatra
    ("075", 7),  # Hamina
    ("624", 1.5),  # Pyhtää
    ("935", 0.6),
    ("441", 0.5),
    ("739", 0.4),
    ("831", 0.4),
    ("700", 0.3),
    ("580", 0.3),
    ("416", 0.2),
    ("689", 0.1),
    ("489", 0.02),  # Miehikkälä: a family or two a year
)
SOURCES: Sequence[tuple[str | None, float]] = (
    (None, 70),
    ("poster_kotka", 10),
    ("neuvola_kouvola", 8),
    ("library_lpr", 6),
    ("fb_ad", 5),
    ("rare_flyer", 0.02),
)
LOCALES: Sequence[tuple[str, float]] = (("fi", 70), ("en", 16), ("ar", 14))
# Month weights: autumn and the start of the year are busier, July is quiet.
MONTH_WEIGHTS = (10, 9, 9, 8, 8, 6, 3, 7, 11, 11, 10, 8)
HELP = {
    "talk": ("parenting-support",),
    "daycare": ("early-education",),
    "activities": ("leisure-art",),
    "money": ("money-benefits",),
    "home": ("home-help",),
    "families": ("peer-support",),
    "finnish": ("integration-language",),
    "urgent": ("crisis-urgent",),
}
HOME = {
    "baby": ("pregnancy-baby",),
    "illness": ("child-health", "mental-health"),
    "hard-times": ("relationship-separation", "parenting-support"),
}
AGES = ("expecting", "under-1", "1-2", "3-5", "6-12", "13-17")
LANGUAGES = ("fi", "sv", "en", "ar", "ru", "uk", "so")
SERVICES = tuple(f"svc-{n:03d}" for n in range(80))


def _pick(rng: random.Random, weighted: Sequence[tuple[Any, float]]) -> Any:
    values, weights = zip(*weighted, strict=True)
    return rng.choices(values, weights)[0]


def _session_events(rng: random.Random, year: int, version: int) -> Iterator[Row]:
    month = f"{year}-{rng.choices(range(1, 13), MONTH_WEIGHTS)[0]:02d}"
    session = uuid.UUID(int=rng.getrandbits(128)).hex
    locale = _pick(rng, LOCALES)
    base = {"month": month, "session": session, "locale": locale, "tree": "needs"}
    base["version"] = version

    def event(kind: str, **values: Any) -> Row:
        return {**base, "kind": kind, **values}

    yield event("started", source=_pick(rng, SOURCES), node="where")
    municipality: str | None = None
    needs: list[str] = []
    order = ["where", "ages", "help", "home", "free", "languages"]
    index = 0
    while index < len(order):
        node = order[index]
        if node == "home" and "home-help" not in needs:
            index += 1
            continue
        if node == "free" and "money-benefits" not in needs:
            index += 1
            continue
        yield event("asked", node=node)
        roll = rng.random()
        if roll < 0.03 + 0.01 * index:
            yield event("abandoned", node=node)
            return
        if roll < 0.13 + 0.01 * index:
            yield event("skipped", node=node)
        elif index and roll > 0.985:
            yield event("back", node=node)
            index -= 1
            continue
        elif node == "where":
            municipality = _pick(rng, MUNICIPALITIES)
            yield event("answered", node=node, items=municipality, municipality=municipality)
        elif node == "help":
            chosen = rng.sample(sorted(HELP), rng.choice((1, 1, 1, 2, 2, 3)))
            tags = [t for c in chosen for t in HELP[c]]
            needs.extend(t for t in tags if t not in needs)
            yield event("answered", node=node, items=" ".join(chosen), needs=" ".join(tags))
        elif node == "home":
            chosen = rng.sample(sorted(HOME), rng.choice((1, 1, 2)))
            tags = [t for c in chosen for t in HOME[c]]
            needs.extend(t for t in tags if t not in needs)
            yield event("answered", node=node, items=" ".join(chosen), needs=" ".join(tags))
        elif node == "ages":
            yield event("answered", node=node, items=" ".join(rng.sample(AGES, 2)))
        elif node == "free":
            yield event("answered", node=node, items="yes")
        else:
            yield event("answered", node=node, items=" ".join(rng.sample(LANGUAGES, 2)))
        index += 1
    no_match = rng.random() < 0.07
    shown = "" if no_match else " ".join(rng.sample(SERVICES, rng.randint(1, 10)))
    # Small places have fewer local services: more needs go without a local match there.
    gap_chance = 0.15 if municipality in ("285", "286", "405") else 0.6
    gaps = [n for n in needs if no_match or rng.random() < gap_chance]
    yield event(
        "results_shown",
        node="results",
        items=shown,
        municipality=municipality,
        needs=" ".join(needs),
        gaps=" ".join(gaps),
    )
    if rng.random() < 0.8:
        yield event("finished", node="results")
    else:
        yield event("abandoned", node="results")
    actions: Sequence[tuple[str, float, Callable[[], str]]] = (
        ("card_location", 0.25, lambda: rng.choice(SERVICES)),
        ("card_flagged", 0.01, lambda: rng.choice(SERVICES[:6])),
        ("event_opened", 0.12, lambda: f"event-{rng.randint(1, 30)}"),
        ("reminder_set", 0.06, lambda: f"event-{rng.randint(1, 30)}"),
        ("subscribed", 0.05, lambda: f"{municipality or '285'}:{rng.choice(('art', 'all'))}"),
        ("unsubscribed", 0.01, lambda: f"{municipality or '285'}:art"),
    )
    for kind, chance, item in actions:
        if rng.random() < chance:
            yield {"month": month, "session": None, "kind": kind, "locale": locale, "items": item()}


def synthetic_year(
    sessions: int | None = None,
    *,
    events: int | None = None,
    year: int = 2026,
    seed: int = 20261201,
) -> list[Row]:
    """Events of ``sessions`` dialog sessions, or of whole sessions until there are at least
    ``events`` events, spread over ``year`` (fixed seed)."""
    rng = random.Random(seed)
    rows: list[Row] = []
    n = 0
    while (sessions is not None and n < sessions) or (events is not None and len(rows) < events):
        version = 2 if n % 10 < 3 else 1  # a new dialog version for some of the families
        n += 1
        for row in _session_events(rng, year, version):
            rows.append({column: row.get(column) for column in COLUMNS})
    return rows


async def insert_events(engine: AsyncEngine, rows: Sequence[Row], chunk: int = 20_000) -> None:
    """Bulk insert in a few transactions (as fast as the driver allows)."""
    statement = insert(IndicatorEvent)
    for start in range(0, len(rows), chunk):
        async with engine.begin() as conn:
            await conn.execute(statement, list(rows[start : start + chunk]))
