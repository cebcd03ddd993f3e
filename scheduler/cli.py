"""The `zwgk` command line. Thin: parse arguments, call scheduler.jobs, print results.

Every user mistake ends with one Chinese line on stderr and exit code 2; nothing prints a traceback
unless ZWGK_DEBUG=1.
"""
from __future__ import annotations

import os
import sys
from datetime import date
from enum import Enum
from pathlib import Path
from typing import Optional

import typer
from rich.table import Table

from checks.runner import NoCrawlError
from scheduler.cli_console import SafeConsole, install_log_masking, term
from store.db import DatabaseURLError, database_url, require_sqlite_directory
from store.registry import ConfigError, dump_sites, load_registry

app = typer.Typer(help="zwgk-audit：政务公开专栏自动检查（抓取、检查、报告）。", no_args_is_help=True,
                  pretty_exceptions_enable=False, add_completion=False)
sites_app = typer.Typer(help="单位名录（sites.yaml）：校验与导入。", no_args_is_help=True)
report_app = typer.Typer(help="生成报告。", no_args_is_help=True)
app.add_typer(sites_app, name="sites")
app.add_typer(report_app, name="report")

# every line printed passes through store.safetext (numbers masked, control sequences removed)
out = SafeConsole()
err = SafeConsole(stderr=True)


class UserError(Exception):
    """A mistake in what the user asked; printed as one line, exit code 2."""


class _State:
    db: str | None = None


state = _State()


@app.callback()
def _root(db: Optional[str] = typer.Option(None, "--db", envvar="ZWGK_DB",
                                           help="数据库地址（SQLAlchemy URL 或 SQLite 文件路径）；默认当前目录下的 zwgk.db")):
    state.db = db
    if db:  # a SQLite file in a directory that does not exist is a typing mistake, not a request to create it
        require_sqlite_directory(db)


def _as_of(value: Optional[str]) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise UserError(f"--as-of: 日期格式应为 YYYY-MM-DD（实际为 {value!r}）") from None


# --- sites ------------------------------------------------------------------------------------------

@sites_app.command("validate")
def sites_validate(sites: Path = typer.Argument(..., help="sites.yaml 路径")):
    """校验 sites.yaml 及其引用的目录文件（含 checks 部分的阈值）。"""
    from checks.settings import check_settings

    registry = load_registry(sites)
    check_settings(registry.sites.checks, registry.path)
    depts = registry.departments
    out.print(f"[green]校验通过[/green]：{registry.sites.region}，{len(depts)} 个单位，"
              f"{len(registry.sites.upstream)} 个上级文件来源，目录：{'、'.join(registry.catalogs)}")


@sites_app.command("import")
def sites_import(source: Path = typer.Argument(..., help="Excel（.xlsx、.xls）或 CSV 文件"),
                 output: Path = typer.Option(Path("sites.yaml"), "--output", "-o", help="写出的 sites.yaml"),
                 region: str = typer.Option("本市", "--region", help="地区名称（写入 region）"),
                 force: bool = typer.Option(False, "--force", help="覆盖已存在的输出文件")):
    """从单位名录表格（单位名称/简称/类型/政务公开专栏地址/门户网站首页）生成 sites.yaml；表头可在任意一行。"""
    from store.sites_import import import_sites

    if output.exists() and not force:
        raise UserError(f"{output}: 文件已存在；如需覆盖请加 --force")
    notes: list[str] = []
    data = import_sites(source, region=region, notes=notes)
    output.write_text(dump_sites(data), encoding="utf-8")
    load_registry(output)  # what we write must itself validate
    for note in notes:
        out.print(f"[yellow]提示：[/yellow]{note}", highlight=False, soft_wrap=True)
    out.print(f"已写出 {output}：{len(data['departments'])} 个单位")


# --- crawl / check / findings ------------------------------------------------------------------------

