"""Two ways to reach the emulator: an in-process httpx transport, and a real loopback HTTP server."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING

import httpx

from .faults import ConnectionDropped

if TYPE_CHECKING:  # the emulator exposes transport() itself, so this module cannot import it at runtime
    from .emulator import KibanaEmulator


def transport(emulator: KibanaEmulator) -> httpx.MockTransport:
    """In-process: a dropped connection surfaces as the httpx error a real socket failure would raise."""

    def handler(request: httpx.Request) -> httpx.Response:
        raw_path, _, query = request.url.raw_path.decode("ascii").partition("?")
        try:
            status, headers, body = emulator.handle(request.method, raw_path, query, dict(request.headers),
                                                    request.read())
        except ConnectionDropped as drop:
            if drop.mode == "refuse":
                raise httpx.ConnectError("[Errno 111] Connection refused", request=request) from None
            raise httpx.RemoteProtocolError("Server disconnected without sending a response.",
                                            request=request) from None
        return httpx.Response(status, headers=headers, content=body, request=request)

    return httpx.MockTransport(handler)


def _request_handler(emulator: KibanaEmulator) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, like Kibana behind a proxy
        # TCP_NODELAY on every accepted socket (StreamRequestHandler.setup), as Node's http server does
        disable_nagle_algorithm = True

        def _serve(self) -> None:
            raw_path, _, query = self.path.partition("?")
            try:
                status, headers, body = emulator.handle(self.command, raw_path, query, dict(self.headers.items()),
                                                        self._body())
            except ConnectionDropped:
                self.close_connection = True
                self.connection.shutdown(socket.SHUT_RDWR)  # no status line at all
                return
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("content-length", str(len(body)))
            # Head and body in ONE send: written apart, the body segment waits for the client's delayed ACK
            # (Nagle), ~40 ms per keep-alive request. send_header buffers into _headers_buffer until flushed.
            self._headers_buffer.append(b"\r\n")
            if self.command != "HEAD":
                self._headers_buffer.append(body)
            self.flush_headers()

        def _body(self) -> bytes:
            if self.headers.get("transfer-encoding", "").lower() == "chunked":
                chunks = []
                while size := int(self.rfile.readline().split(b";")[0].strip() or b"0", 16):
                    chunks.append(self.rfile.read(size))
                    self.rfile.readline()
                self.rfile.readline()
                return b"".join(chunks)
            return self.rfile.read(int(self.headers.get("content-length") or 0))

        do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = _serve

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
            """Silent: the emulator keeps its own request log."""

    return Handler


@contextmanager
def serve(emulator: KibanaEmulator) -> Iterator[str]:
    """Run the emulator on 127.0.0.1 with a free port; yields the base URL (for CLI tests in a subprocess)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _request_handler(emulator))
    server.daemon_threads = True
    # a short poll interval keeps shutdown (one per test) fast
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              name="kibana-emulator", daemon=True)
    thread.start()
    try:
        host, port = server.server_address[:2]
        yield f"http://{host}:{port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
