"""The dialog engine: answers, routing, back/skip/restart, stale buttons, rendering, and random
walks through every shipped tree in every locale (hypothesis)."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field, replace
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.catalog.matching import Answers
from bot.config import SUPPORTED_LOCALES
from bot.flow.keyboard import (
    BROWSE_CALLBACK,
    EVENTS_NEAR_CALLBACK,
    MENU_CALLBACK,
    TEXT_LIMIT,
    Button,
    ResultCard,
    ResultPage,
    Screen,
    fit,
    render,
    utf16_length,
)
from bot.flow.loader import load_dialogs
from bot.flow.model import (
    BACK,
    CALLBACK_MAX_BYTES,
    CONTINUE,
    DONE,
    MORE,
    PAGE_NEXT,
    PAGE_PREV,
    RESERVED_CHOICES,
    RESTART,
    SKIP,
    Press,
    Tree,
    default_municipalities,
    parse_callback,
)
from bot.flow.runner import DialogState, FlowEvent, Progress, Runner, Step, Transition
from bot.handlers.dialog_messages import inline_markup, keyboard_from_markup, keyboard_json
from bot.i18n import I18n, Translator
from tests.conftest import REPO

HELSINKI = ZoneInfo("Europe/Helsinki")
TREES = load_dialogs(REPO / "dialogs", REPO / "locales")
I18N = I18n.load(REPO / "locales", HELSINKI, strict=True)
MUNICIPALITIES = default_municipalities()
NEEDS = TREES["needs"]


@dataclass
class Recorder:
    events: list[FlowEvent] = field(default_factory=list)

    def record(self, event: FlowEvent) -> None:
        self.events.append(event)

    def kinds(self) -> list[str]:
        return [e.kind for e in self.events]

    def steps(self) -> list[str]:
        """Event kinds without the "asked" of every question shown."""
        return [e.kind for e in self.events if e.kind != "asked"]


class Walk:
    """A family going through a tree, pressing buttons by choice id."""

    def __init__(self, tree: Tree = NEEDS, seed: int = 7) -> None:
        self.observer = Recorder()
        self.runner = Runner(tree, MUNICIPALITIES, self.observer, random.Random(seed))
        self.now: Transition = self.runner.start()

    @property
    def step(self) -> Step:
        return self.now.step

    @property
    def state(self) -> DialogState:
        return self.now.state

    def press(self, *choices: str) -> Transition:
        for choice in choices:
            self.now = self.runner.press(self.state, self.step.press(choice))
        return self.now


def fake_results(step: Step) -> ResultPage:
    """Two pages of plain cards, as a ResultSource would give them."""
    cards = tuple(ResultCard(f"Service {step.page}-{i}") for i in range(5 if step.page == 0 else 2))
    return ResultPage(cards, 7, has_more=step.page == 0)


# ---------------------------------------------------------------- answers and routing


def test_a_full_walk_collects_the_answers() -> None:
    walk = Walk()
    assert (walk.step.node, walk.step.progress) == ("where", Progress(1, 6, exact=False))
    walk.press("075", "expecting", "1-2", DONE, "talk", "families", DONE)
    assert (walk.step.node, walk.step.progress) == ("languages", Progress(4, 4, exact=True))
    walk.press("ar", "fi", DONE)
    assert walk.step.terminal
    assert walk.step.kind == "result"
    assert walk.step.answers == Answers(
        municipality="075",
        child_ages=(1, 2),
        expecting=True,
        needs=("parenting-support", "peer-support"),
        languages=("fi", "ar"),  # stored in the tree's order
    )


def test_follow_ups_only_when_they_change_the_result() -> None:
    walk = Walk()
    walk.press(SKIP, SKIP, "home", "money", DONE)
    assert walk.step.node == "home"
    walk.press("baby", DONE)
    assert walk.step.node == "free"
    assert walk.step.progress == Progress(5, 6, exact=True)
    walk.press("yes", SKIP)
    assert walk.step.answers == Answers(
        needs=("money-benefits", "home-help", "pregnancy-baby"), free_only=True
    )


def test_skipping_everything_reaches_results_with_no_facts() -> None:
    walk = Walk()
    walk.press(SKIP, SKIP, SKIP, SKIP)
    assert walk.step.kind == "result"
    assert walk.step.answers == Answers()
    assert [e.kind for e in walk.observer.events].count("skipped") == 4


def test_done_with_nothing_chosen_counts_as_skipped() -> None:
    walk = Walk()
    walk.press(SKIP, DONE)
    assert walk.step.node == "help"
    assert walk.state.path[-1].choices is None


def test_toggling_twice_unselects() -> None:
    walk = Walk()
    walk.press(SKIP, "3-5", "6-12", "3-5")
    assert [c.id for c in walk.step.choices if c.selected] == ["6-12"]
    walk.press(DONE)
    assert walk.runner.answers(walk.state).child_ages == tuple(range(6, 13))


def test_urgent_shows_the_helplines_at_once_and_the_family_goes_on() -> None:
    walk = Walk()
    walk.press(SKIP, SKIP, "urgent")
    assert walk.step.alerts == ("help-now",)
    assert walk.step.node == "help"  # still on the question: they may choose more
    screen = render(walk.step, I18N["fi"])
    assert "112" in screen.messages[0].text
    assert screen.messages[0].keyboard == ()
    assert "Mikä helpottaisi" in screen.messages[1].text
    off = walk.press("urgent")  # off again: no second alert
    assert off.step.alerts == ()
    on_and_done = walk.press("urgent", DONE)
    assert on_and_done.step.node == "languages"
    assert on_and_done.step.alerts == ()
    assert walk.runner.answers(walk.state).needs == ("crisis-urgent",)


def test_the_inline_markup_mirrors_the_keyboard_in_its_language() -> None:
    walk = Walk()
    english = render(walk.step, I18N["en"]).messages[0].keyboard
    markup = inline_markup(english)
    assert markup is not None
    assert [[(b.text, b.callback_data) for b in row] for row in markup.inline_keyboard] == [
        [(b.text, b.callback_data) for b in row] for row in english
    ]
    assert keyboard_json(english) == markup.model_dump(exclude_none=True)  # what the edit sends
    finnish = inline_markup(render(walk.step, I18N["fi"]).messages[0].keyboard)
    assert finnish is not None
    assert finnish.inline_keyboard[-1][0].text != markup.inline_keyboard[-1][0].text
    link = ((Button("Kotka", url="https://www.kotka.fi/"),),)
    assert keyboard_json(link) == {
        "inline_keyboard": [[{"text": "Kotka", "url": "https://www.kotka.fi/"}]]
    }
    assert keyboard_from_markup(inline_markup(link)) == link
    assert inline_markup(()) is None
    assert keyboard_json(()) is None


def test_municipality_pages() -> None:
    walk = Walk()
    assert (walk.step.page, walk.step.pages) == (0, 2)
    assert [c.id for c in walk.step.choices] == list(MUNICIPALITIES[:8])
    walk.press(PAGE_NEXT)
    assert [c.id for c in walk.step.choices] == list(MUNICIPALITIES[8:])
    walk.press(PAGE_NEXT)  # already the last page: stays
    assert walk.step.page == 1
    walk.press(PAGE_PREV)
    assert walk.step.page == 0
    walk.press(PAGE_NEXT, "580")  # Parikkala, from the second page
    assert walk.runner.answers(walk.state).municipality == "580"


def test_runner_needs_municipalities_for_a_picker() -> None:
    with pytest.raises(ValueError, match="municipality picker"):
        Runner(NEEDS, ())


# ---------------------------------------------------------------- back, restart, stale


def test_back_returns_with_the_earlier_choices_still_ticked() -> None:
    walk = Walk()
    walk.press("285", "3-5", "6-12", DONE)
    walk.press(BACK)
    assert walk.step.node == "ages"
    assert [c.id for c in walk.step.choices if c.selected] == ["3-5", "6-12"]
    walk.press(BACK)
    assert walk.step.node == "where"
    assert not walk.step.can_back
    walk.press(BACK)  # nothing before the first question: stays
    assert walk.step.node == "where"
    assert walk.runner.answers(walk.state) == Answers()


def test_back_to_the_picker_opens_the_page_of_the_chosen_municipality() -> None:
    walk = Walk()
    walk.press(PAGE_NEXT, "700", BACK)
    assert walk.step.page == 1


def test_restart_from_the_middle_counts_as_abandoned() -> None:
    walk = Walk()
    walk.press("285", SKIP, RESTART)
    assert walk.step.node == "where"
    assert walk.state.path == ()
    assert walk.observer.steps() == ["started", "answered", "skipped", "abandoned", "started"]
    assert walk.observer.kinds()[:4] == ["started", "asked", "answered", "asked"]
    first, second = walk.observer.events[0].session, walk.observer.events[-1].session
    assert {e.session for e in walk.observer.events[:-2]} == {first}
    assert walk.observer.events[-3].kind == "abandoned"
    assert walk.observer.events[-3].session == first
    assert len(first) == len(second) == 16
    assert first != second


def test_a_button_from_an_older_message_shows_the_current_question() -> None:
    walk = Walk()
    old = walk.step
    walk.press("285")
    before = walk.state
    stale = walk.runner.press(walk.state, old.press(SKIP))
    assert stale.stale
    assert stale.state == before
    assert stale.step.node == "ages"
    assert stale.step.notice == "flow-stale"
    assert render(stale.step, I18N["en"]).notice == (
        "That button was from an earlier question. Here is where we are now."
    )


def test_a_double_tap_on_a_toggle_acts_once() -> None:
    walk = Walk()
    walk.press(SKIP, SKIP)
    first = walk.step.press("talk")
    walk.now = walk.runner.press(walk.state, first)
    again = walk.runner.press(walk.state, first)
    assert again.stale
    assert [c.id for c in again.step.choices if c.selected] == ["talk"]


def test_a_button_of_a_tree_version_that_is_gone_starts_again_kindly() -> None:
    walk = Walk()
    walk.press("285", SKIP)
    newer = Runner(replace(NEEDS, version=NEEDS.version + 1), MUNICIPALITIES, walk.observer)
    moved = newer.press(walk.state, walk.step.press("talk"))
    assert moved.stale
    assert (moved.step.node, moved.step.notice) == ("where", "flow-updated")
    assert moved.state.version == NEEDS.version + 1
    abandoned = walk.observer.events[-3]
    assert (abandoned.kind, abandoned.version, abandoned.node) == (
        "abandoned",
        NEEDS.version,
        "help",
    )
    assert abandoned.session == walk.observer.events[0].session


def test_a_press_with_no_dialog_in_progress_starts_one() -> None:
    runner = Runner(NEEDS, MUNICIPALITIES)
    moved = runner.press(None, Press("needs", "help", "talk", "abc123"))
    assert moved.stale
    assert moved.step.node == "where"


def test_a_choice_the_node_does_not_have_is_stale() -> None:
    walk = Walk()
    moved = walk.runner.press(walk.state, walk.step.press("talk"))
    assert moved.stale
    assert moved.state == walk.state


def test_results_more_and_the_events_carry_ids_only() -> None:
    walk = Walk()
    walk.press("285", SKIP, SKIP, SKIP)
    assert walk.step.page == 0
    walk.press(MORE)
    assert walk.step.page == 1
    assert walk.observer.kinds()[-3:] == ["finished", "results_shown", "results_shown"]
    last = walk.observer.events[-1]
    assert (last.kind, last.tree, last.version, last.node, last.page) == (
        "results_shown",
        "needs",
        1,
        "results",
        1,
    )
    assert last.facts is not None
    assert last.facts.municipality == "285"
    for event in walk.observer.events:
        assert set(event.choices) <= {c.id for n in NEEDS.nodes.values() for c in n.choices} | set(
            MUNICIPALITIES
        )


def test_the_session_id_lives_in_the_state_until_the_dialog_ends() -> None:
    walk = Walk()
    session = walk.state.session
    assert len(session) == 16
    walk.press("285", "3-5", DONE)
    assert walk.state.session == session
    assert session in json.dumps(walk.state.to_data())
    walk.press("talk", DONE, SKIP, SKIP)
    assert walk.step.kind == "result"
    # The end of the dialog is reported with the session, then the state forgets it.
    finished = [e for e in walk.observer.events if e.kind in ("finished", "results_shown")]
    assert [e.session for e in finished] == [session, session]
    assert walk.state.session == ""
    assert session not in json.dumps(walk.state.to_data())
    walk.press(MORE)
    assert walk.observer.events[-1].session == ""


def test_every_question_shown_is_reported_as_asked_and_answers_carry_their_facts() -> None:
    walk = Walk()
    walk.press("285", "3-5", DONE, "talk", "finnish", DONE)
    asked = [e.node for e in walk.observer.events if e.kind == "asked"]
    assert asked == ["where", "ages", "help", "languages"]
    answered = {e.node: e for e in walk.observer.events if e.kind == "answered"}
    assert answered["where"].facts is not None
    assert answered["where"].facts.municipality == "285"
    help_facts = answered["help"].facts
    assert help_facts is not None
    assert set(help_facts.needs) == {"parenting-support", "integration-language"}
    assert answered["help"].choices == ("talk", "finnish")


def test_an_observer_that_fails_does_not_break_the_dialog() -> None:
    class Broken:
        def record(self, event: FlowEvent) -> None:
            raise RuntimeError("indicator store down")

    runner = Runner(NEEDS, MUNICIPALITIES, Broken())
    assert runner.start().step.node == "where"


def test_state_survives_json_and_garbage_is_refused() -> None:
    walk = Walk()
    walk.press("285", "3-5", DONE, "talk")
    data = json.loads(json.dumps(walk.state.to_data()))
    assert DialogState.from_data(data) == walk.state
    for broken in (None, {}, {"tree": "needs"}, {**data, "path": [["x"]]}, {**data, "page": "a"}):
        assert DialogState.from_data(broken) is None


def test_an_unfinished_dialog_is_current_after_a_restart_of_the_bot() -> None:
    walk = Walk()
    walk.press("285", "3-5", DONE)
    stored = DialogState.from_data(json.loads(json.dumps(walk.state.to_data())))
    assert stored is not None
    fresh = Runner(NEEDS, MUNICIPALITIES)  # a new process
    assert fresh.is_current(stored)
    assert fresh.current(stored).node == "help"
    assert fresh.press(stored, walk.step.press("talk")).stale is False


# ---------------------------------------------------------------- rendering


def test_callback_data_round_trip() -> None:
    press = Press("needs", "where", "075", "a1b2c3")
    assert press.pack() == "needs:where:075:a1b2c3"
    assert parse_callback(press.pack()) == press
    for other in ("m:menu", "lang:fi", "needs:where:075", "needs:Where:075:a1b2c3", "x" * 70):
        assert parse_callback(other) is None


def test_first_question_goes_back_to_the_menu_later_ones_to_the_previous_question() -> None:
    walk = Walk()
    first = render(walk.step, I18N["en"]).messages[0]
    assert first.keyboard[-1][0].callback_data == MENU_CALLBACK
    walk.press(SKIP)
    later = render(walk.step, I18N["en"]).messages[0]
    assert parse_callback(later.keyboard[-1][0].callback_data or "") == walk.step.press(BACK)
    assert later.text.startswith("Question 2 of at most 6\n\nHow old are your children?")
    assert later.text.endswith("Choose all that fit, then press “Done”.")


def test_result_screen_offers_more_browse_and_start_over() -> None:
    walk = Walk()
    walk.press(SKIP, SKIP, SKIP, SKIP)
    screen = render(walk.step, I18N["en"], fake_results(walk.step))
    texts = [m.text for m in screen.messages]
    assert texts[0] == (
        "I found 7 services that could help your family. The best matches come first."
    )
    assert texts[1:6] == [f"Service 0-{i}" for i in range(5)]
    assert all(m.html for m in screen.messages[1:6])
    controls = [b.callback_data for row in screen.messages[-1].keyboard for b in row]
    assert controls == [
        walk.step.press(MORE).pack(),
        EVENTS_NEAR_CALLBACK.format(place=walk.step.answers.municipality or "all"),
        BROWSE_CALLBACK,
        walk.step.press(RESTART).pack(),
    ]
    walk.press(MORE)
    last = render(walk.step, I18N["en"], fake_results(walk.step))
    assert last.messages[0].text == "Service 1-0"  # no second heading
    assert [b.text for row in last.messages[-1].keyboard for b in row] == [
        "🎨 Events near me",
        "📚 Browse all services",
        "🔄 Start over",
    ]


@pytest.mark.parametrize(
    ("count", "expected"),
    [
        (0, "لم أجد"),
        (1, "خدمة واحدة"),
        (2, "خدمتين"),
        (3, "3 خدمات"),
        (11, "11 خدمةً"),
        (100, "100 خدمة"),
    ],
)
def test_arabic_result_count_plurals(count: int, expected: str) -> None:
    walk = Walk()
    walk.press(SKIP, SKIP, SKIP, SKIP)
    screen = render(walk.step, I18N["ar"], ResultPage((), count, False))
    assert expected in screen.messages[0].text


@pytest.mark.parametrize(
    ("total", "expected"),
    [(2, "السؤال 1 من سؤالين"), (5, "السؤال 1 من 5 أسئلة"), (12, "السؤال 1 من 12 سؤالًا")],
)
def test_arabic_progress_plurals(total: int, expected: str) -> None:
    assert I18N["ar"]("flow-progress", current=1, total=total) == expected


def test_a_municipality_without_a_name_falls_back_to_its_finnish_name() -> None:
    runner = Runner(NEEDS, ("091", "285"))
    screen = render(runner.start().step, I18N["ar"])
    labels = [b.text for b in screen.messages[0].keyboard[0]]
    assert labels == ["Helsinki", "كوتكا"]


def test_fit_cuts_at_telegrams_limit_counting_utf16() -> None:
    long = "🙂" * 3000  # 6000 UTF-16 units
    cut = fit(long)
    assert utf16_length(cut) <= TEXT_LIMIT
    assert cut.endswith("…")
    assert fit("short") == "short"


# ---------------------------------------------------------------- random walks


def _first_letter(line: str) -> str | None:
    return next((ch for ch in line if ch.isalnum()), None)


def _check_screen(screen: Screen, t: Translator) -> list[Press]:
    """Telegram's limits hold; Arabic lines start with an Arabic word; returns the presses."""
    presses = []
    for message in screen.messages:
        assert 0 < utf16_length(message.text) <= TEXT_LIMIT
        if t.rtl and not message.html:
            for line in message.text.splitlines():
                first = _first_letter(line)
                assert first is None or "\u0600" <= first <= "\u06ff", line
        for row in message.keyboard:
            for button in row:
                assert button.text
                data = button.callback_data or ""
                assert 0 < len(data.encode()) <= CALLBACK_MAX_BYTES
                press = parse_callback(data)
                if press is not None:
                    presses.append(press)
                else:
                    assert data in (MENU_CALLBACK, BROWSE_CALLBACK) or data.startswith("ev:near:")
    if screen.notice is not None:
        assert len(screen.notice) <= 200  # answerCallbackQuery's limit
    return presses


