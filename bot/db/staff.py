"""Staff rights: who is staff, one-time invite links, and taking rights away.

Staff are the users in ``STAFF_IDS`` (granted again on each of their updates, so they cannot
be removed in the bot) and the users who accepted an invite. An invite is a deep link
``t.me/<bot>?start=staff-<token>``: the token is random, only its SHA-256 is stored, it works
once and expires after :data:`INVITE_TTL`. Accepting marks the invite used and grants the
right in one write transaction, so two people racing with the same link cannot both win.

An invite is only as good as its creator's rights: it works only while whoever created it is
still staff, and taking someone's rights away also expires every unused invite they created,
so a spare link made before removal cannot bring the rights back. Staff see the unused invites
in ``/staff`` and can cancel any of them.

The same links grant the professional's role (issue #25): an invite says which role it grants
(``StaffInvite.role``), so one mechanism serves both. A professional only guides families
(``/guide``); staff list them in ``/staff`` and take the role away there.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from sqlalchemy import ColumnElement, Update, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import SUPPORTED_LOCALES, Locale
from bot.db.engine import write_transaction
from bot.db.models import StaffInvite, User

INVITE_TTL = timedelta(hours=24)
INVITE_PREFIX = "staff-"  # /start payloads that are staff invites, never deep-link sources
LABEL_MAX = 64
STAFF_ROLE = "staff"  # what an invite grants (bot.roles.Role values)
PROFESSIONAL_ROLE = "professional"
INVITE_ROLES = (STAFF_ROLE, PROFESSIONAL_ROLE)


def _unused(now: datetime) -> tuple[ColumnElement[bool], ...]:
    """An invite that still works at ``now``: nobody has used it and it has not expired."""
    return (StaffInvite.used_at.is_(None), StaffInvite.expires_at > now)


def _expire(now: datetime, *which: ColumnElement[bool]) -> Update:
    """Make the unused invites that match ``which`` stop working at ``now``."""
    return update(StaffInvite).where(*which, *_unused(now)).values(expires_at=now)


def token_hash(token: str) -> str:
    """What is stored of an invite token."""
    return hashlib.sha256(token.encode()).hexdigest()


def is_invite_payload(payload: str | None) -> bool:
    """Whether a /start payload is a staff invite (``staff-<token>``)."""
    return bool(payload) and str(payload).startswith(INVITE_PREFIX)


def invite_link(bot_username: str, token: str) -> str:
    """The deep link a new staff member opens."""
    return f"https://t.me/{bot_username}?start={INVITE_PREFIX}{token}"


@dataclass(frozen=True)
class NewInvite:
    token: str  # shown once, in the link; never stored
    expires_at: datetime


async def create_invite(
    session: AsyncSession,
    created_by: int,
    label: str | None,
    now: datetime,
    role: str = STAFF_ROLE,
) -> NewInvite:
    """A fresh one-time invite by staff member ``created_by``; ``label`` says who it is for,
    ``role`` what accepting it grants (staff rights, or the professional's role)."""
    if role not in INVITE_ROLES:
        raise ValueError(f"unknown role {role!r}")
    token = secrets.token_urlsafe(32)  # 43 characters: "staff-" + token fits in 64
    expires_at = now + INVITE_TTL
    async with write_transaction(session):
        session.add(
            StaffInvite(
                token_hash=token_hash(token),
                label=(label or "").strip()[:LABEL_MAX] or None,
                created_by=created_by,
                created_at=now,
                expires_at=expires_at,
                role=role,
            )
        )
    return NewInvite(token, expires_at)


class Redeemed(StrEnum):
    JOINED = "joined"
    ALREADY_STAFF = "already-staff"  # the invite stays unused for someone else
    ALREADY_PROFESSIONAL = "already-professional"  # a professional's invite, ditto
    INVALID = "invalid"  # unknown, used already, or expired


@dataclass(frozen=True)
class Redemption:
    outcome: Redeemed
    created_by: int | None = None
    label: str | None = None
    role: str = STAFF_ROLE


async def redeem_invite(
    session: AsyncSession, payload: str, user_id: int, now: datetime
) -> Redemption:
    """Accept the invite in a ``staff-<token>`` payload for ``user_id`` (who has a user row)."""
    token = payload.removeprefix(INVITE_PREFIX)
    hashed = token_hash(token)
    async with write_transaction(session):
        role = await session.scalar(
            select(StaffInvite.role).where(StaffInvite.token_hash == hashed)
        )
        holder = (
            await session.execute(
                select(User.staff, User.professional).where(User.user_id == user_id)
            )
        ).first()
        if holder is not None and holder.staff:
            return Redemption(Redeemed.ALREADY_STAFF)
        if holder is not None and holder.professional and role == PROFESSIONAL_ROLE:
            return Redemption(Redeemed.ALREADY_PROFESSIONAL, role=PROFESSIONAL_ROLE)
        used = await session.execute(
            update(StaffInvite)
            .where(
                StaffInvite.token_hash == hashed,
                *_unused(now),
                # Whoever made the link must still be staff when it is opened.
                StaffInvite.created_by.in_(select(User.user_id).where(User.staff.is_(True))),
            )
            .values(used_at=now, user_id=user_id)
            .returning(StaffInvite.created_by, StaffInvite.label, StaffInvite.role)
        )
        found = used.first()
        if found is None:
            return Redemption(Redeemed.INVALID)
        granted = {"professional": True} if found.role == PROFESSIONAL_ROLE else {"staff": True}
        await session.execute(update(User).where(User.user_id == user_id).values(**granted))
    return Redemption(Redeemed.JOINED, found.created_by, found.label, found.role)


@dataclass(frozen=True)
class StaffMember:
    user_id: int
    bootstrap: bool  # in STAFF_IDS: cannot be removed in the bot
    label: str | None = None  # from the invite they accepted
    invited_by: int | None = None
    since: datetime | None = None


async def staff_members(session: AsyncSession, bootstrap: frozenset[int]) -> list[StaffMember]:
    """Everyone with staff rights now, STAFF_IDS first, then by the time they joined."""
    ids = list((await session.execute(select(User.user_id).where(User.staff.is_(True)))).scalars())
    accepted = await _accepted(session, ids, STAFF_ROLE)
    members = []
    for user_id in ids:
        invite = accepted.get(user_id)
        members.append(
            StaffMember(
                user_id=user_id,
                bootstrap=user_id in bootstrap,
                label=invite.label if invite else None,
                invited_by=invite.created_by if invite else None,
                since=invite.used_at if invite else None,
            )
        )
    never = datetime.max.replace(tzinfo=UTC)
    return sorted(members, key=lambda m: (not m.bootstrap, m.since or never, m.user_id))


async def _accepted(session: AsyncSession, ids: list[int], role: str) -> dict[int, StaffInvite]:
    """The latest invite granting ``role`` that each of ``ids`` accepted."""
    invites = await session.execute(
        select(StaffInvite)
        .where(StaffInvite.user_id.in_(ids), StaffInvite.role == role)
        .order_by(StaffInvite.used_at)  # the latest invite a person accepted wins
    )
    return {invite.user_id: invite for invite in invites.scalars() if invite.user_id is not None}


async def professionals(session: AsyncSession) -> list[StaffMember]:
    """Everyone with the professional's role now (staff aside), by the time they joined."""
    ids = list(
        (
            await session.execute(
                select(User.user_id).where(User.professional.is_(True), User.staff.is_(False))
            )
        ).scalars()
    )
    accepted = await _accepted(session, ids, PROFESSIONAL_ROLE)
    members = [
        StaffMember(
            user_id=user_id,
            bootstrap=False,
            label=accepted[user_id].label if user_id in accepted else None,
            invited_by=accepted[user_id].created_by if user_id in accepted else None,
            since=accepted[user_id].used_at if user_id in accepted else None,
        )
        for user_id in ids
    ]
    never = datetime.max.replace(tzinfo=UTC)
    return sorted(members, key=lambda m: (m.since or never, m.user_id))


async def revoke_professional(session: AsyncSession, user_id: int) -> bool:
    """Take the professional's role from ``user_id``; False when they did not hold it.

    The role is read afresh on every update (bot.roles), so /guide ends for them at once;
    the paths they handed over are not theirs (nothing links them) and keep working."""
    async with write_transaction(session):
        result = await session.execute(
            update(User)
            .where(User.user_id == user_id, User.professional.is_(True))
            .values(professional=False)
        )
    return bool(result.rowcount)  # type: ignore[attr-defined]


@dataclass(frozen=True)
class PendingInvite:
    """An invite nobody has accepted yet that still works."""

    id: int
    label: str | None
    created_by: int
    expires_at: datetime
    role: str = STAFF_ROLE


async def pending_invites(session: AsyncSession, now: datetime) -> list[PendingInvite]:
    """The unused, unexpired invites, the ones that expire first first."""
    rows = await session.execute(
        select(
            StaffInvite.id,
            StaffInvite.label,
            StaffInvite.created_by,
            StaffInvite.expires_at,
            StaffInvite.role,
        )
        .where(*_unused(now))
        .order_by(StaffInvite.expires_at, StaffInvite.id)
    )
    return [PendingInvite(*row) for row in rows]


async def cancel_invite(session: AsyncSession, invite_id: int, now: datetime) -> bool:
    """Make an unused invite stop working at once; False when it was used or had expired."""
    async with write_transaction(session):
        result = await session.execute(_expire(now, StaffInvite.id == invite_id))
    return bool(result.rowcount)  # type: ignore[attr-defined]


class Revoked(StrEnum):
    REVOKED = "revoked"
    BOOTSTRAP = "bootstrap"  # in STAFF_IDS: change the setting instead
    SELF = "self"  # nobody removes their own rights by a slip of the thumb
    NOT_STAFF = "not-staff"


@dataclass(frozen=True)
class Revocation:
    outcome: Revoked
    invites_expired: int = 0  # unused invites the person had created, which no longer work


async def revoke_staff(
    session: AsyncSession, user_id: int, by: int, bootstrap: frozenset[int], now: datetime
) -> Revocation:
    """Take staff rights from ``user_id`` (asked by staff member ``by``), and in the same
    transaction expire every unused invite they created."""
    if user_id in bootstrap:
        return Revocation(Revoked.BOOTSTRAP)
    if user_id == by:
        return Revocation(Revoked.SELF)
    async with write_transaction(session):
        result = await session.execute(
            update(User).where(User.user_id == user_id, User.staff.is_(True)).values(staff=False)
        )
        expired = await session.execute(_expire(now, StaffInvite.created_by == user_id))
    if not result.rowcount:  # type: ignore[attr-defined]
        return Revocation(Revoked.NOT_STAFF, expired.rowcount)  # type: ignore[attr-defined]
    return Revocation(Revoked.REVOKED, expired.rowcount)  # type: ignore[attr-defined]


async def user_locale(session: AsyncSession, user_id: int, default: Locale) -> Locale:
    """The language to write to ``user_id`` in (theirs, else the default)."""
    locale = await session.scalar(select(User.locale).where(User.user_id == user_id))
    return next((known for known in SUPPORTED_LOCALES if known == locale), default)


async def clear_stale_staff(session: AsyncSession, bootstrap: frozenset[int]) -> list[int]:
    """Clear the staff flag of everyone neither in ``STAFF_IDS`` nor holding an accepted
    invite; returns their ids, sorted.

    ``STAFF_IDS`` grants the flag on a person's next update, and removing an id from the
    setting takes nothing away by itself: run at start-up, this makes the setting's removal
    take effect. Rights accepted through an invite stay (they are revoked in the bot).
    """
    accepted = (
        select(StaffInvite.id)
        .where(
            StaffInvite.user_id == User.user_id,
            StaffInvite.used_at.is_not(None),
            StaffInvite.role == STAFF_ROLE,  # a professional's invite never made anyone staff
        )
        .exists()
    )
    async with write_transaction(session):
        result = await session.execute(
            update(User)
            .where(User.staff.is_(True), User.user_id.not_in(bootstrap), ~accepted)
            .values(staff=False)
            .returning(User.user_id)
        )
        return sorted(result.scalars())
