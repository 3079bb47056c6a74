"""The retry contract (docs/protocol.md, "Retrying") and the level rule, as the Node packages read them."""

from __future__ import annotations

import pytest

from logs_sse import is_retryable_status, parse_retry_after
from logs_sse._protocol import normalize_level
from logs_sse._retry import backoff_delay

NOW = 784111717.0  # Sun, 06 Nov 1994 08:48:37 GMT


@pytest.mark.parametrize("status", [408, 429, 500, 502, 503, 504, 599])
def test_later_statuses_are_retried(status):
    assert is_retryable_status(status)


@pytest.mark.parametrize("status", [200, 202, 400, 401, 403, 404, 409, 413, 415, 422])
def test_other_statuses_are_not(status):
    assert not is_retryable_status(status)


@pytest.mark.parametrize(
    "value, seconds",
    [
        ("0", 0.0),
        ("5", 5.0),
        ("120", 120.0),
        ("Sun, 06 Nov 1994 08:49:37 GMT", 60.0),  # IMF-fixdate
        ("Sunday, 06-Nov-94 08:49:37 GMT", 60.0),  # rfc850
        ("Sun Nov  6 08:49:37 1994", 60.0),  # asctime, GMT without saying so
        ("Sun, 06 Nov 1994 08:00:00 GMT", 0.0),  # past: at once
        ("99999999999", 2_147_483.647),  # capped as a JavaScript timer is
    ],
)
def test_retry_after_is_read_as_seconds_or_an_http_date(value, seconds):
    assert parse_retry_after(value, NOW) == pytest.approx(seconds)


@pytest.mark.parametrize("value", [None, "", "-5", "1.5", " 5", "5s", "soon", "Sun, 32 Nov 1994 08:49:37 GMT"])
def test_an_unreadable_retry_after_leaves_the_backoff_in_charge(value):
    assert parse_retry_after(value, NOW) is None


@pytest.mark.parametrize(
    "given, stored",
    [
        ("WARNING", "warn"),
        ("Critical", "fatal"),
        ("err", "error"),
        ("notice", "info"),
        (10, "trace"),
        (35, "info"),
        ("50", "error"),
        (100, "fatal"),
        (9, None),
        (101, None),
        ("5", None),
        (True, None),
        (30.0, None),
        ("loud", None),
    ],
)
def test_levels_are_read_as_the_gateway_reads_them(given, stored):
    assert normalize_level(given) == stored


def test_backoff_is_full_jitter_under_a_doubling_cap():
    assert backoff_delay(0, 0.1, 30, lambda: 0.999) == pytest.approx(0.0999)
    assert backoff_delay(3, 0.1, 30, lambda: 0.5) == pytest.approx(0.4)
    assert backoff_delay(40, 0.1, 30, lambda: 1.0) == 30
    assert backoff_delay(5, 0.1, 30, lambda: 0.0) == 0
