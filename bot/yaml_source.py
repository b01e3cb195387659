"""YAML data files read with their line numbers, and schema errors turned into DataErrors.

Scalars are kept as the text that was written (YAML 1.2 resolution only decides what is null),
so ``075``, ``10:00`` and ``no`` reach the schema as strings and the schema alone decides
types. Every value remembers its line, so an error names ``file:line: path: reason``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.composer import Composer, ComposerError, MaxDepthExceededError
from ruamel.yaml.error import MarkedYAMLError
from ruamel.yaml.events import AliasEvent
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from bot.data_errors import DataError, DataFileError

PathKey = tuple[str | int, ...]

# Limits that keep a broken or hostile data file from taking the bot's memory or stack. The
# largest file we ship is under 30 KB; a catalogue or dialog file a person edits is far below
# 2 MiB, and parsing that much takes well under a second.
MAX_YAML_BYTES = 2 * 1024 * 1024
# Our files nest a few levels (dialogs about 6); ruamel and the converter recurse per level.
MAX_DEPTH = 64
_NO_ALIASES = "anchors and aliases (&name, *name) are not allowed in data files"


@dataclass(frozen=True)
class YamlDocument:
    """Plain data (dicts, lists, strings, None) with the line of every path in it."""

    file: str
    data: Any
    lines: dict[PathKey, int]

    def line_of(self, path: Sequence[str | int]) -> int:
        """The line of ``path``, or of its nearest ancestor that has one."""
        key = tuple(path)
        while key:
            if key in self.lines:
                return self.lines[key]
            key = key[:-1]
        return self.lines.get((), 1)

    def error(self, path: Sequence[str | int], reason: str) -> DataError:
        return DataError(self.file, self.line_of(path), format_path(path), reason)


def format_path(path: Sequence[str | int]) -> str:
    """``("services", 12, "age", "min")`` -> ``services[12].age.min``."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "-"


class _Converter:
    def __init__(self, file: str) -> None:
        self.file = file
        self.lines: dict[PathKey, int] = {}
        self.errors: list[DataError] = []

    def convert(self, node: Node, path: PathKey) -> Any:
        self.lines[path] = node.start_mark.line + 1
        if isinstance(node, MappingNode):
            result: dict[str, Any] = {}
            for key_node, value_node in node.value:
                if not isinstance(key_node, ScalarNode):
                    self.errors.append(
                        DataError(
                            self.file,
                            key_node.start_mark.line + 1,
                            format_path(path),
                            "mapping keys must be plain names",
                        )
                    )
                    continue
                key = str(key_node.value)
                if key in result:
                    self.errors.append(
                        DataError(
                            self.file,
                            key_node.start_mark.line + 1,
                            format_path((*path, key)),
                            "duplicate key",
                        )
                    )
                    continue
                result[key] = self.convert(value_node, (*path, key))
            return result
        if isinstance(node, SequenceNode):
            return [self.convert(item, (*path, i)) for i, item in enumerate(node.value)]
        assert isinstance(node, ScalarNode)
        if node.tag == "tag:yaml.org,2002:null":
            return None
        return str(node.value)


class _AliasRefused(ComposerError):
    pass


class _ComposerWithoutAliases(Composer):
    """Refuses anchors and aliases: an alias is expanded wherever it is used, so a few hundred
    bytes of aliases of aliases make a billion nodes (and one inside its own anchor, a loop).
    Data files repeat themselves plainly instead."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.parser.peek_event()
        if isinstance(event, AliasEvent) or getattr(event, "anchor", None) is not None:
            raise _AliasRefused(None, None, _NO_ALIASES, event.start_mark)
        return super().compose_node(parent, index)


def read_capped(path: Path, limit: int, name: str) -> str:
    """The file's UTF-8 text; DataFileError when unreadable or larger than ``limit`` bytes.

    Only ``limit`` + 1 bytes are ever read, so a huge file costs nothing before it is refused.
    """
    try:
        with path.open("rb") as file:
            data = file.read(limit + 1)
        if len(data) > limit:
            raise DataFileError([DataError(name, 0, "-", f"file is larger than {limit} bytes")])
        return data.decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise DataFileError([DataError(name, 0, "-", f"cannot read: {exc}")]) from None


def read_yaml(path: Path, display: str | None = None) -> YamlDocument:
    """Parse one YAML file; raise DataFileError on syntax errors, duplicate keys, anchors or
    aliases, more than ``MAX_YAML_BYTES`` or nesting deeper than ``MAX_DEPTH``."""
    name = display or str(path)
    text = read_capped(path, MAX_YAML_BYTES, name)
    yaml = YAML(typ="rt")
    yaml.version = (1, 2)
    yaml.Composer = _ComposerWithoutAliases
    yaml.max_depth = MAX_DEPTH
    try:
        root = yaml.compose(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 0
        if isinstance(exc, _AliasRefused):
            reason = _NO_ALIASES
        elif isinstance(exc, MaxDepthExceededError):
            reason = f"nested deeper than {MAX_DEPTH} levels"
        else:
            reason = f"YAML syntax: {exc.problem}"
        raise DataFileError([DataError(name, line, "-", reason)]) from None
    converter = _Converter(name)
    data = converter.convert(root, ()) if root is not None else None
    if converter.errors:
        raise DataFileError(converter.errors)
    return YamlDocument(name, data, converter.lines)


def validation_errors(document: YamlDocument, exc: ValidationError) -> list[DataError]:
    """Each pydantic error as ``file:line: path: reason`` (line of the offending value)."""
    found: list[DataError] = []
    for error in exc.errors(include_url=False):
        path = [p for p in error["loc"] if isinstance(p, str | int)]
        # Union branches and tagged types add non-field names to the location; drop them.
        path = [p for p in path if isinstance(p, int) or not p.startswith(("function-", "str-"))]
        reason = str(error["msg"]).removeprefix("Value error, ")
        if error["type"] == "extra_forbidden":
            reason = "unknown field"
        elif error["type"] == "missing":
            reason = "required field is missing"
        found.append(document.error(path, reason))
    return found


M = TypeVar("M", bound=BaseModel)


def parse_model(document: YamlDocument, model: type[M]) -> M:
    """Validate the document as ``model``; raise DataFileError with every error."""
    try:
        return model.model_validate(document.data if document.data is not None else {})
    except ValidationError as exc:
        raise DataFileError(validation_errors(document, exc)) from None
