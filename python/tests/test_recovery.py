"""A gateway that is down, or goes away and comes back: the service keeps publishing, and what it
published reaches the gateway once it answers again, in order."""

from __future__ import annotations

from support import assert_accounted, messages, wait_for

CHANNEL = "logs:etl:ws-1:run-1"
FAST_RETRIES = {"retry_base": 0.02, "retry_max": 0.2}


def test_entries_published_while_the_gateway_is_down_arrive_once_it_is_up(gateways, publishers):
    gateway = gateways(start=False)
    pub = publishers(gateway.url, **FAST_RETRIES)
    for i in range(50):
        assert pub.publish(f"line {i}", channel=CHANNEL)
    wait_for(lambda: pub.stats()["retries"] >= 2, 5, "retries against the gateway that is down")
    stats = pub.stats()
    assert stats["connection_status"] == "retrying" and stats["last_error"]["code"] == "network_error"
    assert stats["queue_size"] == 50 and stats["sent"] == 0
    assert pub.flush(0.05) is False  # nothing can be sent yet

    gateway.start()
    assert pub.flush(10)
    assert messages(gateway.wait_history(CHANNEL, 50)) == [f"line {i}" for i in range(50)]
    stats = pub.stats()
    assert stats["sent"] == 50 and stats["dropped"] == 0 and stats["connection_status"] == "connected"
    assert_accounted(stats)


def test_a_gateway_that_restarts_gets_what_was_published_meanwhile(gateways, publishers):
    gateway = gateways()
    pub = publishers(gateway.url, **FAST_RETRIES)
    for i in range(20):
        pub.publish(f"before {i}", channel=CHANNEL)
    assert pub.flush(5)
    assert len(gateway.wait_history(CHANNEL, 20)) == 20

    gateway.kill()  # like a crash: its memory store is gone with it
    for i in range(30):
        pub.publish(f"during {i}", channel=CHANNEL)
    wait_for(lambda: pub.stats()["retries"] >= 1, 5, "a retry against the stopped gateway")
    gateway.start()  # same port
    assert pub.flush(10)
    assert messages(gateway.wait_history(CHANNEL, 30)) == [f"during {i}" for i in range(30)]
    stats = pub.stats()
    assert stats["sent"] == 50 and stats["dropped"] == 0
    assert_accounted(stats)
