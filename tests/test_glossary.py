"""The glossary (locales/glossary.yaml) and the wording rules of locales/STYLE.md.

The shipped locales and catalogue must pass; each rule is then shown to catch its kind of
mistake, with ``file:line: id: reason``, and to leave alone what only looks like one.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from bot.__main__ import main
from bot.catalog import vocab
from bot.data_errors import DataFileError
from bot.glossary import (
    Glossary,
    GlossaryFile,
    Sample,
    Term,
    Wording,
    arabic_punctuation,
    check_samples,
    check_wording,
    document_samples,
    floor_mismatches,
    fold,
    read_glossary,
    te_forms,
)
from bot.yaml_source import YamlDocument, read_yaml
from tests.conftest import REPO
from tests.real_catalogue import real_catalogue

GLOSSARY = REPO / "locales" / "glossary.yaml"
FORMAT = re.compile(r"^[^:\n]+:\d+: \S+: .+$")


def shipped_documents() -> list[YamlDocument]:
    documents = [f.document for f in real_catalogue().files if f.document is not None]
    coverage = REPO / "services_catalog" / "coverage.yaml"
    return [*documents, read_yaml(coverage, "services_catalog/coverage.yaml")]


def test_shipped_locales_and_catalogue_follow_the_glossary_and_style() -> None:
    errors = check_wording(REPO / "locales", shipped_documents())
    assert [str(e) for e in errors] == []


def test_the_glossary_has_the_concepts_the_issue_names() -> None:
    glossary = read_glossary(GLOSSARY)
    ids = {t.id for t in glossary.terms}
    required = {
        "ecec", "daycare-centre", "open-early-education", "family-daycare", "family-centre",
        "neuvola", "maternity-clinic", "child-health-clinic", "lastenvalvoja",
        "child-protection", "family-counselling", "family-work", "home-help", "integration",
        "parish", "kela", "wellbeing-county", "social-emergency", "shelter", "helpline",
        "crisis-helpline", "library", "art-education",
    }  # fmt: skip
    assert required <= ids
    # One entry, so one Arabic spelling, per municipality; the codes are real ones.
    codes = [t.municipality for t in glossary.terms if t.municipality]
    assert len(codes) == len(set(codes)) == 15
    assert set(codes) <= set(vocab.municipalities())
    by_id = {t.id: t for t in glossary.terms}
    assert by_id["open-early-education"].en.explain == "play sessions for parents and children"
    assert "child welfare officer" in by_id["lastenvalvoja"].en.variants
    assert "diocese" in by_id["parish"].en.variants
    assert {"neuvola", "Kela", "lastenvalvoja"} <= {t.kept for t in glossary.terms}


def test_every_municipality_in_the_locales_is_in_the_glossary() -> None:
    glossary = read_glossary(GLOSSARY)
    codes = {t.municipality for t in glossary.terms}
    in_locales = re.findall(
        r"^municipality-(\d{3}) =", (REPO / "locales/ar/needs.ftl").read_text(), re.M
    )
    assert in_locales
    assert set(in_locales) <= codes


def glossary_of(**words: Wording) -> Glossary:
    plain = Wording(term="x")
    term = Term(
        id="t", fi=words.get("fi", plain), en=words.get("en", plain), ar=words.get("ar", plain)
    )
    return Glossary(GlossaryFile(terms=[term]))


def found(glossary: Glossary | None, locale: str, text: str) -> list[str]:
    sample = Sample("locales/x.ftl", 7, "msg-id", locale, text)
    return [str(e) for e in check_samples(glossary, [sample])]


def test_a_variant_is_named_with_file_line_and_id() -> None:
    glossary = glossary_of(
        en=Wording(term="child welfare supervisor", variants=["child welfare officer"])
    )
    assert found(glossary, "en", "Ask the Child Welfare Officers in Kotka.") == [
        'locales/x.ftl:7: msg-id: uses "child welfare officer"; '
        'the glossary says "child welfare supervisor"'
    ]
    # Word boundaries: a variant inside a longer word is another word.
    glossary = glossary_of(en=Wording(term="parish", variants=["diocese"]))
    assert found(glossary, "en", "the dioceses' work") != []
    assert found(glossary, "en", "a diocesesque plan") == []


def test_an_accepted_phrase_that_contains_a_variant_is_not_reported() -> None:
    term = Term(
        id="cp",
        fi=Wording(term="lastensuojelu"),
        en=Wording(
            term="child protection",
            also=["Mannerheim League for Child Welfare"],
            variants=["child welfare"],
        ),
        ar=Wording(term="حماية الطفل"),
    )
    supervisor = Term(
        id="lv",
        fi=Wording(term="lastenvalvoja"),
        en=Wording(term="child welfare supervisor"),
        ar=Wording(term="مشرف شؤون الطفل"),
    )
    glossary = Glossary(GlossaryFile(terms=[term, supervisor]))
    assert found(glossary, "en", "The child welfare supervisors help parents agree.") == []
    assert found(glossary, "en", "Mannerheim League for Child Welfare (MLL)") == []
    assert len(found(glossary, "en", "Child welfare helps the family.")) == 1
    # Web addresses are not prose.
    assert found(glossary, "en", "see https://example.fi/child-welfare") == []


@pytest.mark.parametrize(
    "text",
    [
        "اتصل بالأبرشية",  # no diacritics, with the preposition بـ written on
        "اتصل بِالأَبْرَشِيَّةِ",  # with diacritics
        "والأبرشيات في كوتكا",  # و + plural, matched by the open ending
        "ابرشية كوتكا",  # alef without hamza
    ],
)
def test_arabic_variants_match_with_and_without_diacritics(text: str) -> None:
    glossary = glossary_of(ar=Wording(term="الرعية", variants=["أبرشي*", "الأبرشي*"]))
    assert len(found(glossary, "ar", text)) == 1, text


def test_arabic_folding_keeps_words_apart() -> None:
    assert fold("خطّ", "ar") == fold("خط", "ar")
    assert fold("بيوتا", "ar") != fold("بيهتا", "ar")
    glossary = glossary_of(ar=Wording(term="بيهتا", variants=["بيوتا"]))
    assert found(glossary, "ar", "في بيهتا وكوتكا") == []
    assert len(found(glossary, "ar", "في بيوتا وكوتكا")) == 1


@pytest.mark.parametrize(
    ("text", "forms"),
    [
        ("Missä asutte? Näytän tapahtumat läheltänne.", ["asutte", "läheltänne"]),
        ("Jos odotatte vauvaa, valitse myös se.", ["odotatte"]),
        ("Te voitte soittaa, teidän ei tarvitse.", ["Te", "voitte", "teidän"]),
        ("Mikä helpottaisi arkeanne?", ["arkeanne"]),
        ("Soittakaa numeroon 112.", ["Soittakaa"]),
        # No false positives: "te" inside words, ordinary words ending like a te-form.
        ("Lähetä tekstiviesti tai tee hakemus. Teemme parhaamme.", []),
        ("Elämäntilanne muuttuu. Tule tänne, minne haluat.", []),
        ("Pelastakaa Lapset ry", []),  # a name (Save the Children); -kaa alone is no te-form
    ],
)
def test_finnish_te_forms(text: str, forms: list[str]) -> None:
    assert te_forms(text) == forms


def test_te_forms_are_reported_in_finnish_only() -> None:
    assert found(None, "fi", "Missä asutte?") == [
        'locales/x.ftl:7: msg-id: uses "asutte"; Valo says sinä in Finnish (STYLE.md)'
    ]
    assert found(None, "en", "Te Deum") == []


def test_arabic_plural_or_feminine_address_is_reported() -> None:
    assert len(found(None, "ar", "إذا كنتم تنتظرون مولودًا")) == 2
    assert len(found(None, "ar", "تواصلي مع العيادة عندما تعلمين بالحمل.")) == 2
    assert found(None, "ar", "إذا كنت تنتظر مولودًا، تواصل مع العيادة.") == []
    # Third person and nouns that end the same way are not address.
    assert found(None, "ar", "الموظفين والوالدين يعرفون ذلك") == []


@pytest.mark.parametrize(
    ("text", "marks"),
    [
        ("أين تسكن?", ["?"]),
        ("اتصل بالرقم 112, أو اذهب", [","]),
        ("قبل; بعد", [";"]),
        ('جرّب "كل فنلندا".', ['"', '"']),
        ("أين تسكن؟ اتصل، ثم؛ «كل فنلندا»", []),
        # Isolated left-to-right runs, numbers, URLs, HTML, symbols: not Arabic prose.
        ("يعمل في Kotka, Hamina وكوفولا", []),
        ("الأرقام 09 2525 0111, 116 111", []),
        ("الساعة 1.30 أو 1,5 ساعة", []),
        ("افتح https://example.fi/a?b=1;c=2 الآن", []),
        ('الرابط <a href="https://x.fi">النص</a> هنا', []),
        ("اكتب &lt; بدلًا من <", []),
        ("?: لم يتم التحقق", []),
    ],
)
def test_arabic_punctuation(text: str, marks: list[str]) -> None:
    assert arabic_punctuation(text) == marks


def test_arabic_punctuation_is_reported_with_the_arabic_mark() -> None:
    assert found(None, "ar", "أين تسكن?") == [
        'locales/x.ftl:7: msg-id: uses "?" in Arabic prose; Arabic has ؟'
    ]


def test_a_floor_follows_the_ground_floor_count(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(
        "services:\n"
        "  - id: clinic\n"
        "    description:\n"
        '      fi: "Neuvola on toisessa kerroksessa."\n'
        '      en: "The clinic is on the second floor."\n'
        '      ar: "العيادة في الطابق الأول."\n'
        "  - id: library\n"
        '    description: {fi: "1. kerros", en: "ground floor", ar: "الطابق الأرضي"}\n',
        encoding="utf-8",
    )
    samples = document_samples(read_yaml(path, "c.yaml"))
    assert [str(e) for e in floor_mismatches(samples)] == [
        'c.yaml:5: clinic.description: Finnish says "toisessa kerroksessa": '
        'say "first floor" (STYLE.md)'
    ]


def test_a_municipality_spelled_otherwise_than_in_the_locales(tmp_path: Path) -> None:
    locales = tmp_path / "locales"
    shutil.copytree(REPO / "locales", locales)
    glossary = locales / "glossary.yaml"
    text = glossary.read_text(encoding="utf-8")
    glossary.write_text(text.replace('ar: {term: "بيهتا"', 'ar: {term: "پيهتا"'), encoding="utf-8")
    errors = [str(e) for e in check_wording(locales, [])]
    assert len(errors) == 1
    assert re.match(
        r'locales/glossary\.yaml:\d+: terms\[\d+\]\.ar\.term: municipality-624 in ar is "بيهتا", '
        r'not "پيهتا"$',
        errors[0].removeprefix(str(tmp_path) + "/"),
    ), errors


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("  - id: ecec\n", "  - id: Ecec\n", ":18: terms[0].id: String should match pattern"),
        (
            "  - id: ecec\n",
            "  - id: ecec\n    colour: red\n",
            ":19: terms[0].colour: unknown field",
        ),
        (
            'variants: ["päivähoi*"]',
            'variants: ["varhaiskasvatus"]',
            ":20: terms[0].fi.variants[0]: 'varhaiskasvatus' is also the term itself",
        ),
        (
            "  - id: daycare-centre\n",
            "  - id: ecec\n",
            ":31: terms[1].id: duplicate term id 'ecec', first at line 18",
        ),
    ],
)
def test_a_broken_glossary_is_refused_with_file_and_line(
    tmp_path: Path, old: str, new: str, expected: str
) -> None:
    text = GLOSSARY.read_text(encoding="utf-8")
    assert old in text
    broken = tmp_path / "glossary.yaml"
    broken.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(DataFileError) as caught:
        read_glossary(broken, "glossary.yaml")
    lines = [str(e) for e in caught.value.errors]
    assert all(FORMAT.match(line) for line in lines), lines
    assert lines[0].startswith("glossary.yaml" + expected), lines


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A data home with copies of the shipped locales, dialogs and catalogue."""
    root = tmp_path / "home"
    for name in ("locales", "dialogs", "services_catalog"):
        shutil.copytree(REPO / name, root / name)
    monkeypatch.setenv("VALO_HOME", str(root))
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'unused.db'}")
    monkeypatch.delenv("CATALOG_PATH", raising=False)
    return root


def test_valo_bot_check_reports_a_variant_in_a_catalogue_text(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check"]) == 0
    assert "wording OK" in capsys.readouterr().out
    kotka = home / "services_catalog" / "kotka.yaml"
    text = kotka.read_text(encoding="utf-8")
    old = 'en: "Open early education", ar: "التعليم المبكر المفتوح"}'
    assert old in text
    kotka.write_text(text.replace(old, 'en: "Open ECEC", ar: "التعليم المفتوح"}'), encoding="utf-8")
    line = text[: text.index(old)].count("\n") + 1
    assert main(["check"]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out == [
        f'{kotka}:{line}: kotka-open-ecec.name: uses "open ECEC"; '
        'the glossary says "open early education"',
        f'{kotka}:{line}: kotka-open-ecec.name: uses "التعليم المفتوح"; '
        'the glossary says "التعليم المبكر المفتوح"',
    ]
