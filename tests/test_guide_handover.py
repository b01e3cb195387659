"""Handing a service path over (issue #25): the QR code decodes back to the link, and the
printable card fits one A4 page in Chromium in Finnish and Arabic, reads its numbers as
written in Arabic, leaves sensitive services out without a trace and never shows answers.

The Chromium test starts one browser for both languages (the ``browser`` mark: .ci/run runs it
once, in the SQLite pass); its screenshots go to ``test-artifacts/guide/`` (gitignored).
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Iterator
from datetime import datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import zxingcpp
from PIL import Image

from bot.catalog.matching import is_shelter
from bot.catalog.schema import Service
from bot.config import LOCALES_PATH
from bot.guide import handover
from bot.guide.handover import (
    MAX_PRINTED_EVENTS,
    MAX_PRINTED_STEPS,
    QR_BORDER,
    QR_PNG_SCALE,
    PathEvent,
    is_sensitive,
    printable_page,
    qr_png,
)
from bot.guide.render import PathStep
from bot.i18n import I18n, Translator
from tests.conftest import REPO
from tests.headless_chromium import find_chromium, print_pages
from tests.real_catalogue import real_catalogue
from tests.test_bidi_layout import misread

HELSINKI = ZoneInfo("Europe/Helsinki")
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=HELSINKI)
# A deep link as the guide makes it: the bot's name and a 128-bit token (token_urlsafe(16)).
LINK = "https://t.me/ValoPerheBot?start=p_q2J5cW1tZ3V4bF9rY3hWdA"
ARTIFACTS = REPO / "test-artifacts" / "guide"

# A realistic path for a family in Kotka: five cards with long texts, several places and the
# service's own phone numbers (the longest the catalogue has, so a shorter path fits too).
PATH = (
    "kotka-open-ecec",
    "kotka-early-integration",
    "kymenhva-family-law",
    "kymenhva-child-welfare",
    "mll-immigrant-mother-friend",
)
SENSITIVE = ("nollalinja", "shelters-finland")


@pytest.fixture(scope="module")
def i18n() -> I18n:
    return I18n.load(LOCALES_PATH, HELSINKI, strict=True)


def service(service_id: str) -> Service:
    return next(s for s in real_catalogue().services if s.id == service_id)


def steps(*ids: str) -> list[PathStep]:
    return [PathStep(service(i)) for i in ids]


def events(service_id: str | None = None) -> list[PathEvent]:
    """Three upcoming events, as staff type them (Finnish titles and places)."""
    return [
        PathEvent(
            "Perhekahvila Karhula",
            NOW + timedelta(days=3),
            "Karhulan perhekeskus, Kauppalankatu 4, 48600 Kotka",
            service_id,
        ),
        PathEvent("Muskari avoimessa päiväkodissa", NOW + timedelta(days=5), "Kotka", service_id),
        PathEvent("Vauvaperheiden ilta", NOW + timedelta(days=9), None, service_id),
    ]


def page(t: Translator, path: list[PathStep], **options: object) -> str:
    return printable_page(path, t, LINK, NOW, **options)  # type: ignore[arg-type]


def decode(png: bytes) -> list[zxingcpp.Barcode]:
    return list(zxingcpp.read_barcodes(Image.open(io.BytesIO(png))))


# --- the QR code --------------------------------------------------------------------------


def test_the_qr_code_decodes_back_to_the_exact_link() -> None:
    png = qr_png(LINK)
    found = decode(png)
    assert [(b.text, b.format, b.ec_level) for b in found] == [
        (LINK, zxingcpp.BarcodeFormat.QRCode, "Q")
    ]
    image = Image.open(io.BytesIO(png)).convert("L")
    # A quiet zone of four white modules on every side, and big enough to print sharp.
    margin = QR_BORDER * QR_PNG_SCALE
    width, height = image.size
    assert width == height >= 300
    for box in ((0, 0, width, margin), (0, 0, margin, height)):
        assert image.crop(box).getextrema() == (255, 255)
    for box in ((0, height - margin, width, height), (width - margin, 0, width, height)):
        assert image.crop(box).getextrema() == (255, 255)


# --- what is on the card ------------------------------------------------------------------


def test_every_violence_and_shelter_service_of_the_catalogue_is_sensitive() -> None:
    """The catalogue has no violence tag: this holds the rule in ``is_sensitive`` to the
    services named for violence, so a new one with other tags is caught here. (A service
    that names violence only as one example of an emergency, like the social emergency
    service, is not a violence service and is printed.)"""
    named = {
        s.id
        for s in real_catalogue().services
        if s.shelter or is_shelter(s) or re.search(r"väkival", s.name.get("fi"), re.I)
    }
    assert set(SENSITIVE) <= named
    sensitive = {s.id for s in real_catalogue().services if is_sensitive(s)}
    assert named <= sensitive
    assert sensitive == set(SENSITIVE)  # and nothing else: a crisis line is printable
    assert not any(is_sensitive(service(i)) for i in PATH)


@pytest.mark.parametrize("locale", ["fi", "ar"])
def test_sensitive_services_are_left_out_without_a_trace(i18n: I18n, locale: str) -> None:
    t = i18n[locale]
    mixed = steps(PATH[0], SENSITIVE[0], PATH[1], SENSITIVE[1], PATH[2])
    their_events = [*events("nollalinja")[:1], *events(PATH[0])[1:]]
    printed = page(t, mixed, events=their_events, expires=NOW + timedelta(days=30))
    # Exactly the card of the path without them: no gap, no count, no "one was hidden".
    without = page(
        t, steps(*PATH[:3]), events=events(PATH[0])[1:], expires=NOW + timedelta(days=30)
    )
    assert printed == without
    for left_out in SENSITIVE:
        assert service(left_out).name.get(locale) not in printed
    assert "080 005 005" not in printed  # Nollalinja's number
    assert "Perhekahvila Karhula" not in printed  # Nollalinja's event
    # A path of sensitive services alone prints as a card with none: no empty list.
    assert page(t, steps(*SENSITIVE)) == page(t, [])
    assert "<ol" not in page(t, [])

    allowed = page(t, mixed, events=their_events, include_sensitive=True)
    for included in SENSITIVE:
        assert t.isolate(service(included).name.get(locale)) in allowed
    assert "080 005 005" in allowed
    assert "Perhekahvila Karhula" in allowed


def test_paper_says_nothing_about_today(i18n: I18n) -> None:
    """A printed card is read on other days: no "open today" or "answers today" line (the
    chat card, rendered when the family opens the path, keeps them)."""
    t = i18n["en"]
    with_hours = [
        s
        for s in real_catalogue().services
        if s.active
        and (any(loc.hours for loc in s.locations) or s.contacts.phone_hours)
        and not is_shelter(s)
    ][:5]
    assert len(with_hours) == 5
    path = [PathStep(s) for s in with_hours]
    chat = "\n".join(handover.render_step(step, t, NOW) for step in path)
    printed = page(t, path)
    # Each "today" message up to its hours ("Open today:", "Closed today", ...).
    today = [
        t(msg_id, hours="").rstrip(": ")
        for msg_id in (
            "card-hours-today",
            "card-closed-today",
            "card-phone-today",
            "card-phone-closed-today",
        )
    ]
    assert any(start in chat for start in today)
    assert not any(start in printed for start in today)


def test_a_long_path_prints_what_fits_and_points_to_telegram(i18n: I18n) -> None:
    t = i18n["fi"]
    ids = [*PATH, "kotka-vava-group", "hamina-open-ecec"]
    names = [service(i).name.get("fi") for i in ids]
    more = t("guide-print-more")

    long_path = page(t, steps(*ids), events=events())
    assert [n in long_path for n in names] == [True] * MAX_PRINTED_STEPS + [False, False]
    assert more in long_path

    assert more not in page(t, steps(*PATH), events=events())
    many_events = [*events(), PathEvent("Satutunti", NOW + timedelta(days=12), None)]
    capped = page(t, steps(*PATH), events=many_events)
    assert more in capped
    assert capped.count("Milloin:") == MAX_PRINTED_EVENTS


def longest_path(t: Translator) -> list[PathStep]:
    """The five longest cards of the catalogue in ``t``'s language (sensitive ones too)."""
    every = steps(*(s.id for s in real_catalogue().services))
    return sorted(every, key=lambda s: -len(render_step(s.service, t)))[:5]


