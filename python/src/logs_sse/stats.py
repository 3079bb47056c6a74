"""The shape of ``LogsPublisher.stats()``: the Node SDK's counters, in snake_case."""

from __future__ import annotations

from typing import Literal, Optional, TypedDict

ConnectionStatus = Literal[
    "idle",  # nothing sent yet
    "connected",  # the last request got an answer
    "retrying",  # the last request failed and will be sent again
    "refused",  # the gateway refused the token or the service (401/403)
    "closed",  # close() was called
]


class DroppedBy(TypedDict):
    """Why entries were dropped, by count."""

    #: The queue was full (entries or bytes); which entry went depends on ``overflow``.
    overflow: int
    #: Not an entry the gateway can store, found here or by the gateway (400, or a rejection in a 202).
    invalid: int
    #: The gateway refused the token or service (401/403) or answered another 4xx.
    refused: int
    #: One entry alone was over ``max_batch_bytes``, ``max_queue_bytes`` or the gateway's limit (413).
    too_large: int
    #: Published after ``close()``, or still queued when its deadline passed.
    closed: int


class LastError(TypedDict):
    code: str
    message: str
    status: Optional[int]
    #: When it happened, in milliseconds since the epoch (as the Node SDK and the heartbeat say it).
    at: int


class PublisherStats(TypedDict):
    """Counters since the publisher was created (or since the fork, in a child process).
    ``generated == sent + dropped + queue_size`` holds at every moment."""

    #: Every call to ``publish``, ``status`` and ``done``, queued or not.
    generated: int
    #: Entries the gateway accepted.
    sent: int
    #: Sum of ``dropped_by``.
    dropped: int
    dropped_by: DroppedBy
    #: Entries waiting or in flight.
    queue_size: int
    #: Characters of serialised entries waiting or in flight.
    queue_bytes: int
    #: Requests the gateway answered with 2xx.
    batches_sent: int
    #: Requests sent again after a network error, a timeout, 408, 429 or 5xx.
    retries: int
    last_error: Optional[LastError]
    connection_status: ConnectionStatus
