"""The sample city serves what its ground truth says: planted defects behave as planted, negatives are
valid targets, and an independent crawl over HTTP finds exactly the ground truth, no more, no less."""

from __future__ import annotations

import functools
import json
import http.client
import io
import re
import tarfile
import time
import zipfile
from collections import deque
from dataclasses import dataclass, field
from datetime import date, timedelta
from html.parser import HTMLParser
from urllib.parse import unquote, urldefrag, urljoin, urlsplit

import pytest
import yaml

from samplecity import start, truth
from samplecity.server import CHALLENGE_TOKEN
from samplecity.data import DEPARTMENTS, UPSTREAM

ARCHIVE_EXTENSIONS = (".zip", ".rar", ".7z", ".tar.gz", ".tgz", ".gz", ".tar", ".bz2", ".xz")
ARCHIVE_TYPES = {
    "application/zip", "application/x-zip-compressed", "application/x-rar-compressed", "application/vnd.rar",
    "application/x-7z-compressed", "application/gzip", "application/x-gzip", "application/x-tar",
}
SOFT_404 = "您访问的页面不存在"


@dataclass
class Answer:
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    seconds: float = 0.0

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")

    def text(self) -> str:
        charset = re.search(r"charset=([\w-]+)", self.content_type)
        return self.body.decode(charset.group(1) if charset else "gbk")


