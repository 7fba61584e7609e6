"""The instrument as staff see it: banks, sections with their hidden stage labels, statement codes."""

from __future__ import annotations

from rich.console import Group
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Footer, Header, Static, Tree

from tui.domain.instrument import Instrument
from tui.screens.base import StudyScreen
from tui.styles import stylesheet
from tui.widgets.instrument_tree import InstrumentTree, NodeRef
from tui.widgets.mode_bar import ModeBar


def describe_key(instrument: Instrument, ref: NodeRef) -> Group:
    key = instrument.key
    parts = [Text("Participant key", style="bold"),
             Text("A participant code is one school letter and one role digit, e.g. A2 or E5.", style="dim"),
             Text(""),
             Text.assemble(("Schools  ", "dim"), " ".join(key.school_letters) or "none"),
             Text.assemble(("Roles    ", "dim"), ", ".join(f"{r.digit} {r.label}" for r in key.roles) or "none")]
    parts += [Text.assemble(("Group    ", "dim"), (g.name, "bold"), f"  roles {' '.join(map(str, g.roles))}  ",
                            (g.label, "dim")) for g in key.groups]
    if ref.kind == "school":
        parts += [Text(""), Text("A school's name is the researcher's secret: it is kept in the instrument "
                                 "file and never printed on a form or written to an export.", style="italic")]
    return Group(*parts)


def describe_node(instrument: Instrument, ref: NodeRef | None, compact: bool = False) -> Group:
    """The detail panel's content for a tree node. The builder asks for ``compact``: without the
    texts it shows in its own fields (rubric, statement text, note)."""
    if ref is not None and ref.kind in ("key", "schools", "school", "roles", "role", "groups", "group"):
        return describe_key(instrument, ref)
    if ref is None or ref.kind == "instrument" or ref.bank < 0:
        counts = ", ".join(f"{b.abbreviation} {b.statement_count}" for b in instrument.banks)
        return Group(
            Text(instrument.title, style="bold"),
            Text(f"version {instrument.version} · {instrument.statement_count} statements ({counts})"),
        )
    bank = instrument.banks[ref.bank]
    head = Text.assemble((f"{bank.abbreviation}  {bank.title}", "bold"), f"   {bank.dimension}")
    if ref.kind == "bank":
        parts = [head, Text(f"{bank.statement_count} statements · id {bank.id}", style="dim")]
        if compact:
            return Group(*parts)
        parts.append(Text(""))
        parts.append(Text(bank.rubric or "(no rubric)", style="" if bank.rubric else "dim"))
        if bank.note:
            parts += [Text(""), Text(f"Note: {bank.note}", style="dim italic")]
        return Group(*parts)
    stage = instrument.stage_label(bank, ref.letter)
    refs = [r for r in instrument.bank_refs(bank) if r.section.letter == ref.letter]
    if ref.kind == "section":
        parts = [head, Text.assemble(("Section ", ""), (ref.letter, "bold"), "  stage: ", (stage, "italic"),
                                     (" (hidden from respondents)", "dim")), Text("")]
        for r in refs:
            parts.append(Text.assemble((f"{r.code:<8} {r.number_code:<8} ", "bold"), r.statement.text))
        return Group(*parts)
    r = refs[ref.position - 1]
    parts = [
        head,
        Text.assemble(("Code ", "dim"), (r.code, "bold"), ("   running number ", "dim"), (r.number_code, "bold"),
                      ("   stage ", "dim"), (stage, "italic"), ("   id ", "dim"), r.statement.id),
    ]
    if compact:
        return Group(*parts)
    parts += [Text(""), Text(r.statement.text)]
    if r.statement.negative:
        parts += [Text(""), Text("Negatively worded statement.", style="yellow")]
    if r.statement.note:
        parts += [Text(""), Text(f"Note: {r.statement.note}", style="dim italic")]
    return Group(*parts)


class InstrumentScreen(StudyScreen):
    """Read-only view of the instrument in use."""

    CSS = stylesheet("instrument.tcss")  # scoped to this screen

    @property
    def instrument(self) -> Instrument:
        return self.app.instrument

    def compose(self) -> ComposeResult:
        yield Header()
        yield ModeBar("instrument")
        with Horizontal(id="instrument-body"):
            yield InstrumentTree(self.instrument, id="instrument-tree")
            with VerticalScroll(id="detail-scroll"):
                yield Static(describe_node(self.instrument, None), id="detail")
        yield Footer()

    def show(self, instrument: Instrument) -> None:
        """Show another version (e.g. after the builder saved one)."""
        if self.is_mounted:
            self.query_one(InstrumentTree).populate(instrument)
            self.query_one("#detail", Static).update(describe_node(instrument, None))

    def on_tree_node_highlighted(self, event: Tree.NodeHighlighted[NodeRef]) -> None:
        self.query_one("#detail", Static).update(describe_node(self.instrument, event.node.data))
