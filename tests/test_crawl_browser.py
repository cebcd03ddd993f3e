"""The real web's obstacles, through the system Chromium: an anti-bot cookie challenge, a list filled by
JavaScript, and bot walls that refuse plain clients. None of them may be reported as a broken link."""
from __future__ import annotations

import shutil

import pytest
from sqlalchemy import func, select

from store import models as m
from store.db import make_engine, session_factory
from tests.mockserver import MockServer, Reply, Seen, html

pytestmark = pytest.mark.skipif(not shutil.which("chromium") and not shutil.which("chromium-browser"),
                                reason="needs Debian's chromium (bash .ci/setup installs it)")

CHALLENGE = """<html><head><title>安全验证</title></head><body><p>正在进行安全验证……</p>
<script>document.cookie = "waf_token=ok-" + (6 * 7) + "; path=/"; setTimeout(function(){ location.reload(); }, 200);</script>
</body></html>"""

WAF_LIST = """<html><head><meta charset="utf-8"><title>通知公告</title></head><body><ul class="list">
<li><a href="/waf/zwgk/t1.html">关于开展安全生产检查的通知</a><span>2026-11-10</span></li>
<li><a href="/waf/zwgk/t2.html">关于公布第一批示范单位名单的公告</a><span>2026-11-02</span></li>
</ul></body></html>"""
WAF_DOC = """<html><head><meta charset="utf-8"><title>{t}</title></head><body><h1>{t}</h1>
<p>发布日期：2026-11-10</p><div class="content"><p>正文。</p>
<a href="/waf/zwgk/files/plan.pdf">附件：实施方案.pdf</a> <a href="/waf/zwgk/gone.html">相关阅读</a>
<a href="{blocked}/wall/any">国家政务服务平台</a> <a href="{blocked}/wall/never">网上办事大厅</a>
<a href="{blocked}/slow-down">统计数据</a></div></body></html>"""

JS_LIST = """<html><head><meta charset="utf-8"><title>政策文件</title></head><body>
<div class="crumb">首页 &gt; 政府信息公开 &gt; 政策文件</div><ul id="list"></ul>
<script>
fetch("/js/zwgk/zcwj/list.json").then(r => r.json()).then(items => {
  const ul = document.getElementById("list");
  for (const it of items) {
    const li = document.createElement("li");
    li.innerHTML = '<a href="' + it.url + '">' + it.title + '</a><span>' + it.date + '</span>';
    ul.appendChild(li);
  }
});
</script></body></html>"""
JS_ITEMS = [{"url": f"/js/zwgk/zcwj/t{i}.html", "title": f"示例市关于第{i}项改革措施的实施意见", "date": f"2026-10-{i + 10}"}
            for i in range(3)]


def waf(seen: Seen, body: Reply) -> Reply:
    if "waf_token=ok-42" not in seen.headers.get("cookie", ""):
        return Reply(status=412, body=CHALLENGE.encode(), content_type="text/html; charset=utf-8")
    return body


def wall_any(seen: Seen) -> Reply:  # refuses crawler user agents, lets browsers in
    if "Chrome/" in seen.headers.get("user-agent", ""):
        return html("<html><body>国家政务服务平台</body></html>")
    return html("<html><body>Forbidden</body></html>", status=403)


counts = {"slow": 0}


def slow_down(seen: Seen) -> Reply:  # rate limit once, then fine
    counts["slow"] += 1
    if counts["slow"] == 1:
        return Reply(status=429, body=b"Too Many Requests", content_type="text/plain", headers={"Retry-After": "1"})
    return html("<html><body>统计数据</body></html>")


