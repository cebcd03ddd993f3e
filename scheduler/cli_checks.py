"""`zwgk catalog import` (Excel 标准目录 → catalog YAML) and `zwgk score` (evaluation scores and verdicts);
added to the app defined in scheduler.cli."""
from __future__ import annotations

import json
import sys
from enum import Enum
from pathlib import Path
from typing import Optional

import typer
from rich.table import Table
from sqlalchemy import select

from scheduler.cli import UserError, _as_of, app, err, out, state
from store.registry import load_catalog, load_registry

catalog_app = typer.Typer(help="政务公开目录：从 Excel 标准目录导入。", no_args_is_help=True)
app.add_typer(catalog_app, name="catalog")


@catalog_app.command("import")
def catalog_import(source: Path = typer.Argument(..., help="标准目录 Excel 文件（.xlsx）"),
                   output: Path = typer.Option(Path("catalog.yaml"), "--output", "-o", help="写出的目录 YAML"),
                   catalog_id: Optional[str] = typer.Option(None, "--id", help="目录编号（默认取文件名）"),
                   name: Optional[str] = typer.Option(None, "--name", help="目录名称"),
                   level: Optional[str] = typer.Option(None, "--level", help="只导入公开层级含此层级的事项，如 县级、乡级"),
                   force: bool = typer.Option(False, "--force", help="覆盖已存在的输出文件")):
    """读取标准目录表（公开事项/公开内容/公开依据/公开时限/…），把公开时限转换为检查规则，写出目录 YAML。"""
    from checks.catalog_import import import_catalog

    if output.exists() and not force:
        raise UserError(f"{output}: 文件已存在；如需覆盖请加 --force")
    result = import_catalog(source, catalog_id=catalog_id, name=name, level=level)
    output.write_text(result.text, encoding="utf-8")
    catalog = load_catalog(output)  # what we write must itself validate
    ruled = sum(1 for i in catalog.items if i.publish_within_workdays or i.stale_after_days)
    out.print(f"已写出 {output}：目录“{catalog.name}”（编号 {catalog.id}），{len(catalog.items)} 个主动公开事项，"
              f"其中 {ruled} 个设有时限规则")
    for line in result.skipped[:10]:
        out.print(f"  未导入 {line}")
    if len(result.skipped) > 10:
        out.print(f"  另有 {len(result.skipped) - 10} 行未导入")
    for line in result.unread[:10]:
        out.print(f"  [yellow]公开时限未能转换为规则[/yellow] {line}")


class ScoreFormat(str, Enum):
    table = "table"
    json = "json"


@app.command()
def score(sites: Optional[Path] = typer.Argument(None, help="sites.yaml 路径：对其最近一次抓取评分"),
          check_run: Optional[int] = typer.Option(None, "--check-run", help="对指定的检查批次评分"),
          as_of: Optional[str] = typer.Option(None, "--as-of", help="评分基准日 YYYY-MM-DD（默认今天；无此基准日的检查结果时先运行检查）"),
          indicators: Optional[Path] = typer.Option(None, "--indicators", help="评分指标文件（默认国办秘函〔2019〕19号模型）"),
          fmt: ScoreFormat = typer.Option(ScoreFormat.table, "--format", "-f", help="table | json"),
          allow_partial: bool = typer.Option(False, "--allow-partial",
                                             help="也对部分检查（抽查轮次、部分单位或部分检查项）评分，并注明")):
    """按评分指标给各单位打分，输出得分和结论（合格/不合格）。"""
    from checks.runner import latest_run
    from checks.scoring import load_indicators, score_check_run
    from scheduler.jobs import check_job, find_check_run, open_session
    from store import clock
    from store import models as m

    if (sites is None) == (check_run is None):
        raise UserError("请指定 sites.yaml 或 --check-run 其中之一")
    if check_run is not None and as_of is not None:
        raise UserError("--as-of: 仅在指定 sites.yaml 时使用；检查批次的基准日已在检查时确定")
    spec = load_indicators(indicators)
    if sites is not None:
        registry = load_registry(sites)
        day = _as_of(as_of) or clock.today()
        with open_session(state.db) as session:
            crawl = latest_run(session, sites_hash=registry.sha256)
            found = session.scalars(select(m.CheckRun.id).where(
                m.CheckRun.crawl_run_id == crawl.id, m.CheckRun.as_of == day, m.CheckRun.finished_at.is_not(None))
                .order_by(m.CheckRun.id.desc())
            ).first() if crawl else None
        if found is None:
            check_run = check_job(registry, state.db, as_of=day).check_run_id
            err.print(f"已按基准日 {day} 对最近一次抓取运行检查（检查批次 #{check_run}）")
        else:
            check_run = found
    from reports.context import run_scope

    with open_session(state.db) as session:
        run = find_check_run(session, check_run)
        scope = run_scope(session, run)
        if scope.partial and not allow_partial:
            # a run of 4 drawn checks over 4 departments would give everyone else 100 points
            raise UserError(f"{scope.line()}：不是全面检查，得分不能代表评估结果；"
                            "请对完整检查评分，确需计算时加 --allow-partial")
        scores = score_check_run(session, run, spec)
        as_of_day = run.as_of
    err.print(scope.line() + ("；部分检查，得分只反映已检查的内容" if scope.partial else ""), highlight=False,
              soft_wrap=True)
    if fmt is ScoreFormat.json:
        sys.stdout.write(json.dumps([{
            "department": s.department, "name": s.name, "score": s.score, "passed": s.passed, "verdict": s.verdict,
            "vetoes": list(s.vetoes), "by_indicator": s.by_indicator, "partial": scope.partial,
            "deductions": [d.__dict__ for d in s.deductions]} for s in scores], ensure_ascii=False, indent=2) + "\n")
        return
    names = {i.id: i.name for i in spec.indicators}
    table = Table(title=f"{spec.name}：评分结果（检查批次 #{check_run}，基准日 {as_of_day}，满分 {spec.full_score:g}，"
                        f"{spec.pass_score:g} 分及以上且无否决项为合格）" + ("【部分检查】" if scope.partial else ""))
    for col, justify in (("单位", "left"), ("得分", "right"), ("结论", "center"), ("单项否决", "left"), ("扣分", "left")):
        table.add_column(col, justify=justify, overflow="fold")
    for s in scores:
        lost = "，".join(f"{names[k]} −{v:g}" for k, v in s.by_indicator.items() if v) or "—"
        verdict = f"[green]{s.verdict}[/green]" if s.passed else f"[red]{s.verdict}[/red]"
        table.add_row(s.name, f"{s.score:g}", verdict, "；".join(s.vetoes) or "—", lost)
    out.print(table)
