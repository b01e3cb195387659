"""Staff rights and staff tools: /flags, /staff (who has rights, invites, removal) and the
invite link a new member opens. /staff also lists the professionals (issue #25), invites new
ones and takes the role away. The router is the staff role's (``bot.roles``):
checked against the database on every update, one refusal for everyone else."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from html import escape
from typing import Any

from aiogram import Bot, F
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import Command
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot import wizard as wz
from bot.catalog.matching import CatalogIndex
from bot.catalog.reviews import OpenReview, open_reviews, resolve_review
from bot.catalog.store import open_flags, resolve_flags
from bot.config import Settings
from bot.db.staff import (
    LABEL_MAX,
    PROFESSIONAL_ROLE,
    STAFF_ROLE,
    PendingInvite,
    Redeemed,
    Revoked,
    cancel_invite,
    create_invite,
    invite_link,
    pending_invites,
    professionals,
    redeem_invite,
    revoke_professional,
    revoke_staff,
    staff_members,
    user_locale,
)
from bot.handlers.guide import hide_guide_command, show_guide_command
from bot.handlers.menu import column, reply
from bot.i18n import I18n, Translator
from bot.roles import IsStaff as IsStaff  # the staff filter, where tests know it
from bot.roles import Role, role_router

log = logging.getLogger(__name__)
router = role_router(Role.STAFF, "staff")


class FlagFixed(CallbackData, prefix="sf"):
    """Staff marks the flags on a service as handled."""

    service: str


def _name(index: CatalogIndex, service_id: str, t: Translator) -> str:
    service = index.services.get(service_id)
    return service.name.get(t.locale) if service else service_id


def _flags_text(
    flags: list[tuple[str, str, int, datetime]], index: CatalogIndex, t: Translator
) -> str:
    if not flags:
        return t("staff-flags-none")
    lines = [t("staff-flags-title")]
    for service_id, reason, count, latest in flags:
        service, why = escape(_name(index, service_id, t)), t(f"card-flag-{reason}")
        date = t.format_date(latest)
        lines.append(t("staff-flags-line", service=service, reason=why, count=count, date=date))
    return "\n".join(lines)


class ReviewDone(CallbackData, prefix="sr"):
    """Staff checked a service's curated texts against one PTV change (its review row id)."""

    review: int


# The reviews listed at once (each with its button) and how much of a value a line shows:
# ten lines of old and new values stay far below Telegram's 4096 characters.
REVIEWS_SHOWN = 8
VALUE_SHOWN = 80


def _clip(value: str, t: Translator) -> str:
    if not value:
        return t("staff-review-empty")
    one_line = " ".join(value.split())
    return escape(one_line if len(one_line) <= VALUE_SHOWN else one_line[: VALUE_SHOWN - 1] + "…")


def _reviews_text(pending: list[OpenReview], index: CatalogIndex, t: Translator) -> str:
    lines = [t("staff-reviews-title"), t("staff-reviews-intro")]
    for review in pending[:REVIEWS_SHOWN]:
        lines.append(
            t(
                "staff-reviews-line",
                service=escape(_name(index, review.service_id, t)),
                field=t(f"staff-review-field-{review.field}"),
                old=_clip(review.old_value, t),
                new=_clip(review.new_value, t),
                date=t.format_date(review.noticed_at),
            )
        )
    if len(pending) > REVIEWS_SHOWN:
        lines.append(t("staff-reviews-more", count=len(pending) - REVIEWS_SHOWN))
    return "\n".join(lines)


