"""``valo-bot catalog sync ptv``: follow the live PTV catalogue (Open API v11).

What a sync does, in order:

1. Fetch (``bot.catalog.ptv_client``) for the scope (``PTV_SYNC_MUNICIPALITIES``, default the
   region's 15 municipalities, and ``PTV_SYNC_ORGANIZATIONS``): a full sync takes every
   service of each municipality and organisation; an incremental one (after a successful
   sync of the same scope) only the services changed since it started, the services whose
   channels changed (``ptv_sync_links`` says which), and the archived or withdrawn ones.
   Then the channels of every service fetched. Any fetch failure ends the sync here:
   nothing is written.
2. Parse with the file importer (``bot.catalog.ptv.parse_ptv``), one document per record. A
   record that breaks the catalogue's rules is set aside and reported (its stored version,
   if any, stays: "last good"); the others go on. Named contact persons are never read (the
   parser reads no person fields, and a phone line's or address's free-text notes are not
   kept). Each synced service's ``checked`` is the sync date; PTV's modification date is its
   register source's ``updated``.
3. Build each touched source's (``ptv:<organisation>``) full new content, since an import
   replaces a whole source: what is stored for it, minus the services fetched again and the
   ones removed in PTV, plus the new versions (an incremental sync never drops an
   organisation's unchanged services). Other sources (YAML files, HSDS) are never touched.
4. Apply it through ``bot.catalog.store.import_files`` in one write transaction, together
   with the channel links and the sync state (last success, failures in a row). A sync that
   changes nothing makes no new catalogue version; ``checked`` moving alone is no change.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, tzinfo
from typing import Any, Protocol

from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.catalog.loader import SourcedFile
from bot.catalog.ptv import parse_ptv
from bot.catalog.ptv_client import PtvClient, PtvClientOptions, PtvFetchError
from bot.catalog.schema import CatalogFile, Organization, Service
from bot.catalog.store import HELSINKI, ImportReport, MirrorEvents, import_files
from bot.catalog.vocab import wellbeing_counties
from bot.data_errors import DataError, DataFileError
from bot.db.engine import write_transaction
from bot.db.models import CatalogOrganization, CatalogService, PtvSyncLink, PtvSyncState

ORIGIN = "ptv-sync"
QUIET_FIELDS = frozenset({"checked"})  # the sync date alone is no new catalogue version
_SERVICE_DOC = "ptv:Service/"
_CHANNEL_DOC = "ptv:ServiceChannel/"
_PATH_SERVICE = re.compile(r"^services\[(\d+)\]")
_MAX_ROUNDS = 5
_ERROR_LIMIT = 500  # characters of the stored last error


class Curation(Protocol):
    """The curated layer over synced services (``services_catalog/overlays``)."""

    def apply(self, services: list[Service]) -> list[Service]: ...

    async def record_changes(
        self,
        session: AsyncSession,
        before: dict[str, Service],
        after: dict[str, Service],
        now: datetime,
    ) -> None: ...


class PtvSyncError(Exception):
    """The sync failed and changed nothing; the message is one line."""


def region_municipalities() -> tuple[str, ...]:
    """The region's municipality codes (its wellbeing services counties')."""
    return tuple(code for county in wellbeing_counties() for code in county.members)


@dataclass(frozen=True)
class SyncScope:
    municipalities: tuple[str, ...]
    organizations: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        """The state row's key: a changed scope starts with a full sync."""
        text = f"m:{','.join(sorted(self.municipalities))}|o:{','.join(sorted(self.organizations))}"
        return hashlib.sha256(text.encode()).hexdigest()[:32]

    @classmethod
    def of(cls, municipalities: Iterable[str], organizations: Iterable[str]) -> SyncScope:
        """The configured scope; no municipalities and no organisations: the region's."""
        codes, orgs = tuple(municipalities), tuple(organizations)
        if not codes and not orgs:
            codes = region_municipalities()
        return cls(codes, orgs)


def short_service_id(ptv_id: str) -> str:
    """The catalogue id the PTV importer gives a PTV service."""
    return f"ptv-{ptv_id.replace('-', '')[:8]}"


