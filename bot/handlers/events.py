"""/events: upcoming events near the family, event cards, "remind me", "add to calendar".

Callback data (all well under 64 bytes; an event is named by a 12-digit token, see
``bot.events.upcoming.event_token``, and is read again from the database on every press):

- ``ev:near:<code>``            events near municipality ``<code>`` (``all``: everywhere), as a
                                new message: the entry point other features link to
- ``ev:places:<page>``          the municipality picker
- ``evl:<place>:<kind>:<page>`` a list page; ``<kind>`` is ``all``, an event kind, or ``-`` for
                                the kind picker
- ``evo:<token>``               open an event card
- ``evr:<token>:<occ>:<offs>``  remind me: ``<occ>`` ``-`` (choose), ``series`` or an occurrence
                                code (``202701110730``, UTC); ``<offs>`` ``-``, ``d``, ``h``, ``b``
- ``evc:<token>``               the .ics file
- ``evv:<token>``               the place on a map
"""

from __future__ import annotations

from datetime import UTC, datetime

from aiogram import Bot, F, Router
from aiogram.enums import ParseMode
from aiogram.filters import Command
from aiogram.filters.callback_data import CallbackData
from aiogram.types import (
    BufferedInputFile,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
)
from sqlalchemy.ext.asyncio import AsyncSession

from bot.catalog import vocab
from bot.catalog.cards import municipality_name
from bot.catalog.matching import CatalogIndex
from bot.catalog.store import LiveCatalog
from bot.config import Settings
from bot.delivery.family_reminders import (
    RemindOutcome,
    key_from_code,
    occurrence_code,
    offsets_ahead,
    remind,
    upcoming_occurrence,
)
from bot.delivery.reminders import OFFSETS, SERIES
from bot.delivery.subscriptions import subscribed_municipality
from bot.events.cards import event_ics, render_event_card, render_event_line, when_text
from bot.events.upcoming import (
    ANYWHERE,
    ListedEvent,
    kinds_of,
    listed_by_token,
    upcoming_events,
)
from bot.handlers.menu import MenuAction, edit_or_send, reply
from bot.i18n import Translator
from bot.indicators.record import IndicatorRecorder

router = Router(name="events")

PAGE_SIZE = 5
MUNICIPALITIES_PER_PAGE = 8
ALL_KINDS = "all"
CHOOSE = "-"
# Offsets as one letter in callback data.
OFFSET_CODES: dict[str, tuple[str, ...]] = {
    "d": ("day-before",),
    "h": ("hour-before",),
    "b": OFFSETS,
}


class EventsMenu(CallbackData, prefix="ev"):
    """``ev:near:<code>`` (events near a municipality) or ``ev:places:<page>`` (picker)."""

    action: str
    arg: str


class EventList(CallbackData, prefix="evl"):
    place: str
    kind: str
    page: int


class EventOpen(CallbackData, prefix="evo"):
    token: str


class EventRemind(CallbackData, prefix="evr"):
    token: str
    occ: str = CHOOSE
    offsets: str = CHOOSE


class EventCalendar(CallbackData, prefix="evc"):
    token: str


class EventVenue(CallbackData, prefix="evv"):
    token: str


def offsets_code(offsets: tuple[str, ...]) -> str:
    """The one-letter code of a set of offsets (``remind-offsets-<code>`` messages)."""
    return next(code for code, chosen in OFFSET_CODES.items() if set(chosen) == set(offsets))


def events_near(municipality: str) -> EventsMenu:
    """The button data that opens events near ``municipality`` (a code, or ``all``)."""
    return EventsMenu(action="near", arg=municipality)


def _button(text: str, data: CallbackData) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=data.pack())


