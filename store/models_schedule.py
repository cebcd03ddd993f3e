"""Tables for scheduler bookkeeping (issue 6): what ran when, who holds which department, what is paused.

Kept in its own module so each area's schema grows without touching the core model; imported by
store.models so that Base.metadata (and Alembic) see every table. The few functions below are the
atomic claims the scheduler relies on (one row per job and scheduled time; one holder per lease); they
live beside the tables because their correctness is a property of the unique keys defined here.
"""
from __future__ import annotations

import os
import socket
from datetime import datetime, timedelta
from typing import Any, Optional

from sqlalchemy import (JSON, Column, DateTime, Float, Index, Integer, LargeBinary, String, Table, Text, Unicode,
                        UniqueConstraint, delete, insert, or_, select, update)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from store import clock
from store.models import Base, IdType, UrlType  # noqa: F401

# APScheduler's SQLAlchemyJobStore table, declared identically so that Alembic owns it: the job store's own
# create(checkfirst=True) then finds it, and migrations never see it as a stray table to drop.
apscheduler_jobs = Table(
    "apscheduler_jobs", Base.metadata,
    Column("id", Unicode(191), primary_key=True),
    Column("next_run_time", Float(25), index=True),
    Column("job_state", LargeBinary, nullable=False),
)

# job-run statuses; "running" only while a scheduler holds it
FINAL_STATUSES = ("ok", "failed", "skipped", "timeout", "abandoned")
SCHEDULER_LEASE = "scheduler"


class JobRun(Base):
    """One scheduled round of one job: keyed by (job id, scheduled time), so a round is recorded once and
    a restarted scheduler can tell what already ran."""

    __tablename__ = "schedule_job_runs"
    __table_args__ = (
        UniqueConstraint("job_id", "scheduled_at", name="uq_schedule_job_runs_job_id_scheduled_at"),
        Index("ix_schedule_job_runs_status", "status"),
    )

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    job_id: Mapped[str] = mapped_column(String(191), index=True)
    # crawl | probe | links | draw | round
    kind: Mapped[str] = mapped_column(String(20))
    group_id: Mapped[Optional[str]] = mapped_column(String(64))
    departments: Mapped[list[Any]] = mapped_column(JSON, default=list)
    scheduled_at: Mapped[datetime] = mapped_column(DateTime)
    started_at: Mapped[Optional[datetime]] = mapped_column(DateTime)
    finished_at: Mapped[Optional[datetime]] = mapped_column(DateTime)
    # running | ok | failed | skipped | timeout | abandoned
    status: Mapped[str] = mapped_column(String(16))
    exit_code: Mapped[Optional[int]] = mapped_column(Integer)
    error: Mapped[Optional[str]] = mapped_column(Text)
    attempt: Mapped[int] = mapped_column(Integer, default=1)
    # which scheduler process ran it, and its subprocess (so a restart can make sure it is gone)
    owner: Mapped[Optional[str]] = mapped_column(String(200))
    host: Mapped[Optional[str]] = mapped_column(String(200))
    pid: Mapped[Optional[int]] = mapped_column(Integer)
    # the job's definition at the time (a retry after a crash needs it; one-off jobs leave the store)
    spec: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # what the round produced: crawl/check run ids, spot-check draw id, output file, …
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class Lease(Base):
    """A named lock with an expiry: "scheduler" (one scheduler per database) or "department:<id>"."""

    __tablename__ = "schedule_leases"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    holder: Mapped[str] = mapped_column(String(200))
    job_run_id: Mapped[Optional[int]] = mapped_column(IdType)
    acquired_at: Mapped[datetime] = mapped_column(DateTime)
    expires_at: Mapped[datetime] = mapped_column(DateTime)


class SchedulePause(Base):
    """An operator's pause of one job or one department; rounds check it when they start."""

    __tablename__ = "schedule_pauses"

    target: Mapped[str] = mapped_column(String(191), primary_key=True)
    # job | department
    kind: Mapped[str] = mapped_column(String(16))
    paused_at: Mapped[datetime] = mapped_column(DateTime)
    reason: Mapped[Optional[str]] = mapped_column(Text)


# --- atomic claims ------------------------------------------------------------------------------------

def this_host() -> str:
    return socket.gethostname()


