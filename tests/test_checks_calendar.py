"""Working days: the State Council schedule with make-up days, a user holiday file for years the library
does not know, and plain weekdays with a warning beyond both — an answer, never an exception."""
from __future__ import annotations

import logging
from datetime import date

import pytest

from checks.calendar import WorkCalendar, holiday_file_for, load_holiday_file, work_calendar
from store.registry import ConfigError

CAL = WorkCalendar()


@pytest.mark.parametrize("day,workday", [
    (date(2026, 10, 1), False),  # 国庆节, a Thursday
    (date(2026, 10, 10), True),  # a Saturday made a working day (调休)
    (date(2026, 10, 9), True),
    (date(2026, 2, 14), True),  # Saturday before the Spring Festival, worked
    (date(2026, 2, 18), False),  # Spring Festival, a Wednesday
    (date(2026, 11, 21), False),  # an ordinary Saturday
])
def test_state_council_schedule(day, workday):
    assert CAL.is_workday(day) is workday and CAL.source(day.year) == "library"


@pytest.mark.parametrize("start,end,count", [
    (date(2026, 11, 20), date(2026, 11, 20), 0),
    (date(2026, 11, 20), date(2026, 11, 23), 1),  # Friday → Monday
    (date(2026, 11, 23), date(2026, 11, 20), -1),
    (date(2026, 9, 30), date(2026, 10, 9), 2),  # over the National Day week: 10-08 and 10-09 only
    (date(2026, 9, 30), date(2026, 10, 10), 3),  # … and the make-up Saturday
    (date(2026, 7, 24), date(2026, 8, 22), 20),
])
def test_working_days_between(start, end, count):
    assert CAL.workdays_between(start, end) == count


@pytest.mark.parametrize("start,n", [(date(2026, 8, 22), -21), (date(2026, 10, 9), -3), (date(2026, 9, 30), 3),
                                     (date(2026, 2, 13), 5), (date(2026, 11, 20), 0)])
def test_add_workdays_is_the_inverse(start, n):
    other = CAL.add_workdays(start, n)
    assert abs(CAL.workdays_between(min(start, other), max(start, other))) == abs(n)
    assert (other > start) if n > 0 else (other < start) if n < 0 else other == start


def test_a_year_nobody_knows_falls_back_to_weekdays_with_a_warning(caplog):
    cal = WorkCalendar()
    with caplog.at_level(logging.WARNING, logger="checks.calendar"):
        assert cal.workdays_between(date(2099, 10, 1), date(2099, 10, 8)) == 5  # no holiday week in 2099
        assert cal.is_workday(date(2099, 10, 3)) is False  # a Saturday
    assert cal.source(2099) == "weekdays" and len(cal.warnings) == 1 and "2099 年" in cal.warnings[0]
    assert [r.message for r in caplog.records] == cal.warnings  # warned once, not per day
    assert "按周一至周五计算工作日" in cal.note(date(2099, 1, 5)) and cal.note(date(2026, 1, 5)) is None


def test_a_holiday_file_covers_a_year_the_library_does_not(tmp_path):
    path = tmp_path / "holidays.yaml"
    path.write_text("2099:\n  holidays: [2099-10-01..2099-10-07]\n  workdays: [2099-10-10]\n"
                    "2026:\n  holidays: [2026-11-20]\n", encoding="utf-8")
    cal = WorkCalendar(extra=load_holiday_file(path))
    assert cal.source(2099) == "file" and cal.warnings == []
    assert cal.workdays_between(date(2099, 9, 30), date(2099, 10, 10)) == 3  # 10-08, 10-09 and the Saturday 10-10
    assert cal.is_workday(date(2026, 11, 20)) is False  # the file also corrects a year the library has


@pytest.mark.parametrize("text,where", [
    ("2099:\n  holidays: [2099-13-01]\n", "日期无效"),
    ("2099:\n  holidays: ['1 October']\n", "2099.holidays[0]"),
    ("2099:\n  holidays: [2098-10-01]\n", "2099.holidays[0]"),
    ("2099:\n  holidays: [2099-10-07..2099-10-01]\n", "2099.holidays[0]"),
    ("next:\n  holidays: []\n", "next"),
    ("2099:\n  vacation: []\n", "2099"),
    ("2099: [", "YAML 格式错误"),
])
def test_holiday_file_errors_are_one_line(tmp_path, text, where):
    path = tmp_path / "holidays.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as exc:
        load_holiday_file(path)
    assert str(exc.value).startswith(str(path)) and where in str(exc.value) and "\n" not in str(exc.value)


def test_where_the_holiday_file_is_found(tmp_path, monkeypatch):
    sites = tmp_path / "sites.yaml"
    monkeypatch.delenv("ZWGK_HOLIDAYS", raising=False)
    assert holiday_file_for(sites) is None
    (tmp_path / "holidays.yaml").write_text("2099:\n  holidays: [2099-01-02]\n", encoding="utf-8")
    assert holiday_file_for(sites) == tmp_path / "holidays.yaml"
    assert work_calendar(sites).is_workday(date(2099, 1, 2)) is False
    other = tmp_path / "other.yaml"
    other.write_text("2099:\n  workdays: [2099-01-03]\n", encoding="utf-8")
    monkeypatch.setenv("ZWGK_HOLIDAYS", str(other))
    assert work_calendar(sites).is_workday(date(2099, 1, 3)) is True
