"""The glossary (``locales/glossary.yaml``) and the house rules of wording it goes with.

The glossary fixes one word per recurring concept in fi, en and ar, and lists the variants it
rules out. :func:`check_wording` reads every locale message and every catalogue text and names
each ruled-out variant (``file:line: id: uses "X"; the glossary says "Y"``), each Finnish
te-form (Valo says sinä) and each Latin comma, question mark, semicolon or straight quote in
Arabic prose. ``valo-bot check`` and the tests run it, so a variant cannot come back unseen.

Matching is case-insensitive and on word boundaries; Arabic is compared without diacritics
(harakat, tatweel) and with the alef forms folded, so ``خطّ`` and ``خط`` are the same word.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any

from fluent.syntax import FluentParser, ast
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from bot.config import SUPPORTED_LOCALES
from bot.data_errors import DataError, DataFileError
from bot.yaml_source import YamlDocument, parse_model, read_yaml

GLOSSARY_FILE = "glossary.yaml"

Phrase = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Wording(_Strict):
    """A concept in one language: the word to use, other accepted forms, ruled-out variants.

    ``also`` lists forms that stay accepted even where a variant is part of them (inflections,
    longer names: "child welfare supervisor" contains the ruled-out "child welfare"). A variant
    ending in ``*`` matches any ending of its last word (Finnish inflection: ``päivähoido*``).
    """

    term: Phrase
    also: list[Phrase] = Field(default_factory=list)
    variants: list[Phrase] = Field(default_factory=list)
    introduce: Phrase | None = None  # how the word is introduced the first time on a screen
    explain: Phrase | None = None  # plain words for what it is, where the term alone is opaque


class Term(_Strict):
    """One recurring concept."""

    id: Annotated[str, StringConstraints(pattern=r"^[a-z0-9-]+$")]
    fi: Wording
    en: Wording
    ar: Wording
    # The Finnish word families will meet on signs and letters, kept in Latin letters.
    kept: Phrase | None = None
    municipality: Annotated[str, StringConstraints(pattern=r"^\d{3}$")] | None = None
    note: str | None = None  # for editors

    def wording(self, locale: str) -> Wording:
        value: Wording = getattr(self, locale)
        return value


class GlossaryFile(_Strict):
    terms: list[Term] = Field(min_length=1)


# Arabic marks that may or may not be written: harakat, superscript alef, tatweel.
_ARABIC_MARKS = re.compile("[\u064b-\u065f\u0670\u0640]")
_ALEF_FORMS = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا"})


def fold(text: str, locale: str) -> str:
    """``text`` as compared: case-folded; Arabic without optional marks, alef forms folded.

    The result has one character per character of ``text`` (marks become nothing only in
    Arabic, where positions are not reported), so callers compare, never index back.
    """
    text = unicodedata.normalize("NFC", text).casefold()
    if locale == "ar":
        text = _ARABIC_MARKS.sub("", text).translate(_ALEF_FORMS)
    return text


# Arabic writes the conjunctions and prepositions و ف ب ك ل onto the next word.
_AR_CLITICS = "(?:[وفبكل]{1,2})?"
_EN_PLURAL = "(?:s|'s)?"


def phrase_pattern(phrase: str, locale: str) -> re.Pattern[str]:
    """A folded phrase as a regular expression on word boundaries (see :class:`Wording`)."""
    stem, open_end = (phrase[:-1], True) if phrase.endswith("*") else (phrase, False)
    words = [re.escape(w) for w in fold(stem, locale).split()]
    body = r"\s+".join(words)
    prefix = _AR_CLITICS if locale == "ar" else ""
    suffix = r"\w*" if open_end else (_EN_PLURAL if locale == "en" else "")
    return re.compile(rf"(?<!\w){prefix}{body}{suffix}(?!\w)")


@dataclass(frozen=True)
class Glossary:
    """The parsed glossary, with where it was read from for line numbers."""

    file: GlossaryFile
    document: YamlDocument | None = None

    @property
    def terms(self) -> list[Term]:
        return self.file.terms

    @cached_property
    def _accepted(self) -> dict[str, list[re.Pattern[str]]]:
        return {
            locale: [
                phrase_pattern(p, locale)
                for term in self.terms
                for p in (term.wording(locale).term, *term.wording(locale).also)
            ]
            for locale in SUPPORTED_LOCALES
        }

    @cached_property
    def _variants(self) -> dict[str, list[tuple[str, re.Pattern[str], str, str]]]:
        """Per locale: (a word the text must contain, pattern, variant, term)."""
        return {
            locale: [
                (
                    fold(v.removesuffix("*"), locale).split()[0],
                    phrase_pattern(v, locale),
                    v,
                    term.wording(locale).term,
                )
                for term in self.terms
                for v in term.wording(locale).variants
            ]
            for locale in SUPPORTED_LOCALES
        }

    def variants_in(self, text: str, locale: str) -> list[tuple[str, str]]:
        """(variant, term) for each ruled-out variant in ``text`` outside accepted phrases."""
        folded = fold(_NOT_PROSE.sub(_blank, text), locale)
        accepted: list[tuple[int, int]] | None = None  # found only when a variant is
        hits: list[tuple[int, int, str, str]] = []
        for needle, pattern, variant, term in self._variants.get(locale, []):
            if needle not in folded:  # the cheap test first: most texts have no variant
                continue
            for match in pattern.finditer(folded):
                start, end = match.span()
                if accepted is None:
                    accepted = [
                        m.span() for p in self._accepted.get(locale, []) for m in p.finditer(folded)
                    ]
                if not any(a <= start and end <= b for a, b in accepted):
                    # An open variant ("päivähoi*") is named by the word it matched.
                    said = match.group(0) if variant.endswith("*") else variant
                    hits.append((start, end, said, term))
        found: list[tuple[str, str]] = []
        for start, end, variant, term in hits:
            # "التعليم المفتوح" inside "التعليم المفتوح للطفولة المبكرة" is one mistake.
            inside = any(a <= start and end <= b and b - a > end - start for a, b, *_ in hits)
            if not inside and (variant, term) not in found:
                found.append((variant, term))
        return found


def read_glossary(path: Path, display: str | None = None) -> Glossary:
    """Parse and validate the glossary; raise DataFileError (``file:line: path: reason``)."""
    document = read_yaml(path, display)
    parsed = parse_model(document, GlossaryFile)
    glossary = Glossary(parsed, document)
    errors: list[DataError] = []
    first: dict[str, int] = {}
    for i, term in enumerate(parsed.terms):
        if term.id in first:
            line = document.line_of(("terms", first[term.id], "id"))
            reason = f"duplicate term id {term.id!r}, first at line {line}"
            errors.append(document.error(("terms", i, "id"), reason))
        first.setdefault(term.id, i)
        for locale in SUPPORTED_LOCALES:
            wording = term.wording(locale)
            for j, variant in enumerate(wording.variants):
                # A variant that is also an accepted form could never be reported: a typo.
                if fold(variant, locale) in {
                    fold(p, locale) for p in (wording.term, *wording.also)
                }:
                    errors.append(
                        document.error(
                            ("terms", i, locale, "variants", j),
                            f"{variant!r} is also the term itself",
                        )
                    )
    if errors:
        raise DataFileError(errors)
    return glossary


@dataclass(frozen=True)
class Sample:
    """One text in one language, and where it is written."""

    file: str
    line: int
    ident: str
    locale: str
    text: str


def locale_samples(root: Path) -> list[Sample]:
    """The text of every message and term (value, attributes, variants) of every locale.

    Placeables, selectors and variant keys are Fluent syntax, not prose: only text elements
    are taken, one sample per line of text so each is reported where it stands.
    """
    samples: list[Sample] = []
    parser = FluentParser(with_spans=True)
    for locale in SUPPORTED_LOCALES:
        for path in sorted((root / locale).glob("*.ftl")):
            name = _display(path, root)
            source = path.read_text(encoding="utf-8")
            for entry in parser.parse(source).body:
                if not isinstance(entry, ast.Message | ast.Term):
                    continue
                ident = ("-" if isinstance(entry, ast.Term) else "") + entry.id.name
                for element in _text_elements(entry):
                    start = element.span.start if element.span else 0
                    line = source.count("\n", 0, start) + 1
                    for k, text in enumerate(element.value.split("\n")):
                        if text.strip():
                            samples.append(Sample(name, line + k, ident, locale, text))
    return samples


def _text_elements(node: Any) -> Iterator[ast.TextElement]:
    if isinstance(node, ast.TextElement):
        yield node
        return
    if isinstance(node, ast.BaseNode):
        for value in vars(node).values():
            if isinstance(value, list):
                for item in value:
                    yield from _text_elements(item)
            elif isinstance(value, ast.BaseNode) and not isinstance(value, ast.Identifier):
                yield from _text_elements(value)


def _display(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root.parent)) if root.parent != Path() else str(path)
    except ValueError:
        return str(path)


def document_samples(document: YamlDocument) -> list[Sample]:
    """Every ``{fi, en, ar}`` text in a data file (names, summaries, descriptions, titles)."""
    samples: list[Sample] = []

    def walk(data: Any, path: tuple[str | int, ...]) -> None:
        if isinstance(data, dict):
            if data and set(data) <= set(SUPPORTED_LOCALES):
                ident = _path_id(document, path)
                for locale, text in data.items():
                    if isinstance(text, str):
                        line = document.line_of((*path, locale))
                        samples.append(Sample(document.file, line, ident, locale, text))
                return
            for key, value in data.items():
                walk(value, (*path, key))
        elif isinstance(data, list):
            for i, value in enumerate(data):
                walk(value, (*path, i))

    walk(document.data, ())
    return samples


def _path_id(document: YamlDocument, path: tuple[str | int, ...]) -> str:
    """``kotka-daycare.description``: the nearest item's id, then the field, for a reader."""
    node: Any = document.data
    ident = ""
    rest: list[str] = []
    for part in path:
        node = node[part]
        if isinstance(node, dict) and isinstance(node.get("id"), str):
            ident, rest = node["id"], []
        elif isinstance(part, str):
            rest.append(part)
    return ".".join([ident, *rest] if ident else rest) or "-"


