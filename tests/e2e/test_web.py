"""``valo-bot web``: two webhook replicas behind the fake server, which delivers to both in turn."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from bot.emulator.telegram import FakeTelegram
from tests.e2e.conftest import BotProcess, eventually
from tests.e2e.test_dialog import open_dialog, press

SECRET = "test-secret_0123456789"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


async def wait_healthy(process: BotProcess, base: str, timeout: float = 60.0) -> None:
    """Poll /healthz until it answers 200 (the replica migrated and listens)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    async with aiohttp.ClientSession() as client:
        while True:
            try:
                async with client.get(f"{base}/healthz") as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            if loop.time() > deadline:
                raise AssertionError(f"web replica never became healthy:\n{process.log()}")
            await asyncio.sleep(0.1)  # polling a starting process, bounded by the deadline


@pytest.fixture
async def replicas(
    fake: FakeTelegram, bot_env: dict[str, str], tmp_path: Path
) -> AsyncIterator[list[str]]:
    """Two started web replicas; yields their webhook URLs (already given to the fake)."""
    processes: list[BotProcess] = []
    urls: list[str] = []
    for n in range(2):
        port = free_port()
        env = {**bot_env, "WEB_HOST": "127.0.0.1", "WEB_PORT": str(port)}
        env["WEBHOOK_SECRET"] = SECRET
        env.pop("WEBHOOK_URL", None)  # the test registers both URLs itself
        process = BotProcess(env, tmp_path / f"web{n}.log", role="web")
        processes.append(process)
        await process.start()
        urls.append(f"http://127.0.0.1:{port}")
    try:
        for process, base in zip(processes, urls, strict=True):
            await wait_healthy(process, base)
        fake.webhook_secret = SECRET
        fake.webhook_urls = [f"{base}/webhook" for base in urls]
        yield urls
        for process in processes:
            assert await process.stop() == 0, process.log()
    finally:
        for process in processes:
            if process.proc is not None:
                await process.kill()
            print(process.log())


async def test_two_replicas_share_state_and_handle_each_update_once(
    fake: FakeTelegram, replicas: list[str], redis_url: str | None
) -> None:
    chat = 9701
    question = await open_dialog(fake, chat, "en")
    # The same button twice in a row, fast: the second press is stale, whichever replica
    # gets it; the dialog moved on exactly once.
    edits = len(question.history)
    data = next(d for d in question.callback_data if d.startswith("needs:where:285:"))
    first = fake.press(chat, question, data)
    second = fake.press(chat, question, data)
    for update in (first, second):
        await fake.wait_confirmed(update, timeout=15.0)
    for query in (first, second):
        await fake.wait_callback_answer(query["callback_query"]["id"])
    after = fake.message(chat, question.message_id)
    assert len(after.history) == edits + 1, after.history
    assert any(d.startswith("needs:ages:") for d in after.callback_data), after.callback_data

    # On through the dialog with updates alternating between replicas: the state is shared.
    question = await press(fake, chat, after, "ages", "1-2")
    question = await press(fake, chat, question, "ages", "done")
    question = await press(fake, chat, question, "help", "daycare")
    question = await press(fake, chat, question, "help", "done")
    question = await press(fake, chat, question, "languages", "ar")
    before = fake.sent_count(chat)
    await press(fake, chat, question, "languages", "done")
    await fake.wait_until(
        lambda: any(
            "needs:results:restart" in d
            for m in fake.messages(chat)[before:]
            for d in m.callback_data
        )
    )

    ok = [d for d in fake.webhook_deliveries if d.status == 200]
    assert {d.url for d in ok} == set(fake.webhook_urls), "both replicas took updates"
    handled = [d.update_id for d in ok]
    assert len(handled) == len(set(handled)), "an update was delivered twice"
    assert all(r.deliveries == 1 for r in fake.updates())
    assert all(d.secret_sent == SECRET for d in fake.webhook_deliveries)
    del redis_url  # the same assertions hold with and without Redis


async def test_a_duplicate_update_id_is_dropped(
    fake: FakeTelegram, replicas: list[str], redis_url: str | None
) -> None:
    chat = 9702
    await open_dialog(fake, chat, "en")
    original = fake.updates()[-1]
    await fake.wait_confirmed(original.update_id)
    [handled_by] = [
        d.url
        for d in fake.webhook_deliveries
        if d.update_id == original.update_id and d.status == 200
    ]
    # Without Redis each replica remembers its own updates; with Redis every replica knows.
    targets = fake.webhook_urls if redis_url else [handled_by]
    for url in targets:
        fake.webhook_urls = [url]
        sends = len(fake.calls("sendMessage"))
        again = fake.enqueue_raw(original.payload, keep_id=True)
        assert again["update_id"] == original.update_id
        record = await fake.wait_confirmed(again, timeout=15.0)
        assert record.confirmed
        assert len(fake.calls("sendMessage")) == sends, "the duplicate was handled again"
    assert fake.sent_count(chat) == 1


@pytest.mark.parametrize("header", [None, "wrong-secret", SECRET + "x", ""])
async def test_missing_or_wrong_secret_is_refused(
    fake: FakeTelegram, replicas: list[str], header: str | None
) -> None:
    update = {
        "update_id": 424242,
        "message": {
            "message_id": 1,
            "date": 0,
            "chat": {"id": 9703, "type": "private"},
            "from": {"id": 9703, "is_bot": False, "first_name": "x"},
            "text": "/start",
        },
    }
    headers = {} if header is None else {"X-Telegram-Bot-Api-Secret-Token": header}
    async with aiohttp.ClientSession() as client:
        for base in replicas:
            async with client.post(f"{base}/webhook", json=update, headers=headers) as response:
                assert response.status == 401
            async with client.get(f"{base}/readyz") as response:
                assert response.status == 200, await response.text()
            async with client.get(f"{base}/metrics") as response:
                assert response.status == 200
                assert "valo_updates_total" in await response.text()
    assert fake.sent_count(9703) == 0


