"""Service cards: Telegram's limits and HTML rules for every real service in every locale,
right-to-left lines in Arabic, the longest possible service, opening hours, translation notes."""

from __future__ import annotations

import unicodedata
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.bidi import strip_isolates
from bot.catalog.cards import TELEGRAM_TEXT_LIMIT, explain, hours_today, render_card
from bot.catalog.matching import Answers, CatalogIndex
from bot.catalog.schema import WEEKDAYS, Location, Service
from bot.config import SUPPORTED_LOCALES
from bot.emulator.telegram import ApiError, parse_html, utf16_len
from bot.i18n import I18n, Translator
from tests.conftest import REPO
from tests.real_catalogue import best_match, real_catalogue

HELSINKI = ZoneInfo("Europe/Helsinki")
MONDAY = datetime(2026, 11, 23, 12, 0, tzinfo=HELSINKI)
WEEK = [MONDAY + timedelta(days=n) for n in range(7)]  # Monday to Sunday


@pytest.fixture(scope="module")
def i18n() -> I18n:
    return I18n.load(REPO / "locales", HELSINKI, strict=True)


@pytest.fixture(scope="module")
def services() -> list[Service]:
    # Inactive cards (kept in the catalogue until a source confirms them) are never shown.
    return [service for service in real_catalogue().services if service.active]


def first_strong_direction(line: str) -> str | None:
    for char in line:
        direction = unicodedata.bidirectional(char)
        if direction in {"L", "R", "AL"}:
            return direction
    return None


def telegram_text(html: str) -> str:
    """The text Telegram would show; raises ApiError as Telegram refuses bad HTML."""
    text, _ = parse_html(html)
    assert utf16_len(text) <= TELEGRAM_TEXT_LIMIT  # Telegram counts after parsing, in UTF-16
    return text


def open_and_closed_days(service: Service) -> list[datetime]:
    """A day of this week when one of its places is open, and one when none is."""
    open_days = {day for place in service.locations for hours in place.hours for day in hours.days}
    opened = [now for now in WEEK if WEEKDAYS[now.weekday()] in open_days]
    closed = [now for now in WEEK if WEEKDAYS[now.weekday()] not in open_days]
    return opened[:1] + closed[:1]


def test_every_real_card_fits_telegram_in_every_locale_open_or_closed(
    services: list[Service], i18n: I18n
) -> None:
    index = CatalogIndex(services)
    open_today = i18n["en"]("card-hours-today", hours="").strip()
    hours_seen = {open_today: 0, i18n["en"]("card-closed-today"): 0}
    for service in services:
        match = best_match(index, service)
        assert len(match.reasons) >= 2
        for locale in SUPPORTED_LOCALES:
            t = i18n[locale]
            for now in open_and_closed_days(service):
                for shown in (None, match):
                    text = telegram_text(render_card(service, t, now, shown))
                    # Verbatim, apart from the isolation marks around Latin runs in Arabic.
                    assert strip_isolates(text).startswith(service.name.get(locale))
                    if shown is not None:
                        assert all(reason in text for reason in explain(match, t))
                    if locale == "en":
                        for phrase in hours_seen:
                            hours_seen[phrase] += phrase in text
    # Some real places publish hours: cards were rendered on open days and on closed days.
    assert all(hours_seen.values()), hours_seen


def test_arabic_card_lines_start_right_to_left(services: list[Service], i18n: I18n) -> None:
    """A line whose first strong letter is Latin (a name, a link) would be laid out
    left-to-right in Telegram; every Arabic line must start with an Arabic word."""
    t = i18n["ar"]
    index = CatalogIndex(services)
    wrong: list[str] = []
    for service in services:
        for now in open_and_closed_days(service):
            for shown in (None, best_match(index, service)):
                text = telegram_text(render_card(service, t, now, shown))
                wrong += [
                    f"{service.id}: {line!r}"
                    for line in text.splitlines()
                    if line.strip() and first_strong_direction(line) not in {"R", "AL"}
                ]
    assert wrong == []


def test_the_right_to_left_check_can_fail() -> None:
    assert first_strong_direction("• في 285") == "AL"
    assert first_strong_direction("040 123 4567 Kela مكتب") == "L"


