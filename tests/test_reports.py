"""Reports render hostile crawled content safely: HTML escaped, only http(s) links, formulas neutralised."""
from __future__ import annotations

from datetime import date, datetime

import pytest
from openpyxl import load_workbook

from checks.runner import run_checks
from reports.context import run_report
from reports.html import write_run_report
from reports.xlsx import safe_cell, write_table
from store import models as m
from store.db import make_engine, session_factory
from store.migrate import upgrade
from store.writer import RunWriter

HOSTILE_ANCHOR = '<script>alert("x")</script><img src=x onerror=alert(1)>'
HOSTILE_PAGE = 'javascript:alert(document.cookie)'


@pytest.fixture
def report_html(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'r.db'}")
    upgrade(engine)
    with session_factory(engine)() as s:
        s.add(m.Department(id="fgw", name="示例市发展和改革委员会", kind="department", url="http://x/fgw/zwgk/",
                           region="示例市"))
        run = m.CrawlRun(sites_file="s", sites_hash="h", started_at=datetime(2026, 11, 20), departments=["fgw"],
                         status="completed")
        s.add(run)
        s.commit()
        w = RunWriter(s, run.id)
        for source in ("http://x/fgw/zwgk/t1.html", HOSTILE_PAGE):
            w.link(department_id="fgw", source_url=source, target_url="http://x/gone?a=1&b=<b>", anchor=HOSTILE_ANCHOR,
                   tag="a", is_attachment=False)
        w.url_check(url="http://x/gone?a=1&b=<b>", verdict="broken", reason="http_404", status=404,
                    checked_at=datetime(2026, 11, 20, 9))
        w.commit()
        check_run, _ = run_checks(s, run, as_of=date(2026, 11, 20), only=["links.broken"])
        path = write_run_report(run_report(s, check_run), tmp_path / "report.html")
    engine.dispose()
    return path.read_text(encoding="utf-8")


def test_hostile_text_is_escaped(report_html):
    assert "<script>alert" not in report_html
    assert "&lt;script&gt;alert" in report_html
    assert "<img src=x" not in report_html
    assert "http://x/gone?a=1&amp;b=&lt;b&gt;" in report_html


def test_only_http_urls_become_links(report_html):
    assert 'href="javascript:' not in report_html
    assert HOSTILE_PAGE in report_html  # still shown, as text, so the evaluator sees it
    assert 'href="http://x/fgw/zwgk/t1.html"' in report_html


def test_report_names_department_and_finding(report_html):
    assert "示例市发展和改革委员会（1 个问题）" in report_html
    assert "链接不可用" in report_html and "整改建议" in report_html


@pytest.mark.parametrize("value,expected", [
    ("=HYPERLINK(\"http://evil\",\"点我\")", "'=HYPERLINK(\"http://evil\",\"点我\")"),
    ("+1+1", "'+1+1"), ("-2+3", "'-2+3"), ("@SUM(A1)", "'@SUM(A1)"), ("\t=1", "'\t=1"),
    ("正常文本=1", "正常文本=1"), ("http://x/a=b", "http://x/a=b"), (42, 42), (None, None),
])
def test_safe_cell(value, expected):
    assert safe_cell(value) == expected


def test_xlsx_round_trip_never_holds_a_formula(tmp_path):
    path = write_table(tmp_path / "f.xlsx", "问题清单", ["单位", "问题描述"],
                       [["=1+1", "@cmd"], ["示例局", {"sources": ["=x"]}]])
    ws = load_workbook(path).active
    values = [[c.value for c in row] for row in ws.iter_rows(min_row=2)]
    assert values == [["'=1+1", "'@cmd"], ["示例局", '{"sources": ["=x"]}']]
    assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)
