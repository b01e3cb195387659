"""JSON data files with line numbers for their errors (the JSON twin of ``bot.yaml_source``).

Importers receive ``(display name, document)`` pairs. The document is either the JSON text
(``str``/``bytes``) or an already parsed value. Given the text, every error can name the line
of the offending value; given a parsed value, the line is 0 (unknown). Lines are only worked
out when an error or warning needs one, so an error-free import pays nothing for them.
"""

from __future__ import annotations

import bisect
import contextlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.data_errors import DataError
from bot.yaml_source import PathKey, format_path

# JSON files come from other systems: a PTV organisation's or an HSDS publisher's whole export,
# with every channel in three languages, is far bigger than a file a person edits (hence more
# than YAML's 2 MiB). JSON has no aliases, so parsing is linear and the cap only bounds memory
# (parsed PTV records take about 4 times their text): 64 MiB, some 250 MB parsed, leaves room
# for a whole wellbeing services county's export (one PTV channel record is 10-40 KB).
MAX_JSON_BYTES = 64 * 1024 * 1024

_WHITESPACE = re.compile(r"[ \t\n\r]*")
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)


@dataclass
class JsonDocument:
    """One parsed JSON document, able to say on which line a path of it starts."""

    file: str
    data: Any
    text: str | None = None
    _index: _LineIndex | None = field(default=None, repr=False, compare=False)

    def line_of(self, path: Sequence[str | int]) -> int:
        """The line where ``path`` (or its nearest ancestor) starts; 0 without the text."""
        if self.text is None:
            return 0
        if self._index is None:
            self._index = _LineIndex(self.text)
        return self._index.line_of(tuple(path))

    def error(self, path: Sequence[str | int], reason: str) -> DataError:
        """A ``file:line: path: reason`` error for a value of this document."""
        return DataError(self.file, self.line_of(path), format_path(path), reason)


def read_json_documents(
    documents: Sequence[tuple[str, Any]],
) -> tuple[list[JsonDocument], list[DataError]]:
    """Wrap every ``(name, text or parsed value)`` pair; JSON syntax errors come back listed."""
    found: list[JsonDocument] = []
    errors: list[DataError] = []
    for name, document in documents:
        if isinstance(document, str | bytes | bytearray) and _size(document) > MAX_JSON_BYTES:
            errors.append(DataError(name, 0, "-", f"file is larger than {MAX_JSON_BYTES} bytes"))
            continue
        if isinstance(document, bytes | bytearray):
            try:
                document = bytes(document).decode("utf-8-sig")
            except UnicodeDecodeError as exc:
                errors.append(DataError(name, 0, "-", f"not UTF-8 text: {exc.reason}"))
                continue
        if isinstance(document, str):
            try:
                data = json.loads(document)
            except json.JSONDecodeError as exc:
                errors.append(DataError(name, exc.lineno, "-", f"invalid JSON: {exc.msg}"))
                continue
            except RecursionError:
                errors.append(DataError(name, 0, "-", "invalid JSON: nested too deeply"))
                continue
            found.append(JsonDocument(name, data, document))
        else:
            found.append(JsonDocument(name, document))
    return found, errors


def _size(document: str | bytes | bytearray) -> int:
    # A str's UTF-8 length is at most 4 bytes a character; encode only when it could matter.
    if isinstance(document, str) and len(document) * 4 > MAX_JSON_BYTES:
        return len(document.encode("utf-8", "surrogatepass"))
    return len(document)


class _LineIndex:
    """Finds where a path's value starts in valid JSON text, on demand.

    Only the containers on the way to a requested path are scanned, and each of their other
    members is skipped by the C JSON scanner, so a warning about one record of a large API
    dump costs one pass over its enclosing list, not a parse of everything in Python.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self.decoder = json.JSONDecoder()
        self.starts: dict[PathKey, int] = {(): self._skip(0)}
        self.scanned: set[PathKey] = set()
        self.newlines: list[int] | None = None

    def line_of(self, path: PathKey) -> int:
        found: PathKey = ()
        for depth in range(1, len(path) + 1):
            parent, wanted = path[: depth - 1], path[:depth]
            if wanted not in self.starts and parent not in self.scanned:
                # The text parsed with json.loads, so scanning cannot fail; should it ever,
                # the nearest ancestor's line still serves, and must not hide the real error.
                with contextlib.suppress(IndexError, ValueError):
                    self._scan(parent)
            if wanted not in self.starts:
                break
            found = wanted
        if self.newlines is None:
            self.newlines = [m.start() for m in re.finditer("\n", self.text)]
        return bisect.bisect_left(self.newlines, self.starts[found]) + 1

    def _skip(self, position: int) -> int:
        match = _WHITESPACE.match(self.text, position)
        return match.end() if match else position

    def _scan(self, path: PathKey) -> None:
        """Record where each member of the container at ``path`` starts."""
        self.scanned.add(path)
        text = self.text
        position = self.starts[path]
        opening = text[position]
        if opening not in "{[":
            return
        closing = "}" if opening == "{" else "]"
        position = self._skip(position + 1)
        index = 0
        while text[position] != closing:
            key: str | int = index
            if opening == "{":
                match = _STRING.match(text, position)
                if match is None:
                    raise ValueError(f"expected a key at {position}")
                key = json.loads(match.group())
                position = self._skip(self._skip(match.end()) + 1)  # past the colon
            self.starts[(*path, key)] = position
            _, end = self.decoder.raw_decode(text, position)
            position = self._skip(end)
            if text[position] == ",":
                position = self._skip(position + 1)
            index += 1
