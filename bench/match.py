"""Benchmark: matching latency of ``CatalogIndex.search`` against a naive full scan.

Run from the repository root::

    python bench/match.py            # 1k, 10k and 100k services, 2,000 family answers
    python bench/match.py --quick    # a smoke run in seconds

Synthetic catalogues (fixed seed) are spread like a Finnish one: services are local to one
municipality (more of them in big towns), ~10% serve a wellbeing county of 6-9 municipalities,
~2% are nationwide. A fixed set of random family answers is matched against each catalogue by
the real index (ranked lists read until the page is full, the total counted from tallies) and
by a naive full scan that looks at every service and scores every candidate with the index's
own filters and ``_evaluate``. Both are timed in the same run; every answer must give the same
matches (ids, scores, reaches, reasons) and total from both, on the first page and on later
pages (the correctness guard). Figures and their meaning: ``bench/README.md``.
"""

from __future__ import annotations

import argparse
import gc
import itertools
import math
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TypeVar

if __package__ in (None, ""):  # run as a script: make ``bot`` importable from the checkout
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import machine
from bot.catalog import vocab
from bot.catalog.matching import Answers, CatalogIndex, Match, Reason
from bot.catalog.schema import Access, Ages, Contacts, Cost, Location, Service, Source, Text

SEED = 20260601
LIMIT = 10
SIZES = (1_000, 10_000, 100_000)
QUICK_SIZES = (500, 5_000)
ANSWERS = 2_000
QUICK_ANSWERS = 300
GUARD_PAGES = 200  # answers whose later pages are compared too
GOAL_SIZE = 10_000
GOAL_P99_MS = 5.0
# Share of services by reach; the rest are local to one municipality.
COUNTY_SHARE = 0.10
NATIONWIDE_SHARE = 0.02
# Services and families cluster in big towns: municipality weight ~ 1 / rank**SKEW.
SKEW = 0.8

# Languages served (beyond Finnish) and spoken by families, with rough weights.
SERVICE_EXTRA_LANGUAGES = (("sv", 8), ("en", 10), ("ar", 3), ("ru", 3), ("so", 1), ("uk", 2))
FAMILY_LANGUAGES = (("fi", 60), ("en", 15), ("ar", 10), ("ru", 6), ("so", 3), ("uk", 4), ("sv", 5))
AGE_RANGES = (  # (min, max, expecting), roughly as in the real catalogue; None: any age
    (None, 50),
    ((0, 6, False), 15),
    ((0, 0, True), 5),
    ((0, 17, False), 8),
    ((1, 6, False), 4),
    ((0, 6, True), 3),
    ((0, 1, True), 2),
    ((6, 17, False), 4),
    ((7, 15, False), 3),
    ((13, 22, False), 3),
    ((3, 5, False), 3),
)
ACCESS: tuple[tuple[tuple[Access, ...], int], ...] = (
    (("apply-online",), 25),
    (("call",), 20),
    (("walk-in",), 20),
    (("call", "walk-in"), 8),
    (("call", "book-online"), 8),
    (("referral",), 6),
    (("call", "referral"), 6),
    (("apply-online", "call"), 7),
)
COSTS: tuple[tuple[Cost | None, int], ...] = (
    (None, 45),
    ("free", 38),
    ("income-based", 10),
    ("fee", 7),
)
INTERPRETER = ((None, 80), (True, 12), (False, 8))


T = TypeVar("T")


def _pick(rng: random.Random, weighted: Sequence[tuple[T, int]]) -> T:
    return rng.choices([v for v, _ in weighted], weights=[w for _, w in weighted])[0]


@dataclass(frozen=True)
class Geography:
    """Municipalities weighted by size, and wellbeing counties of 6-9 of them."""

    codes: tuple[str, ...]
    weights: tuple[float, ...]
    counties: tuple[tuple[str, ...], ...]

    @classmethod
    def build(cls, rng: random.Random) -> Geography:
        codes = sorted(vocab.municipalities())
        ranked = codes[:]
        rng.shuffle(ranked)  # which towns are big is arbitrary but fixed by the seed
        rank = {code: i + 1 for i, code in enumerate(ranked)}
        weights = tuple(1.0 / rank[c] ** SKEW for c in codes)
        counties: list[tuple[str, ...]] = []
        i = 0
        while i < len(codes):  # neighbouring codes form a county, like a region's towns
            size = rng.randint(6, 9)
            counties.append(tuple(codes[i : i + size]))
            i += size
        return cls(tuple(codes), weights, tuple(counties))

    def town(self, rng: random.Random) -> str:
        return rng.choices(self.codes, weights=self.weights)[0]


def _text(label: str) -> Text:
    return Text.model_construct(fi=label, en=label, ar=label)


