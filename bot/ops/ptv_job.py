"""The nightly PTV sync in the worker (under the worker lease), with its metrics and the
staff alert after ``PTV_SYNC_ALERT_AFTER`` failures in a row (once per streak)."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.app import App
from bot.catalog.overlay import OverlayCuration
from bot.catalog.ptv_client import PtvClient, PtvClientOptions
from bot.catalog.ptv_sync import (
    ClientFactory,
    Curation,
    PtvSyncError,
    SyncResult,
    SyncScope,
    load_state,
    mark_alerted,
    record_failure,
    sync_ptv,
)
from bot.config import Settings
from bot.data_errors import DataFileError
from bot.db.outage import describe
from bot.db.staff import staff_members
from bot.delivery.event_news import mirror_events
from bot.delivery.ledger import NewDelivery, enqueue
from bot.delivery.worker import DeliveryWorker
from bot.ops.metrics import PTV_SYNC_CHANGED, PTV_SYNC_FAILURES, PTV_SYNC_LAST_SUCCESS

log = logging.getLogger(__name__)

JOB_ID = "ptv-sync"
ALERT_KIND = "staff-alert"
ALERT_MESSAGE = "ptv-sync-failing"


def client_options(settings: Settings) -> PtvClientOptions:
    return PtvClientOptions(
        base_url=settings.ptv_api_base,
        concurrency=settings.ptv_sync_concurrency,
        request_timeout=settings.ptv_sync_request_timeout,
        time_budget=settings.ptv_sync_time_budget,
        retries=settings.ptv_sync_retries,
        backoff=settings.ptv_sync_backoff,
        contact=settings.ptv_sync_contact,
    )


def sync_scope(settings: Settings) -> SyncScope:
    return SyncScope.of(settings.ptv_sync_municipalities, settings.ptv_sync_organizations)


async def run_ptv_sync(
    app: App,
    now: datetime,
    *,
    client_factory: ClientFactory = PtvClient,
    curation: Curation | None = None,
) -> SyncResult | None:
    """One sync; a failure is logged in one line (no traceback), counted, and alerted.

    The curated layer is read from the catalogue's ``overlays/`` on every run (an editor's
    change counts from the next sync on). A broken overlay file stops the sync like a broken
    page: syncing without the overlays would bring hidden services back and drop curated
    texts and need tags."""
    settings = app.settings
    scope = sync_scope(settings)
    try:
        if curation is None:
            try:
                curation = OverlayCuration.for_catalog(settings.catalog_path)
            except DataFileError as exc:
                more = f" (and {len(exc.errors) - 1} more)" if len(exc.errors) > 1 else ""
                reason = f"a broken overlay file: {exc.errors[0]}{more}"
                await record_failure(app.sessions, scope, reason, now)
                raise PtvSyncError(reason) from None
        result = await sync_ptv(
            app.sessions,
            client_options(settings),
            scope,
            mirror_events=mirror_events,
            now=now,
            tz=settings.tz,
            curation=curation,
            client_factory=client_factory,
        )
    except PtvSyncError as exc:
        PTV_SYNC_FAILURES.inc()
        log.warning("PTV sync failed, the catalogue is unchanged: %s", exc)
    except Exception as exc:  # the database, most likely: described, not traced
        PTV_SYNC_FAILURES.inc()
        log.warning("PTV sync failed, the catalogue is unchanged (%s)", describe(exc))
        try:
            await record_failure(app.sessions, scope, describe(exc), now)
        except Exception as again:
            log.warning("PTV sync: could not record the failure (%s)", describe(again))
            return None
    else:
        PTV_SYNC_LAST_SUCCESS.set(now.timestamp())
        if result.report is not None:
            for change in ("added", "updated", "removed"):
                PTV_SYNC_CHANGED.labels(change).inc(getattr(result.report, change))
        log.info("%s", result)
        for line in result.set_aside:
            log.warning("PTV sync set aside %s", line)
        return result
    try:
        await alert_if_due(app, scope, now)
    except Exception as exc:
        log.warning("PTV sync: could not alert staff (%s)", describe(exc))
    return None


async def alert_if_due(app: App, scope: SyncScope, now: datetime) -> int:
    """After PTV_SYNC_ALERT_AFTER failures in a row, one message to every staff member; not
    again until a sync succeeds. Returns the messages queued."""
    async with app.sessions() as session:
        state = await load_state(session, scope)
        if (
            state is None
            or state.consecutive_failures < app.settings.ptv_sync_alert_after
            or state.alerted_at is not None
        ):
            return 0
        members = await staff_members(session, app.settings.staff_ids)
        rows = [
            NewDelivery(
                user_id=member.user_id,
                kind=ALERT_KIND,
                ref=f"ptv-sync:{scope.key[:8]}",
                # One message per person and streak, even if this runs twice.
                dedup_key=f"ptv-sync-alert:{scope.key[:8]}:{now:%Y%m%dT%H%M%S}:{member.user_id}",
                payload={"msg": ALERT_MESSAGE, "args": {"failures": state.consecutive_failures}},
                due_at=now,
                expires_at=now + timedelta(days=1),
            )
            for member in members
        ]
        queued = await enqueue(session, rows, now)
    await mark_alerted(app.sessions, scope, now)
    log.warning(
        "PTV sync failed %d times in a row: %d staff member(s) told",
        state.consecutive_failures,
        queued,
    )
    return queued


def add_ptv_sync_job(scheduler: AsyncIOScheduler, app: App, worker: DeliveryWorker) -> None:
    """The nightly sync at PTV_SYNC_AT (local time); nothing when it is empty."""
    at = app.settings.ptv_sync_at
    if not at:
        return
    hour, minute = (int(part) for part in at.split(":"))

    async def nightly() -> None:
        await run_ptv_sync(app, worker.clock.now())

    scheduler.add_job(
        nightly,
        "cron",
        hour=hour,
        minute=minute,
        timezone=app.settings.tz,
        id=JOB_ID,
        coalesce=True,
        max_instances=1,
        misfire_grace_time=3600,  # a worker taking the lease a little late still syncs
    )
