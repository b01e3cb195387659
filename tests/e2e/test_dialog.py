"""End-to-end: the family-needs dialog through the real bot and the fake Bot API server."""

from __future__ import annotations

import asyncio
import os
import re
import signal
from pathlib import Path

import pytest

from bot.emulator.telegram import BotMessage, FakeTelegram
from bot.flow.keyboard import CHECK_MARK
from bot.ops.roles import POLLING_CONCURRENCY
from tests.e2e.conftest import BotProcess, start_and_wait

HEADINGS = {
    "fi": "Löysin",
    "en": "I found",
    "ar": "وجدت",
}


def data_for(message: BotMessage, node: str, choice: str) -> str:
    """The callback data of the dialog button ``choice`` of ``node`` on ``message``."""
    prefix = f"needs:{node}:{choice}:"
    for data in message.callback_data:
        if data.startswith(prefix):
            return data
    raise AssertionError(f"no {prefix}* button on {message.callback_data}")


async def press(
    fake: FakeTelegram, chat: int, message: BotMessage, node: str, choice: str
) -> BotMessage:
    """Press a dialog button and return the question as it stands afterwards (edited in place)."""
    edits = len(message.history)
    fake.press(chat, message, data_for(message, node, choice))
    await fake.wait_until(lambda: len(fake.message(chat, message.message_id).history) > edits)
    return fake.message(chat, message.message_id)


async def open_dialog(fake: FakeTelegram, chat: int, language: str) -> BotMessage:
    fake.user(chat, language_code=language)
    fake.send_command(chat, "/find")
    return await fake.wait_message(chat)


async def results_after(
    fake: FakeTelegram, chat: int, question: BotMessage, choice: str
) -> list[BotMessage]:
    """Answer the last question (languages) with ``choice``: the question becomes the results
    heading; cards and "what next" follow as new messages, all returned."""
    before = fake.sent_count(chat)
    question = await press(fake, chat, question, "languages", choice)
    await fake.wait_until(
        lambda: any(
            "needs:results:restart" in d
            for m in fake.messages(chat)[before:]
            for d in m.callback_data
        )
    )
    return [fake.message(chat, question.message_id), *fake.messages(chat)[before:]]


async def walk_to_results(fake: FakeTelegram, chat: int, question: BotMessage) -> list[BotMessage]:
    """Kotka, a child of 1-2, daycare, Arabic: the messages after the last question."""
    question = await press(fake, chat, question, "where", "285")
    question = await press(fake, chat, question, "ages", "1-2")
    question = await press(fake, chat, question, "ages", "done")
    question = await press(fake, chat, question, "help", "daycare")
    question = await press(fake, chat, question, "help", "done")
    question = await press(fake, chat, question, "languages", "ar")
    return await results_after(fake, chat, question, "done")


@pytest.mark.parametrize(("chat", "language"), [(9101, "fi"), (9102, "en"), (9103, "ar")])
async def test_full_walk_to_results(
    fake: FakeTelegram, running_bot: BotProcess, chat: int, language: str
) -> None:
    question = await open_dialog(fake, chat, language)
    assert question.text is not None
    assert "1" in question.text  # progress like "1/6"
    screens = await walk_to_results(fake, chat, question)
    heading, *rest = screens
    assert heading.text is not None
    assert heading.text.startswith(HEADINGS[language])
    cards = [m for m in rest if m.params.get("parse_mode") == "HTML"]
    assert 1 <= len(cards) <= 5
    assert all(len(m.text or "") <= 4096 for m in cards)
    # The Kotka open early education is a daycare-and-early-education match in Kotka.
    assert any("c:o:" in d or "c:f:" in d for m in cards for d in m.callback_data)
    assert rest[-1].callback_data[-1].startswith("needs:results:restart:")


