"""The gateway's refusals, each from a real gateway configured to give it: which are retried (and
after how long), which split the batch, which drop it, and how each is counted."""

from __future__ import annotations

import time

from support import OTHER_TOKEN, PUBLISHER_TOKEN, RedisServer, assert_accounted, auth_config, messages, wait_for

CHANNEL = "logs:etl:ws-1:run-1"


def test_a_token_for_other_services_is_refused_and_not_retried(gateways, publishers):
    gateway = gateways(config=auth_config())
    errors = []
    pub = publishers(gateway.url, OTHER_TOKEN, on_error=errors.append)
    for i in range(5):
        pub.publish(f"{i}", channel=CHANNEL)
    assert pub.flush(5)  # a refusing gateway never makes flush() wait
    stats = pub.stats()
    assert stats["dropped_by"]["refused"] == 5 and stats["retries"] == 0
    assert stats["connection_status"] == "refused"
    assert stats["last_error"]["code"] == "refused" and stats["last_error"]["status"] == 403
    assert [error.status for error in errors] == [403]
    assert_accounted(stats)


def test_an_unknown_token_is_refused(gateways, publishers):
    gateway = gateways(config=auth_config())
    pub = publishers(gateway.url, "not-a-token-the-gateway-knows")
    pub.publish("x", channel=CHANNEL)
    assert pub.flush(5)
    stats = pub.stats()
    assert stats["dropped_by"]["refused"] == 1 and stats["last_error"]["status"] == 401


def test_a_batch_over_the_entry_limit_is_split_until_it_fits(gateways, publishers):
    gateway = gateways(config=auth_config(maxEntriesPerPublish=10))
    pub = publishers(gateway.url, PUBLISHER_TOKEN, batch_size=35, flush_interval=10)
    for i in range(35):
        pub.publish(f"{i}", channel=CHANNEL)
    assert pub.flush(5)
    assert messages(gateway.wait_history(CHANNEL, 35)) == [f"{i}" for i in range(35)]
    stats = pub.stats()
    assert stats["sent"] == 35 and stats["dropped"] == 0 and stats["retries"] == 0
    assert stats["batches_sent"] == 4  # 35 -> 18 + 17 -> 9 + 9 + 9 + 8
    assert_accounted(stats)


def test_a_large_body_refused_before_it_is_read_is_split_and_one_entry_too_large_is_dropped(gateways, publishers):
    gateway = gateways(config=auth_config(maxBodyBytes=64 * 1024))
    pub = publishers(gateway.url, PUBLISHER_TOKEN, batch_size=1000, flush_interval=10)
    # About 1 MB in one body: the gateway answers 413 and closes before it has read most of it.
    for i in range(500):
        pub.publish(f"{i:03d} " + "x" * 2000, channel=CHANNEL)
    pub.publish("y" * 100_000, channel=CHANNEL)  # alone over the gateway's limit
    assert pub.flush(10)
    stats = pub.stats()
    assert stats["sent"] == 500 and stats["dropped_by"]["too_large"] == 1 and stats["retries"] == 0
    assert stats["last_error"]["code"] == "payload_too_large"
    assert_accounted(stats)
    logs = gateway.wait_history(CHANNEL, 500)
    assert [entry["message"][:3] for entry in logs] == [f"{i:03d}" for i in range(500)]


def test_a_rate_limited_batch_waits_for_retry_after_then_goes(gateways, publishers):
    gateway = gateways(config=auth_config(publishRateLimit={"entriesPerSecond": 50, "burst": 50}))
    # Without Retry-After, this backoff would retry within milliseconds.
    pub = publishers(gateway.url, PUBLISHER_TOKEN, retry_base=0.01, retry_max=5, batch_size=60)
    for i in range(60):
        pub.publish(f"{i}", channel=CHANNEL)  # one batch of 60: admitted, leaving the bucket in debt
    assert pub.flush(5)
    started = time.monotonic()
    for i in range(60, 70):
        pub.publish(f"{i}", channel=CHANNEL)
    assert pub.flush(10)
    waited = time.monotonic() - started
    stats = pub.stats()
    assert stats["retries"] >= 1 and waited >= 0.9  # the gateway asked for Retry-After: 1
    assert stats["retries"] <= waited + 1  # one retry per second asked for, not a busy loop
    assert stats["last_error"]["code"] == "rate_limited" and stats["last_error"]["status"] == 429
    assert messages(gateway.wait_history(CHANNEL, 70)) == [f"{i}" for i in range(70)]
    assert stats["sent"] == 70 and stats["dropped"] == 0


def test_a_gateway_whose_store_is_down_answers_503_and_gets_the_entries_once_it_is_back(gateways, publishers, tmp_path):
    redis = RedisServer(tmp_path).start()
    try:
        gateway = gateways(args=["--redis", redis.url])
        wait_for(lambda: _ready(gateway), 10, "the gateway to reach Redis")
        pub = publishers(gateway.url, retry_base=0.01, retry_max=5)
        pub.publish("before", channel=CHANNEL)
        assert pub.flush(5)

        redis.kill()
        wait_for(lambda: not _ready(gateway), 10, "the gateway to notice Redis is gone")
        for i in range(10):
            pub.publish(f"{i}", channel=CHANNEL)
        wait_for(lambda: (pub.stats()["last_error"] or {}).get("status") == 503, 5, "a 503")
        stats = pub.stats()
        assert stats["connection_status"] == "retrying" and stats["last_error"]["code"] == "server_error"

        redis.start()  # same port, empty
        assert pub.flush(20)
        assert messages(gateway.wait_history(CHANNEL, 10)) == [f"{i}" for i in range(10)]
        stats = pub.stats()
        assert stats["sent"] == 11 and stats["dropped"] == 0 and stats["retries"] >= 1
        assert_accounted(stats)
    finally:
        redis.kill()


def _ready(gateway) -> bool:
    import urllib.error
    import urllib.request

    try:
        with urllib.request.urlopen(gateway.url + "/ready", timeout=5) as response:
            return response.status == 200
    except urllib.error.HTTPError:
        return False
