"""Curated texts to review: PTV changed a fact or text that a service's curated texts depend on.

A PTV-synced service with curated texts (``services_catalog/overlays/``, ``bot/catalog/
overlay.py``) has its Arabic and English written against PTV's facts and Finnish texts. When
the sync brings a new value of one of the watched fields (name, summary, description, phone,
address, hours), a row in ``catalog_reviews`` tells staff (``/flags``) the field, the old and
the new value, until they mark it reviewed. Families see the new PTV fact at once: the review
is about the curated translation, never a hold on the facts.

What is compared: PTV's own values, kept per service and field in ``catalog_review_basis``
(a curated Finnish text replaces PTV's in the stored card, so the card cannot tell what PTV
said). A service seen for the first time takes the stored card's values for the fields its
overlay does not override, so a change in the very sync that starts the watching is caught too.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.catalog.cards import address
from bot.catalog.schema import WEEKDAYS, OpeningHours, Service
from bot.db.engine import write_transaction
from bot.db.models import CatalogReview, CatalogReviewBasis

# The fields a curated text depends on, in the order staff see them. Texts are compared in
# Finnish: PTV is written in Finnish first, and every curated translation starts from it.
WATCHED = ("name", "summary", "description", "phone", "address", "hours")
TEXT_FIELDS = frozenset({"name", "summary", "description"})


@dataclass(frozen=True)
class OpenReview:
    """An unresolved review, as the staff view lists it."""

    id: int
    service_id: str
    field: str
    old_value: str
    new_value: str
    noticed_at: datetime


def _days(days: list[str]) -> str:
    """``["mo", "tu", "we", "fr"]`` -> ``mo-we, fr``: runs of weekdays as ranges."""
    runs: list[list[str]] = []
    for day in WEEKDAYS:
        if day not in days:
            continue
        if runs and WEEKDAYS.index(runs[-1][-1]) == WEEKDAYS.index(day) - 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    return ", ".join(run[0] if len(run) == 1 else f"{run[0]}-{run[-1]}" for run in runs)


def _hours(hours: list[OpeningHours]) -> str:
    return "; ".join(f"{_days(list(h.days))} {h.opens}-{h.closes}" for h in hours)


def watched_values(service: Service) -> dict[str, str]:
    """The watched fields of ``service`` as plain text ("" when it has none)."""
    addresses = [address(loc) or "" for loc in service.locations]
    hours = [f"{loc.name.fi}: {_hours(loc.hours)}" for loc in service.locations if loc.hours]
    contacts = service.contacts
    if contacts.phone_always:
        hours.append("phone: 24/7")
    elif contacts.phone_hours:
        hours.append(f"phone: {_hours(contacts.phone_hours)}")
    return {
        "name": service.name.fi,
        "summary": service.summary.fi,
        "description": service.description.fi if service.description else "",
        "phone": contacts.phone_display or "",  # as staff dial it and cards show it
        "address": " | ".join(a for a in addresses if a),
        "hours": " | ".join(hours),
    }


async def note_changes(
    session: AsyncSession,
    current: Mapping[str, dict[str, str]],
    stored: Mapping[str, dict[str, str]],
    now: datetime,
) -> int:
    """Compare each service's PTV values (``current``: service id -> watched values) with the
    basis it was last compared with, else with ``stored`` (values read from the stored card,
    only the fields that are PTV's there); open or update a review per changed field and keep
    ``current`` as the new basis. Runs in the caller's transaction. Returns the changes seen.
    """
    if not current:
        return 0
    ids = list(current)
    basis: dict[tuple[str, str], CatalogReviewBasis] = {
        (row.service_id, row.field): row
        for row in (
            await session.execute(
                select(CatalogReviewBasis).where(CatalogReviewBasis.service_id.in_(ids))
            )
        ).scalars()
    }
    open_rows: dict[tuple[str, str], CatalogReview] = {
        (row.service_id, row.field): row
        for row in (
            await session.execute(
                select(CatalogReview).where(
                    CatalogReview.service_id.in_(ids), CatalogReview.resolved_at.is_(None)
                )
            )
        ).scalars()
    }
    seen = 0
    for service_id, values in current.items():
        known = {f: row.value for (s, f), row in basis.items() if s == service_id}
        previous = known or stored.get(service_id, {})
        for field in WATCHED:
            new = values.get(field, "")
            old = previous.get(field)
            if old is not None and old != new:
                seen += 1
                review = open_rows.get((service_id, field))
                if review is None:
                    session.add(
                        CatalogReview(
                            service_id=service_id,
                            field=field,
                            old_value=old,
                            new_value=new,
                            noticed_at=now,
                        )
                    )
                else:  # still unreviewed: one row from the value the texts were written for
                    review.new_value, review.noticed_at = new, now
                    if new == review.old_value:  # back to what the texts were written for
                        review.resolved_at = now
            row = basis.get((service_id, field))
            if row is None:
                session.add(CatalogReviewBasis(service_id=service_id, field=field, value=new))
            else:
                row.value = new
    await session.flush()
    return seen


async def open_reviews(session: AsyncSession) -> list[OpenReview]:
    """Unresolved reviews, oldest first."""
    rows = await session.execute(
        select(CatalogReview)
        .where(CatalogReview.resolved_at.is_(None))
        .order_by(CatalogReview.noticed_at, CatalogReview.id)
    )
    return [
        OpenReview(r.id, r.service_id, r.field, r.old_value, r.new_value, r.noticed_at)
        for r in rows.scalars()
    ]


async def resolve_review(session: AsyncSession, review_id: int, now: datetime) -> bool:
    """Mark one review done; False when it was already done or does not exist."""
    async with write_transaction(session):
        result = await session.execute(
            update(CatalogReview)
            .where(CatalogReview.id == review_id, CatalogReview.resolved_at.is_(None))
            .values(resolved_at=now)
        )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def without(values: dict[str, str], fields: Collection[str]) -> dict[str, str]:
    """``values`` without ``fields`` (those the stored card does not hold as PTV wrote them)."""
    return {k: v for k, v in values.items() if k not in fields}