async def test_back_and_skip(fake: FakeTelegram, running_bot: BotProcess) -> None:
    question = await open_dialog(fake, 9201, "en")
    question = await press(fake, 9201, question, "where", "skip")
    assert question.text is not None
    assert "children" in question.text.lower()  # the ages question
    question = await press(fake, 9201, question, "ages", "back")
    assert any(d.startswith("needs:where:285:") for d in question.callback_data)
    question = await press(fake, 9201, question, "where", "skip")
    question = await press(fake, 9201, question, "ages", "skip")
    question = await press(fake, 9201, question, "help", "skip")
    before = fake.sent_count(9201)
    question = await press(fake, 9201, question, "languages", "skip")
    assert question.text is not None
    assert question.text.startswith("I found")
    await fake.wait_until(lambda: fake.sent_count(9201) > before)


async def test_restart_mid_dialog_then_continue(
    fake: FakeTelegram, bot_process: BotProcess
) -> None:
    await start_and_wait(bot_process, fake)
    question = await open_dialog(fake, 9301, "fi")
    question = await press(fake, 9301, question, "where", "075")
    question = await press(fake, 9301, question, "ages", "3-5")
    question = await press(fake, 9301, question, "ages", "done")

    await bot_process.stop()
    await start_and_wait(bot_process, fake)

    # The answers survived the restart: the next press continues the same dialog.
    question = await press(fake, 9301, question, "help", "activities")
    assert any(d.startswith("needs:help:done:") for d in question.callback_data)
    question = await press(fake, 9301, question, "help", "done")
    assert any(d.startswith("needs:languages:fi:") for d in question.callback_data)


async def test_stopping_lets_a_press_in_flight_finish(
    fake: FakeTelegram, bot_process: BotProcess
) -> None:
    """SIGTERM while a press is being handled: the family still sees its answer, and the
    answer is kept."""
    bot_process.env["TELEGRAM_REQUEST_TIMEOUT"] = "60"  # the edit is held longer than 5 s
    await start_and_wait(bot_process, fake)
    question = await open_dialog(fake, 9311, "en")
    question = await press(fake, 9311, question, "where", "285")
    edits = len(question.history)
    fault = fake.hold("editMessageText", chat_id=9311, store=False)
    fake.press(9311, question, data_for(question, "ages", "1-2"))
    held = await fake.held_event(fault)

    stopping = asyncio.create_task(bot_process.stop())
    await fake.wait_until(lambda: "finishing 1 in-flight update(s)" in bot_process.log())
    assert not stopping.done()  # it waits for the update
    held.release()
    assert await stopping == 0
    question = fake.message(9311, question.message_id)
    assert len(question.history) == edits + 1  # the family saw their press
    [toggled] = [b for b in question.buttons if b["callback_data"].startswith("needs:ages:1-2:")]
    assert toggled["text"].startswith(CHECK_MARK)

    await start_and_wait(bot_process, fake)
    question = await press(fake, 9311, question, "ages", "done")
    assert any(d.startswith("needs:help:") for d in question.callback_data)


async def test_a_second_sigterm_stops_without_waiting(
    fake: FakeTelegram, bot_process: BotProcess
) -> None:
    """The operator insists (a second Ctrl+C): the bot stops at once, saying what it left."""
    bot_process.env["TELEGRAM_REQUEST_TIMEOUT"] = "60"
    await start_and_wait(bot_process, fake)
    question = await open_dialog(fake, 9312, "en")
    fault = fake.hold("editMessageText", chat_id=9312, store=False)
    fake.press(9312, question, data_for(question, "where", "285"))
    held = await fake.held_event(fault)
    assert bot_process.proc is not None
    group = bot_process.proc.pid

    # stop() allows 15 s, less than the 20 s the bot would wait for the held update.
    stopping = asyncio.create_task(bot_process.stop())
    await fake.wait_until(lambda: "finishing 1 in-flight update(s)" in bot_process.log())
    os.killpg(group, signal.SIGTERM)
    assert await stopping == 0
    assert "shutting down: 1 update(s) left unfinished" in bot_process.log()
    held.release()


