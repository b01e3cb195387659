"""A fake PTV Open API v11 server on loopback, owned by a test (or the benchmark).

It serves the endpoints ``bot.catalog.ptv_client`` uses, in the real shapes (paged
``{pageNumber, pageSize, pageCount, itemList}``, id pages of ``{id, name}``, ``list?guids=``
lists), from records generated out of the real samples in ``tests/data/ptv-samples``: each
generated service is a family service of one municipality with a phone channel and a service
location channel of its own. It keeps each record's modification time on its own clock, so
``date=`` (modified since) and the archived/withdrawn lists answer as PTV's do, and it can
inject faults: 429 with Retry-After, 5xx, slow answers (timeouts), malformed pages, and a
page that blocks until the test lets it go (or kills the client).
"""

from __future__ import annotations

import asyncio
import copy
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any, Literal

from aiohttp import web

SAMPLES = Path(__file__).parent / "data" / "ptv-samples"
START = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
KOTKA, HAMINA = "285", "075"


@cache
def _template(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((SAMPLES / name).read_text(encoding="utf-8"))
    return data


def org_id(n: int) -> str:
    return f"0000{n:04x}-0000-4000-8000-00000000000a"


def service_id(n: int) -> str:
    # The first 8 hex digits differ per service: the catalogue's short ids are made of them.
    return f"{n:08x}-5e70-4000-8000-000000000001"


def channel_id(n: int, kind: str) -> str:
    return f"{n:08x}-c4a0-4000-8000-00000000000{1 if kind == 'Phone' else 2}"


def _texts(value: str, kind: str = "Name") -> list[dict[str, str]]:
    return [{"language": "fi", "value": value, "type": kind}]


def make_service(
    n: int,
    *,
    organization: int = 1,
    municipality: str = KOTKA,
    name: str | None = None,
    service_class: str = "P5.2",
) -> dict[str, Any]:
    """Service ``n`` from the sample's shape, linked to its two channels."""
    record = copy.deepcopy(_template("service_etalukio.json"))
    record.update(
        id=service_id(n),
        serviceNames=_texts(name or f"Neuvola {n}"),
        serviceDescriptions=[
            *_texts(f"Neuvolan palvelu numero {n}.", "Summary"),
            *_texts(f"Palvelu {n} auttaa perheitä.", "Description"),
        ],
        serviceClasses=[{"code": service_class, "name": [], "description": []}],
        targetGroups=[{"code": "KR1.2", "name": []}],
        lifeEvents=[],
        areaType="LimitedType",
        areas=[
            {
                "type": "Municipality",
                "code": None,
                "name": None,
                "municipalities": [{"code": municipality, "name": []}],
            }
        ],
        serviceChargeType="FreeOfCharge",
        organizations=[
            {
                "organization": {"id": org_id(organization), "name": f"Kunta {organization}"},
                "roleType": "Responsible",
                "provisionType": None,
                "additionalInformation": [],
            }
        ],
        serviceChannels=[
            {"serviceChannel": {"id": channel_id(n, kind), "name": kind}, "serviceHours": []}
            for kind in ("Phone", "ServiceLocation")
        ],
        publishingStatus="Published",
    )
    return record


def make_channels(
    n: int, *, organization: int = 1, municipality: str = KOTKA, phone: bool = True
) -> list[dict[str, Any]]:
    """Service ``n``'s phone channel (its own number) and service location channel."""
    template = _template("service_channel_otava.json")
    link = [{"service": {"id": service_id(n), "name": f"Neuvola {n}"}, "serviceHours": []}]
    phone_channel = copy.deepcopy(template)
    phone_channel.update(
        id=channel_id(n, "Phone"),
        serviceChannelType="Phone",
        organizationId=org_id(organization),
        serviceChannelNames=_texts(f"Neuvolan puhelin {n}"),
        phoneNumbers=[
            {
                "type": "Phone",
                "additionalInformation": "Ajanvaraus",
                "prefixNumber": "+358",
                "isFinnishServiceNumber": False,
                "number": f"40{n:07d}",
                "language": "fi",
            }
        ]
        if phone
        else [],
        emails=[],
        webPages=[],
        addresses=[],
        services=link,
    )
    location = copy.deepcopy(template)
    address = location["addresses"][0]["streetAddress"]
    address.update(
        street=[{"value": "Keskuskatu", "language": "fi"}],
        streetNumber=str(n % 200 + 1),
        postalCode="48100",
        postOffice=[{"value": "KOTKA", "language": "fi"}],
        municipality={"code": municipality, "name": []},
        latitude="6709000",
        longitude="490000",
    )
    location.update(
        id=channel_id(n, "ServiceLocation"),
        organizationId=org_id(organization),
        serviceChannelNames=_texts(f"Neuvolan toimipiste {n}"),
        phoneNumbers=[],
        emails=[],
        webPages=[{"url": f"https://kunta{organization}.example.fi/palvelu-{n}", "value": "Sivu"}],
        services=link,
    )
    return [phone_channel, location]


@dataclass
class Fault:
    path: str  # a part of the request's path and query
    kind: Literal["status", "slow", "malformed", "block"]
    status: int = 503
    retry_after: str | None = None
    times: int = 1  # how many matching requests it hits
    hit: int = 0


@dataclass
class FakePtv:
    """The fake API: records, their modification times, removals, faults, and the log."""

    page_size: int = 50
    services: dict[str, dict[str, Any]] = field(default_factory=dict)
    channels: dict[str, dict[str, Any]] = field(default_factory=dict)
    modified: dict[str, datetime] = field(default_factory=dict)
    removed: dict[str, tuple[str, datetime]] = field(default_factory=dict)  # id -> status, when
    now: datetime = START
    faults: list[Fault] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    blocked: threading.Event = field(default_factory=threading.Event)  # a slow page was hit
    _release: asyncio.Event = field(default_factory=asyncio.Event)
    _runner: web.AppRunner | None = None
    url: str = ""

    # ---------------------------------------------------------------- data

    def add(self, n: int, *, phone: bool = True, **options: Any) -> str:
        """Generate service ``n`` with its channels; returns its PTV id."""
        record = make_service(n, **options)
        self.put_service(record)
        keep = {k: v for k, v in options.items() if k in ("organization", "municipality")}
        for channel in make_channels(n, phone=phone, **keep):
            self.put_channel(channel)
        return str(record["id"])

    def put_service(self, record: dict[str, Any]) -> None:
        self.services[record["id"]] = record
        self.modified[record["id"]] = self.now

    def put_channel(self, record: dict[str, Any]) -> None:
        self.channels[record["id"]] = record
        self.modified[record["id"]] = self.now

    def remove(self, ptv_id: str, status: str = "Archived") -> None:
        self.services.pop(ptv_id, None)
        self.channels.pop(ptv_id, None)
        self.removed[ptv_id] = (status, self.now)

    def tick(self, minutes: int = 60) -> datetime:
        self.now += timedelta(minutes=minutes)
        return self.now

    def fail(
        self,
        path: str,
        kind: Literal["status", "slow", "malformed", "block"] = "status",
        **how: Any,
    ) -> Fault:
        fault = Fault(path, kind, **how)
        self.faults.append(fault)
        return fault

    # ---------------------------------------------------------------- server

    async def __aenter__(self) -> FakePtv:
        app = web.Application()
        app.router.add_get("/api/v11/Service/list/area/{area}/code/{code}", self._area_full)
        app.router.add_get("/api/v11/Service/list/organization", self._org_full)
        app.router.add_get("/api/v11/Service/area/{area}/code/{code}", self._area_ids)
        app.router.add_get("/api/v11/Service/list", self._service_list)
        app.router.add_get("/api/v11/Service", self._service_ids)
        app.router.add_get("/api/v11/ServiceChannel/list", self._channel_list)
        app.router.add_get("/api/v11/ServiceChannel", self._channel_ids)
        app.middlewares.append(self._faults)
        self._runner = web.AppRunner(app, shutdown_timeout=0.1)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}"
        return self

    async def __aexit__(self, *_: object) -> None:
        self._release.set()
        if self._runner is not None:
            await self._runner.cleanup()

    @web.middleware
    async def _faults(self, request: web.Request, handler: Any) -> web.StreamResponse:
        shown = request.path_qs
        self.requests.append(shown)
        for fault in self.faults:
            if fault.path in shown and fault.hit < fault.times:
                fault.hit += 1
                if fault.kind == "status":
                    headers = {"Retry-After": fault.retry_after} if fault.retry_after else {}
                    return web.Response(status=fault.status, headers=headers, text="busy")
                if fault.kind == "malformed":
                    return web.Response(
                        text='{"pageNumber": 1, "pageCount": 2, "itemList": [',
                        content_type="application/json",
                    )
                if fault.kind in ("slow", "block"):
                    self.blocked.set()
                    await self._release.wait()
        response: web.StreamResponse = await handler(request)
        return response

    def _since(self, request: web.Request) -> datetime | None:
        raw = request.query.get("date")
        if raw is None:
            return None
        return datetime.strptime(raw, "%Y-%m-%dT%H:%M:%S").replace(tzinfo=UTC)

    def _page(self, request: web.Request, items: list[Any]) -> web.Response:
        page = int(request.query.get("page", "1"))
        count = (len(items) + self.page_size - 1) // self.page_size
        chunk = items[(page - 1) * self.page_size : page * self.page_size]
        return web.json_response(
            {
                "pageNumber": page,
                "pageSize": self.page_size,
                "pageCount": count,
                "itemList": chunk if chunk else None,
            }
        )

    def _ids(self, request: web.Request, ids: Iterator[str]) -> web.Response:
        return self._page(request, [{"id": i, "name": None} for i in sorted(ids)])

    def _of_municipality(self, code: str) -> list[dict[str, Any]]:
        return [
            s
            for _, s in sorted(self.services.items())
            if any(m.get("code") == code for a in s["areas"] for m in a["municipalities"])
        ]

    async def _area_full(self, request: web.Request) -> web.Response:
        return self._page(request, self._of_municipality(request.match_info["code"]))

    async def _org_full(self, request: web.Request) -> web.Response:
        org = request.query["organizationId"]
        found = [
            s
            for _, s in sorted(self.services.items())
            if any(o["organization"]["id"] == org for o in s["organizations"])
        ]
        return self._page(request, found)

    async def _area_ids(self, request: web.Request) -> web.Response:
        since = self._since(request)
        found = self._of_municipality(request.match_info["code"])
        return self._ids(
            request, (s["id"] for s in found if since is None or self.modified[s["id"]] >= since)
        )

    def _changed(self, request: web.Request, table: dict[str, Any]) -> Iterator[str]:
        since = self._since(request)
        status = request.query.get("status", "Published")
        if status == "Published":
            return (i for i in table if since is None or self.modified[i] >= since)
        kind = "Service" if table is self.services else "ServiceChannel"
        return (
            i
            for i, (why, when) in self.removed.items()
            if why == status and (since is None or when >= since) and _kind(i) == kind
        )

    async def _service_ids(self, request: web.Request) -> web.Response:
        return self._ids(request, self._changed(request, self.services))

    async def _channel_ids(self, request: web.Request) -> web.Response:
        return self._ids(request, self._changed(request, self.channels))

    def _list(self, request: web.Request, table: dict[str, Any]) -> web.Response:
        guids = [g for g in request.query.get("guids", "").split(",") if g]
        if len(guids) > 100:
            return web.json_response({"guids": ["Max 100 can be added into list."]}, status=400)
        return web.json_response([table[g] for g in guids if g in table])

    async def _service_list(self, request: web.Request) -> web.Response:
        return self._list(request, self.services)

    async def _channel_list(self, request: web.Request) -> web.Response:
        return self._list(request, self.channels)


def _kind(ptv_id: str) -> str:
    return "ServiceChannel" if "-c4a0-" in ptv_id else "Service"


@contextmanager
def serving_in_thread(fake: FakePtv) -> Iterator[FakePtv]:
    """``fake`` served from a thread of its own (for a command line run in this thread with
    ``asyncio.run``, or in a child process)."""
    loop = asyncio.new_event_loop()
    ready = threading.Event()

    def serve() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(fake.__aenter__())
        ready.set()
        loop.run_forever()
        loop.run_until_complete(fake.__aexit__())
        loop.close()

    thread = threading.Thread(target=serve, name="fake-ptv", daemon=True)
    thread.start()
    if not ready.wait(10):
        raise RuntimeError("the fake PTV server did not start")
    try:
        yield fake
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
