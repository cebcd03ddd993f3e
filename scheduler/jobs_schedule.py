"""The scheduler's jobs as plain functions: each round runs `zwgk …` commands in subprocesses with a time
limit and records itself in the job-run log (store/models_schedule.py).

Crawls must run in a subprocess anyway (Twisted's reactor cannot be restarted in one process); doing the
same for every step means a hung or crashing step never takes the scheduler down with it.
"""
from __future__ import annotations

import json
import logging
import os
import re
import signal
import subprocess
import sys
import threading
import time
import traceback
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable

from sqlalchemy import select

from scheduler.schedule import JobSpec, ScheduleConfig, round_spec
from store import clock
from store import models as m
from store.models_schedule import (SCHEDULER_LEASE, JobRun, SchedulePause, abandon_running, acquire_lease,
                                   claim_round, drawn_rounds, process_alive, record_skip, release_leases,
                                   retryable_rounds, this_host)

log = logging.getLogger("zwgk.scheduler")
KILL_GRACE = 10  # seconds between SIGTERM (Scrapy stops cleanly, the crawl run is resumable) and SIGKILL
LEASE_POLL = 1.0
# `zwgk` in this very interpreter (whatever PATH says), started so that it dies with the scheduler: on Linux it
# asks for SIGTERM when its parent goes (kill -9 included) and quits if that already happened. Done in the
# child after exec rather than with preexec_fn, which is not safe in a process with threads.
_BOOT = """import ctypes, os, runpy, signal, sys
try:
    ctypes.CDLL(None).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
except (AttributeError, OSError):
    pass
if os.getppid() != int(sys.argv[1]):
    sys.exit(143)
sys.argv = ["zwgk", *sys.argv[2:]]
runpy.run_module("scheduler.cli", run_name="__main__", alter_sys=True)
"""


class RoundAbandoned(Exception):
    """The scheduler is stopping: the round's subprocess was stopped; a restart takes the round up again."""


class RoundTimedOut(Exception):
    """A step exceeded its time limit and was killed."""


class RoundSkipped(Exception):
    """Nothing to do this round (paused, nothing to re-check); the message says why."""


@dataclass
class Runtime:
    """What every round needs from the running scheduler (one per process)."""

    sites: Path
    db_url: str
    config: ScheduleConfig
    owner: str
    sessions: Callable[[], Any]
    log_dir: Path
    add_job: Callable[[JobSpec], None] | None = None
    stopping: threading.Event = field(default_factory=threading.Event)
    abandon: threading.Event = field(default_factory=threading.Event)
    active: set[int] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)


_runtime: Runtime | None = None


def configure(runtime: Runtime | None) -> None:
    global _runtime
    _runtime = runtime


