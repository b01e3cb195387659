"""Grammar the locale files must keep (locales/STYLE.md, "Lists, names and grammar").

A name (municipality, language, need, service, event title, person...) goes into a Finnish
sentence as it is, in the nominative: Valo has no inflected forms of names, and a guessed
suffix is wrong as often as it is right. So a Finnish message never puts a name where the
sentence needs a case ending ("paikkakunnalla Kotka", "kielellä suomi", "tilaajille kunnassa
Kotka"): it uses label style ("sijainti: Kotka") or quotes. In Arabic a name is never glued to a
prefix particle (بـ، لـ) or made the second term of a construct ("فعالية X"): the name may be
in Latin letters (an event title staff typed in Finnish only).

The check is deliberately small and curated: which variables hold names, which Finnish endings
mark a case, and which verbs take a name as their object in the nominative.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fluent.syntax import FluentParser, ast

from tests.conftest import REPO
from tests.real_catalogue import real_catalogue

# Variables that hold a name or other text Valo cannot inflect (numbers, dates and times are
# not here: "{ $count } palvelua" and "{ $date } asti" are fine).
NAME_VARIABLES = frozenset(
    {
        "municipality", "language", "languages", "need", "needs", "service", "title", "event",
        "topic", "topics", "who", "label", "weekday", "kind", "place", "current", "locale",
        "audience", "scope", "tree", "source", "alternative", "advice", "how", "reason",
    }
)  # fmt: skip
# The endings of Finnish cases that would need the name inflected too: genitive -n,
# partitive -a/-ä/-ta/-tä, the locatives, essive -na/-nä, translative -ksi, allative -lle.
FINNISH_CASE_WORD = re.compile(r"\w+(?:n|a|ä|lle|ksi)$")
# Words after which a name stands in the nominative: the verb "on" ("huomenna on Satutunti"),
# imperatives whose object it is ("Poista Matti"), "joka maanantai"; any other inflected word
# before a name is flagged.
FINNISH_NOMINATIVE_BEFORE = frozenset({"on", "poista", "peru", "avaa", "näytä", "valitse", "joka"})
ARABIC_PREFIX = re.compile(r"(?:^|\s)[بلك]ـ\s*$")
ARABIC_CONSTRUCT_NOUNS = frozenset({"فعالية", "موعد", "صلاحيات", "موضوع", "أخبار"})
TAG = re.compile(r"<[^>]*>")


def _patterns(entry: ast.Message | ast.Term) -> Iterator[ast.Pattern]:
    if entry.value is not None:
        yield entry.value
    for attribute in entry.attributes:
        yield attribute.value


def _pairs(pattern: ast.Pattern) -> Iterator[tuple[str, str, str]]:
    """(text before, variable name, text after) for every variable placeable, also inside
    select expressions' variants."""
    elements = pattern.elements
    for i, element in enumerate(elements):
        if not isinstance(element, ast.Placeable):
            continue
        expression = element.expression
        if isinstance(expression, ast.SelectExpression):
            for variant in expression.variants:
                yield from _pairs(variant.value)
            continue
        if not isinstance(expression, ast.VariableReference):
            continue
        before = elements[i - 1] if i > 0 else None
        after = elements[i + 1] if i + 1 < len(elements) else None
        yield (
            before.value if isinstance(before, ast.TextElement) else "",
            expression.id.name,
            after.value if isinstance(after, ast.TextElement) else "",
        )


def _finnish_problem(before: str, after: str) -> str | None:
    text = TAG.sub("", before)
    if text.endswith((" ", "\u00a0")):
        words = text.split()
        word = words[-1].casefold() if words else ""
        if FINNISH_CASE_WORD.fullmatch(word) and word not in FINNISH_NOMINATIVE_BEFORE:
            return f"'{word}' needs the name inflected; use label style ('Kunta: Kotka')"
    if re.match(r"-?\w", TAG.sub("", after)):
        return f"a suffix glued to the name ('{after.split()[0]}'); use label style"
    return None


def _arabic_problem(before: str, after: str) -> str | None:
    text = TAG.sub("", before)
    if ARABIC_PREFIX.search(text):
        return "a prefix particle glued to a name; use a label ('الفعالية: ...')"
    words = text.split()
    if text.endswith(" ") and words and words[-1] in ARABIC_CONSTRUCT_NOUNS:
        return f"'{words[-1]}' in construct with a name; use a label ('الفعالية: ...')"
    return None


CHECKS = {"fi": _finnish_problem, "ar": _arabic_problem}


def grammar_problems(root: Path) -> list[str]:
    """``file:line: message-id: reason`` for each name put where its case would need changing."""
    problems: list[str] = []
    parser = FluentParser()
    for locale, check in CHECKS.items():
        for path in sorted((root / locale).glob("*.ftl")):
            source = path.read_text(encoding="utf-8")
            for entry in parser.parse(source).body:
                if not isinstance(entry, ast.Message | ast.Term) or entry.span is None:
                    continue
                line = source.count("\n", 0, entry.span.start) + 1
                for pattern in _patterns(entry):
                    for before, name, after in _pairs(pattern):
                        problem = check(before, after) if name in NAME_VARIABLES else None
                        if problem is not None:
                            where = path.relative_to(root.parent)
                            problems.append(f"{where}:{line}: {entry.id.name}: {problem}")
    return problems


def test_no_name_in_a_slot_that_needs_a_case_ending() -> None:
    assert grammar_problems(REPO / "locales") == []