@router.message(Command("flags"))
@router.callback_query(FlagFixed.filter())
@router.callback_query(ReviewDone.filter())
async def flags(event: Message | CallbackQuery, **data: Any) -> None:
    """The open flags and the curated texts to check; a press on a button marks its service's
    flags handled, or its change checked, first."""
    ctx = wz.screen(event, data)
    t, session = ctx.t, ctx.session
    if isinstance(event, CallbackQuery):
        pressed = data["callback_data"]
        if isinstance(pressed, ReviewDone):
            done = await resolve_review(session, pressed.review, datetime.now(UTC))
            await ctx.acknowledge(
                t("staff-reviews-marked" if done else "staff-reviews-gone"), alert=False
            )
        else:
            resolved = await resolve_flags(session, pressed.service)
            await ctx.acknowledge(t("staff-flags-resolved", count=resolved), alert=False)
    found = await open_flags(session)
    pending = await open_reviews(session)
    index = await ctx.catalog.get(session)
    services = list(dict.fromkeys(service_id for service_id, *_ in found))[:10]
    buttons: list[tuple[str, CallbackData]] = [
        (t("staff-flags-fixed", service=_name(index, s, t)[:40]), FlagFixed(service=s))
        for s in services
    ]
    buttons += [
        (
            t(
                "staff-reviews-done",
                service=_name(index, r.service_id, t)[:28],
                field=t(f"staff-review-field-{r.field}"),
            ),
            ReviewDone(review=r.id),
        )
        for r in pending[:REVIEWS_SHOWN]
    ]
    text = _flags_text(found, index, t)
    if pending:
        text += "\n\n" + _reviews_text(pending, index, t)
    await ctx.send(text, column(*buttons), html=True)


# ------------------------------------------------------------------ /staff: who, invites, removal


class StaffAdmin(CallbackData, prefix="stf"):
    """``invite`` (ask who for), ``skip`` (no note), ``remove`` (confirm) and ``remove-yes``
    on a staff member (``target`` is their user id), ``cancel`` on an unused invite (``target``
    is its id), ``list`` (the staff screen again)."""

    action: str
    target: int = 0


class InviteStep(wz.WizardPress, prefix="stf"):
    """The invite wizard's button, ``stf:skip:0`` (``StaffAdmin`` takes every other action)."""

    arg: str = "0"


def _who(user_id: int, label: str | None, t: Translator) -> str:
    who = str(user_id)
    return t("stf-who-labelled", label=label, id=who) if label else t("stf-who", id=who)


def _invite_for(invite: PendingInvite, t: Translator) -> str:
    if invite.role == PROFESSIONAL_ROLE:
        return invite.label or t("stf-pro-invite-anyone")
    return invite.label or t("stf-invite-anyone")


async def _screen_for(
    session: AsyncSession, settings: Settings, me: int, t: Translator
) -> tuple[str, InlineKeyboardMarkup]:
    """Who is staff and since when, the unused invites, and the buttons for both."""
    members = await staff_members(session, settings.staff_ids)
    invites = await pending_invites(session, datetime.now(UTC))
    lines = [t("stf-title", count=len(members))]
    for member in members:
        who = _who(member.user_id, member.label, t)
        if member.user_id == me:
            who = f"{who} {t('stf-you')}"
        if member.bootstrap:
            lines.append(t("stf-line-bootstrap", who=who))
        elif member.since is not None:
            lines.append(t("stf-line-invited", who=who, date=t.format_date(member.since)))
        else:
            lines.append(t("stf-line-other", who=who))
    pros = await professionals(session)
    if pros:  # the button below invites the first one
        lines += ["", t("stf-pro-title", count=len(pros))]
    for pro in pros:
        who = _who(pro.user_id, pro.label, t)
        if pro.since is not None:
            lines.append(t("stf-pro-line", who=who, date=t.format_date(pro.since)))
        else:
            lines.append(t("stf-line-other", who=who))
    if invites:
        lines += ["", t("stf-pending-title", count=len(invites))]
        lines += [
            t(
                "stf-pro-pending-line" if invite.role == PROFESSIONAL_ROLE else "stf-pending-line",
                who=_invite_for(invite, t),
                by=str(invite.created_by),
                expires=t.format_datetime(invite.expires_at),
            )
            for invite in invites
        ]
    buttons = [(t("stf-invite-button"), StaffAdmin(action="invite"))]
    buttons += [
        (
            t("stf-remove-button", who=_who(m.user_id, m.label, t))[:60],
            StaffAdmin(action="remove", target=m.user_id),
        )
        for m in members
        if not m.bootstrap and m.user_id != me
    ]
    # The professionals after the staff: invite one, remove each.
    buttons.append((t("stf-pro-invite-button"), StaffAdmin(action="pro-invite")))
    buttons += [
        (
            t("stf-pro-remove-button", who=_who(p.user_id, p.label, t))[:60],
            StaffAdmin(action="pro-remove", target=p.user_id),
        )
        for p in pros
    ]
    buttons += [
        (
            t("stf-cancel-button", who=_invite_for(invite, t))[:60],
            StaffAdmin(action="cancel", target=invite.id),
        )
        for invite in invites
    ]
    return "\n".join(lines), column(*buttons)


