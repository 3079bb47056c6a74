"""Each batch carries an Idempotency-Key, the same on every retry of that batch and new for every other
request, so that a gateway that supports it stores a retried batch once. Observed on a loopback server
that records the requests and answers as told."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Dict, Iterator, List

import pytest

from support import assert_accounted


class Recorder:
    def __init__(self) -> None:
        self.requests: List[Dict[str, Any]] = []
        self.answers: List[int] = []  # statuses to give, in order; 202 once they run out
        self.lock = threading.Lock()


@pytest.fixture
def recorder() -> Iterator[Any]:
    record = Recorder()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - the name http.server calls
            body = self.rfile.read(int(self.headers["Content-Length"]))
            lines = body.decode().split("\n")
            with record.lock:
                record.requests.append(
                    {"path": self.path, "key": self.headers.get("Idempotency-Key"), "count": len(lines)}
                )
                status = record.answers.pop(0) if record.answers else 202
            answer = json.dumps({"accepted": len(lines), "rejected": [], "rejectedCount": 0} if status == 202 else {"error": {"code": "x", "message": "x"}})
            self.send_response(status)
            if status == 503:
                self.send_header("Retry-After", "0")
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer.encode())

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    record.url = f"http://127.0.0.1:{server.server_address[1]}"
    yield record
    server.shutdown()
    server.server_close()


def test_a_batch_keeps_its_key_across_retries_and_halves_get_new_ones(recorder, publishers):
    recorder.answers = [503, 503, 413]
    pub = publishers(recorder.url, batch_size=10, flush_interval=10)
    for i in range(10):
        pub.publish(f"{i}", channel="logs:etl:ws-1:run-1")
    assert pub.flush(5)
    for i in range(10):
        pub.publish(f"{i}", channel="logs:etl:ws-1:run-1")
    assert pub.flush(5)

    requests = [r for r in recorder.requests if r["path"] == "/api/logs/publish"]
    keys = [r["key"] for r in requests]
    assert [r["count"] for r in requests] == [10, 10, 10, 5, 5, 10]
    assert all(key and key.startswith('"') and key.endswith('"') and len(key) > 20 for key in keys)
    # The first batch, sent three times (503, 503, then 413), is one request: one key.
    assert keys[0] == keys[1] == keys[2]
    # Its halves and the next batch are new requests.
    assert len({keys[0], keys[3], keys[4], keys[5]}) == 4
    stats = pub.stats()
    assert stats["sent"] == 20 and stats["retries"] == 2
    assert_accounted(stats)
