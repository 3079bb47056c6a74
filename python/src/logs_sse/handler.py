"""``LogsSSEHandler``: the standard library's ``logging`` into a logs-sse gateway."""

from __future__ import annotations

import logging
from typing import Any, Optional

from .publisher import LogsPublisher

# Attributes every LogRecord has: anything else on a record came from ``extra=`` and travels as a field.
_RECORD_ATTRIBUTES = frozenset(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {"message", "asctime"}
_traceback_formatter = logging.Formatter()


def level_name(levelno: int) -> str:
    """The logs-sse level for a ``logging`` level number: ``CRITICAL`` is ``fatal``, ``WARNING``
    ``warn``, and anything below ``DEBUG`` is ``trace``."""
    if levelno >= logging.CRITICAL:
        return "fatal"
    if levelno >= logging.ERROR:
        return "error"
    if levelno >= logging.WARNING:
        return "warn"
    if levelno >= logging.INFO:
        return "info"
    if levelno >= logging.DEBUG:
        return "debug"
    return "trace"


class LogsSSEHandler(logging.Handler):
    """A ``logging.Handler`` that publishes each record through a :class:`LogsPublisher`, so it costs
    the logging call what ``publish()`` costs: no network, no waiting, never an exception.

    Each entry carries the record's message (``record.getMessage()``, or what this handler's formatter
    makes of the record when one is set), its level (``WARNING`` -> ``warn``, ``CRITICAL`` ->
    ``fatal``), its time, the logger's name as ``logger``, the formatted exception as ``traceback``
    (and ``stack_info`` as ``stack``), and every field given with ``extra=``. An ``extra`` of
    ``workspace_id`` / ``resource_id`` picks the record's channel.

    Args:
        publisher: where the records go.
        level: the handler's level. Defaults to ``logging.NOTSET`` (every record).
        **bindings: fields added to every entry, such as ``workspace_id`` and ``resource_id``.

    Example::

        handler = LogsSSEHandler(pub, workspace_id="ws-1", resource_id="nightly-import")
        logging.getLogger("etl").addHandler(handler)
        logging.getLogger("etl").warning("slow batch", extra={"rows": 1200})
    """

    def __init__(self, publisher: LogsPublisher, level: int = logging.NOTSET, **bindings: Any) -> None:
        super().__init__(level)
        self.publisher = publisher.child(**bindings) if bindings else publisher

    def handle(self, record: logging.LogRecord) -> Any:
        # The publisher is safe from any thread: the handler's own lock would only serialise callers.
        result = self.filter(record)
        if isinstance(result, logging.LogRecord):
            record = result
        if result:
            self.emit(record)
        return result

    def emit(self, record: logging.LogRecord) -> None:
        try:
            fields = {key: value for key, value in record.__dict__.items() if key not in _RECORD_ATTRIBUTES}
            fields["level"] = level_name(record.levelno)
            fields["timestamp"] = int(record.created * 1000)
            fields["logger"] = record.name
            traceback = _traceback(record)
            if traceback is not None:
                fields["traceback"] = traceback
            if record.stack_info:
                fields["stack"] = record.stack_info
            message = self.format(record) if self.formatter is not None else record.getMessage()
            self.publisher.publish(message, **fields)
        except RecursionError:
            raise
        except Exception:  # noqa: BLE001 - logging's own way: report on stderr, never raise
            self.handleError(record)

    def flush(self) -> None:
        """Sends what is queued, for at most one second: ``logging.shutdown()`` calls it at exit."""
        self.publisher.flush(1.0)

    def close(self) -> None:
        # The publisher may serve other handlers and code: closing it is its owner's call.
        super().close()


def _traceback(record: logging.LogRecord) -> Optional[str]:
    if record.exc_info and record.exc_info[0] is not None:
        return _traceback_formatter.formatException(record.exc_info)
    return record.exc_text or None
