"""Service paths: built from a guide dialog's answers, stored under a token's hash, opened by
the family through a deep link ``t.me/<bot>?start=p_<token>``.

The token is 128 random bits (``secrets.token_urlsafe(16)``, 22 characters); only its SHA-256
is stored (``bot.db.staff.token_hash``), so the table alone opens nothing. A row holds the
family's language, the municipality, the steps (service ids only: the needs the family asked
about are answers, and stay out) and whether violence and shelter services may go on a
printed card: no Telegram id of the professional or of the family, and no record of who
opened it or when. A path opens on any
number of devices until it expires (``GUIDE_PATH_DAYS``); the worker's daily retention job
deletes expired rows.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from bot.catalog.matching import Answers, CatalogIndex
from bot.catalog.schema import Service
from bot.config import SUPPORTED_LOCALES, Locale
from bot.db.engine import write_transaction
from bot.db.models import ServicePath
from bot.db.staff import token_hash
from bot.flow.runner import DialogState
from bot.guide.render import PathStep, is_sensitive

PATH_PREFIX = "p_"  # /start payloads that open a path: never a deep-link source
TOKEN_BYTES = 16  # 128 bits
# "p_" + the token: Telegram takes A-Z, a-z, 0-9, _ and - in a payload, up to 64 characters.
_PAYLOAD = re.compile(r"^p_([A-Za-z0-9_-]{16,62})$")
PATH_LENGTH = 6  # services on a path: enough to act on, few enough to read at one sitting
GUIDE_DIALOG = "guide"  # the tree behind /guide (dialogs/guide.yaml)
LANGUAGE_NODE = "family-lang"  # its first question: the family's language, a choice per locale


def family_locale(dialog: DialogState) -> Locale | None:
    """The family's language as chosen at the guide's first question, if it has been."""
    for entry in dialog.path:
        if entry.node == LANGUAGE_NODE and entry.choices:
            return next((known for known in SUPPORTED_LOCALES if known == entry.choices[0]), None)
    return None


def new_token() -> str:
    """A fresh random token for a path's link."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def is_path_payload(payload: str | None) -> bool:
    """Whether a /start payload opens a service path (``p_<token>``)."""
    return bool(payload) and str(payload).startswith(PATH_PREFIX)


def path_link(bot_username: str, token: str) -> str:
    """The deep link the family opens."""
    return f"https://t.me/{bot_username}?start={PATH_PREFIX}{token}"


def build_steps(index: CatalogIndex, answers: Answers, limit: int = PATH_LENGTH) -> list[PathStep]:
    """The matched services in rank order (the families' matcher)."""
    return [PathStep(m.service) for m in index.find(answers, limit).matches]


def has_sensitive(steps: Sequence[PathStep]) -> bool:
    """Whether a printed card would have to leave something out unless told it may not."""
    return any(is_sensitive(step.service) for step in steps)


@dataclass(frozen=True)
class StoredPath:
    locale: Locale
    municipality: str | None
    steps: tuple[str, ...]  # service ids, in the path's order
    include_sensitive: bool
    created_at: datetime
    expires_at: datetime

    def resolve(self, services: Mapping[str, Service]) -> tuple[list[PathStep], int]:
        """The steps whose services are still in the catalogue, and how many are gone."""
        steps = [PathStep(services[sid]) for sid in self.steps if sid in services]
        return steps, len(self.steps) - len(steps)


async def save_path(
    session: AsyncSession,
    locale: Locale,
    municipality: str | None,
    steps: Sequence[PathStep],
    *,
    include_sensitive: bool,
    now: datetime,
    days: int,
) -> str:
    """Store a path; returns its token (shown once, in the link; never stored)."""
    token = new_token()
    async with write_transaction(session):
        session.add(
            ServicePath(
                token_hash=token_hash(token),
                locale=locale,
                municipality=municipality,
                steps=[{"service": s.service.id} for s in steps],
                include_sensitive=include_sensitive,
                created_at=now,
                expires_at=now + timedelta(days=days),
            )
        )
    return token


async def open_path(session: AsyncSession, payload: str, now: datetime) -> StoredPath | None:
    """The path a ``p_<token>`` payload names, or None when unknown, malformed or expired."""
    found = _PAYLOAD.match(payload)
    if found is None:
        return None
    row = await session.get(ServicePath, token_hash(found.group(1)))
    if row is None or row.expires_at <= now:
        return None
    locale = next((known for known in SUPPORTED_LOCALES if known == row.locale), None)
    if locale is None:
        return None
    steps = tuple(
        str(item["service"]) for item in row.steps if isinstance(item, dict) and "service" in item
    )
    return StoredPath(
        locale,
        row.municipality,
        steps,
        bool(row.include_sensitive),
        row.created_at,
        row.expires_at,
    )


async def purge_expired_paths(session: AsyncSession, now: datetime) -> int:
    """Delete the paths that have expired; returns how many."""
    async with write_transaction(session):
        result = await session.execute(delete(ServicePath).where(ServicePath.expires_at <= now))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