async def test_a_malformed_update_is_answered_and_a_broken_body_refused(
    fake: FakeTelegram, replicas: list[str]
) -> None:
    chat = 9704
    fake.user(chat, language_code="ar").has_written = True  # as if by this very update
    # chat.type missing: aiogram's Update model refuses it; the family is answered anyway.
    malformed = {
        "update_id": 525252,
        "message": {
            "message_id": 1,
            "date": 0,
            "chat": {"id": chat},
            "from": {"id": chat, "language_code": "ar"},
            "text": "hello",
        },
    }
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
    async with aiohttp.ClientSession() as client:
        base = replicas[0]
        async with client.post(f"{base}/webhook", json=malformed, headers=headers) as response:
            assert response.status == 200
        async with client.post(f"{base}/webhook", data=b"{not json", headers=headers) as response:
            assert response.status == 400
        hopeless = {"message": {"date": "yesterday"}}  # no update_id: dropped, not retried
        async with client.post(f"{base}/webhook", json=hopeless, headers=headers) as response:
            assert response.status == 200
    answer = await fake.wait_message(chat)
    assert answer.text is not None
    assert answer.text.startswith("عذرًا، أفهم الأزرار فقط")
    assert fake.sent_count(chat) == 1


async def test_a_secret_header_that_is_not_utf8_is_refused_cleanly(replicas: list[str]) -> None:
    # HTTP allows any byte in a header value; aiohttp keeps the undecodable ones as surrogates,
    # and encoding those back to compare them raised (a 500 and a traceback in the log).
    base = replicas[0]
    host, port = base.removeprefix("http://").split(":")
    body = b'{"update_id": 434343}'
    reader, writer = await asyncio.open_connection(host, int(port))
    try:
        writer.write(
            b"POST /webhook HTTP/1.1\r\nHost: " + host.encode() + b"\r\n"
            b"X-Telegram-Bot-Api-Secret-Token: " + SECRET.encode() + b"\xff\xfe\r\n"
            b"Content-Type: application/json\r\nConnection: close\r\n"
            b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body
        )
        await writer.drain()
        status_line = await asyncio.wait_for(reader.readline(), 10.0)
    finally:
        writer.close()
    assert status_line.split()[1] == b"401", status_line


async def test_an_update_of_an_unknown_kind_is_acknowledged_and_counted(
    fake: FakeTelegram, replicas: list[str]
) -> None:
    # No event at all (or one Telegram added after this aiogram): answering 500 made Telegram
    # redeliver it for ever.
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
    base = replicas[0]
    async with aiohttp.ClientSession() as client:
        for update_id, extra in ((626261, {}), (626262, {"some_future_kind": {"id": 1}})):
            update = {"update_id": update_id, **extra}
            async with client.post(f"{base}/webhook", json=update, headers=headers) as response:
                assert response.status == 200, await response.text()
        async with client.get(f"{base}/metrics") as response:
            metrics = await response.text()
    assert 'valo_updates_total{outcome="ignored",type="unknown"} 2.0' in metrics
    assert fake.calls("sendMessage") == []


async def test_replicas_serve_the_path_of_webhook_url_and_one_registers_it(
    fake: FakeTelegram, bot_env: dict[str, str], tmp_path: Path
) -> None:
    # Compose gives every replica the same WEBHOOK_URL; the one with WEBHOOK_REGISTER=false
    # served /webhook while the proxy forwarded /tg/hook-abc.
    ports = [free_port(), free_port()]
    url = f"http://127.0.0.1:{ports[0]}/tg/hook-abc"
    processes = []
    for n, port in enumerate(ports):
        env = {**bot_env, "WEB_HOST": "127.0.0.1", "WEB_PORT": str(port), "WEBHOOK_URL": url}
        env.update(WEBHOOK_SECRET=SECRET, WEBHOOK_REGISTER="true" if n == 0 else "false")
        processes.append(BotProcess(env, tmp_path / f"web{n}.log", role="web"))
    chat = 9705
    fake.user(chat, language_code="en").has_written = True
    update = {
        "update_id": 727272,
        "message": {
            "message_id": 1,
            "date": 0,
            "chat": {"id": chat, "type": "private"},
            "from": {"id": chat, "is_bot": False, "first_name": "x", "language_code": "en"},
            "text": "/start",
        },
    }
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
    try:
        for process, port in zip(processes, ports, strict=True):
            await process.start()
            await wait_healthy(process, f"http://127.0.0.1:{port}")
        await eventually(lambda: _registered(fake), 30.0, "never registered", *processes)
        base = f"http://127.0.0.1:{ports[1]}"
        async with aiohttp.ClientSession() as client:
            async with client.post(f"{base}/webhook", json=update, headers=headers) as response:
                assert response.status == 404
            async with client.post(f"{base}/tg/hook-abc", json=update, headers=headers) as answer:
                assert answer.status == 200, await answer.text()
        await fake.wait_message(chat)
        assert [c.params.get("url") for c in fake.calls("setWebhook")] == [url]
        for process in processes:
            assert await process.stop() == 0, process.log()
    finally:
        for process in processes:
            if process.proc is not None:
                await process.kill()


async def _registered(fake: FakeTelegram) -> bool:
    return bool(fake.calls("setWebhook"))
