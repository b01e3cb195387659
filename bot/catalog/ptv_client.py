"""A small async client for the Suomi.fi service catalogue's (PTV) Open API v11.

Read from the published source of the service (``vrk-kpa/ptv-releases``,
``src/PTV.Application.OpenApi/Controllers/V11ServiceController.cs`` and
``V11ServiceChannelController.cs``); every endpoint used is anonymous (``[AllowAnonymous]``),
so no key is needed. Paths are relative to the base URL (``PTV_API_BASE``, default
https://api.palvelutietovaranto.suomi.fi):

- ``GET /api/v11/Service/list/area/{area}/code/{code}?page=N`` (``area`` = ``Municipality``,
  ``includeWholeCountry`` left false): every published service of a municipality in full,
  as ``V11VmOpenApiServicesWithPaging``.
- ``GET /api/v11/Service/list/organization?organizationId={uuid}&page=N``: every published
  service of an organisation in full (same paged shape).
- ``GET /api/v11/Service/area/{area}/code/{code}?date={since}&page=N``: the ids of a
  municipality's services created or modified since ``date`` (``V3VmOpenApiGuidPage``).
- ``GET /api/v11/Service?date={since}&status=Archived|Withdrawn&page=N``: the ids of services
  archived or withdrawn since ``date`` (the deletions of an incremental sync).
- ``GET /api/v11/Service/list?guids=a,b,...`` (at most 100 ids): services in full, a list.
- ``GET /api/v11/ServiceChannel?date={since}[&status=Archived|Withdrawn]&page=N``: the ids of
  service channels modified (or archived, withdrawn) since ``date``.
- ``GET /api/v11/ServiceChannel/list?guids=a,b,...`` (at most 100 ids): channels in full
  (service locations, phone, e-service, web page and printable form channels), a list.

``date`` (and ``dateBefore``, unused: a sync always wants everything up to now) is UTC in the
form ``yyyy-MM-ddTHH:mm:ss``. Paged answers have ``pageNumber`` (from 1), ``pageSize``,
``pageCount`` and ``itemList``; id pages list ``{id, name}``. The organisation endpoints
(``V11OrganizationController``) are not needed: a service names its organisations with their
names. The fields read from services and channels are those ``bot.catalog.ptv`` reads (see
its docstring); named contact persons are not among them.

Being a good API citizen: a descriptive User-Agent, at most ``concurrency`` requests at once,
a per-request timeout, retries with exponential backoff and jitter on 429 (its
``Retry-After`` honoured), 5xx and timeouts, and a total time budget. A failure raises
:class:`PtvFetchError` with a one-line reason; nothing partial is returned.
"""

from __future__ import annotations

import asyncio
import json
import random
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from importlib import metadata
from types import TracebackType
from typing import Any

import aiohttp

DEFAULT_BASE = "https://api.palvelutietovaranto.suomi.fi"
GUIDS_PER_REQUEST = 100  # the API's limit for list?guids=
REMOVED_STATUSES = ("Archived", "Withdrawn")


class PtvFetchError(Exception):
    """The fetch failed; the message is one line naming the endpoint and the reason."""


@dataclass(frozen=True)
class PtvClientOptions:
    base_url: str = DEFAULT_BASE
    concurrency: int = 4
    request_timeout: float = 30.0
    time_budget: float = 1800.0
    retries: int = 5
    backoff: float = 1.0  # the first retry's wait; doubled each time, with jitter
    backoff_cap: float = 120.0
    contact: str = ""  # appended to the User-Agent so PTV's operators can reach us


def user_agent(contact: str = "") -> str:
    """``valo-bot/<version> (...)``: who is asking, and how to reach them when set."""
    try:
        version = metadata.version("valo-bot")
    except metadata.PackageNotFoundError:
        version = "dev"
    about = "family services bot for South-East Finland; nightly catalogue sync"
    return f"valo-bot/{version} ({about}{f'; +{contact}' if contact else ''})"


def ptv_date(moment: datetime) -> str:
    """The API's ``date`` parameter: UTC, ``yyyy-MM-ddTHH:mm:ss``."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")


def _retry_after(value: str | None) -> float | None:
    """Retry-After in seconds (delta-seconds or an HTTP date), or None."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


