"""The demo process: the emulator, the real bot and worker, and the browser page, in one loop.

The bot is built by ``bot.app`` exactly as ``valo-bot run`` builds it, with its Bot API base
pointing at the emulator. The settings come from the demo alone (``DemoSettings`` reads no
environment variable and no ``.env``), so a demo started on a production host can neither read
the real families' database nor reach Telegram with the real token.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import Any

from aiohttp import web
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource

from bot.app import (
    App,
    build_app,
    load_i18n,
    load_trees,
    make_worker,
    periodic_jobs,
    prepare_database,
    set_commands,
)
from bot.catalog.store import LiveCatalog
from bot.config import Settings
from bot.data_errors import DataError, DataFileError
from bot.db.engine import write_transaction
from bot.db.models import Subscription, User
from bot.delivery.event_news import sync_catalog_path
from bot.delivery.worker import DeliveryWorker
from bot.emulator.telegram import TEST_TOKEN, BotMessage, FakeTelegram
from bot.flow.model import Tree
from bot.ops.roles import LeaseKeeper, stop_event

log = logging.getLogger(__name__)

JSON = dict[str, Any]
WATCH_INTERVAL = 0.5  # seconds between looks at the data files' modification times
LONG_POLL_SECONDS = 20.0  # the page's request for news waits at most this long


@dataclass(frozen=True)
class Persona:
    """A fake Telegram user the page can chat as."""

    user_id: int
    name: str
    locale: str
    municipality: str | None  # None: staff, no news subscription
    place: str
    staff: bool = False


PERSONAS = (
    Persona(910001, "Aino", "fi", "285", "Kotka"),
    Persona(910002, "Emma", "en", "286", "Kouvola"),
    Persona(910003, "Layla", "ar", "075", "Hamina"),
    Persona(900001, "Sari", "en", None, "staff", staff=True),
)


class DemoSettings(Settings):
    """Settings given by the demo alone: no environment variable, no ``.env``."""

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings,)


def demo_settings(api_base: str, scratch: Path, home: Path | None) -> DemoSettings:
    """The demo's settings: the emulator, a SQLite file in ``scratch``, the personas' staff."""
    return DemoSettings(
        valo_home=home,
        bot_token=TEST_TOKEN,
        telegram_api_base=api_base,
        telegram_request_timeout=10.0,
        database_url=f"sqlite+aiosqlite:///{scratch / 'demo.db'}",
        staff_ids=frozenset(p.user_id for p in PERSONAS if p.staff),
        # Quick enough that a reminder or broadcast shows within a second or two.
        sweep_interval=1.0,
        worker_lease_seconds=10.0,
        per_chat_interval=0.2,
    )


class DemoClock:
    """Real time plus an offset the page moves forward ("fast-forward time"); the worker's only:
    the handlers and the emulator keep real time."""

    def __init__(self, now: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self._real = now
        self.offset = timedelta(0)

    def now(self) -> datetime:
        return self._real() + self.offset

    def advance(self, delta: timedelta) -> datetime:
        self.offset += delta
        return self.now()


class DataWatcher:
    """``--watch``: reload dialogs, locales and the catalogue when a file changes.

    A modification-time poll every ``WATCH_INTERVAL`` seconds (no dependency, works on every
    file system). A broken change is refused as a whole: the banner shows its errors and the
    previous version keeps serving.
    """

    def __init__(self, app: App, fake: FakeTelegram) -> None:
        self.app = app
        self.fake = fake
        self.errors: list[str] = []
        self.reloads = 0
        settings = app.settings
        self.roots = (settings.dialogs_path, settings.locales_path, settings.catalog_path)
        self._seen = self._snapshot()

    def _snapshot(self) -> dict[Path, tuple[int, int]]:
        found: dict[Path, tuple[int, int]] = {}
        for root in self.roots:
            paths = [root] if root.is_file() else sorted(root.rglob("*"))
            for path in paths:
                with contextlib.suppress(OSError):
                    stat = path.stat()
                    found[path] = (stat.st_mtime_ns, stat.st_size)
        return found

    async def run(self) -> None:
        while True:
            await asyncio.sleep(WATCH_INTERVAL)  # the poll period itself, not a synchronisation
            now = self._snapshot()
            if now != self._seen:
                self._seen = now
                await self.reload()

    async def reload(self) -> None:
        settings = self.app.settings
        try:
            i18n = load_i18n(settings)
            trees = load_trees(settings)
            async with self.app.sessions() as session:
                await sync_catalog_path(session, settings.catalog_path, settings.tz)
        except DataFileError as exc:
            self._refuse(exc.errors)
            return
        except Exception as exc:  # anything else a broken file causes: one line, keep serving
            log.warning("demo: reload refused: %s", type(exc).__name__)
            self._refuse([DataError(str(settings.catalog_path), 0, "-", _one_line(exc))])
            return
        self.app.i18n.adopt(i18n)
        dialogs: dict[str, Tree] = self.app.dispatcher["dialogs"]
        dialogs.clear()  # in place: polling handed this very dict to every update
        dialogs.update(trees)
        catalog: LiveCatalog = self.app.dispatcher["catalog"]
        catalog.expire()
        await set_commands(self.app.bot, self.app.i18n, settings)
        self.errors = []
        self.reloads += 1
        log.info("demo: data files reloaded (%d)", self.reloads)
        self.fake.notify()

    def _refuse(self, errors: list[DataError]) -> None:
        self.errors = [str(e) for e in errors]
        log.warning("demo: a changed data file is broken; the previous version keeps serving")
        self.fake.notify()


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


async def seed_personas(app: App, fake: FakeTelegram) -> None:
    """The personas as the bot would know them after their /start and /news: families with
    their language and a news subscription for their municipality, so a broadcast reaches them
    at once. The chats themselves start empty."""
    now = datetime.now(UTC)
    async with app.sessions() as session, write_transaction(session):
        for persona in PERSONAS:
            session.add(
                User(user_id=persona.user_id, locale=persona.locale, first_seen=now, last_seen=now)
            )
            if persona.municipality is not None:
                session.add(
                    Subscription(
                        user_id=persona.user_id,
                        municipality=persona.municipality,
                        topic="all",
                        created_at=now,
                    )
                )
    for persona in PERSONAS:
        fake.user(persona.user_id, language_code=persona.locale, first_name=persona.name)
        fake.get_user(persona.user_id).has_written = True


# ------------------------------------------------------------------------------ the page


def _asset(name: str) -> bytes:
    return resources.files("bot.demo").joinpath(name).read_bytes()


def message_json(message: BotMessage) -> JSON:
    data = message.data
    shown: JSON = {
        "id": message.message_id,
        "from": "bot",
        "text": message.text or "",
        "entities": message.entities,
        "edited": message.edited,
        "deleted": message.deleted,
        "buttons": (data.get("reply_markup") or {}).get("inline_keyboard", []),
    }
    if "venue" in data:
        venue = data["venue"]
        shown["venue"] = {
            "title": venue.get("title", ""),
            "address": venue.get("address", ""),
            "latitude": venue["location"]["latitude"],
            "longitude": venue["location"]["longitude"],
        }
    elif "location" in data:
        shown["location"] = dict(data["location"])
    if message.document is not None:
        shown["document"] = {
            "file_id": message.document.file_id,
            "name": message.document.filename,
            "size": len(message.document.data),
        }
    return shown


class ListenError(Exception):
    """The page's address cannot be used (the port is taken, the host is unknown)."""


