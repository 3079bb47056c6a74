"""Turns one entry into the JSON line the gateway reads, checking on the way what is cheap to check."""

from __future__ import annotations

import json
from datetime import date, datetime, time as time_of_day, timezone
from time import time as now_seconds
from typing import Any, Dict, Optional, Tuple

from . import _context
from ._protocol import (
    MAX_MESSAGE_LENGTH,
    MAX_PHASE_LENGTH,
    MAX_PROGRESS,
    is_valid_channel,
    is_valid_segment,
    normalize_level,
)

#: Equal to no value an entry can hold, so that nothing counts as checked before it has been.
_NONE = object()

# Levels as services usually spell them, checked with one set lookup instead of the full rule.
_COMMON_LEVELS = frozenset(
    ["trace", "debug", "info", "warn", "warning", "error", "fatal", "critical"]
    + ["TRACE", "DEBUG", "INFO", "WARN", "WARNING", "ERROR", "FATAL", "CRITICAL"]
)


def _fallback(value: Any) -> Any:
    """What JSON cannot hold travels as text: datetimes in ISO 8601, anything else as ``str(value)``."""
    if isinstance(value, datetime):
        return _iso(value) if value.tzinfo is not None else value.isoformat()
    if isinstance(value, (date, time_of_day)):
        return value.isoformat()
    if isinstance(value, (set, frozenset)):
        return list(value)
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).decode("utf-8", "backslashreplace")
    return str(value)


def _iso(value: datetime) -> str:
    """``2026-11-24T12:00:00.000Z``: the gateway's own form of a time."""
    utc = value.astimezone(timezone.utc)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


# One encoder for every entry: json.dumps() with options builds a new encoder per call. NaN and
# Infinity are refused, since the gateway's JSON has no such numbers and would reject the line.
_encode = json.JSONEncoder(
    ensure_ascii=False, separators=(",", ":"), allow_nan=False, default=_fallback
).encode


class EntryEncoder:
    """Encodes the entries of one publisher or child: its service and bindings are added to each entry
    that does not carry them itself. The caller's own dict is never changed (``publish`` receives a
    fresh ``**fields`` dict, which is the one filled in here)."""

    __slots__ = ("service", "bindings", "_ok_channel", "_ok_service", "_ok_workspace", "_ok_resource")

    def __init__(self, service: str, bindings: Dict[str, Any]) -> None:
        self.service = bindings.get("service", service)
        #: Fields added to each entry, ``None`` values left out.
        self.bindings: Tuple[Tuple[str, Any], ...] = tuple(
            (key, value) for key, value in bindings.items() if value is not None and key != "service"
        )
        # The last channel parts that passed, so that a run of entries for one resource skips the regexes.
        self._ok_channel: Any = _NONE
        self._ok_service: Any = service
        self._ok_workspace: Any = _NONE
        self._ok_resource: Any = _NONE

    def encode(self, entry: Dict[str, Any]) -> Optional[str]:
        """The entry as one JSON line, or ``None`` when the gateway would refuse it. Stamps the time of
        the call on entries that carry none, so a queued entry keeps the time it happened. Callers catch
        what a hostile ``__str__`` or a circular structure raises."""
        context = _context.current.get()
        if context is not None:
            for key, value in context.items():
                if key not in entry:
                    entry[key] = value
        for key, value in self.bindings:
            if key not in entry:
                entry[key] = value
        if not self._check_channel(entry) or not _check_fields(entry):
            return None
        return _encode(entry)

    def _check_channel(self, entry: Dict[str, Any]) -> bool:
        channel = entry.get("channel")
        if channel is not None:
            if channel is not self._ok_channel:
                if not is_valid_channel(channel):
                    return False
                self._ok_channel = channel
            return True
        service = entry.get("service")
        if service is None:
            entry["service"] = service = self.service
        if service is not self._ok_service:
            if not is_valid_segment(service):
                return False
            self._ok_service = service
        workspace = entry.get("workspace_id")
        if workspace is not self._ok_workspace:
            if not is_valid_segment(workspace):
                return False
            self._ok_workspace = workspace
        resource = entry.get("resource_id")
        if resource is None:
            resource = entry.get("workflow_id")
        if resource is not self._ok_resource:
            if not is_valid_segment(resource):
                return False
            self._ok_resource = resource
        return True


def _check_fields(entry: Dict[str, Any]) -> bool:
    """The checks of the gateway's ``validateEntry`` that decide whether an entry can be stored at all.
    Field depth is left to the gateway: checking it would walk every entry on the caller's thread, and
    its rejection counts the entry as ``invalid`` all the same."""
    stamp = entry.get("timestamp")
    if stamp is None:
        stamp = entry.get("time")
        if stamp is None:
            entry["timestamp"] = int(now_seconds() * 1000)
        elif not _check_time(entry, "time", stamp):
            return False
    elif not _check_time(entry, "timestamp", stamp):
        return False
    kind = entry.get("type")
    message = entry.get("message")
    if kind is None or kind == "log":
        if not isinstance(message, str) or len(message) > MAX_MESSAGE_LENGTH:
            return False
        level = entry.get("level")
        if level is None:
            entry.pop("level", None)
            return True
        return (type(level) is str and level in _COMMON_LEVELS) or normalize_level(level) is not None
    if kind == "status":
        phase = entry.get("phase")
        if not isinstance(phase, str) or not 0 < len(phase) <= MAX_PHASE_LENGTH:
            return False
        progress = entry.get("progress")
        if progress is not None and not (
            isinstance(progress, (int, float)) and not isinstance(progress, bool) and 0 <= progress <= MAX_PROGRESS
        ):
            return False
        return message is None or isinstance(message, str)
    return bool(kind == "done")


def _check_time(entry: Dict[str, Any], key: str, value: Any) -> bool:
    """A time is an ISO 8601 string or epoch milliseconds (the gateway checks the string), or an aware
    ``datetime``, sent in ISO 8601. A naive ``datetime`` names no instant and is refused."""
    if isinstance(value, str):
        return True
    if isinstance(value, (int, float)):
        return not isinstance(value, bool)
    if isinstance(value, datetime) and value.tzinfo is not None and value.utcoffset() is not None:
        entry[key] = _iso(value)
        return True
    return False
