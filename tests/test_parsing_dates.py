from __future__ import annotations

from datetime import date, time

import pytest

from crawler.parsing.dates import find_full_dates, parse_date, parse_datetime

CONTEXT = date(2026, 11, 20)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-15", date(2026, 11, 15)),
        ("2026-1-5", date(2026, 1, 5)),
        ("2026/11/15", date(2026, 11, 15)),
        ("2026.11.15", date(2026, 11, 15)),
        ("2026年11月15日", date(2026, 11, 15)),
        ("2026 年 1 月 5 日", date(2026, 1, 5)),
        ("二〇二六年十一月十五日", date(2026, 11, 15)),
        ("二〇二六年一月三十一日", date(2026, 1, 31)),
        ("发布日期：2026-11-15 来源：市政府", date(2026, 11, 15)),
        ("[2026-08-15]", date(2026, 8, 15)),
        ("更新于 20261115 ", date(2026, 11, 15)),
        ("先 2026-10-01 后 2026-11-15", date(2026, 10, 1)),
        # not dates
        ("t20261115_4012345.html", None),  # glued to letters: a file name, not a date token
        ("账号 6222020261115", None),  # part of a longer number
        ("索引号 11440100MB2C01234X/2026-00156", None),
        ("2026-02-30", None),
        ("2026-13-01", None),
        ("2026年11月", None),
        ("", None),
        ("共3-5个工作日", None),
        # short dates need a context date
        ("11-15", None),
        ("[11-15]", None),
        ("11月15日", None),
    ],
)
def test_parse_date_without_context(text: str, expected: date | None) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    ("text", "context", "expected"),
    [
        ("11-15", CONTEXT, date(2026, 11, 15)),
        ("[11-15]", CONTEXT, date(2026, 11, 15)),
        ("11/15", CONTEXT, date(2026, 11, 15)),
        ("11月15日", CONTEXT, date(2026, 11, 15)),
        ("[1-5]", CONTEXT, date(2026, 1, 5)),
        ("11-20", CONTEXT, date(2026, 11, 20)),  # the context day itself
        ("11-21", CONTEXT, date(2025, 11, 21)),  # one day after the context: last year
        ("[12-30]", date(2026, 1, 6), date(2025, 12, 30)),
        ("[01-05]", date(2026, 1, 6), date(2026, 1, 5)),
        ("02-29", date(2028, 3, 1), date(2028, 2, 29)),
        ("02-29", CONTEXT, None),  # neither 2026 nor 2025 has 29 February
        ("13-01", CONTEXT, None),
        ("2025-03-02 与 [11-15]", CONTEXT, date(2025, 3, 2)),  # first date wins
        ("[11-15] 与 2025-03-02", CONTEXT, date(2026, 11, 15)),
        ("2026-11-15", CONTEXT, date(2026, 11, 15)),  # full dates ignore the context
    ],
)
def test_parse_date_short_forms_resolve_against_context(text: str, context: date, expected: date | None) -> None:
    assert parse_date(text, context=context) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-15 10:30", (date(2026, 11, 15), time(10, 30))),
        ("2026-11-15 10:30:05", (date(2026, 11, 15), time(10, 30, 5))),
        ("2026-11-15T08:05:00", (date(2026, 11, 15), time(8, 5))),
        ("2026年11月15日 10时30分", (date(2026, 11, 15), time(10, 30))),
        ("2026年11月15日10时30分05秒", (date(2026, 11, 15), time(10, 30, 5))),
        ("2026-11-15 9:05", (date(2026, 11, 15), time(9, 5))),
        ("2026-11-15", (date(2026, 11, 15), None)),
        ("2026-11-15 来源：市政府", (date(2026, 11, 15), None)),
        ("2026-11-15 25:00", (date(2026, 11, 15), None)),  # not a time of day
        ("2026-11-15 12月", (date(2026, 11, 15), None)),
        ("没有日期", None),
    ],
)
def test_parse_datetime(text: str, expected: tuple[date, time | None] | None) -> None:
    assert parse_datetime(text) == expected


def test_parse_datetime_short_date_with_time() -> None:
    assert parse_datetime("[11-15 09:05]", context=CONTEXT) == (date(2026, 11, 15), time(9, 5))


def test_find_full_dates_in_order_and_valid_only() -> None:
    text = "2026-11-15 发布；成文于2026年11月10日；2026-02-30 无效；[11-16]"
    assert find_full_dates(text) == [date(2026, 11, 15), date(2026, 11, 10)]


@pytest.mark.parametrize(
    ("url", "short", "expected"),
    [
        ("http://x.gov.cn/a/201710/t20171010_1.htm", "[10-10]", date(2017, 10, 10)),
        ("http://x.gov.cn/a/201710/t20171010_1.htm", "[09-15]", date(2017, 9, 15)),  # listed a little earlier
        ("http://x.gov.cn/a/201710/t20171010_1.htm", "[03-05]", date(2018, 3, 5)),  # published months later
        ("http://x.gov.cn/a/201712/t20171228_1.htm", "[01-03]", date(2018, 1, 3)),
        ("http://x.gov.cn/art/2026/11/15/art_1_2.html", "[11-15]", date(2026, 11, 15)),
        ("http://x.gov.cn/a/202611/t20261115_1.htm", "[12-20]", date(2025, 12, 20)),  # not after today
        ("http://x.gov.cn/a/show.jsp?id=5", "[11-15]", date(2026, 11, 15)),  # no date in the URL: the page's
    ],
)
def test_short_list_dates_take_the_year_from_the_url(url: str, short: str, expected: date) -> None:
    from crawler.parsing.dates import url_context

    assert parse_date(short, context=url_context(url, date(2026, 11, 20))) == expected
