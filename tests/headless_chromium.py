"""Open a page in headless Chromium over the DevTools protocol: console errors and a screenshot.

No browser-driver dependency: Chromium is started with ``--remote-debugging-port=0`` and a fresh
profile directory; it prints "DevTools listening on ws://..." with the port it chose (the start
waits for that line, no polling), and the protocol is spoken over aiohttp's websocket client.
Errors are gathered from ``Runtime.exceptionThrown``, ``Runtime.consoleAPICalled`` (type
error/assert) and ``Log.entryAdded`` (level error), which also reports resources that failed to
load, so a page reaching for the network is caught.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import os
import re
import shutil
import signal
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome")
START_TIMEOUT = 30.0


def find_chromium() -> str | None:
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


@dataclass
class PageVisit:
    errors: list[str] = field(default_factory=list)
    screenshot: bytes = b""
    title: str = ""


class _DevTools:
    def __init__(self, socket: aiohttp.ClientWebSocketResponse) -> None:
        self.socket = socket
        self.next_id = 0
        self.events: list[dict[str, Any]] = []
        self.changed = asyncio.Event()

    async def call(self, method: str, **params: Any) -> dict[str, Any]:
        self.next_id += 1
        ident = self.next_id
        await self.socket.send_json({"id": ident, "method": method, "params": params})
        while True:
            message = await self.socket.receive(timeout=START_TIMEOUT)
            if message.type is not aiohttp.WSMsgType.TEXT:
                raise AssertionError(f"DevTools connection ended: {message.type}")
            data = json.loads(message.data)
            if data.get("id") == ident:
                if "error" in data:
                    raise AssertionError(f"{method}: {data['error']}")
                result: dict[str, Any] = data.get("result", {})
                return result
            if "method" in data:
                self.events.append(data)

    async def until_event(self, method: str) -> dict[str, Any]:
        for event in self.events:
            if event["method"] == method:
                return event
        while True:
            message = await self.socket.receive(timeout=START_TIMEOUT)
            if message.type is not aiohttp.WSMsgType.TEXT:
                raise AssertionError(f"DevTools connection ended: {message.type}")
            data: dict[str, Any] = json.loads(message.data)
            if "method" in data:
                self.events.append(data)
                if data["method"] == method:
                    return data


def _errors(events: list[dict[str, Any]]) -> list[str]:
    errors = []
    for event in events:
        method, params = event["method"], event.get("params", {})
        if method == "Runtime.exceptionThrown":
            details = params.get("exceptionDetails", {})
            thrown = details.get("exception", {}).get("description", "")
            errors.append(f"exception: {details.get('text')} {thrown}".strip())
        elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
            texts = [str(a.get("value", a.get("description"))) for a in params.get("args", [])]
            errors.append(f"console.{params['type']}: {' '.join(texts)}")
        elif method == "Log.entryAdded" and params.get("entry", {}).get("level") == "error":
            entry = params["entry"]
            errors.append(f"log: {entry.get('text')} {entry.get('url', '')}".strip())
    return errors


@contextlib.asynccontextmanager
async def chromium(binary: str, profile: Path) -> AsyncIterator[str]:
    """Start headless Chromium with ``profile`` (a fresh directory); yields the browser's
    DevTools websocket URL."""
    args = [
        binary,
        "--headless",
        "--disable-gpu",
        "--no-first-run",
        "--no-default-browser-check",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        f"--user-data-dir={profile}",
        "--remote-debugging-port=0",
        "--window-size=1280,2000",
        "about:blank",
    ]
    if os.geteuid() == 0:
        args.insert(1, "--no-sandbox")  # Chromium refuses to run as root with its sandbox
    process = await asyncio.create_subprocess_exec(
        *args,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
        start_new_session=True,
    )
    assert process.stderr is not None
    stderr = process.stderr
    listening: asyncio.Future[str] = asyncio.get_running_loop().create_future()
    output: list[bytes] = []

    async def drain() -> None:
        # Read stderr to its end, so a chatty Chromium never blocks on a full pipe.
        while line := await stderr.readline():
            output.append(line)
            found = re.search(rb"DevTools listening on (ws://\S+)", line)
            if found and not listening.done():
                listening.set_result(found.group(1).decode())
        if not listening.done():
            listening.set_exception(
                AssertionError(
                    f"chromium exited early: {b''.join(output).decode(errors='replace')}"
                )
            )

    drainer = asyncio.create_task(drain())
    try:
        # The port Chromium chose is in that line (and in <profile>/DevToolsActivePort, which
        # may be written a moment later, so the line is what we wait for).
        async with asyncio.timeout(START_TIMEOUT):
            browser_url = await listening
        yield browser_url
    finally:
        if process.returncode is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                async with asyncio.timeout(10):
                    await process.wait()
            except TimeoutError:
                os.killpg(process.pid, signal.SIGKILL)
                await process.wait()
        await drainer


@contextlib.asynccontextmanager
async def _tab(binary: str, profile: Path, *, width: int, height: int) -> AsyncIterator[_DevTools]:
    """A fresh Chromium's one tab, its events recorded and its viewport ``width`` x ``height``."""
    async with chromium(binary, profile) as browser_url, aiohttp.ClientSession() as http:
        async with http.ws_connect(browser_url, max_msg_size=64 * 2**20) as socket:
            browser = _DevTools(socket)
            target = await browser.call("Target.createTarget", url="about:blank")
            target_id = target["targetId"]
        port = browser_url.split(":")[2].split("/")[0]
        page_url = f"ws://127.0.0.1:{port}/devtools/page/{target_id}"
        async with http.ws_connect(page_url, max_msg_size=64 * 2**20) as socket:
            tab = _DevTools(socket)
            await tab.call("Runtime.enable")
            await tab.call("Log.enable")
            await tab.call("Page.enable")
            await tab.call(
                "Emulation.setDeviceMetricsOverride",
                width=width,
                height=height,
                deviceScaleFactor=1,
                mobile=False,
            )
            yield tab


