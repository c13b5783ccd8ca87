"""The user's time zone: from the settings, else the system's."""

from __future__ import annotations

import logging
import zoneinfo
from datetime import tzinfo

from assistant.errors import ConfigError

__all__ = ["user_zone"]

logger = logging.getLogger(__name__)


def user_zone(name: str | None) -> tzinfo:
    """The zone called ``name`` (IANA, e.g. ``Europe/Paris``), or the system's.

    Raises:
        ConfigError: ``name`` is not a known time zone.
    """
    if name:
        try:
            return zoneinfo.ZoneInfo(name)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
            raise ConfigError(
                f"Unknown time zone {name!r} in conversation.timezone; "
                "use an IANA name such as 'Europe/Paris'."
            ) from exc
    import tzlocal

    try:
        return zoneinfo.ZoneInfo(tzlocal.get_localzone_name() or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        logger.warning("The system time zone is unknown; using UTC.")
        return zoneinfo.ZoneInfo("UTC")
