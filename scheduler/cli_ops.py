"""`zwgk` commands for keeping the data in bounds and safe (issue 15): prune, backup, restore. Added to the
app defined in scheduler.cli."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Optional

import typer

from scheduler.cli import UserError, app, err, out, state

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
    from sqlalchemy.exc import OperationalError

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
            try:
                p.vacuum(session)
            except OperationalError as exc:  # the scheduler holds the database: the deletions stand
                reason = (str(exc.orig).strip().splitlines() or ["数据库正被使用"])[0]
                err.print(f"注意：VACUUM 未能执行（{reason}），删除已生效；空间将在下次执行 zwgk prune 时交还",
                          highlight=False, soft_wrap=True)
                no_vacuum = True
        after = p.database_bytes(session)
        if p.sqlite_file(session) is not None:
            note = "（已执行 VACUUM）" if not no_vacuum else "（未执行 VACUUM，空间尚未交还）"
            out.print(f"数据库文件：{_size(before)} → {_size(after)}，释放 {_size((before or 0) - (after or 0))}{note}",
                      highlight=False)
        elif before is not None:
            out.print(f"数据库大小：{_size(before)} → {_size(after)}（PostgreSQL 的 VACUUM 使空间可重用，"
                      "文件不一定缩小；需交还空间时由管理员执行 VACUUM FULL）", highlight=False)


def _roots(include: list[Path]) -> list:
    """The directories that belong with the database: screenshots, the console's uploads, and --include."""
    from crawler.screenshots import evidence_dir
    from sqlalchemy.engine import make_url

    from store.backup import Root
    from store.db import database_url

    url = make_url(database_url(state.db))
    beside = (Path(url.database).resolve().parent if url.get_backend_name() == "sqlite" and url.database
              and url.database != ":memory:" else Path.cwd())
    uploads = Path(os.environ["ZWGK_UPLOADS"]).resolve() if os.environ.get("ZWGK_UPLOADS") else beside / "zwgk-uploads"
    roots = [Root("evidence", evidence_dir(state.db)), Root("uploads", uploads)]
    for i, path in enumerate(include, 1):
        if not path.is_dir():
            raise UserError(f"--include: 目录 {path} 不存在")
        roots.append(Root(f"include-{i}", path.resolve()))
    return roots


@app.command()
def backup(out_dir: Path = typer.Argument(..., help="备份目录（须为新目录或空目录）"),
           include: list[Path] = typer.Option([], "--include", help="一并备份的其他目录，如通报输出目录（可重复）")):
    """备份：数据库的一致副本（SQLite 在线备份，调度器运行时也可执行；PostgreSQL 用 pg_dump），
    证据截图、整改材料目录及 --include 目录，并写出含每个文件 SHA-256 的清单 manifest.json。"""
    from store.backup import BackupError
    from store.backup import backup as make_backup
    from store.db import make_engine
    from store.migrate import upgrade

    engine = make_engine(state.db)
    try:
        upgrade(engine)
        manifest = make_backup(engine, out_dir, _roots(include))
    except BackupError as exc:
        raise UserError(str(exc)) from None
    finally:
        engine.dispose()
    db = manifest["database"]
    size = sum(f["size"] for f in manifest["files"])
    out.print(f"已备份到 {out_dir}：数据库 {db['file']}（{_size(db['size'])}，{sum(manifest['rows'].values())} 行），"
              f"文件 {len(manifest['files'])} 个（{_size(size)}）", highlight=False, soft_wrap=True)
    for name, path in manifest["roots"].items():
        out.print(f"  {name}: {path}", highlight=False, soft_wrap=True)


@app.command()
def restore(backup_dir: Path = typer.Argument(..., help="备份目录（含 manifest.json）"),
            force: bool = typer.Option(False, "--force", help="目标数据库已有数据或目标目录非空时仍然覆盖")):
    """恢复：先按清单核对备份中每个文件的 SHA-256，再把数据库恢复到 --db 指定的数据库，文件恢复到原位置
    （证据和整改材料目录按目标数据库的位置确定）。目标已有数据时须加 --force。"""
    from store.backup import BackupError, check_rows
    from store.backup import restore as do_restore
    from store.db import make_engine

    if not backup_dir.is_dir():
        raise UserError(f"备份目录 {backup_dir} 不存在")
    roots = {r.name: r.path for r in _roots([])}
    engine = make_engine(state.db)
    try:
        manifest = do_restore(engine, backup_dir, roots, force=force)
        differ = check_rows(engine, manifest)
    except BackupError as exc:
        raise UserError(str(exc)) from None
    finally:
        engine.dispose()
    out.print(f"已从 {backup_dir} 恢复：数据库 {sum(manifest['rows'].values())} 行，文件 {len(manifest['files'])} 个，"
              "SHA-256 均与清单一致", highlight=False, soft_wrap=True)
    if differ:
        raise UserError("恢复后行数与备份清单不符：" + "；".join(differ))