# Finnish te-forms (Valo says sinä): the pronoun and its cases, the verbs' -tte ending
# ("asutte", "ette") and the possessive -nne ("perhettänne"), minus the ordinary words that
# end the same way. "te" inside a word is never matched (word boundaries).
_TE_WORDS = [
    "te",
    "teidän",
    "teille",
    "teitä",
    "teillä",
    "teiltä",
    "teihin",
    "teistä",
    "teissä",
    "teitte",
]
_TE_IMPERATIVES = [
    "soittakaa",
    "ottakaa",
    "kysykää",
    "valitkaa",
    "lähettäkää",
    "katsokaa",
    "hakekaa",
    "tulkaa",
    "kertokaa",
    "odottakaa",
    "varatkaa",
    "menkää",
]
_NOT_TE = re.compile(r"\w*(?:tilanne|kanne|vanne)|minne|sinne|tänne|tuonne|jonne|kunne")
_TE_PATTERN = re.compile(
    r"(?<!\w)(" + "|".join(_TE_WORDS + _TE_IMPERATIVES) + r"|\w*tte|\w+nne)(?!\w)",
    re.IGNORECASE,
)


def te_forms(text: str) -> list[str]:
    """The Finnish te-forms in ``text`` (see ``_TE_PATTERN``)."""
    return [
        m.group(1)
        for m in _TE_PATTERN.finditer(text)
        if not _NOT_TE.fullmatch(m.group(1).casefold())
    ]


