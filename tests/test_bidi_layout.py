"""Every Arabic message and every Arabic card, laid out by a real Unicode Bidirectional
Algorithm (python-bidi, the Rust unicode-bidi crate), reads its numbers, links, commands,
times, dates and Latin names exactly as written.

A right-to-left client shows a line in visual order; each left-to-right token found in the
logical text must appear, left to right and unchanged, in that visual line. Without isolation
"040 750 4112" is shown as "4112 750 040" and "112 Suomi" as "Suomi 112".
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterator
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from bidi import get_display
from fluent.syntax import FluentParser, ast
from fluent.syntax.visitor import Visitor

from bot.bidi import RLM, strip_isolates
from bot.catalog.cards import render_card, render_summary_line
from bot.catalog.matching import CatalogIndex
from bot.i18n import I18n, Translator
from tests.conftest import REPO
from tests.real_catalogue import best_match, real_catalogue

HELSINKI = ZoneInfo("Europe/Helsinki")
MONDAY = datetime(2026, 11, 23, 12, 0, tzinfo=HELSINKI)

# Realistic left-to-right values for string variables: what staff type and the catalogue holds.
VALUES = (
    "09 2525 0111",
    "https://www.mll.fi/vanhemmille/?a=1&b=2",
    "/find",
    "112 Suomi",
    "9.00–12.00",
    "28.5.2027",
    "perhekeskus@kotka.fi",
    "Nollalinja",
    "+358 40 750 4112",
    "MLL Kotka 3-6",
)
NUMBER = 12

# What must read as written (searched in the logical text, marks removed).
_LATIN = "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f"
TOKENS = re.compile(
    "|".join(
        (
            r"https?://[\w./?=&%#~+:@-]+",  # URL
            r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+",  # e-mail
            r"(?<![\w/])/[a-z_]+",  # command
            r"\d{1,2}[.:]\d{2} ?[–-] ?\d{1,2}[.:]\d{2}",  # time range
            r"\d{1,2}\.\d{1,2}\.\d{2,4}",  # date
            r"\+?\d+(?: \d+)+",  # phone number: digit groups
            # A Latin name or code, with the words and numbers that go with it ("112 Suomi").
            rf"[{_LATIN}0-9][{_LATIN}0-9'’.-]*(?: [{_LATIN}0-9][{_LATIN}0-9'’.-]*)*",
        )
    )
)
_TAG = re.compile(r"<[^<>]*>")


def shown_text(message_html: str) -> str:
    """The text a client displays from Telegram HTML: tags gone, entities resolved."""
    return html.unescape(_TAG.sub("", message_html))


def misread(text: str) -> list[str]:
    """Each token of ``text`` that a right-to-left client does not show as written."""
    wrong = []
    for line in shown_text(text).splitlines():
        logical = strip_isolates(line)
        visual = strip_isolates(get_display(line, base_dir="R"))
        for found in TOKENS.finditer(logical):
            token = found.group(0).rstrip(".,:;-'’")
            if not re.search(rf"[{_LATIN}]", token) and not re.search(r"\D", token):
                continue  # a lone number reads as written in any context
            if token not in visual:
                wrong.append(f"{token!r} shown as {visual!r}")
    return wrong


class _Selectors(Visitor):
    """Variables used as selectors (plurals): they get numbers, the rest get texts."""

    def __init__(self) -> None:
        super().__init__()
        self.numeric: set[str] = set()

    def visit_SelectExpression(self, node: ast.SelectExpression) -> None:
        if isinstance(node.selector, ast.VariableReference):
            self.numeric.add(node.selector.id.name)
        self.generic_visit(node)


class _Variables(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()

    def visit_VariableReference(self, node: ast.VariableReference) -> None:
        self.names.add(node.id.name)


def arabic_messages() -> Iterator[tuple[str, dict[str, str | int]]]:
    """Every message and attribute id of locales/ar, with a realistic value per variable."""
    parser = FluentParser()
    for path in sorted((REPO / "locales" / "ar").glob("*.ftl")):
        for item in parser.parse(path.read_text(encoding="utf-8")).body:
            if not isinstance(item, ast.Message):
                continue
            selectors, variables = _Selectors(), _Variables()
            selectors.visit(item)
            variables.visit(item)
            args: dict[str, str | int] = {}
            for n, name in enumerate(sorted(variables.names)):
                args[name] = NUMBER if name in selectors.numeric else VALUES[n % len(VALUES)]
            ids = ([item.id.name] if item.value is not None else []) + [
                f"{item.id.name}.{attribute.id.name}" for attribute in item.attributes
            ]
            for msg_id in ids:
                yield msg_id, args


@pytest.fixture(scope="module")
def i18n() -> I18n:
    return I18n.load(REPO / "locales", HELSINKI, strict=True)


def rotated(args: dict[str, str | int], shift: int) -> dict[str, str | int]:
    """The same variables with other values, so each value meets each slot."""
    return {
        name: value if isinstance(value, int) else VALUES[(VALUES.index(value) + shift) % 10]
        for name, value in args.items()
    }


def test_every_arabic_message_reads_its_left_to_right_runs_as_written(i18n: I18n) -> None:
    t = i18n["ar"]
    messages = list(arabic_messages())
    assert len(messages) > 300  # every message of every file, not a sample
    failures = []
    for msg_id, args in messages:
        for shift in range(3 if args else 1):
            text = t(msg_id, **rotated(args, shift))
            failures.extend(f"{msg_id}: {wrong}" for wrong in misread(text))
    assert not failures, f"{len(failures)} misread:\n" + "\n".join(failures[:40])


def arabic_cards(t: Translator) -> Iterator[tuple[str, str]]:
    services = [service for service in real_catalogue().services if service.active]
    index = CatalogIndex(services)
    for service in services:
        match = best_match(index, service)
        for day in range(7):  # every weekday: the opening hours of each day
            now = MONDAY.replace(day=MONDAY.day + day)
            yield service.id, render_card(service, t, now, match)
        yield service.id, render_summary_line(service, t)


def test_every_arabic_card_reads_its_left_to_right_runs_as_written(i18n: I18n) -> None:
    failures = []
    cards = 0
    for service_id, text in arabic_cards(i18n["ar"]):
        cards += 1
        failures.extend(f"{service_id}: {wrong}" for wrong in misread(text))
    assert cards > 100
    assert not failures, f"{len(failures)} misread:\n" + "\n".join(sorted(set(failures))[:40])


def test_finnish_and_english_get_no_marks(i18n: I18n) -> None:
    for locale in ("fi", "en"):
        t = i18n[locale]
        for msg_id, args in arabic_messages():  # the same ids exist in every locale
            assert strip_isolates(text := t(msg_id, **args)) == text, (locale, msg_id)
        for _, card in arabic_cards(t):
            assert strip_isolates(card) == card, locale


# Arrows that point along the line: in Arabic the line runs the other way, so "back" points
# right and "more" points left. (None of these is mirrored by the bidi algorithm itself: they
# have no Bidi_Mirrored property, so the text must use the other glyph.) "Skip ⏭" moves
# forward like "next": Unicode has no mirrored ⏭ (⏮ means "previous"), so Arabic uses ◀.
MIRRORED_ARROWS = {"⬅": "➡", "➡": "⬅", "◀": "▶", "▶": "◀", "←": "→", "→": "←", "⏭": "◀"}


def _ends(label: str) -> tuple[str, str]:
    """The symbols (emoji, arrows) a label starts and ends with, without variation selectors."""
    label = label.strip().replace("\ufe0f", "").lstrip(RLM)
    start = re.match(r"([^\w\s\"'«(<\u2066]+)\s", label)
    end = re.search(r"\s([^\w\s\"'».)>?!؟\u2069]+)$", label)
    return (start.group(1) if start else "", end.group(1) if end else "")


def _mirrored(symbols: str) -> str:
    return "".join(MIRRORED_ARROWS.get(char, char) for char in symbols)


def test_arabic_button_symbols_sit_and_point_the_right_way(i18n: I18n) -> None:
    """A label's icon leads it in every language: in English it stands at the left, in Arabic
    at the right, which is the start of an Arabic line (logically first in both). Arrows that
    point along the line are mirrored: "◀ Back" is "▶ رجوع", "More ▶" is "المزيد ◀"."""
    en, ar = i18n["en"], i18n["ar"]
    checked, wrong = 0, []
    for msg_id, args in arabic_messages():
        english = en(msg_id, **args)
        if "\n" in english or english.rstrip()[-1:] in ".!?:":
            continue  # a sentence, not a button label: its icons follow the sentence
        lead, trail = _ends(english)
        if not lead and not trail:
            continue
        checked += 1
        expected = (_mirrored(lead), _mirrored(trail))
        if _ends(ar(msg_id, **args)) != expected:
            wrong.append(f"{msg_id}: {english!r} -> {ar(msg_id, **args)!r}")
    assert checked >= 10
    assert not wrong, "\n".join(wrong)


SKIP_BUTTONS = ("staff-skip", "bc-skip", "stf-skip")


def test_the_back_and_more_buttons_point_the_way_arabic_reads(i18n: I18n) -> None:
    ar = i18n["ar"]
    for back in ("menu-back", "flow-back", "staff-back-to-list"):
        assert ar(back).startswith("➡"), back
    for previous in ("services-previous", "events-previous", "bc-previous", "flow-page-prev"):
        assert ar(previous).startswith("▶"), previous
    for more in ("services-more", "events-more", "bc-more", "flow-page-next", *SKIP_BUTTONS):
        assert ar(more).replace("\ufe0f", "").endswith("◀"), more


def _first_strong(line: str) -> str | None:
    """The bidi class of a line's first strong letter, isolates not skipped: how Telegram
    Desktop's StringDirection chooses a paragraph's direction (locales/STYLE.md)."""
    for char in line:
        if (kind := unicodedata.bidirectional(char)) in ("L", "R", "AL"):
            return kind
    return None


def test_every_arabic_line_opens_right_to_left(i18n: I18n) -> None:
    """Every line of Arabic in every Arabic message and card has a right-to-left first
    strong character (RLM, an Arabic letter) or none, as Telegram Desktop reads it: a line
    led by 🆘, a flag (both are class L), a Latin name or a URL gets an RLM from the
    formatting layer."""
    t = i18n["ar"]
    texts = [(msg_id, t(msg_id, **args)) for msg_id, args in arabic_messages()]
    texts += list(arabic_cards(t))
    wrong = sorted(
        {
            f"{where}: {line[:40]!r}"
            for where, text in texts
            for line in text.split("\n")
            if re.search("[\u0600-\u06ff]", line)  # a line of Arabic, not a lone URL
            and _first_strong(re.sub(r"<[^>]*>", "", line)) == "L"
        }
    )
    assert not wrong, f"{len(wrong)} lines open left to right:\n" + "\n".join(wrong[:30])


def test_staff_lines_with_latin_names_start_right_to_left(i18n: I18n) -> None:
    """A staff label or an announcement typed in Latin letters must not lead an Arabic line,
    or Telegram Desktop lays the whole line out left to right."""
    t = i18n["ar"]
    who = t("stf-who-labelled", label="Matti Virtanen", id=123456)
    lines = [
        t("stf-line-invited", who=who, date="28.5.2027"),
        t("stf-line-bootstrap", who=who),
        t("stf-line-other", who=who),
        t("stf-remove-button", who=who),
        *t("bc-list-item", id=12, status="x", audience="y", excerpt="Hei perheet!").splitlines(),
    ]
    assert [line for line in lines if _first_strong(line) != "AL"] == []


def test_arabic_sentences_lead_with_their_icon_as_english_does(i18n: I18n) -> None:
    """An icon leads a message line in every language ("✅ تم!"), also in sentences the
    button test skips: "أُلغي الإعلان #12 ⛔." put it at the end, after the sentence."""
    en, ar = i18n["en"], i18n["ar"]

    def lead(line: str) -> str:
        found = re.match(r"([^\w\s\"'«“(<\u2066#/•.-]+)\s", line.strip().lstrip(RLM))
        return found.group(1).replace("\ufe0f", "") if found else ""

    def trail(line: str) -> str:
        found = re.search(r"\s([^\w\s\"'»”.)>?!؟:،\u2069]+)[.!]?$", line.strip())
        return found.group(1).replace("\ufe0f", "") if found else ""

    wrong = []
    for msg_id, args in arabic_messages():
        pairs = zip(en(msg_id, **args).splitlines(), ar(msg_id, **args).splitlines(), strict=False)
        for english, arabic in pairs:
            if lead(arabic) != _mirrored(lead(english)) or (trail(arabic) and not trail(english)):
                wrong.append(f"{msg_id}: {english!r} -> {arabic!r}")
    assert not wrong, "\n".join(wrong)