def render_step(service: Service, t: Translator) -> str:
    return handover.render_step(PathStep(service), t, NOW)


def printed_steps(printed: str) -> int:
    return printed.count("<li><p>")


def test_a_long_path_is_set_smaller_and_a_longer_one_points_to_telegram() -> None:
    def cards(*lines: int) -> list[str]:
        return ["<p>" + "<br>".join(["x"] * n) + "</p>" for n in lines]

    layout = handover._layout
    assert handover._card_lines(cards(20)[0]) == 20 + handover.CARD_FRAME
    assert layout(cards(20, 20, 20, 20, 20), 0, False) == (
        cards(20, 20, 20, 20, 20),
        8.0,
        False,
    )
    assert layout(cards(24, 24, 24, 24, 24), 0, False)[1:] == (7.5, False)
    # The events span both columns: they count twice.
    assert layout(cards(20, 20, 20, 20, 20), 10, False)[1:] == (7.5, False)
    assert layout(cards(20, 20, 20, 20, 20), 16, False) == (
        cards(20, 20, 20, 20),
        7.5,
        True,
    )
    assert layout(cards(30, 30, 30, 30, 30), 0, False) == (
        cards(30, 30, 30, 30),
        7.5,
        True,
    )
    # One card always prints (a card keeps itself under Telegram's 4,096 characters).
    assert layout(cards(200, 10), 0, False) == (cards(200), 7.5, True)
    # Pointing to Telegram takes a line of its own.
    assert layout(cards(24, 24, 24, 24, 24), 0, True)[1:] == (7.5, True)


