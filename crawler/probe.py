"""Availability probes (国办秘函〔2019〕19号 站点无法访问): one plain GET of each department's home page and
disclosure root, loaded within a total timeout or failed; every attempt is stored.

Plain HTTP in a thread pool, not Scrapy, so the scheduler can run a round 20+ times a day cheaply.

The time limit is a hard deadline for the whole attempt: a watchdog shuts the attempt's sockets at the
deadline, so a site that drips one byte a second fails at the limit instead of holding its worker for
as long as it drips. Targets run concurrently (`workers`), so one slow site cannot hold up the round.
Only http(s) is followed, and no private, loopback, link-local or unique-local address is connected to
unless it is a configured department's host (crawler.dnsguard): each connection goes to the address
that was checked.
"""
from __future__ import annotations

import os
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import Iterable
from urllib.parse import urljoin, urlsplit

import urllib3
from urllib3 import exceptions as u3
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from crawler import dnsguard
from crawler.linkcheck import BLOCKED_STATUSES
from crawler.settings import USER_AGENT
from store import clock
from store.models_evidence import ProbeAttempt
from store.registry import DepartmentEntry

# 国办秘函〔2019〕19号: a probe fails when the page has not loaded within 15 seconds
DEFAULT_TIMEOUT = 15.0
# WAF challenge pages (HTTP 412 / 521 / 202 with a script that sets a cookie and reloads): a browser
# gets through, a plain GET cannot tell whether the site behind is up
CHALLENGE_STATUSES = frozenset({202, 412, 521})
_CHUNK = 64 * 1024


@dataclass(frozen=True)
class ProbeConfig:
    timeout: float = DEFAULT_TIMEOUT       # seconds for the whole load: connect, redirects, full body
    max_redirects: int = 10
    max_bytes: int = 20 * 1024 * 1024      # a body this large has loaded far enough; reading stops here
    workers: int = 8
    per_host: int = 2                      # many departments share one consolidated portal host
    user_agent: str = USER_AGENT
    # private-network addresses a redirect names are fetched only when this is set (or the host is configured)
    allow_private: bool = field(default_factory=lambda: os.environ.get("ZWGK_ALLOW_PRIVATE", "") in ("1", "true", "yes"))

    def __post_init__(self) -> None:
        if self.timeout <= 0 or self.workers < 1 or self.per_host < 1 or self.max_redirects < 0:
            raise ValueError("probe config: timeout > 0, workers >= 1, per_host >= 1, max_redirects >= 0")


@dataclass(frozen=True)
class ProbeTarget:
    department_id: str
    url: str
    kind: str  # home | root


@dataclass(frozen=True)
class ProbeResult:
    target: ProbeTarget
    started_at: datetime
    elapsed_ms: int
    ok: bool | None          # None: undetermined (bot wall or challenge answered instead of the page)
    status: int | None = None
    reason: str | None = None
    error: str | None = None
    final_url: str | None = None


def targets(departments: Iterable[DepartmentEntry]) -> list[ProbeTarget]:
    out: list[ProbeTarget] = []
    for dept in departments:
        if dept.home:
            out.append(ProbeTarget(dept.id, dept.home, "home"))
        out.append(ProbeTarget(dept.id, dept.url, "root"))
    return out


class _Timeout(Exception):
    pass


class _Refused(u3.NewConnectionError):
    """The policy refused the address a host name resolved to."""


class _Attempt:
    """The sockets one probe attempt opened, shut by a watchdog at the attempt's deadline."""

    def __init__(self, policy: dnsguard.Policy) -> None:
        self.policy = policy
        self.sockets: list[socket.socket] = []
        self.expired = False
        self.lock = threading.Lock()

    def opened(self, sock: socket.socket) -> None:
        with self.lock:
            self.sockets.append(sock)
            if self.expired:
                _shut(sock)

    def expire(self) -> None:
        with self.lock:
            self.expired = True
            for sock in self.sockets:
                _shut(sock)


def _shut(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)  # a recv() blocked in another thread returns at once
    except OSError:
        pass


def _guarded(base: type, attempt: _Attempt) -> type:
    """`base` (urllib3's HTTP(S)Connection) connecting only to addresses the attempt's policy allows."""

    def _new_conn(self):
        if attempt.expired:
            raise u3.ConnectTimeoutError(self, "probe deadline reached")
        try:
            addresses = attempt.policy.checked_addresses(self._dns_host, self.port)
        except dnsguard.PrivateAddressError as exc:
            raise _Refused(self, str(exc)) from None
        except socket.gaierror as exc:
            raise u3.NameResolutionError(self.host, self, exc) from exc
        name, self._dns_host = self._dns_host, addresses[0][1]  # connect to exactly what was checked
        try:
            sock = base._new_conn(self)
        finally:
            self._dns_host = name
        attempt.opened(sock)
        return sock

    return type(f"Guarded{base.__name__}", (base,), {"_new_conn": _new_conn})


def _pool_manager(attempt: _Attempt, headers: dict[str, str]) -> urllib3.PoolManager:
    http = urllib3.PoolManager(retries=False, headers=headers)
    http.pool_classes_by_scheme = {
        "http": type("GuardedHTTPPool", (HTTPConnectionPool,), {"ConnectionCls": _guarded(HTTPConnection, attempt)}),
        "https": type("GuardedHTTPSPool", (HTTPSConnectionPool,), {"ConnectionCls": _guarded(HTTPSConnection, attempt)}),
    }
    return http


def _policy(urls: Iterable[str], config: ProbeConfig) -> dnsguard.Policy:
    policy = dnsguard.Policy()
    policy.configure(urls, allow_private=config.allow_private)
    return policy


