"""The one error shape for every data file we load (dialogs, locales, catalogue)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class DataError:
    """A problem in a data file, printed as ``file:line: path: reason``."""

    file: str
    line: int
    path: str
    reason: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.path}: {self.reason}"


class DataFileError(Exception):
    """Raised when data files are refused at load time; carries every error found."""

    def __init__(self, errors: list[DataError]) -> None:
        self.errors = sorted(errors)
        super().__init__("\n".join(str(e) for e in self.errors))
