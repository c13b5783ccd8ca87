"""Modal screens of the chat window."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

__all__ = ["IntentPicker"]


class IntentPicker(ModalScreen[str | None]):
    """Pick the intent the last message was meant to have ("that was meant to be…")."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(
        self, intents: Sequence[tuple[str, str]], *, current: str | None
    ) -> None:
        super().__init__()
        self.intents = list(intents)
        self.current = current

    def compose(self) -> ComposeResult:
        width = max((len(name) for name, _ in self.intents), default=0) + 2
        options = [
            Option(Text.assemble(name.ljust(width), (description, "dim")), id=name)
            for name, description in self.intents
        ]
        with Vertical(id="picker"):
            yield Label("That was meant to be… (Enter picks, Esc cancels)")
            yield OptionList(*options, id="intent-options")

    def on_mount(self) -> None:
        names = [name for name, _ in self.intents]
        options = self.query_one(OptionList)
        if self.current in names:
            options.highlighted = names.index(self.current)
        options.focus()
        self.call_after_refresh(options.scroll_to_highlight)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)
