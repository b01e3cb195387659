"""End-to-end: browsing the catalogue, service cards, flags and map locations."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.db.models import CardFlag
from bot.emulator.telegram import BotMessage, FakeTelegram
from tests.e2e.conftest import BotProcess, start_and_wait


def button(message: BotMessage, prefix: str) -> str:
    """The callback data of the first button whose text starts with ``prefix``."""
    for b in message.buttons:
        if b["text"].startswith(prefix):
            return str(b["callback_data"])
    raise AssertionError(f"no button {prefix!r} in {[b['text'] for b in message.buttons]}")


async def test_browse_to_a_card_and_flag_it(
    fake: FakeTelegram, running_bot: BotProcess, db: AsyncEngine
) -> None:
    fake.user(8001, language_code="en")
    fake.send_command(8001, "/services")
    picker = await fake.wait_message(8001)
    assert picker.text == "Where do you live? Choose your municipality."
    # Kotka (285) is in the real catalogue; its button is labelled with the name or the code.
    kotka = next(b for b in picker.buttons if b["callback_data"] == "br:285:-:0")
    fake.press(8001, picker, kotka["callback_data"])
    await fake.wait_until(lambda: fake.message(8001, picker.message_id).edited)
    categories = fake.message(8001, picker.message_id)
    assert categories.text == "What kind of service are you looking for?"
    fake.press(8001, categories, button(categories, "Daycare and early education"))
    await fake.wait_until(
        lambda: any(
            d.startswith("c:o:") for d in fake.message(8001, picker.message_id).callback_data
        )
    )
    listing = fake.message(8001, picker.message_id)
    assert listing.text is not None
    assert "services:" in listing.text.splitlines()[0]
    card_buttons = [b for b in listing.buttons if b["callback_data"].startswith("c:o:")]
    assert 1 <= len(card_buttons) <= 5
    opened = card_buttons[0]
    fake.press(8001, listing, opened["callback_data"])
    card = await fake.wait_message(8001)
    assert card.params.get("parse_mode") == "HTML"
    assert card.text is not None
    assert card.text.startswith(opened["text"].rstrip("…"))
    assert "How to get it:" in card.text

    fake.press(8001, card, button(card, "⚠️"))
    ask = await fake.wait_message(8001)
    assert ask.text == "What is wrong with this information?"
    fake.press(8001, ask, button(ask, "Wrong phone number"))
    thanks = await fake.wait_message(8001)
    assert thanks.text is not None
    assert thanks.text.startswith("Thank you!")
    async with db.connect() as conn:
        flags = (await conn.execute(select(CardFlag.service_id, CardFlag.reason))).all()
    service_id = opened["callback_data"].split(":")[2]
    assert [(f.service_id, f.reason) for f in flags] == [(service_id, "phone")]


CATALOG_WITH_COORDINATES = """
organizations:
  - id: test-org
    name: {fi: Testi, en: Test, ar: اختبار}
    domains: [example.org]
services:
  - id: test-cafe
    organization: test-org
    name: {fi: Perhekahvila, en: Family café, ar: مقهى العائلة}
    summary: {fi: Kahvila perheille., en: A café for families., ar: مقهى للعائلات.}
    needs: [peer-support]
    service_classes: ["P4.12"]
    municipalities: ["285"]
    languages: [fi, ar]
    access: [walk-in]
    locations:
      - id: test-cafe-place
        name: {fi: Kahvila, en: Café, ar: المقهى}
        street: Puistotie 15
        postal_code: "48100"
        city: Kotka
        municipality: "285"
        lat: 60.4667
        lon: 26.9458
        hours:
          - {days: [mo, tu, we, th, fr, sa, su], opens: "09:00", closes: "15:00"}
    sources: [{url: "https://example.org/cafe", kind: organiser}]
    checked: "2026-11-01"
"""


async def test_card_in_arabic_with_a_map_location(
    fake: FakeTelegram, bot_env: dict[str, str], bot_process: BotProcess, tmp_path: Path
) -> None:
    catalog = tmp_path / "catalog"
    catalog.mkdir()
    (catalog / "test.yaml").write_text(CATALOG_WITH_COORDINATES, encoding="utf-8")
    bot_env["CATALOG_PATH"] = str(catalog)
    await start_and_wait(bot_process, fake)
    fake.user(8101, language_code="ar")
    fake.send_command(8101, "/services")
    picker = await fake.wait_message(8101)
    fake.press(8101, picker, "br:285:-:0")
    await fake.wait_until(lambda: fake.message(8101, picker.message_id).edited)
    categories = fake.message(8101, picker.message_id)
    fake.press(8101, categories, "br:285:peer:0")
    await fake.wait_until(
        lambda: "c:o:test-cafe:285" in fake.message(8101, picker.message_id).callback_data
    )
    fake.press(8101, fake.message(8101, picker.message_id), "c:o:test-cafe:285")
    card = await fake.wait_message(8101)
    assert card.text is not None
    assert card.text.startswith("مقهى العائلة")
    assert "العنوان: المقهى، \u2066Puistotie 15, 48100 Kotka\u2069" in card.text  # isolated
    fake.press(8101, card, "c:l:test-cafe:0")
    venue = await fake.wait_message(8101)
    assert venue.method == "sendVenue"
    assert abs(float(venue.params["latitude"]) - 60.4667) < 1e-6


async def test_staff_see_and_resolve_flags_others_are_refused(
    fake: FakeTelegram, running_bot: BotProcess, db: AsyncEngine
) -> None:
    family, staff = 8201, 900001  # STAFF_IDS in bot_env
    fake.user(family, language_code="fi")
    fake.user(staff, language_code="en")
    fake.send_command(family, "/flags")
    assert await fake.wait_message(family) is not None
    assert fake.messages(family)[-1].text == "Anteeksi, tämä ei ole sallittua."

    fake.send_command(family, "/services")
    picker = await fake.wait_message(family)
    fake.press(family, picker, "br:285:-:0")
    await fake.wait_until(lambda: fake.message(family, picker.message_id).edited)
    fake.press(family, fake.message(family, picker.message_id), "br:285:early-education:0")
    await fake.wait_until(
        lambda: any(
            d.startswith("c:o:") for d in fake.message(family, picker.message_id).callback_data
        )
    )
    listing = fake.message(family, picker.message_id)
    service_id = next(d for d in listing.callback_data if d.startswith("c:o:")).split(":")[2]
    fake.press(family, listing, f"c:o:{service_id}:285")
    card = await fake.wait_message(family)
    fake.press(family, card, f"c:f:{service_id}:")
    ask = await fake.wait_message(family)
    fake.press(family, ask, f"c:r:{service_id}:hours")
    await fake.wait_message(family)

    # A forged staff button from the family changes nothing.
    forged = fake.press(family, ask, f"sf:{service_id}", forged=True)
    answer = await fake.wait_callback_answer(forged["callback_query"]["id"])
    assert answer.text == "Anteeksi, tämä ei ole sallittua."

    fake.send_command(staff, "/flags")
    report = await fake.wait_message(staff)
    assert report.text is not None
    assert "Wrong opening hours (1×" in report.text
    fake.press(staff, report, f"sf:{service_id}")
    after = await fake.wait_message(staff)
    assert after.text == "No open reports. Thank you for keeping the information right!"
    async with db.connect() as conn:
        resolved = (await conn.execute(select(CardFlag.resolved))).scalars().all()
    assert resolved == [True]
