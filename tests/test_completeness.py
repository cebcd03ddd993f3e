"""The completeness verdict on one column, from the list pages the crawler met (store.completeness.judge)."""
from __future__ import annotations

import pytest

from store.completeness import PageRow, judge


def first(items: int, total: int | None = None, pages: int | None = None, **kw) -> PageRow:
    return PageRow("page", "read", first=True, items=items, declared_total=total, declared_pages=pages, **kw)


@pytest.mark.parametrize("rows, crawled, reason", [
    ([first(15, 107, 8), *[PageRow("page", "read", items=15)] * 7], 107, None),  # every declared record read
    ([first(15, 107, 8)], 15, "pager_not_followed"),  # declares 107, only the first page was there to read
    ([first(15, 107), PageRow("api", "read", items=15), PageRow("api", "read", items=0)], 30, "short"),
    ([first(15, None, 3), PageRow("page", "read", items=15)], 30, "pager_not_followed"),  # 共3页, 2 read
    ([first(15, None, 2), PageRow("page", "read", items=5)], 20, None),  # no total declared: the pager ends
    ([first(15), PageRow("skipped", "not_fetched", reason="cap_reached", skipped=40)], 15, "cap_reached"),
    ([first(15), PageRow("skipped", "not_fetched", reason="department_cap")], 15, "department_cap"),
    ([first(3, 40), PageRow("api", "failed", reason="endpoint_failed")], 3, "endpoint_failed"),
    ([first(15, 30), PageRow("page", "failed", reason="http_404")], 15, "page_failed"),
    ([first(0, is_tree=True)], 0, None),  # a column-tree page: its sub-columns are judged themselves
    ([first(19, 19), PageRow("api", "failed", reason="endpoint_failed")], 19, None),  # all declared were read
    ([first(15, 30), PageRow("skipped", "not_fetched", reason="cap_reached")], 30, None),
    ([first(3, 9), PageRow("api", "read", items=3, declared_total=9)] * 1 + [PageRow("api", "read", items=3)] * 2,
     9, None),
])
def test_verdict(rows, crawled, reason):
    verdict = judge(rows, crawled)
    assert verdict.reason == reason and verdict.complete is (reason is None)


def test_figures_come_from_the_first_page_and_the_pages_read():
    v = judge([first(15, 107, 8), PageRow("page", "read", items=15), PageRow("page", "failed", reason="timeout")], 30)
    assert (v.declared_total, v.declared_pages, v.pages_read, v.pages_failed) == (107, 8, 2, 1)
