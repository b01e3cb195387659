"""The command line's failures a person can fix: one line, the right exit code, nothing done.

Each case here used to print a traceback (or, for ``match``, silently answer something else).
The commands run through ``bot.__main__.main``, the console script's entry point; the closed
pipe needs a real process.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import pytest

from bot.__main__ import main
from bot.catalog.vocab import NEED_TAGS, municipalities, wellbeing_counties
from tests.cli_run import cli_env
from tests.conftest import LAUNCHER, REPO

SETTINGS = ("BOT_", "DATABASE_", "REDIS_", "TELEGRAM_", "CATALOG_", "WEB_", "VALO_")


@pytest.fixture
def home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No bot settings from the test's environment; the database in ``tmp_path``."""
    for key in list(os.environ):
        if key.startswith(SETTINGS):
            monkeypatch.delenv(key)
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'valo.db'}")
    return tmp_path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    try:
        code = main(list(argv))
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    out, err = capsys.readouterr()
    return code, out, err


def one_line(err: str) -> str:
    assert "Traceback" not in err
    lines = err.splitlines()
    assert len(lines) == 1, err
    return lines[0]


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("DATABASE_URL", "", "valo-bot: setting DATABASE_URL: empty: leave it unset"),
        ("DATABASE_URL", "valo.db", "valo-bot: setting DATABASE_URL: not a database URL"),
        (
            "DATABASE_URL",
            "postgresql://valo@127.0.0.1/valo",
            "valo-bot: setting DATABASE_URL: postgresql+psycopg is not an async driver",
        ),
        ("WEB_PORT", "99999", "valo-bot: setting WEB_PORT: "),
        ("WEB_PORT", "0", "valo-bot: setting WEB_PORT: "),
        ("BOT_TOKEN", "123456 AAE", "valo-bot: setting BOT_TOKEN: not a bot token"),
    ],
)
def test_check_refuses_a_bad_setting(
    home: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    name: str,
    value: str,
    message: str,
) -> None:
    monkeypatch.setenv(name, value)
    code, out, err = run(capsys, "check")
    assert code == 2
    assert out == ""
    assert one_line(err).startswith(message)


