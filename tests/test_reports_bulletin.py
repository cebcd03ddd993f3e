"""The 通报: DOCX in 公文 form with its three sections, a PDF made by LibreOffice, HTML that headless Chromium
renders, an XLSX with every finding; a round without problems, and the next bulletin on rectification."""
from __future__ import annotations

import subprocess
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import pytest
from docx import Document as open_docx
from openpyxl import load_workbook
from PIL import Image
from sqlalchemy import select

from reports.bulletin import XLSX_HEADER, write_bulletin
from reports.bulletin_context import BulletinSettings
from scheduler.jobs_spotcheck import draw_job, finish_round, record_manual_job, set_status_job, start_round
from store import clock
from store import models as m
from store.db import make_engine, session_factory
from store.models_evidence import Screenshot
from store.models_spotcheck import SpotcheckDraw, SpotcheckRound, StatusChangeError
from store.writer import RunWriter
from tests.test_spotcheck_draw import run_cli
from tests.test_spotcheck_round import CHECKLIST

CHROMIUM = ["/usr/bin/chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--no-first-run", "--disable-sync"]
HOSTILE = '<script>alert("x")</script>'
ISSUED = date(2026, 11, 20)
# department → broken link targets planted in its crawl (and one archive attachment for "fgw")
PLANTED = {"fgw": ["http://x/fgw/gone1.html", "http://x/fgw/gone2.html"], "jyj": ["http://x/jyj/gone.html"],
           "sfj": []}


def screenshot(html: Path, png: Path, height: int = 2400) -> Image.Image:
    """Render an HTML file in headless Chromium; the PNG must exist and show more than a blank page."""
    proc = subprocess.run([*CHROMIUM, f"--window-size=1000,{height}", f"--screenshot={png}", html.resolve().as_uri()],
                          capture_output=True, text=True, timeout=120)
    assert png.is_file(), proc.stderr[-2000:]
    image = Image.open(png).convert("L")
    dark = sum(image.histogram()[:128])
    assert dark > 0.01 * image.width * image.height, "the page rendered (almost) blank"
    return image


OFFICE = """office:
  name: 示例市一服务两公开领导小组办公室
  number_prefix: 示公开办
  basis: ["《示例市人民政府办公室关于进一步加强政务公开工作的通知》（示政办〔2025〕12号）"]
  copy_to: [示例市人民政府办公室, 示例市大数据发展局]
  contact: {person: 王明, phone: 0772-2801234, email: zwgk@example.gov.cn}
"""


