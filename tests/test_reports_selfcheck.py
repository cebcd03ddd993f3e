"""A department's self-check report: only its own findings, with what to fix and how, and its score."""
from __future__ import annotations

from datetime import date

import pytest
from docx import Document as open_docx

from checks.scoring import load_indicators, score_check_run
from store import models as m
from store.db import make_engine, session_factory
from tests.test_reports_bulletin import HOSTILE, screenshot
from tests.test_reports_evaluation import audit, populate
from tests.test_spotcheck_draw import run_cli


@pytest.fixture(scope="module")
def audited(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("selfcheck")
    db = f"sqlite:///{tmp / 'zwgk.db'}"
    _, now = populate(db)
    return db, now


def test_selfcheck_report_for_one_department(audited, tmp_path):
    db, now = audited
    out = tmp_path / "out"
    result = run_cli("--db", db, "report", "self", "--department", "fgw", "-o", str(out))
    assert result.code == 0, result.stdout + result.stderr
    doc = open_docx(str(out / "selfcheck_fgw_20261120.docx"))
    text = "\n".join(p.text for p in doc.paragraphs).replace("\u200b", "")
    assert "示例市发展和改革委员会关于政府信息公开专栏自查情况的报告" in text
    for heading in ("一、自查基本情况", "二、发现的问题及整改措施", "三、评分情况", "四、下一步工作"):
        assert heading in text
    assert "http://x/fgw/gone0.html" in text and "http://x/jyj/" not in text  # its own findings only
    # 整改建议 from checks/wording, in the department's own voice: what it will do, not what it is asked to do
    assert "整改措施：我单位将逐一核对引用该地址的页面" in text and "整改措施：请" not in text
    with session_factory(make_engine(db))() as s:
        score = next(x for x in score_check_run(s, s.get(m.CheckRun, now), load_indicators()) if x.department == "fgw")
    assert f"本单位得分{score.score:g}分（满分100分，60分合格），评定为合格" in text
    checks = next(t for t in doc.tables if t.rows[0].cells[0].text == "检查项目")
    assert {r.cells[0].text: r.cells[1].text for r in checks.rows[1:]} == {"链接不可用": "发现问题",
                                                                          "附件以压缩包形式发布": "发现问题"}
    html = out / "selfcheck_fgw_20261120.html"
    assert HOSTILE not in html.read_text(encoding="utf-8")
    screenshot(html, tmp_path / "selfcheck.png")


def test_selfcheck_refuses_unknown_department_and_foreign_check_run(audited, tmp_path):
    db, _ = audited
    other = audit(db, {"jyj": 1}, date(2026, 11, 21))  # a later check run that does not cover fgw
    unknown = run_cli("--db", db, "report", "self", "--department", "nope", "-o", str(tmp_path))
    assert unknown.code == 2 and "nope" in unknown.stderr and "Traceback" not in unknown.stderr
    foreign = run_cli("--db", db, "report", "self", "-d", "fgw", "--check-run", str(other), "-o", str(tmp_path))
    assert foreign.code == 2 and f"#{other}" in foreign.stderr
