"""Controlled vocabularies: PTV codes (shipped in ``bot/vocab``), our need tags, regions.

Need tags are the shared vocabulary of dialogs and catalogue. Add a tag when a real need
appears; never rename one (stored answers and reports refer to them).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

VOCAB_DIR = Path(__file__).resolve().parent.parent / "vocab"

NATIONWIDE = "nationwide"

# Each need tag and the PTV service classes it usually means: the one place this is written.
NEED_TAGS: dict[str, tuple[str, ...]] = {
    "pregnancy-baby": ("P3.2", "P5.2"),
    "child-health": ("P5.2", "P5.1", "P5.8"),
    "parenting-support": ("P3.7", "P3.6", "P4.13"),
    "early-education": ("P3.4", "P6.1"),
    "leisure-art": ("P25.7", "P25.2", "P25.1", "P25.3", "P25.5"),
    "money-benefits": ("P4.10", "P15.1", "P1.4", "P3.9"),
    "home-help": ("P4.3", "P3.6"),
    "peer-support": ("P4.12", "P5.16"),
    "integration-language": ("P4.11", "P22.3"),
    "relationship-separation": ("P3.1", "P3.5"),
    "mental-health": ("P5.7", "P5.17"),
    "crisis-urgent": ("P5.5", "P3.8", "P19"),
}

# Needs where a low threshold matters most: walk-in and call beat referral in ranking.
LOW_THRESHOLD_NEEDS = frozenset(
    {
        "parenting-support",
        "peer-support",
        "leisure-art",
        "early-education",
        "crisis-urgent",
        "mental-health",
        "integration-language",
    }
)

ACCESS_METHODS = ("walk-in", "call", "chat", "book-online", "apply-online", "referral")
COSTS = ("free", "fee", "income-based")
EVENT_KINDS = ("art", "open-ecec", "family-cafe", "other")


@dataclass(frozen=True)
class Municipality:
    code: str
    name_fi: str
    name_sv: str


def _read(name: str) -> Any:
    return json.loads((VOCAB_DIR / name).read_text(encoding="utf-8"))


@cache
def service_classes() -> dict[str, dict[str, str]]:
    """PTV service class code -> labels ``{"fi", "sv", "en"}``."""
    return {
        row["Notation"]: {k.lower(): v for k, v in (row.get("Label") or {}).items()}
        for row in _read("ServiceClasses.json")
    }


@cache
def target_groups() -> frozenset[str]:
    return frozenset(row["Notation"] for row in _read("TargetGroups.json"))


@cache
def life_events() -> frozenset[str]:
    return frozenset(row["Notation"] for row in _read("LifeEvents.json"))


@cache
def municipalities() -> dict[str, Municipality]:
    found: dict[str, Municipality] = {}
    for row in _read("Municipality.json"):
        names = {n["language"]: n["name"] for n in row.get("names", [])}
        code = row["municipalityCode"]
        found[code] = Municipality(
            code, names.get("fi", code), names.get("sv", names.get("fi", code))
        )
    return found


def official_name(code: str) -> str:
    """A municipality's official (Finnish) name; the code itself when it is not one."""
    known = municipalities().get(code)
    return known.name_fi if known else code


@cache
def regions() -> dict[str, dict[str, tuple[str, ...]]]:
    """Area type -> area code -> municipality codes (provinces and wellbeing counties)."""
    raw = _read("regions.json")
    return {
        area_type: {code: tuple(area["municipalities"]) for code, area in areas.items()}
        for area_type, areas in raw.items()
        if not area_type.startswith("_")
    }


@dataclass(frozen=True)
class WellbeingCounty:
    code: str
    name_fi: str
    name_en: str
    members: tuple[str, ...]  # municipality codes, as regions.json lists them


@cache
def wellbeing_counties() -> tuple[WellbeingCounty, ...]:
    """The region's wellbeing services counties (Valo's area), with their municipalities."""
    areas = _read("regions.json")["WellbeingServiceCounty"]
    return tuple(
        WellbeingCounty(
            code, area["name"], area.get("name_en", area["name"]), tuple(area["municipalities"])
        )
        for code, area in areas.items()
    )


# Browsing categories: groups of PTV service classes in plain words (labels in locales as
# ``category-<id>``). A class belongs to a category when it is one of its codes or below one.
CATEGORIES: dict[str, tuple[str, ...]] = {
    "health": ("P5",),
    "early-education": ("P3.4", "P6.1", "P6.3"),
    "family-support": ("P3.1", "P3.2", "P3.5", "P3.6", "P3.7", "P3.8", "P4.1", "P4.3", "P4.13"),
    "leisure": ("P25",),
    "peer": ("P4.12", "P5.16"),
    "money": ("P1.4", "P3.9", "P4.10", "P15"),
    "integration": ("P4.11", "P6.10", "P22"),
    "crisis": ("P5.5", "P19"),
}


@cache
def _categories_of_class(service_class: str) -> frozenset[str]:
    return frozenset(
        category
        for category, codes in CATEGORIES.items()
        if any(service_class == code or service_class.startswith(code + ".") for code in codes)
    )


def categories_of(service_classes: list[str]) -> list[str]:
    """The browsing categories a service with these PTV classes belongs to."""
    found = set().union(*(_categories_of_class(c) for c in service_classes))
    return [category for category in CATEGORIES if category in found]
