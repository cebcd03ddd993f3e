"""The browsers (the crawl's Chromium rendering script-filled lists, and `zwgk evidence screenshots`)
reach nothing but http(s) on allowed hosts: a hostile page's subresources, fetches, redirect hops and
WebSockets towards 127.0.0.2 (a second loopback address that is not configured), 169.254.169.254, 10.x
or a name resolving to loopback are refused. Proof: the servers listening on 127.0.0.2 receive nothing,
and the audit hook of the process running the browser's egress proxy sees no connect but 127.0.0.1."""
from __future__ import annotations

import json
import shutil
import socket

import pytest
from sqlalchemy import select

from store import models as m
from tests.egress import ConnectLog, connect_log_env, forbidden, read_connect_log
from tests.mockserver import MockServer, Reply, SilentServer, html, redirect
from tests.test_crawl_bad_input import session_for

pytestmark = pytest.mark.skipif(not shutil.which("chromium") and not shutil.which("chromium-browser"),
                                reason="needs Debian's chromium (bash .ci/setup installs it)")

ITEMS = [{"url": f"/js/zwgk/t{i}.html", "title": f"关于第{i}项改革措施的实施意见", "date": f"2026-10-1{i}"}
         for i in range(3)]


def loopback_name() -> str:
    """A host *name* (not an address literal) that resolves to loopback: this machine's own name where it
    does, so that the check after resolution is what refuses it; else "localhost"."""
    name = socket.gethostname()
    try:
        if all(info[4][0].startswith("127.") for info in socket.getaddrinfo(name, 80, type=socket.SOCK_STREAM)):
            return name
    except OSError:
        pass
    return "localhost"


def _hostile_script(inner: str, ws_port: int, own_port: int) -> str:
    return f"""
for (const u of ["{inner}/fetch", "/redir", "http://169.254.169.254/latest/meta-data/", "http://10.1.2.3/x",
                 "http://[fd00::1]/x", "http://{loopback_name()}:{own_port}/never"]) {{ fetch(u).catch(e => 0); }}
try {{ new WebSocket("ws://127.0.0.2:{ws_port}/socket"); }} catch (e) {{}}
const img = document.createElement("img"); img.src = "{inner}/pixel.png"; document.body.appendChild(img);
const frame = document.createElement("iframe"); frame.src = "/redir"; document.body.appendChild(frame);
"""


def _servers():
    return MockServer({"/": html("<p>内网</p>")}, host="127.0.0.2"), SilentServer(host="127.0.0.2")


def test_the_crawls_browser_is_kept_to_allowed_hosts(tmp_path, zwgk):
    inner_server, silent_server = _servers()
    with inner_server as inner, silent_server as ws:
        routes = {"/js/zwgk/list.json": Reply(body=json.dumps(ITEMS, ensure_ascii=False).encode(),
                                              content_type="application/json"),
                  "/redir": redirect(f"{inner.base_url}/"),
                  # refuses plain clients; sends a browser (it sends Sec-Fetch-*) on to the intranet
                  "/wall": lambda seen: redirect(f"{inner.base_url}/") if "sec-fetch-mode" in seen.headers
                  else html("<p>Forbidden</p>", status=403),
                  **{it["url"]: html(f"<html><body><h1>{it['title']}</h1><p>发布日期：{it['date']}</p></body></html>")
                     for it in ITEMS}}
        with MockServer(routes) as site:
            port = site.httpd.server_address[1]
            routes["/js/zwgk/"] = html(f"""<html><head><meta charset="utf-8"><title>政策文件</title></head><body>
<a href="/wall">网上办事</a><ul id="list"></ul><script>
fetch("/js/zwgk/list.json").then(r => r.json()).then(items => {{
  const ul = document.getElementById("list");
  for (const it of items) {{
    const li = document.createElement("li");
    li.innerHTML = '<a href="' + it.url + '">' + it.title + '</a><span>' + it.date + '</span>';
    ul.appendChild(li);
  }}
}});
{_hostile_script(inner.base_url, ws.port, port)}
</script></body></html>""")
            sites = tmp_path / "sites.yaml"
            sites.write_text("region: 测试市\ncatalogs: [municipal-department]\ndepartments:\n"
                             f"  - {{id: js, name: 测试脚本局, kind: department, catalog: municipal-department,"
                             f" url: '{site.base_url}/js/zwgk/'}}\n", encoding="utf-8")
            db = f"sqlite:///{tmp_path / 'z.db'}"
            log = tmp_path / "connects.log"
            result = zwgk("--db", db, "crawl", str(sites), "--fast", env=connect_log_env(log))
            hits = dict(site.hits)
    assert result.code == 0, result.stderr
    assert "Traceback" not in result.stderr
    with session_for(db) as s:
        docs = {d.url for d in s.scalars(select(m.Document))}
        wall = s.scalars(select(m.UrlCheck).where(m.UrlCheck.url == f"{site.base_url}/wall")).one()
        run = s.scalars(select(m.CrawlRun)).one()
    assert {f"{site.base_url}{it['url']}" for it in ITEMS} <= docs  # rendering works through the proxy
    assert run.stats.get("zwgk/browser/started")
    # re-checked in the browser, the link leads to a refused address: skipped, neither "blocked" nor broken
    assert (wall.verdict, wall.reason) == ("skipped", "private_address"), (wall.verdict, wall.reason, wall.error)
    assert inner.hits == {} and ws.accepted == 0 and "/never" not in hits
    connects = read_connect_log(log)
    assert connects and forbidden(connects) == []


def test_screenshots_are_kept_to_allowed_hosts():
    from crawler.screenshots import Browser, ShotConfig

    inner_server, silent_server = _servers()
    with inner_server as inner, silent_server as ws:
        routes = {"/redir": redirect(f"{inner.base_url}/")}
        with MockServer(routes) as site:
            port = site.httpd.server_address[1]
            routes["/page"] = html(f"<html><body><h1>页面</h1><script>{_hostile_script(inner.base_url, ws.port, port)}"
                                   "</script></body></html>")
            routes["/to-name"] = redirect(f"http://{loopback_name()}:{port}/never")
            with ConnectLog() as log, Browser(ShotConfig(trusted=(site.base_url,), settle_timeout=3)) as browser:
                page = browser.shoot(f"{site.base_url}/page")
                hop = browser.shoot(f"{site.base_url}/redir")      # a redirect hop to a private address
                name = browser.shoot(f"{site.base_url}/to-name")  # a name that resolves to loopback
                direct = browser.shoot(f"{inner.base_url}/")
                attempts = browser.egress_attempts
            hits = dict(site.hits)
    assert page.png and page.status == 200
    assert hop.png is None and "private_address" in hop.error
    assert name.png is None and "private_address" in name.error
    assert direct.png is None and direct.error
    refused = {(a.host, a.reason) for a in attempts if not a.allowed}
    assert ("127.0.0.2", "private_address") in refused   # the hops, the WebSocket
    assert (loopback_name(), "private_address") in refused
    assert inner.hits == {} and ws.accepted == 0 and "/never" not in hits
    assert log.addresses and forbidden(log.addresses) == []
