"""The browsers' only way out: a forward HTTP proxy on 127.0.0.1 that applies the egress policy.

Chromium is launched with this proxy for everything (Playwright routes loopback through it too, see
`launch_proxy`), so every navigation, redirect hop, subresource, fetch and WebSocket of a page reaches
the network only here. Routing requests inside Playwright cannot do that: page.route does not see the
hops of a redirect, nor WebSockets, and it sees a host name before it is resolved.

For each request: the target must be a valid host and port, the name is resolved here and every
address it resolves to must be allowed (crawler.dnsguard: no private, loopback, link-local or
unique-local address unless the host is configured), and the connection goes to exactly the address
that was checked. Refusals are answered 403 (plain HTTP) or by a failed tunnel, and logged in
`attempts`. Every connection has deadlines: to connect, between bytes and in total.

It runs in its own thread and event loop, so the synchronous screenshot browser and the crawl's
scrapy-playwright browser can both use it.
"""
from __future__ import annotations

import asyncio
import logging
import secrets
import threading
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from crawler import dnsguard

log = logging.getLogger(__name__)

MAX_HEAD = 64 * 1024
_CHUNK = 64 * 1024


@dataclass(frozen=True)
class Attempt:
    host: str
    port: int | None
    address: str | None   # what was connected to; None when refused or unresolvable
    allowed: bool
    reason: str | None = None  # private_address | invalid_url | unsupported_scheme | dns | connect | bad_request


@dataclass(frozen=True)
class Deadlines:
    connect: float = 10.0    # seconds to open the connection to the site
    idle: float = 30.0       # longest silence in either direction
    total: float = 120.0     # one connection (a tunnel, a page's download) from start to end


class EgressProxy:
    """`with EgressProxy(policy) as proxy:` … `proxy.url` for Chromium's proxy server; `proxy.attempts`."""

    def __init__(self, policy: dnsguard.Policy, deadlines: Deadlines | None = None) -> None:
        self.policy = policy
        self.deadlines = deadlines or Deadlines()
        self.attempts: list[Attempt] = []
        # proves that an X-Zwgk-Refused / X-Zwgk-Net-Error answer came from this proxy, not from a site
        self.token = secrets.token_hex(8)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: asyncio.base_events.Server | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> EgressProxy:
        self._thread = threading.Thread(target=self._run, name="zwgk-egress", daemon=True)
        self._thread.start()
        if not self._ready.wait(10) or not self.port:
            raise RuntimeError("egress proxy did not start")
        return self

    def _run(self) -> None:
        loop = self._loop = asyncio.new_event_loop()
        try:
            self._server = loop.run_until_complete(asyncio.start_server(self._client, "127.0.0.1", 0))
            self.port = self._server.sockets[0].getsockname()[1]
        finally:
            self._ready.set()
        loop.run_forever()
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.close()

    def stop(self) -> None:
        loop, self._loop = self._loop, None
        if loop is None:
            return

        async def _close() -> None:
            if self._server is not None:
                self._server.close()
            for task in asyncio.all_tasks():
                if task is not asyncio.current_task():
                    task.cancel()

        asyncio.run_coroutine_threadsafe(_close(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        if self._thread is not None:
            self._thread.join(10)

    def __enter__(self) -> EgressProxy:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- one client connection ---------------------------------------------------------------

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        upstream: asyncio.StreamWriter | None = None
        try:
            try:
                head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), self.deadlines.idle)
            except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, asyncio.TimeoutError, ConnectionError):
                return
            if len(head) > MAX_HEAD:
                return
            request_line, _, rest = head.partition(b"\r\n")
            parts = request_line.decode("latin-1").split(" ")
            if len(parts) != 3:
                await self._refuse(writer, Attempt("", None, None, False, "bad_request"), tunnel=False)
                return
            method, target, version = parts
            tunnel = method.upper() == "CONNECT"
            host, port, path, refusal = _target(target, tunnel)
            if refusal is None:
                refusal = self.policy.refusal(f"{'https' if tunnel else 'http'}://{_netloc(host, port)}/")
            if refusal is not None:
                await self._refuse(writer, Attempt(host, port, None, False, refusal.reason), tunnel)
                return
            loop = asyncio.get_running_loop()
            try:
                addresses = await asyncio.wait_for(
                    loop.run_in_executor(None, self.policy.checked_addresses, host, port), self.deadlines.connect)
            except dnsguard.PrivateAddressError:
                await self._refuse(writer, Attempt(host, port, None, False, "private_address"), tunnel)
                return
            except (OSError, asyncio.TimeoutError):
                await self._refuse(writer, Attempt(host, port, None, False, "dns"), tunnel, status=502,
                                   net_error="ERR_NAME_NOT_RESOLVED")
                return
            address = addresses[0][1]
            try:
                up_reader, upstream = await asyncio.wait_for(asyncio.open_connection(address, port),
                                                             self.deadlines.connect)
            except asyncio.TimeoutError:
                await self._refuse(writer, Attempt(host, port, address, False, "connect"), tunnel, status=502,
                                   net_error="ERR_CONNECTION_TIMED_OUT")
                return
            except OSError:
                await self._refuse(writer, Attempt(host, port, address, False, "connect"), tunnel, status=502,
                                   net_error="ERR_CONNECTION_REFUSED")
                return
            self.attempts.append(Attempt(host, port, address, True))
            if tunnel:
                writer.write(b"HTTP/1.1 200 Connection Established\r\n\r\n")
            else:
                upstream.write(_origin_request(method, path, version, rest))
            await self._pipe(reader, writer, up_reader, upstream)
        except Exception as exc:  # a broken client or site ends its own connection, never the proxy
            log.debug("egress connection failed: %s", exc)
        finally:
            for w in (upstream, writer):
                if w is not None:
                    w.close()

    async def _refuse(self, writer: asyncio.StreamWriter, attempt: Attempt, tunnel: bool, status: int = 403,
                      net_error: str | None = None) -> None:
        """Answer a request that goes no further: refused by the policy (403, X-Zwgk-Refused), or the site
        could not be reached (502, X-Zwgk-Net-Error with Chromium's name for the failure)."""
        self.attempts.append(attempt)
        log.info("egress %s %s:%s (%s)", "failed" if net_error else "refused", attempt.host, attempt.port,
                 attempt.reason)
        phrase = "Forbidden" if status == 403 else "Bad Gateway"
        header = (f"X-Zwgk-Net-Error: {self.token} {net_error}" if net_error
                  else f"X-Zwgk-Refused: {self.token} {attempt.reason}")
        body = f"zwgk-audit egress: {net_error or attempt.reason}".encode()
        writer.write(f"HTTP/1.1 {status} {phrase}\r\nContent-Type: text/plain\r\nContent-Length: {len(body)}\r\n"
                     f"Connection: close\r\n{header}\r\n\r\n".encode() + body)
        try:
            await asyncio.wait_for(writer.drain(), 5)
        except (OSError, asyncio.TimeoutError):
            pass

    async def _pipe(self, client_r, client_w, up_r, up_w) -> None:
        deadline = time.monotonic() + self.deadlines.total

        async def copy(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
            while True:
                wait = min(self.deadlines.idle, deadline - time.monotonic())
                if wait <= 0:
                    return
                data = await asyncio.wait_for(src.read(_CHUNK), wait)
                if not data:
                    return
                dst.write(data)
                await asyncio.wait_for(dst.drain(), max(wait, 0.1))

        tasks = [asyncio.ensure_future(copy(client_r, up_w)), asyncio.ensure_future(copy(up_r, client_w))]
        try:
            # a plain request ends when the site's answer ends; a tunnel when either side closes
            await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)


