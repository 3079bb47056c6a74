"""Cost of the Python publisher (python/) next to the standard library's own non-blocking logging, and
its sustained delivery to a real gateway. Run by bench/python-publisher.mjs, which starts the gateway.

  caller: per call on the caller's thread, the thread's own CPU time (time.thread_time) and the wall
          time of the loop, for LogsPublisher.publish() and for logger.info() through a QueueHandler
          whose QueueListener writes each record to /dev/null. Rounds alternate; medians.
  sustained: one thread publishes as fast as it can; logs/s until the gateway has accepted them all
          (flush() returned), with a queue as large as the round so that nothing is dropped.

Usage: python3 bench/python-publisher.py URL [logs_per_round] [rounds] [sustained_logs]
Prints a table on stderr and a JSON line last on stdout.
"""

from __future__ import annotations

import json
import logging
import logging.handlers
import os
import queue
import statistics
import sys
import time

from logs_sse import LogsPublisher

URL = sys.argv[1]
LOGS = int(sys.argv[2]) if len(sys.argv) > 2 else 100_000
ROUNDS = int(sys.argv[3]) if len(sys.argv) > 3 else 5
SUSTAINED = int(sys.argv[4]) if len(sys.argv) > 4 else 300_000
TIME_LIMIT = 150.0
BIG = {"max_queue_bytes": 1 << 30, "heartbeat_interval": 0}
started = time.monotonic()


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def timed(call) -> tuple:
    wall = time.perf_counter_ns()
    cpu = time.thread_time_ns()
    call()
    return (time.perf_counter_ns() - wall) / LOGS, (time.thread_time_ns() - cpu) / LOGS


def ours() -> tuple:
    pub = LogsPublisher(URL, service="bench", max_queue_size=LOGS, **BIG)

    def loop() -> None:
        publish = pub.publish
        for i in range(LOGS):
            publish("request handled", workspace_id="ws-1", resource_id="run-42", user="u-7", attempt=i % 5, i=i)

    result = timed(loop)
    assert pub.flush(60), "the gateway did not take the round in time"
    stats = pub.stats()
    pub.close()
    assert stats["sent"] == LOGS, stats
    return result


def stdlib() -> tuple:
    records: queue.SimpleQueue = queue.SimpleQueue()
    logger = logging.getLogger("bench-queue-handler")
    logger.propagate = False
    logger.setLevel(logging.INFO)
    handler = logging.handlers.QueueHandler(records)
    logger.addHandler(handler)
    sink = logging.StreamHandler(open(os.devnull, "w"))  # noqa: SIM115 - closed below
    listener = logging.handlers.QueueListener(records, sink)
    listener.start()

    def loop() -> None:
        info = logger.info
        for i in range(LOGS):
            info("request handled", extra={"workspace_id": "ws-1", "resource_id": "run-42", "user": "u-7", "attempt": i % 5, "i": i})

    result = timed(loop)
    listener.stop()  # drains the queue
    logger.removeHandler(handler)
    sink.stream.close()
    return result


def sustained() -> dict:
    pub = LogsPublisher(URL, service="bench", max_queue_size=SUSTAINED, **BIG)
    cpu = os.times()
    begin = time.perf_counter()
    publish = pub.publish
    for i in range(SUSTAINED):
        publish("request handled", workspace_id="ws-1", resource_id=f"run-{i % 8}", user="u-7", i=i)
    published = time.perf_counter()
    assert pub.flush(120), "the gateway did not take everything in time"
    done = time.perf_counter()
    after = os.times()
    stats = pub.stats()
    pub.close()
    assert stats["sent"] == SUSTAINED and stats["dropped"] == 0, stats
    return {
        "logs_per_s": SUSTAINED / (done - begin),
        "publish_per_s": SUSTAINED / (published - begin),
        "cpu_per_log_ns": ((after.user - cpu.user) + (after.system - cpu.system)) * 1e9 / SUSTAINED,
        "batches": stats["batches_sent"],
    }


# Warm-up round of each, not recorded.
ours()
stdlib()
rows = {"ours": [], "stdlib": []}
for round_ in range(ROUNDS):
    if time.monotonic() - started > TIME_LIMIT:
        break
    # Alternating which goes first, so that neither always runs on a warmer or quieter machine.
    order = (("ours", ours), ("stdlib", stdlib)) if round_ % 2 == 0 else (("stdlib", stdlib), ("ours", ours))
    for name, run in order:
        rows[name].append(run())
    say(f"round {round_ + 1}: ours {rows['ours'][-1][1]:.0f} ns CPU, QueueHandler {rows['stdlib'][-1][1]:.0f} ns CPU")

runs = [sustained() for _ in range(3) if time.monotonic() - started < TIME_LIMIT]
best = max(runs, key=lambda r: r["logs_per_s"])
median_rate = statistics.median(r["logs_per_s"] for r in runs)


def med(name: str, index: int) -> float:
    return statistics.median(row[index] for row in rows[name])


result = {
    "publish_cpu_ns": round(med("ours", 1)),
    "queue_handler_cpu_ns": round(med("stdlib", 1)),
    "ratio_cpu": round(med("ours", 1) / med("stdlib", 1), 2),
    "publish_wall_ns": round(med("ours", 0)),
    "queue_handler_wall_ns": round(med("stdlib", 0)),
    "ratio_wall": round(med("ours", 0) / med("stdlib", 0), 2),
    "sustained_logs_per_s": round(median_rate),
    "sustained_best_logs_per_s": round(best["logs_per_s"]),
    "sustained_publish_per_s": round(statistics.median(r["publish_per_s"] for r in runs)),
    "sustained_cpu_per_log_ns": round(statistics.median(r["cpu_per_log_ns"] for r in runs)),
    "sustained_batches": best["batches"],
    "logs_per_round": LOGS,
    "rounds": len(rows["ours"]),
    "sustained_logs": SUSTAINED,
    "python": sys.version.split()[0],
}
say(
    f"\ncaller's thread, ns/call (median of {result['rounds']} rounds of {LOGS:,}): "
    f"publish() {result['publish_cpu_ns']} CPU / {result['publish_wall_ns']} wall; "
    f"QueueHandler {result['queue_handler_cpu_ns']} CPU / {result['queue_handler_wall_ns']} wall; "
    f"ratio {result['ratio_cpu']} CPU, {result['ratio_wall']} wall (goal <= 1.0)\n"
    f"sustained, {SUSTAINED:,} logs: {result['sustained_logs_per_s']:,} logs/s delivered (median of {len(runs)}, "
    f"best {result['sustained_best_logs_per_s']:,}; goal >= 50,000), {result['sustained_cpu_per_log_ns']} ns CPU/log"
)
print(json.dumps(result))