def claim_round(session: Session, *, job_id: str, scheduled_at: datetime, owner: str, values: dict[str, Any],
                max_attempts: int) -> JobRun | None:
    """The round's row, now `running` and ours; None when the round already ran (or runs) elsewhere.

    An abandoned round (its scheduler died or was stopped) is taken over, up to max_attempts in all.
    """
    now = clock.now()
    row = JobRun(job_id=job_id, scheduled_at=scheduled_at, status="running", started_at=now, owner=owner,
                 host=this_host(), attempt=1, **values)
    session.add(row)
    try:
        session.commit()
        return row
    except IntegrityError:
        session.rollback()
    taken = session.execute(
        update(JobRun)
        .where(JobRun.job_id == job_id, JobRun.scheduled_at == scheduled_at, JobRun.status == "abandoned",
               JobRun.attempt < max_attempts)
        .values(status="running", started_at=now, finished_at=None, owner=owner, host=this_host(), pid=None,
                exit_code=None, error=None, attempt=JobRun.attempt + 1)
    ).rowcount
    session.commit()
    if not taken:
        return None
    return session.scalars(select(JobRun).where(JobRun.job_id == job_id, JobRun.scheduled_at == scheduled_at)).one()


def record_skip(session: Session, *, job_id: str, scheduled_at: datetime, reason: str, values: dict[str, Any],
                owner: str) -> bool:
    """Record a round that will not run (missed, coalesced, previous still running); False if already recorded."""
    now = clock.now()
    session.add(JobRun(job_id=job_id, scheduled_at=scheduled_at, status="skipped", started_at=None, finished_at=now,
                       error=reason, owner=owner, host=this_host(), attempt=1, **values))
    try:
        session.commit()
        return True
    except IntegrityError:
        session.rollback()
        return False


def acquire_lease(session: Session, name: str, holder: str, ttl: timedelta, *, job_run_id: int | None = None,
                  steal_from: str | None = None) -> bool:
    """Take the lease if it is free, expired, already ours, or still held by `steal_from` (known dead)."""
    now = clock.now()
    try:  # Core, not session.add: the session may already hold this lease's row in its identity map
        session.execute(insert(Lease).values(name=name, holder=holder, job_run_id=job_run_id, acquired_at=now,
                                             expires_at=now + ttl))
        session.commit()
        return True
    except IntegrityError:
        session.rollback()
    stmt = update(Lease).where(Lease.name == name,
                               or_(Lease.expires_at < now, Lease.holder == holder, Lease.holder == steal_from))
    taken = session.execute(stmt.values(holder=holder, job_run_id=job_run_id, acquired_at=now,
                                        expires_at=now + ttl)).rowcount
    session.commit()
    return bool(taken)


def renew_lease(session: Session, name: str, holder: str, ttl: timedelta) -> bool:
    """Push the expiry forward; False when the lease is no longer ours (someone took it over)."""
    renewed = session.execute(update(Lease).where(Lease.name == name, Lease.holder == holder)
                              .values(expires_at=clock.now() + ttl)).rowcount
    session.commit()
    return bool(renewed)


def release_leases(session: Session, holder: str | None = None, *, names: list[str] | None = None,
                   keep: str | None = None) -> int:
    stmt = delete(Lease)
    if holder is not None:
        stmt = stmt.where(Lease.holder == holder)
    if names is not None:
        stmt = stmt.where(Lease.name.in_(names))
    if keep is not None:
        stmt = stmt.where(Lease.name != keep)
    count = session.execute(stmt).rowcount
    session.commit()
    return count


def process_alive(pid: int | None) -> bool:
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


# --- recovery after a restart ---------------------------------------------------------------------------

def abandon_running(session: Session, reason: str) -> list[JobRun]:
    """Rounds still `running` belong to a scheduler that is gone (we hold the scheduler lease): abandon them."""
    rows = list(session.scalars(select(JobRun).where(JobRun.status == "running")))
    for row in rows:
        row.status, row.finished_at, row.error = "abandoned", clock.now(), reason
    session.commit()
    return rows


def retryable_rounds(session: Session, max_attempts: int) -> list[JobRun]:
    """Abandoned rounds with attempts left whose scheduled time is still within their job's misfire grace."""
    now = clock.now()
    rows = session.scalars(select(JobRun).where(JobRun.status == "abandoned", JobRun.attempt < max_attempts))
    return [r for r in rows if r.spec and now - r.scheduled_at <= timedelta(seconds=r.spec.get("grace") or 0)]


def drawn_rounds(session: Session) -> list[dict[str, Any]]:
    """Job definitions of drawn 三随机 rounds that have not run (their one-off job may have been lost)."""
    draws = session.scalars(select(JobRun).where(JobRun.kind == "draw", JobRun.status == "ok"))
    specs = [r.detail["round"] for r in draws if (r.detail or {}).get("round")]
    ran = set(session.scalars(select(JobRun.job_id).where(JobRun.job_id.in_([s["id"] for s in specs]))))
    return [s for s in specs if s["id"] not in ran]
