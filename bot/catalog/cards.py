"""Service cards and match explanations, rendered in the family's language.

Cards are HTML (Telegram's subset) with every catalogue text escaped. In Arabic every line
starts with an Arabic word (labels come first), so the text reads right-to-left even when it
contains Finnish street names, phone numbers or links, and every catalogue text is isolated
(``Translator.isolate``) so those runs read left to right as written. Lists (ways in,
languages, opening hours) are joined by ``Translator.format_list``.
"""

from __future__ import annotations

from datetime import datetime
from html import escape

from bot.catalog import vocab
from bot.catalog.matching import Match, Reason
from bot.catalog.schema import WEEKDAYS, Location, OpeningHours, Service
from bot.i18n import Translator

TELEGRAM_TEXT_LIMIT = 4096


def municipality_name(code: str, t: Translator) -> str:
    """The name in the user's language; else the official one (a municipality the locales do
    not name yet)."""
    msg_id = f"municipality-{code}"
    return t(msg_id) if t.has(msg_id) else vocab.official_name(code)


def language_name(code: str, t: Translator) -> str:
    msg_id = f"language-name-{code}"
    return t(msg_id) if t.has(msg_id) else code


def reason_text(reason: Reason, t: Translator) -> str:
    """One reason, localized: codes become names in the user's language."""
    args: dict[str, str | int] = dict(reason.args)
    if "municipality" in args:
        args["municipality"] = municipality_name(str(args["municipality"]), t)
    if "language" in args:
        args["language"] = language_name(str(args["language"]), t)
    if "needs" in args:
        # The codes of the needs met, in the family's order; named, once each, and joined by
        # the locale's own list pattern like the card's other lists.
        codes = list(dict.fromkeys(str(args["needs"]).split(",")))
        names = [t(f"need-{code}") for code in codes]
        if len(names) > 1:
            # Need names hold "and" themselves ("money and benefits"): quoted, each reads as
            # one item ("“money and benefits” and “daycare and early education”").
            names = [t("quoted", text=name) for name in names]
        args["needs"] = t.format_list(names)
    return t(f"reason-{reason.key}", **args)


def explain(match: Match, t: Translator) -> list[str]:
    return [reason_text(r, t) for r in match.reasons]


def spans_text(spans: list[OpeningHours], t: Translator) -> str:
    """Opening spans as the locale writes a list of times ("9.00–12.00 ja 13.00–15.00")."""
    return t.format_list([f"{t.format_clock(h.opens)}–{t.format_clock(h.closes)}" for h in spans])


def _spans_today(hours: list[OpeningHours], now: datetime, t: Translator) -> str | None:
    """Today's spans of ``hours`` as a list ("9.00–12.00 ja 13.00–15.00"), None if closed."""
    today = WEEKDAYS[now.weekday()]
    spans = [h for h in hours if today in h.days]
    if not spans:
        return None
    return spans_text(spans, t)


def hours_today(location: Location, now: datetime, t: Translator) -> str | None:
    """Today's opening hours at ``location`` (``now`` in local time), if it publishes any."""
    if not location.hours:
        return None
    text = _spans_today(location.hours, now, t)
    return t("card-hours-today", hours=text) if text else t("card-closed-today")


def line_hours(
    line: str, hours: list[OpeningHours], always: bool, now: datetime, t: Translator
) -> str | None:
    """When the ``line`` ("phone" or "chat") answers today, if the catalogue knows."""
    if always:
        return t(f"card-{line}-always")
    if not hours:
        return None
    text = _spans_today(hours, now, t)
    return t(f"card-{line}-today", hours=text) if text else t(f"card-{line}-closed-today")


def _with_data(t: Translator, msg_id: str, **values: str) -> str:
    """``msg_id`` with catalogue texts ``values``, escaped, as its arguments.

    The value goes in after Fluent has formatted the message: fluent.runtime refuses a
    placeable over 2,500 characters (the line would read "{???}"), and schema-valid catalogue
    texts (an address, a URL) can be longer than that once escaped. It is isolated in a
    right-to-left locale (after escaping, so no mark lands inside an entity).
    """
    # Private-use characters, which no message contains.
    markers = {name: chr(0xE000 + n) for n, name in enumerate(values)}
    text = t(msg_id, **markers)
    for name, marker in markers.items():
        text = text.replace(marker, t.isolate(escape(values[name])))
    return text


def _catalogue_text(t: Translator, value: str) -> str:
    """A catalogue text (name, summary, description) escaped for HTML and isolated."""
    return t.isolate(escape(value))


