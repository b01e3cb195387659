"""Family vignettes (tests/data/vignettes.yaml) against the real catalogue: the right card
first, with the reasons that say why."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from pydantic import BaseModel, ConfigDict, Field

from bot.catalog import vocab
from bot.catalog.cards import explain
from bot.catalog.matching import Answers, CatalogIndex, contact_lines, is_shelter
from bot.config import SUPPORTED_LOCALES
from bot.data_errors import DataFileError
from bot.flow.model import default_municipalities
from bot.i18n import I18n
from bot.yaml_source import parse_model, read_yaml
from tests.conftest import REPO
from tests.real_catalogue import real_catalogue

VIGNETTES = REPO / "tests" / "data" / "vignettes.yaml"
PAGE = 5  # ``shown`` cards must be among the first this many


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FamilyAnswers(Strict):
    municipality: str | None = None
    child_ages: list[int] = []
    expecting: bool = False
    needs: list[str] = []
    languages: list[str] = []
    free: bool = False

    def answers(self) -> Answers:
        return Answers(
            municipality=self.municipality,
            child_ages=tuple(self.child_ages),
            expecting=self.expecting,
            needs=tuple(self.needs),
            languages=tuple(self.languages),
            free_only=self.free,
        )


class Vignette(Strict):
    id: str
    story: str
    answers: FamilyAnswers
    top3: list[str] = Field(min_length=3, max_length=3)
    why: list[str] = Field(min_length=1)
    shown: list[str] = []


class Vignettes(Strict):
    vignettes: list[Vignette] = Field(min_length=1)


def load(path: Path) -> list[Vignette]:
    return parse_model(read_yaml(path, path.name), Vignettes).vignettes


VIGNETTE_LIST = load(VIGNETTES)


@pytest.fixture(scope="module")
def index() -> CatalogIndex:
    return CatalogIndex(real_catalogue().services)


def test_the_vignettes_cover_what_the_issue_asks() -> None:
    by_place = {(v.answers.municipality, tuple(v.answers.needs)) for v in VIGNETTE_LIST}
    assert ("405", ("crisis-urgent",)) in by_place  # "Something urgent" in Lappeenranta
    assert any(v.answers.expecting and v.answers.municipality == "405" for v in VIGNETTE_LIST)
    assert any(4 in v.answers.child_ages and v.answers.municipality == "285" for v in VIGNETTE_LIST)
    assert any(age >= 13 for v in VIGNETTE_LIST for age in v.answers.child_ages)
    assert any(v.answers.municipality == "416" for v in VIGNETTE_LIST)  # a small municipality
    for vignette in VIGNETTE_LIST:
        assert set(vignette.answers.needs) <= set(vocab.NEED_TAGS), vignette.id


@pytest.mark.parametrize("vignette", VIGNETTE_LIST, ids=[v.id for v in VIGNETTE_LIST])
def test_vignette_sees_the_right_cards_first(vignette: Vignette, index: CatalogIndex) -> None:
    matches = index.match(vignette.answers.answers(), limit=PAGE)
    first = [m.service.id for m in matches]
    assert first[:3] == vignette.top3, (
        f"{vignette.id}: the first cards changed; if that is deliberate, update "
        f"tests/data/vignettes.yaml and say why in the commit ({vignette.story})"
    )
    assert set(vignette.why) <= {r.key for r in matches[0].reasons}, matches[0].reasons
    assert set(vignette.shown) <= set(first), (vignette.id, first)
    # Every reason of the page reads in every locale.
    i18n = I18n.load(REPO / "locales", ZoneInfo("Europe/Helsinki"), strict=True)
    for locale in SUPPORTED_LOCALES:
        for match in matches:
            assert all(text.strip() for text in explain(match, i18n[locale]))


@pytest.mark.parametrize("municipality", default_municipalities())
def test_in_a_crisis_no_shelter_ranks_above_a_line(municipality: str, index: CatalogIndex) -> None:
    ranked = index.ranked(Answers(municipality=municipality, needs=("crisis-urgent",)))
    assert ranked
    assert not is_shelter(ranked[0].service)
    kinds = [
        "shelter" if is_shelter(m.service) else "line" if any(contact_lines(m.service)[:2]) else ""
        for m in ranked
        if "crisis-urgent" in m.service.needs
    ]
    if "shelter" in kinds:
        assert "line" not in kinds[kinds.index("shelter") :], (municipality, kinds)


def test_a_broken_vignette_file_names_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "vignettes.yaml"
    bad.write_text(
        "vignettes:\n  - id: x\n    story: s\n    answers: {}\n    top3: [a, b]\n    why: [free]\n",
        encoding="utf-8",
    )
    with pytest.raises(DataFileError) as raised:
        load(bad)
    assert str(raised.value.errors[0]).startswith("vignettes.yaml:5: vignettes[0].top3:")
