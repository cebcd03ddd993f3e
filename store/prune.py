"""Retention: delete old crawl runs with everything that hangs off them, and old scheduler logs.

Never removed: the runs a spot-check round or re-check refers to (what a bulletin cites), the runs whose
check results hold a finding still being handled, runs not finished yet, and the newest completed run of
every department. A finding is still being handled when it is disputed, when it is open or disputed with
a rectification or status-change record, or when it is open in the newest check of its department (an
open finding of an older check was checked again since: the newer check carries it on).
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import case, delete, func, or_, select, text
from sqlalchemy.orm import Session

from store import clock
from store import models as m
from store.models_checks import PrivacyHit
from store.models_console import Rectification
from store.models_evidence import Screenshot, Snapshot, SnapshotBody
from store.models_spotcheck import FindingStatusChange, SpotcheckRecheck, SpotcheckRound

OPEN = ("open", "disputed")

# why a run is kept, as the command prints it
KEEP_REASONS = {
    "recent": "最近的批次",
    "young": "保留期内",
    "spotcheck": "抽查或复查引用（通报依据）",
    "open": "含未办结的问题",
    "newest": "某单位最近一次完成的抓取",
    "unfinished": "尚未结束",
}


@dataclass(frozen=True)
class Policy:
    keep_runs: int
    keep_days: int | None = None


@dataclass
class Plan:
    """Which crawl runs go and which stay (with the reasons they stay)."""

    delete: list[int] = field(default_factory=list)
    kept: dict[int, set[str]] = field(default_factory=dict)


@dataclass
class Removed:
    rows: dict[str, int] = field(default_factory=dict)  # table -> rows
    files: int = 0
    file_bytes: int = 0
    logs: int = 0
    log_bytes: int = 0


def plan(session: Session, policy: Policy, now: datetime | None = None) -> Plan:
    runs = session.execute(select(m.CrawlRun.id, m.CrawlRun.status, m.CrawlRun.started_at, m.CrawlRun.departments)
                           .order_by(m.CrawlRun.id.desc())).all()
    now = now or clock.now()
    kept: dict[int, set[str]] = {}

    def keep(run_id: int | None, reason: str) -> None:
        if run_id is not None:
            kept.setdefault(run_id, set()).add(reason)

    for run in runs[:policy.keep_runs]:
        keep(run.id, "recent")
    if policy.keep_days is not None:
        cutoff = now - timedelta(days=policy.keep_days)
        for run in runs:
            if run.started_at >= cutoff:
                keep(run.id, "young")
    for run in runs:
        if run.status == "running":
            keep(run.id, "unfinished")
    seen: set[str] = set()
    for run in runs:  # newest first
        if run.status == "completed":
            for dept in run.departments or ():
                if dept not in seen:
                    seen.add(dept)
                    keep(run.id, "newest")
    for run_id in _spotcheck_runs(session):
        keep(run_id, "spotcheck")
    for run_id in _open_finding_runs(session, {r.id: r.departments or [] for r in runs}):
        keep(run_id, "open")
    return Plan(delete=sorted(r.id for r in runs if r.id not in kept), kept=kept)


def _spotcheck_runs(session: Session) -> set[int]:
    ids: set[int] = set()
    check_ids: set[int] = set()
    for model in (SpotcheckRound, SpotcheckRecheck):
        for crawl_id, check_id in session.execute(select(model.crawl_run_id, model.check_run_id)):
            if crawl_id is not None:
                ids.add(crawl_id)
            if check_id is not None:
                check_ids.add(check_id)
    if check_ids:
        ids.update(session.scalars(select(m.CheckRun.crawl_run_id).where(m.CheckRun.id.in_(check_ids))))
    return ids


def _open_finding_runs(session: Session, departments: dict[int, list[str]]) -> set[int]:
    """Crawl runs whose check runs hold a finding still being handled (see the module docstring)."""
    checks = session.execute(select(m.CheckRun.id, m.CheckRun.crawl_run_id).order_by(m.CheckRun.id.desc())).all()
    crawl_of = {c.id: c.crawl_run_id for c in checks}
    newest_check: dict[str, int] = {}
    for c in checks:  # newest first
        for dept in departments.get(c.crawl_run_id, ()):
            newest_check.setdefault(dept, c.id)
    newest_any = checks[0].id if checks else None
    handled = or_(m.Finding.status == "disputed",
                  m.Finding.id.in_(select(Rectification.finding_id)),
                  m.Finding.id.in_(select(FindingStatusChange.finding_id)))
    held: set[int] = set()
    rows = session.execute(select(m.Finding.check_run_id, m.Finding.department_id,
                                  func.max(case((handled, 1), else_=0)))
                           .where(m.Finding.status.in_(OPEN))
                           .group_by(m.Finding.check_run_id, m.Finding.department_id))
    for check_id, dept, in_hand in rows:
        newest = newest_check.get(dept, newest_any) if dept is not None else newest_any
        if in_hand or check_id == newest:
            held.add(crawl_of[check_id])
    return held


# children of a crawl run, deleted before it in this order (foreign keys: list entries and attachments
# point at documents, documents at columns, findings at check runs, snapshots at their bodies)
def _run_tables(run_ids: list[int]):
    checks = select(m.CheckRun.id).where(m.CheckRun.crawl_run_id.in_(run_ids))
    findings = select(m.Finding.id).where(m.Finding.check_run_id.in_(checks))
    return [
        ("finding_status_changes", FindingStatusChange.__table__, FindingStatusChange.finding_id.in_(findings)),
        ("rectifications", Rectification.__table__, Rectification.finding_id.in_(findings)),
        ("screenshots", Screenshot.__table__, or_(Screenshot.run_id.in_(run_ids), Screenshot.check_run_id.in_(checks))),
        ("findings", m.Finding.__table__, m.Finding.check_run_id.in_(checks)),
        ("check_runs", m.CheckRun.__table__, m.CheckRun.crawl_run_id.in_(run_ids)),
        ("list_entries", m.ListEntry.__table__, m.ListEntry.run_id.in_(run_ids)),
        ("attachments", m.Attachment.__table__, m.Attachment.run_id.in_(run_ids)),
        ("privacy_hits", PrivacyHit.__table__, PrivacyHit.run_id.in_(run_ids)),
        ("documents", m.Document.__table__, m.Document.run_id.in_(run_ids)),
        ("columns", m.Column.__table__, m.Column.run_id.in_(run_ids)),
        ("links", m.Link.__table__, m.Link.run_id.in_(run_ids)),
        ("url_checks", m.UrlCheck.__table__, m.UrlCheck.run_id.in_(run_ids)),
        ("snapshots", Snapshot.__table__, Snapshot.run_id.in_(run_ids)),
        ("crawl_events", m.CrawlEvent.__table__, m.CrawlEvent.run_id.in_(run_ids)),
        ("carry_marks", m.CarryMark.__table__, or_(m.CarryMark.run_id.in_(run_ids), m.CarryMark.from_run.in_(run_ids))),
        ("crawl_runs", m.CrawlRun.__table__, m.CrawlRun.id.in_(run_ids)),
    ]


_ORPHAN_BODIES = ~SnapshotBody.sha256.in_(select(Snapshot.sha256).distinct())


def prune_database(session: Session, run_ids: list[int], *, dry_run: bool, batch: int = 20) -> tuple[Removed, list[Path]]:
    """Delete the runs (a few at a time, one transaction each) and the snapshot bodies no run uses any more.
    Returns the counts and the screenshot files that no remaining row refers to."""
    removed = Removed()
    if not run_ids:
        return removed, []
    shot_paths: set[str] = set()
    for start in range(0, len(run_ids), batch):
        chunk = run_ids[start:start + batch]
        tables = _run_tables(chunk)
        shot_paths.update(p for p in session.scalars(select(Screenshot.path).where(tables[2][2])) if p)
        for name, table, where in tables:
            if dry_run:
                n = session.scalar(select(func.count()).select_from(table).where(where)) or 0
            else:
                n = session.execute(delete(table).where(where).execution_options(synchronize_session=False)).rowcount
            removed.rows[name] = removed.rows.get(name, 0) + (n or 0)
        if not dry_run:
            session.commit()
    if dry_run:
        # bodies used only by the runs that would go
        remaining = select(Snapshot.sha256).where(Snapshot.run_id.not_in(run_ids)).distinct()
        n = session.scalar(select(func.count()).select_from(SnapshotBody).where(SnapshotBody.sha256.not_in(remaining)))
        removed.rows["snapshot_bodies"] = n or 0
        going = select(Screenshot.id).where(_run_tables(run_ids)[2][2])
        kept_paths = set(session.scalars(select(Screenshot.path).where(Screenshot.path.is_not(None),
                                                                      Screenshot.id.not_in(going))))
    else:
        n = session.execute(delete(SnapshotBody).where(_ORPHAN_BODIES).execution_options(synchronize_session=False)).rowcount
        removed.rows["snapshot_bodies"] = n or 0
        session.commit()
        kept_paths = set(session.scalars(select(Screenshot.path).where(Screenshot.path.is_not(None))))
    files = [Path(p) for p in sorted(shot_paths - kept_paths)]
    return removed, files


def remove_files(paths: list[Path], *, dry_run: bool) -> tuple[int, int]:
    """Delete the files that exist; returns (count, bytes)."""
    count = size = 0
    for path in paths:
        try:
            st = path.stat()
        except OSError:
            continue
        if not dry_run:
            path.unlink(missing_ok=True)
        count += 1
        size += st.st_size
    return count, size


def old_logs(log_dir: Path, policy: Policy, now: datetime | None = None) -> list[Path]:
    """Per-round scheduler logs (`<log_dir>/runs/<job>/<time>-<attempt>.log`) beyond the newest keep_runs of
    each job and, with keep_days, older than that."""
    runs = log_dir / "runs"
    if not runs.is_dir():
        return []
    now = now or datetime.now()
    cutoff = (now - timedelta(days=policy.keep_days)).timestamp() if policy.keep_days is not None else None
    chosen: list[Path] = []
    for job in sorted(p for p in runs.iterdir() if p.is_dir() and not p.is_symlink()):
        logs = sorted((p for p in job.glob("*.log") if p.is_file() and not p.is_symlink()), key=lambda p: p.name,
                      reverse=True)  # names start with the scheduled time: newest first
        for path in logs[policy.keep_runs:]:
            if cutoff is None or path.stat().st_mtime < cutoff:
                chosen.append(path)
    return chosen


def sqlite_file(session: Session) -> Path | None:
    url = session.get_bind().url
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        return Path(url.database)
    return None


def database_bytes(session: Session) -> int | None:
    """The database's size on disk: SQLite file and its WAL, or PostgreSQL's pg_database_size."""
    path = sqlite_file(session)
    if path is not None:
        return sum(os.path.getsize(p) for p in (path, Path(f"{path}-wal")) if p.exists())
    if session.get_bind().dialect.name == "postgresql":
        return session.scalar(text("SELECT pg_database_size(current_database())"))
    return None


def vacuum(session: Session) -> None:
    """Give the freed pages back: SQLite rewrites the file (and truncates the WAL); PostgreSQL's VACUUM
    makes the space reusable (the files shrink only with VACUUM FULL, which locks the tables)."""
    session.commit()
    engine = session.get_bind()
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        if engine.dialect.name == "sqlite":
            conn.exec_driver_sql("VACUUM")
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        elif engine.dialect.name == "postgresql":
            for name, table, _ in _run_tables([0]) + [("snapshot_bodies", SnapshotBody.__table__, None)]:
                conn.exec_driver_sql(f'VACUUM "{table.name}"')