def _location(service_id: str, n: int, municipality: str, rng: random.Random) -> Location:
    return Location.model_construct(
        id=f"{service_id}-l{n}",
        name=_text(f"{service_id} place {n}"),
        street=None,
        postal_code=None,
        city=None,
        municipality=municipality,
        lat=round(rng.uniform(59.8, 69.9), 5),
        lon=round(rng.uniform(20.6, 31.5), 5),
        hours=[],
    )


def build_services(count: int, seed: int = SEED) -> list[Service]:
    """A synthetic catalogue of ``count`` services, the same for the same seed."""
    rng = random.Random(seed)
    geo = Geography.build(random.Random(seed))
    need_tags = list(vocab.NEED_TAGS)
    checked = date(2026, 1, 15)
    services: list[Service] = []
    for n in range(count):
        service_id = f"svc-{n:06d}"
        roll = rng.random()
        locations: list[Location] = []
        if roll < NATIONWIDE_SHARE:
            municipalities = [vocab.NATIONWIDE]
            if rng.random() < 0.25:  # e.g. Kela: offices in some towns
                for i in range(rng.randint(1, 3)):
                    locations.append(_location(service_id, i, geo.town(rng), rng))
        elif roll < NATIONWIDE_SHARE + COUNTY_SHARE:
            municipalities = list(rng.choice(geo.counties))
            for i, town in enumerate(rng.sample(municipalities, rng.randint(1, 3))):
                locations.append(_location(service_id, i, town, rng))
        else:
            municipalities = [geo.town(rng)]
            if rng.random() < 0.6:
                locations.append(_location(service_id, 0, municipalities[0], rng))
        needs = rng.sample(need_tags, rng.choices((1, 2, 3), weights=(40, 50, 10))[0])
        age = _pick(rng, AGE_RANGES)
        languages = ["fi"] + [
            lang for lang, weight in SERVICE_EXTRA_LANGUAGES if rng.random() < weight / 100
        ]
        services.append(
            Service.model_construct(
                id=service_id,
                organization=f"org-{n % 997}",
                name=_text(f"Service {n}"),
                summary=_text(f"Synthetic service {n}"),
                description=None,
                needs=needs,
                service_classes=[rng.choice(vocab.NEED_TAGS[need]) for need in needs],
                target_groups=["KR1.2"],
                life_events=[],
                municipalities=municipalities,
                ages=None
                if age is None
                else Ages.model_construct(min=age[0], max=age[1], expecting=age[2]),
                cost=_pick(rng, COSTS),
                languages=languages,
                interpreter=_pick(rng, INTERPRETER),
                access=list(_pick(rng, ACCESS)),
                contacts=Contacts.model_construct(phone=None, email=None, url=None),
                locations=locations,
                events=[],
                sources=[Source.model_construct(url="https://example.org/synthetic", kind="news")],
                checked=checked,
                active=rng.random() >= 0.01,  # a few closed services the index must skip
                untranslated=[],
            )
        )
    return services


def build_answers(count: int, seed: int = SEED) -> list[Answers]:
    """``count`` random family answers, the same for the same seed (independent of size)."""
    rng = random.Random(seed + 1)
    geo = Geography.build(random.Random(seed))
    need_tags = list(vocab.NEED_TAGS)
    answers: list[Answers] = []
    for _ in range(count):
        expecting = rng.random() < 0.15
        kids = rng.choices((0, 1, 2, 3), weights=(20, 40, 28, 12))[0]
        if expecting:
            kids = min(kids, 1)
        languages = {_pick(rng, FAMILY_LANGUAGES) for _ in range(rng.randint(1, 2))}
        answers.append(
            Answers(
                municipality=geo.town(rng),
                child_ages=tuple(sorted(rng.randint(0, 17) for _ in range(kids))),
                expecting=expecting,
                needs=tuple(rng.sample(need_tags, rng.choices((1, 2, 3), weights=(45, 40, 15))[0])),
                languages=tuple(sorted(languages)),
                free_only=rng.random() < 0.3,
            )
        )
    return answers


class NaiveScan(CatalogIndex):
    """The baseline: every query looks at every service instead of using the indexes.

    It replaces candidate selection (the hard filters the indexes stand for: serves the
    family's municipality or the whole country, meets one of the named needs) by a look at
    every service, then ranks with the index's own ``_scan``: age filter, ``_evaluate``
    on every candidate, sort. The index instead reads its ranked lists until the page is full.
    """

    def search(self, answers: Answers, limit: int = 10, offset: int = 0) -> tuple[list[Match], int]:
        place, needs = answers.municipality, answers.needs
        candidates = [
            s.id
            for s in self.services.values()
            if (place is None or s.nationwide or place in s.municipalities)
            and (not needs or any(n in s.needs for n in needs))
        ]
        return self._scan(answers, candidates, limit, offset)


