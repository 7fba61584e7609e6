"""docs/stations.md: its surveydesk commands run as written, against databases on the test server
(with a complete instrument file: the bundled instrument has a statement marked incomplete)."""

from __future__ import annotations

import re
import shlex

from tests.backends import create_database, drop_database
from tests.cli.test_readme import code_blocks
from tests.conftest import ROOT
from tui.cli import main
from tui.domain.store import Study

DOC = (ROOT / "docs" / "stations.md").read_text(encoding="utf-8")
PLACEHOLDER = "postgresql://surveydesk@dbserver.example.org/partnership2015"


def commands(section: str) -> list[list[str]]:
    """The `surveydesk SUBCOMMAND ...` lines of a section's code blocks (not the app itself)."""
    text = DOC.split(f"## {section}", 1)[1].split("\n## ", 1)[0]
    lines = [line for block in code_blocks(text) for line in block.splitlines() if line.startswith("surveydesk ")]
    return [shlex.split(line)[1:] for line in lines]


def run(argv: list[str], url: str, instrument) -> None:
    argv = ["--instrument", str(instrument), *(url if a == PLACEHOLDER else a for a in argv)]
    assert main(argv) == 0, argv


def test_the_setup_commands_run_on_an_empty_database(printable_file, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    url = create_database()
    try:
        steps = commands("Setting up PostgreSQL")
        assert [s[2] for s in steps] == ["wave", "status"]
        for argv in steps:
            run(argv, url, printable_file)
        assert re.search(r"2015\s.*68", capsys.readouterr().out)
    finally:
        drop_database(url)


def test_the_copy_commands_run_both_ways(bundled, printable_file, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    with Study.open("surveydesk.db") as study:
        study.add_wave("2015", bundled, operator="RS")
    url = create_database()
    try:
        steps = commands("Moving a study")
        assert [s[:2] for s in steps] == [["study", "copy"]] * 2
        for argv in steps:
            run(argv, url, printable_file)
        out = capsys.readouterr().out
        assert out.count("returns_wide identical for every wave (2015)") == 2
        assert (tmp_path / "backup-2015-03-02.db").exists()
    finally:
        drop_database(url)