@app.command()
def crawl(sites: Path = typer.Argument(..., help="sites.yaml 路径"),
          department: list[str] = typer.Option([], "--department", "-d", help="只抓取这些单位（可重复）"),
          fast: bool = typer.Option(False, "--fast", help="不限速（仅用于本机示例站点和测试）"),
          concurrency: Optional[int] = typer.Option(None, "--concurrency", help="每个主机的并发请求数"),
          delay: Optional[float] = typer.Option(None, "--delay", help="同一主机两次请求的间隔秒数"),
          verbose: bool = typer.Option(False, "--verbose", "-v", help="输出抓取日志"),
          log_file: Optional[Path] = typer.Option(None, "--log-file", help="把抓取日志（INFO 级别）写入该文件"),
          full: bool = typer.Option(False, "--full", help="完整抓取：不沿用上次抓取中未变化的内容"),
          ignore_robots: bool = typer.Option(False, "--ignore-robots",
                                             help="正式检查时不受 robots.txt 限制（记录在抓取批次中）"),
          check_fragments: bool = typer.Option(False, "--check-fragments",
                                               help="检查本单位网站上“页面#位置”链接指向的位置是否存在（默认不检查）"),
          setting: list[str] = typer.Option([], "--set", "-s", help="覆盖抓取设置 NAME=VALUE（可重复），如 -s ZWGK_MAX_PAGES_PER_DEPARTMENT=2000"),
          distributed: Optional[str] = typer.Option(None, "--distributed", envvar="ZWGK_REDIS_URL",
                                                    help="分布式抓取：各机器上的抓取进程通过该 Redis（redis://主机:端口/库号）"
                                                         "共同完成同一抓取批次，须共用一个 PostgreSQL 数据库")):
    """抓取各单位的政务公开专栏：栏目、信息、附件、链接，并检查每个链接。"""
    from scheduler.jobs import crawl_job

    registry = load_registry(sites)
    known = {d.id for d in registry.departments}
    for d in department:
        if d not in known:
            raise UserError(f"--department: {sites} 中没有编号为 {d!r} 的单位")
    overrides: dict = {"LOG_LEVEL": "INFO" if verbose or log_file else "WARNING"}
    if log_file:
        overrides["LOG_FILE"] = str(log_file)
    for item in setting:
        name, sep, value = item.partition("=")
        if not sep or not name.strip().isidentifier() or name.strip().upper() != name.strip():
            raise UserError(f"--set: 应为 NAME=VALUE 形式的抓取设置（实际为 {item!r}）")
        overrides[name.strip()] = value.strip()
    if concurrency is not None:
        if concurrency < 1:
            raise UserError("--concurrency: 应为不小于 1 的整数")
        overrides["CONCURRENT_REQUESTS_PER_DOMAIN"] = concurrency
    if delay is not None:
        overrides["DOWNLOAD_DELAY"] = delay
    if ignore_robots:
        overrides["ROBOTSTXT_OBEY"] = False
    if check_fragments:
        overrides["ZWGK_CHECK_FRAGMENTS"] = True
    # a bad Redis URL, Redis unreachable, SQLite with --distributed: CrawlSettingsError, one line in main()
    summary = _crawl_with_progress(crawl_job, registry, department, fast, overrides, incremental=not full,
                                   distributed=distributed)
    if summary.status == "failed":  # one line, and the run is not completed (crawler.run)
        err.print(f"[red]错误：[/red]抓取批次 #{summary.run_id} 写入数据库失败（{summary.error or '原因不明'}），"
                  f"本批次未完成，已标记为失败；排除故障（如磁盘空间不足）后再次运行同一命令将继续本批次",
                  highlight=False, soft_wrap=True)
        raise typer.Exit(1)
    _print_crawl(summary)
    if summary.status not in ("completed", "joined"):
        raise typer.Exit(130)
    errors = sum(v for k, v in summary.stats.items() if k.startswith("spider_exceptions/") and isinstance(v, int))
    if errors:  # a defect of ours, not of the site: say so, and fail the command
        err.print(f"警告：抓取程序内部出错 {errors} 次，部分页面未处理；请用 --log-file 记录日志并报告。")
        raise typer.Exit(1)


