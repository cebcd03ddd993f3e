"""Date and time parsing for the formats Chinese government pages print.

Full dates (2026-11-15, 2026/11/15, 2026.11.15, 2026年11月15日, 二〇二六年十一月十五日, a bare
20261115 token) and short ones (11-15, [11-15], 11/15, 11月15日) resolved against a context date.
"""

from __future__ import annotations

import re
from datetime import date, time, timedelta
from typing import Iterator, NamedTuple

__all__ = ["find_full_dates", "parse_date", "parse_datetime", "url_date", "url_context"]

_MIN_YEAR = 1900
_MAX_YEAR = 2099

# Optional time of day right after a date: "10:30", "10:30:05", "10时30分", "T10:30:05".
_TIME = r"""
    (?:\s*T\s*|\s*)
    (?P<hour>[01]?\d|2[0-3])
    (?:
        [:：](?P<minute>[0-5]\d)(?:[:：](?P<second>[0-5]\d))?
      | \s*[时時点點]\s*(?P<minute2>[0-5]?\d)\s*分(?:\s*(?P<second2>[0-5]?\d)\s*秒)?
    )
    (?!\d)
"""

_FULL_SEP = re.compile(
    r"""(?<!\d)(?P<year>(?:19|20)\d{2})\s*
        (?:
            年\s*(?P<m1>\d{1,2})\s*月\s*(?P<d1>\d{1,2})(?:\s*日|(?!\d))
          | (?P<sep>[-/.])(?P<m2>\d{1,2})(?P=sep)(?P<d2>\d{1,2})(?!\d)
        )""",
    re.X,
)
# A bare yyyymmdd only when it stands alone: not glued to other digits or latin letters
# (so "t20261115_1.html" or an account number are not dates).
_FULL_COMPACT = re.compile(
    r"(?<![0-9A-Za-z])(?P<year>(?:19|20)\d{2})(?P<month>0[1-9]|1[0-2])(?P<day>0[1-9]|[12]\d|3[01])"
    r"(?![0-9A-Za-z])"
)
_CN_DIGITS = "〇零○Ｏ一二三四五六七八九十"
_FULL_CHINESE = re.compile(
    rf"(?P<year>[〇零○Ｏ一二三四五六七八九]{{4}})\s*年\s*(?P<month>[{_CN_DIGITS}]{{1,2}})\s*月"
    rf"\s*(?P<day>[{_CN_DIGITS}]{{1,3}})\s*日"
)
# Short month-day forms; the bare dash/slash form needs two-digit parts unless bracketed,
# so "3-5个工作日" or "1/2" are not read as dates.
_SHORT = re.compile(
    r"""(?:
            (?P<open>[\[【(（])\s*(?P<m1>\d{1,2})\s*(?P<s1>[-/.])\s*(?P<d1>\d{1,2})\s*(?=[\]】)）\s])
          | (?<![\d\-/.:：])(?P<m2>\d{2})(?P<s2>[-/])(?P<d2>\d{2})(?![\d\-/.])
          | (?<![\d年])(?P<m3>\d{1,2})\s*月\s*(?P<d3>\d{1,2})\s*日
        )""",
    re.X,
)
_TIME_RE = re.compile(_TIME, re.X)


class _Match(NamedTuple):
    start: int
    end: int
    year: int | None  # None for short dates
    month: int
    day: int


