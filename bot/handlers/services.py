"""/services: browse the catalogue by municipality and category, service cards, flags, maps."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, tzinfo

from aiogram import Bot, F, Router
from aiogram.enums import ParseMode
from aiogram.filters import Command
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.catalog.cards import municipality_name, render_card, render_summary_line
from bot.catalog.matching import Answers, CatalogIndex, Found, Match
from bot.catalog.schema import Service
from bot.catalog.store import FLAG_REASONS, LiveCatalog, flag_card
from bot.config import Settings
from bot.db.engine import session_scope
from bot.flow.keyboard import ResultCard, ResultPage
from bot.handlers.dialog_messages import keyboard_from_markup
from bot.handlers.events import clip
from bot.handlers.menu import MenuAction, edit_or_send, reply
from bot.i18n import Translator
from bot.indicators.record import IndicatorRecorder

router = Router(name="services")

PAGE_SIZE = 5
MUNICIPALITIES_PER_PAGE = 8
ANYWHERE = "all"  # browse nationwide services only


class Places(CallbackData, prefix="bp"):
    """The municipality picker, page ``page``."""

    page: int


class Browse(CallbackData, prefix="br"):
    """Services of ``category`` (``-``: choose one) in ``place`` (a code or ``all``)."""

    place: str
    category: str
    page: int


class Card(CallbackData, prefix="c"):
    """A card action: ``o`` open, ``l`` location ``arg``, ``f`` flag, ``r`` flag reason ``arg``."""

    action: str
    service: str
    arg: str = ""


def _place(place: str) -> str | None:
    return None if place == ANYWHERE else place


def _button(text: str, data: CallbackData) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=data.pack())


def places_keyboard(index: CatalogIndex, t: Translator, page: int) -> InlineKeyboardMarkup:
    codes = sorted(index.municipalities(), key=lambda c: municipality_name(c, t))
    pages = max(1, -(-len(codes) // MUNICIPALITIES_PER_PAGE))
    page = min(max(page, 0), pages - 1)
    shown = codes[page * MUNICIPALITIES_PER_PAGE : (page + 1) * MUNICIPALITIES_PER_PAGE]
    rows = [
        [_button(municipality_name(code, t), Browse(place=code, category="-", page=0))]
        for code in shown
    ]
    nav = []
    if page > 0:
        nav.append(_button(t("services-previous"), Places(page=page - 1)))
    if page < pages - 1:
        nav.append(_button(t("services-more"), Places(page=page + 1)))
    if nav:
        rows.append(nav)
    rows.append(
        [_button(t("services-all-municipalities"), Browse(place=ANYWHERE, category="-", page=0))]
    )
    rows.append([_button(t("menu-back"), MenuAction(action="menu"))])
    return InlineKeyboardMarkup(inline_keyboard=rows)


def categories_keyboard(index: CatalogIndex, t: Translator, place: str) -> InlineKeyboardMarkup:
    rows = [
        [_button(t(f"category-{category}"), Browse(place=place, category=category, page=0))]
        for category in index.categories(_place(place))
    ]
    rows.append([_button(t("services-change-municipality"), Places(page=0))])
    return InlineKeyboardMarkup(inline_keyboard=rows)


def list_page(
    services: list[Service], t: Translator, place: str, category: str, page: int
) -> tuple[str, InlineKeyboardMarkup]:
    pages = max(1, -(-len(services) // PAGE_SIZE))
    page = min(max(page, 0), pages - 1)
    shown = services[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]
    if not services:
        text = t("services-none")
    else:
        lines = [t("services-found", count=len(services))]
        lines.extend(render_summary_line(s, t) for s in shown)
        text = "\n\n".join(lines)
    rows = [
        [_button(t.isolate(clip(s.name.get(t.locale))), Card(action="o", service=s.id, arg=place))]
        for s in shown
    ]
    nav = []
    if page > 0:
        nav.append(
            _button(t("services-previous"), Browse(place=place, category=category, page=page - 1))
        )
    if page < pages - 1:
        nav.append(
            _button(t("services-more"), Browse(place=place, category=category, page=page + 1))
        )
    if nav:
        rows.append(nav)
    rows.append([_button(t("services-change-category"), Browse(place=place, category="-", page=0))])
    rows.append([_button(t("services-change-municipality"), Places(page=0))])
    return text, InlineKeyboardMarkup(inline_keyboard=rows)


def card_keyboard(service: Service, t: Translator, place: str) -> InlineKeyboardMarkup:
    rows = [
        [
            _button(
                f"{t('card-location')} {t.isolate(clip(loc.name.get(t.locale), 40))}",
                Card(action="l", service=service.id, arg=str(i)),
            )
        ]
        for i, loc in enumerate(service.locations[:3])
        if loc.lat is not None and loc.lon is not None
    ]
    rows.append([_button(t("card-flag"), Card(action="f", service=service.id))])
    if place:
        rows.append(
            [_button(t("services-change-category"), Browse(place=place, category="-", page=0))]
        )
    return InlineKeyboardMarkup(inline_keyboard=rows)


async def send_card(
    bot: Bot,
    chat_id: int,
    service: Service,
    t: Translator,
    settings: Settings,
    *,
    match: Match | None = None,
    place: str = "",
) -> None:
    """Send one service card (also used for dialog results)."""
    now = datetime.now(UTC).astimezone(settings.tz)
    await bot.send_message(
        chat_id,
        render_card(service, t, now, match),
        parse_mode=ParseMode.HTML,
        reply_markup=card_keyboard(service, t, place),
    )


@router.message(Command("services"))
async def services_command(
    message: Message, t: Translator, catalog: LiveCatalog, session: AsyncSession
) -> None:
    index = await catalog.get(session)
    await message.answer(
        t("services-choose-municipality"), reply_markup=places_keyboard(index, t, 0)
    )


@router.callback_query(MenuAction.filter(F.action == "services"))
async def services_button(
    query: CallbackQuery, t: Translator, catalog: LiveCatalog, session: AsyncSession
) -> None:
    index = await catalog.get(session)
    await reply(query, t("services-choose-municipality"), places_keyboard(index, t, 0))


@router.callback_query(Places.filter())
async def places_page(
    query: CallbackQuery,
    callback_data: Places,
    t: Translator,
    catalog: LiveCatalog,
    session: AsyncSession,
) -> None:
    index = await catalog.get(session)
    await edit_or_send(
        query, t("services-choose-municipality"), places_keyboard(index, t, callback_data.page)
    )


@router.callback_query(Browse.filter(F.category == "-"))
async def choose_category(
    query: CallbackQuery,
    callback_data: Browse,
    t: Translator,
    catalog: LiveCatalog,
    session: AsyncSession,
) -> None:
    index = await catalog.get(session)
    await edit_or_send(
        query, t("services-choose-category"), categories_keyboard(index, t, callback_data.place)
    )


@router.callback_query(Browse.filter())
async def browse_list(
    query: CallbackQuery,
    callback_data: Browse,
    t: Translator,
    catalog: LiveCatalog,
    session: AsyncSession,
) -> None:
    index = await catalog.get(session)
    services = index.browse(_place(callback_data.place), callback_data.category)
    text, markup = list_page(
        services, t, callback_data.place, callback_data.category, callback_data.page
    )
    await edit_or_send(query, text, markup, html=True)


@router.callback_query(Card.filter())
async def card_action(
    query: CallbackQuery,
    callback_data: Card,
    bot: Bot,
    t: Translator,
    settings: Settings,
    catalog: LiveCatalog,
    session: AsyncSession,
    indicators: IndicatorRecorder,
) -> None:
    index = await catalog.get(session)
    service = index.services.get(callback_data.service)
    if service is None:
        await reply(query, t("services-unknown"), places_keyboard(index, t, 0))
        return
    action, arg = callback_data.action, callback_data.arg
    if action == "o":
        await query.answer()
        await send_card(bot, query.from_user.id, service, t, settings, place=arg)
    elif action == "l" and arg.isdigit() and int(arg) < len(service.locations):
        location = service.locations[int(arg)]
        await query.answer()
        indicators.action("card_location", service.id)
        if location.lat is not None and location.lon is not None:
            await bot.send_venue(
                query.from_user.id,
                latitude=location.lat,
                longitude=location.lon,
                title=clip(location.name.get(t.locale), 100),
                address=clip(
                    ", ".join(p for p in (location.street, location.city) if p) or "-", 100
                ),
            )
    elif action == "f":
        keyboard = InlineKeyboardMarkup(
            inline_keyboard=[
                [
                    _button(
                        t(f"card-flag-{reason}"), Card(action="r", service=service.id, arg=reason)
                    )
                ]
                for reason in FLAG_REASONS
            ]
        )
        await reply(query, t("card-flag-ask"), keyboard)
    elif action == "r" and arg in FLAG_REASONS:
        # A repeated flag is thanked the same: it only does not count again.
        if await flag_card(session, service.id, arg, query.from_user.id, datetime.now(UTC)):
            indicators.action("card_flagged", service.id)
        await reply(query, t("card-flag-thanks"))
    else:
        await reply(query, t("stale-button"))


RESULTS_PER_PAGE = 4


def local_gaps(index: CatalogIndex, answers: Answers) -> tuple[str, ...]:
    """The needs in ``answers`` that no service located in the family's municipality meets
    (for the service-gap indicator); none when no municipality was given.

    With one need asked, every match meets it equally, so the best match is local exactly
    when some local service matches (reach ranks right after need fit).
    """
    if answers.municipality is None:
        return ()
    gaps = []
    for need in answers.needs:
        alone = replace(answers, needs=(need,), languages=(), free_only=False)
        best = index.match(alone, limit=1)
        if not best or best[0].reach != "local":
            gaps.append(need)
    return tuple(gaps)


def free_note(found: Found, t: Translator) -> str:
    """What to tell a family who asked for free services only: that only those are shown
    (crisis lines always) and how many others fit, or that none was free and these are the
    others. Empty when they did not ask."""
    if not found.free_asked:
        return ""
    if found.free_widened:
        return t("match-free-none", count=found.total)
    said = [t("match-free-only")]
    if "crisis-urgent" in found.answers.needs:
        said.append(t("match-free-crisis"))
    if found.free_hidden:
        said.append(t("match-free-hidden", count=found.free_hidden))
    return " ".join(said)


class CatalogueResults:
    """The dialog's results (bot.flow ResultSource): ranked matches as service cards.

    When nothing matches, it says so honestly and offers the area's family services and the
    helplines instead.
    """

    def __init__(
        self,
        catalog: LiveCatalog | CatalogIndex,
        sessions: async_sessionmaker[AsyncSession] | None,
        tz: tzinfo,
    ) -> None:
        """``catalog``: the live catalogue (read through ``sessions``), or a fixed index for a
        preview that reads no database (``valo-bot try``)."""
        self._catalog = catalog
        self._sessions = sessions
        self._tz = tz

    async def _index(self) -> CatalogIndex:
        if isinstance(self._catalog, CatalogIndex):
            return self._catalog
        assert self._sessions is not None, "a live catalogue is read through sessions"
        async with session_scope(self._sessions) as session:
            return await self._catalog.get(session)

    async def results(self, answers: Answers, t: Translator, page: int) -> ResultPage:
        index = await self._index()
        now = datetime.now(UTC).astimezone(self._tz)
        found = index.find(answers, RESULTS_PER_PAGE, page * RESULTS_PER_PAGE)
        shown, total = found.matches, found.total
        place = answers.municipality or ""
        gaps = local_gaps(index, answers) if page == 0 else None
        if not total:
            fallback = index.match(
                Answers(municipality=answers.municipality, needs=("parenting-support",)), limit=2
            )
            cards = [ResultCard(t("match-none"))]
            cards += [self._card(m.service, t, now, m, place) for m in fallback]
            return ResultPage(tuple(cards), 0, False, (), gaps)
        cards = [self._card(m.service, t, now, m, place) for m in shown]
        has_more = total > (page + 1) * RESULTS_PER_PAGE
        ids = tuple(m.service.id for m in shown)
        return ResultPage(tuple(cards), total, has_more, ids, gaps, free_note(found, t))

    @staticmethod
    def _card(
        service: Service, t: Translator, now: datetime, match: Match, place: str
    ) -> ResultCard:
        markup = card_keyboard(service, t, place)
        return ResultCard(render_card(service, t, now, match), keyboard_from_markup(markup))
