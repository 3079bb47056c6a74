"""Process events every open publisher must follow: the interpreter's exit, and ``os.fork()``."""

from __future__ import annotations

import atexit
import os
import sys
import threading
import time
from typing import TYPE_CHECKING, Set

if TYPE_CHECKING:
    from .publisher import _Core

_open: Set["_Core"] = set()
_lock = threading.Lock()
#: The process that last registered the drain with multiprocessing, whose finalizers are per process.
_finalizer_pid = 0


def track(core: "_Core") -> None:
    """Follows ``core`` until it is closed. Holds it strongly: a publisher nobody closed is still
    drained when the interpreter exits."""
    with _lock:
        _open.add(core)
    _drain_in_multiprocessing_children()


def untrack(core: "_Core") -> None:
    with _lock:
        _open.discard(core)


def _close_at_exit() -> None:
    """Drains each open publisher that asked for it (``handle_exit``), within its ``close_timeout``;
    all of them together take no longer than the longest of those."""
    with _lock:
        cores = [core for core in _open if core.options.handle_exit]
    if not cores:
        return
    deadline = time.monotonic() + max(core.options.close_timeout for core in cores)
    for core in cores:
        core.close(max(0.0, min(core.options.close_timeout, deadline - time.monotonic())))


def _after_fork_in_child() -> None:
    """A forked child inherits the publishers but not their thread, and must not send what its parent
    queued (the parent does): each gets a queue, counters, a connection and an id of its own."""
    global _lock
    # The parent's lock may have been held by one of its other threads at the fork.
    _lock = threading.Lock()
    for core in list(_open):
        core.after_fork()
    util = sys.modules.get("multiprocessing.util")
    if util is not None and _open:
        # A child multiprocessing starts clears its finalizers after this hook has run, then runs its
        # own after-fork hooks: register the drain again from there.
        util.register_after_fork(_MARKER, lambda _: _drain_in_multiprocessing_children(force=True))


class _Marker:
    """Something multiprocessing can hold a weak reference to, as its after-fork hooks need."""


_MARKER = _Marker()


def _drain_in_multiprocessing_children(force: bool = False) -> None:
    """A multiprocessing child ends with ``os._exit()``, which runs no atexit hook, only
    multiprocessing's own finalizers: the drain is registered there too, once per process (closing
    twice does nothing the second time). Without multiprocessing loaded, nothing to do."""
    global _finalizer_pid
    util = sys.modules.get("multiprocessing.util")
    if util is not None and (force or _finalizer_pid != os.getpid()):
        _finalizer_pid = os.getpid()
        util.Finalize(None, _close_at_exit, exitpriority=0)


atexit.register(_close_at_exit)
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)
