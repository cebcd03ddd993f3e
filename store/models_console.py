"""Tables of the web console: accounts, the append-only audit log, rectification submissions, the
console's signing key. Imported by store.models so that Base.metadata (and Alembic) see them."""
from __future__ import annotations

from datetime import datetime
from typing import Any, Optional

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Index, Integer, String, Text, event
from sqlalchemy.orm import Mapped, mapped_column

from store.models import Base, IdType

ROLES = ("admin", "evaluator", "department")  # 办公室管理员 / 评估人员 / 单位用户


class ConsoleUser(Base):
    """A console account. Department users see and act on their own department only."""

    __tablename__ = "console_users"

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(Text)  # argon2id
    role: Mapped[str] = mapped_column(String(16))
    department_id: Mapped[Optional[str]] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    last_login_at: Mapped[Optional[datetime]] = mapped_column(DateTime)
    password_changed_at: Mapped[datetime] = mapped_column(DateTime)  # sessions older than this are void


class AuditEntry(Base):
    """Who did what, when, from where. Written once: the ORM refuses to change or delete a row."""

    __tablename__ = "console_audit_log"
    __table_args__ = (Index("ix_console_audit_log_at", "at"),)

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime)
    user_id: Mapped[Optional[int]] = mapped_column(IdType)
    username: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(40))
    target: Mapped[str] = mapped_column(String(200))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    remote_addr: Mapped[Optional[str]] = mapped_column(String(64))


class AppendOnlyError(RuntimeError):
    """Something tried to change or delete an audit log entry."""


@event.listens_for(AuditEntry, "before_update")
@event.listens_for(AuditEntry, "before_delete")
def _refuse(_mapper, _connection, target: AuditEntry) -> None:
    raise AppendOnlyError(f"审计日志第 {target.id} 条不得修改或删除")


class Rectification(Base):
    """A department's answer to a finding: 已整改 (with a note and optional proof) or 异议 (with a reason),
    and the office's decision on it."""

    __tablename__ = "rectifications"

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    finding_id: Mapped[int] = mapped_column(ForeignKey("findings.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # rectified | disputed
    note: Mapped[str] = mapped_column(Text)
    proof_path: Mapped[Optional[str]] = mapped_column(Text)  # a file name chosen by the console, never the user
    proof_type: Mapped[Optional[str]] = mapped_column(String(40))  # sniffed: image/png, image/jpeg, application/pdf
    proof_name: Mapped[Optional[str]] = mapped_column(String(200))  # what the user called it (shown, escaped)
    proof_size: Mapped[Optional[int]] = mapped_column(Integer)
    submitted_by: Mapped[int] = mapped_column(IdType)
    submitted_at: Mapped[datetime] = mapped_column(DateTime)
    decision: Mapped[str] = mapped_column(String(16), default="pending")  # pending | accepted | rejected
    decided_by: Mapped[Optional[int]] = mapped_column(IdType)
    decided_at: Mapped[Optional[datetime]] = mapped_column(DateTime)
    decision_note: Mapped[Optional[str]] = mapped_column(Text)


class ConsoleSecret(Base):
    """The console's session-signing key, shared by every worker process serving the same database."""

    __tablename__ = "console_secrets"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = mapped_column(String(128))
