"""Serves the sample city on 127.0.0.1 from a daemon thread: `with start() as city: ...`."""

from __future__ import annotations

import hashlib
import socket
from email.utils import parsedate_to_datetime
import sys
import threading
import time
from collections import Counter
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType

import yaml

from . import data, truth
from .site import Site, error_page, build_site


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"
    timeout = 30  # idle keep-alive connections are dropped after this

    def version_string(self) -> str:
        return "nginx"

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - quiet: no line per request
        pass

    def do_GET(self) -> None:  # noqa: N802
        self._answer(head=False)

    def do_HEAD(self) -> None:  # noqa: N802
        self._answer(head=True)

    def do_POST(self) -> None:  # noqa: N802 - the data endpoints script-driven lists call (site.Site.posts)
        city = self.server.city
        city._count(self.command, self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(min(length, 65536)) if length > 0 else b""
        resource = city.site.post(self.path, body)
        self.send_response(resource.status)
        for name, value in resource.header_list():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(resource.body)

    def _answer(self, head: bool) -> None:
        city = self.server.city
        city._count(self.command, self.path)
        if _challenged(city, self.path, self.headers.get("Cookie", "")):
            body = CHALLENGE_PAGE.encode()
            self.send_response(412)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if not head:
                self.wfile.write(body)
            return
        resource = city.site.lookup(self.path)
        if resource.delay:
            time.sleep(resource.delay)
        status, headers = resource.status, resource.header_list()
        if status == 200 and _not_modified(self.headers, resource):
            city._count("304", self.path)
            self.send_response(304)
            self.send_header("ETag", _etag(resource))
            self.end_headers()
            return
        if status == 200:
            headers.append(("ETag", _etag(resource)))
        if head and resource.head_status:
            status = resource.head_status
            body = error_page(status, "Not Found" if status == 404 else "Method Not Allowed", "")
            headers = [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(body)))]
            if status == 405:
                headers.append(("Allow", "GET, POST"))
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        if not head:
            self.wfile.write(resource.body)


CHALLENGE_COOKIE = "waf_clearance"
#: the shape of the cookie challenges WAF products put in front of government sites: HTTP 412 and a script
#: that computes a cookie and reloads; a plain HTTP client never gets past it
CHALLENGE_PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>安全验证</title></head>
<body><p>正在进行安全检查，请稍候……</p>
<script>
var t = 0; for (var i = 1; i <= 100; i++) { t += i; }
document.cookie = "%s=" + t.toString(16) + "; path=/";
setTimeout(function () { location.reload(); }, 100);
</script></body></html>""" % CHALLENGE_COOKIE
CHALLENGE_TOKEN = f"{CHALLENGE_COOKIE}={sum(range(1, 101)):x}"


def _challenged(city, path: str, cookie: str) -> bool:
    dept = path.split("/", 2)[1] if path.startswith("/") else ""
    return dept in city.challenged and CHALLENGE_TOKEN not in cookie.replace(" ", "").split(";")


def _etag(resource) -> str:
    return '"' + hashlib.sha1(resource.body).hexdigest()[:16] + '"'


def _not_modified(request_headers, resource) -> bool:
    """Conditional GET as web servers answer it: ETag first, else If-Modified-Since."""
    tags = request_headers.get("If-None-Match")
    if tags:
        return _etag(resource) in [t.strip() for t in tags.split(",")]
    since = request_headers.get("If-Modified-Since")
    if not since:
        return False
    try:
        when = parsedate_to_datetime(since)
    except (TypeError, ValueError):
        return False
    modified = dict(resource.header_list()).get("Last-Modified")
    return modified is not None and parsedate_to_datetime(modified) <= when


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # a crawler opens many connections at once; the default backlog is 5
    city: SampleCity

    def handle_error(self, request: object, client_address: object) -> None:
        if isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            return  # clients hanging up are normal for a crawler target
        super().handle_error(request, client_address)


class SampleCity:
    """A running sample city. `requests` counts (method, path-as-requested) pairs."""

    def __init__(self, server: _Server, site: Site, anchor: date, refused_port: int) -> None:
        self._server = server
        self.site = site
        self.anchor = anchor
        self.refused_port = refused_port
        self.base_url = site.base_url
        self.requests: Counter[tuple[str, str]] = Counter()
        #: departments whose pages sit behind the anti-bot challenge
        self.challenged = frozenset(d.id for d in data.DEPARTMENTS if d.challenge)
        self._lock = threading.Lock()
        self._stopped = False
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.1}, name="samplecity", daemon=True
        )
        server.city = self

    def _count(self, method: str, path: str) -> None:
        with self._lock:
            self.requests[(method, path)] += 1

    def url(self, path: str) -> str:
        """The absolute, percent-encoded URL of a path on this instance."""
        return truth.absolute_url(path, self.base_url, self.refused_port)

    def stop(self) -> None:
        if self._stopped:
            return
        self._stopped = True
        self._server.shutdown()
        self._server.server_close()

    def ground_truth(self) -> dict[str, list[dict[str, str]]]:
        """ground_truth.yaml with absolute URLs for this instance."""
        return truth.absolute(truth.load(), self.base_url, self.refused_port)

    def sites(self) -> dict:
        """The sites.yaml registry for this instance, as data."""
        return {
            "region": "示例市",
            "catalogs": sorted({d.catalog for d in data.DEPARTMENTS}),
            "upstream": [
                {"id": f.id, "name": f.name, "url": self.url(f.path), "repost_within_hours": f.repost_within_hours}
                for f in data.UPSTREAM
            ],
            "departments": [
                {"id": d.id, "name": d.name, "kind": d.kind, "catalog": d.catalog,
                 "url": self.url(f"/{d.id}/zwgk/"), "home": self.url(f"/{d.id}/")}
                for d in data.DEPARTMENTS
            ],
        }

    def write_sites(self, path: str | Path) -> Path:
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        text = yaml.safe_dump(self.sites(), allow_unicode=True, sort_keys=False, width=1000)
        target.write_text(text, encoding="utf-8")
        return target

    def __enter__(self) -> SampleCity:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()


def _unused_port(host: str) -> int:
    """A port where nothing listens: bind port 0, note it, close it."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def start(host: str = "127.0.0.1", port: int = 0, *, anchor: date | None = None) -> SampleCity:
    """Start serving in a daemon thread; port 0 picks a free port; anchor is "today" for all dates."""
    anchor = anchor or date.today()
    refused_port = _unused_port("127.0.0.1")
    server = _Server((host, port), _Handler)
    shown = "127.0.0.1" if host in ("", "0.0.0.0") else host
    base_url = f"http://{shown}:{server.server_address[1]}"
    try:
        site = build_site(base_url, anchor, refused_port)
    except BaseException:
        server.server_close()
        raise
    city = SampleCity(server, site, anchor, refused_port)
    city._thread.start()
    return city
