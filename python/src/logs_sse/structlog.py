"""A structlog processor that publishes each event to a logs-sse gateway. Needs structlog only in the
application that configures it: this module imports nothing from structlog.

Example::

    import structlog
    from logs_sse import LogsPublisher
    from logs_sse.structlog import LogsSSEProcessor

    pub = LogsPublisher("http://127.0.0.1:3002", service="etl")
    structlog.configure(processors=[
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        LogsSSEProcessor(pub, workspace_id="ws-1"),  # before the renderer: it sees the event as a dict
        structlog.dev.ConsoleRenderer(),
    ])
    structlog.get_logger().info("rows loaded", resource_id="run-42", rows=1000)
"""

from __future__ import annotations

import sys
import traceback
from typing import Any, MutableMapping

from ._protocol import normalize_level
from .publisher import LogsPublisher

# structlog's method names that are not level names.
_METHOD_LEVELS = {"exception": "error", "msg": "info", "log": "info", "failure": "error", "success": "info"}
# Keys that are structlog's own, not fields of the event. Its "timestamp" is left out because the
# publisher stamps the same moment, and a TimeStamper's format may be one the gateway does not read.
_OWN_KEYS = frozenset(["event", "level", "exc_info", "exception", "stack", "timestamp", "_record", "_from_structlog"])


class LogsSSEProcessor:
    """Publishes every event that passes through it, and hands the event on unchanged.

    The entry's message is the event (``str()`` of it when it is not text); its level is the event's
    ``level`` (from ``add_log_level``) or the method called (``exception`` -> ``error``, ``warning``
    -> ``warn``, ``critical`` -> ``fatal``); ``exc_info`` (or an ``exception`` already rendered by
    ``format_exc_info``) becomes ``traceback``; every other key travels as a field, so
    ``workspace_id`` / ``resource_id`` bound with ``bind()`` or contextvars pick the channel.

    Args:
        publisher: where the events go.
        **bindings: fields added to every entry, such as ``workspace_id``.
    """

    def __init__(self, publisher: LogsPublisher, **bindings: Any) -> None:
        self.publisher = publisher.child(**bindings) if bindings else publisher

    def __call__(self, logger: Any, method_name: str, event_dict: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
        try:
            self._publish(method_name, event_dict)
        except Exception:  # noqa: BLE001 - logging never breaks the caller; publish() counts the rest
            pass
        return event_dict

    def _publish(self, method_name: str, event_dict: MutableMapping[str, Any]) -> None:
        fields = {key: value for key, value in event_dict.items() if key not in _OWN_KEYS}
        level = event_dict.get("level", method_name)
        fields["level"] = _METHOD_LEVELS.get(level, level) if isinstance(level, str) else level
        if normalize_level(fields["level"]) is None:
            fields["level"] = "info"
        text = _traceback(event_dict.get("exc_info")) or event_dict.get("exception")
        if text:
            fields["traceback"] = text
        if event_dict.get("stack"):
            fields["stack"] = event_dict["stack"]
        event = event_dict.get("event")
        self.publisher.publish(event if isinstance(event, str) else str(event), **fields)


def _traceback(exc_info: Any) -> Any:
    if not exc_info:
        return None
    if isinstance(exc_info, BaseException):
        exc_info = (type(exc_info), exc_info, exc_info.__traceback__)
    elif not isinstance(exc_info, tuple):
        exc_info = sys.exc_info()
    if exc_info[0] is None:
        return None
    return "".join(traceback.format_exception(*exc_info)).rstrip("\n")
