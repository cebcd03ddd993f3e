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


def _draw_options(count, share, exclude_last, window_days, documents, columns, items) -> None:
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


_COUNT = typer.Option(None, "--count", help="抽取单位数")
_SHARE = typer.Option(None, "--share", help="抽取比例（0–1，默认 0.3），按单位类型分层，每类至少 1 个")
_EXCLUDE = typer.Option(0, "--exclude-last", help="排除最近 K 期已执行抽查的单位")
_WSTART = typer.Option(None, "--window-start", help="执行时间窗口起始日 YYYY-MM-DD（默认明天）")
_WDAYS = typer.Option(10, "--window-days", help="执行时间窗口的工作日数")
_CHECKLIST = typer.Option(None, "--checklist", help="抽查内容清单（默认柳政办〔2018〕142号附件4）")
_DOCS = typer.Option(3, "--documents", help="每个单位随机抽取供人工核查的信息条数")
_COLS = typer.Option(2, "--columns", help="每个单位随机抽取供人工核查的栏目数")
_ITEMS = typer.Option(None, "--items", help="抽取的抽查内容项数（默认按清单 draw_items）")


@spotcheck_app.command("announce")
def spotcheck_announce(
        sites: Path = typer.Argument(..., help="sites.yaml 路径（抽取范围：名录中的全部单位）"),
        public_source: str = typer.Option(..., "--public-source",
                                          help="抽取时采用的公开随机数，须在公告之后产生，如“中国福利彩票双色球第2026141期开奖号码”"),
        out_dir: Path = typer.Option(Path("."), "-o", "--out", help="公告（DOCX、HTML）和抽取范围文件（JSON）的输出目录"),
        secret_file: Optional[Path] = typer.Option(None, "--secret-file",
                                                   help="封存密钥写入的文件（默认 抽查密钥_公告N.txt，仅本人可读）"),
        issuer: Optional[str] = typer.Option(None, "--issuer", help="发布机关（默认“<地区>一服务两公开领导小组办公室”）"),
        count: Optional[int] = _COUNT, share: Optional[float] = _SHARE, exclude_last: int = _EXCLUDE,
        window_start: Optional[str] = _WSTART, window_days: int = _WDAYS, checklist: Optional[Path] = _CHECKLIST,
        documents: int = _DOCS, columns: int = _COLS, items: Optional[int] = _ITEMS):
    """抽取前公告：固定抽取范围并计算校验值，指定今后产生的公开随机数，生成待公布的公告和封存的密钥。"""
    import os

    from reports.announcement import write_announcement
    from scheduler.jobs_spotcheck import announce_job
    from store import clock

    _draw_options(count, share, exclude_last, window_days, documents, columns, items)
    if secret_file is not None and secret_file.exists():
        raise UserError(f"--secret-file: {secret_file} 已存在，不覆盖已封存的密钥；请指定新的文件")
    with _user_errors():
        summary = announce_job(state.db, sites, public_source=public_source, count=count, share=share,
                               exclude_last=exclude_last, window_start=_date("--window-start", window_start),
                               window_days=window_days, checklist=checklist, documents=documents, columns=columns,
                               items=items)
    secret_path = secret_file or Path(f"抽查密钥_公告{summary.id}.txt")
    try:
        fd = os.open(secret_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(summary.secret + "\n")
    except OSError as exc:
        raise UserError(f"{secret_path}: 无法写入密钥文件（{exc.strerror or exc}）；公告 #{summary.id} 已保存，"
                        f"密钥为 {summary.secret}，请立即抄录封存") from None
    from scheduler.jobs import open_session
    from store.models_spotcheck import SpotcheckAnnouncement

    with open_session(state.db) as session:
        record = session.get(SpotcheckAnnouncement, summary.id)
        files = write_announcement(summary.id, record.frame, record.commitment, clock.today(), out_dir, issuer)
    _say(f"抽查公告 #{summary.id}：抽取范围 {summary.frame_size} 个单位；公开随机数：{summary.public_source}")
    _say(f"抽取范围校验值（SHA-256）：{summary.commitment}")
    _say(f"待公布：{files.docx}、{files.html}、{files.frame}")
    _say(f"密钥已写入 {secret_path}（请封存，抽取时揭示；在此之前不得公开）")
    _say(f"开奖后抽取：zwgk spotcheck draw --announcement {summary.id} --public-value \"开奖号码\" "
         f"--secret-file {secret_path}")


@spotcheck_app.command("draw")
def spotcheck_draw(
        sites: Optional[Path] = typer.Argument(None, help="sites.yaml 路径：不经公告直接抽取（仅供内部或定时任务）"),
        announcement: Optional[int] = typer.Option(None, "--announcement", help="按已公布的抽查公告编号抽取"),
        public_value: Optional[str] = typer.Option(None, "--public-value", help="公告指定的公开随机数（按公布原样）"),
        secret: Optional[str] = typer.Option(None, "--secret", help="公告时封存的密钥"),
        secret_file: Optional[Path] = typer.Option(None, "--secret-file", help="封存密钥所在文件"),
        count: Optional[int] = _COUNT, share: Optional[float] = _SHARE, exclude_last: int = _EXCLUDE,
        window_start: Optional[str] = _WSTART, window_days: int = _WDAYS, checklist: Optional[Path] = _CHECKLIST,
        documents: int = _DOCS, columns: int = _COLS, items: Optional[int] = _ITEMS,
        as_json: bool = typer.Option(False, "--json", help="以 JSON 输出 id、commitment、scheduled_at、departments、items")):
    """随机抽取被抽查单位、抽查内容和执行时间：按公告（--announcement）抽取，或不经公告直接抽取。"""
    from scheduler.jobs_spotcheck import draw_announced_job, draw_job

    if announcement is not None:
        if sites is not None:
            raise UserError("按公告抽取时不再指定 sites.yaml：抽取范围已在公告中固定")
        if secret is None and secret_file is None:
            raise UserError("--secret 或 --secret-file: 须揭示公告时封存的密钥")
        if secret is None:
            try:
                secret = secret_file.read_text(encoding="utf-8").strip()
            except (OSError, UnicodeDecodeError) as exc:
                raise UserError(f"{secret_file}: 无法读取密钥文件（{getattr(exc, 'strerror', None) or exc}）") from None
        with _user_errors():
            summary = draw_announced_job(state.db, announcement, public_value=public_value or "", secret=secret)
    else:
        if sites is None:
            raise UserError("须指定 sites.yaml，或以 --announcement 按公告抽取")
        if public_value is not None or secret is not None or secret_file is not None:
            raise UserError("--public-value、--secret 只用于按公告抽取（--announcement）")
        _draw_options(count, share, exclude_last, window_days, documents, columns, items)

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
    excluded = f"（已排除最近抽查过的 {len(summary.excluded)} 个单位）" if summary.excluded else ""
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
                  "announcement": draw.announcement_id, "public_value": draw.public_value, "secret": draw.secret,
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
        f"随机种子：{record['seed']}" + ("" if record["secret"] is None else
                                        f"（= SHA-256(校验值|公开随机数|密钥)，公开随机数：{record['public_value'] or '无（未经公告）'}，"
                                        f"密钥：{record['secret']}）"),
        "抽取依据：" + (f"抽查公告 #{record['announcement']}" if record["announcement"] else "未经公告的内部抽取"),
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
                                                   help="为问题页面截图留存（默认截图，最多 50 个页面）"),
                  now: bool = typer.Option(False, "--now", help="在随机确定的执行时间之前立即执行（须同时说明 --reason）"),
                  reason: Optional[str] = typer.Option(None, "--reason", help="提前执行的原因（通报如实载明）")):
    """执行一次抽取：到随机确定的执行时间后（定时任务会按时执行），抓取被抽中单位，运行被抽中的检查项，
    保存本期抽查结果，并为问题页面截图。"""
    from scheduler.jobs_spotcheck import run_round_job

    if now and not (reason and reason.strip()):
        raise UserError("--now: 提前执行须用 --reason 说明原因")
    if reason and not now:
        raise UserError("--reason 只与 --now 一起使用")
    with _user_errors():
        r = run_round_job(state.db, draw_id, fast=fast, screenshots=screenshots, early_reason=reason if now else None)
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
                    issued_on: Optional[str] = typer.Option(None, "--date", help="成文日期 YYYY-MM-DD（默认今天）"),
                    allow_pending: bool = typer.Option(False, "--allow-pending",
                                                       help="人工核查内容尚未全部记录时仍生成通报，并注明“待核查”")):
    """生成“三随机”抽查通报：DOCX（公文格式）、PDF、HTML 和 XLSX 问题清单。"""
    from reports.bulletin_context import BulletinSettings
    from scheduler.jobs_spotcheck import bulletin_job

    if deadline < 1:
        raise UserError("--deadline: 应为不小于 1 的整数（工作日）")
    settings = BulletinSettings(issuer=issuer, deadline_workdays=deadline, issued_on=_date("--date", issued_on))
    with _user_errors():
        files = bulletin_job(state.db, round_id, output, settings, allow_pending=allow_pending)
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
