"""Availability probes against real local servers: what counts as loaded, failed or undetermined, and the
`zwgk probe` command storing every attempt."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from crawler.probe import ProbeConfig, ProbeTarget, probe
from store.db import make_engine, session_factory
from store.models_evidence import ProbeAttempt
from tests.mockserver import MockServer, Reply, closed_port, html, redirect

CHALLENGE = ("<html><head><script>document.cookie='__jsl_clearance=1;path=/';location.reload();</script>"
             "</head><body></body></html>")

ROUTES = {
    "/ok": html("<html><body>示例市发展和改革委员会</body></html>"),
    "/moved": redirect("/ok", 301),
    "/loop-a": redirect("/loop-b"),
    "/loop-b": redirect("/loop-a"),
    "/error": html("<h1>Internal Server Error</h1>", status=500),
    "/slow": html("<p>慢</p>", delay=1.5),
    "/wall": html("<h1>Forbidden</h1>", status=403),
    "/challenge": html(CHALLENGE, status=412),
    "/precondition": html("<h1>412 Precondition Failed</h1>", status=412),
    "/endless": Reply(endless=True),
}

CASES = [
    # path, loaded?, reason, status
    ("/ok", True, None, 200),
    ("/moved", True, None, 200),
    ("/loop-a", False, "redirect_loop", 302),
    ("/error", False, "http_500", 500),
    ("/slow", False, "timeout", None),
    ("/wall", None, "blocked", 403),            # a bot wall: the site is up but would not serve us
    ("/challenge", None, "challenge", 412),     # a WAF challenge: only a browser can tell
    ("/precondition", False, "http_412", 412),  # a plain 412 without the challenge script is an error
    ("/endless", True, None, 200),              # read up to the cap: the page is loading fine
    ("/missing", False, "http_404", 404),
]


@pytest.fixture(scope="module")
def server():
    with MockServer(ROUTES) as srv:
        yield srv


@pytest.mark.parametrize("path,ok,reason,status", CASES)
def test_probe_outcomes(server, path, ok, reason, status):
    config = ProbeConfig(timeout=0.8, max_bytes=256 * 1024)
    result = probe(ProbeTarget("fgw", server.base_url + path, "home"), config)
    assert (result.ok, result.reason, result.status) == (ok, reason, status)
    assert result.elapsed_ms >= 0 and result.started_at is not None


def test_redirect_records_final_url(server):
    result = probe(ProbeTarget("fgw", server.base_url + "/moved", "root"), ProbeConfig(timeout=5))
    assert result.final_url == server.base_url + "/ok"


def test_refused_connection_fails():
    result = probe(ProbeTarget("down", f"http://127.0.0.1:{closed_port()}/", "root"), ProbeConfig(timeout=5))
    assert (result.ok, result.reason) == (False, "refused")
    assert result.error


def _sites(tmp_path, base: str) -> str:
    path = tmp_path / "sites.yaml"
    path.write_text(f"""region: 示例市
catalogs: [municipal-department]
departments:
  - {{id: fgw, name: 示例市发展和改革委员会, kind: department, catalog: municipal-department,
      url: "{base}/fgw/zwgk/", home: "{base}/fgw/"}}
  - {{id: jyj, name: 示例市教育局, kind: department, catalog: municipal-department,
      url: "{base}/jyj/zwgk/", home: "{base}/jyj/"}}
  - {{id: sfj, name: 示例市司法局, kind: department, catalog: municipal-department, url: "{base}/sfj/zwgk/"}}
""", encoding="utf-8")
    return str(path)


def test_probe_command_stores_every_attempt(tmp_path, db_url, zwgk):
    routes = {"/fgw/": html("<p>首页</p>"), "/fgw/zwgk/": html("<p>专栏</p>"),
              "/jyj/": html("<p>error</p>", status=503), "/jyj/zwgk/": html("<p>专栏</p>"),
              "/sfj/zwgk/": html("<p>专栏</p>")}
    with MockServer(routes) as srv:
        sites = _sites(tmp_path, srv.base_url)
        result = zwgk("--db", db_url, "probe", sites, "--timeout", "5")
        only = zwgk("--db", db_url, "probe", sites, "-d", "sfj")
    assert result.code == 0, result.stderr
    assert "已记录 5 次访问：正常 4 次，失败 1 次" in result.stdout
    assert only.code == 0, only.stderr
    engine = make_engine(db_url)
    with session_factory(engine)() as s:
        rows = s.scalars(select(ProbeAttempt).order_by(ProbeAttempt.id)).all()
    engine.dispose()
    got = [(r.department_id, r.kind, r.url.removeprefix(srv.base_url), r.ok, r.status) for r in rows]
    assert got == [("fgw", "home", "/fgw/", True, 200), ("fgw", "root", "/fgw/zwgk/", True, 200),
                   ("jyj", "home", "/jyj/", False, 503), ("jyj", "root", "/jyj/zwgk/", True, 200),
                   ("sfj", "root", "/sfj/zwgk/", True, 200),
                   ("sfj", "root", "/sfj/zwgk/", True, 200)]
    failed = rows[2]
    assert failed.reason == "http_503" and failed.elapsed_ms >= 0 and failed.started_at


@pytest.mark.parametrize("args,message", [
    (["-d", "nosuch"], "没有编号为 'nosuch' 的单位"),
    (["--timeout", "0"], "--timeout"),
])
def test_probe_command_rejects_bad_input(tmp_path, zwgk, args, message):
    sites = _sites(tmp_path, "http://127.0.0.1:9")
    result = zwgk("--db", str(tmp_path / "z.db"), "probe", sites, *args)
    assert result.code == 2
    assert message in result.stderr and "Traceback" not in result.stderr
