"""No raw personal number anywhere: a hostile site plants ID numbers (valid GB 11643 check digits) and mobile
numbers in titles, addresses, anchor and alt text, file names, response headers, redirect targets, page
bodies and attachments, and control sequences in titles and anchors. After crawl, check, findings in every
format, the HTML report, the self-check report and a spot-check bulletin, the database (every column but the
fetch addresses), every output file (DOCX/XLSX unzipped), the crawl log and everything printed hold none of
the planted numbers raw, and no escape sequence reached the terminal."""
from __future__ import annotations

import json
import shutil
import subprocess
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import sqlalchemy as sa

from store.safetext import is_valid_id_number
from tests.conftest import BACKENDS, _pg_database, run_zwgk
from tests.mockserver import MockServer, Reply, html, redirect

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def id_number(serial: int) -> str:
    body = f"11010519800101{serial:03d}"
    return body + "10X98765432"[sum(int(c) * w for c, w in zip(body, _WEIGHTS)) % 11]


IDS = {place: id_number(100 + i) for i, place in enumerate(
    ["title", "doc_url", "alt", "attachment_text", "attachment_anchor", "redirect", "broken_url", "body"])}
MOBILES = {place: f"1391234{i:04d}" for i, place in enumerate(
    ["doc_url", "anchor", "attachment_url", "attachment_text", "disposition", "header", "broken_redirect", "body",
     "column_title", "title"], start=1)}
PLANTED = sorted({*IDS.values(), *MOBILES.values()})
# what a page can do to a terminal: OSC 8 hyperlink, OSC 52 clipboard write, clear screen, bidi override,
# a backspace, and Rich markup
HOSTILE = ("\x1b]8;;http://evil.example/\x07点我\x1b]8;;\x07\x1b]52;c;ZXZpbA==\x07\x1b[2J\x1b[H\u202e"
           "\x08[link=http://evil.example/]假链接[/link][red]红[/red]")
ESCAPES = ("\x1b", "\x9b", "\x07", "\u202e", "\x08")


def _doc(title: str, body: str, links: str = "") -> str:
    return (f"<html><head><meta charset='utf-8'><title>{title}</title></head><body><h1>{title}</h1>"
            f"<table><tr><td>发布日期：</td><td>2026-11-10</td><td>索引号：</td><td>000-1</td></tr></table>"
            f"<div class='content'><p>{body}</p>{links}</div></body></html>")


def hostile_routes() -> dict:
    i, m = IDS, MOBILES
    docs = [("/h/zwgk/t1.html", f"关于{i['title']}同志任职的公示（{m['title']}）"),
            (f"/h/zwgk/t_{i['doc_url']}.html", "关于低保对象的公示"),
            (f"/h/zwgk/m{m['doc_url']}.html", "关于救助对象的公示"),
            ("/h/zwgk/t4.html", "关于危房改造的公示" + HOSTILE)]
    items = "".join(f"<li><a href='{href}'>{title}</a><span>2026-11-10</span></li>" for href, title in docs)
    links = (f"<a href='/h/zwgk/contact.html'>联系电话{m['anchor']}</a>"
             f"<a href='/h/zwgk/pic.html'><img src='/h/zwgk/p.png' alt='申请人{i['alt']}'></a>"
             f"<a href='/h/zwgk/files/{m['attachment_url']}.txt'>名单.txt</a>"
             f"<a href='/h/zwgk/files/list.txt'>名单{i['attachment_anchor']}.txt</a>"
             f"<a href='/h/zwgk/files/dl.txt'>下载.txt</a>"
             f"<a href='/h/zwgk/go.html'>办理结果</a>"
             f"<a href='/h/zwgk/go2.html'>原链接</a>"
             f"<a href='/h/zwgk/old/{i['broken_url']}.html'>已删除的公示{HOSTILE}</a>")
    page = html(_doc(docs[0][1], f"申请人身份证号{i['body']}，联系电话{m['body']}。", links))
    page.headers = {"X-Contact": m["header"]}
    text = f"名单：张三 {i['attachment_text']} {m['attachment_text']}\n".encode("utf-8")
    plain = lambda body: Reply(body=body, content_type="text/plain; charset=utf-8")  # noqa: E731
    return {
        "/h/zwgk/": html(f"<html><head><meta charset='utf-8'><title>政府信息公开 {m['column_title']}</title></head>"
                         f"<body><ul class='list'>{items}</ul></body></html>"),
        "/h/zwgk/t1.html": page,
        **{href: html(_doc(title, "正文。")) for href, title in docs[1:]},
        "/h/zwgk/contact.html": html(_doc("联系我们", "正文。")),
        "/h/zwgk/pic.html": html(_doc("图片", "正文。")),
        f"/h/zwgk/files/{m['attachment_url']}.txt": plain(text),
        "/h/zwgk/files/list.txt": plain("名单（已处理）\n".encode("utf-8")),
        "/h/zwgk/files/dl.txt": Reply(body=b"ok\n", content_type="text/plain",
                                      headers={"Content-Disposition": f'attachment; filename="{m["disposition"]}.txt"'}),
        "/h/zwgk/go.html": redirect(f"/h/zwgk/r/{i['redirect']}.html"),
        f"/h/zwgk/r/{i['redirect']}.html": html(_doc("办理结果", "正文。")),
        "/h/zwgk/go2.html": redirect(f"/h/zwgk/gone/{m['broken_redirect']}.html"),
    }


