"""Button labels fit a phone: locales/buttons.yaml names every message shown on a button and
its layout, and ``valo-bot check`` measures each locale's text against the layout's limit.

The registry is only as good as it is complete, so a test reads the code that builds
keyboards (every ``t(...)`` that becomes a button's text) and the dialog trees, and fails when
a button message is missing from the registry, listed with another layout than the dialog
gives it, or listed without being used.
"""

from __future__ import annotations

import ast
import shutil
from pathlib import Path

import pytest

from bot.flow.keyboard import choices_per_row
from bot.flow.loader import load_dialogs
from bot.flow.model import default_municipalities
from bot.i18n import read_button_layouts, text_width, validate_locales
from tests.conftest import REPO

BOT = REPO / "bot"
# Calls whose first argument is a button's text.
BUTTON_CALLS = frozenset({"_button", "Button", "InlineKeyboardButton"})
# Expressions a text passes through on its way to a button ("✅ " + label, a clipped name).
WRAPPERS = (ast.JoinedStr, ast.FormattedValue, ast.IfExp, ast.BinOp, ast.Subscript)


def _is_translation(node: ast.AST) -> bool:
    """``t(...)``, ``ctx.t(...)``, or ``i18n[locale](...)``."""
    if not isinstance(node, ast.Call):
        return False
    func = node.func
    return (
        (isinstance(func, ast.Name) and func.id == "t")
        or (isinstance(func, ast.Attribute) and func.attr == "t")
        or (isinstance(func, ast.Subscript) and isinstance(func.value, ast.Name))
    )


def _message_ids(node: ast.expr) -> list[str]:
    """The message id(s) an argument names: a literal, ``prefix-*`` for an f-string, both
    branches of a conditional; ``?expr`` when the code computes it."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.JoinedStr):
        return ["".join(v.value if isinstance(v, ast.Constant) else "*" for v in node.values)]
    if isinstance(node, ast.IfExp):
        return _message_ids(node.body) + _message_ids(node.orelse)
    return ["?" + ast.unparse(node)]


def _is_button_text(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> bool:
    child, parent = node, parents.get(node)
    while isinstance(parent, WRAPPERS):
        child, parent = parent, parents.get(parent)
    if isinstance(parent, ast.Call) and parent.args and parent.args[0] is child:
        func = parent.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
        return name in BUTTON_CALLS
    if isinstance(parent, ast.keyword):
        return parent.arg == "text"
    if isinstance(parent, ast.Tuple) and len(parent.elts) == 2:
        first, second = parent.elts
        if first is child and isinstance(second, ast.Call):
            # (text, callback data): a CallbackData class or a wizard's ``press(...)``; not
            # (text, InlineKeyboardMarkup(...)), a message and its keyboard.
            func = second.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
            if name == "press" or (name[:1].isupper() and not name.endswith("Markup")):
                return True
        # A (previous, more) pair of labels for ``wizard.paged``.
        target = parents.get(parent)
        return (
            isinstance(target, ast.Assign)
            and any(isinstance(n, ast.Name) and n.id == "labels" for n in target.targets)
            and all(_is_translation(e) for e in parent.elts)
        )
    return False


def code_button_ids() -> dict[str, str]:
    """Every message id the code puts on a button, with where (``file:line``)."""
    found: dict[str, str] = {}
    for path in sorted(BOT.rglob("*.py")):
        if {"emulator", "demo"} & set(path.parts):
            continue  # tools that show the bot's own keyboards
        tree = ast.parse(path.read_text(encoding="utf-8"))
        parents = {c: p for p in ast.walk(tree) for c in ast.iter_child_nodes(p)}
        where = str(path.relative_to(REPO))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and node.args and _is_translation(node):
                if _is_button_text(node, parents):
                    for ident in _message_ids(node.args[0]):
                        found.setdefault(ident, f"{where}:{node.lineno}")
            elif isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "WizardTexts":
                # A wizard's stop button (first) and skip button (last).
                for arg in (node.args[0], node.args[-1]):
                    for ident in _message_ids(arg):
                        if ident != "?None":
                            found.setdefault(ident, f"{where}:{node.lineno}")
            elif isinstance(node, ast.Call) and getattr(node.func, "id", "") == "_choices":
                # Staff wizard choices: ("message-id", "argument") pairs.
                for pair in node.args[1:]:
                    assert isinstance(pair, ast.Tuple), ast.unparse(pair)
                    for ident in _message_ids(pair.elts[0]):
                        found.setdefault(ident, f"{where}:{node.lineno}")
    return found


# Button texts the scan sees as computed, and where their ids are registered from instead.
COMPUTED = {
    "?self.texts.skip": "WizardTexts(...) skip ids",
    "?self.texts.stop": "WizardTexts(...) stop ids",
    "?label": "_choices(...) pairs in bot/handlers/staff_events.py",
    "?step.skip_label or 'flow-skip'": "each dialog node's skip label (dialog_button_layouts)",
}
# Marks put before a button's message; the message's ``reserve`` counts them.
MARKS = frozenset({"news-on-mark", "news-off-mark"})


def dialog_button_layouts() -> dict[str, int]:
    """The dialogs' choice labels with the buttons per row the keyboard gives them."""
    layouts: dict[str, int] = {}
    for tree in load_dialogs(REPO / "dialogs", REPO / "locales").values():
        for node in tree.nodes.values():
            labels = (
                [f"municipality-{code}" for code in default_municipalities()]
                if node.kind == "municipality"
                else [c.label for c in node.choices]
            )
            for label in labels:
                per_row = choices_per_row(node.kind, len(labels))
                layouts[label] = max(per_row, layouts.get(label, 1))
            if node.skip_label:  # alone in its row under the choices
                layouts.setdefault(node.skip_label, 1)
    return layouts


