"""三随机 spot checks as plain functions: draw, run a round, re-check, record status changes.

The CLI (scheduler/cli_spotcheck.py) and the scheduler both call these. Each opens its own session.
Crawls run as `zwgk crawl` in a subprocess: Twisted's reactor cannot be restarted inside one process.
"""
from __future__ import annotations

import os
import secrets
import subprocess
import sys
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, Callable

from sqlalchemy import func, select

from checks import sampling
from checks.calendar import work_calendar
from checks.registry import all_checks
from checks.runner import run_checks
from scheduler.jobs import open_session
from store import clock
from store import models as m
from store.db import database_url
from store.models_spotcheck import (FindingStatusChange, SpotcheckAnnouncement, SpotcheckDraw, SpotcheckManualEntry,
                                    SpotcheckRecheck, SpotcheckRound, add_manual_entry, change_status, pending_manual,
                                    recently_drawn)
from store.registry import Registry, load_registry

RECHECK_BY = "复查"
SCREENSHOT_LIMIT = 50  # pages screenshotted per round (evidence for the bulletin; the slowest step)
ZWGK = [sys.executable, "-c", "from scheduler.cli import main; main()"]  # the `zwgk` entry point, this interpreter


class SpotcheckError(Exception):
    """A spot-check request that cannot be carried out; str() is one formal Chinese line."""


@dataclass(frozen=True)
class DrawSummary:
    id: int
    commitment: str
    scheduled_at: str | None
    departments: list[str]
    items: list[int]
    frame_size: int
    excluded: list[str]

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "commitment": self.commitment, "scheduled_at": self.scheduled_at,
                "departments": self.departments, "items": self.items}


@dataclass(frozen=True)
class RoundSummary:
    round_id: int
    draw_id: int
    year: int
    period: int
    crawl_run_id: int | None
    check_run_id: int | None
    findings: int
    checks: list[str]
    unavailable: list[str]
    screenshots: str | None = None  # what the evidence screenshots step said


@dataclass(frozen=True)
class RecheckSummary:
    recheck_id: int
    round_id: int
    closed: list[int]
    still_open: list[int]


# --- draw ------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class AnnouncementSummary:
    id: int
    commitment: str
    public_source: str
    secret: str  # shown once, to be sealed by the office; only its hash is stored
    frame_size: int
    excluded: list[str]
    workdays: list[str]


def _frame(session, registry: Registry, *, count: int | None, share: float | None, exclude_last: int,
           window_start: date | None, window_days: int, checklist: str | Path | None, documents: int, columns: int,
           items: int | None, public_source: str | None, secret_sha256: str | None) -> tuple[dict[str, Any], list[str]]:
    chosen = sampling.load_checklist(checklist)
    params = sampling.DrawParams(count=count, share=share, items=items, documents=documents, columns=columns)
    today = clock.today()
    workdays, calendar = sampling.workdays_from(window_start or today + timedelta(days=1), window_days,
                                                work_calendar(registry.path))
    excluded = recently_drawn(session, registry.sites.region, exclude_last)
    frame = sampling.build_frame(
        as_of=today.isoformat(), region=registry.sites.region, sites_file=str(registry.path),
        sites_sha256=registry.sha256, departments=[d.model_dump() for d in registry.departments],
        excluded=excluded, exclude_last=exclude_last, checklist=chosen, params=params,
        workdays=[d.isoformat() for d in workdays], calendar=calendar, public_source=public_source,
        secret_sha256=secret_sha256)
    return frame, excluded


def _refuse_twice(session, frame_commitment: str) -> None:
    """Drawing one frame again and again until a liked result comes up is not allowed."""
    for model, what in ((SpotcheckAnnouncement, "公告"), (SpotcheckDraw, "抽取")):
        twin = session.scalars(select(model).where(model.commitment == frame_commitment)).first()
        if twin is not None:
            raise SpotcheckError(f"同一抽取范围已于 {twin.created_at:%Y-%m-%d %H:%M} {what}过（{what}记录 #{twin.id}），"
                                 "不能重复；如名录、清单或参数确有变化，请修改后重新公告")


