"""End to end on the sample city, through the real CLI: crawl → store → check → findings.

The sample city's ground truth says which links are broken and which attachments are archives; the
audit must find exactly those, and none of the planted negatives.
"""
from __future__ import annotations

import re

from datetime import date

import pytest
from sqlalchemy import func, select

from store import models as m
from store.db import make_engine, session_factory

CONTRACT_KEYS = {"check", "department", "url", "item", "severity", "message", "fix", "evidence", "detected_at", "as_of"}


def _pairs(findings, check):
    return sorted((f["department"], f["url"]) for f in findings if f["check"] == check)


def _truth(city, check):
    return sorted((e["department"], e["url"]) for e in city.ground_truth()[check])


@pytest.mark.parametrize("check", ["links.broken", "attachments.archive"])
def test_finds_exactly_the_planted_defects(audited_city, check):
    assert _pairs(audited_city.findings, check) == _truth(audited_city.city, check)


def test_no_planted_negative_is_reported(audited_city):
    reported = {f["url"] for f in audited_city.findings}
    negatives = audited_city.city.ground_truth()["negatives"]
    assert negatives, "the sample city plants negatives"
    assert not reported & {n["url"] for n in negatives}


def test_findings_follow_the_json_contract(audited_city):
    assert audited_city.findings
    for f in audited_city.findings:
        assert CONTRACT_KEYS <= set(f)
        assert f["severity"] in ("high", "medium", "low")
        assert f["message"] and f["fix"] and isinstance(f["evidence"], dict)
        date.fromisoformat(f["as_of"])
        date.fromisoformat(f["detected_at"][:10])
        if f["check"] in ("links.broken", "attachments.archive"):
            assert f["item"] is None
            ev = f["evidence"]
            assert ev["sources"] and ev["source_count"] >= len(ev["sources"])
            assert all(s["page"].startswith(audited_city.city.base_url) for s in ev["sources"])
            if ev["status"] is not None and ev["reason"] != "redirect_loop":  # the target answered
                assert ev["snapshot"]["sha256"]  # the stored copy a person can open
            assert ev["source_snapshot"]["sha256"]


def test_broken_link_evidence_says_why(audited_city):
    by_url = {f["url"]: f for f in audited_city.findings if f["check"] == "links.broken"}
    truth = {e["url"]: e["why"] for e in audited_city.city.ground_truth()["links.broken"]}
    for url, why in truth.items():
        ev = by_url[url]["evidence"]
        if why == "redirect-loop":
            assert ev["reason"] == "redirect_loop" and len(ev["redirect_chain"]) >= 2
        elif why == "connection-refused":
            assert ev["reason"] == "refused" and ev["status"] is None
        elif why == "soft-404":
            assert ev["reason"] == "soft_404" and ev["status"] == 200
        elif why.isdigit():
            assert ev["status"] == int(why), (url, ev)
    # the 301 → 302 → 404 chain is recorded hop by hop
    chained = [f for f in by_url.values() if len(f["evidence"]["redirect_chain"]) == 2 and f["evidence"]["status"] == 404]
    assert chained and [h["status"] for h in chained[0]["evidence"]["redirect_chain"]] == [301, 302]


def test_broken_link_linked_twice_in_one_department_is_one_finding(audited_city):
    pairs = _pairs(audited_city.findings, "links.broken")
    assert len(pairs) == len(set(pairs))


