"""The scheduler recovers: a spot-check round whose scheduler is killed with -9 mid-crawl takes its crawl with
it, shows as interrupted, is recovered and runs to its bulletin once; a database that is unavailable when
the scheduler starts is waited for."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from scheduler import stepguard
from store.models_schedule import JobRun
from store.models_spotcheck import SpotcheckRound
from tests.test_scheduler_run import ROOT, _has, _ok, _sites, _soon, scheduler_factory  # noqa: F401

needs_spotcheck = pytest.mark.skipif(not _has("spotcheck draw"), reason="`zwgk spotcheck` is not available")


def _crawls_in(pgid: int) -> list[int]:
    """The `zwgk crawl` processes of a step's process group."""
    found = []
    for pid in stepguard.members(pgid):
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"crawl" in cmdline and any(b"scheduler.cli" in part for part in cmdline):
            found.append(pid)
    return found


def _gone(pgid: int, timeout: float) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if not stepguard.members(pgid):
            return True
        time.sleep(0.2)
    return False


@needs_spotcheck
def test_a_round_killed_mid_crawl_is_recovered_and_runs_once(sample_city, tmp_path, scheduler_factory, zwgk):
    past = (date.today() - timedelta(days=20)).isoformat()  # the drawn time is already due: the round runs at once
    bulletins = tmp_path / "bulletins"
    sites = _sites(sample_city, tmp_path, {
        "crawls": [], "probes": {"enabled": False}, "links": {"enabled": False},
        "spotcheck": {"every": "1d", "start": _soon(1), "grace": "60d", "bulletin_dir": str(bulletins),
                      "draw_args": ["--window-start", past, "--window-days", "1", "--count", "2"]}})
    sched = scheduler_factory(sites)
    sched.start()

    def crawling():
        rounds = [r for r in sched.rows() if r.kind == "round" and r.status == "running" and r.pid]
        under_way = any(c.status == "running" for c in sched.crawl_runs())
        return (rounds[0], _crawls_in(rounds[0].pid)) if rounds and under_way and _crawls_in(rounds[0].pid) else None

    killed, crawl_pids = sched.wait_for("the spot-check round's crawl", crawling, timeout=120)
    sched.proc.send_signal(signal.SIGKILL)
    sched.proc.wait()
    sched.out.close()
    # the step and the crawl it started leave with the scheduler (SIGTERM, then SIGKILL after the grace)
    assert _gone(killed.pid, stepguard.GRACE + 10), [Path(f"/proc/{p}/cmdline").read_bytes()
                                                     for p in stepguard.members(killed.pid)]
    # stopped, not finished on its own: its crawl run is left to be resumed
    assert [c.status for c in sched.crawl_runs()] in (["interrupted"], ["running"])

    listed = zwgk("--db", sched.db, "schedule", "list", str(sites))
    assert listed.code == 0, listed.stderr
    assert "中断（仍记为运行中" in listed.stdout and f"作业 {killed.job_id}" in listed.stdout
    assert "zwgk schedule recover" in listed.stdout
    with sched.Session() as s:  # the spot check itself was left `running` by the killed step
        assert s.scalar(select(SpotcheckRound.status)) == "running"

    recovered = zwgk("--db", sched.db, "schedule", "recover")
    assert recovered.code == 0, recovered.stderr
    assert f"已将 {killed.job_id}" in recovered.stdout
    (row,) = sched.rows(killed.job_id)
    assert row.status == "abandoned"
    with sched.Session() as s:
        assert s.scalar(select(SpotcheckRound.status)) == "failed"  # may run again
    again = zwgk("--db", sched.db, "schedule", "recover")
    assert again.code == 0 and "没有遗留的作业" in again.stdout

    sched.start()
    sched.wait_for("the round to run again", lambda: _ok(sched.rows(killed.job_id), "round"), timeout=180)
    assert sched.stop() == 0
    (row,) = sched.rows(killed.job_id)  # one record of the round, run twice in all, completed
    assert row.status == "ok" and row.attempt == 2 and row.scheduled_at == killed.scheduled_at
    with sched.Session() as s:
        spots = s.scalars(select(SpotcheckRound)).all()
    assert [(r.status, r.period) for r in spots] == [("completed", 1)]  # one spot check, its period unchanged
    assert Path(row.detail["bulletin"]).is_dir() and any(Path(row.detail["bulletin"]).iterdir())
    assert len(_ok(sched.rows(), "draw")) == 1
    assert all(not _crawls_in(p) for p in crawl_pids)


