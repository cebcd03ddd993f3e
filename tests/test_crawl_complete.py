"""Columns whose lists the crawl could not read completely: recorded with declared vs read, and the checks
that need the whole list record them as 未能完整抓取 instead of making findings (docs/completeness.md)."""
from __future__ import annotations

from sqlalchemy import select

from store import models as m
from store.db import make_engine, session_factory
from tests.mockserver import MockServer, html

AS_OF = "2026-12-01"
PAGE = """<html><head><meta charset="utf-8"><title>{name}</title></head><body>
<div class="crumbs"><a href="/{d}/zwgk/">政府信息公开</a> &gt; <a href="/{d}/zwgk/{c}/">{name}</a></div>
<h2 class="column-title">{name}</h2>{body}</body></html>"""
DOC = """<html><head><meta charset="utf-8"><title>{t}</title></head><body><h1>{t}</h1>
<table><tr><td>发布日期：</td><td>{day}</td></tr></table><div class="content"><p>{t}的正文。</p></div></body></html>"""


def _list(d: str, c: str, name: str, docs: list[tuple[str, str]], pager: str = "") -> str:
    rows = "".join(f'<li><a href="/{d}/zwgk/{c}/{slug}.html">{title}</a><span>{day}</span></li>'
                   for slug, title, day in ((f"t{day.replace('-', '')}", t, day) for t, day in docs))
    return PAGE.format(d=d, c=c, name=name, body=f'<ul class="list">{rows}</ul>{pager}')


def _pager(d: str, c: str, now: int, pages: int, total: int) -> str:
    links = "".join(f'<a href="/{d}/zwgk/{c}/{"index" if n == 0 else f"index_{n}"}.html">{n + 1}</a>'
                    for n in range(pages) if n != now)
    nxt = f'<a href="/{d}/zwgk/{c}/index_{now + 1}.html">下一页</a>' if now + 1 < pages else ""
    return f'<div class="page">{links}{nxt}<span>共{total}条 共{pages}页</span></div>'


def _column(routes: dict, d: str, c: str, name: str, pages: list[list[tuple[str, str]]], total: int,
            failing: set[int] = frozenset()) -> None:
    for n, docs in enumerate(pages):
        path = f"/{d}/zwgk/{c}/" + ("" if n == 0 else f"index_{n}.html")
        if n in failing:
            routes[path] = html("<html><body>服务器错误</body></html>", status=500)
        else:
            routes[path] = html(_list(d, c, name, docs, _pager(d, c, n, len(pages), total)))
        if n == 0:
            routes[f"/{d}/zwgk/{c}/index.html"] = routes[path]
        for title, day in docs:
            routes[f"/{d}/zwgk/{c}/t{day.replace('-', '')}.html"] = html(DOC.format(t=title, day=day))


def _docs(prefix: str, month: int, days: range, year: int = 2026) -> list[tuple[str, str]]:
    return [(f"{prefix}第{day}号通知", f"{year}-{month:02d}-{day:02d}") for day in days]


def _site() -> dict:
    routes: dict = {}
    tree = "".join(f'<li><a href="/p/zwgk/{c}/">{n}</a></li>' for c, n in (
        ("gzdt", "工作动态"), ("tzgg", "通知公告"), ("ghjh", "规划计划"), ("rsxx", "人事信息")))
    routes["/p/zwgk/"] = html(PAGE.format(d="p", c="", name="政府信息公开", body=f'<ul class="tree">{tree}</ul>'))
    # 4 pages of 2, 共8条: with ZWGK_MAX_LIST_PAGES=2 the last page is not fetched (cap_reached); its newest
    # entry is months old, so 栏目不更新 would be reported from a list read in part
    _column(routes, "p", "gzdt", "工作动态", [_docs("工作动态", 6, range(d, d - 2, -1)) for d in (28, 20, 12, 4)], 8)
    # page 2 answers 500 (page_failed)
    _column(routes, "p", "tzgg", "通知公告", [_docs("通知公告", 3, range(20, 18, -1)), _docs("通知公告", 2, range(9, 7, -1))],
            4, failing={1})
    # a Hanweb jpage list with no inline records whose dataproxy.jsp refuses (endpoint_failed): 0 entries read
    routes["/p/zwgk/ghjh/"] = html(PAGE.format(d="p", c="ghjh", name="规划计划", body=(
        '<div id="7001"><script type="text/xml"><datastore><nextgroup><![CDATA[<a href="/module/web/jpage/'
        'dataproxy.jsp?page=1&appid=1&webid=1&path=/&columnid=4001&unitid=7001&permissiontype=0"></a>]]>'
        '</nextgroup><recordset></recordset></datastore></script></div>'
        '<script>$("#7001").jpage({perPage: 15, totalRecord: 12, proxyUrl: "/module/web/jpage/dataproxy.jsp"});'
        "</script>")))
    # complete and stale: a finding, as before
    _column(routes, "p", "rsxx", "人事信息", [_docs("人事任免", 10, range(9, 7, -1), 2025)], 2)
    # q: its column tree could not be read whole (a sub-column page fails)
    routes["/q/zwgk/"] = html(PAGE.format(d="q", c="", name="政府信息公开", body=(
        '<ul class="tree"><li><a href="/q/zwgk/gzdt/">工作动态</a></li><li><a href="/q/zwgk/xxgkzn/">政府信息公开指南</a></li></ul>')))
    routes["/q/zwgk/gzdt/"] = html("<html><body>服务器错误</body></html>", status=500)
    _column(routes, "q", "xxgkzn", "政府信息公开指南", [_docs("指南", 11, range(20, 19, -1))], 1)
    return routes


