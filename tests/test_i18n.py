"""Locales: validation errors with file:line, locale choice, plurals and formatting."""

from __future__ import annotations

import re
import shutil
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.bidi import strip_isolates
from bot.data_errors import DataFileError
from bot.i18n import I18n, locale_from_language_code, validate_locales
from bot.middlewares import choose_locale
from tests.conftest import REPO

HELSINKI = ZoneInfo("Europe/Helsinki")


@pytest.fixture
def locales(tmp_path: Path) -> Path:
    """A copy of the real locales, to break on purpose."""
    root = tmp_path / "locales"
    shutil.copytree(REPO / "locales", root)
    return root


def write(root: Path, locale: str, name: str, text: str) -> None:
    (root / locale / name).write_text(text, encoding="utf-8")


def messages(root: Path) -> list[str]:
    return [str(e) for e in validate_locales(root)]


def test_shipped_locales_are_valid() -> None:
    assert validate_locales(REPO / "locales") == []


def test_variable_used_in_one_locale_only(locales: Path) -> None:
    for loc, text in {
        "fi": "a = Hei\n",
        "en": "a = Hi\n",
        "ar": "\n\na = مرحبا { $count }\n",
    }.items():
        write(locales, loc, "extra.ftl", text)
    assert messages(locales) == ["locales/ar/extra.ftl:3: a: uses $count, fi/en do not"]


def test_missing_message(locales: Path) -> None:
    write(locales, "fi", "extra.ftl", "only-fi = Vain suomeksi\n")
    assert messages(locales) == ["locales/fi/extra.ftl:1: only-fi: missing in en/ar"]


def test_syntax_error_is_reported_with_line(locales: Path) -> None:
    for loc in ("fi", "en", "ar"):
        write(locales, loc, "extra.ftl", "ok = fine\nbroken = { $x\n")
    found = messages(locales)
    assert len(found) == 3
    assert found[0].startswith("locales/ar/extra.ftl:2: broken: ")


def test_duplicate_id_across_files(locales: Path) -> None:
    write(locales, "en", "extra.ftl", "\ngreeting = again\n")
    assert messages(locales) == [
        "locales/en/start.ftl:3: greeting: duplicate id, first at locales/en/extra.ftl:2"
    ]


def test_unknown_reference(locales: Path) -> None:
    for loc in ("fi", "en", "ar"):
        write(locales, loc, "extra.ftl", "x = { nowhere }\n")
    assert "locales/fi/extra.ftl:1: x: refers to unknown nowhere" in messages(locales)


def test_missing_locale_directory(locales: Path) -> None:
    shutil.rmtree(locales / "ar")
    assert messages(locales)[0] == "locales/ar:0: ar: no .ftl files for this locale"


def test_load_refuses_broken_locales(locales: Path) -> None:
    write(locales, "fi", "extra.ftl", "only-fi = x\n")
    with pytest.raises(DataFileError) as info:
        I18n.load(locales, HELSINKI)
    assert "only-fi: missing in en/ar" in str(info.value)


@pytest.mark.parametrize(
    ("code", "expected"),
    [("fi", "fi"), ("en-GB", "en"), ("ar-EG", "ar"), ("AR", "ar"), ("sv", None), (None, None)],
)
def test_locale_from_language_code(code: str | None, expected: str | None) -> None:
    assert locale_from_language_code(code) == expected


def test_choice_prefers_saved_then_telegram_then_default() -> None:
    assert choose_locale("ar", "fi", "fi").locale == "ar"
    assert choose_locale(None, "en-US", "fi").locale == "en"
    fallback = choose_locale(None, "so", "fi")
    assert (fallback.locale, fallback.must_choose) == ("fi", True)


@pytest.fixture(scope="module")
def i18n() -> I18n:
    return I18n.load(REPO / "locales", HELSINKI, strict=True)


@pytest.mark.parametrize(
    ("days", "expected"),
    [
        (0, "أقل من يوم"),
        (1, "يوم واحد"),
        (2, "يومين"),
        (3, "3 أيام"),
        (11, "11 يومًا"),
        (100, "100 يوم"),
    ],
)
def test_arabic_plural_categories(i18n: I18n, days: int, expected: str) -> None:
    assert f"بعد {expected} " in i18n["ar"]("privacy-kind-dialog", days=days)