def listen(host: str, port: int) -> socket.socket:
    """The page's socket, bound before anything else starts: a taken port is reported at
    once, and --port 0 learns the port it got."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        (*_, address), *_ = socket.getaddrinfo(host, port, family, socket.SOCK_STREAM)
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise ListenError(f"cannot listen on {host}:{port}: {reason}; try another --port") from None
    return sock


class DemoPage:
    """The browser page and its small JSON API, on its own aiohttp server."""

    def __init__(
        self,
        fake: FakeTelegram,
        app: App,
        worker: DeliveryWorker,
        clock: DemoClock,
        watcher: DataWatcher | None,
    ) -> None:
        self.fake = fake
        self.app = app
        self.worker = worker
        self.clock = clock
        self.watcher = watcher
        self.runner: web.AppRunner | None = None
        self.port = 0

    def web_app(self) -> web.Application:
        application = web.Application(client_max_size=64 * 1024)
        application.router.add_get("/", self.index)
        application.router.add_get("/page.js", self.script)
        application.router.add_get("/page.css", self.style)
        application.router.add_get("/api/state/{user}", self.state)
        application.router.add_post("/api/send", self.send)
        application.router.add_post("/api/press", self.press)
        application.router.add_post("/api/clock", self.advance)
        application.router.add_get("/api/file/{file_id}", self.file)
        return application

    async def start(self, sock: socket.socket) -> None:
        self.runner = web.AppRunner(self.web_app(), access_log=None, shutdown_timeout=1.0)
        await self.runner.setup()
        self.port = sock.getsockname()[1]
        await web.SockSite(self.runner, sock).start()

    async def stop(self) -> None:
        if self.runner is not None:
            await self.runner.cleanup()

    async def index(self, _request: web.Request) -> web.Response:
        return web.Response(body=_asset("page.html"), content_type="text/html", charset="utf-8")

    async def script(self, _request: web.Request) -> web.Response:
        return web.Response(
            body=_asset("page.js"), content_type="application/javascript", charset="utf-8"
        )

    async def style(self, _request: web.Request) -> web.Response:
        return web.Response(body=_asset("page.css"), content_type="text/css", charset="utf-8")

    def _persona(self, raw: object) -> Persona:
        for persona in PERSONAS:
            if str(persona.user_id) == str(raw):
                return persona
        raise web.HTTPNotFound(text="no such persona")

    def _chat(self, persona: Persona) -> list[JSON]:
        """The chat as the person sees it: their messages and the bot's, in order."""
        shown: list[JSON] = []
        for message in self.fake.messages(persona.user_id, include_deleted=False):
            shown.append(message_json(message))
        for sent in self.fake.user_messages(persona.user_id):
            if "text" in sent:
                shown.append({"id": sent["message_id"], "from": "user", "text": sent["text"]})
        shown.sort(key=lambda m: int(m["id"]))
        return shown

    def _toast(self, persona: Persona) -> JSON | None:
        answered = [
            q
            for q in self.fake.callback_queries.values()
            if q.user_id == persona.user_id and q.answered and q.text
        ]
        if not answered:
            return None
        last = max(answered, key=lambda q: q.answered_at or 0.0)
        return {"id": last.query_id, "text": last.text}

    def _commands(self, persona: Persona) -> list[JSON]:
        found = self.fake.my_commands(persona.locale) or self.fake.my_commands("") or []
        return [{"command": c["command"], "description": c["description"]} for c in found]

    async def state(self, request: web.Request) -> web.Response:
        persona = self._persona(request.match_info["user"])
        since = request.query.get("since")
        if since is not None and since.isdigit():
            await self.fake.wait_change(int(since), LONG_POLL_SECONDS)
        watcher = self.watcher
        body: JSON = {
            "version": self.fake.changes,
            "personas": [
                {
                    "id": p.user_id,
                    "name": p.name,
                    "locale": p.locale,
                    "place": p.place,
                    "staff": p.staff,
                }
                for p in PERSONAS
            ],
            "persona": persona.user_id,
            "messages": self._chat(persona),
            "commands": self._commands(persona),
            "toast": self._toast(persona),
            "errors": watcher.errors if watcher is not None else [],
            "watching": watcher is not None,
            "reloads": watcher.reloads if watcher is not None else 0,
            "clock": {
                "now": self.clock.now().astimezone(self.app.settings.tz).isoformat("T", "minutes"),
                "offset_hours": self.clock.offset.total_seconds() / 3600,
            },
        }
        return web.json_response(body)

    async def _body(self, request: web.Request) -> JSON:
        try:
            body = await request.json()
        except ValueError:
            raise web.HTTPBadRequest(text="a JSON body is needed") from None
        if not isinstance(body, dict):
            raise web.HTTPBadRequest(text="a JSON object is needed")
        return body

    async def send(self, request: web.Request) -> web.Response:
        body = await self._body(request)
        persona = self._persona(body.get("user"))
        text = str(body.get("text", "")).strip()
        if not text:
            raise web.HTTPBadRequest(text="empty message")
        if len(text) > 4096:
            raise web.HTTPBadRequest(text="Telegram allows at most 4096 characters")
        self.fake.send_text(persona.user_id, text)
        return web.json_response({"ok": True})

    async def press(self, request: web.Request) -> web.Response:
        body = await self._body(request)
        persona = self._persona(body.get("user"))
        try:
            self.fake.press(persona.user_id, int(body.get("message_id", 0)), str(body.get("data")))
        except (ValueError, TypeError) as exc:
            # A button that is no longer on the message (edited meanwhile): say so, no crash.
            raise web.HTTPConflict(text=str(exc)) from None
        return web.json_response({"ok": True})

    async def advance(self, request: web.Request) -> web.Response:
        body = await self._body(request)
        try:
            hours = float(body.get("hours", 0))
        except (TypeError, ValueError):
            raise web.HTTPBadRequest(text="hours must be a number") from None
        if not 0 < hours <= 24 * 366:
            raise web.HTTPBadRequest(text="hours must be between 0 and a year")
        self.clock.advance(timedelta(hours=hours))
        # What the hourly job does (series reminders for the new "now"), then a sweep at the
        # new time, so what became due is sent before the answer: two quick steps forward
        # cannot jump past an event before its reminder went out. (A sweep beside the
        # scheduled one is safe: claims are atomic, as between workers.)
        await periodic_jobs(self.app, self.worker)
        await self.worker.sweep()
        self.fake.notify()
        shown = self.clock.now().astimezone(self.app.settings.tz)
        return web.json_response({"now": shown.isoformat("T", "minutes")})

    async def file(self, request: web.Request) -> web.Response:
        document = self.fake.documents.get(request.match_info["file_id"])
        if document is None:
            raise web.HTTPNotFound(text="no such file")
        safe = "".join(c if c.isalnum() or c in "._-" else "_" for c in document.filename)
        return web.Response(
            body=document.data,
            content_type=document.mime_type or "application/octet-stream",
            headers={"Content-Disposition": f'attachment; filename="{safe}"'},
        )