# ------------------------------------------------------------------------------ fetch


@dataclass
class Fetched:
    services: dict[str, dict[str, Any]]  # PTV id -> record
    channels: dict[str, dict[str, Any]]
    removed: set[str] = field(default_factory=set)  # archived or withdrawn since
    full: bool = True


# The fields of Service and ServiceChannel records bot.catalog.ptv reads; the rest is dropped
# as each page arrives. Phone lines keep only their number fields: their free-text note
# ("additionalInformation") may name a person, and is never read.
_FIELDS = frozenset(
    {
        "id", "type", "publishingStatus", "modified", "organizationId", "organizations",
        "serviceNames", "serviceDescriptions", "serviceClasses", "targetGroups", "lifeEvents",
        "areaType", "areas", "languages", "serviceChargeType", "serviceChannels", "services",
        "serviceChannelType", "serviceChannelNames", "phoneNumbers", "emails", "webPages",
        "addresses", "serviceHours",
    }
)  # fmt: skip
_CODE_FIELDS = frozenset({"code"})
_PHONE_FIELDS = frozenset({"type", "number", "prefixNumber", "isFinnishServiceNumber"})


def slim_record(record: Any) -> Any:
    """``record`` with only the fields the importer reads (anything else is left as it is,
    for the importer to refuse)."""
    if not isinstance(record, dict):
        return record
    slim = {k: v for k, v in record.items() if k in _FIELDS}
    for key in ("serviceClasses", "targetGroups", "lifeEvents"):
        if isinstance(slim.get(key), list):  # their names and descriptions are not read
            slim[key] = [_only(entry, _CODE_FIELDS) for entry in slim[key]]
    if isinstance(slim.get("phoneNumbers"), list):
        slim["phoneNumbers"] = [_only(entry, _PHONE_FIELDS) for entry in slim["phoneNumbers"]]
    return slim


def _only(entry: Any, fields: frozenset[str]) -> Any:
    return {k: v for k, v in entry.items() if k in fields} if isinstance(entry, dict) else entry


def _record_id(record: Any, what: str) -> str:
    if not isinstance(record, dict) or not isinstance(record.get("id"), str):
        raise PtvFetchError(f"a {what} record without an id")
    return str(record["id"]).strip().lower()


def _channel_ids(record: dict[str, Any]) -> list[str]:
    found = []
    for connection in record.get("serviceChannels") or []:
        channel = connection.get("serviceChannel") if isinstance(connection, dict) else None
        if isinstance(channel, dict) and isinstance(channel.get("id"), str):
            found.append(channel["id"].strip().lower())
    return found


async def fetch(
    client: PtvClient,
    scope: SyncScope,
    since: datetime | None,
    links: dict[str, set[str]],
) -> Fetched:
    """What the sync needs from PTV: everything (``since`` None) or what changed since."""
    services: dict[str, dict[str, Any]] = {}

    def take(records: Iterable[Any]) -> None:
        for record in records:
            services.setdefault(_record_id(record, "service"), record)

    whole = await asyncio.gather(*(client.services_of_organization(o) for o in scope.organizations))
    for records in whole:
        take(records)
    removed: set[str] = set()
    if since is None:
        for records in await asyncio.gather(
            *(client.services_of_municipality(code) for code in scope.municipalities)
        ):
            take(records)
    else:
        changed = await asyncio.gather(
            *(client.changed_services_of_municipality(c, since) for c in scope.municipalities)
        )
        channels_changed = await client.changed_channels(since)
        removed = set(await client.removed_services(since))
        wanted = {i for ids in changed for i in ids}
        wanted |= {s for channel in channels_changed for s in links.get(channel, ())}
        wanted -= removed | set(services)
        take(await client.services(sorted(wanted)))
        for ptv_id in removed:
            services.pop(ptv_id, None)
    channel_ids = sorted({c for record in services.values() for c in _channel_ids(record)})
    channels = {_record_id(r, "channel"): r for r in await client.channels(channel_ids)}
    return Fetched(services, channels, removed, full=since is None)


# ------------------------------------------------------------------------------ parse


