"""Run a crawl of a registry into the store: new run, or resume of an interrupted one."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Callable

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings
from sqlalchemy import select

from crawler import settings as default_settings
from crawler.config import CrawlConfig
from crawler.spiders.disclosure import DisclosureSpider
from store import clock
from store import models as m
from store.db import database_url, make_engine, session_factory
from store.migrate import upgrade
from store.registry import Registry
from crawler.incremental import load_previous, previous_run
from store.carry import carry_forward
from store.writer import finalize_run, upsert

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CrawlSummary:
    run_id: int
    status: str
    resumed: bool
    stats: dict[str, Any]


def build_settings(db_url: str, *, fast: bool = False, overrides: dict[str, Any] | None = None) -> Settings:
    settings = Settings()
    settings.setmodule(default_settings, priority="project")
    if fast:
        settings.setdict(default_settings.FAST, priority="project")
    settings.set("ZWGK_DB_URL", db_url, priority="cmdline")
    for key, value in (overrides or {}).items():
        settings.set(key, value, priority="cmdline")
    return settings


def sync_departments(session, registry: Registry) -> None:
    for dept in registry.departments:
        upsert(session, m.Department, dict(id=dept.id, name=dept.name, kind=dept.kind, catalog=dept.catalog,
                                           url=dept.url, home=dept.home, region=registry.sites.region), ("id",))
    session.commit()


def open_run(session, registry: Registry, departments: list[str]) -> tuple[m.CrawlRun, bool]:
    """The run to write into: the last unfinished run of the same registry and scope, else a new one."""
    last = session.scalars(select(m.CrawlRun).where(m.CrawlRun.sites_hash == registry.sha256)
                           .order_by(m.CrawlRun.id.desc()).limit(1)).first()
    if last is not None and last.status in ("running", "interrupted") and sorted(last.departments) == departments:
        last.status, last.resumed = "running", last.resumed + 1
        session.commit()
        return last, True
    run = m.CrawlRun(sites_file=str(registry.path), sites_hash=registry.sha256, started_at=clock.now(),
                     status="running", departments=departments, stats={})
    session.add(run)
    session.commit()
    return run, False


def crawl(registry: Registry, db_url: str | None = None, *, departments: list[str] | None = None, fast: bool = False,
          overrides: dict[str, Any] | None = None, on_crawler: Callable[[Any], None] | None = None,
          incremental: bool = True) -> CrawlSummary:
    """Crawl the registry's departments into a new run (or resume an interrupted one).

    With `incremental`, what the last completed run of these departments saw is reused where the site
    says it is unchanged (conditional requests, unchanged first list pages, recent link checks).
    """
    db_url = database_url(db_url)
    settings = build_settings(db_url, fast=fast, overrides=overrides)
    CrawlConfig.from_settings(settings)  # refuse bad settings before anything is written
    engine = make_engine(db_url)
    upgrade(engine)
    Session = session_factory(engine)
    chosen = sorted(departments or [d.id for d in registry.departments])
    with Session() as session:
        sync_departments(session, registry)
        run, resumed = open_run(session, registry, chosen)
        prev_run = previous_run(session, chosen, exclude=run.id) if incremental else None
        previous = load_previous(session, prev_run) if prev_run else None
        known = set(session.scalars(select(m.UrlCheck.url).where(m.UrlCheck.run_id == run.id)))
        fetched = set(session.scalars(select(m.Document.url).where(m.Document.run_id == run.id,
                                                                   m.Document.fetched.is_(True))))
        run_id = run.id

    process = CrawlerProcess(settings)  # configures logging
    if settings.get("LOG_LEVEL") not in ("DEBUG", "INFO"):
        # unreachable targets are findings; Scrapy would also log them as errors with tracebacks
        for name in ("scrapy.downloadermiddlewares.robotstxt", "scrapy.core.scraper",
                     "scrapy.core.downloader.handlers.http11"):
            logging.getLogger(name).setLevel(logging.CRITICAL)
    crawler = process.create_crawler(DisclosureSpider)
    if on_crawler:
        on_crawler(crawler)
    process.crawl(crawler, registry=registry, run_id=run_id, departments=chosen, known_urls=known,
                  fetched_documents=fetched, previous=previous)
    process.start()

    stats = {k: _plain(v) for k, v in (crawler.stats.get_stats() or {}).items()}
    reason = stats.get("finish_reason")
    status = "completed" if reason == "finished" else "interrupted"
    with Session() as session:
        run = session.get(m.CrawlRun, run_id)
        carried = carry_forward(session, run_id) if status == "completed" else 0
        finalize_run(session, run_id)
        stats["zwgk/incremental/previous_run"] = previous.run_id if previous else None
        stats["zwgk/incremental/carry_marks"] = carried
        # an official audit may override robots.txt; the run records which rule applied
        stats["zwgk/robots_txt_obeyed"] = settings.getbool("ROBOTSTXT_OBEY")
        run.status, run.finished_at = status, clock.now()
        run.stats = {**(run.stats or {}), **stats}
        session.commit()
    engine.dispose()
    return CrawlSummary(run_id=run_id, status=status, resumed=resumed, stats=stats)


def _plain(value: Any) -> Any:
    if isinstance(value, (int, float, str, bool)) or value is None:
        return value
    return str(value)
