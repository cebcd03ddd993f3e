"""The check framework: isolated runs (a failing check never stops the others), statuses kept apart,
links.broken / attachments.archive judged from stored fetch outcomes."""
from __future__ import annotations

from datetime import date, datetime

import pytest

from checks import registry as reg
from checks import wording
from checks.base import Check, Finding, SkipCheck, Status
from checks.runner import INSERT_BATCH, run_checks
from store import models as m
from store.evidence import save_snapshot
from store.writer import RunWriter

NOW = datetime(2026, 11, 20, 10, 0)


@pytest.fixture
def temp_checks():
    added = []

    def add(cls):
        reg.register(cls)
        added.append(cls.id)
        return cls

    yield add
    for cid in added:
        reg._CHECKS.pop(cid, None)
        wording._RENDERERS.pop(cid, None)


def _run(session, targets):
    """A crawl run where page P of department fgw links to each target with the given fetch outcome."""
    run = m.CrawlRun(sites_file="s", sites_hash="h", started_at=NOW, departments=["fgw", "jyj"], status="completed")
    session.add(run)
    session.commit()
    w = RunWriter(session, run.id)
    for url, fields, depts in targets:
        for dept in depts:
            for page in ("p1", "p2"):
                w.link(department_id=dept, source_url=f"http://x/{dept}/{page}.html", target_url=url, anchor="链接",
                       tag="a", is_attachment=False)
        w.url_check(url=url, checked_at=NOW, **fields)
    w.commit()
    return run


LINK_CASES = [
    # target, stored fetch outcome, is it a broken link?
    ("http://x/404", {"verdict": "broken", "reason": "http_404", "status": 404}, True),
    ("http://x/loop", {"verdict": "broken", "reason": "redirect_loop", "status": 302}, True),
    ("http://x/soft", {"verdict": "broken", "reason": "soft_404", "status": 200}, True),
    ("http://x/refused", {"verdict": "broken", "reason": "refused"}, True),
    ("http://x/wall", {"verdict": "blocked", "reason": "http_403", "status": 403}, False),
    ("http://x/ok", {"verdict": "ok", "status": 200}, False),
    ("http://10.0.0.1/x", {"verdict": "skipped", "reason": "private_address"}, False),
]


@pytest.mark.parametrize("url,fields,broken", LINK_CASES)
def test_broken_link_boundaries(session, url, fields, broken):
    run = _run(session, [(url, fields, ["fgw"])])
    check_run, outcomes = run_checks(session, run, as_of=date(2026, 11, 20), only=["links.broken"])
    found = session.query(m.Finding).filter_by(check_run_id=check_run.id).all()
    assert outcomes[0].status == (Status.FAIL if broken else Status.PASS)
    assert [f.url for f in found] == ([url] if broken else [])
    if broken:
        ev = found[0].evidence
        assert ev["source_count"] == 2 and {s["page"] for s in ev["sources"]} == {"http://x/fgw/p1.html",
                                                                                    "http://x/fgw/p2.html"}
        assert url in found[0].message and found[0].fix


def test_one_finding_per_department_and_target(session):
    run = _run(session, [("http://x/404", {"verdict": "broken", "reason": "http_404", "status": 404}, ["fgw", "jyj"])])
    check_run, _ = run_checks(session, run, as_of=date(2026, 11, 20), only=["links.broken"])
    found = session.query(m.Finding).filter_by(check_run_id=check_run.id).all()
    assert sorted(f.department_id for f in found) == ["fgw", "jyj"]


def test_link_evidence_lists_the_first_pages_and_counts_them_all(session):
    run = m.CrawlRun(sites_file="s", sites_hash="h", started_at=NOW, departments=["fgw", "jyj"], status="completed")
    session.add(run)
    session.commit()
    w = RunWriter(session, run.id)
    target = "http://x/gone.pdf"
    pages = {"fgw": [f"http://x/fgw/p{i:02d}.html" for i in range(25)], "jyj": ["http://x/jyj/a.html"]}
    for dept, urls in pages.items():
        for page in reversed(urls):
            w.link(department_id=dept, source_url=page, target_url=target, anchor="附件", tag="a", is_attachment=True,
                   kind="attachment")
    w.url_check(url=target, verdict="broken", reason="http_404", status=404, checked_at=NOW)
    w.commit()
    for url in (target, pages["fgw"][0]):
        save_snapshot(session, run.id, url=url, final_url=None, status=404, headers={}, body=url.encode(),
                      fetched_at=NOW)
    session.commit()
    check_run, _ = run_checks(session, run, as_of=date(2026, 11, 20), only=["links.broken"])
    found = {f.department_id: f.evidence for f in session.query(m.Finding).filter_by(check_run_id=check_run.id)}
    assert [s["page"] for s in found["fgw"]["sources"]] == pages["fgw"][:20] and found["fgw"]["source_count"] == 25
    assert found["jyj"]["sources"] == [{"page": "http://x/jyj/a.html", "anchor": "附件", "tag": "a", "kind": "attachment"}]
    assert found["jyj"]["source_count"] == 1
    assert found["fgw"]["snapshot"]["url"] == target and found["fgw"]["source_snapshot"]["url"] == pages["fgw"][0]
    assert found["jyj"]["source_snapshot"] is None


