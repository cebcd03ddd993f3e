"""Run a crawl of a registry into the store: new run, or resume of an interrupted one.

A run is `completed` only when the spider finished on its own (nothing left to fetch) and every row
was written; a write failure makes it `failed`, anything else (Ctrl-C, a kill, a lost worker) leaves it
`interrupted` or `running`. Running the same command again resumes the newest unfinished run of the
same registry and departments: the crawl starts again from the roots (column pages are read again),
skips what is stored (pages whose outcome is recorded, documents read), and checks the targets of
stored links that have no outcome yet. See docs/reliability.md.
"""
from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from typing import Any, Callable

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings
from sqlalchemy import select, text

from crawler import settings as default_settings
from crawler.claims import URL, Claims
from crawler.config import CrawlConfig
from crawler.pipelines import FAILURE_STAT, WRITE_FAILED, write_error_text
from crawler.spiders.disclosure import DisclosureSpider
from store import clock, killpoint
from store import models as m
from store.db import database_url, make_engine, session_factory
from store.migrate import upgrade
from store.registry import Registry
from crawler.incremental import PreviousCrawl, load_previous, previous_run
from store.carry import carry_forward
from store.writer import finalize_run, upsert

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CrawlSummary:
    run_id: int
    status: str      # completed | interrupted | failed | joined (a distributed worker whose run another worker finalized)
    resumed: bool
    stats: dict[str, Any]
    error: str | None = None  # why the run failed: the database's message for the write that failed


def build_settings(db_url: str, *, fast: bool = False, overrides: dict[str, Any] | None = None,
                   profile: dict[str, Any] | None = None) -> Settings:
    """The crawl's Scrapy settings; `profile` is a settings profile applied over them (the distributed
    one, crawler.distributed.SharedRun.settings)."""
    settings = Settings()
    settings.setmodule(default_settings, priority="project")
    if fast:
        settings.setdict(default_settings.FAST, priority="project")
    settings.set("ZWGK_DB_URL", db_url, priority="cmdline")
    for key, value in (overrides or {}).items():
        settings.set(key, value, priority="cmdline")
    for key, value in (profile or {}).items():
        settings.set(key, value, priority="cmdline")
    return settings


def sync_departments(session, registry: Registry) -> None:
    for dept in registry.departments:
        upsert(session, m.Department, dict(id=dept.id, name=dept.name, kind=dept.kind, catalog=dept.catalog,
                                           url=dept.url, home=dept.home, region=registry.sites.region), ("id",))
    session.commit()


UNFINISHED = ("running", "interrupted", "failed")


def open_run(session, registry: Registry, departments: list[str]) -> tuple[m.CrawlRun, bool]:
    """The run to write into: the newest run of the same registry and departments when it is unfinished
    (whatever other runs, of other departments, came after it), else a new one."""
    last = None
    for run in session.scalars(select(m.CrawlRun).where(m.CrawlRun.sites_hash == registry.sha256)
                               .order_by(m.CrawlRun.id.desc())):
        if sorted(run.departments or []) == departments:
            last = run
            break
    if last is not None and last.status in UNFINISHED:
        last.status, last.resumed = "running", last.resumed + 1
        session.commit()
        return last, True
    run = m.CrawlRun(sites_file=str(registry.path), sites_hash=registry.sha256, started_at=clock.now(),
                     status="running", departments=departments, stats={})
    session.add(run)
    session.commit()
    return run, False


@dataclass
class _Start:
    run_id: int
    resumed: bool
    previous: PreviousCrawl | None
    known: set[str]
    fetched: set[str]
    pending: list[tuple[str, str | None, str]]


def _prepare(Session, registry: Registry, chosen: list[str], incremental: bool,
             join: Callable[[Callable[[], tuple[int, bool]]], tuple[int, bool]] | None = None) -> _Start:
    """Departments synced, the run opened (or joined), and what the spider needs from the store."""
    with Session() as session:
        sync_departments(session, registry)

        def opened() -> tuple[int, bool]:
            run, resumed = open_run(session, registry, chosen)
            return run.id, resumed

        run_id, resumed = join(opened) if join else opened()
        prev_run = previous_run(session, chosen, exclude=run_id) if incremental else None
        previous = load_previous(session, prev_run) if prev_run else None
        known = set(session.scalars(select(m.UrlCheck.url).where(m.UrlCheck.run_id == run_id)))
        fetched = set(session.scalars(select(m.Document.url).where(m.Document.run_id == run_id,
                                                                   m.Document.fetched.is_(True))))
        pending = _unchecked_links(session, run_id, known) if resumed else []
    return _Start(run_id, resumed, previous, known, fetched, pending)


