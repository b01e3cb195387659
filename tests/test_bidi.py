"""bot.bidi: left-to-right runs in right-to-left text are isolated, outside tags and entities,
once, and so that they read as written under a real Unicode Bidirectional Algorithm."""

from __future__ import annotations

import re
import time
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from bidi import get_base_level, get_display
from hypothesis import given
from hypothesis import strategies as st

from bot.bidi import LRI, PDI, RLM, isolate_ltr, strip_isolates
from bot.catalog.cards import render_card
from bot.i18n import I18n
from tests.conftest import REPO
from tests.real_catalogue import real_catalogue

LRM = "\u200e"


def shown(logical: str) -> str:
    """``logical`` as a right-to-left client lays it out, left to right, marks removed."""
    return strip_isolates(get_display(logical, base_dir="R"))


@pytest.mark.parametrize(
    ("text", "run"),
    [
        ("اتصل بالرقم 09 2525 0111.", "09 2525 0111"),
        ("أو بالرقم +358 40 750 4112، الآن", "+358 40 750 4112"),
        ("اكتب /find للبحث", "/find"),
        (
            "الموقع https://www.mll.fi/vanhemmille/?a=1&b=2 للعائلات",
            "https://www.mll.fi/vanhemmille/?a=1&b=2",
        ),
        ("راسلنا على info@mll.fi اليوم", "info@mll.fi"),
        ("مفتوح 9.00–12.00 اليوم", "9.00–12.00"),
        ("يوم 28.5.2027 فقط", "28.5.2027"),
        ("خط Nollalinja للنساء", "Nollalinja"),
        ("اتصل بـ 112 Suomi للطوارئ", "112 Suomi"),
        ("جمعية MLL للأطفال 3-6 سنوات", "MLL"),
        ("جمعية MLL للأطفال 3-6 سنوات", "3-6"),
        ("العنوان: Kirkkokatu 2, 48100 Kotka", "Kirkkokatu 2, 48100 Kotka"),
    ],
)
def test_each_run_is_isolated_and_reads_as_written(text: str, run: str) -> None:
    isolated = isolate_ltr(text)
    assert f"{LRI}{run}{PDI}" in isolated  # the marks sit outside the run: it copies clean
    assert strip_isolates(isolated) == text
    assert run in shown(isolated)


def test_without_isolation_the_numbers_the_reviewer_saw_are_reordered() -> None:
    # What main showed (measured by the reviewer): the test above is not vacuous.
    assert "4112 750 040" in shown("الرقم 040 750 4112 للأزمات")
    assert "Suomi 112" in shown("خط 112 Suomi للطوارئ")
    assert "040 750 4112" in shown(isolate_ltr("الرقم 040 750 4112 للأزمات"))


def test_punctuation_around_a_run_stays_arabic() -> None:
    assert isolate_ltr("(MLL).") == f"({LRI}MLL{PDI})."
    assert isolate_ltr("اتصل: 09 2525 0111، أو") == f"اتصل: {LRI}09 2525 0111{PDI}، أو"


def test_a_lone_number_and_arabic_text_are_left_alone() -> None:
    assert isolate_ltr("بعد 30 يومًا") == "بعد 30 يومًا"
    assert isolate_ltr("مرحبًا، كيف حالك؟") == "مرحبًا، كيف حالك؟"
    assert isolate_ltr("") == ""


def test_tags_and_attributes_are_never_touched() -> None:
    html = '<a href="https://mll.fi/a?b=1&amp;c=2">MLL Kotka</a> و<b>Kela</b>'
    assert isolate_ltr(html) == (
        f'{RLM}<a href="https://mll.fi/a?b=1&amp;c=2">{LRI}MLL Kotka{PDI}</a>'
        f" و<b>{LRI}Kela{PDI}</b>"
    )
    quoted = '<a href="https://x.fi/?q=a>b">رابط</a>'  # ">" inside a quoted value
    assert isolate_ltr(quoted) == quoted


