"""Helpers for the tests: the real gateway, started from the built command line on a free port, a private
redis-server, and waits on conditions with deadlines (never a fixed sleep)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional

ROOT = Path(__file__).resolve().parents[2]
GATEWAY_CLI = Path(os.environ.get("LOGS_SSE_GATEWAY_CLI", ROOT / "packages" / "gateway" / "dist" / "cli.js"))
NODE = os.environ.get("LOGS_SSE_NODE", "node")

PUBLISHER_TOKEN = "publisher-token-etl-0001"
OTHER_TOKEN = "publisher-token-other-01"
READER_TOKEN = "reader-token-everything-01"
ADMIN_TOKEN = "admin-token-for-tests-0001"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(condition: Callable[[], Any], timeout: float = 10.0, what: str = "the condition") -> Any:
    """Polls ``condition`` until it returns something truthy, failing after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.01)


class Gateway:
    """The gateway's command line as users run it. ``kill()`` stops it like a crash; ``start()`` brings it
    back on the same port."""

    def __init__(self, tmp: Path, config: Optional[Dict[str, Any]] = None, args: Optional[List[str]] = None,
                 env: Optional[Dict[str, str]] = None, port: Optional[int] = None) -> None:
        if not GATEWAY_CLI.exists():
            raise RuntimeError(f"{GATEWAY_CLI} is missing: build the packages first (pnpm build)")
        self.args = list(args or [])
        if config is not None:
            path = tmp / f"gateway-{id(self)}.json"
            path.write_text(json.dumps(config))
            self.args += ["--config", str(path)]
        self.env = {**os.environ, "LOGS_SSE_LOG_LEVEL": "warn", **(env or {})}
        # A port of its own from the start, so that a gateway can be down, then come up where it was awaited.
        self.port = free_port() if port is None else port
        self.reader_token = READER_TOKEN if config and isinstance(config.get("auth"), dict) else None
        self.process: Optional[subprocess.Popen] = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "Gateway":
        assert self.process is None, "the gateway is already running"
        self.process = subprocess.Popen(
            [NODE, str(GATEWAY_CLI), "--port", str(self.port), *self.args],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=self.env,
            text=True,
        )
        line = self.process.stdout.readline().strip()  # the URL, alone on its line, once it listens
        if not line.startswith("http://"):
            self.process.kill()
            raise RuntimeError(f"the gateway did not start (exit {self.process.wait()}): {line!r}")
        self.port = int(line.rsplit(":", 1)[1])
        return self

    def kill(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process.stdout.close()
            self.process = None

    def stop(self) -> None:
        if self.process is not None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            self.process.stdout.close()
            self.process = None

    def get(self, path: str, token: Optional[str] = None) -> Any:
        request = urllib.request.Request(self.url + path)
        token = token or self.reader_token
        if token:
            request.add_header("Authorization", f"Bearer {token}")
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.load(response)

    def history(self, channel: str) -> List[Dict[str, Any]]:
        return self.get("/api/logs/history?channel=" + urllib.parse.quote(channel))["logs"]

    def wait_history(self, channel: str, count: int, timeout: float = 10.0) -> List[Dict[str, Any]]:
        """The channel's kept entries once there are at least ``count``."""
        return wait_for(
            lambda: (lambda logs: logs if len(logs) >= count else None)(self.history(channel)),
            timeout,
            f"{count} entries on {channel}",
        )


class RedisServer:
    """A private redis-server on a free loopback port, nothing on disk. ``kill()`` stops it like a crash;
    ``start()`` brings it back on the same port."""

    def __init__(self, tmp: Path) -> None:
        if shutil.which("redis-server") is None:
            raise RuntimeError("redis-server is missing (apt-get install redis-server)")
        self.dir = tmp
        self.port = free_port()
        self.process: Optional[subprocess.Popen] = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}"

    def start(self) -> "RedisServer":
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.dir),
             "--save", "", "--appendonly", "no", "--daemonize", "no", "--logfile", ""],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for line in self.process.stdout:
            if "Ready to accept connections" in line:
                break
        else:
            raise RuntimeError(f"redis-server exited with {self.process.wait()}")
        # Keep reading its output so that a full pipe never blocks it.
        threading.Thread(target=self.process.stdout.read, daemon=True).start()
        return self

    def kill(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None


def auth_config(**extra: Any) -> Dict[str, Any]:
    """A gateway config with auth: a publisher token for ``etl``, one for ``other``, a reader for all."""
    return {
        "auth": {
            "publishers": [
                {"token": PUBLISHER_TOKEN, "services": ["etl"]},
                {"token": OTHER_TOKEN, "services": ["other"]},
            ],
            "subscribers": [{"token": READER_TOKEN, "channels": ["logs:*:*:*"]}],
            "adminToken": ADMIN_TOKEN,
        },
        **extra,
    }


def messages(entries: List[Dict[str, Any]]) -> List[Any]:
    return [entry.get("message") for entry in entries]


def assert_accounted(stats: Dict[str, Any]) -> None:
    """The invariant every caller relies on: each entry is sent, dropped for a counted reason, or held."""
    by = stats["dropped_by"]
    assert stats["dropped"] == by["overflow"] + by["invalid"] + by["refused"] + by["too_large"] + by["closed"]
    assert stats["generated"] == stats["sent"] + stats["dropped"] + stats["queue_size"], stats

