"""The web console through Flask's test client: every route as every role, the rectification loop, and the
security rules (CSRF, cookies, CSP, no open redirect, throttled login, hostile snapshots never rendered)."""
from __future__ import annotations

import re
from datetime import datetime
from io import BytesIO

import pytest

from store import clock
from store import models as m
from store.db import make_engine, session_factory
from store.migrate import upgrade
from store.models_console import AuditEntry, Rectification
from web import create_app
from web.accounts import Actor, add_user

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'
PASSWORDS = {"office": "Office-pass-2026", "eva": "Evaluator-2026", "jyj": "Jyj-clerk-2026", "fgw": "Fgw-clerk-2026"}
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64


@pytest.fixture
def console(db_url, tmp_path):
    engine = make_engine(db_url)
    upgrade(engine)
    with session_factory(engine)() as s:
        for dept in ("jyj", "fgw"):
            s.add(m.Department(id=dept, name={"jyj": "示例市教育局", "fgw": "示例市发展和改革委员会"}[dept],
                               kind="department", url=f"http://x/{dept}/zwgk/", region="示例市"))
        run = m.CrawlRun(sites_file="sites.yaml", sites_hash="h", started_at=clock.now(), status="completed",
                         departments=["jyj", "fgw"], finished_at=clock.now())
        s.add(run)
        s.flush()
        check = m.CheckRun(crawl_run_id=run.id, as_of=clock.today(), started_at=clock.now(), finished_at=clock.now(),
                           results={"links.broken": {"status": "FAIL", "findings": 2}}, config={})
        s.add(check)
        s.flush()
        for dept in ("jyj", "fgw"):
            s.add(m.Finding(check_run_id=check.id, check="links.broken", department_id=dept,
                            url=f"http://x/{dept}/gone.html", item=None, severity="medium",
                            message=f"链接不可用：{HOSTILE}", fix="请删除失效链接", evidence={"status": 404},
                            detected_at=datetime(2026, 11, 2, 10, 0), as_of=clock.today()))
        cli = Actor(None, "test", None)
        add_user(s, cli, username="office", password=PASSWORDS["office"], role="admin")
        add_user(s, cli, username="eva", password=PASSWORDS["eva"], role="evaluator")
        add_user(s, cli, username="jyj", password=PASSWORDS["jyj"], role="department", department="jyj")
        add_user(s, cli, username="fgw", password=PASSWORDS["fgw"], role="department", department="fgw")
        s.commit()
        ids = {f.department_id: f.id for f in s.query(m.Finding)}
    engine.dispose()
    app = create_app(db_url, upload_dir=tmp_path / "uploads", testing=True)
    return app, ids


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


def login(app, username: str):
    client = app.test_client()
    page = client.get("/login")
    r = client.post("/login", data={"username": username, "password": PASSWORDS[username],
                                    "csrf_token": _csrf(page.get_data(as_text=True))})
    assert r.status_code == 302, r.get_data(as_text=True)
    return client


ROUTES = ["/", "/findings", "/departments", "/runs", "/spotcheck", "/schedule", "/audit", "/users"]
ALLOWED = {"office": set(ROUTES), "eva": set(ROUTES) - {"/users"},
           "jyj": {"/", "/findings", "/departments"}, "fgw": {"/", "/findings", "/departments"}}


@pytest.mark.parametrize("who", ["office", "eva", "jyj"])
def test_every_route_as_every_role(console, who):
    app, ids = console
    client = login(app, who)
    for route in ROUTES:
        code = client.get(route).status_code
        assert code == (200 if route in ALLOWED[who] else 403), (who, route, code)
    # findings of another department: not listed, not reachable by id, its snapshot and proof neither
    other = ids["fgw"]
    listed = client.get("/findings").get_data(as_text=True)
    if who == "jyj":
        assert f"#{ids['jyj']}" in listed and f"#{other}" not in listed and "http://x/fgw/" not in listed
        assert client.get("/findings?department=fgw").get_data(as_text=True).count("http://x/fgw/") == 0
        for path in (f"/findings/{other}", f"/findings/{other}/snapshot"):
            assert client.get(path).status_code == 404
    else:
        assert f"#{other}" in listed and client.get(f"/findings/{other}").status_code == 200


def test_logged_out_users_go_to_login_and_no_open_redirect(console):
    app, _ = console
    client = app.test_client()
    r = client.get("/findings")
    assert r.status_code == 302 and "/login" in r.headers["Location"]
    page = client.get("/login")
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        r = client.post(f"/login?next={target}", data={"username": "office", "password": PASSWORDS["office"],
                                                       "csrf_token": _csrf(page.get_data(as_text=True))})
        assert r.status_code == 302 and r.headers["Location"] == "/", target
        client.post("/logout", data={"csrf_token": _csrf(client.get("/").get_data(as_text=True))})
        page = client.get("/login")


def test_csrf_cookies_and_headers(console):
    app, ids = console
    client = app.test_client()
    r = client.post("/login", data={"username": "office", "password": PASSWORDS["office"]})
    assert r.status_code == 400  # no CSRF token: refused
    client = login(app, "jyj")
    cookie = next(c for c in client._cookies.values() if c.key == "session")
    assert cookie.http_only and cookie.same_site == "Lax"
    r = client.post(f"/findings/{ids['jyj']}/answer", data={"kind": "rectified", "note": "已删除"})
    assert r.status_code == 400  # state change without the token
    page = client.get(f"/findings/{ids['jyj']}")
    csp = page.headers["Content-Security-Policy"]
    assert "script-src" not in csp and "default-src 'none'" in csp  # no script may run at all
    body = page.get_data(as_text=True)
    assert HOSTILE not in body and "&lt;script&gt;" in body


