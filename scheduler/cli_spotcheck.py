"""`zwgk spotcheck …` (三随机 draws, rounds, rectification) and `zwgk report bulletin|self|evaluation`."""
from __future__ import annotations

import json
from contextlib import contextmanager
from datetime import date
from enum import Enum
from pathlib import Path
from typing import Optional

import typer

from scheduler.cli import UserError, app, err, out, report_app, state
from scheduler.cli_console import term

spotcheck_app = typer.Typer(help="“三随机”抽查：随机抽取、执行、复查、整改状态。", no_args_is_help=True)
app.add_typer(spotcheck_app, name="spotcheck")


@contextmanager
def _user_errors():
    """Spot-check refusals are user mistakes: one Chinese line, exit code 2."""
    from scheduler.jobs_spotcheck import SpotcheckError
    from store.models_spotcheck import ImmutableRecordError, StatusChangeError

    try:
        yield
    except (SpotcheckError, StatusChangeError, ImmutableRecordError) as exc:
        raise UserError(str(exc)) from None


def _say(text: str, *, error: bool = False) -> None:
    """One line as is: no wrapping (hashes and addresses are copied from it), no colouring of numbers."""
    (err if error else out).print(term(text), highlight=False, soft_wrap=True)


def _date(option: str, value: Optional[str]) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise UserError(f"{option}: 日期格式应为 YYYY-MM-DD（实际为 {value!r}）") from None


@spotcheck_app.command("draw")
def spotcheck_draw(
        sites: Path = typer.Argument(..., help="sites.yaml 路径（抽取范围：名录中的全部单位）"),
        count: Optional[int] = typer.Option(None, "--count", help="抽取单位数"),
        share: Optional[float] = typer.Option(None, "--share", help="抽取比例（0–1，默认 0.3），按单位类型分层"),
        exclude_last: int = typer.Option(0, "--exclude-last", help="排除最近 K 期已被抽中的单位"),
        window_start: Optional[str] = typer.Option(None, "--window-start", help="执行时间窗口起始日 YYYY-MM-DD（默认明天）"),
        window_days: int = typer.Option(10, "--window-days", help="执行时间窗口的工作日数"),
        checklist: Optional[Path] = typer.Option(None, "--checklist", help="抽查内容清单（默认柳政办〔2018〕142号附件4）"),
        documents: int = typer.Option(3, "--documents", help="每个单位随机抽取供人工核查的信息条数"),
        columns: int = typer.Option(2, "--columns", help="每个单位随机抽取供人工核查的栏目数"),
        items: Optional[int] = typer.Option(None, "--items", help="抽取的抽查内容项数（默认按清单 draw_items）"),
        as_json: bool = typer.Option(False, "--json", help="以 JSON 输出 id、commitment、scheduled_at、departments、items")):
    """随机抽取被抽查单位、抽查内容和执行时间；抽取前先公布抽取范围的校验值。"""
    from scheduler.jobs_spotcheck import draw_job

    if count is not None and share is not None:
        raise UserError("--count 与 --share 只能指定其一")
    if count is not None and count < 1:
        raise UserError("--count: 应为不小于 1 的整数")
    if share is not None and not 0 < share <= 1:
        raise UserError(f"--share: 应为大于 0、不大于 1 的小数（实际为 {share}）")
    for option, value, low in (("--exclude-last", exclude_last, 0), ("--window-days", window_days, 1),
                               ("--documents", documents, 0), ("--columns", columns, 0), ("--items", items or 1, 1)):
        if value < low:
            raise UserError(f"{option}: 应为不小于 {low} 的整数")

    def announce(commitment: str) -> None:
        if not as_json:
            _say(f"抽取范围校验值（SHA-256，抽取随机种子之前计算）：{commitment}")

    with _user_errors():
        summary = draw_job(state.db, sites, count=count, share=share, exclude_last=exclude_last,
                           window_start=_date("--window-start", window_start), window_days=window_days,
                           checklist=checklist, documents=documents, columns=columns, items=items,
                           on_commitment=announce)
    if as_json:
        typer.echo(json.dumps(summary.as_json(), ensure_ascii=False))
        return
    excluded = f"（已排除最近抽中的 {len(summary.excluded)} 个单位）" if summary.excluded else ""
    _say(f"抽取记录 #{summary.id}：从 {summary.frame_size} 个单位中抽中 {len(summary.departments)} 个{excluded}："
         f"{'、'.join(summary.departments)}；抽查内容第 {'、'.join(map(str, summary.items))} 项；"
         f"执行时间 {summary.scheduled_at}（不向被抽查单位公开）")
    _say(f"复核：zwgk spotcheck verify {summary.id}")


