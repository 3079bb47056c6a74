"""Publish logs, status and progress from Python services to a logs-sse gateway, without ever slowing
the service down.

Example::

    from logs_sse import LogsPublisher

    pub = LogsPublisher("http://127.0.0.1:3002", service="etl")
    run = pub.child(workspace_id="ws-1", resource_id="run-42")
    run.status(phase="loading", progress=0)
    run.publish("loading 1,000 rows", rows=1000)
    run.done()
"""

from ._context import bound
from ._retry import is_retryable_status, parse_retry_after
from .errors import PublisherError, PublisherErrorCode
from .handler import LogsSSEHandler
from .publisher import LogsPublisher
from .stats import ConnectionStatus, DroppedBy, LastError, PublisherStats

__all__ = [
    "ConnectionStatus",
    "DroppedBy",
    "LastError",
    "LogsPublisher",
    "LogsSSEHandler",
    "PublisherError",
    "PublisherErrorCode",
    "PublisherStats",
    "bound",
    "is_retryable_status",
    "parse_retry_after",
]

__version__ = "0.1.0"
