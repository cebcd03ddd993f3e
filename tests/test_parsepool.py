"""Parsing in worker processes (crawler.parsepool): the same results as parsing in the crawl's own
process, on real saved pages and on a whole crawl of the sample city; a killed worker costs speed only."""
from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from crawler.config import CrawlSettingsError, worker_count
from crawler.parsepool import ParsePool
from crawler.parsing.prepare import CHECK, DOCUMENT, LIST, prepare
from store import models as m
from store import models_checks
from store.db import make_engine, session_factory

PAGES = Path(__file__).parent / "pages"
TODAY = date(2026, 11, 20)


def _corpus() -> list[tuple[str, str, bytes]]:
    found = []
    for path in sorted(PAGES.rglob("*.htm*")):
        role = DOCUMENT if path.name.startswith("doc") else LIST
        found.append((role, f"http://www.example.gov.cn/{path.relative_to(PAGES).as_posix()}", path.read_bytes()))
    return found


def test_worker_count_setting():
    assert worker_count("0") == 0 and worker_count(3) == 3
    cpus = len(os.sched_getaffinity(0))
    assert worker_count("auto") == worker_count(None) == max(0, min(4, cpus - 1))
    for bad in ("many", "-1", "1.5"):
        with pytest.raises(CrawlSettingsError, match="ZWGK_PARSE_WORKERS"):
            worker_count(bad)


def test_workers_prepare_exactly_what_the_crawl_process_would():
    corpus = _corpus()
    assert len(corpus) >= 20, "the saved pages are the test's input"
    pool = ParsePool(1)
    try:
        async def all_of_them():
            return await asyncio.gather(*(pool.prepare(role, url, 200, "text/html; charset=utf-8", body, TODAY, True)
                                          for role, url, body in corpus))
        away = asyncio.run(all_of_them())
        assert pool.pids() and not pool.broken  # it did run in another process
    finally:
        pool.close()
    here = [prepare(role, url, 200, "text/html; charset=utf-8", body, TODAY, True) for role, url, body in corpus]
    assert away == here
    assert any(p.document and p.document.title for p in away) and any(p.listing and p.listing.items for p in away)


def test_a_killed_worker_costs_speed_not_results():
    role, url, body = next(c for c in _corpus() if c[0] == DOCUMENT)
    expected = prepare(role, url, 200, "text/html", body, TODAY, True)
    pool = ParsePool(1)
    try:
        async def twice():
            first = await pool.prepare(role, url, 200, "text/html", body, TODAY, True)
            for pid in pool.pids():
                os.kill(pid, signal.SIGKILL)
            await asyncio.sleep(0.5)
            second = await pool.prepare(role, url, 200, "text/html", body, TODAY, True)
            third = await pool.prepare(CHECK, url, 404, "text/html", body, TODAY, False)
            return first, second, third
        first, second, third = asyncio.run(twice())
        assert first == expected and second == expected
        assert pool.broken and not pool.pids()
        assert third.verdict.verdict == "broken" and third.masked is None
    finally:
        pool.close()


def test_workers_do_not_outlive_a_killed_crawl(tmp_path):
    """A crawl process killed with SIGKILL (the scheduler's watchdog, the OOM killer) takes its parse
    workers with it instead of leaving them waiting forever."""
    script = tmp_path / "crawl.py"
    script.write_text(
        "import asyncio, os, sys\n"
        "from crawler.parsepool import ParsePool\n"
        "if __name__ == '__main__':\n"
        "    pool = ParsePool(1)\n"
        "    asyncio.run(pool.prepare('check', 'http://x/', 200, 'text/plain', b'x' * 2048, None, False))\n"
        "    assert not pool.broken\n"
        "    print(*pool.pids(), flush=True)\n"
        "    os.kill(os.getpid(), 9)\n")
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120,
                          cwd=Path(__file__).resolve().parent.parent)
    assert done.returncode == -signal.SIGKILL, done.stderr
    workers = [int(pid) for pid in done.stdout.split()]
    assert workers
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and any(_alive(pid) for pid in workers):
        time.sleep(0.2)
    assert not any(_alive(pid) for pid in workers)


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _rows(db: str) -> dict[str, list[tuple]]:
    engine = make_engine(db)
    try:
        with session_factory(engine)() as s:
            return {
                "documents": sorted(s.execute(select(
                    m.Document.url, m.Document.title, m.Document.publish_date, m.Document.index_number,
                    m.Document.publisher, m.Document.content_hash)).all(), key=repr),
                "links": sorted(s.execute(select(m.Link.source_url, m.Link.target_url, m.Link.anchor)).all(), key=repr),
                "checks": sorted(s.execute(select(m.UrlCheck.url, m.UrlCheck.verdict, m.UrlCheck.reason,
                                                  m.UrlCheck.status)).all(), key=repr),
                "columns": sorted(s.execute(select(m.Column.url, m.Column.name, m.Column.page_count)).all(), key=repr),
                "privacy": sorted(s.execute(select(models_checks.PrivacyHit.source_url, models_checks.PrivacyHit.kind,
                                                   models_checks.PrivacyHit.masked)).all(), key=repr),
            }
    finally:
        engine.dispose()


def test_a_crawl_with_workers_stores_what_one_without_stores(sample_city, tmp_path, zwgk):
    sites = sample_city.write_sites(tmp_path / "sites.yaml")
    stored = {}
    for workers in ("0", "2"):
        db = f"sqlite:///{tmp_path / f'w{workers}.db'}"
        result = zwgk("--db", db, "crawl", str(sites), "--fast", "-s", f"ZWGK_PARSE_WORKERS={workers}")
        assert result.code == 0, result.stderr
        stored[workers] = _rows(db)
    assert stored["0"]["documents"] and stored["0"]["privacy"]
    for table in stored["0"]:
        assert stored["2"][table] == stored["0"][table], table