# Arabic address other than أنت, singular masculine: the plural (pronoun, suffixes, -ون verbs)
# and the feminine (-ين verbs, -ي imperatives). Forms told apart only by a vowel mark
# (يمكنكِ) are not listed: the marks are folded away.
_AR_OTHER_ADDRESS = [
    "أنتم",
    "كنتم",
    "لديكم",
    "عندكم",
    "يمكنكم",
    "عائلتكم",
    "أطفالكم",
    "طفلكم",
    "بيتكم",
    "منزلكم",
    "إليكم",
    "عليكم",
    "لكم",
    "تستطيعون",
    "تحتاجون",
    "تريدون",
    "تعيشون",
    "تنتظرون",
    "ترغبون",
    "تعرفون",
    "تعلمين",
    "تحتاجين",
    "تريدين",
    "تستطيعين",
    "تسجلين",
    "تعيشين",
    "تنتظرين",
    "تواصلي",
    "اتصلي",
    "اسألي",
    "احجزي",
    "اختاري",
    "اضغطي",
]
_AR_ADDRESS_PATTERN = re.compile(
    r"(?<!\w)" + _AR_CLITICS + "(" + "|".join(fold(f, "ar") for f in _AR_OTHER_ADDRESS) + r")(?!\w)"
)

# In Arabic prose: Latin , ? ; and straight or English quotes, where Arabic has ، ؟ ؛ «».
# , ? ; are punctuation only when written onto a word; alone ("?: not verified") a symbol.
_LATIN_MARKS = re.compile(r"(?<=\S)[,?;]|[\"“”]")
_ARABIC_LETTER = re.compile("[\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff]")
_LATIN_LETTER = re.compile(r"[A-Za-zÀ-ɏ\u0400-\u04ff]")
# URLs, e-mail and web addresses, HTML tags, decimal numbers (1,5 and 1.30).
_NOT_PROSE = re.compile(
    r"https?://\S+|\S+@\S+\.\w+|[\w.-]+\.(?:fi|com|org|net|eu|info)\b\S*|<[^<>]*>|&#?\w+;"
    r"|\d[,.]\d"
)
_ARABIC_FOR = {",": "،", "?": "؟", ";": "؛", '"': "«»", "“": "«»", "”": "«»"}


