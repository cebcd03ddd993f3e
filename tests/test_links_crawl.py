"""Link checks end to end on a small local department, through the real CLI: list entries, every kind of link,
malformed addresses, stylesheets, pages met only as link targets, scope after redirects, a root that reads like a
404, and the statuses the link checkers agree on."""
from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import yaml
from sqlalchemy import select

from store import models as m
from store.db import make_engine, session_factory
from tests.conftest import run_zwgk

ROOT = "/d/zwgk/"
DELETED = "/d/zwgk/202611/t20261110_2.html"


def _page(title: str, body: str, head: str = "") -> bytes:
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{title}</title>{head}</head>"
            f"<body>{body}</body></html>").encode("utf-8")


def _routes(other: str) -> dict[str, tuple[int, dict[str, str], bytes]]:
    html = {"Content-Type": "text/html; charset=utf-8"}
    root = _page("示例局政府信息公开", f"""
        <h2>政府信息公开</h2>
        <ul class="list">
          <li><a href="202611/t20261115_1.html">关于做好2026年冬季安全生产工作的通知</a><span>2026-11-15</span></li>
          <li><a href="202611/t20261110_2.html">关于印发示例局年度工作要点的通知</a><span>2026-11-10</span></li>
          <li><a href="202611/t20261101_3.html">网站常见错误页面（404 Not Found）处理说明</a><span>2026-11-01</span></li>
        </ul>
        <div class="nav"><a href="moved/">专题专栏</a> <a href="//////">坏地址</a>
          <a href="{other}/notmodified">不变页面</a> <a href="{other}/linkedin">社交主页</a></div>""")
    doc1 = _page("关于做好2026年冬季安全生产工作的通知", """
        <h1>关于做好2026年冬季安全生产工作的通知</h1><p>发布日期：2026-11-15</p>
        <p><img src="/d/images/aqsc_gone.png" alt="安全生产宣传图"></p>
        <p><video src="/d/video/aqsc_gone.mp4" controls></video></p>
        <p>详见<a href="/d/zwgk/ztzl/aqsc.html">安全生产专题</a>。<a href="http://www.example.gov.cn:8o/">省厅网站</a></p>""",
                 head='<link rel="stylesheet" href="/d/css/site.css">')
    doc3 = _page("网站常见错误页面处理说明", "<h1>网站常见错误页面处理说明</h1><p>发布日期：2026-11-01</p><p>正文。</p>")
    special = _page("安全生产专题", '<h1>安全生产专题</h1><p><a href="/d/zwgk/ztzl/missing.html">往期专题</a></p>')
    return {
        ROOT: (200, html, root),
        "/d/zwgk/202611/t20261115_1.html": (200, html, doc1),
        "/d/zwgk/202611/t20261101_3.html": (200, html, doc3),
        "/d/zwgk/ztzl/aqsc.html": (200, html, special),
        "/d/css/site.css": (200, {"Content-Type": "text/css"}, b".banner { background: url(../images/bg_gone.jpg) }"),
        "/d/zwgk/moved/": (302, {"Location": f"{other}/elsewhere/"}, b""),
    }


def _other_routes() -> dict[str, tuple[int, dict[str, str], bytes]]:
    html = {"Content-Type": "text/html; charset=utf-8"}
    return {
        "/elsewhere/": (200, html, _page("别的网站", '<ul><li><a href="/elsewhere/gone.html">别处的旧文</a></li></ul>')),
        "/notmodified": (304, {}, b""),
        "/linkedin": (999, html, b""),
    }


def _serve(routes) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:
            return None

        def do_GET(self) -> None:
            status, headers, body = routes().get(self.path.split("?")[0], (404, {"Content-Type": "text/html"},
                                                                          _page("404", "<p>404</p>")))
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        do_HEAD = do_GET

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture(scope="module")
def audited(tmp_path_factory):
    work = tmp_path_factory.mktemp("links")
    holder: dict[str, str] = {}
    other = _serve(_other_routes)
    main = _serve(lambda: _routes(holder["other"]))
    holder["other"] = f"http://127.0.0.1:{other.server_address[1]}"
    base = f"http://127.0.0.1:{main.server_address[1]}"
    sites = work / "sites.yaml"
    sites.write_text(yaml.safe_dump({"region": "示例市", "catalogs": ["municipal-department"], "departments": [
        {"id": "slj", "name": "示例局", "kind": "department", "catalog": "municipal-department", "url": base + ROOT}]},
        allow_unicode=True), encoding="utf-8")
    db = f"sqlite:///{work / 'zwgk.db'}"
    try:
        crawl = run_zwgk("--db", db, "crawl", str(sites), "--fast", "-s", "ZWGK_BROWSER_RECHECK=0")
        assert crawl.code == 0, crawl.stderr
        check = run_zwgk("--db", db, "check", str(sites), "-c", "links.broken")
        assert check.code == 0, check.stderr
        found = run_zwgk("--db", db, "findings", "--format", "json", "-c", "links.broken")
        assert found.code == 0, found.stderr
        yield {"base": base, "other": holder["other"], "db": db, "sites": sites,
               "findings": {f["url"]: f for f in found.json()}}
    finally:
        main.shutdown()
        other.shutdown()


