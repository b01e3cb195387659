"""SQLAlchemy models. Every table holding data about one family has a ``user_id`` column,
so ``/mydata`` and ``/delete`` find it without a list to keep in sync (see personal_data)."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    false,
    true,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Aware datetimes in, aware UTC datetimes out, on SQLite and PostgreSQL alike."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class User(Base):
    """The minimum we keep about a person: no names, usernames or phone numbers."""

    __tablename__ = "users"

    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    locale: Mapped[str | None] = mapped_column(String(8))
    first_seen: Mapped[datetime] = mapped_column(UTCDateTime())
    last_seen: Mapped[datetime] = mapped_column(UTCDateTime())
    blocked: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    staff: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # The professional's role (issue #25): /guide without staff rights; staff grant it.
    professional: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # "Don't count my answers" in /privacy: no indicator event is written for this user.
    counted: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())


class FsmState(Base):
    """aiogram FSM state and data per storage key (see bot.db.storage.SQLStorage)."""

    __tablename__ = "fsm_states"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    user_id: Mapped[int] = mapped_column(BigInteger, index=True)
    state: Mapped[str | None] = mapped_column(String(255))
    data: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class DeepLinkCount(Base):
    """Anonymous counts of deep-link starts per source and month, never linked to a user."""

    __tablename__ = "deep_link_counts"

    source: Mapped[str] = mapped_column(String(64), primary_key=True)
    month: Mapped[str] = mapped_column(String(7), primary_key=True)  # "2026-11"
    starts: Mapped[int] = mapped_column(Integer, default=0)
    new_users: Mapped[int] = mapped_column(Integer, default=0)


def new_indicator_id() -> str:
    """128 random bits, as 32 hex digits."""
    return secrets.token_hex(16)


class IndicatorEvent(Base):
    """One anonymous step of one family's use of Valo, for service designers' indicators.

    No Telegram id, no name, no free text: ids of questions, choices, services and events only.
    ``session`` is a random id that lives in the family's dialog state while the dialog runs
    (and is forgotten when it ends), so a session's events can be counted together but never
    traced back to anyone; events outside a dialog have none. Time is kept to the month.

    ``kind`` is one of :data:`bot.indicators.KINDS`. ``items`` holds space-separated ids: the
    choices of an answer, the services shown (empty: no match), the service of a card action,
    the event of an event action, the ``municipality:topic`` of a subscription change.
    ``municipality``, ``needs`` and ``gaps`` are set on ``results_shown`` only, from the family's
    own answers: the municipality code, the need tags asked, and those of them that got no
    local match.
    """

    __tablename__ = "indicator_events"
    # Rows are kept in id order on SQLite (no rowid counting insertions behind the ids).
    __table_args__ = ({"sqlite_with_rowid": False},)

    # Random, never sequential: an id says nothing of when or after what a row was written,
    # so rows cannot be lined up with rows that carry a time (see bot.indicators.record).
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_indicator_id)
    month: Mapped[str] = mapped_column(String(7), index=True)  # "2026-11"
    session: Mapped[str | None] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(24))
    locale: Mapped[str | None] = mapped_column(String(8))
    source: Mapped[str | None] = mapped_column(String(64))  # deep-link source, on "started"
    tree: Mapped[str | None] = mapped_column(String(64))
    version: Mapped[int | None] = mapped_column(Integer)
    node: Mapped[str | None] = mapped_column(String(64))
    items: Mapped[str | None] = mapped_column(String(1024))
    municipality: Mapped[str | None] = mapped_column(String(8))
    needs: Mapped[str | None] = mapped_column(String(255))
    gaps: Mapped[str | None] = mapped_column(String(255))


class CatalogOrganization(Base):
    """An organisation of the catalogue, stored as its validated schema document."""

    __tablename__ = "catalog_organizations"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    source: Mapped[str] = mapped_column(String(128), index=True)
    document: Mapped[dict[str, Any]] = mapped_column(JSON)


class CatalogService(Base):
    """A service of the catalogue; ``source`` is the file or PTV organisation it came from."""

    __tablename__ = "catalog_services"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    source: Mapped[str] = mapped_column(String(128), index=True)
    organization_id: Mapped[str] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    document: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class CatalogVersion(Base):
    """One row per import; replicas reload when the newest version changes."""

    __tablename__ = "catalog_versions"

    version: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    origin: Mapped[str] = mapped_column(String(255))  # "path:services_catalog", "cli", ...
    content_hash: Mapped[str] = mapped_column(String(64))
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime())
    services: Mapped[int] = mapped_column(Integer)


class CardFlag(Base):
    """A family's anonymous "something wrong?" report on a service card."""

    __tablename__ = "card_flags"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    service_id: Mapped[str] = mapped_column(String(64), index=True)
    reason: Mapped[str] = mapped_column(String(16))  # closed | phone | hours | other
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    resolved: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class CardFlagMark(Base):
    """That a person flagged a service card this month: one flag per person, card and month
    counts, so one person cannot make a card look broken. Kept apart from the anonymous flag
    itself (no reason, no time finer than the month); gone with the month, and with /delete."""

    __tablename__ = "card_flag_marks"

    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    service_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    month: Mapped[str] = mapped_column(String(7), primary_key=True, index=True)  # "2026-11"


