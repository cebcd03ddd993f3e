"""`zwgk schedule …`: run the scheduler in the foreground, list its jobs, show what ran, pause and resume."""
from __future__ import annotations

import json
import sys
from datetime import datetime
from enum import Enum
from pathlib import Path
from typing import Optional

import typer
from rich.table import Table
from sqlalchemy import delete, func, select

from scheduler.cli import UserError, app, out, state
from store import clock
from store.registry import load_registry

schedule_app = typer.Typer(help="定时运行：例行抓取与检查、可用性监测、链接复查、三随机抽查。", no_args_is_help=True)
app.add_typer(schedule_app, name="schedule")

KIND_LABELS = {"crawl": "例行抓取和检查", "probe": "可用性监测", "links": "不可用链接复查", "draw": "三随机抽取",
               "round": "三随机抽查和通报"}
STATUS_LABELS = {"ok": "成功", "failed": "失败", "skipped": "跳过", "timeout": "超时", "abandoned": "中止",
                 "running": "运行中"}


class HistoryFormat(str, Enum):
    table = "table"
    json = "json"


@schedule_app.command("run")
def schedule_run(sites: Path = typer.Argument(..., help="sites.yaml 路径（含可选的 schedule: 段）"),
                 log_file: Optional[Path] = typer.Option(None, "--log-file",
                                                         help="日志文件（默认 schedule.log_dir 下的 zwgk-scheduler.log）")):
    """在前台运行调度程序，直到收到 SIGTERM 或 Ctrl-C；日志同时输出到屏幕和文件。"""
    from scheduler.app import SchedulerBusy, run_forever

    registry = load_registry(sites)
    try:
        code = run_forever(registry, state.db, log_file=log_file)
    except SchedulerBusy as exc:
        raise UserError(str(exc)) from None
    raise typer.Exit(code)


@schedule_app.command("list")
def schedule_list(sites: Path = typer.Argument(..., help="sites.yaml 路径"),
                  reveal: bool = typer.Option(False, "--reveal", help="显示三随机抽查的时间（默认保密）")):
    """列出全部作业及下次运行时间、暂停状态和最近一次结果。"""
    from scheduler.app import describe_trigger, make_trigger, open_store, stored_jobs, timezone_of
    from scheduler.schedule import JobSpec, config_of, job_specs
    from store.models_schedule import JobRun, SchedulePause

    registry = load_registry(sites)
    tz = timezone_of(config_of(registry))
    engine, sessions = open_store(state.db)
    stored = stored_jobs(engine, tz)
    specs = {s.id: s for s in job_specs(registry)}
    specs.update({job_id: spec for job_id, (spec, _) in stored.items() if job_id not in specs})
    with sessions() as session:
        paused = {p.target: p for p in session.scalars(select(SchedulePause))}
        newest = select(JobRun.job_id, func.max(JobRun.scheduled_at).label("at")).group_by(JobRun.job_id).subquery()
        last = {r.job_id: r for r in session.scalars(select(JobRun).join(
            newest, (JobRun.job_id == newest.c.job_id) & (JobRun.scheduled_at == newest.c.at)))}
        stuck = _stuck(session)
    engine.dispose()
    for r in stuck:  # a one-off round left the job store when it fired: listed from its record
        if r.job_id not in specs and r.spec:
            specs[r.job_id] = JobSpec.from_dict(r.spec)
    now = datetime.now(tz)
    table = Table(title=f"{registry.sites.region}定时作业（{len(specs)} 个）")
    for col in ("作业", "类型", "单位", "触发方式", "下次运行", "状态", "最近一次"):
        table.add_column(col, overflow="fold")
    for job_id, spec in specs.items():
        if job_id in stored:
            nxt = stored[job_id][1]
        elif spec.kind == "round":  # a drawn round that fired: no next time of its own
            nxt = None
        else:
            nxt = make_trigger(spec, tz).get_next_fire_time(None, now)
        shown = _when(nxt) if job_id in stored or spec.kind == "round" else f"{_when(nxt)}（尚未登记，按配置）"
        secret = spec.kind == "round" and not reveal and job_id not in last  # 时间随机、对象随机 until it runs
        held = [d for d in spec.departments if d in paused]
        state_text = "已暂停" if job_id in paused or (held and len(held) == len(spec.departments)) else (
            f"部分单位暂停：{'、'.join(held)}" if held else "正常")
        row = last.get(job_id)
        recent = f"{STATUS_LABELS.get(row.status, row.status)} {row.scheduled_at}" if row else "—"
        if row is not None and row.id in {r.id for r in stuck}:
            recent = f"中断（仍记为运行中，调度程序已退出）{row.scheduled_at}"
        scope = {"links": "有不可用链接的单位", "draw": "名录全部单位"}.get(spec.kind, "全部")
        table.add_row(job_id, KIND_LABELS.get(spec.kind, spec.kind),
                      "（保密）" if secret else "、".join(spec.departments) or scope,
                      describe_trigger(spec), "（保密）" if secret else shown, state_text, recent)
    out.print(table)
    for target, p in paused.items():
        what = "单位" if p.kind == "department" else "作业"
        out.print(f"已暂停{what} {target}（{p.paused_at} 起{'，' + p.reason if p.reason else ''}）")
    for r in stuck:
        out.print(f"作业 {r.job_id}（计划时间 {r.scheduled_at}）仍记为运行中，但运行它的调度程序（{r.owner}）已退出："
                  f"调度程序下次启动时自动记为中止并在补跑时限内补跑；也可立即运行 zwgk schedule recover")