def _blank(match: re.Match[str]) -> str:
    return "\x00" * len(match.group(0))


def _strong_neighbour(text: str, index: int, step: int) -> str | None:
    """'ar' or 'ltr' for the nearest letter or digit from ``index`` in direction ``step``."""
    i = index + step
    while 0 <= i < len(text):
        char = text[i]
        if _ARABIC_LETTER.match(char):
            return "ar"
        if _LATIN_LETTER.match(char) or char.isdigit():
            return "ltr"
        i += step
    return None


def arabic_punctuation(text: str) -> list[str]:
    """The Latin marks in ``text`` that stand in Arabic prose (next to an Arabic word).

    A mark between Latin words or digits only is part of an isolated left-to-right run
    ("Kotka, Hamina", "09 2525 0111, 116 111"); URLs, e-mail, HTML tags and decimal numbers
    are not prose at all.
    """
    masked = _NOT_PROSE.sub(_blank, text)
    found: list[str] = []
    for match in _LATIN_MARKS.finditer(masked):
        i = match.start()
        if "ar" in (_strong_neighbour(masked, i, -1), _strong_neighbour(masked, i, 1)):
            found.append(match.group(0))
    return found


def check_samples(glossary: Glossary | None, samples: Iterable[Sample]) -> list[DataError]:
    """Every ruled-out variant, Finnish te-form and Latin mark in Arabic prose in ``samples``."""
    errors: list[DataError] = []
    for s in samples:
        if glossary is not None:
            for variant, term in glossary.variants_in(s.text, s.locale):
                reason = f'uses "{variant}"; the glossary says "{term}"'
                errors.append(DataError(s.file, s.line, s.ident, reason))
        if s.locale == "fi":
            for form in te_forms(s.text):
                reason = f'uses "{form}"; Valo says sinä in Finnish (STYLE.md)'
                errors.append(DataError(s.file, s.line, s.ident, reason))
        elif s.locale == "ar":
            for match in _AR_ADDRESS_PATTERN.finditer(fold(s.text, "ar")):
                reason = (
                    f'uses "{match.group(1)}"; Valo addresses the family as أنت, '
                    "singular masculine (STYLE.md)"
                )
                errors.append(DataError(s.file, s.line, s.ident, reason))
            for mark in dict.fromkeys(arabic_punctuation(s.text)):
                reason = f'uses "{mark}" in Arabic prose; Arabic has {_ARABIC_FOR[mark]}'
                errors.append(DataError(s.file, s.line, s.ident, reason))
    return errors