def fetch(url: str, method: str = "GET", *, cleared: bool = True) -> Answer:
    """One request, redirects not followed; raises ConnectionRefusedError where nothing listens.
    `cleared`: send the cookie a browser earns by passing the anti-bot challenge (this reference
    crawler knows it; the audit's crawler has to earn it)."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=5)
    began = time.monotonic()
    try:
        headers = {"Cookie": CHALLENGE_TOKEN} if cleared else {}
        conn.request(method, parts.path + (f"?{parts.query}" if parts.query else ""), headers=headers)
        response = conn.getresponse()
        body = response.read()
        headers = {k.lower(): v for k, v in response.getheaders()}
        return Answer(response.status, headers, body, time.monotonic() - began)
    finally:
        conn.close()


@functools.lru_cache(maxsize=None)
def follow(url: str) -> tuple[str, list[Answer]]:
    """GET with redirects followed: ("ok" | "loop" | "refused", answers along the way); memoised, since
    URLs are unique per server instance and the slow page costs a second each time."""
    seen, answers = set(), []
    while True:
        if url in seen:
            return "loop", answers
        seen.add(url)
        try:
            answer = fetch(url)
        except ConnectionRefusedError:
            return "refused", answers
        answers.append(answer)
        if answer.status not in (301, 302, 303, 307, 308):
            return "ok", answers
        url = urljoin(url, answer.headers["location"])


def broken_why(url: str) -> str | None:
    """The reference verdict for a link target: None when usable, else why (as in ground_truth.yaml)."""
    outcome, answers = follow(url)
    if outcome == "loop":
        return "redirect-loop"
    if outcome == "refused":
        return "connection-refused"
    last = answers[-1]
    if last.status >= 400:
        return "redirect-chain-404" if len(answers) > 1 else str(last.status)
    if last.content_type.startswith("text/html") and SOFT_404 in last.text():
        return "soft-404"
    return None


def is_office(body: bytes) -> bool:
    return zipfile.ZipFile(io.BytesIO(body)).namelist()[0] == "[Content_Types].xml"


def archive_why(url: str) -> str | None:
    outcome, answers = follow(url)
    if outcome != "ok" or answers[-1].status != 200:
        return None
    answer = answers[-1]
    if unquote(urlsplit(url).path).lower().endswith(ARCHIVE_EXTENSIONS):
        return "extension"
    filename = re.search(r"filename\*?=(?:UTF-8'')?\"?([^\";]+)", answer.headers.get("content-disposition", ""))
    if filename and unquote(filename.group(1)).lower().endswith(ARCHIVE_EXTENSIONS):
        return "content-disposition"
    if answer.content_type.split(";")[0] in ARCHIVE_TYPES:
        return "content-type"
    body = answer.body
    if body.startswith((b"Rar!\x1a\x07", b"7z\xbc\xaf\x27\x1c", b"\x1f\x8b")):
        return "magic"
    if body.startswith(b"PK\x03\x04") and not is_office(body):
        return "magic"
    return None


class LinkParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        wanted = {"a": "href", "img": "src", "video": "src"}.get(tag)
        for name, value in attrs:
            if name == wanted and value:
                self.links.append(value.strip())


PAGER_SCRIPT = re.compile(r'createPageHTML\((\d+),\s*(\d+),\s*"([^"]+)",\s*"([^"]+)"\)')


@dataclass
class Crawl:
    pages: dict[str, dict[str, Answer]]  # dept -> url -> answer, every in-scope HTML page reached
    links: dict[str, dict[str, set[str]]]  # dept -> page url -> links as written, resolved


def crawl(base_url: str) -> Crawl:
    """Breadth-first from each disclosure root, staying under it, expanding TRS pager scripts."""
    result = Crawl({}, {})
    for dept in DEPARTMENTS:
        scope = f"{base_url}/{dept.id}/zwgk/"
        queue, seen = deque([scope]), {scope}
        pages, links = result.pages.setdefault(dept.id, {}), result.links.setdefault(dept.id, {})
        while queue:
            url = queue.popleft()
            answer = fetch(url)
            if answer.status != 200 or not answer.content_type.startswith("text/html"):
                continue
            pages[url] = answer
            parser = LinkParser()
            parser.feed(answer.text())
            found = {urljoin(url, href) for href in parser.links}
            for count, current, name, ext in PAGER_SCRIPT.findall(answer.text()):
                found |= {urljoin(url, f"{name}_{i}.{ext}") for i in range(1, int(count))}
            if 'id="js-list"' in answer.text():  # what the page's script would add in a browser
                found |= {urljoin(url, item["url"]) for item in json.loads(fetch(urljoin(url, "list.json")).body)}
            links[url] = found
            for link in found:
                target = urldefrag(link).url
                if target.startswith(scope) and target not in seen:
                    seen.add(target)
                    queue.append(target)
    return result


@pytest.fixture(scope="module")
def city():
    with start() as running:
        yield running


@pytest.fixture(scope="module")
def crawled(city) -> Crawl:
    return crawl(city.base_url)


@pytest.fixture(scope="module")
def gt(city) -> dict[str, list[dict[str, str]]]:
    return city.ground_truth()


def pairs(entries: list[dict[str, str]]) -> set[tuple[str, str]]:
    return {(e["department"], e["url"]) for e in entries}


def test_ground_truth_file_is_what_data_plants():
    assert truth.load() == truth.derive(), "regenerate ground_truth.yaml: see truth.dump()"


def test_crawl_reaches_every_page_and_nothing_else(city, crawled):
    soft_404 = {e["url"] for e in city.ground_truth()["links.broken"] if e["why"] == "soft-404"}
    for dept in DEPARTMENTS:
        # "apidoc": listed only by a data endpoint (a TRS search API, Hanweb dataproxy.jsp) or a script (jcms
        # records, a 下一页 button): following links alone never reaches them; the audit crawl must
        # (tests/test_crawl_samplecity.py)
        modelled = {city.base_url + url for kind, url in city.site.pages[dept.id] if kind != "apidoc"}
        assert set(crawled.pages[dept.id]) - soft_404 == modelled


def test_site_size_and_shape(city):
    assert len(DEPARTMENTS) >= 6 and len({d.style for d in DEPARTMENTS}) >= 6
    assert {d.kind for d in DEPARTMENTS} == {"department", "township"}
    assert len(city.site.routes) <= 520
    assert any(c.children for d in DEPARTMENTS for c in d.columns)
    assert any(g.children for d in DEPARTMENTS for c in d.columns for g in c.children), "a hub inside a hub"
    for dept in DEPARTMENTS:
        assert 4 <= len(dept.columns) <= 11
        assert 8 <= len(city.site.docs[dept.id]) <= 40
        kinds = [kind for kind, _ in city.site.pages[dept.id]]
        assert kinds.count("root") == 1 and kinds.count("column") >= len(dept.columns)


def test_reference_crawl_finds_exactly_the_broken_links(city, crawled, gt):
    verdicts: dict[str, str | None] = {}
    found = {}
    for dept, by_page in crawled.links.items():
        for link in set().union(*by_page.values()):
            if not link.startswith("http"):
                continue
            target = urldefrag(link).url
            if target not in verdicts:
                verdicts[target] = broken_why(target)
            if verdicts[target]:
                found[(dept, target)] = verdicts[target]
    assert found == {(e["department"], e["url"]): e["why"] for e in gt["links.broken"]}


def test_reference_crawl_finds_exactly_the_archives(city, crawled, gt):
    found = {}
    for dept, by_page in crawled.links.items():
        docs = {city.base_url + url for kind, url in city.site.pages[dept] if kind == "doc"}
        for page, links in by_page.items():
            for link in links if page in docs else ():
                if link.startswith("http") and (why := archive_why(urldefrag(link).url)):
                    found[(dept, link)] = why
    assert found == {(e["department"], e["url"]): e["why"] for e in gt["attachments.archive"]}


def test_every_negative_is_linked_and_absent_from_findings(crawled, gt):
    flagged = pairs(gt["links.broken"]) | pairs(gt["attachments.archive"])
    for entry in gt["negatives"]:
        dept, url = entry["department"], entry["url"]
        assert (dept, url) not in flagged
        assert any(url in links for links in crawled.links[dept].values()), url
        if url.startswith("http"):
            assert broken_why(urldefrag(url).url) is None and archive_why(urldefrag(url).url) is None


def test_shared_and_repeated_broken_links(city, crawled, gt):
    by_url: dict[str, set[str]] = {}
    for dept, url in pairs(gt["links.broken"]):
        by_url.setdefault(url, set()).add(dept)
    assert any(len(depts) >= 2 for depts in by_url.values())
    linking_pages = {
        (dept, url): sum(url in links for links in crawled.links[dept].values()) for dept, url in pairs(gt["links.broken"])
    }
    assert max(linking_pages.values()) >= 3
    assert any(e["url"] in crawled.links[e["department"]][city.base_url + f"/{e['department']}/zwgk/"]
               for e in gt["links.broken"]), "one broken link sits on a disclosure root page"


def by_why(gt, key: str, why: str) -> list[str]:
    return [e["url"] for e in gt[key] if e["why"] == why]


def test_planted_statuses(gt):
    for status in ("404", "410", "500"):
        for url in by_why(gt, "links.broken", status):
            for method in ("GET", "HEAD"):
                answer = fetch(url, method)
                assert answer.status == int(status) and answer.content_type.startswith("text/html")
    [soft] = by_why(gt, "links.broken", "soft-404")
    answer = fetch(soft)
    assert answer.status == 200 and SOFT_404 in answer.text()


def test_planted_redirects_and_refused_port(city, gt):
    [loop] = by_why(gt, "links.broken", "redirect-loop")
    first = fetch(loop)
    second = fetch(urljoin(loop, first.headers["location"]))
    assert first.status == second.status == 302 and urljoin(loop, second.headers["location"]) == loop
    [chain] = by_why(gt, "links.broken", "redirect-chain-404")
    outcome, answers = follow(chain)
    assert outcome == "ok" and [a.status for a in answers] == [301, 302, 404]
    [refused] = by_why(gt, "links.broken", "connection-refused")
    assert urlsplit(refused).port == city.refused_port
    with pytest.raises(ConnectionRefusedError):
        fetch(refused)


def test_archives_have_real_bodies(gt):
    for url in (e["url"] for e in gt["attachments.archive"]):
        answer = fetch(url)
        head = fetch(url, "HEAD")
        assert answer.status == head.status == 200 and head.body == b""
        assert head.headers["content-length"] == str(len(answer.body)) and len(answer.body) < 10_000
        body = answer.body
        if body.startswith(b"PK"):
            assert not is_office(body) and zipfile.ZipFile(io.BytesIO(body)).testzip() is None
        elif body.startswith(b"\x1f\x8b"):
            assert tarfile.open(fileobj=io.BytesIO(body), mode="r:gz").getnames()
        else:
            assert body.startswith((b"Rar!\x1a\x07\x01\x00", b"7z\xbc\xaf\x27\x1c")), url
    [cd] = by_why(gt, "attachments.archive", "content-disposition")
    assert fetch(cd).headers["content-disposition"] == "attachment; filename*=UTF-8''%E6%9D%90%E6%96%99.rar"
    [ct] = by_why(gt, "attachments.archive", "content-type")
    assert fetch(ct).content_type == "application/x-rar-compressed" and "." not in urlsplit(ct).path[-8:]


def test_negatives_are_valid_targets(city):
    assert [a.status for a in follow(city.url("/fgw/index.jsp"))[1]] == [301, 200]
    assert [a.status for a in follow(city.url("/r/jyj-xxgk"))[1]] == [302, 200]
    assert fetch(city.url("/gaj/bsfw/wsyy.do"), "HEAD").status == 405
    assert fetch(city.url("/gaj/bsfw/wsyy.do")).status == 200
    assert fetch(city.url("/zjj/bsfw/gjjcx.jsp"), "HEAD").status == 404
    assert fetch(city.url("/zjj/bsfw/gjjcx.jsp")).status == 200
    [slow] = follow(city.url("/wjw/sjfb/index.htm"))[1]
    assert slow.status == 200 and slow.seconds >= 0.9
    pdf = fetch(city.url("/fgw/uploadfiles/2024/价格监测报告.pdf"))
    assert pdf.content_type == "application/pdf" and pdf.body.startswith(b"%PDF-") and b"%%EOF" in pdf.body
    for path in ("/jyj/zwgk/fj/报名登记表.docx", "/sfj/zwgk/fj/法律援助案件统计表.xlsx", "/sfj/zwgk/download.jsp?fileid=8"):
        body = fetch(city.url(path)).body
        assert is_office(body) and zipfile.ZipFile(io.BytesIO(body)).testzip() is None
    openpyxl = pytest.importorskip("openpyxl")
    sheet = openpyxl.load_workbook(io.BytesIO(fetch(city.url("/sfj/zwgk/fj/法律援助案件统计表.xlsx")).body)).active
    assert sheet["A1"].value == "序号"
    download = fetch(city.url("/sfj/zwgk/download.jsp?fileid=7"))
    assert download.content_type == "application/octet-stream" and download.body.startswith(b"%PDF-")


def test_head_answers_like_get_everywhere(city):
    for key, resource in city.site.routes.items():
        if resource.delay or resource.head_status:
            continue
        get, head = fetch(city.base_url + key), fetch(city.base_url + key, "HEAD")
        assert head.status == get.status and head.body == b""
        for name in ("content-type", "content-length", "last-modified", "location", "content-disposition"):
            assert head.headers.get(name) == get.headers.get(name), (key, name)
        assert get.headers["content-length"] == str(len(get.body))


def test_wjw_is_gbk_without_any_charset(city, crawled):
    for url, answer in crawled.pages["wjw"].items():
        assert answer.content_type == "text/html", url
        assert b"charset" not in answer.body.lower()
        with pytest.raises(UnicodeDecodeError):
            answer.body.decode("utf-8")
        assert "示例市卫生健康委员会" in answer.body.decode("gbk")
    for dept in ("fgw", "jyj", "gaj", "sfj", "zjj"):
        assert all(a.content_type == "text/html; charset=utf-8" for a in crawled.pages[dept].values())


def test_pagination_markup_per_style(city, crawled):
    def page(path: str) -> str:
        return crawled.pages[path.split("/")[1]][city.base_url + path].text()

    assert "下一页" in page("/fgw/zwgk/gzdt/index.html") and 'href="/fgw/zwgk/gzdt/index_2.html"' in page(
        "/fgw/zwgk/gzdt/index.html")
    assert 'createPageHTML(3, 0, "index", "html")' in page("/jyj/zwgk/gzdt/index.html")
    assert 'href="list.html?page=2"' in page("/gaj/zwgk/gzdt/list.html")
    assert "pageIndex=2" in page("/sfj/zwgk/fdzdgknr/tzgg/index.html") and "<th>索引号</th>" in page(
        "/sfj/zwgk/fdzdgknr/tzgg/index.html")
    zjj = page("/zjj/zwgk/gzdt/index.shtml")
    assert "共3页" in zjj and "/zjj/zwgk/gzdt/index_1.shtml" in zjj and re.search(r"\[\d\d-\d\d\]", zjj)
    assert re.search(r"\d{4}年\d\d月\d\d日", page("/wjw/zwgk/gzdt/index.htm"))
    assert re.search(r"\d{4}/\d\d/\d\d", page("/gaj/zwgk/gzdt/list.html"))
    zjj_doc = next(a.text() for u, a in crawled.pages["zjj"].items() if u.endswith(".shtml") and "/2" in u)
    assert re.search(r'<meta name="PubDate" content="\d{4}-\d\d-\d\d \d\d:\d\d">', zjj_doc)
    assert '<meta name="ColumnName"' in zjj_doc and '<meta name="ContentSource"' in zjj_doc


def test_upstream_feed_and_sites_yaml(city, tmp_path):
    registry = yaml.safe_load(city.write_sites(tmp_path / "sites.yaml").read_text(encoding="utf-8"))
    assert registry["region"] == "示例市" and registry["catalogs"] == ["municipal-department", "township"]
    ids = [d["id"] for d in registry["departments"]]
    assert ids == [d.id for d in DEPARTMENTS] and {"fgw", "jyj", "gaj", "wjw", "sfj", "zjj"} <= set(ids)
    for dept in registry["departments"]:
        assert set(dept) == {"id", "name", "kind", "catalog", "url", "home"}
        assert fetch(dept["url"]).status == fetch(dept["home"]).status == 200
    [feed] = registry["upstream"]
    assert feed["url"] == f"{city.base_url}/upstream/zcwj/" and feed["repost_within_hours"] == 24
    first = fetch(feed["url"]).text()
    docs = re.findall(r'href="(/upstream/zcwj/\d{6}/t\d{8}_\d+\.html)"', first)
    second = fetch(urljoin(feed["url"], "index_1.html")).text()
    docs += re.findall(r'href="(/upstream/zcwj/\d{6}/t\d{8}_\d+\.html)"', second)
    assert len(set(docs)) == UPSTREAM[0].docs == 12 and "下一页" in first
    assert re.search(r"发布时间：\d{4}-\d\d-\d\d \d\d:\d\d", fetch(city.url(docs[0])).text())


def test_dates_follow_the_anchor_and_requests_are_counted():
    anchor = date(2027, 1, 5)
    with start(anchor=anchor) as other:
        assert other.anchor == anchor
        for dept in DEPARTMENTS:
            days = [d.published.date() for d in other.site.docs[dept.id]]
            assert max(days) <= anchor and min(days) >= anchor - timedelta(days=2 * 366)
            assert max(days) >= anchor - timedelta(days=7)
        [report] = [d for d in other.site.docs["fgw"] if d.path == "ndbg" and d.index == 0]
        assert report.published.date() == date(2026, 1, 20) and "2025年政府信息公开工作年度报告" in report.title
        fetch(other.base_url + "/")
        fetch(other.base_url + "/", "HEAD")
        assert other.requests[("GET", "/")] == 1 and other.requests[("HEAD", "/")] == 1


# --- the audit checks' plants ----------------------------------------------------------------------

ANCHORS = [date(2026, 1, 3), date(2026, 2, 3), date(2026, 10, 8), date.today()]


def _doc(city, dept: str, key: str):
    return next(d for d in city.site.docs[dept] if d.key == key)


@pytest.mark.parametrize("anchor", ANCHORS, ids=str)
def test_timing_plants_hold_for_any_anchor(anchor):
    """The planted boundaries are working-day exact whatever the anchor (holidays move)."""
    from checks.calendar import WorkCalendar

    cal = WorkCalendar()
    with start(anchor=anchor) as other:
        def workdays(dept: str, key: str) -> int:
            doc = _doc(other, dept, key)
            return cal.workdays_between(doc.written, doc.published.date())

        assert (workdays("fgw", "zcwj/2"), workdays("jyj", "tzgg/3"), workdays("fgw", "tzgg/1")) == (21, 40, 20)

        def explained(dept: str, key: str) -> int:
            policy = _doc(other, dept, key)
            return cal.workdays_between(policy.published.date(), _doc(other, dept, f"zcjd/jd:{key}").published.date())

        assert (explained("wjw", "zcwj/1"), explained("fgw", "zcwj/0")) == (4, 3)
        assert not [d for d in other.site.docs["jyj"] if d.key == "zcjd/jd:zcwj/2"]
        newest = {(dept, path): max(d.published.date() for d in other.site.docs[dept] if d.path == path)
                  for dept, path in (("wjw", "rsxx"), ("sfj", "fdzdgknr/gzdt"), ("zjj", "gzdt"), ("jyj", "rsxx"))}
        assert {k: (anchor - v).days for k, v in newest.items()} == {
            ("wjw", "rsxx"): 400, ("sfj", "fdzdgknr/gzdt"): 15, ("zjj", "gzdt"): 14, ("jyj", "rsxx"): 365}
        for dept in DEPARTMENTS:  # nothing is published after the anchor, reposts included
            assert max(d.published.date() for d in other.site.docs[dept.id]) <= anchor


def test_reposts_and_their_lags(city):
    from samplecity.generate import upstream_documents

    recent = upstream_documents(UPSTREAM[0], city.anchor)[:3]
    for dept in DEPARTMENTS:
        reposts = {d.key.rsplit(":", 1)[1]: d for d in city.site.docs[dept.id] if d.repost}
        expected = set() if dept.kind == "township" else {"province/0", "province/1", "province/2"} - (
            {"province/2"} if dept.id == "jyj" else set())
        assert set(reposts) == expected, dept.id
    lag = {(dept, n): (_doc(city, dept, f"tzgg/zz:province/{n}").published - recent[n].published).total_seconds() / 3600
           for dept, n in (("fgw", 0), ("fgw", 1), ("gaj", 1), ("gaj", 2))}
    assert lag == {("fgw", 0): 26, ("fgw", 1): 23.5, ("gaj", 1): 60, ("gaj", 2): 26}
    assert _doc(city, "zjj", "tzgg/zz:province/1").title == f"转发{recent[1].number}文件"


def test_empty_columns_say_what_they_say(city):
    jyj = fetch(city.url("/jyj/zwgk/ghjh/index.html")).text()
    zjj = fetch(city.url("/zjj/zwgk/ghjh/index.shtml")).text()
    assert '<p class="empty">暂无信息</p>' in jyj and "本单位无此类信息" in zjj and "暂无信息" not in zjj


def test_every_expectation_resolves(city):
    resolved = truth.resolve(city)
    for key, entries in resolved.items():
        for entry in entries:
            assert entry["url"] == "*" or entry["url"].startswith(city.base_url), (key, entry)
            if entry["url"].startswith("http"):
                assert fetch(entry["url"]).status == 200, entry
    assert [e["url"] for e in resolved["timeliness.annual_report"]]  # the late report applies today


@pytest.fixture(scope="module")
def checked(audited_city):
    """The audit checks run through the CLI on the crawled sample city, as of its anchor date."""
    db, sites, city = audited_city.db, str(audited_city.sites), audited_city.city
    from tests.conftest import run_zwgk

    check = run_zwgk("--db", db, "check", sites, "--as-of", city.anchor.isoformat())
    assert check.code == 0, check.stderr + check.stdout
    run_id = re.search(r"检查批次 #(\d+)", check.stdout).group(1)
    found = run_zwgk("--db", db, "findings", "--format", "json", "--check-run", run_id)
    assert found.code == 0, found.stderr
    return run_id, found.json(), truth.resolve(city)


AUDIT_CHECKS = [c for c in truth.CHECKS if not c.startswith("privacy.")]  # privacy: see test_checks_privacy.py


@pytest.mark.parametrize("check", AUDIT_CHECKS)
def test_audit_checks_find_exactly_the_planted_defects(checked, check):
    _, findings, expected = checked
    got = sorted((f["department"], f["url"], f["item"]) for f in findings if f["check"] == check)
    assert got == sorted((e["department"], e["url"], e["item"]) for e in expected[check])


def test_audit_checks_report_no_near_miss(checked):
    _, findings, expected = checked
    for near in expected[truth.CHECK_NEGATIVES]:
        hits = [f for f in findings if f["check"] == near["check"] and f["department"] == near["department"]
                and near["url"] in ("*", f["url"]) and near["item"] in (None, f["item"])]
        assert not hits, (near["why"], hits)


def test_audit_findings_carry_evidence_and_advice(checked):
    _, findings, _ = checked
    for f in (f for f in findings if f["check"] in AUDIT_CHECKS):
        assert f["message"] and f["fix"] and f["evidence"], f
        assert f["url"].startswith("http"), f
    late = next(f for f in findings if f["check"] == "repost.late" and f["department"] == "gaj")
    assert late["evidence"]["repost_time_basis"].startswith("date_only") and "仅显示发布日期" in late["message"]
    fuzzy = next(f for f in findings if f["check"] == "coverage.missing_column" and f["department"] == "wjw")
    assert {"how": "normalised", "item": "jgzn"}.items() <= next(
        m for m in fuzzy["evidence"]["matched"] if m["item"] == "jgzn").items()


def test_score_prints_every_department_with_its_verdict(checked, audited_city, zwgk):
    run_id, _, _ = checked
    shown = zwgk("--db", audited_city.db, "score", "--check-run", run_id)
    assert shown.code == 0, shown.stderr
    for dept in DEPARTMENTS:
        assert dept.name in shown.stdout
    scores = zwgk("--db", audited_city.db, "score", "--check-run", run_id, "--format", "json").json()
    assert sorted(s["department"] for s in scores) == sorted(d.id for d in DEPARTMENTS)
    assert all(s["verdict"] == ("合格" if s["passed"] else "不合格") for s in scores)
    by_id = {s["department"]: s for s in scores}
    for s in scores:
        assert s["score"] == 100 - sum(s["by_indicator"].values())
    assert by_id["gaj"]["by_indicator"]["lmsz"] == 4 and by_id["gaj"]["by_indicator"]["gxsx"] == 10


def test_challenge_department_answers_412_until_the_cookie_is_earned(city):
    challenged = [d.id for d in DEPARTMENTS if d.challenge]
    assert challenged, "the sample city has a department behind an anti-bot challenge"
    url = f"{city.base_url}/{challenged[0]}/zwgk/"
    blocked = fetch(url, cleared=False)
    assert blocked.status == 412 and b"document.cookie" in blocked.body and b"location.reload" in blocked.body
    assert fetch(url).status == 200
    other = next(d.id for d in DEPARTMENTS if not d.challenge)
    assert fetch(f"{city.base_url}/{other}/zwgk/", cleared=False).status == 200


def test_js_column_has_no_entries_without_a_browser(city):
    dept, column = next((d, c) for d in DEPARTMENTS for c in d.columns if c.js)
    page = fetch(f"{city.base_url}/{dept.id}/zwgk/{column.code}/index.html").text()
    assert 'id="js-list"' in page and "content_" not in page.split('id="js-list"')[1].split("</ul>")[0]
    items = json.loads(fetch(f"{city.base_url}/{dept.id}/zwgk/{column.code}/list.json").body)
    assert len(items) == column.docs
