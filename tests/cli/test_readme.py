"""The README keeps its promises: two set-up commands first, the second the one CI runs; every
command and screen of the product is reachable from it; every link and picture exists."""

from __future__ import annotations

import re

import pytest

from tests.conftest import ROOT
from tui.app import SurveyDeskApp
from tui.cli import build_parser

README = (ROOT / "README.md").read_text(encoding="utf-8")


def code_blocks(text: str) -> list[str]:
    return re.findall(r"^```[a-z]*\n(.*?)^```", text, flags=re.S | re.M)


def test_readme_starts_with_exactly_two_setup_commands_and_ci_runs_the_second():
    head = README.split("\n---\n", 1)[0]
    blocks = [b.strip() for b in code_blocks(head)]
    assert len(blocks) == 2 and all("\n" not in b for b in blocks)
    install_and_run, install_and_test = blocks
    assert install_and_run.startswith("python3.11 -m venv .venv && ") and "surveydesk" in install_and_run
    assert install_and_test.startswith("python3.11 -m venv .venv && ") and "pytest" in install_and_test
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert install_and_test in ci.splitlines()


def test_every_subcommand_and_screen_is_in_the_readme():
    parser = build_parser()
    (commands,) = [a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction"]
    for name in commands.choices:
        assert f"surveydesk {name}" in README, name
    for key, _mode, label in SurveyDeskApp.MODE_KEYS:
        assert f"`{key.upper()}` | {label}" in README, label


def test_every_key_of_the_analysis_screen_is_in_its_readme_section():
    """Found missing once: n, w and ctrl+r, and g listed a grouping (role) it does not step through."""
    from tui.domain.analysis import GROUPINGS, grouping_name
    from tui.domain.analysis.agreement import grouping_title
    from tui.screens.analysis import AnalysisScreen

    section = README[README.index("### Analysis (F5)"):README.index("### Designing instruments")]
    for binding in AnalysisScreen.BINDINGS:
        assert f"`{binding.key}`" in section, binding.key
    steps = ", ".join(grouping_title(grouping_name(by)) for by in GROUPINGS)  # in the order g steps
    assert f"`g` grouping ({steps})" in section


def test_every_relative_link_and_picture_exists():
    targets = re.findall(r"\]\(([^)#]+)\)", README)
    assert any(t.startswith("docs/images/") for t in targets)
    for target in targets:
        if "://" not in target:
            assert (ROOT / target).exists(), target


def test_every_serial_in_the_docs_passes_its_check_digit():
    from tui.domain.returns import SerialError, parse_serial

    # Serials shown on purpose as wrong: a specimen's, and one the text says fails.
    wrong_on_purpose = re.compile(r"serial `0000000`|serial \d{7} fails its check digit")
    pages = [ROOT / "README.md", ROOT / "instruments" / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    checked = 0
    for page in pages:
        text = wrong_on_purpose.sub("", page.read_text(encoding="utf-8"))
        for serial in re.findall(r"(?<![\d.#])\d{7}(?!\d)", text):
            try:
                parse_serial(serial)
            except SerialError as exc:
                raise AssertionError(f"{page.name}: {exc}") from None
            checked += 1
    assert checked >= 10


@pytest.mark.slow
def test_the_python_examples_run_on_the_demo_study(tmp_path, monkeypatch, bundled):
    """Every ```python block of the README runs as written, against the demo study it opens, and what
    it calls a release is the protected table: the example cannot drift from the API."""
    from tui.domain.demo import build_demo

    blocks = re.findall(r"^```python\n(.*?)^```", README, flags=re.S | re.M)
    assert blocks, "the README has no Python example"
    monkeypatch.chdir(tmp_path)
    build_demo(tmp_path / "surveydesk-demo.db", bundled).close()
    for block in blocks:
        names: dict[str, object] = {}
        exec(compile(block, "README.md", "exec"), names)  # noqa: S102 - the README's own example
        study = names.get("study")
        if study is not None:
            study.close()  # type: ignore[attr-defined]
    # What the example calls unprotected and released are what it says.
    table, safe = names["table"], names["safe"]
    assert "suppressed" not in table.columns and "suppressed" in safe.columns  # type: ignore[attr-defined]