async def test_polling_handles_at_most_sixteen_updates_at_once(
    fake: FakeTelegram, running_bot: BotProcess
) -> None:
    """Sixteen presses held by Telegram fill the bot; a seventeenth waits for a free slot
    (the rest of its batch is not fetched until then) and is answered when one frees."""
    chats = list(range(9321, 9321 + POLLING_CONCURRENCY + 1))
    questions = await asyncio.gather(*(open_dialog(fake, chat, "en") for chat in chats))
    edits = {chat: len(question.history) for chat, question in zip(chats, questions, strict=True)}
    *busy, last = zip(chats, questions, strict=True)
    faults = [fake.hold("editMessageText", chat_id=chat, store=False) for chat, _ in busy]
    for chat, question in busy:
        fake.press(chat, question, data_for(question, "where", "285"))
    held = [await fake.held_event(fault) for fault in faults]

    chat, question = last
    update = fake.press(chat, question, data_for(question, "where", "285"))
    query = update["callback_query"]["id"]
    [record] = [u for u in fake.updates() if u.update_id == update["update_id"]]
    await fake.wait_until(lambda: record.deliveries > 0, poll=0.05)
    with pytest.raises(TimeoutError):  # fetched, but no slot: not handled
        await fake.wait_callback_answer(query, timeout=1.0)
    held[0].release()
    await fake.wait_callback_answer(query)
    for request in held[1:]:
        request.release()
    # Nothing lost: every family's question was edited once more.
    await fake.wait_until(
        lambda: all(
            len(fake.message(chat, question.message_id).history) == edits[chat] + 1
            for chat, question in zip(chats, questions, strict=True)
        )
    )


async def test_stopping_under_load_confirms_what_was_handled_and_nothing_else(
    fake: FakeTelegram, bot_process: BotProcess
) -> None:
    """SIGTERM while every slot is busy and an update of the same batch waits for one: the
    handled updates are confirmed to Telegram (not handled again after a restart); the
    waiting one is not, and the restarted bot handles it."""
    bot_process.env["TELEGRAM_REQUEST_TIMEOUT"] = "60"
    await start_and_wait(bot_process, fake)
    chats = list(range(9341, 9341 + POLLING_CONCURRENCY + 1))
    questions = await asyncio.gather(*(open_dialog(fake, chat, "en") for chat in chats))
    edits = {chat: len(question.history) for chat, question in zip(chats, questions, strict=True)}
    *busy, (last_chat, last_question) = zip(chats, questions, strict=True)
    faults = [fake.hold("editMessageText", chat_id=chat, store=False) for chat, _ in busy]
    # All pressed at once: one getUpdates batch, whose last update finds no free slot.
    presses = [fake.press(chat, q, data_for(q, "where", "285")) for chat, q in busy]
    waiting = fake.press(last_chat, last_question, data_for(last_question, "where", "285"))
    held = [await fake.held_event(fault) for fault in faults]
    [record] = [u for u in fake.updates() if u.update_id == waiting["update_id"]]
    assert record.deliveries == 1
    sent = {chat: fake.sent_count(chat) for chat in chats}

    stopping = asyncio.create_task(bot_process.stop())
    await fake.wait_until(
        lambda: f"finishing {POLLING_CONCURRENCY} in-flight update(s)" in bot_process.log(),
        poll=0.05,
    )
    for request in held:
        request.release()
    assert await stopping == 0
    handled = {u.update_id: u for u in fake.updates()}
    assert all(handled[p["update_id"]].confirmed for p in presses)
    assert not record.confirmed  # fetched but never started: Telegram sends it again

    await start_and_wait(bot_process, fake)
    await fake.wait_until(
        lambda: (
            len(fake.message(last_chat, last_question.message_id).history) == edits[last_chat] + 1
        )
    )
    await fake.wait_confirmed(waiting)
    for chat, question in busy:  # handled once: no second edit, no stale-button notice
        assert len(fake.message(chat, question.message_id).history) == edits[chat] + 1
        assert fake.sent_count(chat) == sent[chat]


