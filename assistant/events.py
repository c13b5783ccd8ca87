"""Things that happen outside a turn (a reminder coming due...), told to listeners."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Event", "EventBus", "Listener"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Event:
    """Something a skill tells the user without being asked.

    ``kind`` names it (``"reminder.due"``...), ``text`` is what to show and
    ``data`` the JSON-serialisable details (ids, times) an interface may use.
    """

    kind: str
    user: str
    text: str
    data: dict[str, Any] = field(default_factory=dict)


Listener = Callable[[Event], None]


class EventBus:
    """Listeners by subscription; a listener that raises does not stop the others."""

    def __init__(self) -> None:
        self._listeners: list[Listener] = []
        self._lock = threading.Lock()

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call ``listener`` with every event from now on; returns an unsubscribe."""
        with self._lock:
            self._listeners.append(listener)

        def unsubscribe() -> None:
            with self._lock:
                if listener in self._listeners:
                    self._listeners.remove(listener)

        return unsubscribe

    def publish(self, event: Event) -> int:
        """Tell every listener; returns how many took the event without failing."""
        with self._lock:
            listeners = list(self._listeners)
        delivered = 0
        for listener in listeners:
            try:
                listener(event)
            except Exception:  # one broken listener must not silence the rest
                logger.exception("Event listener %r failed on %s", listener, event.kind)
            else:
                delivered += 1
        return delivered

    @property
    def has_listeners(self) -> bool:
        with self._lock:
            return bool(self._listeners)