def test_department_answers_office_decides_and_audit_log_keeps_it(console):
    app, ids = console
    jyj = login(app, "jyj")
    page = jyj.get(f"/findings/{ids['jyj']}").get_data(as_text=True)
    refused = jyj.post(f"/findings/{ids['jyj']}/answer", data={
        "kind": "rectified", "note": "已删除", "csrf_token": _csrf(page),
        "proof": (BytesIO(b"<html><script>alert(1)</script>"), "proof.png")}, content_type="multipart/form-data")
    assert refused.status_code == 302
    assert "只接受 PNG、JPEG 图片或 PDF" in jyj.get(f"/findings/{ids['jyj']}").get_data(as_text=True)
    page = jyj.get(f"/findings/{ids['jyj']}").get_data(as_text=True)
    sent = jyj.post(f"/findings/{ids['jyj']}/answer", data={
        "kind": "rectified", "note": "已删除失效链接", "csrf_token": _csrf(page),
        "proof": (BytesIO(PNG), "../../etc/截图.png")}, content_type="multipart/form-data")
    assert sent.status_code == 302
    fgw = login(app, "fgw")
    # another department cannot answer, read or download this one
    assert fgw.post(f"/findings/{ids['jyj']}/answer", data={"kind": "rectified", "note": "x", "csrf_token": _csrf(
        fgw.get("/findings").get_data(as_text=True))}).status_code == 404
    engine = make_engine(app.config["ZWGK_DB"])
    with session_factory(engine)() as s:
        row = s.query(Rectification).one()
        assert row.proof_type == "image/png" and "/" not in row.proof_path and row.proof_name == "截图.png"
        rid = row.id
    assert fgw.get(f"/rectifications/{rid}/proof").status_code == 404
    proof = jyj.get(f"/rectifications/{rid}/proof")
    assert proof.status_code == 200 and proof.headers["Content-Type"] == "image/png"
    assert proof.headers["Content-Disposition"].startswith("attachment")

    eva = login(app, "eva")
    page = eva.get(f"/findings/{ids['jyj']}").get_data(as_text=True)
    assert "审核单位答复" not in page
    assert eva.post(f"/rectifications/{rid}/decide", data={"decision": "accepted", "note": "x",
                                                           "csrf_token": _csrf(page)}).status_code == 403
    office = login(app, "office")
    page = office.get(f"/findings/{ids['jyj']}").get_data(as_text=True)
    assert "审核单位答复" in page
    done = office.post(f"/rectifications/{rid}/decide", data={"decision": "accepted", "note": "经核实已整改",
                                                              "csrf_token": _csrf(page)})
    assert done.status_code == 302
    with session_factory(engine)() as s:
        assert s.get(m.Finding, ids["jyj"]).status == "rectified"
        actions = [e.action for e in s.query(AuditEntry).order_by(AuditEntry.id)]
        assert "finding.rectified" in actions and "rectification.accepted" in actions
        entry = s.query(AuditEntry).first()
        entry.action = "tampered"
        with pytest.raises(Exception):
            s.commit()  # append-only
    engine.dispose()
    listed = office.get("/findings?status=rectified").get_data(as_text=True)
    assert f"#{ids['jyj']}" in listed and "已整改" in listed


def test_login_is_throttled(console):
    app, _ = console
    client = app.test_client()
    codes = []
    for _ in range(12):
        page = client.get("/login")
        codes.append(client.post("/login", data={"username": "office", "password": "wrong-password-1",
                                                 "csrf_token": _csrf(page.get_data(as_text=True))}).status_code)
    assert codes[:10] == [200] * 10 and codes[-1] == 429


def test_password_change_ends_other_sessions(console):
    app, _ = console
    jyj = login(app, "jyj")
    assert jyj.get("/findings").status_code == 200
    office = login(app, "office")
    page = office.get("/users").get_data(as_text=True)
    engine = make_engine(app.config["ZWGK_DB"])
    from store.models_console import ConsoleUser

    with session_factory(engine)() as s:
        user_id = s.query(ConsoleUser).filter_by(username="jyj").one().id
    engine.dispose()
    r = office.post(f"/users/{user_id}/password", data={"password": "New-clerk-pass-9", "csrf_token": _csrf(page)})
    assert r.status_code == 302
    assert jyj.get("/findings").status_code == 302  # back to the login page


def test_cli_users_and_serve_errors(zwgk, tmp_path):
    import subprocess
    import sys

    from tests.conftest import ROOT

    db = f"sqlite:///{tmp_path / 'z.db'}"

    def run(*args: str, stdin: str = ""):
        return subprocess.run([sys.executable, "-c", "from scheduler.cli import main; main()", "--db", db, *args],
                              cwd=ROOT, input=stdin, capture_output=True, text=True, timeout=120)

    ok = run("users", "add", "office", "--role", "admin", "--password-stdin", stdin="Office-pass-2026\n")
    assert ok.returncode == 0, ok.stderr
    weak = run("users", "add", "clerk", "--role", "admin", "--password-stdin", stdin="short\n")
    assert weak.returncode == 2 and "密码至少" in weak.stderr and "Traceback" not in weak.stderr
    nodept = run("users", "add", "clerk", "--role", "department", "-d", "nosuch", "--password-stdin",
                 stdin="Clerk-pass-2026\n")
    assert nodept.returncode == 2 and "'nosuch'" in nodept.stderr
    listed = run("users", "list")
    assert listed.returncode == 0 and "office" in listed.stdout and "办公室管理员" in listed.stdout
    assert run("users", "disable", "office").returncode == 0
    port = run("serve", "--port", "99999")
    assert port.returncode == 2 and "--port" in port.stderr
