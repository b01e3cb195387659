"""Explainable matching of a family's answers against the catalogue.

Hard filters: the service is active, serves the family's municipality (or the whole country),
fits a child's age and, when the family named needs, meets at least one of them. Then the
score ranks, in this order of weight: how many of the family's needs it meets; local before
regional before nationwide; a language the family speaks (or an interpreter); free first when
asked; walk-in before referral for low-threshold needs. Ties are broken by id, so the same
answers always give the same list. Every match carries its reasons.

Candidates come from indexes by municipality and need, never from a scan of everything. Each
step of the score outweighs everything below it, so the ranking is lexicographic: the index
keeps, per (municipality, needs), lists already split by what it knows of a service (reach,
languages, interpreter, cost, way in) and sorted by id, and a query reads those lists in rank
order and stops when the page is full. The total is counted from per-list age tallies, so a
query costs about what its page costs, not what the catalogue holds (``bench/match.py``).
"""

from __future__ import annotations

import heapq
import itertools
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Literal

from bot.catalog import vocab
from bot.catalog.schema import Ages, Service

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
ACCESS_POINTS = {"walk-in": 8.0, "call": 5.0, "chat": 5.0, "book-online": 3.0, "apply-online": 3.0}


def _check_weights_are_lexicographic() -> None:
    """``CatalogIndex.search`` reads candidates in rank order by these rules; it is exact
    only while each step outweighs everything below it (checked here, at import)."""
    access = max(ACCESS_POINTS.values())
    below_reach = LANGUAGE_POINTS + FREE_POINTS + access
    margins = [  # each step minus the most that everything below it can add
        NEED_WEIGHT - REACH_POINTS["local"] - below_reach,
        REACH_POINTS["local"] - REACH_POINTS["regional"] - below_reach,
        REACH_POINTS["regional"] - REACH_POINTS["nationwide"] - below_reach,
        NATIONWIDE_WITHOUT_PLACE - below_reach,
        LANGUAGE_POINTS - INTERPRETER_POINTS - FREE_POINTS - access,
        INTERPRETER_POINTS - FREE_POINTS - access,
        FREE_POINTS - access,
    ]
    if min(margins) <= 0:
        raise ValueError("matching weights must rank lexicographically (see CatalogIndex)")


_check_weights_are_lexicographic()


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


# A service's age range as the index keeps it: (min, max, expecting), or None for any age.
AgeKey = tuple[int, int, bool] | None


def _age_key(ages: Ages | None) -> AgeKey:
    return None if ages is None else (ages.min, ages.max, ages.expecting)


def _ages_fit(ages: AgeKey, answers: Answers) -> bool:
    if ages is None or (not answers.child_ages and not answers.expecting):
        return True
    low, high, expecting = ages
    if any(low <= age <= high for age in answers.child_ages):
        return True
    # A service from birth (or for pregnancy) fits a family that is expecting.
    return answers.expecting and (expecting or low == 0)


@dataclass(frozen=True, slots=True)
class _Profile:
    """What ranking needs to know of a service, in the shapes a query tests fastest."""

    needs: frozenset[str]
    languages: frozenset[str]
    interpreter: bool
    free: bool
    access: float  # the points of its best way in
    ages: AgeKey
    local: frozenset[str]  # municipalities where it has a location
    nationwide: bool

    @classmethod
    def of(cls, service: Service) -> _Profile:
        return cls(
            frozenset(service.needs),
            frozenset(service.languages),
            bool(service.interpreter),
            service.cost == "free",
            max((ACCESS_POINTS.get(a, 0.0) for a in service.access), default=0.0),
            _age_key(service.ages),
            frozenset(loc.municipality for loc in service.locations),
            service.nationwide,
        )


# Places in the index: municipality codes, and these two keys, which are not codes.
_NATIONWIDE = "*nationwide"  # nationwide services, for a family in any municipality
_ANYWHERE = "*anywhere"  # every service, for a family who gave no municipality
# Language keys of the cells: a language code, or these.
_INTERPRETER = "+interpreter"  # services with an interpreter
_EVERY_LANGUAGE = "*"  # every service of the pool

ACCESS_STEPS = tuple(sorted({0.0, *ACCESS_POINTS.values()}, reverse=True))

# The (free, access points) cells that rank alike, best first, for (free asked, low threshold).
_CELL_GROUPS: dict[tuple[bool, bool], tuple[tuple[tuple[bool, float], ...], ...]] = {
    (free_asked, low): tuple(
        tuple(itertools.product(frees, steps))
        for frees in (((True,), (False,)) if free_asked else ((True, False),))
        for steps in (tuple((step,) for step in ACCESS_STEPS) if low else (ACCESS_STEPS,))
    )
    for free_asked in (False, True)
    for low in (False, True)
}


# A cell of a pool: (reach there, language key, free, access points).
Cell = tuple[Reach, str, bool, float]