def test_entities_are_never_split() -> None:
    assert isolate_ltr("مقهى &lt;صغير&gt; &amp; كبير") == "مقهى &lt;صغير&gt; &amp; كبير"
    # A line led by a Latin name: RLM keeps it right to left (locales/STYLE.md).
    assert isolate_ltr("Tom &amp; Jerry في") == f"{RLM}{LRI}Tom &amp; Jerry{PDI} في"
    assert isolate_ltr("الرمز &#8364; فقط") == "الرمز &#8364; فقط"


def test_isolating_twice_changes_nothing() -> None:
    text = 'اتصل بـ 112 Suomi أو <a href="https://x.fi">https://x.fi</a> و/find'
    once = isolate_ltr(text)
    assert isolate_ltr(once) == once
    # A text built from isolated pieces (a card line with an isolated argument) too.
    assert isolate_ltr(f"الهاتف: {once}") == f"الهاتف: {once}"


def test_a_line_that_starts_with_a_number_stays_right_to_left() -> None:
    line = "09 2525 0111 هو رقم خط الأزمات"
    isolated = isolate_ltr(line)
    # UAX #9 P2: the isolate's content is skipped when the paragraph direction is chosen.
    assert get_base_level(isolated) == 1
    # Right to left: the number, first in logical order, sits at the right end of the line.
    assert shown(isolated).endswith(" 09 2525 0111")
    # With a left-to-right mark instead, the paragraph would turn left to right (LRM is L).
    assert get_base_level(f"{LRM}09 2525 0111{LRM} هو رقم") == 0
    assert get_base_level("Nollalinja هو خط") == 0
    assert get_base_level(isolate_ltr("Nollalinja هو خط")) == 1


_PIECES = st.sampled_from(
    [
        "اتصل",
        " ",
        "، ",
        ".",
        "09 2525 0111",
        "+358",
        "/find",
        "https://x.fi/a?b=1",
        "&",
        "&amp;",
        "&lt;",
        "<b>",
        "</b>",
        '<a href="https://x.fi/?a=1&amp;b=2">',
        "</a>",
        "Kotka",
        "9.00–12.00",
        "(",
        ")",
        "3",
        LRI,
        PDI,
    ]
)


@given(st.lists(_PIECES, max_size=20).map("".join))
def test_marks_never_land_in_a_tag_or_an_entity(text: str) -> None:
    isolated = isolate_ltr(text)
    assert strip_isolates(isolated) == strip_isolates(text)
    assert isolate_ltr(isolated) == isolated
    for piece in re.findall(r"<[^<>]*>|&[#A-Za-z0-9]+;", isolated):
        assert LRI not in piece, (text, isolated)
        assert PDI not in piece, (text, isolated)


def test_cost_on_a_real_card(capsys: pytest.CaptureFixture[str]) -> None:
    """What isolation adds to an Arabic card (every Arabic message pays it: keep it cheap).
    Loose bound: this only catches a pathological pattern, not a slow machine."""
    helsinki = ZoneInfo("Europe/Helsinki")
    t = I18n.load(REPO / "locales", helsinki, strict=True)["ar"]
    service = max(real_catalogue().services, key=lambda s: len(s.summary.get("ar")))
    card = strip_isolates(render_card(service, t, datetime(2026, 11, 23, 12, tzinfo=helsinki)))
    rounds = 200
    started = time.perf_counter()
    for _ in range(rounds):
        isolate_ltr(card)
    per_card = (time.perf_counter() - started) / rounds
    with capsys.disabled():
        print(f"\nisolate_ltr: {per_card * 1e6:.0f} us per Arabic card of {len(card)} chars")
    assert per_card < 0.005


def test_the_translator_caches_the_isolated_text(monkeypatch: pytest.MonkeyPatch) -> None:
    t = I18n.load(REPO / "locales", ZoneInfo("Europe/Helsinki"), strict=True)["ar"]
    calls: list[str] = []
    real = isolate_ltr

    def counting(text: str) -> str:
        calls.append(text)
        return real(text)

    monkeypatch.setattr("bot.i18n.isolate_ltr", counting)
    first = t("card-phone", phone="09 2525 0111")
    assert f"{LRI}09 2525 0111{PDI}" in first
    assert t("card-phone", phone="09 2525 0111") is first  # from the cache: no second pass
    assert len(calls) == 1
    assert strip_isolates(t.format_list(["Kotka", "Hamina"])) == "Kotka وHamina"