class _Tags(HTMLParser):
    """Checks that every element is closed in order (void elements aside)."""

    VOID = frozenset({"br", "meta", "path"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[str] = []
        self.errors: list[str] = []
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self.hrefs.extend(value or "" for name, value in attrs if name == "href")
        if tag not in self.VOID:
            self.open.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        pass

    def handle_endtag(self, tag: str) -> None:
        if tag in self.VOID:
            return
        if not self.open or self.open[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.open[-1:]}")
            return
        self.open.pop()


def tag_errors(html_text: str) -> tuple[list[str], list[str]]:
    parser = _Tags()
    parser.feed(html_text)
    parser.close()
    return [*parser.errors, *(f"<{tag}> never closed" for tag in parser.open)], parser.hrefs


@pytest.mark.parametrize("locale", ["fi", "en", "ar"])
def test_the_cards_are_valid_html_inside_the_page(i18n: I18n, locale: str) -> None:
    t = i18n[locale]
    ids = (*PATH[:3], *SENSITIVE)
    errors, hrefs = tag_errors(page(t, steps(*ids), include_sensitive=True))
    assert errors == []
    # Each service's own number is a tel: link to the number as stored.
    numbers = {s.contacts.phone for s in (service(i) for i in ids)}
    assert {h for h in hrefs if h.startswith("tel:")} == {f"tel:{n}" for n in numbers if n}


def test_a_card_with_links_and_entities_keeps_them(
    i18n: I18n, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Telegram HTML from the renderer (links, entities, the phone number inside a link's
    text or address) goes into the page as it is: hrefs kept, no link inside a link."""
    card = (
        "<b>Perhe &amp; lapsi</b>\n<i>Soita 040 120 8744 tai 040 087 3603.</i>\n\n"
        '<a href="https://example.fi/?a=1&amp;tel=040 120 8744">040 120 8744</a>'
    )
    monkeypatch.setattr(handover, "render_step", lambda step, t, now, **_: card)
    printed = page(i18n["fi"], steps("kotka-open-ecec"))
    errors, hrefs = tag_errors(printed)
    assert errors == []
    assert hrefs == ["tel:+358401208744", "https://example.fi/?a=1&tel=040 120 8744"]
    assert (
        "<p><b>Perhe &amp; lapsi</b><br><i>Soita "
        '<a class="tel" dir="ltr" href="tel:+358401208744">040 120 8744</a> tai '
        '<span class="nowrap" dir="ltr">040 087 3603</span>.</i></p>'
        '<p><a href="https://example.fi/?a=1&amp;tel=040 120 8744">040 120 8744</a></p>'
    ) in printed


def test_a_short_own_number_is_a_link_but_not_inside_an_address(
    i18n: I18n, monkeypatch: pytest.MonkeyPatch
) -> None:
    card = "Soita 112.\nVerkkosivu: https://112.fi/112/?n=112 (112)"
    monkeypatch.setattr(handover, "render_step", lambda step, t, now, **_: card)
    printed = page(i18n["fi"], steps("emergency-112"))
    link = '<a class="tel" dir="ltr" href="tel:112">112</a>'
    assert f"<p>Soita {link}.<br>Verkkosivu: https://112.fi/112/?n=112 ({link})</p>" in printed


def text_lines(html_text: str) -> Iterator[str]:
    """The lines of text the page shows in its right-to-left flow, as Telegram HTML (the
    link under the QR code sits in a left-to-right block of its own and is left out)."""
    body = html_text.split("<body>", 1)[1]
    body = re.sub(r'<p class="link" dir="ltr">.*?</p>', "", body)
    body = re.sub(r"<svg.*?</svg>", "", body)
    for line in re.split(r"<br>|</p>|</li>|</h1>|</h2>", body):
        if re.sub(r"<[^<>]*>", "", line).strip():
            yield line


def test_numbers_in_the_arabic_card_read_as_written(i18n: I18n) -> None:
    t = i18n["ar"]
    printed = page(t, steps(*PATH), events=events(), expires=NOW + timedelta(days=30))
    assert '<html lang="ar" dir="rtl">' in printed
    lines = list(text_lines(printed))
    phones = [service(i).contacts.phone_display for i in PATH]
    for phone in filter(None, phones):
        assert any(phone in line for line in lines), phone
    assert [(line, misread(line)) for line in lines if misread(line)] == []


# --- in Chromium --------------------------------------------------------------------------


@pytest.fixture
def chromium() -> str:
    found = find_chromium()
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed; CI must print the card in it")
        pytest.skip("chromium is not installed (apt-get install chromium)")
    return found


def pdf_pages(pdf: bytes) -> int:
    """Pages of a PDF as Chromium (Skia) writes it: its page objects, which must agree with
    the page tree's count (a compressed object stream would hide them: then it fails)."""
    pages = len(re.findall(rb"/Type\s*/Page(?![A-Za-z])", pdf))
    counts = [int(n) for n in re.findall(rb"/Type\s*/Pages\b[^>]*?/Count\s+(\d+)", pdf)]
    counts += [int(n) for n in re.findall(rb"/Count\s+(\d+)[^>]*?/Type\s*/Pages\b", pdf)]
    assert pages >= 1, "no page objects found"
    assert counts, "no page tree found"
    assert max(counts) == pages, (pages, counts)
    return pages


# For each phone number and the link under the QR code: its characters in the order Chromium
# lays them out, line by line (a right-to-left flow could show "8744 120 040"), and on how
# many lines a phone number is (one: "040 160" at the end of a line and "3631" on the next
# is a number nobody dials right).
VISUAL_ORDER = r"""
[...document.querySelectorAll('a.tel, .nowrap, .link bdi')].map((element) => {
  const node = element.firstChild;
  const placed = [];
  for (let i = 0; i < node.length; i++) {
    const range = document.createRange();
    range.setStart(node, i);
    range.setEnd(node, i + 1);
    const box = range.getBoundingClientRect();
    placed.push([Math.round(box.top), box.left, node.data[i]]);
  }
  placed.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const lines = new Set(placed.map((p) => p[0])).size;
  return [node.data, placed.map((p) => p[2]).join(''), element.matches('.link bdi') ? 1 : lines];
})
"""


@pytest.mark.browser
async def test_the_card_prints_on_one_a4_page_in_finnish_and_arabic(
    chromium: str, i18n: I18n, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The realistic path in fi and ar (screenshots kept), the five longest cards of the
    catalogue, and cards too long to fit all: each on one page."""
    fi, ar = i18n["fi"], i18n["ar"]
    expires = NOW + timedelta(days=30)
    texts = {
        "card-fi": page(fi, steps(*PATH), events=events(), expires=expires),
        "card-ar": page(ar, steps(*PATH), events=events(), expires=expires),
        "longest-fi": page(fi, longest_path(fi), events=events(), include_sensitive=True),
    }
    real = handover.render_step
    monkeypatch.setattr(
        handover, "render_step", lambda step, t, now, **kw: real(step, t, now, **kw) * 2
    )
    texts["too-long-ar"] = page(ar, steps(*PATH), events=events())
    assert [printed_steps(text) for text in texts.values()] == [5, 5, 5, 2]
    pages = []
    for name, text in texts.items():
        html_file = tmp_path / f"{name}.html"
        html_file.write_text(text, encoding="utf-8")
        pages.append(html_file)

    printed = await print_pages(chromium, pages, tmp_path / "profile", expression=VISUAL_ORDER)

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for name, result in zip(texts, printed, strict=True):
        (ARTIFACTS / f"{name}.png").write_bytes(result.screenshot)
        assert result.errors == [], name
        assert pdf_pages(result.pdf) == 1, name
        # The QR code as printed decodes to the link, and phone numbers and the link are laid
        # out left to right as written, in the Arabic flow too.
        assert [b.text for b in decode(result.screenshot)] == [LINK], name
        assert len(result.checked) >= 4, name
        wrong = [found for found in result.checked if found != [found[0], found[0], 1]]
        assert wrong == [], name
