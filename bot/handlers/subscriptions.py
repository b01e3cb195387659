"""/news: a family chooses announcements for their municipality and topics, or stops them.

Callback data: ``nwp:<page>`` (municipality picker), ``nwm:<code>`` (follow this municipality;
``all`` for the whole region), ``nwt:<code>:<topic>`` (turn a topic on or off), ``nws`` (stop
all news). Codes and topics are checked against the vocabulary before anything is stored.
"""

from __future__ import annotations

from datetime import UTC, datetime

from aiogram import Bot, F, Router
from aiogram.filters import Command
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.catalog.cards import municipality_name
from bot.catalog.store import LiveCatalog
from bot.delivery.subscriptions import (
    ALL,
    TOPICS,
    Subscriptions,
    change_municipality,
    toggle_topic,
    unsubscribe,
    user_subscriptions,
    valid_municipality,
    valid_topic,
)
from bot.handlers.menu import MenuAction, back_to_menu, edit_or_send
from bot.i18n import Translator
from bot.indicators.record import IndicatorRecorder

router = Router(name="subscriptions")

MUNICIPALITIES_PER_PAGE = 8


class NewsPlaces(CallbackData, prefix="nwp"):
    page: int


class NewsPlace(CallbackData, prefix="nwm"):
    place: str


class NewsTopic(CallbackData, prefix="nwt"):
    place: str
    topic: str


class NewsStop(CallbackData, prefix="nws"):
    pass


def _button(text: str, data: CallbackData) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=data.pack())


def _place_name(place: str, t: Translator) -> str:
    return t("news-whole-region") if place == ALL else municipality_name(place, t)


def places_screen(codes: list[str], t: Translator, page: int) -> tuple[str, InlineKeyboardMarkup]:
    codes = sorted(codes, key=lambda c: municipality_name(c, t))
    pages = max(1, -(-len(codes) // MUNICIPALITIES_PER_PAGE))
    page = min(max(page, 0), pages - 1)
    shown = codes[page * MUNICIPALITIES_PER_PAGE : (page + 1) * MUNICIPALITIES_PER_PAGE]
    rows = [[_button(municipality_name(c, t), NewsPlace(place=c))] for c in shown]
    nav = []
    if page > 0:
        nav.append(_button(t("events-previous"), NewsPlaces(page=page - 1)))
    if page < pages - 1:
        nav.append(_button(t("events-more"), NewsPlaces(page=page + 1)))
    if nav:
        rows.append(nav)
    rows.append([_button(t("news-whole-region"), NewsPlace(place=ALL))])
    rows.append([_button(t("menu-back"), MenuAction(action="menu"))])
    return t("news-choose-municipality"), InlineKeyboardMarkup(inline_keyboard=rows)


def topics_screen(
    place: str, current: Subscriptions, t: Translator
) -> tuple[str, InlineKeyboardMarkup]:
    chosen = current.topics if current.municipality == place else frozenset()

    def mark(topic: str) -> str:
        return t("news-on-mark" if topic in chosen else "news-off-mark")

    rows = [
        [_button(f"{mark(topic)} {t(f'news-topic-{topic}')}", NewsTopic(place=place, topic=topic))]
        for topic in (*TOPICS, ALL)
    ]
    rows.append([_button(t("news-change-municipality"), NewsPlaces(page=0))])
    if chosen:
        rows.append([_button(t("news-stop"), NewsStop())])
    rows.append([_button(t("menu-back"), MenuAction(action="menu"))])
    name = _place_name(place, t)
    if not chosen:
        status = t("news-status-none")
    elif ALL in chosen:
        status = t("news-status-everything", municipality=name)
    else:
        topics = t.format_list([t(f"news-topic-{topic}") for topic in TOPICS if topic in chosen])
        status = t("news-status", municipality=name, topics=topics)
    text = f"{status}\n\n{t('news-topics-help', municipality=name)}"
    return text, InlineKeyboardMarkup(inline_keyboard=rows)


async def _first_screen(
    session: AsyncSession, catalog: LiveCatalog, t: Translator, user_id: int
) -> tuple[str, InlineKeyboardMarkup]:
    current = await user_subscriptions(session, user_id)
    if current.municipality is None:
        index = await catalog.get(session)
        return places_screen(index.municipalities(), t, 0)
    return topics_screen(current.municipality, current, t)


@router.message(Command("news"))
async def news_command(
    message: Message, session: AsyncSession, catalog: LiveCatalog, t: Translator
) -> None:
    assert message.from_user is not None
    text, markup = await _first_screen(session, catalog, t, message.from_user.id)
    await message.answer(text, reply_markup=markup)


@router.callback_query(MenuAction.filter(F.action == "news"))
async def news_button(
    query: CallbackQuery, bot: Bot, session: AsyncSession, catalog: LiveCatalog, t: Translator
) -> None:
    text, markup = await _first_screen(session, catalog, t, query.from_user.id)
    await query.answer()
    await bot.send_message(query.from_user.id, text, reply_markup=markup)


@router.callback_query(NewsPlaces.filter())
async def news_places(
    query: CallbackQuery,
    callback_data: NewsPlaces,
    session: AsyncSession,
    catalog: LiveCatalog,
    t: Translator,
) -> None:
    index = await catalog.get(session)
    text, markup = places_screen(index.municipalities(), t, callback_data.page)
    await edit_or_send(query, text, markup)


@router.callback_query(NewsPlace.filter())
async def news_place(
    query: CallbackQuery, callback_data: NewsPlace, session: AsyncSession, t: Translator
) -> None:
    user_id = query.from_user.id
    place = callback_data.place
    if not valid_municipality(place):
        await edit_or_send(query, t("stale-button"), back_to_menu(t))
        return
    # The topics already chosen move along to the new place.
    await change_municipality(session, user_id, place, datetime.now(UTC))
    text, markup = topics_screen(place, await user_subscriptions(session, user_id), t)
    await edit_or_send(query, text, markup)


@router.callback_query(NewsTopic.filter())
async def news_topic(
    query: CallbackQuery,
    callback_data: NewsTopic,
    session: AsyncSession,
    t: Translator,
    indicators: IndicatorRecorder,
) -> None:
    user_id = query.from_user.id
    place, topic = callback_data.place, callback_data.topic
    if not valid_municipality(place) or not valid_topic(topic):
        await edit_or_send(query, t("stale-button"), back_to_menu(t))
        return
    current = await user_subscriptions(session, user_id)
    if current.municipality not in (None, place):
        # A press on an older screen for another place: follow that place from now on.
        await change_municipality(session, user_id, place, datetime.now(UTC))
    on = await toggle_topic(session, user_id, place, topic, datetime.now(UTC))
    indicators.action("subscribed" if on else "unsubscribed", f"{place}:{topic}")
    text, markup = topics_screen(place, await user_subscriptions(session, user_id), t)
    await edit_or_send(query, text, markup)


@router.callback_query(NewsStop.filter())
async def news_stop(
    query: CallbackQuery, session: AsyncSession, t: Translator, indicators: IndicatorRecorder
) -> None:
    held = await user_subscriptions(session, query.from_user.id)
    await unsubscribe(session, query.from_user.id)
    for topic in sorted(held.topics):
        indicators.action("unsubscribed", f"{held.municipality}:{topic}")
    markup = InlineKeyboardMarkup(
        inline_keyboard=[
            [_button(t("news-start-again"), NewsPlaces(page=0))],
            [_button(t("menu-back"), MenuAction(action="menu"))],
        ]
    )
    await edit_or_send(query, t("news-stopped"), markup)
