"""The catalogue as the bot would serve it, read without writing anything (``match``, ``try``,
and ``check``'s count).

The bot serves the files at CATALOG_PATH (synced into the database on start) together with the
services the database holds from other sources: PTV and HSDS imports, and files brought by
``catalog import``. A preview reads the files into memory and adds those other sources' services
when a database already exists. It never syncs, migrates or creates a database, so previewing
another CATALOG_PATH leaves what the bot serves untouched.
"""

from __future__ import annotations

import asyncio
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from bot.catalog.loader import LoadedCatalog, catalog_files, read_catalog
from bot.catalog.matching import CatalogIndex
from bot.catalog.schema import Service
from bot.db.engine import make_engine, make_sessionmaker
from bot.db.models import CatalogService

# A preview must not hang on a database that does not answer: it then shows the files alone.
DATABASE_TIMEOUT_S = 5.0


@dataclass(frozen=True)
class CataloguePreview:
    """The files' catalogue and, when a database was reachable, the services imported there."""

    files: LoadedCatalog | None  # None: no catalogue files at the path
    imported: list[Service] | None  # None: no database (or it has no catalogue tables yet)

    @property
    def services(self) -> list[Service]:
        from_files = self.files.services if self.files else []
        return from_files + (self.imported or [])

    def index(self) -> CatalogIndex:
        return CatalogIndex(self.services)


def database_exists(database_url: str) -> bool:
    """Whether there may be a database to read: an SQLite file that exists, or a server URL."""
    try:
        url = make_url(database_url)
    except ArgumentError:
        return False
    if url.get_backend_name() != "sqlite":
        return True
    database = url.database or ""
    return database not in ("", ":memory:") and Path(database).is_file()


async def read_imported(database_url: str, file_sources: Collection[str]) -> list[Service] | None:
    """The database's services from sources other than ``file_sources``, read only; None when
    there is no database to read (no file, unreachable, not migrated, driver not installed)."""
    if not database_exists(database_url):
        return None
    try:
        engine = make_engine(database_url)
    except (ArgumentError, ImportError):
        return None
    try:
        async with asyncio.timeout(DATABASE_TIMEOUT_S), make_sessionmaker(engine)() as session:
            documents = (
                await session.execute(
                    select(CatalogService.document)
                    .where(CatalogService.source.not_in(list(file_sources)))
                    .order_by(CatalogService.id)
                )
            ).scalars()
            return [Service.model_validate(d) for d in documents]
    except (SQLAlchemyError, OSError, TimeoutError):
        return None
    finally:
        await engine.dispose()


async def preview_catalogue(path: Path, database_url: str) -> CataloguePreview:
    """The files at ``path`` plus the database's other sources; raises DataFileError when the
    files are broken (the bot would refuse to start with them)."""
    has_files = bool(catalog_files([path])) if path.exists() else False  # noqa: ASYNC240
    files = read_catalog([path]) if has_files else None
    sources = {f.source for f in files.files} if files else set()
    return CataloguePreview(files, await read_imported(database_url, sources))
