"""`zwgk health`: what a monitoring system needs to know, read from the database (issue 15).

Each check returns Problems: a stable key (so a notification is sent once per problem, not on every run), a
kind, and one formal Chinese line. Nothing here changes the database; thresholds are settings with defaults
(HealthSettings), set from the command line.
"""
from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Iterable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from checks.calendar import WorkCalendar
from store import clock
from store import models as m
from store.models_evidence import ProbeAttempt
from store.models_schedule import SCHEDULER_LEASE, JobRun, Lease, apscheduler_jobs
from store.models_spotcheck import SpotcheckRecheck, SpotcheckRound
from store.schedule_config import MIN_PROBES_PER_DAY

FAILED_JOB_STATUSES = ("failed", "timeout", "abandoned")


@dataclass(frozen=True)
class HealthSettings:
    scheduler_stale_minutes: float = 5  # scheduler lease expired this long ago: its heartbeat has stopped
    expect_scheduler: bool | None = None  # None: expected once the database has scheduled job runs
    stuck_hours: float = 12  # a crawl/check/round/job `running` longer than this (default crawl limit is 6 h)
    lookback_hours: float = 24  # failures this recent are reported (older ones were seen already)
    min_probes: int = MIN_PROBES_PER_DAY  # per department on the last full day; 0: not checked
    disk_min_percent: float = 10  # free space below this share of the disk…
    disk_min_gib: float = 2  # …or below this many GiB is a problem; 0 and 0: not checked
    deadline_workdays: int = 10  # 整改期限 after a completed spot-check round


@dataclass(frozen=True)
class Problem:
    key: str  # stable while the problem lasts: what notifications remember
    kind: str  # scheduler | job | round | probes | crawl | check | disk | overdue
    message: str  # one formal Chinese line
    detail: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {"key": self.key, "kind": self.kind, "message": self.message, "detail": self.detail}


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else "—"


# --- the scheduler ---------------------------------------------------------------------------------------

def scheduler_problems(session: Session, s: HealthSettings, now: datetime) -> list[Problem]:
    """The scheduler renews its lease (schedule_leases, name "scheduler") every few seconds and deletes it when it
    stops cleanly: an expired lease means its heartbeat stopped (killed, host down, database unreachable); a
    missing one, that no scheduler runs on a database one has used (job runs or stored jobs exist)."""
    if s.expect_scheduler is False:
        return []
    lease = session.get(Lease, SCHEDULER_LEASE)
    if lease is None:
        used = session.scalar(select(func.count()).select_from(JobRun)) or session.scalar(
            select(func.count()).select_from(apscheduler_jobs))
        if not (s.expect_scheduler or used):
            return []
        last = session.scalar(select(func.max(JobRun.started_at)))
        since = f"最近一次作业开始于 {_when(last)}" if last else "尚无作业运行记录"
        return [Problem("scheduler:absent", "scheduler", f"调度程序未运行：数据库中没有调度程序的租约（{since}）",
                        {"last_job_started_at": last.isoformat() if last else None})]
    if lease.expires_at < now - timedelta(minutes=s.scheduler_stale_minutes):
        return [Problem(f"scheduler:stale:{lease.holder}", "scheduler",
                        f"调度程序心跳已停止：租约（{lease.holder}）于 {_when(lease.expires_at)} 到期，"
                        f"已超过 {s.scheduler_stale_minutes:g} 分钟未续租",
                        {"holder": lease.holder, "expires_at": lease.expires_at.isoformat()})]
    return []


def job_problems(session: Session, s: HealthSettings, now: datetime) -> list[Problem]:
    """Per job, its newest finished round failed, timed out or was abandoned; or a round runs too long."""
    out: list[Problem] = []
    newest = (select(JobRun.job_id, func.max(JobRun.id).label("id"))
              .where(JobRun.status != "running", JobRun.status != "skipped").group_by(JobRun.job_id).subquery())
    rows = session.scalars(select(JobRun).join(newest, JobRun.id == newest.c.id).order_by(JobRun.job_id))
    for row in rows:
        if row.status in FAILED_JOB_STATUSES:
            reason = (row.error or "").strip().splitlines()
            out.append(Problem(f"job:{row.job_id}:{row.id}", "job",
                               f"作业 {row.job_id} 最近一次运行{_JOB_WORDS[row.status]}（计划时间 {_when(row.scheduled_at)}"
                               f"，第 {row.attempt} 次尝试{f'：{reason[0][:200]}' if reason else ''}）",
                               {"job_run_id": row.id, "status": row.status, "exit_code": row.exit_code}))
    for row in session.scalars(select(JobRun).where(JobRun.status == "running").order_by(JobRun.id)):
        limit = timedelta(seconds=(row.spec or {}).get("timeout") or s.stuck_hours * 3600) + timedelta(minutes=10)
        if row.started_at and now - row.started_at > limit:
            out.append(Problem(f"job-stuck:{row.id}", "job",
                               f"作业 {row.job_id} 自 {_when(row.started_at)} 起一直处于运行状态，已超过时限",
                               {"job_run_id": row.id}))
    return out