# The baseline relies on these; if matching.py renames them, the bench must say so rather
# than compare the index with itself.
for _hook in ("_scan", "search"):
    if not callable(getattr(CatalogIndex, _hook, None)):
        raise RuntimeError(f"bench/match.py is out of date: CatalogIndex.{_hook} is gone")

# One page as the guard compares it: every match's id, score, reach and reasons; the total.
Page = tuple[tuple[tuple[str, float, str, tuple[Reason, ...]], ...], int]


def page_of(found: tuple[list[Match], int]) -> Page:
    matches, total = found
    return tuple((m.service.id, m.score, m.reach, m.reasons) for m in matches), total


def disagreements(
    answers: Sequence[Answers], indexed: Sequence[T], naive: Sequence[T]
) -> list[tuple[Answers, T, T]]:
    """The correctness guard: answers whose results differ between index and full scan."""
    return [(a, x, y) for a, x, y in zip(answers, indexed, naive, strict=True) if x != y]


@dataclass(frozen=True)
class Latency:
    p50: float  # milliseconds
    p99: float
    max: float

    @classmethod
    def of(cls, samples_ns: Sequence[int]) -> Latency:
        ms = sorted(s / 1e6 for s in samples_ns)
        p99 = ms[min(len(ms) - 1, math.ceil(0.99 * len(ms)) - 1)]
        return cls(statistics.median(ms), p99, ms[-1])


class Timings:
    """Per-answer latency (best of the passes, in ns) of one matcher, and its first page."""

    def __init__(
        self, run: Callable[[Answers], tuple[list[Match], int]], answers: Sequence[Answers]
    ) -> None:
        self.run = run
        self.answers = answers
        self.best = [sys.maxsize] * len(answers)
        self.pages: list[Page] = [((), 0) for _ in answers]

    def warm_up(self, count: int) -> None:
        for a in self.answers[:count]:
            self.run(a)

    def one_pass(self) -> None:
        run, best = self.run, self.best
        gc.collect()
        gc.disable()
        try:
            for i, a in enumerate(self.answers):
                start = time.perf_counter_ns()
                found = run(a)
                elapsed = time.perf_counter_ns() - start
                if elapsed < best[i]:
                    best[i] = elapsed
                self.pages[i] = page_of(found)
        finally:
            gc.enable()


@dataclass(frozen=True)
class SizeResult:
    size: int
    build_ms: float
    mean_candidates: float
    indexed: Latency
    naive: Latency


def measure(size: int, answers: Sequence[Answers], repeat: int, warmup: int) -> SizeResult:
    services = build_services(size)
    gc.collect()
    builds = []
    for _ in range(3):
        start = time.perf_counter_ns()
        index = CatalogIndex(services)
        builds.append(time.perf_counter_ns() - start)
    naive = NaiveScan(services)

    def indexed_run(a: Answers) -> tuple[list[Match], int]:
        return index.search(a, limit=LIMIT)

    def naive_run(a: Answers) -> tuple[list[Match], int]:
        return naive.search(a, limit=LIMIT)

    fast, slow = Timings(indexed_run, answers), Timings(naive_run, answers)
    fast.warm_up(warmup)
    slow.warm_up(warmup)
    # Passes alternate, so a burst of other work on the machine hits both alike; the best of
    # the passes per answer keeps the spread over answers (what p99 is about) minus that noise.
    for _ in range(repeat):
        fast.one_pass()
        slow.one_pass()
    check(size, answers, fast.pages, slow.pages, "first page")
    # Later pages (not timed): the index stops early, so pages past the first are where an
    # early stop would show first.
    some = answers[:GUARD_PAGES]
    for offset, limit in ((LIMIT, LIMIT), (3, 4)):
        indexed = [page_of(index.search(a, limit, offset)) for a in some]
        scanned = [page_of(naive.search(a, limit, offset)) for a in some]
        check(size, some, indexed, scanned, f"{limit} after {offset}")
    # How much the indexes narrow the search: services serving the family's place.
    served = [
        sum(
            1 for s in index.services.values() if s.nationwide or a.municipality in s.municipalities
        )
        for a in answers[:200]
    ]
    return SizeResult(
        size,
        min(builds) / 1e6,
        statistics.mean(served),
        Latency.of(fast.best),
        Latency.of(slow.best),
    )


