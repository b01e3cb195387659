"""Mapping files that translate other taxonomies' terms (Open Eligibility, AIRS, a region's
own codes...) to Valo need tags and PTV service classes, for HSDS imports
(``valo-bot catalog import --taxonomy-map FILE``).

The file is YAML: taxonomy name (as the records name it in ``taxonomy`` or
``taxonomy_detail.name``/``uri``; case and spacing do not matter) -> term code or name -> one
need tag or PTV service class, or a list of them::

    Open Eligibility:
      Parenting Education: [parenting-support, P3.7]
      "1102": mental-health

A catalogue entry needs a PTV service class as well as a need tag, so map a term to a class
when the records have none of their own; a class brings its need tags with it
(``vocab.NEED_TAGS``). Every mistake is refused as ``file:line: path: reason`` before anything
is imported.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from bot.catalog import vocab
from bot.data_errors import DataError, DataFileError
from bot.yaml_source import read_yaml


def taxonomy_key(value: str) -> str:
    """A name as compared: case-folded, runs of spaces and punctuation as one space."""
    return re.sub(r"[\W_]+", " ", value.casefold()).strip()


@dataclass(frozen=True)
class TermTarget:
    """What one foreign term means in Valo's vocabularies."""

    needs: tuple[str, ...]
    service_classes: tuple[str, ...]


@dataclass(frozen=True)
class TaxonomyMap:
    """Foreign taxonomy (its ``taxonomy_key``) -> term code or name (its key) -> target."""

    taxonomies: dict[str, dict[str, TermTarget]] = field(default_factory=dict)

    def taxonomy(self, names: Iterable[str]) -> dict[str, TermTarget] | None:
        """The terms of the first of ``names`` the file maps, if any."""
        for name in names:
            found = self.taxonomies.get(taxonomy_key(name))
            if found is not None:
                return found
        return None


def read_taxonomy_map(path: Path) -> TaxonomyMap:
    """The mapping file at ``path``; DataFileError listing every problem in it."""
    document = read_yaml(path)
    data = document.data
    errors: list[DataError] = []
    if not isinstance(data, dict) or not data:
        raise DataFileError(
            [
                document.error(
                    (), "expected a map: taxonomy name -> term code or name -> need tag(s)"
                )
            ]
        )
    classes = vocab.service_classes()
    taxonomies: dict[str, dict[str, TermTarget]] = {}
    for name, terms in data.items():
        if not isinstance(terms, dict) or not terms:
            errors.append(
                document.error((name,), "expected a map: term code or name -> need tag(s)")
            )
            continue
        mapped: dict[str, TermTarget] = {}
        for term, targets in terms.items():
            values = [targets] if isinstance(targets, str) else targets
            if not isinstance(values, list) or not values:
                errors.append(
                    document.error(
                        (name, term), "expected a need tag or PTV service class, or a list"
                    )
                )
                continue
            needs: list[str] = []
            codes: list[str] = []
            for i, value in enumerate(values):
                at = (name, term) if isinstance(targets, str) else (name, term, i)
                if isinstance(value, str) and value in vocab.NEED_TAGS:
                    needs.append(value)
                elif isinstance(value, str) and value in classes:
                    codes.append(value)
                else:
                    errors.append(
                        document.error(
                            at,
                            f"{value!r} is neither a need tag ({', '.join(vocab.NEED_TAGS)}) "
                            "nor a PTV service class code",
                        )
                    )
            key = taxonomy_key(term)
            if key in mapped:
                errors.append(document.error((name, term), "this term is mapped twice"))
            mapped[key] = TermTarget(tuple(needs), tuple(codes))
        key = taxonomy_key(name)
        if key in taxonomies:
            errors.append(document.error((name,), "this taxonomy is mapped twice"))
        taxonomies[key] = mapped
    if errors:
        raise DataFileError(errors)
    return TaxonomyMap(taxonomies)
