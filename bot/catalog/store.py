"""The catalogue in the database: transactional import, loading, start-up sync, flags.

An import is one write transaction: all or nothing. It upserts by id and replaces only the
entries of the sources it brings (a YAML file, a PTV organisation); another source's entries
are never deleted, and an id owned by another source is refused.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import Protocol
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.catalog.loader import SourcedFile, catalog_files, content_hash, cross_check, read_catalog
from bot.catalog.matching import CatalogIndex
from bot.catalog.schema import Organization, Service
from bot.data_errors import DataError, DataFileError
from bot.db.engine import upsert, write_transaction
from bot.db.models import (
    CardFlag,
    CardFlagMark,
    CatalogOrganization,
    CatalogService,
    CatalogVersion,
)
from bot.yaml_source import format_path

log = logging.getLogger(__name__)

FLAG_REASONS = ("closed", "phone", "hours", "other")
HELSINKI = ZoneInfo("Europe/Helsinki")


@dataclass(frozen=True)
class ImportReport:
    added: int
    updated: int
    unchanged: int
    removed: int
    version: int | None  # None when nothing was written (same content as the last import)

    def __str__(self) -> str:
        return (
            f"added {self.added}, updated {self.updated}, unchanged {self.unchanged}, "
            f"removed {self.removed}"
            + (f" (catalogue version {self.version})" if self.version else " (no change)")
        )


class MirrorEvents(Protocol):
    """Writes the imported services' events (``bot.events.store.store_events`` with its change
    listener), inside the import's write transaction. The catalogue sits below events and
    delivery, so it is handed this instead of importing them."""

    async def __call__(
        self,
        session: AsyncSession,
        services: Sequence[tuple[str, Service]],
        sources: set[str],
        tz: tzinfo,
        now: datetime,
    ) -> None: ...


async def latest_version(session: AsyncSession) -> CatalogVersion | None:
    result = await session.execute(
        select(CatalogVersion).order_by(CatalogVersion.version.desc()).limit(1)
    )
    return result.scalar_one_or_none()


async def import_files(
    session: AsyncSession,
    files: Sequence[SourcedFile],
    *,
    origin: str,
    digest: str,
    now: datetime | None = None,
    tz: tzinfo = HELSINKI,
    remember_digest: bool = False,
    mirror_events: MirrorEvents,
    quiet_fields: frozenset[str] = frozenset(),
    on_write: Callable[[AsyncSession], Awaitable[None]] | None = None,
) -> ImportReport:
    """Write ``files`` to the database in one transaction; raise DataFileError on conflicts.

    A new catalogue version is recorded only when an entry was added, updated or removed.
    ``remember_digest`` (the start-up sync): also remember a new ``digest`` of unchanged
    entries, so the next start does not read the same files again. ``quiet_fields``: a
    service differing only in these is rewritten but counts as unchanged (the PTV sync's
    ``checked`` date moves every night; that alone is no new catalogue version).
    ``on_write`` runs inside the write transaction, after the entries are written.
    """
    now = now or datetime.now(UTC)
    sources = {f.source for f in files}
    services = {s.id: (f.source, s) for f in files for s in f.catalog.services}
    # Where each service is written, so a conflict is reported as ``file:line: path: reason``.
    places = {s.id: (f, i) for f in files for i, s in enumerate(f.catalog.services)}
    organizations = {o.id: (f.source, o) for f in files for o in f.catalog.organizations}
    async with write_transaction(session):
        stored_orgs = await load_organizations(session)
        # Services stored from other sources: a distinct_from may name them.
        other_services = (
            await session.execute(
                select(CatalogService.id).where(CatalogService.source.not_in(sources))
            )
        ).scalars()
        errors, _ = cross_check(
            files,
            known_organizations=stored_orgs,
            stored_organizations=stored_orgs,
            known_services=other_services,
        )
        owned = await session.execute(
            select(CatalogService.id, CatalogService.source).where(
                CatalogService.id.in_(list(services))
            )
        )
        # Not dict(owned): a Result has keys(), so dict() would treat it as a mapping.
        owners = {service_id: owner for service_id, owner in owned}  # noqa: C416
        for service_id, owner in owners.items():
            if owner not in sources:
                f, i = places[service_id]
                path = ("services", i, "id")
                file, line = (
                    (f.document.file, f.document.line_of(path)) if f.document else (f.source, 0)
                )
                errors.append(
                    DataError(
                        file,
                        line,
                        format_path(path),
                        f"id already belongs to {owner}; rename it or import that too",
                    )
                )
        if errors:
            raise DataFileError(errors)

        existing = {
            row.id: row.document
            for row in (
                await session.execute(
                    select(CatalogService.id, CatalogService.document).where(
                        CatalogService.source.in_(sources)
                    )
                )
            ).all()
        }
        removed = [i for i in existing if i not in services]
        if removed:
            await session.execute(delete(CatalogService).where(CatalogService.id.in_(removed)))
        await session.execute(
            delete(CatalogOrganization).where(
                CatalogOrganization.source.in_(sources),
                CatalogOrganization.id.not_in(list(organizations)),
            )
        )
        added = updated = unchanged = 0
        for service_id, (source, service) in services.items():
            document = service.model_dump(mode="json")
            if service_id not in existing:
                added += 1
                session.add(_service_row(source, service, document, now))
            elif existing[service_id] != document:
                if quiet_fields and _without(existing[service_id], quiet_fields) == _without(
                    document, quiet_fields
                ):
                    unchanged += 1
                else:
                    updated += 1
                await session.merge(_service_row(source, service, document, now))
            else:
                unchanged += 1
        for org_id, (source, organization) in organizations.items():
            await session.merge(
                CatalogOrganization(
                    id=org_id, source=source, document=organization.model_dump(mode="json")
                )
            )
        await mirror_events(session, list(services.values()), sources, tz, now)
        if on_write is not None:
            await on_write(session)
        changed = bool(added or updated or removed)
        last = (
            await session.execute(
                select(CatalogVersion)
                .where(CatalogVersion.origin == origin)
                .order_by(CatalogVersion.version.desc())
                .limit(1)
            )
        ).scalar_one_or_none()
        version = None
        if changed or (remember_digest and last is None):
            total = await session.scalar(select(func.count()).select_from(CatalogService))
            row = CatalogVersion(
                origin=origin, content_hash=digest, imported_at=now, services=int(total or 0)
            )
            session.add(row)
            await session.flush()
            version = row.version
        elif remember_digest and last is not None and last.content_hash != digest:
            # The files changed but no entry did (e.g. an edited comment): no new version, so
            # replicas do not reload for nothing; the digest is noted on the origin's last one.
            last.content_hash = digest
            await session.flush()
    return ImportReport(added, updated, unchanged, len(removed), version)


def _without(document: dict[str, object], fields: frozenset[str]) -> dict[str, object]:
    return {k: v for k, v in document.items() if k not in fields}


def _service_row(
    source: str, service: Service, document: dict[str, object], now: datetime
) -> CatalogService:
    return CatalogService(
        id=service.id,
        source=source,
        organization_id=service.organization,
        active=service.active,
        document=document,
        updated_at=now,
    )


async def load_services(session: AsyncSession) -> list[Service]:
    """Every service in the database (active or not), validated, sorted by id."""
    documents = (
        await session.execute(select(CatalogService.document).order_by(CatalogService.id))
    ).scalars()
    return [Service.model_validate(d) for d in documents]


async def load_organizations(session: AsyncSession) -> dict[str, Organization]:
    documents = (await session.execute(select(CatalogOrganization.document))).scalars()
    organizations = [Organization.model_validate(d) for d in documents]
    return {o.id: o for o in organizations}


async def sync_catalog_path(
    session: AsyncSession,
    path: Path,
    tz: tzinfo = HELSINKI,
    *,
    mirror_events: MirrorEvents,
) -> ImportReport | None:
    """Import ``path`` when its content differs from the last import of it (start-up)."""
    files = catalog_files([path]) if path.exists() else []  # noqa: ASYNC240 - a few stat calls
    if not files:
        log.warning("no catalogue files at %s; using the catalogue in the database", path)
        return None
    digest = content_hash(files)
    origin = f"path:{path}"
    last = await session.scalar(
        select(CatalogVersion.content_hash)
        .where(CatalogVersion.origin == origin)
        .order_by(CatalogVersion.version.desc())
        .limit(1)
    )
    if last == digest:
        return None
    loaded = read_catalog([path])  # raises DataFileError: the bot refuses to start
    report = await import_files(
        session,
        loaded.files,
        origin=origin,
        digest=digest,
        tz=tz,
        remember_digest=True,
        mirror_events=mirror_events,
    )
    for warning in loaded.warnings:
        log.warning("%s", warning)
    log.info("catalogue %s imported: %s", path, report)
    return report


async def flag_card(
    session: AsyncSession, service_id: str, reason: str, user_id: int, now: datetime
) -> bool:
    """Record an anonymous "something wrong?" report, at most one per person, card and month
    (so no one person can make a card look broken); returns whether it counted.

    The flag row itself names no one; the person's mark (:class:`CardFlagMark`) keeps only
    the card and the month, and their older months' marks are dropped here.
    """
    if reason not in FLAG_REASONS:
        raise ValueError(f"unknown flag reason {reason!r}")
    month = now.astimezone(UTC).strftime("%Y-%m")
    mark = upsert(session, CardFlagMark).values(user_id=user_id, service_id=service_id, month=month)
    async with write_transaction(session):
        await session.execute(
            delete(CardFlagMark).where(CardFlagMark.user_id == user_id, CardFlagMark.month < month)
        )
        first = await session.execute(mark.on_conflict_do_nothing().returning(CardFlagMark.month))
        if first.first() is None:
            return False
        session.add(CardFlag(service_id=service_id, reason=reason, created_at=now))
    return True


async def open_flags(session: AsyncSession) -> list[tuple[str, str, int, datetime]]:
    """Unresolved flags grouped by service and reason: (service, reason, count, latest)."""
    rows = await session.execute(
        select(
            CardFlag.service_id,
            CardFlag.reason,
            func.count(),
            func.max(CardFlag.created_at),
        )
        .where(CardFlag.resolved.is_(False))
        .group_by(CardFlag.service_id, CardFlag.reason)
        .order_by(func.count().desc(), CardFlag.service_id)
    )
    return [(s, r, int(n), latest) for s, r, n, latest in rows]


async def resolve_flags(session: AsyncSession, service_id: str) -> int:
    async with write_transaction(session):
        result = await session.execute(
            update(CardFlag)
            .where(CardFlag.service_id == service_id, CardFlag.resolved.is_(False))
            .values(resolved=True)
        )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def has_service(session: AsyncSession, service_id: str) -> bool:
    """Whether the catalogue in the database has a card with this id (active or not)."""
    found = await session.scalar(select(CatalogService.id).where(CatalogService.id == service_id))
    return found is not None


class LiveCatalog:
    """The current catalogue index, reloaded when a newer version row appears in the database.

    Replicas share nothing in memory: each one notices a new import by the version row, at
    most ``check_every`` seconds late.
    """

    def __init__(
        self, check_every: float = 5.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._check_every = check_every
        self._clock = clock
        self._checked_at = -float("inf")
        self._index: CatalogIndex | None = None
        self._lock = asyncio.Lock()

    def expire(self) -> None:
        """Look for a newer version on the next ``get`` (the demo reloads a changed file at
        once instead of up to ``check_every`` seconds late)."""
        self._checked_at = -float("inf")

    async def get(self, session: AsyncSession) -> CatalogIndex:
        if self._index is not None and self._clock() - self._checked_at < self._check_every:
            return self._index
        async with self._lock:
            if self._index is None or self._clock() - self._checked_at >= self._check_every:
                version = await session.scalar(select(func.max(CatalogVersion.version)))
                if self._index is None or version != self._index.version:
                    self._index = CatalogIndex(await load_services(session), version)
                    log.info("catalogue version %s loaded: %d services", version, len(self._index))
                self._checked_at = self._clock()
        return self._index
