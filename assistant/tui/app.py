"""The chat window: a Textual app around :class:`~assistant.bot.Assistant`.

The window draws at once; the assistant and its models load in a thread
worker while a status line says what is happening, and messages typed in the
meantime wait in a queue. Every call into the assistant runs in a thread
worker, one turn at a time, so the window never freezes.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable, Iterable
from datetime import datetime
from functools import partial
from importlib.util import find_spec
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from assistant.errors import AssistantError
from assistant.tui.logfile import log_to_file
from assistant.tui.render import (
    data_markdown,
    intent_line,
    reminder_line,
    reply_sources,
    source_label,
)
from assistant.tui.screens import IntentPicker, SourcePicker, SourceViewer
from assistant.tui.theme import pick_theme
from assistant.tui.widgets import (
    AlertStack,
    ChatInput,
    Conversation,
    MessageView,
    ReminderAlert,
    ReminderPanel,
)

if TYPE_CHECKING:
    from assistant.bot import Assistant
    from assistant.config import Settings
    from assistant.events import Event
    from assistant.reply import Reply
    from assistant.skills.reminders.scheduler import ReminderService

__all__ = ["ChatApp"]

logger = logging.getLogger(__name__)

Clock = Callable[[], datetime]
NOT_INSTALLED = "Reminders are not installed."
SNOOZE_MINUTES = 10


def _system_clock() -> datetime:
    return datetime.now().astimezone()


class ChatApp(App[None]):
    """Talk with the assistant in a terminal window.

    Args:
        home: the user data directory the assistant opens (ignored with ``bot``).
        user: whose conversation this is.
        bot: an assistant to use instead of opening one; the app does not close it.
        clock: the time shown on messages and given to the assistant (tests fix it).
        theme: a Textual theme name, ``"auto"`` to follow the terminal, or None
            for the ``ui.theme`` setting (applied once the settings are read).
        show_panel: show the reminders panel; default: when the window is wide.
        voice: offer push-to-talk; default: when ``assistant.voice`` is installed.
        log_file: log to ``<home>/logs/assistant.log`` once the home is known.
    """

    CSS_PATH = Path(__file__).with_name("chat.tcss")
    TITLE = "assistant"
    BINDINGS = [  # noqa: RUF012 - Textual's own convention
        Binding("ctrl+g", "rate(1)", "Good", priority=True),
        Binding("ctrl+b", "rate(-1)", "Bad", priority=True),
        Binding("ctrl+o", "meant", "Meant…", priority=True),
        Binding("ctrl+e", "open_source", "Open", priority=True),
        Binding("ctrl+t", "toggle_panel", "Reminders", priority=True),
        Binding("ctrl+r", "talk", "Talk", priority=True),
        Binding("f8", "alert('snooze')", "Snooze", priority=True),
        Binding("f9", "alert('done')", "Done", priority=True),
        Binding("ctrl+q", "quit", "Quit", priority=True),
    ]

    def __init__(
        self,
        *,
        home: Path | None = None,
        user: str = "default",
        bot: Assistant | None = None,
        clock: Clock | None = None,
        theme: str | None = None,
        show_panel: bool | None = None,
        voice: bool | None = None,
        log_file: bool = False,
    ) -> None:
        super().__init__()
        self.home = home
        self.user = user
        self.bot: Assistant | None = None
        self.log_path: Path | None = None
        self._log_file = log_file
        self._given_bot = bot
        self._clock = clock or _system_clock
        self._fixed_clock = clock is not None
        self._theme_choice = theme
        self._show_panel = show_panel
        self.voice = (
            voice if voice is not None else find_spec("assistant.voice") is not None
        )
        self.show_intents = True
        self._queue: deque[str] = deque()
        self._busy = False
        self._last: tuple[Reply, MessageView] | None = None
        self._sources: list[dict[str, Any]] = []
        self._unlisten: Callable[[], None] | None = None
        self._reminders_started = False
        self._recording: threading.Event | None = None
        self._main_thread = threading.get_ident()

    # -- layout and start ------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Header(icon="≡")
        with Horizontal(id="main"):
            yield Conversation(id="conversation")
            yield ReminderPanel(id="reminders")
        yield AlertStack(id="alerts")
        yield Static("Starting…", id="status")
        yield ChatInput(id="input")
        yield Footer()

    def on_mount(self) -> None:
        self._main_thread = threading.get_ident()
        self.use_theme(self._theme_choice or "auto")
        wide = self.size.width >= 100
        self.query_one("#reminders").display = (
            wide if self._show_panel is None else self._show_panel
        )
        self.query_one(ChatInput).focus()
        self.call_after_refresh(self._start)

    def use_theme(self, choice: str) -> None:
        """Switch to a theme: a Textual theme name, ``auto``, ``light`` or ``dark``."""
        theme = pick_theme(choice)
        if theme not in self.available_themes:
            self.notify(f"Unknown theme {theme!r} (ui.theme); using the dark one.")
            theme = "textual-dark"
        self.theme = theme

    def _configure(self, settings: Settings) -> None:
        """Apply what the settings say about the window, once they are read."""
        if self._theme_choice is None and settings.ui.theme != "auto":
            self.use_theme(settings.ui.theme)
        if self._log_file:
            try:
                self.log_path = log_to_file(settings.home)
            except OSError as exc:
                self.say(f"Cannot write the log file: {exc}", role="notice")

    def _start(self) -> None:
        if self._given_bot is not None:
            self._configure(self._given_bot.settings)
            self._bot_ready(self._given_bot)
            return
        self.set_status("Loading the assistant…")
        # A daemon thread, not a worker: leaving during a first-start training
        # must not wait minutes for it (the model cache is written atomically).
        threading.Thread(target=self._load, name="load", daemon=True).start()

    def _load(self) -> None:
        """Open the assistant and load (or first train) its models; in a thread."""
        from assistant.bot import Assistant
        from assistant.config import load_settings

        def progress(line: str) -> None:
            self._from_thread(self.set_status, line)

        try:
            settings = load_settings(self.home)
            self._from_thread(self._configure, settings)
            bot = Assistant(config=settings, progress=progress)
            if bot.classifier.is_trained:
                progress("Loading the intent model…")
            else:
                progress("First start: training the intent model (minutes, once)…")
            bot.classifier.load()
        except AssistantError as exc:
            logger.warning("The assistant could not start: %s", exc)
            self._from_thread(self._failed, str(exc))
            return
        except Exception as exc:  # the window must say why instead of dying
            logger.exception("The assistant could not start")
            self._from_thread(self._failed, f"{type(exc).__name__}: {exc}")
            return
        if not self._from_thread(self._bot_ready, bot):
            bot.close()

    def _bot_ready(self, bot: Assistant) -> None:
        self.bot = bot
        for notice in bot.notices:
            self.say(notice, role="notice")
        self._unlisten = bot.listen(self._event_from_thread)
        reminders = self._reminders()
        if reminders is not None:
            self._call_safely(reminders.start, "start the reminders")
            self._reminders_started = True
            self.set_interval(60, self.refresh_reminders)
        self.refresh_reminders()
        self.set_status("Ready.")
        self._next_turn()

    def _failed(self, reason: str) -> None:
        self.say(f"The assistant could not start: {reason}", role="error")
        self.set_status("Not ready: see the message above. Ctrl+Q leaves.")
        self.query_one(ReminderPanel).show("The assistant is not running.")

    async def on_unmount(self) -> None:
        if self._recording is not None:
            self._recording.set()
        if self._unlisten is not None:
            self._unlisten()
        bot = self.bot
        if bot is None:
            return
        reminders = self._reminders()
        if self._reminders_started and reminders is not None:
            self._call_safely(reminders.stop, "stop the reminders")
        if self._given_bot is None:
            bot.close()

    # -- conversation ----------------------------------------------------------

    def say(
        self, text: str, *, role: str, meta: str = "", markdown: bool = False
    ) -> MessageView:
        """Add a message to the conversation and return its view."""
        view = MessageView(
            text, role=role, at=self._clock(), meta=meta, markdown=markdown
        )
        self.query_one(Conversation).add(view)
        return view

    def set_status(self, text: str) -> None:
        self.query_one("#status", Static).update(text)

    def on_chat_input_submitted(self, message: ChatInput.Submitted) -> None:
        text = message.text
        if text.strip().lower() in {"quit", "exit", ":q"}:
            self.exit()
            return
        loading = self.bot is None
        self.say(text, role="user", meta="queued" if loading else "")
        self._queue.append(text)
        if loading:
            self.set_status(f"Still loading: {len(self._queue)} message(s) queued…")
        self._next_turn()

    def _next_turn(self) -> None:
        if self._busy or self.bot is None or not self._queue:
            return
        self._busy = True
        self.set_status("Thinking…")
        text = self._queue.popleft()
        self.run_worker(
            partial(self._turn, self.bot, text),
            thread=True,
            group="turns",
            exit_on_error=False,
        )

    def _turn(self, bot: Assistant, text: str) -> None:
        """Ask the assistant; in a thread."""
        now = self._clock() if self._fixed_clock else None
        try:
            reply = bot.respond(text, user=self.user, now=now)
        except AssistantError as exc:
            self._from_thread(self._turn_failed, str(exc))
            return
        except Exception as exc:  # shown as a message; the details go to the log
            logger.exception("Answering %r failed", text)
            self._from_thread(self._turn_failed, f"{type(exc).__name__}: {exc}")
            return
        self._from_thread(self._answered, reply)

    def _answered(self, reply: Reply) -> None:
        self.show_reply(reply)
        self._turn_done()

    def _turn_failed(self, reason: str) -> None:
        where = f" Details are in {self.log_path}." if self.log_path else ""
        reason = reason.rstrip(".")
        self.say(f"Sorry, that went wrong: {reason}.{where}", role="error")
        self._turn_done()

    def _turn_done(self) -> None:
        self._busy = False
        self.set_status("Ready.")
        self.refresh_reminders()
        self._next_turn()

    def show_reply(self, reply: Reply) -> MessageView:
        """Show the assistant's reply with what its data holds (sources, items)."""
        extra = data_markdown(reply.data, reply.text)
        text = f"{reply.text}\n\n{extra}" if extra else reply.text
        role = "bot error" if "error" in reply.data else "bot"
        meta = intent_line(reply.intent, reply.confidence, reply.skill)
        view = self.say(text, role=role, meta=meta, markdown=True)
        view.turn_id = reply.turn_id
        if reply.turn_id:
            self._last = (reply, view)
        self._sources = reply_sources(reply.data)
        return view

    # -- sources ---------------------------------------------------------------

    def action_open_source(self) -> None:
        """Show a document the last reply came from (one of its search results)."""
        sources = self._sources
        if not sources:
            self.notify("The last reply has no source to open.", severity="warning")
            return
        if len(sources) == 1:
            self._open(sources[0])
            return
        choices = [(str(n), source_label(s)) for n, s in enumerate(sources, 1)]

        def chosen(key: str | None) -> None:
            if key:
                self._open(sources[int(key) - 1])

        self.push_screen(SourcePicker(choices), chosen)

    def _open(self, source: dict[str, Any]) -> None:
        max_bytes = 20_000_000
        if self.bot is not None:
            max_bytes = int(self.bot.settings.knowledge.max_file_mb * 1e6)

        def read() -> None:
            from assistant.knowledge.sources import open_source

            view = open_source(
                str(source["path"]),
                line=source.get("line"),
                page=source.get("page"),
                heading=str(source.get("heading") or ""),
                passage=str(
                    source.get("snippet") or source.get("answer") or source["path"]
                ),
                max_bytes=max_bytes,
            )
            self._from_thread(self.push_screen, SourceViewer(view))

        self.run_worker(read, thread=True, group="sources", exit_on_error=False)

    # -- feedback --------------------------------------------------------------

    def action_rate(self, rating: int) -> None:
        """Thumbs up (+1) or down (-1) on the last reply."""
        if self._last is None or self.bot is None:
            self.notify("There is no reply to rate yet.", severity="warning")
            return
        reply, view = self._last
        mark = "▲ good" if rating > 0 else "▼ bad"
        self._send_feedback(view, reply.turn_id, mark, rating=rating)

    def action_meant(self) -> None:
        """Say which intent the last message was meant to be, from a list."""
        if self._last is None or self.bot is None:
            self.notify("There is no reply to correct yet.", severity="warning")
            return
        reply, view = self._last
        data = self.bot.classifier.data
        choices = [(name, data.describe(name)) for name in data.labels]

        def chosen(name: str | None) -> None:
            if name:
                self._send_feedback(
                    view, reply.turn_id, f"→ {name}", correct_intent=name
                )

        self.push_screen(IntentPicker(choices, current=reply.intent), chosen)

    def _send_feedback(
        self, view: MessageView, turn_id: int, mark: str, **feedback: Any
    ) -> None:
        bot = self.bot
        if bot is None:
            return

        def store() -> None:
            try:
                bot.feedback(turn_id, **feedback)
            except AssistantError as exc:
                self._from_thread(self.notify, str(exc), severity="error")
                return
            self._from_thread(view.rate, mark)
            self._from_thread(self.notify, "Thanks, noted.", timeout=2)

        self.run_worker(store, thread=True, group="feedback", exit_on_error=False)

    # -- reminders -------------------------------------------------------------

    def _reminders(self) -> ReminderService | None:
        """The assistant's reminders; None before it loads or without the skill."""
        if self.bot is None:
            return None
        try:
            return self.bot.reminders
        except AssistantError:
            return None

    def refresh_reminders(self) -> None:
        """Reload the side panel's list of upcoming reminders."""
        panel = self.query_one(ReminderPanel)
        reminders = self._reminders()
        if reminders is None:
            panel.show(NOT_INSTALLED if self.bot is not None else "Loading…")
            return

        def load() -> None:
            try:
                upcoming = reminders.upcoming(self.user, limit=20)
            except AssistantError as exc:
                self._from_thread(panel.show, str(exc))
                return
            now = self._clock()
            lines = [reminder_line(r.task, r.due, now=now) for r in upcoming]
            self._from_thread(panel.show, lines)

        self.run_worker(load, thread=True, group="panel", exit_on_error=False)

    def _event_from_thread(self, event: Event) -> None:
        """Listener on the assistant's events; may be called from any thread."""
        if threading.get_ident() == self._main_thread:
            self.call_later(self.on_assistant_event, event)
        else:
            self._from_thread(self.on_assistant_event, event)

    def on_assistant_event(self, event: Event) -> None:
        """Show something the assistant says outside a turn (a reminder due...)."""
        if event.user not in ("", self.user):
            return
        if event.kind == "reminder.due":
            late = bool(event.data.get("late"))
            reminder_id = event.data.get("reminder_id")
            alert = ReminderAlert(
                event.text,
                reminder_id=reminder_id if isinstance(reminder_id, int) else None,
                late=late,
            )
            self.query_one(AlertStack).mount(alert)
            self.notify(event.text, title="Reminder", timeout=15)
            self.bell()
            self.say(event.text, role="notice")
            self.refresh_reminders()
            self.refresh_bindings()
        else:
            self.notify(event.text, title=event.kind)

    def on_reminder_alert_chosen(self, message: ReminderAlert.Chosen) -> None:
        self._settle(message.alert, message.action)

    def action_alert(self, action: str) -> None:
        alert = self.query_one(AlertStack).newest
        if alert is not None:
            self._settle(alert, action)

    def _settle(self, alert: ReminderAlert, action: str) -> None:
        """Snooze, finish or dismiss the reminder behind ``alert``."""
        reminders = self._reminders()
        reminder_id = alert.reminder_id
        alert.remove()
        self.call_after_refresh(self.refresh_bindings)
        if action == "dismiss" or reminders is None or reminder_id is None:
            return

        def act() -> None:
            try:
                if action == "snooze":
                    reminders.snooze(reminder_id, minutes=SNOOZE_MINUTES)
                    text = f"Snoozed for {SNOOZE_MINUTES} minutes."
                else:
                    reminders.done(reminder_id)
                    text = "Marked as done."
            except AssistantError as exc:
                self._from_thread(self.notify, str(exc), severity="error")
                return
            self._from_thread(self.notify, text, timeout=3)
            self._from_thread(self.refresh_reminders)

        self.run_worker(act, thread=True, group="reminders", exit_on_error=False)

    def action_toggle_panel(self) -> None:
        panel = self.query_one("#reminders")
        panel.display = not panel.display

    # -- push-to-talk ----------------------------------------------------------

    def action_talk(self) -> None:
        """Start recording, or stop it and send what was said."""
        if self._recording is not None:
            self._recording.set()
            return
        if self.bot is None or self._busy:
            self.notify("Wait for the current answer first.", severity="warning")
            return
        stop = threading.Event()
        self._recording = stop
        self._busy = True
        self.query_one("#status").add_class("recording")
        self.set_status("● Recording: speak, then Ctrl+R to stop (15 s at most)")
        self.run_worker(
            partial(self._listen, self.bot, stop),
            thread=True,
            group="voice",
            exit_on_error=False,
        )

    def _listen(self, bot: Assistant, stop: threading.Event) -> None:
        """Record one utterance and answer it; in a thread."""
        try:
            from assistant.voice.microphone import record_utterance

            voice = bot.settings.voice
            audio = record_utterance(
                max_seconds=voice.max_utterance_seconds,
                device=voice.input_device,
                stop=stop,
                threshold=voice.vad_threshold,
                min_speech_ms=voice.min_speech_ms,
                min_silence_ms=voice.min_silence_ms,
            )
            self._from_thread(self._recorded)
            if audio is None:
                self._from_thread(self._turn_failed, "nothing was heard")
                return
            self._from_thread(self.set_status, "Transcribing…")
            reply = bot.respond_audio(audio, user=self.user)
        except AssistantError as exc:
            self._from_thread(self._recorded)
            self._from_thread(self._turn_failed, str(exc))
            return
        except Exception as exc:  # no microphone, a missing extra: say so, go on
            logger.exception("Push-to-talk failed")
            self._from_thread(self._recorded)
            self._from_thread(self._turn_failed, f"voice input failed ({exc})")
            return
        transcript = str(reply.data.get("transcript", ""))
        self._from_thread(self._heard, transcript, reply)

    def _recorded(self) -> None:
        self._recording = None
        self.query_one("#status").remove_class("recording")

    def _heard(self, transcript: str, reply: Reply) -> None:
        self.say(transcript or "(nothing heard)", role="user", meta="spoken")
        self._answered(reply)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "talk":
            return self.voice
        if action == "alert":
            return self.query_one(AlertStack).newest is not None
        return True

    # -- command palette -------------------------------------------------------

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand(
            "Toggle intent display",
            "Show or hide the intent and confidence under each reply",
            self.action_toggle_intents,
        )
        yield SystemCommand(
            "Toggle reminders panel",
            "Show or hide the upcoming reminders",
            self.action_toggle_panel,
        )
        yield SystemCommand(
            "Toggle light/dark theme", "Switch between light and dark", self._flip
        )
        yield SystemCommand(
            "Clear conversation",
            "Empty the window (the history stays in the database)",
            self.action_clear,
        )

    def action_toggle_intents(self) -> None:
        self.show_intents = not self.show_intents
        self.query_one(Conversation).set_class(not self.show_intents, "hide-intents")

    def action_clear(self) -> None:
        self.query_one(Conversation).query(MessageView).remove()
        self._last = None
        self._sources = []

    def _flip(self) -> None:
        self.theme = "textual-light" if self.current_theme.dark else "textual-dark"

    # -- helpers ---------------------------------------------------------------

    def _fatal_error(self) -> None:
        """A bug in the window: log the traceback, print one line, not the locals."""
        error = self._exception
        logger.error("The chat window stopped", exc_info=error)
        where = f" Details are in {self.log_path}." if self.log_path else ""
        self._exit_renderables.append(
            Text(
                f"Error: the chat window stopped unexpectedly "
                f"({type(error).__name__}: {error}).{where}"
            )
        )
        self._close_messages_no_wait()

    def _from_thread(
        self, callback: Callable[..., object], *args: Any, **kw: Any
    ) -> bool:
        """Run ``callback`` on the app's thread; False when the app has gone."""
        try:
            self.call_from_thread(callback, *args, **kw)
        except RuntimeError:  # the window closed while the thread worked
            return False
        return True

    def _call_safely(self, action: Callable[[], object], what: str) -> None:
        try:
            action()
        except AssistantError as exc:
            self.say(f"Could not {what}: {exc}", role="error")