def test_a_deleted_document_behind_a_list_entry_is_reported_on_the_list_page(audited):
    finding = audited["findings"][audited["base"] + DELETED]
    [source] = finding["evidence"]["sources"]
    assert source["page"] == audited["base"] + ROOT
    assert source["anchor"] == "关于印发示例局年度工作要点的通知" and source["list_date"] == "2026-11-10"
    assert finding["evidence"]["status"] == 404 and finding["evidence"]["link_kind"] == "page"
    assert "列表条目“关于印发示例局年度工作要点的通知”（2026-11-10）" in finding["message"]


@pytest.mark.parametrize("path, kind, word", [
    ("/d/images/aqsc_gone.png", "image", "（图片）"),
    ("/d/video/aqsc_gone.mp4", "video", "（视频）"),
    ("/d/images/bg_gone.jpg", "image", "（图片）"),  # loaded by the linked stylesheet
    ("/d/zwgk/ztzl/missing.html", "page", "（页面链接）"),  # on a page met only as a link target
])
def test_every_kind_of_link_is_checked_and_named(audited, path, kind, word):
    finding = audited["findings"][audited["base"] + path]
    assert finding["evidence"]["link_kind"] == kind and word in finding["message"]


def test_the_stylesheet_is_the_source_of_what_it_loads(audited):
    finding = audited["findings"][audited["base"] + "/d/images/bg_gone.jpg"]
    assert finding["evidence"]["sources"][0]["page"] == audited["base"] + "/d/css/site.css"


@pytest.mark.parametrize("url", ["//////", "http://www.example.gov.cn:8o/"])
def test_a_malformed_address_is_reported_as_such(audited, url):
    finding = audited["findings"][url]
    assert finding["evidence"]["reason"] == "invalid_url" and "格式错误" in finding["message"]


def test_statuses_the_link_checkers_agree_on(audited):
    not_modified = audited["findings"][audited["other"] + "/notmodified"]
    assert not_modified["evidence"]["status"] == 304 and "HTTP 304（未返回页面内容）" in not_modified["message"]
    assert audited["other"] + "/linkedin" not in audited["findings"]  # 999: a bot wall, not a missing page


def test_a_column_moved_to_another_site_is_checked_not_crawled(audited):
    assert audited["other"] + "/elsewhere/gone.html" not in audited["findings"]
    engine = make_engine(audited["db"])
    with session_factory(engine)() as session:
        columns = session.scalars(select(m.Column.url)).all()
        checked = session.scalar(select(m.UrlCheck).where(m.UrlCheck.url == audited["base"] + "/d/zwgk/moved/"))
    engine.dispose()
    assert not [c for c in columns if c.startswith(audited["other"])]
    assert checked.verdict == "ok" and checked.final_url == audited["other"] + "/elsewhere/"


def test_a_root_that_reads_like_a_404_is_crawled_and_the_run_says_so(audited):
    engine = make_engine(audited["db"])
    with session_factory(engine)() as session:
        events = session.scalars(select(m.CrawlEvent).where(m.CrawlEvent.kind == "root_soft_404")).all()
        documents = session.scalars(select(m.Document.url).where(m.Document.fetched.is_(True))).all()
    engine.dispose()
    assert [e.url for e in events] == [audited["base"] + ROOT] and "人工核实" in events[0].message
    assert audited["base"] + "/d/zwgk/202611/t20261115_1.html" in documents


def test_a_second_crawl_keeps_the_links_read_on_checked_targets(audited):
    """Incremental: the stylesheet's and the reached page's checks are carried over, and their links with them."""
    again = run_zwgk("--db", audited["db"], "crawl", str(audited["sites"]), "--fast", "-s", "ZWGK_BROWSER_RECHECK=0")
    assert again.code == 0, again.stderr
    assert "Traceback" not in again.stderr and "Error" not in again.stderr, again.stderr[-3000:]
    engine = make_engine(audited["db"])
    with session_factory(engine)() as session:
        runs = session.scalars(select(m.CrawlRun.id).order_by(m.CrawlRun.id)).all()
        links = [set(session.execute(select(m.Link.source_url, m.Link.target_url, m.Link.kind)
                                     .where(m.Link.run_id == run)).all()) for run in runs]
    engine.dispose()
    assert len(runs) == 2 and links[0] == links[1]
    assert (audited["base"] + "/d/css/site.css", audited["base"] + "/d/images/bg_gone.jpg", "image") in links[1]
