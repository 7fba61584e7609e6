"""`surveydesk validate` and `surveydesk show`, run as a person would run them."""

from __future__ import annotations

from tests.cli_runner import Result, surveydesk
from tui.cli import main
from tui.domain.instrument import bundled_instrument_path


def run(*args: str) -> Result:
    return surveydesk(*args, ok=None)


def test_validate_bundled_reports_sixty_statements():
    result = run("validate", str(bundled_instrument_path()))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "valid" in result.stdout and "60 statements" in result.stdout
    assert "JPD 13, HSC 18, CMP 8, E&C 10, AA 11" in result.stdout


def test_validate_bad_file_prints_file_line_message_and_fails(tmp_path):
    bad = tmp_path / "bad.toml"
    text = bundled_instrument_path().read_text(encoding="utf-8").replace('abbreviation = "HSC"', 'abbreviation = "JPD"')
    bad.write_text(text, encoding="utf-8")
    result = run("validate", str(bad))
    assert result.returncode == 1
    line = text.splitlines().index('abbreviation = "JPD"', text.splitlines().index('abbreviation = "JPD"') + 1) + 1
    assert f"{bad}:{line}: duplicate bank abbreviation 'JPD'" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_validate_garbage_never_tracebacks(tmp_path):
    for name, content in {"empty.toml": b"", "bin.toml": b"\x00\xff\xfe", "junk.toml": b"[[[\n= = ="}.items():
        path = tmp_path / name
        path.write_bytes(content)
        result = run("validate", str(path))
        assert result.returncode == 1
        assert result.stdout.startswith(f"{path}:"), result.stdout
        assert "Traceback" not in result.stdout + result.stderr
    result = run("validate", str(tmp_path / "missing.toml"))
    assert result.returncode == 1 and "no such file" in result.stdout


def test_show_prints_codes_and_stage_labels(capsys):
    assert main(["show", "--bank", "JPD"]) == 0
    out = capsys.readouterr().out
    assert "JPD C1" in out and "JPD 8" in out and "Embedding" in out and "negative" in out


def test_help_lists_subcommands():
    result = run("--help")
    assert result.returncode == 0
    for command in ("validate", "show"):
        assert command in result.stdout
