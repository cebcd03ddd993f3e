"""The web console at 100,000 findings: server time per request for the findings list (first page, a deep
page, filtered, overdue) and a finding's page, beside the same query through the CLI (`zwgk findings`).

    python -m bench.console [--findings 100000] [--rounds 5] [--db sqlite:///…]

Builds one check run with N findings over 200 departments (SQLite file by default), then times requests
through Flask's test client (no network: the server's own time) and the CLI in a subprocess.
"""
from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CHECKS = ("links.broken", "attachments.archive", "timeliness.stale_column", "privacy.id_number",
          "coverage.empty_column", "timeliness.late_publication")
STATUSES = ("open", "open", "open", "rectified", "disputed")


def build(db: str, n: int) -> int:
    from sqlalchemy import insert

    from store import clock
    from store import models as m
    from store.db import make_engine, session_factory
    from store.migrate import upgrade
    from web.accounts import Actor, add_user

    engine = make_engine(db)
    upgrade(engine)
    with session_factory(engine)() as s:
        depts = [f"d{i:03d}" for i in range(200)]
        s.execute(insert(m.Department), [{"id": d, "name": f"单位{d}", "kind": "department", "url": f"http://x/{d}/"}
                                         for d in depts])
        run = m.CrawlRun(sites_file="sites.yaml", sites_hash="h", started_at=clock.now(), status="completed",
                         departments=depts, finished_at=clock.now())
        s.add(run)
        s.flush()
        check = m.CheckRun(crawl_run_id=run.id, as_of=clock.today(), started_at=clock.now(), finished_at=clock.now(),
                           results={c: {"status": "FAIL", "findings": n // len(CHECKS)} for c in CHECKS}, config={})
        s.add(check)
        s.flush()
        base = datetime(2026, 10, 1, 9, 0)
        rows = [{"check_run_id": check.id, "check": CHECKS[i % len(CHECKS)], "department_id": depts[i % 200],
                 "url": f"http://x/{depts[i % 200]}/p{i}.html", "item": None, "severity": "medium",
                 "message": f"链接不可用：第 {i} 个页面返回 HTTP 404", "fix": "请删除失效链接", "evidence": {"status": 404},
                 "detected_at": base + timedelta(minutes=i % 50000), "as_of": clock.today(),
                 "status": STATUSES[i % len(STATUSES)]} for i in range(n)]
        for start in range(0, n, 20000):
            s.execute(insert(m.Finding), rows[start:start + 20000])
        add_user(s, Actor(None, "bench", None), username="office", password="Office-bench-2026", role="admin")
        add_user(s, Actor(None, "bench", None), username="d007", password="Dept-bench-2026", role="department",
                 department="d007")
        s.commit()
        return check.id


def _login(app, username: str, password: str):
    client = app.test_client()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', client.get("/login").get_data(as_text=True)).group(1)
    assert client.post("/login", data={"username": username, "password": password, "csrf_token": token}).status_code == 302
    return client


def timed(client, path: str, rounds: int) -> float:
    seconds = []
    for _ in range(rounds):
        started = time.perf_counter()
        response = client.get(path)
        seconds.append(time.perf_counter() - started)
        assert response.status_code == 200, (path, response.status_code)
    return statistics.median(seconds) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--findings", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--db")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="zwgk-console-bench-"))
    db = args.db or f"sqlite:///{tmp / 'zwgk.db'}"
    started = time.perf_counter()
    check_id = build(db, args.findings)
    print(f"built {args.findings} findings in {time.perf_counter() - started:.1f} s ({db})")

    from web import create_app

    app = create_app(db, upload_dir=tmp / "uploads", testing=True)
    office = _login(app, "office", "Office-bench-2026")
    dept = _login(app, "d007", "Dept-bench-2026")
    some = 4242
    cases = [("office /findings (page 1)", office, "/findings"),
             ("office /findings?page=1000", office, "/findings?page=1000"),
             ("office /findings?check=links.broken&status=open&sort=detected&desc=1", office,
              "/findings?check=links.broken&status=open&sort=detected&desc=1"),
             ("office /findings?overdue=1", office, "/findings?overdue=1"),
             ("department /findings (own 500)", dept, "/findings"),
             (f"office /findings/{some}", office, f"/findings/{some}"),
             ("office / (overview, 200 departments)", office, "/")]
    print(f"{'request':70} median ms ({args.rounds} rounds)")
    for label, client, path in cases:
        print(f"{label:70} {timed(client, path, args.rounds):8.1f}")
    cli = [sys.executable, "-c", "from scheduler.cli import main; main()", "--db", db, "findings", "--format", "json",
           "--check-run", str(check_id)]
    seconds = []
    for _ in range(max(1, args.rounds // 2)):
        started = time.perf_counter()
        proc = subprocess.run(cli, cwd=ROOT, capture_output=True, text=True)
        seconds.append(time.perf_counter() - started)
        assert proc.returncode == 0, proc.stderr[-500:]
    print(f"{'CLI zwgk findings --format json --check-run (all ' + str(args.findings) + ')':70} "
          f"{statistics.median(seconds) * 1000:8.1f}")
    dept_cli = cli + ["-d", "d007"]
    started = time.perf_counter()
    subprocess.run(dept_cli, cwd=ROOT, capture_output=True, text=True, check=True)
    print(f"{'CLI zwgk findings --format json --check-run -d d007 (500)':70} {(time.perf_counter() - started) * 1000:8.1f}")


if __name__ == "__main__":
    main()
