"""``valo-bot try``: scripted terminal sessions, stdin in and stdout checked."""

from __future__ import annotations

import argparse
import io
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from bot.catalog.matching import Answers
from bot.flow.cli import TryBackend, add_try_command, try_dialog
from bot.flow.keyboard import Button, ResultCard, ResultPage
from bot.flow.model import default_municipalities
from bot.i18n import Translator
from tests.conftest import REPO


class CatalogueStandIn:
    """Results the way the catalogue would give them: HTML cards, two pages."""

    def __init__(self) -> None:
        self.asked: list[tuple[Answers, str, int]] = []

    async def results(self, answers: Answers, t: Translator, page: int) -> ResultPage:
        self.asked.append((answers, t.locale, page))
        if page == 0:
            cards = (
                ResultCard(
                    '<b>Family counselling</b>\n<a href="https://example.org/fc">site</a>',
                    ((Button("📍 Map", url="https://example.org/map"),),),
                ),
                ResultCard("<b>Open daycare &amp; play</b>"),
            )
            return ResultPage(cards, 3, has_more=True)
        return ResultPage((ResultCard("<b>Peer group</b>"),), 3, has_more=False)


def arguments(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="valo-bot")
    add_try_command(parser.add_subparsers(dest="command", required=True))
    return parser.parse_args(["try", *argv])


async def session(
    script: str, *argv: str, source: CatalogueStandIn | None = None
) -> tuple[int, str]:
    @asynccontextmanager
    async def backend() -> AsyncIterator[TryBackend]:
        yield TryBackend(source or CatalogueStandIn(), default_municipalities())

    out = io.StringIO()
    args = arguments("--dialogs", str(REPO / "dialogs"), "--locales", str(REPO / "locales"), *argv)
    code = await try_dialog(args, backend, io.StringIO(script), out)
    return code, out.getvalue()


async def test_english_session_with_the_urgent_shortcut_and_results() -> None:
    source = CatalogueStandIn()
    # Kotka; ages 3-5; "something urgent" (helplines at once), then parenting; Arabic; done.
    code, out = await session("1\n4\nd\n8\n1\nd\n4\nd\nm\nq\n", "--lang", "en", source=source)
    assert code == 0
    urgent = out.index("> 8\n")
    helplines = out.index("call the emergency number 112", urgent)
    question_again = out.index("Question 3 of at most 6", urgent)
    assert urgent < helplines < question_again  # the helplines come before anything else
    assert "  8. ✓ 🆘 Something urgent" in out
    assert (
        "[answers] municipality=285 child_ages=3,4,5 expecting=no "
        "needs=parenting-support,crisis-urgent languages=ar free_only=no"
    ) in out
    assert "I found 3 services that could help your family." in out
    assert "Family counselling\nsite (https://example.org/fc)" in out
    assert "Open daycare & play" in out
    assert "  m. ➕ More services" in out
    assert "   · 📚 Browse all services  (in the bot)" in out
    assert "Peer group" in out
    assert [(a.municipality, locale, page) for a, locale, page in source.asked] == [
        ("285", "en", 0),
        ("285", "en", 1),
    ]


async def test_arabic_session_with_back_skip_and_restart() -> None:
    code, out = await session("n\n2\nb\ns\ns\nzz\nr\n", "--lang", "ar")
    assert code == 0
    assert out.count("السؤال 1، وعدد الأسئلة 6 على الأكثر") == 4  # start, next page, back, restart
    assert "  2. ليمي" in out  # second page of the picker: Lemi
    assert "السؤال 2، وعدد الأسئلة 6 على الأكثر" in out
    assert "  s. أفضّل ألّا أقول" in out
    assert "? type one of:" in out
    assert out.endswith("> \n")  # end of input ends the session cleanly


async def test_finnish_urgent_shortcut() -> None:
    code, out = await session("s\ns\n8\nd\ns\n", "--lang", "fi")
    assert code == 0
    after = out[out.index("> 8\n") :]
    assert after.index("soita hätänumeroon 112") < after.index("Kysymys 3, kysymyksiä enintään 6")
    assert "[answers] municipality=- child_ages=- expecting=no needs=crisis-urgent" in out


async def test_unknown_dialog(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = await session("", "--dialog", "nope")
    assert code == 2
    assert out == ""
    assert capsys.readouterr().err == "valo-bot try: no dialog 'nope' (there are: guide, needs)\n"


async def test_broken_tree_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    dialogs = tmp_path / "dialogs"
    dialogs.mkdir()
    (dialogs / "needs.yaml").write_text("id: needs\nversion: 1\nstart: x\nnodes: {}\n")
    code, out = await session("", "--dialogs", str(dialogs))
    assert code == 1
    assert out == ""
    assert capsys.readouterr().err.splitlines() == [
        "dialogs/needs.yaml:4: nodes: a tree needs at least one node",
        "valo-bot try: fix these first (valo-bot check lists them too)",
    ]


def test_the_command_runs_as_a_process_and_reads_a_script() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot.flow.cli", "--lang", "ar"],
        input="s\n1\nd\n",
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "أين تعيش عائلتك؟" in result.stdout
    assert "كم عمر أطفالك؟" in result.stdout
    assert "  1. ✓ 🤰 ننتظر مولودًا" in result.stdout
    assert "ما الذي قد يجعل الحياة اليومية أسهل الآن؟" in result.stdout
    assert result.stderr == ""