def _unchecked_links(session, run_id: int, known: set[str]) -> list[tuple[str, str | None, str]]:
    """Stored links of the run whose targets have no outcome yet: (target, department, source page), one
    per target. Their pages were read before the interruption and are not read again."""
    out: dict[str, tuple[str, str | None, str]] = {}
    for target, dept, source in session.execute(
            select(m.Link.target_url, m.Link.department_id, m.Link.source_url)
            .where(m.Link.run_id == run_id).order_by(m.Link.id).execution_options(yield_per=10_000)):
        if target not in known and target not in out:
            out[target] = (target, dept, source)
    return list(out.values())


def crawl(registry: Registry, db_url: str | None = None, *, departments: list[str] | None = None, fast: bool = False,
          overrides: dict[str, Any] | None = None, on_crawler: Callable[[Any], None] | None = None,
          incremental: bool = True, distributed: str | None = None) -> CrawlSummary:
    """Crawl the registry's departments into a new run (or resume an interrupted one).

    With `incremental`, what the last completed run of these departments saw is reused where the site
    says it is unchanged (conditional requests, unchanged first list pages, recent link checks).
    With `distributed` (a Redis URL), this process is one worker of the run: every worker started with
    the same registry, departments and database joins the same run (crawler.distributed).
    """
    db_url = database_url(db_url)
    settings = build_settings(db_url, fast=fast, overrides=overrides)
    CrawlConfig.from_settings(settings)  # refuse bad settings before anything is written
    chosen = sorted(departments or [d.id for d in registry.departments])
    if distributed:
        return _crawl_shared(registry, db_url, distributed, chosen, settings, fast=fast, overrides=overrides,
                             on_crawler=on_crawler, incremental=incremental)
    engine = make_engine(db_url)
    upgrade(engine)
    Session = session_factory(engine)
    start = _prepare(Session, registry, chosen, incremental)
    crawler = _run_spider(settings, registry, start, chosen, Claims(restored={URL: start.known}), on_crawler)
    killpoint.reached("crawl:closed")
    stats = _plain_stats(crawler)
    status = _status(stats)
    status = _finish(Session, start, status, stats, settings)
    engine.dispose()
    return CrawlSummary(run_id=start.run_id, status=status, resumed=start.resumed, stats=stats,
                        error=stats.get(FAILURE_STAT))


def _status(stats: dict[str, Any], lost: bool = False) -> str:
    """completed only when the spider ran out of work by itself and every write succeeded."""
    if stats.get(FAILURE_STAT) or stats.get("finish_reason") == WRITE_FAILED:
        return "failed"
    return "completed" if stats.get("finish_reason") == "finished" and not lost else "interrupted"


def _crawl_shared(registry: Registry, db_url: str, redis_url: str, chosen: list[str], settings: Settings, *,
                  fast: bool, overrides: dict[str, Any] | None, on_crawler, incremental: bool) -> CrawlSummary:
    """One worker of a distributed run: join it, crawl from the shared frontier, and finalize the run when
    this is the last worker to leave."""
    from crawler import distributed  # Redis only when distributed

    engine = make_engine(db_url)
    if engine.dialect.name == "sqlite":
        raise distributed.DistributedError(
            "--distributed: 多个抓取进程须共用一个 PostgreSQL 数据库（--db postgresql://…）；"
            "SQLite 数据库文件不能由多台机器共同写入")
    timing = distributed.Timing.from_settings(settings)
    client = distributed.connect(redis_url)
    join_key = _join_key(engine, registry, chosen, settings.get("ZWGK_REDIS_PREFIX") or "zwgk")
    Session = session_factory(engine)
    with distributed.run_lock(client, join_key):  # one migration, one run, one session for workers started together
        upgrade(engine)
        holder: list[distributed.SharedRun] = []

        def join(opened):
            holder.append(distributed.join(client, join_key, opened, timing))
            return holder[0].run_id, holder[0].resumed

        start = _prepare(Session, registry, chosen, incremental, join)
    shared = holder[0]
    log.info("worker %s joined crawl run #%d", shared.worker, shared.run_id)
    settings = build_settings(db_url, fast=fast, overrides=overrides, profile=shared.settings(redis_url))
    crawler = _run_spider(settings, registry, start, chosen,
                          distributed.RedisClaims(shared, restored={URL: start.known}), on_crawler,
                          attach=lambda c: distributed.WorkerSignals(c, shared))
    stats = _plain_stats(crawler)
    finished = _status(stats) == "completed"
    with distributed.run_lock(client, join_key):
        departure = shared.leave(stats, lost=not finished)
        if not departure.last:
            engine.dispose()
            mine = "joined" if finished else "failed" if stats.get(FAILURE_STAT) else "interrupted"
            return CrawlSummary(run_id=start.run_id, status=mine, resumed=start.resumed, stats=stats,
                                error=stats.get(FAILURE_STAT))
        if departure.lost:  # their requests in hand went back into the queue and were done by the others
            log.warning("workers stopped with work in hand: %s; %d requests were put back and redone",
                        ", ".join(departure.lost), departure.requeued)
        merged = distributed.merge_stats(departure.stats, shared.worker)
        merged["zwgk/workers_lost"] = list(departure.lost)
        merged["zwgk/requests_requeued"] = departure.requeued
        if stats.get(FAILURE_STAT):
            merged[FAILURE_STAT] = stats[FAILURE_STAT]
        # a lost worker's requests were redone by the survivors (crawler.distributed): not a loss by itself
        status = "failed" if merged.get(FAILURE_STAT) else _status(stats) if finished else "interrupted"
        status = _finish(Session, start, status, merged, settings)
        distributed.end_session(client, join_key, shared)
    engine.dispose()
    return CrawlSummary(run_id=start.run_id, status=status, resumed=start.resumed, stats=merged,
                        error=merged.get(FAILURE_STAT))


