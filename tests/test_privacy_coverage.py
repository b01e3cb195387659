"""The privacy text names every kind of data the models can hold about a person.

The tables that hold a Telegram id are derived from the SQLAlchemy metadata (by column name
and type, and by foreign keys to such tables), not from a list: a new table with a user or
chat column fails here until bot.db.personal_data.TABLE_KINDS names its kind, and that kind
has a sentence in /privacy (and a line in /mydata) in every locale.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import BigInteger, Column, ForeignKey, Integer, MetaData, Table

from bot.config import Settings
from bot.db.models import Base, User
from bot.db.personal_data import NOT_ABOUT_THE_PERSON, RECORD_COLUMNS, TABLE_KINDS, Kind
from bot.handlers.privacy import _privacy_text
from bot.i18n import I18n
from tests.conftest import REPO
from tests.privacy_support import PERSON_TABLES

LOCALES = ("fi", "en", "ar")
# A column named like this holds a Telegram user or chat id (or someone's, as author).
ID_NAME = re.compile(r"(^|_)(user|chat|author|member|person|telegram|tg)(_|$)|_by$")
TELEGRAM_MESSAGE_LIMIT = 4096


def id_columns(table: Table) -> list[str]:
    """Columns that may hold a person's Telegram id: named so, or 64-bit integers (Telegram
    ids do not fit in 32 bits; nothing else in the models needs 64)."""
    return [
        column.name
        for column in table.columns
        if ID_NAME.search(column.name) or isinstance(column.type, BigInteger)
    ]


def tables_about_people(metadata: MetaData) -> dict[str, list[str]]:
    """Tables holding a Telegram id, with those columns; and tables linked to one by a
    foreign key (their rows belong to a person too)."""
    found = {t.name: id_columns(t) for t in metadata.sorted_tables if id_columns(t)}
    changed = True
    while changed:
        changed = False
        for table in metadata.sorted_tables:
            if table.name in found:
                continue
            links = [fk.parent.name for fk in table.foreign_keys if fk.column.table.name in found]
            if links:
                found[table.name] = links
                changed = True
    return found


def unnamed(metadata: MetaData) -> list[str]:
    """Why the privacy mapping misses a table of ``metadata`` (empty: nothing missing)."""
    problems = [
        f"{t.name}: not in TABLE_KINDS" for t in metadata.sorted_tables if t.name not in TABLE_KINDS
    ]
    for table, columns in tables_about_people(metadata).items():
        if table in TABLE_KINDS and TABLE_KINDS[table] is None:
            problems.append(f"{table}: holds {columns} but TABLE_KINDS says it is about no one")
        if TABLE_KINDS.get(table) == Kind.STATISTICS:
            problems.append(f"{table}: anonymous statistics cannot hold {columns}")
        for column in columns:
            known = (
                column == "user_id"
                or column in RECORD_COLUMNS.get(table, ())
                or (table, column) in NOT_ABOUT_THE_PERSON
            )
            if not known:
                problems.append(f"{table}.{column}: a person's id /mydata and /delete ignore")
    return problems


def test_every_table_of_the_models_is_named_in_the_privacy_mapping() -> None:
    assert unnamed(Base.metadata) == []
    assert set(TABLE_KINDS) == set(Base.metadata.tables), "TABLE_KINDS lists a table gone"


def test_the_check_fails_for_a_new_table_with_a_user_column() -> None:
    """The derivation is not a list: a table it has never seen is caught."""
    metadata = MetaData()
    for table in Base.metadata.sorted_tables:
        table.to_metadata(metadata)
    Table(
        "diary_notes", metadata, Column("id", Integer, primary_key=True), Column("chat_id", Integer)
    )
    assert unnamed(metadata) == [
        "diary_notes: not in TABLE_KINDS",
        "diary_notes.chat_id: a person's id /mydata and /delete ignore",
    ]
    # Linked by a foreign key only: caught too.
    metadata = MetaData()
    for table in Base.metadata.sorted_tables:
        table.to_metadata(metadata)
    Table(
        "reminder_notes",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("reminder", Integer, ForeignKey("reminders.id")),
    )
    assert tables_about_people(metadata)["reminder_notes"] == ["reminder"]
    assert unnamed(metadata)[0] == "reminder_notes: not in TABLE_KINDS"


def test_the_models_tables_about_people_are_the_expected_ones() -> None:
    """What the derivation finds today (a reader's check that it finds something real)."""
    assert set(tables_about_people(Base.metadata)) == PERSON_TABLES


@pytest.fixture(scope="module")
def i18n() -> I18n:
    return I18n.load(REPO / "locales", UTC, strict=True)


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("inactive", [0, 1, 365])
def test_privacy_text_has_a_sentence_for_every_kind(i18n: I18n, locale: str, inactive: int) -> None:
    t = i18n[locale]
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None, retention_days=30, inactive_retention_days=inactive
    )
    user = User(user_id=1, locale=locale, counted=True)
    text = _privacy_text(t, settings, user)
    used = {kind for kind in TABLE_KINDS.values() if kind is not None} | {Kind.DIALOG}
    for kind in used:
        sentence = t(f"privacy-kind-{kind}", days=settings.retention_days)
        assert sentence.strip(), kind
        assert sentence in text, kind
    inactivity = t("privacy-inactive", days=inactive, recent=settings.retention_days)
    assert inactivity in text
    assert len(text) <= TELEGRAM_MESSAGE_LIMIT
    if inactive > 2:  # Arabic says one and two in words
        assert str(inactive) in inactivity
        # A family that only receives reminders is not inactive: the text says so, with the
        # window the delivery log can see (RETENTION_DAYS).
        assert str(settings.retention_days) in inactivity


@pytest.mark.parametrize("locale", LOCALES)
def test_mydata_has_a_line_for_every_kind_linked_to_a_person(i18n: I18n, locale: str) -> None:
    t = i18n[locale]
    now = datetime(2026, 12, 7, tzinfo=UTC)
    for kind in Kind:
        if kind == Kind.STATISTICS:
            continue  # linked to no one, so never found for a person
        if kind == Kind.ACCOUNT:
            line = t(
                "mydata-kind-account", locale=locale, first_seen=now, last_seen=now, counted="yes"
            )
        else:
            line = t(f"mydata-kind-{kind}", count=2)
            assert "2" in line
        assert line.strip()
