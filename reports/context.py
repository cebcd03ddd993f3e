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
class DepartmentSummary:
    id: str
    name: str
    columns: int
    documents: int
    urls_checked: int
    findings: int
    by_check: dict[str, int]
    events: int


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
    summaries = [DepartmentSummary(
        id=d.id, name=shown(d.name), columns=columns.get(d.id, 0), documents=documents.get(d.id, 0),
        urls_checked=links.get(d.id, 0), findings=sum(by_dept[d.id].values()), by_check=dict(by_dept[d.id]),
        events=event_count.get(d.id, 0)) for d in depts]
    region = session.scalar(select(m.Department.region).where(m.Department.id.in_(crawl.departments or [])).limit(1))
    from store import clock

    return RunReport(
        region=region, check_run_id=check_run.id, crawl_run_id=crawl.id, as_of=check_run.as_of,
        crawled_at=crawl.started_at, generated_at=clock.now(), results=check_run.results or {},
        check_titles={cid: cls.title() for cid, cls in all_checks().items()}, departments=summaries,
        findings=findings,
        events=[shown({"department": e.department_id, "url": e.url, "kind": e.kind, "message": e.message})
                for e in events])