def service_with(**overrides: Any) -> Service:
    data: dict[str, Any] = {
        "id": "cafe",
        "organization": "org",
        "name": {"fi": "Perhekahvila", "en": "Family café", "ar": "مقهى العائلة"},
        "summary": {"fi": "Tule kahville", "en": "Come for coffee", "ar": "تعال لشرب القهوة"},
        "needs": ["peer-support"],
        "service_classes": ["P4.12"],
        "municipalities": ["285"],
        "languages": ["fi", "ar"],
        "access": ["walk-in"],
        "cost": "free",
        "sources": [{"url": "https://example.fi/kahvila", "kind": "organiser"}],
        "checked": "2026-06-01",
    }
    data.update(overrides)
    return Service.model_validate(data)


def test_catalogue_text_is_escaped_and_shown_verbatim(i18n: I18n) -> None:
    name = 'Kahvila <Pikku & Iso> &amp; "muut"'
    service = service_with(
        name={"fi": name, "en": name, "ar": "مقهى <صغير> & كبير"},
        summary={"fi": "a < b & c > d", "en": "a < b & c > d", "ar": "أ < ب & ج"},
        contacts={
            "phone": "+358401234567",
            "email": "kahvila@example.fi",
            "url": "https://example.fi/?a=1&b=<2>",
        },
        locations=[
            {
                "id": "place",
                "name": {"fi": "Paikka", "en": "Place", "ar": "مكان"},
                "street": "Kauppa- & Puistotie <1>",
                "postal_code": "48100",
                "city": "Kotka",
                "municipality": "285",
            }
        ],
    )
    for locale in SUPPORTED_LOCALES:
        html = render_card(service, i18n[locale], MONDAY)
        text, entities = parse_html(html)  # raises on any unescaped "<"
        assert strip_isolates(text.splitlines()[0]) == service.name.get(locale)
        assert entities[0] == {
            "type": "bold",
            "offset": 0,
            "length": utf16_len(text.splitlines()[0]),
        }
        for shown in (
            service.summary.get(locale),
            "Kauppa- & Puistotie <1>, 48100 Kotka",
            "040 123 4567",  # stored in E.164, shown as dialled in Finland
            "kahvila@example.fi",
            "https://example.fi/?a=1&b=<2>",
        ):
            assert shown in text
    assert "&amp;amp;" in render_card(service, i18n["fi"], MONDAY)


def test_bad_html_is_refused_by_the_checker() -> None:
    with pytest.raises(ApiError):
        parse_html("<b>Kahvila <Pikku></b>")


def test_a_service_with_every_text_at_its_longest_still_fits(i18n: I18n) -> None:
    def long_text(seed: str) -> str:
        return (seed * 1200)[:1200]

    def text_map() -> dict[str, str]:
        return {
            "fi": long_text("Äiti & <vauva> leikkivät "),
            "en": long_text("Parent & <baby> play "),
            "ar": long_text("الأم & <الطفل> يلعبان "),
        }

    place = {
        "name": text_map(),
        "street": long_text("Pitkä & <katu> "),
        "postal_code": "48100",
        "city": long_text("Kaupunki "),
        "municipality": "285",
        "hours": [{"days": list(WEEKDAYS), "opens": "08:00", "closes": "20:00"}],
    }
    service = service_with(
        name=text_map(),
        summary=text_map(),
        description=text_map(),
        needs=["peer-support", "early-education", "parenting-support"],
        languages=["fi", "sv", "en", "ar", "ru", "so", "fa", "uk", "et", "ku"],
        interpreter=True,
        access=["walk-in", "call", "book-online", "apply-online", "referral"],
        ages={"min": 0, "max": 17},
        contacts={
            "phone": "+358401234567",
            "phone_hours": [{"days": ["mo"], "opens": "09:00", "closes": "15:00"}],
            "chat": "https://example.fi/chat/" + "c" * 1000,
            "chat_always": True,
            "email": "a" * 60 + "@example.fi",
            "url": "https://example.fi/" + "x" * 1000,
        },
        locations=[{**place, "id": f"place-{n}"} for n in range(5)],
        untranslated=["fi", "en", "ar"],
    )
    [match] = CatalogIndex([service]).match(
        Answers(
            municipality="285",
            child_ages=(3,),
            needs=("peer-support", "early-education", "parenting-support"),
            languages=("ar",),
        )
    )
    for locale in SUPPORTED_LOCALES:
        t = i18n[locale]
        for shown in (None, match):
            text = telegram_text(render_card(service, t, MONDAY, shown))
            lines = text.splitlines()
            # The essentials survive: the name, the summary, how to get it.
            assert strip_isolates(lines[0]) == service.name.get(locale)
            assert strip_isolates(lines[1]) == service.summary.get(locale)
            assert any(line.startswith(t("card-how", how="").strip()) for line in lines)