def test_challenge_js_list_and_bot_walls(tmp_path, zwgk):
    import json

    with MockServer({"/wall/any": wall_any, "/wall/never": html("<html><body>Forbidden</body></html>", status=403),
                     "/slow-down": slow_down}) as wall:
        js_docs = {it["url"]: html(f"<html><body><h1>{it['title']}</h1><p>发布日期：{it['date']}</p></body></html>")
                   for it in JS_ITEMS}
        routes = {
            "/waf/zwgk/": lambda s: waf(s, html(WAF_LIST)),
            "/waf/zwgk/t1.html": lambda s: waf(s, html(WAF_DOC.format(t="关于开展安全生产检查的通知", blocked=wall.base_url))),
            "/waf/zwgk/t2.html": lambda s: waf(s, html(WAF_DOC.format(t="关于公布第一批示范单位名单的公告", blocked=wall.base_url))),
            "/waf/zwgk/files/plan.pdf": lambda s: waf(s, Reply(body=b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")),
            "/waf/zwgk/gone.html": lambda s: waf(s, html("<html><body>Not Found</body></html>", status=404)),
            "/js/zwgk/zcwj/": html(JS_LIST),
            "/js/zwgk/zcwj/list.json": Reply(body=json.dumps(JS_ITEMS, ensure_ascii=False).encode(),
                                             content_type="application/json"),
            **js_docs,
        }
        with MockServer(routes) as site:
            b = site.base_url
            sites = tmp_path / "sites.yaml"
            sites.write_text(
                "region: 测试市\ncatalogs: [municipal-department]\ndepartments:\n"
                f"  - {{id: waf, name: 测试验证局, kind: department, catalog: municipal-department, url: '{b}/waf/zwgk/'}}\n"
                f"  - {{id: js, name: 测试脚本局, kind: department, catalog: municipal-department, url: '{b}/js/zwgk/zcwj/'}}\n",
                encoding="utf-8")
            db = f"sqlite:///{tmp_path / 'z.db'}"
            result = zwgk("--db", db, "crawl", str(sites), "--fast")
            assert result.code == 0, result.stderr
            check = zwgk("--db", db, "check", str(sites))
            assert check.code == 0, check.stdout + check.stderr
            found = zwgk("--db", db, "findings", "--format", "json").json()

    with session_factory(make_engine(db))() as s:
        docs = {d.url: d for d in s.scalars(select(m.Document))}
        checks = {c.url: c for c in s.scalars(select(m.UrlCheck))}
    # the challenge department is audited like a static one: both documents fetched and read
    assert {f"{b}/waf/zwgk/t1.html", f"{b}/waf/zwgk/t2.html"} <= {u for u, d in docs.items() if d.fetched}
    assert docs[f"{b}/waf/zwgk/t1.html"].publish_date.isoformat() == "2026-11-10"
    # the script-filled list was rendered: its three documents are known
    assert {f"{b}{it['url']}" for it in JS_ITEMS} <= set(docs)
    # verdicts: the challenge is never "broken"; a wall that lets browsers in is fine; one that never
    # does is unverified (blocked), not broken; a 429 honoured with Retry-After is fine
    assert checks[f"{b}/waf/zwgk/files/plan.pdf"].verdict == "ok"
    assert checks[f"{wall.base_url}/wall/any"].verdict == "ok"
    assert checks[f"{wall.base_url}/wall/never"].verdict == "blocked"
    assert checks[f"{wall.base_url}/slow-down"].verdict == "ok"
    broken = sorted(f["url"] for f in found if f["check"] == "links.broken")
    assert broken == [f"{b}/waf/zwgk/gone.html"]


def test_an_earned_challenge_cookie_is_reused_until_the_site_rejects_it(tmp_path, zwgk):
    """A re-crawl first tries the cookie the last run's browser earned: no browser while the site accepts
    it; once the site wants a new one, the challenge is solved again and nothing is lost."""
    token = {"value": "ok-42"}
    script = CHALLENGE.replace('"waf_token=ok-" + (6 * 7)', '"waf_token=" + "TOKEN"')

    def rotating(seen: Seen, body: Reply) -> Reply:
        if f"waf_token={token['value']}" not in seen.headers.get("cookie", ""):
            return Reply(status=412, body=script.replace("TOKEN", token["value"]).encode(), content_type="text/html; charset=utf-8")
        return body

    doc = "<html><body><h1>{t}</h1><p>发布日期：2026-11-10</p></body></html>"
    routes = {"/waf/zwgk/": lambda s: rotating(s, html(WAF_LIST)),
              "/waf/zwgk/t1.html": lambda s: rotating(s, html(doc.format(t="关于开展安全生产检查的通知"))),
              "/waf/zwgk/t2.html": lambda s: rotating(s, html(doc.format(t="关于公布第一批示范单位名单的公告")))}
    with MockServer(routes) as site:
        sites = tmp_path / "sites.yaml"
        sites.write_text("region: 测试市\ncatalogs: [municipal-department]\ndepartments:\n"
                         f"  - {{id: waf, name: 测试验证局, kind: department, catalog: municipal-department,"
                         f" url: '{site.base_url}/waf/zwgk/'}}\n", encoding="utf-8")
        db = f"sqlite:///{tmp_path / 'z.db'}"
        stats = []
        for rotate in (False, False, True):
            if rotate:
                token["value"] = "renewed-7"
            result = zwgk("--db", db, "crawl", str(sites), "--fast")
            assert result.code == 0, result.stderr
            with session_factory(make_engine(db))() as s:
                run = s.scalars(select(m.CrawlRun).order_by(m.CrawlRun.id.desc())).first()
                fetched = s.scalar(select(func.count()).select_from(m.Document)
                                   .where(m.Document.run_id == run.id, m.Document.fetched.is_(True)))
                stats.append((run.stats.get("zwgk/challenge/solved", 0), run.stats.get("zwgk/challenge/seen", 0),
                              run.stats.get("zwgk/browser/started", False), fetched))
    first, reused, renewed = stats
    assert first[0] == 1 and first[3] == 2  # solved in the browser, both documents read
    assert reused[:3] == (0, 0, False)  # the earned cookie passed: no challenge, no browser at all
    assert renewed[0] == 1 and renewed[1] >= 1  # rejected: solved again…
    with session_factory(make_engine(db))() as s:
        last = s.scalars(select(m.CrawlRun).order_by(m.CrawlRun.id.desc())).first()
        checks = {c.url: c.verdict for c in s.scalars(select(m.UrlCheck).where(m.UrlCheck.run_id == last.id))}
    assert checks[f"{site.base_url}/waf/zwgk/"] == "ok"  # …and the column read, not reported blocked
