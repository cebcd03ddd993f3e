"""`zwgk health`: one line per problem for a monitoring system, exit 1 when there is any (issue 15); with
--notify, new problems are also sent by e-mail and/or webhook (the `alerts:` section of sites.yaml)."""
from __future__ import annotations

import json
from enum import Enum
from pathlib import Path
from typing import Optional

import typer
from sqlalchemy.engine import make_url

from scheduler.cli import UserError, app, err, out, state
from scheduler.cli_console import term
from store.db import database_url


class HealthFormat(str, Enum):
    text = "text"
    json = "json"


@app.command()
def health(sites: Optional[Path] = typer.Argument(None, help="sites.yaml 路径（可选：据此确定应探测的单位、节假日文件和通知设置）"),
           fmt: HealthFormat = typer.Option(HealthFormat.text, "--format", help="text（每个问题一行）或 json"),
           notify: bool = typer.Option(False, "--notify", help="把新发现的问题按 sites.yaml 的 alerts: 设置发送（邮件、webhook）"),
           scheduler_stale: float = typer.Option(5, "--scheduler-stale-minutes", help="调度程序租约过期超过该分钟数即视为心跳停止"),
           expect_scheduler: Optional[bool] = typer.Option(None, "--expect-scheduler/--no-scheduler",
                                                           help="是否要求调度程序在运行（默认：数据库中有调度记录时要求）"),
           stuck_hours: float = typer.Option(12, "--stuck-hours", help="抓取、检查、抽查运行超过该小时数仍未完成即视为卡住"),
           lookback_hours: float = typer.Option(24, "--lookback-hours", help="报告该小时数内中断的抓取和出错的检查"),
           min_probes: int = typer.Option(20, "--min-probes", help="每个单位前一整天应有的可用性探测次数（0：不检查）"),
           disk_min_percent: float = typer.Option(10, "--disk-min-percent", help="磁盘剩余空间低于该百分比即报告"),
           disk_min_gib: float = typer.Option(2, "--disk-min-gib", help="磁盘剩余空间低于该 GiB 数即报告"),
           disk_path: list[Path] = typer.Option([], "--disk-path", help="另需检查剩余空间的目录（可重复）"),
           deadline: int = typer.Option(10, "--deadline", help="整改期限：抽查完成后的工作日数")):
    """健康检查（供监控系统调用）：调度程序、作业、抽查、可用性探测次数、抓取和检查批次、磁盘空间、整改期限。
    正常时退出码为 0；发现问题时每个问题输出一行、退出码为 1；参数或配置错误时退出码为 2。"""
    from scheduler.health import HealthSettings, check_health
    from scheduler.jobs import open_session

    for name, value in (("--scheduler-stale-minutes", scheduler_stale), ("--stuck-hours", stuck_hours),
                        ("--lookback-hours", lookback_hours)):
        if value <= 0:
            raise UserError(f"{name}: 应大于 0（实际为 {value:g}）")
    for name, value in (("--min-probes", min_probes), ("--disk-min-percent", disk_min_percent),
                        ("--disk-min-gib", disk_min_gib)):
        if value < 0:
            raise UserError(f"{name}: 不能为负数（实际为 {value:g}）")
    if disk_min_percent > 100:
        raise UserError(f"--disk-min-percent: 应在 0 到 100 之间（实际为 {disk_min_percent:g}）")
    if deadline < 1:
        raise UserError("--deadline: 应为不小于 1 的整数（工作日）")
    for path in disk_path:
        if not path.is_dir():
            raise UserError(f"--disk-path: 目录 {path} 不存在")

    registry, departments, calendar, alerts = None, None, None, None
    if sites is not None:
        from checks.calendar import work_calendar
        from store.registry import load_registry

        registry = load_registry(sites)
        calendar = work_calendar(registry.path)
        departments = _probed_departments(registry)
        alerts = registry.sites.alerts
    if notify:
        if registry is None:
            raise UserError("--notify: 须指定 sites.yaml（通知设置在其 alerts: 段）")
        if alerts is None:
            raise UserError(f"{sites}: 没有 alerts: 段，无法发送通知；请填写 email 或 webhook 设置")
        from scheduler.notify import NotifyConfigError, check_environment

        try:
            check_environment(alerts)
        except NotifyConfigError as exc:
            raise UserError(f"{sites}: {exc}") from None

    settings = HealthSettings(scheduler_stale_minutes=scheduler_stale, expect_scheduler=expect_scheduler,
                              stuck_hours=stuck_hours, lookback_hours=lookback_hours, min_probes=min_probes,
                              disk_min_percent=disk_min_percent, disk_min_gib=disk_min_gib,
                              deadline_workdays=deadline)
    with open_session(state.db) as session:
        problems = check_health(session, settings, departments=departments,
                                disk_paths=_disk_paths(registry, disk_path), calendar=calendar)
        result = None
        if notify:
            from scheduler.notify import notify as send

            result = send(session, alerts, problems)

    if fmt is HealthFormat.json:
        data = {"healthy": not problems, "problems": [p.as_dict() for p in problems]}
        if result is not None:
            data["notified"] = {"sent": [{"key": k, "channel": c} for k, c in result.sent],
                                "already_sent": result.already, "failures": result.failures}
        typer.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))
    else:
        for problem in problems:
            out.print(term(problem.message), highlight=False, soft_wrap=True, markup=False)
        if not problems:
            out.print("正常：未发现问题", highlight=False)
    if result is not None:
        for line in result.failures:
            err.print(f"通知失败：{term(line)}", highlight=False, soft_wrap=True, markup=False)
        if result.sent and fmt is HealthFormat.text:
            err.print(f"已发送通知 {len(result.sent)} 条（此前已发送、未到重发时间的 {result.already} 条未重复发送）",
                      highlight=False)
    raise typer.Exit(1 if problems or (result is not None and result.failures) else 0)


def _probed_departments(registry) -> list[str]:
    """The departments the scheduler probes: schedule.probes.departments, else all; none when probes are off."""
    from scheduler.schedule import config_of

    cfg = config_of(registry)
    if not cfg.probes.enabled:
        return []
    return list(cfg.probes.departments or [d.id for d in registry.departments])


def _disk_paths(registry, extra: list[Path]) -> list[Path]:
    """The SQLite database's directory, the working directory, the scheduler's log directory, and any others."""
    paths = [Path.cwd()]
    url = make_url(database_url(state.db))
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        paths.insert(0, Path(url.database).resolve().parent)
    if registry is not None:
        from scheduler.schedule import config_of

        log_dir = Path(config_of(registry).log_dir)
        if log_dir.is_dir():
            paths.append(log_dir.resolve())
    return [*paths, *(p.resolve() for p in extra)]
