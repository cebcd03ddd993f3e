"""Run checks over one crawl run: each check isolated, results and findings stored in one CheckRun.

A check run is complete when its `finished_at` is set, in the same commit as its last check's results.
A check killed or failing half-way leaves it unset: reports refuse such a run (scheduler.jobs.find_check_run)
and `zwgk check` simply runs again into a new check run.
"""
from __future__ import annotations

import logging
import time
import traceback
from dataclasses import dataclass
from datetime import date
from itertools import islice
from typing import Any, Iterable

from sqlalchemy import insert, select, text
from sqlalchemy.orm import Session

from checks import wording
from checks.base import CheckConfigError, SkipCheck, Status, Unjudged
from checks.context import AuditContext
from checks.registry import all_checks
from store import clock, killpoint
from store import models as m
from store.registry import Registry
from store.safetext import mask_text

log = logging.getLogger(__name__)


INSERT_BATCH = 1000  # findings per executemany: memory stays flat however many a check yields
SQLITE_CACHE_KIB = 256 * 1024  # page cache while checking (bounded: memory stays flat)


class NoCrawlError(LookupError):
    """There is no completed crawl to check."""


@dataclass(frozen=True)
class CheckOutcome:
    check: str
    status: Status
    findings: int
    error: str | None = None
    unjudged: int = 0  # columns not judged: their lists were not read completely (未能完整抓取)


def is_complete(check_run: m.CheckRun) -> bool:
    """Every selected check ran and its results and findings are committed."""
    return check_run.finished_at is not None


def latest_run(session: Session, *, sites_hash: str | None = None, completed_only: bool = True) -> m.CrawlRun | None:
    stmt = select(m.CrawlRun).order_by(m.CrawlRun.id.desc())
    if completed_only:
        stmt = stmt.where(m.CrawlRun.status == "completed")
    if sites_hash:
        stmt = stmt.where(m.CrawlRun.sites_hash == sites_hash)
    return session.scalars(stmt.limit(1)).first()


def run_checks(session: Session, run: m.CrawlRun, *, as_of: date | None = None, registry: Registry | None = None,
               only: Iterable[str] | None = None, settings: dict[str, dict[str, Any]] | None = None
               ) -> tuple[m.CheckRun, list[CheckOutcome]]:
    as_of = as_of or clock.today()
    if settings is None and registry is not None:  # the thresholds set in sites.yaml's checks: section
        from checks.settings import check_settings

        settings = check_settings(registry.sites.checks, registry.path)
    settings = settings or {}
    checks = all_checks()
    selected = list(only) if only else list(checks)
    unknown = [c for c in selected if c not in checks]
    if unknown:
        raise KeyError(unknown[0])
    _reading_many_rows(session)
    ctx = AuditContext(session=session, run=run, as_of=as_of, registry=registry, settings=settings)
    check_run = m.CheckRun(crawl_run_id=run.id, as_of=as_of, started_at=clock.now(), results={},
                           config={"checks": selected, "settings": settings})
    session.add(check_run)
    session.commit()  # the run record survives whatever a check does to the session

    outcomes: list[CheckOutcome] = []
    for check_id in selected:
        started = time.monotonic()
        outcome = _run_one(session, check_run, ctx, check_id, checks[check_id], settings.get(check_id))
        outcomes.append(outcome)
        check_run.results = {**check_run.results, check_id: {
            "status": outcome.status.value, "findings": outcome.findings, "error": outcome.error,
            "unjudged": outcome.unjudged, "seconds": round(time.monotonic() - started, 3)}}
        if check_id != selected[-1]:
            session.commit()
            killpoint.reached("check:after")
    killpoint.reached("check:finishing")
    check_run.finished_at = clock.now()
    session.commit()
    return check_run, outcomes


def _reading_many_rows(session: Session) -> None:
    """Checks read rows scattered over large tables (a department's documents are interleaved with every
    other's): on SQLite, a page cache of SQLITE_CACHE_KIB for this connection instead of the 2 MB default
    roughly halves that time at a million documents. PostgreSQL has its shared buffers."""
    if session.get_bind().dialect.name == "sqlite":
        session.execute(text(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}"))


def _run_one(session: Session, check_run: m.CheckRun, ctx: AuditContext, check_id: str, cls, settings) -> CheckOutcome:
    """Run one check, writing its findings in batches as they come; all of them or none (one transaction)."""
    now = clock.now()
    written = unjudged = 0
    try:
        check = cls(settings)
        aside: list[dict[str, Any]] = []  # the 未能完整抓取 records, apart from the findings

        def findings():
            for f in check.run(ctx):
                if isinstance(f, Unjudged):
                    aside.append(_unjudged_row(check_run, f))
                else:
                    yield _row(check_run, ctx, check, f, now)

        rows = findings()
        while batch := list(islice(rows, INSERT_BATCH)):
            session.execute(insert(m.Finding), batch)
            written += len(batch)
        for start in range(0, len(aside), INSERT_BATCH):
            session.execute(insert(m.Unjudged), aside[start:start + INSERT_BATCH])
        unjudged = len(aside)
    except SkipCheck as exc:
        _undo(session, ctx)
        return CheckOutcome(check_id, Status.SKIPPED, 0, str(exc) or None)
    except CheckConfigError as exc:
        _undo(session, ctx)
        return CheckOutcome(check_id, Status.ERROR, 0, str(exc))
    except Exception:  # a failing check never stops the others
        _undo(session, ctx)
        log.exception("check %s failed", check_id)
        return CheckOutcome(check_id, Status.ERROR, 0, traceback.format_exc())
    return CheckOutcome(check_id, Status.FAIL if written else Status.PASS, written, unjudged=unjudged)


def _unjudged_row(check_run: m.CheckRun, u: Unjudged) -> dict[str, Any]:
    return dict(check_run_id=check_run.id, check=u.check, department_id=u.department, column_url=u.column,
                column_name=u.column_name, url=u.url, item=u.item, reason=u.reason, evidence=u.evidence)


def _undo(session: Session, ctx: AuditContext) -> None:
    """Drop the failed check's findings; what the context built from expired rows is rebuilt on demand."""
    session.rollback()
    ctx.forget()


def _row(check_run: m.CheckRun, ctx: AuditContext, check, f, now) -> dict[str, Any]:
    text = wording.render(f)
    return dict(
        check_run_id=check_run.id, check=f.check, department_id=f.department, url=f.url, item=f.item,
        # a message quotes titles and addresses: stored masked like every other text (store.safetext)
        severity=(f.severity or check.severity).value, message=mask_text(text.message), fix=mask_text(text.fix),
        # the thresholds the judgement used, so that a finding can be read (and defended) on its own
        evidence={**f.evidence, "thresholds": check.settings} if check.settings else f.evidence,
        detected_at=f.detected_at or now, as_of=ctx.as_of, status="open")
