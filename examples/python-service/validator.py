"""A sample Python service for the demo: a data validator that checks batches of records, logs through
the standard library's ``logging`` (with ``LogsSSEHandler``) and reports its progress as ``status``
entries. It runs from the repository as it is, with the package from ``python/src`` on ``PYTHONPATH``:

    PYTHONPATH=python/src python3 examples/python-service/validator.py --url http://127.0.0.1:3002

Stops on Ctrl-C or SIGTERM (sending what it still holds), or after ``--runs N`` runs.
"""

from __future__ import annotations

import argparse
import logging
import os
import random
import signal
import sys
import threading

from logs_sse import LogsPublisher, LogsSSEHandler

SERVICE = "validator"
DATASETS = ["orders", "customers", "invoices", "shipments"]
RULES = ["not_null(customer_id)", "iso_currency(currency)", "positive(amount)", "unique(order_id)"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default=os.environ.get("LOGS_GATEWAY_URL", "http://127.0.0.1:3002"))
    parser.add_argument("--workspace", default="demo")
    parser.add_argument("--resource", default="orders-schema", help="the channel's resource id")
    parser.add_argument("--runs", type=int, default=0, help="runs before exiting (default: until stopped)")
    parser.add_argument("--pace", type=float, default=400, help="base delay between steps, in ms")
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args()

    stop = threading.Event()
    for name in ("SIGINT", "SIGTERM"):
        signal.signal(getattr(signal, name), lambda *_: stop.set())

    last_problem = [""]

    def on_error(error) -> None:
        # Retries repeat the same fault while the gateway is down: say it once.
        problem = f"{SERVICE}: {error.code}: {error.message}"
        if problem != last_problem[0]:
            print(problem, file=sys.stderr, flush=True)
        last_problem[0] = problem

    publisher = LogsPublisher(args.url, service=SERVICE, close_timeout=2.0, on_error=on_error)
    log = logging.getLogger("validator")
    log.setLevel(logging.DEBUG)
    log.addHandler(LogsSSEHandler(publisher, workspace_id=args.workspace, resource_id=args.resource))
    job = publisher.child(workspace_id=args.workspace, resource_id=args.resource)
    print(f"{SERVICE}: publishing to {args.url} (workspace {args.workspace}, python {sys.version.split()[0]})", flush=True)

    rng = random.Random(args.seed)
    pause = args.pace / 1000
    run = 0
    while not stop.is_set() and (args.runs == 0 or run < args.runs):
        run += 1
        if not validate(run, log, job, rng, stop, pause):
            break
    publisher.close()
    print(f"{SERVICE}: stopped", flush=True)
    return 0


def validate(run: int, log: logging.Logger, job: LogsPublisher, rng: random.Random, stop: threading.Event, pause: float) -> bool:
    """One run over every dataset; ``False`` when stopped midway."""
    log.info("run %d started: %d datasets, %d rules", run, len(DATASETS), len(RULES), extra={"run": run})
    job.status(phase="loading", progress=0, message="reading datasets")
    failures = 0
    for index, dataset in enumerate(DATASETS):
        rows = rng.randint(2_000, 20_000)
        log.debug("loading %s", dataset, extra={"run": run, "dataset": dataset})
        if stop.wait(pause):
            return False
        for rule in RULES:
            bad = rng.randint(1, 40) if rng.random() < 0.2 else 0
            failures += bad
            if bad:
                log.warning("%s: %d of %d rows break %s", dataset, bad, rows, rule,
                            extra={"run": run, "dataset": dataset, "rule": rule, "rows": bad})
        if rng.random() < 0.1:
            try:
                raise ValueError(f"{dataset}: column 'amount' holds 'n/a' where a decimal is expected")
            except ValueError:
                log.exception("%s: could not parse a column", dataset, extra={"run": run, "dataset": dataset})
        log.info("%s: %d rows checked", dataset, rows, extra={"run": run, "dataset": dataset, "rows": rows})
        job.status(phase="validating", progress=round((index + 1) / len(DATASETS) * 100),
                   message=f"{dataset} checked")
    level = logging.WARNING if failures > 50 else logging.INFO
    log.log(level, "run %d finished: %d rows broke a rule", run, failures, extra={"run": run, "failures": failures})
    job.done(run=run, failures=failures)
    return not stop.wait(pause * 2)


if __name__ == "__main__":
    sys.exit(main())
