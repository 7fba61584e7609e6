"""The instrument builder: a tree of the instrument beside an editor for the selected item.

Thin: the edits, fields and key actions are pure functions in tui.domain.instrument.builder_model and
tui.domain.instrument.edit; this screen maps keys and widgets to them, keeps the undo
history, shows the rules of ``surveydesk validate`` live, and saves in a worker.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial
from pathlib import Path

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Footer, Header, OptionList, Static, Tree
from textual.widgets.option_list import Option

from tui.domain.errors import SurveyDeskError
from tui.domain.instrument import (
    EditError,
    EditHistory,
    Instrument,
    InstrumentError,
    Problem,
    bundled_instrument_path,
    check_instrument,
    diff_instruments,
    edit_instrument,
    load_instrument,
    next_version,
    problems_with_lines,
    render_bank_page,
    save_instrument,
    skeleton,
)
from tui.domain.instrument import builder_model as bm
from tui.domain.names import printable
from tui.domain.paths import UnsafePathError, safe_name, safe_output_path
from tui.screens.base import StudyScreen
from tui.screens.dialogs import Choice, ChoiceDialog, ConfirmDialog, PromptDialog, TextViewer
from tui.screens.instrument import describe_node
from tui.screens.palette import ScreenCommands, binding_commands
from tui.styles import stylesheet
from tui.widgets.field_editor import FieldArea, FieldEditor, FieldFlag, FieldInput
from tui.widgets.instrument_tree import InstrumentTree, NodeRef
from tui.widgets.mode_bar import ModeBar

log = logging.getLogger("surveydesk")

MAX_PROBLEMS_IN_NOTICE = 8


class BuilderScreen(StudyScreen):
    """Design and version instruments by keyboard."""

    CSS = stylesheet("builder.tcss")  # scoped to this screen

    COMMANDS = {ScreenCommands}

    BINDINGS = [
        Binding("a", "add", "Add"),
        Binding("d", "delete", "Delete"),
        Binding("ctrl+d", "duplicate", "Duplicate", show=False),
        Binding("alt+up", "move(-1)", "Move", key_display="alt+↑↓"),
        Binding("alt+down", "move(1)", "Move down", show=False),
        Binding("left_square_bracket", "move_section(-1)", "To previous section", show=False),
        Binding("right_square_bracket", "move_section(1)", "To next section", show=False),
        Binding("m", "move_to", "Move to code…", show=False),
        Binding("n", "negative", "Negative"),
        Binding("ctrl+z", "undo", "Undo/redo", key_display="^z ^y", priority=True),
        Binding("ctrl+y", "redo", "Redo", show=False, priority=True),
        Binding("ctrl+s", "save", "Save", priority=True),
        Binding("f7", "save_version", "New version", priority=True),
        Binding("ctrl+o", "open", "Open", priority=True),
        Binding("g", "go", "Go to code…", show=False),
        Binding("p", "preview", "Preview"),
        Binding("c", "changes", "Changes", show=False),
        Binding("v", "problems", "Problems"),
        Binding("k", "key", "Participant key", show=False),
        Binding("escape", "back", "Back to the tree", show=False),
    ]

    class Saved(Message):
        """An instrument file was written (bubbles to the app)."""

        def __init__(self, path: Path, instrument: Instrument):
            super().__init__()
            self.path, self.instrument = path, instrument

    class SaveFailed(Message):
        def __init__(self, path: Path, reason: str):
            super().__init__()
            self.path, self.reason = path, reason

    def __init__(self) -> None:
        super().__init__()
        self.history = EditHistory(self.app.instrument, bm.ROOT)
        self.path: Path | None = self.app.instrument_path
        self.selected: bm.Target = bm.ROOT
        self.collapsed: set[bm.Target] = {bm.Target(bm.KEY)}  # k unfolds the participant key
        self.problems: list[Problem] = []
        self._located: tuple[object, list[Problem]] = (None, [])  # (file and instrument, problems)

    # --- layout ---------------------------------------------------------------------------

    def say(self, message: str, **options) -> None:
        """A notification showing its text exactly: instrument text, file names and errors quote what
        people typed, so it is never read as markup."""
        self.notify(printable(message, keep_lines=True), markup=False, **options)

    def compose(self) -> ComposeResult:
        yield Header()
        yield ModeBar("builder")
        with Horizontal(id="builder-body"):
            yield InstrumentTree(self.instrument, with_key=True, id="builder-tree")
            yield FieldEditor(id="builder-editor")
        with Vertical(id="builder-problems"):
            yield Static("", id="problems-title")
            yield OptionList(id="problems-list")
        yield Footer(compact=True)

    async def on_mount(self) -> None:
        self.instrument_tree.auto_expand = False  # Enter edits; space folds
        await self.refresh_view(bm.ROOT, rebuild=True)
        self.instrument_tree.focus()

    @property
    def instrument(self) -> Instrument:
        return self.history.current

    @property
    def instrument_tree(self) -> InstrumentTree:
        return self.query_one("#builder-tree", InstrumentTree)

    @property
    def editor(self) -> FieldEditor:
        return self.query_one("#builder-editor", FieldEditor)

    @property
    def instruments_dir(self) -> Path:
        return Path(getattr(self.app, "instruments_dir", "instruments"))

    def palette_commands(self) -> list[tuple[str, str, str]]:
        return binding_commands(self, "Builder") + [
            ("Builder: Compare with a file…", "list what changed since another version", "compare"),
            ("Builder: Open the bundled instrument", "start from the Partnership Survey", "load('bundled')"),
            ("Builder: New empty instrument", "start from an empty skeleton", "load('skeleton')"),
        ]

    # --- showing the instrument -----------------------------------------------------------

    def _node_ref(self, target: bm.Target) -> NodeRef | None:
        node = self.instrument_tree.find(target)
        return node.data if node is not None else None

    def summary(self, target: bm.Target):
        return describe_node(self.instrument, self._node_ref(target), compact=True)

    async def refresh_view(self, target: bm.Target, rebuild: bool = False) -> None:
        """Redraw after any change: tree (codes, problem marks), problems, editor, title."""
        instrument = self.instrument
        if not bm.exists(instrument, target):
            target = bm.ROOT
        self.problems = self._check(instrument)
        flagged = frozenset(bm.target_for_path(instrument, p.path) for p in self.problems if p.is_error)
        self.selected = target  # before the tree moves, so its highlight event is recognised
        self.instrument_tree.populate(instrument, collapsed=frozenset(self.collapsed), flagged=flagged)
        self.instrument_tree.show(target)
        if rebuild or self.editor.target != target:
            await self.editor.show(target, self._form(target))
        else:
            self.editor.update_summary(self.summary(target))
            self.editor.set_values({f.name: f.value for f in bm.fields_for(instrument, target)})
        self._show_problems()
        self._show_title()

    def _check(self, instrument: Instrument) -> list[Problem]:
        """The rules of ``surveydesk validate``; while the file on disk is what is shown, each
        problem also names its FILE:LINE, as validate does."""
        # Errors first: they block saving, and v then Enter goes to the first of the list.
        problems = sorted(check_instrument(instrument), key=lambda p: not p.is_error)
        if not problems or self.path is None or self.history.dirty:
            return problems
        try:
            stamp = (self.path, self.path.stat().st_mtime_ns, id(instrument))
            if self._located[0] != stamp:
                text = self.path.read_text(encoding="utf-8")
                located = problems_with_lines(instrument, text, str(self.path))
                self._located = (stamp, sorted(located, key=lambda p: not p.is_error))
        except (OSError, UnicodeDecodeError):
            return problems
        return self._located[1]

    def _show_problems(self) -> None:
        errors = [p for p in self.problems if p.is_error]
        warnings = len(self.problems) - len(errors)
        title = self.query_one("#problems-title", Static)
        if not self.problems:
            title.update(Text.assemble(("✓ ", "bold green"), "No problems: ready to save."))
        else:
            words = []
            if errors:
                words.append(f"{len(errors)} error{'s' if len(errors) != 1 else ''}")
            if warnings:
                words.append(f"{warnings} warning{'s' if warnings != 1 else ''}")
            hint = "  (v to go through them; saving is refused while there are errors)" if errors else ""
            title.update(Text.assemble((" · ".join(words), "bold red" if errors else "bold yellow"), (hint, "dim")))
        options = self.query_one("#problems-list", OptionList)
        options.clear_options()
        options.add_options([
            Option(Text.assemble(("error  " if p.is_error else "warning  ", "red" if p.is_error else "yellow"),
                                 (f"{Path(p.file).name}:{p.line}  " if p.line else "", "dim"),
                                 (f"{p.where}: " if p.where else "", "bold"), p.message))
            for p in self.problems
        ])
        options.display = bool(self.problems)

    def _show_title(self) -> None:
        where = str(self.path) if self.path else "not saved yet"
        changed = " · unsaved changes" if self.history.dirty else ""
        self.sub_title = printable(f"Builder · {self.instrument.id} {self.instrument.version} · {where}{changed}")

    @on(Tree.NodeHighlighted, "#builder-tree")
    async def _highlighted(self, event: Tree.NodeHighlighted[NodeRef]) -> None:
        if event.node is not self.instrument_tree.cursor_node or event.node.data is None:
            return  # a stale event from before the tree was rebuilt
        target = event.node.data.target
        if target == self.selected and self.editor.target == target:
            return
        self.selected = target
        await self.editor.show(target, self._form(target))

    def _form(self, target: bm.Target):
        return lambda: (bm.fields_for(self.instrument, target), self.summary(target))

    @on(Tree.NodeSelected, "#builder-tree")
    def _enter(self, event: Tree.NodeSelected[NodeRef]) -> None:
        if not self.editor.focus_first() and event.node.allow_expand:
            event.node.toggle()

    @on(Tree.NodeCollapsed, "#builder-tree")
    def _collapsed(self, event: Tree.NodeCollapsed[NodeRef]) -> None:
        if event.node.data is not None:
            self.collapsed.add(event.node.data.target)

    @on(Tree.NodeExpanded, "#builder-tree")
    def _expanded(self, event: Tree.NodeExpanded[NodeRef]) -> None:
        if event.node.data is not None:
            self.collapsed.discard(event.node.data.target)

    # --- editing --------------------------------------------------------------------------

    async def record(self, outcome: bm.Outcome, before: bm.Target) -> None:
        self.history.apply(outcome.label, outcome.instrument, before, outcome.target)
        await self.refresh_view(outcome.target)

    async def apply_field(self, target: bm.Target, name: str, value: str | bool) -> None:
        instrument = self.instrument
        if not bm.exists(instrument, target):
            return
        try:
            outcome = bm.write_field(instrument, target, name, value, fixed_ids=self.fixed_ids())
        except EditError as exc:
            self.say(str(exc), severity="warning")
            return
        if outcome.instrument != instrument:
            if outcome.target != target and self.editor.target == target:
                self.editor.retarget(outcome.target)  # a new bank's id followed its abbreviation
            await self.record(outcome, target)

    def fixed_ids(self) -> set[str]:
        """Ids in the file as saved: these never change. Others belong to items new this session."""
        saved = self.history.saved
        return saved.all_ids() | set(saved.retired_ids) if self.path else set()

    @on(FieldEditor.Commit)
    async def _commit(self, event: FieldEditor.Commit) -> None:
        if event.done:
            self.instrument_tree.focus()
        await self.apply_field(event.target, event.name, event.value)

    async def flush_field(self) -> None:
        """Commit whatever is typed in the focused field before another action runs."""
        widget = self.editor.focused_field()
        if widget is not None:
            await self.apply_field(widget.target, widget.field_name, widget.value)

    def _field_is_changed(self, widget: FieldInput | FieldArea | FieldFlag) -> bool:
        try:
            outcome = bm.write_field(self.instrument, widget.target, widget.field_name, widget.value,
                                     fixed_ids=self.fixed_ids())
        except EditError:
            return True
        return outcome.instrument != self.instrument

    def _revert(self, widget: FieldInput | FieldArea | FieldFlag) -> None:
        if bm.exists(self.instrument, widget.target):
            widget.value = bm.read_field(self.instrument, widget.target, widget.field_name)

    async def edit(self, make: Callable[[Instrument, bm.Target], bm.Outcome], *, then_type: bool = False) -> None:
        """Run one of the builder's key actions on the selection, recording it for undo."""
        await self.flush_field()
        before = self.selected
        try:
            outcome = make(self.instrument, before)
        except EditError as exc:
            self.say(str(exc), severity="warning")
            return
        await self.record(outcome, before)
        if then_type:
            self.editor.focus_first()

    async def action_add(self) -> None:
        await self.edit(bm.add, then_type=True)

    async def action_delete(self) -> None:
        await self.edit(bm.delete)
        if self.history.can_undo and self.history.labels[-1].startswith("delete"):
            self.say(f"{self.history.labels[-1].capitalize()}. ctrl+z brings it back.")

    async def action_duplicate(self) -> None:
        await self.edit(bm.duplicate)

    async def action_move(self, delta: int) -> None:
        await self.edit(lambda instrument, target: bm.move(instrument, target, delta))

    async def action_move_section(self, delta: int) -> None:
        await self.edit(lambda instrument, target: bm.move_to_section(instrument, target, delta))

    async def action_negative(self) -> None:
        await self.edit(bm.toggle_negative)

    async def _step(self, undo: bool) -> None:
        widget = self.editor.focused_field()
        if widget is not None and self._field_is_changed(widget):
            self._revert(widget)  # the edit still being typed is the last one: drop it first
            return
        step = self.history.undo() if undo else self.history.redo()
        if step is None:
            self.say(f"Nothing to {'undo' if undo else 'redo'}.")
            return
        await self.refresh_view((step.before if undo else step.after) or bm.ROOT)
        if widget is not None:
            self._revert(widget)  # refresh_view leaves the focused field alone; it shows the undone value
            self.instrument_tree.focus()
        self.say(f"{'Undone' if undo else 'Redone'}: {step.label}")

    async def action_undo(self) -> None:
        await self._step(undo=True)

    async def action_redo(self) -> None:
        await self._step(undo=False)

    def action_back(self) -> None:
        widget = self.editor.focused_field()
        if widget is not None:
            self._revert(widget)
        self.instrument_tree.focus()

    async def action_key(self) -> None:
        await self.flush_field()
        self.collapsed.discard(bm.Target(bm.KEY))
        await self.refresh_view(bm.Target(bm.KEY))
        self.instrument_tree.focus()

    def action_problems(self) -> None:
        options = self.query_one("#problems-list", OptionList)
        if self.problems:
            options.focus()
            if options.highlighted is None:
                options.highlighted = 0
        else:
            self.say("No problems.")

    @on(OptionList.OptionSelected, "#problems-list")
    async def _jump_to_problem(self, event: OptionList.OptionSelected) -> None:
        problem = self.problems[event.option_index]
        await self.refresh_view(bm.target_for_path(self.instrument, problem.path))
        self.instrument_tree.focus()

    def action_go(self) -> None:
        def go(code: str | None) -> None:
            if code:
                self.call_later(self._go, code)

        self.app.push_screen(PromptDialog("Go to", placeholder="a code such as JPD C2, JPD 8, JPD C or JPD",
                                          check=self._check_code), go)

    def _check_code(self, code: str) -> str | None:
        try:
            bm.find_code(self.instrument, code)
        except EditError as exc:
            return str(exc)
        return None

    async def _go(self, code: str) -> None:
        await self.flush_field()
        await self.refresh_view(bm.find_code(self.instrument, code))
        self.instrument_tree.focus()

    def action_move_to(self) -> None:
        if self.selected.kind != bm.STATEMENT:
            self.say("Select a statement to move.", severity="warning")
            return

        def check(code: str) -> str | None:
            try:
                bm.move_to_code(self.instrument, self.selected, code)
            except EditError as exc:
                return str(exc)
            return None

        def moved(code: str | None) -> None:
            if code:
                self.call_later(self.edit, lambda i, t: bm.move_to_code(i, t, code))

        what = bm.describe(self.instrument, self.selected)
        self.app.push_screen(PromptDialog(f"Move {what} to", placeholder="e.g. HSC B (last in section) or HSC B2",
                                          check=check), moved)

    # --- preview and changes --------------------------------------------------------------

    def action_preview(self) -> None:
        instrument = self.instrument
        if not instrument.banks:
            self.say("There is no bank to preview yet: press a to add one.", severity="warning")
            return
        pages = [(f"{bank.title or bank.abbreviation}: the page as printed (letters only)",
                  partial(render_bank_page, instrument, bank)) for bank in instrument.banks]
        start = 0
        if self.selected.kind in (bm.BANK, bm.SECTION):
            start = [b.id for b in instrument.banks].index(self.selected.id)
        elif self.selected.kind == bm.STATEMENT:
            start = instrument.ref_by_id(self.selected.id).bank_index
        self.app.push_screen(TextViewer(pages, start))

    def _diff_page(self, old: Instrument, source: str) -> tuple[str, str]:
        diff = diff_instruments(old, self.instrument)
        body = "\n".join(diff.lines()) if diff else "No changes."
        return f"Changes since {source}", body

    async def action_changes(self) -> None:
        await self.flush_field()
        source = str(self.path) if self.path else "the empty skeleton"
        self.app.push_screen(TextViewer([self._diff_page(self.history.saved, source)]))

    def action_compare(self) -> None:
        def compare(text: str | None) -> None:
            if text:
                self.app.push_screen(TextViewer([self._diff_page(load_instrument(text), text)]))

        self.app.push_screen(PromptDialog("Compare with the instrument file", placeholder="instruments/….toml",
                                          check=_check_loadable), compare)

    # --- opening ----------------------------------------------------------------------------

    async def action_open(self) -> None:
        await self.flush_field()
        choices = [Choice("bundled", "The bundled Partnership Survey", "five banks, 60 statements"),
                   Choice("skeleton", "An empty instrument", "the bundled participant key, no banks")]
        if self.instruments_dir.is_dir():
            choices += [Choice(f"file:{p}", str(p)) for p in sorted(self.instruments_dir.glob("*.toml"))]
        choices.append(Choice("other", "Another file…", "type its path"))
        self.app.push_screen(ChoiceDialog("Open an instrument in the builder", choices), self._chosen)

    def _chosen(self, choice: str | None) -> None:
        if choice == "other":
            self.app.push_screen(PromptDialog("Open the instrument file", placeholder="path/to/instrument.toml",
                                              check=_check_loadable),
                                 lambda path: self._chosen(f"file:{path}") if path else None)
        elif choice:
            self.action_load(choice)

    def action_load(self, choice: str) -> None:
        def load(yes: bool | None = True) -> None:
            if not yes:
                return
            if choice == "skeleton":
                self.call_later(self.start, skeleton(), None)
                return
            path = bundled_instrument_path() if choice == "bundled" else Path(choice.removeprefix("file:"))
            try:
                instrument = load_instrument(path)
            except InstrumentError as exc:
                self.say(str(exc), title=f"{path} cannot be opened", severity="error", timeout=15)
                return
            self.call_later(self.start, instrument, path)

        if self.history.dirty:
            self.app.push_screen(ConfirmDialog("Drop the unsaved changes?", self.unsaved_work() or "",
                                               yes="Drop them", no="Keep editing"), load)
        else:
            load()

    async def start(self, instrument: Instrument, path: Path | None) -> None:
        self.history = EditHistory(instrument, bm.ROOT)
        self.path = path
        self.collapsed = {bm.Target(bm.KEY)}
        await self.refresh_view(bm.ROOT, rebuild=True)
        self.instrument_tree.focus()
        self.say(f"Opened {path or 'an empty instrument'}.")

    def unsaved_work(self) -> str | None:
        """Asked by the app before quitting: what would be lost."""
        widget = self.editor.focused_field() if self.is_mounted else None
        if self.history.dirty or (widget is not None and self._field_is_changed(widget)):
            return f"The builder has unsaved changes to {self.instrument.title} {self.instrument.version}."
        return None

    # --- saving -----------------------------------------------------------------------------

    def _refuse_if_invalid(self) -> bool:
        errors = [p for p in check_instrument(self.instrument) if p.is_error]
        if not errors:
            return False
        listed = "\n".join(str(p) for p in errors[:MAX_PROBLEMS_IN_NOTICE])
        more = len(errors) - MAX_PROBLEMS_IN_NOTICE
        if more > 0:
            listed += f"\n…and {more} more (v lists them all)"
        self.say(listed, title=f"Not saved: {len(errors)} problem{'s' if len(errors) != 1 else ''}",
                    severity="error", timeout=20)
        return True

    def _inside_instruments(self, path: Path) -> bool:
        root = self.instruments_dir.resolve()
        return root in path.resolve().parents

    async def action_save(self) -> None:
        await self.flush_field()
        if self._refuse_if_invalid():
            return
        if self.path is None or not self._inside_instruments(self.path):
            default = self.path.name if self.path else f"{self.instrument.id}.toml"
            self.app.push_screen(
                PromptDialog(f"Save in {self.instruments_dir}/ as", default, check=self._check_file_name,
                             detail="Instruments are kept in the instruments folder."),
                self._save_as)
            return
        saved = self.history.saved
        waves = self.app.waves_using(saved.id, saved.version)
        if waves:
            await self.action_save_version(
                f"Version {saved.version} is the frozen copy of wave{'s' if len(waves) > 1 else ''} "
                f"{', '.join(waves)}: it is not overwritten. Save the edits as a new version.")
            return
        self.write(self.instrument, self.path)

    def _target_file(self, name: str) -> Path:
        name = name if name.endswith(".toml") else f"{name}.toml"
        return safe_output_path(self.instruments_dir, name)

    def _check_file_name(self, name: str) -> str | None:
        if not name.strip():
            return "give a file name, e.g. my-survey.toml"
        try:
            self._target_file(name)
        except UnsafePathError as exc:
            return str(exc)
        return None

    def _save_as(self, name: str | None) -> None:
        if not name:
            return
        path = self._target_file(name)
        if path.exists() and (self.path is None or path != self.path.resolve()):
            def replace(yes: bool | None) -> None:
                if yes:
                    self.write(self.instrument, path)

            self.app.push_screen(
                ConfirmDialog(f"{path.name} exists. Replace it?", str(path), yes="Replace", no="Keep it"), replace)
            return
        self.write(self.instrument, path)

    def _version_file(self, version: str) -> Path:
        return safe_output_path(self.instruments_dir, f"{self.instrument.id}-{safe_name(version)}.toml")

    async def action_save_version(self, reason: str = "") -> None:
        await self.flush_field()
        if self._refuse_if_invalid():
            return
        saved, current = self.history.saved, self.instrument
        version = current.version if current.version != saved.version else next_version(saved.version)
        while self._version_file(version).exists():
            version = next_version(version)

        def check(value: str) -> str | None:
            if not value:
                return "a version is needed, e.g. 2016"
            if value == saved.version and self.path is not None:
                return f"{value} is the version in {self.path.name}; choose a new one"
            if self._version_file(value).exists():
                return f"{self._version_file(value)} exists already; choose another version"
            return None

        def save(value: str | None) -> None:
            if value:
                self.call_later(self._save_version, value)

        kept = f"{self.path} stays as it is." if self.path else ""
        detail = f"Writes {self.instruments_dir}/{current.id}-VERSION.toml. {kept}"
        self.app.push_screen(PromptDialog("Save as a new version", version, check=check,
                                          detail=f"{reason}\n{detail}" if reason else detail), save)

    async def _save_version(self, version: str) -> None:
        before = self.selected
        changed = edit_instrument(self.instrument, version=version)
        await self.record(bm.Outcome(changed, before, f"version {version}"), before)
        self.write(changed, self._version_file(version))

    @work(thread=True, exclusive=True, exit_on_error=False, group="builder-save")
    def write(self, instrument: Instrument, path: Path) -> None:
        try:
            save_instrument(instrument, path)
        except OSError as exc:
            self.post_message(self.SaveFailed(path, exc.strerror or str(exc)))
        except SurveyDeskError as exc:
            self.post_message(self.SaveFailed(path, str(exc)))
        except Exception as exc:  # a bug: say so on screen (the edits stay) and in the log, never silently
            log.exception("builder save failed")
            self.post_message(self.SaveFailed(path, f"unexpected error ({type(exc).__name__}: {exc})"))
        else:
            self.post_message(self.Saved(path, instrument))

    def on_builder_screen_saved(self, message: Saved) -> None:
        self.history.mark_saved(message.instrument)
        self.path = message.path
        self._show_title()
        self.say(f"Saved {message.path}")

    def on_builder_screen_save_failed(self, message: SaveFailed) -> None:
        self.say(f"{message.path}: {message.reason}. Nothing was lost: the edits are still here.",
                    title="Not saved", severity="error", timeout=20)


def _check_loadable(text: str) -> str | None:
    if not text:
        return "give the path of an instrument file"
    try:
        load_instrument(text)
    except InstrumentError as exc:
        return str(exc)
    return None
