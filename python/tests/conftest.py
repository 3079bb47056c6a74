"""Fixtures: gateways started from the built command line and stopped after each test, and publishers
closed after each test."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Callable, Iterator, List, Optional

import pytest

try:
    import logs_sse  # noqa: F401 - the installed package, when there is one
except ImportError:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from support import Gateway  # noqa: E402


@pytest.fixture
def gateways(tmp_path: Path) -> Iterator[Callable[..., Gateway]]:
    """Starts gateways for a test (``gateways(config=..., env=...)``; ``start=False`` only picks a port for
    one that is down) and stops them after it."""
    started: List[Gateway] = []

    def make(start: bool = True, **kwargs: Any) -> Gateway:
        gateway = Gateway(tmp_path, **kwargs)
        started.append(gateway)
        return gateway.start() if start else gateway

    yield make
    for gateway in started:
        gateway.kill()


@pytest.fixture
def gateway(gateways: Callable[..., Gateway]) -> Gateway:
    """An open gateway on loopback, as the command line runs without a config."""
    return gateways()


@pytest.fixture
def publishers() -> Iterator[Callable[..., Any]]:
    """Creates publishers for a test and closes them after it, without waiting on a gateway."""
    from logs_sse import LogsPublisher

    made: List[LogsPublisher] = []

    def make(url: str, token: Optional[str] = None, **options: Any) -> LogsPublisher:
        options.setdefault("service", "etl")
        options.setdefault("heartbeat_interval", 0)
        publisher = LogsPublisher(url, token, **options)
        made.append(publisher)
        return publisher

    yield make
    for publisher in made:
        publisher.close(0)


