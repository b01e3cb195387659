"""Staff event tools: /staffevents (list, edit title, move, cancel) and /addevent (a dialog
with a preview before saving).

Every handler here carries the ``IsStaff`` filter, which reads the database on each update.
A non-staff user who sends a staff command, presses a (forged) staff button or types into a
staff dialog gets ``not-allowed`` and nothing else: the deny handlers at the end catch exactly
what the staff handlers would have taken.

Callback data: ``se:<action>:<token>:<arg>`` for managing events (``list``, ``open``,
``title``, ``move``, ``cancel``, ``add``; ``<token>`` names the event, see
``bot.events.upcoming.event_token``) and ``sd:<action>:<arg>`` for the add-event dialog. The
draft and the event being edited live in the FSM data, never in callback data.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from html import escape
from typing import get_args

from aiogram import F, Router
from aiogram.enums import ParseMode
from aiogram.filters import Command, StateFilter
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.catalog.matching import CatalogIndex
from bot.catalog.schema import Ages, EventKind, Locale, Service
from bot.catalog.store import LiveCatalog
from bot.config import Settings
from bot.delivery.event_news import cancel_event, move_event
from bot.events.cards import render_event_card
from bot.events.occurrences import next_occurrence
from bot.events.staff import (
    EventDraft,
    StaffInputError,
    add_event,
    check_until,
    draft_event,
    families_reminded,
    new_event_id,
    parse_ages,
    parse_date,
    parse_duration,
    parse_start,
    parse_title,
    rename_event,
)
from bot.events.upcoming import (
    ListedEvent,
    event_by_token,
    event_location,
    event_token,
    listed_by_token,
    upcoming_events,
)
from bot.handlers.menu import edit_or_send, reply
from bot.handlers.staff import IsStaff
from bot.i18n import Translator

router = Router(name="staff_events")

DRAFT_KEY = "event_draft"
EDIT_KEY = "event_edit"
LIST_PAGE = 8
SERVICES_PAGE = 8
DURATIONS = (60, 90, 120, 180)
AGE_CHOICES = ("0-17", "0-2", "3-6", "7-12", "13-17")
LOCALES: tuple[Locale, ...] = ("fi", "en", "ar")
NONE = "-"
KINDS: tuple[EventKind, ...] = get_args(EventKind)


class AddEvent(StatesGroup):
    title_fi = State()
    title_en = State()
    title_ar = State()
    service = State()
    start = State()
    duration = State()
    place = State()
    kinds = State()
    ages = State()
    cost = State()
    repeat = State()
    until = State()
    preview = State()


class EditEvent(StatesGroup):
    title = State()
    move = State()


STAFF_STATES = StateFilter(AddEvent, EditEvent)


class StaffEvents(CallbackData, prefix="se"):
    action: str
    token: str = NONE
    arg: str = NONE


class StaffDraft(CallbackData, prefix="sd"):
    action: str
    arg: str = NONE


def _button(text: str, data: CallbackData) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=data.pack())


def _keyboard(*rows: list[InlineKeyboardButton]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=list(rows))


def _abort(t: Translator) -> list[InlineKeyboardButton]:
    return [_button(t("staff-abort"), StaffDraft(action="abort"))]


def _now() -> datetime:
    return datetime.now(UTC)


async def _send(
    target: Message | CallbackQuery,
    text: str,
    markup: InlineKeyboardMarkup | None,
    *,
    html: bool = False,
) -> None:
    """Answer a typed message or a button press with a new message."""
    mode = ParseMode.HTML if html else None
    if isinstance(target, Message):
        await target.answer(text, parse_mode=mode, reply_markup=markup)
        return
    await target.answer()
    assert target.bot is not None
    await target.bot.send_message(target.from_user.id, text, parse_mode=mode, reply_markup=markup)


async def _error(message: Message, t: Translator, exc: StaffInputError) -> None:
    await message.answer(t(exc.msg_id, **exc.details))


# ------------------------------------------------------------------ the event list


def _list_screen(
    events: list[ListedEvent], t: Translator, page: int
) -> tuple[str, InlineKeyboardMarkup]:
    pages = max(1, -(-len(events) // LIST_PAGE))
    page = min(max(page, 0), pages - 1)
    shown = events[page * LIST_PAGE : (page + 1) * LIST_PAGE]
    rows = [
        [
            _button(
                f"{t.format_date(e.next.start)} · {e.event.title.get(t.locale)[:40]}",
                StaffEvents(action="open", token=e.token),
            )
        ]
        for e in shown
    ]
    nav = []
    if page > 0:
        nav.append(_button(t("events-previous"), StaffEvents(action="list", arg=str(page - 1))))
    if page < pages - 1:
        nav.append(_button(t("events-more"), StaffEvents(action="list", arg=str(page + 1))))
    if nav:
        rows.append(nav)
    rows.append([_button(t("staff-add-event"), StaffEvents(action="add"))])
    return t("staff-events-title", count=len(events)), InlineKeyboardMarkup(inline_keyboard=rows)


async def _staff_list(
    session: AsyncSession, catalog: LiveCatalog, settings: Settings, t: Translator, page: int
) -> tuple[str, InlineKeyboardMarkup]:
    index = await catalog.get(session)
    events = await upcoming_events(session, index.services, settings.tz, _now())
    return _list_screen(events, t, page)


@router.message(Command("staffevents"), IsStaff())
async def staff_events_command(
    message: Message,
    session: AsyncSession,
    catalog: LiveCatalog,
    settings: Settings,
    t: Translator,
    state: FSMContext,
) -> None:
    await state.clear()
    text, markup = await _staff_list(session, catalog, settings, t, 0)
    await message.answer(text, reply_markup=markup)


@router.callback_query(StaffEvents.filter(F.action == "list"), IsStaff())
async def staff_list_page(
    query: CallbackQuery,
    callback_data: StaffEvents,
    session: AsyncSession,
    catalog: LiveCatalog,
    settings: Settings,
    t: Translator,
) -> None:
    page = int(callback_data.arg) if callback_data.arg.isdigit() else 0
    text, markup = await _staff_list(session, catalog, settings, t, page)
    await edit_or_send(query, text, markup)


async def _event_screen(
    session: AsyncSession, listed: ListedEvent, t: Translator
) -> tuple[str, InlineKeyboardMarkup]:
    families = await families_reminded(session, listed.id)
    text = "\n\n".join([render_event_card(listed, t), t("staff-event-reminded", count=families)])
    token = listed.token
    markup = _keyboard(
        [_button(t("staff-edit-title"), StaffEvents(action="title", token=token))],
        [_button(t("staff-move"), StaffEvents(action="move", token=token))],
        [_button(t("staff-cancel-event"), StaffEvents(action="cancel", token=token))],
        [_button(t("staff-back-to-list"), StaffEvents(action="list", arg="0"))],
    )
    return text, markup


async def _listed(
    session: AsyncSession, catalog: LiveCatalog, settings: Settings, token: str
) -> ListedEvent | None:
    index = await catalog.get(session)
    return await listed_by_token(session, index.services, token, settings.tz, _now())


@router.callback_query(StaffEvents.filter(F.action == "open"), IsStaff())
async def staff_open(
    query: CallbackQuery,
    callback_data: StaffEvents,
    session: AsyncSession,
    catalog: LiveCatalog,
    settings: Settings,
    t: Translator,
    state: FSMContext,
) -> None:
    await state.clear()
    listed = await _listed(session, catalog, settings, callback_data.token)
    if listed is None:
        await reply(query, t("events-gone"))
        return
    text, markup = await _event_screen(session, listed, t)
    await _send(query, text, markup, html=True)


@router.callback_query(StaffEvents.filter(F.action == "title"), IsStaff())
async def staff_edit_title(
    query: CallbackQuery,
    callback_data: StaffEvents,
    session: AsyncSession,
    t: Translator,
    state: FSMContext,
) -> None:
    stored = await event_by_token(session, callback_data.token)
    if stored is None:
        await reply(query, t("events-gone"))
        return
    locale = callback_data.arg
    if locale not in LOCALES:
        token = callback_data.token
        markup = _keyboard(
            *(
                [
                    _button(
                        t(f"staff-language-{loc}"),
                        StaffEvents(action="title", token=token, arg=loc),
                    )
                ]
                for loc in LOCALES
            )
        )
        await _send(query, t("staff-ask-title-language"), markup)
        return
    await state.set_state(EditEvent.title)
    await state.update_data({EDIT_KEY: {"event": stored.row_id, "locale": locale}})
    current = stored.event.title.get(locale)
    await _send(query, t("staff-ask-new-title", current=current), None)


@router.message(EditEvent.title, F.text, IsStaff())
async def staff_new_title(
    message: Message, session: AsyncSession, t: Translator, state: FSMContext
) -> None:
    edit = (await state.get_data()).get(EDIT_KEY) or {}
    assert message.text is not None
    try:
        title = parse_title(message.text)
    except StaffInputError as exc:
        await _error(message, t, exc)
        return
    saved = await rename_event(
        session, str(edit.get("event")), edit.get("locale", "fi"), title, _now()
    )
    await state.clear()
    if not saved:
        await message.answer(t("events-gone"))
        return
    token = event_token(str(edit["event"]))
    markup = _keyboard([_button(t("staff-open-event"), StaffEvents(action="open", token=token))])
    await message.answer(t("staff-title-saved", title=title), reply_markup=markup)


def _example_start(now: datetime, settings: Settings) -> str:
    day = (now.astimezone(settings.tz) + timedelta(days=7)).date()
    return f"{day.day}.{day.month}.{day.year} 10.00"


@router.callback_query(StaffEvents.filter(F.action == "move"), IsStaff())
async def staff_move(
    query: CallbackQuery,
    callback_data: StaffEvents,
    session: AsyncSession,
    settings: Settings,
    t: Translator,
    state: FSMContext,
) -> None:
    stored = await event_by_token(session, callback_data.token)
    if stored is None or stored.event.cancelled:
        await reply(query, t("events-gone"))
        return
    await state.set_state(EditEvent.move)
    await state.update_data({EDIT_KEY: {"event": stored.row_id}})
    await _send(query, t("staff-ask-move", example=_example_start(_now(), settings)), None)


@router.message(EditEvent.move, F.text, IsStaff())
async def staff_move_to(
    message: Message,
    session: AsyncSession,
    settings: Settings,
    t: Translator,
    state: FSMContext,
) -> None:
    edit = (await state.get_data()).get(EDIT_KEY) or {}
    event_id = str(edit.get("event"))
    assert message.text is not None
    now = _now()
    try:
        start = parse_start(message.text, settings.tz, now)
        told = await move_event(session, event_id, start, settings.tz, now)
    except StaffInputError as exc:
        await _error(message, t, exc)
        return
    await state.clear()
    if told is None:
        await message.answer(t("events-gone"))
        return
    when = t.format_datetime(start.replace(tzinfo=settings.tz))
    markup = _keyboard(
        [_button(t("staff-open-event"), StaffEvents(action="open", token=event_token(event_id)))]
    )
    await message.answer(t("staff-moved", when=when, count=told), reply_markup=markup)


@router.callback_query(StaffEvents.filter(F.action == "cancel"), IsStaff())
async def staff_cancel(
    query: CallbackQuery,
    callback_data: StaffEvents,
    session: AsyncSession,
    settings: Settings,
    t: Translator,
) -> None:
    stored = await event_by_token(session, callback_data.token)
    if stored is None or stored.event.cancelled:
        await reply(query, t("events-gone"))
        return
    title = stored.event.title.get(t.locale)
    if callback_data.arg != "yes":
        families = await families_reminded(session, stored.row_id)
        token = callback_data.token
        markup = _keyboard(
            [_button(t("staff-cancel-yes"), StaffEvents(action="cancel", token=token, arg="yes"))],
            [_button(t("staff-cancel-no"), StaffEvents(action="open", token=token))],
        )
        await _send(query, t("staff-cancel-confirm", title=title, count=families), markup)
        return
    told = await cancel_event(session, stored.row_id, settings.tz, _now())
    if told is None:
        await reply(query, t("events-gone"))
        return
    await _send(query, t("staff-cancelled", title=title, count=told), None)


# ------------------------------------------------------------------ adding an event


async def _draft(state: FSMContext) -> EventDraft:
    return EventDraft.model_validate((await state.get_data()).get(DRAFT_KEY) or {})


async def _store(state: FSMContext, draft: EventDraft, step: State) -> None:
    await state.update_data({DRAFT_KEY: draft.model_dump(mode="json")})
    await state.set_state(step)


def _services_screen(index: CatalogIndex, t: Translator, page: int) -> InlineKeyboardMarkup:
    services = sorted(index.services.values(), key=lambda s: s.name.get(t.locale).lower())
    pages = max(1, -(-len(services) // SERVICES_PAGE))
    page = min(max(page, 0), pages - 1)
    shown = services[page * SERVICES_PAGE : (page + 1) * SERVICES_PAGE]
    rows = [[_button(s.name.get(t.locale)[:60], StaffDraft(action="svc", arg=s.id))] for s in shown]
    nav = []
    if page > 0:
        nav.append(_button(t("events-previous"), StaffDraft(action="svc-page", arg=str(page - 1))))
    if page < pages - 1:
        nav.append(_button(t("events-more"), StaffDraft(action="svc-page", arg=str(page + 1))))
    if nav:
        rows.append(nav)
    rows.append(_abort(t))
    return InlineKeyboardMarkup(inline_keyboard=rows)


def _places_keyboard(service: Service, t: Translator) -> InlineKeyboardMarkup:
    rows = [
        [_button(loc.name.get(t.locale)[:60], StaffDraft(action="place", arg=str(i)))]
        for i, loc in enumerate(service.locations[:20])
    ]
    if not service.locations:
        rows.append([_button(t("staff-no-place"), StaffDraft(action="place", arg=NONE))])
    rows.append(_abort(t))
    return InlineKeyboardMarkup(inline_keyboard=rows)


def _kinds_keyboard(draft: EventDraft, t: Translator) -> InlineKeyboardMarkup:
    rows = [
        [
            _button(
                f"{t('news-on-mark' if kind in draft.kinds else 'news-off-mark')} "
                f"{t(f'event-kind-{kind}')}",
                StaffDraft(action="kind", arg=kind),
            )
        ]
        for kind in KINDS
    ]
    rows.append([_button(t("staff-done"), StaffDraft(action="kinds-done"))])
    rows.append(_abort(t))
    return InlineKeyboardMarkup(inline_keyboard=rows)


async def _ask_start(target: Message | CallbackQuery, t: Translator, settings: Settings) -> None:
    await _send(
        target,
        t("staff-ask-start", example=_example_start(_now(), settings)),
        _keyboard(_abort(t)),
    )


async def _ask_duration(target: Message | CallbackQuery, t: Translator) -> None:
    choices = [
        _button(t("staff-minutes", minutes=m), StaffDraft(action="dur", arg=str(m)))
        for m in DURATIONS
    ]
    await _send(target, t("staff-ask-duration"), _keyboard(choices, _abort(t)))


async def _ask_ages(target: Message | CallbackQuery, t: Translator) -> None:
    rows = [[_button(t("staff-ages-same"), StaffDraft(action="ages", arg=NONE))]]
    rows += [
        [_button(choice.replace("-", "–"), StaffDraft(action="ages", arg=choice))]
        for choice in AGE_CHOICES
    ]
    await _send(target, t("staff-ask-ages"), _keyboard(*rows, _abort(t)))


async def _ask_repeat(target: Message | CallbackQuery, t: Translator) -> None:
    await _send(
        target,
        t("staff-ask-repeat"),
        _keyboard(
            [_button(t("staff-repeat-once"), StaffDraft(action="repeat", arg="once"))],
            [_button(t("staff-repeat-weekly"), StaffDraft(action="repeat", arg="weekly"))],
            _abort(t),
        ),
    )


async def _preview(
    target: Message | CallbackQuery,
    draft: EventDraft,
    index: CatalogIndex,
    settings: Settings,
    t: Translator,
) -> None:
    service = index.services.get(draft.service_id or "")
    try:
        event = draft_event(draft, "preview", settings.tz)
    except ValueError:
        event = None
    following = next_occurrence(event, settings.tz, _now()) if event is not None else None
    if service is None or event is None or following is None:
        await _send(target, t("staff-draft-broken"), None)
        return
    listed = ListedEvent("preview", event, service, event_location(service, event), following, None)
    parts = [t("staff-preview-intro"), render_event_card(listed, t)]
    titles = {loc: draft.titles.get(loc) or "-" for loc in LOCALES}
    parts.append(
        t(
            "staff-preview-titles",
            fi=escape(titles["fi"]),
            en=escape(titles["en"]),
            ar=escape(titles["ar"]),
        )
    )
    missing = draft.missing_titles()
    if missing:
        names = ", ".join(t(f"staff-language-{loc}") for loc in missing)
        parts.append(t("staff-preview-fallback", languages=names))
    if draft.until is not None:
        last = datetime(draft.until.year, draft.until.month, draft.until.day, tzinfo=settings.tz)
        parts.append(t("staff-preview-until", date=t.format_date(last)))
    markup = _keyboard(
        [_button(t("staff-save"), StaffDraft(action="save"))],
        _abort(t),
    )
    await _send(target, "\n\n".join(parts), markup, html=True)


async def _start_adding(target: Message | CallbackQuery, t: Translator, state: FSMContext) -> None:
    await state.clear()
    await _store(state, EventDraft(), AddEvent.title_fi)
    await _send(target, t("staff-ask-title-fi"), _keyboard(_abort(t)))


@router.message(Command("addevent"), IsStaff())
async def add_event_command(message: Message, t: Translator, state: FSMContext) -> None:
    await _start_adding(message, t, state)


@router.callback_query(StaffEvents.filter(F.action == "add"), IsStaff())
async def add_event_button(query: CallbackQuery, t: Translator, state: FSMContext) -> None:
    await _start_adding(query, t, state)


@router.callback_query(StaffDraft.filter(F.action == "abort"), STAFF_STATES, IsStaff())
async def abort(query: CallbackQuery, t: Translator, state: FSMContext) -> None:
    await state.clear()
    await _send(query, t("staff-aborted"), None)


@router.message(Command("cancel"), STAFF_STATES, IsStaff())
async def abort_command(message: Message, t: Translator, state: FSMContext) -> None:
    await state.clear()
    await message.answer(t("staff-aborted"))


@router.message(AddEvent.title_fi, F.text, IsStaff())
@router.message(AddEvent.title_en, F.text, IsStaff())
@router.message(AddEvent.title_ar, F.text, IsStaff())
async def draft_title(
    message: Message,
    t: Translator,
    state: FSMContext,
    session: AsyncSession,
    catalog: LiveCatalog,
) -> None:
    assert message.text is not None
    try:
        title = parse_title(message.text)
    except StaffInputError as exc:
        await _error(message, t, exc)
        return
    current = await state.get_state()
    locale: Locale = (
        "fi"
        if current == AddEvent.title_fi.state
        else ("en" if current == AddEvent.title_en.state else "ar")
    )
    draft = await _draft(state)
    draft.titles[locale] = title
    await _next_title_step(message, draft, locale, t, state, session, catalog)


async def _next_title_step(
    target: Message | CallbackQuery,
    draft: EventDraft,
    after: Locale,
    t: Translator,
    state: FSMContext,
    session: AsyncSession,
    catalog: LiveCatalog,
) -> None:
    if after in ("fi", "en"):
        following: Locale = "en" if after == "fi" else "ar"
        step = AddEvent.title_en if following == "en" else AddEvent.title_ar
        await _store(state, draft, step)
        skip = [_button(t("staff-skip"), StaffDraft(action="skip"))]
        await _send(target, t(f"staff-ask-title-{following}"), _keyboard(skip, _abort(t)))
        return
    await _store(state, draft, AddEvent.service)
    index = await catalog.get(session)
    await _send(target, t("staff-ask-service"), _services_screen(index, t, 0))


@router.callback_query(
    StaffDraft.filter(F.action == "skip"),
    StateFilter(AddEvent.title_en, AddEvent.title_ar),
    IsStaff(),
)
async def draft_skip_title(
    query: CallbackQuery,
    t: Translator,
    state: FSMContext,
    session: AsyncSession,
    catalog: LiveCatalog,
) -> None:
    after: Locale = "en" if await state.get_state() == AddEvent.title_en.state else "ar"
    await _next_title_step(query, await _draft(state), after, t, state, session, catalog)


@router.callback_query(StaffDraft.filter(F.action == "svc-page"), AddEvent.service, IsStaff())
async def draft_services_page(
    query: CallbackQuery,
    callback_data: StaffDraft,
    t: Translator,
    session: AsyncSession,
    catalog: LiveCatalog,
) -> None:
    index = await catalog.get(session)
    page = int(callback_data.arg) if callback_data.arg.isdigit() else 0
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.edit_reply_markup(reply_markup=_services_screen(index, t, page))


async def _choose_service(
    target: Message | CallbackQuery,
    service_id: str,
    t: Translator,
    state: FSMContext,
    session: AsyncSession,
    catalog: LiveCatalog,
    settings: Settings,
) -> None:
    index = await catalog.get(session)
    if service_id not in index.services:
        await _send(target, t("staff-error-service", id=service_id[:64]), None)
        return
    draft = await _draft(state)
    draft.service_id = service_id
    await _store(state, draft, AddEvent.start)
    await _ask_start(target, t, settings)


@router.callback_query(StaffDraft.filter(F.action == "svc"), AddEvent.service, IsStaff())
async def draft_service_button(
    query: CallbackQuery,
    callback_data: StaffDraft,
    t: Translator,
    state: FSMContext,
    session: AsyncSession,
    catalog: LiveCatalog,
    settings: Settings,
) -> None:
    await _choose_service(query, callback_data.arg, t, state, session, catalog, settings)


@router.message(AddEvent.service, F.text, IsStaff())
async def draft_service_typed(
    message: Message,
    t: Translator,
    state: FSMContext,
    session: AsyncSession,
    catalog: LiveCatalog,
    settings: Settings,
) -> None:
    assert message.text is not None
    await _choose_service(message, message.text.strip(), t, state, session, catalog, settings)


@router.message(AddEvent.start, F.text, IsStaff())
async def draft_start(
    message: Message, t: Translator, state: FSMContext, settings: Settings
) -> None:
    assert message.text is not None
    try:
        start = parse_start(message.text, settings.tz, _now())
    except StaffInputError as exc:
        await _error(message, t, exc)
        return
    draft = await _draft(state)
    draft.start = f"{start:%Y-%m-%dT%H:%M}"
    await _store(state, draft, AddEvent.duration)
    await _ask_duration(message, t)


async def _set_duration(
    target: Message | CallbackQuery,
    minutes: int,
    t: Translator,
    state: FSMContext,
    session: AsyncSession,
    catalog: LiveCatalog,
) -> None:
    draft = await _draft(state)
    draft.minutes = minutes
    index = await catalog.get(session)
    service = index.services.get(draft.service_id or "")
    if service is None:
        await state.clear()
        await _send(target, t("staff-draft-broken"), None)
        return
    await _store(state, draft, AddEvent.place)
    await _send(target, t("staff-ask-place"), _places_keyboard(service, t))


@router.callback_query(StaffDraft.filter(F.action == "dur"), AddEvent.duration, IsStaff())
async def draft_duration_button(
    query: CallbackQuery,
    callback_data: StaffDraft,
    t: Translator,
    state: FSMContext,
    session: AsyncSession,
    catalog: LiveCatalog,
) -> None:
    if not callback_data.arg.isdigit() or int(callback_data.arg) not in DURATIONS:
        await reply(query, t("staff-stale"))
        return
    await _set_duration(query, int(callback_data.arg), t, state, session, catalog)


@router.message(AddEvent.duration, F.text, IsStaff())
async def draft_duration_typed(
    message: Message,
    t: Translator,
    state: FSMContext,
    session: AsyncSession,
    catalog: LiveCatalog,
) -> None:
    assert message.text is not None
    try:
        length = parse_duration(message.text)
    except StaffInputError as exc:
        await _error(message, t, exc)
        return
    await _set_duration(message, int(length.total_seconds() // 60), t, state, session, catalog)


@router.callback_query(StaffDraft.filter(F.action == "place"), AddEvent.place, IsStaff())
async def draft_place(
    query: CallbackQuery,
    callback_data: StaffDraft,
    t: Translator,
    state: FSMContext,
    session: AsyncSession,
    catalog: LiveCatalog,
) -> None:
    draft = await _draft(state)
    index = await catalog.get(session)
    service = index.services.get(draft.service_id or "")
    arg = callback_data.arg
    if service is None:
        await reply(query, t("staff-draft-broken"))
        return
    if arg == NONE and not service.locations:
        draft.location = None
    elif arg.isdigit() and int(arg) < len(service.locations):
        draft.location = service.locations[int(arg)].id
    else:
        await reply(query, t("staff-stale"))
        return
    await _store(state, draft, AddEvent.kinds)
    await _send(query, t("staff-ask-kinds"), _kinds_keyboard(draft, t))


@router.callback_query(StaffDraft.filter(F.action == "kind"), AddEvent.kinds, IsStaff())
async def draft_kind(
    query: CallbackQuery, callback_data: StaffDraft, t: Translator, state: FSMContext
) -> None:
    draft = await _draft(state)
    if callback_data.arg not in KINDS:
        await reply(query, t("staff-stale"))
        return
    chosen = set(draft.kinds) ^ {callback_data.arg}  # a press turns the kind on or off
    draft.kinds = [k for k in KINDS if k in chosen]
    await _store(state, draft, AddEvent.kinds)
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.edit_reply_markup(reply_markup=_kinds_keyboard(draft, t))


@router.callback_query(StaffDraft.filter(F.action == "kinds-done"), AddEvent.kinds, IsStaff())
async def draft_kinds_done(query: CallbackQuery, t: Translator, state: FSMContext) -> None:
    draft = await _draft(state)
    if not draft.kinds:
        await query.answer(t("staff-error-kinds"), show_alert=True)
        return
    await _store(state, draft, AddEvent.ages)
    await _ask_ages(query, t)


async def _set_ages(
    target: Message | CallbackQuery, ages: Ages | None, t: Translator, state: FSMContext
) -> None:
    draft = await _draft(state)
    draft.ages = ages
    await _store(state, draft, AddEvent.cost)
    await _send(
        target,
        t("staff-ask-cost"),
        _keyboard(
            [_button(t("event-cost-free"), StaffDraft(action="cost", arg="free"))],
            [_button(t("event-cost-fee"), StaffDraft(action="cost", arg="fee"))],
            [_button(t("staff-cost-same"), StaffDraft(action="cost", arg=NONE))],
            _abort(t),
        ),
    )


@router.callback_query(StaffDraft.filter(F.action == "ages"), AddEvent.ages, IsStaff())
async def draft_ages_button(
    query: CallbackQuery, callback_data: StaffDraft, t: Translator, state: FSMContext
) -> None:
    arg = callback_data.arg
    if arg != NONE and arg not in AGE_CHOICES:
        await reply(query, t("staff-stale"))
        return
    await _set_ages(query, None if arg == NONE else parse_ages(arg), t, state)


@router.message(AddEvent.ages, F.text, IsStaff())
async def draft_ages_typed(message: Message, t: Translator, state: FSMContext) -> None:
    assert message.text is not None
    try:
        ages = parse_ages(message.text)
    except StaffInputError as exc:
        await _error(message, t, exc)
        return
    await _set_ages(message, ages, t, state)


@router.callback_query(StaffDraft.filter(F.action == "cost"), AddEvent.cost, IsStaff())
async def draft_cost(
    query: CallbackQuery, callback_data: StaffDraft, t: Translator, state: FSMContext
) -> None:
    arg = callback_data.arg
    draft = await _draft(state)
    if arg == NONE:
        draft.cost = None
    elif arg in ("free", "fee"):
        draft.cost = "free" if arg == "free" else "fee"
    else:
        await reply(query, t("staff-stale"))
        return
    await _store(state, draft, AddEvent.repeat)
    await _ask_repeat(query, t)


@router.callback_query(StaffDraft.filter(F.action == "repeat"), AddEvent.repeat, IsStaff())
async def draft_repeat(
    query: CallbackQuery,
    callback_data: StaffDraft,
    t: Translator,
    state: FSMContext,
    session: AsyncSession,
    catalog: LiveCatalog,
    settings: Settings,
) -> None:
    draft = await _draft(state)
    if callback_data.arg == "weekly":
        await _store(state, draft, AddEvent.until)
        await _send(query, t("staff-ask-until"), _keyboard(_abort(t)))
        return
    draft.until = None
    await _store(state, draft, AddEvent.preview)
    await _preview(query, draft, await catalog.get(session), settings, t)


@router.message(AddEvent.until, F.text, IsStaff())
async def draft_until(
    message: Message,
    t: Translator,
    state: FSMContext,
    session: AsyncSession,
    catalog: LiveCatalog,
    settings: Settings,
) -> None:
    assert message.text is not None
    draft = await _draft(state)
    try:
        until = parse_date(message.text)
        if draft.start is None:
            raise StaffInputError("staff-draft-broken")
        check_until(datetime.fromisoformat(draft.start), until)
    except StaffInputError as exc:
        await _error(message, t, exc)
        return
    draft.until = until
    await _store(state, draft, AddEvent.preview)
    await _preview(message, draft, await catalog.get(session), settings, t)


@router.callback_query(StaffDraft.filter(F.action == "save"), AddEvent.preview, IsStaff())
async def draft_save(
    query: CallbackQuery,
    t: Translator,
    state: FSMContext,
    session: AsyncSession,
    catalog: LiveCatalog,
    settings: Settings,
) -> None:
    draft = await _draft(state)
    index = await catalog.get(session)
    if draft.service_id not in index.services:
        await reply(query, t("staff-draft-broken"))
        return
    try:
        event = draft_event(draft, new_event_id(), settings.tz)
    except ValueError:
        await reply(query, t("staff-draft-broken"))
        return
    await add_event(session, draft.service_id, event, settings.tz, _now())
    await state.clear()
    markup = _keyboard(
        [_button(t("staff-open-event"), StaffEvents(action="open", token=event_token(event.id)))]
    )
    await _send(query, t("staff-saved", title=event.title.fi), markup)


# ------------------------------------------------------------------ staff, but a stale press


@router.callback_query(StaffDraft.filter(), IsStaff())
async def staff_stale_draft_button(query: CallbackQuery, t: Translator) -> None:
    await reply(query, t("staff-stale"))


@router.callback_query(StaffEvents.filter(), IsStaff())
async def staff_unknown_action(query: CallbackQuery, t: Translator) -> None:
    await reply(query, t("staff-stale"))


@router.message(STAFF_STATES, IsStaff())
async def staff_needs_text(message: Message, t: Translator) -> None:
    await message.answer(t("staff-need-text"))


# ------------------------------------------------------------------ everyone else: not allowed


@router.message(Command("staffevents", "addevent"))
async def not_staff_command(message: Message, t: Translator) -> None:
    await message.answer(t("not-allowed"))


@router.callback_query(StaffEvents.filter())
@router.callback_query(StaffDraft.filter())
async def not_staff_button(query: CallbackQuery, t: Translator) -> None:
    # As for every staff button (see bot.handlers.staff): an alert, nothing sent to the chat.
    await query.answer(t("not-allowed"), show_alert=True)


@router.message(STAFF_STATES)
async def not_staff_anymore(message: Message, t: Translator, state: FSMContext) -> None:
    # Staff rights were withdrawn mid-dialog: nothing typed here is used.
    await state.clear()
    await message.answer(t("not-allowed"))
