"""Checks the options a caller gave ``LogsPublisher``. The defaults live in one place, the signature of
``LogsPublisher.__init__``; this module only refuses what cannot work, with a message that says what to
pass instead."""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, replace
from typing import Callable, Optional
from urllib.parse import urlsplit

from ._protocol import is_publisher_id, is_valid_segment
from .errors import PublisherError


@dataclass(frozen=True)
class Options:
    url: str
    token: Optional[str]
    service: str
    max_queue_size: int
    max_queue_bytes: int
    overflow: str
    batch_size: int
    max_batch_bytes: int
    flush_interval: float
    gzip: bool
    on_error: Optional[Callable[[PublisherError], None]]
    heartbeat_interval: float
    #: ``None`` until resolved: a fresh one is drawn per process (see :func:`publisher_id_for`).
    publisher_id: Optional[str]
    request_timeout: float
    retry_base: float
    retry_max: float
    close_timeout: float
    handle_exit: bool
    random: Callable[[], float]


def check_options(options: Options) -> Options:
    """Raises ``TypeError`` or ``ValueError`` on misuse; returns the options with the URL normalised and
    ``batch_size`` kept within ``max_queue_size``."""
    url = options.url
    if not isinstance(url, str) or urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).hostname:
        raise ValueError(f"url must be the gateway's http(s) base URL, such as 'http://127.0.0.1:3002', got {url!r}")
    if not is_valid_segment(options.service):
        raise ValueError(f"service must match [A-Za-z0-9_.-]{{1,128}}, such as 'billing-api', got {options.service!r}")
    if options.token is not None and (not isinstance(options.token, str) or not options.token):
        raise ValueError("token must be a non-empty string (the publisher token), or None for an open gateway")
    if options.overflow not in ("drop-oldest", "drop-newest"):
        raise ValueError(f"overflow must be 'drop-oldest' or 'drop-newest', got {options.overflow!r}")
    for name in ("max_queue_size", "max_queue_bytes", "batch_size", "max_batch_bytes"):
        value = getattr(options, name)
        if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
            raise ValueError(f"{name} must be a whole number above 0, got {value!r}")
    for name in ("request_timeout", "retry_base", "retry_max"):
        _number(options, name, above_zero=True)
    for name in ("flush_interval", "heartbeat_interval", "close_timeout"):
        _number(options, name, above_zero=False)
    if options.on_error is not None and not callable(options.on_error):
        raise TypeError("on_error must be a function taking a PublisherError, such as lambda error: print(error)")
    if not callable(options.random):
        raise TypeError("random must be a function returning a float in [0, 1), such as random.random")
    if options.publisher_id is not None and not is_publisher_id(options.publisher_id):
        raise ValueError("publisher_id must be 1 to 128 printable ASCII characters without spaces")
    return replace(
        options,
        url=url.rstrip("/"),
        # A batch larger than the queue could never fill.
        batch_size=min(options.batch_size, options.max_queue_size),
    )


def publisher_id_for(options: Options, forked: bool) -> str:
    """This process's publisher id: the one given (with the process id after a fork, so that each
    worker shows apart in the gateway's stats), or ``<service>-<random>``."""
    given = options.publisher_id
    if given is None:
        return f"{options.service}-{os.urandom(4).hex()}"
    if not forked:
        return given
    suffix = f"-{os.getpid()}"
    return given[: 128 - len(suffix)] + suffix


def _number(options: Options, name: str, above_zero: bool) -> None:
    value = getattr(options, name)
    ok = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
    if not ok or value < 0 or (above_zero and value == 0):
        bound = "above 0" if above_zero else "of at least 0"
        raise ValueError(f"{name} must be a number of seconds {bound}, got {value!r}")

