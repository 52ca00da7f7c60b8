"""HTTP requests to a published port, each bounded in time.

`get` is a plain request, `get_tls` one over TLS; `SlowUpload` is a request whose body
trickles in over a few seconds, to be in flight through nginx while the container is told to
stop.
"""

from __future__ import annotations

import http.client
import json
import socket
import ssl
import threading
import time
from dataclasses import dataclass, field


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> object:
        return json.loads(self.body)


def get(port: int, path: str, headers: dict[str, str] | None = None, timeout: float = 5.0) -> Response:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path, headers=headers or {})
        resp = conn.getresponse()
        return Response(resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read())
    finally:
        conn.close()


def post(port: int, path: str, body: bytes, timeout: float = 5.0) -> Response:
    """A POST with a Content-Length body, so nginx can refuse it by size before reading it."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("POST", path, body=body, headers={"Content-Type": "application/octet-stream"})
        resp = conn.getresponse()
        return Response(resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read())
    finally:
        conn.close()


class _TLSConnection(http.client.HTTPConnection):
    """HTTPS to 127.0.0.1 with a chosen SNI and certificate name (the published port listens
    on 127.0.0.1 only, the certificate is for a host name)."""

    def __init__(self, port: int, context: ssl.SSLContext, server_hostname: str, timeout: float) -> None:
        super().__init__("127.0.0.1", port, timeout=timeout)
        self._context = context
        self._server_hostname = server_hostname

    def connect(self) -> None:
        super().connect()
        self.sock = self._context.wrap_socket(self.sock, server_hostname=self._server_hostname)


def get_tls(
    port: int,
    path: str,
    context: ssl.SSLContext,
    server_hostname: str,
    headers: dict[str, str] | None = None,
    timeout: float = 5.0,
) -> tuple[Response, str | None]:
    """`GET path` over TLS, Host and SNI `server_hostname`; the response and the TLS version."""
    conn = _TLSConnection(port, context, server_hostname, timeout)
    try:
        conn.request("GET", path, headers={"Host": f"{server_hostname}:{port}", **(headers or {})})
        resp = conn.getresponse()
        version = conn.sock.version() if isinstance(conn.sock, ssl.SSLSocket) else None
        return Response(resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()), version
    finally:
        conn.close()


def answers(port: int, path: str = "/", timeout: float = 2.0) -> Response | None:
    try:
        return get(port, path, timeout=timeout)
    except (OSError, http.client.HTTPException):
        return None


@dataclass
class SlowUpload:
    """`GET /` with a body sent in chunks over `seconds`, then the response read."""

    port: int
    size: int = 64 * 1024
    seconds: float = 3.0
    chunks: int = 16
    response: Response | None = None
    error: str | None = None
    sent_at: list[float] = field(default_factory=list)
    _thread: threading.Thread | None = None
    _sock: socket.socket | None = None

    def start(self) -> None:
        """Connects and sends the headers and a first chunk; the rest follows in the background."""
        self._sock = socket.create_connection(("127.0.0.1", self.port), timeout=30)
        head = (
            f"GET / HTTP/1.1\r\nHost: 127.0.0.1:{self.port}\r\nContent-Type: application/octet-stream\r\n"
            f"Content-Length: {self.size}\r\nConnection: close\r\n\r\n"
        )
        self._sock.sendall(head.encode())
        self._send_chunk()
        self._thread = threading.Thread(target=self._finish, daemon=True)
        self._thread.start()

    def _send_chunk(self) -> None:
        assert self._sock is not None
        chunk = self.size // self.chunks
        self._sock.sendall(b"x" * chunk)
        self.sent_at.append(time.monotonic())

    def _finish(self) -> None:
        assert self._sock is not None
        try:
            for _ in range(self.chunks - 1):
                time.sleep(self.seconds / self.chunks)
                self._send_chunk()
            resp = http.client.HTTPResponse(self._sock)
            resp.begin()
            self.response = Response(resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read())
        except (OSError, http.client.HTTPException) as exc:
            self.error = f"{type(exc).__name__}: {exc}"
        finally:
            self._sock.close()

    def wait(self, timeout: float) -> None:
        if self._thread is not None:
            self._thread.join(timeout)
            if self._thread.is_alive():
                self.error = f"no response within {timeout} s"
                if self._sock is not None:
                    self._sock.close()
