"""`zwgk schedule run` for real, against the sample city: rounds happen and are recorded; SIGTERM stops it
cleanly; after kill -9 and a restart no round is lost and none runs twice."""
from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import pytest
import yaml
from sqlalchemy import select, text

from store import clock
from store import models as m
from store.db import make_engine, session_factory
from store.migrate import upgrade
from store.models_schedule import JobRun, process_alive

ROOT = Path(__file__).resolve().parent.parent


def _has(command: str) -> bool:
    """Whether the CLI offers the command yet (probes and spot checks are written alongside)."""
    import typer.main

    from scheduler.cli import app

    group = typer.main.get_command(app)
    for name in command.split():
        group = getattr(group, "commands", {}).get(name)
        if group is None:
            return False
    return True


def _sites(city, tmp_path: Path, schedule: dict) -> Path:
    data = city.sites()
    data["schedule"] = {"fast": True, "log_dir": str(tmp_path / "logs"), "stop_grace": "0s", **schedule}
    path = tmp_path / "sites.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def _soon(seconds: float) -> str:
    return (clock.now() + timedelta(seconds=seconds)).isoformat()


class Scheduler:
    """`zwgk schedule run` in a subprocess, plus read access to the database it writes."""

    def __init__(self, db: str, sites: Path, log: Path) -> None:
        self.db, self.sites, self.log = db, sites, log
        self.engine = make_engine(db)
        upgrade(self.engine)  # so that the test can read the tables before the scheduler has created them
        self.Session = session_factory(self.engine)
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        self.out = open(self.log.with_suffix(".stdout"), "ab")
        self.proc = subprocess.Popen([sys.executable, "-m", "scheduler.cli", "--db", self.db, "schedule", "run", str(self.sites), "--log-file",
                                      str(self.log)], cwd=ROOT, stdout=self.out, stderr=subprocess.STDOUT)

    def rows(self, job_id: str | None = None) -> list[JobRun]:
        with self.Session() as s:
            stmt = select(JobRun).order_by(JobRun.scheduled_at)
            return list(s.scalars(stmt.where(JobRun.job_id == job_id) if job_id else stmt))

    def crawl_runs(self) -> list[m.CrawlRun]:
        with self.Session() as s:
            return list(s.scalars(select(m.CrawlRun).order_by(m.CrawlRun.id)))

    def wait_for(self, what: str, predicate, timeout: float = 60):
        """Poll until predicate() is truthy; fail with the scheduler's log if it dies or it takes too long."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            found = predicate()
            if found:
                return found
            if self.proc.poll() is not None:
                pytest.fail(f"scheduler exited ({self.proc.returncode}) before {what}:\n{self.tail()}")
            time.sleep(0.2)
        pytest.fail(f"timed out waiting for {what}:\n{self.tail()}\n{[(r.job_id, r.status, r.error) for r in self.rows()]}")

    def stop(self, sig: int = signal.SIGTERM) -> int:
        self.proc.send_signal(sig)
        code = self.proc.wait(timeout=60)
        self.out.close()
        return code

    def tail(self) -> str:
        return self.log.read_text(encoding="utf-8")[-4000:] if self.log.exists() else "(no log)"

    def close(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.engine.dispose()


@pytest.fixture
def scheduler_factory(tmp_path):
    made: list[Scheduler] = []

    def make(sites: Path) -> Scheduler:
        s = Scheduler(f"sqlite:///{tmp_path / 'zwgk.db'}", sites, tmp_path / "scheduler.log")
        made.append(s)
        return s

    yield make
    for s in made:
        s.close()


def _ok(rows, kind):
    return [r for r in rows if r.kind == kind and r.status == "ok"]


def test_scheduler_runs_probes_crawls_link_rechecks_and_a_spotcheck_round(sample_city, tmp_path, scheduler_factory,
                                                                           zwgk):
    probes, spotcheck = _has("probe"), _has("spotcheck draw")
    past = (date.today() - timedelta(days=20)).isoformat()  # the drawn time is already due: the round runs at once
    sites = _sites(sample_city, tmp_path, {
        "crawls": [{"id": "fgw", "departments": ["fgw"], "every": "1h", "start": _soon(1)},
                   {"id": "held", "departments": ["jyj"], "every": "1h", "start": _soon(1)},
                   {"id": "slow", "departments": ["wjw"], "every": "1h", "start": _soon(1), "timeout": "1s"}],
        "probes": {"per_day": 7200, "departments": ["fgw", "gaj"], "enabled": probes},
        "links": {"every": "1h", "start": _soon(1)},
        "spotcheck": {"every": "1d", "start": _soon(1), "enabled": spotcheck, "grace": "60d",
                      "bulletin_dir": str(tmp_path / "bulletins"),
                      "draw_args": ["--window-start", past, "--window-days", "1", "--count", "1"]}})
    sched = scheduler_factory(sites)
    _previous_audit_found_a_broken_link(sched, "gaj")
    paused = zwgk("--db", sched.db, "schedule", "pause", "jyj", "--sites", str(sites), "--reason", "网站改版")
    assert paused.code == 0, paused.stderr
    sched.start()

    def done():
        rows = sched.rows()
        want = [_ok(rows, "crawl"), _ok(rows, "links"), [r for r in rows if r.status == "timeout"]]
        want += [_ok(rows, "probe")] if probes else []
        want += [_ok(rows, "round")] if spotcheck else []
        return all(want)

    sched.wait_for("a crawl, a link re-check, probes and a spot-check round", done, timeout=90)
    assert sched.stop() == 0
    rows = sched.rows()
    assert not [r for r in rows if r.status == "running"]
    assert "调度程序已停止" in sched.log.read_text(encoding="utf-8")

    crawl = _ok(rows, "crawl")[0]
    runs = {r.id: r for r in sched.crawl_runs()}
    assert runs[crawl.detail["crawl_run"]].departments == ["fgw"] and runs[crawl.detail["crawl_run"]].status == "completed"
    with sched.Session() as s:  # the round's check ran on the round's own crawl
        assert s.scalar(select(m.CheckRun).where(m.CheckRun.crawl_run_id == crawl.detail["crawl_run"])) is not None
    (slow,) = sched.rows("crawl-slow")  # over its time limit: killed, recorded, retried at its next time
    assert slow.status == "timeout" and "超过时限 1 秒" in slow.error and not process_alive(slow.pid)
    held = sched.rows("crawl-held")
    assert held and held[0].status == "skipped" and "jyj" in held[0].error
    links = _ok(rows, "links")[0]  # re-crawled the department whose links the last check found broken
    assert links.detail["departments"] == ["gaj"] and runs[links.detail["crawl_run"]].departments == ["gaj"]
    logged = [Path(r.detail["log"]) for r in rows if r.detail.get("log")]  # each round's output, under log_dir
    assert crawl.detail.get("log") and all(p.is_relative_to(tmp_path / "logs" / "runs") and p.exists() for p in logged)

    history = zwgk("--db", sched.db, "schedule", "history", "--format", "json", "-n", "500")
    assert history.code == 0, history.stderr
    assert {(h["job_id"], h["scheduled_at"]) for h in json.loads(history.stdout)} == {
        (r.job_id, str(r.scheduled_at)) for r in rows}
    listed = zwgk("--db", sched.db, "schedule", "list", str(sites))
    assert listed.code == 0 and "crawl-fgw" in listed.stdout and "已暂停单位 jyj" in listed.stdout
    bad = zwgk("--db", sched.db, "schedule", "pause", "nosuch")
    assert bad.code == 2 and "'nosuch' 既不是已登记的作业编号" in bad.stderr

    if not probes:
        pytest.skip("`zwgk probe` is not available yet: probes were not scheduled (crawl, links and pause were checked)")
    assert any(r.detail.get("log") for r in _ok(rows, "probe"))
    if not spotcheck:
        pytest.skip("`zwgk spotcheck` is not available yet: no spot-check round was scheduled")
    (draw,) = _ok(rows, "draw")
    (round_,) = _ok(rows, "round")
    assert round_.job_id == draw.detail["round"]["id"] and round_.scheduled_at < draw.scheduled_at
    assert any(Path(round_.detail["bulletin"]).iterdir())


def test_kill_9_then_restart_loses_no_round_and_runs_none_twice(sample_city, tmp_path, scheduler_factory):
    spotcheck = _has("spotcheck draw")
    every = 5
    sites = _sites(sample_city, tmp_path, {
        "crawls": [{"id": "fgw", "departments": ["fgw"], "every": f"{every}s", "start": _soon(1)}],
        "probes": {"enabled": False}, "links": {"enabled": False},
        # a round drawn for a future working day: its time must survive the restart unchanged
        "spotcheck": {"every": "1d", "start": _soon(0), "enabled": spotcheck, "draw_args": ["--count", "1"]}})
    sched = scheduler_factory(sites)
    sched.start()

    def mid_crawl():
        busy = [r for r in sched.rows("crawl-fgw") if r.status == "running" and r.pid and "crawl_run" not in r.detail]
        drawn = not spotcheck or _ok(sched.rows(), "draw")
        return busy[0] if busy and drawn and any(c.status == "running" for c in sched.crawl_runs()) else None

    killed = sched.wait_for("a crawl in flight", mid_crawl)
    (interrupted,) = [c.id for c in sched.crawl_runs() if c.status == "running"]
    round_time = _round_times(sched)
    sched.proc.send_signal(signal.SIGKILL)
    sched.proc.wait()
    sched.out.close()
    # the crawl's subprocess does not run on unsupervised (it gets SIGTERM when the scheduler dies)
    _wait_gone(killed.pid)

    sched.start()
    sched.wait_for("the interrupted round to be taken up again",
                   lambda: [r for r in sched.rows("crawl-fgw") if r.id == killed.id and r.status == "ok"])
    assert _round_times(sched) == round_time  # the drawn time is kept, not drawn again
    assert sched.stop() == 0

    rows = sched.rows("crawl-fgw")
    (retried,) = [r for r in rows if r.id == killed.id]
    assert retried.attempt == 2 and retried.scheduled_at == killed.scheduled_at and retried.status == "ok"
    assert not [r for r in rows if r.status == "running"]
    times = [r.scheduled_at for r in rows]  # every scheduled time accounted for (ran, skipped or abandoned), once
    assert times == [times[0] + timedelta(seconds=every * i) for i in range(len(times))]
    ran = [r.detail["crawl_run"] for r in rows if r.status == "ok"]
    assert len(ran) == len(set(ran))  # no crawl run claimed by two rounds
    runs = {c.id: c for c in sched.crawl_runs()}
    assert runs[interrupted].status == "completed" and runs[interrupted].resumed >= 1  # resumed, not redone
    assert interrupted in ran and sorted(c for c, r in runs.items() if r.status == "completed") == sorted(ran)
    spans = sorted((r.started_at, r.finished_at) for r in runs.values() if r.finished_at)
    assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:]))  # never two crawls of fgw at once
    if spotcheck:
        assert len(_ok(sched.rows(), "draw")) == 1 and not _ok(sched.rows(), "round")
    else:
        pytest.skip("`zwgk spotcheck` is not available yet: the drawn-round part was not checked")


def _previous_audit_found_a_broken_link(sched: Scheduler, department: str) -> None:
    """The database as an earlier audit left it: its latest check found an open broken link at `department`."""
    now = clock.now()
    with sched.Session() as s:
        crawl = m.CrawlRun(sites_file=str(sched.sites), sites_hash="earlier", started_at=now, finished_at=now,
                           status="completed", departments=[department])
        s.add(crawl)
        s.flush()
        check = m.CheckRun(crawl_run_id=crawl.id, as_of=now.date(), started_at=now, finished_at=now)
        s.add(check)
        s.flush()
        s.add(m.Finding(check_run_id=check.id, check="links.broken", department_id=department,
                        url="http://127.0.0.1:9/gone.pdf", severity="medium", message="链接不可用", fix="修复",
                        detected_at=now, as_of=now.date()))
        s.commit()


def _round_times(sched: Scheduler) -> dict[str, float]:
    with sched.engine.connect() as conn:
        return dict(conn.execute(text("SELECT id, next_run_time FROM apscheduler_jobs WHERE id LIKE 'spotcheck-round-%'")).all())


def _wait_gone(pid: int, timeout: float = 30) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if not process_alive(pid) or _zombie(pid):
            return
        time.sleep(0.2)
    pytest.fail(f"the crawl subprocess {pid} still runs after its scheduler was killed")


def _zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] == "Z"
    except OSError:
        return False
