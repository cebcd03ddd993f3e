"""`zwgk` commands for availability probes, evidence export (WARC) and screenshots (issue 3); added to the
app defined in scheduler.cli."""
from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Optional

import typer
from rich.table import Table

from scheduler.cli import UserError, app, err, out, state
from scheduler.cli_console import term

evidence_app = typer.Typer(help="证据：导出 WARC 文件、为问题页面截图。", no_args_is_help=True)
app.add_typer(evidence_app, name="evidence")

_OUTCOME = {True: "[green]正常[/green]", False: "[red]失败[/red]", None: "[yellow]未能判定[/yellow]"}
_KIND = {"home": "首页", "root": "专栏"}


@app.command()
def probe(sites: Path = typer.Argument(..., help="sites.yaml 路径"),
          department: list[str] = typer.Option([], "--department", "-d", help="只探测这些单位（可重复）"),
          timeout: float = typer.Option(15.0, "--timeout", help="页面加载时限（秒），国办秘函〔2019〕19号为 15 秒"),
          workers: int = typer.Option(8, "--workers", help="同时进行的探测数")):
    """可用性探测：访问各单位首页和政务公开专栏一次，记录每次访问结果（供 site.unreachable 检查使用）。"""
    from checks.wording.availability import probe_reason
    from crawler.probe import ProbeConfig, run_round, store_results, targets
    from scheduler.jobs import open_session
    from store.registry import load_registry

    registry = load_registry(sites)
    known = {d.id for d in registry.departments}
    for d in department:
        if d not in known:
            raise UserError(f"--department: {sites} 中没有编号为 {d!r} 的单位")
    if timeout <= 0 or workers < 1:
        raise UserError("--timeout 应大于 0，--workers 应不小于 1")
    chosen = [d for d in registry.departments if not department or d.id in department]
    results = run_round(targets(chosen), ProbeConfig(timeout=timeout, workers=workers))
    with open_session(state.db) as session:
        store_results(session, results)
        session.commit()
    table = Table(title=f"可用性探测（{results[0].started_at:%Y-%m-%d %H:%M}，时限 {timeout:g} 秒）" if results else "可用性探测")
    for col in ("单位", "页面", "地址", "结果", "状态码", "用时（毫秒）", "说明"):
        table.add_column(col, overflow="fold")
    for r in results:
        table.add_row(term(r.target.department_id), _KIND[r.target.kind], term(r.target.url), _OUTCOME[r.ok],
                      str(r.status or ""), str(r.elapsed_ms), term(probe_reason(r.reason, r.status)))
    out.print(table)
    failed = sum(r.ok is False for r in results)
    out.print(f"已记录 {len(results)} 次访问：正常 {sum(r.ok is True for r in results)} 次，失败 {failed} 次，"
              f"未能判定 {sum(r.ok is None for r in results)} 次")


@evidence_app.command("export")
def evidence_export(output: Path = typer.Option(..., "--output", "-o", help="输出的 WARC 文件（.warc.gz）"),
                    run: Optional[int] = typer.Option(None, "--run", help="抓取批次（默认最近一次完成的抓取）")):
    """把一次抓取保存的页面（及其截图）导出为 WARC 1.1 文件，供评估人员核查页面当时的内容。"""
    from checks.runner import NoCrawlError, latest_run
    from scheduler.jobs import open_session
    from store import models as m
    from store.evidence import export_warc

    if not output.name.endswith((".warc.gz", ".warc")):
        raise UserError(f"--output: WARC 文件名应以 .warc.gz 结尾（实际为 {output.name}）")
    if not output.parent.resolve().is_dir():
        raise UserError(f"--output: 目录 {output.parent} 不存在")
    with open_session(state.db) as session:
        crawl = session.get(m.CrawlRun, run) if run is not None else latest_run(session)
        if crawl is None:
            raise NoCrawlError(f"抓取批次 #{run} 不存在" if run is not None else "没有已完成的抓取结果，请先运行 zwgk crawl")
        tmp = output.with_name(output.name + ".part")
        try:
            with open(tmp, "wb") as fh:
                summary = export_warc(session, crawl, fh, filename=output.name)
            tmp.replace(output)
        finally:
            tmp.unlink(missing_ok=True)
    out.print(f"已写出 {output}：抓取批次 #{crawl.id}，页面 {summary.responses} 个，截图 {summary.screenshots} 张")
    if summary.missing_files:
        err.print(f"注意：{summary.missing_files} 张截图的文件已不在原位置，未写入")


@evidence_app.command("screenshots")
def evidence_screenshots(check_run: Optional[int] = typer.Option(None, "--check-run", help="检查批次（默认最近一次）"),
                         output: Optional[Path] = typer.Option(None, "--output", "-o",
                                                               help="证据目录（默认 SQLite 数据库旁的 zwgk-evidence/，或环境变量 ZWGK_EVIDENCE_DIR）"),
                         limit: Optional[int] = typer.Option(None, "--limit", help="最多截图的页面数")):
    """为容易引起异议的问题（链接不可用、压缩包附件、空白或不更新栏目、隐私泄露）截取整页截图，图上标明地址和截图时间。"""
    from crawler.screenshots import chromium_path, evidence_dir, shoot_check_run
    from scheduler.jobs import find_check_run, open_session

    browser = chromium_path()
    if not (shutil.which(browser) or (os.path.isfile(browser) and os.access(browser, os.X_OK))):
        raise UserError(f"找不到 Chromium 浏览器：{browser}；请安装 chromium，或用环境变量 ZWGK_CHROMIUM 指定其路径")
    if limit is not None and limit < 1:
        raise UserError("--limit: 应为不小于 1 的整数")
    directory = evidence_dir(state.db, output)
    with open_session(state.db) as session:
        run = find_check_run(session, check_run)
        summary = shoot_check_run(session, run, directory, limit=limit)
        failures = _failures(session, run.id)
    out.print(f"检查批次 #{run.id}：需截图页面 {summary.pages} 个，本次截图 {summary.taken} 个，"
              f"失败 {summary.failed} 个，此前已截图 {summary.skipped} 个；截图保存在 {directory}")
    for url, error in failures:
        err.print(f"未能截图：{term(url)}（{term(error)}）", highlight=False, soft_wrap=True)


def _failures(session, check_run_id: int) -> list[tuple[str, str]]:
    from sqlalchemy import select

    from store.models_evidence import Screenshot

    return list(session.execute(select(Screenshot.url, Screenshot.error).where(
        Screenshot.check_run_id == check_run_id, Screenshot.sha256.is_(None)).order_by(Screenshot.id)).all())
