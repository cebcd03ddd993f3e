"""A bot wall answering 403 with an empty body, as Cloudflare does: the browser re-check fails too
(Chromium: net::ERR_HTTP_RESPONSE_CODE_FAILURE), which proves nothing about the page — the link stays
unverified (blocked), never broken."""
from __future__ import annotations

import shutil

import pytest
from sqlalchemy import select

from store import models as m
from store.db import make_engine, session_factory
from tests.mockserver import MockServer, Reply, html

pytestmark = pytest.mark.skipif(not shutil.which("chromium") and not shutil.which("chromium-browser"),
                                reason="needs Debian's chromium (bash .ci/setup installs it)")

LIST = """<html><head><meta charset="utf-8"><title>通知公告</title></head><body><ul class="list">
<li><a href="/cf/zwgk/t1.html">关于开展安全生产检查的通知</a><span>2026-11-10</span></li></ul></body></html>"""
DOC = """<html><head><meta charset="utf-8"><title>关于开展安全生产检查的通知</title></head><body>
<h1>关于开展安全生产检查的通知</h1><p>发布日期：2026-11-10</p>
<a href="{wall}/cf/any">国家政务服务平台</a> <a href="/cf/zwgk/gone.html">相关阅读</a></body></html>"""


def test_an_empty_403_is_unverified_even_when_the_browser_fails_on_it(tmp_path, zwgk):
    empty_403 = Reply(status=403, body=b"", content_type="text/html",
                      headers={"cf-mitigated": "challenge", "Server": "cloudflare"})
    with MockServer({"/cf/any": empty_403}) as wall:
        routes = {"/cf/zwgk/": html(LIST), "/cf/zwgk/t1.html": html(DOC.format(wall=wall.base_url)),
                  "/cf/zwgk/gone.html": html("<html><body>Not Found</body></html>", status=404)}
        with MockServer(routes) as site:
            sites = tmp_path / "sites.yaml"
            sites.write_text("region: 测试市\ncatalogs: [municipal-department]\ndepartments:\n"
                             f"  - {{id: cf, name: 测试局, kind: department, catalog: municipal-department,"
                             f" url: '{site.base_url}/cf/zwgk/'}}\n", encoding="utf-8")
            db = f"sqlite:///{tmp_path / 'z.db'}"
            assert zwgk("--db", db, "crawl", str(sites), "--fast").code == 0
            assert zwgk("--db", db, "check", str(sites), "-c", "links.broken").code == 0
            found = zwgk("--db", db, "findings", "--format", "json").json()
    engine = make_engine(db)
    with session_factory(engine)() as s:
        check = s.scalar(select(m.UrlCheck).where(m.UrlCheck.url == f"{wall.base_url}/cf/any"))
        stats = s.scalars(select(m.CrawlRun)).one().stats
    engine.dispose()
    assert stats.get("zwgk/blocked/recheck_browser") == 1  # the browser was asked …
    assert (check.verdict, check.reason) == ("blocked", "browser_failed")  # … and its failure proves nothing
    assert [f["url"] for f in found if f["check"] == "links.broken"] == [f"{site.base_url}/cf/zwgk/gone.html"]
