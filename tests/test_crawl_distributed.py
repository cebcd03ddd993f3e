"""Two `zwgk crawl --distributed` workers against the local Redis and PostgreSQL share one run of the sample
city: together they fetch what one process fetches, once, and the audit finds the same problems.

"Fetched once" here: the sample city counts every request by (method, path). With shared claims, the two
workers together request every path exactly as often as one process does — every list page and document
page one full GET, every other link target one check (a page target is checked only if no list named it
as a document, see DisclosureSpider._check) — with two exceptions that are per process by nature: each
worker reads robots.txt itself, and each solves the anti-bot challenge of the challenged department in
its own browser, so that department's paths (and the page resources its browser loads) are re-fetched
around the challenge.
"""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import uuid
from collections import Counter
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from store import models as m
from store.db import make_engine, session_factory
from tests.conftest import ROOT, _pg_database, run_zwgk

REDIS_URL = os.environ.get("ZWGK_TEST_REDIS")
needs_services = pytest.mark.skipif(not (os.environ.get("ZWGK_TEST_PG") and REDIS_URL),
                                    reason="needs ZWGK_TEST_PG and ZWGK_TEST_REDIS (a distributed crawl shares both)")


def _findings(db: str, sites) -> list[tuple]:
    check = run_zwgk("--db", db, "check", str(sites))
    assert check.code == 0, check.stderr + check.stdout
    found = run_zwgk("--db", db, "findings", "--format", "json")
    assert found.code == 0, found.stderr
    return sorted((f["check"], f["department"], f["url"], repr(f["item"])) for f in found.json())


