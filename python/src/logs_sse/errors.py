"""Delivery faults, as handed to ``on_error`` and kept in ``stats()["last_error"]``."""

from __future__ import annotations

from typing import Literal, Optional


PublisherErrorCode = Literal[
    "network_error",  # the gateway could not be reached, or the connection broke: retried
    "timeout",  # no answer within request_timeout: retried
    "server_error",  # the gateway answered 408 or 5xx: retried
    "rate_limited",  # the gateway answered 429: retried after its Retry-After
    "refused",  # 401 or 403: the token or service is not allowed; dropped
    "invalid_entries",  # 400, or entries a 202 rejected one by one; dropped
    "payload_too_large",  # one entry alone is over the gateway's body limit (413); dropped
    "unexpected_status",  # any other answer the gateway should not give; dropped
]


class PublisherError(Exception):
    """A delivery fault. It is never raised at the caller: the publisher hands it to ``on_error`` and
    keeps the last one in ``stats()["last_error"]``.

    Attributes:
        code: one of :data:`PublisherErrorCode`.
        message: what happened, for people.
        status: the HTTP status of the answer, or ``None`` when there was no answer.
        entries: how many entries the fault concerns.
    """

    def __init__(self, code: str, message: str, status: Optional[int] = None, entries: int = 0) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status
        self.entries = entries

    def __repr__(self) -> str:
        return f"PublisherError({self.code!r}, {self.message!r}, status={self.status!r}, entries={self.entries})"
