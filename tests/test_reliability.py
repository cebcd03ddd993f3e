"""A run marked complete is complete.

The sample city is crawled and checked once without interruption; then the same crawl is killed with
SIGKILL at named points (store.killpoint: the process kills itself there, as `kill -9` would) and the same
command is run again: the resumed run must hold exactly the rows of the uninterrupted one and give
exactly its findings. A check killed half-way is refused by the reports; a full disk fails the run with
one line and a nonzero exit, and the next run fills the gaps instead of building on them.
"""
from __future__ import annotations

import resource
import subprocess
import sys

import pytest
from sqlalchemy import func, select

from store import models as m
from store.db import make_engine, session_factory
from store.models_checks import PrivacyHit
from tests.conftest import ROOT, run_zwgk

AS_OF = "2026-11-20"
# small write batches: a kill finds some pages committed and others not, as on a large site
BATCH = ("-s", "ZWGK_DB_BATCH=25")
KILL_POINTS = {
    "after-the-first-pages": "crawl:document@10",
    "mid-link-checks": "crawl:linkcheck@20",
    "mid-attachment-scans": "crawl:scan@2",
    "during-finalisation": "crawl:finish",
    "right-after-the-spider-closed": "crawl:closed",
}
ROW_TABLES = {"columns": m.Column, "documents": m.Document, "list_entries": m.ListEntry,
              "attachments": m.Attachment, "links": m.Link, "url_checks": m.UrlCheck, "privacy_hits": PrivacyHit}


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    from samplecity.server import start

    workdir = tmp_path_factory.mktemp("reliability")
    with start() as running:
        yield running, running.write_sites(workdir / "sites.yaml")


@pytest.fixture(scope="module")
def baseline(city, tmp_path_factory):
    """An uninterrupted crawl and check: its rows per table and its findings."""
    _, sites = city
    path = tmp_path_factory.mktemp("baseline") / "zwgk.db"
    db = f"sqlite:///{path}"
    done = crawl(db, sites)
    assert done.returncode == 0, done.stderr
    return rows(db), findings_after_check(db, sites), path


def crawl(db: str, sites, *extra: str, kill: str | None = None, preexec=None):
    args = [sys.executable, "-m", "scheduler.cli", "--db", db, "crawl", str(sites), "--fast", *BATCH, *extra]
    env = {**__import__("os").environ, "COLUMNS": "200"}
    env.pop("ZWGK_DEBUG", None)
    if kill:
        env["ZWGK_TEST_KILL_AT"] = kill
    proc = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, preexec_fn=preexec)
    return proc


def rows(db: str, run_id: int | None = None) -> dict[str, int]:
    """Rows of a crawl run (the newest by default), per table."""
    engine = make_engine(db)
    with session_factory(engine)() as s:
        run_id = run_id or s.scalar(select(func.max(m.CrawlRun.id)))
        out = {name: s.scalar(select(func.count()).select_from(model).where(model.run_id == run_id))
               for name, model in ROW_TABLES.items()}
        out["documents read"] = s.scalar(select(func.count()).select_from(m.Document)
                                         .where(m.Document.run_id == run_id, m.Document.fetched.is_(True)))
    engine.dispose()
    return out


def statuses(db: str) -> list[tuple[int, str]]:
    engine = make_engine(db)
    with session_factory(engine)() as s:
        out = [(r.id, r.status) for r in s.scalars(select(m.CrawlRun).order_by(m.CrawlRun.id))]
    engine.dispose()
    return out


def unchecked_links(db: str, run_id: int = 1) -> int:
    """Stored links whose target has no outcome in the run: the symptom of a lost frontier."""
    engine = make_engine(db)
    with session_factory(engine)() as s:
        checked = select(m.UrlCheck.url).where(m.UrlCheck.run_id == run_id)
        n = s.scalar(select(func.count(func.distinct(m.Link.target_url)))
                     .where(m.Link.run_id == run_id, m.Link.target_url.not_in(checked)))
    engine.dispose()
    return n


def findings(db: str) -> list[tuple]:
    found = run_zwgk("--db", db, "findings", "--format", "json")
    assert found.code == 0, found.stderr
    return sorted((f["check"], f["department"], f["url"], f["item"]) for f in found.json())


def findings_after_check(db: str, sites) -> list[tuple]:
    check = run_zwgk("--db", db, "check", str(sites), "--as-of", AS_OF)
    assert check.code == 0, check.stderr + check.stdout
    return findings(db)


def test_the_uninterrupted_run_leaves_no_link_unchecked(city, baseline):
    stored, found, _ = baseline
    assert stored["privacy_hits"] >= 3 and stored["url_checks"] > 100
    assert {f[0] for f in found} >= {"privacy.id_number", "privacy.mobile_number", "links.broken", "attachments.archive"}


@pytest.mark.parametrize("point", list(KILL_POINTS))
def test_a_crawl_killed_and_run_again_loses_nothing(point, city, baseline, db_url):
    _, sites = city
    killed = crawl(db_url, sites, kill=KILL_POINTS[point])
    assert killed.returncode == -9, killed.stderr[-2000:]
    assert statuses(db_url) == [(1, "running")]  # never completed, whatever was stored
    assert run_zwgk("--db", db_url, "check", str(sites)).code == 2  # nothing completed to check
    later = []
    if point == "after-the-first-pages":  # another crawl in between (one department, as the links re-check
        one = crawl(db_url, sites, "-d", "cgjd")  # does): the interrupted batch is still the one resumed
        assert one.returncode == 0, one.stderr[-2000:]
        later = [(2, "completed")]

    again = crawl(db_url, sites)
    assert again.returncode == 0, again.stderr[-2000:]
    assert "抓取批次 #1（续抓）：完成" in again.stdout
    assert statuses(db_url) == [(1, "completed"), *later]
    expected_rows, expected_findings, _ = baseline
    assert rows(db_url, 1) == expected_rows  # 0 rows lost
    assert unchecked_links(db_url) == 0
    check = run_zwgk("--db", db_url, "check", str(sites), "--as-of", AS_OF, "--run", "1")
    assert check.code == 0, check.stderr + check.stdout
    assert findings(db_url) == expected_findings