@spotcheck_app.command("show")
def spotcheck_show(draw_id: int = typer.Argument(..., help="抽取记录编号"),
                   as_json: bool = typer.Option(False, "--json", help="输出完整记录（JSON）")):
    """显示一次抽取的完整记录：抽取范围、算法、随机种子、结果。"""
    from scheduler.jobs import open_session
    from scheduler.jobs_spotcheck import get_draw
    from store.models_spotcheck import SpotcheckRound

    with _user_errors(), open_session(state.db) as session:
        draw = get_draw(session, draw_id)
        done = session.query(SpotcheckRound).filter(SpotcheckRound.draw_id == draw_id).first()
        record = {"id": draw.id, "created_at": draw.created_at.isoformat(sep=" "),
                  "committed_at": draw.committed_at.isoformat(sep=" "), "commitment": draw.commitment,
                  "algorithm": f"{draw.algorithm} {draw.algorithm_version}", "seed": draw.seed,
                  "frame": draw.frame, "result": draw.result,
                  "round": None if done is None else {"id": done.id, "year": done.year, "period": done.period,
                                                      "status": done.status, "samples": done.samples}}
    if as_json:
        typer.echo(json.dumps(record, ensure_ascii=False, indent=2))
        return
    frame, result = record["frame"], record["result"]
    names = {d["id"]: d["name"] for d in frame["departments"]}
    items = {i["number"]: i["name"] for i in frame["checklist"]["items"]}
    done = record["round"]
    lines = [
        f"抽取记录 #{record['id']}（{record['algorithm']}）  校验值公布：{record['committed_at']}  抽取：{record['created_at']}",
        f"抽取范围校验值：{record['commitment']}",
        f"随机种子：{record['seed']}",
        f"抽取范围：{frame['region']} {len(frame['departments'])} 个单位（名录 {frame['sites_file']}，"
        f"SHA-256 {frame['sites_sha256'][:16]}…，截至 {frame['as_of']}）",
        "抽中单位：" + "、".join(f"{names.get(d, d)}（{d}）" for d in result["departments"]),
        "抽查内容：" + "；".join(f"{n}. {items.get(n, '')}" for n in result["items"]),
        f"执行时间：{result['scheduled_at']}",
        "执行情况：" + ("尚未执行" if done is None else f"{done['year']}年第{done['period']}期（轮次 #{done['id']}，{done['status']}）"),
    ]
    for dept, pages in ((done or {}).get("samples") or {}).items():
        picked = [f"{p['title']} {p['url']}" for p in pages["documents"]] + [f"栏目“{p['name']}” {p['url']}"
                                                                          for p in pages["columns"]]
        lines.append(f"人工核查样本（{names.get(dept, dept)}）：" + "；".join(picked))
    for line in lines:
        _say(line)


@spotcheck_app.command("verify")
def spotcheck_verify(draw_id: int = typer.Argument(..., help="抽取记录编号")):
    """按留存的记录重新计算抽取结果，核对是否一致（不一致时退出码为 1）。"""
    from scheduler.jobs_spotcheck import verify_job

    with _user_errors():
        v = verify_job(state.db, draw_id)
    if v.ok:
        _say(f"一致：抽取记录 #{draw_id} 的校验值 {v.expected_commitment} 与抽取范围相符，"
             f"按记录重新计算的抽取结果与留存结果相同。")
        return
    _say(f"不一致：抽取记录 #{draw_id}：" + "；".join(v.differences))
    raise typer.Exit(1)


