"""Tables for evidence snapshots, availability probes, screenshots (issue 3).

Kept in its own module so each area's schema grows without touching the core model; imported by
store.models so that Base.metadata (and Alembic) see every table.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any, Optional

from sqlalchemy import JSON, DateTime, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from store.models import Base, IdType, UrlType, url_keyed


class ProbeAttempt(Base):
    """One availability probe of a department's home page or disclosure root (国办秘函〔2019〕19号).

    ok: True = loaded (2xx, possibly after redirects) within the timeout; False = failed;
    None = undetermined (a bot wall answered 403/429/999: the site is up but would not serve us).
    """

    __tablename__ = "probe_attempts"
    __table_args__ = (Index("ix_probe_attempts_department_started", "department_id", "started_at"),)

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    department_id: Mapped[str] = mapped_column(String(64))
    url: Mapped[str] = mapped_column(UrlType)
    kind: Mapped[str] = mapped_column(String(8))  # home | root
    started_at: Mapped[datetime] = mapped_column(DateTime)
    elapsed_ms: Mapped[int] = mapped_column(Integer)
    ok: Mapped[Optional[bool]] = mapped_column()
    status: Mapped[Optional[int]] = mapped_column(Integer)
    # machine-readable: timeout, refused, dns, tls, connection, http_503, too_many_redirects, blocked, challenge
    reason: Mapped[Optional[str]] = mapped_column(String(40))
    error: Mapped[Optional[str]] = mapped_column(Text)
    final_url: Mapped[Optional[str]] = mapped_column(UrlType)


class SnapshotBody(Base):
    """A fetched body, stored once however many pages or runs served the same bytes."""

    __tablename__ = "snapshot_bodies"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    compression: Mapped[str] = mapped_column(String(8), default="zlib")
    data: Mapped[bytes] = mapped_column(LargeBinary)
    size: Mapped[int] = mapped_column(Integer)  # uncompressed bytes
    content_type: Mapped[Optional[str]] = mapped_column(Text)


class Snapshot(Base):
    """A page as fetched in one crawl run: what a finding's evidence points to."""

    __tablename__ = "snapshots"
    __table_args__ = url_keyed("uq_snapshots_run_url", "run_id", "url")

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("crawl_runs.id", ondelete="CASCADE"), index=True)
    url: Mapped[str] = mapped_column(UrlType)
    final_url: Mapped[Optional[str]] = mapped_column(UrlType)
    status: Mapped[int] = mapped_column(Integer)
    headers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    fetched_at: Mapped[datetime] = mapped_column(DateTime)
    sha256: Mapped[str] = mapped_column(ForeignKey("snapshot_bodies.sha256"), index=True)
    # link checks read only the first few KB: the body is a prefix of what the server sent
    truncated: Mapped[bool] = mapped_column(default=False)


class Screenshot(Base):
    """A full-page screenshot with the URL and capture time drawn on it; error set when the page failed."""

    __tablename__ = "screenshots"
    __table_args__ = url_keyed("uq_screenshots_check_run_url", "check_run_id", "url")

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    run_id: Mapped[Optional[int]] = mapped_column(ForeignKey("crawl_runs.id", ondelete="CASCADE"), index=True)
    check_run_id: Mapped[Optional[int]] = mapped_column(ForeignKey("check_runs.id", ondelete="CASCADE"))
    finding_ids: Mapped[list[Any]] = mapped_column(JSON, default=list)
    url: Mapped[str] = mapped_column(UrlType)
    final_url: Mapped[Optional[str]] = mapped_column(UrlType)
    status: Mapped[Optional[int]] = mapped_column(Integer)  # HTTP status of the page as the browser loaded it
    taken_at: Mapped[datetime] = mapped_column(DateTime)
    sha256: Mapped[Optional[str]] = mapped_column(String(64))
    path: Mapped[Optional[str]] = mapped_column(Text)
    width: Mapped[Optional[int]] = mapped_column(Integer)
    height: Mapped[Optional[int]] = mapped_column(Integer)
    error: Mapped[Optional[str]] = mapped_column(Text)