CHECKLIST = """id: test-privacy
name: 测试抽查内容
source: 柳政办〔2018〕142号
annex: 附件4
draw_items: 2
items:
  - number: 1
    name: 负责政务公开工作领导和人员情况
    manual: {field: 备案情况, prompt: 查阅备案表}
  - number: 6
    name: 门户网站政府信息公开专栏建设情况
    checks: [links.broken, privacy.id_number, privacy.mobile_number]
"""


def masked(number: str) -> str:
    return number[:4] + "*" * 10 + number[-4:] if len(number) == 18 else number[:3] + "****" + number[-4:]


@dataclass
class Scan:
    places: int = 0
    raw: list[str] = field(default_factory=list)
    escapes: list[str] = field(default_factory=list)
    masked_seen: set[str] = field(default_factory=set)

    def text(self, where: str, value: str, *, terminal: bool = False) -> None:
        self.places += 1
        self.raw += [f"{where}: {n}" for n in PLANTED if n in value]
        self.masked_seen.update(n for n in PLANTED if masked(n) in value)
        if terminal:
            self.escapes += [f"{where}: {e!r}" for e in ESCAPES if e in value]

    def file(self, path: Path) -> None:
        if path.suffix == ".pdf" and shutil.which("pdftotext"):  # the text LibreOffice laid out
            text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, timeout=120)
            self.text(f"{path.name} (text)", text.stdout.decode("utf-8", "replace"))
        if path.suffix in (".docx", ".xlsx"):
            with zipfile.ZipFile(path) as z:
                for name in z.namelist():
                    self.text(f"{path.name}:{name}", z.read(name).decode("utf-8", "replace"))
        else:
            self.text(path.name, path.read_bytes().decode("utf-8", "replace"))


def _walk(value, skip_urls: bool):
    if isinstance(value, dict):
        for v in value.values():
            yield from _walk(v, skip_urls)
    elif isinstance(value, list):
        for v in value:
            yield from _walk(v, skip_urls)
    elif isinstance(value, str):
        if not (skip_urls and value.startswith(("http://", "https://"))):
            yield value


def scan_database(db: str, scan: Scan) -> None:
    """Every column of every table, except the addresses kept to fetch pages again (url, *_url; in JSON
    evidence the http(s) strings a screenshot opens); compressed bodies decompressed."""
    from store.db import make_engine

    engine = make_engine(db)
    meta = sa.MetaData()
    meta.reflect(engine)
    with engine.connect() as conn:
        for table in meta.sorted_tables:
            for row in conn.execute(table.select()).mappings():
                for name, value in row.items():
                    if value is None or name == "url" or name.endswith("_url"):
                        continue
                    where = f"db {table.name}.{name}"
                    if isinstance(value, memoryview):
                        value = bytes(value)
                    if isinstance(value, bytes):
                        try:
                            value = zlib.decompress(value)
                        except zlib.error:
                            pass
                        scan.text(where, value.decode("latin-1"))
                    elif isinstance(value, str):
                        try:
                            parsed = json.loads(value) if value[:1] in "[{" else None
                        except ValueError:
                            parsed = None
                        if parsed is None:
                            scan.text(where, value)
                        else:
                            for text in _walk(parsed, skip_urls=True):
                                scan.text(where, text)
                    elif isinstance(value, (dict, list)):
                        for text in _walk(value, skip_urls=True):
                            scan.text(where, text)
    engine.dispose()


@pytest.fixture(scope="module", params=BACKENDS)
def audited(request, tmp_path_factory):
    tmp = tmp_path_factory.mktemp(f"privacy-{request.param}")
    if request.param == "sqlite":
        yield _audit(tmp, f"sqlite:///{tmp / 'zwgk.db'}")
        return
    databases = _pg_database()
    try:
        yield _audit(tmp, next(databases))
    finally:
        databases.close()


