"""Throw-away PostgreSQL databases on a test server (the tests' and the benchmarks')."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy.engine import make_url


@asynccontextmanager
async def _admin(server_url: str) -> AsyncIterator[Any]:
    import asyncpg  # only needed for the PostgreSQL run

    url = make_url(server_url)
    admin = await asyncpg.connect(
        host=url.host,
        port=url.port,
        user=url.username,
        password=url.password,
        database=url.database or "postgres",
    )
    try:
        yield admin
    finally:
        await admin.close()


async def create_database(
    server_url: str, template: str | None = None, prefix: str = "valo_test"
) -> str:
    """A new database on the server (a copy of the database ``template`` when it is given);
    returns its URL."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    create = f'CREATE DATABASE "{name}"'
    if template is not None:
        create += f' TEMPLATE "{make_url(template).database}"'
    async with _admin(server_url) as admin:
        await admin.execute(create)
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


async def drop_database(server_url: str, database_url: str) -> None:
    """Drop the database of ``database_url``, even with connections still open."""
    name = make_url(database_url).database
    async with _admin(server_url) as admin:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
