"""repost.late / repost.missing on stored crawl data: finding a repost by normalised title or 文号, the lag
to the minute or as an interval when a page shows only a date, deadlines against the crawl time."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest

from checks.base import Status
from checks.rules.repost import is_repost, strip_repost, title_key
from tests.test_checks_coverage import AS_OF, build, store  # noqa: F401 - fixtures

UP_TITLE = "示例省人民政府关于进一步优化营商环境的若干措施"
UP_NUMBER = "示政发〔2026〕40号"
UP_AT = datetime(2026, 11, 10, 10, 30)


@pytest.mark.parametrize("title,key_equal,repost", [
    (f"转发{UP_TITLE}", True, True),
    (f"【转载】{UP_TITLE}", True, True),
    (f"[转载] {UP_TITLE}", True, True),
    (f"转载：{UP_TITLE}", True, True),
    (f"市司法局关于转发《{UP_TITLE}》的通知", True, True),
    ("示例省人民政府关于 进一步优化营商环境 的若干措施", True, False),
    ("示例省人民政府关于进一步优化营商环境的若干措施（全文）", False, False),
    ("关于进一步优化营商环境的工作措施", False, False),
])
def test_titles_without_repost_marks(title, key_equal, repost):
    assert (title_key(title) == title_key(UP_TITLE)) is key_equal
    assert is_repost(title) is repost
    if repost:
        assert strip_repost(title).startswith("示例省人民政府")


def _upstream(b, *, at: datetime | None = UP_AT, day: date | None = None):
    return b.doc(UP_TITLE, upstream="province", published=day or (at.date() if at else None),
                 at=at.time() if at else None, number=UP_NUMBER)


@pytest.mark.parametrize("lag,shown,expected", [
    (timedelta(hours=24), "time", None),
    (timedelta(hours=24, minutes=1), "time", ("exact", 24.02)),
    (timedelta(hours=30), "date", None),  # shows only 11-11: at least 13.5 h, perhaps on time
    (timedelta(hours=40), "date", ("bounded", 37.5)),  # shows 11-12: at least 37.5 h
    (timedelta(hours=80), "none", None),  # no date at all: never provably late
])
def test_late_repost_to_the_minute_or_by_the_day(build, lag, shown, expected):
    b = build()
    up = _upstream(b)
    when = UP_AT + lag
    repost = b.doc(f"转发{UP_TITLE}", published=when.date() if shown != "none" else None,
                   at=when.time() if shown == "time" else None, first_seen=datetime(2026, 11, 20, 10, 0))
    _, found = b.check("repost.late")
    if expected is None:
        assert found == []
        return
    [finding] = found
    assert (finding.url, finding.item) == (repost.url, up.url)
    assert (finding.evidence["kind"], finding.evidence["lag_hours"]) == expected
    assert finding.evidence["repost_time_basis"] == ("page_time" if shown == "time" else "date_only")
    assert ("至少晚了" in finding.message) is (shown == "date") and "24 小时" in finding.message


def test_first_seen_bounds_a_date_only_repost(build):
    b = build(started=datetime(2026, 11, 12, 18, 0))
    _upstream(b)
    b.doc(f"转发{UP_TITLE}", published=date(2026, 11, 12), first_seen=datetime(2026, 11, 12, 18, 5))
    _, [finding] = b.check("repost.late")
    ev = finding.evidence
    assert ev["repost_time_basis"] == "date_only_first_seen" and ev["repost_latest"] == "2026-11-12 18:05"
    assert ev["lag_hours"] == 37.5 and ev["lag_hours_max"] == 55.58 and "首次抓取" in finding.message


def test_upstream_with_only_a_date_widens_the_interval(build):
    b = build()
    _upstream(b, at=None, day=UP_AT.date())
    b.doc(f"转发{UP_TITLE}", published=date(2026, 11, 11), at=time(9, 0))  # 33 h after 00:00, 9 h after 23:59
    assert b.check("repost.late") == (Status.PASS, [])


@pytest.mark.parametrize("title,number,found", [
    (f"【转载】{UP_TITLE}", None, True),
    (f"转发{UP_NUMBER}文件", None, True),  # the upstream 文号 in the title
    ("省政府营商环境文件", UP_NUMBER, True),  # the upstream 文号 as the repost's 文号
    ("关于进一步优化营商环境的工作措施", None, False),
])
def test_missing_repost(build, title, number, found):
    b = build()
    up = _upstream(b)
    b.doc(title, published=date(2026, 11, 10), at=time(15, 0), number=number)
    _, findings = b.check("repost.missing")
    assert [(f.url, f.item) for f in findings] == ([] if found else [("http://x/fgw/zwgk/", up.url)])
    if not found:
        assert findings[0].evidence["deadline"] == "2026-11-11 10:30" and UP_NUMBER in findings[0].message


def test_not_missing_before_its_deadline_nor_outside_the_window(build):
    b = build(started=datetime(2026, 11, 10, 20, 0))
    _upstream(b)  # published 9.5 hours before the crawl
    b.doc("更早的文件", upstream="province", published=date(2026, 9, 1), at=time(9, 0))  # 70 days back
    b.doc("本单位的其他信息", published=date(2026, 11, 1))
    assert b.check("repost.missing", as_of=date(2026, 11, 10)) == (Status.PASS, [])
    assert len(b.check("repost.missing", as_of=date(2026, 11, 10), window_days=80)[1]) == 1


def test_a_document_between_two_bimonthly_rounds_is_judged_by_the_next(build):
    """40 days before the audit: outside a 30-day window, inside the default period since the last round."""
    b = build(started=datetime(2026, 11, 10, 20, 0))
    b.doc("关于做好冬季安全生产工作的通知", upstream="province", published=date(2026, 10, 1), at=time(9, 0))
    b.doc("本单位的其他信息", published=date(2026, 11, 1))
    status, findings = b.check("repost.missing", as_of=date(2026, 11, 10))
    assert status == Status.FAIL and len(findings) == 1 and findings[0].evidence["window_days"] == 62
    # with 30 days nothing upstream is left to judge, and the check says so instead of passing
    assert b.check("repost.missing", as_of=date(2026, 11, 10), window_days=30)[0] == Status.SKIPPED


def test_limit_override_and_who_must_repost(build):
    b = build(departments=(("fgw", "department", "municipal-department"), ("jd", "township", "township")))
    _upstream(b)
    b.doc(f"转发{UP_TITLE}", published=date(2026, 11, 10), at=time(20, 0))  # 9.5 h
    b.doc("街道动态", dept="jd", published=date(2026, 11, 1))
    assert b.check("repost.late") == (Status.PASS, [])
    assert b.check("repost.missing")[1] == []  # townships are not asked to repost by default
    _, [late] = b.check("repost.late", repost_within_hours=8)  # 福建: 8 hours
    assert late.evidence["limit_hours"] == 8
    assert [f.department_id for f in b.check("repost.missing", kinds=["township"])[1]] == ["jd"]


def test_no_upstream_document_is_skipped(build):
    b = build()
    b.doc("本单位信息", published=AS_OF)
    assert b.check("repost.late")[0] is Status.SKIPPED


@pytest.mark.parametrize("upstream,title,found", [
    ("通知公告", "通知公告", True),  # a short upstream title must match whole…
    ("通知公告", "关于通知公告栏目调整的说明", False),  # …never inside a longer title
    (UP_TITLE, f"{UP_TITLE}（全文）", True),  # a long one is found inside a longer title
    (UP_TITLE, f"市政府办公室关于转发{UP_TITLE}的通知", True),
    # the repost mark is not part of what is searched: "转发关于…" is the title key "关于…"
    ("发关于加强安全生产工作的意见", "转发关于加强安全生产工作的意见", False),
    ("关于加强安全生产工作的意见", "转发关于加强安全生产工作的意见", True),
])
def test_repost_found_by_whole_or_contained_title_key(build, upstream, title, found):
    b = build()
    up = b.doc(upstream, upstream="province", published=UP_AT.date(), at=UP_AT.time())
    b.doc("本单位其他信息", published=date(2026, 11, 1))
    b.doc(title, published=date(2026, 11, 10), at=time(15, 0))
    _, findings = b.check("repost.missing")
    assert [f.item for f in findings] == ([] if found else [up.url])
