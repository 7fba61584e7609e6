"""What changed between two versions of an instrument, matched by stable id, never by position.

``match_statements`` pairs each statement of the old version with the same statement (same
id) in the new one: the analysis compares waves that used different versions through it.
``diff_instruments`` lists the changes a researcher needs to know about: banks added,
removed, renamed or moved; statements added, removed, moved (the researcher put it
elsewhere), renumbered (its code changed only because others came or went before it),
reworded, or with the negative flag changed; stage labels and the participant key.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tui.domain.instrument.model import SECTION_LETTERS, Bank, Instrument, RoleGroup, StatementRef

# Kinds of change, in the order they are listed.
VERSION = "version"
TITLE = "title"
INSTRUCTIONS = "instructions"
STAGE = "stage"
SCHOOL_ADDED, SCHOOL_REMOVED, SCHOOL_NAME = "school added", "school removed", "school renamed"
ROLE_ADDED, ROLE_REMOVED, ROLE_RELABELLED = "role added", "role removed", "role relabelled"
GROUP_ADDED, GROUP_REMOVED, GROUP_CHANGED = "group added", "group removed", "group changed"
BANK_ADDED, BANK_REMOVED = "bank added", "bank removed"
RENAMED = "renamed"
BANK_MOVED = "bank moved"
DIMENSION, RUBRIC = "dimension", "rubric"
ADDED, REMOVED, MOVED, RENUMBERED, REWORDED, NEGATIVE = (
    "added", "removed", "moved", "renumbered", "reworded", "negative")


def _quote(text: str) -> str:
    return '"' + " ".join(text.split()).replace('"', '\\"') + '"'


@dataclass(frozen=True)
class Change:
    """One change, printed as ``kind  subject (id): detail``."""

    kind: str
    subject: str
    id: str = ""
    old: str = ""
    new: str = ""
    detail: str = ""

    def __str__(self) -> str:
        line = f"{self.kind}  {self.subject}"
        if self.id:
            line += f" ({self.id})"
        if self.detail:
            line += f": {self.detail}"
        return line


@dataclass(frozen=True)
class StatementMatch:
    """The same statement (same id) in the old and the new version; one side is None if absent."""

    id: str
    old: StatementRef | None
    new: StatementRef | None


@dataclass(frozen=True)
class InstrumentDiff:
    old: Instrument
    new: Instrument
    changes: tuple[Change, ...]
    matches: tuple[StatementMatch, ...] = field(repr=False)

    @property
    def code_map(self) -> dict[str, str]:
        """Old statement id -> its code in the new version (statements in both versions)."""
        return {m.id: m.new.code for m in self.matches if m.old is not None and m.new is not None}

    @property
    def added_ids(self) -> list[str]:
        return [m.id for m in self.matches if m.old is None]

    @property
    def removed_ids(self) -> list[str]:
        return [m.id for m in self.matches if m.new is None]

    def of_kind(self, kind: str) -> list[Change]:
        return [c for c in self.changes if c.kind == kind]

    def __bool__(self) -> bool:
        return bool(self.changes)

    def lines(self) -> list[str]:
        return [str(c) for c in self.changes]


def match_statements(old: Instrument, new: Instrument) -> list[StatementMatch]:
    """Every statement of either version, paired by id: new order first, then the removed ones."""
    old_refs = {r.statement.id: r for r in old.refs()}
    new_refs = {r.statement.id: r for r in new.refs()}
    matches = [StatementMatch(i, old_refs.get(i), ref) for i, ref in new_refs.items()]
    matches += [StatementMatch(i, ref, None) for i, ref in old_refs.items() if i not in new_refs]
    return matches


def _lcs(a: list[str], b: list[str]) -> set[str]:
    """The items of the longest common subsequence: the ones that kept their relative order."""
    m, n = len(a), len(b)
    table = [[0] * (n + 1) for _ in range(m + 1)]
    for i in range(m - 1, -1, -1):
        for j in range(n - 1, -1, -1):
            table[i][j] = table[i + 1][j + 1] + 1 if a[i] == b[j] else max(table[i + 1][j], table[i][j + 1])
    kept: set[str] = set()
    i = j = 0
    while i < m and j < n:
        if a[i] == b[j]:
            kept.add(a[i])
            i, j = i + 1, j + 1
        elif table[i + 1][j] >= table[i][j + 1]:
            i += 1
        else:
            j += 1
    return kept


def _instrument_changes(old: Instrument, new: Instrument) -> list[Change]:
    out: list[Change] = []
    if old.version != new.version:
        out.append(Change(VERSION, f"{old.version} -> {new.version}", old=old.version, new=new.version))
    if old.title != new.title:
        out.append(Change(TITLE, f"{_quote(old.title)} -> {_quote(new.title)}", old=old.title, new=new.title))
    if old.instructions.strip() != new.instructions.strip():
        out.append(Change(INSTRUCTIONS, "the instructions printed on the first page were changed"))
    for letter in SECTION_LETTERS:
        before, after = old.stages.get(letter, ""), new.stages.get(letter, "")
        if before != after:
            out.append(Change(STAGE, f"section {letter}", detail=f"{_quote(before)} -> {_quote(after)}",
                              old=before, new=after))
    return out


def _key_changes(old: Instrument, new: Instrument) -> list[Change]:
    out: list[Change] = []
    old_schools = {s.letter: s for s in old.key.schools}
    new_schools = {s.letter: s for s in new.key.schools}
    out += [Change(SCHOOL_ADDED, letter) for letter in new_schools if letter not in old_schools]
    out += [Change(SCHOOL_REMOVED, letter) for letter in old_schools if letter not in new_schools]
    # School names are the researcher's secret: say that one changed, never what it is.
    out += [Change(SCHOOL_NAME, letter, detail="secret name changed") for letter, s in new_schools.items()
            if letter in old_schools and old_schools[letter].name != s.name]
    old_roles = {r.digit: r.label for r in old.key.roles}
    new_roles = {r.digit: r.label for r in new.key.roles}
    out += [Change(ROLE_ADDED, str(d), detail=_quote(label)) for d, label in new_roles.items()
            if d not in old_roles]
    out += [Change(ROLE_REMOVED, str(d), detail=_quote(label)) for d, label in old_roles.items()
            if d not in new_roles]
    out += [Change(ROLE_RELABELLED, str(d), detail=f"{_quote(old_roles[d])} -> {_quote(label)}",
                   old=old_roles[d], new=label)
            for d, label in new_roles.items() if d in old_roles and old_roles[d] != label]
    old_groups = {g.name: g for g in old.key.groups}
    new_groups = {g.name: g for g in new.key.groups}

    def roles(g: RoleGroup) -> str:
        return " ".join(str(d) for d in g.roles) or "none"

    out += [Change(GROUP_ADDED, name, detail=f"roles {roles(g)}") for name, g in new_groups.items()
            if name not in old_groups]
    out += [Change(GROUP_REMOVED, name) for name in old_groups if name not in new_groups]
    out += [Change(GROUP_CHANGED, name, detail=f"roles {roles(old_groups[name])} -> {roles(g)}")
            for name, g in new_groups.items()
            if name in old_groups and old_groups[name].roles != g.roles]
    return out


def _bank_subject(bank: Bank) -> str:
    return f"bank {bank.abbreviation}"


def _bank_changes(old: Instrument, new: Instrument) -> dict[str, list[Change]]:
    """Changes to banks themselves, keyed by bank id (removed banks under their old id)."""
    out: dict[str, list[Change]] = {}
    old_banks = {b.id: (i, b) for i, b in enumerate(old.banks)}
    new_banks = {b.id: (i, b) for i, b in enumerate(new.banks)}
    kept = _lcs([b.id for b in old.banks if b.id in new_banks], [b.id for b in new.banks if b.id in old_banks])
    for bank_id, (i, bank) in new_banks.items():
        changes = out.setdefault(bank_id, [])
        if bank_id not in old_banks:
            changes.append(Change(BANK_ADDED, _bank_subject(bank), bank_id,
                                  detail=f"{_quote(bank.title)}, {bank.statement_count} statements"))
            continue
        j, before = old_banks[bank_id]
        if before.abbreviation != bank.abbreviation:
            changes.append(Change(RENAMED, f"bank {before.abbreviation} -> {bank.abbreviation}", bank_id,
                                  old=before.abbreviation, new=bank.abbreviation))
        if before.title != bank.title:
            changes.append(Change(RENAMED, _bank_subject(bank), bank_id, old=before.title, new=bank.title,
                                  detail=f"{_quote(before.title)} -> {_quote(bank.title)}"))
        if bank_id not in kept:
            changes.append(Change(BANK_MOVED, _bank_subject(bank), bank_id,
                                  detail=f"place {j + 1} -> {i + 1}", old=str(j + 1), new=str(i + 1)))
        if before.dimension != bank.dimension:
            changes.append(Change(DIMENSION, _bank_subject(bank), bank_id,
                                  detail=f"{_quote(before.dimension)} -> {_quote(bank.dimension)}"))
        if before.rubric.strip() != bank.rubric.strip():
            changes.append(Change(RUBRIC, _bank_subject(bank), bank_id, detail="the rubric was changed"))
        for letter in SECTION_LETTERS:
            was, now = old.stage_label(before, letter), new.stage_label(bank, letter)
            # An instrument-wide change is reported once, not for every bank.
            follows = letter not in before.stages and letter not in bank.stages
            if was != now and not follows:
                changes.append(Change(STAGE, f"{bank.abbreviation} section {letter}", bank_id,
                                      detail=f"{_quote(was)} -> {_quote(now)}", old=was, new=now))
    for bank_id, (_, bank) in old_banks.items():
        if bank_id not in new_banks:
            out.setdefault(bank_id, []).append(
                Change(BANK_REMOVED, _bank_subject(bank), bank_id,
                       detail=f"{_quote(bank.title)}, {bank.statement_count} statements"))
    return out


def _statement_changes(matches: list[StatementMatch]) -> dict[str, list[Change]]:
    """Changes to statements, keyed by the id of the bank they are listed under."""
    out: dict[str, list[Change]] = {}

    def home(ref: StatementRef) -> tuple[str, str]:
        return ref.bank.id, ref.section.letter

    # Per section, the statements that stayed in it and kept their order relative to each other
    # are not "moved", even if their code changed because others came or went before them.
    same_home = [(m.id, m.old, m.new) for m in matches
                 if m.old is not None and m.new is not None and home(m.old) == home(m.new)]
    in_order: set[str] = set()
    for place in {home(new) for _, _, new in same_home}:
        here = [s for s in same_home if home(s[2]) == place]
        in_order |= _lcs([ident for ident, _, _ in sorted(here, key=lambda s: s[1].running)],
                         [ident for ident, _, _ in sorted(here, key=lambda s: s[2].running)])

    for m in matches:
        if m.old is None:
            assert m.new is not None
            out.setdefault(m.new.bank.id, []).append(
                Change(ADDED, m.new.code, m.id, new=m.new.code, detail=_quote(m.new.statement.text)))
            continue
        if m.new is None:
            out.setdefault(m.old.bank.id, []).append(
                Change(REMOVED, m.old.code, m.id, old=m.old.code, detail=_quote(m.old.statement.text)))
            continue
        changes = out.setdefault(m.new.bank.id, [])
        if m.id not in in_order:
            changes.append(Change(MOVED, f"{m.old.code} -> {m.new.code}", m.id, old=m.old.code, new=m.new.code))
        elif m.old.local_code != m.new.local_code:
            changes.append(Change(RENUMBERED, f"{m.old.code} -> {m.new.code}", m.id,
                                  old=m.old.code, new=m.new.code))
        if " ".join(m.old.statement.text.split()) != " ".join(m.new.statement.text.split()):
            changes.append(Change(REWORDED, m.new.code, m.id, old=m.old.statement.text, new=m.new.statement.text,
                                  detail=f"{_quote(m.old.statement.text)} -> {_quote(m.new.statement.text)}"))
        if m.old.statement.negative != m.new.statement.negative:
            now = "now negatively worded" if m.new.statement.negative else "no longer negatively worded"
            changes.append(Change(NEGATIVE, m.new.code, m.id, detail=now))
    return out


def diff_instruments(old: Instrument, new: Instrument) -> InstrumentDiff:
    matches = match_statements(old, new)
    bank_changes = _bank_changes(old, new)
    statement_changes = _statement_changes(matches)
    changes = _instrument_changes(old, new) + _key_changes(old, new)
    # Bank by bank in the new order, then banks that were removed.
    order = [b.id for b in new.banks] + [b.id for b in old.banks if b.id not in {n.id for n in new.banks}]
    for bank_id in order:
        changes += bank_changes.get(bank_id, []) + statement_changes.get(bank_id, [])
    return InstrumentDiff(old, new, tuple(changes), tuple(matches))


def summary_line(diff: InstrumentDiff) -> str:
    old, new = diff.old, diff.new
    head = f"{old.id} {old.version} -> {new.id} {new.version}" if old.id != new.id else \
        f"{new.id} {old.version} -> {new.version}"
    if not diff:
        return f"{head}: no differences"
    n = len(diff.changes)
    return f"{head}: {n} change{'s' if n != 1 else ''}"
