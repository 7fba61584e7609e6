"""The disclosure audit of a wave's release: for every withheld figure, the narrowest range that
everything released for the wave pins it to, by linear programming.

What the LP knows (``WaveRelease.model``): every shown count (returns per cell, n per cell and
bank), every shown highlighted count of the statement, and the bounds 0 <= highlighted <= n <= returns
for every school x role cell. Counts are checked together across all banks; each statement's
figures are checked together with all counts. The release passes when no withheld figure is pinned
to one value, except where a shown cell containing it stands at 0 % or 100 % (by design: a
published "nobody" or "everyone" says each member's answer).
"""

from __future__ import annotations

from dataclasses import dataclass

from tui.domain.analysis.agreement import AnalysisError
from tui.domain.analysis.disclosure import (
    FIGURES,
    HIGHLIGHTED,
    NOT_HIGHLIGHTED,
    RESPONDENTS,
    RETURNED,
    WaveRelease,
)
from tui.domain.analysis.lp import integer_ranges


@dataclass(frozen=True)
class CellRange:
    """One withheld figure and the narrowest range the release pins it to."""

    layer: str  # returned, n, highlighted or not highlighted (n - highlighted, where n is withheld)
    group: str  # "School A · Governor"
    bank: str | None
    code: str | None  # the statement, for highlighted counts
    low: int
    high: int | None  # None: no upper bound from what is released
    exempt: bool  # pinned only because a shown group containing it is at 0 % or 100 %
    value: int  # the true figure (for tests; never printed)

    @property
    def width(self) -> float:
        return float("inf") if self.high is None else self.high - self.low

    @property
    def pinned(self) -> bool:
        return self.high == self.low

    def describe(self) -> str:
        what = {RETURNED: "returns", RESPONDENTS: f"n for {self.bank}", HIGHLIGHTED: f"highlighted {self.code}",
                NOT_HIGHLIGHTED: f"did not highlight {self.code}"}[self.layer]
        high = "no upper bound" if self.high is None else str(self.high)
        span = f"pinned to {self.low}" if self.pinned else f"{self.low}–{high}"
        return f"{self.group}, {what}: {span}" + (" (a shown group containing it is at 0% or 100%)"
                                                   if self.exempt else "")


@dataclass(frozen=True)
class AuditResult:
    wave: str
    k: int
    ranges: tuple[CellRange, ...]

    @property
    def failures(self) -> tuple[CellRange, ...]:
        return tuple(r for r in self.ranges if r.pinned and not r.exempt)

    @property
    def passed(self) -> bool:
        return not self.failures

    def narrowest(self, count: int = 10) -> list[CellRange]:
        """Withheld figures by the width of their range, narrowest first (exempt ones last)."""
        return sorted(self.ranges, key=lambda r: (r.exempt, r.width, r.layer, r.group))[:count]


def audit(release: WaveRelease) -> AuditResult:
    """The range of every withheld figure of the release, from everything it shows."""
    count_state, figure_state = release.count_state, release.figure_state
    by_part: dict[int | None, list[tuple[str, int, int]]] = {}
    for target in release.targets(count_state, figure_state):
        by_part.setdefault(target[2] if target[0] in FIGURES else None, []).append(target)
    found: list[CellRange] = []
    for part, targets in by_part.items():
        poly, columns = release.model(count_state, figure_state, part)
        parts = [columns(t) for t in targets]
        caps = [release.cap(t, count_state, figure_state) - known for t, (_c, known, _v) in zip(targets, parts,
                                                                                               strict=True)]
        ranges = integer_ranges(poly, [p[0] for p in parts], caps)
        for (layer, cell, where), (_cols, known, value), (low, high) in zip(targets, parts, ranges, strict=True):
            states = figure_state[int(release.bank_of[where])] if layer in FIGURES else count_state
            bank = (release.banks[where] if layer == RESPONDENTS else
                    release.banks[int(release.bank_of[where])] if layer in FIGURES else None)
            found.append(CellRange(
                layer=layer, group=release.labels[cell], bank=bank,
                code=release.codes[where] if layer in FIGURES else None,
                low=low + known, high=None if high is None else high + known,
                exempt=low == high and release.exempt(layer, cell, where, states, count_state),
                value=value))
    return AuditResult(release.wave, release.k, tuple(found))


class ReleaseRefused(AnalysisError):
    """A release the audit fails: nothing is written."""


def require_pass(release: WaveRelease) -> AuditResult:
    """The audit, raising ReleaseRefused (naming the first pinned figure) when it fails."""
    result = audit(release)
    if not result.passed:
        first = result.failures[0]
        raise ReleaseRefused(f"wave {release.wave}: the disclosure check failed ({len(result.failures)} withheld "
                             f"figure(s) can be worked out exactly, e.g. {first.describe()}); nothing was written. "
                             f"Run `surveydesk disclosure-check --wave {release.wave}`")
    return result
