from __future__ import annotations

import pytest

from assistant.bot import Assistant
from assistant.events import Event, EventBus


def test_listeners_get_events_until_they_unsubscribe() -> None:
    bus = EventBus()
    seen: list[str] = []
    stop = bus.subscribe(lambda event: seen.append(event.text))

    assert bus.publish(Event("reminder.due", "ann", "Stretch")) == 1
    stop()
    assert bus.publish(Event("reminder.due", "ann", "Again")) == 0
    assert seen == ["Stretch"]
    assert not bus.has_listeners


def test_a_failing_listener_does_not_silence_the_others(
    caplog: pytest.LogCaptureFixture,
) -> None:
    bus = EventBus()
    seen: list[Event] = []

    def broken(event: Event) -> None:
        raise RuntimeError("listener bug")

    bus.subscribe(broken)
    bus.subscribe(seen.append)

    assert bus.publish(Event("x", "ann", "hello", {"id": 1})) == 1
    assert [event.data for event in seen] == [{"id": 1}]
    assert "listener bug" in caplog.text


def test_the_assistant_passes_skill_events_to_listeners(bot: Assistant) -> None:
    seen: list[Event] = []
    bot.listen(seen.append)

    bot.skill_env.events.publish(Event("test.ping", "ann", "ping"))

    assert [event.kind for event in seen] == ["test.ping"]


def test_closing_twice_is_harmless(bot: Assistant) -> None:
    bot.close()
    bot.close()