def announce_job(db_url: str | None, sites: str | Path, *, public_source: str, count: int | None = None,
                 share: float | None = None, exclude_last: int = 0, window_start: date | None = None,
                 window_days: int = sampling.DEFAULT_WINDOW_DAYS, checklist: str | Path | None = None,
                 documents: int = sampling.DEFAULT_DOCUMENTS, columns: int = sampling.DEFAULT_COLUMNS,
                 items: int | None = None) -> AnnouncementSummary:
    """Fix the frame before anything is random: hash it with the named future public value and the hash of a
    fresh office secret, and store it for publication. The secret is returned once and never stored."""
    public_source = " ".join(public_source.split())
    if not public_source:
        raise SpotcheckError("--public-source: 须写明抽取时采用的公开随机数来源（如某期彩票开奖号码）")
    registry = load_registry(sites)
    secret = secrets.token_hex(32)
    with open_session(db_url) as session:
        frame, excluded = _frame(session, registry, count=count, share=share, exclude_last=exclude_last,
                                 window_start=window_start, window_days=window_days, checklist=checklist,
                                 documents=documents, columns=columns, items=items, public_source=public_source,
                                 secret_sha256=sampling.sha256_hex(secret))
        digest = sampling.commitment(frame)
        _refuse_twice(session, digest)
        # Two announcements open at once would let the office pick, after the public value is out, the one
        # whose outcome it likes: one open announcement per region, drawn before the next.
        drawn = set(session.scalars(select(SpotcheckDraw.announcement_id).where(
            SpotcheckDraw.announcement_id.is_not(None))))
        for other in session.scalars(select(SpotcheckAnnouncement).order_by(SpotcheckAnnouncement.id)):
            if other.id not in drawn and other.frame.get("region") == frame["region"]:
                raise SpotcheckError(f"{frame['region']}的抽查公告 #{other.id}（{other.created_at:%Y-%m-%d}）尚未抽取，"
                                     f"请先按该公告抽取（zwgk spotcheck draw --announcement {other.id}），再发布新的公告")
        record = SpotcheckAnnouncement(created_at=clock.now(), frame=frame, commitment=digest,
                                       public_source=public_source, secret_sha256=sampling.sha256_hex(secret),
                                       sites_path=str(registry.path))
        session.add(record)
        session.commit()
        return AnnouncementSummary(record.id, digest, public_source, secret, len(frame["departments"]), excluded,
                                   list(frame["window"]["workdays"]))


def draw_announced_job(db_url: str | None, announcement_id: int, *, public_value: str, secret: str) -> DrawSummary:
    """Draw an announced frame with the public value that came out after the announcement and the office's
    revealed secret; a frame is drawn once."""
    public_value, secret = sampling.normalise_public_value(public_value), secret.strip()
    if not public_value:
        raise SpotcheckError("--public-value: 须填写公告指定的公开随机数（按公布原样）")
    with open_session(db_url) as session:
        announced = session.get(SpotcheckAnnouncement, announcement_id)
        if announced is None:
            raise SpotcheckError(f"抽查公告 #{announcement_id} 不存在")
        done = session.scalars(select(SpotcheckDraw).where(SpotcheckDraw.announcement_id == announcement_id)).first()
        if done is not None:
            raise SpotcheckError(f"抽查公告 #{announcement_id} 已于 {done.created_at:%Y-%m-%d %H:%M} 抽取"
                                 f"（抽取记录 #{done.id}），同一公告只能抽取一次")
        if sampling.sha256_hex(secret) != announced.secret_sha256:
            raise SpotcheckError(f"--secret: 与抽查公告 #{announcement_id} 公布的密钥校验值不符")
        seed = sampling.derive_seed(announced.commitment, public_value, secret)
        result = sampling.draw(announced.frame, seed)
        record = SpotcheckDraw(created_at=clock.now(), algorithm=sampling.ALGORITHM,
                               algorithm_version=announced.frame["algorithm"]["version"], frame=announced.frame,
                               commitment=announced.commitment, committed_at=announced.created_at, seed=seed,
                               result=result, scheduled_at=_parse_time(result["scheduled_at"]),
                               announcement_id=announced.id, public_value=public_value, secret=secret,
                               sites_path=announced.sites_path)
        session.add(record)
        session.commit()
        return DrawSummary(record.id, record.commitment, result["scheduled_at"], result["departments"],
                           result["items"], len(announced.frame["departments"]), list(announced.frame["exclude"]["departments"]))


