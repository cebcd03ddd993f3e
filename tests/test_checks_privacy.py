"""Personal data: the detector (GB 11643 check digit, plausible birth date, mobile numbers, masked values
left alone), text extraction from real files, the privacy checks over stored hits, the sample city's
plants, and that no raw number is ever stored or printed."""
from __future__ import annotations

import zlib

import io
import re
import zipfile
from datetime import date

import pytest
from sqlalchemy import select

from checks.base import Status
from crawler.parsing.privacy import Leak, find_leaks, is_valid_id_number, mask_text
from crawler.parsing.textextract import extract_text
from samplecity import data, files, texts, truth
from store import models as m
from store.models_checks import PrivacyHit
from tests.test_checks_coverage import build, store  # noqa: F401 - fixtures

ID = texts.id_number("45010219800101123")  # valid check digit, born 1980-01-01
ID_X = next(i for i in (texts.id_number(f"45010219800101{n:03d}") for n in range(200)) if i.endswith("X"))
WRONG = ID[:17] + str((int(ID[17]) + 1) % 10) if ID[17] != "X" else ID[:17] + "0"
MOBILE = "13977123456"
TODAY = date(2026, 11, 20)


@pytest.mark.parametrize("text,expected", [
    (f"身份证号：{ID}。", [("id_number", ID[:4] + "*" * 10 + ID[-4:])]),
    (f"身份证号：{ID_X.lower()}", [("id_number", ID_X[:4] + "*" * 10 + ID_X[-4:])]),
    (f"身份证号：{WRONG}", []),  # check digit wrong
    (f"编号：{ID[:6]}20301231{ID[14:]}", []),  # born in the future
    (f"编号：{ID[:6]}18500101{ID[14:]}", []),  # too old to be alive
    (f"账号：9{ID}", []),  # part of a longer run of digits
    ("身份证号：35*************123", []),
    (f"身份证号：{ID[:4]}**********{ID[-4:]}", []),
    (f"电话：{MOBILE}", [("mobile_number", "139****3456")]),
    ("电话：139-7712-3456", [("mobile_number", "139****3456")]),
    ("电话：+86 139 7712 3456", [("mobile_number", "139****3456")]),
    ("电话：139****3456", []),
    ("电话：0771-2801234，传真：12345678901，订单：213977123456", []),
    (f"{MOBILE}与{MOBILE}", [("mobile_number", "139****3456")]),  # one hit per masked value
])
def test_find_leaks(text, expected):
    leaks = find_leaks(text, today=TODAY)
    assert [(leak.kind, leak.masked) for leak in leaks] == expected
    for leak in leaks:
        assert ID not in leak.excerpt and MOBILE not in leak.excerpt and len(leak.excerpt) <= 62
        assert not re.search(r"\d{8,}", leak.excerpt.replace("-", "").replace(" ", ""))


def test_excerpt_masks_every_number_around_the_leak():
    text = f"序号1 王某某 {ID} {MOBILE}；陈某某 {WRONG}（备注）"
    [id_leak, mobile_leak] = find_leaks(text, today=TODAY)
    for leak in (id_leak, mobile_leak):
        assert WRONG not in leak.excerpt and WRONG[:12] not in leak.excerpt and "王某某" in leak.excerpt
    assert isinstance(id_leak, Leak) and id_leak.excerpt.startswith("序号1")


def test_mask_text_keeps_length_and_masks_invalid_numbers_too():
    text = f"a{WRONG}b{MOBILE}c0771-2801234"
    masked = mask_text(text)
    assert len(masked) == len(text) and WRONG not in masked and MOBILE not in masked and "0771-2801234" in masked
    assert is_valid_id_number(ID, TODAY) and not is_valid_id_number(WRONG, TODAY)


def _docx(*paragraphs: str, table: list[list[str]] | None = None) -> bytes:
    import docx

    document = docx.Document()
    for p in paragraphs:
        document.add_paragraph(p)
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, value in enumerate(row):
                grid.cell(r, c).text = value
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _xlsx(rows: list[list[object]]) -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize("kind,body", [
    ("docx", _docx("低保对象名单", table=[["姓名", "身份证号"], ["王某某", ID]])),
    ("xlsx", _xlsx([["姓名", "身份证号", "电话"], ["王某某", ID, int(MOBILE)]])),
    ("xlsx", _xlsx([["身份证号", None, None], [None, None, ID]])),
    ("pdf", files.pdf(f"ID {ID} TEL {MOBILE}")),
    ("html", f"<html><body><p>身份证号：</p><td>{ID}</td><script>var x='{MOBILE}'</script></body></html>".encode()),
    ("text", f"姓名,身份证号\n王某某,{ID}\n".encode("gb18030")),
    ("csv", f"王某某,{ID}".encode()),
])
def test_extract_text_from_real_files(kind, body):
    text = extract_text(body, kind)
    assert text is not None and ID in text
    assert MOBILE not in (text if kind == "html" else "")  # script text is not page text


def _bomb() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", b"0" * (80 * 1024 * 1024))
    return out.getvalue()


@pytest.mark.parametrize("kind,body", [
    ("docx", b"PK\x03\x04 not really a docx"), ("xlsx", b"\x00" * 100), ("pdf", b"%PDF-1.4 broken"),
    ("doc", b"\xd0\xcf\x11\xe0 broken"), ("xls", b"junk"), ("docx", _bomb()), ("zip", b"PK\x03\x04"), ("pdf", b""),
])
def test_extract_text_never_raises(kind, body):
    assert extract_text(body, kind) is None