async def test_stale_button_shows_the_current_question_again(
    fake: FakeTelegram, running_bot: BotProcess
) -> None:
    first = await open_dialog(fake, 9401, "en")
    first = await press(fake, 9401, first, "where", "skip")  # now at "ages"
    old_data = data_for(first, "ages", "3-5")
    fake.send_command(9401, "/find")  # resumes as a second message
    second = await fake.wait_message(9401)
    second = await press(fake, 9401, second, "ages", "1-2")
    before = fake.sent_count(9401)
    update = fake.press(9401, first, old_data)  # a button whose token is now stale
    answer = await fake.wait_callback_answer(update["callback_query"]["id"])
    assert answer.text  # a short, kind notice
    again = await fake.wait_message(9401, after=before)
    assert any(d.startswith("needs:ages:") for d in again.callback_data)
    # The stale press changed nothing: 1-2 is still the only age chosen.
    assert sum("✓" in b["text"] for b in again.buttons) == 1


async def test_urgent_shows_helplines_first(fake: FakeTelegram, running_bot: BotProcess) -> None:
    question = await open_dialog(fake, 9501, "ar")
    question = await press(fake, 9501, question, "where", "skip")
    question = await press(fake, 9501, question, "ages", "skip")
    before = fake.sent_count(9501)
    question = await press(fake, 9501, question, "help", "urgent")
    # The question turned into 112 and the helplines at once...
    assert question.text is not None
    assert "112" in question.text
    assert "080 005 005" in question.text
    # ...and the question follows below, so the family can go on.
    again = await fake.wait_message(9501, after=before)
    assert any(d.startswith("needs:help:") for d in again.callback_data)


def button_text(message: BotMessage, node: str, choice: str) -> str:
    """The label of the dialog button ``choice`` of ``node`` on ``message``."""
    data = data_for(message, node, choice)
    return next(str(b["text"]) for b in message.buttons if b.get("callback_data") == data)


SKIP_LABELS = {
    # (a question about the family's own life, the yes/no question about free services)
    "fi": ("En halua kertoa", "Ohita"),
    "en": ("I'd rather not say", "Skip"),
    "ar": ("أفضّل ألّا أقول", "تخطَّ السؤال"),
}


@pytest.mark.parametrize(("chat", "language"), [(9601, "fi"), (9602, "en"), (9603, "ar")])
async def test_skip_says_skip_on_a_yes_no_question_and_progress_holds(
    fake: FakeTelegram, running_bot: BotProcess, chat: int, language: str
) -> None:
    private, plain = SKIP_LABELS[language]
    question = await open_dialog(fake, chat, language)
    assert button_text(question, "where", "skip") == private
    question = await press(fake, chat, question, "where", "skip")
    question = await press(fake, chat, question, "ages", "skip")
    assert button_text(question, "help", "skip") == private
    question = await press(fake, chat, question, "help", "money")
    question = await press(fake, chat, question, "help", "done")
    # "Show only free services?" is a plain yes/no: its skip button says "Skip".
    assert button_text(question, "free", "skip") == plain
    assert question.text is not None
    # Question 4, and exactly 5 in all now that the way ahead is known.
    first_line = question.text.split("\n")[0]
    assert "4" in first_line
    assert "5" in first_line
    question = await press(fake, chat, question, "free", "skip")
    assert question.text is not None
    last = {"fi": "Viimeinen kysymys (5/5)", "en": "Last question (5 of 5)"}
    last["ar"] = "السؤال الأخير (5 من 5)"
    assert question.text.startswith(last[language])


