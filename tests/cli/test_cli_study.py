"""The study subcommands, run as a researcher would from a shell, on an SQLite file and on a
PostgreSQL database (``study_location``)."""

from __future__ import annotations

from tests.cli_runner import Result, surveydesk


def run(study, *args: str, ok: bool = True) -> Result:
    return surveydesk("--study", study, *args, ok=True if ok else None)


def test_wave_add_refuses_an_instrument_with_an_incomplete_statement(tmp_path):
    study = tmp_path / "s.db"
    refused = run(study, "wave", "add", "2014", ok=False)
    assert refused.returncode == 1
    assert "wave 2014 not added: Partnership Survey Form 2015: 1 statement is marked incomplete: HSC A5" in refused.stderr
    assert "Builder (F6" in refused.stderr and "delete `incomplete = true`" in refused.stderr
    assert not study.exists() or "2014" not in run(study, "wave", "list").stdout


def test_wave_add_list_status_audit(study_location, printable_file):
    study = study_location
    out = run(study, "wave", "add", "2014", "--population", "68", "--opens", "2014-01-06",
              "--instrument", str(printable_file)).stdout
    assert "wave 2014 added" in out and "60 statements" in out
    assert "2014" in run(study, "wave", "list").stdout
    status = run(study, "status").stdout
    assert "0 of 68" in status and "Response rates are returns of the people asked" in status
    assert "not protected by the small-cell rule" in status
    dup = run(study, "wave", "add", "2014", "--instrument", str(printable_file), ok=False)
    assert dup.returncode == 1 and "already exists" in dup.stderr
    audit = run(study, "audit").stdout
    assert "RS" in audit and "insert" in audit and "wave 2014" in audit
    assert "audit trail intact" in run(study, "audit", "--verify").stdout


def test_import_command_reports_rows_and_imports_nothing_on_error(study_location, tmp_path, bundled,
                                                                 printable_file):
    study = study_location
    run(study, "wave", "add", "2014", "--instrument", str(printable_file))
    csv = tmp_path / "r.csv"
    header = "wave,participant_code," + ",".join(bundled.codes())
    csv.write_text(header + "\n2014,A2" + ",1" * 60 + "\n2014,Q2" + ",0" * 60 + "\n", encoding="utf-8")
    bad = run(study, "import", str(csv), ok=False)
    assert bad.returncode == 1
    assert "row 3, column 'participant_code'" in bad.stderr and "Nothing was imported" in bad.stderr
    csv.write_text(header + "\n2014,A2" + ",1" * 60 + "\n", encoding="utf-8")
    assert "imported 1 returns" in run(study, "import", str(csv)).stdout
    assert "1 of 1, 100%" not in run(study, "status").stdout  # no forms issued: rate is against population
    assert "│ 1 " in run(study, "status").stdout
    again = run(study, "import", str(csv), ok=False)  # the same file twice: refused, with the count
    assert again.returncode == 1 and "were imported already: 1 of its 1 returns are stored" in again.stderr
    assert "Nothing was imported" in again.stderr
    assert "imported 1 returns" in run(study, "import", str(csv), "--again").stdout


def test_missing_study_and_not_a_study(tmp_path):
    result = run(tmp_path / "none.db", "status", ok=False)
    assert result.returncode == 1 and "no study at" in result.stderr
    junk = tmp_path / "junk.db"
    junk.write_text("not sqlite")
    result = run(junk, "wave", "list", ok=False)
    assert "not a SurveyDesk study" in result.stderr


def test_settings_and_key(study_location, printable_file):
    study = study_location
    run(study, "wave", "add", "2014", "--instrument", str(printable_file))
    assert "10% of returns" in run(study, "settings", "--second-keying", "10%").stdout
    assert "k) = 3" in run(study, "settings", "--min-cell", "3").stdout
    run(study, "key", "set", "b", "Bexxxxx Primary")
    assert "B = Bexxxxx Primary" in run(study, "key", "list").stdout
    assert "Bexxxxx" not in run(study, "audit").stdout
