"""Findings → plain, frozen data for renderers. Reports never judge; they only show what checks found.

Every text and address a renderer gets passes through store.safetext.shown here: personal numbers
masked (the stored fetch addresses hold them raw), control characters removed. HTML, XLSX, DOCX, PDF,
findings JSON and the terminal tables all render from these views.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from checks.registry import all_checks
from store import models as m
from store.safetext import shown


@dataclass(frozen=True)
class FindingView:
    id: int
    check: str
    check_title: str
    department: str | None
    department_name: str
    url: str | None
    item: str | None
    severity: str
    message: str
    fix: str
    evidence: dict[str, Any]
    detected_at: datetime
    as_of: date
    status: str

    def as_contract(self) -> dict[str, Any]:
        """The findings JSON contract (README, 问题清单 JSON) (plus a few extra keys)."""
        return {
            "check": self.check, "department": self.department, "url": self.url, "item": self.item,
            "severity": self.severity, "message": self.message, "fix": self.fix, "evidence": self.evidence,
            "detected_at": self.detected_at.isoformat(sep=" "), "as_of": self.as_of.isoformat(),
            "id": self.id, "department_name": self.department_name, "check_title": self.check_title,
            "status": self.status,
        }


@dataclass(frozen=True)
class UnjudgedView:
    """A column a check could not judge because its list was not read completely (未能完整抓取).
    Not a finding: listed apart, and never counted as a problem of the department."""

    check: str
    check_title: str
    department: str | None
    department_name: str
    column: str | None
    column_name: str | None
    url: str | None
    item: str | None
    reason: str
    reason_label: str
    evidence: dict[str, Any]

    def as_json(self) -> dict[str, Any]:
        return {"check": self.check, "check_title": self.check_title, "department": self.department,
                "department_name": self.department_name, "column": self.column, "column_name": self.column_name,
                "url": self.url, "item": self.item, "status": "未能完整抓取", "reason": self.reason,
                "reason_label": self.reason_label, "evidence": self.evidence}


@dataclass(frozen=True)
class IncompleteColumn:
    """A column of the crawl whose list was not read completely, with what was declared and read."""

    department: str
    department_name: str
    name: str
    url: str
    page_url: str | None
    declared_total: int | None
    crawled: int
    declared_pages: int | None
    pages_read: int | None
    pages_failed: int | None
    reason: str
    reason_label: str


@dataclass(frozen=True)
class DepartmentSummary:
    id: str
    name: str
    columns: int
    documents: int
    urls_checked: int
    findings: int
    by_check: dict[str, int]
    events: int
    incomplete: int = 0  # columns whose list was not read completely


@dataclass(frozen=True)
class RunReport:
    region: str | None
    check_run_id: int
    crawl_run_id: int
    as_of: date
    crawled_at: datetime
    generated_at: datetime
    results: dict[str, dict[str, Any]]
    check_titles: dict[str, str]
    departments: list[DepartmentSummary]
    findings: list[FindingView]
    events: list[dict[str, Any]] = field(default_factory=list)
    incomplete: list[IncompleteColumn] = field(default_factory=list)  # 未能完整抓取 columns of the crawl
    unjudged: list[UnjudgedView] = field(default_factory=list)  # what checks left unjudged because of them
    scope: str = ""  # what the run covers (RunScope.line)
    partial: bool = False


@dataclass(frozen=True)
class RunScope:
    """What a check run covers, said before anything is read from it: a spot-check round or a crawl of a few
    departments is not a full audit."""

    check_run_id: int
    crawl_run_id: int
    as_of: date
    departments: int
    known_departments: int
    checks_run: tuple[str, ...]
    checks_all: int
    round_name: str | None  # "2026年第1期抽查" when the run belongs to a spot-check round or re-check
    incomplete_columns: int

    @property
    def partial(self) -> bool:
        return (self.round_name is not None or len(self.checks_run) < self.checks_all
                or self.departments < self.known_departments)

    def line(self) -> str:
        text = (f"检查批次 #{self.check_run_id}（抓取批次 #{self.crawl_run_id}，基准日 {self.as_of}）："
                f"{self.departments} 个单位、{len(self.checks_run)} 项检查")
        if self.round_name:
            text += f"，为{self.round_name}，只含抽中的单位和检查项"
        elif self.partial:
            text += f"（部分检查：全部 {self.known_departments} 个单位、{self.checks_all} 项检查中的一部分）"
        if self.incomplete_columns:
            text += f"；未能完整抓取的栏目 {self.incomplete_columns} 个（不计入问题）"
        return text


def run_scope(session: Session, check_run: m.CheckRun) -> RunScope:
    from store.models_spotcheck import SpotcheckRecheck, SpotcheckRound

    crawl = session.get(m.CrawlRun, check_run.crawl_run_id)
    spot = session.scalars(select(SpotcheckRound).where(SpotcheckRound.check_run_id == check_run.id)).first()
    recheck = None if spot else session.scalars(select(SpotcheckRecheck).where(
        SpotcheckRecheck.check_run_id == check_run.id)).first()
    if recheck is not None:
        spot = session.get(SpotcheckRound, recheck.round_id)
    name = None if spot is None else f"{spot.year}年第{spot.period}期抽查" + ("的复查" if recheck else "")
    incomplete = session.scalar(select(func.count()).select_from(m.Column).where(
        m.Column.run_id == crawl.id, m.Column.complete.is_(False))) or 0
    return RunScope(check_run.id, crawl.id, check_run.as_of, len(crawl.departments or []),
                    session.scalar(select(func.count()).select_from(m.Department)) or 0,
                    tuple((check_run.config or {}).get("checks") or list(check_run.results or {})),
                    len(all_checks()), name, incomplete)


def latest_check_run(session: Session) -> m.CheckRun | None:
    return session.scalars(select(m.CheckRun).order_by(m.CheckRun.id.desc()).limit(1)).first()


def finding_views(session: Session, check_run: m.CheckRun, *, department: str | None = None,
                  check: str | None = None) -> list[FindingView]:
    titles = {cid: cls.title() for cid, cls in all_checks().items()}
    names = dict(session.execute(select(m.Department.id, m.Department.name)).all())
    stmt = select(m.Finding).where(m.Finding.check_run_id == check_run.id)
    if department:
        stmt = stmt.where(m.Finding.department_id == department)
    if check:
        stmt = stmt.where(m.Finding.check == check)
    stmt = stmt.order_by(m.Finding.department_id, m.Finding.check, m.Finding.url)
    return [FindingView(
        id=f.id, check=f.check, check_title=titles.get(f.check, f.check), department=f.department_id,
        department_name=shown(names.get(f.department_id, f.department_id or "（上级来源）")), url=shown(f.url),
        item=shown(f.item), severity=f.severity, message=shown(f.message), fix=shown(f.fix),
        evidence=shown(f.evidence or {}), detected_at=f.detected_at, as_of=f.as_of, status=f.status)
        for f in session.scalars(stmt)]


def unjudged_views(session: Session, check_run: m.CheckRun, *, department: str | None = None,
                   check: str | None = None) -> list[UnjudgedView]:
    from store.completeness import REASON_LABELS

    titles = {cid: cls.title() for cid, cls in all_checks().items()}
    names = dict(session.execute(select(m.Department.id, m.Department.name)).all())
    stmt = select(m.Unjudged).where(m.Unjudged.check_run_id == check_run.id)
    if department:
        stmt = stmt.where(m.Unjudged.department_id == department)
    if check:
        stmt = stmt.where(m.Unjudged.check == check)
    stmt = stmt.order_by(m.Unjudged.department_id, m.Unjudged.check, m.Unjudged.column_url, m.Unjudged.item)
    return [UnjudgedView(
        check=u.check, check_title=titles.get(u.check, u.check), department=u.department_id,
        department_name=shown(names.get(u.department_id, u.department_id or "")), column=shown(u.column_url),
        column_name=shown(u.column_name), url=shown(u.url), item=shown(u.item), reason=u.reason,
        reason_label=REASON_LABELS.get(u.reason, u.reason), evidence=shown(u.evidence or {}))
        for u in session.scalars(stmt)]


def incomplete_columns(session: Session, crawl_run_id: int) -> list[IncompleteColumn]:
    from store.completeness import REASON_LABELS

    names = dict(session.execute(select(m.Department.id, m.Department.name)).all())
    stmt = (select(m.Column).where(m.Column.run_id == crawl_run_id, m.Column.complete.is_(False))
            .order_by(m.Column.department_id, m.Column.url))
    return [IncompleteColumn(
        department=c.department_id, department_name=shown(names.get(c.department_id, c.department_id)),
        name=shown(c.name), url=shown(c.url), page_url=shown(c.page_url), declared_total=c.declared_total, crawled=c.item_count or 0,
        declared_pages=c.declared_pages, pages_read=c.pages_read, pages_failed=c.pages_failed,
        reason=c.incomplete_reason or "", reason_label=REASON_LABELS.get(c.incomplete_reason or "", "")) for c in
        session.scalars(stmt)]


def run_report(session: Session, check_run: m.CheckRun) -> RunReport:
    crawl = session.get(m.CrawlRun, check_run.crawl_run_id)
    findings = finding_views(session, check_run)
    depts = session.scalars(select(m.Department).where(m.Department.id.in_(crawl.departments or []))
                            .order_by(m.Department.id)).all()
    run_id = crawl.id

    def per_dept(stmt) -> dict[str, int]:
        return dict(session.execute(stmt).all())

    columns = per_dept(select(m.Column.department_id, func.count()).where(m.Column.run_id == run_id)
                       .group_by(m.Column.department_id))
    documents = per_dept(select(m.Document.department_id, func.count()).where(m.Document.run_id == run_id)
                         .group_by(m.Document.department_id))
    links = per_dept(select(m.Link.department_id, func.count(func.distinct(m.Link.target_url)))
                     .where(m.Link.run_id == run_id).group_by(m.Link.department_id))
    events = session.scalars(select(m.CrawlEvent).where(m.CrawlEvent.run_id == run_id)
                             .order_by(m.CrawlEvent.department_id, m.CrawlEvent.url)).all()
    event_count = Counter(e.department_id for e in events)
    by_dept: dict[str, Counter] = defaultdict(Counter)
    for f in findings:
        by_dept[f.department or ""][f.check] += 1
    incomplete = incomplete_columns(session, run_id)
    partial = Counter(c.department for c in incomplete)
    summaries = [DepartmentSummary(
        id=d.id, name=shown(d.name), columns=columns.get(d.id, 0), documents=documents.get(d.id, 0),
        urls_checked=links.get(d.id, 0), findings=sum(by_dept[d.id].values()), by_check=dict(by_dept[d.id]),
        events=event_count.get(d.id, 0), incomplete=partial.get(d.id, 0)) for d in depts]
    region = session.scalar(select(m.Department.region).where(m.Department.id.in_(crawl.departments or [])).limit(1))
    from store import clock

    scope = run_scope(session, check_run)
    return RunReport(
        scope=scope.line(), partial=scope.partial,
        region=region, check_run_id=check_run.id, crawl_run_id=crawl.id, as_of=check_run.as_of,
        crawled_at=crawl.started_at, generated_at=clock.now(), results=check_run.results or {},
        check_titles={cid: cls.title() for cid, cls in all_checks().items()}, departments=summaries,
        findings=findings, incomplete=incomplete, unjudged=unjudged_views(session, check_run),
        events=[shown({"department": e.department_id, "url": e.url, "kind": e.kind, "message": e.message})
                for e in events])
