"""/broadcast: staff write an announcement (Finnish, then optionally English and Arabic),
choose who gets it, optionally attach an event, see it exactly as each language group will,
then send it now, schedule it, or stop. /broadcasts: the latest announcements with their
reports; cancel one that is scheduled or being sent.

The router is the staff role's (``bot.roles``); the dialog is a ``Wizard``, the list
of its steps (``COMPOSE``). Callback data: ``bc:<action>:<arg>`` for the dialog (``skip``,
``stop``, ``aud``, ``mun``/``munp``, ``top``, ``evt``/``evtp``, ``att``/``attp``, ``now``,
``later``; events are named by ``bot.events.upcoming.event_token``) and ``bcl:<action>:<id>``
for the list (``cancel``, ``cancel-yes``, ``keep``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from aiogram import F
from aiogram.enums import ChatMemberStatus
from aiogram.filters import Command
from aiogram.filters.callback_data import CallbackData
from aiogram.types import (
    CallbackQuery,
    ChatMemberUpdated,
    InlineKeyboardMarkup,
    Message,
)
from sqlalchemy.ext.asyncio import AsyncSession

from bot import wizard as wz
from bot.catalog.cards import municipality_name
from bot.config import Locale
from bot.db.models import Broadcast
from bot.delivery.broadcasts import (
    AudienceKind,
    BroadcastDraft,
    CancelOutcome,
    Progress,
    Status,
    cancel_broadcast,
    create_broadcast,
    forget_blocked_family,
    language_groups,
    recent_broadcasts,
    recipients,
    ref,
    render_announcement,
    set_status_message,
)
from bot.delivery.ledger import DeliveryLedger
from bot.delivery.subscriptions import ALL, TOPICS, valid_municipality
from bot.delivery.telegram_html import (
    MAX_MESSAGE_LENGTH,
    TelegramHtmlError,
    announcement_html,
    check_html,
)
from bot.events.staff import StaffInputError, parse_start
from bot.events.store import load_event
from bot.events.upcoming import ListedEvent, event_by_token, event_token, upcoming_events
from bot.handlers.events import EventRemind
from bot.handlers.menu import reply
from bot.i18n import RTL_LOCALES, Translator
from bot.roles import Role, role_router

router = role_router(Role.STAFF, "broadcast")

PAGE = 8
EXCERPT = 80
# Telegram entity types that are formatting the writer chose (not auto-detected links etc.).
STYLES = "bold italic underline strikethrough spoiler code pre text_link text_mention"
FORMATTING = frozenset([*STYLES.split(), "custom_emoji", "blockquote", "expandable_blockquote"])


class ComposeStep(wz.WizardPress, prefix="bc"):
    pass


class BroadcastAdmin(CallbackData, prefix="bcl"):
    action: str
    id: int


def remind_keyboard(event_id: str, t: Translator) -> InlineKeyboardMarkup:
    """The events feature's "Remind me" button for ``event_id``, in the reader's language."""
    return wz.keyboard([(t("event-remind-me"), EventRemind(token=event_token(event_id)))])


def _now() -> datetime:
    return datetime.now(UTC)


async def audience_text(
    session: AsyncSession, audience: str, arg: str | None, t: Translator
) -> str:
    """Who a broadcast is for, in words."""
    if audience == AudienceKind.MUNICIPALITY:
        return t("bc-audience-municipality", municipality=municipality_name(arg or "", t))
    if audience == AudienceKind.TOPIC:
        return t("bc-audience-topic", topic=t(f"news-topic-{arg}"))
    if audience == AudienceKind.EVENT:
        return t("bc-audience-event", event=await _event_title(session, arg, t))
    return t("bc-audience-all")


async def _event_title(session: AsyncSession, event_id: str | None, t: Translator) -> str:
    stored = await load_event(session, event_id or "")
    return stored.event.title.get(t.locale) if stored is not None else (event_id or wz.NONE)


# ------------------------------------------------------------------ the dialog's steps

Draft = wz.Ctx[BroadcastDraft]
Answer = wz.Answer[BroadcastDraft]
FOLLOWING = {"fi": "text_en", "en": "text_ar", "ar": "audience"}


def _text(locale: Locale) -> Answer:
    async def typed(ctx: Draft, text: str) -> wz.Next:
        assert isinstance(ctx.event, Message)
        formatted = any(e.type in FORMATTING for e in ctx.event.entities or ())
        # The text as HTML when the writer formatted it in Telegram; refused with a reason.
        checked = announcement_html(
            text, ctx.event.html_text if formatted else None, rtl=locale in RTL_LOCALES
        )
        ctx.draft.texts[locale] = checked.html
        return FOLLOWING[locale]

    return typed


async def _audience(ctx: Draft, arg: str) -> wz.Next:
    if arg == AudienceKind.ALL:
        ctx.draft.audience, ctx.draft.audience_arg = AudienceKind.ALL, None
        return "attach"
    if arg == AudienceKind.EVENT and not await _events(ctx):
        await ctx.acknowledge(ctx.t("bc-no-events"))
        return None
    steps = {"municipality": "municipality", "topic": "topic", "event": "event_audience"}
    if arg not in steps:
        raise wz.Stale
    return steps[arg]


async def _municipalities(ctx: Draft, page: int) -> list[wz.Row]:
    index = await ctx.catalog.get(ctx.session)
    codes = sorted(index.municipalities(), key=lambda c: municipality_name(c, ctx.t))
    buttons = [(municipality_name(c, ctx.t), ComposeStep(action="mun", arg=c)) for c in codes]
    return _pages(ctx, buttons, page, "munp")


def _municipality(code: str) -> bool:
    return code != ALL and valid_municipality(code)


def _pages(ctx: Draft, buttons: Sequence[wz.Button], page: int, turn: str) -> list[wz.Row]:
    labels = (ctx.t("bc-previous"), ctx.t("bc-more"))
    return wz.paged(buttons, page, PAGE, lambda p: ComposeStep(action=turn, arg=str(p)), labels)


def _audience_is(kind: AudienceKind, valid: Callable[[str], bool]) -> Answer:
    async def chosen(ctx: Draft, arg: str) -> wz.Next:
        if not valid(arg):
            raise wz.Stale
        ctx.draft.audience, ctx.draft.audience_arg = kind, arg
        return "attach"

    return chosen


async def _events(ctx: Draft) -> list[ListedEvent]:
    """Upcoming events, soonest first; the audience's event (if any) on top."""
    index = await ctx.catalog.get(ctx.session)
    events = await upcoming_events(ctx.session, index.services, ctx.settings.tz, _now())
    first = ctx.draft.audience_arg if ctx.draft.audience is AudienceKind.EVENT else None
    return sorted(events, key=lambda e: e.id != first)