def _sites(tmp_path, base: str) -> str:
    lines = ["region: 测试市", "catalogs: [municipal-department]", "departments:"]
    for dept in ("p", "q"):
        lines.append(f"  - {{id: {dept}, name: 测试{dept}局, kind: department, catalog: municipal-department, "
                     f"url: '{base}/{dept}/zwgk/'}}")
    path = tmp_path / "sites.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


def test_partial_lists_are_recorded_and_not_turned_into_findings(tmp_path, zwgk, db_url):
    with MockServer(_site()) as server:
        sites = _sites(tmp_path, server.base_url)
        crawl = zwgk("--db", db_url, "crawl", sites, "--fast", "-s", "ZWGK_MAX_LIST_PAGES=2", "-s", "ZWGK_RENDER_JS=0")
        assert crawl.code == 0, crawl.stderr
    check = zwgk("--db", db_url, "check", sites, "--as-of", AS_OF)
    assert check.code == 0, check.stderr + check.stdout
    assert "未能完整抓取" in check.stdout
    base = server.base_url
    engine = make_engine(db_url)
    with session_factory(engine)() as s:
        cols = {c.url.removeprefix(base): c for c in s.scalars(select(m.Column))}
        got = {u: (c.complete, c.incomplete_reason, c.declared_total, c.item_count) for u, c in cols.items()
               if u.startswith("/p/zwgk/") and u != "/p/zwgk/"}
    engine.dispose()
    assert got == {
        "/p/zwgk/gzdt/": (False, "cap_reached", 8, 6),
        "/p/zwgk/tzgg/": (False, "page_failed", 4, 2),
        "/p/zwgk/ghjh/": (False, "endpoint_failed", 12, 0),
        "/p/zwgk/rsxx/": (True, None, 2, 2),
    }
    found = zwgk("--db", db_url, "findings", "--format", "json")
    findings = {(f["check"], f["department"], f["item"]) for f in found.json()}
    # a complete column is still judged; the partial ones are not findings
    assert ("timeliness.stale_column", "p", "rsxx") in findings
    assert not {f for f in findings if f[0] in ("timeliness.stale_column", "coverage.empty_column")
                and f[2] in ("gzdt", "tzgg", "ghjh")}
    # p's tree was read whole: its missing items are findings; q's was not: they are not
    assert ("coverage.missing_column", "p", "gknb") in findings
    assert not [f for f in findings if f[0] == "coverage.missing_column" and f[1] == "q"]
    aside = zwgk("--db", db_url, "findings", "--unjudged", "--format", "json")
    assert aside.code == 0, aside.stderr
    unjudged = {(u["check"], u["department"], u["column_name"], u["reason"]) for u in aside.json()}
    assert {("timeliness.stale_column", "p", "工作动态", "cap_reached"),
            ("timeliness.stale_column", "p", "通知公告", "page_failed"),
            ("coverage.empty_column", "p", "规划计划", "endpoint_failed")} <= unjudged
    assert ("coverage.missing_column", "q", None, "tree") in unjudged
    assert all(u["status"] == "未能完整抓取" for u in aside.json())
    table = zwgk("--db", db_url, "findings")
    assert "未能完整抓取" in table.stdout and "--unjudged" in table.stdout
    report = tmp_path / "report.html"
    assert zwgk("--db", db_url, "report", "html", "-o", str(report)).code == 0
    text = report.read_text(encoding="utf-8")
    assert "未能完整抓取的栏目" in text and "达到每个栏目的列表页数上限" in text and "列表数据接口无法读取" in text
