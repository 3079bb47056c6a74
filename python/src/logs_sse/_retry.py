"""The retry contract every reader and publisher follows (docs/protocol.md, "Retrying"). Mirrors
``isRetryableStatus`` and ``parseRetryAfter`` of ``@logs-sse/protocol``, in seconds."""

from __future__ import annotations

import math
import re
from datetime import datetime, timezone
from email.utils import parsedate_tz
from typing import Callable, Optional

#: The longest wait a ``Retry-After`` can ask for, as the Node packages cap it (about 24.8 days).
MAX_RETRY_AFTER = 2_147_483.647

_DIGITS = re.compile(r"[0-9]+")
_STARTS_WITH_LETTER = re.compile(r"[A-Za-z]")


def is_retryable_status(status: int) -> bool:
    """Whether an answer with this status means "later", not "never": 408, 429 and every 5xx.

    >>> is_retryable_status(503), is_retryable_status(403)
    (True, False)
    """
    return status == 408 or status == 429 or status >= 500


def parse_retry_after(value: Optional[str], now: float) -> Optional[float]:
    """Seconds a ``Retry-After`` value asks to wait from ``now`` (epoch seconds): delay-seconds (digits
    only) or an HTTP date in any of its three forms, a past date being 0. ``None`` when the value is
    missing or unreadable (a negative number, a fraction, text), so the caller keeps its own backoff.

    >>> parse_retry_after("5", 0.0)
    5.0
    >>> parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", 1445412420.0)
    60.0
    """
    if not value:
        return None
    if _DIGITS.fullmatch(value):
        return min(MAX_RETRY_AFTER, float(int(value)))
    if not _STARTS_WITH_LETTER.match(value):
        return None
    at = _http_date(value)
    if at is None:
        return None
    return min(MAX_RETRY_AFTER, max(0.0, at - now))


def _http_date(value: str) -> Optional[float]:
    """Epoch seconds of an HTTP date in any of its three forms (IMF-fixdate, rfc850, asctime), read as
    GMT when it names no zone; ``None`` for a date that does not exist."""
    parsed = parsedate_tz(value)
    if parsed is None:
        return None
    year, month, day, hh, mm, ss = parsed[:6]
    try:
        at = datetime(year, month, day, hh, mm, min(ss, 59), tzinfo=timezone.utc)
    except (OverflowError, ValueError):
        return None
    return at.timestamp() - (parsed[9] or 0)


def backoff_delay(attempt: int, base: float, maximum: float, random: Callable[[], float]) -> float:
    """Wait before retry number ``attempt`` (0 for the first): "full jitter", a uniform draw between 0
    and a cap that doubles per attempt, so that publishers cut off together do not come back together."""
    cap = min(maximum, base * math.pow(2, min(attempt, 30)))
    return random() * cap
