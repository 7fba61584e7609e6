"""A Footer that shows, hides, enables and disables the keys it already holds when a screen's
bindings change, instead of composing all of them again.

Textual's Footer rebuilds every key widget on each bindings change; on the analysis screen that
was 30-100 ms of a key press (c offers n only while comparing). Keys the footer does not hold yet,
or held in another order or wording, still rebuild it as Textual's does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.widgets import Footer
from textual.widgets._footer import FooterKey  # Textual is pinned (8.2.8); FooterKey is not re-exported

if TYPE_CHECKING:  # pragma: no cover
    from textual.screen import Screen


class SteadyFooter(Footer):
    def bindings_changed(self, screen: Screen) -> None:
        self._bindings_ready = True
        if not screen.app.app_focus:
            return
        if self.is_attached and screen is self.screen:
            self.call_after_refresh(self._show_keys)

    async def _show_keys(self) -> None:
        if not self._update_in_place():
            await self.recompose()

    def _update_in_place(self) -> bool:
        """Show exactly the keys Footer.compose would, in place; False when that needs a key widget
        this footer does not have (then it is composed again)."""
        wanted: dict[str, tuple[str, str, bool, str]] = {}  # action -> key, description, enabled, tooltip
        for _, binding, enabled, tooltip in self.screen.active_bindings.values():
            if not binding.show:
                continue
            if binding.group is not None:
                return False  # grouped keys are drawn differently: left to Footer
            wanted.setdefault(binding.action, (binding.key, binding.description, enabled, tooltip))
        keys = [key for key in self.query_children(FooterKey) if not key.has_class("-command-palette")]
        held = [key.action for key in keys]
        if not keys or not set(wanted) <= set(held) or [a for a in held if a in wanted] != list(wanted):
            return False
        for key in keys:
            entry = wanted.get(key.action)
            if entry is not None:
                if (key.key, key.description, key.tooltip or "") != (entry[0], entry[1], entry[3] or ""):
                    return False
                _enable(key, entry[2])
            key.display = entry is not None
        return True


def _enable(key: FooterKey, enabled: bool) -> None:
    if key._disabled == (not enabled):
        return
    key._disabled = not enabled  # read by FooterKey.on_mouse_down
    key.set_class(not enabled, "-disabled")
