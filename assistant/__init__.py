"""An offline, private, conversational assistant.

```python
from assistant import Assistant
bot = Assistant()
reply = bot.respond("what time is it", user="alice")
print(reply.text)
bot.feedback(reply.turn_id, rating=1)
```

Importing this package is light: models load on the first message.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = ["Assistant", "AssistantError", "Reply", "__version__"]

if TYPE_CHECKING:
    from assistant.bot import Assistant
    from assistant.errors import AssistantError
    from assistant.reply import Reply


def __getattr__(name: str) -> Any:
    if name == "Assistant":
        from assistant.bot import Assistant

        return Assistant
    if name == "AssistantError":
        from assistant.errors import AssistantError

        return AssistantError
    if name == "Reply":
        from assistant.reply import Reply

        return Reply
    raise AttributeError(f"module 'assistant' has no attribute {name!r}")