_JOB_WORDS = {"failed": "失败", "timeout": "超时", "abandoned": "中断未完成"}


def round_problems(session: Session, s: HealthSettings, now: datetime) -> list[Problem]:
    """The newest 三随机 round (or re-check) failed, or one has been `running` for longer than stuck_hours."""
    out: list[Problem] = []
    last = session.scalars(select(SpotcheckRound).order_by(SpotcheckRound.id.desc()).limit(1)).first()
    if last is not None and last.status == "failed":
        reason = (last.error or "").strip().splitlines()
        out.append(Problem(f"round:failed:{last.id}", "round",
                           f"{last.year}年第{last.period}期抽查（#{last.id}）执行失败"
                           f"{f'：{reason[0][:200]}' if reason else ''}", {"round_id": last.id}))
    stuck = now - timedelta(hours=s.stuck_hours)
    for row in session.scalars(select(SpotcheckRound).where(SpotcheckRound.status == "running",
                                                            SpotcheckRound.started_at < stuck)):
        out.append(Problem(f"round:stuck:{row.id}", "round",
                           f"{row.year}年第{row.period}期抽查（#{row.id}）自 {_when(row.started_at)} 起一直处于运行状态，"
                           f"超过 {s.stuck_hours:g} 小时未完成", {"round_id": row.id}))
    last = session.scalars(select(SpotcheckRecheck).order_by(SpotcheckRecheck.id.desc()).limit(1)).first()
    if last is not None and last.status == "failed":
        reason = (last.error or "").strip().splitlines()
        out.append(Problem(f"recheck:failed:{last.id}", "round",
                           f"抽查 #{last.round_id} 的复查（#{last.id}）执行失败{f'：{reason[0][:200]}' if reason else ''}",
                           {"round_id": last.round_id, "recheck_id": last.id}))
    for row in session.scalars(select(SpotcheckRecheck).where(SpotcheckRecheck.status == "running",
                                                              SpotcheckRecheck.started_at < stuck)):
        out.append(Problem(f"recheck:stuck:{row.id}", "round",
                           f"抽查 #{row.round_id} 的复查（#{row.id}）自 {_when(row.started_at)} 起一直处于运行状态，"
                           f"超过 {s.stuck_hours:g} 小时未完成", {"round_id": row.round_id, "recheck_id": row.id}))
    return out


# --- probes ---------------------------------------------------------------------------------------------

def probe_problems(session: Session, s: HealthSettings, today: date, departments: Iterable[str] | None
                   ) -> list[Problem]:
    """Fewer than min_probes probes of a department's column (专栏) on the last full day (国办秘函〔2019〕19号:
    at least 20 a day). Judged only from the first full day the database holds probes for; without a
    registry, the departments probed in the week before."""
    if s.min_probes <= 0:
        return []
    start = datetime.combine(today - timedelta(days=1), datetime.min.time())
    end = start + timedelta(days=1)
    first = session.scalar(select(func.min(ProbeAttempt.started_at)))
    if first is None or first > start:
        return []
    if departments is None:
        departments = session.scalars(select(ProbeAttempt.department_id).distinct().where(
            ProbeAttempt.started_at >= start - timedelta(days=7))).all()
    counts = dict(session.execute(
        select(ProbeAttempt.department_id, func.count()).where(
            ProbeAttempt.kind == "root", ProbeAttempt.started_at >= start, ProbeAttempt.started_at < end)
        .group_by(ProbeAttempt.department_id)).all())
    out = []
    for dept in sorted(set(departments)):
        n = counts.get(dept, 0)
        if n < s.min_probes:
            out.append(Problem(f"probes:{dept}:{start.date().isoformat()}", "probes",
                               f"单位 {dept} 在 {start.date().isoformat()} 的可用性探测仅 {n} 次，"
                               f"少于每天 {s.min_probes} 次（国办秘函〔2019〕19号）",
                               {"department": dept, "day": start.date().isoformat(), "count": n}))
    return out


# --- crawls and checks ----------------------------------------------------------------------------------

