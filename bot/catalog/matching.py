"""Explainable matching of a family's answers against the catalogue.

Hard filters: the service is active, serves the family's municipality (or the whole country),
fits a child's age and, when the family named needs, meets at least one of them. Then the
score ranks, in this order of weight: how many of the family's needs it meets; local before
regional before nationwide; a language the family speaks (or an interpreter); free first when
asked; walk-in before referral for low-threshold needs. Ties are broken by id, so the same
answers always give the same list. Every match carries its reasons.

Candidates come from indexes by municipality and by need, never from a scan of everything.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from bot.catalog import vocab
from bot.catalog.schema import Service

Reach = Literal["local", "regional", "nationwide"]
REACH_ORDER: dict[Reach, int] = {"local": 0, "regional": 1, "nationwide": 2}

# Score weights, chosen so the rules rank strictly in order (each step outweighs the sum of
# everything below it): needs met, then reach, then language, then free, then access.
NEED_WEIGHT = 1000.0
REACH_POINTS: dict[Reach, float] = {"local": 200.0, "regional": 100.0, "nationwide": 0.0}
NATIONWIDE_WITHOUT_PLACE = 100.0  # no municipality given: services that surely apply first
LANGUAGE_POINTS = 40.0
INTERPRETER_POINTS = 20.0
FREE_POINTS = 10.0
ACCESS_POINTS = {"walk-in": 8.0, "call": 5.0, "book-online": 3.0, "apply-online": 3.0}


@dataclass(frozen=True)
class Answers:
    """What the family told us; every field may be empty (every question can be skipped)."""

    municipality: str | None = None  # municipality code, e.g. "285"
    child_ages: tuple[int, ...] = ()  # whole years
    expecting: bool = False
    needs: tuple[str, ...] = ()  # need tags (bot.catalog.vocab.NEED_TAGS)
    languages: tuple[str, ...] = ()  # ISO 639-1 codes the family is comfortable using
    free_only: bool = False


@dataclass(frozen=True)
class Reason:
    """Why a service matched, as a Fluent message id and its arguments (codes, not names)."""

    key: str  # need | local | regional | nationwide | ages | expecting | free | language | ...
    args: tuple[tuple[str, str | int], ...] = ()


@dataclass(frozen=True)
class Match:
    service: Service
    score: float
    reach: Reach
    reasons: tuple[Reason, ...]


def _ages_fit(service: Service, answers: Answers) -> bool:
    ages = service.ages
    if ages is None or (not answers.child_ages and not answers.expecting):
        return True
    if any(ages.min <= age <= ages.max for age in answers.child_ages):
        return True
    # A service from birth (or for pregnancy) fits a family that is expecting.
    return answers.expecting and (ages.expecting or ages.min == 0)


class CatalogIndex:
    """The catalogue in memory with indexes for matching; rebuilt when a new version lands."""

    def __init__(self, services: Iterable[Service], version: int | None = None) -> None:
        self.version = version
        self.services: dict[str, Service] = {}
        self._serving: dict[str, set[str]] = {}  # municipality -> services serving it
        self._local: dict[str, frozenset[str]] = {}  # service -> municipalities with a location
        self._nationwide: set[str] = set()
        self._by_need: dict[str, set[str]] = {}
        self._by_category: dict[str, set[str]] = {}
        # (municipality, need) and need -> services: a query touches only its own small sets.
        self._serving_need: dict[tuple[str, str], set[str]] = {}
        self._nationwide_need: dict[str, set[str]] = {}
        for service in sorted(services, key=lambda s: s.id):
            if not service.active:
                continue
            self.services[service.id] = service
            self._local[service.id] = frozenset(loc.municipality for loc in service.locations)
            if service.nationwide:
                self._nationwide.add(service.id)
            else:
                for code in service.municipalities:
                    self._serving.setdefault(code, set()).add(service.id)
            for need in service.needs:
                self._by_need.setdefault(need, set()).add(service.id)
                if service.nationwide:
                    self._nationwide_need.setdefault(need, set()).add(service.id)
                else:
                    for code in service.municipalities:
                        self._serving_need.setdefault((code, need), set()).add(service.id)
            for category in vocab.categories_of(service.service_classes):
                self._by_category.setdefault(category, set()).add(service.id)

    def __len__(self) -> int:
        return len(self.services)

    def municipalities(self) -> list[str]:
        """Municipality codes some service serves locally or regionally, sorted."""
        return sorted(self._serving)

    def reach(self, service: Service, municipality: str | None) -> Reach:
        if municipality is not None and municipality in self._local[service.id]:
            return "local"
        return "nationwide" if service.nationwide else "regional"

    def browse(self, municipality: str | None, category: str) -> list[Service]:
        """Services of a category for a municipality (None: nationwide ones), nearest first."""
        serving = self._serving.get(municipality, set()) if municipality else set()
        found = (serving | self._nationwide) & self._by_category.get(category, set())
        services = [self.services[i] for i in found]
        return sorted(services, key=lambda s: (REACH_ORDER[self.reach(s, municipality)], s.id))

    def categories(self, municipality: str | None) -> list[str]:
        """Categories with at least one service for ``municipality`` (None: nationwide)."""
        return [c for c in vocab.CATEGORIES if self.browse(municipality, c)]

    def _candidates(self, answers: Answers) -> set[str]:
        """Services passing the place and need filters, straight from the indexes."""
        place = answers.municipality
        if answers.needs:
            found: set[str] = set()
            for need in answers.needs:
                if place is None:
                    found |= self._by_need.get(need, set())
                else:
                    found |= self._serving_need.get((place, need), set())
                    found |= self._nationwide_need.get(need, set())
            return found
        if place is None:
            return set(self.services)
        return self._serving.get(place, set()) | self._nationwide

    def search(self, answers: Answers, limit: int = 10, offset: int = 0) -> tuple[list[Match], int]:
        """The best ``limit`` matches after ``offset``, and how many matches there are.

        When the family named needs, only services meeting at least one of them match: a
        service for none of their needs is not offered as a match (browsing shows it).
        Every candidate gets a numeric score; reasons are built for the page only.
        """
        keys = []
        for service_id in self._candidates(answers):
            service = self.services[service_id]
            if _ages_fit(service, answers):
                score, reach = self._evaluate(service, answers, None)
                keys.append((-score, REACH_ORDER[reach], service_id))
        page = heapq.nsmallest(offset + limit, keys)[offset:]
        return [self._match(self.services[service_id], answers) for *_, service_id in page], len(
            keys
        )

    def match(self, answers: Answers, limit: int = 10, offset: int = 0) -> list[Match]:
        """The best ``limit`` services for ``answers`` (after skipping ``offset``)."""
        return self.search(answers, limit, offset)[0]

    def ranked(self, answers: Answers) -> list[Match]:
        """Every match for ``answers``, best first."""
        return self.search(answers, limit=len(self.services))[0]

    def _match(self, service: Service, answers: Answers) -> Match:
        reasons: list[Reason] = []
        score, reach = self._evaluate(service, answers, reasons)
        return Match(service, score, reach, tuple(reasons))

    def _evaluate(
        self, service: Service, answers: Answers, reasons: list[Reason] | None
    ) -> tuple[float, Reach]:
        """The score and reach of ``service`` for ``answers``; the reasons too when asked.

        One function for both, so the explanation can never disagree with the ranking.
        """
        explain = reasons is not None
        score = 0.0
        met = [n for n in answers.needs if n in service.needs]
        score += NEED_WEIGHT * len(met)
        reach = self.reach(service, answers.municipality)
        if answers.municipality is None:
            score += NATIONWIDE_WITHOUT_PLACE if reach == "nationwide" else 0.0
        else:
            score += REACH_POINTS[reach]
        if service.cost == "free" and answers.free_only:
            score += FREE_POINTS
        spoken = [lang for lang in answers.languages if lang in service.languages]
        if spoken:
            score += LANGUAGE_POINTS
        elif answers.languages and service.interpreter:
            score += INTERPRETER_POINTS
        if any(n in vocab.LOW_THRESHOLD_NEEDS for n in answers.needs):
            score += max((ACCESS_POINTS.get(a, 0.0) for a in service.access), default=0.0)
        if not explain:
            return score, reach

        assert reasons is not None
        reasons.extend(Reason("need", (("need", n),)) for n in met)
        if reach == "nationwide":
            reasons.append(Reason("nationwide"))
        elif answers.municipality is not None:
            reasons.append(Reason(reach, (("municipality", answers.municipality),)))
        ages = service.ages
        if ages is not None and answers.expecting and ages.expecting:
            reasons.append(Reason("expecting"))
        elif ages is not None and (answers.child_ages or answers.expecting):
            reasons.append(Reason("ages", (("min", ages.min), ("max", ages.max))))
        if service.cost == "free":
            reasons.append(Reason("free"))
        if spoken:
            reasons.append(Reason("language", (("language", spoken[0]),)))
        elif answers.languages and service.interpreter:
            reasons.append(Reason("interpreter"))
        if "walk-in" in service.access:
            reasons.append(Reason("walk-in"))
        return score, reach