def _stuck(session) -> list:
    """Rounds recorded `running` whose scheduler no longer holds a live lease on this database (expired, or
    held by a process on this machine that is gone)."""
    from scheduler.app import _killed_here
    from store.models_schedule import SCHEDULER_LEASE, JobRun, Lease

    lease = session.get(Lease, SCHEDULER_LEASE)
    live = lease.holder if lease is not None and lease.expires_at >= clock.now() and not _killed_here(
        lease.holder) else None
    return [r for r in session.scalars(select(JobRun).where(JobRun.status == "running").order_by(JobRun.scheduled_at))
            if r.owner != live]


@schedule_app.command("recover")
def schedule_recover():
    """处理调度程序意外退出后遗留的作业：仍记为运行中的记为中止（调度程序下次启动时在补跑时限内补跑），停止其遗留的子进程，释放单位占用。"""
    from scheduler.app import SchedulerBusy, open_store, take_lease_now
    from scheduler.jobs_schedule import abandon_stuck
    from store.models_schedule import release_leases, this_host
    import os

    engine, sessions = open_store(state.db)
    holder = f"{this_host()}:{os.getpid()}:recover"
    try:
        take_lease_now(sessions, holder)
    except SchedulerBusy as exc:
        engine.dispose()
        raise UserError(f"{exc}；运行中的调度程序在启动时已处理过遗留作业，无需恢复") from None
    try:
        with sessions() as session:
            rows = abandon_stuck(session, "调度程序意外退出，本轮未完成（由 zwgk schedule recover 处理）")
    finally:
        with sessions() as session:
            release_leases(session, holder)
        engine.dispose()
    if not rows:
        out.print("没有遗留的作业：没有仍记为运行中的作业")
        return
    for r in rows:
        out.print(f"已将 {r.job_id}（计划时间 {r.scheduled_at}）记为中止")
    out.print(f"共 {len(rows)} 个；调度程序下次启动时将在各作业的补跑时限内补跑")