def place_line(location: Location, t: Translator) -> str:
    """Where a place is: its name and street address ("Address: Karhulan neuvola, Kauppalankatu
    4, 48600 Kotka"), or, when it has no street, its name and the municipality in the reader's
    language ("Place: Keltakankaan perhekeskus, Kouvola"): a town alone tells a family nothing
    about where to go."""
    name = location.name.get(t.locale)
    street = address(location) if location.street else None
    if street is not None:
        return _with_data(t, "card-address", place=name, address=street)
    town = municipality_name(location.municipality, t)
    if name.rstrip().endswith(town):
        # A place named after its town ("Family law services, Kotka"): the town once.
        return _with_data(t, "card-place-named", place=name)
    return _with_data(t, "card-place", place=name, town=town)


def address(location: Location) -> str | None:
    parts = [location.street, " ".join(p for p in (location.postal_code, location.city) if p)]
    text = ", ".join(p for p in parts if p)
    return text or None


def render_card(
    service: Service,
    t: Translator,
    now: datetime,
    match: Match | None = None,
    *,
    today_lines: bool = True,
) -> str:
    """The full card: name, summary, why it matches, how to get it, hours, address, contacts
    (phones as dialled in Finland, with the hours the phone and chat lines answer). The
    service's internal ``notes`` and its sources' notes are never shown.

    ``today_lines=False`` (a printed card, read on another day): no "open today" or "the
    line answers today" lines; a line open around the clock still says so."""
    lines = [
        f"<b>{_catalogue_text(t, service.name.get(t.locale))}</b>",
        _catalogue_text(t, service.summary.get(t.locale)),
    ]
    if service.description is not None:
        lines.append(_catalogue_text(t, service.description.get(t.locale)))
    if match is not None and match.reasons:
        lines.append("")
        lines.append(t("card-why"))
        lines.extend(f"• {escape(text)}" for text in explain(match, t))
    lines.append("")
    # No way in confirmed: the schema makes sure the organiser's page is on the card.
    # The ways in are alternatives: "call or walk in", never "call and walk in".
    how_line = (
        t("card-how", how=t.format_list([t(f"access-{a}") for a in service.access], "or"))
        if service.access
        else t("card-how-page")
    )
    lines.append(how_line)
    if service.cost is not None:
        lines.append(t(f"card-cost-{service.cost}"))
    if service.languages:
        names = t.format_list([language_name(code, t) for code in service.languages])
        lines.append(t("card-languages", languages=names))
    if service.interpreter:
        lines.append(t("card-interpreter"))
    shown: set[str] = set()
    for location in service.locations[:3]:
        place = place_line(location, t)
        today = hours_today(location, now, t) if today_lines else None
        if place in shown and today is None:
            continue  # two places that read alike and say nothing more: once is enough
        shown.add(place)
        lines.append(place)
        if today is not None:
            lines.append(today)
    contacts = service.contacts
    if contacts.phone_display:
        lines.append(_with_data(t, "card-phone", phone=contacts.phone_display))
        when = line_hours(
            "phone", contacts.phone_hours if today_lines else [], contacts.phone_always, now, t
        )
        if when is not None:
            lines.append(when)
    if contacts.chat:
        lines.append(_with_data(t, "card-chat", url=contacts.chat))
        when = line_hours(
            "chat", contacts.chat_hours if today_lines else [], contacts.chat_always, now, t
        )
        if when is not None:
            lines.append(when)
    if service.contacts.email:
        lines.append(_with_data(t, "card-email", email=service.contacts.email))
    if service.contacts.url:
        lines.append(_with_data(t, "card-website", url=service.contacts.url))
    if t.locale in service.untranslated:
        lines.append(t("card-untranslated"))
    text = "\n".join(lines)
    if len(text) > TELEGRAM_TEXT_LIMIT:
        # A catalogue text too long for one message: keep the essentials.
        text = "\n".join([*lines[:2], "…", how_line])
    return text


def render_summary_line(service: Service, t: Translator) -> str:
    """One line for lists: the name and the one-line summary."""
    name = _catalogue_text(t, service.name.get(t.locale))
    return f"<b>{name}</b>: {_catalogue_text(t, service.summary.get(t.locale))}"


def match_json(match: Match, t: Translator) -> dict[str, object]:
    """A match as ``valo-bot match`` prints it (DESIGN.md): reasons and name in ``t``'s locale."""
    service = match.service
    return {
        "id": service.id,
        "score": match.score,
        "reach": match.reach,
        "reasons": explain(match, t),
        "name": service.name.get(t.locale),
        "service_classes": list(service.service_classes),
        "municipalities": list(service.municipalities),
        "languages": list(service.languages),
    }