def _join_key(engine, registry: Registry, chosen: list[str], prefix: str) -> str:
    """Workers of one run: same registry, same departments, same database (whatever host name each
    machine uses for it)."""
    with engine.connect() as conn:
        where = conn.execute(text("SELECT current_database(), current_schema()")).one()
    digest = hashlib.sha256("\n".join([registry.sha256, ",".join(chosen), *map(str, where)]).encode()).hexdigest()
    return f"{prefix}:crawl:{digest[:20]}"


def _run_spider(settings: Settings, registry: Registry, start: _Start, chosen: list[str], claims: Claims,
                on_crawler, attach: Callable[[Any], Any] | None = None):
    process = CrawlerProcess(settings)  # configures logging
    if settings.get("LOG_LEVEL") not in ("DEBUG", "INFO"):
        # unreachable targets are findings; Scrapy would also log them as errors with tracebacks
        for name in ("scrapy.downloadermiddlewares.robotstxt", "scrapy.core.scraper",
                     "scrapy.core.downloader.handlers.http11"):
            logging.getLogger(name).setLevel(logging.CRITICAL)
    crawler = process.create_crawler(DisclosureSpider)
    if attach:
        attach(crawler)
    if on_crawler:
        on_crawler(crawler)
    process.crawl(crawler, registry=registry, run_id=start.run_id, departments=chosen, known_urls=start.known,
                  fetched_documents=start.fetched, previous=start.previous, claims=claims,
                  pending_checks=start.pending)
    process.start()
    return crawler


def _plain_stats(crawler) -> dict[str, Any]:
    return {k: _plain(v) for k, v in (crawler.stats.get_stats() or {}).items()}


def _finish(Session, start: _Start, status: str, stats: dict[str, Any], settings: Settings) -> str:
    """Carry unchanged rows over (completed runs), derive column figures, record status and stats; returns
    the status recorded. Everything is one transaction: a kill or a failure in the middle leaves the
    run unfinished (it is resumed, and finished again, by the same command), never half-completed."""
    try:
        with Session() as session:
            run = session.get(m.CrawlRun, start.run_id)
            carried = carry_forward(session, start.run_id, commit=False) if status == "completed" else 0
            killpoint.reached("crawl:finish")
            finalize_run(session, start.run_id, commit=False)
            stats["zwgk/incremental/previous_run"] = start.previous.run_id if start.previous else None
            stats["zwgk/incremental/carry_marks"] = carried
            # an official audit may override robots.txt; the run records which rule applied
            stats["zwgk/robots_txt_obeyed"] = settings.getbool("ROBOTSTXT_OBEY")
            run.status, run.finished_at = status, clock.now()
            run.stats = {**(run.stats or {}), **stats}
            session.commit()
        return status
    except Exception as exc:  # noqa: BLE001 - the run must not look finished; say why, once
        stats[FAILURE_STAT] = stats.get(FAILURE_STAT) or write_error_text(exc)
        log.info("finishing crawl run #%d failed: %s", start.run_id, stats[FAILURE_STAT])
        _mark_failed(Session, start.run_id)
        return "failed"


def _mark_failed(Session, run_id: int) -> None:
    """Best effort (the database may be what failed): a run left `running` is resumed just the same."""
    try:
        with Session() as session:
            session.get(m.CrawlRun, run_id).status = "failed"
            session.commit()
    except Exception:  # noqa: BLE001
        pass


def _plain(value: Any) -> Any:
    if isinstance(value, (int, float, str, bool)) or value is None:
        return value
    return str(value)