def local_time(value: datetime | str) -> datetime:
    """A scheduled time as stored: naive, in the audit's zone (store.clock), whole seconds."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is not None:
        value = value.astimezone(clock.zone()).replace(tzinfo=None)
    return value.replace(microsecond=0)


def _row_values(spec: JobSpec) -> dict[str, Any]:
    return {"kind": spec.kind, "group_id": spec.group, "departments": list(spec.departments), "spec": spec.as_dict()}


def skip_round(spec: dict[str, Any], scheduled_at: datetime, reason: str) -> None:
    """Record a scheduled time that will not run (missed, coalesced, previous round still running)."""
    rt, job = _runtime, JobSpec.from_dict(spec)
    when = local_time(scheduled_at)
    with rt.sessions() as session:
        if record_skip(session, job_id=job.id, scheduled_at=when, reason=reason, values=_row_values(job),
                       owner=rt.owner):
            log.warning("跳过 %s（计划时间 %s）：%s", job.id, when, reason)


def admit(spec: dict[str, Any], run_times: list[datetime], grace: int | None,
          fixed: str | None = None) -> tuple[datetime, int] | None:
    """Account for every due time of a job and claim the one that runs: the latest within the misfire grace
    (earlier ones are coalesced into it, older ones missed). Returns (scheduled time, job-run id) or None.

    Called before APScheduler advances the job in its store, so a crash at any point leaves either no row
    (the job fires again) or a claimed row (taken up again after the restart) — never a silent loss."""
    rt, job = _runtime, JobSpec.from_dict(spec)
    now = datetime.now(timezone.utc)
    due = [t for t in run_times if grace is None or (now - t).total_seconds() <= grace]
    for t in run_times:
        if t not in due:
            skip_round(spec, t, f"错过计划时间超过补跑时限（{grace} 秒），不再补跑")
    for t in due[:-1]:
        skip_round(spec, t, f"与 {local_time(due[-1])} 的一次合并运行")
    if not due:
        return None
    when = local_time(fixed or due[-1])  # a retry carries its original time
    with rt.sessions() as session:
        row = claim_round(session, job_id=job.id, scheduled_at=when, owner=rt.owner, values=_row_values(job),
                          max_attempts=rt.config.max_attempts)
    if row is None:
        log.info("%s（计划时间 %s）已运行过，不再重复运行", job.id, when)
        return None
    return when, row.id


def run_round(spec: dict[str, Any], scheduled_at: datetime | str | None = None, claimed: int | None = None) -> str:
    """Run one round of a job (the function APScheduler calls; usable directly too); returns its status."""
    rt, job = _runtime, JobSpec.from_dict(spec)
    if rt is None:
        raise RuntimeError("scheduler runtime not configured")
    when = local_time(scheduled_at or clock.now())
    if claimed is None:  # called directly rather than through the scheduler's executor
        admitted = admit(spec, [when], None)
        if admitted is None:
            return "duplicate"
        claimed = admitted[1]
    with rt.lock:
        rt.active.add(claimed)
    with rt.sessions() as session:
        row = session.get(JobRun, claimed)
        row.started_at = clock.now()
        session.commit()
        log.info("开始 %s（计划时间 %s，第 %d 次）", job.id, when, row.attempt)
        status, code, error = "ok", None, None
        try:
            if rt.stopping.is_set():  # queued when the stop began: leave it to the next start
                raise RoundAbandoned()
            paused = _paused(session)
            if job.id in paused:
                raise RoundSkipped(f"作业已暂停（{paused[job.id] or '未注明原因'}）")
            code = HANDLERS[job.kind](rt, session, job, row, paused)
            status = "ok" if code == 0 else "failed"
            error = _tail(row) if code else None
        except RoundSkipped as exc:
            status, error = "skipped", str(exc)
        except RoundAbandoned:
            status, error = "abandoned", "调度程序停止，本轮未完成（重新启动后将在补跑时限内补跑）"
        except RoundTimedOut as exc:
            status, error = "timeout", f"{_tail(row) or ''}\n{exc}".strip()  # the reason last: history shows it
        except Exception:  # a round's own failure is recorded; the scheduler carries on
            status, error = "failed", traceback.format_exc()[-2000:]
        finally:
            with rt.lock:
                rt.active.discard(claimed)
        session.rollback()
        row = session.get(JobRun, claimed)
        row.status, row.exit_code, row.error, row.finished_at = status, code, error, clock.now()
        session.commit()
        release_leases(session, f"run:{row.id}")
    (log.info if status in ("ok", "skipped") else log.error)(
        "结束 %s（计划时间 %s）：%s%s", job.id, when, status, f"：{error.strip().splitlines()[-1]}" if error else "")
    return status


def recover(rt: Runtime) -> tuple[list[JobRun], list[JobSpec]]:
    """After a crash: rounds left `running` become abandoned and their subprocesses are stopped; department
    leases are freed. Returns the rounds to take up again and the drawn 三随机 rounds still to register."""
    with rt.sessions() as session:
        for row in abandon_running(session, "调度程序意外退出，本轮未完成"):
            log.warning("%s（计划时间 %s）在调度程序退出时未完成，记为中止", row.job_id, row.scheduled_at)
            if row.host == this_host() and row.pid and _ours(row.pid):
                log.warning("停止上次遗留的子进程 %d（%s）", row.pid, row.job_id)
                _stop_group(row.pid, lambda: False)
        release_leases(session, keep=SCHEDULER_LEASE)
        return retryable_rounds(session, rt.config.max_attempts), [JobSpec.from_dict(d) for d in drawn_rounds(session)]


# --- the kinds of round ----------------------------------------------------------------------------------

def _crawl(rt: Runtime, session, job: JobSpec, row: JobRun, paused: dict[str, str | None]) -> int:
    return _crawl_and_check(rt, session, job, row, list(job.departments), paused)


def _links(rt: Runtime, session, job: JobSpec, row: JobRun, paused: dict[str, str | None]) -> int:
    """Re-crawl (and so re-check every link of) the departments whose latest check found open broken links."""
    latest: dict[str, int] = {}  # department → its latest check run (groups are crawled and checked apart)
    recent = session.execute(select(m.CheckRun.id, m.CrawlRun.departments).join(
        m.CrawlRun, m.CheckRun.crawl_run_id == m.CrawlRun.id).order_by(m.CheckRun.id.desc()).limit(200))
    for check_run_id, departments in recent:
        for dept in departments or ():
            latest.setdefault(dept, check_run_id)
    found = session.execute(select(m.Finding.department_id, m.Finding.check_run_id).where(
        m.Finding.check_run_id.in_(set(latest.values())), m.Finding.check == "links.broken", m.Finding.status == "open"))
    broken = sorted({dept for dept, check_run_id in found if latest.get(dept) == check_run_id})
    if not broken:
        raise RoundSkipped("各单位最近一次检查均没有未整改的不可用链接，无需复查")
    return _crawl_and_check(rt, session, job, row, broken, paused)


def _crawl_and_check(rt: Runtime, session, job: JobSpec, row: JobRun, departments: list[str],
                     paused: dict[str, str | None]) -> int:
    chosen = [d for d in departments if d not in paused]
    if not chosen:
        raise RoundSkipped(f"单位均已暂停：{'、'.join(departments)}")
    _note(session, row, departments=chosen, paused=[d for d in departments if d in paused])
    run_id = (row.detail or {}).get("crawl_run")  # a retried round whose crawl completed goes on to the check
    if run_id is None:
        started = clock.now()
        with _department_leases(rt, session, row, chosen, job.timeout):
            args = ["crawl", str(rt.sites), *[a for d in chosen for a in ("-d", d)]]
            code = _command(rt, session, row, args + (["--fast"] if rt.config.fast else []), job.timeout).code
        if code:
            return code
        runs = session.scalars(select(m.CrawlRun).where(m.CrawlRun.status == "completed")
                               .order_by(m.CrawlRun.id.desc()).limit(20)).all()
        run_id = next((r.id for r in runs if sorted(r.departments or []) == sorted(chosen) and r.finished_at
                       and r.finished_at >= started), None)
        _note(session, row, crawl_run=run_id)
    check = ["check", str(rt.sites)] + (["--run", str(run_id)] if run_id else [])
    return _command(rt, session, row, check, rt.config.command_timeout).code


def _probe(rt: Runtime, session, job: JobSpec, row: JobRun, paused: dict[str, str | None]) -> int:
    chosen = list(job.departments)
    if paused.keys() & set(chosen or _registry_ids(rt)):
        chosen = [d for d in (chosen or _registry_ids(rt)) if d not in paused]
        if not chosen:
            raise RoundSkipped("单位均已暂停")
    return _command(rt, session, row, ["probe", str(rt.sites), *[a for d in chosen for a in ("-d", d)]],
                    job.timeout).code


def _draw(rt: Runtime, session, job: JobSpec, row: JobRun, paused: dict[str, str | None]) -> int:
    """Draw a 三随机 round and register its one-off job at the drawn time (the time itself is not logged)."""
    if not (row.detail or {}).get("round"):  # a retried draw whose round was recorded is not drawn again
        result = _command(rt, session, row, ["spotcheck", "draw", str(rt.sites), "--json",
                                             *job.options.get("draw_args", [])], job.timeout, capture=True)
        if result.code:
            return result.code
        drawn = json.loads(result.stdout)
        if not drawn.get("scheduled_at"):
            raise RoundSkipped(f"抽取记录 {drawn.get('id')} 没有执行时间，未安排抽查")
        members = [d if isinstance(d, str) else d.get("id") for d in drawn.get("departments") or []]
        spec = round_spec(job, str(drawn["id"]), str(drawn["scheduled_at"]), [d for d in members if d],
                          rt.config.crawl_timeout)
        _note(session, row, draw_id=str(drawn["id"]), commitment=drawn.get("commitment"), round=spec.as_dict())
    spec = JobSpec.from_dict(row.detail["round"])
    rt.add_job(spec)
    log.info("已安排三随机抽查 %s（时间保密；承诺值 %s）", row.detail["draw_id"], str(row.detail.get("commitment"))[:16])
    return 0


def _round(rt: Runtime, session, job: JobSpec, row: JobRun, paused: dict[str, str | None]) -> int:
    draw_id = job.options["draw_id"]
    with _department_leases(rt, session, row, list(job.departments), job.timeout):
        args = ["spotcheck", "run", draw_id] + (["--fast"] if rt.config.fast else [])
        code = _command(rt, session, row, args, job.timeout).code
    if code:
        return code
    out = Path(job.options.get("bulletin_dir", "bulletins")) / _safe(f"round-{draw_id}")
    _note(session, row, bulletin=str(out))
    # unattended: manual checklist items cannot have been recorded yet, so the draft says 待核查 for them
    return _command(rt, session, row, ["report", "bulletin", draw_id, "-o", str(out), "--allow-pending"],
                    rt.config.command_timeout).code


HANDLERS: dict[str, Callable[..., int]] = {"crawl": _crawl, "links": _links, "probe": _probe, "draw": _draw,
                                           "round": _round}


# --- subprocesses, leases, bookkeeping --------------------------------------------------------------------

@dataclass(frozen=True)
class _Result:
    code: int
    stdout: str = ""


def _command(rt: Runtime, session, row: JobRun, args: list[str], timeout: int, *, capture: bool = False) -> _Result:
    """Run `zwgk --db DB ARGS…` in its own process group, output appended to the round's log file."""
    log_path = _log_path(rt, row)
    _note(session, row, log=str(log_path))
    cmd = [sys.executable, "-c", _BOOT, str(os.getpid()), "--db", rt.db_url, *args]
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "COLUMNS": "160"}
    with open(log_path, "ab") as out:
        out.write(f"\n$ zwgk {' '.join(args)}    # {clock.now()}\n".encode())
        out.flush()
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE if capture else out, stderr=out, env=env,
                                start_new_session=True)
        row.pid = proc.pid
        session.commit()
        deadline = time.monotonic() + timeout
        chunks: list[bytes] = []
        while True:
            try:
                stdout, _ = proc.communicate(timeout=0.5)
                chunks.append(stdout or b"")
                break
            except subprocess.TimeoutExpired:
                if rt.abandon.is_set() or time.monotonic() > deadline:
                    _stop_group(proc.pid, lambda: proc.poll() is not None)
                    proc.communicate()
                    if rt.abandon.is_set():
                        raise RoundAbandoned() from None
                    raise RoundTimedOut(f"超过时限 {timeout} 秒，已终止：zwgk {' '.join(args[:2])}") from None
        out.write(f"# 退出码 {proc.returncode}\n".encode())
    return _Result(proc.returncode, b"".join(chunks).decode("utf-8", "replace"))