@pytest.mark.parametrize(
    ("locale", "line", "flagged"),
    [
        ("fi", "reason-local = paikkakunnalla { $municipality }", True),
        ("fi", "reason-regional = palvelee kuntaa { $municipality }", True),
        ("fi", "reason-language = kielellä { $language }", True),
        ("fi", "bc-audience = tilaajille kunnassa { $municipality }", True),
        ("fi", "moved = Tapahtuman <b>{ $title }</b> aika on muuttunut.", True),
        ("fi", "guess = { $municipality }ssa", True),
        ("fi", "x = { $count ->\n    [one] Kunnassa { $municipality }\n   *[other] ok\n}", True),
        ("fi", "reason-local = sijainti: { $municipality }", False),
        ("fi", "remove = ➖ Poista { $who }", False),
        ("fi", "max = Enintään { $max } merkkiä.", False),
        ("fi", "col = sarakkeen ”{ $rate }”", False),
        ("fi", "day = Muistutus: huomenna on <b>{ $title }</b>", False),
        ("ar", "ev = العائلات التي لديها تذكير بـ { $event }", True),
        ("ar", "ev = أُلغيت فعالية <b>{ $title }</b>", True),
        ("ar", "ev = أُلغيت الفعالية: <b>{ $title }</b>", False),
        ("ar", "lang = باللغة { $language }", False),
    ],
)
def test_the_check_flags_the_pattern(tmp_path: Path, locale: str, line: str, flagged: bool) -> None:
    root = tmp_path / "locales"
    (root / locale).mkdir(parents=True)
    (root / locale / "x.ftl").write_text(line + "\n", encoding="utf-8")
    problems = grammar_problems(root)
    assert bool(problems) == flagged, problems
    if flagged:
        assert problems[0].startswith(f"locales/{locale}/x.ftl:1: ")


# Errors a language review found, by kind: each pattern, where it is wrong, and why. A text
# that matches fails the test, so the same error cannot come back (locales/STYLE.md).
KNOWN_ERRORS: tuple[tuple[str, str, str], ...] = (
    (r"perottava", "fi", "misspelt: peruttava"),
    (r"tekstiviestinä|text message|رسالة نصية", "locales", "means SMS; Valo sends messages"),
    (r"perille mennä", "fi", "word order: mennyt perille"),
    (r"hakea (sen|lapsilisän) yksin", "fi", "reads 'apply alone'; the source says 'on its own'"),
    ("\u062a\u062e\u0637\u064d\u0651", "ar", "تخطٍّ has the wrong vowel mark: تخطَّ"),
    (
        r"رقمك في تيليغرام|Telegram number|Telegram-numero",
        "locales",
        "reads as the phone number, which Valo never keeps: the Telegram user number",
    ),
    (r"البطاقات التي أبلغت عن خطأ", "ar", "the verb has no subject: أبلغت العائلات عن خطأ"),
    (
        r"في \{ \$(when|expires) \}",
        "ar",
        "the date starts with the weekday, and 'في الثلاثاء' is unusual: يوم { $when }",
    ),
    # "I will remind you once" beside a choice of two reminders (language review fi/en #1).
    (r"Muistutan kerran", "fi", "reads 'remind once'; say which occurrence: tästä kerrasta"),
    ("سأذكّرك مرة واحدة", "ar", "reads 'remind once' beside two reminders"),
    # Language review fi/en, 2026-12-07 (#10, #18, #28, #41).
    (r"Lisää palvelu", "fi", "reads 'add services': Näytä lisää palveluja"),
    (r"summa, jonka", "fi", "wrong relative pronoun: summa, jossa"),
    (r"\bchatta", "fi", "slang: kirjoita chatissa"),
    (r"voi vielä käyttää sen\b", "fi", "käyttää takes the partitive: käyttää sitä"),
    # Language review of the guide, 2026-12-07 (ar #2, #6; fi/en #4).
    (r"استخدام /guide من قبل", "ar", "«من قبل» is 'before': 'already' is «بالفعل»"),
    (
        r"أيام العمل",
        "ar",
        "may be read as Sunday to Thursday: say «من الاثنين إلى الجمعة»",
    ),
    (r"auttaa väkivallassa|help with violence", "locales", "reads as helping to commit it"),
)


def _texts() -> Iterator[tuple[str, str, str]]:
    """(where, language, text) of every locale message line and catalogue text."""
    for path in sorted((REPO / "locales").glob("*/*.ftl")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            yield f"{path.relative_to(REPO)}:{number}", path.parent.name, line
    for path in sorted((REPO / "services_catalog").glob("*.yaml")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            match = re.match(r"\s*(fi|en|ar): ", line)
            if match:
                yield f"{path.relative_to(REPO)}:{number}", match.group(1), line


def test_known_text_errors_do_not_come_back() -> None:
    found = [
        f"{where}: {why}"
        for where, language, text in _texts()
        for pattern, scope, why in KNOWN_ERRORS
        if (scope == language or (scope == "locales" and where.startswith("locales/")))
        and re.search(pattern, text)
    ]
    assert found == []


def test_the_daycare_lead_time_keeps_its_condition_in_finnish() -> None:
    """Two weeks' notice is the exception for a job or studies that start suddenly; a Finnish
    text without "yllättäen" (or "ennalta") makes it the rule for everyone (kotka-daycare)."""
    for service in real_catalogue().services:
        for text in (service.summary, service.description):
            if text is None:
                continue
            english, finnish = text.get("en"), text.get("fi")
            if "two weeks" in english and re.search(r"suddenly|foresee", english):
                assert re.search(r"yllättäen|ennalta", finnish), (service.id, finnish)