@dataclass
class Parsed:
    parts: dict[str, CatalogFile]  # source -> its organisation and good services
    bad: dict[str, list[str]]  # PTV service id -> why it was set aside
    warnings: list[str]
    left_out: int
    channels_of: dict[str, set[str]]  # PTV service id -> its channel ids


def parse_records(fetched: Fetched, today: date) -> Parsed:
    """Parse every fetched record; set aside (in ``bad``) the services whose record or
    channels break the catalogue's rules, and parse the rest again until none does."""
    services = dict(fetched.services)
    channels = dict(fetched.channels)
    channels_of: dict[str, set[str]] = {s: set(_channel_ids(r)) for s, r in services.items()}
    for channel_id, record in channels.items():
        for connection in record.get("services") or []:
            service = connection.get("service") if isinstance(connection, dict) else None
            if isinstance(service, dict) and isinstance(service.get("id"), str):
                owner = service["id"].strip().lower()
                if owner in channels_of:
                    channels_of[owner].add(channel_id)
    bad: dict[str, list[str]] = {}
    for _ in range(_MAX_ROUNDS):
        documents: list[tuple[str, Any]] = [(_SERVICE_DOC + i, r) for i, r in services.items()]
        documents += [(_CHANNEL_DOC + i, r) for i, r in channels.items()]
        try:
            imported = parse_ptv(documents, today=today)
        except DataFileError as exc:
            blamed = _blame(exc.errors, services, channels_of)
            for ptv_id, reasons in blamed.items():
                bad.setdefault(ptv_id, []).extend(reasons)
                services.pop(ptv_id, None)
            still = {c for s in services for c in channels_of.get(s, ())}
            channels = {c: r for c, r in channels.items() if c in still}
            continue
        return Parsed(
            dict(imported.by_source),
            bad,
            imported.warnings,
            imported.left_out,
            {s: channels_of.get(s, set()) for s in fetched.services},
        )
    raise PtvSyncError(f"records still failed after {_MAX_ROUNDS} rounds of setting aside")


def _blame(
    errors: Iterable[DataError], services: dict[str, Any], channels_of: dict[str, set[str]]
) -> dict[str, list[str]]:
    """PTV service id -> its errors (a channel's errors blame every service using it)."""
    blamed: dict[str, list[str]] = {}
    for error in errors:
        reason = f"{error.path}: {error.reason}"
        if error.file.startswith(_SERVICE_DOC):
            owners = [error.file.removeprefix(_SERVICE_DOC)]
        elif error.file.startswith(_CHANNEL_DOC):
            channel = error.file.removeprefix(_CHANNEL_DOC)
            owners = [s for s, cs in channels_of.items() if channel in cs and s in services]
            reason = f"channel {channel}: {reason}"
        else:
            owners = []
        owners = [o for o in owners if o in services]
        if not owners:
            raise PtvSyncError(f"PTV data refused: {error}")
        for owner in owners:
            blamed.setdefault(owner, []).append(reason)
    return blamed


# ------------------------------------------------------------------------------ plan


@dataclass
class _Stored:
    services: dict[str, tuple[str, Service]]  # id -> (source, service), PTV sources only
    organizations: dict[str, list[Organization]]  # source -> its organisations
    links: list[tuple[str, str, str]]  # (channel, PTV service id, source)


async def _load_stored(session: AsyncSession) -> _Stored:
    rows = await session.execute(
        select(CatalogService.source, CatalogService.document).where(
            CatalogService.source.like("ptv:%")
        )
    )
    services = {}
    for source, document in rows:
        service = Service.model_validate(document)
        services[service.id] = (source, service)
    organizations: dict[str, list[Organization]] = {}
    for source, document in await session.execute(
        select(CatalogOrganization.source, CatalogOrganization.document).where(
            CatalogOrganization.source.like("ptv:%")
        )
    ):
        organizations.setdefault(source, []).append(Organization.model_validate(document))
    links = [
        (c, s, src)
        for c, s, src in await session.execute(
            select(PtvSyncLink.channel_id, PtvSyncLink.service_id, PtvSyncLink.source)
        )
    ]
    return _Stored(services, organizations, links)


