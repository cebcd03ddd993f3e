"""Hostile redirects and links: nothing but http(s) to allowed hosts leaves the machine during a crawl.

Each hostile target becomes a recorded outcome for its link (never a spider error), the crawl exits 0
without a traceback, and an audit hook in the crawl process proves that no address other than the
test's own server (127.0.0.1) was connected to — not the second loopback 127.0.0.2, where a server
listens and counts, nor 169.254.169.254, 10.x, fd00:: or fe80::.
"""
from __future__ import annotations

import base64
import time
import zlib

from sqlalchemy import select

from store import models as m
from store.models_evidence import Snapshot, SnapshotBody
from tests.egress import connect_log_env, forbidden, read_connect_log
from tests.mockserver import MockServer, Reply, SilentServer, html, redirect
from tests.test_crawl_bad_input import DOC, list_page, session_for, sites_yaml


def test_hostile_redirects_are_recorded_and_nothing_private_is_contacted(tmp_path, zwgk, db_url):
    with MockServer({"/": html("<p>内网</p>")}, host="127.0.0.2") as inner, SilentServer() as ftp:
        hostile = {
            "file": "file:///etc/passwd",
            "data": "data:text/html;base64," + base64.b64encode(b"<p>not from the site</p>").decode(),
            "ftp": f"ftp://127.0.0.1:{ftp.port}/pub/x.html",
            "js": "javascript:alert(document.cookie)",
            "bigport": "http://127.0.0.1:99999/x.html",
            "zeroport": "http://127.0.0.1:0/x.html",
            "inner": f"{inner.base_url}/",
            "localhost": None,  # a name resolving to loopback, filled in below
            "meta": "http://169.254.169.254/latest/meta-data/",
            "ten": "http://10.1.2.3/x.html",
            "ula": "http://[fd00::1]/x.html",
            "linklocal": "http://[fe80::1]/x.html",
            "mapped": "http://[::ffff:10.0.0.1]/x.html",
        }
        routes = {}
        with MockServer(routes) as server:
            b = server.base_url
            hostile["localhost"] = f"http://localhost:{server.httpd.server_address[1]}/never.html"
            docs = [(f"/h/zwgk/t{i}.html", f"关于第{i}项工作的通知", f"2026-11-{i + 1:02d}") for i in range(len(hostile))]
            routes["/h/zwgk/"] = html(list_page("h", docs))
            for (href, title, _), (name, target) in zip(docs, hostile.items()):
                # each document page redirects to one hostile target; each also appears as a plain link
                routes[href] = redirect(target)
            routes["/h/zwgk/links.html"] = html("")
            routes["/h/zwgk/"] = html(list_page("h", docs).replace(
                "</ul>", "</ul>" + "".join(f'<a href="{t}">链接{n}</a>' for n, t in hostile.items())))
            sites = sites_yaml(tmp_path, b, [("h", f"{b}/h/zwgk/")])
            log = tmp_path / "connects.log"
            started = time.monotonic()
            result = zwgk("--db", db_url, "crawl", sites, "--fast", env=connect_log_env(log), timeout=240)
            elapsed = time.monotonic() - started
            hits = dict(server.hits)
    assert result.code == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert elapsed < 90, elapsed  # the silent FTP port is never waited on
    assert ftp.accepted == 0 and inner.hits == {}
    assert "/never.html" not in hits
    connects = read_connect_log(log)
    assert connects, "the audit hook saw no connect at all: the proof would be empty"
    assert forbidden(connects) == []
    with session_for(db_url) as s:
        checks = {c.url: c for c in s.scalars(select(m.UrlCheck))}
        snapshots = s.execute(select(Snapshot.final_url, SnapshotBody.data)
                              .join(SnapshotBody, SnapshotBody.sha256 == Snapshot.sha256)).all()
    for (href, _, _), (name, target) in zip(docs, hostile.items()):
        row = checks[f"{b}{href}"]
        expected = {"file": "unsupported_scheme", "data": "unsupported_scheme", "ftp": "unsupported_scheme",
                    "js": "unsupported_scheme", "bigport": "invalid_url", "zeroport": "invalid_url"}.get(
                        name, "private_address")
        assert row.reason == expected, (name, row.verdict, row.reason, row.error)
        assert row.verdict == ("skipped" if expected == "private_address" else "broken"), name
        assert row.redirect_chain and row.redirect_chain[0]["status"] == 302, name
    assert snapshots  # the list page at least
    for final_url, data in snapshots:  # no snapshot holds anything that did not come from the site
        assert final_url.startswith(b), final_url
        assert b"root:x:0:0" not in zlib.decompress(data) and b"not from the site" not in zlib.decompress(data)


def test_every_crawl_fetch_has_a_total_deadline(tmp_path, zwgk, db_url):
    """DOWNLOAD_TIMEOUT bounds the whole fetch, body included: a page dripping one byte a second and a
    server that accepts and never answers are timeouts after the limit, not hangs."""
    with SilentServer() as silent:
        docs = [("/d/zwgk/drip.html", "关于滴漏页面的通知", "2026-11-01"),
                (f"http://127.0.0.1:{silent.port}/x.html", "关于无响应页面的通知", "2026-11-02")]
        routes = {"/d/zwgk/": html(list_page("d", docs)),
                  "/d/zwgk/drip.html": Reply(body=DOC.format(title="滴漏", day=1).encode(), trickle=1.0)}
        with MockServer(routes) as server:
            b = server.base_url
            sites = sites_yaml(tmp_path, b, [("d", f"{b}/d/zwgk/")])
            started = time.monotonic()
            result = zwgk("--db", db_url, "crawl", sites, "--fast", "-s", "DOWNLOAD_TIMEOUT=3", timeout=120)
            elapsed = time.monotonic() - started
    assert result.code == 0, result.stderr
    assert elapsed < 40, elapsed  # two tries of 3 s each per target, not the 300+ s the drip would take
    with session_for(db_url) as s:
        checks = {c.url: c for c in s.scalars(select(m.UrlCheck))}
    assert (checks[f"{b}/d/zwgk/drip.html"].verdict, checks[f"{b}/d/zwgk/drip.html"].reason) == ("broken", "timeout")
    silent_url = f"http://127.0.0.1:{silent.port}/x.html"
    assert (checks[silent_url].verdict, checks[silent_url].reason) == ("broken", "timeout")