class PtvClient:
    """One sync's connection to the API: ``async with PtvClient(options) as client``."""

    def __init__(
        self,
        options: PtvClientOptions,
        *,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.options = options
        # Applied to every record as its page arrives (the sync keeps only the fields it
        # reads: a channel's ontology terms alone are ~12 kB, and 20,000 channels held whole
        # took 1.8 GB).
        self.keep: Callable[[Any], Any] = lambda record: record
        self._sleep = sleep
        self._clock = clock
        self._deadline = clock() + options.time_budget
        self._limit = asyncio.Semaphore(options.concurrency)
        self._session: aiohttp.ClientSession | None = None
        self.requests = 0  # made, retries included (the benchmark and tests read it)

    async def __aenter__(self) -> PtvClient:
        self._deadline = self._clock() + self.options.time_budget
        self._session = aiohttp.ClientSession(
            headers={"User-Agent": user_agent(self.options.contact), "Accept": "application/json"},
            raise_for_status=False,
        )
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    def _left(self) -> float:
        return self._deadline - self._clock()

    async def get(self, path: str, params: dict[str, str] | None = None) -> Any:
        """The parsed JSON of ``GET path``, retried on 429, 5xx, timeouts and lost connections."""
        assert self._session is not None, "use the client as an async context manager"
        url = self.options.base_url.rstrip("/") + path
        shown = path + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")
        for attempt in range(self.options.retries + 1):
            left = self._left()
            if left <= 0:
                raise PtvFetchError(f"time budget of {self.options.time_budget:g} s used up")
            wait_hint: float | None = None
            try:
                async with self._limit:
                    self.requests += 1
                    async with asyncio.timeout(min(self.options.request_timeout, left)):
                        async with self._session.get(url, params=params) as response:
                            status = response.status
                            body = await response.read()
                            wait_hint = _retry_after(response.headers.get("Retry-After"))
            except TimeoutError:
                if self._left() <= 0:
                    raise PtvFetchError(
                        f"time budget of {self.options.time_budget:g} s used up"
                    ) from None
                reason = f"no answer in {self.options.request_timeout:g} s"
            except aiohttp.ClientError as exc:
                reason = f"connection failed ({type(exc).__name__})"
            else:
                if status == 200:
                    try:
                        return json.loads(body)
                    except (ValueError, RecursionError):
                        raise PtvFetchError(f"{shown}: the answer is not valid JSON") from None
                if status != 429 and status < 500:
                    raise PtvFetchError(f"{shown}: HTTP {status}")
                reason = f"HTTP {status}"
            if attempt == self.options.retries:
                raise PtvFetchError(f"{shown}: {reason}, {attempt + 1} attempts")
            wait = min(self.options.backoff_cap, self.options.backoff * 2**attempt)
            wait *= random.uniform(0.5, 1.0)
            if wait_hint is not None:
                wait = max(wait, wait_hint)  # the server said when: never sooner
            if wait >= self._left():
                raise PtvFetchError(
                    f"{shown}: {reason}; retrying in {wait:g} s would pass the time budget"
                )
            await self._sleep(wait)
        raise AssertionError("unreachable")

    async def pages(self, path: str, params: dict[str, str] | None = None) -> list[Any]:
        """Every item of a paged list: page 1 tells the page count; the rest at once."""
        first = await self.get(path, {**(params or {}), "page": "1"})
        count = _page_count(first, path)
        items = [self.keep(item) for item in _items(first, path, 1)]
        del first

        async def page(number: int) -> list[Any]:
            answer = await self.get(path, {**(params or {}), "page": str(number)})
            return [self.keep(item) for item in _items(answer, path, number)]

        for rest in await asyncio.gather(*(page(n) for n in range(2, count + 1))):
            items.extend(rest)
        return items

    async def ids(self, path: str, params: dict[str, str] | None = None) -> list[str]:
        """The ids of a paged id list (``V3VmOpenApiGuidPage``), lower case."""
        found = []
        for item in await self.pages(path, params):
            if not isinstance(item, dict) or not isinstance(item.get("id"), str):
                raise PtvFetchError(f"{path}: an item without an id")
            found.append(item["id"].strip().lower())
        return found

    async def by_ids(self, path: str, ids: Sequence[str]) -> list[Any]:
        """Records in full by id, GUIDS_PER_REQUEST at a time (``list?guids=``)."""
        wanted = sorted(set(ids))
        batches = [
            wanted[i : i + GUIDS_PER_REQUEST] for i in range(0, len(wanted), GUIDS_PER_REQUEST)
        ]

        async def batch(ids: list[str]) -> list[Any]:
            answer = await self.get(path, {"guids": ",".join(ids)})
            if not isinstance(answer, list):
                raise PtvFetchError(f"{path}: expected a list of records")
            return [self.keep(record) for record in answer]

        records: list[Any] = []
        for found in await asyncio.gather(*(batch(b) for b in batches)):
            records.extend(found)
        return records

    # ------------------------------------------------------------ the endpoints a sync uses

    async def services_of_municipality(self, code: str) -> list[Any]:
        return await self.pages(f"/api/v11/Service/list/area/Municipality/code/{code}")

    async def services_of_organization(self, organization: str) -> list[Any]:
        return await self.pages(
            "/api/v11/Service/list/organization", {"organizationId": organization}
        )

    async def changed_services_of_municipality(self, code: str, since: datetime) -> list[str]:
        return await self.ids(
            f"/api/v11/Service/area/Municipality/code/{code}", {"date": ptv_date(since)}
        )

    async def removed_services(self, since: datetime) -> list[str]:
        found: list[str] = []
        for status in REMOVED_STATUSES:
            found += await self.ids("/api/v11/Service", {"date": ptv_date(since), "status": status})
        return found

    async def changed_channels(self, since: datetime) -> list[str]:
        """Channels modified, archived or withdrawn since ``since``: their services change."""
        found: list[str] = []
        for status in ("Published", *REMOVED_STATUSES):
            found += await self.ids(
                "/api/v11/ServiceChannel", {"date": ptv_date(since), "status": status}
            )
        return found

    async def services(self, ids: Sequence[str]) -> list[Any]:
        return await self.by_ids("/api/v11/Service/list", ids)

    async def channels(self, ids: Sequence[str]) -> list[Any]:
        return await self.by_ids("/api/v11/ServiceChannel/list", ids)


def _page_count(page: Any, path: str) -> int:
    count = page.get("pageCount") if isinstance(page, dict) else None
    if not isinstance(count, int) or count < 0:
        raise PtvFetchError(f"{path}: not a paged answer (no pageCount)")
    return count


def _items(page: Any, path: str, number: int) -> list[Any]:
    items = page.get("itemList") if isinstance(page, dict) else None
    if items is None and isinstance(page, dict) and page.get("pageCount") == 0:
        return []
    if not isinstance(items, list):
        raise PtvFetchError(f"{path}: page {number} has no itemList")
    return items