@dataclass
class Plan:
    files: list[SourcedFile]
    before: dict[str, Service]  # stored versions of the touched sources' services
    after: dict[str, Service]
    links: list[tuple[str, str, str]]  # the touched sources' new links
    touched: set[str]


def plan(
    stored: _Stored,
    fetched: Fetched,
    parsed: Parsed,
    scope: SyncScope,
    today: date,
    refused: set[str],
    curation: Curation | None,
) -> Plan:
    """The touched sources' full new content (see the module docstring, step 3).

    ``refused``: ids the import refused even in their stored version (they are dropped).
    """
    new_services = [
        s.model_copy(update={"checked": today})
        for part in parsed.parts.values()
        for s in part.services
    ]
    source_of = {s.id: src for src, part in parsed.parts.items() for s in part.services}
    if curation is not None:
        new_services = curation.apply(new_services)
    new_services = [s for s in new_services if s.id not in refused and s.id in source_of]
    refetched = {short_service_id(i) for i in (*fetched.services, *fetched.removed)}
    bad = {short_service_id(i) for i in parsed.bad}
    synced_sources = {src for _, _, src in stored.links}
    whole = {f"ptv:{o}" for o in scope.organizations}
    touched = set(parsed.parts)
    touched |= {stored.services[i][0] for i in refetched if i in stored.services}
    if fetched.full:
        touched |= synced_sources
        whole |= touched
    touched |= whole & set(stored.organizations)

    content: dict[str, list[Service]] = {src: [] for src in touched}
    for service_id, (src, service) in stored.services.items():
        if src not in touched or service_id in refused:
            continue
        if service_id in bad or (src not in whole and service_id not in refetched):
            content[src].append(service)  # unchanged, or the last good version
    for service in new_services:
        content[source_of[service.id]].append(service)

    files = []
    for src in sorted(touched):
        if src in parsed.parts:
            organizations = list(parsed.parts[src].organizations)
        elif content[src]:
            organizations = stored.organizations.get(src, [])
        else:
            organizations = []
        files.append(
            SourcedFile(src, CatalogFile(organizations=organizations, services=content[src]))
        )

    kept_ids = {s.id for src in touched for s in content[src]}
    renewed = {s.id for s in new_services}
    ptv_ids = {short_service_id(i): i for i in parsed.channels_of}
    links = [  # the links of the services kept as stored stay
        (c, s, src)
        for c, s, src in stored.links
        if src in touched and short_service_id(s) in kept_ids - renewed
    ]
    for service in new_services:
        ptv_id = ptv_ids[service.id]
        links += [(c, ptv_id, source_of[service.id]) for c in sorted(parsed.channels_of[ptv_id])]
    before = {i: s for i, (src, s) in stored.services.items() if src in touched}
    after = {s.id: s for src in touched for s in content[src]}
    return Plan(files, before, after, links, touched)


# ------------------------------------------------------------------------------ sync


@dataclass
class SyncResult:
    report: ImportReport | None  # None for a dry run
    full: bool
    since: datetime | None
    services: int  # fetched
    channels: int
    removed_in_ptv: int
    set_aside: list[str]  # "ptv-...: reason", kept at their last good version or not added
    warnings: list[str]
    left_out: int
    would_change: tuple[int, int, int] | None = None  # dry run: (added, updated, removed)

    def __str__(self) -> str:
        how = "full" if self.full else f"changes since {self.since:%Y-%m-%d %H:%M} UTC"
        if self.report is not None:
            outcome = str(self.report)
        else:
            added, updated, removed = self.would_change or (0, 0, 0)
            outcome = f"dry run: would add {added}, update {updated}, remove {removed}"
        parts = [
            f"synced PTV ({how}): {self.services} service(s), {self.channels} channel(s) "
            f"fetched; {outcome}"
        ]
        if self.set_aside:
            parts.append(
                f"{len(self.set_aside)} record(s) set aside (kept at their last good version)"
            )
        if self.left_out:
            parts.append(f"{self.left_out} record(s) left out (the reasons are in the warnings)")
        return "; ".join(parts)


ClientFactory = Callable[[PtvClientOptions], PtvClient]


