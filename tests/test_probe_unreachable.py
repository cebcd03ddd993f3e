"""site.unreachable: the probe failure ratio over the window against the threshold (boundary table), and a
department the crawl could not reach at all reported at once; end to end through `zwgk check`."""
from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from checks.base import Status
from checks.runner import run_checks
from crawler.probe import ProbeConfig, run_round, store_results, targets
from store import models as m
from store.db import make_engine, session_factory
from store.migrate import upgrade
from store.models_evidence import ProbeAttempt
from store.registry import load_registry
from tests.mockserver import MockServer, html

AS_OF = date(2026, 11, 20)
END = datetime(2026, 11, 20, 23, 0)


def _run(session, depts=("fgw", "jyj")) -> m.CrawlRun:
    run = m.CrawlRun(sites_file="s", sites_hash="h", started_at=END, departments=list(depts), status="completed")
    session.add(run)
    session.commit()
    return run


def _probes(session, dept: str, attempts: int, failures: int, *, unverified: int = 0, start: datetime | None = None):
    """`attempts` judged probes, the first `failures` of them failed: spread back from END over the window,
    or a minute apart back from `start`."""
    rows = []
    step = timedelta(minutes=1 if start else (7 * 24 * 60 - 120) // max(attempts + unverified, 1))
    for i in range(attempts + unverified):
        kind = "home" if i % 2 else "root"
        ok = None if i >= attempts else i >= failures
        rows.append(ProbeAttempt(
            department_id=dept, url=f"http://x/{dept}/" + ("" if kind == "home" else "zwgk/"), kind=kind,
            started_at=(start or END) - i * step, elapsed_ms=15000 if ok is False else 120, ok=ok,
            status=None if ok is False else (403 if ok is None else 200),
            reason="timeout" if ok is False else ("blocked" if ok is None else None),
            error="timed out" if ok is False else None))
    session.add_all(rows)
    session.commit()


def _check(session, run, settings=None):
    check_run, outcomes = run_checks(session, run, as_of=AS_OF, only=["site.unreachable"],
                                     settings={"site.unreachable": settings} if settings else None)
    found = session.scalars(select(m.Finding).where(m.Finding.check_run_id == check_run.id)).all()
    return outcomes[0], found


RATIO_CASES = [
    # attempts, failures, finding?  (default threshold 5 %, at least 20 judged attempts)
    (1000, 49, False),   # 4.9 %
    (1000, 50, True),    # 5.0 %
    (140, 6, False),     # 4.29 %: one week at 20 a day
    (140, 7, True),      # exactly 5 %
    (20, 1, True),       # 5 % at the minimum number of attempts
    (20, 0, False),
]


@pytest.mark.parametrize("attempts,failures,expected", RATIO_CASES)
def test_failure_ratio_boundary(session, attempts, failures, expected):
    run = _run(session)
    _probes(session, "fgw", attempts, failures)
    _probes(session, "jyj", 200, 0)
    outcome, found = _check(session, run)
    assert outcome.status == (Status.FAIL if expected else Status.PASS)
    assert [f.department_id for f in found] == (["fgw"] if expected else [])
    if expected:
        ev = found[0].evidence
        assert (ev["attempts"], ev["failures"], ev["threshold"]) == (attempts, failures, 0.05)
        assert ev["window"]["days"] == 7 and ev["window"]["to"] == "2026-11-21 00:00:00"
        assert ev["examples"] and all(e["reason"] == "timeout" and e["at"] for e in ev["examples"])
        assert found[0].severity == "high" and "站点无法访问" in found[0].message and found[0].fix


@pytest.mark.parametrize("ratio,expected", [(0.03, True), (0.05, False)])
def test_threshold_is_a_setting(session, ratio, expected):
    """Vendor monitors warn at 3 %: 4 failures in 100 probes passes the 5 % rule but not theirs."""
    run = _run(session)
    _probes(session, "fgw", 100, 4)
    outcome, found = _check(session, run, {"failure_ratio": ratio})
    assert bool(found) is expected


def test_probes_outside_the_window_do_not_count(session):
    run = _run(session)
    _probes(session, "fgw", 40, 40, start=END - timedelta(days=8))  # all failed, but more than a week ago
    _probes(session, "fgw", 40, 1)                                  # 2.5 % this week
    _probes(session, "fgw", 10, 10, start=END + timedelta(days=2))  # after the audit date
    outcome, found = _check(session, run)
    assert outcome.status == Status.PASS and not found


def test_unverified_attempts_are_neither_failures_nor_passes(session):
    """403 from a bot wall says nothing about availability: 19 judged attempts are below the minimum."""
    run = _run(session, depts=("fgw",))
    _probes(session, "fgw", 19, 19, unverified=30)
    outcome, found = _check(session, run)
    assert outcome.status == Status.SKIPPED and not found


def test_no_probes_and_no_unreachable_crawl_is_skipped(session):
    outcome, _ = _check(session, _run(session))
    assert outcome.status == Status.SKIPPED and "zwgk probe" in outcome.error


def test_department_unreachable_in_the_crawl_is_reported_at_once(session):
    run = _run(session)
    session.add(m.Department(id="fgw", name="示例市发展和改革委员会", kind="department", url="http://x/fgw/zwgk/"))
    session.add(m.Department(id="jyj", name="示例市教育局", kind="department", url="http://x/jyj/zwgk/"))
    session.add_all([
        m.CrawlEvent(run_id=run.id, department_id="fgw", url="http://x/fgw/zwgk/", kind="unreachable",
                     message="无法访问：Connection was refused", at=END),
        # a deeper page the crawl could not load is a broken link, not an unreachable site
        m.CrawlEvent(run_id=run.id, department_id="jyj", url="http://x/jyj/zwgk/gzdt/", kind="unreachable",
                     message="无法访问：timeout", at=END)])
    session.commit()
    outcome, found = _check(session, run)
    assert outcome.status == Status.FAIL
    assert [(f.department_id, f.url) for f in found] == [("fgw", "http://x/fgw/zwgk/")]
    ev = found[0].evidence
    assert ev["rule"] == "crawl" and ev["crawl_event"]["run"] == run.id and "probes" not in ev
    assert "经多次尝试均未能打开" in found[0].message


def test_flaky_home_page_fires_through_the_cli(tmp_path, db_url, zwgk):
    """Real probes of a server whose home page fails every 4th request, then `zwgk check`."""
    hits = {"n": 0}

    def flaky(_path):
        hits["n"] += 1
        return html("<p>服务暂不可用</p>", status=503) if hits["n"] % 4 == 0 else html("<p>示例市教育局</p>")

    with MockServer({"/jyj/": flaky, "/jyj/zwgk/": html("<p>政府信息公开</p>"),
                     "/fgw/": html("<p>首页</p>"), "/fgw/zwgk/": html("<p>专栏</p>")}) as srv:
        sites = tmp_path / "sites.yaml"
        sites.write_text(f"""region: 示例市
catalogs: [municipal-department]
departments:
  - {{id: fgw, name: 发改委, kind: department, catalog: municipal-department, url: "{srv.base_url}/fgw/zwgk/", home: "{srv.base_url}/fgw/"}}
  - {{id: jyj, name: 教育局, kind: department, catalog: municipal-department, url: "{srv.base_url}/jyj/zwgk/", home: "{srv.base_url}/jyj/"}}
""", encoding="utf-8")
        registry = load_registry(sites)
        engine = make_engine(db_url)
        upgrade(engine)
        with session_factory(engine)() as s:
            for _ in range(12):  # twelve rounds: 24 attempts per department, 3 of jyj's failed (12.5 %)
                store_results(s, run_round(targets(registry.departments), ProbeConfig(timeout=5)))
            s.add(m.CrawlRun(sites_file=str(sites), sites_hash=registry.sha256, started_at=datetime.now(),
                             departments=["fgw", "jyj"], status="completed"))
            s.commit()
        engine.dispose()
    result = zwgk("--db", db_url, "check", str(sites), "-c", "site.unreachable")
    assert result.code == 0, result.stderr
    findings = zwgk("--db", db_url, "findings", "--format", "json").json()
    assert [(f["department"], f["url"]) for f in findings] == [("jyj", f"{srv.base_url}/jyj/")]
    ev = findings[0]["evidence"]
    assert (ev["attempts"], ev["failures"]) == (24, 3)
    assert {(u["kind"], u["failures"]) for u in ev["by_url"]} == {("home", 3), ("root", 0)}
    assert all(e["status"] == 503 for e in ev["examples"])
    assert "12.5%" in findings[0]["message"]
