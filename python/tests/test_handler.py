"""logging and structlog: a record or an event becomes an entry with its level, message, traceback and
fields, and logging never raises or blocks because of the gateway."""

from __future__ import annotations

import logging

import pytest

from logs_sse import LogsSSEHandler
from support import messages

CHANNEL = "logs:etl:ws-1:run-1"


@pytest.fixture
def logger():
    log = logging.getLogger("logs-sse-test")
    log.setLevel(5)
    log.propagate = False
    yield log
    for handler in list(log.handlers):
        log.removeHandler(handler)


def test_records_become_entries_with_their_level_message_and_extra(gateway, publishers, logger):
    pub = publishers(gateway.url)
    logger.addHandler(LogsSSEHandler(pub, workspace_id="ws-1", resource_id="run-1"))
    logger.log(5, "below debug")
    logger.debug("debug %d", 1)
    logger.info("info %s", "two", extra={"rows": 1200, "user": {"id": 7}})
    logger.warning("warning")
    logger.error("error")
    logger.critical("critical")
    logger.info("elsewhere", extra={"resource_id": "run-2"})
    assert pub.flush(5)
    logs = gateway.wait_history(CHANNEL, 6)
    assert [(entry["level"], entry["message"]) for entry in logs] == [
        ("trace", "below debug"),
        ("debug", "debug 1"),
        ("info", "info two"),
        ("warn", "warning"),
        ("error", "error"),
        ("fatal", "critical"),
    ]
    assert logs[2]["rows"] == 1200 and logs[2]["user"] == {"id": 7} and logs[2]["logger"] == "logs-sse-test"
    assert "args" not in logs[2] and "msg" not in logs[2] and "levelno" not in logs[2]
    assert messages(gateway.wait_history("logs:etl:ws-1:run-2", 1)) == ["elsewhere"]


def test_an_exception_travels_as_a_traceback_field(gateway, publishers, logger):
    pub = publishers(gateway.url)
    logger.addHandler(LogsSSEHandler(pub, workspace_id="ws-1", resource_id="run-1"))
    try:
        {}["missing"]
    except KeyError:
        logger.exception("lookup failed")
    logger.info("with a stack", stack_info=True)
    assert pub.flush(5)
    failed, stacked = gateway.wait_history(CHANNEL, 2)
    assert failed["message"] == "lookup failed" and failed["level"] == "error"
    assert failed["traceback"].startswith("Traceback (most recent call last):")
    assert failed["traceback"].endswith("KeyError: 'missing'")
    assert "Stack (most recent call last)" in stacked["stack"]


def test_a_formatter_shapes_the_message(gateway, publishers, logger):
    pub = publishers(gateway.url)
    handler = LogsSSEHandler(pub, workspace_id="ws-1", resource_id="run-1")
    handler.setFormatter(logging.Formatter("[%(name)s] %(message)s"))
    logger.addHandler(handler)
    logger.warning("formatted")
    assert pub.flush(5)
    assert messages(gateway.wait_history(CHANNEL, 1)) == ["[logs-sse-test] formatted"]


def test_logging_never_raises_and_counts_what_cannot_be_sent(gateway, publishers, logger):
    pub = publishers(gateway.url)
    logger.addHandler(LogsSSEHandler(pub))  # no workspace: these records have no channel
    circular: dict = {}
    circular["self"] = circular
    logger.info("no channel")
    logger.info("circular", extra={"workspace_id": "ws-1", "resource_id": "run-1", "data": circular})
    logger.info("kept", extra={"workspace_id": "ws-1", "resource_id": "run-1", "data": object()})
    assert pub.flush(5)
    assert pub.stats()["dropped_by"]["invalid"] == 2
    entry = gateway.wait_history(CHANNEL, 1)[0]
    assert entry["message"] == "kept" and entry["data"].startswith("<object object")


def test_structlog_events_become_entries(gateway, publishers):
    structlog = pytest.importorskip("structlog")
    from logs_sse.structlog import LogsSSEProcessor

    pub = publishers(gateway.url)
    log = structlog.wrap_logger(
        structlog.PrintLogger(open("/dev/null", "w")),  # noqa: SIM115 - closed with the logger
        processors=[
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso"),
            LogsSSEProcessor(pub, workspace_id="ws-1"),
            structlog.processors.JSONRenderer(),
        ],
    )
    run = log.bind(resource_id="run-1")
    run.info("rows loaded", rows=1000)
    run.warning("slow")
    try:
        1 / 0
    except ZeroDivisionError:
        run.exception("failed")
    run.critical("gave up")
    assert pub.flush(5)
    loaded, slow, failed, gave_up = gateway.wait_history(CHANNEL, 4)
    assert (loaded["level"], loaded["message"], loaded["rows"]) == ("info", "rows loaded", 1000)
    assert (slow["level"], failed["level"], gave_up["level"]) == ("warn", "error", "fatal")
    assert failed["traceback"].endswith("ZeroDivisionError: division by zero")
