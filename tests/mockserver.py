"""A local HTTP server for misbehaving sites: a table of paths → behaviours, bound to 127.0.0.1:0."""
from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable
from urllib.parse import urlsplit


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    content_type: str | None = "text/html; charset=utf-8"
    headers: dict[str, str] | None = None
    delay: float = 0.0
    endless: bool = False  # stream a body that never ends (the client must cap it)
    trickle: float = 0.0   # seconds between single bytes of the body (a site that drips)
    declared_length: int | None = None  # send this Content-Length and that many bytes (body, then zeros)


@dataclass(frozen=True)
class Seen:
    """What a route is told about the request: the path with query, method and headers."""
    path: str
    method: str
    headers: dict[str, str]


Route = Callable[[Seen], Reply]


def html(body: str, *, charset: str = "utf-8", declare: bool = True, status: int = 200, delay: float = 0.0) -> Reply:
    ctype = f"text/html; charset={charset}" if declare else "text/html"
    return Reply(status=status, body=body.encode(charset), content_type=ctype, delay=delay)


def redirect(location: str, status: int = 302) -> Reply:
    return Reply(status=status, headers={"Location": location}, content_type=None)


class MockServer:
    def __init__(self, routes: dict[str, Reply | Route], host: str = "127.0.0.1"):
        self.routes = routes
        self.hits: dict[str, int] = {}
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # quiet
                pass

            def _reply(self, with_body: bool) -> None:
                path = self.path
                with server._lock:
                    server.hits[path] = server.hits.get(path, 0) + 1
                route = server.routes.get(path) or server.routes.get(urlsplit(path).path)
                seen = Seen(path, self.command, {k.lower(): v for k, v in self.headers.items()})
                reply = route(seen) if callable(route) else route
                if reply is None:
                    reply = html("<html><head><title>404</title></head><body>Not Found</body></html>", status=404)
                if reply.delay:
                    time.sleep(reply.delay)
                self.send_response(reply.status)
                if reply.content_type:
                    self.send_header("Content-Type", reply.content_type)
                for k, v in (reply.headers or {}).items():
                    self.send_header(k, v)
                if reply.endless:
                    self.send_header("Connection", "close")
                    self.end_headers()
                    if with_body:
                        chunk = b"<p>" + b"x" * 65536 + b"</p>"
                        try:
                            for _ in range(100000):
                                self.wfile.write(chunk)
                        except (BrokenPipeError, ConnectionResetError):
                            pass
                    return
                if reply.declared_length is not None:
                    self.send_header("Content-Length", str(reply.declared_length))
                    self.end_headers()
                    if with_body:
                        try:
                            self.wfile.write(reply.body)
                            left = reply.declared_length - len(reply.body)
                            while left > 0:
                                self.wfile.write(b"\0" * min(left, 65536))
                                left -= 65536
                        except (BrokenPipeError, ConnectionResetError):
                            pass
                    return
                self.send_header("Content-Length", str(len(reply.body)))
                self.end_headers()
                if with_body and reply.trickle:
                    try:
                        for i in range(len(reply.body)):
                            self.wfile.write(reply.body[i:i + 1])
                            self.wfile.flush()
                            time.sleep(reply.trickle)
                    except (BrokenPipeError, ConnectionResetError):
                        pass
                elif with_body:
                    self.wfile.write(reply.body)

            def do_GET(self):
                self._reply(True)

            def do_HEAD(self):
                self._reply(False)

        self.httpd = ThreadingHTTPServer((host, 0), Handler)
        self.httpd.daemon_threads = True
        self.base_url = f"http://{host}:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> MockServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def closed_port() -> int:
    """A port on which nothing listens (bound, then released)."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class SilentServer:
    """Accepts TCP connections and never answers (an FTP or HTTP server that hangs); counts connections."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.sock = socket.socket()
        self.sock.bind((host, 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.accepted = 0
        self._held: list[socket.socket] = []
        self.thread = threading.Thread(target=self._serve, daemon=True)

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.accepted += 1
            self._held.append(conn)

    def __enter__(self) -> SilentServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        try:
            self.sock.shutdown(socket.SHUT_RDWR)  # wakes the accept() above
        except OSError:
            pass
        self.sock.close()
        for conn in self._held:
            conn.close()
