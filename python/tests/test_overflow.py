"""A queue that fills while the gateway is away stays within its bounds, drops by the chosen policy,
and counts every drop."""

from __future__ import annotations

from support import assert_accounted, messages, wait_for

CHANNEL = "logs:etl:ws-1:run-1"


def test_drop_oldest_keeps_the_newest_entries(gateways, publishers):
    gateway = gateways(start=False)
    # Retries every 0.5 s exactly (no jitter), so the batch is known to be waiting between two attempts.
    pub = publishers(gateway.url, max_queue_size=10, retry_base=0.5, retry_max=0.5, random=lambda: 1.0)
    for i in range(10):
        assert pub.publish(f"{i}", channel=CHANNEL)
    wait_for(lambda: pub.stats()["retries"] >= 1, 5, "the first batch to wait for a retry")
    for i in range(10, 25):
        # Never refused: the oldest go, first from the batch waiting to be retried, then from the queue.
        assert pub.publish(f"{i}", channel=CHANNEL)
    stats = pub.stats()
    assert stats["dropped_by"]["overflow"] == 15 and stats["queue_size"] == 10
    assert_accounted(stats)

    gateway.start()
    assert pub.flush(10)
    assert messages(gateway.wait_history(CHANNEL, 10)) == [f"{i}" for i in range(15, 25)]
    stats = pub.stats()
    assert stats["sent"] == 10 and stats["dropped"] == 15
    assert_accounted(stats)


def test_drop_newest_refuses_new_entries_and_keeps_the_first(gateways, publishers):
    gateway = gateways(start=False)
    pub = publishers(gateway.url, max_queue_size=10, overflow="drop-newest", retry_base=0.02, retry_max=0.2)
    accepted = [pub.publish(f"{i}", channel=CHANNEL) for i in range(25)]
    assert accepted == [True] * 10 + [False] * 15
    assert pub.stats()["dropped_by"]["overflow"] == 15

    gateway.start()
    assert pub.flush(10)
    assert messages(gateway.wait_history(CHANNEL, 10)) == [f"{i}" for i in range(10)]
    assert_accounted(pub.stats())


def test_the_queue_stays_within_its_bytes(gateways, publishers):
    gateway = gateways(start=False)
    pub = publishers(gateway.url, max_queue_bytes=20_000, retry_base=0.02, retry_max=0.2)
    for i in range(200):
        pub.publish(f"{i:04d}" + "x" * 1000, channel=CHANNEL)
        stats = pub.stats()
        assert stats["queue_bytes"] <= 20_000
    assert stats["dropped_by"]["overflow"] > 150
    assert_accounted(stats)
