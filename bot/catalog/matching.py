"""Explainable matching of a family's answers against the catalogue.

Hard filters: the service is active, serves the family's municipality (or the whole country),
fits a child's age, when the family named needs, meets at least one of them and, when the
family asked for free services only, is known to be free or is a crisis service (112 and the
helplines are never hidden, whatever their cost or however little we know of it). Then the
score ranks, in this order of weight: how many of the family's needs it meets; in an urgent
situation, a line that answers around the clock, then any line to call or chat, and a shelter
last; how well it fits the family's situation (for expecting families when they expect, a
narrow age range that holds their child before a broad one, before one for any age); local
before regional before nationwide; a language the family speaks (or an interpreter); free
first when asked (the crisis services the free filter keeps come after the free ones); walk-in
before referral for low-threshold needs. Ties are broken by id, so the same answers always give
the same list. Every match carries its reasons, those that ranked it first first.

Candidates come from indexes by municipality and need, never from a scan of everything. Each
step of the score outweighs everything below it, so the ranking is lexicographic: the index
keeps, per (municipality, needs), lists already split by what it knows of a service (reach,
languages, interpreter, cost, way in, and its situation: age range, pregnancy, kind of crisis
line) and sorted by id, and a query reads those lists in rank order and stops when the page is
full. The total is counted from per-list age tallies, so a query costs about what its page
costs, not what the catalogue holds (``bench/match.py``).
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from typing import Literal

from bot.catalog import vocab
from bot.catalog.schema import Ages, Service

Reach = Literal["local", "regional", "nationwide"]
REACH_ORDER: dict[Reach, int] = {"local": 0, "regional": 1, "nationwide": 2}

# Score weights, chosen so the rules rank strictly in order (each step outweighs the sum of
# everything below it): needs met, then urgency, then situation fit, then reach, then
# language, then free, then access.
NEED_WEIGHT = 5000.0
URGENCY_STEP = 1200.0  # times the urgency tier (URGENT_*), only when the family named a crisis
FIT_STEP = 300.0  # times the fit tier (FIT_*)
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
    below_fit = REACH_POINTS["local"] + below_reach
    below_urgency = FIT_STEP * FIT_EXPECTING + below_fit
    margins = [  # each step minus the most that everything below it can add
        NEED_WEIGHT - URGENCY_STEP * URGENT_ALWAYS - below_urgency,
        URGENCY_STEP - below_urgency,
        FIT_STEP - below_fit,
        REACH_POINTS["local"] - REACH_POINTS["regional"] - below_reach,
        REACH_POINTS["regional"] - REACH_POINTS["nationwide"] - below_reach,
        NATIONWIDE_WITHOUT_PLACE - below_reach,
        LANGUAGE_POINTS - INTERPRETER_POINTS - FREE_POINTS - access,
        INTERPRETER_POINTS - FREE_POINTS - access,
        FREE_POINTS - access,
    ]
    if min(margins) <= 0:
        raise ValueError("matching weights must rank lexicographically (see CatalogIndex)")


# Urgency tiers of a service for a family that named ``crisis-urgent`` (higher ranks first).
URGENT_SHELTER = 0  # a place to stay: never the first thing to reach for in a crisis
URGENT_OTHER = 1  # any other service (not a line, or not for crises)
URGENT_LINE = 2  # a crisis line to call or chat with
URGENT_ALWAYS = 3  # a crisis line that answers around the clock

# Fit tiers: how well a service fits what the family told about its children.
FIT_NONE = 0  # no age range (for anyone), or the family said nothing of its children
FIT_BROAD = 1  # an age range that holds a child (or starts at birth, for expecting families)
FIT_CLOSE = 2  # a narrow age range that holds a child
FIT_EXPECTING = 3  # for pregnancy, and the family is expecting
CLOSE_RANGE = 7  # an age range at most this wide (0-6, 7-12, 13-17) is a close fit

# The PTV life event "Having a child": daycare carries it too, so alone it is a broad fit.
HAVING_A_CHILD = "KE1"
# A crisis service of this PTV class is a place to stay (a shelter), not a line.
HOUSING = "P4.1"


_check_weights_are_lexicographic()


@dataclass(frozen=True)
class Answers:
    """What the family told us; every field may be empty (every question can be skipped)."""

    municipality: str | None = None  # municipality code, e.g. "285"
    child_ages: tuple[int, ...] = ()  # whole years
    expecting: bool = False
    needs: tuple[str, ...] = ()  # need tags (bot.catalog.vocab.NEED_TAGS)
    languages: tuple[str, ...] = ()  # ISO 639-1 codes the family is comfortable using
    free_only: bool = False  # only services known to be free (crisis services always)


@dataclass(frozen=True)
class Reason:
    """Why a service matched, as a Fluent message id and its arguments (codes, not names)."""

    key: str  # needs | local | regional | nationwide | ages | expecting | free | language | ...
    args: tuple[tuple[str, str | int], ...] = ()


@dataclass(frozen=True)
class Match:
    service: Service
    score: float
    reach: Reach
    reasons: tuple[Reason, ...]


@dataclass(frozen=True)
class Found:
    """A page of matches for what the family asked, and what the free filter did to it.

    ``answers``: what the matches are for: the family's answers, or, when they asked for
    free services only and no free service matches, the same answers without that wish
    (``free_widened``). ``free_hidden``: how many matches the free filter hid.
    """

    matches: list[Match]
    total: int
    answers: Answers
    free_asked: bool = False  # the family asked for free services only
    free_hidden: int = 0

    @property
    def free_widened(self) -> bool:
        """No free service matched, so these are the others: they may cost something."""
        return self.free_asked and not self.answers.free_only


# A service's age range as the index keeps it: (min, max, expecting), or None for any age.
AgeKey = tuple[int, int, bool] | None


def _age_key(ages: Ages | None) -> AgeKey:
    return None if ages is None else (ages.min, ages.max, ages.expecting)


@dataclass(frozen=True, slots=True)
class Situation:
    """What ranking by the family's situation needs to know of a service: its age range, its
    fit tier for an expecting family, and its urgency tier (``URGENT_*``) in a crisis."""

    ages: AgeKey
    expecting: int  # FIT_* for a family that is expecting
    urgency: int

    @classmethod
    def of(cls, service: Service) -> Situation:
        ages = service.ages
        if ages is not None and ages.expecting:
            expecting = FIT_EXPECTING  # for the pregnancy itself
        elif "pregnancy-baby" in service.needs:
            expecting = FIT_CLOSE  # pregnancy and the first months with the baby
        elif HAVING_A_CHILD in service.life_events or (ages is not None and ages.min == 0):
            expecting = FIT_BROAD  # for the baby to come, among others
        else:
            expecting = FIT_NONE
        return cls(_age_key(ages), expecting, _urgency(service))

    def rank(self, answers: Answers) -> tuple[int, int] | None:
        """(urgency tier, fit tier) for ``answers``, or None when no child fits its ages."""
        if not _ages_fit(self.ages, answers):
            return None
        urgency = self.urgency if "crisis-urgent" in answers.needs else URGENT_OTHER
        return urgency, self.fit(answers)[0]

    def fit(self, answers: Answers) -> tuple[int, int | None]:
        """The fit tier, and the age of the child that gives it (None: the pregnancy, or no
        child's age)."""
        best, age = (self.expecting, None) if answers.expecting else (FIT_NONE, None)
        if self.ages is not None:
            low, high, _ = self.ages
            fitting = sorted(age for age in answers.child_ages if low <= age <= high)
            tier = FIT_CLOSE if high - low <= CLOSE_RANGE else FIT_BROAD
            if fitting and tier > best:
                best, age = tier, fitting[0]
        return best, age


def contact_lines(service: Service) -> tuple[bool, bool, bool]:
    """(has a phone to call, has a chat link, one of them answers around the clock)."""
    contacts = service.contacts
    phone = bool(contacts.phone) and "call" in service.access
    chat = bool(contacts.chat)
    always = (phone and contacts.phone_always) or (chat and contacts.chat_always)
    return phone, chat, always


def is_shelter(service: Service) -> bool:
    """A place to stay in a crisis (its address is secret; families reach it by phone)."""
    if service.shelter:
        return True
    return "crisis-urgent" in service.needs and HOUSING in service.service_classes


def _urgency(service: Service) -> int:
    if "crisis-urgent" not in service.needs:
        return URGENT_OTHER
    if is_shelter(service):
        return URGENT_SHELTER
    phone, chat, always = contact_lines(service)
    if always:
        return URGENT_ALWAYS
    return URGENT_LINE if phone or chat else URGENT_OTHER


def kept_by_free_filter(service: Service) -> bool:
    """Whether ``service`` is shown to a family that asked for free services only: when it
    is known to be free, or when it is a crisis service (112, helplines, shelters), which a
    family must always see; a service whose cost is not given is not promised as free."""
    return service.cost == "free" or "crisis-urgent" in service.needs


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
    kept_free_only: bool  # kept_by_free_filter
    access: float  # the points of its best way in
    ages: AgeKey
    situation: Situation
    local: frozenset[str]  # municipalities where it has a location
    nationwide: bool

    @classmethod
    def of(cls, service: Service) -> _Profile:
        return cls(
            frozenset(service.needs),
            frozenset(service.languages),
            bool(service.interpreter),
            service.cost == "free",
            kept_by_free_filter(service),
            max((ACCESS_POINTS.get(a, 0.0) for a in service.access), default=0.0),
            _age_key(service.ages),
            Situation.of(service),
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

    ``cells``: the ids of each cell by situation, sorted; a service is in the cell of each
    language it serves, of the interpreter if it has one, and of every language.
    ``situations``: every situation some cell holds. ``ages``: how many services of the pool
    count there, by age range and whether the free filter keeps them (a nationwide service is
    listed where it has a location, as local there, but counted only once, as nationwide).
    """

    cells: dict[Cell, dict[Situation, list[str]]] = field(default_factory=dict)
    situations: set[Situation] = field(default_factory=set)
    ages: dict[tuple[AgeKey, bool], int] = field(default_factory=dict)

    def add(self, cell: Cell, situation: Situation, service_id: str) -> None:
        self.cells.setdefault(cell, {}).setdefault(situation, []).append(service_id)
        self.situations.add(situation)

    def members(self) -> Iterator[str]:
        for (_, language, _, _), by_situation in self.cells.items():
            if language == _EVERY_LANGUAGE:
                for ids in by_situation.values():
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
                            tally = (profile.ages, profile.kept_free_only)
                            pool.ages[tally] = pool.ages.get(tally, 0) + 1
                        for cell in cells[reach]:
                            pool.add(cell, profile.situation, service.id)
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
        service for none of their needs is not offered as a match (browsing shows it). When
        they asked for free services only, only those the free filter keeps match
        (:func:`kept_by_free_filter`).
        Candidates are read in rank order until the page is full; reasons are built for the
        page only.
        """
        if len(set(answers.needs)) < len(answers.needs):
            # A need named twice counts twice in the score; the lists do not rank that.
            return self._scan(answers, self._candidates(answers), limit, offset)
        page = self._in_rank_order(answers, offset + limit)[offset:]
        return [self._match(self.services[i], answers) for i in page], self._count(answers)

    def find(self, answers: Answers, limit: int = 10, offset: int = 0) -> Found:
        """:meth:`search`, and what the free filter did: when the family asked for free
        services only, how many others it hid, and, when no free service matches at all, the
        others instead (so the family is told so and still sees what there is)."""
        matches, total = self.search(answers, limit, offset)
        if not answers.free_only:
            return Found(matches, total, answers)
        every_cost = replace(answers, free_only=False)
        all_costs = self.search(every_cost, 0)[1]
        if total:
            return Found(matches, total, answers, free_asked=True, free_hidden=all_costs - total)
        matches, total = self.search(every_cost, limit, offset)
        return Found(matches, total, every_cost, free_asked=True, free_hidden=total)

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

        Reads the pools' cells from the best rank down (needs met, the family's situation,
        reach, language, free, way in: the score's steps, see
        ``_check_weights_are_lexicographic``), each cell group merged by id, and stops as soon
        as ``want`` matches are found. A service listed in a better cell than its own (it
        meets more of the needs, speaks a language the family speaks, is local there) is
        skipped where it does not belong; the lists of situations that fit no child are
        never read.
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
        ranks: dict[Situation, tuple[int, int] | None] = {}
        profiles = self._profiles
        all_needs = frozenset(answers.needs)
        free_only = answers.free_only
        for met, need_sets in self._need_sets(answers):
            places = [
                (reach, pools)
                for reach, key in self._places(answers)
                if (pools := [p for s in need_sets if (p := self._pools.get((key, s)))])
            ]
            for _, pools in places:
                for pool in pools:
                    for situation in pool.situations - ranks.keys():
                        ranks[situation] = situation.rank(answers)
            situation_tiers = sorted(
                {
                    rank
                    for _, pools in places
                    for p in pools
                    for s in p.situations
                    if (rank := ranks[s]) is not None
                },
                reverse=True,
            )
            for situation_tier in situation_tiers:
                for reach, pools in places:
                    local_elsewhere = reach == "nationwide" and place is not None
                    for tier, languages in tiers:
                        for group in groups:
                            lists = [
                                ids
                                for pool in pools
                                for language in languages
                                for free, access in group
                                if (by_situation := pool.cells.get((reach, language, free, access)))
                                for situation, ids in by_situation.items()
                                if ranks[situation] == situation_tier
                            ]
                            if not lists:
                                continue
                            last = None
                            merged = lists[0] if len(lists) == 1 else heapq.merge(*lists)
                            for service_id in merged:
                                if service_id == last:  # listed under two languages it serves
                                    continue
                                last = service_id
                                profile = profiles[service_id]
                                if free_only and not profile.kept_free_only:
                                    continue  # not free: the family asked for free only
                                if met and len(profile.needs & all_needs) != met:
                                    continue  # meets more of the needs: ranked in a better cell
                                if local_elsewhere and place in profile.local:
                                    continue  # local here: ranked with the local ones
                                if tier == "interpreter" or tier == "neither":
                                    if not profile.languages.isdisjoint(spoken):
                                        continue
                                    if tier == "neither" and profile.interpreter:
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
                    for (ages, kept), count in pool.ages.items():
                        if answers.free_only and not kept:
                            continue
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
            profile = self._profiles[service_id]
            if answers.free_only and not profile.kept_free_only:
                continue
            if _ages_fit(profile.ages, answers):
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
        situation = self._profiles[service.id].situation
        urgency = situation.urgency if "crisis-urgent" in answers.needs else URGENT_OTHER
        fit, child_age = situation.fit(answers)
        score += URGENCY_STEP * urgency + FIT_STEP * fit
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
        # In rank order: what ranked the card where it is comes first.
        if met:
            # One reason for all the needs it meets, each named once: a reason per need read
            # "helps with ..., helps with ..." on the card (issue #21).
            reasons.append(Reason("needs", (("needs", ",".join(dict.fromkeys(met))),)))
        if urgency == URGENT_ALWAYS:
            reasons.append(Reason("around-the-clock"))
        elif urgency == URGENT_LINE:
            reasons.append(Reason("call" if contact_lines(service)[0] else "chat"))
        ages = service.ages
        if child_age is not None and fit == FIT_CLOSE:
            reasons.append(Reason("child-age", (("age", child_age),)))
        elif answers.expecting and fit >= FIT_CLOSE:
            reasons.append(Reason("expecting"))
        elif ages is not None and (answers.child_ages or answers.expecting):
            reasons.append(Reason("ages", (("min", ages.min), ("max", ages.max))))
        if reach == "nationwide":
            reasons.append(Reason("nationwide"))
        elif answers.municipality is not None:
            reasons.append(Reason(reach, (("municipality", answers.municipality),)))
        if service.cost == "free":
            reasons.append(Reason("free"))
        if spoken:
            reasons.append(Reason("language", (("language", spoken[0]),)))
        elif answers.languages and service.interpreter:
            reasons.append(Reason("interpreter"))
        if "walk-in" in service.access:
            reasons.append(Reason("walk-in"))
        return score, reach