def clip(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def open_button(listed: ListedEvent, t: Translator, limit: int = 60) -> InlineKeyboardButton:
    """The button that opens an event's card (its title, clipped), as lists show it."""
    title = t.isolate(clip(listed.event.title.get(t.locale), limit))
    return _button(title, EventOpen(token=listed.token))


def _valid_place(place: str) -> bool:
    return place == ANYWHERE or place in vocab.municipalities()


def _valid_kind(kind: str) -> bool:
    return kind == ALL_KINDS or kind in vocab.EVENT_KINDS


def _now() -> datetime:
    return datetime.now(UTC)


# ------------------------------------------------------------------ screens


def places_screen(
    index: CatalogIndex, t: Translator, page: int
) -> tuple[str, InlineKeyboardMarkup]:
    codes = sorted(index.municipalities(), key=lambda c: municipality_name(c, t))
    pages = max(1, -(-len(codes) // MUNICIPALITIES_PER_PAGE))
    page = min(max(page, 0), pages - 1)
    shown = codes[page * MUNICIPALITIES_PER_PAGE : (page + 1) * MUNICIPALITIES_PER_PAGE]
    rows = [
        [_button(municipality_name(code, t), EventList(place=code, kind=ALL_KINDS, page=0))]
        for code in shown
    ]
    nav = []
    if page > 0:
        nav.append(_button(t("events-previous"), EventsMenu(action="places", arg=str(page - 1))))
    if page < pages - 1:
        nav.append(_button(t("events-more"), EventsMenu(action="places", arg=str(page + 1))))
    if nav:
        rows.append(nav)
    rows.append(
        [_button(t("events-everywhere"), EventList(place=ANYWHERE, kind=ALL_KINDS, page=0))]
    )
    rows.append([_button(t("menu-back"), MenuAction(action="menu"))])
    return t("events-choose-municipality"), InlineKeyboardMarkup(inline_keyboard=rows)


def _heading(place: str, kind: str, t: Translator) -> str:
    where = (
        t("events-heading-everywhere")
        if place == ANYWHERE
        else t("events-heading-near", municipality=municipality_name(place, t))
    )
    if kind == ALL_KINDS:
        return where
    return f"{where}\n{t('events-heading-kind', kind=t(f'event-kind-{kind}'))}"


def _section(listed: ListedEvent, place: str, t: Translator) -> str | None:
    if listed.reach is None:
        return None
    return t(f"events-section-{listed.reach}", municipality=municipality_name(place, t))


def list_screen(
    events: list[ListedEvent], t: Translator, place: str, kind: str, page: int
) -> tuple[str, InlineKeyboardMarkup]:
    pages = max(1, -(-len(events) // PAGE_SIZE))
    page = min(max(page, 0), pages - 1)
    shown = events[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]
    parts = [_heading(place, kind, t)]
    if not events:
        parts.append(t("events-none"))
    else:
        parts.append(t("events-found", count=len(events)))
        section: str | None = None
        for listed in shown:
            heading = _section(listed, place, t)
            if heading is not None and heading != section:
                parts.append(f"<b>{heading}</b>")
                section = heading
            parts.append(render_event_line(listed, t))
    rows = [[open_button(listed, t)] for listed in shown]
    nav = []
    if page > 0:
        nav.append(_button(t("events-previous"), EventList(place=place, kind=kind, page=page - 1)))
    if page < pages - 1:
        nav.append(_button(t("events-more"), EventList(place=place, kind=kind, page=page + 1)))
    if nav:
        rows.append(nav)
    rows.append([_button(t("events-filter"), EventList(place=place, kind=CHOOSE, page=0))])
    if place != ANYWHERE and not events:
        rows.append([_button(t("events-everywhere"), EventList(place=ANYWHERE, kind=kind, page=0))])
    rows.append([_button(t("events-change-municipality"), EventsMenu(action="places", arg="0"))])
    rows.append([_button(t("menu-back"), MenuAction(action="menu"))])
    return "\n\n".join(parts), InlineKeyboardMarkup(inline_keyboard=rows)


def kinds_screen(
    events: list[ListedEvent], t: Translator, place: str
) -> tuple[str, InlineKeyboardMarkup]:
    rows = [
        [_button(t(f"event-kind-{kind}"), EventList(place=place, kind=kind, page=0))]
        for kind in kinds_of(events)
    ]
    rows.append([_button(t("events-all-kinds"), EventList(place=place, kind=ALL_KINDS, page=0))])
    return t("events-choose-kind"), InlineKeyboardMarkup(inline_keyboard=rows)


def card_keyboard(listed: ListedEvent, t: Translator) -> InlineKeyboardMarkup:
    rows = [
        [_button(t("event-remind-me"), EventRemind(token=listed.token))],
        [_button(t("event-add-to-calendar"), EventCalendar(token=listed.token))],
    ]
    location = listed.location
    if location is not None and location.lat is not None and location.lon is not None:
        rows.append([_button(t("event-show-map"), EventVenue(token=listed.token))])
    return InlineKeyboardMarkup(inline_keyboard=rows)


async def _events(
    session: AsyncSession,
    catalog: LiveCatalog,
    settings: Settings,
    place: str,
    kind: str | None,
) -> list[ListedEvent]:
    index = await catalog.get(session)
    return await upcoming_events(
        session,
        index.services,
        settings.tz,
        _now(),
        municipality=None if place == ANYWHERE else place,
        kind=kind,
    )


async def _first_screen(
    session: AsyncSession,
    catalog: LiveCatalog,
    settings: Settings,
    t: Translator,
    user_id: int,
) -> tuple[str, InlineKeyboardMarkup]:
    """The family's remembered municipality (from their news subscription), else the picker."""
    place = await subscribed_municipality(session, user_id)
    if place is None or not _valid_place(place):
        return places_screen(await catalog.get(session), t, 0)
    events = await _events(session, catalog, settings, place, None)
    return list_screen(events, t, place, ALL_KINDS, 0)


# ------------------------------------------------------------------ entry points


@router.message(Command("events"))
async def events_command(
    message: Message,
    session: AsyncSession,
    catalog: LiveCatalog,
    settings: Settings,
    t: Translator,
) -> None:
    assert message.from_user is not None
    text, markup = await _first_screen(session, catalog, settings, t, message.from_user.id)
    await message.answer(text, parse_mode=ParseMode.HTML, reply_markup=markup)


@router.callback_query(MenuAction.filter(F.action == "events"))
async def events_button(
    query: CallbackQuery,
    bot: Bot,
    session: AsyncSession,
    catalog: LiveCatalog,
    settings: Settings,
    t: Translator,
) -> None:
    text, markup = await _first_screen(session, catalog, settings, t, query.from_user.id)
    await query.answer()
    await bot.send_message(query.from_user.id, text, parse_mode=ParseMode.HTML, reply_markup=markup)


@router.callback_query(EventsMenu.filter(F.action == "near"))
async def events_near_button(
    query: CallbackQuery,
    callback_data: EventsMenu,
    bot: Bot,
    session: AsyncSession,
    catalog: LiveCatalog,
    settings: Settings,
    t: Translator,
) -> None:
    # A new message: the button sits on another feature's screen (e.g. dialog results).
    place = callback_data.arg
    if _valid_place(place):
        events = await _events(session, catalog, settings, place, None)
        text, markup = list_screen(events, t, place, ALL_KINDS, 0)
    else:
        text, markup = places_screen(await catalog.get(session), t, 0)
    await query.answer()
    await bot.send_message(query.from_user.id, text, parse_mode=ParseMode.HTML, reply_markup=markup)


@router.callback_query(EventsMenu.filter(F.action == "places"))
async def places_page(
    query: CallbackQuery,
    callback_data: EventsMenu,
    session: AsyncSession,
    catalog: LiveCatalog,
    t: Translator,
) -> None:
    page = int(callback_data.arg) if callback_data.arg.isdigit() else 0
    text, markup = places_screen(await catalog.get(session), t, page)
    await edit_or_send(query, text, markup)


@router.callback_query(EventList.filter(F.kind == CHOOSE))
async def choose_kind(
    query: CallbackQuery,
    callback_data: EventList,
    session: AsyncSession,
    catalog: LiveCatalog,
    settings: Settings,
    t: Translator,
) -> None:
    place = callback_data.place if _valid_place(callback_data.place) else ANYWHERE
    events = await _events(session, catalog, settings, place, None)
    text, markup = kinds_screen(events, t, place)
    await edit_or_send(query, text, markup)


@router.callback_query(EventList.filter())
async def list_page(
    query: CallbackQuery,
    callback_data: EventList,
    session: AsyncSession,
    catalog: LiveCatalog,
    settings: Settings,
    t: Translator,
) -> None:
    place = callback_data.place if _valid_place(callback_data.place) else ANYWHERE
    kind = callback_data.kind if _valid_kind(callback_data.kind) else ALL_KINDS
    events = await _events(session, catalog, settings, place, None if kind == ALL_KINDS else kind)
    text, markup = list_screen(events, t, place, kind, callback_data.page)
    await edit_or_send(query, text, markup, html=True)


# ------------------------------------------------------------------ one event


async def _listed(
    session: AsyncSession, catalog: LiveCatalog, settings: Settings, token: str
) -> ListedEvent | None:
    index = await catalog.get(session)
    return await listed_by_token(session, index.services, token, settings.tz, _now())


@router.callback_query(EventOpen.filter())
async def open_event(
    query: CallbackQuery,
    callback_data: EventOpen,
    bot: Bot,
    session: AsyncSession,
    catalog: LiveCatalog,
    settings: Settings,
    t: Translator,
    indicators: IndicatorRecorder,
) -> None:
    listed = await _listed(session, catalog, settings, callback_data.token)
    if listed is None:
        await reply(query, t("events-gone"))
        return
    await query.answer()
    indicators.action("event_opened", listed.id)
    await bot.send_message(
        query.from_user.id,
        render_event_card(listed, t),
        parse_mode=ParseMode.HTML,
        reply_markup=card_keyboard(listed, t),
    )


def _offsets_keyboard(
    token: str, occ: str, available: tuple[str, ...], t: Translator
) -> InlineKeyboardMarkup:
    rows = [
        [_button(t(f"remind-choice-{code}"), EventRemind(token=token, occ=occ, offsets=code))]
        for code, offsets in OFFSET_CODES.items()
        if all(o in available for o in offsets)
    ]
    return InlineKeyboardMarkup(inline_keyboard=rows)


def _reminders_keyboard(t: Translator) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[[_button(t("remind-see-all"), MenuAction(action="reminders"))]]
    )


@router.callback_query(EventRemind.filter())
async def remind_me(
    query: CallbackQuery,
    callback_data: EventRemind,
    session: AsyncSession,
    catalog: LiveCatalog,
    settings: Settings,
    t: Translator,
    indicators: IndicatorRecorder,
) -> None:
    listed = await _listed(session, catalog, settings, callback_data.token)
    if listed is None:
        await reply(query, t("events-gone"))
        return
    token, tz, now = listed.token, settings.tz, _now()
    series = listed.event.rrule is not None
    occ = callback_data.occ
    if occ == CHOOSE and series:
        when = when_text(listed.next.start, listed.next.end, t)
        markup = InlineKeyboardMarkup(
            inline_keyboard=[
                [
                    _button(
                        t("remind-next-only", when=t.format_date(listed.next.start)),
                        EventRemind(token=token, occ=occurrence_code(listed.next.key)),
                    )
                ],
                [_button(t("remind-follow-series"), EventRemind(token=token, occ=SERIES))],
            ]
        )
        await reply(
            query, t("remind-which", title=listed.event.title.get(t.locale), when=when), markup
        )
        return
    key = listed.next.key if occ == CHOOSE else key_from_code(occ)
    occurrence = None
    if key is not None and key != SERIES:
        occurrence = upcoming_occurrence(listed.event, tz, key, now)
    if key is None or (key != SERIES and occurrence is None) or (key == SERIES and not series):
        await reply(query, t("events-gone"))
        return
    available = OFFSETS if occurrence is None else offsets_ahead(occurrence.start, tz, now)
    if callback_data.offsets == CHOOSE:
        if not available:
            await reply(query, t("remind-too-late"))
            return
        markup = _offsets_keyboard(token, occurrence_code(key), available, t)
        if occ == CHOOSE:  # a one-off event: first question, a new message under the card
            await reply(query, t("remind-when"), markup)
        else:
            await edit_or_send(query, t("remind-when"), markup)
        return
    offsets = OFFSET_CODES.get(callback_data.offsets)
    if offsets is None:
        await reply(query, t("stale-button"))
        return
    result = await remind(session, query.from_user.id, listed.id, key, offsets, tz, now)
    if result.outcome is RemindOutcome.GONE:
        await reply(query, t("events-gone"))
        return
    if result.outcome is RemindOutcome.TOO_LATE:
        await edit_or_send(query, t("remind-too-late"), _reminders_keyboard(t))
        return
    indicators.action("reminder_set", listed.id)
    title = listed.event.title.get(t.locale)
    # What was stored: an offset that passed since the buttons were shown is left out.
    offsets_text = t(f"remind-offsets-{offsets_code(result.offsets)}")
    if occurrence is None:
        text = t("remind-set-series", title=title, offsets=offsets_text)
    else:
        when = when_text(occurrence.start, occurrence.end, t)
        text = t("remind-set-once", title=title, when=when, offsets=offsets_text)
    await edit_or_send(query, text, _reminders_keyboard(t))


@router.callback_query(EventCalendar.filter())
async def add_to_calendar(
    query: CallbackQuery,
    callback_data: EventCalendar,
    bot: Bot,
    session: AsyncSession,
    catalog: LiveCatalog,
    settings: Settings,
    t: Translator,
) -> None:
    listed = await _listed(session, catalog, settings, callback_data.token)
    if listed is None:
        await reply(query, t("events-gone"))
        return
    data = event_ics(listed.event, listed.service, t, settings.tz, _now())
    await query.answer()
    await bot.send_document(
        query.from_user.id,
        BufferedInputFile(data, filename=f"{listed.event.id}.ics"),
        caption=t("event-ics-caption"),
    )


@router.callback_query(EventVenue.filter())
async def show_on_map(
    query: CallbackQuery,
    callback_data: EventVenue,
    bot: Bot,
    session: AsyncSession,
    catalog: LiveCatalog,
    settings: Settings,
    t: Translator,
) -> None:
    listed = await _listed(session, catalog, settings, callback_data.token)
    location = listed.location if listed is not None else None
    if location is None or location.lat is None or location.lon is None:
        await reply(query, t("events-gone"))
        return
    await query.answer()
    await bot.send_venue(
        query.from_user.id,
        latitude=location.lat,
        longitude=location.lon,
        title=clip(location.name.get(t.locale), 100),
        address=clip(", ".join(p for p in (location.street, location.city) if p) or "-", 100),
    )
