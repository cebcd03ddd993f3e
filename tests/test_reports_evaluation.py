"""The evaluation report: scores by indicator and department from checks/scoring.py, ranking, pass rate,
change since the previous period, and one evidence row for every deduction."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from docx import Document as open_docx

from checks.runner import run_checks
from checks.scoring import load_indicators, score_check_run
from store import models as m
from store.db import make_engine, session_factory
from store.migrate import upgrade
from tests.test_reports_bulletin import crawl_rows, screenshot
from tests.test_spotcheck_draw import run_cli

NAMES = {"fgw": "示例市发展和改革委员会", "jyj": "示例市教育局", "sfj": "示例市司法局"}
BROKEN = {n: f"http://x/{{d}}/gone{n}.html" for n in range(40)}


def planted(counts: dict[str, int]) -> dict[str, list[str]]:
    return {d: [BROKEN[i].format(d=d) for i in range(n)] for d, n in counts.items()}


def audit(db: str, counts: dict[str, int], as_of: date) -> int:
    """One period: a crawl with these numbers of broken links per department, checked as of a date."""
    with session_factory(make_engine(db))() as s:
        run = s.get(m.CrawlRun, crawl_rows(s, Path("sites.yaml"), planted(counts)))
        check_run, _ = run_checks(s, run, as_of=as_of, only=["links.broken", "attachments.archive"])
        return check_run.id


def populate(db: str) -> tuple[int, int]:
    engine = make_engine(db)
    upgrade(engine)
    with session_factory(engine)() as s:
        for dept, name in NAMES.items():
            s.add(m.Department(id=dept, name=name, kind="department", url=f"http://x/{dept}/zwgk/", region="示例市"))
        s.commit()
    # 链接和附件可用: 15 points, 0.5 per broken link, 2 per archive (checks/indicators/default.yaml)
    before = audit(db, {"fgw": 2, "jyj": 10, "sfj": 0}, date(2026, 10, 20))
    now = audit(db, {"fgw": 1, "jyj": 36, "sfj": 0}, date(2026, 11, 20))
    return before, now


@pytest.fixture(scope="module")
def evaluation(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("evaluation")
    db = f"sqlite:///{tmp / 'zwgk.db'}"
    before, now = populate(db)
    result = run_cli("--db", db, "report", "evaluation", "-o", str(tmp / "out"))
    assert result.code == 0, result.stdout + result.stderr
    return db, before, now, tmp / "out"


def test_scores_ranking_pass_rate_and_change(evaluation):
    db, before, now, out = evaluation
    doc = open_docx(str(out / "evaluation_20261120.docx"))
    text = "\n".join(p.text for p in doc.paragraphs)
    for heading in ("一、评估概况", "二、评估结果", "三、各指标扣分情况"):
        assert heading in text
    with session_factory(make_engine(db))() as s:
        scores = {x.department: x for x in score_check_run(s, s.get(m.CheckRun, now), load_indicators())}
    # sfj 100; fgw 1 broken (0.5) + 1 archive (2) = 97.5; jyj 36 broken × 0.5 = 18, capped at 15 → 85
    assert (scores["sfj"].score, scores["fgw"].score, scores["jyj"].score) == (100, 97.5, 85)
    assert "3个单位中合格3个，合格率100%" in text
    assert "3个可比单位中得分上升1个、下降1个、持平1个" in text  # fgw 97→97.5, jyj 95→85, sfj 100→100
    ranking = next(t for t in doc.tables if t.rows[0].cells[0].text == "排名")
    rows = [[c.text for c in r.cells] for r in ranking.rows[1:]]
    assert [r[1] for r in rows] == ["示例市司法局", "示例市发展和改革委员会", "示例市教育局"]
    assert rows[1][4:] == ["97", "+0.5"] and rows[2][4:] == ["95", "-10"] and rows[0][5] == "持平"


def test_every_deduction_has_its_evidence(evaluation):
    db, _, now, out = evaluation
    doc = open_docx(str(out / "evaluation_20261120.docx"))
    evidence = next(t for t in doc.tables if t.rows[0].cells[0].text == "单位" and len(t.columns) == 6)
    rows = [[c.text for c in r.cells] for r in evidence.rows[1:]]
    with session_factory(make_engine(db))() as s:
        deductions = [d for x in score_check_run(s, s.get(m.CheckRun, now), load_indicators()) for d in x.deductions]
        findings = {f.id: f for f in s.query(m.Finding).filter(m.Finding.check_run_id == now)}
    assert len(rows) == len(deductions) == 38  # 37 broken links + 1 archive
    for row, d in zip(sorted(rows, key=lambda r: int(r[5].split("问题编号 ")[1].split("）")[0])),
                      sorted(deductions, key=lambda d: d.finding_id)):
        # what was wrong, where it was linked from, with what status, and when: enough to defend the deduction
        f = findings[d.finding_id]
        assert f"检测时间：2026年11月19日10时30分（问题编号 {d.finding_id}）" in row[5]
        assert row[4] == f.url
        if f.check == "links.broken":
            assert "HTTP状态码：404" in row[5] and "http://x/" in row[5].split("指向")[0]
    capped = [r for r in rows if r[3].startswith("0（已达该指标扣分上限）")]
    assert len(capped) == 6  # jyj: 30 × 0.5 reach the indicator's 15 points; its last 6 links deduct nothing
    assert all(r[0] == "示例市教育局" for r in capped)


def test_html_renders_in_chromium(evaluation, tmp_path):
    _, _, _, out = evaluation
    html = out / "evaluation_20261120.html"
    assert "data:image/png;base64," in html.read_text(encoding="utf-8")  # scores chart
    screenshot(html, tmp_path / "evaluation.png")
