"""One step of a service path, rendered once for the chat and for the printable page.

A step is a service and the need tags it was matched for; its text is the service's card
(``bot.catalog.cards.render_card``) with a line on why it fits, phrased from the service's side
(what it helps with), never from the family's answers: a path is shown to the family and may
be printed, and neither should repeat what the family told the professional. Under it comes
the **first step** to take, from how the service is reached and when its line answers or its
door is open ("Call on weekdays 9.00–12.00", "Walk in on Tuesdays 9.00–11.00", "Apply online").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from html import escape

from bot.catalog.cards import TELEGRAM_TEXT_LIMIT, render_card, spans_text
from bot.catalog.matching import is_shelter
from bot.catalog.schema import WEEKDAYS, OpeningHours, Service
from bot.i18n import Translator

WORKDAYS = frozenset(WEEKDAYS[:5])
# Ways in that need no time of day, in the order a family would try them.
PLAIN_WAYS = ("book-online", "apply-online", "chat", "referral")


@dataclass(frozen=True)
class PathStep:
    """A service on a path. Deliberately nothing of why it was chosen: the needs the family
    asked about are their answers, and a path is seen on other devices and may be printed."""

    service: Service


# The catalogue has no violence tag: violence in a close relationship is catalogued as a crisis
# service for relationships (Nollalinja, the shelters). tests/test_guide_handover.py checks
# that every catalogue service named for violence falls under this rule.
_VIOLENCE_NEEDS = frozenset({"crisis-urgent", "relationship-separation"})


def is_sensitive(service: Service) -> bool:
    """A shelter (as the matcher knows one) or a service for violence in a close relationship.
    A printed card can be found at home, so these go on paper only when the professional says
    they may (the chat shows them always: it is the family's own). Other crisis services (112,
    the crisis helplines, the poison information centre) are printed: a card without them
    would leave a family without the numbers it may need most."""
    return is_shelter(service) or _VIOLENCE_NEEDS.issubset(service.needs)


def _days(days: list[str], t: Translator) -> str:
    chosen = set(days)
    if chosen == set(WEEKDAYS):
        return t("guide-days-every")
    if chosen == WORKDAYS:
        return t("guide-days-weekdays")
    names = [t(f"guide-day-{day}") for day in WEEKDAYS if day in chosen]
    return t("guide-days-list", days=t.format_list(names))


def week_hours(hours: list[OpeningHours], t: Translator) -> str | None:
    """When ``hours`` are open in a week ("on weekdays 9.00–12.00"), None when unknown.

    Spans on the same days are written together; groups of days in the order of the week."""
    if not hours:
        return None
    groups: dict[tuple[str, ...], list[OpeningHours]] = {}
    for span in hours:
        key = tuple(day for day in WEEKDAYS if day in span.days)
        groups.setdefault(key, []).append(span)
    ordered = sorted(groups.items(), key=lambda item: WEEKDAYS.index(item[0][0]))
    parts = [
        t("guide-when", days=_days(list(days), t), hours=spans_text(sorted(spans, key=_opens), t))
        for days, spans in ordered
    ]
    # Groups joined by a comma, not by the list's "and": the spans inside a group already
    # use it ("on weekdays 9.00–12.00 and 13.00–15.00, on Saturdays 10.00–14.00").
    text = parts[-1]
    for part in reversed(parts[:-1]):
        text = t("guide-when-more", first=part, next=text)
    return text


def _opens(span: OpeningHours) -> str:
    return span.opens


def first_step(service: Service, t: Translator) -> str:
    """The first thing to do, from the service's ways in (in the catalogue's order) and the
    hours its phone answers or its places are open. A way whose hours are known comes before
    one whose hours are not: on paper, the step is the only place a week's hours appear."""
    steps = [step for way in service.access if (step := _way_step(service, way, t)) is not None]
    timed = [text for text, has_hours in steps if has_hours]
    if timed:
        return timed[0]
    if steps:
        return steps[0][0]
    if service.contacts.phone_display:
        return t("guide-first-call")
    return t("guide-first-page")


def _way_step(service: Service, way: str, t: Translator) -> tuple[str, bool] | None:
    """The first step by ``way`` and whether it gives hours; None when the card lacks what
    the way needs (a call without a phone number)."""
    contacts = service.contacts
    if way == "call" and contacts.phone_display:
        if contacts.phone_always:
            return t("guide-first-call-always"), True
        when = week_hours(contacts.phone_hours, t)
        return (
            (t("guide-first-call-when", when=when), True)
            if when
            else (
                t("guide-first-call"),
                False,
            )
        )
    if way == "walk-in":
        hours = next((loc.hours for loc in service.locations if loc.hours), [])
        when = week_hours(hours, t)
        return (
            (t("guide-first-walk-in-when", when=when), True)
            if when
            else (
                t("guide-first-walk-in"),
                False,
            )
        )
    if way in PLAIN_WAYS:
        return t(f"guide-first-{way}"), False
    return None


def why_line(step: PathStep, t: Translator) -> str | None:
    """What the service helps with: every need it serves, in the catalogue's order ("Helps
    with: daycare and early education"). The same for every family: never the subset the
    family asked about, which would print their answers on the card."""
    if not step.service.needs:
        return None
    names = [t(f"need-{need}") for need in dict.fromkeys(step.service.needs)]
    if len(names) > 1:
        names = [t("quoted", text=name) for name in names]  # as bot.catalog.cards does
    return t("guide-helps-with", needs=t.format_list(names))


def render_step(step: PathStep, t: Translator, now: datetime, *, printed: bool = False) -> str:
    """Telegram HTML (b, i, a and text): valid HTML for the printable page as well.

    ``printed``: for paper, read on other days than ``now``: the card leaves out its "open
    today" lines (the first step gives the week's hours)."""
    card = render_card(step.service, t, now, today_lines=not printed)
    name, _, rest = card.partition("\n")
    lines = [name]
    why = why_line(step, t)
    if why is not None:
        lines.append(f"<i>{escape(why)}</i>")
    lines.append(f"<b>{escape(first_step(step.service, t))}</b>")
    text = "\n".join([*lines, rest]) if rest else "\n".join(lines)
    # The card keeps itself under Telegram's limit; the two lines added here could tip it.
    return text if len(text) <= TELEGRAM_TEXT_LIMIT else "\n".join([*lines, "…"])