def test_store_holds_column_tree_documents_and_gbk_titles(audited_city):
    engine = make_engine(audited_city.db)
    with session_factory(engine)() as s:
        run = s.scalars(select(m.CrawlRun).order_by(m.CrawlRun.id.desc())).first()
        assert run.status == "completed"
        cols = s.scalars(select(m.Column).where(m.Column.run_id == run.id)).all()
        names = {(c.department_id, c.name) for c in cols}
        # nested columns: 财政预决算 → 部门预算 / 部门决算 (fgw)
        sub = next(c for c in cols if c.department_id == "fgw" and c.name == "部门预算")
        parent = s.get(m.Column, sub.parent_id)
        assert parent.name == "财政预决算" and sub.depth == 2
        assert ("wjw", "通知公告") in names and ("jyj", "政策文件") in names
        # every document listed in the paginated columns was found (TRS script pager, ?page=, ?pageIndex=, 共N页)
        per_dept = dict(s.execute(select(m.Document.department_id, func.count()).where(m.Document.run_id == run.id)
                                  .group_by(m.Document.department_id)).all())
        assert all(per_dept.get(d, 0) >= 20 for d in ("fgw", "jyj", "gaj", "wjw", "sfj", "zjj")), per_dept
        # the GBK department's Chinese titles round-trip without mojibake
        titles = s.scalars(select(m.Document.title).where(m.Document.run_id == run.id,
                                                          m.Document.department_id == "wjw")).all()
        assert titles and all("\ufffd" not in t and any("\u4e00" <= ch <= "\u9fff" for ch in t) for t in titles)
        # document pages' metadata tables are read
        meta = s.execute(select(func.count(m.Document.publish_date), func.count(m.Document.index_number),
                                func.count(m.Document.publisher))
                         .where(m.Document.run_id == run.id, m.Document.fetched.is_(True),
                                m.Document.department_id.is_not(None))).one()
        fetched = s.scalar(select(func.count()).where(m.Document.run_id == run.id, m.Document.fetched.is_(True),
                                                      m.Document.department_id.is_not(None)))
        assert meta[0] == fetched and meta[1] == fetched and meta[2] == fetched
        # upstream feed documents carry their publication time (for the repost check)
        upstream = s.scalars(select(m.Document).where(m.Document.run_id == run.id,
                                                      m.Document.upstream_id == "province")).all()
        assert len(upstream) == 12 and all(d.publish_date and d.publish_time for d in upstream)
    engine.dispose()


def test_every_link_target_checked_once(audited_city):
    """A target linked from two departments and several pages is fetched once in the run."""
    shared = [url for dept, url in _truth(audited_city.city, "links.broken")
              if sum(1 for _, u in _truth(audited_city.city, "links.broken") if u == url) == 2]
    assert shared, "the sample city has a broken link shared by two departments"
    from urllib.parse import urlsplit

    path = urlsplit(shared[0]).path
    assert audited_city.city.requests[("GET", path)] == 1
    assert audited_city.city.requests[("HEAD", path)] == 0  # a page target: one GET tells a soft 404 too


def test_challenge_department_and_script_filled_column_are_audited(audited_city):
    """zjj sits behind an anti-bot challenge and fgw's 政策文件 list is filled by JavaScript; their planted
    defects (in the ground truth above) are found, and so are their documents."""
    engine = make_engine(audited_city.db)
    with session_factory(engine)() as s:
        run = s.scalars(select(m.CrawlRun).order_by(m.CrawlRun.id.desc())).first()
        assert run.stats.get("zwgk/challenge/solved", 0) >= 1
        assert run.stats.get("zwgk/render/list_pages", 0) >= 1
        js_docs = s.scalar(select(func.count()).select_from(m.ListEntry).join(m.Column)
                           .where(m.ListEntry.run_id == run.id, m.Column.url.like("%/fgw/zwgk/zcwj/")))
        zjj_docs = s.scalar(select(func.count()).select_from(m.Document)
                            .where(m.Document.run_id == run.id, m.Document.department_id == "zjj",
                                   m.Document.fetched.is_(True)))
        challenged = s.scalar(select(func.count()).select_from(m.UrlCheck)
                              .where(m.UrlCheck.run_id == run.id, m.UrlCheck.status == 412))
    engine.dispose()
    assert js_docs == 5 and zjj_docs >= 20
    assert challenged == 0  # the challenge page itself is never recorded as a page or a broken link
    truth = {(e["department"], e["url"]) for k in ("links.broken", "attachments.archive")
             for e in audited_city.city.ground_truth()[k]}
    assert any(d == "zjj" for d, _ in truth) and any(d == "fgw" for d, _ in truth)


@pytest.mark.parametrize("path, kind, word", [
    ("/jyj/zwgk/gzdt/202410/t20241008_482399.html", "page", "列表条目“关于做好2024年秋季学期开学工作的通知”"),
    ("/gaj/images/2024/jtaq_banner.png", "image", "（图片）"),
    ("/gaj/video/2024/jtaq_xcp.mp4", "video", "（视频）"),
])
def test_link_plants_are_named_by_kind(audited_city, path, kind, word):
    """A document deleted behind a list entry, a picture on a list page, a video in a document."""
    [finding] = [f for f in audited_city.findings if f["check"] == "links.broken"
                 and f["url"] == audited_city.city.url(path)]
    assert finding["evidence"]["link_kind"] == kind and word in finding["message"]
    if kind == "page":  # the list page, the entry's title and its date
        [source] = finding["evidence"]["sources"]
        assert source["page"].endswith("/jyj/zwgk/gzdt/index.html") and source["list_date"]


