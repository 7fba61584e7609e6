"""The study subcommands, run as a researcher would from a shell."""

from __future__ import annotations

import subprocess
import sys

from tui.domain.instrument import bundled_instrument_path


def run(study, *args: str, ok: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run([sys.executable, "-m", "tui", "--study", str(study), *args],
                            capture_output=True, text=True, env={"SURVEYDESK_OPERATOR": "RS", "PATH": "/usr/bin"})
    if ok:
        assert result.returncode == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    return result


def test_wave_add_list_status_audit(tmp_path):
    study = tmp_path / "s.db"
    out = run(study, "wave", "add", "2014", "--population", "68", "--opens", "2014-01-06").stdout
    assert "wave 2014 added" in out and "60 statements" in out
    assert "2014" in run(study, "wave", "list").stdout
    status = run(study, "status").stdout
    assert "0 of 68" in status and "not protected by the small-cell rule" in status
    dup = run(study, "wave", "add", "2014", ok=False)
    assert dup.returncode == 1 and "already exists" in dup.stderr
    audit = run(study, "audit").stdout
    assert "RS" in audit and "insert" in audit and "wave 2014" in audit
    assert "audit trail intact" in run(study, "audit", "--verify").stdout


def test_import_command_reports_rows_and_imports_nothing_on_error(tmp_path, bundled):
    study = tmp_path / "s.db"
    run(study, "wave", "add", "2014")
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


def test_missing_study_and_not_a_study(tmp_path):
    result = run(tmp_path / "none.db", "status", ok=False)
    assert result.returncode == 1 and "no study at" in result.stderr
    junk = tmp_path / "junk.db"
    junk.write_text("not sqlite")
    result = run(junk, "wave", "list", ok=False)
    assert "not a SurveyDesk study" in result.stderr


def test_settings_and_key(tmp_path):
    study = tmp_path / "s.db"
    run(study, "wave", "add", "2014", "--instrument", str(bundled_instrument_path()))
    assert "10% of returns" in run(study, "settings", "--second-keying", "10%").stdout
    assert "k) = 3" in run(study, "settings", "--min-cell", "3").stdout
    run(study, "key", "set", "b", "Bexxxxx Primary")
    assert "B = Bexxxxx Primary" in run(study, "key", "list").stdout
    assert "Bexxxxx" not in run(study, "audit").stdout
