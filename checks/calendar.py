"""Working days on the State Council holiday schedule (调休 make-up days included).

Years come from, in order: a user holiday file (for years the library does not know yet, or to
correct one), the chinesecalendar library, and, beyond both, plain Monday–Friday with a warning —
a date far in the future still gets an answer, never an exception.

Holiday file (YAML), one entry per year; ranges may be written "A..B":
    2027:
      holidays: [2027-01-01, 2027-02-06..2027-02-12]
      workdays: [2027-02-14]          # weekend days that are working days (调休)
"""
from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from store.registry import ConfigError, read_yaml

log = logging.getLogger(__name__)

ENV_HOLIDAYS = "ZWGK_HOLIDAYS"
HOLIDAY_FILE_NAME = "holidays.yaml"  # looked for beside sites.yaml when ZWGK_HOLIDAYS is not set


@dataclass(frozen=True)
class YearRule:
    holidays: frozenset[date]
    workdays: frozenset[date]


def _library() -> tuple[Any, range]:
    try:
        import chinese_calendar
        from chinese_calendar import constants
    except ImportError:  # the library is a dependency; without it every year falls back
        return None, range(0)
    years = sorted({d.year for d in constants.holidays})
    return chinese_calendar, range(years[0], years[-1] + 1)


def _parse_day(text: Any, where: str) -> list[date]:
    if isinstance(text, date):
        return [text]
    raw = str(text).strip()
    start, sep, end = raw.partition("..")
    try:
        first = date.fromisoformat(start.strip())
        last = date.fromisoformat(end.strip()) if sep else first
    except ValueError:
        raise ConfigError(f"{where}: 日期格式应为 YYYY-MM-DD 或 YYYY-MM-DD..YYYY-MM-DD（实际为 {raw!r}）") from None
    if last < first:
        raise ConfigError(f"{where}: 日期区间的结束日早于开始日（{raw!r}）")
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def load_holiday_file(path: str | Path) -> dict[int, YearRule]:
    """Read a holiday file; a mistake is one Chinese line naming the file and the entry."""
    path = Path(path)
    try:
        data, _ = read_yaml(path)
    except ValueError as exc:  # YAML read 2099-13-01 as a date and the date does not exist
        if isinstance(exc, ConfigError):
            raise
        raise ConfigError(f"{path}: 日期无效（{exc}），应为 YYYY-MM-DD") from None
    rules: dict[int, YearRule] = {}
    for key, entry in data.items():
        try:
            year = int(key)
        except (TypeError, ValueError):
            raise ConfigError(f"{path}: {key}: 应为年份（如 2027）") from None
        if not isinstance(entry, dict) or set(entry) - {"holidays", "workdays"}:
            raise ConfigError(f"{path}: {year}: 应为包含 holidays（放假日期）和 workdays（调休上班日期）的键值对象")
        days: dict[str, set[date]] = {"holidays": set(), "workdays": set()}
        for name in days:
            values = entry.get(name) or []
            if not isinstance(values, list):
                raise ConfigError(f"{path}: {year}.{name}: 应为日期列表")
            for i, value in enumerate(values):
                for day in _parse_day(value, f"{path}: {year}.{name}[{i}]"):
                    if day.year != year:
                        raise ConfigError(f"{path}: {year}.{name}[{i}]: 日期 {day} 不属于 {year} 年")
                    days[name].add(day)
        rules[year] = YearRule(frozenset(days["holidays"]), frozenset(days["workdays"]))
    return rules


@dataclass
class WorkCalendar:
    """is_workday / workdays_between / add_workdays; `warnings` lists the years answered by weekdays only."""

    extra: dict[int, YearRule] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._lib, self._lib_years = _library()
        self._warned: set[int] = set()
        # each day's answer, kept: workdays_between asks day by day, and the holiday library validates every
        # question against its whole table (~50 µs), so a year-long gap is 365 slow questions
        self._days: dict[date, bool] = {}

    def source(self, year: int) -> str:
        """'file', 'library' or 'weekdays': what decides working days in this year."""
        if year in self.extra:
            return "file"
        if self._lib is not None and year in self._lib_years:
            return "library"
        return "weekdays"

    def is_workday(self, day: date) -> bool:
        known = self._days.get(day)
        if known is None:
            known = self._days[day] = self._decide(day)
        return known

    def _decide(self, day: date) -> bool:
        how = self.source(day.year)
        if how == "file":
            rule = self.extra[day.year]
            if day in rule.workdays:
                return True
            return day.weekday() < 5 and day not in rule.holidays
        if how == "library":
            return bool(self._lib.is_workday(day))
        self._warn(day.year)
        return day.weekday() < 5

    def _warn(self, year: int) -> None:
        if year in self._warned:
            return
        self._warned.add(year)
        message = (f"{year} 年的法定节假日安排未知（chinesecalendar 与节假日文件均未包含），"
                   f"该年按周一至周五计算工作日；可在节假日文件（环境变量 {ENV_HOLIDAYS}）中补充")
        self.warnings.append(message)
        log.warning(message)

    def workdays_between(self, start: date, end: date) -> int:
        """Working days after `start` up to and including `end` (negative when end is before start).

        A document written on Friday and published the next Monday took one working day.
        """
        if end == start:
            return 0
        sign, lo, hi = (1, start, end) if end > start else (-1, end, start)
        count = sum(1 for i in range(1, (hi - lo).days + 1) if self.is_workday(lo + timedelta(days=i)))
        return sign * count

    def add_workdays(self, start: date, n: int) -> date:
        """n >= 0: the first day with n working days after `start` (`start` itself for 0).
        n < 0: the last day before `start` with |n| working days after it up to and including `start`.
        Either way workdays_between() of the two days is |n|."""
        day, left = start, abs(n)
        if n >= 0:
            while left:
                day += timedelta(days=1)
                left -= self.is_workday(day)
            return day
        while left:
            left -= self.is_workday(day)
            day -= timedelta(days=1)
        return day

    def note(self, *days: date) -> str | None:
        """A sentence for evidence when any of these days was counted without a holiday schedule."""
        years = sorted({d.year for d in days if self.source(d.year) == "weekdays"})
        if not years:
            return None
        return "、".join(str(y) for y in years) + " 年无节假日安排数据，按周一至周五计算工作日"


def holiday_file_for(sites_path: Path | None) -> Path | None:
    """ZWGK_HOLIDAYS, else holidays.yaml beside sites.yaml when present."""
    env = os.environ.get(ENV_HOLIDAYS)
    if env:
        return Path(env)
    if sites_path is not None:
        candidate = Path(sites_path).parent / HOLIDAY_FILE_NAME
        if candidate.is_file():
            return candidate
    return None


def work_calendar(sites_path: Path | None = None, holidays: str | Path | None = None) -> WorkCalendar:
    """A calendar with the user's holiday file (explicit, from the environment, or beside sites.yaml)."""
    path = Path(holidays) if holidays else holiday_file_for(sites_path)
    return WorkCalendar(extra=load_holiday_file(path) if path else {})
