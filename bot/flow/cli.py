"""``valo-bot try``: chat with a dialog tree in the terminal, no Telegram needed.

The same runner and the same rendering as the bot: every button becomes a numbered or lettered
line, and typing it presses the button's own callback data. Input is read line by line, so a
session can be scripted (``printf '1\\n2\\nd\\n' | valo-bot try --lang ar``); end of input ends
the session cleanly. It is how a service designer tries a change before it goes live.
"""

from __future__ import annotations

import argparse
import asyncio
import html
import re
import sys
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO
from zoneinfo import ZoneInfo

from bot.catalog.matching import Answers
from bot.config import LOCALES_PATH, SUPPORTED_LOCALES, data_home, in_home
from bot.data_errors import DataFileError
from bot.flow.keyboard import ResultPage, ResultSource, render
from bot.flow.loader import load_dialogs
from bot.flow.model import (
    BACK,
    CONTINUE,
    DONE,
    MORE,
    PAGE_NEXT,
    PAGE_PREV,
    RESTART,
    SKIP,
    Press,
    Tree,
    default_municipalities,
    parse_callback,
)
from bot.flow.runner import Runner, Step
from bot.i18n import I18n, Translator

EXIT_OK = 0
EXIT_DATA = 1
EXIT_USAGE = 2

# The engine's own buttons get letters; the tree's choices get numbers.
KEYS = {
    BACK: "b",
    SKIP: "s",
    DONE: "d",
    RESTART: "r",
    PAGE_PREV: "p",
    PAGE_NEXT: "n",
    MORE: "m",
    CONTINUE: "c",
}
QUIT = "q"
RULE = "─" * 40
_TAG = re.compile(r"<[^>]+>")
_LINK = re.compile(r'<a\s+href="([^"]*)"[^>]*>(.*?)</a>', re.DOTALL)


@dataclass(frozen=True)
class TryBackend:
    """What ``try`` needs beyond the trees: results and the picker's municipalities."""

    results: ResultSource
    municipalities: Sequence[str]
    # Where the trees and messages are read from (``--dialogs``/``--locales`` override).
    dialogs: Path = Path("dialogs")
    locales: Path = LOCALES_PATH


class NoResults:
    """Results when no catalogue is connected: none (``try`` still prints the answers)."""

    async def results(self, answers: Answers, t: Translator, page: int) -> ResultPage:
        """An empty page."""
        return ResultPage((), 0, False)


@asynccontextmanager
async def offline_backend() -> AsyncIterator[TryBackend]:
    """No catalogue: no results, and South-East Finland in the picker."""
    home = data_home()
    yield TryBackend(
        NoResults(),
        default_municipalities(),
        in_home(Path("dialogs"), home),
        in_home(LOCALES_PATH, home),
    )


BackendFactory = Callable[[], AbstractAsyncContextManager[TryBackend]]


def plain(text: str) -> str:
    """Telegram HTML as terminal text: links keep their address, tags go."""
    text = _LINK.sub(lambda m: f"{m.group(2)} ({m.group(1)})", text)
    return html.unescape(_TAG.sub("", text))


def describe(answers: Answers) -> str:
    """The collected facts in one line, for the designer (ids, not translations)."""

    def items(values: Sequence[object]) -> str:
        return ",".join(map(str, values)) or "-"

    return (
        f"[answers] municipality={answers.municipality or '-'} "
        f"child_ages={items(answers.child_ages)} expecting={'yes' if answers.expecting else 'no'} "
        f"needs={items(answers.needs)} languages={items(answers.languages)} "
        f"free_only={'yes' if answers.free_only else 'no'}"
    )


