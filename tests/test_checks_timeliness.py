"""Timeliness checks on stored crawl data, as boundary tables: stale columns (days), late publication and
interpretations (working days on the State Council schedule), annual reports (31 January / 31 March)."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from checks.base import Status
from checks.calendar import WorkCalendar
from checks.rules.timeliness import interprets, report_year
from tests.test_checks_coverage import AS_OF, build, store  # noqa: F401 - fixtures

CAL = WorkCalendar()


@pytest.mark.parametrize("age,items,expected", [
    (14, 3, None), (15, 3, "stale"), (0, 3, None), (None, 3, "undated"), (400, 0, None), (-3, 3, None),
])
def test_stale_news_column(build, age, items, expected):
    b = build()
    newest = AS_OF - timedelta(days=age) if age is not None else None
    col = b.column("部门动态", items=items, newest=newest)
    status, found = b.check("timeliness.stale_column")
    assert [(f.url, f.evidence["kind"], f.item) for f in found] == ([(col.url, expected, "gzdt")] if expected else [])
    if expected == "stale":
        assert found[0].evidence["age_days"] == 15 and found[0].evidence["match"]["how"] == "alias"
        assert "15 天" in found[0].message and "常用别名" in found[0].message


@pytest.mark.parametrize("name,age,stale", [("通知公告", 183, False), ("通知公告", 184, True),
                                            ("人事信息", 365, False), ("人事信息", 366, True),
                                            ("政府信息公开指南", 3000, False)])
def test_stale_limits_follow_the_catalog(build, name, age, stale):
    b = build()
    b.column(name, newest=AS_OF - timedelta(days=age))
    assert len(b.check("timeliness.stale_column")[1]) == int(stale)


def test_stale_limit_can_be_overridden_and_sub_columns_count(build):
    b = build()
    b.column("工作动态", newest=AS_OF - timedelta(days=20))
    hub = b.column("财政预决算", items=0)
    b.column("部门预算", parent=hub, newest=AS_OF - timedelta(days=100))
    assert b.check("timeliness.stale_column", stale_after_days={"gzdt": 30}) == (Status.PASS, [])


PUBLISHED = date(2026, 10, 15)


@pytest.mark.parametrize("column,workdays,late", [
    ("政策文件", 20, False), ("政策文件", 21, True), ("政策文件", 0, False),
    ("行政执法公示", 7, False), ("行政执法公示", 8, True),  # an item with its own 7-working-day limit
    ("工作动态", 21, True),  # no limit in the catalog: 条例第26条's 20 working days
])
def test_late_publication_in_working_days(build, column, workdays, late):
    b = build()
    col = b.column(column)
    doc = b.doc("关于做好有关工作的通知", column=col, published=PUBLISHED, written=CAL.add_workdays(PUBLISHED, -workdays))
    _, found = b.check("timeliness.late_publication")
    assert [f.url for f in found] == ([doc.url] if late else [])
    if late:
        assert found[0].evidence["workdays"] == workdays and f"{workdays} 个工作日" in found[0].message


def test_late_publication_skips_reposts_odd_dates_and_old_documents(build):
    b = build()
    col = b.column("政策文件")
    long_ago = CAL.add_workdays(PUBLISHED, -60)
    b.doc("转发省政府关于做好有关工作的通知", column=col, published=PUBLISHED, written=long_ago)
    b.doc("成文日期晚于发布日期", column=col, published=PUBLISHED, written=PUBLISHED + timedelta(days=3))
    b.doc("两年前的文件", column=col, published=PUBLISHED - timedelta(days=700), written=long_ago - timedelta(days=700))
    assert b.check("timeliness.late_publication") == (Status.PASS, [])


def test_a_year_without_holiday_data_is_counted_in_weekdays_and_said_so(build):
    b = build()
    published = date(2027, 3, 1)  # beyond the library: Monday to Friday, with a note
    b.doc("关于做好有关工作的通知", column=b.column("政策文件"), published=published, written=date(2027, 1, 28))
    _, [finding] = b.check("timeliness.late_publication", as_of=date(2027, 3, 5))
    assert finding.evidence["workdays"] == 22 and "2027" in finding.evidence["calendar_note"]
    assert "按周一至周五计算工作日" in finding.message


@pytest.mark.parametrize("kind,as_of,published,expected", [
    ("department", date(2026, 2, 1), date(2026, 1, 31), None),
    ("department", date(2026, 2, 1), date(2026, 2, 1), "late"),
    ("department", date(2026, 2, 1), None, "missing"),
    ("department", date(2026, 1, 31), None, None),  # this year's report is not due yet; last year's is there
    ("county", date(2026, 4, 1), date(2026, 3, 31), None),
    ("county", date(2026, 4, 1), date(2026, 4, 1), "late"),
    ("township", date(2026, 3, 31), date(2026, 3, 20), None),
])
def test_annual_report_deadlines(build, kind, as_of, published, expected):
    catalog = {"department": "municipal-department", "county": "county-government", "township": "township"}[kind]
    b = build(departments=(("d1", kind, catalog),))
    col = b.column("政府信息公开年报", dept="d1")
    last_year = date(2025, 1, 20) if kind == "department" else date(2025, 3, 20)
    b.doc("示例单位2024年政府信息公开工作年度报告", dept="d1", column=col, published=last_year)
    doc = b.doc("示例单位2025年政府信息公开工作年度报告", dept="d1", column=col, published=published) if published else None
    _, found = b.check("timeliness.annual_report", as_of=as_of)
    assert [f.evidence["kind"] for f in found] == ([expected] if expected else [])
    if expected == "late":
        assert found[0].url == doc.url and found[0].item == "gknb" and found[0].evidence["days_late"] == 1
    if expected == "missing":
        assert found[0].url == col.url and "2025 年政府信息公开工作年度报告" in found[0].message


def test_annual_report_titles():
    assert report_year("示例市教育局2025年政府信息公开工作年度报告") == 2025
    assert report_year("2025年度政务公开工作年报") == 2025
    assert report_year("2025年度报告") is None and report_year("2025年度报告", in_report_column=True) == 2025
    assert report_year("2025年部门决算") is None


POLICY = date(2026, 9, 10)


@pytest.mark.parametrize("after,as_of,expected", [
    (3, AS_OF, None), (4, AS_OF, "late"), (0, AS_OF, None), (None, AS_OF, "missing"),
    (None, CAL.add_workdays(POLICY, 3), None),  # its 解读 may still come in time
    (None, CAL.add_workdays(POLICY, 3) + timedelta(days=1), "missing"),
])
def test_interpretation_within_three_working_days(build, after, as_of, expected):
    b = build()
    policy = b.doc("关于印发《示例市公共法律服务管理办法》的通知", column=b.column("政策文件"), published=POLICY,
                   number="示司规〔2026〕3号")
    if after is not None:
        b.doc("《示例市公共法律服务管理办法》政策解读", column=b.column("政策解读"),
              published=CAL.add_workdays(POLICY, after))
    _, found = b.check("timeliness.interpretation", as_of=as_of)
    assert [(f.url, f.evidence["kind"]) for f in found] == ([(policy.url, expected)] if expected else [])


def test_interpretation_found_by_link_and_which_documents_need_one(build):
    b = build()
    col = b.column("政策文件")
    linked = b.doc("关于进一步加强法律援助工作的实施意见", column=col, published=POLICY, number="示司规〔2026〕4号")
    answer = b.doc("一图看懂：新政要点", column=b.column("政策解读"), published=POLICY)
    b.link(answer.url, linked.url)
    b.doc("关于印发《示例市人民调解办法》的通知", column=col, published=POLICY)  # no 文号: not judged by default
    b.doc("转发示例省人民政府关于优化营商环境的若干措施", column=col, published=POLICY, number="示政发〔2026〕40号")
    assert b.check("timeliness.interpretation") == (Status.PASS, [])
    _, found = b.check("timeliness.interpretation", numbered_only=False)
    assert [f.evidence["title"] for f in found] == ["关于印发《示例市人民调解办法》的通知"]


@pytest.mark.parametrize("interpretation,policy,matches", [
    ("《示例市X管理办法》政策解读", "关于印发《示例市X管理办法》的通知", True),
    ("一图读懂《关于进一步加强X工作的实施意见》", "关于进一步加强X工作的实施意见", True),
    ("关于《示例市X三年行动方案（2026—2028年）》的解读", "关于印发《示例市X三年行动方案（2026—2028年）》的通知", True),
    ("关于进一步加强X工作的实施意见政策解读", "关于进一步加强X工作的实施意见", True),
    ("《示例市Y管理办法》政策解读", "关于印发《示例市X管理办法》的通知", False),
])
def test_which_interpretation_explains_which_policy(interpretation, policy, matches):
    assert interprets(interpretation, policy) is matches