def _crawl_with_progress(crawl_job, registry, departments, fast, overrides, *, incremental=True, distributed=None):
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
    from scrapy import signals

    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=err,
                  transient=True, disable=not err.is_terminal) as progress:
        task = progress.add_task("抓取中…", total=None)
        counts = {"pages": 0}

        def hook(crawler):
            def on_response(response, request, spider):
                counts["pages"] += 1
                progress.update(task, description=f"抓取中：已请求 {counts['pages']} 个地址")
            crawler.signals.connect(on_response, signal=signals.response_received, weak=False)

        return crawl_job(registry, state.db, departments=list(departments) or None, fast=fast, overrides=overrides,
                         on_crawler=hook, incremental=incremental, distributed=distributed)


def _print_crawl(summary) -> None:
    s = summary.stats
    word = {"completed": "完成", "interrupted": "已中断（再次运行同一命令将继续本批次，不会产生重复记录）",
            "joined": "本进程的抓取已完成，批次由最后结束的抓取进程收尾（本行为本进程的数字）"}
    workers = s.get("zwgk/workers") or {}
    shared = f"，共 {len(workers)} 个抓取进程" if workers else ""
    out.print(f"抓取批次 #{summary.run_id}{'（续抓）' if summary.resumed else ''}：{word.get(summary.status, summary.status)}；"
              f"请求 {s.get('downloader/request_count', 0)} 次，检查链接 {s.get('zwgk/links/checked', 0)} 个，"
              f"不可用 {s.get('zwgk/urls/broken', 0)} 个{shared}")
    for name, share in sorted(workers.items()):
        out.print(f"  抓取进程 {name}：请求 {share.get('requests', 0)} 次，检查链接 {share.get('links_checked', 0)} 个")


@app.command()
def check(sites: Path = typer.Argument(..., help="sites.yaml 路径"),
          as_of: Optional[str] = typer.Option(None, "--as-of", help="检查基准日 YYYY-MM-DD（默认今天）"),
          run: Optional[int] = typer.Option(None, "--run", help="检查指定的抓取批次（默认最近一次完成的抓取）"),
          only: list[str] = typer.Option([], "--check", "-c", help="只运行这些检查项（可重复）")):
    """对最近一次抓取结果运行全部检查项，保存问题清单。"""
    from checks.registry import all_checks
    from scheduler.jobs import check_job

    registry = load_registry(sites)
    for c in only:
        if c not in all_checks():
            raise UserError(f"--check: 没有编号为 {c!r} 的检查项；可用：{'、'.join(all_checks())}")
    summary = check_job(registry, state.db, as_of=_as_of(as_of), crawl_run_id=run, only=list(only) or None)
    _print_outcomes(summary)
    if any(o.status.value == "ERROR" for o in summary.outcomes):
        raise typer.Exit(1)


def _print_outcomes(summary) -> None:
    from checks.registry import all_checks
    from reports.html import STATUS_LABELS

    checks = all_checks()
    table = Table(title=f"检查批次 #{summary.check_run_id}（抓取批次 #{summary.crawl_run_id}，基准日 {summary.as_of}）")
    table.add_column("检查项")
    table.add_column("编号")
    table.add_column("结果")
    table.add_column("问题数", justify="right")
    table.add_column("未能完整抓取", justify="right")
    for o in summary.outcomes:
        table.add_row(checks[o.check].title(), o.check, STATUS_LABELS.get(o.status.value, o.status.value), str(o.findings),
                      str(o.unjudged) if o.unjudged else "")
    out.print(table)
    unjudged = sum(o.unjudged for o in summary.outcomes)
    if unjudged:
        out.print(f"未能完整抓取：{unjudged} 项判断因栏目列表未能完整读取而未作结论，不计入问题"
                  "（zwgk findings --unjudged 查看）")
    for o in summary.outcomes:
        if o.status.value == "ERROR":
            err.print(f"检查项 {o.check} 出错：{(o.error or '').strip().splitlines()[-1] if o.error else ''}")