def draw_job(db_url: str | None, sites: str | Path, *, count: int | None = None, share: float | None = None,
             exclude_last: int = 0, window_start: date | None = None, window_days: int = sampling.DEFAULT_WINDOW_DAYS,
             checklist: str | Path | None = None, documents: int = sampling.DEFAULT_DOCUMENTS,
             columns: int = sampling.DEFAULT_COLUMNS, items: int | None = None,
             on_commitment: Callable[[str], None] | None = None) -> DrawSummary:
    """An internal draw without announcement (the scheduler's unattended rounds): frame, commitment, then a
    secret drawn here. Nobody outside can hold the office to it; bulletins say so. Published rounds use
    announce_job + draw_announced_job."""
    registry = load_registry(sites)
    secret = secrets.token_hex(32)
    with open_session(db_url) as session:
        frame, excluded = _frame(session, registry, count=count, share=share, exclude_last=exclude_last,
                                 window_start=window_start, window_days=window_days, checklist=checklist,
                                 documents=documents, columns=columns, items=items, public_source=None,
                                 secret_sha256=sampling.sha256_hex(secret))
        digest = sampling.commitment(frame)
        _refuse_twice(session, digest)
        committed_at = clock.now()
        if on_commitment:
            on_commitment(digest)
        seed = sampling.derive_seed(digest, "", secret)
        result = sampling.draw(frame, seed)
        record = SpotcheckDraw(created_at=clock.now(), algorithm=sampling.ALGORITHM,
                               algorithm_version=sampling.ALGORITHM_VERSION, frame=frame, commitment=digest,
                               committed_at=committed_at, seed=seed, result=result,
                               scheduled_at=_parse_time(result["scheduled_at"]), public_value="", secret=secret,
                               sites_path=str(registry.path))
        session.add(record)
        session.commit()
        return DrawSummary(record.id, digest, result["scheduled_at"], result["departments"], result["items"],
                           len(frame["departments"]), excluded)


def _parse_time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def get_draw(session, draw_id: int) -> SpotcheckDraw:
    record = session.get(SpotcheckDraw, draw_id)
    if record is None:
        raise SpotcheckError(f"抽取记录 #{draw_id} 不存在")
    return record


def get_round(session, round_id: int) -> SpotcheckRound:
    found = session.get(SpotcheckRound, round_id)
    if found is None:
        raise SpotcheckError(f"抽查轮次 #{round_id} 不存在")
    return found


def verify_job(db_url: str | None, draw_id: int) -> sampling.Verification:
    """Recompute the draw from its stored record (and the manual-review sample from the round's crawl)."""
    with open_session(db_url) as session:
        record = get_draw(session, draw_id)
        v = sampling.verify(record.frame, record.commitment, record.seed, record.result)
        extra: list[str] = []
        if record.secret is not None:  # the seed must follow from the published values, not be chosen
            promised = (record.frame.get("randomness") or {}).get("secret_sha256")
            if promised and sampling.sha256_hex(record.secret) != promised:
                extra.append("揭示的密钥与抽取范围中公布的密钥校验值不符")
            if sampling.derive_seed(record.commitment, record.public_value or "", record.secret) != record.seed:
                extra.append("随机种子不是由公开随机数和密钥计算得出")
        if _parse_time(record.result.get("scheduled_at")) != record.scheduled_at:
            extra.append("执行时间字段与抽取结果不符")
        done = session.scalars(select(SpotcheckRound).where(SpotcheckRound.draw_id == draw_id)).first()
        if done is not None and done.crawl_run_id and done.samples != page_samples(session, record, done.crawl_run_id):
            extra.append("人工核查样本与按抓取结果重新抽取的样本不符")
        if not extra:
            return v
        return sampling.Verification(v.commitment_ok, False, v.expected_commitment, v.expected_result,
                                     v.differences + tuple(extra))


