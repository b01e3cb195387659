"""``valo-bot demo`` as a child process for the tests: start it, read its address, stop it."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import urllib.request
from pathlib import Path
from typing import Any

from tests.conftest import LAUNCHER, REPO

DATA_FOLDERS = ("dialogs", "locales", "services_catalog")
STOP_TIMEOUT = 15.0

# What a production host's environment might hold: each would fail or leak if the demo used it.
HOSTILE_ENV = {
    "BOT_TOKEN": "123456789:AAE-the-real-production-token",
    "DATABASE_URL": "postgresql+asyncpg://families@127.0.0.1:1/production",
    "TELEGRAM_API_BASE": "http://127.0.0.1:1",
    "REDIS_URL": "redis://127.0.0.1:1/0",
    "STAFF_IDS": "not-a-number",
}


def copy_data(home: Path) -> Path:
    """A private copy of the data folders, for tests that edit them under --watch."""
    for folder in DATA_FOLDERS:
        shutil.copytree(REPO / folder, home / folder)
    return home


class Demo:
    """A running ``valo-bot demo --port 0``; ``url`` is the page's address."""

    def __init__(self, cwd: Path, *args: str, env: dict[str, str] | None = None) -> None:
        self.cwd = cwd
        self.log_path = cwd / "demo.log"
        base = {k: v for k, v in os.environ.items() if not k.startswith(("VALO_", "CI"))}
        self._log = self.log_path.open("wb")
        # Forked from the session's launcher, which has the bot imported (see tests.cli_run).
        reader, writer = os.pipe()
        try:
            with open(os.devnull, "rb") as null:
                self.proc = LAUNCHER.spawn(
                    ["demo", "--port", "0", *args],
                    env={**base, **(env or {}), "PYTHONUNBUFFERED": "1"},
                    cwd=cwd,
                    stdin=null.fileno(),
                    stdout=writer,
                    stderr=self._log.fileno(),
                )
        finally:
            os.close(writer)  # the demo holds the only writer: its end is our EOF
        self.stdout = os.fdopen(reader, "rb")
        # The first line names the address; the process ends (EOF) if it cannot start.
        line = self.stdout.readline().decode()
        if "http://" not in line:
            self.stop()
            raise AssertionError(f"the demo did not start: {line}\n{self.log()}")
        self.url = line[line.index("http://") :].split()[0]

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def api(self, path: str, body: dict[str, Any] | None = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            self.url + path.lstrip("/"), data=data, headers={"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read())

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                raise AssertionError(f"the demo did not stop on SIGTERM:\n{self.log()}") from None
        self.stdout.close()
        self._log.close()
        return self.proc.returncode
