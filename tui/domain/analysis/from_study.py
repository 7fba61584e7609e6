"""From the study store to the analysis: one wave's returns, issued forms and population as the
analysis modules take them, and the few study settings an export or report needs.

Used by ``surveydesk export/report/tables`` and the TUI analysis screen alike.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tui.domain.analysis.agreement import WaveReturns
from tui.domain.analysis.disclosure import school_names_of

if TYPE_CHECKING:  # pragma: no cover
    from tui.domain.store import Study


def wave_returns(study: Study, wave: str) -> WaveReturns:
    """The wave's returns (wide), its frozen instrument, issued forms per school x role and stated
    population. Issued forms are None when none were logged for the wave, so response rates fall
    back to the population or to plain counts instead of "31 of 0"."""
    study.refuse_while_publishing()  # a part-published import would count in part
    head = study.audit_head()  # first: the returns read next are at least as new as this head
    record = study.wave(wave)
    cells = study.issued_cells(wave)  # not completeness: counting 100,000 returns in SQL is a third of the read
    issued = cells if cells["issued"].sum() else None
    return WaveReturns(wave=record.name, instrument=record.instrument, wide=study.returns_wide(wave),
                       issued=issued, population=record.population, study_id=study.study_id,
                       study_file=study.file_name, audit_head=str(head) if head else "",
                       label=str(study.setting("label") or ""))


def returns_count(data: WaveReturns) -> int:
    import polars as pl

    return data.wide.filter(pl.col("wave") == data.wave).height


def min_cell(study: Study) -> int:
    """k, the small-cell threshold set for this study (default 5)."""
    return int(study.setting("min_cell"))


def school_names_to_reveal(study: Study, *waves: WaveReturns) -> dict[str, str]:
    """letter -> name for an explicit ``--reveal-school-names``: names in the waves' instruments,
    overridden by the study's secret key (``surveydesk key set``). Never call this otherwise."""
    names: dict[str, str] = {}
    for data in waves:
        names.update(school_names_of(data.instrument))
    names.update(study.school_names())
    return names


def previous_wave(study: Study, wave: str) -> str | None:
    """The wave added just before ``wave``, the natural one to compare it with."""
    names = [w.name for w in study.waves()]
    index = names.index(study.wave(wave).name)
    return names[index - 1] if index > 0 else None
