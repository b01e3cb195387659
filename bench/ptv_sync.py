"""PTV sync benchmark: a full sync of N services (default 10,000) with their channels from the
fake PTV Open API (tests/ptv_fake.py, in a process of its own), against just downloading and
parsing the same pages; then an incremental sync after 1% of the services changed.

Each phase runs in a forked child process, so its peak memory (ru_maxrss) is its own:

- ``download``: every page and ``list?guids=`` answer fetched, decoded and slimmed to the
  fields the importer reads, as the sync fetches them (the client alone);
- ``download+parse``: the same, then ``parse_records`` (the PTV importer on every record);
- ``full sync``: ``sync_ptv`` into an empty database (fetch, parse, plan, one import);
- ``full, no change``: the same again (everything fetched and compared, nothing changes);
- ``incr., no change``: an incremental sync with nothing changed in PTV;
- ``incremental 1%``: after 1% of the services (every 100th) got a new name in PTV.

Run: ``python bench/ptv_sync.py [--services N] [--backend sqlite|postgresql]``.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import resource
import sys
import tempfile
import time
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime, timedelta
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import fresh_database, machine
from bot.catalog.ptv_client import PtvClient, PtvClientOptions
from bot.catalog.ptv_sync import (
    SyncScope,
    fetch,
    parse_records,
    region_municipalities,
    slim_record,
    sync_ptv,
)
from bot.db.engine import make_sessionmaker
from bot.delivery.event_news import mirror_events
from tests.ptv_fake import FakePtv, make_service, service_id, serving_in_thread

ORGANIZATIONS = 40
CLASSES = ("P5.2", "P3.4", "P3.7", "P4.12", "P25.1")


def serve(services: int, pipe: Connection) -> None:
    """The fake PTV process: build the records, serve them, obey "touch" and "stop"."""
    codes = region_municipalities()
    fake = FakePtv(page_size=100, now=datetime.now(UTC) - timedelta(days=1))
    for n in range(1, services + 1):
        fake.add(
            n,
            organization=n % ORGANIZATIONS + 1,
            municipality=codes[n % len(codes)],
            service_class=CLASSES[n % len(CLASSES)],
        )
    with serving_in_thread(fake):
        pipe.send(fake.url)
        while True:
            command = pipe.recv()
            if command == "stop":
                return
            if command == "touch":  # 1%: every 100th service renamed, modified now
                fake.now = datetime.now(UTC)
                for n in range(100, services + 1, 100):
                    record = fake.services[service_id(n)]
                    renamed = make_service(n, name=f"Perheneuvola {n}")
                    record["serviceNames"] = renamed["serviceNames"]
                    fake.modified[service_id(n)] = fake.now
                pipe.send("touched")


def measured(work: Callable[[], Coroutine[Any, Any, str]]) -> tuple[float, float, str]:
    """(seconds, peak RSS in MiB, what it says) of ``work`` run in this (child) process."""
    started = time.perf_counter()
    said = asyncio.run(work())
    elapsed = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return elapsed, peak, said


def in_child(target: Callable[[], tuple[float, float, str]]) -> tuple[float, float, str]:
    parent, child = multiprocessing.Pipe()

    def run() -> None:
        child.send(target())

    process = multiprocessing.get_context("fork").Process(target=run)
    process.start()
    result: tuple[float, float, str] = parent.recv()
    process.join()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--services", type=int, default=10_000)
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    args = parser.parse_args()

    control, fake_end = multiprocessing.Pipe()
    fake = multiprocessing.get_context("fork").Process(target=serve, args=(args.services, fake_end))
    fake.start()
    url: str = control.recv()
    options = PtvClientOptions(base_url=url, time_budget=3600)
    scope = SyncScope(region_municipalities())
    print(machine())
    print(f"{args.services:,} services, {2 * args.services:,} channels, {args.backend}")

    async def download() -> str:
        async with PtvClient(options) as client:
            client.keep = slim_record  # as the sync does
            fetched = await fetch(client, scope, None, {})
        return f"{len(fetched.services)} services, {client.requests} requests"

    async def download_and_parse() -> str:
        async with PtvClient(options) as client:
            client.keep = slim_record  # as the sync does
            fetched = await fetch(client, scope, None, {})
        parsed = parse_records(fetched, datetime.now(UTC).date())
        return (
            f"{sum(len(p.services) for p in parsed.parts.values())} parsed, {len(parsed.bad)} bad"
        )

    rows: list[tuple[str, float, float, str]] = []
    for name, work in (("download", download), ("download+parse", download_and_parse)):
        rows.append((name, *in_child(lambda w=work: measured(w))))  # type: ignore[misc]

    with tempfile.TemporaryDirectory() as workdir:

        async def database_phases() -> None:
            async with fresh_database(args.backend, Path(workdir), "ptv_bench") as (db_url, engine):
                await engine.dispose()

                def sync_phase(full: bool) -> tuple[float, float, str]:
                    async def work() -> str:
                        from bot.db.engine import make_engine

                        own = make_engine(db_url)
                        try:
                            result = await sync_ptv(
                                make_sessionmaker(own),
                                options,
                                scope,
                                mirror_events=mirror_events,
                                full=full,
                            )
                        finally:
                            await own.dispose()
                        return str(result.report)

                    return measured(work)

                rows.append(("full sync", *in_child(lambda: sync_phase(True))))
                rows.append(("full, no change", *in_child(lambda: sync_phase(True))))
                rows.append(("incr., no change", *in_child(lambda: sync_phase(False))))
                control.send("touch")
                assert control.recv() == "touched"
                rows.append(("incremental 1%", *in_child(lambda: sync_phase(False))))

        asyncio.run(database_phases())
    control.send("stop")
    fake.join()

    base = rows[0][1]
    print(f"{'phase':<16} {'seconds':>8} {'x download':>10} {'peak RSS MiB':>12}  result")
    for name, seconds, peak, said in rows:
        print(f"{name:<16} {seconds:8.2f} {seconds / base:10.2f} {peak:12.0f}  {said}")


if __name__ == "__main__":
    main()
