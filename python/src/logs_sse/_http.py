"""POSTs to the gateway over one keep-alive connection, from the sender thread only."""

from __future__ import annotations

import gzip as gzip_module
import http.client
import select
import socket
import ssl
import threading
from typing import Dict, NamedTuple, Optional, Union
from urllib.parse import urlsplit

from ._protocol import PUBLISHER_ID_HEADER

#: Answers longer than this are cut: the publisher needs only counts and error codes from them.
MAX_ANSWER_BYTES = 256 * 1024
#: Bodies smaller than this are not worth compressing.
GZIP_MIN_BYTES = 1024
#: A larger body is written in pieces this large, looking between them for an early answer (a 413);
#: a smaller one leaves with its headers in one write.
_PIECE = 256 * 1024


class Answer(NamedTuple):
    status: int
    retry_after: Optional[str]
    body: bytes


class Failure(NamedTuple):
    code: str  # "network_error" or "timeout"
    message: str


Outcome = Union[Answer, Failure]


class HttpClient:
    """Sends one request at a time. ``post`` never raises: every fault comes back as a :class:`Failure`.
    ``abort`` may be called from another thread to cut the request under way (``close()`` does so when
    its deadline passes)."""

    def __init__(self, url: str, token: Optional[str], timeout: float, publisher_id: str) -> None:
        parts = urlsplit(url)
        self._secure = parts.scheme == "https"
        self._host = parts.hostname or ""
        self._port = parts.port
        self._base_path = parts.path.rstrip("/")
        self._timeout = timeout
        self._headers: Dict[str, str] = {PUBLISHER_ID_HEADER: publisher_id}
        if token is not None:
            self._headers["Authorization"] = f"Bearer {token}"
        self._conn: Optional[http.client.HTTPConnection] = None
        self._aborted = False
        self._lock = threading.Lock()

    def post(
        self, path: str, body: bytes, content_type: str, compress: bool, idempotency_key: Optional[str] = None
    ) -> Outcome:
        headers = dict(self._headers)
        headers["Content-Type"] = content_type
        if idempotency_key is not None:
            # A Structured Field string, as the IETF httpapi draft defines the header.
            headers["Idempotency-Key"] = f'"{idempotency_key}"'
        if compress and len(body) >= GZIP_MIN_BYTES:
            body = gzip_module.compress(body, compresslevel=6)
            headers["Content-Encoding"] = "gzip"
        headers["Content-Length"] = str(len(body))
        url = self._base_path + path
        outcome = self._send(url, headers, body)
        if isinstance(outcome, _Stale):
            # The gateway closed the idle keep-alive connection as we sent: once more on a new one, at
            # once. Not a retry in the stats, since nothing is wrong with the gateway.
            outcome = self._send(url, headers, body)
        if isinstance(outcome, _Stale):
            outcome = Failure("network_error", outcome.message)
        return outcome

    def abort(self) -> None:
        """Cuts the request under way, if any, and every later one: they come back as network errors.
        Any thread may call it (``close()`` does, once its deadline has passed)."""
        with self._lock:
            self._aborted = True
            conn = self._conn
        sock = getattr(conn, "sock", None)
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def close(self) -> None:
        with self._lock:
            conn, self._conn = self._conn, None
        if conn is not None:
            conn.close()

    def _connection(self) -> http.client.HTTPConnection:
        with self._lock:
            if self._conn is None:
                if self._secure:
                    self._conn = http.client.HTTPSConnection(
                        self._host, self._port, timeout=self._timeout, context=ssl.create_default_context()
                    )
                else:
                    self._conn = http.client.HTTPConnection(self._host, self._port, timeout=self._timeout)
            return self._conn

    def _send(self, path: str, headers: Dict[str, str], body: bytes) -> Union[Outcome, "_Stale"]:
        if self._aborted:
            return Failure("network_error", "publisher closed")
        conn = self._connection()
        reused = conn.sock is not None
        started = False
        try:
            if not reused:
                conn.connect()
                # Requests go one after the other: nothing is gained by holding a small one back.
                conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            conn.putrequest("POST", path, skip_accept_encoding=True)
            for name, value in headers.items():
                conn.putheader(name, value)
            started = True
            if len(body) <= _PIECE:
                # One write for headers and body: each system call lets the caller's threads take the
                # interpreter, and getting it back can cost this thread a whole switch interval.
                conn.endheaders(body)
                complete = True
            else:
                conn.endheaders()
                complete = _write_body(conn, body)
        except (socket.timeout, TimeoutError):
            self.close()
            return Failure("timeout", f"no answer within {self._timeout:g} s")
        except OSError as error:
            # The gateway may have answered before it stopped reading (after a 413 it closes the
            # connection without reading the rest of the body): that answer is worth reading.
            answer = self._read(conn) if started else error
            if isinstance(answer, Answer):
                self.close()
                return answer
            self.close()
            if self._aborted:
                return Failure("network_error", "publisher closed")
            if reused and isinstance(error, (BrokenPipeError, ConnectionResetError)):
                return _Stale(_describe(error))
            return Failure("network_error", _describe(error))
        except Exception as error:  # an odd URL, an SSL fault: a network error all the same
            self.close()
            return Failure("network_error", _describe(error))
        answer = self._read(conn)
        if isinstance(answer, Answer):
            if not complete:
                self.close()
            return answer
        self.close()
        if isinstance(answer, (socket.timeout, TimeoutError)):
            return Failure("timeout", f"no answer within {self._timeout:g} s")
        if self._aborted:
            return Failure("network_error", "publisher closed")
        if reused and isinstance(answer, (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError)):
            return _Stale(_describe(answer))
        return Failure("network_error", _describe(answer))

    def _read(self, conn: http.client.HTTPConnection) -> Union[Answer, BaseException]:
        try:
            response = conn.getresponse()
            body = response.read(MAX_ANSWER_BYTES + 1)
            retry_after = response.getheader("Retry-After")
        except Exception as error:
            return error
        if len(body) > MAX_ANSWER_BYTES or not response.isclosed():
            # Part of the answer is still unread: the connection cannot carry another request.
            self.close()
        return Answer(response.status, retry_after, body[:MAX_ANSWER_BYTES])


class _Stale(NamedTuple):
    """A reused keep-alive connection that turned out closed: worth one more try on a new one."""

    message: str


def _write_body(conn: http.client.HTTPConnection, body: bytes) -> bool:
    """Writes the body; stops early, returning ``False``, when the gateway has already answered."""
    view = memoryview(body)
    sock = conn.sock
    for start in range(0, len(body), _PIECE):
        if start > 0 and sock is not None and select.select([sock], [], [], 0)[0]:
            return False
        conn.send(view[start : start + _PIECE])
    return True


def _describe(error: Optional[BaseException]) -> str:
    if error is None:
        return "connection failed"
    name = type(error).__name__
    text = str(error)
    return f"{name}: {text}" if text else name
