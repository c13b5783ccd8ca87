"""The chat window, driven headless by Textual's pilot with the real assistant."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from textual import events
from textual.widgets import OptionList, TextArea
from tui_support import (
    FIXED_NOW,
    idle,
    make_app,
    messages,
    send,
    type_text,
    wait_until,
)

from assistant.bot import Assistant
from assistant.events import Event
from assistant.knowledge import KnowledgeBase, index_paths
from assistant.tui.app import ChatApp
from assistant.tui.render import reminder_line
from assistant.tui.screens import IntentPicker, SourcePicker, SourceViewer
from assistant.tui.widgets import ChatInput, ReminderAlert, ReminderPanel
from tests.knowledge_corpus import write_corpus

pytestmark = [pytest.mark.asyncio, pytest.mark.slow]

SIZE = (100, 30)


def feedback_rows(bot: Assistant) -> list[tuple[int, int | None, str | None]]:
    rows = bot.database.query(
        "SELECT turn_id, rating, correct_intent FROM feedback ORDER BY id"
    )
    return [(r["turn_id"], r["rating"], r["correct_intent"]) for r in rows]


def publish_from_thread(bot: Assistant, event: Event) -> None:
    """Publish as a skill's background thread does."""
    thread = threading.Thread(target=bot.events.publish, args=(event,))
    thread.start()
    thread.join(timeout=10)


def due_event(task: str = "call mum", *, user: str = "default") -> Event:
    data = {
        "reminder_id": 7,
        "task": task,
        "due": "2026-06-01T08:30:00+00:00",
        "late": False,
    }
    return Event("reminder.due", user, f"Reminder: {task}", data)


async def test_typing_a_message_gets_the_reply(bot: Assistant) -> None:
    app = make_app(bot)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, idle(app))
        reply = await send(pilot, app, "what time is it")

        assert "09:30" in reply.body
        assert "time.now" in reply.meta
        assert messages(app, "user")[-1].body == "what time is it"
        assert app.query_one(ChatInput).text == ""
    (turn,) = bot.database.query("SELECT text, intent FROM turns")
    assert (turn["text"], turn["intent"]) == ("what time is it", "time.now")


async def test_feedback_keys_store_feedback(bot: Assistant) -> None:
    app = make_app(bot)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, idle(app))
        reply = await send(pilot, app, "hello")
        turn_id = reply.turn_id
        assert turn_id

        await pilot.press("ctrl+g")
        await wait_until(pilot, lambda: len(feedback_rows(bot)) == 1)
        await pilot.press("ctrl+b")
        await wait_until(pilot, lambda: len(feedback_rows(bot)) == 2)

        await pilot.press("ctrl+o")
        await wait_until(pilot, lambda: isinstance(app.screen, IntentPicker))
        options = app.screen.query_one(OptionList)
        labels = bot.classifier.data.labels
        options.highlighted = labels.index("chitchat.thanks")
        await pilot.press("enter")
        await wait_until(pilot, lambda: len(feedback_rows(bot)) == 3)
        await wait_until(
            pilot, lambda: "chitchat.thanks" in str(reply.query_one(".rating").render())
        )

    assert feedback_rows(bot) == [
        (turn_id, 1, None),
        (turn_id, -1, None),
        (turn_id, None, "chitchat.thanks"),
    ]


async def test_escape_closes_the_intent_picker_without_feedback(bot: Assistant) -> None:
    app = make_app(bot)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, idle(app))
        await send(pilot, app, "hello")
        await pilot.press("ctrl+o")
        await wait_until(pilot, lambda: isinstance(app.screen, IntentPicker))
        await pilot.press("escape")
        await wait_until(pilot, lambda: not isinstance(app.screen, IntentPicker))
    assert feedback_rows(bot) == []


async def test_feedback_before_any_reply_only_warns(bot: Assistant) -> None:
    app = make_app(bot)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, idle(app))
        await pilot.press("ctrl+g")
        await pilot.pause()
        assert any("no reply" in n.message for n in app._notifications)
    assert feedback_rows(bot) == []


async def test_a_fired_reminder_shows_a_notification_while_typing(
    bot: Assistant,
) -> None:
    app = make_app(bot)
    bells: list[bool] = []
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await wait_until(pilot, idle(app))
        app.bell = lambda: bells.append(True)  # type: ignore[method-assign]
        await type_text(pilot, "half typed")

        publish_from_thread(bot, due_event())
        await wait_until(pilot, lambda: bool(app.query(ReminderAlert)))

        alert = app.query_one(ReminderAlert)
        assert alert.reminder_id == 7
        await wait_until(pilot, lambda: bool(app.screen.query("Toast")))
        toast = app.screen.query_one("Toast")
        assert "call mum" in str(toast.render())
        assert bells == [True]
        assert "call mum" in messages(app, "notice")[-1].body
        typing = app.query_one(ChatInput)
        assert typing.text == "half typed"
        assert app.focused is typing

        await pilot.click("#dismiss")
        await wait_until(pilot, lambda: not app.query(ReminderAlert))