def _audit(tmp: Path, db: str):
    out = tmp / "out"
    out.mkdir()
    (tmp / "checklist.yaml").write_text(CHECKLIST, encoding="utf-8")
    results = {}
    with MockServer(hostile_routes()) as server:
        sites = tmp / "sites.yaml"
        sites.write_text("region: 测试市\ndepartments:\n  - {id: h, name: 测试局, kind: department, "
                         f"catalog: municipal-department, url: '{server.base_url}/h/zwgk/'}}\n", encoding="utf-8")

        def cli(name, *args):
            results[name] = run_zwgk("--db", db, *args)
            assert results[name].code in (0, 1), f"{name}: {results[name].stderr[-3000:]}"
            return results[name]

        cli("crawl", "crawl", str(sites), "--fast", "-v", "--log-file", str(out / "crawl.log"))
        cli("check", "check", str(sites), "--as-of", "2026-11-20")
        cli("findings_json", "findings", "--format", "json", "-o", str(out / "findings.json"))
        cli("findings_stdout", "findings", "--format", "json")
        cli("findings_table", "findings", "--format", "table")
        cli("findings_xlsx", "findings", "--format", "xlsx", "-o", str(out / "findings.xlsx"))
        cli("report_html", "report", "html", "-o", str(out / "report.html"))
        cli("report_self", "report", "self", "-d", "h", "-o", str(out / "self"))
        drawn = cli("draw", "spotcheck", "draw", str(sites), "--share", "1", "--checklist",
                    str(tmp / "checklist.yaml"), "--json")
        round_id = json.loads(drawn.stdout)["id"]
        cli("spot_run", "spotcheck", "run", str(round_id), "--fast", "--no-screenshots", "--now", "--reason", "测试")
        cli("bulletin", "report", "bulletin", str(round_id), "-o", str(out / "bulletin"), "--date", "2026-11-20", "--allow-pending")
    return db, out, results


def test_the_planted_numbers_are_where_the_site_put_them():
    assert all(is_valid_id_number(n) for n in IDS.values())
    assert len(PLANTED) == len(IDS) + len(MOBILES) == 18


def test_urls_with_personal_numbers_are_reported_masked(audited):
    _, out, _ = audited
    findings = json.loads((out / "findings.json").read_text(encoding="utf-8"))
    in_urls = [f for f in findings if f["check"].startswith("privacy.") and f["evidence"].get("location") == "URL"]
    shown = {f["url"] for f in in_urls}
    assert any(f"t_{IDS['doc_url'][:4]}**********{IDS['doc_url'][-4:]}.html" in u for u in shown), shown
    assert any(f"m139****{MOBILES['doc_url'][-4:]}.html" in u for u in shown), shown
    assert any(f"/r/{IDS['redirect'][:4]}" in u for u in shown), shown  # where a redirect led
    assert any(f"/gone/139****{MOBILES['broken_redirect'][-4:]}" in u for u in shown), shown
    body = [f for f in findings if f["check"] == "privacy.id_number" and f["evidence"].get("kind") == "page"]
    assert body, "the number in the page body is found as before"


def test_no_raw_number_in_database_outputs_logs_or_terminal(audited):
    db, out, results = audited
    scan = Scan()
    scan_database(db, scan)
    db_places = scan.places
    files = sorted(p for p in out.rglob("*") if p.is_file())
    assert {p.suffix for p in files} >= {".json", ".xlsx", ".html", ".docx", ".log"}, files
    for path in files:
        scan.file(path)
    for name, result in results.items():
        scan.text(f"{name} stdout", result.stdout, terminal=name != "findings_stdout")
        scan.text(f"{name} stderr", result.stderr, terminal=True)
        assert "Traceback" not in result.stderr, result.stderr
    print(f"privacy scan: {scan.places} places ({db_places} database values, {len(files)} files, "
          f"{2 * len(results)} outputs), {len(scan.raw)} raw numbers")
    assert scan.raw == [], scan.raw[:20]
    # every planted number was crawled and kept, masked: the scan looked where the numbers went
    assert scan.masked_seen == set(PLANTED), sorted(set(PLANTED) - scan.masked_seen)
    assert scan.escapes == [], scan.escapes[:20]
    assert db_places > 100


def test_control_sequences_do_not_break_exports(audited):
    _, out, results = audited
    from openpyxl import load_workbook

    for name in ("findings_table", "findings_xlsx", "report_self", "bulletin"):
        assert results[name].code == 0, results[name].stderr
    load_workbook(out / "findings.xlsx")
    table = results["findings_table"].stdout
    assert "假链接" in table or "已删除的公示" in table
    assert "\x1b]8" not in table and "\x1b]52" not in table
