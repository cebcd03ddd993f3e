"""The audit's steps as plain functions (crawl, check, report); the CLI and the scheduler both call them.

Each takes what it needs (registry, database URL, dates) and opens its own session.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Callable

from sqlalchemy import select

from checks.runner import CheckOutcome, NoCrawlError, is_complete, latest_run, run_checks
from store import models as m
from store.db import make_engine, session_factory
from store.migrate import upgrade
from store.registry import Registry


@dataclass(frozen=True)
class CheckSummary:
    check_run_id: int
    crawl_run_id: int
    as_of: date
    outcomes: list[CheckOutcome]


def open_session(db_url: str | None, *, migrate: bool = True):
    engine = make_engine(db_url)
    if migrate:
        upgrade(engine)
    return session_factory(engine)()


def crawl_job(registry: Registry, db_url: str | None, *, departments: list[str] | None = None, fast: bool = False,
              overrides: dict[str, Any] | None = None, on_crawler: Callable[[Any], None] | None = None,
              incremental: bool = True, distributed: str | None = None):
    """Crawl into the database; with `distributed` (a Redis URL) as one worker of a shared run."""
    from crawler.run import crawl  # imports Scrapy and its reactor only when crawling

    return crawl(registry, db_url, departments=departments, fast=fast, overrides=overrides, on_crawler=on_crawler,
                 incremental=incremental, distributed=distributed)


def check_job(registry: Registry | None, db_url: str | None, *, as_of: date | None = None,
              crawl_run_id: int | None = None, only: list[str] | None = None) -> CheckSummary:
    with open_session(db_url) as session:
        if crawl_run_id is not None:
            run = session.get(m.CrawlRun, crawl_run_id)
            if run is None:
                raise NoCrawlError(f"抓取批次 #{crawl_run_id} 不存在")
            if run.status != "completed":  # its rows have gaps: findings would be missing without a word
                raise NoCrawlError(f"抓取批次 #{crawl_run_id} 未完成（{CRAWL_STATUS.get(run.status, run.status)}），"
                                   f"不能检查；请再次运行同一条 zwgk crawl 命令完成该批次")
        else:
            run = latest_run(session, sites_hash=registry.sha256 if registry else None)
            if run is None:
                raise NoCrawlError("没有已完成的抓取结果，请先运行 zwgk crawl")
        check_run, outcomes = run_checks(session, run, as_of=as_of, registry=registry, only=only)
        return CheckSummary(check_run.id, run.id, check_run.as_of, outcomes)


CRAWL_STATUS = {"running": "正在抓取或已被中断", "interrupted": "已中断", "failed": "写入失败", "completed": "已完成"}


def find_check_run(session, check_run_id: int | None) -> m.CheckRun:
    """The check run a report reads: the one asked for, else the newest. A check run that did not finish
    (killed, failed, or still running) is refused: its findings are incomplete."""
    if check_run_id is not None:
        found = session.get(m.CheckRun, check_run_id)
        if found is None:
            raise NoCrawlError(f"检查批次 #{check_run_id} 不存在")
    else:
        found = session.scalars(select(m.CheckRun).order_by(m.CheckRun.id.desc()).limit(1)).first()
        if found is None:
            raise NoCrawlError("还没有检查结果，请先运行 zwgk check")
    if not is_complete(found):
        done = session.scalars(select(m.CheckRun.id).where(m.CheckRun.finished_at.is_not(None))
                               .order_by(m.CheckRun.id.desc()).limit(1)).first()
        hint = f"，或用 --check-run {done} 查看最近一次完成的检查" if done is not None and check_run_id is None else ""
        raise NoCrawlError(f"检查批次 #{found.id} 未完成（检查被中断、出错或仍在运行），问题清单不完整；"
                           f"请重新运行 zwgk check{hint}")
    return found


def report_job(db_url: str | None, output: Path, *, check_run_id: int | None = None) -> Path:
    from reports.context import run_report
    from reports.html import write_run_report

    with open_session(db_url) as session:
        report = run_report(session, find_check_run(session, check_run_id))
        return write_run_report(report, output)


def findings_json(db_url: str | None, *, check_run_id: int | None = None, department: str | None = None,
                  check: str | None = None) -> str:
    from reports.context import finding_views

    with open_session(db_url) as session:
        views = finding_views(session, find_check_run(session, check_run_id), department=department, check=check)
        return json.dumps([v.as_contract() for v in views], ensure_ascii=False, indent=2)


def unjudged_json(db_url: str | None, *, check_run_id: int | None = None) -> str:
    """The 未能完整抓取 records of a check run, as JSON: a list of its own beside the findings JSON."""
    from reports.context import unjudged_views

    with open_session(db_url) as session:
        views = unjudged_views(session, find_check_run(session, check_run_id))
        return json.dumps([v.as_json() for v in views], ensure_ascii=False, indent=2)