async def load_state(session: AsyncSession, scope: SyncScope) -> PtvSyncState | None:
    return await session.get(PtvSyncState, scope.key)


async def record_failure(
    sessions: async_sessionmaker[AsyncSession], scope: SyncScope, reason: str, now: datetime
) -> PtvSyncState:
    """Count one more failure in a row for ``scope``; returns the state as it is now."""
    async with sessions() as session:
        async with write_transaction(session):
            state = await session.get(PtvSyncState, scope.key)
            if state is None:
                state = PtvSyncState(scope=scope.key, consecutive_failures=0)
                session.add(state)
            state.consecutive_failures = (state.consecutive_failures or 0) + 1
            state.last_attempt = now
            state.last_error = reason[:_ERROR_LIMIT]
        return state


async def mark_alerted(
    sessions: async_sessionmaker[AsyncSession], scope: SyncScope, now: datetime
) -> None:
    async with sessions() as session, write_transaction(session):
        state = await session.get(PtvSyncState, scope.key)
        if state is not None:
            state.alerted_at = now


async def _write_links(
    session: AsyncSession, touched: set[str], links: list[tuple[str, str, str]]
) -> None:
    await session.execute(delete(PtvSyncLink).where(PtvSyncLink.source.in_(sorted(touched))))
    unique = {(c, s): src for c, s, src in links}
    rows = [{"channel_id": c, "service_id": s, "source": src} for (c, s), src in unique.items()]
    for start in range(0, len(rows), 1000):
        await session.execute(insert(PtvSyncLink), rows[start : start + 1000])


def _digest(files: list[SourcedFile]) -> str:
    text = json.dumps(
        [[f.source, f.catalog.model_dump(mode="json")] for f in files], sort_keys=True, default=str
    )
    return hashlib.sha256(text.encode()).hexdigest()


def _refused_ids(errors: Iterable[DataError], files: list[SourcedFile]) -> dict[str, str]:
    """Service id -> reason, for import errors that name a service of ``files``."""
    by_source = {f.source: f for f in files}
    found: dict[str, str] = {}
    for error in errors:
        match = _PATH_SERVICE.match(error.path)
        f = by_source.get(error.file)
        if match is None or f is None or int(match.group(1)) >= len(f.catalog.services):
            raise PtvSyncError(f"the catalogue refused the sync: {error}")
        found[f.catalog.services[int(match.group(1))].id] = f"{error.path}: {error.reason}"
    return found


async def sync_ptv(
    sessions: async_sessionmaker[AsyncSession],
    options: PtvClientOptions,
    scope: SyncScope,
    *,
    mirror_events: MirrorEvents,
    now: datetime | None = None,
    tz: tzinfo = HELSINKI,
    full: bool = False,
    dry_run: bool = False,
    curation: Curation | None = None,
    client_factory: ClientFactory = PtvClient,
) -> SyncResult:
    """Fetch, parse and apply (module docstring); raise PtvSyncError, having changed nothing
    but the failure count, when the fetch, the parse or the write fails."""
    now = now or datetime.now(UTC)
    today = now.astimezone(tz).date()
    try:
        return await _sync(
            sessions,
            options,
            scope,
            mirror_events,
            now,
            today,
            full,
            dry_run,
            curation,
            client_factory,
        )
    except PtvSyncError as exc:
        if not dry_run:
            await record_failure(sessions, scope, str(exc), now)
        raise