def _workers(db: str, sites, prefix: str, n: int = 2) -> list[subprocess.CompletedProcess]:
    env = {**os.environ, "COLUMNS": "200", "ZWGK_REDIS_URL": REDIS_URL}
    env.pop("ZWGK_DEBUG", None)
    # the Redis URL comes from ZWGK_REDIS_URL; each worker a little throttled (2 at a time, 50 ms apart), so
    # that the crawl outlasts the few seconds by which one worker may start after the other on a busy machine
    args = [sys.executable, "-m", "scheduler.cli", "--db", db, "crawl", str(sites), "--fast", "--concurrency", "2",
            "--delay", "0.05", "-s", f"ZWGK_REDIS_PREFIX={prefix}"]
    procs = [subprocess.Popen(args, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(n)]
    done = []
    for proc in procs:
        out, err = proc.communicate(timeout=300)
        done.append(subprocess.CompletedProcess(args, proc.returncode, out, err))
    return done


def _per_process(city, path: str) -> bool:
    """robots.txt, the challenged department, and what a worker's browser loads by itself when it renders a
    page there: shared page resources (/static/) and the favicon Chromium asks for on its own."""
    first = path.split("/", 2)[1] if path.startswith("/") else ""
    return path in ("/robots.txt", "/favicon.ico") or first in city.challenged or first == "static"


@pytest.fixture(scope="module")
def crawls(tmp_path_factory):
    import redis
    from samplecity.server import start

    workdir = tmp_path_factory.mktemp("distributed")
    prefix = f"zwgk-test-{uuid.uuid4().hex[:10]}"
    single_gen, shared_gen = _pg_database(), _pg_database()
    single_db, shared_db = next(single_gen), next(shared_gen)
    client = redis.Redis.from_url(REDIS_URL)
    try:
        with start() as city:
            sites = city.write_sites(workdir / "sites.yaml")
            single = run_zwgk("--db", single_db, "crawl", str(sites), "--fast")
            assert single.code == 0, single.stderr
            single_counts = Counter(city.requests)
            single_links_checked = _run_stats(single_db)["zwgk/links/checked"]
            city.requests.clear()
            workers = _workers(shared_db, sites, prefix)
            shared_counts = Counter(city.requests)
            leftover = sorted(k.decode() for k in client.scan_iter(match=f"{prefix}:*"))
            yield dict(city=city, workers=workers, single=single_counts, shared=shared_counts, leftover=leftover,
                       single_findings=_findings(single_db, sites), shared_findings=_findings(shared_db, sites),
                       shared_db=shared_db, single_links_checked=single_links_checked)
    finally:
        for key in client.scan_iter(match=f"{prefix}:*"):
            client.delete(key)
        client.close()
        single_gen.close()
        shared_gen.close()


@needs_services
def test_both_workers_finish_one_run(crawls):
    codes = [w.returncode for w in crawls["workers"]]
    assert codes == [0, 0], [w.stderr[-2000:] for w in crawls["workers"]]
    lines = [w.stdout for w in crawls["workers"]]
    assert sum("共 2 个抓取进程" in out for out in lines) == 1  # exactly one worker finalized the run
    assert sum("由最后结束的抓取进程收尾" in out for out in lines) == 1
    engine = make_engine(crawls["shared_db"])
    with session_factory(engine)() as s:
        runs = s.scalars(select(m.CrawlRun)).all()
    engine.dispose()
    assert [r.status for r in runs] == ["completed"]  # one run, joined by both
    assert crawls["leftover"] == []  # the run's Redis keys are gone


@needs_services
def test_findings_equal_a_single_process_crawl(crawls):
    assert crawls["shared_findings"]
    assert crawls["shared_findings"] == crawls["single_findings"]


@needs_services
def test_every_page_fetched_once(crawls):
    city, single, shared = crawls["city"], crawls["single"], crawls["shared"]
    paths = {key for key in single | shared if not _per_process(city, key[1])}
    assert paths
    differ = {key: (single[key], shared[key]) for key in paths if single[key] != shared[key]}
    assert differ == {}  # (one process, two workers together) for each (method, path)
    # and one process fetches each list and document page once
    docs = {_as_requested(url) for url in _document_urls(crawls["shared_db"])}
    docs = {p for p in docs if not _per_process(city, p)}
    assert docs and {p: shared[("GET", p)] for p in docs if shared[("GET", p)] != 1} == {}
    assert shared[("GET", "/robots.txt")] <= 2


@needs_services
def test_both_workers_did_a_share(crawls):
    stats = _run_stats(crawls["shared_db"])
    shares = stats["zwgk/workers"]
    assert len(shares) == 2
    total = sum(w["requests"] for w in shares.values())
    assert total == stats["downloader/request_count"]
    # every link target checked once by the two together, off-host targets included (the city cannot count those)
    assert sum(w["links_checked"] for w in shares.values()) == crawls["single_links_checked"]
    assert all(w["requests"] >= 10 for w in shares.values()), shares


def _run_stats(db: str) -> dict:
    engine = make_engine(db)
    with session_factory(engine)() as s:
        run = s.scalars(select(m.CrawlRun)).one()
    engine.dispose()
    return run.stats


def _as_requested(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _document_urls(db: str) -> list[str]:
    engine = make_engine(db)
    with session_factory(engine)() as s:
        urls = s.scalars(select(m.Document.url).where(m.Document.fetched.is_(True))).all()
    engine.dispose()
    return urls


@pytest.mark.parametrize("db, redis_url, says", [
    ("sqlite", "redis://127.0.0.1:6379/0", "PostgreSQL"),            # checked before Redis is contacted
    ("pg", "http://127.0.0.1:6379/0", "redis://主机:端口/库号"),
    ("pg", "redis://127.0.0.1:1/0", "无法连接 Redis"),                # nothing listens on port 1
])
def test_bad_distributed_setup_is_one_line_exit_2(tmp_path, db, redis_url, says):
    sites = tmp_path / "sites.yaml"
    sites.write_text("region: 示例市\ncatalogs: [municipal-department]\ndepartments:\n"
                     "  - {id: a, name: 甲局, kind: department, catalog: municipal-department,"
                     " url: 'http://127.0.0.1:9/a/zwgk/'}\n", encoding="utf-8")
    url = f"sqlite:///{tmp_path / 'zwgk.db'}" if db == "sqlite" else "postgresql://nobody@127.0.0.1:1/none"
    result = run_zwgk("--db", url, "crawl", str(sites), "--distributed", redis_url)
    assert result.code == 2
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and says in lines[0] and "Traceback" not in result.stderr, result.stderr


# --- long crawls: heartbeats stay alive; a worker killed with -9 loses nothing -------------------------

# scaled down from 5 s / 60 s (not further: on a loaded test machine a process may stall for seconds);
# the crawls below last many timeouts
HEARTBEAT, TIMEOUT = 1.0, 8.0


def _start_workers(db: str, sites, prefix: str, n: int, *extra: str) -> list[subprocess.Popen]:
    env = {**os.environ, "COLUMNS": "200", "ZWGK_REDIS_URL": REDIS_URL}
    env.pop("ZWGK_DEBUG", None)
    # polite: one request at a time per worker, 100 ms apart, so that the crawl outlasts the timeout many times
    args = [sys.executable, "-m", "scheduler.cli", "--db", db, "crawl", str(sites), "--fast", "--concurrency", "1",
            "--delay", "0.1", "-s", f"ZWGK_REDIS_PREFIX={prefix}", "-s", f"ZWGK_REDIS_HEARTBEAT={HEARTBEAT}",
            "-s", f"ZWGK_REDIS_WORKER_TIMEOUT={TIMEOUT}", *extra]
    # output to files, not pipes: a worker must never block on a full pipe nobody reads yet
    procs = []
    for _ in range(n):
        out, err = tempfile.TemporaryFile(), tempfile.TemporaryFile()
        procs.append(subprocess.Popen(args, cwd=ROOT, env=env, stdout=out, stderr=err))
        procs[-1].files = (out, err)
    return procs


def _finish(procs: list[subprocess.Popen]) -> list[subprocess.CompletedProcess]:
    done = []
    for proc in procs:
        proc.wait(timeout=600)
        texts = []
        for f in proc.files:
            f.seek(0)
            texts.append(f.read().decode("utf-8", "replace"))
            f.close()
        out, err = texts
        done.append(subprocess.CompletedProcess(proc.args, proc.returncode, out, err))
    return done


def _session_keys(client, prefix: str) -> str | None:
    """The namespace of the run session under `prefix` (`<prefix>:crawl:<digest>:run:<token>`), once it exists."""
    for key in client.scan_iter(match=f"{prefix}:crawl:*:run:*:meta"):
        return key.decode()[: -len(":meta")]
    return None


@pytest.fixture(scope="module")
def single_city(tmp_path_factory):
    """The sample city, with what one process crawling it stores and finds."""
    from samplecity.server import start

    workdir = tmp_path_factory.mktemp("distributed-long")
    gen = _pg_database()
    db = next(gen)
    try:
        with start() as city:
            sites = city.write_sites(workdir / "sites.yaml")
            single = run_zwgk("--db", db, "crawl", str(sites), "--fast")
            assert single.code == 0, single.stderr
            yield dict(city=city, sites=sites, findings=_findings(db, sites), stored=_stored(db),
                       requests=len(city.requests))
    finally:
        gen.close()


def _stored(db: str) -> dict[str, set]:
    """What a user reads back of a crawl: its documents, columns, list entries and link outcomes."""
    engine = make_engine(db)
    with session_factory(engine)() as s:
        stored = {
            "documents": set(s.execute(select(m.Document.url, m.Document.title, m.Document.fetched)).all()),
            "columns": set(s.execute(select(m.Column.department_id, m.Column.url, m.Column.depth)).all()),
            "url_checks": set(s.execute(select(m.UrlCheck.url, m.UrlCheck.verdict, m.UrlCheck.reason)).all()),
            "links": set(s.execute(select(m.Link.source_url, m.Link.target_url)).all()),
        }
    engine.dispose()
    return stored


@pytest.fixture
def shared_db():
    gen = _pg_database()
    yield next(gen)
    gen.close()


@pytest.fixture
def redis_client():
    import redis

    prefix = f"zwgk-test-{uuid.uuid4().hex[:10]}"
    client = redis.Redis.from_url(REDIS_URL)
    yield client, prefix
    for key in client.scan_iter(match=f"{prefix}:*"):
        client.delete(key)
    client.close()


@needs_services
def test_three_workers_stay_alive_through_a_long_crawl(single_city, shared_db, redis_client):
    import time

    client, prefix = redis_client
    city = single_city["city"]
    city.requests.clear()
    started = time.monotonic()
    procs = _start_workers(shared_db, single_city["sites"], prefix, 3)
    beats: dict[str, list[float]] = {}  # worker → heartbeat scores seen while the crawl ran
    stats_seen = 0
    while any(p.poll() is None for p in procs):
        ns = _session_keys(client, prefix)
        if ns:
            for worker, score in client.zrange(f"{ns}:workers", 0, -1, withscores=True):
                beats.setdefault(worker.decode(), []).append(score)
            stats_seen = max(stats_seen, client.hlen(f"{ns}:stats"))
        time.sleep(0.25)
    workers = _finish(procs)
    took = time.monotonic() - started
    assert [w.returncode for w in workers] == [0, 0, 0], [w.stderr[-2000:] for w in workers]
    assert took > 3 * TIMEOUT  # the crawl lasted several worker timeouts
    assert len(beats) == 3 and stats_seen == 3
    # every worker's heartbeat moved on while it lived (it did not stay at its join time)
    assert all(max(seen) - min(seen) >= TIMEOUT for seen in beats.values()), {w: (min(s), max(s)) for w, s in beats.items()}
    lines = [w.stdout for w in workers]
    assert sum("共 3 个抓取进程" in out for out in lines) == 1  # finalized once, by one worker
    assert sum("由最后结束的抓取进程收尾" in out for out in lines) == 2
    engine = make_engine(shared_db)
    with session_factory(engine)() as s:
        runs = s.scalars(select(m.CrawlRun)).all()
    engine.dispose()
    assert [r.status for r in runs] == ["completed"]
    assert runs[0].stats["zwgk/workers_lost"] == [], [w.stderr[-3000:] for w in workers]
    assert len(runs[0].stats["zwgk/workers"]) == 3
    assert list(client.scan_iter(match=f"{prefix}:*")) == []
    assert _findings(shared_db, single_city["sites"]) == single_city["findings"]


@needs_services
def test_a_worker_killed_with_9_loses_nothing(single_city, shared_db, redis_client):
    import signal
    import time

    client, prefix = redis_client
    city = single_city["city"]
    city.requests.clear()
    procs = _start_workers(shared_db, single_city["sites"], prefix, 3)
    victim, ns, in_hand = procs[1], None, 0
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and victim.poll() is None:  # a third of the way in, with requests in hand
        ns = ns or _session_keys(client, prefix)
        if ns and len(city.requests) > single_city["requests"] // 3:
            name = next((w.decode() for w in client.zrange(f"{ns}:workers", 0, -1)
                         if w.decode().endswith(f":{victim.pid}")), None)
            in_hand = client.hlen(f"{ns}:inflight:{name}") if name else 0
            if in_hand:
                break
        time.sleep(0.05)
    assert in_hand, "the worker to kill never had a request in hand"
    victim.send_signal(signal.SIGKILL)
    workers = _finish(procs)
    assert workers[1].returncode == -signal.SIGKILL
    survivors = [workers[0], workers[2]]
    assert [w.returncode for w in survivors] == [0, 0], [w.stderr[-2000:] for w in survivors]
    engine = make_engine(shared_db)
    with session_factory(engine)() as s:
        runs = s.scalars(select(m.CrawlRun)).all()
    engine.dispose()
    assert [r.status for r in runs] == ["completed"]  # finalized once, by a survivor
    assert sum("共 3 个抓取进程" in w.stdout for w in survivors) == 1
    stats = runs[0].stats
    assert [w.rsplit(":", 1)[1] for w in stats["zwgk/workers_lost"]] == [str(victim.pid)]
    assert stats["zwgk/requests_requeued"] >= 1
    assert _stored(shared_db) == single_city["stored"]  # nothing the killed worker had in hand is missing
    assert _findings(shared_db, single_city["sites"]) == single_city["findings"]
    assert list(client.scan_iter(match=f"{prefix}:*")) == []
