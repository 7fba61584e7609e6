"""A tree of an instrument: banks -> sections (with hidden stage labels) -> statements."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.widgets import Tree

from tui.domain.instrument import Instrument


@dataclass(frozen=True)
class NodeRef:
    """What a tree node stands for: a bank, a section of a bank, or a statement."""

    kind: str  # "instrument" | "bank" | "section" | "statement"
    bank: int = -1
    letter: str = ""
    position: int = 0  # 1-based within the section


class InstrumentTree(Tree[NodeRef]):
    def __init__(self, instrument: Instrument, **kwargs):
        super().__init__(instrument.title, data=NodeRef("instrument"), **kwargs)
        self.show_root = False
        self.guide_depth = 2
        self.populate(instrument)

    def populate(self, instrument: Instrument, expand_banks: bool = True) -> None:
        self.clear()
        self.root.set_label(instrument.title)
        refs = list(instrument.refs())
        for b, bank in enumerate(instrument.banks):
            bank_node = self.root.add(
                Text.assemble((bank.abbreviation, "bold"), f"  {bank.title}",
                              (f"  {bank.statement_count}", "dim")),
                data=NodeRef("bank", b),
                expand=expand_banks,
            )
            for section in bank.sections:
                stage = instrument.stage_label(bank, section.letter)
                section_node = bank_node.add(
                    Text.assemble((section.letter, "bold"), (f"  {stage}", "italic dim")),
                    data=NodeRef("section", b, section.letter),
                    expand=True,
                )
                for ref in refs:
                    if ref.bank_index == b and ref.section.letter == section.letter:
                        label = Text.assemble(
                            (f"{ref.local_code:<4}", "bold"),
                            (f"{ref.running:>3}  ", "dim"),
                            ref.statement.text,
                            (" (neg)" if ref.statement.negative else "", "italic yellow"),
                        )
                        label.truncate(120, overflow="ellipsis")
                        section_node.add_leaf(label, data=NodeRef("statement", b, section.letter, ref.position))
