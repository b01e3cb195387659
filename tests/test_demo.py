"""``valo-bot demo`` without a browser: its own settings only, loopback only, the clock."""

from __future__ import annotations

import os
import socket
import time
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.demo.host import check_host
from bot.demo.server import PERSONAS, DemoClock, demo_settings
from tests.cli_run import CliRun
from tests.conftest import REPO
from tests.demo_support import HOSTILE_ENV, Demo

EMMA = next(p.user_id for p in PERSONAS if p.locale == "en" and not p.staff)


def wait_for(demo: Demo, user: int, predicate: str, timeout: float = 20.0) -> dict[str, object]:
    """Long-poll the page's state until some message text contains ``predicate``."""
    deadline = time.monotonic() + timeout
    state = demo.api(f"/api/state/{user}")
    while not any(predicate in m.get("text", "") for m in state["messages"]):
        if time.monotonic() > deadline:
            raise AssertionError(f"no {predicate!r} in {state['messages']}\n{demo.log()}")
        state = demo.api(f"/api/state/{user}?since={state['version']}")  # waits for a change
    return dict(state)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    """One demo for the module, started where a production host's settings are: in the
    environment and in ``.env`` of the current directory."""
    cwd = tmp_path_factory.mktemp("production-host")
    (cwd / ".env").write_text("".join(f"{k}={v}\n" for k, v in HOSTILE_ENV.items()))
    running = Demo(cwd, "--home", str(REPO), env=HOSTILE_ENV)
    yield running
    assert running.stop() == 0, running.log()
    assert "127.0.0.1:1" not in running.log()


def test_demo_ignores_the_environment_and_dotenv(demo: Demo) -> None:
    """On a production host, the real token, database and API base are all ignored: the bot
    answers through the emulator, from a throwaway database."""
    demo.api("/api/send", {"user": EMMA, "text": "/start"})
    wait_for(demo, EMMA, "Hello! I am Valo.")
    # Not in the current directory, where DATABASE_URL's default would put it.
    assert not (demo.cwd / "data").exists()


def button(state: dict[str, object], prefix: str) -> tuple[int, str]:
    """The newest message's button whose callback data starts with ``prefix``."""
    messages = state["messages"]
    assert isinstance(messages, list)
    for message in reversed(messages):
        for row in message.get("buttons", []):
            for b in row:
                if str(b.get("callback_data", "")).startswith(prefix):
                    return int(message["id"]), str(b["callback_data"])
    raise AssertionError(f"no button {prefix!r} in {messages}")


def press(demo: Demo, message_id: int, data: str) -> None:
    demo.api("/api/press", {"user": EMMA, "message_id": message_id, "data": data})


def test_fast_forward_brings_a_reminder_and_the_calendar_file_downloads(demo: Demo) -> None:
    """A family asks to be reminded the day before a weekly event; fast-forwarding the
    worker's clock past that moment brings the reminder (the real catalogue's weekly event)."""
    demo.api("/api/send", {"user": EMMA, "text": "/events"})
    state = wait_for(demo, EMMA, "Events near Kouvola")
    press(demo, *button(state, "evo:"))
    state = wait_for(demo, EMMA, "When:")
    press(demo, *button(state, "evc:"))
    state = wait_for(demo, EMMA, "add the event to your calendar")
    [document] = [m["document"] for m in state["messages"] if "document" in m]  # type: ignore[union-attr]
    with urllib.request.urlopen(demo.url + f"api/file/{document['file_id']}") as response:
        assert response.headers["Content-Disposition"].endswith('.ics"')
        assert response.read().startswith(b"BEGIN:VCALENDAR")
    press(demo, *button(state, "evr:"))
    state = wait_for(demo, EMMA, "Next time:")
    message_id, once = button(state, "evr:")
    assert not once.endswith(":series:-")
    press(demo, message_id, once)
    state = wait_for(demo, EMMA, "When should I remind you?")
    press(demo, *button(state, once[:-1] + "d"))  # the day before
    wait_for(demo, EMMA, "I will remind you")
    # A week ahead at most; the reminder is due the evening before the event. Each step
    # returns after the worker's sweep at the new time, so no step can jump past the event.
    for _ in range(14):
        demo.api("/api/clock", {"hours": 12})
        state = demo.api(f"/api/state/{EMMA}")
        if any("Reminder: tomorrow is" in m.get("text", "") for m in state["messages"]):
            break
    else:
        raise AssertionError(f"no reminder within a week: {state['messages']}\n{demo.log()}")


def test_a_non_loopback_host_is_refused_with_one_line(tmp_path: Path) -> None:
    run = CliRun(["demo", "--host", "0.0.0.0", "--port", "0"], dict(os.environ), tmp_path)
    done = run.result(60)
    assert done.returncode == 2
    assert done.stdout == ""
    [line] = done.stderr.splitlines()
    assert line.startswith("valo-bot demo: refusing to listen on 0.0.0.0:")
    assert "--allow-remote" in line


def test_a_taken_port_is_one_line(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = CliRun(["demo", "--port", str(port)], dict(os.environ), tmp_path).result(60)
    assert done.returncode == 2
    [line] = done.stderr.splitlines()
    assert line.startswith(f"valo-bot demo: cannot listen on 127.0.0.1:{port}: ")
    assert line.endswith("; try another --port")


def test_host_check() -> None:
    for host in ("127.0.0.1", "::1", "localhost", "127.0.0.2"):
        assert check_host(host, allow_remote=False) is None
    for host in ("0.0.0.0", "192.168.1.10", "::", "example.org"):
        assert check_host(host, allow_remote=False) is not None
        assert check_host(host, allow_remote=True) is None


def test_demo_settings_are_its_own(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in HOSTILE_ENV.items():
        monkeypatch.setenv(key, value)
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text("".join(f"{k}={v}\n" for k, v in HOSTILE_ENV.items()))
    settings = demo_settings("http://127.0.0.1:5555", tmp_path, REPO)
    assert settings.telegram_api_base == "http://127.0.0.1:5555"
    assert settings.database_url == f"sqlite+aiosqlite:///{tmp_path / 'demo.db'}"
    assert settings.redis_url is None
    assert settings.bot_token is not None
    assert settings.bot_token.get_secret_value() != HOSTILE_ENV["BOT_TOKEN"]
    assert settings.staff_ids == frozenset(p.user_id for p in PERSONAS if p.staff)


def test_fast_forward_moves_only_the_demo_clock() -> None:
    real = datetime(2027, 3, 1, 10, 0, tzinfo=UTC)
    clock = DemoClock(lambda: real)
    assert clock.now() == real
    assert clock.advance(timedelta(days=1)) == real + timedelta(days=1)
    assert clock.now() == real + timedelta(days=1)
