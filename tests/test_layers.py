"""The layer order of the code: a module may import its own layer or lower ones, never higher.

``LAYERS`` is the one place the order is written (DESIGN.md and the README's Layout describe it).
Every module under ``bot/`` must belong to a layer, so a new package is placed on purpose.

Imports under ``if TYPE_CHECKING:`` count like any other: a lower layer that needs the shape of
a higher one for its types is coupled to it all the same. It declares a ``Protocol`` of its own
instead (as ``bot.events.store.EventChanged`` does for delivery's change listener).
"""

from __future__ import annotations

import ast
from pathlib import Path

import bot

# Highest first. Same-layer imports are allowed; a name matches itself and its submodules.
LAYERS: tuple[tuple[str, ...], ...] = (
    # The emulator and the demo are top-level tools: nothing in the bot imports them.
    ("bot.__main__", "bot.ops", "bot.app", "bot.emulator", "bot.demo"),
    ("bot.handlers",),
    ("bot.indicators",),
    # The dialog engines: the families' YAML trees (flow) and the staff wizards (wizard); the
    # professional's service paths (guide), built by the flow engine and handed to handlers.
    ("bot.delivery", "bot.flow", "bot.wizard", "bot.guide"),
    ("bot.events",),
    ("bot.catalog",),
    ("bot.db", "bot.i18n", "bot.bidi", "bot.glossary", "bot.middlewares", "bot.roles"),
    # Leaves that import only each other: settings, error reporting, the file readers, and
    # the update sanitiser / log setup that app and handlers share (they import nothing
    # above these).
    (
        "bot.config",
        "bot.data_errors",
        "bot.yaml_source",
        "bot.json_source",
        "bot.error_text",
        "bot.logs",
        "bot.updates",
    ),
)

ROOT = Path(bot.__file__).parent


def layer_of(module: str) -> int | None:
    """The index of ``module``'s layer in ``LAYERS`` (0 is the top), None if it has none."""
    best: tuple[int, int] | None = None  # (length of the matching name, layer)
    for index, names in enumerate(LAYERS):
        for name in names:
            if (module == name or module.startswith(name + ".")) and (
                best is None or len(name) > best[0]
            ):
                best = (len(name), index)
    return None if best is None else best[1]


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def is_module(name: str) -> bool:
    path = ROOT.parent.joinpath(*name.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def imported(module: str, is_package: bool, tree: ast.AST) -> list[tuple[int, str]]:
    """Every ``bot`` module imported anywhere in ``tree`` (also inside functions), with line."""
    package = module if is_package else module.rpartition(".")[0]
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: resolve against this module's package
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            # ``from bot.catalog import vocab`` imports the module bot.catalog.vocab; from
            # ``from bot.db.models import User`` the module is bot.db.models.
            found.extend(
                (node.lineno, f"{base}.{alias.name}" if is_module(f"{base}.{alias.name}") else base)
                for alias in node.names
            )
    return [(line, name) for line, name in found if name == "bot" or name.startswith("bot.")]


def violations(module: str, path: str, source: str, is_package: bool = False) -> list[str]:
    """``path:line: module imports higher-layer module target`` for each upward import."""
    own = layer_of(module)
    if own is None:
        return [f"{path}:1: {module} belongs to no layer; add it to LAYERS in tests/test_layers.py"]
    problems = []
    for line, target in sorted(set(imported(module, is_package, ast.parse(source, path)))):
        layer = layer_of(target)
        if layer is not None and layer < own:
            problems.append(f"{path}:{line}: {module} imports higher-layer module {target}")
    return problems


def bot_modules() -> list[Path]:
    # The root package ``bot/__init__.py`` is only the docstring; every layer sits under it.
    return [p for p in sorted(ROOT.rglob("*.py")) if p != ROOT / "__init__.py"]


def test_no_module_imports_a_higher_layer() -> None:
    problems = [
        problem
        for path in bot_modules()
        for problem in violations(
            module_name(path),
            str(path.relative_to(ROOT.parent)),
            path.read_text(encoding="utf-8"),
            is_package=path.name == "__init__.py",
        )
    ]
    assert not problems, "\n".join(problems)


def test_the_check_sees_an_upward_import() -> None:
    """The check itself: each way of importing a higher layer is caught, lower ones are not."""
    upward = {
        "from bot.delivery.reminders import event_changed\n": "bot.delivery.reminders",
        "import bot.handlers.menu\n": "bot.handlers.menu",
        "from bot import app\n": "bot.app",
        "from ..events import store\n": "bot.events.store",
        "def f() -> None:\n    from bot.ops import roles\n": "bot.ops.roles",
        "if TYPE_CHECKING:\n    from bot.flow.model import X\n": "bot.flow.model",
    }
    for source, target in upward.items():
        found = violations("bot.catalog.store", "bot/catalog/store.py", source)
        assert len(found) == 1, source
        assert found[0].startswith("bot/catalog/store.py:"), found
        assert found[0].endswith(f": bot.catalog.store imports higher-layer module {target}")
    downward = "from bot.catalog.schema import Event\nfrom bot.db.models import Reminder\n"
    assert violations("bot.events.store", "bot/events/store.py", downward) == []
    assert violations("bot.delivery.worker", "bot/delivery/worker.py", "import bot.flow\n") == []
    (unplaced,) = violations("bot.brand_new", "bot/brand_new.py", "")
    assert unplaced.startswith("bot/brand_new.py:1: bot.brand_new belongs to no layer")


def test_every_module_belongs_to_a_layer() -> None:
    assert [m for m in map(module_name, bot_modules()) if layer_of(m) is None] == []
