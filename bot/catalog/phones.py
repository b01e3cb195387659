"""Phone numbers: stored in E.164, shown as they are dialled in Finland.

The catalogue stores a number in E.164 (``+35852206000``) so that it is unambiguous and every
importer agrees on one form; the short national service numbers (112, 116 111, 116 123 and
other numbers of 3-6 digits starting with 1) have no E.164 form and are stored as dialled
("112", "116111"). Families see the national form (``+35880005005`` -> "080 005 005"), with
Google's libphonenumber (``phonenumbers``) doing the formatting and validation.
"""

from __future__ import annotations

import re

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat

REGION = "FI"
# Finnish short numbers (emergency 112, harmonised European 116xxx, 1xxxx service numbers).
SHORT_NUMBER = re.compile(r"^1\d{2,5}$")
E164 = re.compile(r"^\+[1-9]\d{6,14}$")
_DIALLED = re.compile(r"^\+?[0-9 ()-]{3,25}$")


def is_stored_form(number: str) -> bool:
    """Whether ``number`` is as the catalogue stores it: valid E.164 or a short number."""
    if SHORT_NUMBER.match(number):
        return True
    if not E164.match(number):
        return False
    try:
        return phonenumbers.is_valid_number(phonenumbers.parse(number, None))
    except NumberParseException:
        return False


def normalize(text: str, region: str = REGION) -> str | None:
    """``text`` as stored (E.164, or a short number as dialled), or None if not a valid
    number. A number without a country code is read as dialled in ``region``."""
    if not _DIALLED.match(text):
        return None  # libphonenumber would read letters as a keypad's ("call us" = 225587)
    digits = re.sub(r"[\s()-]", "", text)
    if SHORT_NUMBER.match(digits):
        return digits
    try:
        parsed = phonenumbers.parse(text, region)
    except NumberParseException:
        return None
    if not phonenumbers.is_valid_number(parsed):
        return None
    return phonenumbers.format_number(parsed, PhoneNumberFormat.E164)


# National prefixes Finns write as four digits (toll-free, premium, government service lines).
_FOUR_DIGIT_PREFIXES = ("0800", "0700", "0600", "0295")
# How the digits after the prefix are grouped, by their count ("220 6000", "2525 0111").
_GROUPS = {5: (2, 3), 6: (3, 3), 7: (3, 4), 8: (4, 4), 9: (3, 3, 3)}


def display(number: str) -> str:
    """A stored number as it is dialled in Finland: "080 005 005", "05 220 6000",
    "040 509 3658", "116 111"; a foreign number in international format."""
    if SHORT_NUMBER.match(number):
        if len(number) == 6:  # 116111 -> 116 111, as the lines write themselves
            return f"{number[:3]} {number[3:]}"
        return number
    try:
        parsed = phonenumbers.parse(number, None)
    except NumberParseException:
        return number  # not in stored form (the checker says so); show it as given
    if phonenumbers.region_code_for_number(parsed) != REGION:
        return phonenumbers.format_number(parsed, PhoneNumberFormat.INTERNATIONAL)
    national = "0" + phonenumbers.national_significant_number(parsed)
    if national.startswith("080") and len(national) == 9:
        return _grouped(national, (3, 3, 3))  # 080 005 005, as such lines write themselves
    if national.startswith(_FOUR_DIGIT_PREFIXES) and len(national) == 10:
        return _grouped(national, (4, 3, 3))  # 0800 147 111, 0295 020 500
    # libphonenumber knows where the area code or operator prefix ends ("05 2206000").
    prefix = phonenumbers.format_number(parsed, PhoneNumberFormat.NATIONAL).split(" ")[0]
    rest = national[len(prefix) :]
    if not national.startswith(prefix) or len(rest) not in _GROUPS:
        return phonenumbers.format_number(parsed, PhoneNumberFormat.NATIONAL)
    return f"{prefix} {_grouped(rest, _GROUPS[len(rest)])}"


def _grouped(digits: str, sizes: tuple[int, ...]) -> str:
    groups: list[str] = []
    start = 0
    for size in sizes:
        groups.append(digits[start : start + size])
        start += size
    return " ".join(groups)
