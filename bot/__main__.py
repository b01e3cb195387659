"""Command line: ``valo-bot run | check | db upgrade | db backup PATH``."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sqlite3
import sys
from collections.abc import Sequence
from pathlib import Path

from pydantic import ValidationError
from sqlalchemy.engine import make_url

from bot.app import LOCALES_PATH, MissingTokenError, build_app, configure_logging, set_commands
from bot.config import Settings
from bot.data_errors import DataError, DataFileError
from bot.db import migrate
from bot.db.engine import make_engine
from bot.i18n import validate_locales

log = logging.getLogger("bot")

EXIT_DATA = 1
EXIT_USAGE = 2


def _settings() -> Settings:
    try:
        return Settings()
    except ValidationError as exc:
        for error in exc.errors():
            name = ".".join(str(p) for p in error["loc"]).upper()
            print(f"valo-bot: setting {name}: {error['msg']}", file=sys.stderr)
        raise SystemExit(EXIT_USAGE) from None


def _print_errors(errors: Sequence[DataError]) -> None:
    for error in errors:
        print(error)


async def _run(settings: Settings) -> None:
    app = build_app(settings)
    try:
        await migrate.upgrade(app.engine)
        await set_commands(app.bot, app.i18n, settings)
        # A webhook left by `valo-bot web` would make getUpdates fail with 409.
        await app.bot.delete_webhook(drop_pending_updates=False)
        log.info("polling for updates")
        await app.dispatcher.start_polling(
            app.bot,
            allowed_updates=app.dispatcher.resolve_used_update_types(),
            close_bot_session=False,
        )
    finally:
        await app.close()


def cmd_run(_args: argparse.Namespace) -> int:
    settings = _settings()
    configure_logging(settings)
    try:
        asyncio.run(_run(settings))
    except MissingTokenError as exc:
        print(f"valo-bot: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except DataFileError as exc:
        _print_errors(exc.errors)
        print("valo-bot: refusing to start with broken data files", file=sys.stderr)
        return EXIT_DATA
    return 0


def cmd_check(_args: argparse.Namespace) -> int:
    _settings()  # a bad setting fails the check too
    errors = validate_locales(LOCALES_PATH)
    _print_errors(errors)
    if errors:
        print(f"valo-bot check: {len(errors)} error(s)", file=sys.stderr)
        return EXIT_DATA
    print("valo-bot check: locales OK")
    return 0


async def _db_upgrade(settings: Settings) -> str | None:
    engine = make_engine(settings.database_url)
    try:
        await migrate.upgrade(engine)
        return await migrate.current_revision(engine)
    finally:
        await engine.dispose()


def cmd_db_upgrade(_args: argparse.Namespace) -> int:
    settings = _settings()
    configure_logging(settings)
    revision = asyncio.run(_db_upgrade(settings))
    print(f"database at revision {revision}")
    return 0


def backup_sqlite(database: Path, target: Path) -> None:
    """A consistent copy while the bot runs (SQLite's online backup API)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=5.0)
    try:
        destination = sqlite3.connect(target)
        try:
            source.backup(destination)
        finally:
            destination.close()
    finally:
        source.close()


def cmd_db_backup(args: argparse.Namespace) -> int:
    settings = _settings()
    url = make_url(settings.database_url)
    if url.get_backend_name() != "sqlite" or not url.database:
        print(
            "valo-bot: db backup copies the SQLite database; use pg_dump for PostgreSQL",
            file=sys.stderr,
        )
        return EXIT_USAGE
    database = Path(url.database)
    if not database.exists():
        print(f"valo-bot: no database at {database}", file=sys.stderr)
        return EXIT_USAGE
    backup_sqlite(database, Path(args.path))
    print(f"backed up {database} to {args.path}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="valo-bot", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("run", help="long polling and worker in one process").set_defaults(
        func=cmd_run
    )
    commands.add_parser("check", help="validate locales, dialogs and catalogue").set_defaults(
        func=cmd_check
    )
    db = commands.add_parser("db", help="database maintenance").add_subparsers(
        dest="db_command", required=True
    )
    db.add_parser("upgrade", help="migrate the database to the newest revision").set_defaults(
        func=cmd_db_upgrade
    )
    backup = db.add_parser("backup", help="consistent copy of the SQLite database")
    backup.add_argument("path")
    backup.set_defaults(func=cmd_db_backup)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    code: int = args.func(args)
    return code


if __name__ == "__main__":
    sys.exit(main())