def run_problems(session: Session, s: HealthSettings, now: datetime) -> list[Problem]:
    """Crawl runs interrupted (or otherwise not completed) in the look-back window, or running too long;
    check runs never finished, or a check that raised an error."""
    out: list[Problem] = []
    since, stuck = now - timedelta(hours=s.lookback_hours), now - timedelta(hours=s.stuck_hours)
    for run in session.scalars(select(m.CrawlRun).where(m.CrawlRun.started_at >= min(since, stuck))
                               .order_by(m.CrawlRun.id)):
        if run.status == "running" and run.started_at < stuck:
            out.append(Problem(f"crawl:stuck:{run.id}", "crawl",
                               f"抓取批次 #{run.id} 自 {_when(run.started_at)} 起超过 {s.stuck_hours:g} 小时仍未完成",
                               {"crawl_run_id": run.id}))
        elif run.status not in ("running", "completed") and run.started_at >= since:
            out.append(Problem(f"crawl:{run.status}:{run.id}", "crawl",
                               f"抓取批次 #{run.id}（开始于 {_when(run.started_at)}）未完成，状态为 {run.status}",
                               {"crawl_run_id": run.id, "status": run.status}))
    for run in session.scalars(select(m.CheckRun).where(m.CheckRun.started_at >= min(since, stuck))
                               .order_by(m.CheckRun.id)):
        if run.finished_at is None and run.started_at < stuck:
            out.append(Problem(f"check:unfinished:{run.id}", "check",
                               f"检查批次 #{run.id} 自 {_when(run.started_at)} 起超过 {s.stuck_hours:g} 小时仍未完成",
                               {"check_run_id": run.id}))
        elif run.started_at >= since:
            errors = sorted(cid for cid, r in (run.results or {}).items()
                            if isinstance(r, dict) and r.get("status") == "ERROR")
            if errors:
                out.append(Problem(f"check:error:{run.id}", "check",
                                   f"检查批次 #{run.id} 中 {len(errors)} 项检查运行出错：{'、'.join(errors[:10])}",
                                   {"check_run_id": run.id, "checks": errors}))
    return out


# --- disk -------------------------------------------------------------------------------------------------

def disk_problems(paths: Iterable[Path], s: HealthSettings) -> list[Problem]:
    """Free space of each directory's file system below either threshold (each file system once)."""
    if s.disk_min_percent <= 0 and s.disk_min_gib <= 0:
        return []
    out, seen = [], set()
    for path in paths:
        try:
            usage, dev = shutil.disk_usage(path), path.stat().st_dev
        except OSError as exc:
            out.append(Problem(f"disk:unreadable:{path}", "disk", f"无法读取 {path} 的磁盘空间：{exc.strerror}"))
            continue
        if dev in seen:
            continue
        seen.add(dev)
        percent, gib = 100 * usage.free / usage.total if usage.total else 0.0, usage.free / 2**30
        if percent < s.disk_min_percent or gib < s.disk_min_gib:
            out.append(Problem(f"disk:{path}", "disk",
                               f"磁盘空间不足：{path} 所在磁盘仅剩 {gib:.1f} GiB（{percent:.1f}%），"
                               f"低于 {s.disk_min_gib:g} GiB 或 {s.disk_min_percent:g}%",
                               {"path": str(path), "free_bytes": usage.free, "total_bytes": usage.total}))
    return out


# --- rectification ----------------------------------------------------------------------------------------

def overdue_problems(session: Session, s: HealthSettings, today: date, calendar: WorkCalendar) -> list[Problem]:
    """Open findings of a completed spot-check round whose deadline (deadline_workdays working days after the
    round finished) has passed: one line per round and department."""
    out: list[Problem] = []
    rounds = session.scalars(select(SpotcheckRound).where(SpotcheckRound.status == "completed",
                                                          SpotcheckRound.check_run_id.is_not(None),
                                                          SpotcheckRound.finished_at.is_not(None))
                             .order_by(SpotcheckRound.id))
    for spot in rounds:
        due = calendar.add_workdays(spot.finished_at.date(), s.deadline_workdays)
        if today <= due:
            continue
        counts = session.execute(select(m.Finding.department_id, func.count()).where(
            m.Finding.check_run_id == spot.check_run_id, m.Finding.status == "open")
            .group_by(m.Finding.department_id).order_by(m.Finding.department_id)).all()
        for dept, n in counts:
            out.append(Problem(f"overdue:{spot.id}:{dept or '-'}", "overdue",
                               f"单位 {dept or '（未指明）'} 在{spot.year}年第{spot.period}期抽查中的 {n} 个问题"
                               f"已过整改期限（{due.isoformat()}）仍未整改",
                               {"round_id": spot.id, "department": dept, "open": n, "deadline": due.isoformat()}))
    return out


# --- all together -----------------------------------------------------------------------------------------

def check_health(session: Session, settings: HealthSettings, *, departments: Iterable[str] | None = None,
                 disk_paths: Iterable[Path] = (), calendar: WorkCalendar | None = None,
                 now: datetime | None = None) -> list[Problem]:
    now = now or clock.now()
    return [*scheduler_problems(session, settings, now), *job_problems(session, settings, now),
            *round_problems(session, settings, now), *probe_problems(session, settings, now.date(), departments),
            *run_problems(session, settings, now), *disk_problems(disk_paths, settings),
            *overdue_problems(session, settings, now.date(), calendar or WorkCalendar())]