@spotcheck_app.command("run")
def spotcheck_run(draw_id: int = typer.Argument(..., help="抽取记录编号"),
                  fast: bool = typer.Option(False, "--fast", help="不限速抓取（仅用于本机示例站点和测试）"),
                  screenshots: bool = typer.Option(True, "--screenshots/--no-screenshots",
                                                   help="为问题页面截图留存（默认截图，最多 50 个页面）")):
    """执行一次抽取：抓取被抽中单位，运行被抽中的检查项，保存本期抽查结果，并为问题页面截图。"""
    from scheduler.jobs_spotcheck import run_round_job

    with _user_errors():
        r = run_round_job(state.db, draw_id, fast=fast, screenshots=screenshots)
    missing = f"；以下检查项尚未实现，本期未检查：{'、'.join(r.unavailable)}" if r.unavailable else ""
    _say(f"{r.year}年第{r.period}期抽查（轮次 #{r.round_id}）已完成：抓取批次 #{r.crawl_run_id}，"
         f"检查批次 #{r.check_run_id if r.check_run_id else '无（本期仅人工核查）'}，发现问题 {r.findings} 个{missing}")
    if r.screenshots:
        _say(r.screenshots)


@spotcheck_app.command("recheck")
def spotcheck_recheck(round_id: int = typer.Argument(..., help="抽查轮次编号"),
                      fast: bool = typer.Option(False, "--fast", help="不限速抓取（仅用于本机示例站点和测试）")):
    """复查：重新抓取、检查仍未整改的问题，已整改的标记为 rectified。"""
    from scheduler.jobs_spotcheck import recheck_job

    with _user_errors():
        r = recheck_job(state.db, round_id, fast=fast)
    _say(f"复查 #{r.recheck_id} 完成：已整改 {len(r.closed)} 个，仍未整改 {len(r.still_open)} 个")


class NewStatus(str, Enum):
    rectified = "rectified"
    disputed = "disputed"
    accepted = "accepted"


@spotcheck_app.command("status")
def spotcheck_status(finding_id: int = typer.Argument(..., help="问题编号"),
                     status: NewStatus = typer.Argument(..., help="rectified（已整改）| disputed（有异议）| accepted（说明已采纳）"),
                     reason: str = typer.Option(..., "--reason", help="理由"),
                     by: str = typer.Option(..., "--by", help="经办人")):
    """记录问题的整改状态变更（理由、经办人、时间）。"""
    from scheduler.jobs_spotcheck import set_status_job

    with _user_errors():
        change = set_status_job(state.db, finding_id, status.value, reason=reason, by=by)
    _say(f"问题 #{finding_id}：{change.old_status} → {change.new_status}（{change.by}，{change.at}）")


@spotcheck_app.command("record")
def spotcheck_record(round_id: int = typer.Argument(..., help="抽查轮次编号"),
                     department: str = typer.Option(..., "--department", "-d", help="单位编号"),
                     item: int = typer.Option(..., "--item", help="抽查内容序号（人工核查项）"),
                     value: str = typer.Option(..., "--value", help="核查情况"),
                     problem: bool = typer.Option(False, "--problem", help="核查发现问题（写入通报）"),
                     by: str = typer.Option(..., "--by", help="检查人员")):
    """填写人工核查项的核查情况。"""
    from scheduler.jobs_spotcheck import record_manual_job

    with _user_errors():
        entry = record_manual_job(state.db, round_id, department, item, value, problem=problem, by=by)
    _say(f"已记录：轮次 #{round_id} {department} 第{item}项（{entry.field}）")


# --- reports ----------------------------------------------------------------------------------------

def _print_files(files) -> None:
    for path in files.paths():
        _say(f"已写出 {path.resolve()}")
    if files.pdf_error:
        _say(f"PDF 未生成：{files.pdf_error}", error=True)
        raise typer.Exit(1)


