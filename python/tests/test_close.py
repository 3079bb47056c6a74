"""flush() and close() keep their deadlines whatever the gateway does, and a process that exits
without closing still drains within its bound."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from support import assert_accounted, messages

CHANNEL = "logs:etl:ws-1:run-1"
SRC = str(Path(__file__).resolve().parents[1] / "src")


def test_close_sends_what_is_queued_then_refuses_new_entries(gateway, publishers):
    pub = publishers(gateway.url, flush_interval=10)  # nothing would leave before close() by itself
    for i in range(100):
        pub.publish(f"{i}", channel=CHANNEL)
    assert pub.close() is True
    assert messages(gateway.wait_history(CHANNEL, 100)) == [f"{i}" for i in range(100)]
    assert pub.publish("too late", channel=CHANNEL) is False
    stats = pub.stats()
    assert stats["sent"] == 100 and stats["dropped_by"]["closed"] == 1
    assert stats["connection_status"] == "closed"
    assert_accounted(stats)
    assert pub.close() is True  # again: nothing left to do


def test_flush_and_close_keep_their_deadline_while_the_gateway_is_down(gateways, publishers):
    gateway = gateways(start=False)
    pub = publishers(gateway.url, retry_base=0.02, retry_max=0.2)
    for i in range(30):
        pub.publish(f"{i}", channel=CHANNEL)
    started = time.monotonic()
    assert pub.flush(0.3) is False
    assert 0.3 <= time.monotonic() - started < 2.0
    started = time.monotonic()
    assert pub.close(0.3) is False
    assert time.monotonic() - started < 3.0  # 0.3 s of sending, then a moment to let go
    stats = pub.stats()
    assert stats["dropped_by"]["closed"] == 30 and stats["queue_size"] == 0
    assert_accounted(stats)


def test_close_cuts_a_request_the_gateway_never_answers(publishers):
    import socket

    with socket.socket() as silent:  # accepts connections, never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        pub = publishers(f"http://127.0.0.1:{silent.getsockname()[1]}", request_timeout=30)
        pub.publish("never answered", channel=CHANNEL)
        started = time.monotonic()
        assert pub.close(0.2) is False
        assert time.monotonic() - started < 3.0  # not the 30 s request timeout
        stats = pub.stats()
        assert stats["dropped_by"]["closed"] == 1
        assert_accounted(stats)


def test_a_child_closes_the_whole_publisher(gateway, publishers):
    pub = publishers(gateway.url)
    with pub.child(workspace_id="ws-1", resource_id="run-1") as run:
        run.publish("in the block")
    assert pub.publish("after", channel=CHANNEL) is False
    assert messages(gateway.wait_history(CHANNEL, 1)) == ["in the block"]


def _run(script: str, url: str, timeout: float = 20) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": SRC + os.pathsep + os.environ.get("PYTHONPATH", "")}
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script), url], env=env, timeout=timeout, capture_output=True, text=True
    )


def test_a_process_that_exits_without_closing_still_sends_what_it_queued(gateway):
    done = _run(
        """
        import sys
        from logs_sse import LogsPublisher
        pub = LogsPublisher(sys.argv[1], service="etl", flush_interval=10)
        for i in range(200):
            pub.publish(str(i), channel="logs:etl:ws-1:run-1")
        """,
        gateway.url,
    )
    assert done.returncode == 0, done.stderr
    assert messages(gateway.wait_history(CHANNEL, 200)) == [f"{i}" for i in range(200)]


def test_exit_waits_at_most_close_timeout_for_a_gateway_that_is_down(gateways):
    gateway = gateways(start=False)
    started = time.monotonic()
    done = _run(
        """
        import sys
        from logs_sse import LogsPublisher
        pub = LogsPublisher(sys.argv[1], service="etl", close_timeout=0.5, retry_base=0.02, retry_max=0.1)
        pub.publish("lost", channel="logs:etl:ws-1:run-1")
        """,
        gateway.url,
    )
    assert done.returncode == 0, done.stderr
    assert time.monotonic() - started < 5  # interpreter start, 0.5 s of drain, the thread let go


def test_handle_exit_false_leaves_exit_to_the_caller(gateways):
    gateway = gateways(start=False)
    started = time.monotonic()
    done = _run(
        """
        import sys
        from logs_sse import LogsPublisher
        pub = LogsPublisher(sys.argv[1], service="etl", close_timeout=30, handle_exit=False)
        pub.publish("lost", channel="logs:etl:ws-1:run-1")
        """,
        gateway.url,
    )
    assert done.returncode == 0, done.stderr
    assert time.monotonic() - started < 10


def test_publish_never_blocks_on_the_network(gateways, publishers):
    gateway = gateways(start=False)
    pub = publishers(gateway.url, retry_base=0.02, retry_max=0.2)
    started = time.perf_counter()
    for i in range(10_000):
        pub.publish("x", channel=CHANNEL, i=i)
    # 10,000 calls with nothing to send them to: microseconds each, never a connect or a wait.
    assert time.perf_counter() - started < 2.0
