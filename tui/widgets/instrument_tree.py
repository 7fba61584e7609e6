"""A tree of an instrument: banks -> sections (with hidden stage labels) -> statements.

The builder also shows the instrument itself as the root and the participant key
(schools, roles, role groups), and marks items that have problems.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from rich.text import Text
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from tui.domain.instrument import KEY_HEADINGS, Instrument, Target


@dataclass(frozen=True)
class NodeRef:
    """What a tree node stands for: a bank, a section of a bank, a statement, or a key item."""

    kind: str  # "instrument" | "bank" | "section" | "statement" | "key" | "schools" | "school" | ...
    bank: int = -1
    letter: str = ""
    position: int = 0  # 1-based within the section
    id: str = ""  # the bank's id (bank, section) or the statement's id
    index: int = -1  # place in the participant key's list

    @property
    def target(self) -> Target:
        """The item by stable id, which survives moves (positions do not)."""
        if self.kind in ("bank", "statement"):
            return Target(self.kind, self.id)
        if self.kind == "section":
            return Target(self.kind, self.id, self.letter)
        return Target(self.kind, index=self.index)


PROBLEM_MARK = ("  !", "bold red")


class InstrumentTree(Tree[NodeRef]):
    def __init__(self, instrument: Instrument, *, with_key: bool = False, **kwargs):
        super().__init__(instrument.title, data=NodeRef("instrument"), **kwargs)
        self.with_key = with_key
        self.show_root = with_key
        self.guide_depth = 2
        self.populate(instrument)

    def populate(self, instrument: Instrument, expand_banks: bool = True,
                 collapsed: frozenset[Target] = frozenset(),
                 flagged: frozenset[Target] = frozenset()) -> None:
        """Rebuild every node. ``collapsed`` items stay folded; ``flagged`` ones get a red mark."""
        self.clear()
        self.root.expand()

        def label(*parts, target: Target | None = None) -> Text:
            text = Text.assemble(*parts)
            if target in flagged:
                text.append(*PROBLEM_MARK)
            return text

        self.root.set_label(label((instrument.title or "(untitled)", "bold"),
                                  (f"  version {instrument.version}", "dim"), target=Target("instrument")))
        if self.with_key:
            self._add_key(instrument, label, collapsed)
        refs = list(instrument.refs())
        for b, bank in enumerate(instrument.banks):
            bank_ref = NodeRef("bank", b, id=bank.id)
            bank_node = self.root.add(
                label((bank.abbreviation, "bold"), f"  {bank.title}", (f"  {bank.statement_count}", "dim"),
                      target=bank_ref.target),
                data=bank_ref,
                expand=expand_banks and bank_ref.target not in collapsed,
            )
            for section in bank.sections:
                stage = instrument.stage_label(bank, section.letter)
                section_ref = NodeRef("section", b, section.letter, id=bank.id)
                section_node = bank_node.add(
                    label((section.letter, "bold"), (f"  {stage}", "italic dim"), target=section_ref.target),
                    data=section_ref,
                    expand=section_ref.target not in collapsed,
                )
                for ref in refs:
                    if ref.bank_index == b and ref.section.letter == section.letter:
                        node_ref = NodeRef("statement", b, section.letter, ref.position, id=ref.statement.id)
                        text = label(
                            (f"{ref.local_code:<4}", "bold"),
                            (f"{ref.running:>3}  ", "dim"),
                            ref.statement.text or ("(empty)", "dim italic"),
                            (" (neg)" if ref.statement.negative else "", "italic yellow"),
                            target=node_ref.target,
                        )
                        text.truncate(120, overflow="ellipsis")
                        section_node.add_leaf(text, data=node_ref)

    def _add_key(self, instrument: Instrument, label, collapsed: frozenset[Target]) -> None:
        key = instrument.key
        key_node = self.root.add(label(("Participant key", "bold")), data=NodeRef("key"),
                                 expand=Target("key") not in collapsed)
        lists = {
            "schools": ("Schools", [Text.assemble((s.letter, "bold"), ("  name kept secret" if s.name else "", "dim"))
                                    for s in key.schools]),
            "roles": ("Roles", [Text.assemble((str(r.digit), "bold"), f"  {r.label}") for r in key.roles]),
            "groups": ("Role groups", [Text.assemble((g.name, "bold"),
                                                     (f"  roles {' '.join(map(str, g.roles)) or '-'}", "dim"),
                                                     f"  {g.label}") for g in key.groups]),
        }
        for heading, (title, items) in lists.items():
            item_kind = KEY_HEADINGS[heading]
            node = key_node.add(label((title, ""), (f"  {len(items)}", "dim"), target=Target(heading)),
                                data=NodeRef(heading), expand=Target(heading) not in collapsed)
            for i, text in enumerate(items):
                ref = NodeRef(item_kind, index=i)
                node.add_leaf(label(text, target=ref.target), data=ref)

    def nodes(self) -> Iterator[TreeNode[NodeRef]]:
        stack = [self.root]
        while stack:
            node = stack.pop()
            yield node
            stack.extend(reversed(node.children))

    def find(self, target: Target) -> TreeNode[NodeRef] | None:
        for node in self.nodes():
            if node.data is not None and node.data.target == target:
                return node
        return None

    def show(self, target: Target) -> bool:
        """Unfold down to the item and put the cursor on it; False if it is not in the tree."""
        node = self.find(target)
        if node is None:
            return False
        parent = node.parent
        while parent is not None:
            parent.expand()
            parent = parent.parent
        self._tree_lines  # noqa: B018 -- lay the lines out now: a new node has no line number until then
        self.move_cursor(node)
        return True