def _classify(exc: BaseException) -> str:
    if isinstance(exc, _Refused):
        return "private_address"
    if isinstance(exc, u3.NameResolutionError):
        return "dns"
    if isinstance(exc, u3.NewConnectionError):
        return "refused" if "refused" in str(exc).lower() else "connection"
    if isinstance(exc, (u3.TimeoutError, _Timeout, TimeoutError)):
        return "timeout"
    if isinstance(exc, u3.SSLError):
        return "tls"
    if isinstance(exc, u3.LocationParseError):
        return "invalid_url"
    return "connection"


def _is_challenge(status: int, head: bytes) -> bool:
    text = head[:_CHUNK].lower()
    return status in CHALLENGE_STATUSES and b"<script" in text and b"cookie" in text


def probe(target: ProbeTarget, config: ProbeConfig, policy: dnsguard.Policy | None = None) -> ProbeResult:
    """Load one URL as a visitor would: follow redirects, read the whole body, all within the timeout."""
    started_at = clock.now()
    start = time.monotonic()
    deadline = start + config.timeout
    attempt = _Attempt(policy or _policy([target.url], config))
    watchdog = threading.Timer(config.timeout, attempt.expire)
    watchdog.daemon = True

    def done(ok: bool | None, **fields) -> ProbeResult:
        elapsed = int((time.monotonic() - start) * 1000)
        if ok and elapsed > config.timeout * 1000:  # loaded, but too late: that is a failed probe
            ok, fields = False, {**fields, "reason": "timeout", "error": f"页面加载用时 {elapsed} 毫秒，超过时限"}
        return ProbeResult(target, started_at, elapsed, ok, **fields)

    # a fresh pool per attempt: each probe opens its own connection, as a new visitor's browser would
    http = _pool_manager(attempt, {
        "User-Agent": config.user_agent, "Accept": "text/html,application/xhtml+xml,*/*;q=0.8",
        "Accept-Language": "zh-CN,zh;q=0.9"})
    url, seen, status = target.url, [target.url], None
    watchdog.start()
    try:
        for _ in range(config.max_redirects + 1):
            refusal = attempt.policy.refusal(url)
            if refusal is not None:  # file:, ftp:, javascript:, a bad port, a private address literal
                return done(False, status=status, reason=refusal.reason, error=" → ".join(seen), final_url=url)
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise _Timeout("timed out")
            resp = http.request("GET", url, redirect=False, preload_content=False, decode_content=False,
                                timeout=urllib3.Timeout(connect=remaining, read=remaining))
            status = resp.status
            location = resp.headers.get("Location")
            if 300 <= status < 400 and location:
                resp.drain_conn()
                url = urljoin(url, location)
                if url in seen:
                    return done(False, status=status, reason="redirect_loop", error=" → ".join(seen + [url]), final_url=url)
                seen.append(url)
                continue
            head = _read(resp, deadline, config.max_bytes)
            if 200 <= status < 300 and not _is_challenge(status, head):
                return done(True, status=status, final_url=url)
            if _is_challenge(status, head):
                return done(None, status=status, reason="challenge", final_url=url)
            if status in BLOCKED_STATUSES:
                return done(None, status=status, reason="blocked", final_url=url)
            return done(False, status=status, reason=f"http_{status}", final_url=url)
        return done(False, status=status, reason="too_many_redirects", error=" → ".join(seen), final_url=url)
    except Exception as exc:  # any failure to load is a failed probe, classified for the wording
        if attempt.expired or time.monotonic() >= deadline:  # the watchdog cut it: whatever broke, it was late
            return done(False, status=status, reason="timeout", error=f"超过 {config.timeout:g} 秒未加载完成",
                        final_url=url)
        return done(False, status=status, reason=_classify(exc), error=_short(exc), final_url=url)
    finally:
        watchdog.cancel()
        http.clear()


def _read(resp: urllib3.BaseHTTPResponse, deadline: float, limit: int) -> bytes:
    """Read the whole body (up to limit) before the deadline; return its first chunk."""
    head, read = b"", 0
    try:
        for chunk in resp.stream(_CHUNK, decode_content=False):
            if not head:
                head = chunk
            read += len(chunk)
            if time.monotonic() > deadline:
                raise _Timeout("timed out while reading the body")
            if read >= limit:
                break
        if time.monotonic() > deadline:
            raise _Timeout("timed out while reading the body")
    finally:
        resp.release_conn()
    return head


def _short(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text if len(text) <= 300 else text[:297] + "…"


def run_round(probe_targets: list[ProbeTarget], config: ProbeConfig | None = None) -> list[ProbeResult]:
    """Probe every target concurrently (bounded per host); results in the order of the targets."""
    config = config or ProbeConfig()
    policy = _policy([t.url for t in probe_targets], config)  # configured hosts may be on an intranet
    locks: dict[str, threading.BoundedSemaphore] = {}
    for t in probe_targets:
        locks.setdefault(urlsplit(t.url).netloc.lower(), threading.BoundedSemaphore(config.per_host))

    def one(target: ProbeTarget) -> ProbeResult:
        with locks[urlsplit(target.url).netloc.lower()]:
            return probe(target, config, policy)

    with ThreadPoolExecutor(max_workers=config.workers, thread_name_prefix="zwgk-probe") as pool:
        return list(pool.map(one, probe_targets))


def store_results(session, results: Iterable[ProbeResult]) -> int:
    """Add one probe_attempts row per result; the caller commits."""
    rows = [ProbeAttempt(department_id=r.target.department_id, url=r.target.url, kind=r.target.kind,
                         started_at=r.started_at, elapsed_ms=r.elapsed_ms, ok=r.ok, status=r.status,
                         reason=r.reason, error=r.error, final_url=r.final_url) for r in results]
    session.add_all(rows)
    return len(rows)
