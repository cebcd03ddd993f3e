"""What the console pages read: findings with filters, sorting and paging in SQL (fast at 100,000 findings),
always limited to the department of a department user."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from checks.calendar import WorkCalendar
from checks.registry import all_checks
from store import clock
from store import models as m

PAGE_SIZE = 50
DEADLINE_WORKDAYS = 10  # 整改期限: working days from detection, as the bulletins' default
SORTS = {"id": m.Finding.id, "department": m.Finding.department_id, "check": m.Finding.check,
         "severity": m.Finding.severity, "status": m.Finding.status, "detected": m.Finding.detected_at}
STATUS_NAMES = {"open": "未整改", "rectified": "已整改", "disputed": "有异议", "accepted": "说明已采纳"}
SEVERITY_NAMES = {"high": "高", "medium": "中", "low": "低"}


@dataclass(frozen=True)
class Filters:
    department: str | None = None
    check: str | None = None
    severity: str | None = None
    status: str | None = None
    run: int | None = None
    overdue: bool = False
    sort: str = "id"
    descending: bool = False
    page: int = 1


@dataclass(frozen=True)
class Page:
    rows: list[m.Finding]
    total: int
    page: int
    pages: int
    run: m.CheckRun | None
    deadlines: dict[int, date]


@lru_cache(maxsize=1)
def check_titles() -> dict[str, str]:
    return {cid: cls.title() for cid, cls in all_checks().items()}


def latest_check_run(session: Session, department: str | None = None) -> m.CheckRun | None:
    from reports.selfcheck import latest_audit_run

    return latest_audit_run(session, department)


def deadline(detected: date, calendar: WorkCalendar | None = None) -> date:
    return (calendar or WorkCalendar()).add_workdays(detected, DEADLINE_WORKDAYS)


def overdue_cutoff(today: date | None = None) -> date:
    """Findings detected on or before this day are past their deadline today (working days counted back)."""
    cal, day, left = WorkCalendar(), today or clock.today(), DEADLINE_WORKDAYS
    while left > 0:
        day = date.fromordinal(day.toordinal() - 1)
        if cal.is_workday(day):
            left -= 1
    return date.fromordinal(day.toordinal() - 1)


def findings_page(session: Session, filters: Filters, *, scope: str | None) -> Page:
    run = session.get(m.CheckRun, filters.run) if filters.run else latest_check_run(session, scope)
    if run is None:
        return Page([], 0, 1, 1, None, {})
    stmt = select(m.Finding).where(m.Finding.check_run_id == run.id)
    if scope is not None:
        stmt = stmt.where(m.Finding.department_id == scope)
    elif filters.department:
        stmt = stmt.where(m.Finding.department_id == filters.department)
    for column, value in ((m.Finding.check, filters.check), (m.Finding.severity, filters.severity),
                          (m.Finding.status, filters.status)):
        if value:
            stmt = stmt.where(column == value)
    if filters.overdue:
        cutoff = overdue_cutoff()
        stmt = stmt.where(m.Finding.status.in_(("open", "disputed")),
                          func.date(m.Finding.detected_at) <= cutoff.isoformat())
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(1, filters.page), pages)
    order = SORTS.get(filters.sort, m.Finding.id)
    order = order.desc() if filters.descending else order.asc()
    rows = list(session.scalars(stmt.order_by(order, m.Finding.id).limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)))
    cal = WorkCalendar()
    return Page(rows, total, page, pages, run, {f.id: deadline(f.detected_at.date(), cal) for f in rows})


def department_names(session: Session) -> dict[str, str]:
    return dict(session.execute(select(m.Department.id, m.Department.name).order_by(m.Department.id)).all())


def overview(session: Session, scope: str | None) -> list[dict]:
    """Per department: its latest complete audit's findings by check, and the trend over the last runs.
    A handful of grouped queries whatever the number of departments."""
    from store.models_spotcheck import SpotcheckRecheck, SpotcheckRound

    names = department_names(session)
    wanted = [scope] if scope else list(names)
    partial = {r for (r,) in session.execute(select(SpotcheckRound.check_run_id))} | {
        r for (r,) in session.execute(select(SpotcheckRecheck.check_run_id))}
    runs = session.execute(select(m.CheckRun, m.CrawlRun.departments).join(
        m.CrawlRun, m.CrawlRun.id == m.CheckRun.crawl_run_id).order_by(m.CheckRun.id.desc())).all()
    latest: dict[str, m.CheckRun] = {}
    for run, depts in runs:  # newest first: a regular audit wins over a spot-check round of the same department
        for dept in depts or []:
            if dept in latest and latest[dept].id not in partial:
                continue
            if dept not in latest or (latest[dept].id in partial and run.id not in partial):
                latest[dept] = run
    by_check: dict[tuple[int, str], dict[str, int]] = {}
    still: dict[tuple[int, str], int] = {}
    for run_id in {r.id for r in latest.values()}:
        for dept, check, n in session.execute(select(m.Finding.department_id, m.Finding.check, func.count()).where(
                m.Finding.check_run_id == run_id).group_by(m.Finding.department_id, m.Finding.check)):
            by_check.setdefault((run_id, dept), {})[check] = n
        for dept, n in session.execute(select(m.Finding.department_id, func.count()).where(
                m.Finding.check_run_id == run_id, m.Finding.status == "open").group_by(m.Finding.department_id)):
            still[(run_id, dept)] = n
    recent = [(run, set(depts or [])) for run, depts in runs if run.id not in partial][:6]
    counts = dict(((r, d), n) for r, d, n in session.execute(
        select(m.Finding.check_run_id, m.Finding.department_id, func.count()).where(
            m.Finding.check_run_id.in_([r.id for r, _ in recent])).group_by(
            m.Finding.check_run_id, m.Finding.department_id))) if recent else {}
    out = []
    for dept in wanted:
        run = latest.get(dept)
        found = by_check.get((run.id, dept), {}) if run else {}
        out.append({"id": dept, "name": names.get(dept, dept), "run": run, "by_check": found,
                    "total": sum(found.values()), "open": still.get((run.id, dept), 0) if run else 0,
                    "trend": [(r.id, r.as_of, counts.get((r.id, dept), 0)) for r, covered in reversed(recent)
                              if dept in covered]})
    return out