def test_scheduler_waits_for_a_database_that_is_not_available_yet(sample_city, tmp_path):
    """SQLite held by another process (a backup, a long write) when the scheduler starts: its migration cannot
    write ("database is locked"); the scheduler retries with back-off instead of exiting, then starts."""
    import sqlite3

    path = tmp_path / "zwgk.db"
    db = f"sqlite:///{path}"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    sites = _sites(sample_city, tmp_path, {
        "crawls": [{"id": "fgw", "departments": ["fgw"], "every": "1h", "start": _soon(1)}],
        "probes": {"enabled": False}, "links": {"enabled": False}, "spotcheck": {"enabled": False}})
    log = tmp_path / "scheduler.log"
    env = {**os.environ, "ZWGK_SCHEDULER_DB_RETRY_MAX": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "scheduler.cli", "--db", db, "schedule", "run", str(sites),
                             "--log-file", str(log)], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    try:
        def logged(text: str, count: int = 1, timeout: float = 90) -> None:
            end = time.monotonic() + timeout
            while time.monotonic() < end:
                if log.exists() and log.read_text(encoding="utf-8").count(text) >= count:
                    return
                assert proc.poll() is None, f"scheduler exited {proc.returncode}: {proc.stderr.read().decode()}"
                time.sleep(0.2)
            pytest.fail(f"no {text!r} in the log:\n{log.read_text(encoding='utf-8') if log.exists() else ''}")

        logged("数据库暂不可用")  # after SQLite's own 30 s wait for the lock: still running, not exited
        assert proc.poll() is None and "database is locked" in log.read_text(encoding="utf-8")
        holder.rollback()  # the other process is done
        holder.close()
        logged("数据库已可用")
        logged("调度程序已启动")
        logged("结束 crawl-fgw", timeout=120)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=60) == 0
    finally:
        holder.close()
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    from store.db import make_engine, session_factory

    engine = make_engine(db)
    with session_factory(engine)() as s:
        rows = s.scalars(select(JobRun)).all()
    engine.dispose()
    assert [(r.job_id, r.status) for r in rows] == [("crawl-fgw", "ok")]


