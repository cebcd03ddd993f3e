"""Evidence end to end on a real local site: findings of a check run → `zwgk evidence screenshots` (the
system Chromium, banner with URL and time) → `zwgk evidence export` → the WARC read back with warcio and
compared with the store."""
from __future__ import annotations

import hashlib
from datetime import datetime

import pytest
import urllib3
from PIL import Image
from sqlalchemy import select
from warcio.archiveiterator import ArchiveIterator

from checks.runner import run_checks
from store import models as m
from store.db import make_engine, session_factory
from store.evidence import run_snapshots, save_snapshot, sha256_digest, warc_date
from store.migrate import upgrade
from store.models_evidence import Screenshot
from store.writer import RunWriter
from tests.mockserver import MockServer, Reply, closed_port, html

FETCHED = datetime(2026, 11, 20, 9, 30, 15)
GREEN = (0, 200, 0)
SOURCE = ('<html><head><meta charset="utf-8"><title>示例市教育局 通知公告</title>'
          '<style>body > div { display: none !important; }</style></head><body>'  # a page trying to hide banners
          '<p>关于做好2026年义务教育招生工作的通知</p><section style="background: rgb(0,200,0); height: 120px"></section>'
          '<a href="/jyj/zwgk/gone.html">招生计划</a></body></html>')
ROUTES = {
    "/jyj/zwgk/": html(SOURCE),
    "/jyj/zwgk/gbk.html": Reply(body="<p>政府信息公开指南</p>".encode("gbk"), content_type="text/html"),
    "/jyj/zwgk/fj/a.pdf": Reply(body=b"%PDF-1.4\n" + b"0" * 20000, content_type="application/pdf",
                                headers={"Content-Disposition": "attachment; filename*=UTF-8''%E9%99%84%E4%BB%B6.pdf"}),
}


@pytest.fixture
def site():
    with MockServer(ROUTES) as srv:
        yield srv


def _fetch(url: str) -> tuple[int, dict[str, str], bytes]:
    resp = urllib3.request("GET", url, retries=False, redirect=False)
    return resp.status, dict(resp.headers), resp.data


def _prepare(db: str, base: str, refused: str) -> tuple[int, int]:
    """A crawl run with snapshots of real responses, two broken links, and a check run with their findings."""
    engine = make_engine(db)
    upgrade(engine)
    with session_factory(engine)() as s:
        run = m.CrawlRun(sites_file="sites.yaml", sites_hash="h", started_at=FETCHED, departments=["jyj"],
                         status="completed", finished_at=FETCHED)
        s.add(run)
        s.commit()
        w = RunWriter(s, run.id)
        for target, fields in ((f"{base}/jyj/zwgk/gone.html", {"status": 404, "reason": "http_404"}),
                               (refused, {"reason": "refused"})):
            w.link(department_id="jyj", source_url=f"{base}/jyj/zwgk/", target_url=target, anchor="招生计划", tag="a",
                   is_attachment=False)
            w.url_check(url=target, checked_at=FETCHED, verdict="broken", **fields)
        w.commit()
        for path in ("/jyj/zwgk/", "/jyj/zwgk/gone.html", "/jyj/zwgk/gbk.html", "/jyj/zwgk/fj/a.pdf"):
            status, headers, body = _fetch(base + path)
            truncated = path.endswith(".pdf")  # a link check reads only the first few KB
            save_snapshot(s, run.id, url=base + path, final_url=base + path, status=status, headers=headers,
                          body=body[:4096] if truncated else body, fetched_at=FETCHED, truncated=truncated)
        s.commit()
        check_run, _ = run_checks(s, run, as_of=FETCHED.date(), only=["links.broken"])
        ids = (run.id, check_run.id)
    engine.dispose()
    return ids


