"""``LogsPublisher``: queue entries for a logs-sse gateway and send them from a background thread."""

from __future__ import annotations

import random as random_module
from typing import Any, Callable, Dict, Optional

from . import _lifecycle
from ._encoder import EntryEncoder
from ._options import Options, check_options, publisher_id_for
from ._sender import Sender
from .errors import PublisherError
from .stats import PublisherStats


class _Core:
    """What a publisher shares with its children: the options and the sender. A forked child process
    swaps the sender for one of its own."""

    def __init__(self, options: Options) -> None:
        self.options = options
        self.sender = Sender(options, publisher_id_for(options, forked=False))
        self.closed = False
        _lifecycle.track(self)

    def close(self, timeout: float) -> bool:
        sender = self.sender
        self.closed = True
        _lifecycle.untrack(self)
        sender.refuse()
        flushed = sender.flush(timeout)
        # The request in flight is cut at once; the thread then needs only a moment to let go of it.
        sender.stop(join_timeout=1.0)
        return flushed

    def after_fork(self) -> None:
        sender = Sender(self.options, publisher_id_for(self.options, forked=True))
        if self.closed:
            sender.stop(join_timeout=0)
        self.sender = sender


class LogsPublisher:
    """Queues log, status and done entries for a logs-sse gateway and sends them in batches from one
    background thread. Nothing it does blocks or raises at the caller: ``publish()`` returns at once,
    faults become counters in :meth:`stats` and calls to ``on_error``, and memory stays within
    ``max_queue_size`` entries and ``max_queue_bytes`` characters whatever the gateway does.

    Safe to use from any thread and from asyncio code; after ``os.fork()`` the child process gets a
    queue, a thread and a publisher id of its own.

    Args:
        url: the gateway's base URL, such as ``"https://logs.example.com"``. Required.
        token: the publisher token, sent as ``Authorization: Bearer``. Defaults to ``None`` (an open
            gateway on loopback).
        service: the first segment of every channel this publisher forms, ``[A-Za-z0-9_.-]{1,128}``.
            Required.
        max_queue_size: most entries held, counting the batch in flight. Defaults to ``10000``.
        max_queue_bytes: most characters of serialised entries held, counting the batch in flight.
            Defaults to 16 MiB.
        overflow: on a full queue, drop the oldest entry held (``"drop-oldest"``) or refuse the new one
            (``"drop-newest"``). A batch on the wire is never cut; one waiting to be retried is.
            Defaults to ``"drop-oldest"``.
        batch_size: most entries per request. Defaults to ``500``.
        max_batch_bytes: most characters per request body, before compression. Defaults to 1 MiB.
        flush_interval: longest an entry waits for its batch to fill, in seconds. Defaults to ``0.05``.
        gzip: compress bodies of 1 KiB or more. Defaults to ``False``.
        on_error: called on the sender thread with a :class:`PublisherError` for each delivery fault.
            Defaults to ``None``.
        heartbeat_interval: seconds between the stats sent to the gateway's publisher heartbeat;
            ``0`` turns it off. Defaults to ``5.0``.
        publisher_id: this publisher's name in the gateway's ``/admin/logs/stats``. Defaults to
            ``"<service>-<random>"``, drawn again in a forked child (a given id gets ``-<pid>`` there).
        request_timeout: seconds without progress after which a request is given up and retried.
            Defaults to ``10.0``.
        retry_base: the first retry waits up to this many seconds; the cap doubles per retry (full
            jitter). Defaults to ``0.1``.
        retry_max: longest wait between retries, ``Retry-After`` included, in seconds. Defaults to
            ``30.0``.
        close_timeout: how long :meth:`close` (and the drain at exit) keeps sending, in seconds.
            Defaults to ``5.0``.
        handle_exit: drain at interpreter exit (``atexit``) within ``close_timeout``. Defaults to
            ``True``.
        random: source of the retry jitter, for tests. Defaults to ``random.random``.

    Raises:
        ValueError, TypeError: only on misuse, such as a missing ``url`` or an invalid ``service``.

    Example::

        pub = LogsPublisher("http://127.0.0.1:3002", service="etl")
        pub.publish("loading 1,000 rows", workspace_id="ws-1", resource_id="run-42", rows=1000)
    """

    __slots__ = ("_core", "_encoder", "_bindings")

    def __init__(
        self,
        url: str,
        token: Optional[str] = None,
        *,
        service: str,
        max_queue_size: int = 10_000,
        max_queue_bytes: int = 16 * 1024 * 1024,
        overflow: str = "drop-oldest",
        batch_size: int = 500,
        max_batch_bytes: int = 1024 * 1024,
        flush_interval: float = 0.05,
        gzip: bool = False,
        on_error: Optional[Callable[[PublisherError], None]] = None,
        heartbeat_interval: float = 5.0,
        publisher_id: Optional[str] = None,
        request_timeout: float = 10.0,
        retry_base: float = 0.1,
        retry_max: float = 30.0,
        close_timeout: float = 5.0,
        handle_exit: bool = True,
        random: Callable[[], float] = random_module.random,
    ) -> None:
        options = check_options(
            Options(
                url=url,
                token=token,
                service=service,
                max_queue_size=max_queue_size,
                max_queue_bytes=max_queue_bytes,
                overflow=overflow,
                batch_size=batch_size,
                max_batch_bytes=max_batch_bytes,
                flush_interval=flush_interval,
                gzip=bool(gzip),
                on_error=on_error,
                heartbeat_interval=heartbeat_interval,
                publisher_id=publisher_id,
                request_timeout=request_timeout,
                retry_base=retry_base,
                retry_max=retry_max,
                close_timeout=close_timeout,
                handle_exit=bool(handle_exit),
                random=random,
            )
        )
        self._core = _Core(options)
        self._bindings: Dict[str, Any] = {}
        self._encoder = EntryEncoder(service, self._bindings)

    def publish(self, message: Optional[str] = None, /, **fields: Any) -> bool:
        """Queues one log entry. Returns at once and never raises: ``True`` when queued, ``False`` when
        not (the publisher is closed, the entry is invalid, or the queue is full under
        ``overflow="drop-newest"``); every entry not queued is counted in :meth:`stats`.

        Args:
            message: the log line (also accepted as ``message=``). Required for a log entry.
            **fields: ``workspace_id`` and ``resource_id`` (with the publisher's ``service`` they form
                the channel ``logs:{service}:{workspace_id}:{resource_id}``), or ``channel`` itself;
                ``level`` (``"info"`` by default; any name or alias such as ``"WARNING"``, or a pino
                number: ``30`` is info, not logging's ``WARNING``); ``timestamp`` (ISO 8601, epoch
                milliseconds or an aware ``datetime``; defaults to the time of the call); any other
                field travels with the entry. Values JSON cannot hold are sent as ``str(value)``,
                datetimes in ISO 8601.

        Example::

            pub.publish("payment failed", level="error", workspace_id="ws-1", resource_id="order-7", amount=12.5)
        """
        if message is not None:
            fields["message"] = message
        try:
            line = self._encoder.encode(fields)
        except Exception:  # noqa: BLE001 - circular data, a __str__ that raises: not an entry
            line = None
        sender = self._core.sender
        if line is None:
            sender.count_invalid()
            return False
        return sender.enqueue(line)

    def status(
        self,
        resource_id: Optional[str] = None,
        /,
        *,
        phase: Optional[str] = None,
        progress: Optional[float] = None,
        message: Optional[str] = None,
        **fields: Any,
    ) -> bool:
        """Publishes where a resource stands (``event: status`` for a front end's progress bar).
        ``phase`` is required (1 to 128 characters), ``progress`` a number from 0 to 100. The resource
        defaults to the one this publisher is bound to. Never raises; returns as :meth:`publish`.

        Example::

            run.status(phase="loading", progress=40)
        """
        fields["type"] = "status"
        if resource_id is not None:
            fields["resource_id"] = resource_id
        if phase is not None:
            fields["phase"] = phase
        if progress is not None:
            fields["progress"] = progress
        if message is not None:
            fields["message"] = message
        return self.publish(**fields)

    def done(self, resource_id: Optional[str] = None, /, **fields: Any) -> bool:
        """Publishes that a resource is finished (``event: done``). Never raises; returns as
        :meth:`publish`."""
        fields["type"] = "done"
        if resource_id is not None:
            fields["resource_id"] = resource_id
        return self.publish(**fields)

    def child(self, **bindings: Any) -> "LogsPublisher":
        """A publisher that adds ``bindings`` (such as ``workspace_id`` and ``resource_id``) to every
        entry, sharing this one's queue, thread and counters. An entry's own fields win over them.
        Never raises: bindings that cannot form a channel make the child's entries count as invalid.

        Example::

            run = pub.child(workspace_id="ws-1", resource_id="run-42")
            run.publish("started")
        """
        child = object.__new__(LogsPublisher)
        child._core = self._core
        child._bindings = {**self._bindings, **bindings}
        child._encoder = EntryEncoder(self._core.options.service, child._bindings)
        return child

    def flush(self, timeout: Optional[float] = None) -> bool:
        """Blocks until every entry published before the call is sent or dropped (``True``), or until
        ``timeout`` seconds have passed (``False``). A refusing gateway ends it, since refused entries
        are dropped; an unreachable one makes it wait, so pass a timeout when that matters. Defaults to
        no timeout. From asyncio code: ``await asyncio.to_thread(pub.flush, 5)``."""
        try:
            return self._core.sender.flush(timeout)
        except Exception:  # noqa: BLE001 - never raises
            return False

    def close(self, timeout: Optional[float] = None) -> bool:
        """Sends what is queued for at most ``timeout`` seconds (defaults to ``close_timeout``), drops
        what is left (counted as ``closed``), and stops the thread. Later publishes return ``False``.
        Closing a child closes the whole publisher. Returns whether everything queued was settled
        in time."""
        core = self._core
        try:
            return core.close(core.options.close_timeout if timeout is None else max(0.0, timeout))
        except Exception:  # noqa: BLE001 - never raises
            return False

    def stats(self) -> PublisherStats:
        """Counters since creation (or since the fork, in a child process), as the Node SDK's in
        snake_case. ``generated == sent + dropped + queue_size`` holds at every moment.

        Example::

            {"generated": 1200, "sent": 1150, "dropped": 40,
             "dropped_by": {"overflow": 30, "invalid": 10, "refused": 0, "too_large": 0, "closed": 0},
             "queue_size": 10, "queue_bytes": 1830, "batches_sent": 5, "retries": 2,
             "last_error": {"code": "network_error", "message": "...", "status": None, "at": 1732450000000},
             "connection_status": "connected"}
        """
        return self._core.sender.stats()

    @property
    def publisher_id(self) -> str:
        """This process's publisher id, as the gateway's ``/admin/logs/stats`` shows it."""
        return self._core.sender.publisher_id

    def __enter__(self) -> "LogsPublisher":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
