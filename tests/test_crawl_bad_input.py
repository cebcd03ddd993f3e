"""Broken sites, pages and settings: each is recorded or refused with one clear line, the run goes on,
and nothing already stored is lost — including a crawl interrupted with Ctrl-C and run again."""
from __future__ import annotations

import signal
import subprocess
import sys
import time

import pytest
from sqlalchemy import func, select

from store import models as m
from store.db import make_engine, session_factory
from tests.conftest import ROOT
from tests.mockserver import MockServer, Reply, closed_port, html, redirect

LIST = """<html><head><meta charset="{charset}"><title>通知公告</title></head><body>
<div class="nav"><a href="/{d}/zwgk/">政府信息公开</a></div>
<ul class="list">{items}</ul></body></html>"""
DOC = """<html><head><meta charset="utf-8"><title>{title}</title></head><body><h1>{title}</h1>
<table><tr><td>发布日期：</td><td>2026-11-{day:02d}</td><td>索引号：</td><td>000-{day}</td></tr></table>
<div class="content"><p>{title}的正文内容。</p></div></body></html>"""


def list_page(dept: str, docs: list[tuple[str, str, str]], charset: str = "utf-8") -> str:
    items = "".join(f'<li><a href="{href}">{title}</a><span>{day}</span></li>' for href, title, day in docs)
    return LIST.format(d=dept, items=items, charset=charset)


def sites_yaml(tmp_path, base: str, depts: list[tuple[str, str]]) -> str:
    lines = ["region: 测试市", "catalogs: [municipal-department]", "departments:"]
    for dept_id, url in depts:
        lines.append(f"  - {{id: {dept_id}, name: 测试{dept_id}局, kind: department, catalog: municipal-department, url: '{url}'}}")
    path = tmp_path / "sites.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


def session_for(db):
    return session_factory(make_engine(db))()


