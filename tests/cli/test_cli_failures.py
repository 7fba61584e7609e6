"""One way to fail: every subcommand given a folder, a missing file or an unreadable file as
--study, --instrument or its own file argument says so in one line and exits 1; no traceback."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

import pytest

from tests.cli_runner import assert_one_line, surveydesk
from tui.cli import build_parser
from tui.domain.instrument import bundled_instrument_path
from tui.domain.store import Study

# Each subcommand with arguments that would work on a good study; FILE is where a file goes.
COMMANDS = {
    "validate": ["validate", "FILE"],
    "show": ["show", "FILE"],
    "wave add": ["wave", "add", "2016", "--instrument", "PRINTABLE"],
    "wave set": ["wave", "set", "2014", "--contact", "Rachel Smith"],
    "wave list": ["wave", "list"],
    "import": ["import", "FILE"],
    "audit": ["audit"],
    "status": ["status"],
    "operators": ["operators"],
    "key set": ["key", "set", "A", "Alder Primary"],
    "key list": ["key", "list"],
    "settings": ["settings"],
    "print": ["print", "--wave", "2014", "--codes", "A2"],
    "export": ["export"],
    "report": ["report"],
    "tables": ["tables"],
    "disclosure-check": ["disclosure-check"],
    "diff": ["diff", "INSTRUMENT", "FILE"],
    "demo": ["demo", "--no-open"],
    "scan": ["scan", "FILE", "--dry-run"],
    "study copy": ["study", "copy", "FILE", "TARGET"],  # FILE: the study copied from
    "backup": ["backup", "TARGET"],
}
# Commands that create the study they are given when it does not exist yet.
CREATE_STUDY = {"wave add", "demo"}
STUDY_FREE = {"validate", "show", "diff", "study copy"}  # never open --study
USES_INSTRUMENT = {"show", "wave add", "demo"}  # read --instrument (others read the study's frozen copy)


def subcommands() -> list[str]:
    names = []

    def walk(parser: argparse.ArgumentParser, prefix: list[str]) -> None:
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    walk(sub, [*prefix, name])
                return
        names.append(" ".join(prefix))

    walk(build_parser(), [])
    return names


def test_the_table_names_every_subcommand():
    assert sorted(COMMANDS) == sorted(subcommands())


@pytest.fixture
def bad(tmp_path) -> dict[str, Path]:
    folder = tmp_path / "folder"
    folder.mkdir()
    loop = tmp_path / "loop"
    loop.symlink_to(loop)  # unreadable for anyone, root included: ELOOP
    paths = {"folder": folder, "missing": tmp_path / "missing.db", "unreadable": loop}
    if os.geteuid() != 0:  # root reads a mode-000 file anyway
        locked = tmp_path / "locked"
        locked.write_bytes(b"SQLite format 3\x00")
        locked.chmod(0)
        paths["no-permission"] = locked
    return paths


def _argv(command: str, file: Path | str, printable: Path | None, target: Path) -> list[str]:
    """The command's arguments; printable=None leaves out its own --instrument (the global one is tested);
    target: a new file for a command that writes one (study copy)."""
    argv = list(COMMANDS[command])
    if printable is None and "PRINTABLE" in argv:
        del argv[argv.index("PRINTABLE") - 1: argv.index("PRINTABLE") + 1]
    good = {"FILE": str(file), "INSTRUMENT": str(bundled_instrument_path()), "PRINTABLE": str(printable),
            "TARGET": str(target)}
    return [good.get(a, a) for a in argv]


def _lanes(commands, slow: set[str]) -> list:
    """The commands in order; those that run a whole export or report (seconds each) out of the fast lane."""
    return [pytest.param(c, marks=pytest.mark.slow) if c in slow else c for c in sorted(commands)]


@pytest.mark.parametrize("command", _lanes(COMMANDS, slow={"demo"}))
def test_bad_study(tmp_path, bad, command, printable_file):
    good_file = {"import": str(tmp_path / "returns.csv"), "study copy": str(tmp_path / "good.db")}.get(
        command, str(bundled_instrument_path()))
    (tmp_path / "returns.csv").write_text("wave,participant_code\n", encoding="utf-8")
    Study.open(tmp_path / "good.db").close()
    for kind, path in bad.items():
        argv = _argv(command, good_file, printable_file, tmp_path / f"copy-{kind}.db")
        result = surveydesk("--study", path, *argv, cwd=tmp_path, ok=None)
        if command in STUDY_FREE or (kind == "missing" and command in CREATE_STUDY):
            assert result.returncode == 0, (kind, result)
            continue
        assert result.returncode == 1, (kind, result)
        assert_one_line(result.stderr, f"{command} --study {kind}: {result}")
        assert str(path.name) in result.stderr, (kind, result.stderr)


@pytest.mark.parametrize("command", _lanes(COMMANDS, slow={"disclosure-check", "export", "report", "tables"}))
def test_bad_instrument_and_file_arguments(analysis_study, bad, command):
    study, tmp_path = analysis_study, analysis_study.parent
    for kind, path in bad.items():
        # the bad path as --instrument, and as the command's own file argument where it has one
        argv = ["--study", str(study), "--instrument", str(path),
                *_argv(command, path, None, tmp_path / f"copy-{kind}.db")]
        if command == "demo":
            argv[1] = str(tmp_path / f"demo-{kind}.db")
        result = surveydesk(*argv, cwd=tmp_path, ok=None)
        if command not in USES_INSTRUMENT and "FILE" not in COMMANDS[command]:
            # --instrument is not read: whatever the command says, it is not about that path
            assert result.returncode == 0 or str(path) not in result.stderr, (kind, result)
            continue
        assert result.returncode == 1, (kind, result)
        if command == "validate":  # validate reports as FILE: message on stdout, like every problem
            assert result.stdout.strip() == f"{path}: " + result.stdout.strip().split(": ", 1)[1]
            continue
        assert_one_line(result.stderr, f"{command} {kind}: {result}")
        assert str(path.name) in result.stderr, (kind, result.stderr)


# --- messages that agree with the rest ----------------------------------------------------------


def test_audit_of_an_unknown_wave_is_refused(analysis_study):
    result = surveydesk("--study", analysis_study, "audit", "--wave", "2099", ok=False)
    assert "no wave named '2099'" in result.stderr and "2014, 2015" in result.stderr


def test_key_set_refuses_a_school_the_instrument_lacks(analysis_study):
    result = surveydesk("--study", analysis_study, "key", "set", "Q", "Quarry Lane", ok=False)
    assert "school Q is not in the instrument's key (schools: A, B, C, D, E)" in result.stderr
    surveydesk("--study", analysis_study, "key", "set", "Q", "")  # removing a name is always allowed
    assert "Quarry" not in surveydesk("--study", analysis_study, "key", "list").stdout


def test_a_missing_file_is_named_without_a_line_or_row_number(tmp_path, printable_file):
    result = surveydesk("validate", tmp_path / "missing.toml", cwd=tmp_path, ok=None)
    assert result.returncode == 1 and result.stdout.strip() == f"{tmp_path / 'missing.toml'}: no such file"
    surveydesk("--study", "s.db", "wave", "add", "2014", "--instrument", printable_file, cwd=tmp_path)
    result = surveydesk("--study", "s.db", "import", "missing.csv", cwd=tmp_path, ok=False)
    assert result.stderr.strip() == "surveydesk: missing.csv: no such file. Nothing was imported."


def test_status_rounds_half_up_like_the_tables(tmp_path, bundled):
    from tui.domain.demo import new_returns, synthetic_returns
    from tui.domain.store import Study

    with Study.open(tmp_path / "s.db") as study:
        study.add_wave("2014", bundled, operator="RS", population=8)
        study.save_returns(new_returns(synthetic_returns(bundled, 1, wave="2014", seed=1), bundled), operator="RS")
    assert "1 of 8, 13%" in surveydesk("--study", tmp_path / "s.db", "status").stdout  # 12.5 -> 13, not 12
