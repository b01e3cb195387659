"""/broadcast: staff write an announcement (Finnish, then optionally English and Arabic),
choose who gets it, optionally attach an event, see it exactly as each language group will,
then send it now, schedule it, or stop. /broadcasts: the latest announcements with their
reports; cancel one that is scheduled or being sent.

Every handler carries ``IsStaff`` (a database read on each update); the twins at the end give
everyone else "not allowed" and nothing more. The draft lives in the FSM data, never in
callback data. Callback data: ``bc:<action>:<arg>`` for the dialog (``skip``, ``stop``,
``aud``, ``mun``/``munp``, ``top``, ``evt``/``evtp``, ``att``/``attp``, ``now``, ``later``;
events are named by ``bot.events.upcoming.event_token``) and ``bcl:<action>:<id>`` for the
list (``cancel``, ``cancel-yes``, ``keep``).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from aiogram import Bot, F, Router
from aiogram.enums import ChatMemberStatus, ParseMode
from aiogram.filters import Command, StateFilter
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import (
    CallbackQuery,
    ChatMemberUpdated,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
)
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.catalog.cards import municipality_name
from bot.catalog.store import LiveCatalog
from bot.config import Locale, Settings
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
from bot.handlers.staff import IsStaff
from bot.i18n import I18n, Translator

router = Router(name="broadcast")

DRAFT_KEY = "broadcast_draft"
PAGE = 8
EXCERPT = 80
NONE = "-"
# Telegram entity types that are formatting the writer chose (not auto-detected links etc.).
FORMATTING = frozenset(
    {
        "bold",
        "italic",
        "underline",
        "strikethrough",
        "spoiler",
        "code",
        "pre",
        "text_link",
        "text_mention",
        "custom_emoji",
        "blockquote",
        "expandable_blockquote",
    }
)


class Compose(StatesGroup):
    text_fi = State()
    text_en = State()
    text_ar = State()
    audience = State()
    municipality = State()
    topic = State()
    event_audience = State()
    attach = State()
    preview = State()
    schedule = State()


COMPOSING = StateFilter(Compose)
TEXT_STATES: dict[str | None, Locale] = {
    Compose.text_fi.state: "fi",
    Compose.text_en.state: "en",
    Compose.text_ar.state: "ar",
}


class ComposeStep(CallbackData, prefix="bc"):
    action: str
    arg: str = NONE


class BroadcastAdmin(CallbackData, prefix="bcl"):
    action: str
    id: int


def remind_keyboard(event_id: str, t: Translator) -> InlineKeyboardMarkup:
    """The events feature's "Remind me" button for ``event_id``, in the reader's language."""
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                InlineKeyboardButton(
                    text=t("event-remind-me"),
                    callback_data=EventRemind(token=event_token(event_id)).pack(),
                )
            ]
        ]
    )


def _now() -> datetime:
    return datetime.now(UTC)


def _button(text: str, data: CallbackData) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=data.pack())


def _keyboard(*rows: list[InlineKeyboardButton]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=list(rows))


def _stop(t: Translator) -> list[InlineKeyboardButton]:
    return [_button(t("bc-stop"), ComposeStep(action="stop"))]


async def _send(
    target: Message | CallbackQuery,
    text: str,
    markup: InlineKeyboardMarkup | None = None,
    *,
    html: bool = False,
) -> Message:
    """Answer a typed message or a button press with a new message."""
    mode = ParseMode.HTML if html else None
    if isinstance(target, Message):
        return await target.answer(text, parse_mode=mode, reply_markup=markup)
    await target.answer()
    assert target.bot is not None
    return await target.bot.send_message(
        target.from_user.id, text, parse_mode=mode, reply_markup=markup
    )


async def _draft(state: FSMContext) -> BroadcastDraft:
    return BroadcastDraft.model_validate((await state.get_data()).get(DRAFT_KEY) or {})


async def _store(state: FSMContext, draft: BroadcastDraft, step: State) -> None:
    await state.update_data({DRAFT_KEY: draft.model_dump(mode="json")})
    await state.set_state(step)


def _formatted_html(message: Message) -> str | None:
    """The text as HTML when the writer formatted it in Telegram, else None."""
    if any(entity.type in FORMATTING for entity in message.entities or ()):
        return message.html_text
    return None


def _paged(
    items: list[InlineKeyboardButton], page: int, more: str, t: Translator
) -> list[list[InlineKeyboardButton]]:
    pages = max(1, -(-len(items) // PAGE))
    page = min(max(page, 0), pages - 1)
    rows = [[b] for b in items[page * PAGE : (page + 1) * PAGE]]
    nav = []
    if page > 0:
        nav.append(_button(t("bc-previous"), ComposeStep(action=more, arg=str(page - 1))))
    if page < pages - 1:
        nav.append(_button(t("bc-more"), ComposeStep(action=more, arg=str(page + 1))))
    if nav:
        rows.append(nav)
    return rows


def _page(arg: str) -> int:
    return int(arg) if arg.isdigit() else 0


# ------------------------------------------------------------------ screens


def audience_keyboard(t: Translator) -> InlineKeyboardMarkup:
    return _keyboard(
        *(
            [_button(t(f"bc-audience-button-{kind.value}"), ComposeStep(action="aud", arg=kind))]
            for kind in AudienceKind
        ),
        _stop(t),
    )


async def _municipality_keyboard(
    session: AsyncSession, catalog: LiveCatalog, t: Translator, page: int
) -> InlineKeyboardMarkup:
    index = await catalog.get(session)
    codes = sorted(index.municipalities(), key=lambda c: municipality_name(c, t))
    buttons = [_button(municipality_name(c, t), ComposeStep(action="mun", arg=c)) for c in codes]
    return _keyboard(*_paged(buttons, page, "munp", t), _stop(t))


def topic_keyboard(t: Translator) -> InlineKeyboardMarkup:
    return _keyboard(
        *(
            [_button(t(f"news-topic-{topic}"), ComposeStep(action="top", arg=topic))]
            for topic in TOPICS
        ),
        _stop(t),
    )


async def _events(
    session: AsyncSession, catalog: LiveCatalog, settings: Settings
) -> list[ListedEvent]:
    index = await catalog.get(session)
    return await upcoming_events(session, index.services, settings.tz, _now())


def _event_button(listed: ListedEvent, action: str, t: Translator) -> InlineKeyboardButton:
    label = f"{t.format_date(listed.next.start)} · {listed.event.title.get(t.locale)}"
    return _button(label[:60], ComposeStep(action=action, arg=listed.token))


async def _events_keyboard(
    session: AsyncSession,
    catalog: LiveCatalog,
    settings: Settings,
    t: Translator,
    page: int,
    *,
    attach: bool,
    first: str | None = None,
) -> InlineKeyboardMarkup | None:
    """Upcoming events to choose from (``first``, an event id, on top); None if none."""
    events = await _events(session, catalog, settings)
    events.sort(key=lambda e: e.id != first)  # stable: otherwise soonest first
    action, more = ("att", "attp") if attach else ("evt", "evtp")
    buttons = [_event_button(e, action, t) for e in events]
    if not buttons and not attach:
        return None
    rows = _paged(buttons, page, more, t)
    if attach:
        rows.insert(0, [_button(t("bc-attach-none"), ComposeStep(action="att", arg=NONE))])
    return _keyboard(*rows, _stop(t))


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
    return stored.event.title.get(t.locale) if stored is not None else (event_id or NONE)


# ------------------------------------------------------------------ writing


@router.message(Command("broadcast"), IsStaff())
async def broadcast_command(message: Message, t: Translator, state: FSMContext) -> None:
    await state.clear()
    await _store(state, BroadcastDraft(), Compose.text_fi)
    await message.answer(t("bc-ask-fi", max=MAX_MESSAGE_LENGTH), reply_markup=_keyboard(_stop(t)))


@router.message(Command("cancel"), COMPOSING, IsStaff())
async def stop_command(message: Message, t: Translator, state: FSMContext) -> None:
    await state.clear()
    await message.answer(t("bc-stopped"))


@router.callback_query(ComposeStep.filter(F.action == "stop"), COMPOSING, IsStaff())
async def stop_button(query: CallbackQuery, t: Translator, state: FSMContext) -> None:
    await state.clear()
    await _send(query, t("bc-stopped"))


@router.message(StateFilter(Compose.text_fi, Compose.text_en, Compose.text_ar), F.text, IsStaff())
async def compose_text(message: Message, t: Translator, state: FSMContext) -> None:
    assert message.text is not None
    try:
        checked = announcement_html(message.text, _formatted_html(message))
    except TelegramHtmlError as exc:
        await message.answer(t(exc.msg_id, **exc.details))
        return
    locale = TEXT_STATES[await state.get_state()]
    draft = await _draft(state)
    draft.texts[locale] = checked.html
    await _after_text(message, draft, locale, t, state)


async def _after_text(
    target: Message | CallbackQuery,
    draft: BroadcastDraft,
    after: Locale,
    t: Translator,
    state: FSMContext,
) -> None:
    if after != "ar":
        following: Locale = "en" if after == "fi" else "ar"
        await _store(state, draft, Compose.text_en if following == "en" else Compose.text_ar)
        skip = [_button(t("bc-skip"), ComposeStep(action="skip"))]
        await _send(target, t(f"bc-ask-{following}"), _keyboard(skip, _stop(t)))
        return
    await _store(state, draft, Compose.audience)
    await _send(target, t("bc-choose-audience"), audience_keyboard(t))


@router.callback_query(
    ComposeStep.filter(F.action == "skip"),
    StateFilter(Compose.text_en, Compose.text_ar),
    IsStaff(),
)
async def skip_text(query: CallbackQuery, t: Translator, state: FSMContext) -> None:
    draft = await _draft(state)
    after = TEXT_STATES[await state.get_state()]
    draft.texts.pop(after, None)
    await _after_text(query, draft, after, t, state)


# ------------------------------------------------------------------ who gets it


@router.callback_query(ComposeStep.filter(F.action == "aud"), Compose.audience, IsStaff())
async def choose_audience(
    query: CallbackQuery,
    callback_data: ComposeStep,
    session: AsyncSession,
    catalog: LiveCatalog,
    settings: Settings,
    t: Translator,
    state: FSMContext,
) -> None:
    draft = await _draft(state)
    arg = callback_data.arg
    if arg == AudienceKind.ALL:
        draft.audience, draft.audience_arg = AudienceKind.ALL, None
        await _ask_attach(query, draft, session, catalog, settings, t, state)
    elif arg == AudienceKind.MUNICIPALITY:
        await _store(state, draft, Compose.municipality)
        places = await _municipality_keyboard(session, catalog, t, 0)
        await _send(query, t("bc-choose-municipality"), places)
    elif arg == AudienceKind.TOPIC:
        await _store(state, draft, Compose.topic)
        await _send(query, t("bc-choose-topic"), topic_keyboard(t))
    elif arg == AudienceKind.EVENT:
        markup = await _events_keyboard(session, catalog, settings, t, 0, attach=False)
        if markup is None:
            await query.answer(t("bc-no-events"), show_alert=True)
            return
        await _store(state, draft, Compose.event_audience)
        await _send(query, t("bc-choose-event"), markup)
    else:
        await reply(query, t("bc-stale"))


@router.callback_query(ComposeStep.filter(F.action == "munp"), Compose.municipality, IsStaff())
async def municipality_page(
    query: CallbackQuery,
    callback_data: ComposeStep,
    session: AsyncSession,
    catalog: LiveCatalog,
    t: Translator,
) -> None:
    markup = await _municipality_keyboard(session, catalog, t, _page(callback_data.arg))
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.edit_reply_markup(reply_markup=markup)


@router.callback_query(ComposeStep.filter(F.action == "mun"), Compose.municipality, IsStaff())
async def choose_municipality(
    query: CallbackQuery,
    callback_data: ComposeStep,
    session: AsyncSession,
    catalog: LiveCatalog,
    settings: Settings,
    t: Translator,
    state: FSMContext,
) -> None:
    code = callback_data.arg
    if code == ALL or not valid_municipality(code):
        await reply(query, t("bc-stale"))
        return
    draft = await _draft(state)
    draft.audience, draft.audience_arg = AudienceKind.MUNICIPALITY, code
    await _ask_attach(query, draft, session, catalog, settings, t, state)


@router.callback_query(ComposeStep.filter(F.action == "top"), Compose.topic, IsStaff())
async def choose_topic(
    query: CallbackQuery,
    callback_data: ComposeStep,
    session: AsyncSession,
    catalog: LiveCatalog,
    settings: Settings,
    t: Translator,
    state: FSMContext,
) -> None:
    if callback_data.arg not in TOPICS:
        await reply(query, t("bc-stale"))
        return
    draft = await _draft(state)
    draft.audience, draft.audience_arg = AudienceKind.TOPIC, callback_data.arg
    await _ask_attach(query, draft, session, catalog, settings, t, state)


@router.callback_query(ComposeStep.filter(F.action == "evtp"), Compose.event_audience, IsStaff())
@router.callback_query(ComposeStep.filter(F.action == "attp"), Compose.attach, IsStaff())
async def events_page(
    query: CallbackQuery,
    callback_data: ComposeStep,
    session: AsyncSession,
    catalog: LiveCatalog,
    settings: Settings,
    t: Translator,
    state: FSMContext,
) -> None:
    draft = await _draft(state)
    attach = callback_data.action == "attp"
    first = draft.audience_arg if draft.audience is AudienceKind.EVENT else None
    markup = await _events_keyboard(
        session, catalog, settings, t, _page(callback_data.arg), attach=attach, first=first
    )
    await query.answer()
    if markup is not None and isinstance(query.message, Message):
        await query.message.edit_reply_markup(reply_markup=markup)


@router.callback_query(ComposeStep.filter(F.action == "evt"), Compose.event_audience, IsStaff())
async def choose_event_audience(
    query: CallbackQuery,
    callback_data: ComposeStep,
    session: AsyncSession,
    catalog: LiveCatalog,
    settings: Settings,
    t: Translator,
    state: FSMContext,
) -> None:
    stored = await event_by_token(session, callback_data.arg)
    if stored is None or stored.event.cancelled:
        await reply(query, t("events-gone"))
        return
    draft = await _draft(state)
    draft.audience, draft.audience_arg = AudienceKind.EVENT, stored.row_id
    await _ask_attach(query, draft, session, catalog, settings, t, state)


async def _ask_attach(
    query: CallbackQuery,
    draft: BroadcastDraft,
    session: AsyncSession,
    catalog: LiveCatalog,
    settings: Settings,
    t: Translator,
    state: FSMContext,
) -> None:
    await _store(state, draft, Compose.attach)
    first = draft.audience_arg if draft.audience is AudienceKind.EVENT else None
    markup = await _events_keyboard(session, catalog, settings, t, 0, attach=True, first=first)
    await _send(query, t("bc-ask-attach"), markup)


# ------------------------------------------------------------------ preview and sending


@router.callback_query(ComposeStep.filter(F.action == "att"), Compose.attach, IsStaff())
async def choose_attachment(
    query: CallbackQuery,
    callback_data: ComposeStep,
    bot: Bot,
    session: AsyncSession,
    settings: Settings,
    i18n: I18n,
    t: Translator,
    state: FSMContext,
) -> None:
    draft = await _draft(state)
    if callback_data.arg == NONE:
        draft.event_id = None
    else:
        stored = await event_by_token(session, callback_data.arg)
        if stored is None or stored.event.cancelled:
            await reply(query, t("events-gone"))
            return
        draft.event_id = stored.row_id
    if not draft.complete():
        await state.clear()
        await reply(query, t("bc-draft-broken"))
        return
    await _store(state, draft, Compose.preview)
    await query.answer()
    await _preview(bot, query.from_user.id, draft, session, settings, i18n, t)


async def _preview(
    bot: Bot,
    chat_id: int,
    draft: BroadcastDraft,
    session: AsyncSession,
    settings: Settings,
    i18n: I18n,
    t: Translator,
) -> None:
    """The message as each language group will see it, then the numbers and the choice."""
    assert draft.audience is not None
    found = await recipients(
        session, draft.audience, draft.audience_arg, default_locale=settings.default_locale
    )
    groups = language_groups(found, draft.texts)
    await bot.send_message(chat_id, t("bc-preview-title"))
    warnings = []
    for group in groups:
        header = t(f"bc-preview-group-{group.locale}", count=group.families)
        if group.fallback:
            warning = t(f"bc-fallback-{group.locale}-{group.language}", count=group.families)
            header = f"{header}\n{warning}"
            warnings.append(warning)
        await bot.send_message(chat_id, header)
        seen = render_announcement(draft.texts, draft.event_id, i18n[group.locale], remind_keyboard)
        await bot.send_message(
            chat_id, seen.text, parse_mode=seen.parse_mode, reply_markup=seen.reply_markup
        )
    counts = {group.locale: group.families for group in groups}
    lines = [
        t(
            "bc-preview-summary",
            audience=await audience_text(session, draft.audience, draft.audience_arg, t),
            total=len(found),
            fi=counts["fi"],
            en=counts["en"],
            ar=counts["ar"],
        )
    ]
    if draft.event_id:
        lines.append(t("bc-preview-event", event=await _event_title(session, draft.event_id, t)))
    lines += warnings
    if not found:
        lines.append(t("bc-preview-nobody"))
    markup = _keyboard(
        [_button(t("bc-send-now"), ComposeStep(action="now"))],
        [_button(t("bc-send-later"), ComposeStep(action="later"))],
        _stop(t),
    )
    await bot.send_message(chat_id, "\n\n".join(lines), reply_markup=markup)


@router.callback_query(ComposeStep.filter(F.action == "now"), Compose.preview, IsStaff())
async def send_now(
    query: CallbackQuery, session: AsyncSession, t: Translator, state: FSMContext
) -> None:
    draft = await _draft(state)
    await state.clear()
    if not draft.complete():
        await reply(query, t("bc-draft-broken"))
        return
    now = _now()
    broadcast = await create_broadcast(session, draft, query.from_user.id, now, now)
    status = await _send(query, t("bc-starting", id=str(broadcast.id)))
    await set_status_message(session, broadcast.id, status.chat.id, status.message_id)


def _example(now: datetime, settings: Settings) -> str:
    day = (now.astimezone(settings.tz) + timedelta(days=1)).date()
    return f"{day.day}.{day.month}.{day.year} 10.00"


@router.callback_query(ComposeStep.filter(F.action == "later"), Compose.preview, IsStaff())
async def send_later(
    query: CallbackQuery, settings: Settings, t: Translator, state: FSMContext
) -> None:
    await state.set_state(Compose.schedule)
    await _send(query, t("bc-ask-when", example=_example(_now(), settings)), _keyboard(_stop(t)))


@router.message(Compose.schedule, F.text, IsStaff())
async def schedule_at(
    message: Message,
    session: AsyncSession,
    settings: Settings,
    t: Translator,
    state: FSMContext,
) -> None:
    assert message.text is not None
    assert message.from_user is not None
    now = _now()
    try:
        local = parse_start(message.text, settings.tz, now)
    except StaffInputError as exc:
        await message.answer(t(exc.msg_id, **exc.details))
        return
    draft = await _draft(state)
    await state.clear()
    if not draft.complete():
        await message.answer(t("bc-draft-broken"))
        return
    at = local.replace(tzinfo=settings.tz)
    broadcast = await create_broadcast(session, draft, message.from_user.id, at, now)
    status = await message.answer(
        t("bc-scheduled", id=str(broadcast.id), when=t.format_datetime(at))
    )
    await set_status_message(session, broadcast.id, status.chat.id, status.message_id)


# ------------------------------------------------------------------ the list


async def _list_item(
    broadcast: Broadcast, session: AsyncSession, ledger: DeliveryLedger, t: Translator
) -> str:
    if broadcast.status == Status.SCHEDULED:
        status = t("bc-status-scheduled", when=t.format_datetime(broadcast.scheduled_at))
    elif broadcast.status == Status.SENDING:
        started = broadcast.started_at or broadcast.scheduled_at
        status = t("bc-status-sending", when=t.format_datetime(started))
    elif broadcast.status == Status.DONE:
        finished = broadcast.finished_at or broadcast.scheduled_at
        status = t("bc-status-done", when=t.format_datetime(finished))
    else:
        status = t("bc-status-cancelled")
    excerpt = check_html(broadcast.texts["fi"]).text.replace("\n", " ")
    if len(excerpt) > EXCERPT:
        excerpt = excerpt[: EXCERPT - 1] + "…"
    lines = [
        t(
            "bc-list-item",
            id=str(broadcast.id),
            status=status,
            audience=await audience_text(session, broadcast.audience, broadcast.audience_arg, t),
            excerpt=excerpt,
        )
    ]
    if broadcast.started_at is not None:
        counts = broadcast.report
        if counts is None:
            counts = await ledger.counts(ref(broadcast.id))
        progress = Progress.from_counts(counts)
        lines.append(t("bc-list-recipients", count=broadcast.recipients or 0))
        lines.append(
            t(
                "bc-counts",
                sent=progress.sent,
                blocked=progress.blocked,
                failed=progress.failed,
                unknown=progress.unknown,
            )
        )
        if progress.remaining:
            lines.append(
                t("bc-progress-remaining", remaining=progress.remaining, total=progress.total)
            )
        if progress.cancelled:
            lines.append(t("bc-report-not-sent", count=progress.cancelled))
    return "\n".join(lines)


@router.message(Command("broadcasts"), IsStaff())
async def broadcasts_command(
    message: Message,
    session: AsyncSession,
    sessions: async_sessionmaker[AsyncSession],
    t: Translator,
    state: FSMContext,
) -> None:
    await state.clear()
    found = await recent_broadcasts(session)
    if not found:
        await message.answer(t("bc-list-none"))
        return
    ledger = DeliveryLedger(sessions)
    items = [await _list_item(b, session, ledger, t) for b in found]
    cancellable = [b.id for b in found if b.status in (Status.SCHEDULED, Status.SENDING)]
    markup = _keyboard(
        *(
            [_button(t("bc-cancel-button", id=str(i)), BroadcastAdmin(action="cancel", id=i))]
            for i in cancellable
        )
    )
    await message.answer(
        "\n\n".join([t("bc-list-title"), *items]),
        reply_markup=markup if cancellable else None,
    )


@router.callback_query(BroadcastAdmin.filter(F.action == "cancel"), IsStaff())
async def cancel_button(query: CallbackQuery, callback_data: BroadcastAdmin, t: Translator) -> None:
    markup = _keyboard(
        [_button(t("bc-cancel-yes"), BroadcastAdmin(action="cancel-yes", id=callback_data.id))],
        [_button(t("bc-cancel-no"), BroadcastAdmin(action="keep", id=callback_data.id))],
    )
    await reply(query, t("bc-cancel-confirm", id=str(callback_data.id)), markup)


@router.callback_query(BroadcastAdmin.filter(F.action == "keep"), IsStaff())
async def keep_button(query: CallbackQuery, callback_data: BroadcastAdmin, t: Translator) -> None:
    await reply(query, t("bc-kept", id=str(callback_data.id)))


@router.callback_query(BroadcastAdmin.filter(F.action == "cancel-yes"), IsStaff())
async def cancel_confirmed(
    query: CallbackQuery, callback_data: BroadcastAdmin, session: AsyncSession, t: Translator
) -> None:
    outcome, withdrawn = await cancel_broadcast(session, callback_data.id, _now())
    messages = {
        CancelOutcome.CANCELLED: t("bc-cancelled", id=str(callback_data.id)),
        CancelOutcome.STOPPED: t("bc-cancel-stopped", id=str(callback_data.id), count=withdrawn),
        CancelOutcome.TOO_LATE: t("bc-cancel-too-late", id=str(callback_data.id)),
        CancelOutcome.UNKNOWN: t("bc-unknown"),
    }
    await reply(query, messages[outcome])


# ------------------------------------------------------------------ a family blocked the bot


@router.my_chat_member(F.new_chat_member.status == ChatMemberStatus.KICKED)
async def family_blocked_bot(event: ChatMemberUpdated, session: AsyncSession) -> None:
    # As a 403 during a send: blocked, nothing more queued for them, no more announcements.
    await forget_blocked_family(session, event.from_user.id, _now())


# ------------------------------------------------------------------ staff, but a stale press


@router.callback_query(ComposeStep.filter(), IsStaff())
@router.callback_query(BroadcastAdmin.filter(), IsStaff())
async def stale_button(query: CallbackQuery, t: Translator) -> None:
    await reply(query, t("bc-stale"))


@router.message(COMPOSING, IsStaff())
async def needs_text_or_button(message: Message, t: Translator, state: FSMContext) -> None:
    current = await state.get_state()
    typed = current in TEXT_STATES or current == Compose.schedule.state
    await message.answer(t("bc-need-text" if typed else "bc-use-buttons"))


# ------------------------------------------------------------------ everyone else: not allowed


@router.message(Command("broadcast", "broadcasts"))
async def not_staff_command(message: Message, t: Translator) -> None:
    await message.answer(t("not-allowed"))


@router.callback_query(ComposeStep.filter())
@router.callback_query(BroadcastAdmin.filter())
async def not_staff_button(query: CallbackQuery, t: Translator) -> None:
    await query.answer(t("not-allowed"), show_alert=True)


@router.message(COMPOSING)
async def not_staff_anymore(message: Message, t: Translator, state: FSMContext) -> None:
    # Staff rights were withdrawn mid-dialog: nothing typed here is used.
    await state.clear()
    await message.answer(t("not-allowed"))
