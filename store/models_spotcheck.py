"""Tables for 三随机 draws, rounds and rectification (issue 5).

A draw record is written once and never edited (the ORM refuses updates and deletes; `zwgk spotcheck
verify` detects edits made behind its back). Rounds, re-checks, status changes and manual entries refer
to it. Kept in its own module; imported by store.models so that Base.metadata (and Alembic) see it.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any, Optional

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint, event, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from store import clock
from store.models import Base, Finding, IdType


class ImmutableRecordError(RuntimeError):
    """Something tried to change a draw record after it was stored."""


class SpotcheckAnnouncement(Base):
    """A 三随机 frame fixed and published before its draw: the frame, its SHA-256, the public random value
    it names (not yet known) and the hash of the office's sealed secret. Drawn at most once."""

    __tablename__ = "spotcheck_announcements"

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    frame: Mapped[dict[str, Any]] = mapped_column(JSON)
    commitment: Mapped[str] = mapped_column(String(64), unique=True)
    public_source: Mapped[str] = mapped_column(Text)
    secret_sha256: Mapped[str] = mapped_column(String(64))
    sites_path: Mapped[str] = mapped_column(Text)  # where the registry lies on this machine; not in the frame


@event.listens_for(SpotcheckAnnouncement, "before_update")
@event.listens_for(SpotcheckAnnouncement, "before_delete")
def _refuse_announcement_change(_mapper, _connection, target: SpotcheckAnnouncement) -> None:
    raise ImmutableRecordError(f"抽查公告 #{target.id} 发布后不得修改或删除")


class SpotcheckDraw(Base):
    """One 三随机 draw: frame (hashed into the commitment before the seed existed), seed, result."""

    __tablename__ = "spotcheck_draws"

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    algorithm: Mapped[str] = mapped_column(String(40))
    algorithm_version: Mapped[str] = mapped_column(String(20))
    frame: Mapped[dict[str, Any]] = mapped_column(JSON)
    commitment: Mapped[str] = mapped_column(String(64), unique=True)
    committed_at: Mapped[datetime] = mapped_column(DateTime)
    seed: Mapped[str] = mapped_column(String(64))
    result: Mapped[dict[str, Any]] = mapped_column(JSON)
    # copy of result["scheduled_at"] so the scheduler can query due draws; verify compares the two
    scheduled_at: Mapped[Optional[datetime]] = mapped_column(DateTime, index=True)
    # drawn from a published announcement: the public value and the revealed secret the seed came from
    announcement_id: Mapped[Optional[int]] = mapped_column(ForeignKey("spotcheck_announcements.id"), unique=True)
    public_value: Mapped[Optional[str]] = mapped_column(Text)
    secret: Mapped[Optional[str]] = mapped_column(String(64))
    sites_path: Mapped[Optional[str]] = mapped_column(Text)  # the registry on this machine (older frames hold it)


@event.listens_for(SpotcheckDraw, "before_update")
@event.listens_for(SpotcheckDraw, "before_delete")
def _refuse_change(_mapper, _connection, target: SpotcheckDraw) -> None:
    raise ImmutableRecordError(f"抽取记录 #{target.id} 保存后不得修改或删除")


class SpotcheckRound(Base):
    """The execution of a draw: crawl of the drawn departments, the drawn checks, their findings."""

    __tablename__ = "spotcheck_rounds"
    __table_args__ = (UniqueConstraint("year", "period", name="uq_spotcheck_rounds_year_period"),)

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    draw_id: Mapped[int] = mapped_column(ForeignKey("spotcheck_draws.id"), unique=True)
    year: Mapped[int] = mapped_column(Integer)
    period: Mapped[int] = mapped_column(Integer)  # 第N期 within the year
    # running | completed | failed
    status: Mapped[str] = mapped_column(String(16), default="running")
    started_at: Mapped[datetime] = mapped_column(DateTime)
    finished_at: Mapped[Optional[datetime]] = mapped_column(DateTime)
    crawl_run_id: Mapped[Optional[int]] = mapped_column(ForeignKey("crawl_runs.id", ondelete="SET NULL"))
    check_run_id: Mapped[Optional[int]] = mapped_column(ForeignKey("check_runs.id", ondelete="SET NULL"))
    checks: Mapped[list[Any]] = mapped_column(JSON, default=list)       # drawn checks that ran
    unavailable: Mapped[list[Any]] = mapped_column(JSON, default=list)  # drawn checks not implemented here
    # per department: {"documents": [{url, title}], "columns": [{url, name}]} for manual review
    samples: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    error: Mapped[Optional[str]] = mapped_column(Text)
    # why the round ran before its drawn time (`zwgk spotcheck run --now --reason …`); None: at its time
    run_reason: Mapped[Optional[str]] = mapped_column(Text)