class FindingsFormat(str, Enum):
    json = "json"
    table = "table"
    xlsx = "xlsx"


@app.command()
def findings(fmt: FindingsFormat = typer.Option(FindingsFormat.table, "--format", "-f", help="json | table | xlsx"),
             output: Optional[Path] = typer.Option(None, "--output", "-o", help="输出文件（xlsx 必填；json 默认输出到屏幕）"),
             check_run: Optional[int] = typer.Option(None, "--check-run", help="检查批次（默认最近一次）"),
             department: Optional[str] = typer.Option(None, "--department", "-d", help="只看该单位"),
             check_id: Optional[str] = typer.Option(None, "--check", "-c", help="只看该检查项"),
             unjudged: bool = typer.Option(False, "--unjudged", help="列出因栏目列表未能完整抓取而未作结论的栏目（不是问题）")):
    """列出问题清单（JSON 格式见 README“问题清单 JSON”）。"""
    from reports.context import finding_views, unjudged_views
    from scheduler.jobs import find_check_run, findings_json, open_session

    if unjudged:
        _print_unjudged(fmt, output, check_run, department, check_id)
        return
    from reports.context import run_scope

    with open_session(state.db) as session:  # say which run is read before anything is read from it
        err.print(run_scope(session, find_check_run(session, check_run)).line(), highlight=False, soft_wrap=True)

    if fmt is FindingsFormat.json:
        text = findings_json(state.db, check_run_id=check_run, department=department, check=check_id)
        if output:
            output.write_text(text + "\n", encoding="utf-8")
            err.print(f"已写出 {output}")
        else:
            sys.stdout.write(text + "\n")
        return
    with open_session(state.db) as session:
        views = finding_views(session, find_check_run(session, check_run), department=department, check=check_id)
    if fmt is FindingsFormat.xlsx:
        from reports.xlsx import write_table

        if output is None:
            raise UserError("--output: 导出 xlsx 时必须指定输出文件，例如 -o 问题清单.xlsx")
        write_table(output, "问题清单", ["单位", "问题类型", "页面地址", "问题描述", "整改建议", "发现时间", "证据"],
                    ([v.department_name, v.check_title, v.url, v.message, v.fix, v.detected_at.isoformat(sep=" "),
                      v.evidence] for v in views), widths=[22, 18, 50, 60, 40, 20, 60])
        out.print(f"已写出 {output}（{len(views)} 条）")
        return
    table = Table(title=f"问题清单（{len(views)} 条）", show_lines=False)
    for col in ("单位", "问题类型", "地址", "问题描述"):
        table.add_column(col, overflow="fold")
    for v in views:
        table.add_row(term(v.department_name), term(v.check_title), term(v.url), term(v.message))
    out.print(table)
    with open_session(state.db) as session:
        aside = unjudged_views(session, find_check_run(session, check_run), department=department, check=check_id)
    if aside:
        out.print(f"另有 {len(aside)} 项因栏目列表未能完整抓取而未作结论（不是问题）：zwgk findings --unjudged")


