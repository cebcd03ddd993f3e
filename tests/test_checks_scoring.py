"""Scores and verdicts: per-finding deductions capped per indicator, single-item vetoes, 合格 at 60, the
indicator file's validation, and `zwgk score`."""
from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
import yaml

from checks.scoring import load_indicators, score_check_run
from store import models as m
from store.registry import ConfigError, load_registry
from tests.test_checks_coverage import store  # noqa: F401 - fixture

NOW = datetime(2026, 11, 20, 10, 0)
DEPTS = ("fgw", "jyj")


@pytest.fixture
def db(store):
    """(database URL, session) of a database shared by this module's tests; each writes its own runs."""
    with store() as session:
        for d in DEPTS:
            session.merge(m.Department(id=d, name=f"示例单位{d}", kind="department", catalog="municipal-department",
                                       url=f"http://x/{d}/"))
        session.commit()
        yield store.url, session


def _check_run(session, findings: dict[str, list[tuple[str, str | None]]], sites_hash: str = "h") -> m.CheckRun:
    crawl = m.CrawlRun(sites_file="s", sites_hash=sites_hash, started_at=NOW, status="completed",
                       departments=list(DEPTS))
    session.add(crawl)
    session.flush()
    from checks.registry import all_checks

    # a full audit as `zwgk check` leaves it: every check ran, the run finished
    run = m.CheckRun(crawl_run_id=crawl.id, as_of=NOW.date(), started_at=NOW, finished_at=NOW,
                     results={c: {"status": "PASS", "findings": 0} for c in all_checks()},
                     config={"checks": sorted(all_checks())})
    session.add(run)
    session.flush()
    for dept, rows in findings.items():
        for i, (check, item) in enumerate(rows):
            session.add(m.Finding(check_run_id=run.id, check=check, department_id=dept, url=f"http://x/{dept}/{i}",
                                  item=item, severity="medium", message="m", fix="f", evidence={}, detected_at=NOW,
                                  as_of=NOW.date()))
    session.commit()
    return run


def _score(session, rows, indicators=None):
    [fgw, _] = score_check_run(session, _check_run(session, {"fgw": rows}), load_indicators(indicators))
    return fgw


@pytest.mark.parametrize("rows,score,verdict,vetoed", [
    ([], 100, "合格", False),
    ([("coverage.missing_column", "ghjh")] * 3, 88, "合格", False),
    ([("coverage.missing_column", "ghjh")] * 6, 80, "合格", False),  # capped at the indicator's 20 points
    ([("coverage.empty_column", None)] * 4, 92, "合格", False),
    ([("coverage.empty_column", None)] * 5, 90, "不合格", True),  # 空白栏目 5 个及以上: veto
    ([("timeliness.stale_column", "rsxx")] * 9, 75, "合格", False),
    ([("timeliness.stale_column", "rsxx")] * 10, 75, "不合格", True),
    ([("timeliness.stale_column", "gzdt")] * 3 + [("timeliness.stale_column", "zcwj")] * 2, 75, "不合格", True),
    ([("site.unreachable", None)], 100, "不合格", True),
])
def test_default_indicators(db, rows, score, verdict, vetoed):
    _, session = db
    result = _score(session, rows)
    assert (result.score, result.verdict, bool(result.vetoes)) == (score, verdict, vetoed)
    assert sum(d.points for d in result.deductions) == 100 - score
    assert result.passed is (verdict == "合格")


def test_capped_deductions_are_listed_with_what_they_took(db):
    _, session = db
    result = _score(session, [("coverage.missing_column", "x")] * 6)
    assert [d.points for d in result.deductions] == [4, 4, 4, 4, 4, 0]
    assert result.by_indicator["lmsz"] == 20 and result.deductions[0].indicator_name == "栏目设置"


@pytest.mark.parametrize("per,verdict", [(40, "合格"), (40.5, "不合格")])
def test_pass_mark_is_inclusive(db, tmp_path, per, verdict):
    _, session = db
    spec = tmp_path / "ind.yaml"
    spec.write_text(yaml.safe_dump({"id": "t", "name": "测试", "indicators": [
        {"id": "a", "name": "甲", "points": 100, "checks": {"links.broken": per}}]}, allow_unicode=True), "utf-8")
    assert _score(session, [("links.broken", None)], spec).verdict == verdict