@pytest.mark.parametrize(
    ("count", "expected"),
    [(5, "5 أحرف"), (64, "64 حرفًا"), (4096, "4,096 حرفًا"), (5000, "5,000 حرف")],
)
def test_arabic_counted_characters_agree_with_the_number(
    i18n: I18n, count: int, expected: str
) -> None:
    """3–10 take the plural, 11–99 the accusative singular, 100 and more the genitive."""
    t = i18n["ar"]
    texts = (
        t("bc-text-too-long", length=count, max=1),
        t("bc-ask-fi", max=count),
        t("staff-error-title", max=count),
    )
    for text in texts:  # the whole word: "5,000 حرف" is also the start of "5,000 حرفًا"
        assert re.search(expected + "(?![\u0621-\u065f])", strip_isolates(text)), text


def test_english_plural(i18n: I18n) -> None:
    assert "after 1 day without" in i18n["en"]("privacy-kind-dialog", days=1)
    assert "after 30 days without" in i18n["en"]("privacy-kind-dialog", days=30)


@pytest.mark.parametrize(
    ("locale", "count", "expected"),
    [
        ("fi", 1, "yksi perhe ei saa sitä."),
        ("fi", 5, "5 perhettä ei saa sitä."),
        ("en", 1, "one family will not get it."),
        ("en", 5, "5 families will not get it."),
        ("ar", 1, "لن تتلقاه عائلة واحدة."),
        ("ar", 2, "لن تتلقاه عائلتان."),
        ("ar", 5, "لن تتلقاه 5 عائلات."),
        ("ar", 11, "لن تتلقاه 11 عائلةً."),
    ],
)
def test_stopped_broadcast_counts_families_with_a_plural(
    i18n: I18n, locale: str, count: int, expected: str
) -> None:
    """The language review (fi/en #8) read "1 perhettä", "1 families": no plural selector."""
    assert expected in i18n[locale]("bc-cancel-stopped", id="3", count=count)


def test_a_message_is_formatted_once_per_arguments(monkeypatch: pytest.MonkeyPatch) -> None:
    t = I18n.load(REPO / "locales", HELSINKI, strict=True)["en"]
    bundle = t._bundle
    formatted: list[object] = []
    real = bundle.format_pattern

    def counting(pattern: object, args: object = None) -> object:
        formatted.append(pattern)
        return real(pattern, args)  # type: ignore[arg-type]

    monkeypatch.setattr(bundle, "format_pattern", counting)
    assert t("flow-done") == t("flow-done") == "✅ Done"
    assert len(formatted) == 1
    assert t("flow-progress", current=1, total=5) == "Question 1 of 5"
    assert t("flow-progress", current=2, total=5) == "Question 2 of 5"
    assert t("flow-progress", current=1, total=5) == "Question 1 of 5"
    assert len(formatted) == 3  # once per distinct arguments
    assert "after 1 day without" in t("privacy-kind-dialog", days=1)
    assert "after 30 days without" in t(
        "privacy-kind-dialog", days=30
    )  # same message, other plural
    assert t("privacy-kind-dialog", days=2.0) == t("privacy-kind-dialog", days=2.0)
    assert len(formatted) == 7  # other kinds of arguments (dates...): formatted every time


def test_strict_translator_refuses_missing_variable(i18n: I18n) -> None:
    with pytest.raises(ValueError, match="privacy-kind-dialog"):
        i18n["fi"]("privacy-kind-dialog")


def test_no_bidi_isolation_marks(i18n: I18n) -> None:
    assert "\u2068" not in i18n["ar"]("privacy-kind-dialog", days=5)


def test_finnish_date_format(i18n: I18n) -> None:
    # 16:00 UTC is 18:00 in Helsinki in November (UTC+2).
    moment = datetime(2026, 11, 24, 16, 0, tzinfo=UTC)
    assert i18n["fi"].format_datetime(moment) == "ti 24.11. klo 18.00"
    assert i18n["en"].format_datetime(moment) == "Tue 24 Nov, 18:00"


def test_dates_follow_daylight_saving(i18n: I18n) -> None:
    # Helsinki is UTC+3 in summer.
    assert i18n["fi"].format_time(datetime(2026, 7, 1, 7, 0, tzinfo=UTC)) == "10.00"


def test_arabic_lines_start_with_arabic(i18n: I18n) -> None:
    for msg in ("greeting", "help-text", "help-now", "delete-done"):
        for line in i18n["ar"](msg).splitlines():
            if line.strip():
                first = line.strip()[0]
                assert "\u0600" <= first <= "\u06ff", (msg, line)