def _event_step(name: str, text: str, action: str, chosen: Answer) -> wz.Step[BroadcastDraft]:
    """Choose among the upcoming events (``action``), a page at a time (``action`` + "p")."""

    async def rows(ctx: Draft, page: int) -> list[wz.Row]:
        label = "{} · {}"
        buttons = [
            (
                label.format(ctx.t.format_date(e.next.start), e.event.title.get(ctx.t.locale))[:60],
                ComposeStep(action=action, arg=e.token),
            )
            for e in await _events(ctx)
        ]
        none: list[wz.Row] = [[(ctx.t("bc-attach-none"), ComposeStep(action="att"))]]
        return (none if action == "att" else []) + _pages(ctx, buttons, page, f"{action}p")

    return wz.Step(name, text, rows, paged=f"{action}p", pressed={action: chosen})


async def _event(ctx: Draft, token: str) -> str | None:
    """The event's row id; None (and "gone" said) if it was removed or cancelled."""
    stored = await event_by_token(ctx.session, token)
    if stored is None or stored.event.cancelled:
        await ctx.send(ctx.t("events-gone"))
        return None
    return stored.row_id


async def _event_audience(ctx: Draft, token: str) -> wz.Next:
    row_id = await _event(ctx, token)
    if row_id is None:
        return None
    ctx.draft.audience, ctx.draft.audience_arg = AudienceKind.EVENT, row_id
    return "attach"


async def _attach(ctx: Draft, token: str) -> wz.Next:
    ctx.draft.event_id = None if token == wz.NONE else await _event(ctx, token)
    if token != wz.NONE and ctx.draft.event_id is None:
        return None
    if not ctx.draft.complete():
        raise wz.Broken("bc-draft-broken")
    return "preview"