def test_a_killed_check_is_refused_by_the_reports_until_checked_again(city, baseline, db_url, tmp_path):
    import shutil

    _, sites = city
    done = None
    if db_url.startswith("sqlite"):  # the baseline's crawl (and its completed check #1) will do
        shutil.copy(baseline[2], db_url.removeprefix("sqlite:///"))
        done = 1
    else:
        assert crawl(db_url, sites).returncode == 0
    first = (done or 0) + 1
    for point, run_id in (("check:after@3", first), ("check:finishing", first + 1)):
        killed = run_zwgk("--db", db_url, "check", str(sites), "--as-of", AS_OF, env={"ZWGK_TEST_KILL_AT": point})
        assert killed.code == -9
        for args in (["findings", "--format", "json"], ["report", "html", "-o", str(tmp_path / "r.html")],
                     ["findings", "--check-run", str(run_id)], ["score", "--check-run", str(run_id)]):
            refused = run_zwgk("--db", db_url, *args)
            assert refused.code == 2, (args, refused.stdout, refused.stderr)
            assert f"检查批次 #{run_id} 未完成" in refused.stderr and "Traceback" not in refused.stderr
            assert len(refused.stderr.strip().splitlines()) == 1
        assert not (tmp_path / "r.html").exists()
        if done:  # the newest is refused; the message names the last complete one
            assert f"--check-run {done}" in run_zwgk("--db", db_url, "findings").stderr
    assert findings_after_check(db_url, sites) == baseline[1]
    # the completed check is the one reports read; a killed one stays refused when asked for by number
    assert run_zwgk("--db", db_url, "report", "html", "-o", str(tmp_path / "r.html")).code == 0
    assert run_zwgk("--db", db_url, "findings", "--check-run", str(first)).code == 2


def test_a_crawl_that_cannot_write_fails_in_one_line_and_the_next_run_fills_the_gaps(city, baseline, tmp_path):
    _, sites = city
    db_file = tmp_path / "zwgk.db"
    db = f"sqlite:///{db_file}"

    def small_disk():  # in the child: files may not grow past 1.2 MB, as on a full disk
        resource.setrlimit(resource.RLIMIT_FSIZE, (1_200_000, 1_200_000))

    full = crawl(db, sites, preexec=small_disk)
    assert full.returncode == 1, full.stdout + full.stderr[-2000:]
    lines = full.stderr.strip().splitlines()
    assert len(lines) == 1 and "写入数据库失败" in lines[0] and "未完成" in lines[0], full.stderr[-3000:]
    assert "Traceback" not in full.stderr and "完成；" not in full.stdout
    assert [s for _, s in statuses(db)] in (["failed"], ["running"])
    assert run_zwgk("--db", db, "check", str(sites)).code == 2  # the gaps are not checked

    again = crawl(db, sites)  # space again: the same command finishes the run
    assert again.returncode == 0, again.stderr[-2000:]
    assert [s for _, s in statuses(db)] == ["completed"]
    assert rows(db) == baseline[0]
    assert unchecked_links(db) == 0
    assert findings_after_check(db, sites) == baseline[1]


def test_a_10_kb_link_and_title_are_stored_and_the_run_completes(db_url, tmp_path):
    import random
    import string

    from tests.mockserver import MockServer, html

    rng = random.Random(7)  # incompressible: a PostgreSQL btree entry cannot hold it
    query = "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(10_000))
    long_title = "关于" + "".join(rng.choice("政务公开信息工作通知") for _ in range(120)) + "的通知"
    doc = (f'<html><head><meta charset="utf-8"><title>{long_title}</title></head><body><h1>{long_title}</h1>'
           f'<p>发布日期：2026-11-18</p><div class="content"><p>正文。</p>'
           f'<a href="/gone.jsp?q={query}">查询系统</a></div></body></html>')
    listing = ('<html><head><meta charset="utf-8"><title>通知公告</title></head><body><ul class="list">'
               f'<li><a href="/d/zwgk/t1.html">{long_title}</a><span>2026-11-18</span></li></ul></body></html>')
    with MockServer({"/d/zwgk/": html(listing), "/d/zwgk/t1.html": html(doc)}) as server:
        sites = tmp_path / "sites.yaml"
        sites.write_text("region: 测试市\ncatalogs: [municipal-department]\ndepartments:\n"
                         f"  - {{id: d, name: 测试局, kind: department, catalog: municipal-department, "
                         f"url: '{server.base_url}/d/zwgk/'}}\n", encoding="utf-8")
        done = crawl(db_url, sites)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "抓取批次 #1：完成" in done.stdout
    target = f"{server.base_url}/gone.jsp?q={query}"
    engine = make_engine(db_url)
    with session_factory(engine)() as s:
        assert s.scalar(select(m.CrawlRun.status)) == "completed"
        assert s.scalar(select(m.Link.target_url).where(m.Link.target_url == target)) == target
        assert s.scalar(select(m.UrlCheck.verdict).where(m.UrlCheck.url == target)) == "broken"
        assert s.scalar(select(m.Document.title).where(m.Document.fetched.is_(True))) == long_title
    engine.dispose()
    check = run_zwgk("--db", db_url, "check", str(sites), "-c", "links.broken")
    assert check.code == 0, check.stderr
    assert [f["url"] for f in run_zwgk("--db", db_url, "findings", "--format", "json").json()] == [target]