def page_samples(session, record: SpotcheckDraw, crawl_run_id: int) -> dict[str, Any]:
    """Documents and columns for manual review, drawn with the record's seed from the round's crawl."""
    sample = record.frame["sample"]
    out: dict[str, Any] = {}
    for dept in record.result["departments"]:
        docs = dict(session.execute(select(m.Document.url, m.Document.title).where(
            m.Document.run_id == crawl_run_id, m.Document.department_id == dept)).all())
        cols = dict(session.execute(select(m.Column.url, m.Column.name).where(
            m.Column.run_id == crawl_run_id, m.Column.department_id == dept, m.Column.depth > 0)).all())
        out[dept] = {
            "documents": [{"url": u, "title": docs[u]} for u in
                          sampling.sample_pages(record.seed, "document", dept, docs, sample["documents"])],
            "columns": [{"url": u, "name": cols[u]} for u in
                        sampling.sample_pages(record.seed, "column", dept, cols, sample["columns"])]}
    return out


# --- the round ---------------------------------------------------------------------------------------

def crawl_subprocess(db_url: str | None, registry: Registry, departments: list[str], *, fast: bool) -> int:
    """Run `zwgk crawl --full` for these departments in a child process; return the crawl run it completed.

    Full, not incremental: a round and a re-check judge the site as it is when they run, so nothing is
    carried over from an earlier crawl (a link checked yesterday is checked again)."""
    url = database_url(db_url)
    with open_session(url) as session:
        before = session.scalar(select(func.max(m.CrawlRun.id))) or 0
    args = [*ZWGK, "crawl", str(registry.path), "--full"]
    for dept in departments:
        args += ["-d", dept]
    if fast:
        args.append("--fast")
    env = {**os.environ, "ZWGK_DB": url, "COLUMNS": "10000"}  # the URL may hold a password: not in argv
    proc = subprocess.run(args, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        last = (proc.stderr.strip().splitlines() or [f"退出码 {proc.returncode}"])[-1]
        raise SpotcheckError(f"抓取未完成：{last}")
    with open_session(url) as session:
        runs = session.scalars(select(m.CrawlRun).where(
            m.CrawlRun.sites_hash == registry.sha256, m.CrawlRun.status == "completed")
            .order_by(m.CrawlRun.id.desc()).limit(20))
        for run in runs:  # a new run of this scope, or an interrupted one the crawl resumed
            if sorted(run.departments) == sorted(departments) and (run.id > before or run.resumed):
                return run.id
    raise SpotcheckError("抓取已结束，但找不到本次抓取的批次记录")


def _registry_for(record: SpotcheckDraw, departments: list[str]) -> Registry:
    registry = load_registry(record.sites_path or record.frame["sites_file"])
    known = {d.id for d in registry.departments}
    missing = [d for d in departments if d not in known]
    if missing:
        raise SpotcheckError(f"{registry.path}: 名录中已没有被抽中的单位 {missing[0]!r}，无法执行抽查")
    return registry


EARLY_TOLERANCE = timedelta(minutes=5)  # a scheduler firing a little early still runs "at its time"


def run_round_job(db_url: str | None, draw_id: int, *, fast: bool = False, as_of: date | None = None,
                  screenshots: bool = True, early_reason: str | None = None) -> RoundSummary:
    """Execute a draw at its drawn time: crawl the drawn departments, run the drawn checks, store the round,
    and (by default) take evidence screenshots of the pages its findings name (`zwgk evidence screenshots`).
    Before that time it runs only with a stated reason, which the bulletin then gives."""
    with open_session(db_url) as session:
        record = get_draw(session, draw_id)
        due = record.scheduled_at
        early = due is not None and clock.now() < due - EARLY_TOLERANCE
        if early and not (early_reason and early_reason.strip()):
            raise SpotcheckError(f"抽取记录 #{draw_id} 的随机执行时间为 {due:%Y-%m-%d %H:%M}，尚未到时；"
                                 "确需提前执行的，请加 --now --reason 说明原因（通报将如实载明）")
        spot, registry = start_round(session, record)
        spot.run_reason = early_reason.strip() if early else None
        session.commit()
        round_id, departments = spot.id, list(record.result["departments"])
    crawl_run_id = _crawl_for(db_url, SpotcheckRound, round_id, registry, departments, fast=fast)
    with open_session(db_url) as session:
        summary = finish_round(session, session.get(SpotcheckRound, round_id), crawl_run_id, registry, as_of=as_of)
    if screenshots and summary.findings:
        return replace(summary, screenshots=_screenshots(db_url, summary.check_run_id))
    return summary


def _screenshots(db_url: str | None, check_run_id: int) -> str:
    """Evidence screenshots in a child process; a failure is reported, the round stands without them."""
    args = [*ZWGK, "evidence", "screenshots", "--check-run", str(check_run_id), "--limit", str(SCREENSHOT_LIMIT)]
    # a wide COLUMNS keeps the child's one-line summary on one line
    env = {**os.environ, "ZWGK_DB": database_url(db_url), "COLUMNS": "10000"}
    proc = subprocess.run(args, env=env, capture_output=True, text=True)
    lines = (proc.stdout if proc.returncode == 0 else proc.stderr).strip().splitlines()
    if proc.returncode == 0:
        return lines[0] if lines else ""
    return f"截图未完成：{lines[-1] if lines else proc.returncode}"


def start_round(session, record: SpotcheckDraw) -> tuple[SpotcheckRound, Registry]:
    """The round row of a draw (numbered 第N期 within the year), marked running; refuses to run a draw twice."""
    spot = session.scalars(select(SpotcheckRound).where(SpotcheckRound.draw_id == record.id)).first()
    if spot is not None and spot.status != "failed":
        state = "正在执行" if spot.status == "running" else "已执行"
        raise SpotcheckError(f"抽取记录 #{record.id} {state}（{spot.year}年第{spot.period}期，轮次 #{spot.id}）")
    if not record.result["departments"]:
        raise SpotcheckError(f"抽取记录 #{record.id} 没有抽中任何单位")
    registry = _registry_for(record, record.result["departments"])
    now = clock.now()
    if spot is None:
        period = (session.scalar(select(func.max(SpotcheckRound.period)).where(SpotcheckRound.year == now.year))
                  or 0) + 1
        spot = SpotcheckRound(draw_id=record.id, year=now.year, period=period, started_at=now)
        session.add(spot)
    spot.status, spot.started_at, spot.error = "running", now, None
    session.commit()
    return spot, registry


def finish_round(session, spot: SpotcheckRound, crawl_run_id: int, registry: Registry, *,
                 as_of: date | None = None) -> RoundSummary:
    """Run the drawn checks on the round's crawl, draw the manual-review sample, mark the round completed."""
    record = session.get(SpotcheckDraw, spot.draw_id)
    registered = all_checks()
    wanted = list(record.result["checks"])
    available = [c for c in wanted if c in registered]
    check_run_id, findings = None, 0
    if available:  # run_checks treats an empty selection as "every check"
        check_run, outcomes = run_checks(session, session.get(m.CrawlRun, crawl_run_id), as_of=as_of,
                                         registry=registry, only=available)
        check_run_id, findings = check_run.id, sum(o.findings for o in outcomes)
    spot.crawl_run_id, spot.check_run_id = crawl_run_id, check_run_id
    spot.checks, spot.unavailable = available, [c for c in wanted if c not in registered]
    spot.samples = page_samples(session, record, crawl_run_id)
    spot.status, spot.finished_at = "completed", clock.now()
    session.commit()
    return RoundSummary(spot.id, record.id, spot.year, spot.period, crawl_run_id, check_run_id, findings,
                        available, list(spot.unavailable))


def _crawl_for(db_url: str | None, model, row_id: int, registry: Registry, departments: list[str], *,
               fast: bool) -> int:
    """The crawl of a round or re-check; when it fails, the row is marked failed (and may be run again)."""
    try:
        return crawl_subprocess(db_url, registry, departments, fast=fast)
    except SpotcheckError as exc:
        with open_session(db_url) as session:
            row = session.get(model, row_id)
            row.status, row.error, row.finished_at = "failed", str(exc), clock.now()
            session.commit()
        raise


# --- rectification ---------------------------------------------------------------------------------

def recheck_job(db_url: str | None, round_id: int, *, fast: bool = False) -> RecheckSummary:
    """复查: crawl again the departments with open findings, run their checks, close what is fixed."""
    with open_session(db_url) as session:
        spot = get_round(session, round_id)
        if spot.status != "completed":
            raise SpotcheckError(f"抽查轮次 #{round_id} 尚未执行完成，不能复查")
        still = _open_findings(session, spot)
        if not still:
            raise SpotcheckError(f"{spot.year}年第{spot.period}期抽查没有未整改的问题，无需复查")
        departments = sorted({f.department_id for f in still})
        checks = sorted({f.check for f in still})
        registry = _registry_for(get_draw(session, spot.draw_id), departments)
        recheck = SpotcheckRecheck(round_id=round_id, started_at=clock.now(), status="running")
        session.add(recheck)
        session.commit()
        recheck_id = recheck.id
    crawl_run_id = _crawl_for(db_url, SpotcheckRecheck, recheck_id, registry, departments, fast=fast)
    with open_session(db_url) as session:
        spot, recheck = session.get(SpotcheckRound, round_id), session.get(SpotcheckRecheck, recheck_id)
        check_run, outcomes = run_checks(session, session.get(m.CrawlRun, crawl_run_id), registry=registry,
                                         only=checks)
        judged = {o.check for o in outcomes if o.status.value in ("PASS", "FAIL")}
        again = {_key(f) for f in session.scalars(select(m.Finding).where(m.Finding.check_run_id == check_run.id))}
        closed, kept = [], []
        for f in _open_findings(session, spot):
            if f.check in judged and _key(f) not in again:
                change_status(session, f, "rectified", f"复查未再发现该问题（复查抓取批次 #{crawl_run_id}，"
                              f"检查批次 #{check_run.id}）", RECHECK_BY, recheck_id=recheck_id)
                closed.append(f.id)
            else:
                kept.append(f.id)
        recheck.crawl_run_id, recheck.check_run_id = crawl_run_id, check_run.id
        recheck.closed, recheck.still_open = len(closed), len(kept)
        recheck.status, recheck.finished_at = "completed", clock.now()
        session.commit()
        return RecheckSummary(recheck_id, round_id, closed, kept)


def _key(f: m.Finding) -> tuple:
    return f.check, f.department_id, f.url, f.item


def _open_findings(session, spot: SpotcheckRound) -> list[m.Finding]:
    if spot.check_run_id is None:
        return []
    return list(session.scalars(select(m.Finding).where(
        m.Finding.check_run_id == spot.check_run_id, m.Finding.status == "open",
        m.Finding.department_id.is_not(None)).order_by(m.Finding.id)))


def set_status_job(db_url: str | None, finding_id: int, status: str, *, reason: str, by: str) -> FindingStatusChange:
    with open_session(db_url) as session:
        finding = session.get(m.Finding, finding_id)
        if finding is None:
            raise SpotcheckError(f"问题 #{finding_id} 不存在")
        change = change_status(session, finding, status, reason, by)
        session.commit()
        return change


def record_manual_job(db_url: str | None, round_id: int, department: str, item: int, value: str, *,
                      problem: bool, by: str) -> SpotcheckManualEntry:
    """Store what the inspector found for a drawn manual checklist item (its `manual.field`)."""
    with open_session(db_url) as session:
        spot = get_round(session, round_id)
        entry = add_manual_entry(session, spot, get_draw(session, spot.draw_id), department, item, value,
                                 problem=problem, by=by)
        session.commit()
        return entry


# --- reports -----------------------------------------------------------------------------------------

def bulletin_job(db_url: str | None, round_id: int, out_dir: str | Path, settings=None, *,
                 allow_pending: bool = False):
    """The round's 通报 as DOCX, PDF, HTML and the XLSX 问题清单; returns reports.bulletin.WrittenFiles.
    A bulletin never claims a manual item nobody recorded: it refuses, or with allow_pending says 待核查."""
    from reports.bulletin import write_bulletin

    with open_session(db_url) as session:
        spot = get_round(session, round_id)
        if spot.status != "completed":
            raise SpotcheckError(f"抽查轮次 #{round_id} 尚未执行完成，不能生成通报")
        pending = pending_manual(session, spot)
        if pending and not allow_pending:
            items = "、".join(f"第{i}项" for i in sorted({i for _, i in pending}))
            raise SpotcheckError(f"抽查轮次 #{round_id} 的人工核查内容（{items}）还有 {len(pending)} 处未记录结果："
                                 "请先用 zwgk spotcheck record 记录，或加 --allow-pending 在通报中注明“待核查”")
        return write_bulletin(session, spot, out_dir, settings)