def write_sites(path: Path, departments: dict[str, str], office: str = "") -> Path:
    lines = ["region: 示例市", *office.splitlines(), "departments:"]
    for dept_id, name in departments.items():
        lines += [f"  - id: {dept_id}", f"    name: {name}", "    kind: department",
                  "    catalog: municipal-department", f"    url: http://x/{dept_id}/zwgk/"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def crawl_rows(session, sites: Path, planted: dict[str, list[str]]) -> int:
    """A completed crawl run holding the planted link targets (the crawler itself is tested elsewhere)."""
    run = m.CrawlRun(sites_file=str(sites), sites_hash="h", started_at=clock.now(), status="completed",
                     departments=sorted(planted), finished_at=clock.now())
    session.add(run)
    session.commit()
    w = RunWriter(session, run.id)
    checked = datetime(2026, 11, 19, 10, 30)
    for dept, targets in planted.items():
        root = f"http://x/{dept}/zwgk/"
        w.column(department_id=dept, url=root, name="政府信息公开", parent_url=None, depth=0, page_count=1, note=None)
        w.column(department_id=dept, url=root + "tzgg/", name="通知公告", parent_url=root, depth=1, page_count=1,
                 note=None)
        w.document(url=root + "tzgg/t1.html", title="关于开展安全检查的通知", department_id=dept,
                   column_url=root + "tzgg/", first_seen_at=checked, fetched=True)
        for target in targets:
            w.link(department_id=dept, source_url=root + "tzgg/t1.html", target_url=target, anchor=HOSTILE, tag="a",
                   is_attachment=False)
            w.url_check(url=target, verdict="broken", reason="http_404", status=404, checked_at=checked)
    if planted.get("fgw") is not None:
        w.link(department_id="fgw", source_url="http://x/fgw/zwgk/tzgg/t1.html", target_url="http://x/fgw/a.rar",
               anchor="申报材料.rar", tag="attachment", is_attachment=True)
        w.url_check(url="http://x/fgw/a.rar", verdict="ok", status=200, checked_at=checked, is_archive=True,
                    sniffed_kind="rar", kind_how="extension")
    w.commit()
    return run.id


def make_round(db: str, sites: Path, checklist: Path, planted: dict[str, list[str]]) -> int:
    summary = draw_job(db, sites, share=1.0, checklist=checklist)
    with session_factory(make_engine(db))() as s:
        spot, registry = start_round(s, s.get(SpotcheckDraw, summary.id))
        finish_round(s, spot, crawl_rows(s, sites, planted), registry, as_of=ISSUED)
        return spot.id


@dataclass
class Bulletins:
    db: str
    first: int
    second: int
    out: Path
    cli: object


@pytest.fixture(scope="module")
def bulletins(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("bulletin")
    db = f"sqlite:///{tmp / 'zwgk.db'}"
    checklist = tmp / "checklist.yaml"
    checklist.write_text(CHECKLIST, encoding="utf-8")
    names = {"fgw": "示例市发展和改革委员会", "jyj": "示例市教育局", "sfj": "示例市司法局"}
    first = make_round(db, write_sites(tmp / "a.yaml", names, OFFICE), checklist, PLANTED)
    with session_factory(make_engine(db))() as s:
        fid = s.scalars(select(m.Finding.id).where(m.Finding.department_id == "jyj")).first()
        shot = s.scalars(select(m.Finding).where(m.Finding.department_id == "fgw")).first()
        png = tmp / "shot.png"  # an evidence screenshot, as `zwgk evidence screenshots` records it
        Image.new("RGB", (400, 240), (200, 30, 30)).save(png)
        s.add(Screenshot(check_run_id=shot.check_run_id, finding_ids=[shot.id], url=shot.url, taken_at=clock.now(),
                         path=str(png), width=400, height=240))
        s.commit()
    set_status_job(db, fid, "rectified", reason="已删除失效链接", by="市教育局")
    record_manual_job(db, first, "sfj", 1, "未完成政务公开工作人员备案", problem=True, by="检查组")
    with pytest.raises(StatusChangeError):  # item 6 is checked automatically: nothing to fill in by hand
        record_manual_job(db, first, "sfj", 6, "x", problem=True, by="检查组")
    second = make_round(db, write_sites(tmp / "b.yaml", {"tjj": "示例市统计局"}), checklist, {"tjj": []})
    record_manual_job(db, second, "tjj", 1, "已明确分管领导和工作人员", problem=False, by="检查组")
    refused = run_cli("--db", db, "report", "bulletin", str(first), "-o", str(tmp / "out"), "--date", ISSUED.isoformat())
    # fgw and jyj were drawn for manual item 1 too, and nobody recorded what was found there
    assert refused.code == 2 and "未记录结果" in refused.stderr and "--allow-pending" in refused.stderr
    assert "Traceback" not in refused.stderr and not (tmp / "out").exists()
    cli = run_cli("--db", db, "report", "bulletin", str(first), "-o", str(tmp / "out"), "--date", ISSUED.isoformat(),
                  "--allow-pending")
    return Bulletins(db, first, second, tmp / "out", cli)


def _text(path: Path) -> str:
    return "\n".join(p.text for p in open_docx(str(path)).paragraphs).replace("\u200b", "")


def test_cli_writes_every_format(bulletins):
    assert bulletins.cli.code == 0, bulletins.cli.stdout + bulletins.cli.stderr
    names = sorted(p.name for p in bulletins.out.iterdir())
    assert names == ["bulletin_2026_01.docx", "bulletin_2026_01.html", "bulletin_2026_01.pdf",
                     "bulletin_2026_01_问题清单.xlsx"]


def test_docx_is_a_gongwen_with_three_sections(bulletins):
    doc = open_docx(str(bulletins.out / "bulletin_2026_01.docx"))
    texts = [p.text for p in doc.paragraphs]
    assert "关于2026年第1期政务公开工作“三随机”抽查情况的通报" in texts
    for heading in ("一、抽查基本情况", "二、存在的主要问题", "三、整改要求"):
        assert heading in texts
    section = doc.sections[0]
    mm = [round(v.mm) for v in (section.page_width, section.page_height, section.top_margin, section.bottom_margin,
                                section.left_margin, section.right_margin)]
    assert mm == [210, 297, 37, 35, 28, 26]  # A4, GB/T 9704 margins
    heading = next(p for p in doc.paragraphs if p.text == "一、抽查基本情况")
    assert heading.runs[0]._element.rPr.rFonts.get(
        "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia") == "黑体"
    assert "PAGE" in section.footer._element.xml and "PAGE" in section.even_page_footer._element.xml
    body = "\n".join(texts)
    assert "\u200b" not in doc.element.xml  # an address copied out of the document works as it is
    assert "示例市发展和改革委员会2个、示例市教育局1个" in body  # named, with counts, most first
    assert "http://x/fgw/gone1.html" in body  # an example address
    assert "2026年12月4日前（10个工作日内）" in body  # deadline in working days from the bulletin date
    assert "附件：1. 2026年第1期各单位抽查结果统计表" in body
    # the inspector's manual finding is reported too, and its department is asked to fix it
    assert "人工核查发现的问题。示例市司法局（第1项“负责政务公开工作领导和人员情况”）：未完成政务公开工作人员备案。" in body
    assert "本期共发现问题5个（其中系统检测发现4个，人工核查发现1个），涉及3个单位" in body
    assert "请示例市发展和改革委员会、示例市教育局、示例市司法局对照附件2问题清单逐项整改" in body
    with session_factory(make_engine(bulletins.db))() as s:
        draw = s.get(SpotcheckDraw, s.get(SpotcheckRound, bulletins.first).draw_id)
    # hashes stay out of the body; the verification annex (附件3) carries what an outsider needs
    assert draw.commitment not in body and draw.seed not in body and "复核抽取结果所需的信息和方法见附件3" in body
    cells = {c.text for t in open_docx(str(bulletins.out / "bulletin_2026_01.docx")).tables
             for row in t.rows for c in row.cells}
    assert {draw.commitment, draw.seed, draw.secret} <= cells and "未事先公告" in cells
    assert "python3 checks/drawcore.py" in body
    # nobody recorded item 1 for fgw and jyj: the bulletin says so instead of clearing them
    assert "以下人工核查内容待核查，核查结果另行通报：第1项“负责政务公开工作领导和人员情况”（示例市发展和改革委员会、示例市教育局）" in body


def test_pdf_is_the_docx_converted_by_libreoffice(bulletins):
    pdf = bulletins.out / "bulletin_2026_01.pdf"
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    assert "LibreOffice" in info and "(A4)" in info and "Author:          示例市一服务两公开领导小组办公室" in info
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    text = "".join(text.split())  # pdftotext spaces out Latin digits between CJK characters
    for heading in ("一、抽查基本情况", "二、存在的主要问题", "三、整改要求", "附件2", "—1—", "—2—"):
        assert heading in text


def test_html_renders_in_chromium_and_escapes_crawled_text(bulletins, tmp_path):
    html = bulletins.out / "bulletin_2026_01.html"
    source = html.read_text(encoding="utf-8")
    assert "<script>alert" not in source and "&lt;script&gt;" in source
    # problems per department, share by category, and the evidence screenshot
    assert source.count("data:image/png;base64,") == 3 and "（截图留存）" in source
    screenshot(html, tmp_path / "bulletin.png")


def test_xlsx_lists_every_finding_of_the_round(bulletins):
    ws = load_workbook(bulletins.out / "bulletin_2026_01_问题清单.xlsx").active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == XLSX_HEADER
    with session_factory(make_engine(bulletins.db))() as s:
        spot = s.get(SpotcheckRound, bulletins.first)
        urls = sorted(s.scalars(select(m.Finding.url).where(m.Finding.check_run_id == spot.check_run_id)))
    col = {name: i for i, name in enumerate(XLSX_HEADER)}
    system = [r for r in rows[1:] if r[col["页面地址"]]]
    assert len(urls) == 4 and sorted(r[col["页面地址"]] for r in system) == urls
    # the manual problem the bulletin lists is tracked too, and every row has a number, deadline and status
    assert len(rows) == 1 + 5 and {r[col["单位"]] for r in rows[1:]} == {"示例市发展和改革委员会", "示例市教育局",
                                                                         "示例市司法局"}
    assert [r[col["问题编号"]] for r in rows[1:]] == [f"2026-01-{i:03d}" for i in range(1, 6)]
    assert all(r[col["整改期限"]] == "2026年12月4日" and r[col["整改建议"]] for r in rows[1:])
    assert sorted(r[col["整改状态"]] for r in rows[1:]).count("已整改") == 1  # jyj fixed its link
    evidence = [r[col["证据"]] for r in system]
    assert not any(e.startswith("{") for e in evidence) and any("HTTP状态码：404" in e for e in evidence)
    assert sum(bool(r[col["截图"]]) for r in rows[1:]) == 1  # with the screenshot file where there is one
    # tracking comforts: links, frozen header, filter, landscape print repeating the header
    link = next(c for c in ws[2] if c.column == col["页面地址"] + 1)
    assert link.hyperlink is not None and link.hyperlink.target == link.value
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref and ws.print_title_rows == "$1:$1"
    assert ws.page_setup.orientation == "landscape"


def test_office_section_gives_number_basis_contact_and_colophon(bulletins):
    doc = open_docx(str(bulletins.out / "bulletin_2026_01.docx"))
    texts = [p.text for p in doc.paragraphs]
    body = "\n".join(texts)
    assert texts.index("示公开办〔2026〕1号") < texts.index("关于2026年第1期政务公开工作“三随机”抽查情况的通报")
    assert "根据《示例市人民政府办公室关于进一步加强政务公开工作的通知》（示政办〔2025〕12号）" in body
    assert "柳政办" not in body.split("附件：")[0].replace("柳政办〔2018〕142号附件4", "")  # only as the checklist's origin
    assert "（联系人：王明，联系电话：0772-2801234，电子邮箱：zwgk@example.gov.cn）" in body
    assert "各县（区）人民政府，市直各有关单位：" in texts  # the county level is always addressed
    assert texts[-1].startswith("示例市一服务两公开领导小组办公室\t") and texts[-1].endswith("2026年11月20日印发")
    assert "抄送：示例市人民政府办公室，示例市大数据发展局。" in texts
    grid = doc.sections[0]._sectPr.find(
        "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}docGrid")
    assert grid is not None and grid.get(
        "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}linePitch") == "579"  # 22 lines
    # sealed 落款: the date four characters from the right, the issuer centred over it
    sig = next(p for p in doc.paragraphs if p.text == "示例市一服务两公开领导小组办公室" and p.alignment == 2)
    date_p = next(p for p in doc.paragraphs if p.text == "2026年11月20日" and p.alignment == 2)
    assert round(date_p.paragraph_format.right_indent.pt) == 64
    assert sig.paragraph_format.right_indent.pt < date_p.paragraph_format.right_indent.pt


def test_body_text_is_plain_formal_chinese():
    from reports.bulletin_text import plain_text

    assert plain_text("晚了 26 小时，于 2026-07-17 09:30:00 发布，本次抓取中") == "晚了26小时，于2026年7月17日9时30分发布，本次检测中"
    url = "http://x.gov.cn/2026-07-17/a b.html"
    assert url.split(" ")[0] in plain_text(f"见 {url}")  # an address is never rewritten


def test_a_round_without_problems_and_the_previous_rounds_rectification(bulletins, tmp_path):
    with session_factory(make_engine(bulletins.db))() as s:
        files = write_bulletin(s, s.get(SpotcheckRound, bulletins.second), tmp_path,
                               BulletinSettings(issued_on=ISSUED), pdf=False)
    body = _text(files.docx)
    for heading in ("一、抽查基本情况", "二、存在的主要问题", "三、整改要求"):
        assert heading in body
    assert "在本期抽查内容范围内，被抽查单位未发现问题" in body and "本期抽查未发现需要整改的问题" in body
    assert "本期抽查未发现问题。" in body  # 附件2
    # the previous round: 4 problems, 1 rectified → 25%; the departments still open are named
    assert "2026年第1期通报的4个问题中，已整改1个，整改率25%" in body
    assert "示例市发展和改革委员会3个（附件以压缩包形式发布、链接不可用）" in body
    assert "示例市教育局" not in body.split("尚未整改")[1]
    screenshot(files.html, tmp_path / "clean.png")
