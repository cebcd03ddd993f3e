"""The link checkers' own fixture cases (tests/peers/expectations.yaml), served locally and crawled as departments.

Each case gets its own server (127.0.0.1, port 0) whose root is the case's fixture folder; outside hosts named in
the fixtures are rewritten to local stand-ins (ok / missing / refused). All cases with the same options are crawled
in one run of the real `zwgk` command, and the `links.broken` findings are compared with what the peers' tests
expect. `python -m tests.peer_harness [--code DIR]` prints recall and precision per peer.
"""
from __future__ import annotations

import gzip
import json
import os
import socket
import subprocess
import sys
import threading
import zlib
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import yaml

HERE = Path(__file__).resolve().parent
PEERS = HERE / "peers"
ROOT = HERE.parent

_TYPES = {".html": "text/html; charset=utf-8", ".css": "text/css", ".js": "application/javascript",
          ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png", ".webp": "image/webp",
          ".md": "text/markdown; charset=utf-8"}


@dataclass
class Case:
    peer: str
    case: str
    root: str
    start: str
    broken: list[str]
    hosts: dict[str, str] = field(default_factory=dict)
    routes: dict[str, dict] = field(default_factory=dict)
    options: dict[str, bool] = field(default_factory=dict)
    derived: bool = False
    beyond: list[str] = field(default_factory=list)
    test: str = ""


def load_cases() -> list[Case]:
    data = yaml.safe_load((PEERS / "expectations.yaml").read_text(encoding="utf-8"))
    return [Case(**row) for row in data["cases"]]


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def _serve(handler: type[BaseHTTPRequestHandler]) -> _Server:
    server = _Server(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def _quiet(self, *args) -> None:
    return None


_OK_PAGE = b"<html><head><title>stand-in</title></head><body><p>page</p></body></html>"


def _stand_in(status: int, only: str | None = None) -> type[BaseHTTPRequestHandler]:
    """A stand-in host answering `status` on every path (or 200 on paths ending in `only`, 404 elsewhere)."""
    class Handler(BaseHTTPRequestHandler):
        log_message = _quiet

        def do_GET(self) -> None:
            body = _OK_PAGE
            status_here = status if only is None else (200 if urlsplit(self.path).path.endswith(only) else 404)
            if status_here == 404:
                body = b"<html><head><title>404 Not Found</title></head><body>Not Found</body></html>"
            self.send_response(status_here)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        do_HEAD = do_GET

    return Handler


def _unused_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PeerServers:
    """The stand-ins for outside hosts and one server per case."""

    def __init__(self, cases: list[Case]):
        self.ok = _serve(_stand_in(200))
        self.missing = _serve(_stand_in(404))
        self.ok_only = _serve(_stand_in(404, only="/ok"))
        self.refused = f"http://127.0.0.1:{_unused_port()}"
        self.stand_ins = {"ok": f"http://127.0.0.1:{self.ok.server_address[1]}",
                          "missing": f"http://127.0.0.1:{self.missing.server_address[1]}", "refused": self.refused,
                          "ok-only": f"http://127.0.0.1:{self.ok_only.server_address[1]}"}
        self.cases: dict[str, tuple[Case, _Server]] = {}
        for case in cases:
            self.cases[case.case] = (case, _serve(self._case_handler(case)))

    def base(self, case: Case) -> str:
        return f"http://127.0.0.1:{self.cases[case.case][1].server_address[1]}"

    def rewrite(self, case: Case, text: str) -> str:
        for host, behaviour in case.hosts.items():
            text = text.replace(host, self.stand_ins[behaviour])
        return text

    def expected(self, case: Case) -> set[str]:
        start = f"{self.base(case)}/{case.start}"
        found = set()
        for url in [*case.broken, *case.beyond]:
            if url.startswith("raw:"):
                found.add(url[4:])
                continue
            found.add(_normal(urljoin(start, self.rewrite(case, url))))
        return found

    def _case_handler(self, case: Case) -> type[BaseHTTPRequestHandler]:
        folder = (PEERS / case.root).resolve()
        servers = self

        class Handler(BaseHTTPRequestHandler):
            log_message = _quiet

            def do_GET(self) -> None:
                path = unquote(urlsplit(self.path).path)
                route = case.routes.get(path, {})
                if route.get("location"):
                    self.send_response(route["status"])
                    self.send_header("Location", servers.rewrite(case, route["location"]))
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                if route.get("status") == 200:  # a path the peer's test mocks as a working page
                    self.send_response(200)
                    self.send_header("Content-Type", "text/html")
                    self.send_header("Content-Length", str(len(_OK_PAGE)))
                    self.end_headers()
                    self.wfile.write(_OK_PAGE if self.command != "HEAD" else b"")
                    return
                file = (folder / (route.get("serve") or path).lstrip("/")).resolve()
                if file.is_dir():
                    file = file / "index.html"
                if not file.is_file() or folder not in file.parents:
                    body = b"<html><head><title>404</title></head><body>404 Not Found</body></html>"
                    self.send_response(404)
                    self.send_header("Content-Type", "text/html")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    if self.command != "HEAD":
                        self.wfile.write(body)
                    return
                body = file.read_bytes()
                kind = _TYPES.get(file.suffix.lower(), "application/octet-stream")
                if kind.startswith(("text/", "application/javascript")):
                    body = servers.rewrite(case, body.decode("utf-8")).encode("utf-8")
                encoding = route.get("encoding")
                if encoding == "gzip":
                    body = gzip.compress(body)
                elif encoding == "deflate":
                    body = zlib.compress(body)
                self.send_response(200)
                self.send_header("Content-Type", kind)
                if encoding:
                    self.send_header("Content-Encoding", encoding)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)

            do_HEAD = do_GET

        return Handler

    def stop(self) -> None:
        for server in [self.ok, self.missing, self.ok_only, *(s for _, s in self.cases.values())]:
            server.shutdown()
            server.server_close()


