"""Limits that mean "cut here", never "broken": link checks capped per department, calendar-like query
explosions cut per path, and files larger than the download limits recorded as too large."""
from __future__ import annotations

from sqlalchemy import select

from store import models as m
from tests.mockserver import MockServer, Reply, html
from tests.test_crawl_bad_input import DOC, list_page, session_for, sites_yaml


def _root(dept: str, links: list[str]) -> Reply:
    docs = [(f"/{dept}/zwgk/t1.html", "关于开展检查工作的通知", "2026-11-01")]
    return html(list_page(dept, docs).replace(
        "</ul>", "</ul>" + "".join(f'<a href="{href}">链接{i}</a>' for i, href in enumerate(links))))


def test_link_checks_are_capped_per_department_and_calendar_traps_are_cut(tmp_path, zwgk, db_url):
    days = [f"/cal/rili.html?d=2026-{1 + i // 28:02d}-{1 + i % 28:02d}" for i in range(300)]
    files = [f"/many/f{i}.html" for i in range(80)]
    routes = {
        "/cal/zwgk/": _root("cal", days), "/cal/zwgk/t1.html": html(DOC.format(title="通知", day=1)),
        "/cal/rili.html": html("<p>日历</p>"),
        "/many/zwgk/": _root("many", files), "/many/zwgk/t1.html": html(DOC.format(title="通知", day=1)),
        **{f: html("<p>文件</p>") for f in files},
    }
    with MockServer(routes) as server:
        b = server.base_url
        sites = sites_yaml(tmp_path, b, [("cal", f"{b}/cal/zwgk/"), ("many", f"{b}/many/zwgk/")])
        result = zwgk("--db", db_url, "crawl", sites, "--fast", "-s", "ZWGK_MAX_QUERY_VARIANTS=40",
                      "-s", "ZWGK_MAX_LINK_CHECKS_PER_DEPARTMENT=30")
        hits = dict(server.hits)
    assert result.code == 0, result.stderr
    assert "Traceback" not in result.stderr
    calendar = sum(n for path, n in hits.items() if path.startswith("/cal/rili.html"))
    assert calendar == 30  # the department's cap came first: 30 checks, not 300
    assert sum(n for path, n in hits.items() if path.startswith("/many/f")) == 30
    with session_for(db_url) as s:
        events = {(e.department_id, e.kind): e for e in s.scalars(select(m.CrawlEvent))}
        checked = {c.url for c in s.scalars(select(m.UrlCheck))}
    assert ("many", "link_cap") in events and "30" in events[("many", "link_cap")].message
    assert ("cal", "link_cap") in events
    assert len([u for u in checked if "/many/f" in u]) == 30


def test_a_query_explosion_is_cut_per_path(tmp_path, zwgk, db_url):
    days = [f"/cal/rili.html?d=2026-{1 + i // 28:02d}-{1 + i % 28:02d}" for i in range(300)]
    routes = {"/cal/zwgk/": _root("cal", days), "/cal/zwgk/t1.html": html(DOC.format(title="通知", day=1)),
              "/cal/rili.html": html("<p>日历</p>")}
    with MockServer(routes) as server:
        b = server.base_url
        sites = sites_yaml(tmp_path, b, [("cal", f"{b}/cal/zwgk/")])
        result = zwgk("--db", db_url, "crawl", sites, "--fast", "-s", "ZWGK_MAX_QUERY_VARIANTS=40")
        hits = dict(server.hits)
    assert result.code == 0, result.stderr
    assert sum(n for path, n in hits.items() if path.startswith("/cal/rili.html")) == 40
    with session_for(db_url) as s:
        events = [e for e in s.scalars(select(m.CrawlEvent)) if e.kind == "query_trap"]
    assert len(events) == 1 and events[0].department_id == "cal" and events[0].url.endswith("/cal/rili.html")


def test_files_over_the_size_limits_are_too_large_not_broken(tmp_path, zwgk, db_url):
    big = 60 * 1024 * 1024  # over DOWNLOAD_MAXSIZE (50 MB), declared in Content-Length
    doc = DOC.format(title="关于公布检查结果的通知", day=2).replace(
        "</div></body>", '<a href="/big/a.zip">附件一</a><a href="/big/b.docx">附件二</a>'
                         '<a href="/big/c.bin">附件三</a></div></body>')
    routes = {
        "/big/zwgk/": html(list_page("big", [("/big/zwgk/t1.html", "关于公布检查结果的通知", "2026-11-02")])),
        "/big/zwgk/t1.html": html(doc),
        "/big/a.zip": Reply(body=b"PK\x03\x04", content_type="application/zip", declared_length=big),
        "/big/b.docx": Reply(body=b"PK\x03\x04", content_type="application/octet-stream", declared_length=big),
        "/big/c.bin": Reply(body=b"", content_type="application/octet-stream", declared_length=big),
        "/huge/zwgk/": Reply(body=b"<html>", content_type="text/html", declared_length=big),
    }
    with MockServer(routes) as server:
        b = server.base_url
        sites = sites_yaml(tmp_path, b, [("big", f"{b}/big/zwgk/"), ("huge", f"{b}/huge/zwgk/")])
        result = zwgk("--db", db_url, "crawl", sites, "--fast")
        assert result.code == 0, result.stderr
        check = zwgk("--db", db_url, "check", sites)
        assert check.code == 0, check.stderr + check.stdout
        found = zwgk("--db", db_url, "findings", "--format", "json")
    with session_for(db_url) as s:
        checks = {c.url: c for c in s.scalars(select(m.UrlCheck))}
        events = {(e.department_id, e.kind) for e in s.scalars(select(m.CrawlEvent))}
    for name in ("a.zip", "b.docx", "c.bin"):
        row = checks[f"{b}/big/{name}"]
        assert row.verdict == "ok", (name, row.verdict, row.reason, row.error)
    assert checks[f"{b}/huge/zwgk/"].verdict == "ok" and checks[f"{b}/huge/zwgk/"].reason == "too_large"
    assert ("huge", "too_large") in events and ("huge", "unreachable") not in events
    broken = [f for f in found.json() if f.get("check") == "links.broken"]
    assert not [f for f in broken if "/big/" in f.get("url", "") or "/huge/" in f.get("url", "")], broken