def _cn_number(text: str) -> int | None:
    """Chinese numerals as used in dates: 二〇二六 (digit by digit), 十一, 二十五, 三十一."""
    digits = {"〇": 0, "零": 0, "○": 0, "Ｏ": 0, "一": 1, "二": 2, "三": 3, "四": 4,
              "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
    if "十" not in text:
        value = 0
        for char in text:
            if char not in digits:
                return None
            value = value * 10 + digits[char]
        return value
    tens, _, ones = text.partition("十")
    if len(tens) > 1 or len(ones) > 1 or (tens and tens not in digits) or (ones and ones not in digits):
        return None
    return (digits[tens] if tens else 1) * 10 + (digits[ones] if ones else 0)


def _valid(year: int, month: int, day: int) -> date | None:
    if not _MIN_YEAR <= year <= _MAX_YEAR:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _full_matches(text: str) -> Iterator[_Match]:
    for m in _FULL_SEP.finditer(text):
        month = m.group("m1") or m.group("m2")
        day = m.group("d1") or m.group("d2")
        yield _Match(m.start(), m.end(), int(m.group("year")), int(month), int(day))
    for m in _FULL_COMPACT.finditer(text):
        yield _Match(m.start(), m.end(), int(m.group("year")), int(m.group("month")), int(m.group("day")))
    for m in _FULL_CHINESE.finditer(text):
        year, month, day = (_cn_number(m.group(k)) for k in ("year", "month", "day"))
        if year is not None and month is not None and day is not None:
            yield _Match(m.start(), m.end(), year, month, day)


def _short_matches(text: str) -> Iterator[_Match]:
    for m in _SHORT.finditer(text):
        for mk, dk in (("m1", "d1"), ("m2", "d2"), ("m3", "d3")):
            if m.group(mk):
                yield _Match(m.start(), m.end(), None, int(m.group(mk)), int(m.group(dk)))
                break


def _resolve_short(month: int, day: int, context: date) -> date | None:
    resolved = _valid(context.year, month, day)
    if resolved is not None and resolved <= context:
        return resolved
    if resolved is None and not (1 <= month <= 12 and 1 <= day <= 31):
        return None
    # After the context date (or 29 Feb of a non-leap year): the previous year's date.
    return _valid(context.year - 1, month, day)


def _first(text: str, context: date | None) -> tuple[date, int] | None:
    """The earliest valid date in text and the index where its match ends."""
    if not text:
        return None
    best: tuple[int, date, int] | None = None
    full_spans: list[tuple[int, int]] = []
    for match in _full_matches(text):
        full_spans.append((match.start, match.end))
        assert match.year is not None
        value = _valid(match.year, match.month, match.day)
        if value is not None and (best is None or match.start < best[0]):
            best = (match.start, value, match.end)
    if context is not None:
        for match in _short_matches(text):
            if any(s < match.end and match.start < e for s, e in full_spans):
                continue  # part of a full date ("2026-11-15" contains "11-15")
            if best is not None and match.start >= best[0]:
                continue
            value = _resolve_short(match.month, match.day, context)
            if value is not None:
                best = (match.start, value, match.end)
    if best is None:
        return None
    return best[1], best[2]


def find_full_dates(text: str) -> list[date]:
    """Every valid full (year-bearing) date in text, in order of appearance."""
    found = sorted(
        (m.start, value)
        for m in _full_matches(text or "")
        if m.year is not None and (value := _valid(m.year, m.month, m.day)) is not None
    )
    return [value for _, value in found]


def parse_date(text: str, *, context: date | None = None) -> date | None:
    """The first date in text; short month-day dates need a context date to get a year."""
    found = _first(text, context)
    return found[0] if found else None


def parse_datetime(text: str, *, context: date | None = None) -> tuple[date, time | None] | None:
    """The first date in text and the time of day printed right after it, if any."""
    found = _first(text, context)
    if found is None:
        return None
    value, end = found
    # A closing bracket may sit between a short date and its time: "[11-15] 10:30" is rare,
    # "[11-15 10:30]" is not, so only look straight after the date.
    m = _TIME_RE.match(text, end)
    if m is None:
        return value, None
    minute = m.group("minute") or m.group("minute2")
    second = m.group("second") or m.group("second2") or "0"
    return value, time(int(m.group("hour")), int(minute), int(second))


# Dates CMSs put in document URLs: TRS "/202611/t20261115_123.html", Hanweb "/art/2026/11/15/art_…",
# "/2026-11/15/content_…", "/20261115/…".
_URL_DAY = (
    re.compile(r"(?<![0-9A-Za-z])t?((?:19|20)\d{2})(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])(?=[_./-])"),
    re.compile(r"/((?:19|20)\d{2})[/-](0[1-9]|1[0-2])[/-]?(0[1-9]|[12]\d|3[01])/"),
)
_URL_MONTH = re.compile(r"/((?:19|20)\d{2})[-/]?(0[1-9]|1[0-2])/")
# A list's short "[10-10]" date is read as the first such day from a month before the day its document's
# URL was made: documents go up on or after that day, sometimes months later, rarely weeks before.
URL_DATE_SLACK = timedelta(days=31)


def url_date(url: str) -> date | None:
    """The day (or first of the month) a document URL carries, if any: "/201710/t20171010_1.htm" → 2017-10-10."""
    path = url.split("?", 1)[0]
    for pattern in _URL_DAY:
        found = [_valid(int(m.group(1)), int(m.group(2)), int(m.group(3))) for m in pattern.finditer(path)]
        found = [d for d in found if d is not None]
        if found:
            return found[-1]
    months = [_valid(int(m.group(1)), int(m.group(2)), 1) for m in _URL_MONTH.finditer(path)]
    months = [d for d in months if d is not None]
    return months[-1] if months else None


def url_context(url: str, fallback: date | None) -> date | None:
    """The context date a short list date next to a link to url is read against (see parse_date): the
    latest day it may be, a year from the URL's date less URL_DATE_SLACK, and not after fallback (the page's
    own context, usually today or its newest full date) when that is later than the URL's date."""
    day = url_date(url)
    if day is None:
        return fallback
    try:
        latest = day.replace(year=day.year + 1) - URL_DATE_SLACK
    except ValueError:  # 29 February
        latest = day + timedelta(days=365) - URL_DATE_SLACK
    if fallback is not None and fallback >= day:
        latest = min(latest, fallback)
    return latest