async def _preview(ctx: Draft) -> str:
    """The message as each language group will see it, then the numbers (returned)."""
    draft, t = ctx.draft, ctx.t
    assert draft.audience is not None
    default = ctx.settings.default_locale
    found = await recipients(
        ctx.session, draft.audience, draft.audience_arg, default_locale=default
    )
    groups = language_groups(found, draft.texts)
    await ctx.send(t("bc-preview-title"))
    warnings = []
    for group in groups:
        header = t(f"bc-preview-group-{group.locale}", count=group.families)
        if group.fallback:
            warning = t(f"bc-fallback-{group.locale}-{group.language}", count=group.families)
            header = f"{header}\n{warning}"
            warnings.append(warning)
        await ctx.send(header)
        reader = ctx.i18n[group.locale]
        seen = render_announcement(draft.texts, draft.event_id, reader, remind_keyboard)
        await ctx.bot.send_message(
            ctx.user_id, seen.text, parse_mode=seen.parse_mode, reply_markup=seen.reply_markup
        )
    counts = {group.locale: group.families for group in groups}
    audience = await audience_text(ctx.session, draft.audience, draft.audience_arg, t)
    lines = [t("bc-preview-summary", audience=audience, total=len(found), **counts)]
    if draft.event_id:
        title = await _event_title(ctx.session, draft.event_id, t)
        lines.append(t("bc-preview-event", event=title))
    lines += warnings
    if not found:
        lines.append(t("bc-preview-nobody"))
    return "\n\n".join(lines)


async def _create(ctx: Draft, at: datetime, now: datetime, msg_id: str, **args: str) -> wz.Next:
    if not ctx.draft.complete():
        raise wz.Broken("bc-draft-broken")
    broadcast = await create_broadcast(ctx.session, ctx.draft, ctx.user_id, at, now)
    status = await ctx.send(ctx.t(msg_id, id=str(broadcast.id), **args))
    await set_status_message(ctx.session, broadcast.id, status.chat.id, status.message_id)
    return wz.END


async def _send_now(ctx: Draft, _: str) -> wz.Next:
    now = _now()
    return await _create(ctx, now, now, "bc-starting")


async def _later(ctx: Draft, _: str) -> wz.Next:
    return "schedule"


def _example(ctx: Draft) -> str:
    day = (_now().astimezone(ctx.settings.tz) + timedelta(days=1)).date()
    return ctx.t("bc-ask-when", example=f"{day.day}.{day.month}.{day.year} 10.00")


async def _schedule_at(ctx: Draft, text: str) -> wz.Next:
    now = _now()
    at = parse_start(text, ctx.settings.tz, now).replace(tzinfo=ctx.settings.tz)
    return await _create(ctx, at, now, "bc-scheduled", when=ctx.t.format_datetime(at))


# The announcement in up to three languages, who gets it, an event, the preview, when.
COMPOSE_STEPS: list[wz.Step[BroadcastDraft]] = [
    wz.Step("text_fi", lambda c: c.t("bc-ask-fi", max=MAX_MESSAGE_LENGTH), typed=_text("fi")),
    wz.Step("text_en", "bc-ask-en", typed=_text("en"), skip="text_ar"),
    wz.Step("text_ar", "bc-ask-ar", typed=_text("ar"), skip="audience"),
    wz.Step(
        "audience",
        "bc-choose-audience",
        lambda c, _: [
            [(c.t(f"bc-audience-button-{k.value}"), ComposeStep(action="aud", arg=k))]
            for k in AudienceKind
        ],
        pressed={"aud": _audience},
    ),
    wz.Step(
        "municipality",
        "bc-choose-municipality",
        _municipalities,
        paged="munp",
        pressed={"mun": _audience_is(AudienceKind.MUNICIPALITY, _municipality)},
    ),
    wz.Step(
        "topic",
        "bc-choose-topic",
        lambda c, _: [
            [(c.t(f"news-topic-{topic}"), ComposeStep(action="top", arg=topic))] for topic in TOPICS
        ],
        pressed={"top": _audience_is(AudienceKind.TOPIC, TOPICS.__contains__)},
    ),
    _event_step("event_audience", "bc-choose-event", "evt", _event_audience),
    _event_step("attach", "bc-ask-attach", "att", _attach),
    wz.Step(
        "preview",
        _preview,
        lambda c, _: [
            [(c.t("bc-send-now"), ComposeStep(action="now"))],
            [(c.t("bc-send-later"), ComposeStep(action="later"))],
        ],
        pressed={"now": _send_now, "later": _later},
    ),
    wz.Step("schedule", _example, typed=_schedule_at),
]
TEXTS = wz.WizardTexts(
    "bc-stop", "bc-stopped", "bc-stale", "bc-need-text", "bc-use-buttons", "bc-skip"
)
REFUSALS = (TelegramHtmlError, StaffInputError)  # a text Telegram refuses, a time unread
COMPOSE = wz.Wizard(
    "Compose", ComposeStep, BroadcastDraft, "broadcast_draft", TEXTS, COMPOSE_STEPS, REFUSALS
)


@router.message(Command("broadcast"))
async def broadcast_command(message: Message, **data: Any) -> None:
    await COMPOSE.start(message, data, "text_fi")