@pytest.mark.parametrize("fail", [False, True])
def test_findings_are_written_in_batches_all_or_nothing(session, temp_checks, fail):
    count = 2 * INSERT_BATCH + 7

    @temp_checks
    class Many(Check):
        """很多问题"""
        id = "test.many"

        def run(self, ctx):
            for i in range(count):
                yield Finding(check=self.id, department="fgw", url=f"http://x/{i}", kind="x")
            if fail:
                raise RuntimeError("after the last batch")

    wording.wording("test.many")(lambda f: wording.Text("x", "y"))
    check_run, [outcome] = run_checks(session, _run(session, []), as_of=date(2026, 11, 20), only=["test.many"])
    stored = [f.url for f in session.query(m.Finding).filter_by(check_run_id=check_run.id).order_by(m.Finding.id)]
    assert (outcome.status, outcome.findings) == ((Status.ERROR, 0) if fail else (Status.FAIL, count))
    assert stored == ([] if fail else [f"http://x/{i}" for i in range(count)])


def test_archive_check_uses_sniffed_kind(session):
    run = _run(session, [
        ("http://x/d.jsp?id=1", {"verdict": "ok", "status": 200, "is_archive": True, "sniffed_kind": "zip",
                                 "kind_how": "magic"}, ["fgw"]),
        ("http://x/a.docx", {"verdict": "ok", "status": 200, "is_archive": False, "sniffed_kind": "docx",
                             "kind_how": "extension"}, ["fgw"]),
    ])
    check_run, outcomes = run_checks(session, run, as_of=date(2026, 11, 20), only=["attachments.archive"])
    found = session.query(m.Finding).filter_by(check_run_id=check_run.id).all()
    assert [f.url for f in found] == ["http://x/d.jsp?id=1"]
    assert found[0].evidence["recognised_by"] == "magic" and "文件头" in found[0].message


def test_failing_check_does_not_stop_others(session, temp_checks):
    @temp_checks
    class Explodes(Check):
        """总是出错"""
        id = "test.explodes"

        def run(self, ctx):
            yield Finding(check=self.id, department="fgw", url="http://x/", kind="x")
            raise RuntimeError("boom")

    wording.wording("test.explodes")(lambda f: wording.Text("x", "y"))

    @temp_checks
    class Nothing(Check):
        """无可检查"""
        id = "test.nothing"

        def run(self, ctx):
            raise SkipCheck("no data")

    run = _run(session, [("http://x/404", {"verdict": "broken", "reason": "http_404", "status": 404}, ["fgw"])])
    check_run, outcomes = run_checks(session, run, as_of=date(2026, 11, 20),
                                     only=["test.explodes", "links.broken", "test.nothing"])
    status = {o.check: o.status for o in outcomes}
    assert status == {"test.explodes": Status.ERROR, "links.broken": Status.FAIL, "test.nothing": Status.SKIPPED}
    assert "RuntimeError: boom" in check_run.results["test.explodes"]["error"]
    # the erroring check's partial findings are not stored; the others' are
    checks = [f.check for f in session.query(m.Finding).filter_by(check_run_id=check_run.id)]
    assert checks == ["links.broken"]


def test_duplicate_check_id_is_refused(temp_checks):
    class Again(Check):
        """重复"""
        id = "links.broken"

    with pytest.raises(RuntimeError, match="duplicate check id"):
        reg.register(Again)


def test_a_check_without_wording_is_an_error_not_a_crash(session, temp_checks):
    @temp_checks
    class Unworded(Check):
        """无措辞"""
        id = "test.unworded"

        def run(self, ctx):
            yield Finding(check=self.id, department="fgw", url="http://x/", kind="x")

    run = _run(session, [])
    _, outcomes = run_checks(session, run, as_of=date(2026, 11, 20), only=["test.unworded", "links.broken"])
    assert [(o.check, o.status) for o in outcomes] == [("test.unworded", Status.ERROR), ("links.broken", Status.PASS)]
    assert "no wording" in outcomes[0].error