class CatalogEvent(Base):
    """An event (one-off or RRULE series) of a service: from the catalogue or added by staff."""

    __tablename__ = "catalog_events"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    service_id: Mapped[str] = mapped_column(String(64), index=True)
    source: Mapped[str] = mapped_column(String(128), index=True)
    document: Mapped[dict[str, Any]] = mapped_column(JSON)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)  # first occurrence
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # last occurrence's end
    cancelled: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Bumped whenever the time changes, so reminders for the new time get fresh ledger keys.
    revision: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Reminder(Base):
    """A family's wish to be reminded of an event (one occurrence, or the whole series)."""

    __tablename__ = "reminders"
    __table_args__ = (UniqueConstraint("user_id", "event_id", "occurrence"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(BigInteger, index=True)
    event_id: Mapped[str] = mapped_column(String(64), index=True)
    # The occurrence's start (UTC, ISO) or "series" for every coming occurrence.
    occurrence: Mapped[str] = mapped_column(String(32))
    offsets: Mapped[str] = mapped_column(String(32))  # "day-before", "hour-before" or both
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Delivery(Base):
    """The delivery ledger: one row per (recipient, message); see bot.delivery.ledger."""

    __tablename__ = "deliveries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(BigInteger, index=True)
    kind: Mapped[str] = mapped_column(String(16))  # reminder | broadcast | notice
    ref: Mapped[str] = mapped_column(String(64), index=True)  # what it belongs to
    dedup_key: Mapped[str] = mapped_column(String(255), unique=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    state: Mapped[str] = mapped_column(String(16))
    worker: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Set just before the request goes out: only such rows can have reached Telegram.
    attempted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    detail: Mapped[str | None] = mapped_column(String(255))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


Index("ix_deliveries_state_due_at", Delivery.state, Delivery.due_at)
# The worker's expiry scans read only the rows they change (bot.delivery.ledger.expire).
Index("ix_deliveries_state_lease_until", Delivery.state, Delivery.lease_until)
Index("ix_deliveries_state_expires_at", Delivery.state, Delivery.expires_at)


class Subscription(Base):
    """Announcements a family asked for: a municipality (or "all") and a topic (or "all")."""

    __tablename__ = "subscriptions"

    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    municipality: Mapped[str] = mapped_column(String(8), primary_key=True)
    topic: Mapped[str] = mapped_column(String(16), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class WorkerLease(Base):
    """Which worker is active; a standby takes over when ``until`` has passed."""

    __tablename__ = "worker_leases"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    holder: Mapped[str] = mapped_column(String(64))
    until: Mapped[datetime] = mapped_column(UTCDateTime())


class DeliveryCount(Base):
    """Anonymous totals of delivered ledger rows after retention removed their detail."""

    __tablename__ = "delivery_counts"

    day: Mapped[str] = mapped_column(String(10), primary_key=True)  # due date, "2026-11-24"
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    state: Mapped[str] = mapped_column(String(16), primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)


class Broadcast(Base):
    """A staff announcement: texts per language, audience, schedule, progress and report.

    The author is ``author_id``, not ``user_id``: /delete erases rows by ``user_id``, and the
    record of what was announced to families (and the report its ledger rows add up to)
    belongs to the organisation, not to the staff member who wrote it.
    """

    __tablename__ = "broadcasts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    author_id: Mapped[int] = mapped_column(BigInteger, index=True)
    texts: Mapped[dict[str, str]] = mapped_column(JSON)  # {"fi": html, "en": ..., "ar": ...}
    audience: Mapped[str] = mapped_column(String(16))  # all | municipality | topic | event
    audience_arg: Mapped[str | None] = mapped_column(String(64))
    event_id: Mapped[str | None] = mapped_column(String(64))  # carries its "Remind me" button
    status: Mapped[str] = mapped_column(String(16))  # scheduled | sending | done | cancelled
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    scheduled_at: Mapped[datetime] = mapped_column(UTCDateTime())
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # began to enqueue
    # Ledger rows are written in chunks, by user id: the last user enqueued (None: none yet),
    # and when the last chunk was (None while enqueueing). A restarted worker resumes there.
    enqueued_through: Mapped[int | None] = mapped_column(BigInteger)
    enqueued_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # every row final
    reported_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # final report sent
    progress_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # last progress edit
    recipients: Mapped[int | None] = mapped_column(Integer)
    report: Mapped[dict[str, int] | None] = mapped_column(JSON(none_as_null=True))
    status_chat_id: Mapped[int | None] = mapped_column(BigInteger)
    status_message_id: Mapped[int | None] = mapped_column(Integer)


Index("ix_broadcasts_status_scheduled_at", Broadcast.status, Broadcast.scheduled_at)


class StaffInvite(Base):
    """A one-time staff invite link; only a hash of its token is stored.

    Whoever accepted it is ``user_id``: the row (with ``label``, which may be their name) is
    data about them, shown by /mydata and erased by /delete. ``created_by`` is not: the
    inviter erasing their own data does not erase the people they invited.
    """

    __tablename__ = "staff_invites"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)  # sha256 hex
    label: Mapped[str | None] = mapped_column(String(64))  # who it is for, as staff wrote it
    created_by: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    user_id: Mapped[int | None] = mapped_column(BigInteger, index=True)  # who accepted it
    # What accepting grants: "staff", or "professional" (bot.roles.Role values).
    role: Mapped[str] = mapped_column(String(16), default="staff", server_default="staff")


class CatalogReview(Base):
    """PTV changed a fact or text that a service's curated texts (services_catalog/overlays/)
    depend on: staff check the Arabic/English texts against it and mark it reviewed (/flags).
    Families see the new PTV fact at once; this only tells staff the translation may be stale.
    """

    __tablename__ = "catalog_reviews"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    service_id: Mapped[str] = mapped_column(String(64), index=True)
    field: Mapped[str] = mapped_column(String(16))  # name | summary | description | phone ...
    old_value: Mapped[str] = mapped_column(Text)
    new_value: Mapped[str] = mapped_column(Text)
    noticed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class CatalogReviewBasis(Base):
    """The PTV value of each watched field that a curated service's texts were last compared
    with. The stored card cannot tell it: a curated Finnish text replaces PTV's in the card."""

    __tablename__ = "catalog_review_basis"

    service_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    field: Mapped[str] = mapped_column(String(16), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class PtvSyncState(Base):
    """The PTV sync of one scope (its municipalities and organisations): the last success is
    the next incremental sync's modified-since; failures in a row decide the staff alert."""

    __tablename__ = "ptv_sync_state"

    scope: Mapped[str] = mapped_column(String(64), primary_key=True)
    last_success: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_attempt: Mapped[datetime | None] = mapped_column(UTCDateTime())
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    last_error: Mapped[str | None] = mapped_column(String(500))  # an endpoint or record id
    alerted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # staff told, this streak


class PtvSyncLink(Base):
    """A PTV service channel of a synced PTV service (both PTV UUIDs) and the service's
    catalogue source: a changed channel names the services to fetch again."""

    __tablename__ = "ptv_sync_links"

    channel_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    service_id: Mapped[str] = mapped_column(String(36), primary_key=True, index=True)
    source: Mapped[str] = mapped_column(String(128), index=True)


class ServicePath(Base):
    """A service path a professional handed over to a family (bot.guide.paths, issue #25).

    Stored under the hash of its link's token, with what the family sees (the service ids),
    its language and municipality (the indicators count paths by municipality; the path offers
    that municipality's news), and nothing of who: no Telegram id of the professional or of
    the family, none of the other answers, no record of who opened it.
    """

    __tablename__ = "service_paths"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)  # sha256 hex
    locale: Mapped[str] = mapped_column(String(8))  # the family's language, chosen at /guide
    municipality: Mapped[str | None] = mapped_column(String(8))
    steps: Mapped[list[dict[str, Any]]] = mapped_column(JSON)  # [{"service": id}, ...]
    include_sensitive: Mapped[bool] = mapped_column(Boolean, default=False)  # on a printed card
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
