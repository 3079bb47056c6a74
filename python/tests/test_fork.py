"""After os.fork(), as in a pre-fork server's workers, the child process publishes with a queue, a
thread and an id of its own, and never sends again what its parent queued."""

from __future__ import annotations

import json
import os

import pytest

from support import messages

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="os.fork() is POSIX only")


def test_a_forked_child_has_its_own_queue_and_sender(gateway, publishers):
    # Entries stay queued until flushed, so the parent holds some at the fork.
    pub = publishers(gateway.url, flush_interval=30, publisher_id="etl-parent")
    run = pub.child(workspace_id="ws-1", resource_id="parent")
    for i in range(10):
        run.publish(f"parent {i}")
    # The thread is running in the parent: the fork happens with it mid-wait.
    assert pub.stats()["queue_size"] == 10

    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: report through the pipe, never return into pytest
        code = 1
        try:
            child_run = pub.child(workspace_id="ws-1", resource_id="child")
            for i in range(5):
                child_run.publish(f"child {i}")
            flushed = pub.flush(10)
            os.write(write, json.dumps({"flushed": flushed, "stats": pub.stats(), "id": pub.publisher_id}).encode())
            code = 0
        finally:
            os._exit(code)
    os.close(write)
    with os.fdopen(read) as pipe:
        report = json.loads(pipe.read())
    assert os.waitpid(pid, 0)[1] == 0
    assert report["flushed"]
    # Counters of its own: the parent's ten queued entries are not the child's to send or count.
    assert report["stats"]["generated"] == 5 and report["stats"]["sent"] == 5
    assert report["id"] == f"etl-parent-{pid}"
    assert messages(gateway.wait_history("logs:etl:ws-1:child", 5)) == [f"child {i}" for i in range(5)]

    assert pub.flush(10)
    assert messages(gateway.wait_history("logs:etl:ws-1:parent", 10)) == [f"parent {i}" for i in range(10)]
    assert pub.stats()["sent"] == 10 and pub.publisher_id == "etl-parent"


def test_a_child_forked_before_the_first_publish_starts_its_own_thread(gateway, publishers):
    pub = publishers(gateway.url)
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            pub.publish("from the child", channel="logs:etl:ws-1:forked")
            code = 0 if pub.flush(10) and pub.stats()["sent"] == 1 else 2
        finally:
            os._exit(code)
    assert os.waitpid(pid, 0)[1] == 0
    assert messages(gateway.wait_history("logs:etl:ws-1:forked", 1)) == ["from the child"]
    assert pub.stats()["generated"] == 0


def _work(url: str) -> None:
    from logs_sse import LogsPublisher

    # A publisher made in the child itself, never closed: the drain at exit must send what it holds.
    LogsPublisher(url, service="etl", flush_interval=30).publish("from a pool worker", channel="logs:etl:ws-1:mp")


def _inherited(pub) -> None:
    pub.publish("inherited", channel="logs:etl:ws-1:mp-inherited")


def test_multiprocessing_children_drain_before_they_exit(gateway, publishers):
    import multiprocessing

    context = multiprocessing.get_context("fork")
    made_in_child = context.Process(target=_work, args=(gateway.url,))
    made_in_child.start()
    made_in_child.join(20)
    assert made_in_child.exitcode == 0
    assert messages(gateway.wait_history("logs:etl:ws-1:mp", 1)) == ["from a pool worker"]

    pub = publishers(gateway.url, flush_interval=30)
    inherited = context.Process(target=_inherited, args=(pub,))
    inherited.start()
    inherited.join(20)
    assert inherited.exitcode == 0
    assert messages(gateway.wait_history("logs:etl:ws-1:mp-inherited", 1)) == ["inherited"]