@report_app.command("bulletin")
def report_bulletin(round_id: int = typer.Argument(..., help="抽查轮次编号（zwgk spotcheck run 输出的轮次 #）"),
                    output: Path = typer.Option(Path("."), "--output", "-o", help="输出目录"),
                    issuer: Optional[str] = typer.Option(None, "--issuer", help="发文机关（默认“<地区>一服务两公开领导小组办公室”）"),
                    deadline: int = typer.Option(10, "--deadline", help="整改期限（工作日）"),
                    issued_on: Optional[str] = typer.Option(None, "--date", help="成文日期 YYYY-MM-DD（默认今天）")):
    """生成“三随机”抽查通报：DOCX（公文格式）、PDF、HTML 和 XLSX 问题清单。"""
    from reports.bulletin_context import BulletinSettings
    from scheduler.jobs_spotcheck import bulletin_job

    if deadline < 1:
        raise UserError("--deadline: 应为不小于 1 的整数（工作日）")
    settings = BulletinSettings(issuer=issuer, deadline_workdays=deadline, issued_on=_date("--date", issued_on))
    with _user_errors():
        files = bulletin_job(state.db, round_id, output, settings)
    _print_files(files)


def _check_run(session, check_run_id: int | None, department: str | None = None):
    """The check run asked for, else the latest regular audit (covering the department, when one is named)."""
    from reports.selfcheck import latest_audit_run
    from scheduler.jobs import find_check_run
    from store import models as m

    if check_run_id is not None:
        found = find_check_run(session, check_run_id)
        if department is not None and department not in (session.get(m.CrawlRun, found.crawl_run_id).departments or []):
            raise UserError(f"--check-run: 检查批次 #{found.id} 不包含单位 {department!r}")
        return found
    found = latest_audit_run(session, department)
    if found is None:
        whom = f"包含单位 {department!r} 的" if department else ""
        raise UserError(f"还没有{whom}检查结果，请先运行 zwgk crawl 和 zwgk check")
    return found


@report_app.command("self")
def report_self(department: str = typer.Option(..., "--department", "-d", help="单位编号"),
                output: Path = typer.Option(Path("."), "--output", "-o", help="输出目录"),
                check_run: Optional[int] = typer.Option(None, "--check-run", help="检查批次（默认包含该单位的最近一次）"),
                indicators: Optional[Path] = typer.Option(None, "--indicators", help="评分指标文件（默认国办秘函〔2019〕19号）")):
    """生成单位自查报告（DOCX、HTML）：发现的问题、整改措施和评分。"""
    from checks.scoring import load_indicators
    from reports.selfcheck import selfcheck_context, write_selfcheck
    from scheduler.jobs import open_session
    from store import models as m

    spec = load_indicators(indicators)
    with open_session(state.db) as session:
        if session.get(m.Department, department) is None:
            raise UserError(f"--department: 没有编号为 {department!r} 的单位（先用 zwgk crawl 导入名录）")
        ctx = selfcheck_context(session, _check_run(session, check_run, department), department, spec)
    _print_files(write_selfcheck(ctx, output))


@report_app.command("evaluation")
def report_evaluation(output: Path = typer.Option(Path("."), "--output", "-o", help="输出目录"),
                      check_run: Optional[int] = typer.Option(None, "--check-run", help="检查批次（默认最近一次）"),
                      previous: Optional[int] = typer.Option(None, "--previous", help="上期检查批次（默认自动选取）"),
                      indicators: Optional[Path] = typer.Option(None, "--indicators", help="评分指标文件（默认国办秘函〔2019〕19号）")):
    """生成评估报告（DOCX、HTML）：分指标、分单位得分，排名，合格率，与上期比较，每处扣分的证据。"""
    from checks.scoring import load_indicators
    from reports.evaluation import evaluation_context, previous_check_run, write_evaluation
    from scheduler.jobs import find_check_run, open_session

    spec = load_indicators(indicators)
    with open_session(state.db) as session:
        current = _check_run(session, check_run)
        before = find_check_run(session, previous) if previous is not None else previous_check_run(session, current)
        ctx = evaluation_context(session, current, spec, before)
    _print_files(write_evaluation(ctx, output))
