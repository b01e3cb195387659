"""Handing a service path over to a family: a QR code of its link and a printable A4 card.

The card is one self-contained HTML file (CSS inline, the QR code as inline SVG, no script,
no external resource), sent to the professional as a document and printed for a family
without Telegram. Each step on it is ``render_step``'s output, the same text the chat shows
(cards render once): it is Telegram HTML (b, i, a and escaped text), so it goes into the page
as it is, its newlines turned into line breaks and its phone numbers into ``tel:`` links that
read left to right in an Arabic page.

What the card never shows: the family's answers (only services and events are on it; a step's
need tags are not used here), and, unless the professional allows it, violence and shelter
services: a printed card can be found at home. A service left out leaves no trace (no gap, no
"one service hidden"), and neither do its events.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from html import escape, unescape
from math import ceil

import segno
from babel import dates as babel_dates

from bot.catalog.schema import Service
from bot.guide.render import PathStep, is_sensitive, render_step
from bot.i18n import Translator

# A realistic path and its events; the rest is behind the link ("more in Telegram").
MAX_PRINTED_STEPS = 5
MAX_PRINTED_EVENTS = 3
# Below the header, the page's two columns hold about this many lines of text together, by
# type size (in lines of 8 pt text as _card_lines counts them); the events and the "more in
# Telegram" line span both columns. A long path is set in smaller type; past that, cards go to
# Telegram even when fewer than five are printed. Measured in Chromium with the fonts Debian's
# chromium uses, on paths of the catalogue's longest cards: at 8 pt the first to print on two
# pages needed 133 lines; at 7.5 pt the longest five cards there are (139) still fit.
CAPACITY = {8.0: 128.0, 7.5: 140.0}  # pt: lines, largest type first
COLUMN_CHARS = 56
PARAGRAPH_GAP = 0.3
CARD_FRAME = 2.1  # border, padding and the gap to the next card
EVENT_CHARS = 36  # a line of an event, three side by side
MORE_LINES = 1.5

# Q (25 % of the code can be lost) survives a creased, smudged or badly printed copy; a link
# of a bot name and a 128-bit token is version 4-5 at Q, still coarse enough for a phone.
QR_ERROR = "q"
# The quiet zone the standard asks for (4 modules), without which phone readers often fail.
QR_BORDER = 4
QR_PNG_SCALE = 10  # px per module: ~450 px for a version 5 code, sharp in a chat and on paper


# Dates with the year (the bot's own formats leave it out): a card is kept for weeks.
_FULL_DATE = {"fi": "d.M.yyyy", "en": "d MMMM yyyy", "ar": "d/M/yyyy"}

# Fonts first that Debian's chromium finds (fonts-noto-core if installed; fonts-dejavu-core,
# which covers Arabic too, always), then the faces of the other systems a professional may
# print from (Windows: Segoe UI, Tahoma; Apple: Geeza Pro), then the generic family. Arabic
# starts with Naskh, the usual face of printed Arabic. The fit to one page (CAPACITY) was
# measured with DejaVu Sans, the widest of these, and holds with the Noto faces as well.
LATIN_FONTS = '"Noto Sans", "DejaVu Sans", "Segoe UI", Arial, "Liberation Sans", sans-serif'
ARABIC_FONTS = (
    '"Noto Naskh Arabic", "Noto Sans Arabic", "DejaVu Sans", "Segoe UI", Tahoma, "Geeza Pro", '
    "Arial, sans-serif"
)


@dataclass(frozen=True)
class PathEvent:
    title: str
    start: datetime
    place: str | None = None
    # The service the event belongs to, so a left-out service's events are left out too.
    service_id: str | None = None


def qr_png(link: str) -> bytes:
    """The link as a QR code, a PNG to send in the chat."""
    out = io.BytesIO()
    _qr(link).save(out, kind="png", scale=QR_PNG_SCALE, border=QR_BORDER)
    return out.getvalue()


def _qr(link: str) -> segno.QRCode:
    # boost_error=False: the level stays Q, so a test can hold the code to it.
    return segno.make_qr(link, error=QR_ERROR, boost_error=False)


def _qr_svg(link: str, label: str) -> str:
    """Inline SVG sized by the page's CSS (a viewBox and no width/height)."""
    svg = _qr(link).svg_inline(scale=1, border=QR_BORDER, omitsize=True, svgclass="qr")
    return svg.replace("<svg ", f'<svg role="img" aria-label="{escape(label)}" ', 1)


def full_date(value: datetime, t: Translator, now: datetime) -> str:
    """``value`` as a date with its year, in ``now``'s time zone (the caller's local time)."""
    return babel_dates.format_date(
        value.astimezone(now.tzinfo).date(), _FULL_DATE[t.locale], locale=t.locale
    )


_TAG = re.compile(r"<[^<>]*>")