async def _sync(
    sessions: async_sessionmaker[AsyncSession],
    options: PtvClientOptions,
    scope: SyncScope,
    mirror_events: MirrorEvents,
    now: datetime,
    today: date,
    full: bool,
    dry_run: bool,
    curation: Curation | None,
    client_factory: ClientFactory,
) -> SyncResult:
    async with sessions() as session:
        state = await load_state(session, scope)
        links: dict[str, set[str]] = {}
        for channel, service in await session.execute(
            select(PtvSyncLink.channel_id, PtvSyncLink.service_id)
        ):
            links.setdefault(channel, set()).add(service)
    since = None if full or state is None else state.last_success
    try:
        async with asyncio.timeout(options.time_budget):
            async with client_factory(options) as client:
                client.keep = slim_record
                fetched = await fetch(client, scope, since, links)
    except TimeoutError:
        raise PtvSyncError(f"time budget of {options.time_budget:g} s used up") from None
    except PtvFetchError as exc:
        raise PtvSyncError(f"fetch failed: {exc}") from None
    except Exception as exc:  # a malformed answer the parser of pages did not expect
        raise PtvSyncError(f"fetch failed: {type(exc).__name__}: {exc}") from None
    parsed = parse_records(fetched, today)

    refused: dict[str, str] = {}
    for _ in range(_MAX_ROUNDS):
        async with sessions() as session:
            stored = await _load_stored(session)
            planned = plan(stored, fetched, parsed, scope, today, set(refused), curation)
            if dry_run:
                return _result(None, fetched, parsed, since, refused, _would_change(planned))

            async def on_write(session: AsyncSession, planned: Plan = planned) -> None:
                await _write_links(session, planned.touched, planned.links)
                state = await session.get(PtvSyncState, scope.key)
                if state is None:
                    state = PtvSyncState(scope=scope.key)
                    session.add(state)
                # Changes made while this sync ran are asked for again next time.
                state.last_success = now
                state.last_attempt = now
                state.consecutive_failures = 0
                state.last_error = None
                state.alerted_at = None
                if curation is not None:
                    await curation.record_changes(session, planned.before, planned.after, now)

            try:
                report = await import_files(
                    session,
                    planned.files,
                    origin=ORIGIN,
                    digest=_digest(planned.files),
                    now=now,
                    mirror_events=mirror_events,
                    quiet_fields=QUIET_FIELDS,
                    on_write=on_write,
                )
            except DataFileError as exc:
                found = _refused_ids(exc.errors, planned.files)
                for service_id, reason in found.items():
                    if any(short_service_id(p) == service_id for p in parsed.bad) or (
                        service_id not in {s.id for p in parsed.parts.values() for s in p.services}
                    ):
                        refused[service_id] = reason  # the stored version itself is refused
                    else:
                        parsed = _set_aside(parsed, service_id, reason)
                continue
        return _result(report, fetched, parsed, since, refused, None)
    raise PtvSyncError(f"the catalogue refused the sync {_MAX_ROUNDS} times")


def _set_aside(parsed: Parsed, service_id: str, reason: str) -> Parsed:
    """``parsed`` without the new version of ``service_id`` (its stored one stays)."""
    parts = {
        src: CatalogFile(
            organizations=part.organizations,
            services=[s for s in part.services if s.id != service_id],
        )
        for src, part in parsed.parts.items()
    }
    ptv_id = next((p for p in parsed.channels_of if short_service_id(p) == service_id), service_id)
    bad = {**parsed.bad, ptv_id: [*parsed.bad.get(ptv_id, []), reason]}
    return Parsed(parts, bad, parsed.warnings, parsed.left_out, parsed.channels_of)


def _would_change(planned: Plan) -> tuple[int, int, int]:
    added = sum(1 for i in planned.after if i not in planned.before)
    removed = sum(1 for i in planned.before if i not in planned.after)
    updated = 0
    for i, service in planned.after.items():
        old = planned.before.get(i)
        if old is not None:
            a = old.model_dump(mode="json", exclude=set(QUIET_FIELDS))
            b = service.model_dump(mode="json", exclude=set(QUIET_FIELDS))
            updated += a != b
    return added, updated, removed


def _result(
    report: ImportReport | None,
    fetched: Fetched,
    parsed: Parsed,
    since: datetime | None,
    refused: dict[str, str],
    would_change: tuple[int, int, int] | None,
) -> SyncResult:
    set_aside = [
        f"{short_service_id(p)} (PTV {p}): {'; '.join(reasons)}"
        for p, reasons in parsed.bad.items()
    ]
    set_aside += [f"{i}: {reason} (dropped)" for i, reason in refused.items()]
    return SyncResult(
        report,
        fetched.full,
        since,
        len(fetched.services),
        len(fetched.channels),
        len(fetched.removed),
        set_aside,
        parsed.warnings,
        parsed.left_out,
        would_change,
    )
