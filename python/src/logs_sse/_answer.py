"""What one answer to a publish request means for the entries it carried, by the protocol's retry
contract (docs/protocol.md, "Retrying")."""

from __future__ import annotations

import json
from typing import Any, Dict, List, Optional

from ._http import Answer, Outcome
from ._retry import is_retryable_status, parse_retry_after
from .errors import PublisherError


class Verdict:
    """``action`` is ``"settled"`` (every entry is sent or dropped), ``"split"`` (413: send the batch in
    halves) or ``"retry"`` (the same request again, after ``retry_after`` seconds or the backoff)."""

    __slots__ = ("action", "sent", "invalid", "refused", "too_large", "accepted", "connection", "retry_after", "error")

    def __init__(self) -> None:
        self.action = "settled"
        self.sent = 0
        self.invalid = 0
        self.refused = 0
        self.too_large = 0
        self.accepted = False
        self.connection = "connected"
        self.retry_after: Optional[float] = None
        self.error: Optional[PublisherError] = None


def read_answer(outcome: Outcome, count: int, now: float) -> Verdict:
    """2xx counts what was accepted and rejected; 413 splits, and so does a 400 about the body as a
    whole; 408, 429, 5xx and network faults are retried; any other 4xx drops the entries, since sending
    them again would be refused again."""
    verdict = Verdict()
    if not isinstance(outcome, Answer):
        verdict.action = "retry"
        verdict.connection = "retrying"
        verdict.error = PublisherError(outcome.code, outcome.message, None, count)
        return verdict
    status = outcome.status
    if 200 <= status < 300:
        result = _object(_parse(outcome.body))
        rejected = _list(result.get("rejected"))
        accepted = result.get("accepted")
        claimed: int = accepted if isinstance(accepted, int) and not isinstance(accepted, bool) else count - len(rejected)
        verdict.accepted = True
        verdict.sent = min(count, max(0, claimed))
        # Counted from what was accepted, not from the list: the gateway lists at most 100 rejections.
        lost = count - verdict.sent
        if lost > 0:
            _split_rejected(verdict, rejected, lost)
            first = _message(rejected[0].get("error")) if rejected and isinstance(rejected[0], dict) else None
            verdict.error = PublisherError(
                "invalid_entries", f"{lost} of {count} rejected: {first or 'entries rejected'}", status, lost
            )
        return verdict
    if status == 413:
        if count > 1:
            verdict.action = "split"
            return verdict
        verdict.too_large = 1
        verdict.error = PublisherError("payload_too_large", "an entry is over the gateway body limit", 413, 1)
        return verdict
    body = _object(_parse(outcome.body))
    text = _message(body.get("error"))
    message = f"{status}: {text}" if text else f"gateway answered {status}"
    if is_retryable_status(status):
        verdict.action = "retry"
        verdict.connection = "retrying"
        verdict.retry_after = parse_retry_after(outcome.retry_after, now)
        code = "rate_limited" if status == 429 else "server_error"
        verdict.error = PublisherError(code, message, status, count)
    elif status == 400:
        error = _object(body.get("error"))
        listed = error.get("rejected")
        if not isinstance(listed, list) and count > 1:
            # A fault of the body as a whole: for our NDJSON that is one entry nested deeper than the
            # gateway reads, found before it parses a line. Halving finds it, and it alone is dropped.
            verdict.action = "split"
            return verdict
        _split_rejected(verdict, _list(listed), count)
        verdict.error = PublisherError("invalid_entries", message, status, count)
    elif status == 401 or status == 403:
        verdict.refused = count
        verdict.connection = "refused"
        verdict.error = PublisherError("refused", message, status, count)
    else:
        verdict.refused = count
        verdict.error = PublisherError("unexpected_status", message, status, count)
    return verdict


def _split_rejected(verdict: Verdict, rejected: List[Any], lost: int) -> None:
    """Of ``lost`` entries, those refused for their service count as refused, the rest as invalid."""
    refused = 0
    for item in rejected:
        error = item.get("error") if isinstance(item, dict) else None
        if isinstance(error, dict) and error.get("code") in ("forbidden", "unauthorized"):
            refused += 1
    verdict.refused = min(refused, lost)
    verdict.invalid = lost - verdict.refused


def _parse(body: bytes) -> Any:
    try:
        return json.loads(body)
    except ValueError:
        return None


def _object(value: Any) -> Dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> List[Any]:
    return value if isinstance(value, list) else []


def _message(error: Any) -> Optional[str]:
    message = error.get("message") if isinstance(error, dict) else None
    return message if isinstance(message, str) else None