# Digit groups as phone numbers are written ("040 160 3631", "+358 40 750 4112", "116 111").
_NUMBER = re.compile(r"(?<![\w+.,:–-])\+?\d{2,4}(?: \d{2,4}){1,4}(?![\w.,:–-]?\d)")
_MIN_PHONE_DIGITS = 6


def _phone_numbers(card: str, service: Service) -> str:
    """The card's phone numbers kept whole on paper: the service's own number (each time it is
    written in the text, not inside a tag or a link) becomes a ``tel:`` link that reads left
    to right; any other number ("or call 040 087 3603") is kept on one line."""
    contacts = service.contacts
    own = escape(contacts.phone_display) if contacts.phone_display else None
    link = f'<a class="tel" dir="ltr" href="tel:{escape(contacts.phone or "")}">{own}</a>'

    def number(found: re.Match[str]) -> str:
        text = found.group(0)
        if text == own:
            return link
        if sum(c.isdigit() for c in text) < _MIN_PHONE_DIGITS:
            return text
        return f'<span class="nowrap" dir="ltr">{text}</span>'

    # The own number first: it may be short ("112", "116 111") or written unlike the others.
    # Not inside a word or a URL: "112" of ".../112/" stays text.
    own_number = rf"(?<![\w+/.=&?#-]){re.escape(own)}(?![\w/])" if own else None
    numbers = re.compile(f"{own_number}|{_NUMBER.pattern}") if own_number else _NUMBER
    pieces = []
    in_link = 0
    position = 0
    for tag in [*_TAG.finditer(card), None]:
        text = card[position : tag.start() if tag else len(card)]
        pieces.append(text if in_link else numbers.sub(number, text))
        if tag is None:
            break
        name = tag.group(0)
        if re.match(r"<a[\s>]", name):
            in_link += 1
        elif name.startswith("</a"):
            in_link = max(0, in_link - 1)
        pieces.append(name)
        position = tag.end()
    return "".join(pieces)


def _step_html(step: PathStep, t: Translator, now: datetime) -> str:
    card = _phone_numbers(render_step(step, t, now, printed=True), step.service)
    # Paragraph breaks (empty lines) become a small gap, other newlines line breaks.
    parts = [part.replace("\n", "<br>") for part in card.strip("\n").split("\n\n")]
    return "".join(f"<p>{part}</p>" for part in parts if part)


def _card_lines(card_html: str) -> float:
    """About how many lines of body text a card (``_step_html``'s output) takes in a column
    of the page, its frame and padding included: each line of text wraps at about
    ``COLUMN_CHARS`` characters. Calibrated in Chromium on every card of the catalogue."""
    text = unescape(_TAG.sub("", card_html.replace("<br>", "\n").replace("</p>", "\n\n")))
    paragraphs = [p for p in text.split("\n\n") if p.strip()]
    lines = sum(
        max(1, ceil(len(line) / COLUMN_CHARS)) for p in paragraphs for line in p.split("\n")
    )
    return lines + PARAGRAPH_GAP * (len(paragraphs) - 1) + CARD_FRAME


def _events_lines(events_html: Sequence[str]) -> float:
    """The lines the events take in one column (they stand side by side), the heading
    included."""
    if not events_html:
        return 0
    texts = [unescape(_TAG.sub("", e.replace("<br>", "\n"))) for e in events_html]
    tallest = max(sum(ceil(len(line) / EVENT_CHARS) for line in t.split("\n")) for t in texts)
    return 2 + tallest


def _fitting(cards: list[str], budget: float) -> list[str]:
    """The first cards that fit ``budget`` lines; the first always (one card fits a page)."""
    used = 0.0
    for count, card in enumerate(cards):
        used += _card_lines(card)
        if count and used > budget:
            return cards[:count]
    return cards


def _layout(cards: list[str], events_lines: float, more: bool) -> tuple[list[str], float, bool]:
    """The cards printed, the type size and whether the page points to Telegram for more:
    all cards in the largest type that fits them, else the first that fit in the smallest."""
    used = sum(_card_lines(card) for card in cards) + 2 * events_lines
    for size, capacity in CAPACITY.items():
        if used + (2 * MORE_LINES if more else 0) <= capacity:
            return cards, size, more
    size, capacity = list(CAPACITY.items())[-1]
    printed = _fitting(cards, capacity - 2 * events_lines - 2 * MORE_LINES)
    return printed, size, True


def _event_html(event: PathEvent, t: Translator) -> str:
    lines = [
        f"<b>{t.isolate(escape(event.title))}</b>",
        t("guide-print-event-when", when=t.format_datetime(event.start)),
    ]
    if event.place:
        lines.append(t("guide-print-event-where", place=escape(event.place)))
    return f"<li>{'<br>'.join(lines)}</li>"