def proxy_answer(proxy: EgressProxy | None, headers: Any) -> tuple[str, str] | None:
    """("refused", reason) or ("net_error", Chromium's error name) when `headers` (a response's, any
    case-insensitive mapping) are this proxy's own answer instead of a site's; else None."""
    if proxy is None:
        return None
    for kind, name in (("refused", "x-zwgk-refused"), ("net_error", "x-zwgk-net-error")):
        value = headers.get(name) if headers is not None else None
        if isinstance(value, bytes):
            value = value.decode("latin-1")
        token, _, detail = (value or "").partition(" ")
        if token and secrets.compare_digest(token, proxy.token):
            return kind, detail
    return None


def _netloc(host: str, port: int | None) -> str:
    shown = f"[{host}]" if ":" in host else host
    return f"{shown}:{port}" if port is not None else shown


def _target(target: str, tunnel: bool) -> tuple[str, int | None, str, Any]:
    """(host, port, origin-form path, refusal or None) of a request target."""
    if tunnel:  # CONNECT host:port (an https page, a wss:// or ws:// socket)
        parts = urlsplit(f"//{target}")
        default = 443
        path = ""
    else:  # an absolute URL: http://host[:port]/path?query
        parts = urlsplit(target)
        if parts.scheme.lower() != "http":
            return "", None, "", dnsguard.Refusal("broken", "unsupported_scheme", "")
        default = 80
        path = parts.path or "/"
        if parts.query:
            path += "?" + parts.query
    try:
        host, port = parts.hostname or "", parts.port or default
    except ValueError:
        return "", None, "", dnsguard.Refusal("broken", "invalid_url", "")
    if not host:
        return "", None, "", dnsguard.Refusal("broken", "invalid_url", "")
    return host, port, path, None


_HOP_HEADERS = (b"proxy-connection", b"proxy-authorization", b"connection", b"keep-alive")


def _origin_request(method: str, path: str, version: str, rest: bytes) -> bytes:
    """The request as the site receives it: origin-form target, proxy headers dropped, one request per
    connection (so that every request's host is checked here)."""
    lines = [line for line in rest.split(b"\r\n") if line
             and line.split(b":", 1)[0].strip().lower() not in _HOP_HEADERS]
    return (f"{method} {path} {version}\r\n".encode("latin-1") + b"\r\n".join(lines)
            + b"\r\nConnection: close\r\n\r\n")


def launch_proxy(proxy: EgressProxy) -> dict[str, Any]:
    """Playwright's `proxy` launch option for `proxy`. Playwright adds Chromium's "<-loopback>" bypass
    rule itself, so loopback and 127.0.0.2 go through the proxy as well."""
    return {"server": proxy.url}


# Chromium flags that keep traffic in the proxy: WebRTC may otherwise send UDP (STUN) to any address
BROWSER_EGRESS_ARGS = ("--force-webrtc-ip-handling-policy=disable_non_proxied_udp",
                       "--webrtc-ip-handling-policy=disable_non_proxied_udp")