@schedule_app.command("history")
def schedule_history(job: Optional[str] = typer.Option(None, "--job", "-j", help="只看该作业"),
                     department: Optional[str] = typer.Option(None, "--department", "-d", help="只看涉及该单位的作业"),
                     status: Optional[str] = typer.Option(None, "--status", help="ok | failed | skipped | timeout | abandoned | running"),
                     limit: int = typer.Option(50, "--limit", "-n", help="最多显示条数"),
                     fmt: HistoryFormat = typer.Option(HistoryFormat.table, "--format", "-f", help="table | json"),
                     reveal: bool = typer.Option(False, "--reveal", help="JSON 中显示已抽取、未执行的三随机抽查的时间和单位")):
    """查看运行记录：每个作业每个计划时间一条（成功、失败、跳过、超时、中止）。"""
    from scheduler.app import open_store
    from store.models_schedule import JobRun

    if status is not None and status not in STATUS_LABELS:
        raise UserError(f"--status: 应为 {' | '.join(STATUS_LABELS)}（实际为 {status!r}）")
    if limit < 1:
        raise UserError("--limit: 应为不小于 1 的整数")
    engine, sessions = open_store(state.db)
    with sessions() as session:
        stmt = select(JobRun).order_by(JobRun.scheduled_at.desc(), JobRun.id.desc())
        if job:
            stmt = stmt.where(JobRun.job_id == job)
        if status:
            stmt = stmt.where(JobRun.status == status)
        rows = []
        for r in session.scalars(stmt.execution_options(yield_per=500)):  # the log grows by dozens a day
            if not department or department in (r.departments or []):
                rows.append(r)
                if len(rows) == limit:
                    break
        ran = set(session.scalars(select(JobRun.job_id).where(JobRun.kind == "round")))
    engine.dispose()
    if fmt is HistoryFormat.json:
        keys = ("id", "job_id", "kind", "group_id", "departments", "scheduled_at", "started_at", "finished_at",
                "status", "exit_code", "attempt", "error", "detail")
        data = [{k: (v.isoformat(sep=" ") if isinstance(v := getattr(r, k), datetime) else v) for k in keys} for r in rows]
        for item in data:  # a drawn round's time and departments stay out of sight until it has run
            drawn = (item["detail"] or {}).get("round")
            if drawn and drawn["id"] not in ran and not reveal:
                item["detail"] = {**item["detail"], "round": {"id": drawn["id"], "trigger": "（保密）"}}
        sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
        return
    table = Table(title=f"运行记录（最近 {len(rows)} 条）")
    for col in ("计划时间", "作业", "类型", "状态", "次数", "开始", "结束", "退出码", "说明"):
        table.add_column(col, overflow="fold")
    for r in rows:
        note = (r.error or "").strip().splitlines()[-1:] or [""]
        table.add_row(str(r.scheduled_at), r.job_id, KIND_LABELS.get(r.kind, r.kind), STATUS_LABELS.get(r.status, r.status),
                      str(r.attempt), _when(r.started_at), _when(r.finished_at),
                      "" if r.exit_code is None else str(r.exit_code), note[0][:120])
    out.print(table)


@schedule_app.command("pause")
def schedule_pause(target: str = typer.Argument(..., help="作业编号（见 zwgk schedule list）或单位编号"),
                   reason: Optional[str] = typer.Option(None, "--reason", help="暂停原因（记入运行记录）"),
                   sites: Optional[Path] = typer.Option(None, "--sites", help="sites.yaml：按其中的作业和单位校验编号")):
    """暂停一个作业或一个单位：从下一轮起跳过（正在运行的一轮不受影响），直到 resume。"""
    from scheduler.app import open_store
    from store.models_schedule import SchedulePause

    engine, sessions = open_store(state.db)
    jobs, departments = _known_targets(engine, sessions, sites)
    if target not in jobs and target not in departments:
        known = "、".join(sorted(jobs | departments)) or "（尚无：请先运行 zwgk schedule run，或加 --sites 指定名录）"
        raise UserError(f"{target!r} 既不是已登记的作业编号，也不是已知的单位编号；可用：{known}")
    kind = "job" if target in jobs else "department"
    with sessions() as session:
        session.merge(SchedulePause(target=target, kind=kind, paused_at=clock.now(), reason=reason))
        session.commit()
    engine.dispose()
    what = "作业" if kind == "job" else "单位"
    out.print(f"已暂停{what} {target}：从下一轮起跳过{'' if kind == 'job' else '该单位的抓取、链接复查和可用性监测'}；"
              f"恢复：zwgk schedule resume {target}")


@schedule_app.command("resume")
def schedule_resume(target: str = typer.Argument(..., help="已暂停的作业编号或单位编号")):
    """恢复已暂停的作业或单位。"""
    from scheduler.app import open_store
    from store.models_schedule import SchedulePause

    engine, sessions = open_store(state.db)
    with sessions() as session:
        removed = session.execute(delete(SchedulePause).where(SchedulePause.target == target)).rowcount
        session.commit()
        left = list(session.scalars(select(SchedulePause.target)))
    engine.dispose()
    if not removed:
        raise UserError(f"{target!r} 没有被暂停；已暂停的：{'、'.join(left) or '无'}")
    out.print(f"已恢复 {target}：下一轮起照常运行")


def _known_targets(engine, sessions, sites: Path | None) -> tuple[set[str], set[str]]:
    from scheduler.app import stored_jobs
    from scheduler.schedule import job_specs
    from store import models as m

    jobs = set(stored_jobs(engine, clock.zone()))
    with sessions() as session:
        departments = set(session.scalars(select(m.Department.id)))
    if sites is not None:
        registry = load_registry(sites)
        jobs |= {s.id for s in job_specs(registry)}
        departments |= {d.id for d in registry.departments}
    return jobs, departments


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S") if value else "—"