def test_a_long_link_is_shown_whole(i18n: I18n) -> None:
    """Schema-valid values longer than Fluent accepts in a placeable (2,500 characters)."""
    url = "https://example.fi/" + "x" * 2600
    service = service_with(contacts={"url": url})
    for locale in SUPPORTED_LOCALES:
        t = i18n[locale]
        lines = telegram_text(render_card(service, t, MONDAY)).splitlines()
        assert t("card-website", url="URL").replace("URL", url) in lines


def test_a_long_address_is_shown_whole(i18n: I18n) -> None:
    street = ("Kauppa- & Puistotie " * 60)[:1200].strip()  # over 2,500 characters escaped
    city = "Kotka" * 240
    place = {
        "id": "place",
        "name": {"fi": "Paikka", "en": "Place", "ar": "مكان"},
        "street": street,
        "city": city,
        "municipality": "285",
    }
    service = service_with(locations=[place])
    for locale in SUPPORTED_LOCALES:
        t = i18n[locale]
        lines = telegram_text(render_card(service, t, MONDAY)).splitlines()
        line = t("card-address", place="PLACE", address="ADDRESS")
        # The marker is Latin, so Arabic isolates it; the place's Arabic name needs no marks.
        name = service.locations[0].name.get(locale)
        whole = line.replace("\u2066PLACE\u2069", name).replace("PLACE", name)
        assert whole.replace("ADDRESS", f"{street}, {city}") in lines


def hours_location(hours: list[dict[str, Any]]) -> Location:
    return Location.model_validate(
        {
            "id": "place",
            "name": {"fi": "Paikka", "en": "Place", "ar": "مكان"},
            "municipality": "285",
            "hours": hours,
        }
    )


def test_hours_today_on_open_and_closed_days(i18n: I18n) -> None:
    place = hours_location(
        [
            {"days": ["mo", "tu", "we", "th", "fr"], "opens": "08:00", "closes": "16:00"},
            {"days": ["we"], "opens": "17:00", "closes": "19:30"},
        ]
    )
    en, fi, ar = i18n["en"], i18n["fi"], i18n["ar"]
    monday, wednesday, saturday, sunday = WEEK[0], WEEK[2], WEEK[5], WEEK[6]
    assert hours_today(place, monday, en) == "Open today: 08:00–16:00"
    # Two spans are a list, joined as the locale joins lists (CLDR, through Babel).
    assert hours_today(place, wednesday, en) == "Open today: 08:00–16:00 and 17:00–19:30"
    # Finnish writes the hour without a leading zero, as its other times do ("klo 9.30").
    assert hours_today(place, wednesday, fi) == "Auki tänään: 8.00–16.00 ja 17.00–19.30"
    assert hours_today(place, wednesday, ar) == (
        "مفتوح اليوم: \u206608:00–16:00\u2069 و\u206617:00–19:30\u2069"
    )
    assert hours_today(place, saturday, en) == "Closed today"
    assert hours_today(place, sunday, fi) == "Suljettu tänään"
    assert hours_today(place, monday, fi) == "Auki tänään: 8.00–16.00"
    assert hours_today(place, monday, ar) == "مفتوح اليوم: \u206608:00–16:00\u2069"
    assert hours_today(hours_location([]), monday, en) is None


def test_card_shows_todays_hours(i18n: I18n) -> None:
    place = {
        "id": "place",
        "name": {"fi": "Paikka", "en": "Place", "ar": "مكان"},
        "street": "Puistotie 1",
        "municipality": "285",
        "hours": [{"days": ["mo"], "opens": "09:00", "closes": "11:00"}],
    }
    service = service_with(locations=[place])
    t = i18n["en"]
    assert "Open today: 09:00–11:00" in render_card(service, t, WEEK[0])
    closed = render_card(service, t, WEEK[1])
    assert "Closed today" in closed
    assert "Open today" not in closed
    assert "Open today" not in render_card(service_with(), t, WEEK[0])


def test_why_it_matches_only_with_a_match(i18n: I18n) -> None:
    service = service_with()
    [match] = CatalogIndex([service]).match(Answers(municipality="285", needs=("peer-support",)))
    t = i18n["en"]
    with_match = telegram_text(render_card(service, t, MONDAY, match))
    assert t("card-why") in with_match
    assert "• what you asked about: meeting other families" in with_match.splitlines()
    assert "• you can just walk in" in with_match.splitlines()
    assert t("card-why") not in telegram_text(render_card(service, t, MONDAY))


