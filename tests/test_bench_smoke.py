"""The matching benchmark's correctness guard on a small catalogue (no timing is asserted).

``bench/match.py`` compares the indexed matcher with a naive full scan; here the two must agree
on the top 10 for every answer, so an index that drops or adds candidates fails in CI even
though the benchmark itself is not run there.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from bot.catalog.matching import CatalogIndex

BENCH = Path(__file__).resolve().parent.parent / "bench" / "match.py"


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_match", BENCH)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while being created
    spec.loader.exec_module(module)
    return module


def test_indexed_and_naive_scan_agree_on_top_10(bench: ModuleType) -> None:
    services = bench.build_services(300)
    answers = bench.build_answers(200)
    index, naive = CatalogIndex(services), bench.NaiveScan(services)

    def top_10(matcher: CatalogIndex) -> list[list[str]]:
        return [bench.top_ids(matcher.match(a, limit=10)) for a in answers]

    wrong = bench.disagreements(answers, top_10(index), top_10(naive))

    assert not wrong, f"{len(wrong)} of {len(answers)} answers differ; first: {wrong[0]}"
    # The guard is only worth something if many answers find services (300 services spread
    # over ~300 municipalities leave some families with no match; that is expected).
    assert sum(1 for a in answers if index.match(a, limit=10)) > len(answers) // 3


def test_synthetic_catalogue_is_deterministic(bench: ModuleType) -> None:
    first = [(s.id, s.municipalities, s.needs) for s in bench.build_services(50)]
    again = [(s.id, s.municipalities, s.needs) for s in bench.build_services(50)]
    assert first == again
    assert bench.build_answers(20) == bench.build_answers(20)