# ------------------------------------------------------------------ the list


async def _list_item(
    broadcast: Broadcast, session: AsyncSession, ledger: DeliveryLedger, t: Translator
) -> str:
    since: dict[str, datetime] = {
        Status.SCHEDULED: broadcast.scheduled_at,
        Status.SENDING: broadcast.started_at or broadcast.scheduled_at,
        Status.DONE: broadcast.finished_at or broadcast.scheduled_at,
    }
    when = since.get(broadcast.status)
    status = t(f"bc-status-{broadcast.status}", when=t.format_datetime(when)) if when else None
    excerpt = check_html(broadcast.texts["fi"]).text.replace("\n", " ")
    if len(excerpt) > EXCERPT:
        excerpt = excerpt[: EXCERPT - 1] + "…"
    audience = await audience_text(session, broadcast.audience, broadcast.audience_arg, t)
    lines = [
        t(
            "bc-list-item",
            id=str(broadcast.id),
            status=status or t("bc-status-cancelled"),
            audience=audience,
            excerpt=excerpt,
        )
    ]
    if broadcast.started_at is not None:
        counts = broadcast.report or await ledger.counts(ref(broadcast.id))
        done = Progress.from_counts(counts)
        lines.append(t("bc-list-recipients", count=broadcast.recipients or 0))
        totals = {"sent": done.sent, "blocked": done.blocked, "failed": done.failed}
        lines.append(t("bc-counts", **totals, unknown=done.unknown))
        if done.remaining:
            lines.append(t("bc-progress-remaining", remaining=done.remaining, total=done.total))
        if done.cancelled:
            lines.append(t("bc-report-not-sent", count=done.cancelled))
    return "\n".join(lines)


@router.message(Command("broadcasts"))
async def broadcasts_command(message: Message, **data: Any) -> None:
    ctx = wz.screen(message, data)
    await ctx.state.clear()
    found = await recent_broadcasts(ctx.session)
    if not found:
        await ctx.send(ctx.t("bc-list-none"))
        return
    ledger = DeliveryLedger(data["sessions"])
    items = [await _list_item(b, ctx.session, ledger, ctx.t) for b in found]
    cancellable = [b.id for b in found if b.status in (Status.SCHEDULED, Status.SENDING)]
    rows = [
        [(ctx.t("bc-cancel-button", id=str(i)), BroadcastAdmin(action="cancel", id=i))]
        for i in cancellable
    ]
    await ctx.send(
        "\n\n".join([ctx.t("bc-list-title"), *items]), wz.keyboard(*rows) if rows else None
    )


@router.callback_query(BroadcastAdmin.filter(F.action.in_({"cancel", "keep", "cancel-yes"})))
async def cancel_button(query: CallbackQuery, callback_data: BroadcastAdmin, **data: Any) -> None:
    """Cancel a broadcast, after a confirmation ("keep" is the answer no)."""
    ctx, number, action = wz.screen(query, data), callback_data.id, callback_data.action
    if action == "cancel":
        markup = wz.keyboard(
            [(ctx.t("bc-cancel-yes"), BroadcastAdmin(action="cancel-yes", id=number))],
            [(ctx.t("bc-cancel-no"), BroadcastAdmin(action="keep", id=number))],
        )
        await ctx.send(ctx.t("bc-cancel-confirm", id=str(number)), markup)
        return
    if action == "keep":
        await ctx.send(ctx.t("bc-kept", id=str(number)))
        return
    outcome, withdrawn = await cancel_broadcast(ctx.session, number, _now())
    said = {
        CancelOutcome.STOPPED: "bc-cancel-stopped",
        CancelOutcome.TOO_LATE: "bc-cancel-too-late",
    }
    msg_id = said.get(
        outcome, "bc-cancelled" if outcome is CancelOutcome.CANCELLED else "bc-unknown"
    )
    await ctx.send(ctx.t(msg_id, id=str(number), count=withdrawn))


# ------------------------------------------------------------------ a family blocked the bot


# Not a staff action: the role router checks messages and button presses only.
@router.my_chat_member(F.new_chat_member.status == ChatMemberStatus.KICKED)
async def family_blocked_bot(event: ChatMemberUpdated, session: AsyncSession) -> None:
    # As a 403 during a send: blocked, nothing more queued for them, no more announcements.
    await forget_blocked_family(session, event.from_user.id, _now())


COMPOSE.register(router)


@router.callback_query(ComposeStep.filter())
@router.callback_query(BroadcastAdmin.filter())
async def stale_button(query: CallbackQuery, t: Translator) -> None:
    await reply(query, t("bc-stale"))