def test_lists_behind_endpoints_are_read_whole_and_the_unreadable_one_is_not_a_finding(audited_city, zwgk):
    """tjj's lists use the layouts of the big CMS families: a TRS-like list whose later pages come only from
    a POST search API, a Hanweb jpage list fed by dataproxy.jsp, dl/dd, table and undated lists, a column-tree
    page with a 最新文件 teaser. Every document they list is stored; 人事信息 declares 40 records and serves 3:
    it is recorded as 未能完整抓取, and its stale-looking newest date is not a finding."""
    city = audited_city.city
    hidden = {city.base_url + url for kind, url in city.site.pages["tjj"] if kind == "apidoc"}
    assert len(hidden) >= 8, "the sample city lists documents only behind its data endpoints"
    engine = make_engine(audited_city.db)
    with session_factory(engine)() as s:
        run = s.scalars(select(m.CrawlRun).order_by(m.CrawlRun.id.desc())).first()
        fetched = set(s.scalars(select(m.Document.url).where(m.Document.run_id == run.id,
                                                             m.Document.department_id == "tjj",
                                                             m.Document.fetched.is_(True))))
        assert hidden <= fetched, sorted(hidden - fetched)
        assert len(fetched) == len(city.site.docs["tjj"])
        cols = {c.url.removeprefix(city.base_url): c for c in
                s.scalars(select(m.Column).where(m.Column.run_id == run.id))}
        incomplete = {url: (c.declared_total, c.item_count, c.incomplete_reason)
                      for url, c in cols.items() if c.complete is False}
        assert incomplete == {"/tjj/zwgk/rsxx/": (40, 3, "short")}
        assert all(c.complete for url, c in cols.items() if url != "/tjj/zwgk/rsxx/"), \
            [(u, c.complete) for u, c in cols.items() if not c.complete]
        gzdt, tzgg = cols["/tjj/zwgk/gzdt/"], cols["/tjj/zwgk/tzgg/"]
        assert (gzdt.declared_total, gzdt.item_count) == (9, 9) and (tzgg.declared_total, tzgg.item_count) == (9, 9)
        # how each was read: the endpoints for the TRS-like and Hanweb lists, the browser's 下一页 for 政策解读
        how = {(r.column_url.removeprefix(city.base_url), r.kind) for r in
               s.scalars(select(m.ListPage).where(m.ListPage.run_id == run.id, m.ListPage.status == "read"))}
        assert {("/tjj/zwgk/gzdt/", "api"), ("/tjj/zwgk/tzgg/", "api"), ("/tjj/zwgk/zcjd/", "browser")} <= how
        assert cols["/tjj/zwgk/zcjd/"].item_count == 4
        # the column-tree page: its 最新文件 teaser is not its list; its sub-columns are columns of their own
        assert cols["/tjj/zwgk/czyjs/"].item_count == 0 and cols["/tjj/zwgk/czyjs/"].complete
        assert {"/tjj/zwgk/czyjs/bmys/", "/tjj/zwgk/czyjs/bmjs/", "/tjj/zwgk/czyjs/sgjf/"} <= set(cols)
    engine.dispose()
    assert not [f for f in audited_city.findings if f["department"] == "tjj" and f["check"] == "timeliness.stale_column"]
    # the audit's own check run: other tests add partial check runs to the shared database
    audit = re.search(r"检查批次 #(\d+)", audited_city.check.stdout).group(1)
    aside = zwgk("--db", audited_city.db, "findings", "--unjudged", "--format", "json", "--check-run", audit)
    assert aside.code == 0, aside.stderr
    stale = [u for u in aside.json() if u["check"] == "timeliness.stale_column"]
    assert [(u["department"], u["column_name"], u["status"]) for u in stale] == [("tjj", "人事信息", "未能完整抓取")]
    assert stale[0]["evidence"]["declared_total"] == 40 and stale[0]["evidence"]["crawled"] == 3
    assert "未能完整抓取" in audited_city.check.stdout
