"""Fields bound to the current context: a thread, or an asyncio task and the tasks it starts."""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Dict, Iterator, Optional

current: ContextVar[Optional[Dict[str, Any]]] = ContextVar("logs_sse_bound", default=None)


@contextmanager
def bound(**fields: Any) -> Iterator[None]:
    """Adds ``fields`` to every entry published inside the ``with`` block, in this thread or asyncio
    task (and the tasks it starts), by any publisher, child or logging handler. An entry's own fields
    win over these, and these over a child's bindings. Blocks nest.

    Example::

        with logs_sse.bound(workspace_id=tenant, resource_id=request_id):
            handle(request)  # every log of the request reaches logs:api:{tenant}:{request_id}
    """
    outer = current.get()
    token = current.set({**outer, **fields} if outer else fields)
    try:
        yield
    finally:
        current.reset(token)