@pytest.mark.parametrize("change,message", [
    ({"colour": "red"}, "colour: 不认识的字段"),
    ({"indicators": []}, "indicators: 不能为空"),
    ({"pass_score": 120}, "pass_score: 合格分数不能高于满分"),
    ({"indicators": [{"id": "a", "name": "甲", "points": 10, "checks": {"links.brokn": 1}}]},
     "indicators[0].checks.links.brokn: 没有编号为 'links.brokn' 的检查项"),
    ({"indicators": [{"id": "a", "name": "甲", "points": 10, "checks": {"links.broken": -1}}]}, "不能为负数"),
    ({"indicators": [{"id": "a", "name": "甲", "points": 10, "checks": {"links.broken": 1}},
                     {"id": "b", "name": "乙", "points": 10, "checks": {"links.broken": 1}}]}, "只能计入一个指标"),
    ({"vetoes": [{"id": "v", "name": "否决", "check": "nope"}]}, "vetoes[0].check: 没有编号为 'nope'"),
])
def test_indicator_file_errors_name_file_and_field(tmp_path, change, message):
    spec = yaml.safe_load(Path("checks/indicators/default.yaml").read_text("utf-8"))
    spec.update(change)
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(spec, allow_unicode=True), "utf-8")
    with pytest.raises(ConfigError) as exc:
        load_indicators(path)
    assert str(exc.value).startswith(str(path)) and message in str(exc.value) and "\n" not in str(exc.value)


def test_zwgk_score_prints_scores_and_verdicts(db, zwgk, tmp_path):
    url, session = db
    run = _check_run(session, {"fgw": [("coverage.empty_column", None)] * 5, "jyj": [("links.broken", None)]})
    shown = zwgk("--db", url, "score", "--check-run", str(run.id))
    assert shown.code == 0, shown.stderr
    lines = shown.stdout.splitlines()
    assert any("示例单位fgw" in ln and "90" in ln and "不合格" in ln and "空白栏目" in ln for ln in lines)
    assert any("示例单位jyj" in ln and "99.5" in ln and "合格" in ln for ln in lines)


def test_zwgk_score_refuses_bad_input_in_one_line(zwgk, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: [", "utf-8")
    failed = zwgk("score", "--check-run", "1", "--indicators", str(bad))
    assert failed.code == 2 and str(bad) in failed.stderr and len(failed.stderr.strip().splitlines()) == 1
    neither = zwgk("score")
    assert neither.code == 2 and "--check-run" in neither.stderr


def test_zwgk_score_runs_the_checks_as_of_a_date(db, zwgk, tmp_path):
    url, session = db
    sites = tmp_path / "sites.yaml"
    sites.write_text(yaml.safe_dump({"region": "示例市", "departments": [
        {"id": d, "name": f"示例单位{d}", "kind": "department", "catalog": "municipal-department",
         "url": f"http://127.0.0.1:9/{d}/"} for d in DEPTS]}, allow_unicode=True), "utf-8")
    earlier = _check_run(session, {}, sites_hash=load_registry(sites).sha256)
    earlier.as_of = date(2026, 11, 1)  # a check run of that crawl, but as of another day
    session.commit()
    shown = zwgk("--db", url, "score", str(sites), "--as-of", "2026-11-20")
    assert shown.code == 0, shown.stderr
    assert "已按基准日 2026-11-20" in shown.stderr and "基准日 2026-11-20" in shown.stdout
    assert shown.stdout.count("合格") >= 2
    session.expire_all()
    assert session.query(m.CheckRun).filter_by(as_of=date(2026, 11, 20), crawl_run_id=earlier.crawl_run_id).count() == 1
    again = zwgk("--db", url, "score", str(sites), "--as-of", "2026-11-20")
    assert again.code == 0 and "已按基准日" not in again.stderr  # the check run of that day is reused


def test_score_refuses_a_partial_run_unless_asked_and_then_labels_it(audited_city, zwgk, tmp_path):
    """A run of a few checks (a spot-check round, `check -c`) would give every department full marks for
    what was never checked: score refuses it, or labels it with --allow-partial."""
    import shutil

    if not audited_city.db.startswith("sqlite:///"):
        pytest.skip("works on a copy of the audited city's database; the SQLite copy covers the CLI")
    shutil.copy(audited_city.db.removeprefix("sqlite:///"), tmp_path / "copy.db")
    db = f"sqlite:///{tmp_path / 'copy.db'}"  # the shared audited city stays as the other tests expect it
    import re

    partial = zwgk("--db", db, "check", str(audited_city.sites), "-c", "links.broken")
    assert partial.code == 0, partial.stderr
    run = re.search(r"检查批次 #(\d+)", partial.stdout).group(1)
    refused = zwgk("--db", db, "score", "--check-run", run)
    assert refused.code == 2 and "不是全面检查" in refused.stderr and "--allow-partial" in refused.stderr
    labelled = zwgk("--db", db, "score", "--check-run", run, "--allow-partial", "--format", "json")
    assert labelled.code == 0 and all(s["partial"] for s in labelled.json())
    assert "1 项检查" in labelled.stderr and "部分检查" in labelled.stderr
    audit = re.search(r"检查批次 #(\d+)", audited_city.check.stdout).group(1)  # the city's full audit
    full = zwgk("--db", db, "score", "--check-run", audit, "--format", "json")
    assert full.code == 0 and not any(s["partial"] for s in full.json())
    listed = zwgk("--db", db, "findings", "--format", "json")  # the latest run: the partial one
    assert listed.code == 0 and f"检查批次 #{run}" in listed.stderr and "部分检查" in listed.stderr
