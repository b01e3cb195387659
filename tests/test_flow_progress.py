"""Progress never misleads: every path through every shipped tree, every locale's wording.

The walk answers each question every way that can change where the dialog goes (skip, each
choice alone, every pair of choices, all of them; every municipality of the picker), goes
back from every question and forward again, and checks what "Question N of M" promised
against what the family was then really asked.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.config import SUPPORTED_LOCALES
from bot.flow import runner as runner_module
from bot.flow.keyboard import render
from bot.flow.loader import load_dialogs
from bot.flow.model import (
    BACK,
    CONTINUE,
    DONE,
    SKIP,
    Context,
    Tree,
    default_municipalities,
    leaf_conditions,
)
from bot.flow.runner import Progress, Runner, Transition
from bot.i18n import I18n
from tests.conftest import REPO
from tests.test_flow_loader import BASE

TREES = load_dialogs(REPO / "dialogs", REPO / "locales")
I18N = I18n.load(REPO / "locales", ZoneInfo("Europe/Helsinki"), strict=True)
MUNICIPALITIES = default_municipalities()


def answers(tree: Tree, node_id: str) -> Iterator[tuple[str, ...] | None]:
    """Every way to answer a node that the walk tries (None: skip)."""
    node = tree.node(node_id)
    if node.skippable:
        yield None
    if node.kind == "municipality":
        yield from ((code,) for code in MUNICIPALITIES)
        return
    ids = [c.id for c in node.choices]
    if node.kind != "multi":
        yield from ((choice,) for choice in ids)
        return
    yield from ((choice,) for choice in ids)
    yield from itertools.combinations(ids, 2)
    if len(ids) > 2:
        yield tuple(ids)


def answer(runner: Runner, now: Transition, chosen: tuple[str, ...] | None) -> Transition:
    if chosen is None:
        return runner.press(now.state, now.step.press(SKIP))
    multi = now.step.kind == "multi"
    for choice in chosen:
        now = runner.press(now.state, now.step.press(choice))
    if multi:
        now = runner.press(now.state, now.step.press(DONE))
    return now


@dataclass
class Walked:
    paths: int  # every answer sequence tried, back presses aside
    routes: set[tuple[str, ...]]  # the distinct sequences of questions asked


def walk(tree: Tree) -> Walked:
    """Depth-first over every answer at every question; checks each finished path.

    Two walks that asked the same questions in the same order and on which every condition of
    the tree holds alike go on exactly alike (conditions only see the answers through those
    values, and progress only through the questions asked), so each such pair of walks is
    followed once and counted as often as it occurs.
    """
    runner = Runner(tree, MUNICIPALITIES, rng=random.Random(1))
    conditions = leaf_conditions(tree)
    routes: set[tuple[str, ...]] = set()
    seen: dict[tuple[object, ...], int] = {}

    def go(now: Transition, shown: list[tuple[str, Progress]]) -> int:
        step = now.step
        if step.terminal:
            check_path(tree, shown)
            routes.add(tuple(node for node, _ in shown))
            return 1
        latest = {e.node: e.choices for e in now.state.path}
        context = Context(runner.answers(now.state), latest)
        key = (
            step.node,
            tuple(node for node, _ in shown),
            tuple(c.holds(context) for c in conditions),
        )
        if key in seen:
            return seen[key]
        if step.kind == "message":
            seen[key] = go(runner.press(now.state, now.step.press(CONTINUE)), shown)
            return seen[key]
        assert step.progress is not None, f"{tree.id}:{step.node}: a question without progress"
        here = [*shown, (step.node, step.progress)]
        paths = 0
        for chosen in answers(tree, step.node):
            after = answer(runner, now, chosen)
            assert not after.stale
            if not after.step.terminal:
                # Back shows this question exactly as it was, progress included.
                back = runner.press(after.state, after.step.press(BACK))
                assert (back.step.node, back.step.progress) == (step.node, step.progress)
            paths += go(after, here)
        seen[key] = paths
        return paths

    return Walked(go(runner.start(), []), routes)


def check_path(tree: Tree, shown: list[tuple[str, Progress]]) -> None:
    asked = len(shown)
    where = f"{tree.id}: {' > '.join(node for node, _ in shown)}"
    for index, (node, progress) in enumerate(shown):
        assert progress.current == index + 1, f"{where}: {node} is question {progress.current}"
        if progress.total is not None:
            assert progress.current <= progress.total, f"{where}: {node} reads {progress}"
            # "at most" is never broken, "of M" is exact.
            assert asked <= progress.total, f"{where}: {node} promised at most {progress.total}"
            if progress.exact:
                assert asked == progress.total, f"{where}: {node} promised {progress.total}"
        if index:
            before = shown[index - 1][1]
            if before.total is not None:
                # A total never grows; an exact one never changes.
                assert progress.total is not None, where
                assert progress.total <= before.total, where
                if before.exact:
                    assert (progress.total, progress.exact) == (before.total, True), where
        assert progress.last == (index == asked - 1), f"{where}: {node} last={progress.last}"


@pytest.mark.parametrize("tree_id", sorted(TREES))
def test_every_path_shows_honest_progress(tree_id: str) -> None:
    walked = walk(TREES[tree_id])
    assert walked.paths > 0
    if tree_id == "needs":
        # Every route of the needs tree: with or without "home" and "free" after "help".
        assert walked.routes == {
            ("where", "ages", "help", "languages"),
            ("where", "ages", "help", "home", "languages"),
            ("where", "ages", "help", "free", "languages"),
            ("where", "ages", "help", "home", "free", "languages"),
        }


@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
def test_the_shortest_path_of_the_needs_tree_reads_well(locale: str) -> None:
    """The reported case: "Question 3 of 6" then "Question 4 of 4". Now the total is "at
    most" until it is certain, and the last question says that it is the last."""
    t = I18N[locale]
    runner = Runner(TREES["needs"], MUNICIPALITIES, rng=random.Random(1))
    now = runner.start()
    texts = []
    for chosen in [None, None, ("talk",), None]:
        texts.append(render(now.step, t).messages[0].text.split("\n")[0])
        now = answer(runner, now, chosen)
    assert now.step.terminal
    expected = {
        "en": [
            "Question 1 of at most 6",
            "Question 2 of at most 6",
            "Question 3 of at most 6",
            "Last question (4 of 4)",
        ],
        "fi": [
            "Kysymys 1, kysymyksiä enintään 6",
            "Kysymys 2, kysymyksiä enintään 6",
            "Kysymys 3, kysymyksiä enintään 6",
            "Viimeinen kysymys (4/4)",
        ],
        "ar": [
            "السؤال 1، وعدد الأسئلة 6 على الأكثر",
            "السؤال 2، وعدد الأسئلة 6 على الأكثر",
            "السؤال 3، وعدد الأسئلة 6 على الأكثر",
            "السؤال الأخير (4 من 4)",
        ],
    }
    assert texts == expected[locale]


