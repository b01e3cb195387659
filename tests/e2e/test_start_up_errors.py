"""End-to-end: `valo-bot run` that cannot start ends in one line and the right exit code.

Each case used to end in a 40-190-line traceback. The process is the real one (forked from
the launcher, as every e2e bot); its log is stdout and stderr together, so the last line is
the message and no line may be a traceback's.
"""

from __future__ import annotations

import os
import signal
import socket

from bot.emulator.telegram import FakeTelegram
from tests.e2e.conftest import BotProcess

START_TIMEOUT = 60.0


async def ended(process: BotProcess) -> tuple[int, list[str]]:
    """Wait for the bot to exit on its own; its exit code and its log lines."""
    assert process.proc is not None
    proc, process.proc = process.proc, None
    code = await proc.wait()
    log = process.log()
    assert "Traceback" not in log, log
    return code, log.strip().splitlines()


def unused_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port  # closed again: nothing listens there


async def test_a_token_telegram_refuses_exits_2(
    fake: FakeTelegram, bot_process: BotProcess
) -> None:
    fake.fail_5xx(401, description="Unauthorized", times=None, methods="*")
    await bot_process.start()
    code, lines = await ended(bot_process)
    assert code == 2
    assert lines[-1] == (
        "valo-bot run: Telegram refused BOT_TOKEN (401 Unauthorized): it is wrong or was "
        "revoked; get the current one from @BotFather (/token)"
    )


async def test_unreachable_telegram_exits_1_naming_the_address(
    bot_process: BotProcess,
) -> None:
    port = unused_port()
    bot_process.env["TELEGRAM_API_BASE"] = f"http://127.0.0.1:{port}"
    await bot_process.start()
    code, lines = await ended(bot_process)
    assert code == 1
    assert lines[-1].startswith("valo-bot run: cannot reach Telegram's Bot API (")
    assert f"127.0.0.1:{port}" in lines[-1]
    assert lines[-1].endswith("check the network, DNS and TELEGRAM_API_BASE")


async def test_an_empty_token_is_a_missing_token(bot_process: BotProcess) -> None:
    bot_process.env["BOT_TOKEN"] = ""
    await bot_process.start()
    code, lines = await ended(bot_process)
    assert code == 2
    assert lines[-1].startswith("valo-bot: BOT_TOKEN is not set: create a bot with @BotFather")


async def test_ctrl_c_during_start_up_exits_130_in_one_line(
    fake: FakeTelegram, bot_process: BotProcess
) -> None:
    held = fake.hold("setMyCommands", store=False)  # start-up is parked at its first call
    await bot_process.start()
    assert bot_process.proc is not None
    await fake.wait_until(lambda: held.held, START_TIMEOUT)
    os.kill(bot_process.proc.pid, signal.SIGINT)
    code, lines = await ended(bot_process)
    assert code == 130
    assert lines[-1] == "valo-bot run: interrupted"