FREE_CATALOGUE = """
organizations:
  - id: test-org
    name: {fi: Testi, en: Test, ar: اختبار}
    domains: [example.org]
services:
"""
FREE_SERVICE = """
  - id: {id}
    organization: test-org
    name: {{fi: {name} fi, en: {name}, ar: {name} ar}}
    summary: {{fi: Palvelu., en: A service., ar: خدمة.}}
    needs: [{need}]
    service_classes: ["{service_class}"]
    municipalities: ["{municipality}"]
    languages: [fi]
    access: [call]
    contacts: {{phone: "{phone}"{always}}}
    sources: [{{url: "https://example.org/{id}", kind: organiser}}]
    checked: "2026-11-01"
"""


def free_catalogue(path: Path) -> Path:
    """Kotka: money advice that costs and money advice that is free; Hamina: only advice that
    costs; everywhere: a crisis line whose cost is not given."""
    services = [
        ("kotka-paid", "Paid advice", "money-benefits", "P4.10", "285", "fee"),
        ("kotka-free", "Free advice", "money-benefits", "P4.10", "285", "free"),
        ("hamina-paid", "Hamina advice", "money-benefits", "P4.10", "075", "income-based"),
        ("crisis-line", "Crisis line", "crisis-urgent", "P5.5", "nationwide", None),
    ]
    text = FREE_CATALOGUE
    for number, (ident, name, need, service_class, municipality, cost) in enumerate(services):
        crisis = need == "crisis-urgent"
        text += FREE_SERVICE.format(
            id=ident,
            name=name,
            need=need,
            service_class=service_class,
            municipality=municipality,
            phone=f"+35840123456{number}",
            always=", phone_always: true" if crisis else "",
        )
        if cost is not None:
            text += f"    cost: {cost}\n"
    path.mkdir()
    (path / "test.yaml").write_text(text, encoding="utf-8")
    return path


async def answer_free_yes(
    fake: FakeTelegram, chat: int, municipality: str, urgent: bool
) -> list[BotMessage]:
    """Money (and something urgent), free services only: the messages after the last answer."""
    question = await open_dialog(fake, chat, "en")
    question = await press(fake, chat, question, "where", municipality)
    question = await press(fake, chat, question, "ages", "skip")
    question = await press(fake, chat, question, "help", "money")
    if urgent:
        before = fake.sent_count(chat)
        await press(fake, chat, question, "help", "urgent")  # 112 and the helplines at once
        question = await fake.wait_message(chat, after=before)
    question = await press(fake, chat, question, "help", "done")
    question = await press(fake, chat, question, "free", "yes")
    return await results_after(fake, chat, question, "skip")


def card_names(messages: list[BotMessage]) -> list[str]:
    """The first line of each service card, its name, without markup."""
    return [
        re.sub(r"<[^>]+>", "", (m.text or "").split("\n")[0])
        for m in messages
        if m.params.get("parse_mode") == "HTML"
    ]


async def test_free_only_filters_keeps_the_crisis_line_and_says_when_nothing_is_free(
    fake: FakeTelegram, bot_env: dict[str, str], bot_process: BotProcess, tmp_path: Path
) -> None:
    bot_env["CATALOG_PATH"] = str(free_catalogue(tmp_path / "catalog"))
    await start_and_wait(bot_process, fake)

    heading, *rest = await answer_free_yes(fake, 9701, "285", urgent=True)
    assert heading.text is not None
    # Only the free advice and the crisis line (its cost unknown): the paid advice is hidden.
    assert card_names(rest) == ["Crisis line", "Free advice"]
    assert heading.text == (
        "I found 2 services that could help your family. The best matches come first.\n\n"
        "As you asked, only free services are shown. The emergency number and crisis helplines "
        "are always shown. One more service fits your answers, but it may cost something. "
        "To see it too, start over and answer “No” to the question about free services."
    )

    # Hamina has no free money advice: said plainly, and the advice that costs is shown.
    heading, *rest = await answer_free_yes(fake, 9702, "075", urgent=False)
    assert heading.text == (
        "I found one service that could help your family.\n\n"
        "No free service fits your answers, so here is the one that does. "
        "It may cost something."
    )
    assert card_names(rest) == ["Hamina advice"]