def check(
    size: int,
    answers: Sequence[Answers],
    indexed: Sequence[Page],
    naive: Sequence[Page],
    what: str,
) -> None:
    """Fail the run unless index and scan gave the same matches (ids, scores, reaches,
    reasons, in order) and the same total for every answer."""
    wrong = disagreements(answers, indexed, naive)
    if wrong:
        first, mine, theirs = wrong[0]
        raise AssertionError(
            f"{size} services, {what}: indexed and naive results differ for {len(wrong)} "
            f"answers, first {first}: indexed {mine} naive {theirs}"
        )


def code_version() -> str:
    """The commit measured, and whether the matcher differs from it (a shared tree moves)."""
    root = Path(__file__).resolve().parent.parent

    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True)
        return done.stdout.strip() if done.returncode == 0 else ""

    commit = git("rev-parse", "--short", "HEAD") or "unknown commit"
    files = [f"bot/catalog/{name}.py" for name in ("matching", "schema", "vocab")]
    dirty = git("status", "--porcelain", "--untracked-files=no", "--", *files)
    return f"commit {commit}" + (", with uncommitted changes to the matcher" if dirty else "")


def _growth(before: float, after: float, size_ratio: float) -> str:
    factor = after / before
    return f"x{factor:.1f} (exponent {math.log(factor) / math.log(size_ratio):.2f})"


def report(results: Sequence[SizeResult], answers: int, repeat: int) -> None:
    print(f"machine: {machine()}")
    print(f"code: {code_version()}")
    print(
        f"answers: {answers} families, limit {LIMIT}, best of {repeat} per answer, "
        f"gc off while timing; seed {SEED}"
    )
    print(
        "correctness guard: indexed and naive results equal (ids, scores, reaches, reasons, "
        f"totals) for every answer at every size, and later pages for {GUARD_PAGES} answers\n"
    )
    header = (
        f"{'services':>9} {'build ms':>9} {'served':>7} | {'indexed p50':>11} {'p99':>7} "
        f"{'max':>7} | {'naive p50':>9} {'p99':>7} {'max':>7} | {'idx/naive p50':>13} {'p99':>6}"
    )
    print(header)
    print("-" * len(header))
    for r in results:
        print(
            f"{r.size:>9,} {r.build_ms:>9.1f} {r.mean_candidates:>7.0f} | "
            f"{r.indexed.p50:>11.3f} {r.indexed.p99:>7.3f} {r.indexed.max:>7.3f} | "
            f"{r.naive.p50:>9.3f} {r.naive.p99:>7.3f} {r.naive.max:>7.3f} | "
            f"{r.indexed.p50 / r.naive.p50:>13.3f} {r.indexed.p99 / r.naive.p99:>6.3f}"
        )
    print("(latencies in ms; 'served': mean services serving a family's municipality or all)\n")
    for before, after in itertools.pairwise(results):
        ratio = after.size / before.size
        print(f"growth {before.size:,} -> {after.size:,} services (x{ratio:g}):")
        for name in ("indexed", "naive"):
            b, a = getattr(before, name), getattr(after, name)
            p50, p99 = _growth(b.p50, a.p50, ratio), _growth(b.p99, a.p99, ratio)
            print(f"  {name:<8} p50 {p50}, p99 {p99}")
    print("(exponent 1.0 is linear growth, below 1 sub-linear)\n")
    goal = next((r for r in results if r.size == GOAL_SIZE), None)
    if goal is not None:
        verdict = "met" if goal.indexed.p99 <= GOAL_P99_MS else "MISSED"
        print(
            f"goal p99 <= {GOAL_P99_MS:g} ms at {GOAL_SIZE:,} services: {verdict} "
            f"({goal.indexed.p99:.3f} ms)"
        )
    last, prev = results[-1], results[-2] if len(results) > 1 else None
    if prev is not None:
        ratio = last.size / prev.size
        exponent = math.log(last.indexed.p99 / prev.indexed.p99) / math.log(ratio)
        verdict = "met" if exponent < 0.9 else "MISSED"
        print(
            f"goal sub-linear growth (indexed p99 exponent {prev.size:,} -> {last.size:,} "
            f"below 0.9): {verdict} ({exponent:.2f})"
        )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, a smoke run")
    parser.add_argument("--answers", type=int, help=f"family answers (default {ANSWERS})")
    parser.add_argument("--repeat", type=int, default=3, help="timings per answer, best kept")
    args = parser.parse_args(argv)
    sizes = QUICK_SIZES if args.quick else SIZES
    count = args.answers or (QUICK_ANSWERS if args.quick else ANSWERS)
    answers = build_answers(count)
    results = []
    for size in sizes:
        print(f"measuring {size:,} services...", file=sys.stderr, flush=True)
        results.append(measure(size, answers, args.repeat, warmup=min(200, count)))
    report(results, count, args.repeat)
    return 0


if __name__ == "__main__":
    sys.exit(main())