@dataclass
class _Pool:
    """The services of one place that meet one set of needs (all of them, maybe more).

    ``cells``: the ids of each cell, sorted; a service is in the cell of each language it
    serves, of the interpreter if it has one, and of every language. ``ages``: how many
    services of the pool count there, by age range (a nationwide service is listed where it
    has a location, as local there, but counted only once, as nationwide).
    """

    cells: defaultdict[Cell, list[str]] = field(default_factory=lambda: defaultdict(list))
    ages: dict[AgeKey, int] = field(default_factory=dict)

    def members(self) -> Iterator[str]:
        for (_, language, _, _), ids in self.cells.items():
            if language == _EVERY_LANGUAGE:
                yield from ids


class CatalogIndex:
    """The catalogue in memory with indexes for matching; rebuilt when a new version lands."""

    def __init__(self, services: Iterable[Service], version: int | None = None) -> None:
        self.version = version
        self.services: dict[str, Service] = {}
        self._profiles: dict[str, _Profile] = {}
        self._serving: dict[str, set[str]] = {}  # municipality -> services serving it
        self._nationwide: set[str] = set()
        self._by_category: dict[str, set[str]] = {}
        # (place, sorted needs) -> the services there that meet all those needs (at least).
        self._pools: dict[tuple[str, tuple[str, ...]], _Pool] = {}
        self._most_needs = 0  # no pool has a longer need set, so no query looks for one
        for service in sorted(services, key=lambda s: s.id):  # so every list is sorted by id
            if not service.active:
                continue
            self.services[service.id] = service
            profile = self._profiles[service.id] = _Profile.of(service)
            # (place, reach there, counted there) for every place the service is listed at.
            places: list[tuple[str, Reach, bool]]
            if service.nationwide:
                self._nationwide.add(service.id)
                places = [(_NATIONWIDE, "nationwide", True), (_ANYWHERE, "nationwide", True)]
                places += [(code, "local", False) for code in sorted(profile.local)]
            else:
                places = [(_ANYWHERE, "regional", True)]
                for code in sorted(set(service.municipalities)):
                    self._serving.setdefault(code, set()).add(service.id)
                    places.append((code, "local" if code in profile.local else "regional", True))
            # The cells it goes in, by its reach at a place.
            languages = [*sorted(profile.languages), _EVERY_LANGUAGE]
            if profile.interpreter:
                languages.append(_INTERPRETER)
            cells = {
                reach: [(reach, language, profile.free, profile.access) for language in languages]
                for reach in {reach for _, reach, _ in places}
            }
            needs = sorted(profile.needs)
            self._most_needs = max(self._most_needs, len(needs))
            for size in range(len(needs) + 1):
                for subset in itertools.combinations(needs, size):
                    for place, reach, counted in places:
                        pool = self._pools.get((place, subset))
                        if pool is None:
                            pool = self._pools[(place, subset)] = _Pool()
                        if counted:
                            pool.ages[profile.ages] = pool.ages.get(profile.ages, 0) + 1
                        for cell in cells[reach]:
                            pool.cells[cell].append(service.id)
            for category in vocab.categories_of(service.service_classes):
                self._by_category.setdefault(category, set()).add(service.id)

    def __len__(self) -> int:
        return len(self.services)

    def municipalities(self) -> list[str]:
        """Municipality codes some service serves locally or regionally, sorted."""
        return sorted(self._serving)

    def reach(self, service: Service, municipality: str | None) -> Reach:
        if municipality is not None and municipality in self._profiles[service.id].local:
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

    def search(self, answers: Answers, limit: int = 10, offset: int = 0) -> tuple[list[Match], int]:
        """The best ``limit`` matches after ``offset``, and how many matches there are.

        When the family named needs, only services meeting at least one of them match: a
        service for none of their needs is not offered as a match (browsing shows it).
        Candidates are read in rank order until the page is full; reasons are built for the
        page only.
        """
        if len(set(answers.needs)) < len(answers.needs):
            # A need named twice counts twice in the score; the lists do not rank that.
            return self._scan(answers, self._candidates(answers), limit, offset)
        page = self._in_rank_order(answers, offset + limit)[offset:]
        return [self._match(self.services[i], answers) for i in page], self._count(answers)

    def match(self, answers: Answers, limit: int = 10, offset: int = 0) -> list[Match]:
        """The best ``limit`` services for ``answers`` (after skipping ``offset``)."""
        return self.search(answers, limit, offset)[0]

    def ranked(self, answers: Answers) -> list[Match]:
        """Every match for ``answers``, best first."""
        return self.search(answers, limit=len(self.services))[0]

    def _places(self, answers: Answers) -> list[tuple[Reach, str]]:
        """(reach, place) in rank order: where a family's candidates are listed."""
        if answers.municipality is None:
            return [("nationwide", _ANYWHERE), ("regional", _ANYWHERE)]
        place = answers.municipality
        return [("local", place), ("regional", place), ("nationwide", _NATIONWIDE)]

    def _need_sets(self, answers: Answers) -> list[tuple[int, list[tuple[str, ...]]]]:
        """(needs met, the sets of that many of the family's needs), most needs first.

        Only as many needs as some service meets: a family naming all twelve would otherwise
        look up 4,095 sets, almost none of which can exist.
        """
        needs = sorted(set(answers.needs))
        if not needs:
            return [(0, [()])]
        most = min(len(needs), self._most_needs)
        return [(met, list(itertools.combinations(needs, met))) for met in range(most, 0, -1)]

    def _in_rank_order(self, answers: Answers, want: int) -> list[str]:
        """The ids of the first ``want`` matches, best first.

        Reads the pools' cells from the best rank down (needs met, reach, language, free,
        way in: the score's steps, see ``_check_weights_are_lexicographic``), each cell group
        merged by id, and stops as soon as ``want`` matches are found. A service listed in a
        better cell than its own (it meets more of the needs, speaks a language the family
        speaks, is local there) is skipped where it does not belong.
        """
        found: list[str] = []
        if want <= 0:
            return found
        place = answers.municipality
        spoken = frozenset(answers.languages)
        low = any(n in vocab.LOW_THRESHOLD_NEEDS for n in answers.needs)
        groups = _CELL_GROUPS[(answers.free_only, low)]
        # Language tiers, best first, and the language keys of the cells each reads.
        tiers = [("any", [_EVERY_LANGUAGE])]
        if spoken:
            tiers = [
                ("speaks", sorted(spoken)),
                ("interpreter", [_INTERPRETER]),
                ("neither", [_EVERY_LANGUAGE]),
            ]
        fits: dict[AgeKey, bool] = {}
        profiles = self._profiles
        all_needs = frozenset(answers.needs)
        for met, need_sets in self._need_sets(answers):
            for reach, key in self._places(answers):
                pools = [p for s in need_sets if (p := self._pools.get((key, s))) is not None]
                if not pools:
                    continue
                local_elsewhere = reach == "nationwide" and place is not None
                for tier, languages in tiers:
                    for group in groups:
                        lists = [
                            ids
                            for pool in pools
                            for language in languages
                            for free, access in group
                            if (ids := pool.cells.get((reach, language, free, access)))
                        ]
                        if not lists:
                            continue
                        last = None
                        for service_id in lists[0] if len(lists) == 1 else heapq.merge(*lists):
                            if service_id == last:  # listed under two languages it serves
                                continue
                            last = service_id
                            profile = profiles[service_id]
                            if met and len(profile.needs & all_needs) != met:
                                continue  # meets more of the needs: ranked in a better cell
                            if local_elsewhere and place in profile.local:
                                continue  # local here: ranked with the local ones
                            if tier == "interpreter" or tier == "neither":
                                if not profile.languages.isdisjoint(spoken):
                                    continue
                                if tier == "neither" and profile.interpreter:
                                    continue
                            fit = fits.get(profile.ages)
                            if fit is None:
                                fit = fits[profile.ages] = _ages_fit(profile.ages, answers)
                            if not fit:
                                continue
                            found.append(service_id)
                            if len(found) == want:
                                return found
        return found

    def _count(self, answers: Answers) -> int:
        """How many services match, from the pools' age tallies: inclusion-exclusion over the
        family's needs (a service meeting two of them is in both needs' pools)."""
        place = answers.municipality
        places = [_ANYWHERE] if place is None else [place, _NATIONWIDE]
        fits: dict[AgeKey, bool] = {}
        total = 0
        for met, need_sets in self._need_sets(answers):
            sign = -1 if met and met % 2 == 0 else 1
            for need_set in need_sets:
                for place in places:
                    pool = self._pools.get((place, need_set))
                    if pool is None:
                        continue
                    for ages, count in pool.ages.items():
                        fit = fits.get(ages)
                        if fit is None:
                            fit = fits[ages] = _ages_fit(ages, answers)
                        if fit:
                            total += sign * count
        return total

    def _candidates(self, answers: Answers) -> set[str]:
        """Services passing the place and need filters (not yet the age filter)."""
        place = answers.municipality
        places = [_ANYWHERE] if place is None else [place, _NATIONWIDE]
        need_sets: list[tuple[str, ...]] = [(need,) for need in set(answers.needs)] or [()]
        found: set[str] = set()
        for place in places:
            for need_set in need_sets:
                pool = self._pools.get((place, need_set))
                if pool is not None:
                    found.update(pool.members())
        return found

    def _scan(
        self, answers: Answers, candidates: Iterable[str], limit: int, offset: int
    ) -> tuple[list[Match], int]:
        """``search`` the plain way: score every candidate, then sort. For what the ranked
        lists cannot order, and the benchmark's baseline (``bench/match.py``)."""
        keys = []
        for service_id in candidates:
            service = self.services[service_id]
            if _ages_fit(self._profiles[service_id].ages, answers):
                score, reach = self._evaluate(service, answers, None)
                keys.append((-score, REACH_ORDER[reach], service_id))
        page = heapq.nsmallest(offset + limit, keys)[offset:]
        matches = [self._match(self.services[service_id], answers) for *_, service_id in page]
        return matches, len(keys)

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