def test_a_configuration_mistake_still_exits_2(tmp_path, sample_city):
    """An unusable database URL is not an outage: one line, exit 2, no waiting (the unit does not restart it)."""
    sites = _sites(sample_city, tmp_path, {"crawls": [], "probes": {"enabled": False}, "links": {"enabled": False},
                                           "spotcheck": {"enabled": False}})
    result = subprocess.run([sys.executable, "-m", "scheduler.cli", "--db", "mysql://x@127.0.0.1:1/none", "schedule",
                             "run", str(sites), "--log-file", str(tmp_path / "s.log")], cwd=ROOT,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr


class _LateForwarder:
    """A TCP port where nothing listens until open() is called; then it forwards to the real server."""

    def __init__(self, target: tuple[str, int]) -> None:
        import socket

        self.target = target
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.server = None

    def open(self) -> None:
        import socketserver
        import threading

        target = self.target

        class Pipe(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                import socket

                upstream = socket.create_connection(target)

                def pump(a, b) -> None:
                    try:
                        while data := a.recv(65536):
                            b.sendall(data)
                    except OSError:
                        pass
                    finally:
                        for s in (a, b):
                            try:
                                s.shutdown(socket.SHUT_RDWR)
                            except OSError:
                                pass

                other = threading.Thread(target=pump, args=(upstream, self.request), daemon=True)
                other.start()
                pump(self.request, upstream)
                other.join()
                upstream.close()

        socketserver.ThreadingTCPServer.allow_reuse_address = True
        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", self.port), Pipe)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()


@pytest.mark.skipif(not os.environ.get("ZWGK_TEST_PG"), reason="needs ZWGK_TEST_PG")
def test_scheduler_waits_for_postgresql_to_come_up(sample_city, tmp_path):
    """PostgreSQL not accepting connections at start (booted before the database): wait, then run."""
    from sqlalchemy.engine import make_url

    from tests.conftest import _pg_database

    gen = _pg_database()
    real = next(gen)
    url = make_url(real)
    late = _LateForwarder((url.host or "127.0.0.1", url.port or 5432))
    db = url.set(host="127.0.0.1", port=late.port).render_as_string(hide_password=False)
    sites = _sites(sample_city, tmp_path, {"crawls": [], "probes": {"enabled": False}, "links": {"enabled": False},
                                           "spotcheck": {"enabled": False}})
    log = tmp_path / "scheduler.log"
    proc = subprocess.Popen([sys.executable, "-m", "scheduler.cli", "--db", db, "schedule", "run", str(sites),
                             "--log-file", str(log)], cwd=ROOT, env={**os.environ, "ZWGK_SCHEDULER_DB_RETRY_MAX": "1"},
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        def logged(text: str, count: int = 1, timeout: float = 60) -> None:
            end = time.monotonic() + timeout
            while time.monotonic() < end:
                if log.exists() and log.read_text(encoding="utf-8").count(text) >= count:
                    return
                assert proc.poll() is None, f"scheduler exited {proc.returncode}: {proc.stderr.read().decode()}"
                time.sleep(0.2)
            pytest.fail(f"no {text!r} in the log:\n{log.read_text(encoding='utf-8') if log.exists() else ''}")

        logged("数据库暂不可用", count=3)
        late.open()  # the database comes up
        logged("数据库已可用")
        logged("调度程序已启动")
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=60) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        late.close()
        gen.close()
    assert "connection refused" in log.read_text(encoding="utf-8").lower()


@needs_spotcheck
def test_a_round_whose_step_is_killed_is_retried_at_once(sample_city, tmp_path, scheduler_factory):
    """The OOM killer (or an operator) ends `zwgk spotcheck run` with -9 mid-crawl while the scheduler lives:
    the crawl it left is stopped, the round is recorded abandoned and runs again at once, to its bulletin."""
    past = (date.today() - timedelta(days=20)).isoformat()
    sites = _sites(sample_city, tmp_path, {
        "crawls": [], "probes": {"enabled": False}, "links": {"enabled": False},
        "spotcheck": {"every": "1d", "start": _soon(1), "grace": "60d", "bulletin_dir": str(tmp_path / "bulletins"),
                      "draw_args": ["--window-start", past, "--window-days", "1", "--count", "2"]}})
    sched = scheduler_factory(sites)
    sched.start()

    def crawling():
        rounds = [r for r in sched.rows() if r.kind == "round" and r.status == "running" and r.pid]
        under_way = any(c.status == "running" for c in sched.crawl_runs())
        return (rounds[0], _crawls_in(rounds[0].pid)) if rounds and under_way and _crawls_in(rounds[0].pid) else None

    killed, crawl_pids = sched.wait_for("the spot-check round's crawl", crawling, timeout=120)
    os.kill(killed.pid, signal.SIGKILL)  # the step only; the scheduler lives on
    assert _gone(killed.pid, 30)  # its crawl is stopped by the scheduler
    sched.wait_for("the round to run again", lambda: _ok(sched.rows(killed.job_id), "round"), timeout=240)
    assert sched.stop() == 0
    (row,) = sched.rows(killed.job_id)
    assert row.status == "ok" and row.attempt == 2
    with sched.Session() as s:
        spots = s.scalars(select(SpotcheckRound)).all()
    assert [(r.status, r.period) for r in spots] == [("completed", 1)]
    assert any(Path(row.detail["bulletin"]).iterdir())
    assert "被信号 SIGKILL 终止" in sched.log.read_text(encoding="utf-8")