@pytest.mark.parametrize("untranslated", ["fi", "en", "ar"])
def test_untranslated_note_only_in_that_locale(i18n: I18n, untranslated: str) -> None:
    service = service_with(untranslated=[untranslated])
    for locale in SUPPORTED_LOCALES:
        t: Translator = i18n[locale]
        card = render_card(service, t, MONDAY)
        assert (t("card-untranslated") in card) == (locale == untranslated), locale
        assert t("card-untranslated") not in render_card(service_with(), t, MONDAY)


@pytest.mark.parametrize(
    ("stored", "shown"),
    [
        ("+35880005005", "080 005 005"),
        ("+358800147111", "0800 147 111"),
        ("+35852206000", "05 220 6000"),
        ("+358925250111", "09 2525 0111"),
        ("+358401603631", "040 160 3631"),
        ("+358295020500", "0295 020 500"),
        ("112", "112"),
        ("116111", "116 111"),
        ("+46812345678", "+46 8 123 456 78"),
    ],
)
def test_phones_are_shown_as_dialled_in_finland(i18n: I18n, stored: str, shown: str) -> None:
    service = service_with(access=["call"], contacts={"phone": stored})
    for locale in SUPPORTED_LOCALES:
        t = i18n[locale]
        card = telegram_text(render_card(service, t, MONDAY))
        assert t("card-phone", phone=shown) in card.splitlines(), locale
        assert stored not in card or stored == shown


def test_phone_and_chat_hours_and_the_chat_link(i18n: I18n) -> None:
    service = service_with(
        access=["call", "chat"],
        contacts={
            "phone": "+35880005005",
            "phone_always": True,
            "chat": "https://example.fi/chat?a=1&b=2",
            "chat_hours": [{"days": ["mo", "tu"], "opens": "18:00", "closes": "22:00"}],
        },
    )
    for locale in SUPPORTED_LOCALES:
        t = i18n[locale]
        monday = telegram_text(render_card(service, t, WEEK[0])).splitlines()
        assert t("access-chat") in telegram_text(t("card-how", how=t("access-chat")))
        assert t("card-phone-always") in monday, locale
        assert t("card-chat", url="https://example.fi/chat?a=1&b=2") in monday, locale
        hours = "18.00–22.00" if locale == "fi" else "18:00–22:00"
        assert t("card-chat-today", hours=hours) in monday, locale
        wednesday = telegram_text(render_card(service, t, WEEK[2])).splitlines()
        assert t("card-chat-closed-today") in wednesday, locale
    daily = service_with(
        access=["call"],
        contacts={
            "phone": "+35852206000",
            "phone_hours": [{"days": ["mo"], "opens": "09:00", "closes": "12:00"}],
        },
    )
    en = i18n["en"]
    assert "The phone line answers today: 09:00–12:00" in render_card(daily, en, WEEK[0])
    assert "The phone line is closed today." in render_card(daily, en, WEEK[1])
    assert "answers" not in render_card(service_with(), en, WEEK[0])


def test_internal_notes_are_never_shown(i18n: I18n) -> None:
    secret = "Hours not confirmed by the organiser"
    service = service_with(
        notes=secret,
        sources=[{"url": "https://example.fi/kahvila", "kind": "organiser", "note": secret}],
    )
    for locale in SUPPORTED_LOCALES:
        assert secret not in render_card(service, i18n[locale], MONDAY)


def test_a_card_with_no_confirmed_way_in_points_to_the_organisers_page(i18n: I18n) -> None:
    """No booking number in reach: the card says where the contact details are instead of
    claiming a way in ("just walk in") that nobody confirmed."""
    service = service_with(access=[], contacts={"url": "https://example.fi/neuvola"})
    for locale in SUPPORTED_LOCALES:
        t = i18n[locale]
        lines = telegram_text(render_card(service, t, MONDAY)).splitlines()
        assert t("card-how-page") in lines, locale
        assert t("card-website", url="https://example.fi/neuvola") in lines, locale
        assert t("access-walk-in") not in "\n".join(lines), locale


@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
def test_a_place_named_after_its_town_names_the_town_once(i18n: I18n, locale: str) -> None:
    """ "Family law services, Kotka, Kotka" (language review of the guide, ar #21, fi/en O3)."""
    family_law = next(s for s in real_catalogue().services if s.id == "kymenhva-family-law")
    t = i18n[locale]
    text = strip_isolates(render_card(family_law, t, MONDAY))
    town = t("municipality-285")
    assert f"{town}, {town}" not in text
    assert f"{town}، {town}" not in text
    assert family_law.locations[0].name.get(locale) in text
