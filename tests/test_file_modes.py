"""Files that hold families' data are readable by their owner only: the SQLite database, its
directory and WAL files when the bot creates them, and `valo-bot db backup` copies."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.__main__ import backup_sqlite
from bot.db.engine import make_engine


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def usual_umask() -> Iterator[None]:
    """The common 022: files 0644 and directories 0755 unless the code asks for less."""
    previous = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(previous)


@pytest.mark.usefixtures("usual_umask")
async def test_database_and_backup_are_owner_only(tmp_path: Path) -> None:
    database = tmp_path / "data" / "valo.db"
    engine = make_engine(f"sqlite+aiosqlite:///{database}")
    try:
        async with engine.begin() as conn:
            await conn.execute(text("CREATE TABLE families (answer TEXT)"))
            await conn.execute(text("INSERT INTO families VALUES ('crisis-urgent')"))
        assert mode(database.parent) == 0o700
        assert mode(database) == 0o600
        assert mode(database.with_name("valo.db-wal")) == 0o600

        fresh = tmp_path / "backups" / "valo-backup.db"
        backup_sqlite(database, fresh)
        replaced = tmp_path / "old-backup.db"
        replaced.write_bytes(b"")
        replaced.chmod(0o644)  # an older copy, made before copies were private
        backup_sqlite(database, replaced)
    finally:
        await engine.dispose()

    assert mode(fresh.parent) == 0o700
    for copy in (fresh, replaced):
        assert mode(copy) == 0o600
        assert b"crisis-urgent" in copy.read_bytes()
    assert sorted(p.name for p in fresh.parent.iterdir()) == ["valo-backup.db"]  # no leftovers