def _stop_group(pid: int, gone: Callable[[], bool]) -> None:
    """SIGTERM the process group (a crawl stops cleanly and stays resumable), SIGKILL what is left."""
    for sig, wait in ((signal.SIGTERM, KILL_GRACE), (signal.SIGKILL, 5)):
        try:
            os.killpg(pid, sig)
        except ProcessLookupError:
            return
        end = time.monotonic() + wait
        while time.monotonic() < end:
            if gone() or not process_alive(pid):
                return
            time.sleep(0.1)


def _ours(pid: int) -> bool:
    """Whether pid is still one of our `zwgk` steps (not a reused process id)."""
    try:
        return b"scheduler.cli" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


class _department_leases:
    """Hold every department of the round (all or none, in sorted order), waiting while another round has one."""

    def __init__(self, rt: Runtime, session, row: JobRun, departments: list[str], timeout: int) -> None:
        self.rt, self.session, self.row = rt, session, row
        self.names = [f"department:{d}" for d in sorted(departments)]
        self.ttl = timedelta(seconds=timeout + 2 * KILL_GRACE + 60)
        self.wait = min(timeout, (row.spec or {}).get("grace") or timeout)

    def __enter__(self) -> None:
        holder, deadline, told = f"run:{self.row.id}", time.monotonic() + self.wait, False
        while True:
            got = [n for n in self.names if acquire_lease(self.session, n, holder, self.ttl, job_run_id=self.row.id)]
            if len(got) == len(self.names):
                return
            release_leases(self.session, holder, names=got)
            if not told:
                log.info("%s 等待其他作业结束对 %s 的抓取", self.row.job_id, "、".join(set(self.names) - set(got)))
                told = True
            if self.rt.abandon.is_set() or self.rt.stopping.is_set():
                raise RoundAbandoned()
            if time.monotonic() > deadline:
                raise RoundSkipped("等待其他作业释放单位超时，本轮不抓取")
            time.sleep(LEASE_POLL)

    def __exit__(self, *exc: object) -> None:
        release_leases(self.session, f"run:{self.row.id}", names=self.names)


def _paused(session) -> dict[str, str | None]:
    return {p.target: p.reason for p in session.scalars(select(SchedulePause))}


def _registry_ids(rt: Runtime) -> list[str]:
    from store.registry import load_registry

    return [d.id for d in load_registry(rt.sites).departments]


def _note(session, row: JobRun, **values: Any) -> None:
    row.detail = {**(row.detail or {}), **values}
    session.commit()


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_\-]", "_", name)[:150]


def _log_path(rt: Runtime, row: JobRun) -> Path:
    folder = rt.log_dir / "runs" / _safe(row.job_id)
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{row.scheduled_at:%Y%m%d-%H%M%S}-{row.attempt}.log"


def _tail(row: JobRun, limit: int = 2000) -> str | None:
    """The end of the round's output, without our own `# 退出码` marker lines."""
    path = (row.detail or {}).get("log")
    try:
        text = Path(path).read_bytes()[-limit:].decode("utf-8", "replace") if path else ""
    except OSError:
        return None
    return "\n".join(line for line in text.splitlines() if not line.startswith("# 退出码")).strip() or None
