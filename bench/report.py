"""Benchmark: the yearly indicator report on 1,000,000 events, on one core.

Run from the repository root::

    python bench/report.py                 # 1,000,000 events (~90,000 sessions), SQLite
    python bench/report.py --quick         # 50,000 events: a smoke run in seconds
    VALO_TEST_DATABASE_URL=postgresql+asyncpg://postgres@127.0.0.1:54329/postgres \\
      python bench/report.py               # SQLite, then a fresh PostgreSQL database

The events are ``tests/indicator_data.synthetic_year`` (fixed seed): whole dialog sessions
over one year until there are at least ``--events`` rows, inserted in bulk (not timed). The
process is pinned to one CPU (``sched_setaffinity``), and PostgreSQL is told not to use
parallel workers, so "one core" holds for the process and, on PostgreSQL, for the server's
backend too (the two take turns: the query runs, then Python tallies its result).

Timed, ``--repeat`` times (default 3), medians reported:

- baseline: one full scan of the period's events in the database,
  ``SELECT count(DISTINCT session) ... WHERE month BETWEEN ...``: the least any report of
  distinct sessions has to do;
- ``build_report``: both grouped queries (sessions, actions), the tally in Python, every
  table with its suppression, and the service names;
- rendering the report as HTML, CSV and JSON.

The goal (issue #8) is the yearly report, build plus HTML, in under 10 s. The figures are in
``bench/README.md``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

if __package__ in (None, ""):  # run as a script: make ``bot`` and ``tests`` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from bench.common import fresh_database, machine
from bot.config import LOCALES_PATH
from bot.db.engine import make_sessionmaker
from bot.db.models import IndicatorEvent
from bot.i18n import I18n
from bot.indicators.assemble import build_report
from bot.indicators.formats import Format, render
from bot.indicators.period import MonthRange
from bot.indicators.report import Report
from tests.indicator_data import insert_events, synthetic_year

YEAR = MonthRange.parse("2026-01", "2026-12")
GOAL_S = 10.0


@dataclass
class Result:
    backend: str
    events: int = 0
    sessions: int = 0
    baseline: list[float] = field(default_factory=list)
    build: list[float] = field(default_factory=list)
    build_cpu: list[float] = field(default_factory=list)  # this process, all threads
    server_cpu: list[float] = field(default_factory=list)  # the PostgreSQL backend
    render: dict[str, list[float]] = field(default_factory=dict)
    sizes: dict[str, int] = field(default_factory=dict)


async def one_core(session: AsyncSession) -> Path | None:
    """No parallel query workers on PostgreSQL (for this session's transaction); returns the
    /proc stat file of the server process that will run the queries, when it is local."""
    if session.get_bind().dialect.name != "postgresql":
        return None
    await session.execute(text("SET LOCAL max_parallel_workers_per_gather = 0"))
    return Path(f"/proc/{await session.scalar(text('SELECT pg_backend_pid()'))}/stat")


def cpu_seconds(stat: Path | None) -> float:
    """User + system CPU time of a process from its /proc stat file (0 without one: the
    database runs elsewhere, or it is SQLite, whose work is this process's own)."""
    try:
        fields = stat.read_text().rsplit(")", 1)[1].split() if stat else []
    except OSError:
        fields = []
    if not fields:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def run_backend(backend: str, events: int, repeat: int, workdir: Path) -> Result:
    result = Result(backend)
    rows = synthetic_year(events=events)
    result.events = len(rows)
    result.sessions = len({r["session"] for r in rows if r["session"] is not None})
    i18n = I18n.load(LOCALES_PATH, ZoneInfo("Europe/Helsinki"))
    async with fresh_database(backend, workdir, "valo_bench_report") as (_, engine):
        started = time.perf_counter()
        await insert_events(engine, rows)
        del rows
        async with engine.connect() as conn:
            await conn.execute(text("ANALYZE"))
        print(
            f"{backend}: inserted {result.events:,} events in {time.perf_counter() - started:.1f} s"
        )
        sessions = make_sessionmaker(engine)
        report: Report | None = None
        for _ in range(repeat):
            async with sessions() as session:
                await one_core(session)
                started = time.perf_counter()
                await session.scalar(
                    select(func.count(func.distinct(IndicatorEvent.session))).where(
                        IndicatorEvent.month.between(YEAR.first, YEAR.last)
                    )
                )
                result.baseline.append(time.perf_counter() - started)
            async with sessions() as session:
                server = await one_core(session)
                started, cpu = time.perf_counter(), time.process_time()
                server_cpu = cpu_seconds(server)
                report = await build_report(session, YEAR)
                result.build.append(time.perf_counter() - started)
                result.build_cpu.append(time.process_time() - cpu)
                result.server_cpu.append(cpu_seconds(server) - server_cpu)
            assert report is not None
            for fmt in Format:
                started = time.perf_counter()
                output = render(report, fmt, i18n["fi"], date(2027, 1, 4))
                result.render.setdefault(fmt.value, []).append(time.perf_counter() - started)
                result.sizes[fmt.value] = len(output.encode())
    return result


def describe(result: Result) -> str:
    median = statistics.median
    build, html = median(result.build), median(result.render["html"])
    cpu = median(result.build_cpu) + median(result.server_cpu)
    lines = [
        f"{result.backend}: {result.events:,} events, {result.sessions:,} dialog sessions",
        f"  baseline (count distinct sessions): {median(result.baseline):.2f} s",
        f"  build_report: {build:.2f} s wall, {build / median(result.baseline):.1f}x the baseline; "
        f"CPU {cpu:.2f} s (this process {median(result.build_cpu):.2f} s, "
        f"database server {median(result.server_cpu):.2f} s)",
    ]
    for fmt, times in result.render.items():
        size = result.sizes[fmt] / 1024
        lines.append(f"  render {fmt}: {median(times) * 1000:.0f} ms ({size:.0f} KiB)")
    # On a shared machine the wall time includes waiting for the core; the CPU time does not.
    for name, seconds in (("wall", build + html), ("CPU", cpu + html)):
        verdict = "met" if seconds < GOAL_S else "MISSED"
        goal = f"goal < {GOAL_S:.0f} s {verdict}"
        lines.append(f"  yearly report, build + HTML, {name}: {seconds:.2f} s: {goal}")
    return "\n".join(lines)


async def main_async(args: argparse.Namespace) -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    print(f"machine: {machine('pinned to 1')}")
    backends = ["sqlite"]
    if os.environ.get("VALO_TEST_DATABASE_URL"):
        backends.append("postgresql")
    events = 50_000 if args.quick else args.events
    with tempfile.TemporaryDirectory(prefix="valo-bench-report-") as workdir:
        for backend in backends:
            result = await run_backend(backend, events, args.repeat, Path(workdir))
            print(describe(result))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="50,000 events: a smoke run")
    asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    main()
