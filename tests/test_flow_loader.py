"""Dialog-tree validation: one broken example per kind of mistake, with the exact message."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.data_errors import DataFileError
from bot.flow.loader import LocaleMessages, load_dialogs, validate_dialogs
from bot.flow.model import CALLBACK_MAX_BYTES, Ahead, Press, Tree
from bot.i18n import message_variables
from tests.conftest import REPO

LOCALES = REPO / "locales"
MESSAGES = message_variables(LOCALES)  # parsed once: most examples use the shipped locales

# A small valid tree using the shipped Fluent ids. Line numbers in the tests refer to it:
BASE = """\
id: demo
version: 1
start: ask
nodes:
  ask:
    kind: multi
    text: needs-help
    skippable: true
    choices:
      - id: money
        label: needs-help-money
        sets: {needs: [money-benefits]}
      - id: home
        label: needs-help-home
        sets: {needs: [home-help]}
    next:
      - when: {has_need: home-help}
        goto: home
      - goto: where
  home:
    kind: single
    text: needs-home
    choices:
      - id: baby
        label: needs-home-baby
        next: done
      - id: other
        label: needs-home-illness
        next: done
  where:
    kind: municipality
    text: needs-where
    skippable: true
    next: done
  done:
    kind: result
    text: needs-results
"""


def check(
    tmp_path: Path, text: str, locales: Path | LocaleMessages = MESSAGES, **kwargs: object
) -> list[str]:
    directory = tmp_path / "dialogs"
    directory.mkdir(exist_ok=True)
    (directory / "demo.yaml").write_text(text, encoding="utf-8")
    return [str(e) for e in validate_dialogs(directory, locales, **kwargs)]  # type: ignore[arg-type]


def changed(old: str, new: str) -> str:
    assert BASE.count(old) == 1, old
    return BASE.replace(old, new)


def test_shipped_dialogs_are_valid() -> None:
    assert validate_dialogs(REPO / "dialogs", LOCALES, required=("needs",)) == []


def test_base_example_is_valid(tmp_path: Path) -> None:
    assert check(tmp_path, BASE) == []


def test_load_refuses_a_broken_tree_with_every_error(tmp_path: Path) -> None:
    directory = tmp_path / "dialogs"
    directory.mkdir()
    text = changed("      - goto: where", "      - goto: wher").replace("version: 1", "version: x")
    (directory / "demo.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(DataFileError) as info:
        load_dialogs(directory, MESSAGES)
    assert [str(e) for e in info.value.errors] == [
        "dialogs/demo.yaml:2: version: must be a whole number from 1 to 1000000000, not 'x'",
        "dialogs/demo.yaml:19: nodes.ask.next[1].goto: routes to unknown node 'wher' "
        "(did you mean 'where'?)",
    ]


# ---------------------------------------------------------------- routing and graph


def test_unknown_target(tmp_path: Path) -> None:
    text = changed("    skippable: true\n    next: done", "    skippable: true\n    next: benefit")
    assert check(tmp_path, text) == [
        "dialogs/demo.yaml:34: nodes.where.next: routes to unknown node 'benefit'"
    ]


def test_unknown_target_of_a_choice(tmp_path: Path) -> None:
    text = changed(
        "        label: needs-home-baby\n        next: done",
        "        label: needs-home-baby\n        next: dne",
    )
    assert check(tmp_path, text) == [
        "dialogs/demo.yaml:26: nodes.home.choices[0].next: routes to unknown node 'dne' "
        "(did you mean 'done'?)"
    ]


def test_unknown_start(tmp_path: Path) -> None:
    assert check(tmp_path, changed("start: ask", "start: first")) == [
        "dialogs/demo.yaml:3: start: unknown node 'first'"
    ]


def test_unreachable_node(tmp_path: Path) -> None:
    text = changed("      - goto: where", "      - goto: done")
    assert check(tmp_path, text) == [
        "dialogs/demo.yaml:31: nodes.where: unreachable: no route from 'ask' leads here"
    ]


def test_loop_without_a_way_out(tmp_path: Path) -> None:
    text = BASE.replace("        next: done", "        next: home")
    assert check(tmp_path, text) == [
        "dialogs/demo.yaml:21: nodes.home: no way out: every route from here loops back "
        "without reaching a result or message node"
    ]


def test_loop_with_a_way_out_is_fine(tmp_path: Path) -> None:
    text = changed(
        "        label: needs-home-baby\n        next: done",
        "        label: needs-home-baby\n        next: ask",
    )
    assert check(tmp_path, text) == []


def test_route_list_needs_a_default(tmp_path: Path) -> None:
    text = changed(
        "      - goto: where", "      - when: {has_need: money-benefits}\n        goto: where"
    )
    assert check(tmp_path, text) == [
        "dialogs/demo.yaml:19: nodes.ask.next[1].when: the last route is the default: leave out "
        "'when' so the dialog always has somewhere to go"
    ]


def test_only_the_last_route_may_have_no_condition(tmp_path: Path) -> None:
    text = changed("      - when: {has_need: home-help}\n        goto: home", "      - goto: home")
    assert check(tmp_path, text) == [
        "dialogs/demo.yaml:17: nodes.ask.next[0]: only the last route may leave out 'when'"
    ]


def test_question_without_next(tmp_path: Path) -> None:
    text = changed("    skippable: true\n    next: done\n", "    skippable: true\n")
    assert check(tmp_path, text) == [
        "dialogs/demo.yaml:31: nodes.where: 'next' is missing: which node comes after this "
        "question?"
    ]


def test_skippable_question_whose_choices_route_still_needs_next(tmp_path: Path) -> None:
    text = changed(
        "    kind: single\n    text: needs-home\n",
        "    kind: single\n    text: needs-home\n    skippable: true\n",
    )
    assert check(tmp_path, text) == [
        "dialogs/demo.yaml:21: nodes.home: 'next' is missing: which node comes after this "
        "question? (a skipped question needs it too)"
    ]


# ---------------------------------------------------------------- conditions


def test_unknown_condition(tmp_path: Path) -> None:
    text = changed("{has_need: home-help}", "{has_needs: home-help}")
    assert check(tmp_path, text) == [
        "dialogs/demo.yaml:17: nodes.ask.next[0].when.has_needs: unknown condition 'has_needs' "
        "(did you mean 'has_need'?); use one of has_need, answered, skipped, chose, fact, all, "
        "any, not"
    ]


def test_condition_on_a_choice_that_does_not_exist(tmp_path: Path) -> None:
    text = changed("{has_need: home-help}", "{chose: {ask: house}}")
    assert check(tmp_path, text) == [
        "dialogs/demo.yaml:17: nodes.ask.next[0].when.chose.ask: node 'ask' has no choice "
        "'house' (its choices: money, home)"
    ]


def test_condition_on_a_later_node_is_never_true(tmp_path: Path) -> None:
    text = changed("{has_need: home-help}", "{answered: where}")
    assert check(tmp_path, text) == [
        "dialogs/demo.yaml:17: nodes.ask.next[0].when.answered: node 'where' is never answered "
        "before 'ask', so this is never true"
    ]


def test_condition_on_a_need_no_earlier_question_sets(tmp_path: Path) -> None:
    text = changed("{has_need: home-help}", "{has_need: peer-support}")
    assert check(tmp_path, text) == [
        "dialogs/demo.yaml:17: nodes.ask.next[0].when: no question before 'ask' sets need "
        "'peer-support', so this is never true"
    ]


def test_combined_conditions_and_facts(tmp_path: Path) -> None:
    text = changed(
        "{has_need: home-help}",
        '{all: [{has_need: home-help}, {not: {fact: {municipality: "075"}}}, '
        "{any: [{chose: {ask: home}}, {fact: {child_ages: {min: 0, max: 2}}}]}]}",
    )
    assert check(tmp_path, text) == []


def test_condition_with_two_operators(tmp_path: Path) -> None:
    text = changed("{has_need: home-help}", "{has_need: home-help, answered: ask}")
    assert check(tmp_path, text) == [
        "dialogs/demo.yaml:17: nodes.ask.next[0].when: a condition has exactly one of has_need, "
        "answered, skipped, chose, fact, all, any, not; combine several with all: [...] or "
        "any: [...]"
    ]


# ---------------------------------------------------------------- facts and vocabulary


def test_unknown_fact(tmp_path: Path) -> None:
    text = changed("sets: {needs: [money-benefits]}", "sets: {need: [money-benefits]}")
    assert check(tmp_path, text) == [
        "dialogs/demo.yaml:12: nodes.ask.choices[0].sets.need: unknown fact 'need' (did you "
        "mean 'needs'?); facts are needs, child_ages, expecting, municipality, languages, "
        "free_only"
    ]


def test_unknown_need_tag(tmp_path: Path) -> None:
    text = changed("sets: {needs: [home-help]}", "sets: {needs: [homehelp]}")
    assert check(tmp_path, text) == [
        "dialogs/demo.yaml:15: nodes.ask.choices[1].sets.needs[0]: unknown need tag 'homehelp' "
        "(did you mean 'home-help'?); need tags are listed in bot/catalog/vocab.py (NEED_TAGS)"
    ]


def test_unknown_municipality_and_language(tmp_path: Path) -> None:
    text = changed(
        "sets: {needs: [money-benefits]}", 'sets: {municipality: "999", languages: [fi, xx]}'
    )
    assert check(tmp_path, text) == [
        "dialogs/demo.yaml:12: nodes.ask.choices[0].sets.languages[1]: unknown language 'xx': "
        "use a two-letter ISO 639-1 code",
        "dialogs/demo.yaml:12: nodes.ask.choices[0].sets.municipality: unknown municipality "
        "code '999' (e.g. Kotka is \"285\")",
    ]


def test_codes_stay_strings(tmp_path: Path) -> None:
    # YAML 1.2: 075 is Hamina's code, not the number 75 (nor octal 61).
    text = changed("sets: {needs: [money-benefits]}", "sets: {municipality: 075}")
    assert check(tmp_path, text) == []


def test_age_range(tmp_path: Path) -> None:
    text = changed(
        "sets: {needs: [money-benefits]}", "sets: {child_ages: {min: 6, max: 2}, expecting: yes}"
    )
    assert check(tmp_path, text) == [
        "dialogs/demo.yaml:12: nodes.ask.choices[0].sets.child_ages.min: min 6 must not be "
        "greater than max 2",
        "dialogs/demo.yaml:12: nodes.ask.choices[0].sets.expecting: must be true or false, "
        "not 'yes'",
    ]


# ---------------------------------------------------------------- Fluent ids


def test_text_missing_in_every_locale(tmp_path: Path) -> None:
    text = changed("text: needs-home\n", "text: needs-house\n")
    assert check(tmp_path, text) == [
        "dialogs/demo.yaml:22: nodes.home.text: no Fluent message 'needs-house' in fi/en/ar"
    ]


def test_label_missing_in_one_locale(tmp_path: Path) -> None:
    locales = tmp_path / "locales"
    shutil.copytree(LOCALES, locales)
    for locale in ("fi", "en"):
        (locales / locale / "extra.ftl").write_text("needs-home-pet = 🐕\n", encoding="utf-8")
    text = changed("label: needs-home-illness", "label: needs-home-pet")
    assert check(tmp_path, text, locales) == [
        "dialogs/demo.yaml:28: nodes.home.choices[1].label: no Fluent message 'needs-home-pet' "
        "in ar"
    ]


def test_text_with_a_variable_the_engine_does_not_pass(tmp_path: Path) -> None:
    text = changed("text: needs-home\n", "text: needs-results\n")
    assert check(tmp_path, text) == [
        "dialogs/demo.yaml:22: nodes.home.text: Fluent message 'needs-results' uses $count, but "
        "this text gets no variables"
    ]


def test_engine_message_missing(tmp_path: Path) -> None:
    locales = tmp_path / "locales"
    shutil.copytree(LOCALES, locales)
    needs = locales / "ar" / "needs.ftl"
    needs.write_text(
        needs.read_text(encoding="utf-8").replace("flow-done = ✅ تم\n", ""), encoding="utf-8"
    )
    assert check(tmp_path, BASE, locales) == [
        "locales:0: flow-done: the dialog engine needs this message, missing in ar"
    ]


def test_picker_municipality_without_a_name(tmp_path: Path) -> None:
    assert check(tmp_path, BASE, municipality_codes=["285", "091"]) == [
        "dialogs/demo.yaml:31: nodes.where: the picker offers municipality 091, but "
        "municipality-091 has no name in fi/en/ar"
    ]


def test_same_label_twice(tmp_path: Path) -> None:
    text = changed("label: needs-home-illness", "label: needs-home-baby")
    assert check(tmp_path, text) == [
        "dialogs/demo.yaml:28: nodes.home.choices[1].label: same label as choice 'baby': the "
        "family could not tell them apart"
    ]


# ---------------------------------------------------------------- ids and callback format


def test_tree_id_too_long_for_callback_data(tmp_path: Path) -> None:
    assert check(tmp_path, changed("id: demo", "id: familyneeds")) == [
        "dialogs/demo.yaml:1: id: tree id 'familyneeds' must be 1-8 characters of a-z, 0-9 and - "
        "(it travels in button data)"
    ]


def test_node_id_with_capitals(tmp_path: Path) -> None:
    text = changed("start: ask", "start: Ask").replace("  ask:\n", "  Ask:\n")
    assert check(tmp_path, text) == [
        "dialogs/demo.yaml:6: nodes.Ask: node id 'Ask' must be 1-16 characters of a-z, 0-9 and - "
        "(it travels in button data)"
    ]


def test_choice_id_too_long(tmp_path: Path) -> None:
    text = changed("- id: money", "- id: money-and-benefits")
    assert check(tmp_path, text) == [
        "dialogs/demo.yaml:10: nodes.ask.choices[0].id: choice id 'money-and-benefits' must be "
        "1-16 characters of a-z, 0-9 and - (it travels in button data)"
    ]


def test_reserved_choice_id(tmp_path: Path) -> None:
    text = changed("- id: other", "- id: back")
    assert check(tmp_path, text) == [
        "dialogs/demo.yaml:27: nodes.home.choices[1].id: choice id 'back' is reserved for the "
        "bot's own buttons (back, done, more, next, ok, prev, restart, skip); pick another"
    ]


def test_duplicate_choice_id(tmp_path: Path) -> None:
    text = changed("- id: other", "- id: baby")
    assert check(tmp_path, text) == [
        "dialogs/demo.yaml:27: nodes.home.choices[1].id: duplicate choice id 'baby', first at "
        "line 24"
    ]


def test_duplicate_node_id(tmp_path: Path) -> None:
    text = BASE + "  where:\n    kind: result\n    text: needs-results\n"
    assert check(tmp_path, text) == ["dialogs/demo.yaml:38: nodes.where: duplicate node id"]


def test_duplicate_tree_id(tmp_path: Path) -> None:
    directory = tmp_path / "dialogs"
    directory.mkdir()
    (directory / "other.yaml").write_text(BASE, encoding="utf-8")
    assert check(tmp_path, BASE) == [
        "dialogs/other.yaml:1: id: duplicate tree id 'demo', also in dialogs/demo.yaml"
    ]


def test_longest_possible_callback_fits() -> None:
    press = Press("a" * 8, "b" * 16, "c" * 16, "d" * 6)
    assert len(press.pack().encode()) <= CALLBACK_MAX_BYTES


# ---------------------------------------------------------------- shapes and types


def test_yaml_syntax_error(tmp_path: Path) -> None:
    text = changed("    text: needs-where", "    text: [needs-where")
    found = check(tmp_path, text)
    assert len(found) == 1
    assert found[0].startswith("dialogs/demo.yaml:33: -: YAML syntax: ")


def test_not_a_boolean(tmp_path: Path) -> None:
    # YAML 1.2: "no" is text, so a designer's yes/no is caught rather than guessed.
    text = changed("    skippable: true\n    next: done", "    skippable: no\n    next: done")
    assert check(tmp_path, text) == [
        "dialogs/demo.yaml:33: nodes.where.skippable: must be true or false, not 'no'"
    ]


def test_unknown_key(tmp_path: Path) -> None:
    text = changed("    skippable: true\n    choices:", "    skipable: true\n    choices:")
    assert check(tmp_path, text) == [
        "dialogs/demo.yaml:8: nodes.ask.skipable: unknown key for a multi node (did you mean "
        "'skippable'?); allowed keys: kind, text, skippable, skip_label, choices, next"
    ]


def test_key_that_does_not_belong_to_the_kind(tmp_path: Path) -> None:
    text = changed("    kind: result\n", "    kind: result\n    skippable: true\n")
    assert check(tmp_path, text) == [
        "dialogs/demo.yaml:37: nodes.done.skippable: unknown key for a result node; allowed "
        "keys: kind, text"
    ]


def test_unknown_kind(tmp_path: Path) -> None:
    text = changed("    kind: single", "    kind: singel")
    assert check(tmp_path, text) == [
        "dialogs/demo.yaml:21: nodes.home.kind: unknown kind 'singel' (did you mean 'single'?); "
        "use one of single, multi, yesno, municipality, message, result"
    ]


def test_multi_without_choices(tmp_path: Path) -> None:
    text = BASE.replace(
        BASE[BASE.index("    choices:\n      - id: money") : BASE.index("    next:\n      - when")],
        "    choices: []\n",
    )
    assert check(tmp_path, text) == [
        "dialogs/demo.yaml:9: nodes.ask.choices: a multi node needs a list of at least one choice"
    ]


def test_multi_choice_cannot_route(tmp_path: Path) -> None:
    text = changed(
        "        sets: {needs: [money-benefits]}",
        "        sets: {needs: [money-benefits]}\n        next: done",
    )
    assert check(tmp_path, text) == [
        "dialogs/demo.yaml:13: nodes.ask.choices[0].next: a choice of a multi node cannot route "
        "(several can be chosen); route on the node instead, e.g. next: [{when: {chose: "
        "{<node>: <choice>}}, goto: ...}]"
    ]


def test_missing_text_and_label(tmp_path: Path) -> None:
    text = changed("    text: needs-home\n", "").replace("        label: needs-home-baby\n", "")
    assert check(tmp_path, text) == [
        "dialogs/demo.yaml:21: nodes.home.text: is missing",
        "dialogs/demo.yaml:23: nodes.home.choices[0].label: is missing",
    ]


def test_top_level_must_be_a_mapping(tmp_path: Path) -> None:
    assert check(tmp_path, "- just\n- a list\n") == [
        "dialogs/demo.yaml:1: -: must be a mapping with id, version, start and nodes"
    ]


def test_no_trees_at_all(tmp_path: Path) -> None:
    (tmp_path / "dialogs").mkdir()
    assert [str(e) for e in validate_dialogs(tmp_path / "dialogs", MESSAGES)] == [
        "dialogs:0: -: no dialog trees (*.yaml) here"
    ]


def test_required_tree_missing(tmp_path: Path) -> None:
    assert check(tmp_path, BASE, required=("needs",)) == [
        "dialogs:0: -: the bot needs a tree with id 'needs'"
    ]


def test_yes_no_node(tmp_path: Path) -> None:
    text = changed(
        "  done:\n",
        "  free:\n    kind: yesno\n    text: needs-free\n    yes:\n      sets: {free_only: true}\n"
        "      next: done\n    no:\n      next: done\n  done:\n",
    ).replace("    skippable: true\n    next: done", "    skippable: true\n    next: free")
    trees = load_dialogs(_write(tmp_path, text), MESSAGES)
    free = trees["demo"].node("free")
    assert [(c.id, c.label, c.sets.free_only) for c in free.choices] == [
        ("yes", "flow-yes", True),
        ("no", "flow-no", False),
    ]


def _write(tmp_path: Path, text: str) -> Path:
    directory = tmp_path / "dialogs"
    directory.mkdir(exist_ok=True)
    (directory / "demo.yaml").write_text(text, encoding="utf-8")
    return directory


# ---------------------------------------------------------------- skip label and progress


def load_one(tmp_path: Path, text: str) -> Tree:
    directory = tmp_path / "dialogs"
    directory.mkdir(exist_ok=True)
    (directory / "demo.yaml").write_text(text, encoding="utf-8")
    return load_dialogs(directory, MESSAGES)["demo"]


def test_the_skip_label_follows_the_kind_unless_the_node_names_one(tmp_path: Path) -> None:
    tree = load_one(tmp_path, BASE)
    assert tree.node("ask").skip_label == "flow-skip"  # "I'd rather not say"
    assert tree.node("where").skip_label == "flow-skip"
    assert tree.node("home").skip_label == ""  # cannot be skipped
    text = changed(
        "    kind: municipality\n    text: needs-where\n    skippable: true\n",
        "    kind: municipality\n    text: needs-where\n    skippable: true\n"
        "    skip_label: flow-skip-plain\n",
    )
    assert load_one(tmp_path, text).node("where").skip_label == "flow-skip-plain"
    yesno = changed(
        "  where:\n    kind: municipality\n    text: needs-where\n",
        "  where:\n    kind: yesno\n    text: needs-free\n",
    )
    assert load_one(tmp_path, yesno).node("where").skip_label == "flow-skip-plain"  # "Skip"


def test_a_skip_label_needs_a_text_in_every_locale_and_a_skippable_question(
    tmp_path: Path,
) -> None:
    unknown = changed(
        "    text: needs-where\n    skippable: true\n",
        "    text: needs-where\n    skippable: true\n    skip_label: flow-skip-nope\n",
    )
    assert check(tmp_path, unknown) == [
        "dialogs/demo.yaml:34: nodes.where.skip_label: no Fluent message 'flow-skip-nope' "
        "in fi/en/ar"
    ]
    not_skippable = changed(
        "    kind: single\n    text: needs-home\n",
        "    kind: single\n    text: needs-home\n    skip_label: flow-skip-plain\n",
    )
    assert check(tmp_path, not_skippable) == [
        "dialogs/demo.yaml:23: nodes.home.skip_label: a skip button needs 'skippable: true' "
        "on this question"
    ]


def test_questions_ahead_bound_every_route_and_a_loop_has_no_bound(tmp_path: Path) -> None:
    tree = load_one(tmp_path, BASE)
    # ask > home > done, or ask > where > done: two questions either way.
    assert tree.ahead == {
        "ask": Ahead(2, 2),
        "home": Ahead(1, 1),
        "where": Ahead(1, 1),
        "done": Ahead(0, 0),
    }
    shorter = changed(
        "        label: needs-home-baby\n        next: done",
        "        label: needs-home-baby\n        next: where",
    )
    assert load_one(tmp_path, shorter).ahead["ask"] == Ahead(2, 3)
    loop = changed("    skippable: true\n    next: done", "    skippable: true\n    next: ask")
    ahead = load_one(tmp_path, loop).ahead
    # "where" leads back to "ask": a family can go round, so no total is promised there.
    assert ahead["ask"] is None
    assert ahead["where"] is None
    assert ahead["done"] == Ahead(0, 0)
