"""The matching benchmark's correctness guard on a small catalogue (no timing is asserted).

``bench/match.py`` compares the indexed matcher with a naive full scan; here the two must agree
on the first page (ids, scores, reaches, reasons) and the total for every answer, and on a later
page, so an index that drops, adds or misorders candidates fails in CI even though the benchmark
itself is not run there.

``bench/throughput.py``'s load and guard run briefly against an in-process bot too.
"""

from __future__ import annotations

import asyncio
import importlib.util
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import pytest

from bot.app import build_app, prepare_database
from bot.catalog.matching import CatalogIndex
from bot.config import Settings
from bot.emulator.telegram import TEST_TOKEN

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


@pytest.mark.parametrize(("limit", "offset"), [(10, 0), (4, 3)])
def test_indexed_and_naive_scan_agree(bench: ModuleType, limit: int, offset: int) -> None:
    services = bench.build_services(300)
    answers = bench.build_answers(200)
    index, naive = CatalogIndex(services), bench.NaiveScan(services)

    def pages(matcher: CatalogIndex) -> list[object]:
        return [bench.page_of(matcher.search(a, limit, offset)) for a in answers]

    wrong = bench.disagreements(answers, pages(index), pages(naive))

    assert not wrong, f"{len(wrong)} of {len(answers)} answers differ; first: {wrong[0]}"
    # The guard is only worth something if many answers find services (300 services spread
    # over ~300 municipalities leave some families with no match; that is expected).
    assert sum(1 for a in answers if index.match(a, limit=10)) > len(answers) // 3


def test_synthetic_catalogue_is_deterministic(bench: ModuleType) -> None:
    first = [(s.id, s.municipalities, s.needs) for s in bench.build_services(50)]
    again = [(s.id, s.municipalities, s.needs) for s in bench.build_services(50)]
    assert first == again
    assert bench.build_answers(20) == bench.build_answers(20)


# --------------------------------------------------------------------------- bench/throughput.py

THROUGHPUT = Path(__file__).resolve().parent.parent / "bench" / "throughput.py"


@pytest.fixture(scope="module")
def throughput() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_throughput", THROUGHPUT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@dataclass
class InProcessBot:
    """The bot polling from this process: ``bench/throughput.py``'s load against it."""

    bare: bool
    webhook: bool = False
    url: str = ""

    def cpu(self) -> float:
        return time.process_time()


@pytest.mark.parametrize("bare", [False, True], ids=["valo", "bare-aiogram"])
async def test_throughput_load_is_answered_once_per_press_and_toggles_hold(
    throughput: ModuleType,
    bare: bool,
    database_url: str,
    redis_url: str | None,
    tmp_path: Path,
) -> None:
    """The benchmark's load and guard, briefly: families pressing in a closed loop, then at a
    fixed rate, against Valo's dispatcher (the run's backends) or the bare echo handler."""
    fake = throughput.LoadFake()
    async with fake:
        if bare:
            bot, dispatcher, close = fake.bot(), throughput.bare_dispatcher(), None
        else:
            settings = Settings(
                _env_file=None,
                bot_token=TEST_TOKEN,
                telegram_api_base=fake.base_url,
                database_url=database_url,
                redis_url=redis_url,
                throttle_rate=1_000_000,
                catalog_path=tmp_path / "no-catalogue",  # the dialog step needs none
            )
            app = build_app(settings)
            await prepare_database(app)
            bot, dispatcher, close = app.bot, app.dispatcher, app.close
        polling = asyncio.create_task(dispatcher.start_polling(bot, handle_signals=False))
        families = throughput.Families(fake, InProcessBot(bare), 6)
        try:
            await asyncio.gather(*(families.open(chat) for chat in families.chats))
            saturated = await families.saturate(4, seconds=0.5, warmup=0.2)
            half = await families.open_loop(max(1.0, saturated.rate / 2), seconds=0.5)
            families.guard()
        finally:
            await dispatcher.stop_polling()
            await polling
            await families.close()
            if close is not None:
                await close()
            else:
                await bot.session.close()
    assert saturated.steps > 0
    assert saturated.latencies
    assert half.latencies
    assert 0 < half.percentile(50) <= half.percentile(99)
    assert sum(families.presses.values()) >= saturated.steps + half.steps