def test_a_postgres_url_without_the_extra_names_the_extra(
    home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "asyncpg", None)  # as if the extra were not installed
    monkeypatch.setenv("DATABASE_URL", "postgresql+asyncpg://valo@127.0.0.1/valo")
    code, _, err = run(capsys, "check")
    assert code == 2
    assert one_line(err) == (
        "valo-bot: setting DATABASE_URL: postgresql+asyncpg needs asyncpg: "
        "pip install -e '.[postgres]'"
    )


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["--municipality", "999"],
            "unknown municipality code '999' "
            "(Statistics Finland's three digits, e.g. 285 for Kotka)",
        ),
        (
            ["--municipality", "Kotka"],
            "unknown municipality code 'Kotka' "
            "(Statistics Finland's three digits, e.g. 285 for Kotka; Kotka is 285)",
        ),
        (
            ["--child-age", "40"],
            "child age 40 is out of range: whole years 0-17 "
            "(use --expecting for a baby on the way)",
        ),
        (["--child-age", "-1"], "child age -1 is out of range"),
        (["--speaks", "xx"], "unknown language code 'xx' (ISO 639-1, two letters"),
        (["--need", "money"], "unknown need tag 'money'; known: pregnancy-baby, "),
    ],
)
def test_match_refuses_what_report_refuses(
    home: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    code, out, err = run(capsys, "match", *argv)
    assert code == 2
    assert out == ""
    assert one_line(err).startswith(f"valo-bot match: {message}")
    assert not (home / "valo.db").exists()  # refused before anything was created


def test_match_and_report_say_the_same_of_an_unknown_municipality(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, _, matched = run(capsys, "match", "--municipality", "999")
    _, _, reported = run(capsys, "report", "--from", "2026-01", "--municipality", "999")
    assert matched.removeprefix("valo-bot match") == reported.removeprefix("valo-bot report")


def test_match_help_lists_need_tags_and_the_regions_municipalities(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(capsys, "match", "--help")
    assert code == 0
    for tag in NEED_TAGS:
        assert tag in out
    for county in wellbeing_counties():
        assert county.name_en in out
        for code_ in county.members:
            assert f"{code_} {municipalities()[code_].name_fi}" in out


def test_readme_municipality_table_is_the_vocabulary() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Municipality codes", 1)[1].split("\n#", 1)[0]
    rows = re.findall(r"^\| `(\d{3})` \| ([^|]+) \| ([^|]+) \|$", section, re.MULTILINE)
    assert [(c, n.strip(), w.strip()) for c, n, w in rows] == [
        (code, municipalities()[code].name_fi, county.name_en)
        for county in wellbeing_counties()
        for code in county.members
    ]
    for tag in NEED_TAGS:
        assert f"`{tag}`" in readme


def test_an_unusable_database_directory_is_named(
    home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (home / "data").write_text("a file where the database directory should be\n")
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{home / 'data' / 'valo.db'}")
    # (match and try are previews that never create a database: report does create one.)
    code, out, err = run(capsys, "report", "--from", "2026-01")
    assert code == 1
    assert out == ""
    assert one_line(err) == f"valo-bot report: {home / 'data'}: a file, where a directory is needed"


def test_report_and_backup_to_an_unwritable_place_name_it(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (home / "afile").write_text("not a directory\n")
    code, _, err = run(capsys, "report", "--from", "2026-01", "--output", f"{home}/afile/r.html")
    assert code == 1
    assert one_line(err) == f"valo-bot report: {home}/afile/r.html: Not a directory"

    code, _, err = run(capsys, "db", "backup", f"{home}/afile/copy.db")
    assert code == 1
    assert one_line(err) == f"valo-bot db backup: {home}/afile: a file, where a directory is needed"

    (home / "adir").mkdir()
    code, _, err = run(capsys, "db", "backup", f"{home}/adir")
    assert code == 1
    assert one_line(err) == f"valo-bot db backup: {home}/adir: Is a directory"
    assert list((home / "adir").iterdir()) == []  # no partial copy left behind


def test_try_with_a_broken_catalogue_lists_the_errors(
    home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    catalog = home / "catalog"
    catalog.mkdir()
    (catalog / "a.yaml").write_text("organizations: []\nservices: 3\n")
    monkeypatch.setenv("CATALOG_PATH", str(catalog))
    code, out, err = run(capsys, "try")
    assert code == 1
    assert out.startswith(f"{catalog / 'a.yaml'}:2: services: ")
    assert one_line(err) == "valo-bot try: fix these first (valo-bot check lists them too)"


def test_resolving_flags_of_an_unknown_card_exits_1(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "catalog", "flags", "--resolve", "nosuch")
    assert code == 1
    assert out == ""
    assert one_line(err) == (
        "valo-bot catalog flags: no card 'nosuch' in the catalogue and no flags on it "
        "(valo-bot catalog flags lists the open ones)"
    )


def test_export_into_a_closed_pipe_exits_quietly(tmp_path: Path) -> None:
    env = cli_env(DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'valo.db'}")
    reader, writer = os.pipe()
    os.close(reader)  # `| head` that has read all it wanted before anything came
    try:
        with open(os.devnull, "rb") as null, (tmp_path / "stderr.txt").open("wb") as err:
            # A process of its own, forked from the session's launcher (see tests.cli_run).
            process = LAUNCHER.spawn(
                ["catalog", "export"],
                env=env,
                cwd=REPO,
                stdin=null.fileno(),
                stdout=writer,
                stderr=err.fileno(),
            )
    finally:
        os.close(writer)
    assert process.wait(60) == 141
    assert (tmp_path / "stderr.txt").read_bytes() == b""