def _show(step: Step, t: Translator, stale: bool) -> list[Press]:
    results = fake_results(step) if step.kind == "result" else None
    return _check_screen(render(step, t, results, again=stale), t)


FORWARD = frozenset({SKIP, DONE, CONTINUE})
WANDER = (BACK, RESTART, PAGE_PREV, PAGE_NEXT, MORE, SKIP, DONE, CONTINUE)


@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
@pytest.mark.parametrize("tree_id", sorted(TREES))
def test_random_walks_end_well_in_every_locale(
    tree_id: str, locale: str, data: st.DataObject
) -> None:
    tree = TREES[tree_id]
    t = I18N[locale]  # type: ignore[index]
    runner = Runner(tree, MUNICIPALITIES, rng=random.Random(data.draw(st.integers(0, 2**32))))
    now = runner.start()
    presses = _show(now.step, t, now.stale)
    seen: list[Press] = list(presses)

    def apply(press: Press) -> None:
        nonlocal now, presses
        before = now.state
        now = runner.press(before, press)
        if press.token != before.token:
            assert now.stale
            assert now.state == before
        assert runner.is_current(now.state)
        assert DialogState.from_data(json.loads(json.dumps(now.state.to_data()))) == now.state
        presses = _show(now.step, t, now.stale)
        seen.extend(presses)

    # Wander: any button on screen, an engine button that may not be there, or an old one.
    for _ in range(data.draw(st.integers(0, 25), label="wander")):
        how = data.draw(st.sampled_from(["shown", "shown", "engine", "old"]))
        if how == "shown" and presses:
            apply(data.draw(st.sampled_from(presses)))
        elif how == "engine":
            apply(now.step.press(data.draw(st.sampled_from(WANDER))))
        else:
            apply(data.draw(st.sampled_from(seen)))

    # Then go forward only: every walk must end within one step per node.
    for _ in range(len(tree.nodes)):
        if now.step.terminal:
            break
        step = now.step
        answers = [p for p in presses if p.choice not in RESERVED_CHOICES]
        if step.kind == "multi":
            for press in data.draw(st.lists(st.sampled_from(answers), max_size=3, unique=True)):
                apply(press)
            if not step.skippable and not any(c.selected for c in now.step.choices):
                apply(now.step.press(answers[0].choice))
            apply(now.step.press(DONE))
        else:
            forward = answers + [p for p in presses if p.choice in FORWARD]
            apply(data.draw(st.sampled_from(forward)))
    assert now.step.terminal, f"{tree_id}: no end after {len(tree.nodes)} steps"
    if now.step.kind == "result":
        assert now.step.answers is not None


def test_every_tree_is_walked() -> None:
    assert sorted(TREES) == sorted(p.stem for p in Path(REPO / "dialogs").glob("*.yaml"))