class TrySession:
    """One terminal conversation with one tree."""

    def __init__(
        self,
        tree: Tree,
        t: Translator,
        backend: TryBackend,
        stdin: TextIO,
        stdout: TextIO,
        *,
        echo: bool = False,
    ) -> None:
        self._runner = Runner(tree, backend.municipalities)
        self._t = t
        self._results = backend.results
        self._in = stdin
        self._out = stdout
        self._echo = echo

    def _print(self, text: str = "") -> None:
        self._out.write(text + "\n")

    async def _show(self, step: Step, again: bool) -> dict[str, Press]:
        """Print the step; return what each typed key presses."""
        page = None
        if step.kind == "result":
            assert step.answers is not None
            page = await self._results.results(step.answers, self._t, step.page)
        screen = render(step, self._t, page, again=again)
        keys: dict[str, Press] = {}
        self._print(RULE)
        if screen.notice:
            self._print(f"» {screen.notice}")
        if step.answers is not None and not again:
            self._print(describe(step.answers))
        for index, message in enumerate(screen.messages):
            if index:
                self._print()
            self._print(plain(message.text) if message.html else message.text)
            buttons = [b for row in message.keyboard for b in row]
            if buttons:
                self._print()
            for button in buttons:
                press = parse_callback(button.callback_data or "")
                if press is None:
                    # A button that leaves the dialog (main menu, browse): only in the bot.
                    self._print(f"   · {button.text}  (in the bot)")
                    continue
                key = KEYS.get(press.choice) or str(len([k for k in keys if k.isdigit()]) + 1)
                keys[key] = press
                self._print(f"  {key}. {button.text}")
        return keys

    async def run(self) -> int:
        """Talk until ``q`` or the end of input."""
        transition = self._runner.start()
        step, again = transition.step, False
        while True:
            keys = await self._show(step, again)
            while True:
                self._out.write("> ")
                self._out.flush()
                line = self._in.readline()
                if not line:
                    self._print()
                    return EXIT_OK
                answer = line.strip().lower()
                if self._echo:
                    self._print(answer)
                if answer == QUIT:
                    return EXIT_OK
                if answer in keys:
                    break
                if answer:
                    self._print(f"? type one of: {' '.join(keys)} (or {QUIT} to quit)")
            transition = self._runner.press(transition.state, keys[answer])
            step, again = transition.step, transition.stale


async def try_dialog(
    args: argparse.Namespace, backend_factory: BackendFactory, stdin: TextIO, stdout: TextIO
) -> int:
    """Load the trees and locales named in ``args`` and run one session."""
    async with backend_factory() as backend:
        try:
            locales = args.locales or backend.locales
            i18n = I18n.load(locales, ZoneInfo(args.timezone))
            trees = load_dialogs(args.dialogs or backend.dialogs, locales, backend.municipalities)
        except DataFileError as exc:
            for error in exc.errors:
                print(error, file=sys.stderr)
            print("valo-bot try: fix these first (valo-bot check lists them too)", file=sys.stderr)
            return EXIT_DATA
        tree = trees.get(args.dialog)
        if tree is None:
            known = ", ".join(sorted(trees)) or "none"
            print(f"valo-bot try: no dialog '{args.dialog}' (there are: {known})", file=sys.stderr)
            return EXIT_USAGE
        session = TrySession(tree, i18n[args.lang], backend, stdin, stdout, echo=not stdin.isatty())
        return await session.run()


def add_try_command(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
    backend_factory: BackendFactory = offline_backend,
) -> argparse.ArgumentParser:
    """Add ``try`` to a ``valo-bot`` command parser; ``backend_factory`` supplies results
    (the catalogue's, for the same results the bot shows) and the picker's municipalities."""
    parser = subparsers.add_parser(
        "try",
        help="chat with the dialog trees in the terminal, no Telegram needed",
        description="A preview: results come from the catalogue files at CATALOG_PATH, read "
        "into memory, plus the services an existing database holds from imports (PTV, HSDS). "
        "Nothing is written: no database is created, migrated or synced.",
    )
    parser.add_argument("--lang", choices=SUPPORTED_LOCALES, default="fi")
    parser.add_argument("--dialog", default="needs", help="tree id (default: needs)")
    parser.add_argument("--dialogs", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--locales", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--timezone", default="Europe/Helsinki", help=argparse.SUPPRESS)

    def run(args: argparse.Namespace) -> int:
        return asyncio.run(try_dialog(args, backend_factory, sys.stdin, sys.stdout))

    parser.set_defaults(func=run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m bot.flow.cli --lang ar``: the same as ``valo-bot try``, offline."""
    parser = argparse.ArgumentParser(prog="valo-bot")
    add_try_command(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["try", *(sys.argv[1:] if argv is None else argv)])
    code: int = args.func(args)
    return code


if __name__ == "__main__":
    sys.exit(main())
