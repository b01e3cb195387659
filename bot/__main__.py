"""Command line: ``valo-bot run | web | worker | check | try | demo | match | catalog ... |
report | db ...``."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import secrets
import sqlite3
import sys
import textwrap
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path
from typing import TypeVar

from pydantic import ValidationError
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession

from bot.catalog import importers
from bot.catalog.cards import match_json
from bot.catalog.coverage import (
    Coverage,
    check_coverage,
    coverage_matrix,
    coverage_path,
    read_coverage,
    render_json,
    render_markdown,
    with_readme_section,
)
from bot.catalog.loader import (
    COVERAGE_FILE,
    LoadedCatalog,
    catalog_files,
    content_hash,
    read_catalog,
)
from bot.catalog.matching import Answers
from bot.catalog.overlay import (
    Overlays,
    event_id_clashes,
    load_overlays,
    overlays_path,
    stale_entries,
)
from bot.catalog.preview import preview_catalogue, read_imported
from bot.catalog.schema import CatalogFile, Service, catalog_json_schema
from bot.catalog.store import (
    ImportReport,
    has_service,
    load_organizations,
    load_services,
    open_flags,
    resolve_flags,
)
from bot.catalog.vocab import NEED_TAGS, municipalities, wellbeing_counties
from bot.config import SUPPORTED_LOCALES, Settings
from bot.data_errors import DataError, DataFileError
from bot.db import migrate
from bot.db.engine import make_engine, make_sessionmaker
from bot.delivery.event_news import import_files
from bot.flow.cli import TryBackend, add_try_command
from bot.flow.loader import validate_dialogs
from bot.flow.model import FIND_DIALOG, default_municipalities
from bot.glossary import check_wording, glossary_path
from bot.guide.paths import GUIDE_DIALOG
from bot.i18n import I18n, validate_locales
from bot.indicators.formats import REPORT_LOCALES, Format, render, report_locale
from bot.indicators.period import MonthRange, PeriodError
from bot.logs import configure_logging
from bot.yaml_source import YamlDocument

log = logging.getLogger("bot")

T = TypeVar("T")

EXIT_DATA = 1  # broken data files, or the work could not be done (unreachable, unwritable)
EXIT_USAGE = 2  # a wrong argument or setting: the person running the command must change it
EXIT_INTERRUPTED = 130  # Ctrl+C, as shells report a SIGINT
EXIT_BROKEN_PIPE = 141  # the reader went away (`| head`), as shells report a SIGPIPE


def _settings() -> Settings:
    try:
        return Settings()
    except ValidationError as exc:
        for error in exc.errors():
            name = ".".join(str(p) for p in error["loc"]).upper()
            message = error["msg"].removeprefix("Value error, ")
            print(f"valo-bot: setting {name}: {message}", file=sys.stderr)
        raise SystemExit(EXIT_USAGE) from None


def _print_errors(errors: Sequence[DataError]) -> None:
    for error in errors:
        print(error)


# ------------------------------------------------------------------ arguments


class UsageError(Exception):
    """A wrong argument: one line for the person who typed it, exit 2."""


def municipality_code(value: str) -> str:
    """A Finnish municipality code (Statistics Finland's three digits), or UsageError."""
    if value in municipalities():
        return value
    named = [m.code for m in municipalities().values() if value.casefold() in _names(m.code)]
    hint = f"; {value} is {named[0]}" if named else ""
    raise UsageError(
        f"unknown municipality code {value!r} "
        f"(Statistics Finland's three digits, e.g. 285 for Kotka{hint})"
    )


def _names(code: str) -> tuple[str, str]:
    known = municipalities()[code]
    return known.name_fi.casefold(), known.name_sv.casefold()


# Whole years, as the catalogue's age ranges (the dialog asks about children up to 17).
CHILD_AGES = range(0, 18)


def child_age(value: int) -> int:
    if value not in CHILD_AGES:
        raise UsageError(
            f"child age {value} is out of range: whole years {CHILD_AGES.start}-"
            f"{CHILD_AGES.stop - 1} (use --expecting for a baby on the way)"
        )
    return value


def language_code(value: str) -> str:
    """An ISO 639-1 language code as the catalogue's ``languages`` use them, or UsageError."""
    from babel import Locale

    if value not in Locale("en").languages or len(value) != 2:
        raise UsageError(
            f"unknown language code {value!r} (ISO 639-1, two letters: fi, sv, en, ar, ru...)"
        )
    return value


def need_tag(value: str) -> str:
    if value not in NEED_TAGS:
        raise UsageError(f"unknown need tag {value!r}; known: {', '.join(NEED_TAGS)}")
    return value


def _match_epilog() -> str:
    """The codes ``match`` takes, from the vocabularies (the README has the same table)."""

    def block(items: Sequence[str]) -> str:
        # Each item stays on one line: its own spaces are hidden from the wrapping.
        glued = ", ".join(item.replace(" ", "\xa0") for item in items)
        wrapped = textwrap.fill(
            glued, 78, initial_indent="    ", subsequent_indent="    ", break_on_hyphens=False
        )
        return wrapped.replace("\xa0", " ")

    lines = ["need tags:", block(list(NEED_TAGS)), "", "municipality codes of the region:"]
    for county in wellbeing_counties():
        lines.append(f"  {county.name_en}:")
        lines.append(block([f"{c} {municipalities()[c].name_fi}" for c in county.members]))
    lines.append("  (any other Finnish municipality code works too)")
    return "\n".join(lines)


# ------------------------------------------------------------------ the error boundary


def _command_name(args: argparse.Namespace) -> str:
    words = [args.command]
    for sub in ("catalog_command", "db_command"):
        if getattr(args, sub, None):
            words.append(getattr(args, sub))
    return "valo-bot " + " ".join(words)


def explain(exc: BaseException) -> tuple[str, int] | None:
    """One line a person can act on, and the exit code, for a failure they can fix; None
    for a bug (its traceback is what a developer needs)."""
    if isinstance(exc, UsageError):
        return str(exc), EXIT_USAGE
    if isinstance(exc, KeyboardInterrupt):
        return "interrupted", EXIT_INTERRUPTED
    if "aiogram" in sys.modules:  # only then can it be one of aiogram's
        from aiogram.exceptions import (
            TelegramAPIError,
            TelegramNetworkError,
            TelegramUnauthorizedError,
        )

        if isinstance(exc, TelegramUnauthorizedError):
            return (
                "Telegram refused BOT_TOKEN (401 Unauthorized): it is wrong or was revoked; "
                "get the current one from @BotFather (/token)",
                EXIT_USAGE,
            )
        if isinstance(exc, TelegramNetworkError):
            return (
                f"cannot reach Telegram's Bot API ({exc.message}): check the network, "
                "DNS and TELEGRAM_API_BASE",
                EXIT_DATA,
            )
        if isinstance(exc, TelegramAPIError):
            return f"Telegram's Bot API refused {exc.method}: {exc.message}", EXIT_DATA
    from sqlalchemy.exc import OperationalError

    if isinstance(exc, OperationalError) and "sqlite" in type(exc.orig).__module__:
        return f"cannot use the SQLite database in DATABASE_URL: {exc.orig}", EXIT_DATA
    if isinstance(exc, OSError) and exc.filename is not None:
        if isinstance(exc, FileExistsError) and Path(exc.filename).is_file():
            return f"{exc.filename}: a file, where a directory is needed", EXIT_DATA
        return f"{exc.filename}: {exc.strerror}", EXIT_DATA
    return None


def run_command(args: argparse.Namespace) -> int:
    """Run the chosen command; the failures a person can fix end in one line, not a trace."""
    name = _command_name(args)
    try:
        code: int = args.func(args)
        sys.stdout.flush()  # a closed pipe shows here, not in the interpreter's last flush
    except BrokenPipeError:
        # Like other Unix tools under `| head`: stop quietly. Python would flush stdout once
        # more at exit and complain, so stdout goes to /dev/null first.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_BROKEN_PIPE
    except DataFileError as exc:
        _print_errors(exc.errors)
        print(f"{name}: fix these first (valo-bot check lists them too)", file=sys.stderr)
        return EXIT_DATA
    except (Exception, KeyboardInterrupt) as exc:
        explained = explain(exc)
        if explained is None:
            raise
        message, code = explained
        print(f"{name}: {message}", file=sys.stderr)
    return code


async def _run(settings: Settings) -> None:
    # The bot's own modules (aiogram and all handlers) load only for the roles that need them.
    from bot.app import build_app, make_worker, set_commands
    from bot.ops.roles import (
        DRAIN_SECONDS,
        POLLING_CONCURRENCY,
        LeaseKeeper,
        PolledUpdates,
        confirm_handled,
        finish_in_flight,
        freeze_start_up,
        instrument,
        prepare_exclusively,
        start_metrics_server,
    )

    app = build_app(settings)
    try:
        await prepare_exclusively(app)
        freeze_start_up()
        await set_commands(app.bot, app.i18n, settings)
        # A webhook left by `valo-bot web` would make getUpdates fail with 409.
        await app.bot.delete_webhook(drop_pending_updates=False)
        # The worker sweeps only while it holds the lease, like `valo-bot worker`.
        keeper = LeaseKeeper(app, make_worker(app))
        instrument(app)
        polled = PolledUpdates()
        app.dispatcher.update.outer_middleware(polled)
        metrics = await start_metrics_server(settings, keeper)
        keeper.start()
        log.info("polling for updates")
        try:
            await app.dispatcher.start_polling(
                app.bot,
                allowed_updates=app.dispatcher.resolve_used_update_types(),
                close_bot_session=False,
                tasks_concurrency_limit=POLLING_CONCURRENCY,
            )
            await finish_in_flight(app.dispatcher, DRAIN_SECONDS)
            await confirm_handled(app.bot, polled)
        finally:
            await keeper.stop()
            if metrics is not None:
                await metrics.cleanup()
    finally:
        await app.close()


def cmd_run(_args: argparse.Namespace) -> int:
    return _start_role(_run)


def cmd_web(_args: argparse.Namespace) -> int:
    from bot.ops.roles import serve_web

    return _start_role(serve_web)


def cmd_worker(_args: argparse.Namespace) -> int:
    from bot.ops.roles import serve_worker

    return _start_role(serve_worker)


def _start_role(role: Callable[[Settings], Awaitable[None]]) -> int:
    """Run a long-lived role with the start-up errors every role reports the same way."""
    from bot.app import MissingTokenError
    from bot.ops.roles import MissingSecretError

    settings = _settings()
    configure_logging(settings)
    try:
        asyncio.run(role(settings))  # type: ignore[arg-type]
    except (MissingTokenError, MissingSecretError) as exc:
        print(f"valo-bot: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except DataFileError as exc:
        _print_errors(exc.errors)
        print("valo-bot: refusing to start with broken data files", file=sys.stderr)
        return EXIT_DATA
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from bot.demo.host import check_host

    refused = check_host(args.host, args.allow_remote)
    if refused is not None:
        raise UsageError(refused)
    if not 0 <= args.port <= 65535:
        raise UsageError(f"--port {args.port}: a TCP port is 0-65535 (0: any free one)")
    from bot.demo.server import DemoOptions, ListenError, demo_settings, serve_demo

    home = Path(args.home).expanduser().resolve() if args.home else None
    # The demo's own settings (not the environment's) decide the log format too.
    configure_logging(demo_settings("http://127.0.0.1", Path("."), home))
    # A trainer watches the page, not the log: start-up chatter only when something is wrong.
    for chatty in ("alembic", "apscheduler", "aiogram", "bot.ops.roles"):
        logging.getLogger(chatty).setLevel(logging.WARNING)
    # The catalogue's curation warnings are for editors (valo-bot check lists them).
    logging.getLogger("bot.catalog.store").setLevel(logging.ERROR)

    def ready(url: str) -> None:
        print(f"Valo demo (a demo: a throwaway database, no Telegram) at {url}", flush=True)
        print("Ctrl+C stops it and deletes everything it stored.", flush=True)

    options = DemoOptions(host=args.host, port=args.port, watch=args.watch, home=home)
    try:
        asyncio.run(serve_demo(options, ready))
    except DataFileError as exc:
        _print_errors(exc.errors)
        print("valo-bot demo: fix these first (valo-bot check lists them too)", file=sys.stderr)
        return EXIT_DATA
    except ListenError as exc:
        raise UsageError(str(exc)) from None
    return 0


def cmd_check(_args: argparse.Namespace) -> int:
    settings = _settings()  # a bad setting fails the check too
    errors = validate_locales(settings.locales_path)
    summary = ["locales OK"] if not errors else []
    dialog_errors = validate_dialogs(
        settings.dialogs_path,
        settings.locales_path,
        default_municipalities(),
        required=(FIND_DIALOG, GUIDE_DIALOG),
    )
    errors.extend(dialog_errors)
    if not dialog_errors:
        summary.append("dialogs OK")
    documents: list[YamlDocument] = []  # the catalogue texts the wording check reads
    served: list[Service] | None = None  # the catalogue the bot would serve, when readable
    file_services: list[Service] | None = None
    try:
        catalog = read_catalog([settings.catalog_path])
    except DataFileError as exc:
        errors.extend(exc.errors)
    else:
        for warning in catalog.warnings:
            print(f"warning: {warning}", file=sys.stderr)
        imported = asyncio.run(
            read_imported(settings.database_url, {f.source for f in catalog.files})
        )
        summary.append(f"catalogue OK ({_service_counts(catalog, imported)})")
        file_services = catalog.services
        served = file_services + imported if imported is not None else None
        documents.extend(f.document for f in catalog.files if f.document is not None)
        coverage_errors, coverage = _check_coverage(settings.catalog_path, catalog)
        errors.extend(coverage_errors)
        if coverage is not None and coverage.document is not None:
            documents.append(coverage.document)
        if not coverage_errors and coverage_path(settings.catalog_path) is not None:
            summary.append("coverage OK")
    overlay_errors, overlays = _check_overlays(settings.catalog_path, served)
    if overlays is not None and file_services is not None:
        overlay_errors += event_id_clashes(overlays, file_services)
    errors.extend(overlay_errors)
    if overlays is not None and not overlay_errors:
        summary.append(f"overlays OK ({len(overlays)} entries)")
        # Curated texts are catalogue texts: the same wording rules.
        documents.extend(overlays.documents())
    if not any(e.file.endswith(".ftl") for e in errors):
        wording_errors = check_wording(
            settings.locales_path, documents, _shown(glossary_path(settings.locales_path))
        )
        errors.extend(wording_errors)
        if not wording_errors:
            summary.append("wording OK")
    _print_errors(errors)
    if errors:
        print(f"valo-bot check: {len(errors)} error(s)", file=sys.stderr)
        return EXIT_DATA
    print("valo-bot check: " + ", ".join(summary))
    return 0


def _service_counts(catalog: LoadedCatalog, imported: list[Service] | None) -> str:
    """The files' services, and those the database holds from other sources when one exists:
    the bot serves both (read only; see bot.catalog.preview)."""
    counts = f"{len(catalog.services)} services in files"
    if imported is not None:
        counts += f"; {len(imported)} in the database from imports"
    return counts


def _check_overlays(
    catalog_path: Path, served: list[Service] | None
) -> tuple[list[DataError], Overlays | None]:
    """The overlay files' errors, and the overlays when there are any. Entries are compared
    with ``served`` (the files and the database's imports: PTV-synced services live in the
    database); a warning for each that matches no service or was reviewed against an older
    PTV version. ``served`` None (no database to read): that comparison is skipped, said once.
    """
    directory = overlays_path(catalog_path)
    try:
        overlays = load_overlays(directory, _shown)
    except DataFileError as exc:
        return list(exc.errors), None
    if not overlays:
        return [], None
    if served is None:
        print(
            f"warning: {_shown(directory)}: {len(overlays)} overlay entries not compared with "
            "PTV services: no catalogue database to read (DATABASE_URL), or the catalogue "
            "files have errors",
            file=sys.stderr,
        )
    else:
        for warning in stale_entries(overlays, served):
            print(f"warning: {warning}", file=sys.stderr)
    return [], overlays


def _check_coverage(
    catalog_path: Path, catalog: LoadedCatalog
) -> tuple[list[DataError], Coverage | None]:
    """The coverage file's errors, and the file when it could be read; its gaps are printed
    as warnings (content still grows)."""
    path = coverage_path(catalog_path)
    if path is None:
        return [], None
    try:
        coverage = read_coverage(path, _shown(path))
    except DataFileError as exc:
        return list(exc.errors), None
    errors, warnings = check_coverage(coverage, catalog.services)
    for warning in warnings:
        print(f"warning: {warning}", file=sys.stderr)
    return errors, coverage


def _shown(path: Path) -> str:
    """``path`` as errors name it: relative to the working directory when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


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
    """A consistent copy while the bot runs (SQLite's online backup API).

    The copy holds every family's data (and families erased since it was made): it is written
    readable by its owner only (0600, whatever the umask), first under a temporary name beside
    the target and then renamed, so a half-written or wider-readable copy never has its name.
    """
    target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.{secrets.token_hex(4)}.partial")
    try:
        os.close(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        _copy_sqlite(database, partial, target)
    except OSError as exc:
        if exc.filename == str(partial):  # name the path the person gave, not ours
            raise OSError(exc.errno, exc.strerror, str(target)) from None
        raise


def _copy_sqlite(database: Path, partial: Path, target: Path) -> None:
    try:
        source = sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=5.0)
        try:
            destination = sqlite3.connect(partial)
            try:
                source.backup(destination)
            finally:
                destination.close()
        finally:
            source.close()
        os.replace(partial, target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


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


async def _with_database(settings: Settings, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """Run ``work`` on a migrated database session, then release everything."""
    engine = make_engine(settings.database_url)
    try:
        await migrate.upgrade(engine)
        async with make_sessionmaker(engine)() as session:
            return await work(session)
    finally:
        await engine.dispose()


def cmd_catalog_import(args: argparse.Namespace) -> int:
    settings = _settings()
    paths = [Path(p) for p in args.paths]
    try:
        files = importers.read_sources(
            paths,
            args.format,
            [need_tag(need) for need in args.need],
            Path(args.taxonomy_map) if args.taxonomy_map else None,
        )
    except DataFileError as exc:
        _print_errors(exc.errors)
        print("valo-bot: nothing was imported", file=sys.stderr)
        return EXIT_DATA
    digest = content_hash(catalog_files(paths))

    async def work(session: AsyncSession) -> ImportReport:
        return await import_files(session, files.files, origin="cli", digest=digest, tz=settings.tz)

    try:
        report = asyncio.run(_with_database(settings, work))
    except DataFileError as exc:
        _print_errors(exc.errors)
        print("valo-bot: nothing was imported", file=sys.stderr)
        return EXIT_DATA
    for warning in files.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    left_out = (
        f"; {files.left_out} record(s) left out (the reasons are in the warnings)"
        if files.left_out
        else ""
    )
    print(f"imported {len(files.files)} source(s): {report}{left_out}")
    return 0


def cmd_catalog_sync(args: argparse.Namespace) -> int:
    """``catalog sync ptv``: fetch the live PTV catalogue and apply it (bot.catalog.ptv_sync)."""
    from bot.catalog.overlay import OverlayCuration
    from bot.catalog.ptv_sync import PtvSyncError, sync_ptv
    from bot.delivery.event_news import mirror_events
    from bot.ops.ptv_job import client_options, sync_scope

    settings = _settings()
    try:
        # Without its overlays a sync would bring back hidden services and drop curated
        # texts and need tags: a broken overlay file stops the sync, like a broken page.
        curation = OverlayCuration.for_catalog(settings.catalog_path)
    except DataFileError as exc:
        _print_errors(exc.errors)
        print("valo-bot catalog sync ptv: nothing was changed", file=sys.stderr)
        return EXIT_DATA

    async def work() -> str:
        engine = make_engine(settings.database_url)
        try:
            await migrate.upgrade(engine)
            result = await sync_ptv(
                make_sessionmaker(engine),
                client_options(settings),
                sync_scope(settings),
                mirror_events=mirror_events,
                tz=settings.tz,
                full=args.full,
                dry_run=args.dry_run,
                curation=curation,
            )
        finally:
            await engine.dispose()
        for warning in result.warnings:
            print(f"warning: {warning}", file=sys.stderr)
        for line in result.set_aside:
            print(f"set aside: {line}", file=sys.stderr)
        return str(result)

    try:
        summary = asyncio.run(work())
    except PtvSyncError as exc:
        print(f"valo-bot catalog sync ptv: {exc}; nothing was changed", file=sys.stderr)
        return EXIT_DATA
    print(summary)
    return 0


def cmd_catalog_export(args: argparse.Namespace) -> int:
    settings = _settings()
    from bot.catalog.hsds import export_hsds

    async def work(session: AsyncSession) -> CatalogFile:
        services = await load_services(session)
        organizations = await load_organizations(session)
        return CatalogFile(organizations=list(organizations.values()), services=services)

    catalog = asyncio.run(_with_database(settings, work))
    text = json.dumps(export_hsds(catalog), ensure_ascii=False, indent=2)
    if args.output:
        Path(args.output).write_text(text + "\n", encoding="utf-8")
        print(f"exported {len(catalog.services)} services to {args.output}", file=sys.stderr)
    else:
        print(text)
    return 0


def cmd_catalog_flags(args: argparse.Namespace) -> int:
    settings = _settings()

    async def work(session: AsyncSession) -> list[tuple[str, str, int, datetime]] | int | None:
        if args.resolve:
            resolved = await resolve_flags(session, args.resolve)
            # Flags outlive a card taken out of the catalogue, so an unknown id is one
            # without flags too.
            if not resolved and not await has_service(session, args.resolve):
                return None
            return resolved
        return await open_flags(session)

    result = asyncio.run(_with_database(settings, work))
    if result is None:
        print(
            f"valo-bot catalog flags: no card {args.resolve!r} in the catalogue and no flags on "
            "it (valo-bot catalog flags lists the open ones)",
            file=sys.stderr,
        )
        return EXIT_DATA
    if result == 0:
        print(f"no open flags on {args.resolve}")
        return 0
    if isinstance(result, int):
        print(f"resolved {result} flag(s) on {args.resolve}")
        return 0
    if not result:
        print("no open flags")
    for service_id, reason, count, latest in result:
        print(f"{service_id}\t{reason}\t{count}\t{latest.date().isoformat()}")
    return 0


def cmd_catalog_schema(args: argparse.Namespace) -> int:
    text = json.dumps(catalog_json_schema(), ensure_ascii=False, indent=2) + "\n"
    Path(args.output).write_text(text, encoding="utf-8")
    print(f"wrote {args.output}")
    return 0


def cmd_catalog_coverage(args: argparse.Namespace) -> int:
    settings = _settings()
    path = coverage_path(settings.catalog_path)
    if path is None:
        print(
            f"valo-bot: no {COVERAGE_FILE} in {settings.catalog_path} (CATALOG_PATH)",
            file=sys.stderr,
        )
        return EXIT_USAGE
    try:
        catalog = read_catalog([settings.catalog_path])
        coverage = read_coverage(path, _shown(path))
    except DataFileError as exc:
        _print_errors(exc.errors)
        return EXIT_DATA
    errors, _warnings = check_coverage(coverage, catalog.services)
    if errors:
        _print_errors(errors)
        return EXIT_DATA
    t = I18n.load(settings.locales_path, settings.tz)[args.lang]
    cells = coverage_matrix(coverage, catalog.services)
    if args.format == "json":
        sys.stdout.write(render_json(coverage, cells, t))
        return 0
    table = render_markdown(coverage, cells, t)
    if args.readme is None:
        sys.stdout.write(table)
        return 0
    readme = Path(args.readme)
    try:
        text = with_readme_section(readme.read_text(encoding="utf-8"), table)
    except DataFileError as exc:
        _print_errors(exc.errors)
        return EXIT_DATA
    readme.write_text(text, encoding="utf-8")
    print(f"wrote the coverage table into {readme}", file=sys.stderr)
    return 0


def cmd_match(args: argparse.Namespace) -> int:
    settings = _settings()
    answers = Answers(
        municipality=None if args.municipality is None else municipality_code(args.municipality),
        child_ages=tuple(child_age(age) for age in args.child_age),
        expecting=args.expecting,
        needs=tuple(need_tag(need) for need in args.need),
        languages=tuple(language_code(code) for code in args.speaks),
        free_only=args.free,
    )
    i18n = I18n.load(settings.locales_path, settings.tz)
    t = i18n[args.lang]

    try:
        preview = asyncio.run(preview_catalogue(settings.catalog_path, settings.database_url))
    except DataFileError as exc:
        _print_errors(exc.errors)
        return EXIT_DATA
    matches = preview.index().match(answers, limit=args.limit)
    print(
        json.dumps({"matches": [match_json(m, t) for m in matches]}, ensure_ascii=False, indent=2)
    )
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    settings = _settings()
    try:
        today = datetime.now(settings.tz).date()
        period = MonthRange.parse(args.first, args.last).check_ended(today)
    except PeriodError as exc:
        print(f"valo-bot report: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if args.municipality is not None:
        municipality_code(args.municipality)
    from bot.indicators.assemble import build_report
    from bot.indicators.report import Report

    async def work(session: AsyncSession) -> Report:
        return await build_report(session, period, args.municipality)

    # The messages first: broken or missing locales stop the report before any database opens.
    i18n = I18n.load(settings.locales_path, settings.tz)
    t = i18n[args.lang or report_locale(settings.default_locale)]
    report = asyncio.run(_with_database(settings, work))
    text = render(report, Format(args.format), t, today)
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
        print(f"wrote {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


@asynccontextmanager
async def catalogue_backend() -> AsyncIterator[TryBackend]:
    """``try`` shows the bot's result cards for the catalogue it would serve (a preview: read
    from the files and the database's imports, nothing written; see bot.catalog.preview)."""
    from bot.handlers.services import CatalogueResults

    settings = _settings()
    preview = await preview_catalogue(settings.catalog_path, settings.database_url)
    results = CatalogueResults(preview.index(), None, settings.tz)
    yield TryBackend(
        results, default_municipalities(), settings.dialogs_path, settings.locales_path
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="valo-bot", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("run", help="long polling and worker in one process").set_defaults(
        func=cmd_run
    )
    commands.add_parser("web", help="webhook server for updates (N replicas)").set_defaults(
        func=cmd_web
    )
    commands.add_parser("worker", help="reminders and broadcasts; one active (lease)").set_defaults(
        func=cmd_worker
    )
    commands.add_parser("check", help="validate locales, dialogs and catalogue").set_defaults(
        func=cmd_check
    )
    add_try_command(commands, backend_factory=catalogue_backend)

    demo = commands.add_parser(
        "demo",
        help="the real bot in a browser chat, without Telegram (throwaway database)",
        description="Starts a Bot API emulator, the real bot and worker talking to it, and a "
        "chat page. Ignores .env, BOT_TOKEN, DATABASE_URL and TELEGRAM_API_BASE: everything "
        "goes to a temporary SQLite database that is deleted on exit.",
    )
    demo.add_argument("--port", type=int, default=8080, help="the page's port (0: any free one)")
    demo.add_argument("--host", default="127.0.0.1", help="loopback unless --allow-remote")
    demo.add_argument(
        "--allow-remote",
        action="store_true",
        help="allow a non-loopback --host (the page has no login)",
    )
    demo.add_argument(
        "--watch",
        action="store_true",
        help="reload dialogs/, locales/ and services_catalog/ when a file changes",
    )
    demo.add_argument(
        "--home", metavar="DIR", help="the folder with dialogs/, locales/, services_catalog/"
    )
    demo.set_defaults(func=cmd_demo)

    match = commands.add_parser(
        "match",
        help="ranked services for given answers, as JSON",
        description="A preview: matches the catalogue files at CATALOG_PATH, read into memory, "
        "plus the services an existing database holds from imports (PTV, HSDS). Nothing is "
        "written: no database is created, migrated or synced.",
        epilog=_match_epilog(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    match.add_argument(
        "--municipality", metavar="CODE", help="municipality code, e.g. 285 for Kotka (below)"
    )
    match.add_argument(
        "--child-age",
        type=int,
        action="append",
        default=[],
        metavar="YEARS",
        help=f"a child's age, {CHILD_AGES.start}-{CHILD_AGES.stop - 1} (repeatable)",
    )
    match.add_argument("--expecting", action="store_true", help="a baby on the way")
    match.add_argument(
        "--need", action="append", default=[], metavar="TAG", help="a need tag (below; repeatable)"
    )
    match.add_argument(
        "--speaks",
        action="append",
        default=[],
        metavar="LANG",
        help="a language the family speaks, ISO 639-1 such as fi, sv, ar (repeatable)",
    )
    match.add_argument(
        "--free",
        action="store_true",
        help="only services known to be free (crisis services always)",
    )
    match.add_argument("--lang", choices=SUPPORTED_LOCALES, default="en")
    match.add_argument("--limit", type=int, default=10)
    match.set_defaults(func=cmd_match)

    catalog = commands.add_parser("catalog", help="catalogue import, export and flags")
    catalog_commands = catalog.add_subparsers(dest="catalog_command", required=True)
    importer = catalog_commands.add_parser("import", help="transactional import (all or nothing)")
    importer.add_argument("paths", nargs="+", metavar="PATH")
    importer.add_argument("--format", choices=("auto", "yaml", "hsds", "ptv"), default="auto")
    importer.add_argument(
        "--need",
        action="append",
        default=[],
        metavar="TAG",
        help="need tag for PTV and HSDS services whose classes map to none (else they are "
        "left out); repeatable",
    )
    importer.add_argument(
        "--taxonomy-map",
        metavar="FILE",
        help="YAML file mapping other taxonomies' terms in HSDS records (e.g. Open "
        "Eligibility) to need tags and PTV service classes",
    )
    importer.set_defaults(func=cmd_catalog_import)
    syncer = catalog_commands.add_parser(
        "sync", help="fetch the live Suomi.fi service catalogue (PTV) and apply it"
    )
    syncer.add_argument("registry", choices=("ptv",), help="the catalogue to follow")
    syncer.add_argument(
        "--full", action="store_true", help="fetch everything, ignoring the last sync's time"
    )
    syncer.add_argument("--dry-run", action="store_true", help="fetch and compare; write nothing")
    syncer.set_defaults(func=cmd_catalog_sync)
    exporter = catalog_commands.add_parser("export", help="the whole catalogue as HSDS 3.0 JSON")
    exporter.add_argument("--format", choices=("hsds",), default="hsds")
    exporter.add_argument("--output", metavar="FILE", help="write here instead of stdout")
    exporter.set_defaults(func=cmd_catalog_export)
    flags = catalog_commands.add_parser("flags", help="cards families flagged as wrong")
    flags.add_argument("--resolve", metavar="SERVICE_ID", help="mark a service's flags resolved")
    flags.set_defaults(func=cmd_catalog_flags)
    coverage = catalog_commands.add_parser(
        "coverage", help="core services per municipality: which card, or why none"
    )
    coverage.add_argument("--format", choices=("markdown", "json"), default="markdown")
    coverage.add_argument("--lang", choices=SUPPORTED_LOCALES, default="en")
    coverage.add_argument(
        "--readme", metavar="FILE", help="write the markdown table into FILE's coverage section"
    )
    coverage.set_defaults(func=cmd_catalog_coverage)
    schema = catalog_commands.add_parser("schema", help="write the catalogue JSON Schema")
    schema.add_argument("--output", default="services_catalog/schema.json")
    schema.set_defaults(func=cmd_catalog_schema)

    report = commands.add_parser(
        "report", help="anonymous indicators for service designers, whole months that have ended"
    )
    report.add_argument("--from", dest="first", required=True, metavar="YYYY-MM")
    report.add_argument("--to", dest="last", metavar="YYYY-MM", help="default: the --from month")
    report.add_argument("--municipality", metavar="CODE", help="one municipality, e.g. 285")
    report.add_argument("--format", choices=[f.value for f in Format], default=Format.HTML.value)
    report.add_argument(
        "--lang", choices=REPORT_LOCALES, help="default: DEFAULT_LOCALE, or en for ar"
    )
    report.add_argument("--output", metavar="FILE", help="write here instead of stdout")
    report.set_defaults(func=cmd_report)

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
    return run_command(args)


if __name__ == "__main__":
    sys.exit(main())