@router.message(Command("staff"))
async def staff_command(message: Message, **data: Any) -> None:
    ctx = wz.screen(message, data)
    await ctx.state.clear()
    await ctx.send(*await _screen_for(ctx.session, ctx.settings, ctx.user_id, ctx.t))


@router.callback_query(StaffAdmin.filter(F.action.in_({"invite", "pro-invite"})))
async def invite_button(query: CallbackQuery, callback_data: StaffAdmin, **data: Any) -> None:
    role = PROFESSIONAL_ROLE if callback_data.action == "pro-invite" else STAFF_ROLE
    await invite.start(query, data, "label", {"role": role})


def _professional(ctx: wz.Ctx[wz.Blank]) -> bool:
    """Whether this invite wizard makes a professional's invite (else a staff member's)."""
    return bool(ctx.memo.get("role") == PROFESSIONAL_ROLE)


def _ask_label(ctx: wz.Ctx[wz.Blank]) -> str:
    return ctx.t("stf-pro-ask-label" if _professional(ctx) else "stf-ask-label")


async def _send_invite(ctx: wz.Ctx[wz.Blank], label: str | None) -> wz.Next:
    pro = _professional(ctx)
    role = PROFESSIONAL_ROLE if pro else STAFF_ROLE
    invite_row = await create_invite(ctx.session, ctx.user_id, label, datetime.now(UTC), role)
    me = await ctx.bot.me()
    anyone = ctx.t("stf-pro-invite-anyone" if pro else "stf-invite-anyone")
    who = label.strip() if label and label.strip() else anyone
    text = ctx.t(
        "stf-pro-invite-created" if pro else "stf-invite-created",
        who=who[:LABEL_MAX],
        link=invite_link(me.username or "", invite_row.token),
        expires=ctx.t.format_datetime(invite_row.expires_at),
    )
    await ctx.send(text)
    return wz.END


async def _no_label(ctx: wz.Ctx[wz.Blank], _: str) -> wz.Next:
    return await _send_invite(ctx, None)


TEXTS = wz.WizardTexts(
    None, "staff-aborted", "bc-stale", "stf-ask-label", "stf-ask-label", "stf-skip"
)
# One step: who the invite is for (typed), or skip.
INVITE_STEPS = [wz.Step("label", _ask_label, typed=_send_invite, pressed={"skip": _no_label})]
invite = wz.Wizard("InviteDialog", InviteStep, wz.Blank, "invite", TEXTS, INVITE_STEPS)
invite.register(router)


@router.callback_query(StaffAdmin.filter(F.action == "pro-remove"))
async def remove_professional(query: CallbackQuery, callback_data: StaffAdmin, **data: Any) -> None:
    """Take the professional's role away (at once: /guide checks it on every update)."""
    ctx, target = wz.screen(query, data), callback_data.target
    t, session = ctx.t, ctx.session
    pro = next((p for p in await professionals(session) if p.user_id == target), None)
    who = _who(target, pro.label if pro else None, t)
    removed = await revoke_professional(session, target)
    if removed:
        await hide_guide_command(ctx.bot, target)
    text, markup = await _screen_for(session, ctx.settings, ctx.user_id, t)
    notice = t("stf-pro-removed" if removed else "stf-pro-not", who=who)
    await ctx.send(f"{notice}\n\n{text}", markup)