# --- the checks, over stored hits ---------------------------------------------------------------------

def _hits(b, *rows):
    for dept, page, source, kind, masked in rows:
        b.s.add(PrivacyHit(run_id=b.run.id, department_id=dept, document_url=page, source_url=source, kind=kind,
                           masked=masked, excerpt=f"姓名 王某某 {masked}"))


def test_privacy_findings_group_hits_per_page_or_attachment(build):
    b = build()
    page, sheet = "http://x/fgw/shjz/1.html", "http://x/fgw/files/dbmd.xlsx"
    b.s.add(m.Attachment(
        run_id=b.run.id, document_id=b.doc("低保名单公示", url=page).id, url=sheet, name="低保名单.xlsx"))
    _hits(b, ("fgw", page, sheet, "id_number", "4501**********1234"),
          ("fgw", page, sheet, "id_number", "4501**********5678"),
          ("fgw", page, page, "id_number", "4502**********0012"),
          ("fgw", page, sheet, "mobile_number", "139****3456"))
    status, found = b.check("privacy.id_number")
    assert status is Status.FAIL and [(f.url, f.evidence["count"]) for f in found] == [(sheet, 2), (page, 1)]
    attachment = found[0]
    assert attachment.evidence["kind"] == "attachment" and attachment.evidence["attachment_name"] == "低保名单.xlsx"
    assert "4501**********1234" in attachment.message and "低保名单.xlsx" in attachment.message
    assert [f.url for f in b.check("privacy.mobile_number")[1]] == [sheet]


def test_privacy_checks_know_when_nothing_was_scanned(build):
    b = build()
    assert b.check("privacy.id_number")[0] is Status.SKIPPED
    b.doc("一页没有个人信息的信息")
    assert b.check("privacy.id_number") == (Status.PASS, [])


# --- the sample city ------------------------------------------------------------------------------------

RAW = [*(t for t in (row[2] for row in data.DIBAO_ROWS[1:]) if "*" not in t), "13977123456",
       *(p.split("身份证号码：")[1][:18] for p in data.PLANTS[6].extra)]


def test_sample_city_leaks_are_exactly_the_planted_ones(sample_city):
    """The detector over the township's pages and attachments, fetched over HTTP (no crawler)."""
    from tests.test_samplecity import fetch

    city, expected = sample_city, truth.resolve(sample_city)
    found: set[tuple[str, str]] = set()
    for doc in city.site.docs["cgjd"]:
        sources = [(city.url(doc.url), "html")] + [(city.url(u), "xlsx") for _, u in doc.attachments]
        sources += [(city.url(link.url), "xlsx") for link in data.LINKS if link.dept == "cgjd"
                    and link.on == f"doc:{doc.path}:{doc.index}"]
        for url, kind in sources:
            for leak in find_leaks(extract_text(fetch(url).body, kind) or ""):
                found.add((f"privacy.{leak.kind}", url))
    assert found == {(check, e["url"]) for check in ("privacy.id_number", "privacy.mobile_number")
                     for e in expected[check]}
    assert all(r and (len(r) in (11, 18)) for r in RAW)


def test_privacy_checks_find_the_planted_leaks_end_to_end(audited_city, zwgk):
    city, db = audited_city.city, audited_city.db
    check = zwgk("--db", db, "check", str(audited_city.sites), "--as-of", city.anchor.isoformat(),
                 "-c", "privacy.id_number", "-c", "privacy.mobile_number")
    run_id = re.search(r"检查批次 #(\d+)", check.stdout).group(1)
    findings = zwgk("--db", db, "findings", "--format", "json", "--check-run", run_id).json()
    expected = truth.resolve(city)
    for check_id in ("privacy.id_number", "privacy.mobile_number"):
        got = sorted((f["department"], f["url"]) for f in findings if f["check"] == check_id)
        assert got == sorted((e["department"], e["url"]) for e in expected[check_id])


def test_no_raw_number_in_the_database_findings_or_report(audited_city, zwgk, tmp_path):
    from store.db import make_engine, session_factory

    report = tmp_path / "report.html"
    shown = [zwgk("--db", audited_city.db, "findings", "--format", "json"),
             zwgk("--db", audited_city.db, "report", "html", "-o", str(report))]
    texts_seen = [r.stdout + r.stderr for r in shown] + [report.read_text(encoding="utf-8"),
                                                          audited_city.crawl.stdout + audited_city.crawl.stderr]
    engine = make_engine(audited_city.db)
    with session_factory(engine)() as session:
        for table in m.Base.metadata.sorted_tables:
            texts_seen.extend(str(row) for row in session.execute(select(table)))
        # evidence bodies are stored compressed: look inside them too
        from store.models_evidence import SnapshotBody

        bodies = [zlib.decompress(b.data).decode("latin-1") for b in session.scalars(select(SnapshotBody))]
        assert any("4501" in body for body in bodies)  # the pages with the (masked) numbers were kept
        texts_seen.extend(bodies)
    engine.dispose()
    for raw in RAW:
        assert not [t for t in texts_seen if raw in t], raw