def test_a_loop_ahead_shows_only_the_question_number(tmp_path: Path) -> None:
    """Where a family can go round a loop, no total can be promised: just "Question N"."""
    directory = tmp_path / "dialogs"
    directory.mkdir()
    looping = BASE.replace(
        "    skippable: true\n    next: done", "    skippable: true\n    next: ask"
    )
    (directory / "demo.yaml").write_text(looping, encoding="utf-8")
    runner = Runner(load_dialogs(directory, REPO / "locales")["demo"], MUNICIPALITIES)
    now = runner.start()
    assert now.step.progress == Progress(1, None, exact=False)
    assert render(now.step, I18N["en"]).messages[0].text.startswith("Question 1\n\n")
    now = answer(runner, now, None)  # skip "ask": on to "where", which leads back to "ask"
    assert render(now.step, I18N["fi"]).messages[0].text.startswith("Kysymys 2\n\n")


@pytest.mark.parametrize(
    ("helps", "shown"),
    [
        (("talk",), [("languages", 4, 4)]),
        (("home",), [("home", 4, 5), ("languages", 5, 5)]),
        (("money",), [("free", 4, 5), ("languages", 5, 5)]),
        (("home", "money"), [("home", 4, 6), ("free", 5, 6), ("languages", 6, 6)]),
    ],
)
def test_once_the_answers_decide_the_way_ahead_the_total_is_exact(
    helps: tuple[str, ...], shown: list[tuple[str, int, int]]
) -> None:
    """ "Help at home" without "money": the free-services question will not come, so the
    next question already knows the total (the tree alone would only say "at most 6")."""
    runner = Runner(TREES["needs"], MUNICIPALITIES, rng=random.Random(1))
    now = runner.start()
    for chosen in [("285",), ("1-2",), helps]:
        assert now.step.progress is not None
        assert not now.step.progress.exact
        assert now.step.progress.total == 6
        now = answer(runner, now, chosen)
    after_help = []
    while not now.step.terminal:
        progress = now.step.progress
        assert progress is not None
        assert progress.exact
        after_help.append((now.step.node, progress.current, progress.total))
        now = answer(runner, now, None)
    assert after_help == shown


def test_too_many_kinds_of_answer_fall_back_to_the_trees_bound(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A question with more kinds of answer than the runner follows gets the tree's plain
    bound (still honest, only less precise): every path still holds to what it shows."""
    monkeypatch.setattr(runner_module, "MAX_ANSWER_KINDS", 1)
    walked = walk(TREES["needs"])
    assert len(walked.routes) == 4
    runner = Runner(TREES["needs"], MUNICIPALITIES, rng=random.Random(1))
    now = runner.start()
    for chosen in [("285",), ("1-2",)]:
        now = answer(runner, now, chosen)
    # "help" has three kinds of answer (home, money, the rest): too many, so it is not
    # followed and the tree's bound is shown.
    assert runner._answer_kinds(TREES["needs"].node("help")) is None
    assert now.step.progress == Progress(3, 6, exact=False)
