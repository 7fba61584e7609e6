"""The builder's editor: one form of fields for the selected item, committing edits upwards.

A field commits when Enter is pressed (focus then returns to the tree) or when it loses
focus with a changed value (Tab to the next field). Multi-paragraph fields keep Enter for
new lines and commit on leaving. Each commit names the item it was made for, so a late
commit (a blur while the selection changes) can never land on another item.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from rich.console import RenderableType
from textual import events, on
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Checkbox, Input, Label, Static, TextArea

from tui.domain.instrument import FLAG, LINES, PARAGRAPH, Field, Target


class FieldInput(Input):
    def __init__(self, field: Field, target: Target):
        super().__init__(str(field.value), placeholder=field.placeholder, restrict=field.restrict,
                         max_length=field.max_length, compact=True, id=f"field-{field.name}",
                         classes="field")
        self.field_name, self.target = field.name, target


class FieldArea(TextArea):
    """Wrapped text. As a paragraph (a statement), Enter commits: a statement is one line."""

    class Submitted(Message):
        def __init__(self, area: FieldArea):
            super().__init__()
            self.area = area

    class Left(Message):
        def __init__(self, area: FieldArea):
            super().__init__()
            self.area = area

    def __init__(self, field: Field, target: Target):
        super().__init__(str(field.value), soft_wrap=True, tab_behavior="focus", show_line_numbers=False,
                         compact=True, id=f"field-{field.name}", classes=f"field field-{field.style}")
        self.field_name, self.target = field.name, target
        self.paragraph = field.style == PARAGRAPH

    @property
    def value(self) -> str:
        return self.text

    @value.setter
    def value(self, text: str) -> None:
        self.load_text(text)

    async def _on_key(self, event: events.Key) -> None:
        if self.paragraph and event.key == "enter":
            event.prevent_default()
            event.stop()
            self.post_message(self.Submitted(self))

    def _on_focus(self, event: events.Focus) -> None:
        # Like an Input: a statement is selected whole (typing replaces it, arrows keep it);
        # longer texts open with the cursor at the end.
        if self.paragraph:
            self.select_all()
        else:
            self.move_cursor(self.document.end)

    def _on_blur(self, event: events.Blur) -> None:
        self.post_message(self.Left(self))


class FieldFlag(Checkbox):
    def __init__(self, field: Field, target: Target):
        super().__init__(field.label, bool(field.value), id=f"field-{field.name}", classes="field")
        self.field_name, self.target = field.name, target


FieldWidget = FieldInput | FieldArea | FieldFlag


class FieldEditor(VerticalScroll):
    class Commit(Message):
        """A field's value, for the item it was edited for; ``done`` returns focus to the tree."""

        def __init__(self, target: Target, name: str, value: str | bool, done: bool):
            super().__init__()
            self.target, self.name, self.value, self.done = target, name, value, done

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.target: Target | None = None
        self.fields: list[Field] = []
        self._rebuilding = asyncio.Lock()

    async def show(self, target: Target, form: Callable[[], tuple[list[Field], RenderableType]]) -> None:
        """Rebuild the form for another item (not for edits of the same item). ``form`` is asked
        for the fields and summary once any rebuild in progress has finished, so they are current."""
        self.target = target
        async with self._rebuilding:  # the tree's events and the app's key actions both rebuild
            if self.target != target:
                return  # another item was chosen meanwhile; its rebuild follows
            fields, summary = form()
            if self._same_shape(fields):
                self._refill(target, fields, summary)  # moving along statements: no remount, no flicker
                return
            self.fields = fields
            await self.remove_children()
            widgets: list[Widget] = [Static(summary, id="editor-summary")]
            for field in fields:
                if field.style == FLAG:
                    widgets.append(FieldFlag(field, target))
                    continue
                widgets.append(Label(field.label, classes="field-label"))
                widgets.append(FieldArea(field, target) if field.style in (PARAGRAPH, LINES)
                               else FieldInput(field, target))
            if not fields:
                widgets.append(Static("Nothing to type here: use the keys below.", classes="field-hint"))
            await self.mount_all(widgets)

    def _same_shape(self, fields: list[Field]) -> bool:
        shape = [(f.name, f.style) for f in fields]
        return bool(shape) and shape == [(f.name, f.style) for f in self.fields] and \
            len(self.inputs()) == len(fields)

    def _refill(self, target: Target, fields: list[Field], summary: RenderableType) -> None:
        self.fields = fields
        self.update_summary(summary)
        for label, field in zip(self.query(".field-label").results(Label),
                                [f for f in fields if f.style != FLAG], strict=False):
            label.update(field.label)
        for widget, field in zip(self.inputs(), fields, strict=True):
            widget.target = target
            with widget.prevent(Checkbox.Changed, TextArea.Changed, Input.Changed):
                widget.value = field.value
            if isinstance(widget, Input):
                widget.placeholder = field.placeholder

    def retarget(self, target: Target) -> None:
        """The item's id changed under the form (a new bank renamed): keep the form, follow the id."""
        self.target = target
        for widget in self.inputs():
            widget.target = target

    def update_summary(self, summary: RenderableType) -> None:
        for static in self.query("#editor-summary").results(Static):
            static.update(summary)

    def inputs(self) -> list[FieldWidget]:
        return list(self.query(".field").results())  # type: ignore[arg-type]

    def field(self, name: str) -> FieldWidget | None:
        for widget in self.inputs():
            if widget.field_name == name:
                return widget
        return None

    def focus_first(self) -> bool:
        widgets = self.inputs()
        if widgets:
            widgets[0].focus()
            self.scroll_home(animate=False)
        return bool(widgets)

    def focused_field(self) -> FieldWidget | None:
        focused = self.screen.focused
        return focused if isinstance(focused, (FieldInput, FieldArea, FieldFlag)) and focused in self.inputs() \
            else None

    def set_values(self, values: dict[str, str | bool]) -> None:
        """Show current values in fields that are not being typed in (after undo, for example)."""
        focused = self.focused_field()
        for widget in self.inputs():
            if widget is not focused and widget.field_name in values:
                new = values[widget.field_name]
                if widget.value != new:
                    with widget.prevent(Checkbox.Changed, TextArea.Changed, Input.Changed):
                        widget.value = new

    # --- commits --------------------------------------------------------------------------

    def _commit(self, widget: FieldWidget, done: bool) -> None:
        self.post_message(self.Commit(widget.target, widget.field_name, widget.value, done))

    @on(Input.Submitted, ".field")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._commit(event.input, done=True)  # type: ignore[arg-type]

    @on(Input.Blurred, ".field")
    def _blurred(self, event: Input.Blurred) -> None:
        self._commit(event.input, done=False)  # type: ignore[arg-type]

    @on(FieldArea.Submitted)
    def _area_submitted(self, event: FieldArea.Submitted) -> None:
        self._commit(event.area, done=True)

    @on(FieldArea.Left)
    def _area_left(self, event: FieldArea.Left) -> None:
        self._commit(event.area, done=False)

    @on(Checkbox.Changed, ".field")
    def _flag_changed(self, event: Checkbox.Changed) -> None:
        event.stop()
        self._commit(event.checkbox, done=False)  # type: ignore[arg-type]