def test_broken_sites_are_recorded_and_the_others_go_on(tmp_path, zwgk, db_url):
    good_docs = [(f"/good/zwgk/t{i}.html", f"关于开展第{i}批检查工作的通知", f"2026-11-{i + 1:02d}") for i in range(3)]
    gbk_title = "关于做好冬季供暖保障工作的通知"
    routes = {
        "/good/zwgk/": html(list_page("good", good_docs + [("/good/zwgk/endless.html", "超长页面", "2026-11-05")])),
        **{href: html(DOC.format(title=t, day=i + 1)) for i, (href, t, _) in enumerate(good_docs)},
        "/good/zwgk/endless.html": Reply(endless=True),
        # GBK page with no charset anywhere: neither header nor meta
        "/gbk/zwgk/": Reply(body=list_page("gbk", [("/gbk/zwgk/t1.html", gbk_title, "2026-11-03")])
                            .replace('<meta charset="utf-8">', "").encode("gbk"), content_type="text/html"),
        "/gbk/zwgk/t1.html": Reply(body=DOC.format(title=gbk_title, day=3).replace('<meta charset="utf-8">', "")
                                   .encode("gbk"), content_type="text/html"),
        "/loop/zwgk/": redirect("/loop/zwgk/index.html"),
        "/loop/zwgk/index.html": redirect("/loop/zwgk/"),
        "/pdf/zwgk/": Reply(body=b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n", content_type="application/pdf"),
        "/huge/zwgk/": Reply(endless=True),
    }
    with MockServer(routes) as server:
        b = server.base_url
        sites = sites_yaml(tmp_path, b, [("good", f"{b}/good/zwgk/"), ("gbk", f"{b}/gbk/zwgk/"),
                                         ("loop", f"{b}/loop/zwgk/"), ("pdf", f"{b}/pdf/zwgk/"),
                                         ("huge", f"{b}/huge/zwgk/"),
                                         ("down", f"http://127.0.0.1:{closed_port()}/down/zwgk/")])
        result = zwgk("--db", db_url, "crawl", sites, "--fast", "-s", "ZWGK_PAGE_MAXSIZE=1000000")
    assert result.code == 0, result.stderr
    assert "Traceback" not in result.stderr
    with session_for(db_url) as s:
        run = s.scalars(select(m.CrawlRun)).one()
        assert run.status == "completed"
        events = {(e.department_id, e.kind) for e in s.scalars(select(m.CrawlEvent))}
        assert ("down", "unreachable") in events
        assert ("pdf", "not_html") in events
        assert ("huge", "too_large") in events  # body over the cap: recorded, not stored
        checks = {c.url: c for c in s.scalars(select(m.UrlCheck))}
        assert checks[f"{b}/loop/zwgk/"].reason == "redirect_loop"
        # an endless body linked from a page is read only as far as needed: the page is usable
        assert checks[f"{b}/good/zwgk/endless.html"].verdict == "ok"
        titles = dict(s.execute(select(m.Document.department_id, m.Document.title)
                                .where(m.Document.department_id.in_(["gbk"]))).all())
        assert titles == {"gbk": gbk_title}
        good = s.scalar(select(func.count()).select_from(m.Document).where(m.Document.department_id == "good",
                                                                           m.Document.fetched.is_(True)))
        assert good == 3


@pytest.mark.parametrize("bad,message", [
    (["-s", "ZWGK_MAX_PAGES_PER_DEPARTMENT=0"], "ZWGK_MAX_PAGES_PER_DEPARTMENT"),
    (["-s", "DOWNLOAD_DELAY=soon"], "抓取设置"),
    (["-s", "ZWGK_PARSE_WORKERS=many"], "ZWGK_PARSE_WORKERS"),
    (["-s", "nonsense"], "--set"),
    (["--department", "nope"], "nope"),
])
def test_bad_crawl_options_are_one_line(tmp_path, zwgk, bad, message):
    sites = sites_yaml(tmp_path, "http://127.0.0.1:9", [("a", "http://127.0.0.1:9/a/zwgk/")])
    result = zwgk("--db", f"sqlite:///{tmp_path / 'x.db'}", "crawl", sites, *bad)
    assert result.code == 2
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and message in lines[0], result.stderr


def _slow_site(n_docs: int, delay: float) -> dict:
    docs = [(f"/slow/zwgk/t{i}.html", f"第{i}号文件", f"2026-10-{(i % 28) + 1:02d}") for i in range(n_docs)]
    routes = {"/slow/zwgk/": html(list_page("slow", docs))}
    for i, (href, title, _) in enumerate(docs):
        routes[href] = html(DOC.format(title=title, day=(i % 28) + 1).replace(
            "</div></body>", f'<a href="/slow/missing{i % 3}.pdf">附件</a></div></body>'), delay=delay)
    return routes


def _wait_for_documents(server, n: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if sum(v for k, v in server.hits.items() if k.startswith("/slow/zwgk/t")) >= n:
            return
        time.sleep(0.1)
    raise AssertionError("the crawl did not start")


def _snapshot(db):
    with session_for(db) as s:
        return {
            "documents": sorted(s.scalars(select(m.Document.url))),
            "fetched": s.scalar(select(func.count()).select_from(m.Document).where(m.Document.fetched.is_(True))),
            "links": sorted(s.execute(select(m.Link.source_url, m.Link.target_url)).all()),
            "checks": sorted(s.execute(select(m.UrlCheck.url, m.UrlCheck.verdict)).all()),
            "runs": sorted(s.execute(select(m.CrawlRun.id, m.CrawlRun.status)).all()),
        }


def test_interrupted_crawl_resumes_without_duplicates(tmp_path, db_url):
    routes = _slow_site(30, 0.5)
    with MockServer(routes) as server:
        sites = sites_yaml(tmp_path, server.base_url, [("slow", f"{server.base_url}/slow/zwgk/")])
        cmd = [sys.executable, "-m", "scheduler.cli", "--db", db_url, "crawl", sites, "--fast",
               "--concurrency", "2", "-s", "CONCURRENT_REQUESTS=2"]
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        _wait_for_documents(server, 4)  # a few of the 30 documents (0.5 s each, 2 at a time) are done
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 130, err
        assert "已中断" in out and "Traceback" not in err
        partial = _snapshot(db_url)
        assert partial["runs"] == [(1, "interrupted")]
        assert 0 < partial["fetched"] < 30

        again = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300)
        assert again.returncode == 0, again.stderr
        assert "续抓" in again.stdout
        resumed = _snapshot(db_url)

        # a clean crawl of the same site in a fresh database gives the same rows
        clean_db = f"sqlite:///{tmp_path / 'clean.db'}"
        clean = subprocess.run([*cmd[:4], clean_db, *cmd[5:]], cwd=ROOT, capture_output=True, text=True, timeout=300)
        assert clean.returncode == 0, clean.stderr
        reference = _snapshot(clean_db)

    assert resumed["runs"] == [(1, "completed")]
    assert resumed["fetched"] == 30
    for key in ("documents", "links", "checks"):
        assert resumed[key] == reference[key], key
        assert len(resumed[key]) == len(set(resumed[key]))
    # what the first, interrupted, attempt stored was kept
    assert set(partial["documents"]) <= set(resumed["documents"])


def test_document_met_first_as_a_related_link_is_still_read(tmp_path, zwgk):
    """Real portals cross-link 政策文件 and 政策解读: a document linked from another column's page before
    its own column is read must still be read as a document, with its metadata."""
    policy = "关于印发示例市优化营商环境若干措施的通知"
    routes = {
        "/x/zwgk/": html(list_page("x", []).replace(
            '<ul class="list"></ul>', '<ul class="nav"><li><a href="/x/zwgk/a/">政策文件</a></li>'
                                      '<li><a href="/x/zwgk/b/">政策解读</a></li></ul>')),
        # the policy column answers late, so the interpretation reaches the policy document first
        "/x/zwgk/a/": html(list_page("x", [("/x/zwgk/a/t1.html", policy, "2026-11-03")]), delay=1.5),
        "/x/zwgk/b/": html(list_page("x", [("/x/zwgk/b/t9.html", "《优化营商环境若干措施》政策解读", "2026-11-04")])),
        "/x/zwgk/b/t9.html": html(DOC.format(title="《优化营商环境若干措施》政策解读", day=4).replace(
            "</div></body>", '<a href="/x/zwgk/a/t1.html">政策原文</a></div></body>')),
        "/x/zwgk/a/t1.html": html(DOC.format(title=policy, day=3)),
    }
    with MockServer(routes) as server:
        sites = sites_yaml(tmp_path, server.base_url, [("x", f"{server.base_url}/x/zwgk/")])
        db = f"sqlite:///{tmp_path / 'z.db'}"
        assert zwgk("--db", db, "crawl", sites, "--fast").code == 0
    with session_for(db) as s:
        doc = s.scalars(select(m.Document).where(m.Document.url.like("%/a/t1.html"))).one()
    assert doc.fetched and doc.publish_date.isoformat() == "2026-11-03" and doc.index_number == "000-3"


@pytest.mark.parametrize("url,trap", [
    ("http://x.gov.cn/zwgk/tzgg/index.html", False),
    ("http://x.gov.cn/zwgk/list.jsp?page=3&col=12", False),
    ("http://x.gov.cn/zwgk/a/b/a/b/a/b/index.html", True),           # repeating path segments
    ("http://x.gov.cn/zwgk/list.jsp;jsessionid=ABC123?page=2", True),  # session id in the path
    ("http://x.gov.cn/zwgk/list.jsp?sid=9f8e7d&page=2", True),         # session id in the query
    ("http://x.gov.cn/cal?y=2026&m=1&d=2&h=3&w=4&v=5&z=6", True),      # endless query combinations
    ("http://x.gov.cn/" + "a" * 600, True),
])
def test_url_traps(url, trap):
    from crawler.scope import is_trap

    assert is_trap(url) is trap


def test_private_addresses_found_in_pages_are_not_fetched(tmp_path, zwgk):
    page = list_page("p", [("/p/zwgk/t1.html", "关于内网系统迁移的通知", "2026-11-03")])
    doc = DOC.format(title="关于内网系统迁移的通知", day=3).replace(
        "</div></body>", '<a href="http://10.20.30.40/oa/">内网办公系统</a>'
                         '<a href="http://192.168.1.10/admin">管理后台</a>'
                         '<a href="http://169.254.169.254/latest/meta-data/">元数据</a></div></body>')
    with MockServer({"/p/zwgk/": html(page), "/p/zwgk/t1.html": html(doc)}) as server:
        sites = sites_yaml(tmp_path, server.base_url, [("p", f"{server.base_url}/p/zwgk/")])
        db = f"sqlite:///{tmp_path / 'z.db'}"
        assert zwgk("--db", db, "crawl", sites, "--fast").code == 0
    with session_for(db) as s:
        checks = {c.url: (c.verdict, c.reason, c.status) for c in s.scalars(select(m.UrlCheck))
                  if not c.url.startswith(server.base_url)}
    assert checks == {
        "http://10.20.30.40/oa/": ("skipped", "private_address", None),
        "http://192.168.1.10/admin": ("skipped", "private_address", None),
        "http://169.254.169.254/latest/meta-data/": ("skipped", "private_address", None),
    }


@pytest.mark.parametrize("allow", [False, True])
def test_a_host_name_resolving_to_a_private_address_is_not_fetched(tmp_path, zwgk, allow):
    """A name is only known to be private once resolved: `localhost` found in a page resolves to loopback,
    and only the departments' own hosts (here the literal 127.0.0.1) may be loopback or private — unless
    the audit is configured to allow private addresses."""
    page = list_page("p", [("/p/zwgk/t1.html", "关于内网系统迁移的通知", "2026-11-03")])
    with MockServer({"/p/zwgk/": html(page), "/secret/": html("<html><body>内部系统</body></html>")}) as server:
        port = server.base_url.rsplit(":", 1)[1]
        doc = DOC.format(title="关于内网系统迁移的通知", day=3).replace(
            "</div></body>", f'<a href="http://localhost:{port}/secret/">内部系统</a></div></body>')
        server.routes["/p/zwgk/t1.html"] = html(doc)
        sites = sites_yaml(tmp_path, server.base_url, [("p", f"{server.base_url}/p/zwgk/")])
        db = f"sqlite:///{tmp_path / 'z.db'}"
        extra = ["-s", "ZWGK_ALLOW_PRIVATE=true"] if allow else []
        assert zwgk("--db", db, "crawl", sites, "--fast", *extra).code == 0
        hits = server.hits.get("/secret/", 0)
    with session_for(db) as s:
        check = s.scalars(select(m.UrlCheck).where(m.UrlCheck.url == f"http://localhost:{port}/secret/")).one()
    if allow:
        assert (check.verdict, hits) == ("ok", 1)
    else:
        assert (check.verdict, check.reason, hits) == ("skipped", "private_address", 0)
