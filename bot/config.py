"""Settings from environment variables and `.env` (see the README's settings table)."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, PrivateAttr, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError

Locale = Literal["fi", "en", "ar"]
SUPPORTED_LOCALES: tuple[Locale, ...] = ("fi", "en", "ar")

TELEGRAM_OFFICIAL_API = "https://api.telegram.org"
LOCALES_PATH = Path("locales")  # relative to the data home, like CATALOG_PATH (data_home)

# The folders a data home holds; the current directory is one when it has any of them.
DATA_FOLDERS = ("locales", "dialogs", "services_catalog")
# Where the package runs from in a source checkout (an editable install): its data is there.
SOURCE_ROOT = Path(__file__).resolve().parent.parent


def data_home(valo_home: Path | None = None) -> Path | None:
    """The folder relative data paths are read from; None means the current directory.

    VALO_HOME when set; else the current directory when it holds a data folder (a deployment,
    the Docker image's /app); else the source checkout the package runs from, so commands
    work from any folder of a developer's machine; else the current directory.
    """
    if valo_home is not None:
        return valo_home.expanduser()
    cwd = Path.cwd()
    if any((cwd / folder).is_dir() for folder in DATA_FOLDERS):
        return None
    if (SOURCE_ROOT / "pyproject.toml").is_file() and (SOURCE_ROOT / "locales").is_dir():
        return SOURCE_ROOT
    return None


def in_home(path: Path, home: Path | None) -> Path:
    """``path`` resolved against the data home (kept as given when absolute or home is cwd)."""
    return path if home is None or path.is_absolute() else home / path


# The form of a token from @BotFather (aiogram's own check): the bot's numeric id, a colon, a
# secret without spaces. Checked here so `valo-bot check` catches a pasted half-token too.
TOKEN_FORM = re.compile(r"\d+:\S+")

# The package an async database driver comes from, and the extra of ours that installs it.
DRIVER_EXTRAS = {"asyncpg": "postgres"}


def install_hint(extra: str) -> str:
    return f"pip install -e '.[{extra}]'"


# Database connections a process may open beyond DATABASE_POOL_SIZE at a peak.
DATABASE_POOL_OVERFLOW = 10


class Settings(BaseSettings):
    """Every knob of the bot. Names match the environment variables (case-insensitive)."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    # Where relative CATALOG_PATH, DIALOGS_PATH, locales/ and a relative SQLite path are read
    # from (see data_home); unset: found as the README's "Data files" says.
    valo_home: Path | None = None
    _locales_path: Path = PrivateAttr(default=LOCALES_PATH)

    bot_token: SecretStr | None = None
    telegram_api_base: str = TELEGRAM_OFFICIAL_API
    telegram_request_timeout: float = Field(default=30.0, gt=0)

    database_url: str = "sqlite+aiosqlite:///./data/valo.db"
    # Database connections each bot process keeps open (and up to DATABASE_POOL_OVERFLOW
    # more at a peak, closed when returned). SQLAlchemy's 5 was far below the updates a
    # replica handles at once: connections were opened and closed all the time, a PostgreSQL
    # connect costing more CPU than the dialog step. Mind PostgreSQL's max_connections:
    # (this + overflow) per process.
    database_pool_size: int = Field(default=20, ge=1, le=500)
    redis_url: str | None = None

    catalog_path: Path = Path("services_catalog")
    dialogs_path: Path = Path("dialogs")
    staff_ids: Annotated[frozenset[int], NoDecode] = frozenset()
    timezone: str = "Europe/Helsinki"
    default_locale: Locale = "fi"

    broadcast_rate: float = Field(default=25.0, gt=0)
    per_chat_interval: float = Field(default=1.0, ge=0)
    # Bulk sends in flight at once. At BROADCAST_RATE=25 and Telegram's answer time of about
    # 0.2-0.6 s, 8 would only just keep up; 16 leaves room. A crash leaves at most this many
    # rows `unknown` (DESIGN.md: unknown only if in flight).
    send_concurrency: int = Field(default=16, ge=1, le=100)
    sweep_interval: float = Field(default=5.0, gt=0)
    worker_lease_seconds: float = Field(default=30.0, gt=0)
    retention_days: int = Field(default=30, ge=1)
    # A family that has sent Valo nothing (no message, command or button press) for this many
    # days is erased as /delete would; 0 keeps everyone until they /delete.
    inactive_retention_days: int = Field(default=365, ge=0)

    # Flood control for a single user: at most THROTTLE_RATE updates per THROTTLE_WINDOW seconds.
    throttle_rate: int = Field(default=20, ge=1)
    throttle_window: float = Field(default=10.0, gt=0)

    log_format: Literal["text", "json"] = "text"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = "INFO"

    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    # False on all but one `web` replica: each serves WEBHOOK_URL's path, one registers it.
    webhook_register: bool = True
    web_host: str = "0.0.0.0"
    web_port: int = Field(default=8080, ge=1, le=65535)
    # /metrics for `worker` and `run` (the web role serves it on WEB_PORT); off when unset.
    metrics_port: int | None = Field(default=None, ge=1, le=65535)
    # How long a handled update_id is remembered, so a redelivery by Telegram is dropped.
    update_dedup_seconds: int = Field(default=86400, ge=60)

    # PTV (Suomi.fi service catalogue) live sync: `valo-bot catalog sync ptv` and the nightly
    # job (README "Catalogue"). Empty municipalities: the region's 15 (bot/vocab/regions.json).
    ptv_api_base: str = "https://api.palvelutietovaranto.suomi.fi"
    ptv_sync_municipalities: Annotated[tuple[str, ...], NoDecode] = ()
    ptv_sync_organizations: Annotated[tuple[str, ...], NoDecode] = ()
    ptv_sync_at: str = ""  # local "HH:MM" of the nightly sync; empty: no nightly sync
    ptv_sync_alert_after: int = Field(default=3, ge=1)
    ptv_sync_concurrency: int = Field(default=4, ge=1, le=16)
    ptv_sync_request_timeout: float = Field(default=30.0, gt=0)
    ptv_sync_time_budget: float = Field(default=1800.0, gt=0)
    ptv_sync_retries: int = Field(default=5, ge=0, le=20)
    ptv_sync_backoff: float = Field(default=1.0, ge=0)  # first retry wait; doubles, jittered
    # A URL or e-mail address PTV's operators can reach the bot's operator at (User-Agent).
    ptv_sync_contact: str = ""

    @field_validator("ptv_sync_municipalities", "ptv_sync_organizations", mode="before")
    @classmethod
    def _comma_list(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(p.strip().lower() for p in value.split(",") if p.strip())
        return value

    @field_validator("ptv_sync_municipalities")
    @classmethod
    def _check_municipalities(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for code in value:
            if not re.fullmatch(r"\d{3}", code):
                raise ValueError(f"{code!r} is not a municipality code (three digits, e.g. 285)")
        return value

    @field_validator("ptv_sync_organizations")
    @classmethod
    def _check_organizations(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for org in value:
            if not re.fullmatch(
                r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", org
            ):
                raise ValueError(f"{org!r} is not a PTV organisation id (a UUID)")
        return value

    @field_validator("ptv_sync_at")
    @classmethod
    def _check_sync_at(cls, value: str) -> str:
        value = value.strip()
        if value and not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", value):
            raise ValueError(f"{value!r} is not a local time HH:MM (e.g. 03:30), or empty for off")
        return value

    @field_validator("ptv_api_base")
    @classmethod
    def _strip_ptv_slash(cls, value: str) -> str:
        return value.rstrip("/")

    # Days a service path handed over by a professional opens for the family (issue #25).
    guide_path_days: int = Field(default=30, ge=1, le=365)

    @field_validator("staff_ids", mode="before")
    @classmethod
    def _parse_staff_ids(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [p.strip() for p in value.split(",") if p.strip()]
            try:
                return frozenset(int(p) for p in parts)
            except ValueError as exc:
                raise ValueError(
                    "STAFF_IDS must be comma-separated numeric Telegram user ids"
                ) from exc
        return value

    @field_validator("bot_token", mode="before")
    @classmethod
    def _empty_token_is_unset(cls, value: object) -> object:
        # `BOT_TOKEN=` in .env or the environment means "not set": the missing-token hint.
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("bot_token")
    @classmethod
    def _check_token_form(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not TOKEN_FORM.fullmatch(value.get_secret_value()):
            raise ValueError(
                "not a bot token: @BotFather gives one like 123456789:AAE...; "
                "copy it whole, without spaces or quotes"
            )
        return value

    @field_validator("database_url")
    @classmethod
    def _check_database_url(cls, value: str) -> str:
        if not value.strip():
            raise ValueError(
                "empty: leave it unset for SQLite in ./data, or give a URL such as "
                "postgresql+asyncpg://user:password@host/dbname"
            )
        try:
            dialect = make_url(value).get_dialect()
        except (ArgumentError, NoSuchModuleError, ValueError) as exc:
            raise ValueError(
                "not a database URL Valo can use (e.g. sqlite+aiosqlite:///./data/valo.db or "
                f"postgresql+asyncpg://user:password@host/dbname): {exc}"
            ) from None
        if not dialect.is_async:
            raise ValueError(
                f"{dialect.name}+{dialect.driver} is not an async driver: use "
                "sqlite+aiosqlite:// or postgresql+asyncpg://"
            )
        try:
            dialect.import_dbapi()
        except ImportError as exc:
            extra = DRIVER_EXTRAS.get(exc.name or "")
            how = install_hint(extra) if extra else f"install {exc.name}"
            raise ValueError(f"{dialect.name}+{dialect.driver} needs {exc.name}: {how}") from None
        return value

    @field_validator("redis_url")
    @classmethod
    def _check_redis_installed(cls, value: str | None) -> str | None:
        if value and importlib.util.find_spec("redis") is None:
            raise ValueError(f"the redis package is missing: {install_hint('redis')}")
        return value

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper_log_level(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @field_validator("timezone")
    @classmethod
    def _check_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @field_validator("telegram_api_base")
    @classmethod
    def _strip_slash(cls, value: str) -> str:
        return value.rstrip("/")

    def model_post_init(self, context: Any, /) -> None:
        """Relative data paths resolved against the data home, once, for every reader."""
        home = data_home(self.valo_home)
        self.catalog_path = in_home(self.catalog_path, home)
        self.dialogs_path = in_home(self.dialogs_path, home)
        self._locales_path = in_home(LOCALES_PATH, home)
        if home is not None:
            self.database_url = _sqlite_in_home(self.database_url, home)

    @property
    def locales_path(self) -> Path:
        return self._locales_path

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def _sqlite_in_home(database_url: str, home: Path) -> str:
    """A relative SQLite file in DATABASE_URL, moved into the data home with the data."""
    try:
        url = make_url(database_url)
    except ArgumentError:
        return database_url  # reported where the URL is used
    database = url.database
    if url.get_backend_name() != "sqlite" or not database or database == ":memory:":
        return database_url
    if database.startswith("file:") or Path(database).is_absolute():
        return database_url
    return url.set(database=str(home / database)).render_as_string(hide_password=False)