class SpotcheckRecheck(Base):
    """A 复查 of a round: the departments with open findings crawled and checked again."""

    __tablename__ = "spotcheck_rechecks"

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("spotcheck_rounds.id", ondelete="CASCADE"), index=True)
    started_at: Mapped[datetime] = mapped_column(DateTime)
    finished_at: Mapped[Optional[datetime]] = mapped_column(DateTime)
    status: Mapped[str] = mapped_column(String(16), default="running")
    crawl_run_id: Mapped[Optional[int]] = mapped_column(ForeignKey("crawl_runs.id", ondelete="SET NULL"))
    check_run_id: Mapped[Optional[int]] = mapped_column(ForeignKey("check_runs.id", ondelete="SET NULL"))
    closed: Mapped[int] = mapped_column(Integer, default=0)
    still_open: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[Optional[str]] = mapped_column(Text)


class FindingStatusChange(Base):
    """One step of a finding's rectification: open → rectified / disputed / accepted, with reason, who, when."""

    __tablename__ = "finding_status_changes"

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    finding_id: Mapped[int] = mapped_column(ForeignKey("findings.id", ondelete="CASCADE"), index=True)
    old_status: Mapped[str] = mapped_column(String(16))
    new_status: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text)
    by: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime] = mapped_column(DateTime)
    recheck_id: Mapped[Optional[int]] = mapped_column(ForeignKey("spotcheck_rechecks.id", ondelete="SET NULL"))


class SpotcheckManualEntry(Base):
    """What an inspector recorded for a manual checklist item (the item's `manual.field`)."""

    __tablename__ = "spotcheck_manual_entries"

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("spotcheck_rounds.id", ondelete="CASCADE"), index=True)
    department_id: Mapped[str] = mapped_column(String(64))
    item: Mapped[int] = mapped_column(Integer)
    field: Mapped[str] = mapped_column(Text)
    value: Mapped[str] = mapped_column(Text)
    problem: Mapped[bool] = mapped_column(default=False)
    by: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime] = mapped_column(DateTime)


STATUSES = ("rectified", "disputed", "accepted")  # where an open finding can go


class StatusChangeError(ValueError):
    """A status change or manual entry that is not allowed; str() is one formal Chinese line."""


def change_status(session: Session, finding: Finding, status: str, reason: str, by: str, *,
                  recheck_id: int | None = None) -> FindingStatusChange:
    """Move a finding to a new rectification status and keep the change (reason, who, when)."""
    if status not in STATUSES:
        raise StatusChangeError(f"状态应为 {'、'.join(STATUSES)} 之一（实际为 {status!r}）")
    if finding.status == status:
        raise StatusChangeError(f"问题 #{finding.id} 的状态已是 {status}")
    if not reason.strip() or not by.strip():
        raise StatusChangeError("状态变更须写明理由（--reason）和经办人（--by）")
    change = FindingStatusChange(finding_id=finding.id, old_status=finding.status, new_status=status,
                                 reason=reason.strip(), by=by.strip(), at=clock.now(), recheck_id=recheck_id)
    finding.status = status
    session.add(change)
    return change


def add_manual_entry(session: Session, spot: SpotcheckRound, record: SpotcheckDraw, department: str, item: int,
                     value: str, *, problem: bool, by: str) -> SpotcheckManualEntry:
    """What the inspector found for a drawn manual checklist item (its `manual.field`)."""
    if department not in record.result["departments"]:
        raise StatusChangeError(f"--department: 单位 {department!r} 不在本期抽中的单位中")
    if item not in record.result["manual_items"]:
        drawn = "、".join(map(str, record.result["manual_items"])) or "无"
        raise StatusChangeError(f"--item: 第{item}项不是本期抽中的人工核查内容（本期为：{drawn}）")
    if not value.strip() or not by.strip():
        raise StatusChangeError("须填写核查情况（--value）和检查人员（--by）")
    field = next(i["manual"]["field"] for i in record.frame["checklist"]["items"] if i["number"] == item)
    entry = SpotcheckManualEntry(round_id=spot.id, department_id=department, item=item, field=field,
                                 value=value.strip(), problem=problem, by=by.strip(), at=clock.now())
    session.add(entry)
    return entry


def recently_drawn(session: Session, region: str, last: int) -> list[str]:
    """Departments checked in the last `last` rounds of the same region that were actually run
    (对象随机 may exclude them). A draw that was never run excludes nobody: otherwise drawing again would
    change the frame, and with it the outcome."""
    if last <= 0:
        return []
    draws = session.scalars(select(SpotcheckDraw).join(SpotcheckRound, SpotcheckRound.draw_id == SpotcheckDraw.id)
                            .where(SpotcheckRound.status == "completed").order_by(SpotcheckDraw.id.desc())).all()
    same = [d for d in draws if d.frame.get("region") == region][:last]
    return sorted({dept for d in same for dept in d.result.get("departments", [])})


def pending_manual(session: Session, spot: SpotcheckRound) -> list[tuple[str, int]]:
    """(department, item) pairs of a round's drawn manual checklist items with no recorded result yet."""
    record = session.get(SpotcheckDraw, spot.draw_id)
    done = set(session.execute(select(SpotcheckManualEntry.department_id, SpotcheckManualEntry.item)
                               .where(SpotcheckManualEntry.round_id == spot.id)).all())
    return [(d, i) for d in record.result["departments"] for i in record.result.get("manual_items", [])
            if (d, i) not in done]