def _covered(ident: str, patterns: set[str]) -> bool:
    return ident in patterns or any(p.endswith("*") and ident.startswith(p[:-1]) for p in patterns)


def test_every_button_message_is_registered() -> None:
    _, registry = read_button_layouts(REPO / "locales")
    registered = set(registry)
    used = code_button_ids()
    unknown = {i: w for i, w in used.items() if i.startswith("?") and i not in COMPUTED}
    assert not unknown, f"a button text the scan cannot name; register its source: {unknown}"
    missing = []
    for ident, where in used.items():
        if ident.startswith("?") or ident in MARKS:
            continue
        if ident.endswith("*"):
            # A family of ids: some of it must be registered (the code decides which exist).
            if not any(r.startswith(ident[:-1]) for r in registered):
                missing.append(f"{where}: {ident}")
        elif not _covered(ident, registered):
            missing.append(f"{where}: {ident}")
    dialogs = dialog_button_layouts()
    missing += [f"dialogs: {i}" for i in dialogs if not _covered(i, registered)]
    assert not missing, "buttons missing from locales/buttons.yaml:\n" + "\n".join(missing)


def test_dialog_labels_have_the_layout_the_keyboard_gives_them() -> None:
    _, registry = read_button_layouts(REPO / "locales")
    for label, per_row in dialog_button_layouts().items():
        pattern = label if label in registry else label.rsplit("-", 1)[0] + "-*"
        if pattern not in registry:  # e.g. needs-age-1-2 under needs-age-*
            pattern = next(p for p in registry if p.endswith("*") and label.startswith(p[:-1]))
        assert registry[pattern].per_row >= per_row, (label, pattern, per_row)


def test_no_registered_button_is_unused() -> None:
    _, registry = read_button_layouts(REPO / "locales")
    used = {i for i in code_button_ids() if not i.startswith("?")} | set(dialog_button_layouts())
    stale = [
        p
        for p in registry
        if not (
            _covered(p, used)
            or any(u.endswith("*") and p.startswith(u[:-1]) for u in used)
            or (p.endswith("*") and any(u.startswith(p[:-1]) for u in used))
        )
    ]
    assert stale == []


def test_the_shipped_labels_fit() -> None:
    assert [e for e in validate_locales(REPO / "locales") if "button text" in e.reason] == []


@pytest.fixture
def locales(tmp_path: Path) -> Path:
    root = tmp_path / "locales"
    shutil.copytree(REPO / "locales", root)
    return root


def _set(root: Path, locale: str, name: str, ident: str, value: str) -> int:
    path = root / locale / name
    lines = path.read_text(encoding="utf-8").split("\n")
    index = next(i for i, line in enumerate(lines) if line.startswith(f"{ident} ="))
    lines[index] = f"{ident} = {value}"
    path.write_text("\n".join(lines), encoding="utf-8")
    return index + 1


def test_check_names_the_label_that_is_too_long(locales: Path) -> None:
    line = _set(locales, "en", "needs.ftl", "flow-restart", "🔄 Start all over again")
    assert [str(e) for e in validate_locales(locales)] == [
        f"locales/en/needs.ftl:{line}: flow-restart: button text is 23 characters; "
        "the limit for this layout is 18"
    ]
    # One character less than the limit of a full-width button still fits (with the check
    # mark a dialog answer may get).
    _set(locales, "en", "needs.ftl", "flow-restart", "🔄 Start over")
    _set(locales, "ar", "needs.ftl", "needs-help-urgent", "🆘 " + "ب" * 27)
    assert validate_locales(locales) == []
    line = _set(locales, "ar", "needs.ftl", "needs-help-urgent", "🆘 " + "ب" * 28)
    assert [str(e) for e in validate_locales(locales)] == [
        f"locales/ar/needs.ftl:{line}: needs-help-urgent: button text is 33 characters; "
        "the limit for this layout is 32"
    ]


def test_a_registry_entry_for_no_message_is_an_error(locales: Path) -> None:
    registry = locales / "buttons.yaml"
    registry.write_text(
        registry.read_text(encoding="utf-8") + "  menu-nothing: 1\n", encoding="utf-8"
    )
    line = registry.read_text(encoding="utf-8").count("\n")
    assert [str(e) for e in validate_locales(locales)] == [
        f"locales/buttons.yaml:{line}: menu-nothing: no such message in any locale"
    ]


def test_width_counts_what_a_reader_sees() -> None:
    assert text_width("Kyllä") == 5
    assert text_width("🔄 Aloita") == 9  # an emoji is two letters wide
    # A symbol drawn as an emoji (variation selector 16) is as wide as any emoji.
    assert text_width("⬅️ Takaisin") == text_width("🔄 Takaisin") == text_width("⬅ Takaisin") + 1
    assert text_width("تخطَّ") == 3  # vowel signs and shadda sit on the letters
