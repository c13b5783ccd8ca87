"""The pieces of the chat window: messages, the input, reminders, alerts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Button, Label, Static, TextArea

__all__ = [
    "AlertStack",
    "ChatInput",
    "Conversation",
    "MessageView",
    "ReminderAlert",
    "ReminderPanel",
]


class MessageView(Vertical):
    """One message: a small header line (who, when, intent) and the text."""

    def __init__(
        self,
        text: str,
        *,
        role: str,
        at: datetime,
        meta: str = "",
        markdown: bool = False,
    ) -> None:
        super().__init__(classes=f"message {role}")
        self.body = text
        self.role = role
        self.at = at
        self.meta = meta
        self.markdown = markdown
        self.turn_id: int | None = None

    def compose(self) -> ComposeResult:
        who = {"user": "you", "bot": "assistant"}.get(self.role, self.role)
        with Horizontal(classes="meta"):
            yield Label(f"{who} · {self.at:%H:%M}", classes="who")
            yield Label(self.meta, classes="intent")
            yield Label("", classes="rating")
        if self.markdown:
            from textual.widgets import Markdown  # not needed for the first frame

            yield Markdown(self.body, classes="body")
        else:
            yield Static(Text(self.body), classes="body")

    def rate(self, mark: str) -> None:
        """Show the feedback given on this reply next to its header."""
        self.query_one(".rating", Label).update(mark)


class Conversation(VerticalScroll):
    """The scrolling list of messages, kept at the bottom as new ones arrive."""

    can_focus = False

    def on_mount(self) -> None:
        self.anchor()

    def add(self, message: MessageView) -> MessageView:
        """Show ``message`` below the others."""
        self.mount(message)
        self.anchor()
        return message


class ChatInput(TextArea):
    """Where the user types: Enter sends, Ctrl+J adds a line, Up/Down recall history.

    Pasted text (bracketed paste) is inserted whole, new lines included.
    """

    @dataclass
    class Submitted(Message):
        """The user sent ``text``."""

        text: str

    def __init__(self, *, history: Sequence[str] = (), id: str | None = None) -> None:
        super().__init__(
            "",
            id=id,
            soft_wrap=True,
            tab_behavior="focus",
            show_line_numbers=False,
            compact=True,
            highlight_cursor_line=False,
            placeholder="Type a message: Enter sends, Ctrl+J adds a line",
        )
        self.sent: list[str] = list(history)
        self._recall: int | None = None
        self._draft = ""

    async def _on_key(self, event: events.Key) -> None:
        if event.key == "enter":
            self._stop(event)
            self.submit()
            return
        if event.key in ("ctrl+j", "alt+enter", "shift+enter"):
            self._stop(event)
            self.insert("\n")
            return
        if event.key == "up" and self.cursor_location[0] == 0 and self.sent:
            self._stop(event)
            self.recall(-1)
            return
        last_row = self.document.line_count - 1
        on_last_row = self.cursor_location[0] == last_row
        if event.key == "down" and on_last_row and self._recall is not None:
            self._stop(event)
            self.recall(+1)
            return
        await super()._on_key(event)

    def submit(self) -> None:
        """Send what is typed (if anything) and remember it."""
        text = self.text
        if not text.strip():
            return
        if not self.sent or self.sent[-1] != text:
            self.sent.append(text)
        self._recall = None
        self._draft = ""
        self.clear()
        self.post_message(self.Submitted(text))

    def recall(self, step: int) -> None:
        """Show the previous (-1) or next (+1) sent message."""
        if self._recall is None:
            if step > 0:
                return
            self._draft = self.text
            index = len(self.sent) - 1
        else:
            index = self._recall + step
        if index >= len(self.sent):
            self._recall = None
            self._show(self._draft)
            return
        self._recall = max(index, 0)
        self._show(self.sent[self._recall])

    def _show(self, text: str) -> None:
        self.load_text(text)
        self.move_cursor(self.document.end)

    @staticmethod
    def _stop(event: events.Key) -> None:
        event.stop()
        event.prevent_default()


class ReminderPanel(VerticalScroll):
    """The side panel: upcoming reminders, or why there are none."""

    can_focus = False

    def compose(self) -> ComposeResult:
        yield Label("Upcoming", classes="title")
        yield Static("Loading…", id="reminder-list")

    def show(self, lines: Sequence[str] | str) -> None:
        """Show reminder lines, or one explanation when given a string."""
        if isinstance(lines, str):
            content = Text(lines, style="italic")
        elif not lines:
            content = Text("Nothing coming up.", style="italic")
        else:
            content = Text("\n".join(lines))
        self.query_one("#reminder-list", Static).update(content)


class ReminderAlert(Vertical):
    """A reminder that came due, with Snooze and Done."""

    @dataclass
    class Chosen(Message):
        """The user chose ``action`` (``snooze``, ``done``, ``dismiss``)."""

        alert: ReminderAlert
        action: str

    def __init__(self, text: str, *, reminder_id: int | None, late: bool) -> None:
        super().__init__(classes="alert late" if late else "alert")
        self.alert_text = text
        self.reminder_id = reminder_id

    def compose(self) -> ComposeResult:
        yield Static(Text(self.alert_text, style="bold"), classes="alert-text")
        with Horizontal(classes="alert-buttons"):
            if self.reminder_id is not None:
                yield Button("Snooze 10 min (F8)", id="snooze", compact=True)
                yield Button("Done (F9)", id="done", compact=True, variant="success")
            yield Button("Dismiss", id="dismiss", compact=True)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.post_message(self.Chosen(self, event.button.id or "dismiss"))


class AlertStack(Vertical):
    """Where reminder alerts pile up, newest at the bottom, above the input."""

    can_focus = False

    @property
    def newest(self) -> ReminderAlert | None:
        alerts = list(self.query(ReminderAlert))
        return alerts[-1] if alerts else None
