"""Probes against hostile sites: the time limit is a hard deadline (a body dripping one byte a second
fails at the limit), one such site does not hold up the others, and no redirect makes a probe connect
anywhere but the configured hosts (an audit hook on socket.connect in this process is the proof)."""
from __future__ import annotations

import time

from crawler.probe import ProbeConfig, ProbeTarget, probe, run_round
from tests.egress import ConnectLog, forbidden
from tests.mockserver import MockServer, Reply, SilentServer, html, redirect


def test_a_dripping_body_fails_at_the_deadline():
    with MockServer({"/drip": Reply(body=b"<p>" + b"x" * 200 + b"</p>", trickle=1.0)}) as server:
        started = time.monotonic()
        result = probe(ProbeTarget("d", f"{server.base_url}/drip", "root"), ProbeConfig(timeout=3))
        elapsed = time.monotonic() - started
    assert result.ok is False and result.reason == "timeout", result
    assert 2.9 <= elapsed < 4.0, elapsed
    assert result.elapsed_ms < 4000


def test_headers_that_never_come_fail_at_the_deadline():
    with SilentServer() as silent:
        started = time.monotonic()
        result = probe(ProbeTarget("d", f"http://127.0.0.1:{silent.port}/", "home"), ProbeConfig(timeout=2))
        elapsed = time.monotonic() - started
    assert result.ok is False and result.reason == "timeout", result
    assert elapsed < 3.0, elapsed


def test_one_dripping_site_does_not_hold_up_the_round():
    routes = {"/drip": Reply(body=b"x" * 600, trickle=1.0), **{f"/ok{i}": html("<p>正常</p>") for i in range(12)}}
    with MockServer(routes) as server:
        targets = [ProbeTarget("slow", f"{server.base_url}/drip", "root")]
        targets += [ProbeTarget(f"d{i}", f"{server.base_url}/ok{i}", "root") for i in range(12)]
        started = time.monotonic()
        results = run_round(targets, ProbeConfig(timeout=3, workers=4, per_host=4))
        elapsed = time.monotonic() - started
    assert [r.ok for r in results] == [False] + [True] * 12
    assert results[0].reason == "timeout"
    assert elapsed < 5.0, elapsed  # the drip costs its own 3 s, not 600 s, and the others run beside it


def test_redirects_to_other_schemes_and_private_addresses_are_refused_without_connecting():
    with MockServer({"/": html("<p>内网</p>")}, host="127.0.0.2") as inner, SilentServer() as ftp:
        hostile = {
            "file": ("file:///etc/passwd", "unsupported_scheme"),
            "data": ("data:text/html,<p>x</p>", "unsupported_scheme"),
            "ftp": (f"ftp://127.0.0.1:{ftp.port}/x", "unsupported_scheme"),
            "js": ("javascript:alert(1)", "unsupported_scheme"),
            "port": ("http://127.0.0.1:99999/", "invalid_url"),
            "inner": (f"{inner.base_url}/", "private_address"),
            "meta": ("http://169.254.169.254/latest/meta-data/", "private_address"),
            "ten": ("http://10.0.0.1/", "private_address"),
            "ula": ("http://[fd00::1]/", "private_address"),
            "linklocal": ("http://[fe80::1]/", "private_address"),
        }
        routes = {f"/{name}": redirect(target) for name, (target, _) in hostile.items()}
        with MockServer(routes) as server:
            routes["/name"] = redirect(f"http://localhost:{server.httpd.server_address[1]}/never")
            targets = [ProbeTarget(name, f"{server.base_url}/{name}", "root") for name in [*hostile, "name"]]
            with ConnectLog() as log:
                results = run_round(targets, ProbeConfig(timeout=5, workers=4))
            hits = dict(server.hits)
    reasons = {r.target.department_id: r.reason for r in results}
    assert reasons == {**{name: reason for name, (_, reason) in hostile.items()}, "name": "private_address"}
    assert all(r.ok is False for r in results)
    assert inner.hits == {} and ftp.accepted == 0 and "/never" not in hits
    assert log.addresses and forbidden(log.addresses) == []
