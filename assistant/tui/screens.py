"""Modal screens of the chat window: pick from a list, read a source."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList, TextArea
from textual.widgets.option_list import Option

if TYPE_CHECKING:
    from assistant.knowledge.sources import SourceView

__all__ = ["IntentPicker", "Picker", "SourcePicker", "SourceViewer"]


class Picker(ModalScreen[str | None]):
    """Pick one of ``choices`` (id, description); dismissed with its id or None."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]
    TITLE = "Pick one (Enter picks, Esc cancels)"

    def __init__(
        self, choices: Sequence[tuple[str, str]], *, current: str | None = None
    ) -> None:
        super().__init__()
        self.choices = list(choices)
        self.current = current

    def label(self, key: str, description: str, width: int) -> Text:
        return Text.assemble(key.ljust(width), (description, "dim"))

    def compose(self) -> ComposeResult:
        width = max((len(key) for key, _ in self.choices), default=0) + 2
        options = [
            Option(self.label(key, description, width), id=key)
            for key, description in self.choices
        ]
        with Vertical(id="picker"):
            yield Label(self.TITLE)
            yield OptionList(*options, id="picker-options")

    def on_mount(self) -> None:
        keys = [key for key, _ in self.choices]
        options = self.query_one(OptionList)
        if self.current in keys:
            options.highlighted = keys.index(self.current)
        options.focus()
        self.call_after_refresh(options.scroll_to_highlight)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)


class IntentPicker(Picker):
    """Pick the intent the last message was meant to have ("that was meant to be…")."""

    TITLE = "That was meant to be… (Enter picks, Esc cancels)"


class SourcePicker(Picker):
    """Pick which of the last reply's sources to open; ids are "1", "2"…"""

    TITLE = "Open which source? (Enter opens, Esc cancels)"

    def label(self, key: str, description: str, width: int) -> Text:
        return Text.assemble(f"{key}. ", description)


class SourceViewer(ModalScreen[None]):
    """A document, read-only, with the cursor on the passage that was found."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close"),
        Binding("q", "close", "Close", show=False),
    ]

    def __init__(self, source: SourceView) -> None:
        super().__init__()
        self.source = source

    def compose(self) -> ComposeResult:
        with Vertical(id="viewer"):
            yield Label(Text(self.source.title, style="bold"), id="viewer-title")
            if self.source.note:
                yield Label(Text(self.source.note, style="italic"), id="viewer-note")
            yield TextArea(
                self.source.text,
                read_only=True,
                soft_wrap=True,
                show_line_numbers=True,
                id="viewer-text",
            )
            yield Label(Text("Esc closes", style="dim"))

    def on_mount(self) -> None:
        area = self.query_one(TextArea)
        area.focus()
        line = min(self.source.line, max(0, area.document.line_count - 1))
        area.move_cursor((line, 0))
        self.call_after_refresh(area.scroll_cursor_visible, center=True)

    def action_close(self) -> None:
        self.dismiss(None)