_STYLE = """
@page { size: A4; margin: 10mm; }
* { box-sizing: border-box; }
html { font-family: %(fonts)s; font-size: %(size)gpt; line-height: 1.25; color: #000; }
body { margin: 0; }
header { display: flex; gap: 4mm; align-items: flex-start; border-bottom: 0.4mm solid #000;
  padding-bottom: 2mm; margin-bottom: 2mm; }
header .text { flex: 1; }
h1 { font-size: 14pt; margin: 0 0 1mm; line-height: 1.15; }
h2 { font-size: 10pt; margin: 0 0 1mm; }
p { margin: 0; }
.intro { font-size: 9pt; margin-bottom: 1mm; }
.dates { color: #333; }
svg.qr { display: block; width: 30mm; height: 30mm; flex: none; }
.scan { width: 42mm; font-size: 7.5pt; }
.link { margin-top: 1mm; word-break: break-all; }
ol.steps { margin: 0; padding: 0; list-style: none; column-count: 2; column-gap: 4mm;
  counter-reset: step; }
/* Numbered as the chat numbers them: the path's order, and a place to start. */
ol.steps > li { counter-increment: step; }
ol.steps > li > p:first-child::before { content: counter(step) ". "; font-weight: bold; }
ol.steps > li { margin: 0 0 2mm; padding: 1.2mm 1.8mm; border: 0.3mm solid #999;
  border-radius: 1.5mm; box-decoration-break: clone; -webkit-box-decoration-break: clone; }
ol.steps > li p + p { margin-top: 0.8mm; }
/* A card may go on in the next column between its paragraphs: whole cards left columns
   unevenly filled, and what fits became hard to tell before printing. */
ol.steps > li p { break-inside: avoid; }
.events ul { margin: 0; padding: 0; list-style: none; display: flex; gap: 4mm; }
.events li { flex: 1; break-inside: avoid; }
.more { margin: 0 0 2mm; font-weight: bold; }
a { color: inherit; text-decoration: none; }
a.tel { white-space: nowrap; font-weight: bold; unicode-bidi: isolate; }
.nowrap { white-space: nowrap; unicode-bidi: isolate; }
bdi { unicode-bidi: isolate; }
"""


def printable_page(
    steps: Sequence[PathStep],
    t: Translator,
    link: str,
    now: datetime,
    *,
    events: Sequence[PathEvent] = (),
    include_sensitive: bool = False,
    expires: datetime | None = None,
) -> str:
    """The one-page card in ``t``'s language: title, a short intro, the steps (at most
    ``MAX_PRINTED_STEPS``), upcoming events, the QR code with the link written under it, the
    date it was made and, given ``expires``, until when the link works."""
    left_out = {s.service.id for s in steps if not include_sensitive and is_sensitive(s.service)}
    shown = [s for s in steps if s.service.id not in left_out]
    shown_events = [e for e in events if e.service_id not in left_out]
    more = len(shown) > MAX_PRINTED_STEPS or len(shown_events) > MAX_PRINTED_EVENTS
    direction = "rtl" if t.rtl else "ltr"
    fonts = ARABIC_FONTS if t.rtl else LATIN_FONTS
    title = t("guide-print-title")
    dates = [t("guide-print-made", date=full_date(now, t, now))]
    if expires is not None:
        dates.append(t("guide-print-valid", date=full_date(expires, t, now)))
    items = [_event_html(e, t) for e in shown_events[:MAX_PRINTED_EVENTS]]
    cards = [_step_html(s, t, now) for s in shown[:MAX_PRINTED_STEPS]]
    printed, size, more = _layout(cards, _events_lines(items), more)
    steps_html = ""
    if printed:  # none when every service was left out: then no empty list either
        cards_html = "".join(f"<li>{card}</li>" for card in printed)
        steps_html = f'<h2>{t("guide-print-steps")}</h2><ol class="steps">{cards_html}</ol>'
    events_html = ""
    if items:
        events_html = (
            f'<section class="events"><h2>{t("guide-print-events")}</h2>'
            f"<ul>{''.join(items)}</ul></section>"
        )
    more_html = f'<p class="more">{t("guide-print-more")}</p>' if more else ""
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{t.locale}" dir="{direction}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{title}</title>"
        f"<style>{_STYLE % {'fonts': fonts, 'size': size}}</style></head><body>"
        f'<header><div class="text"><h1>{title}</h1>'
        f'<p class="intro">{t("guide-print-intro")}</p>'
        f'<p class="dates">{"<br>".join(dates)}</p></div>'
        f"{_qr_svg(link, t('guide-print-qr-label'))}"
        f'<div class="scan"><p>{t("guide-print-qr")}</p>'
        f'<p class="link" dir="ltr"><bdi>{escape(link)}</bdi></p></div></header>'
        f"<main>{steps_html}"
        f"{more_html}{events_html}</main></body></html>\n"
    )
