"""The parts of the wire contract (docs/protocol.md) a publisher needs: paths, headers, limits and the
rules for channels and levels. Mirrors ``@logs-sse/protocol`` name for name."""

from __future__ import annotations

import re
from typing import Optional

PUBLISH_PATH = "/api/logs/publish"
HEARTBEAT_PATH = "/api/logs/publishers/heartbeat"
PUBLISHER_ID_HEADER = "X-Publisher-Id"

#: Longest ``message`` the gateway stores (``MAX_MESSAGE_LENGTH``).
MAX_MESSAGE_LENGTH = 1_000_000
#: Longest ``phase`` of a status entry (``MAX_PHASE_LENGTH``).
MAX_PHASE_LENGTH = 128
#: Highest ``progress`` of a status entry (``MAX_PROGRESS``).
MAX_PROGRESS = 100

_SEGMENT = re.compile(r"[A-Za-z0-9_.-]{1,128}")
_CHANNEL = re.compile(r"logs:[A-Za-z0-9_.-]{1,128}:[A-Za-z0-9_.-]{1,128}:[A-Za-z0-9_.-]{1,128}")
_PUBLISHER_ID = re.compile(r"[\x21-\x7e]{1,128}")

LEVELS = ("trace", "debug", "info", "warn", "error", "fatal")

_ALIASES = {
    "trace": "trace",
    "verbose": "trace",
    "silly": "trace",
    "debug": "debug",
    "dbg": "debug",
    "info": "info",
    "information": "info",
    "informational": "info",
    "notice": "info",
    "log": "info",
    "warn": "warn",
    "warning": "warn",
    "error": "error",
    "err": "error",
    "fatal": "fatal",
    "critical": "fatal",
    "crit": "fatal",
    "alert": "fatal",
    "emerg": "fatal",
    "emergency": "fatal",
    "panic": "fatal",
}
_LEVEL_DIGITS = re.compile(r"[0-9]{2,3}")


def is_valid_segment(value: object) -> bool:
    """Whether ``value`` can be one segment of a channel: ``[A-Za-z0-9_.-]{1,128}``."""
    # fullmatch on a str subclass is fine; only real strings reach the wire as JSON strings.
    return isinstance(value, str) and _SEGMENT.fullmatch(value) is not None


def is_valid_channel(value: object) -> bool:
    """Whether ``value`` is a concrete channel, ``logs:{service}:{workspace}:{resource}``."""
    return isinstance(value, str) and _CHANNEL.fullmatch(value) is not None


def is_publisher_id(value: object) -> bool:
    """Whether ``value`` is 1 to 128 printable ASCII characters, as the gateway wants a publisher id."""
    return isinstance(value, str) and _PUBLISHER_ID.fullmatch(value) is not None


def normalize_level(value: object) -> Optional[str]:
    """The stored level for a level as services send it: a name or alias in any case, or a pino number
    (10 trace ... 60 fatal, also as a string of two or three digits). ``None`` when it names no level.

    >>> normalize_level("WARNING"), normalize_level(50), normalize_level("loud")
    ('warn', 'error', None)
    """
    if isinstance(value, str):
        name = _ALIASES.get(value.lower())
        if name is not None:
            return name
        return _level_from_number(int(value)) if _LEVEL_DIGITS.fullmatch(value) else None
    # bool is an int in Python, and True is no level.
    if isinstance(value, int) and not isinstance(value, bool):
        return _level_from_number(value)
    return None


def _level_from_number(n: int) -> Optional[str]:
    if n < 10 or n > 100:
        return None
    return LEVELS[min(5, n // 10 - 1)]