@dataclass(frozen=True)
class DemoOptions:
    host: str = "127.0.0.1"
    port: int = 8080
    watch: bool = False
    home: Path | None = None


async def serve_demo(options: DemoOptions, ready: Callable[[str], None] = print) -> None:
    """Run until SIGINT or SIGTERM; ``ready`` gets the page's address once it serves."""
    stop = stop_event()
    sock = listen(options.host, options.port)
    with tempfile.TemporaryDirectory(prefix="valo-demo-") as scratch:
        async with FakeTelegram(bot_username="valo_demo_bot") as fake:
            settings = demo_settings(fake.base_url, Path(scratch), options.home)
            app = build_app(settings)
            tasks: list[asyncio.Task[Any]] = []
            page: DemoPage | None = None
            keeper: LeaseKeeper | None = None
            try:
                await prepare_database(app)
                await seed_personas(app, fake)
                await set_commands(app.bot, app.i18n, settings)
                clock = DemoClock()
                worker = make_worker(app, clock)
                keeper = LeaseKeeper(app, worker)
                keeper.start()
                watcher = DataWatcher(app, fake) if options.watch else None
                page = DemoPage(fake, app, worker, clock, watcher)
                await page.start(sock)
                tasks.append(
                    asyncio.create_task(
                        app.dispatcher.start_polling(
                            app.bot,
                            allowed_updates=app.dispatcher.resolve_used_update_types(),
                            close_bot_session=False,
                            handle_signals=False,
                        ),
                        name="demo-polling",
                    )
                )
                if watcher is not None:
                    tasks.append(asyncio.create_task(watcher.run(), name="demo-watch"))
                shown = options.host if ":" not in options.host else f"[{options.host}]"
                ready(f"http://{shown}:{page.port}/")
                await stop.wait()
            finally:
                with contextlib.suppress(RuntimeError):  # polling had not started
                    await app.dispatcher.stop_polling()
                for task in tasks:
                    task.cancel()
                await asyncio.gather(*tasks, return_exceptions=True)
                if keeper is not None:
                    await keeper.stop()
                if page is not None:
                    await page.stop()
                sock.close()  # closed already if the page served; not if start-up failed
                await app.close()
