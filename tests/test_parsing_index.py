"""SoupIndex must find exactly what bs4's find_all/find would, the parsers rely on it being a drop-in."""

from __future__ import annotations

import re

import pytest
from bs4 import Comment

from crawler.parsing._html import SoupIndex, make_soup, walk

PAGES = [
    "",
    "\x00",
    "<p>only text</p>",
    "<html><head><title>t</title><base href='../b/'><base><meta name=a content=b></head>"
    "<body><a href='/x'>x</a><a>no href</a><area href=''><iframe src=f></iframe><!--c--><!---->"
    "<template><a href=t>t</a></template><noscript><a href=n>n</a></noscript></body></html>",
    "<div class=list><ul><li><a href=1.html>一<li><a href=2.html>二<span>2026-05-01<li>三",
    "<body>" + "<div class='content'><span>" * 400 + "当前位置：首页 > 通知",
    "<table><tr><td><table><tr><th>日期<td><a href=x>y</a></table>",
    "<o:p>prefixed</o:p><svg><a href='s'>svg link</a></svg><frame src=fr><body><frameset></frameset>",
]


@pytest.mark.parametrize("html", PAGES)
def test_index_matches_find_all(html: str) -> None:
    soup = make_soup(html)
    index = SoupIndex(soup)
    assert index.tags == soup.find_all(True)
    for names in (("a",), ("a", "area"), ("script",), ("div", "td", "span", "p"), ("iframe", "frame")):
        assert index.named(*names) == soup.find_all(list(names))
        assert index.named(*names, attr="href") == soup.find_all(list(names), href=True)
    for name in ("body", "title", "base", "meta", "nothing"):
        assert index.first(name) is soup.find(name)
    assert index.first("base", "href") is soup.find("base", href=True)
    pattern = re.compile(r"位置|text|c")
    assert [s for s in index.strings if pattern.search(s)] == soup.find_all(string=pattern)
    assert [s for s in index.strings if isinstance(s, Comment)] == soup.find_all(string=lambda s: isinstance(s, Comment))


@pytest.mark.parametrize("html", PAGES)
def test_walk_is_document_order(html: str) -> None:
    soup = make_soup(html)
    assert list(walk(soup)) == list(soup.descendants)


def test_parse_caches_keep_no_long_strings():
    from crawler.parsing import _html, _pager

    huge = "http://www.example.gov.cn/x/" + "a" * 1_000_000 + ".html?page=" + "1" * 5000
    for cache in (_html._abs_url_cached, _pager._where_cached, _pager._same_page_cached, _pager._query_params_cached):
        cache.cache_clear()
    assert _html.abs_url("http://www.example.gov.cn/", huge) == huge
    assert _pager._where(huge).ext == "html"
    assert _pager.same_page(huge, huge + "2") is False
    assert _pager._query_params("page=" + "1" * 5000) == (("page", "1" * 5000),)
    for cache in (_html._abs_url_cached, _pager._where_cached, _pager._same_page_cached, _pager._query_params_cached):
        assert cache.cache_info().currsize == 0, cache