# Finland counts the entrance floor as 1 ("1. kerros"); British English and Arabic count it as
# the ground floor, so Finnish floor N is English and Arabic floor N-1.
_FI_FLOOR = re.compile(
    r"(?<!\w)(?:(\d+)\.\s*kerro\w*|(ensimmäi|toi|kolma|neljä|viide)\w*\s+kerro\w*)",
    re.IGNORECASE,
)
_FI_ORDINALS = {"ensimmäi": 1, "toi": 2, "kolma": 3, "neljä": 4, "viide": 5}
_FLOOR_NAMES = {
    "en": ("ground floor", "first floor", "second floor", "third floor", "fourth floor"),
    "ar": ("الطابق الأرضي", "الطابق الأول", "الطابق الثاني", "الطابق الثالث", "الطابق الرابع"),
}


def floor_mismatches(samples: Sequence[Sample]) -> list[DataError]:
    """A floor the Finnish text names that the English or Arabic text of the same field does
    not name as its British / Arabic count ("toisessa kerroksessa" is the "first floor")."""
    by_field: dict[tuple[str, str], dict[str, Sample]] = {}
    for sample in samples:
        by_field.setdefault((sample.file, sample.ident), {})[sample.locale] = sample
    errors: list[DataError] = []
    for texts in by_field.values():
        finnish = texts.get("fi")
        if finnish is None:
            continue
        for match in _FI_FLOOR.finditer(finnish.text):
            number = int(match.group(1)) if match.group(1) else _FI_ORDINALS[match.group(2).lower()]
            if not 1 <= number <= len(_FLOOR_NAMES["en"]):
                continue
            for locale, names in _FLOOR_NAMES.items():
                other = texts.get(locale)
                wanted = names[number - 1]
                if other is not None and fold(wanted, locale) not in fold(other.text, locale):
                    reason = f'Finnish says "{match.group(0)}": say "{wanted}" (STYLE.md)'
                    errors.append(DataError(other.file, other.line, other.ident, reason))
    return errors


def glossary_path(locales_root: Path) -> Path:
    return locales_root / GLOSSARY_FILE


def check_wording(
    locales_root: Path, documents: Sequence[YamlDocument], display: str | None = None
) -> list[DataError]:
    """The glossary's own errors, or every wording error in the locales and ``documents``.

    Without a glossary file only the house rules (sinä, Arabic punctuation and address) are
    checked, as for a data home that keeps its own locales.
    """
    path = glossary_path(locales_root)
    glossary: Glossary | None = None
    if path.is_file():
        try:
            glossary = read_glossary(path, display or _display(path, locales_root))
        except DataFileError as exc:
            return list(exc.errors)
    samples = locale_samples(locales_root)
    errors = [] if glossary is None else municipality_mismatches(glossary, samples)
    for document in documents:
        texts = document_samples(document)
        errors.extend(floor_mismatches(texts))
        samples.extend(texts)
    return errors + check_samples(glossary, samples)


def municipality_mismatches(glossary: Glossary, samples: Sequence[Sample]) -> list[DataError]:
    """A municipality whose name in the locales (``municipality-<code>``) is not the
    glossary's: the glossary and the locales must spell each municipality the same way."""
    names = {(s.ident, s.locale): s for s in samples}
    errors: list[DataError] = []
    for i, term in enumerate(glossary.terms):
        if term.municipality is None:
            continue
        for locale in SUPPORTED_LOCALES:
            sample = names.get((f"municipality-{term.municipality}", locale))
            spelled = term.wording(locale).term
            if sample is None or sample.text.strip() != spelled:
                where = ("terms", i, locale, "term")
                line = glossary.document.line_of(where) if glossary.document else 0
                file = glossary.document.file if glossary.document else GLOSSARY_FILE
                said = "missing" if sample is None else f'"{sample.text.strip()}"'
                reason = f'municipality-{term.municipality} in {locale} is {said}, not "{spelled}"'
                errors.append(DataError(file, line, f"terms[{i}].{locale}.term", reason))
    return errors