def _banner_and_page(path: str) -> tuple[bool, bool]:
    image = Image.open(path).convert("RGB")
    width, height = image.size
    banner = image.getpixel((width // 2, 12)) == (176, 0, 32)  # the banner's red, across the top
    rows = [image.getpixel((60, y)) for y in range(height)]
    page = GREEN in rows and rows.index(GREEN) > 40               # the page's block, below the banner
    return banner, page


def test_screenshots_and_warc_export(tmp_path, db_url, zwgk, site):
    base = site.base_url
    refused = f"http://127.0.0.1:{closed_port()}/wsbs/index.html"
    run_id, check_run_id = _prepare(db_url, base, refused)
    evidence = tmp_path / "evidence"

    shots = zwgk("--db", db_url, "evidence", "screenshots", "--check-run", str(check_run_id), "-o", str(evidence))
    assert shots.code == 0, shots.stderr
    assert "需截图页面 3 个，本次截图 2 个，失败 1 个" in shots.stdout
    assert refused in shots.stderr  # a page that fails is named, and the others still shot
    engine = make_engine(db_url)
    with session_factory(engine)() as s:
        rows = {r.url: r for r in s.scalars(select(Screenshot))}
        snapshots = {snap.url: snap for snap in run_snapshots(s, run_id)}
    engine.dispose()
    assert set(rows) == {f"{base}/jyj/zwgk/", f"{base}/jyj/zwgk/gone.html", refused}
    assert rows[refused].sha256 is None and "ERR_CONNECTION_REFUSED" in rows[refused].error
    for url in (f"{base}/jyj/zwgk/", f"{base}/jyj/zwgk/gone.html"):
        row = rows[url]
        png = open(row.path, "rb").read()
        assert hashlib.sha256(png).hexdigest() == row.sha256 and row.path.endswith(f"{row.sha256}.png")
        assert row.path.startswith(str(evidence)) and row.check_run_id == check_run_id and row.run_id == run_id
        assert Image.open(row.path).size == (row.width, row.height)
    assert rows[f"{base}/jyj/zwgk/gone.html"].status == 404
    assert _banner_and_page(rows[f"{base}/jyj/zwgk/"].path) == (True, True)

    again = zwgk("--db", db_url, "evidence", "screenshots", "--check-run", str(check_run_id), "-o", str(evidence))
    assert again.code == 0 and "本次截图 0 个，失败 1 个，此前已截图 2 个" in again.stdout

    warc = tmp_path / "run.warc.gz"
    exported = zwgk("--db", db_url, "evidence", "export", "--run", str(run_id), "-o", str(warc))
    assert exported.code == 0, exported.stderr
    assert "页面 4 个，截图 2 张" in exported.stdout
    records = _read(warc)
    assert records[0]["type"] == "warcinfo" and b"zwgk-run: %d" % run_id in records[0]["body"]
    responses = {r["uri"]: r for r in records if r["type"] == "response"}
    assert set(responses) == set(snapshots)
    for url, snap in snapshots.items():
        rec = responses[url]
        assert rec["body"] == snap.body and rec["status"] == str(snap.status)
        assert rec["date"] == warc_date(FETCHED) == "2026-11-20T01:30:15Z"
        assert rec["payload_digest"] == sha256_digest(snap.body)
        assert rec["truncated"] == ("length" if snap.truncated else None)
    pdf = responses[f"{base}/jyj/zwgk/fj/a.pdf"]["headers"]
    assert pdf["Content-Disposition"] == "attachment; filename*=UTF-8''%E9%99%84%E4%BB%B6.pdf"
    assert pdf["Content-Length"] == "4096"  # the stored prefix, which WARC-Truncated marks as such
    assert responses[f"{base}/jyj/zwgk/gbk.html"]["body"].decode("gbk") == "<p>政府信息公开指南</p>"
    resources = {r["uri"]: r for r in records if r["type"] == "resource"}
    assert set(resources) == {f"screenshot:{base}/jyj/zwgk/", f"screenshot:{base}/jyj/zwgk/gone.html"}
    page = resources[f"screenshot:{base}/jyj/zwgk/"]
    assert page["content_type"] == "image/png" and page["body"] == open(rows[f"{base}/jyj/zwgk/"].path, "rb").read()
    assert page["concurrent_to"] == responses[f"{base}/jyj/zwgk/"]["id"]
    meta = [r for r in records if r["type"] == "metadata" and r["refers_to"] == page["id"]]
    assert len(meta) == 1 and f"page-url: {base}/jyj/zwgk/".encode() in meta[0]["body"]


def _read(path) -> list[dict]:
    out = []
    with open(path, "rb") as fh:
        for rec in ArchiveIterator(fh, check_digests="raise"):
            h = rec.rec_headers
            out.append({
                "type": rec.rec_type, "uri": h.get_header("WARC-Target-URI"), "id": h.get_header("WARC-Record-ID"),
                "date": h.get_header("WARC-Date"), "payload_digest": h.get_header("WARC-Payload-Digest"),
                "truncated": h.get_header("WARC-Truncated"), "concurrent_to": h.get_header("WARC-Concurrent-To"),
                "refers_to": h.get_header("WARC-Refers-To"), "content_type": h.get_header("Content-Type"),
                "status": rec.http_headers.get_statuscode() if rec.http_headers else None,
                "headers": dict(rec.http_headers.headers) if rec.http_headers else {},
                "body": rec.content_stream().read(),
            })
    assert out and all(r["type"] for r in out)
    return out


@pytest.mark.parametrize("args,env,message", [
    (["evidence", "export", "--run", "99", "-o", "{tmp}/x.warc.gz"], {}, "抓取批次 #99 不存在"),
    (["evidence", "export", "-o", "{tmp}/x.zip"], {}, ".warc.gz"),
    (["evidence", "export", "-o", "{tmp}/no/such/dir/x.warc.gz"], {}, "不存在"),
    (["evidence", "screenshots"], {"ZWGK_CHROMIUM": "/nonexistent/chromium"}, "ZWGK_CHROMIUM"),
    (["evidence", "screenshots", "--check-run", "7"], {}, "检查批次 #7 不存在"),
])
def test_bad_input_is_one_line(tmp_path, zwgk, args, env, message):
    result = zwgk("--db", str(tmp_path / "z.db"), *[a.replace("{tmp}", str(tmp_path)) for a in args], env=env)
    assert result.code == 2, result.stdout + result.stderr
    assert message in result.stderr and "Traceback" not in result.stderr


def test_browser_never_loads_private_addresses(monkeypatch):
    """A finding URL on a private network is not visited by the browser (loopback, like the sample city, is)."""
    from crawler.screenshots import Browser

    monkeypatch.delenv("ZWGK_ALLOW_PRIVATE", raising=False)
    with Browser() as browser:
        shot = browser.shoot("http://10.0.0.1/zwgk/")
    assert shot.png is None and "ERR_BLOCKED_BY_CLIENT" in shot.error


def test_a_leak_in_an_attachment_is_shown_on_the_page_that_offers_it():
    """A browser cannot show an .xlsx (it downloads it): the screenshot is of the document page linking it,
    once, shared by the findings that point there; a leak on a page itself is shown on that page."""
    from crawler.screenshots import disputed_pages
    from store import models as m

    doc, xlsx, page = "http://x.gov.cn/zwgk/t1.html", "http://x.gov.cn/files/名单.xlsx", "http://x.gov.cn/zwgk/t2.html"
    findings = [
        m.Finding(id=1, check="privacy.id_number", url=xlsx, evidence={"kind": "attachment", "document_url": doc,
                                                                       "source_url": xlsx}),
        m.Finding(id=2, check="privacy.mobile_number", url=xlsx, evidence={"kind": "attachment", "document_url": doc,
                                                                           "source_url": xlsx}),
        m.Finding(id=3, check="privacy.id_number", url=page, evidence={"kind": "page", "document_url": page,
                                                                       "source_url": page}),
    ]
    assert dict(disputed_pages(findings)) == {doc: [1, 2], page: [3]}
