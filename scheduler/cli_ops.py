"""`zwgk` commands for keeping the data in bounds and safe (issue 15): prune, backup, restore. Added to the
app defined in scheduler.cli."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from scheduler.cli import UserError, app, out, state

_TABLES = {
    "crawl_runs": "抓取批次", "check_runs": "检查批次", "findings": "问题", "columns": "栏目", "documents": "文件",
    "list_entries": "列表条目", "attachments": "附件", "links": "链接", "url_checks": "链接检测结果",
    "snapshots": "页面快照", "snapshot_bodies": "快照正文", "screenshots": "截图记录", "privacy_hits": "隐私命中",
    "crawl_events": "抓取事件", "carry_marks": "增量标记", "rectifications": "整改反馈", "finding_status_changes": "状态变更",
}


def _size(n: int | None) -> str:
    if n is None:
        return "未知"
    for unit in ("B", "KB", "MB", "GB"):
        if abs(n) < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return str(n)


@app.command()
def prune(keep_runs: int = typer.Option(..., "--keep-runs", help="至少保留最近的 N 个抓取批次"),
          keep_days: Optional[int] = typer.Option(None, "--keep-days", help="另外保留最近 D 天内开始的批次"),
          log_dir: Optional[Path] = typer.Option(None, "--log-dir",
                                                 help="调度日志目录（sites.yaml 的 schedule.log_dir）；给出时同时清理其 runs/ 下的旧日志"),
          dry_run: bool = typer.Option(False, "--dry-run", help="只列出将删除的内容，不删除"),
          no_vacuum: bool = typer.Option(False, "--no-vacuum", help="删除后不执行 VACUUM")):
    """清理旧数据：删除旧的抓取批次及其栏目、文件、链接、检测结果、快照、检查结果和截图，以及旧的调度日志。
    抽查通报引用的批次、含未办结问题的批次、各单位最近一次完成的抓取始终保留。"""
    from scheduler.jobs import open_session
    from store import prune as p

    if keep_runs < 1:
        raise UserError("--keep-runs: 应为不小于 1 的整数")
    if keep_days is not None and keep_days < 0:
        raise UserError("--keep-days: 应为不小于 0 的整数")
    if log_dir is not None and not log_dir.is_dir():
        raise UserError(f"--log-dir: 目录 {log_dir} 不存在")
    policy = p.Policy(keep_runs, keep_days)
    verb = "将删除" if dry_run else "已删除"
    with open_session(state.db) as session:
        before = p.database_bytes(session)
        chosen = p.plan(session, policy)
        removed, files = p.prune_database(session, chosen.delete, dry_run=dry_run)
        shots, shot_bytes = p.remove_files(files, dry_run=dry_run)
        logs = p.old_logs(log_dir, policy) if log_dir is not None else []
        n_logs, log_bytes = p.remove_files(logs, dry_run=dry_run)
        kept = ", ".join(f"#{rid}（{'、'.join(p.KEEP_REASONS[r] for r in sorted(why))}）"
                         for rid, why in sorted(chosen.kept.items()))
        out.print(f"保留抓取批次 {len(chosen.kept)} 个：{kept or '无'}", highlight=False, soft_wrap=True)
        runs = "、".join(f"#{r}" for r in chosen.delete)
        out.print(f"{verb}抓取批次 {len(chosen.delete)} 个{'：' + runs if runs else ''}", highlight=False, soft_wrap=True)
        rows = "，".join(f"{_TABLES.get(t, t)} {n} 行" for t, n in removed.rows.items() if n)
        if rows:
            out.print(f"{verb}数据库记录：{rows}", highlight=False, soft_wrap=True)
        out.print(f"{verb}截图文件 {shots} 个（{_size(shot_bytes)}）", highlight=False)
        if log_dir is not None:
            out.print(f"{verb}调度日志 {n_logs} 个（{_size(log_bytes)}）", highlight=False)
        if dry_run:
            return
        if not no_vacuum:
            p.vacuum(session)
        after = p.database_bytes(session)
        if p.sqlite_file(session) is not None:
            note = "（已执行 VACUUM）" if not no_vacuum else "（未执行 VACUUM，空间尚未交还）"
            out.print(f"数据库文件：{_size(before)} → {_size(after)}，释放 {_size((before or 0) - (after or 0))}{note}",
                      highlight=False)
        elif before is not None:
            out.print(f"数据库大小：{_size(before)} → {_size(after)}（PostgreSQL 的 VACUUM 使空间可重用，"
                      "文件不一定缩小；需交还空间时由管理员执行 VACUUM FULL）", highlight=False)