def _normal(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme in ("http", "https") and parts.path == "":
        return url.replace(parts.netloc, parts.netloc + "/", 1) if "#" not in url else url
    return url


def case_id(case: Case) -> str:
    return f"{case.peer.replace('broken-link-checker', 'blc')}-{case.case}"


def write_sites(servers: PeerServers, cases: list[Case], path: Path) -> Path:
    departments = [{"id": case_id(c), "name": f"{c.peer} {c.case}", "kind": "department",
                    "catalog": "municipal-department", "url": f"{servers.base(c)}/{c.start}"} for c in cases]
    path.write_text(yaml.safe_dump({"region": "对照测试", "catalogs": ["municipal-department"],
                                    "departments": departments}, allow_unicode=True, sort_keys=False),
                    encoding="utf-8")
    return path


def _zwgk(args: list[str], code_dir: Path, timeout: float = 600) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(code_dir), "COLUMNS": "200"}
    env.pop("ZWGK_DEBUG", None)
    return subprocess.run([sys.executable, "-m", "scheduler.cli", *args], cwd=code_dir, env=env,
                          capture_output=True, text=True, timeout=timeout)


def crawl_and_findings(servers: PeerServers, cases: list[Case], workdir: Path, *, fragments: bool,
                       code_dir: Path = ROOT) -> dict[str, list[dict]]:
    """One crawl of these cases; the links.broken findings per case id."""
    workdir.mkdir(parents=True, exist_ok=True)
    sites = write_sites(servers, cases, workdir / "sites.yaml")
    db = f"sqlite:///{workdir / 'zwgk.db'}"
    extra = ["-s", "ZWGK_CHECK_FRAGMENTS=1"] if fragments else []  # also understood by older checkouts
    steps = (["--db", db, "crawl", str(sites), "--fast", "-s", "ZWGK_BROWSER_RECHECK=0", *extra],
             ["--db", db, "check", str(sites), "-c", "links.broken"],
             ["--db", db, "findings", "--format", "json", "-c", "links.broken"])
    for step in steps:
        done = _zwgk(step, code_dir)
        if done.returncode != 0:
            raise RuntimeError(f"zwgk {' '.join(step[2:4])} failed: {done.stderr[-2000:]}")
    found: dict[str, list[dict]] = {}
    for finding in json.loads(done.stdout):
        found.setdefault(finding["department"], []).append(finding)
    return found


@dataclass
class Score:
    expected: set[str]
    reported: set[str]

    @property
    def hits(self) -> set[str]:
        return self.expected & self.reported


def run_all(workdir: Path, code_dir: Path = ROOT) -> dict[str, tuple[Case, Score]]:
    """Every case, crawled in two runs (fragment checking off, then on); a Score per case id."""
    cases = load_cases()
    servers = PeerServers(cases)
    try:
        results: dict[str, tuple[Case, Score]] = {}
        for fragments in (False, True):
            batch = [c for c in cases if bool(c.options.get("fragments")) == fragments]
            found = crawl_and_findings(servers, batch, workdir / ("fragments" if fragments else "default"),
                                       fragments=fragments, code_dir=code_dir)
            for case in batch:
                reported = {_normal(f["url"]) for f in found.get(case_id(case), [])}
                results[case_id(case)] = (case, Score(servers.expected(case), reported))
        return results
    finally:
        servers.stop()


def per_peer(results: dict[str, tuple[Case, Score]]) -> dict[str, tuple[int, int, int]]:
    """peer -> (expected, found of those, reported in all)."""
    table: dict[str, list[int]] = {}
    for case, score in results.values():
        row = table.setdefault(case.peer, [0, 0, 0])
        row[0] += len(score.expected)
        row[1] += len(score.hits)
        row[2] += len(score.reported)
    return {peer: tuple(row) for peer, row in table.items()}


def _ratio(a: int, b: int) -> float:
    return a / b if b else 1.0


def main() -> None:
    import argparse
    import tempfile

    parser = argparse.ArgumentParser(description="recall/precision of zwgk on the link checkers' fixtures")
    parser.add_argument("--code", default=str(ROOT), help="the zwgk checkout to run (default: this one)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        results = run_all(Path(tmp), Path(args.code))
    for cid, (case, score) in results.items():
        missed, extra = score.expected - score.reported, score.reported - score.expected
        mark = "ok" if not missed and not extra else "MISS" if missed else "EXTRA"
        print(f"{mark:5} {cid:32} expected {len(score.expected):2} found {len(score.hits):2} reported {len(score.reported):2}"
              + (f"  missed {sorted(missed)}" if missed else "") + (f"  extra {sorted(extra)}" if extra else ""))
    total = [0, 0, 0]
    for peer, (expected, hits, reported) in per_peer(results).items():
        total = [t + v for t, v in zip(total, (expected, hits, reported))]
        print(f"{peer:22} expected {expected:3}  found {hits:3}  reported {reported:3}  "
              f"recall {_ratio(hits, expected):.2f}  precision {_ratio(hits, reported):.2f}")
    print(f"{'all':22} expected {total[0]:3}  found {total[1]:3}  reported {total[2]:3}  "
          f"recall {_ratio(total[1], total[0]):.2f}  precision {_ratio(total[1], total[2]):.2f}")


if __name__ == "__main__":
    main()
