"""Settings for an app built inside the test process, talking to the test's fake Bot API."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bot.config import Settings
from bot.emulator.telegram import TEST_TOKEN, FakeTelegram


def in_process_settings(
    fake: FakeTelegram,
    database_url: str,
    redis_url: str | None,
    tmp_path: Path,
    **overrides: Any,
) -> Settings:
    """No .env, the fake's token and address, the run's backends, and no catalogue (the
    dialog's first question needs none), with ``overrides`` on top."""
    values: dict[str, Any] = {
        "bot_token": TEST_TOKEN,
        "telegram_api_base": fake.base_url,
        "database_url": database_url,
        "redis_url": redis_url,
        "catalog_path": tmp_path / "no-catalogue",
        **overrides,
    }
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]
