"""The handover artefacts of a service path: the QR code of its link and the printable card.

STAND-IN for branch h-guide-core: helper "guide-print" builds the real module (a QR code made
with a QR library, an A4 page with the QR code and the phone numbers, right-to-left for
Arabic); the lead replaces this file with theirs at merge. The signatures are the contract.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from html import escape

from bot.guide.render import PathStep, is_sensitive, render_step
from bot.i18n import Translator


@dataclass(frozen=True)
class PathEvent:
    """An upcoming event of a service on the path."""

    title: str
    start: datetime
    place: str | None = None


def _chunk(kind: bytes, data: bytes) -> bytes:
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))


def qr_png(link: str) -> bytes:
    """PNG of the QR code of ``link`` (stand-in: a blank 21x21 PNG)."""
    size = 21
    raw = b"".join(b"\x00" + b"\xff" * size for _ in range(size))
    header = struct.pack(">IIBBBBB", size, size, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(raw))
        + _chunk(b"IEND", b"")
    )


def printable_page(
    steps: Sequence[PathStep],
    t: Translator,
    link: str,
    now: datetime,
    *,
    events: Sequence[PathEvent] = (),
    include_sensitive: bool = False,
) -> str:
    """A self-contained A4 HTML page in ``t``'s locale (stand-in: the cards, plainly)."""
    shown = [s for s in steps if include_sensitive or not is_sensitive(s.service)]
    cards = "".join(
        f"<section>{render_step(s, t, now).replace(chr(10), '<br>')}</section>" for s in shown
    )
    dates = "".join(
        f"<li>{escape(e.title)} {escape(t.format_datetime(e.start))}</li>" for e in events
    )
    direction = "rtl" if t.rtl else "ltr"
    return (
        f'<!DOCTYPE html><html lang="{t.locale}" dir="{direction}"><head><meta charset="utf-8">'
        f"<title>Valo</title></head><body>{cards}<ul>{dates}</ul>"
        f"<p>{escape(link)}</p></body></html>"
    )