async def test_reminders_for_someone_else_are_not_shown(bot: Assistant) -> None:
    app = make_app(bot)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, idle(app))
        publish_from_thread(bot, due_event(user="somebody-else"))
        await pilot.pause(0.2)
        assert not app.query(ReminderAlert)


async def test_a_three_line_paste_arrives_whole(bot: Assistant) -> None:
    pasted = "first line of the note\nsecond line\nthird line, the end"
    app = make_app(bot)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, idle(app))
        app.post_message(events.Paste(pasted))
        await wait_until(pilot, lambda: app.query_one(ChatInput).text == pasted)
        await pilot.press("enter")
        await wait_until(pilot, lambda: bool(messages(app, "bot")) and idle(app)())
        assert messages(app, "user")[-1].body == pasted
    (turn,) = bot.database.query("SELECT text FROM turns")
    assert turn["text"].split() == pasted.split()  # the core joins lines with spaces


async def test_ctrl_j_adds_a_line_and_up_down_recall_history(bot: Assistant) -> None:
    app = make_app(bot)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, idle(app))
        await send(pilot, app, "hello")
        await send(pilot, app, "thanks")
        typing = app.query_one(ChatInput)

        await pilot.press("up")
        assert typing.text == "thanks"
        await pilot.press("up")
        assert typing.text == "hello"
        await pilot.press("down", "down")
        assert typing.text == ""

        await type_text(pilot, "one")
        await pilot.press("ctrl+j")
        await type_text(pilot, "two")
        assert typing.text == "one\ntwo"


async def test_messages_typed_while_loading_are_queued_then_answered(
    home: Path,
) -> None:
    app = ChatApp(home=home, clock=lambda: FIXED_NOW, theme="dark", voice=False)
    async with app.run_test(size=SIZE) as pilot:
        await type_text(pilot, "hello")
        await pilot.press("enter")
        await type_text(pilot, "what time is it")
        await pilot.press("enter")
        if app.bot is None:
            assert "queued" in messages(app, "user")[0].meta
        await wait_until(
            pilot, lambda: len(messages(app, "bot")) == 2 and idle(app)(), seconds=60
        )
        assert app.bot is not None
        local = FIXED_NOW.astimezone(app.bot.zone)
        assert f"{local:%H:%M}" in messages(app, "bot")[1].body
        turns = app.bot.database.query("SELECT text FROM turns ORDER BY id")
        assert [t["text"] for t in turns] == ["hello", "what time is it"]
    assert app.bot is not None
    with pytest.raises(Exception, match="closed"):
        app.bot.respond("hello")


async def test_errors_appear_as_a_message_not_a_traceback(bot: Assistant) -> None:
    bot.close()
    app = make_app(bot)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: app.bot is not None)
        await type_text(pilot, "hello")
        await pilot.press("enter")
        await wait_until(pilot, lambda: bool(messages(app, "error")))
        assert "closed" in messages(app, "error")[-1].body
        assert app.is_running


async def test_a_bad_home_is_reported_in_the_window(tmp_path: Path) -> None:
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("x")
    app = ChatApp(home=not_a_folder, clock=lambda: FIXED_NOW, voice=False)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: bool(messages(app, "error")), seconds=60)
        assert "could not start" in messages(app, "error")[0].body
        assert app.is_running


async def test_panel_says_when_nothing_is_coming_up_and_toggles(
    bot: Assistant,
) -> None:
    app = make_app(bot, show_panel=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, idle(app))
        panel = app.query_one(ReminderPanel)
        list_view = panel.query_one("#reminder-list")
        await wait_until(pilot, lambda: "Nothing coming up" in str(list_view.render()))
        await pilot.press("ctrl+t")
        assert not panel.display
        await pilot.press("ctrl+t")
        assert panel.display


async def test_palette_commands_toggle_intents_and_clear(bot: Assistant) -> None:
    app = make_app(bot)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, idle(app))
        reply = await send(pilot, app, "hello")
        intent = reply.query_one(".intent")
        assert intent.display

        await pilot.press("ctrl+p")
        await type_text(pilot, "toggle intent")
        await pilot.press("enter")
        await wait_until(pilot, lambda: not app.show_intents)
        assert intent.styles.display == "none"

        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert {"Clear conversation", "Toggle reminders panel", "Theme"} <= set(titles)
        app.action_clear()
        await pilot.pause()
        assert not messages(app, "bot")


# -- real reminders, delivered by the assistant's own background thread ----------


