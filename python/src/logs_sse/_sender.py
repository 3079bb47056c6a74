"""The queue and the one background thread that empties it: batches, retries, heartbeats."""

from __future__ import annotations

import json
import math
import os
import threading
import time
from collections import deque
from typing import Any, Deque, Dict, List, Optional

from ._answer import Verdict, read_answer
from ._http import HttpClient
from ._options import Options
from ._protocol import HEARTBEAT_PATH, PUBLISH_PATH
from ._retry import backoff_delay
from .errors import PublisherError
from .stats import PublisherStats

_NDJSON = "application/x-ndjson"


class Sender:
    """Owns the queue, the batch in flight and the thread that sends it.

    Entries are numbered in publish order: the queue holds the newest run of numbers and the batch in
    flight the run before it, so "everything published before ``flush()``" is "every number below the
    one handed out next". One lock guards the queue and the counters; the thread holds it only to move
    entries and count, never while it talks to the gateway.
    """

    def __init__(self, options: Options, publisher_id: str) -> None:
        self.options = options
        self.publisher_id = publisher_id
        self.lock = threading.Lock()
        #: Woken by publish() when a batch is due, and by flush() and close().
        self.wake = threading.Event()
        #: Set once, by close(): cuts a retry's wait short.
        self.stopping = threading.Event()
        #: flush() waits on it; the thread notifies it whenever entries are settled.
        self.settled = threading.Condition(self.lock)
        self.http = HttpClient(options.url, options.token, options.request_timeout, publisher_id)
        self.thread: Optional[threading.Thread] = None
        # Idempotency keys: random once, then counted. Drawing randomness per batch is a system call,
        # and each one can cost this thread a switch interval to get the interpreter back.
        self.key_prefix = os.urandom(12).hex()
        self.keys_used = 0

        self.queue: Deque[str] = deque()
        self.queue_bytes = 0
        #: When the queue last went from empty to not empty (monotonic seconds).
        self.first_queued_at = 0.0
        self.inflight: List[str] = []
        self.inflight_start = 0
        self.inflight_bytes = 0
        self.inflight_seq = 0
        self.next_seq = 0
        self.drain_target = 0
        self.flush_waiters = 0
        self.waiting_to_retry = False
        #: close() began: new entries are refused while what is queued drains.
        self.refusing = False
        self.stopped = False

        self.generated = 0
        self.sent = 0
        self.overflow = 0
        self.invalid = 0
        self.refused = 0
        self.too_large = 0
        self.closed = 0
        self.batches_sent = 0
        self.retries = 0
        self.last_error: Optional[PublisherError] = None
        self.last_error_at = 0
        self.connection_status = "idle"

    # ---- the caller's side: any thread -------------------------------------------------------------

    def enqueue(self, line: str) -> bool:
        """The hot path: counts the entry and queues it, or drops it (and counts why). O(1)."""
        options = self.options
        size = len(line)
        with self.lock:
            self.generated += 1
            if self.refusing:
                self.closed += 1
                return False
            if size > options.max_batch_bytes or size > options.max_queue_bytes:
                self.too_large += 1
                return False
            queue = self.queue
            while (
                len(queue) + len(self.inflight) - self.inflight_start >= options.max_queue_size
                or self.queue_bytes + self.inflight_bytes + size > options.max_queue_bytes
            ):
                if options.overflow == "drop-newest" or not self._drop_oldest():
                    self.overflow += 1
                    return False
            if not queue:
                self.first_queued_at = time.monotonic()
                wake = True
            else:
                wake = False
            queue.append(line)
            self.queue_bytes += size
            self.next_seq += 1
            # The thread sleeps until the first entry's interval is over; a full batch cannot wait.
            if len(queue) == options.batch_size or (
                self.queue_bytes >= options.max_batch_bytes and self.queue_bytes - size < options.max_batch_bytes
            ):
                wake = True
            if self.thread is None:
                self._start()
        if wake:
            self.wake.set()
        return True

    def count_invalid(self) -> None:
        with self.lock:
            self.generated += 1
            if self.refusing:
                self.closed += 1
            else:
                self.invalid += 1

    def _drop_oldest(self) -> bool:
        """Drops the oldest entry held. A batch waiting to be retried holds the oldest entries and is
        not on the wire, so it loses its first entry; a batch on the wire is left alone."""
        if self.waiting_to_retry and self.inflight_start < len(self.inflight):
            self.inflight_bytes -= len(self.inflight[self.inflight_start])
            self.inflight_start += 1
        elif self.queue:
            self.queue_bytes -= len(self.queue.popleft())
        else:
            return False
        self.overflow += 1
        return True

    def flush(self, timeout: Optional[float]) -> bool:
        """``True`` once every entry queued before the call is sent or dropped, ``False`` when
        ``timeout`` seconds passed first."""
        if threading.current_thread() is self.thread:
            return False  # the sender cannot wait for itself
        deadline = None if timeout is None else time.monotonic() + timeout
        with self.lock:
            target = self.next_seq
            if self._settled_below() >= target:
                return True
            self.drain_target = max(self.drain_target, target)
            self.wake.set()
            self.flush_waiters += 1
            try:
                while self._settled_below() < target:
                    remaining = None if deadline is None else deadline - time.monotonic()
                    if remaining is not None and remaining <= 0:
                        return False
                    self.settled.wait(remaining)
                return True
            finally:
                self.flush_waiters -= 1

    def refuse(self) -> None:
        """From now on, entries are refused (counted as ``closed``); what is queued still goes."""
        with self.lock:
            self.refusing = True

    def stop(self, join_timeout: float) -> None:
        """Stops for good: cuts the request in flight, waits up to ``join_timeout`` for the thread to
        let go of its batch, and counts what is left as ``closed``."""
        with self.lock:
            if self.stopped:
                return
            self.stopped = True
            self.refusing = True
            self.connection_status = "closed"
            self.closed += len(self.queue)
            self.queue.clear()
            self.queue_bytes = 0
            thread = self.thread
            self.settled.notify_all()
        self.stopping.set()
        self.wake.set()
        self.http.abort()
        if thread is not None and thread is not threading.current_thread():
            thread.join(join_timeout)
        self.http.close()

    def stats(self) -> PublisherStats:
        with self.lock:
            error = self.last_error
            return {
                "generated": self.generated,
                "sent": self.sent,
                "dropped": self.overflow + self.invalid + self.refused + self.too_large + self.closed,
                "dropped_by": {
                    "overflow": self.overflow,
                    "invalid": self.invalid,
                    "refused": self.refused,
                    "too_large": self.too_large,
                    "closed": self.closed,
                },
                "queue_size": len(self.queue) + len(self.inflight) - self.inflight_start,
                "queue_bytes": self.queue_bytes + self.inflight_bytes,
                "batches_sent": self.batches_sent,
                "retries": self.retries,
                "last_error": None
                if error is None
                else {"code": error.code, "message": error.message, "status": error.status, "at": self.last_error_at},
                "connection_status": self.connection_status,  # type: ignore[typeddict-item]
            }

    def _start(self) -> None:
        # Started on first use rather than at creation, so that a process that forks before it
        # publishes (a pre-fork server's master) never runs a thread it would have to leave behind.
        self.thread = threading.Thread(target=self._run, name=f"logs-sse-sender-{os.getpid()}", daemon=True)
        self.thread.start()

    def _settled_below(self) -> int:
        """Number of the oldest entry not yet settled; every number below it is sent or dropped."""
        if self.stopped:
            return self.next_seq
        if self.inflight_start < len(self.inflight):
            return self.inflight_seq + self.inflight_start
        return self.next_seq - len(self.queue)

    # ---- the sender thread -------------------------------------------------------------------------

    def _run(self) -> None:
        beat_every = self.options.heartbeat_interval
        next_beat = time.monotonic() + beat_every if beat_every > 0 else math.inf
        try:
            while True:
                # Cleared before the state is read, so that a publish after the read is not missed.
                self.wake.clear()
                with self.lock:
                    if self.stopped:
                        return
                    due = self._batch_due()
                    if due is None:
                        self._take_batch()
                if due is None:
                    self._deliver()
                else:
                    until = min(due, next_beat)
                    now = time.monotonic()
                    if until > now:
                        self.wake.wait(None if until == math.inf else until - now)
                if time.monotonic() >= next_beat:
                    self._beat()
                    next_beat = time.monotonic() + beat_every
        except BaseException as error:  # noqa: BLE001 - the thread reports its end, it does not vanish
            self._notify(self._record(PublisherError("network_error", f"publisher thread failed: {error!r}")))
        finally:
            self._finish()

    def _batch_due(self) -> Optional[float]:
        """``None`` when a batch should go now, else the monotonic time when one will be due (``inf``
        while the queue is empty)."""
        queue = self.queue
        if not queue:
            return math.inf
        options = self.options
        if (
            len(queue) >= options.batch_size
            or self.queue_bytes >= options.max_batch_bytes
            or self.drain_target > self._settled_below()
        ):
            return None
        due = self.first_queued_at + options.flush_interval
        return None if due <= time.monotonic() else due

    def _take_batch(self) -> None:
        """Moves the oldest entries, up to ``batch_size`` and ``max_batch_bytes``, into the batch in
        flight. Holds the lock, so the common cases run at C speed: the whole queue, or a count of it."""
        options = self.options
        queue = self.queue
        self.inflight_seq = self.next_seq - len(queue)
        limit = options.max_batch_bytes
        if len(queue) <= options.batch_size and self.queue_bytes + len(queue) <= limit:
            batch = list(queue)
            queue.clear()
            size = self.queue_bytes
        else:
            count = min(len(queue), options.batch_size)
            popleft = queue.popleft
            batch = [popleft() for _ in range(count)]
            size = sum(map(len, batch))
            if size + count > limit:
                # Over the byte limit: hand back the newest until it fits (at least one entry goes).
                while len(batch) > 1 and size + len(batch) > limit:
                    line = batch.pop()
                    size -= len(line)
                    queue.appendleft(line)
        self.queue_bytes -= size
        self.inflight = batch
        self.inflight_start = 0
        self.inflight_bytes = size
        if queue:
            # What is left starts its own wait now.
            self.first_queued_at = time.monotonic()

    def _deliver(self) -> None:
        """Sends the batch in flight until every entry of it is accepted or dropped, or the publisher
        stops. Each request carries an idempotency key, kept across its retries."""
        options = self.options
        chunk = len(self.inflight)
        attempt = 0
        key_for: Any = None
        key = ""
        while True:
            with self.lock:
                start = self.inflight_start
                total = len(self.inflight)
                if self.stopped or start >= total:
                    break
                end = min(start + chunk, total)
                # The list itself is never changed in place (overflow only moves inflight_start).
                lines = self.inflight if start == 0 and end == total else self.inflight[start:end]
            if key_for != (start, end):
                # A new body (a half after a 413, a batch cut by overflow while it waited) is a new
                # request; the same body sent again is the same request.
                key_for = (start, end)
                self.keys_used += 1
                key = f"{self.key_prefix}-{self.keys_used}"
            body = "\n".join(lines).encode("utf-8", "backslashreplace")
            outcome = self.http.post(PUBLISH_PATH, body, _NDJSON, options.gzip, key)
            count = end - start
            verdict = read_answer(outcome, count, time.time())
            with self.lock:
                if verdict.action == "retry" and self.stopped:
                    break  # cut by close(): the entries count as closed, not as a fault
                error = self._apply(verdict)
                if verdict.action == "split":
                    chunk = (count + 1) // 2
                elif verdict.action == "retry":
                    self.retries += 1
                    self.waiting_to_retry = True
                else:
                    attempt = 0
                    self._settle(start, end)
            self._notify(error)
            if verdict.action == "retry":
                wait = verdict.retry_after
                if wait is None:
                    wait = backoff_delay(attempt, options.retry_base, options.retry_max, options.random)
                self.stopping.wait(min(options.retry_max, wait))
                with self.lock:
                    self.waiting_to_retry = False
                attempt += 1
        with self.lock:
            # Overflow may have dropped the whole batch while it waited to be retried.
            if self.inflight_start >= len(self.inflight):
                self._settle(self.inflight_start, self.inflight_start)

    def _apply(self, verdict: Verdict) -> Optional[PublisherError]:
        """Counts what one answer means for the entries it carried; returns the fault to report.
        Holds the lock."""
        if not self.stopped:
            self.connection_status = verdict.connection
        if verdict.accepted:
            self.batches_sent += 1
        self.sent += verdict.sent
        self.invalid += verdict.invalid
        self.refused += verdict.refused
        self.too_large += verdict.too_large
        return self._record(verdict.error)

    def _settle(self, start: int, end: int) -> None:
        """Entries ``start`` to ``end`` of the batch are sent or dropped. Holds the lock."""
        inflight = self.inflight
        self.inflight_start = end
        if end < len(inflight):
            self.inflight_bytes -= sum(map(len, inflight[start:end]))
        else:
            self.inflight = []
            self.inflight_start = 0
            self.inflight_bytes = 0
            self.inflight_seq = self.next_seq - len(self.queue)
        if self.flush_waiters:
            self.settled.notify_all()

    def _finish(self) -> None:
        """The thread ends (the publisher stopped): what it still held was never sent."""
        with self.lock:
            self.closed += len(self.inflight) - self.inflight_start + len(self.queue)
            self.queue.clear()
            self.queue_bytes = 0
            self.inflight = []
            self.inflight_start = 0
            self.inflight_bytes = 0
            self.settled.notify_all()

    def _beat(self) -> None:
        """Posts the stats to the gateway. A heartbeat that fails is simply missed: the next one
        carries fresher stats anyway."""
        stats = self.stats()
        body = {"publisherId": self.publisher_id, "service": self.options.service, "stats": _camel(stats)}
        self.http.post(HEARTBEAT_PATH, json.dumps(body).encode(), "application/json", False)

    def _record(self, error: Optional[PublisherError]) -> Optional[PublisherError]:
        """Keeps ``error`` as the last one. Holds the lock."""
        if error is not None:
            self.last_error = error
            self.last_error_at = int(time.time() * 1000)
        return error

    def _notify(self, error: Optional[PublisherError]) -> None:
        """Hands ``error`` to ``on_error``, outside the lock so that the callback may call ``stats()``,
        on the sender thread, never the caller's."""
        on_error = self.options.on_error
        if error is not None and on_error is not None:
            try:
                on_error(error)
            except Exception:  # noqa: BLE001 - a failing on_error must not stop delivery
                pass


def _camel(stats: PublisherStats) -> Dict[str, Any]:
    """The stats as the Node SDK sends them, so the gateway's view reads the same for every publisher."""
    dropped_by = stats["dropped_by"]
    error = stats["last_error"]
    return {
        "generated": stats["generated"],
        "sent": stats["sent"],
        "dropped": stats["dropped"],
        "droppedBy": {
            "overflow": dropped_by["overflow"],
            "invalid": dropped_by["invalid"],
            "refused": dropped_by["refused"],
            "tooLarge": dropped_by["too_large"],
            "closed": dropped_by["closed"],
        },
        "queueSize": stats["queue_size"],
        "queueBytes": stats["queue_bytes"],
        "batchesSent": stats["batches_sent"],
        "retries": stats["retries"],
        "lastError": error,
        "connectionStatus": stats["connection_status"],
        "runtime": "python",
    }