def _print_unjudged(fmt, output: Optional[Path], check_run: Optional[int], department: Optional[str],
                    check_id: Optional[str]) -> None:
    """The 未能完整抓取 records of a check run: their own list, never mixed into the findings."""
    import json

    from reports.context import unjudged_views
    from scheduler.jobs import find_check_run, open_session

    with open_session(state.db) as session:
        views = unjudged_views(session, find_check_run(session, check_run), department=department, check=check_id)
    if fmt is FindingsFormat.json:
        text = json.dumps([v.as_json() for v in views], ensure_ascii=False, indent=2)
        if output:
            output.write_text(text + "\n", encoding="utf-8")
            err.print(f"已写出 {output}")
        else:
            sys.stdout.write(text + "\n")
        return
    if fmt is FindingsFormat.xlsx:
        from reports.xlsx import write_table

        if output is None:
            raise UserError("--output: 导出 xlsx 时必须指定输出文件，例如 -o 未能完整抓取.xlsx")
        write_table(output, "未能完整抓取", ["单位", "检查项目", "栏目", "页面地址", "原因", "页面声明条数", "实际读取条数"],
                    ([v.department_name, v.check_title, v.column_name or v.item or "栏目树", v.url or "",
                      v.reason_label, v.evidence.get("declared_total"), v.evidence.get("crawled")] for v in views),
                    widths=[22, 18, 20, 50, 30, 12, 12])
        out.print(f"已写出 {output}（{len(views)} 条）")
        return
    table = Table(title=f"未能完整抓取（{len(views)} 项，不是问题）", show_lines=False)
    for col in ("单位", "检查项目", "栏目或事项", "原因"):
        table.add_column(col, overflow="fold")
    for v in views:
        table.add_row(v.department_name, v.check_title, v.column_name or v.item or "栏目树", v.reason_label)
    out.print(table)


@report_app.command("html")
def report_html(output: Path = typer.Option(Path("report.html"), "--output", "-o", help="输出的 HTML 文件"),
                check_run: Optional[int] = typer.Option(None, "--check-run", help="检查批次（默认最近一次）")):
    """生成一次检查的 HTML 报告：各单位汇总与问题清单。"""
    from scheduler.jobs import report_job

    path = report_job(state.db, output, check_run_id=check_run)
    out.print(f"报告已生成：{path.resolve()}")


# --- demo ---------------------------------------------------------------------------------------------

@app.command()
def demo(output: Path = typer.Option(Path("zwgk-demo"), "--output", "-o", help="演示输出目录"),
         port: int = typer.Option(0, "--port", help="示例站点端口（0 = 自动选择空闲端口）")):
    """启动自带的示例城市站点，抓取、检查并生成报告（输出到 ./zwgk-demo/）。"""
    from scheduler.demo import run_demo

    run_demo(output, port=port, db=state.db, console=out)


# each area adds its commands to `app` / `report_app` in its own module
from scheduler import (cli_checks, cli_evidence, cli_health, cli_ops, cli_schedule, cli_spotcheck,  # noqa: E402,F401
                       cli_web)


# --- entry point --------------------------------------------------------------------------------------

def main() -> None:
    from sqlalchemy.exc import DatabaseError

    install_log_masking()
    try:
        app(standalone_mode=True)
    except (ConfigError, UserError, DatabaseURLError, NoCrawlError, _crawl_settings_error()) as exc:
        _fail(str(exc), 2)
    except DatabaseError as exc:  # not a database, locked, unreachable, a table missing…
        reason = (str(exc.orig).strip().splitlines() or [type(exc.orig).__name__])[0]
        if "not a database" in reason or "malformed" in reason:
            reason = "该文件不是 SQLite 数据库（或已损坏）"
        _fail(f"数据库不可用（{database_url(state.db)}）：{reason}", 2)
    except KeyboardInterrupt:
        _fail("已中断", 130)


def _crawl_settings_error() -> type[Exception]:
    from crawler.config import CrawlSettingsError

    return CrawlSettingsError


def _fail(message: str, code: int) -> None:
    if os.environ.get("ZWGK_DEBUG"):
        raise
    err.print(f"[red]错误：[/red]{term(message)}", highlight=False, soft_wrap=True)
    sys.exit(code)


if __name__ == "__main__":
    # run through the imported module: the command modules register on scheduler.cli.app, not on __main__
    from scheduler.cli import main as _main

    _main()
