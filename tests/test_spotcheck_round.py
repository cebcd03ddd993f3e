"""A spot-check round on the sample city: the drawn departments crawled and checked, findings matching the
ground truth, status changes recorded, and a re-check closing a defect the site has fixed."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest
import yaml
from sqlalchemy import select

from samplecity.server import start
from samplecity.site import Resource
from samplecity.urls import request_key
from scheduler.jobs_spotcheck import set_status_job
from store import models as m
from store.db import make_engine, session_factory
from store.models_spotcheck import FindingStatusChange, SpotcheckRound, StatusChangeError
from tests.conftest import BACKENDS, _pg_database
from tests.test_spotcheck_draw import run_cli

DRAWN = ("jyj",)  # one department keeps the crawls short; it has broken links and an archive planted
FIXED = "/jyj/zwgk/tzgg/201805/t20180520_334455.html"  # planted: 410 该信息已撤销
CHECKLIST = """id: test-6
name: 测试抽查内容
source: 柳政办〔2018〕142号
annex: 附件4
draw_items: 2
items:
  - number: 1
    name: 负责政务公开工作领导和人员情况
    manual: {field: 备案情况, prompt: 查阅备案表}
  - number: 6
    name: 门户网站政府信息公开专栏建设情况
    checks: [links.broken, attachments.archive]
"""


@dataclass
class Round:
    city: object
    db: str
    sites: Path
    round_id: int
    run_output: str


def write_city_subset(city, path: Path, departments=DRAWN) -> Path:
    """The sample city's registry limited to some departments (so that a share of 1 draws exactly them)."""
    data = city.sites()
    data["departments"] = [d for d in data["departments"] if d["id"] in departments]
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def draw_and_run(db: str, sites: Path, checklist: Path) -> tuple[int, str]:
    drawn = run_cli("--db", db, "spotcheck", "draw", str(sites), "--share", "1", "--checklist", str(checklist), "--json")
    assert drawn.code == 0, drawn.stderr
    early = run_cli("--db", db, "spotcheck", "run", str(drawn.json()["id"]), "--fast", "--no-screenshots")
    # the drawn time lies in the next ten working days: running now needs a stated reason
    assert early.code == 2 and "尚未到时" in early.stderr and "--now --reason" in early.stderr, early.stderr
    ran = run_cli("--db", db, "spotcheck", "run", str(drawn.json()["id"]), "--fast", "--no-screenshots", "--now",
                  "--reason", "测试中抽取后立即实施")
    assert ran.code == 0, ran.stdout + ran.stderr
    with session_factory(make_engine(db))() as s:
        return s.scalars(select(SpotcheckRound.id).order_by(SpotcheckRound.id.desc())).first(), ran.stdout


@pytest.fixture(scope="module", params=BACKENDS)
def spot_round(request, tmp_path_factory):
    workdir = tmp_path_factory.mktemp(f"round-{request.param}")
    checklist = workdir / "checklist.yaml"
    checklist.write_text(CHECKLIST, encoding="utf-8")
    with start() as city:
        sites = write_city_subset(city, workdir / "sites.yaml")
        gen = _pg_database() if request.param == "postgresql" else iter([f"sqlite:///{workdir / 'zwgk.db'}"])
        db = next(gen)
        try:
            round_id, output = draw_and_run(db, sites, checklist)
            yield Round(city, db, sites, round_id, output)
        finally:
            if request.param == "postgresql":
                gen.close()


def _session(db: str):
    return session_factory(make_engine(db))()


def test_round_crawls_the_drawn_departments_and_runs_the_drawn_checks(spot_round):
    assert "2026年" in spot_round.run_output or "年第1期抽查" in spot_round.run_output
    truth = spot_round.city.ground_truth()
    with _session(spot_round.db) as s:
        spot = s.get(SpotcheckRound, spot_round.round_id)
        assert spot.status == "completed" and spot.period == 1
        crawl = s.get(m.CrawlRun, spot.crawl_run_id)
        assert sorted(crawl.departments) == list(DRAWN)
        assert set(s.get(m.CheckRun, spot.check_run_id).results) == {"links.broken", "attachments.archive"}
        found = {(f.check, f.department_id, f.url) for f in s.scalars(
            select(m.Finding).where(m.Finding.check_run_id == spot.check_run_id))}
        for d in spot.samples.values():  # 内容随机: documents and columns for manual review, from this crawl
            assert 0 < len(d["documents"]) <= 3 and len(d["columns"]) <= 2
    expected = {(check, e["department"], e["url"]) for check in ("links.broken", "attachments.archive")
                for e in truth[check] if e["department"] in DRAWN}
    assert found == expected
    verified = run_cli("--db", spot_round.db, "spotcheck", "verify", str(spot.draw_id))
    assert verified.code == 0 and "一致" in verified.stdout  # the manual-review sample is recomputed too


def test_status_changes_keep_reason_who_and_when(spot_round):
    with _session(spot_round.db) as s:
        spot = s.get(SpotcheckRound, spot_round.round_id)
        target = s.scalars(select(m.Finding).where(m.Finding.check_run_id == spot.check_run_id,
                                                   m.Finding.check == "attachments.archive")).first()
    ok = run_cli("--db", spot_round.db, "spotcheck", "status", str(target.id), "disputed", "--reason",
                 "该附件为历史存档，已另行提供 PDF 版本", "--by", "市教育局办公室")
    assert ok.code == 0, ok.stderr
    again = run_cli("--db", spot_round.db, "spotcheck", "status", str(target.id), "disputed", "--reason", "x", "--by", "y")
    assert again.code == 2 and "已是" in again.stderr
    with pytest.raises(StatusChangeError):
        set_status_job(spot_round.db, target.id, "closed", reason="x", by="y")
    with _session(spot_round.db) as s:
        assert s.get(m.Finding, target.id).status == "disputed"
        change = s.scalars(select(FindingStatusChange).where(FindingStatusChange.finding_id == target.id)).one()
        assert (change.old_status, change.new_status, change.by) == ("open", "disputed", "市教育局办公室")
        assert "PDF" in change.reason and isinstance(change.at, datetime)


def test_recheck_closes_the_defect_the_site_fixed(spot_round):
    city = spot_round.city
    key = request_key(FIXED)
    broken = city.site.routes[key]
    city.site.routes[key] = Resource(200, "<!DOCTYPE html><html><head><meta charset='utf-8'><title>2018年招生工作通知"
                                     "</title></head><body><h1>2018年招生工作通知</h1><p>已恢复。</p></body></html>"
                                     .encode(), "text/html; charset=utf-8", datetime.now())
    try:
        result = run_cli("--db", spot_round.db, "spotcheck", "recheck", str(spot_round.round_id), "--fast")
    finally:
        city.site.routes[key] = broken
    assert result.code == 0, result.stdout + result.stderr
    url = city.url(FIXED)
    with _session(spot_round.db) as s:
        spot = s.get(SpotcheckRound, spot_round.round_id)
        rows = s.scalars(select(m.Finding).where(m.Finding.check_run_id == spot.check_run_id)).all()
        fixed = next(f for f in rows if f.url == url)
        assert fixed.status == "rectified"
        change = s.scalars(select(FindingStatusChange).where(FindingStatusChange.finding_id == fixed.id)).one()
        assert change.by == "复查" and change.recheck_id is not None
        still = [f for f in rows if f.url != url and f.status == "open"]
        assert still and all(f.check in ("links.broken", "attachments.archive") for f in still)
        assert "已整改 1 个" in result.stdout
