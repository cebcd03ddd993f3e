"""The evaluation report for third-party evaluators: scores by indicator and department, ranking, pass rate,
change since the previous period, and the evidence behind every deduction (截屏留存, detection time)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from checks.scoring import DepartmentScore, Indicators, score_check_run
from reports import charts
from reports.bulletin import WrittenFiles, write_document
from reports.bulletin_blocks import (Annex, Document, Figure, Heading, Para, Table, cn_date, percent, readable_url,
                                     readable_urls, without_category)
from reports.context import FindingView, finding_views
from reports.evidence_text import evidence_text
from store import clock
from store import models as m
from store.models_evidence import Screenshot


@dataclass(frozen=True)
class Ranked:
    rank: int
    score: DepartmentScore
    previous: float | None  # the same department's score in the previous period


@dataclass(frozen=True)
class EvaluationContext:
    region: str
    check_run_id: int
    as_of: date
    crawled_at: datetime
    previous_run_id: int | None
    previous_as_of: date | None
    indicators: Indicators
    ranked: tuple[Ranked, ...]
    findings: dict[int, FindingView]
    screenshots: dict[int, str]  # finding id → screenshot file
    issued_on: date

    @property
    def passed(self) -> int:
        return sum(1 for r in self.ranked if r.score.passed)


def previous_check_run(session: Session, check_run: m.CheckRun) -> m.CheckRun | None:
    """The previous period: the latest earlier check run that ran the same checks over at least one of the
    same departments (scores over different sets of checks are not comparable)."""
    crawl = session.get(m.CrawlRun, check_run.crawl_run_id)
    these, checks = set(crawl.departments or []), sorted(check_run.results or {})
    earlier = session.execute(select(m.CheckRun, m.CrawlRun.departments).join(
        m.CrawlRun, m.CrawlRun.id == m.CheckRun.crawl_run_id).where(m.CheckRun.id < check_run.id,
                                                                   m.CheckRun.finished_at.is_not(None))
        .order_by(m.CheckRun.id.desc()))
    return next((run for run, depts in earlier if these & set(depts or []) and sorted(run.results or {}) == checks),
                None)


def evaluation_context(session: Session, check_run: m.CheckRun, indicators: Indicators,
                       previous: m.CheckRun | None = None, issued_on: date | None = None) -> EvaluationContext:
    scores = score_check_run(session, check_run, indicators)
    before = {s.department: s.score for s in score_check_run(session, previous, indicators)} if previous else {}
    ordered = sorted(scores, key=lambda s: (-s.score, s.department))
    ranked, rank = [], 0
    for i, s in enumerate(ordered):
        rank = rank if i and s.score == ordered[i - 1].score else i + 1  # ties share a rank
        ranked.append(Ranked(rank, s, before.get(s.department)))
    shots = session.scalars(select(Screenshot).where(Screenshot.check_run_id == check_run.id,
                                                     Screenshot.error.is_(None), Screenshot.path.is_not(None)))
    crawl = session.get(m.CrawlRun, check_run.crawl_run_id)
    region = session.scalar(select(m.Department.region).where(m.Department.id.in_(crawl.departments or [])).limit(1))
    return EvaluationContext(
        region=region or "", check_run_id=check_run.id, as_of=check_run.as_of, crawled_at=crawl.started_at,
        previous_run_id=previous.id if previous else None, previous_as_of=previous.as_of if previous else None,
        indicators=indicators, ranked=tuple(ranked),
        findings={f.id: f for f in finding_views(session, check_run)},
        screenshots={fid: shot.path for shot in shots for fid in shot.finding_ids or []},
        issued_on=issued_on or clock.today())


def _change(r: Ranked) -> str:
    if r.previous is None:
        return "—"
    delta = r.score.score - r.previous
    return "持平" if abs(delta) < 0.005 else f"{'+' if delta > 0 else ''}{delta:g}"


def compose_evaluation(ctx: EvaluationContext) -> Document:
    spec, n = ctx.indicators, len(ctx.ranked)
    scores = [r.score.score for r in ctx.ranked]
    vetoed = [r for r in ctx.ranked if r.score.vetoes]
    overview = (f"本次评估以{cn_date(ctx.as_of)}为基准日，对{ctx.region}{n}个单位的政府信息公开专栏进行了检测评估。"
                f"评估依据《{spec.name}》，满分{spec.full_score:g}分，{spec.pass_score:g}分及以上且未触发单项否决的为合格。"
                f"数据由系统于{cn_date(ctx.crawled_at)}抓取专栏全部栏目、信息和链接后自动检测，每一处扣分均对应一条"
                "可核查的问题记录（页面地址、检测时间及截图等证据），详见附件。")
    result = (f"{n}个单位中合格{ctx.passed}个，合格率{percent(ctx.passed, n)}；平均得分"
              f"{(sum(scores) / n if n else 0):.1f}分，最高{max(scores, default=0):g}分，最低{min(scores, default=0):g}分。")
    if vetoed:
        result += "触发单项否决的单位：" + "；".join(f"{r.score.name}（{'、'.join(r.score.vetoes)}）" for r in vetoed) + "。"
    if ctx.previous_as_of:
        compared = [r for r in ctx.ranked if r.previous is not None]
        up = sum(1 for r in compared if r.score.score > r.previous + 0.005)
        down = sum(1 for r in compared if r.score.score < r.previous - 0.005)
        result += (f"与上期（基准日{cn_date(ctx.previous_as_of)}）相比，{len(compared)}个可比单位中得分上升{up}个、"
                   f"下降{down}个、持平{len(compared) - up - down}个。")
    ranking = Table(("排名", "单位", "得分", "结论", "上期得分", "变化"), tuple(
        (str(r.rank), r.score.name, f"{r.score.score:g}", r.score.verdict,
         "—" if r.previous is None else f"{r.previous:g}", _change(r)) for r in ctx.ranked),
        (1.2, 6, 1.6, 1.8, 1.8, 1.6), caption="各单位得分排名")
    figure = Figure(charts.horizontal_bars([(r.score.name, r.score.score) for r in ctx.ranked], title="各单位得分",
                                           unit="分", limit=spec.full_score), "图1  各单位得分", 15.0) if n else None
    header = ("单位", *(f"{i.name}（{i.points:g}）" for i in spec.indicators), "得分")
    by_indicator = Table(header, tuple((r.score.name, *(f"-{r.score.by_indicator.get(i.id, 0):g}"
                                                        if r.score.by_indicator.get(i.id) else "0"
                                                        for i in spec.indicators), f"{r.score.score:g}")
                                       for r in ctx.ranked), (4, *(1.6,) * len(spec.indicators), 1.4),
                         caption="各单位分指标扣分")
    body = (Heading("一、评估概况"), Para(overview), Heading("二、评估结果"), Para(result), ranking,
            *((figure,) if figure else ()), Heading("三、各指标扣分情况"),
            Para("各单位在各项指标上的扣分如下表（括号内为该指标分值，单项扣分不超过该指标分值）。"), by_indicator)
    return Document(title=f"{ctx.region}政府信息公开专栏评估报告", subtitle=f"（评估基准日：{cn_date(ctx.as_of)}）",
                    body=body, signed_on=ctx.issued_on,
                    annexes=(Annex("附件", "扣分明细及证据", _evidence(ctx)),))


def _evidence(ctx: EvaluationContext) -> tuple:
    rows = []
    for r in ctx.ranked:
        for d in r.score.deductions:
            f = ctx.findings.get(d.finding_id)
            if f is None:
                continue
            points = f"-{d.points:g}" if d.points else "0（已达该指标扣分上限）"
            found = f.detected_at
            proof = [readable_urls(without_category(f.message, f.check_title)).rstrip("。")]
            detail = evidence_text(f.evidence, limit=300)
            if detail:
                proof.append(readable_urls(detail))
            proof.append(f"检测时间：{cn_date(found)}{found.hour}时{found.minute:02d}分（问题编号 {f.id}）")
            if d.finding_id in ctx.screenshots:
                proof.append(f"截图：{Path(ctx.screenshots[d.finding_id]).name}")
            rows.append((r.score.name, d.indicator_name, f.check_title, points,
                         readable_url(f.url) if f.url else "—", "；".join(proof) + "。"))
    if not rows:
        return (Para("本次评估无扣分项。", align="center"),)
    return (Table(("单位", "指标", "问题类型", "扣分", "页面地址", "问题描述及证据"), tuple(rows),
                  (2.6, 2.2, 2.4, 1.6, 4.2, 6), url_columns=(4,)),)


def write_evaluation(ctx: EvaluationContext, out_dir: str | Path) -> WrittenFiles:
    return write_document(compose_evaluation(ctx), Path(out_dir), f"evaluation_{ctx.as_of:%Y%m%d}")