async def visit(
    binary: str, page: Path, profile: Path, *, width: int = 1280, height: int = 1600
) -> PageVisit:
    """Load ``page`` (a local file, absolute path) and return its errors and a PNG of the
    viewport."""
    async with _tab(binary, profile, width=width, height=height) as tab:
        await tab.call("Page.navigate", url=page.as_uri())
        await tab.until_event("Page.loadEventFired")
        evaluated = await tab.call("Runtime.evaluate", expression="document.title")
        shot = await tab.call("Page.captureScreenshot", format="png")
        return PageVisit(
            errors=_errors(tab.events),
            screenshot=base64.b64decode(shot["data"]),
            title=str(evaluated.get("result", {}).get("value", "")),
        )


@dataclass
class PrintedPage:
    errors: list[str]
    screenshot: bytes
    pdf: bytes
    checked: Any  # what ``expression`` evaluated to on the page (JSON-able)


async def print_pages(
    binary: str,
    pages: list[Path],
    profile: Path,
    *,
    expression: str = "null",
    width: int = 718,
    height: int = 1047,
) -> list[PrintedPage]:
    """Load each of ``pages`` in one Chromium (one start for all: they are slow) and return
    its errors, a PNG of the viewport laid out for print (by default the 190 x 277 mm inside
    10 mm margins on A4, at 96 dpi), its PDF as Chromium prints it (the page's own ``@page``
    size and margins, no header or footer) and the value of ``expression`` evaluated on it."""
    printed = []
    async with _tab(binary, profile, width=width, height=height) as tab:
        await tab.call("Emulation.setEmulatedMedia", media="print")
        for page in pages:
            tab.events.clear()
            await tab.call("Page.navigate", url=page.as_uri())
            await tab.until_event("Page.loadEventFired")
            evaluated = await tab.call(
                "Runtime.evaluate", expression=expression, returnByValue=True
            )
            shot = await tab.call("Page.captureScreenshot", format="png")
            pdf = await tab.call(
                "Page.printToPDF",
                preferCSSPageSize=True,
                displayHeaderFooter=False,
                printBackground=True,
            )
            printed.append(
                PrintedPage(
                    errors=_errors(tab.events),
                    screenshot=base64.b64decode(shot["data"]),
                    pdf=base64.b64decode(pdf["data"]),
                    checked=evaluated.get("result", {}).get("value"),
                )
            )
    return printed
