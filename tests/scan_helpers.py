"""A small study with printed forms, and synthetic scans of them, for the scan tests."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from tui.domain.paper import issue_batch, plan_from_codes
from tui.domain.store import Study


@dataclass
class Printed:
    study: Study
    pdf: Path
    serials: list[str]
    geometry: dict
    per_copy: int

    def pages(self) -> list[tuple[str, int]]:
        return [(s, p) for s in self.serials for p in range(1, self.per_copy + 1)]


def printed_study(tmp_path: Path, instrument, codes: str = "E5,E4") -> Printed:
    study = Study.open(tmp_path / "study.db")
    study.add_wave("2015", instrument, operator="RS")
    study.set_setting("second_keying_share", 0.0, operator="RS")
    result = issue_batch(study, "2015", plan_from_codes(codes, instrument.key), operator="RS",
                         exports=tmp_path / "exports")
    (school_file,) = result.files.files
    geometry = json.loads(study.form_layouts("2015")[0].geometry)
    serials = [f.serial for f in school_file.forms]
    return Printed(study, school_file.path, serials, geometry, len(geometry["pages"]))