async def test_panel_lists_upcoming_and_alert_keys_snooze_and_finish(
    bot: Assistant,
) -> None:
    service = bot.reminders
    zone = ZoneInfo("Europe/London")
    later = datetime.now(zone) + timedelta(days=2)
    service.add(user="default", task="water plants", due=later)
    app = make_app(bot, show_panel=True)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, idle(app))
        assert service.running
        panel = app.query_one("#reminder-list")
        await wait_until(pilot, lambda: "water plants" in str(panel.render()))
        assert reminder_line("water plants", later, now=FIXED_NOW) in str(
            panel.render()
        )

        first = service.add(user="default", task="call mum", due=datetime.now(zone))
        await wait_until(pilot, lambda: bool(app.query(ReminderAlert)))
        assert app.query_one(ReminderAlert).reminder_id == first.id
        await pilot.press("f8")
        await wait_until(pilot, lambda: not app.query(ReminderAlert))
        await wait_until(pilot, lambda: "call mum" in str(panel.render()))
        snoozed = service.get(first.id)
        assert snoozed.status == "pending"
        minutes = (snoozed.due - datetime.now(zone)).total_seconds() / 60
        assert 9 < minutes <= 10

        second = service.add(user="default", task="feed cat", due=datetime.now(zone))
        await wait_until(pilot, lambda: bool(app.query(ReminderAlert)))
        await pilot.click("#done")
        await wait_until(pilot, lambda: service.get(second.id).status == "done")
        await wait_until(pilot, lambda: not app.query(ReminderAlert))
    assert not service.running
    delivered = bot.database.query(
        "SELECT reminder_id, COUNT(*) AS n FROM deliveries GROUP BY reminder_id"
    )
    assert {(r["reminder_id"], r["n"]) for r in delivered} == {
        (first.id, 1),
        (second.id, 1),
    }


async def test_push_to_talk_shows_the_indicator_and_reports_a_missing_microphone(
    home: Path,
) -> None:
    # A microphone that does not exist: recording fails when the stream opens;
    # the indicator must appear, then clear, with a readable message.
    config = {
        "conversation": {"timezone": "Europe/London"},
        "voice": {"input_device": "no such microphone"},
    }
    bot = Assistant(home=home, config=config)
    app = make_app(bot, voice=True)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await wait_until(pilot, idle(app))
            status = app.query_one("#status")
            app.action_talk()  # the thread cannot report back before we look
            assert "Recording" in str(status.render())
            assert status.has_class("recording")
            await wait_until(pilot, lambda: bool(messages(app, "error")))
            assert "microphone" in messages(app, "error")[-1].body.lower()
            assert "Traceback" not in messages(app, "error")[-1].body
            assert not status.has_class("recording")
            assert idle(app)()

            await pilot.press("ctrl+r")  # the key does the same
            await wait_until(pilot, lambda: len(messages(app, "error")) == 2)
    finally:
        bot.close()


async def test_push_to_talk_is_off_without_voice(bot: Assistant) -> None:
    app = make_app(bot, voice=False)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, idle(app))
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert "Recording" not in str(app.query_one("#status").render())


# -- opening the source of a search result or an answer ---------------------------


@pytest.fixture
def notes(bot: Assistant, tmp_path: Path) -> Path:
    """The knowledge tests' small corpus, indexed for ``bot``."""
    folder = write_corpus(tmp_path / "notes")
    index_paths(KnowledgeBase(bot.settings, bot.database), [folder])
    return folder


async def test_a_search_result_opens_at_its_passage(
    bot: Assistant, notes: Path
) -> None:
    app = make_app(bot)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, idle(app))
        reply = await send(pilot, app, "find my notes on the garden layout")
        assert "moving.md" in reply.body

        await pilot.press("ctrl+e")
        await wait_until(pilot, lambda: isinstance(app.screen, SourcePicker))
        await pilot.press("enter")  # the first result
        await wait_until(pilot, lambda: isinstance(app.screen, SourceViewer))
        viewer = app.screen
        assert isinstance(viewer, SourceViewer)
        first = bot.database.query(
            "SELECT line FROM knowledge_passages WHERE heading = ?",
            ("Our move > Garden layout",),
        )[0]["line"]
        area = viewer.query_one(TextArea)
        assert area.text == (notes / "moving.md").read_text()
        assert area.cursor_location == (first - 1, 0)
        assert "raised beds" in area.document.get_line(first - 1)
        assert area.read_only

        await pilot.press("escape")
        await wait_until(pilot, lambda: not isinstance(app.screen, SourceViewer))


async def test_an_answer_whose_file_vanished_shows_the_indexed_passage(
    bot: Assistant, notes: Path
) -> None:
    app = make_app(bot)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, idle(app))
        reply = await send(pilot, app, "who is jonas berg?")
        assert "Jonas Berg" in reply.body
        (notes / "taxes.html").unlink()

        await pilot.press("ctrl+e")  # one source: opens at once
        await wait_until(pilot, lambda: isinstance(app.screen, SourceViewer))
        viewer = app.screen
        assert "no longer there" in str(viewer.query_one("#viewer-note").render())
        assert "Jonas Berg" in viewer.query_one(TextArea).text


async def test_open_without_sources_only_warns(bot: Assistant) -> None:
    app = make_app(bot)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await wait_until(pilot, idle(app))
        await send(pilot, app, "hello")
        await pilot.press("ctrl+e")
        await pilot.pause()
        assert any("no source" in n.message for n in app._notifications)
        assert not isinstance(app.screen, SourceViewer)
