"""YAML bombs in data files: refused at once, with ``file:line: path: reason``, never a hang,
a gigabyte of memory or a traceback.

Aliases used to be expanded node by node: a 400-byte "billion laughs" catalogue or dialog file
took seconds and gigabytes, and a self-referencing alias crashed ``check`` and start-up with a
RecursionError. Data files need neither anchors nor aliases, so both are refused; files are
capped in size (YAML: ``MAX_YAML_BYTES``; JSON imports: ``MAX_JSON_BYTES``) and in depth.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.catalog.importers import read_sources
from bot.catalog.loader import read_catalog
from bot.data_errors import DataFileError
from bot.json_source import MAX_JSON_BYTES, read_json_documents
from bot.yaml_source import MAX_DEPTH, MAX_YAML_BYTES, read_yaml
from tests.cli_run import CliRun, cli_env
from tests.conftest import REPO


def laughs(levels: int) -> str:
    """The "billion laughs" file: each level lists the one before it ten times."""
    lines = ['l0: &l0 "lol"']
    for n in range(1, levels + 1):
        lines.append(f"l{n}: &l{n} [" + ", ".join([f"*l{n - 1}"] * 10) + "]")
    return "\n".join(lines) + "\n"


# 10**5 copies: small enough to finish without the refusal (the test then fails, not hangs).
SMALL_BOMB = laughs(5)
SELF_REFERENCE = "services:\n  - id: svc\n    more: &loop [*loop]\n"


def errors_of(path: Path) -> list[str]:
    with pytest.raises(DataFileError) as caught:
        read_yaml(path, path.name)
    return [str(e) for e in caught.value.errors]


def test_aliases_are_refused_where_the_anchor_is(tmp_path: Path) -> None:
    path = tmp_path / "bomb.yaml"
    path.write_text(SMALL_BOMB, encoding="utf-8")
    assert errors_of(path) == [
        "bomb.yaml:1: -: anchors and aliases (&name, *name) are not allowed in data files"
    ]


def test_the_billion_laughs_are_refused_quickly(tmp_path: Path) -> None:
    path = tmp_path / "bomb.yaml"
    path.write_text(laughs(9), encoding="utf-8")
    assert path.stat().st_size < 700
    started = time.perf_counter()
    assert len(errors_of(path)) == 1
    assert time.perf_counter() - started < 3.0  # expanded, it took 12 s and 1.2 GB


def test_a_self_referencing_alias_is_an_error_not_a_crash(tmp_path: Path) -> None:
    path = tmp_path / "loop.yaml"
    path.write_text(SELF_REFERENCE, encoding="utf-8")
    assert errors_of(path) == [
        "loop.yaml:3: -: anchors and aliases (&name, *name) are not allowed in data files"
    ]


def test_an_oversized_file_is_refused_before_it_is_parsed(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_bytes(b"services: []\n" + b"# padding\n" * (MAX_YAML_BYTES // 10))
    assert path.stat().st_size > MAX_YAML_BYTES
    assert errors_of(path) == [f"big.yaml:0: -: file is larger than {MAX_YAML_BYTES} bytes"]


def test_deep_nesting_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "deep.yaml"
    path.write_text("a: " + "[" * 5000 + "]" * 5000 + "\n", encoding="utf-8")
    [error] = errors_of(path)
    assert error.startswith("deep.yaml:1: -: "), error
    assert f"nested deeper than {MAX_DEPTH} levels" in error


def test_json_imports_are_capped_and_deep_nesting_is_an_error(tmp_path: Path) -> None:
    deep = "[" * 100_000 + "]" * 100_000
    found, errors = read_json_documents(
        [("deep.json", deep), ("big.json", " " * (MAX_JSON_BYTES + 1))]
    )
    assert found == []
    assert [str(e) for e in errors] == [
        "deep.json:0: -: invalid JSON: nested too deeply",
        f"big.json:0: -: file is larger than {MAX_JSON_BYTES} bytes",
    ]
    path = tmp_path / "deep.json"
    path.write_text(deep, encoding="utf-8")
    with pytest.raises(DataFileError) as caught:
        read_sources([path], "ptv")
    assert [str(e) for e in caught.value.errors] == [
        f"{path}:0: -: invalid JSON: nested too deeply"
    ]


def test_the_catalogue_loader_reports_the_bomb_among_other_files(tmp_path: Path) -> None:
    catalog = tmp_path / "cat"
    shutil.copytree(REPO / "services_catalog", catalog)
    (catalog / "bomb.yaml").write_text(SMALL_BOMB, encoding="utf-8")
    with pytest.raises(DataFileError) as caught:
        read_catalog([catalog], root=tmp_path)
    assert [str(e) for e in caught.value.errors] == [
        "cat/bomb.yaml:1: -: anchors and aliases (&name, *name) are not allowed in data files"
    ]


@pytest.fixture(scope="module", autouse=True)
def check_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[CliRun, Path, Path]]:
    """``valo-bot check`` with a bomb in the catalogue and a loop in the dialogs, started with
    the module so it runs beside the tests above (see tests.cli_run)."""
    catalog = tmp_path_factory.mktemp("catalog")
    (catalog / "bomb.yaml").write_text(SMALL_BOMB, encoding="utf-8")
    dialogs = tmp_path_factory.mktemp("dialogs")
    for tree in (REPO / "dialogs").glob("*.yaml"):
        shutil.copy(tree, dialogs)
    (dialogs / "loop.yaml").write_text(SELF_REFERENCE, encoding="utf-8")
    env = cli_env(CATALOG_PATH=str(catalog), DIALOGS_PATH=str(dialogs))
    run = CliRun(["check"], env, tmp_path_factory.mktemp("check-output"))
    yield run, catalog, dialogs
    run.stop()


def test_valo_bot_check_answers_with_one_line_per_bomb(
    check_run: tuple[CliRun, Path, Path],
) -> None:
    run, catalog, dialogs = check_run
    done = run.result()
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Traceback" not in done.stderr, done.stderr
    reason = "anchors and aliases (&name, *name) are not allowed in data files"
    assert done.stdout.splitlines() == [
        f"{dialogs.name}/loop.yaml:3: -: {reason}",  # dialogs are named from their directory
        f"{catalog / 'bomb.yaml'}:1: -: {reason}",
    ]
