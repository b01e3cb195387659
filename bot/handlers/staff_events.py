"""Staff event tools: /staffevents (list, edit title, move, cancel) and /addevent (a dialog
with a preview before saving).

The router is the staff role's (``bot.roles``); adding an event, renaming and moving
one are steps of one ``Wizard`` (``EVENT_STEPS``), which keeps the draft and the event being
edited in the FSM data, never in callback data.

Callback data: ``se:<action>:<token>:<arg>`` for managing events (``list``, ``open``,
``title``, ``move``, ``cancel``, ``add``; ``<token>`` names the event, see
``bot.events.upcoming.event_token``) and ``sd:<action>:<arg>`` for the wizard.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from html import escape
from typing import Any, get_args

from aiogram import F
from aiogram.filters import Command
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message

from bot import wizard as wz
from bot.catalog.schema import Event, EventKind, Locale, Service
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
from bot.i18n import Translator
from bot.roles import Role, role_router

router = role_router(Role.STAFF, "staff_events")

PAGE = 8
DURATIONS = (60, 90, 120, 180)
AGE_CHOICES = ("0-17", "0-2", "3-6", "7-12", "13-17")
LOCALES: tuple[Locale, ...] = ("fi", "en", "ar")
KINDS: tuple[EventKind, ...] = get_args(EventKind)


class StaffEvents(CallbackData, prefix="se"):
    action: str
    token: str = wz.NONE
    arg: str = wz.NONE


class StaffDraft(wz.WizardPress, prefix="sd"):
    pass


def _now() -> datetime:
    return datetime.now(UTC)


def _open(t: Translator, event_id: str) -> InlineKeyboardMarkup:
    button = (t("staff-open-event"), StaffEvents(action="open", token=event_token(event_id)))
    return wz.keyboard([button])


def _example_start(settings: Settings) -> str:
    day = (_now().astimezone(settings.tz) + timedelta(days=7)).date()
    return f"{day.day}.{day.month}.{day.year} 10.00"


# ------------------------------------------------------------------ the event list


@router.message(Command("staffevents"))
@router.callback_query(StaffEvents.filter(F.action == "list"))
async def staff_events(event: Message | CallbackQuery, **data: Any) -> None:
    """The upcoming events, a page at a time; the command also leaves any staff dialog."""
    ctx, pressed, t = wz.screen(event, data), data.get("callback_data"), data["t"]
    if pressed is None:
        await ctx.state.clear()
    index = await ctx.catalog.get(ctx.session)
    events = await upcoming_events(ctx.session, index.services, ctx.settings.tz, _now())
    buttons = [
        (
            f"{t.format_date(e.next.start)} · {e.event.title.get(t.locale)[:40]}",
            StaffEvents(action="open", token=e.token),
        )
        for e in events
    ]
    labels = (t("events-previous"), t("events-more"))
    page = wz.page_number(pressed.arg) if pressed else 0
    rows = wz.paged(buttons, page, PAGE, lambda p: StaffEvents(action="list", arg=str(p)), labels)
    markup = wz.keyboard(*rows, [(t("staff-add-event"), StaffEvents(action="add"))])
    text = t("staff-events-title", count=len(events))
    if isinstance(event, CallbackQuery):
        await edit_or_send(event, text, markup)
    else:
        await ctx.send(text, markup)


@router.callback_query(StaffEvents.filter(F.action == "open"))
async def staff_open(query: CallbackQuery, callback_data: StaffEvents, **data: Any) -> None:
    ctx, t, token = wz.screen(query, data), data["t"], callback_data.token
    await ctx.state.clear()
    index = await ctx.catalog.get(ctx.session)
    listed = await listed_by_token(ctx.session, index.services, token, ctx.settings.tz, _now())
    if listed is None:
        await ctx.send(t("events-gone"))
        return
    families = await families_reminded(ctx.session, listed.id)
    text = "\n\n".join([render_event_card(listed, t), t("staff-event-reminded", count=families)])
    markup = wz.keyboard(
        [(t("staff-edit-title"), StaffEvents(action="title", token=token))],
        [(t("staff-move"), StaffEvents(action="move", token=token))],
        [(t("staff-cancel-event"), StaffEvents(action="cancel", token=token))],
        [(t("staff-back-to-list"), StaffEvents(action="list", arg="0"))],
    )
    await ctx.send(text, markup, html=True)


@router.callback_query(StaffEvents.filter(F.action.in_({"title", "move", "cancel"})))
async def staff_change(query: CallbackQuery, callback_data: StaffEvents, **data: Any) -> None:
    """Rename (in a language chosen first), move, or cancel (after a confirmation) an event."""
    ctx, t, session = wz.screen(query, data), data["t"], data["session"]
    token, action, arg = callback_data.token, callback_data.action, callback_data.arg
    stored = await event_by_token(session, token)
    if stored is None or (action != "title" and stored.event.cancelled):
        await reply(query, t("events-gone"))
    elif action == "title" and arg not in LOCALES:
        rows = [
            [(t(f"staff-language-{loc}"), StaffEvents(action=action, token=token, arg=loc))]
            for loc in LOCALES
        ]
        await reply(query, t("staff-ask-title-language"), wz.keyboard(*rows))
    elif action == "title":
        memo = {"event": stored.row_id, "locale": arg, "current": stored.event.title.get(arg)}
        await EVENTS.start(query, data, "EditEvent:title", memo)
    elif action == "move":
        await EVENTS.start(query, data, "EditEvent:move", {"event": stored.row_id})
    elif arg != "yes":
        title = stored.event.title.get(t.locale)
        families = await families_reminded(session, stored.row_id)
        markup = wz.keyboard(
            [(t("staff-cancel-yes"), StaffEvents(action="cancel", token=token, arg="yes"))],
            [(t("staff-cancel-no"), StaffEvents(action="open", token=token))],
        )
        await reply(query, t("staff-cancel-confirm", title=title, count=families), markup)
    else:
        told = await cancel_event(session, stored.row_id, ctx.settings.tz, _now())
        title = stored.event.title.get(t.locale)
        done = t("events-gone") if told is None else t("staff-cancelled", title=title, count=told)
        await reply(query, done)


@router.message(Command("addevent"))
@router.callback_query(StaffEvents.filter(F.action == "add"))
async def add_event_start(event: Message | CallbackQuery, **data: Any) -> None:
    await EVENTS.start(event, data, "title_fi")


# ------------------------------------------------------------------ the wizard's steps

Draft = wz.Ctx[EventDraft]
FOLLOWING = {"fi": "title_en", "en": "title_ar", "ar": "service"}


def _title(locale: Locale) -> wz.Answer[EventDraft]:
    async def typed(ctx: Draft, text: str) -> wz.Next:
        ctx.draft.titles[locale] = parse_title(text)
        return FOLLOWING[locale]

    return typed


async def _service_of(ctx: Draft) -> Service:
    index = await ctx.catalog.get(ctx.session)
    service = index.services.get(ctx.draft.service_id or "")
    if service is None:
        raise wz.Broken("staff-draft-broken")
    return service


async def _services(ctx: Draft, page: int) -> list[wz.Row]:
    index = await ctx.catalog.get(ctx.session)
    services = sorted(index.services.values(), key=lambda s: s.name.get(ctx.t.locale).lower())
    buttons = [
        (s.name.get(ctx.t.locale)[:60], StaffDraft(action="svc", arg=s.id)) for s in services
    ]
    labels = (ctx.t("events-previous"), ctx.t("events-more"))
    return wz.paged(
        buttons, page, PAGE, lambda p: StaffDraft(action="svc-page", arg=str(p)), labels
    )


async def _service(ctx: Draft, service_id: str) -> wz.Next:
    index = await ctx.catalog.get(ctx.session)
    if service_id.strip() not in index.services:
        await ctx.send(ctx.t("staff-error-service", id=service_id.strip()[:64]))
        return None
    ctx.draft.service_id = service_id.strip()
    return "start"


async def _start(ctx: Draft, text: str) -> wz.Next:
    ctx.draft.start = f"{parse_start(text, ctx.settings.tz, _now()):%Y-%m-%dT%H:%M}"
    return "duration"


async def _duration(ctx: Draft, minutes: str) -> wz.Next:
    if not minutes.isdigit() or int(minutes) not in DURATIONS:
        raise wz.Stale
    return await _minutes(ctx, int(minutes))


async def _duration_typed(ctx: Draft, text: str) -> wz.Next:
    return await _minutes(ctx, int(parse_duration(text).total_seconds() // 60))


async def _minutes(ctx: Draft, minutes: int) -> wz.Next:
    ctx.draft.minutes = minutes
    await _service_of(ctx)
    return "place"


async def _places(ctx: Draft, _: int) -> list[wz.Row]:
    locations = (await _service_of(ctx)).locations
    rows: list[wz.Row] = [
        [(loc.name.get(ctx.t.locale)[:60], StaffDraft(action="place", arg=str(i)))]
        for i, loc in enumerate(locations[:20])
    ]
    return rows if locations else [[(ctx.t("staff-no-place"), StaffDraft(action="place"))]]


async def _place(ctx: Draft, arg: str) -> wz.Next:
    locations = (await _service_of(ctx)).locations
    if arg == wz.NONE and not locations:
        ctx.draft.location = None
    elif arg.isdigit() and int(arg) < len(locations):
        ctx.draft.location = locations[int(arg)].id
    else:
        raise wz.Stale
    return "kinds"


def _kinds(ctx: Draft, _: int) -> list[wz.Row]:
    rows: list[wz.Row] = [
        [
            (
                f"{ctx.t('news-on-mark' if kind in ctx.draft.kinds else 'news-off-mark')} "
                f"{ctx.t(f'event-kind-{kind}')}",
                StaffDraft(action="kind", arg=kind),
            )
        ]
        for kind in KINDS
    ]
    return [*rows, [(ctx.t("staff-done"), StaffDraft(action="kinds-done"))]]


async def _kind(ctx: Draft, kind: str) -> wz.Next:
    if kind not in KINDS:
        raise wz.Stale
    chosen = set(ctx.draft.kinds) ^ {kind}  # a press turns the kind on or off
    ctx.draft.kinds = [k for k in KINDS if k in chosen]
    return wz.REDRAW


async def _kinds_done(ctx: Draft, _: str) -> wz.Next:
    if not ctx.draft.kinds:
        await ctx.acknowledge(ctx.t("staff-error-kinds"))
        return None
    return "ages"


async def _ages(ctx: Draft, arg: str) -> wz.Next:
    if arg != wz.NONE and arg not in AGE_CHOICES:
        raise wz.Stale
    ctx.draft.ages = None if arg == wz.NONE else parse_ages(arg)
    return "cost"


async def _ages_typed(ctx: Draft, text: str) -> wz.Next:
    ctx.draft.ages = parse_ages(text)
    return "cost"


async def _cost(ctx: Draft, arg: str) -> wz.Next:
    if arg not in (wz.NONE, "free", "fee"):
        raise wz.Stale
    ctx.draft.cost = None if arg == wz.NONE else ("free" if arg == "free" else "fee")
    return "repeat"


async def _repeat(ctx: Draft, arg: str) -> wz.Next:
    if arg == "weekly":
        return "until"
    ctx.draft.until = None
    return "preview"


async def _until(ctx: Draft, text: str) -> wz.Next:
    until = parse_date(text)
    if ctx.draft.start is None:
        raise StaffInputError("staff-draft-broken")
    check_until(datetime.fromisoformat(ctx.draft.start), until)
    ctx.draft.until = until
    return "preview"


def _event(ctx: Draft, event_id: str) -> Event:
    try:
        return draft_event(ctx.draft, event_id, ctx.settings.tz)
    except ValueError:
        raise wz.Broken("staff-draft-broken") from None


async def _preview(ctx: Draft) -> str:
    draft, t, tz = ctx.draft, ctx.t, ctx.settings.tz
    service, event = await _service_of(ctx), _event(ctx, "preview")
    following = next_occurrence(event, tz, _now())
    if following is None:
        raise wz.Broken("staff-draft-broken")
    listed = ListedEvent("preview", event, service, event_location(service, event), following, None)
    titles = {loc: escape(draft.titles.get(loc) or "-") for loc in LOCALES}
    parts = [
        t("staff-preview-intro"),
        render_event_card(listed, t),
        t("staff-preview-titles", **titles),
    ]
    if missing := draft.missing_titles():
        names = t.format_list([t(f"staff-language-{loc}") for loc in missing])
        parts.append(t("staff-preview-fallback", languages=names))
    if draft.until is not None:
        last = datetime(draft.until.year, draft.until.month, draft.until.day, tzinfo=tz)
        parts.append(t("staff-preview-until", date=t.format_date(last)))
    return "\n\n".join(parts)


async def _save(ctx: Draft, _: str) -> wz.Next:
    service, event = await _service_of(ctx), _event(ctx, new_event_id())
    await add_event(ctx.session, service.id, event, ctx.settings.tz, _now())
    await ctx.send(ctx.t("staff-saved", title=event.title.fi), _open(ctx.t, event.id))
    return wz.END


async def _changed(ctx: Draft, done: bool, said: str) -> wz.Next:
    """The change is saved (``said``, with a button to the event), or the event is gone."""
    if done:
        await ctx.send(said, _open(ctx.t, str(ctx.memo.get("event"))))
    else:
        await ctx.send(ctx.t("events-gone"))
    return wz.END


async def _new_title(ctx: Draft, text: str) -> wz.Next:
    title, locale = parse_title(text), ctx.memo.get("locale", "fi")
    saved = await rename_event(ctx.session, str(ctx.memo.get("event")), locale, title, _now())
    return await _changed(ctx, saved, ctx.t("staff-title-saved", title=title))


async def _move_to(ctx: Draft, text: str) -> wz.Next:
    event_id, tz, now = str(ctx.memo.get("event")), ctx.settings.tz, _now()
    start = parse_start(text, tz, now)
    told = await move_event(ctx.session, event_id, start, tz, now)
    when = ctx.t.format_datetime(start.replace(tzinfo=tz))
    return await _changed(ctx, told is not None, ctx.t("staff-moved", when=when, count=told or 0))


def _choices(action: str, *choices: tuple[str, str]) -> wz.Rows[EventDraft]:
    return lambda ctx, _: [
        [(ctx.t(label), StaffDraft(action=action, arg=arg))] for label, arg in choices
    ]


def _durations(ctx: Draft, _: int) -> list[wz.Row]:
    return [
        [
            (ctx.t("staff-minutes", minutes=m), StaffDraft(action="dur", arg=str(m)))
            for m in DURATIONS
        ]
    ]


def _age_choices(ctx: Draft, _: int) -> list[wz.Row]:
    rows: list[wz.Row] = [
        [(c.replace("-", "–"), StaffDraft(action="ages", arg=c))] for c in AGE_CHOICES
    ]
    return [[(ctx.t("staff-ages-same"), StaffDraft(action="ages"))], *rows]


# Adding an event (title_fi ... preview), then renaming and moving one: a step each.
EVENT_STEPS: list[wz.Step[EventDraft]] = [
    wz.Step("title_fi", "staff-ask-title-fi", typed=_title("fi")),
    wz.Step("title_en", "staff-ask-title-en", typed=_title("en"), skip="title_ar"),
    wz.Step("title_ar", "staff-ask-title-ar", typed=_title("ar"), skip="service"),
    wz.Step(
        "service",
        "staff-ask-service",
        _services,
        typed=_service,
        pressed={"svc": _service},
        paged="svc-page",
    ),
    wz.Step(
        "start",
        lambda ctx: ctx.t("staff-ask-start", example=_example_start(ctx.settings)),
        typed=_start,
    ),
    wz.Step(
        "duration",
        "staff-ask-duration",
        _durations,
        typed=_duration_typed,
        pressed={"dur": _duration},
    ),
    wz.Step("place", "staff-ask-place", _places, pressed={"place": _place}),
    wz.Step("kinds", "staff-ask-kinds", _kinds, pressed={"kind": _kind, "kinds-done": _kinds_done}),
    wz.Step(
        "ages",
        "staff-ask-ages",
        _age_choices,
        typed=_ages_typed,
        pressed={"ages": _ages},
    ),
    wz.Step(
        "cost",
        "staff-ask-cost",
        _choices(
            "cost",
            ("event-cost-free", "free"),
            ("event-cost-fee", "fee"),
            ("staff-cost-same", wz.NONE),
        ),
        pressed={"cost": _cost},
    ),
    wz.Step(
        "repeat",
        "staff-ask-repeat",
        _choices("repeat", ("staff-repeat-once", "once"), ("staff-repeat-weekly", "weekly")),
        pressed={"repeat": _repeat},
    ),
    wz.Step("until", "staff-ask-until", typed=_until),
    wz.Step(
        "preview",
        _preview,
        _choices("save", ("staff-save", wz.NONE)),
        pressed={"save": _save},
        html=True,
    ),
    wz.Step(
        "EditEvent:title",
        lambda ctx: ctx.t("staff-ask-new-title", current=ctx.memo.get("current", "")),
        typed=_new_title,
    ),
    wz.Step(
        "EditEvent:move",
        lambda ctx: ctx.t("staff-ask-move", example=_example_start(ctx.settings)),
        typed=_move_to,
    ),
]
TEXTS = wz.WizardTexts(
    "staff-abort",
    "staff-aborted",
    "staff-stale",
    "staff-need-text",
    "staff-need-text",
    "staff-skip",
)
EVENTS = wz.Wizard(
    "AddEvent",
    StaffDraft,
    EventDraft,
    "event_draft",
    TEXTS,
    EVENT_STEPS,
    (StaffInputError,),
    "abort",
)
EVENTS.register(router)


@router.callback_query(StaffDraft.filter())
@router.callback_query(StaffEvents.filter())
async def staff_stale_button(query: CallbackQuery, t: Translator) -> None:
    await reply(query, t("staff-stale"))