@router.callback_query(StaffAdmin.filter(F.action.in_({"remove", "remove-yes", "cancel", "list"})))
async def staff_admin(query: CallbackQuery, callback_data: StaffAdmin, **data: Any) -> None:
    """Remove a member (after a confirmation), cancel an unused invite, or list again."""
    ctx, action, target = wz.screen(query, data), callback_data.action, callback_data.target
    t, session, staff_ids, now = ctx.t, ctx.session, ctx.settings.staff_ids, datetime.now(UTC)
    member = next((m for m in await staff_members(session, staff_ids) if m.user_id == target), None)
    who = _who(target, member.label if member else None, t)
    if action == "remove" and member is None:
        await ctx.send(t("stf-remove-not-staff", who=who))
    elif action == "remove":
        markup = column(
            (t("stf-remove-yes"), StaffAdmin(action="remove-yes", target=target)),
            (t("stf-remove-no"), StaffAdmin(action="list")),
        )
        await ctx.send(t("stf-remove-confirm", who=who), markup)
    elif action == "remove-yes":
        revocation = await revoke_staff(session, target, ctx.user_id, staff_ids, now)
        text = t(REVOKED[revocation.outcome], who=who)
        if revocation.invites_expired:
            text += "\n" + t("stf-removed-invites", count=revocation.invites_expired)
        await ctx.send(text)
    else:
        cancelled = action == "cancel" and await cancel_invite(session, target, now)
        notice = [t("stf-invite-cancelled") if cancelled else t("stf-invite-gone")]
        text, markup = await _screen_for(session, ctx.settings, ctx.user_id, t)
        await ctx.send("\n\n".join([*(notice if action == "cancel" else []), text]), markup)


REVOKED = {
    Revoked.REVOKED: "stf-removed",
    Revoked.BOOTSTRAP: "stf-remove-bootstrap",
    Revoked.SELF: "stf-remove-self",
    Revoked.NOT_STAFF: "stf-remove-not-staff",
}


@router.callback_query(StaffAdmin.filter())
async def staff_stale_button(query: CallbackQuery, t: Translator) -> None:
    await reply(query, t("bc-stale"))


async def accept_staff_invite(
    message: Message,
    payload: str,
    bot: Bot,
    session: AsyncSession,
    i18n: I18n,
    settings: Settings,
    t: Translator,
) -> None:
    """``/start staff-<token>``: the invite link was opened (called by the /start handler)."""
    assert message.from_user is not None
    result = await redeem_invite(session, payload, message.from_user.id, datetime.now(UTC))
    if result.outcome is Redeemed.ALREADY_STAFF:
        await message.answer(t("stf-already-staff"))
        return
    if result.outcome is Redeemed.ALREADY_PROFESSIONAL:
        await message.answer(t("stf-pro-already"))
        return
    if result.outcome is Redeemed.INVALID:
        await message.answer(t("stf-invite-invalid"))
        return
    pro = result.role == PROFESSIONAL_ROLE
    await message.answer(t("stf-pro-welcome" if pro else "stf-welcome"))
    await show_guide_command(bot, message.from_user.id, t)  # staff may guide families too
    if result.created_by is not None:
        # The inviter learns who joined through their link: a link that leaked shows up here.
        inviter = i18n[await user_locale(session, result.created_by, settings.default_locale)]
        who = _who(message.from_user.id, result.label, inviter)
        try:
            joined = "stf-pro-joined" if pro else "stf-joined"
            await bot.send_message(result.created_by, inviter(joined, who=who))
        except TelegramAPIError as exc:
            log.info("could not tell the inviter: %s", type(exc).__name__)
