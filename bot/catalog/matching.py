"""Explainable matching of a family's answers against the catalogue."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Answers:
    """What the family told us; every field may be empty (every question can be skipped)."""

    municipality: str | None = None  # municipality code, e.g. "285"
    child_ages: tuple[int, ...] = ()  # whole years
    expecting: bool = False
    needs: tuple[str, ...] = ()  # need tags (bot.catalog.vocab.NEED_TAGS)
    languages: tuple[str, ...] = ()  # ISO 639-1 codes the family is comfortable using
    free_only: bool = False
