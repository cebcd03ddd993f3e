"""A department's self-check (自查) report before it submits its 自查报告: its findings, what to fix and how,
and its score against the indicator file, as DOCX and HTML. Plain data from the store, then wording."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from checks.registry import all_checks
from checks.scoring import DepartmentScore, Indicators, score_check_run
from reports.bulletin import WrittenFiles, write_document
from reports.bulletin_blocks import (Annex, Document, Heading, Para, Table, cn_date, readable_url, readable_urls,
                                     without_category)
from reports.bulletin_text import cn_number
from reports.context import FindingView, finding_views
from reports.html import STATUS_LABELS
from store import clock
from store import models as m
from store.models_spotcheck import SpotcheckRecheck, SpotcheckRound


@dataclass(frozen=True)
class SelfCheckContext:
    department: str
    name: str
    region: str
    check_run_id: int
    crawled_at: datetime
    as_of: date
    counts: dict[str, int]  # columns, documents, links
    results: dict[str, dict]  # check id → {"status", "findings"}
    titles: dict[str, str]
    findings: tuple[FindingView, ...]
    score: DepartmentScore
    indicators: Indicators
    issued_on: date

    @property
    def points(self) -> dict[int, float]:
        """Points deducted per finding (0 once its indicator's cap is reached)."""
        return {d.finding_id: d.points for d in self.score.deductions}


def selfcheck_context(session: Session, check_run: m.CheckRun, department: str, indicators: Indicators,
                      issued_on: date | None = None) -> SelfCheckContext:
    dept = session.get(m.Department, department)
    crawl = session.get(m.CrawlRun, check_run.crawl_run_id)
    score = next(s for s in score_check_run(session, check_run, indicators) if s.department == department)

    def count(model, column) -> int:
        return session.scalar(select(func.count(func.distinct(column))).where(
            model.run_id == crawl.id, model.department_id == department)) or 0

    return SelfCheckContext(
        department=department, name=dept.name if dept else department, region=(dept.region if dept else "") or "",
        check_run_id=check_run.id, crawled_at=crawl.started_at, as_of=check_run.as_of,
        counts={"columns": count(m.Column, m.Column.url), "documents": count(m.Document, m.Document.url),
                "links": count(m.Link, m.Link.target_url)},
        results=dict(check_run.results or {}), titles={cid: cls.title() for cid, cls in all_checks().items()},
        findings=tuple(finding_views(session, check_run, department=department)), score=score,
        indicators=indicators, issued_on=issued_on or clock.today())


def compose_selfcheck(ctx: SelfCheckContext) -> Document:
    office = f"{ctx.region}一服务两公开领导小组办公室" if ctx.region else "一服务两公开领导小组办公室"
    found = Counter(f.check for f in ctx.findings)
    # a check that ran judged this department: FAIL for it only when it found something here
    status = {cid: ("FAIL" if found[cid] else "PASS") if r.get("status") in ("PASS", "FAIL") else r.get("status")
              for cid, r in ctx.results.items()}
    verdict = Counter(status.values())
    basics = (f"我单位于{cn_date(ctx.crawled_at)}使用政务公开专栏自动检查工具，对本单位政府信息公开专栏进行了自查，"
              f"检查基准日为{cn_date(ctx.as_of)}。共检查栏目{ctx.counts['columns']}个、信息{ctx.counts['documents']}条、"
              f"链接{ctx.counts['links']}个；检查项目{len(status)}项，其中通过{verdict.get('PASS', 0)}项、"
              f"发现问题{verdict.get('FAIL', 0)}项，未检查（无数据）{verdict.get('SKIPPED', 0)}项"
              + (f"，检查出错{verdict['ERROR']}项" if verdict.get("ERROR") else "") + "，各项结果见下表。")
    checks = Table(("检查项目", "结果", "问题数"), tuple(
        (ctx.titles.get(c, c), STATUS_LABELS.get(st, st), str(found[c])) for c, st in status.items()), (6, 3, 1.5))
    body = [Para(f"根据{office}关于开展政务公开自查的要求，现将我单位政府信息公开专栏自查情况报告如下："),
            Heading("一、自查基本情况"), Para(basics), checks, Heading("二、发现的问题及整改措施")]
    body += _problems(ctx) or [Para("本次自查未发现问题。")]
    body += [Heading("三、评分情况"), *_score(ctx), Heading("四、下一步工作"),
             Para("对自查发现的问题，我单位将逐项落实整改，整改完成后重新检查确认，并将整改情况随自查报告一并报送。"
                  "同时建立专栏日常巡查机制，确保栏目设置规范、信息发布及时、链接有效可用。")]
    return Document(title=f"{ctx.name}关于政府信息公开专栏自查情况的报告", body=tuple(body), addressees=f"{office}：",
                    signature=ctx.name, signed_on=ctx.issued_on,
                    annexes=(Annex("附件", "自查问题明细表", _detail(ctx)),))


def _problems(ctx: SelfCheckContext) -> list:
    by_check: dict[str, list[FindingView]] = {}
    for f in ctx.findings:
        by_check.setdefault(f.check, []).append(f)
    blocks: list = []
    for i, (check, items) in enumerate(sorted(by_check.items(), key=lambda kv: -len(kv[1])), start=1):
        blocks.append(Heading(f"（{cn_number(i)}）{items[0].check_title}（{len(items)}个）", level=2))
        fixes = list(dict.fromkeys(own_voice(f.fix) for f in items if f.fix))
        for j, f in enumerate(items, start=1):
            blocks.append(Para(readable_urls(without_category(f.message, f.check_title)), lead=f"{j}. "))
        if fixes:
            blocks.append(Para("我单位将" + "；".join(f.rstrip("。") for f in fixes) + "。", lead="整改措施："))
    return blocks


_ADDRESSED = ("请你单位", "请贵单位", "请各单位", "请")


def own_voice(fix: str) -> str:
    """整改建议 are written to the department ("请删除……"); in its own report the department says what it
    will do ("删除……"), so the request form is dropped."""
    text = fix.strip()
    for lead in _ADDRESSED:
        if text.startswith(lead):
            return text[len(lead):].lstrip("，, ")
    return text


def _score(ctx: SelfCheckContext) -> list:
    s, spec = ctx.score, ctx.indicators
    text = (f"按照《{spec.name}》评分，本单位得分{s.score:g}分（满分{spec.full_score:g}分，{spec.pass_score:g}分合格），"
            f"评定为{s.verdict}")
    text += f"；触发单项否决：{'、'.join(s.vetoes)}。" if s.vetoes else "。"
    rows = tuple((ind.name, f"{ind.points:g}", f"{s.by_indicator.get(ind.id, 0):g}",
                  f"{ind.points - s.by_indicator.get(ind.id, 0):g}") for ind in spec.indicators)
    return [Para(text), Table(("指标", "分值", "扣分", "得分"), rows, (5, 1.5, 1.5, 1.5), caption="各指标得分")]


def _detail(ctx: SelfCheckContext) -> tuple:
    if not ctx.findings:
        return (Para("本次自查未发现问题。", align="center"),)
    points = ctx.points
    rows = tuple((str(i), f.check_title, readable_url(f.url) if f.url else "—", readable_urls(f.message), own_voice(f.fix),
                  f"{points.get(f.id, 0):g}") for i, f in enumerate(ctx.findings, start=1))
    return (Table(("序号", "问题类型", "页面地址", "问题描述", "整改措施", "扣分"), rows, (1.2, 2.5, 4.5, 5.5, 5, 1.3),
                  url_columns=(2,)),)


def write_selfcheck(ctx: SelfCheckContext, out_dir: str | Path) -> WrittenFiles:
    return write_document(compose_selfcheck(ctx), Path(out_dir), f"selfcheck_{ctx.department}_{ctx.as_of:%Y%m%d}")


def latest_audit_run(session: Session, department: str | None = None) -> m.CheckRun | None:
    """The most recent check run of a regular audit (not a spot-check round or re-check, which run only the
    drawn checks over a few departments) covering this department; any check run when there is none."""
    partial = {r for (r,) in session.execute(select(SpotcheckRound.check_run_id))} | {
        r for (r,) in session.execute(select(SpotcheckRecheck.check_run_id))}
    runs = session.execute(select(m.CheckRun, m.CrawlRun.departments).join(
        m.CrawlRun, m.CrawlRun.id == m.CheckRun.crawl_run_id).where(m.CheckRun.finished_at.is_not(None))
        .order_by(m.CheckRun.id.desc())).all()
    covering = [run for run, depts in runs if department is None or department in (depts or [])]
    return next((run for run in covering if run.id not in partial), covering[0] if covering else None)
