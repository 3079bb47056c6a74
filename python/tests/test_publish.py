"""What a service relies on when it publishes: entries arrive on their channel with their fields, bad
input is counted and never raised, and every entry is accounted for."""

from __future__ import annotations

import asyncio
import threading
import time
import uuid
from datetime import datetime, timezone

import logs_sse
from logs_sse import LogsPublisher
from support import assert_accounted, messages, wait_for

CHANNEL = "logs:etl:ws-1:run-42"


def test_entries_reach_their_channel_with_their_fields(gateway, publishers):
    pub = publishers(gateway.url)
    run = pub.child(workspace_id="ws-1", resource_id="run-42")
    before = int(time.time() * 1000)
    assert run.status(phase="loading", progress=0)
    assert run.publish("loading 1,000 rows", rows=1000, level="WARNING")
    assert pub.publish(message="by keyword", workspace_id="ws-1", resource_id="run-42", level=50)
    assert pub.publish("named channel", channel=CHANNEL, nested={"a": [1, 2, {"b": None}]})
    assert run.done()
    assert pub.flush(5)

    logs = gateway.wait_history(CHANNEL, 5)
    assert [entry["type"] for entry in logs] == ["status", "log", "log", "log", "done"]
    status, rows, keyword, named, done = logs
    assert status["phase"] == "loading" and status["progress"] == 0
    assert rows["message"] == "loading 1,000 rows" and rows["level"] == "warn" and rows["rows"] == 1000
    assert rows["service"] == "etl" and rows["workspace_id"] == "ws-1"
    assert keyword["message"] == "by keyword" and keyword["level"] == "error"
    assert named["nested"] == {"a": [1, 2, {"b": None}]}
    stamped = datetime.strptime(rows["timestamp"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc)
    # Stamped at the call, not when the batch left.
    assert before <= stamped.timestamp() * 1000 <= time.time() * 1000
    stats = pub.stats()
    assert stats["sent"] == 5 and stats["dropped"] == 0 and stats["connection_status"] == "connected"
    assert_accounted(stats)


def test_an_entrys_own_fields_win_over_bindings_and_context(gateway, publishers):
    pub = publishers(gateway.url)
    run = pub.child(workspace_id="ws-1", resource_id="run-1", team="data")
    with logs_sse.bound(resource_id="run-2", request="r-9"):
        run.publish("from the context")
        run.publish("its own", resource_id="run-3", team="web")
    run.publish("after the block")
    assert pub.flush(5)
    assert messages(gateway.wait_history("logs:etl:ws-1:run-2", 1)) == ["from the context"]
    own = gateway.wait_history("logs:etl:ws-1:run-3", 1)[0]
    assert own["team"] == "web" and own["request"] == "r-9"
    after = gateway.wait_history("logs:etl:ws-1:run-1", 1)[0]
    assert after["message"] == "after the block" and "request" not in after


def test_values_json_cannot_hold_travel_as_text(gateway, publishers):
    pub = publishers(gateway.url)
    when = datetime(2026, 11, 24, 12, 0, 0, 123000, tzinfo=timezone.utc)
    ident = uuid.UUID("12345678-1234-5678-1234-567812345678")
    assert pub.publish("odd values", channel=CHANNEL, at=when, id_=ident, raw=b"\xffbytes", timestamp=when)
    assert pub.flush(5)
    entry = gateway.wait_history(CHANNEL, 1)[0]
    assert entry["at"] == "2026-11-24T12:00:00.123Z"
    assert entry["id_"] == str(ident) and entry["raw"] == "\\xffbytes"
    assert entry["timestamp"] == "2026-11-24T12:00:00.123Z"


def test_bad_input_is_counted_as_invalid_and_never_raised(gateway, publishers):
    pub = publishers(gateway.url)
    circular: dict = {}
    circular["self"] = circular

    class Hostile:
        def __str__(self) -> str:
            raise RuntimeError("no")

    bad = [
        lambda: pub.publish(workspace_id="ws-1", resource_id="r"),  # no message
        lambda: pub.publish(42, workspace_id="ws-1", resource_id="r"),  # type: ignore[arg-type]
        lambda: pub.publish("x", workspace_id="ws 1", resource_id="r"),  # not a segment
        lambda: pub.publish("x", resource_id="r"),  # no workspace
        lambda: pub.publish("x", channel="logs:etl:*:r"),  # a pattern is no channel
        lambda: pub.publish("x", channel=CHANNEL, level="loud"),
        lambda: pub.publish("x", channel=CHANNEL, level=True),
        lambda: pub.publish("x", channel=CHANNEL, data=circular),
        lambda: pub.publish("x", channel=CHANNEL, data=float("nan")),
        lambda: pub.publish("x", channel=CHANNEL, data=Hostile()),
        lambda: pub.publish("x", channel=CHANNEL, timestamp=datetime(2026, 1, 1)),  # naive: no instant
        lambda: pub.publish("x" * 1_000_001, channel=CHANNEL),
        lambda: pub.status("r", workspace_id="ws-1"),  # no phase
        lambda: pub.status("r", workspace_id="ws-1", phase="p", progress=101),
        lambda: pub.publish("x", channel=CHANNEL, type="other"),
        lambda: pub.child(workspace_id="a/b").publish("x", resource_id="r"),
    ]
    for call in bad:
        assert call() is False
    assert pub.publish("the one good entry", channel=CHANNEL)
    assert pub.flush(5)
    stats = pub.stats()
    assert stats["dropped_by"]["invalid"] == len(bad)
    assert stats["sent"] == 1
    assert_accounted(stats)
    assert messages(gateway.wait_history(CHANNEL, 1)) == ["the one good entry"]


def test_entries_the_gateway_rejects_are_counted_invalid_and_cost_only_themselves(gateway, publishers):
    errors = []
    pub = publishers(gateway.url, on_error=errors.append)
    deep: dict = {}
    node = deep
    # Deeper than the 32 levels of fields the gateway takes: it rejects that entry alone, by index, as it
    # does the impossible date; neither is checked on the caller's thread.
    for _ in range(40):
        node["d"] = {}
        node = node["d"]
    pub.publish("kept", channel=CHANNEL)
    pub.publish("too deep", channel=CHANNEL, deep=deep)
    pub.publish("no such day", channel=CHANNEL, timestamp="2026-02-30T00:00:00Z")
    assert pub.flush(5)
    stats = pub.stats()
    assert stats["sent"] == 1 and stats["dropped_by"]["invalid"] == 2
    assert_accounted(stats)
    assert messages(gateway.wait_history(CHANNEL, 1)) == ["kept"]
    # However the three were batched, the errors name exactly the two entries refused.
    assert {error.code for error in errors} == {"invalid_entries"}
    assert sum(error.entries for error in errors) == 2
    assert stats["last_error"]["code"] == "invalid_entries"


def test_an_entry_over_the_batch_limit_is_dropped_as_too_large(gateway, publishers):
    pub = publishers(gateway.url, max_batch_bytes=1000)
    assert pub.publish("x" * 2000, channel=CHANNEL) is False
    assert pub.stats()["dropped_by"]["too_large"] == 1


def test_heartbeats_carry_the_stats_to_the_gateway(gateway, publishers):
    pub = publishers(gateway.url, heartbeat_interval=0.05, publisher_id="etl-heartbeat-test")
    pub.publish("hello", channel=CHANNEL)
    assert pub.flush(5)

    def beat():
        for publisher in gateway.get("/admin/logs/stats")["publishers"]:
            heartbeat = publisher.get("lastHeartbeat")
            if publisher.get("publisherId") == "etl-heartbeat-test" and heartbeat and heartbeat["stats"]["sent"]:
                return heartbeat["stats"]
        return None

    stats = wait_for(beat, 5, "a heartbeat with the sent entry")
    assert stats["sent"] == 1 and stats["droppedBy"]["tooLarge"] == 0 and stats["connectionStatus"] == "connected"


def test_publishing_from_many_threads_and_tasks_loses_nothing(gateways, publishers):
    gateway = gateways(env={"LOGS_SSE_HISTORY_PER_CHANNEL": "5000"})
    pub = publishers(gateway.url, max_queue_size=50_000)
    threads, per_thread = 8, 500

    def work(n: int) -> None:
        run = pub.child(workspace_id="threads", resource_id=f"t{n}")
        for i in range(per_thread):
            run.publish(f"{i}", i=i)

    workers = [threading.Thread(target=work, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()

    async def task(n: int) -> None:
        with logs_sse.bound(workspace_id="tasks", resource_id=f"a{n}"):
            for i in range(100):
                pub.publish(f"{i}")
                if i % 10 == 0:
                    await asyncio.sleep(0)  # interleave the tasks: each keeps its own bound fields

    async def tasks() -> None:
        await asyncio.gather(*(task(n) for n in range(4)))

    asyncio.run(tasks())
    for worker in workers:
        worker.join()
    assert pub.flush(10)
    for n in range(threads):
        # Each thread's entries arrive complete and in the order it published them.
        assert messages(gateway.wait_history(f"logs:etl:threads:t{n}", per_thread)) == [str(i) for i in range(per_thread)]
    for n in range(4):
        assert messages(gateway.wait_history(f"logs:etl:tasks:a{n}", 100)) == [str(i) for i in range(100)]
    stats = pub.stats()
    assert stats["sent"] == threads * per_thread + 400 and stats["dropped"] == 0
    assert_accounted(stats)


def test_options_are_checked_with_a_message_that_says_what_to_pass():
    import pytest

    with pytest.raises(ValueError, match="http"):
        LogsPublisher("127.0.0.1:3002", service="etl")
    with pytest.raises(ValueError, match="service"):
        LogsPublisher("http://127.0.0.1:3002", service="no spaces")
    with pytest.raises(ValueError, match="overflow"):
        LogsPublisher("http://127.0.0.1:3002", service="etl", overflow="drop-random")
    with pytest.raises(ValueError, match="max_queue_size"):
        LogsPublisher("http://127.0.0.1:3002", service="etl", max_queue_size=0)
    with pytest.raises(ValueError, match="flush_interval"):
        LogsPublisher("http://127.0.0.1:3002", service="etl", flush_interval=-1)
