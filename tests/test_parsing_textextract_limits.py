"""Text extraction keeps its memory bounded per file: a DOCX whose XML is large but within the zip
limits is read as a stream (it cost 1.3 GB through python-docx), and gives the same text python-docx
gives for ordinary files."""
from __future__ import annotations

import io
import random
import subprocess
import sys
import zipfile

import docx

from crawler.parsing.textextract import MAX_CHARS, extract_text
from tests.conftest import ROOT


def _ordinary() -> bytes:
    document = docx.Document()
    document.add_paragraph("低保对象名单公示")
    p = document.add_paragraph("姓名：")
    p.add_run("王某某").bold = True
    p.add_run("\t备注")
    table = document.add_table(rows=2, cols=3)
    for r, row in enumerate([["姓名", "身份证号", "住址"], ["李某", "110101199003077777", "某街道\n某社区"]]):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    document.add_paragraph("以上名单如有异议请联系。")
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def _python_docx_text(body: bytes) -> str:
    document = docx.Document(io.BytesIO(body))
    lines = [p.text for p in document.paragraphs if p.text]
    lines += ["\t".join(cell.text for cell in row.cells) for table in document.tables for row in table.rows]
    return "\n".join(lines)


def big_docx(paragraphs: int) -> bytes:
    """A real DOCX whose document.xml holds `paragraphs` short paragraphs (random numbers: it compresses
    about 10:1, inside the extractor's ratio and size limits)."""
    buf = io.BytesIO()
    docx.Document().save(buf)
    source = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    out, rnd = io.BytesIO(), random.Random(1)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "word/document.xml":
                head, tail = data.split(b"<w:body>")
                runs = b"".join(b"<w:p><w:r><w:t>%d</w:t></w:r></w:p>" % rnd.randrange(10**6) for _ in range(paragraphs))
                data = head + b"<w:body>" + runs + tail
            archive.writestr(info, data, compresslevel=9)
    return out.getvalue()


def test_streamed_docx_text_is_what_python_docx_reads():
    body = _ordinary()
    assert extract_text(body, "docx") == _python_docx_text(body)


def test_a_large_docx_within_the_limits_is_read_in_bounded_memory(tmp_path):
    body = big_docx(1_500_000)
    declared = sum(i.file_size for i in zipfile.ZipFile(io.BytesIO(body)).infolist())
    assert declared > 50 * 1024 * 1024 and len(body) < 8 * 1024 * 1024  # large, yet inside the zip limits
    path = tmp_path / "big.docx"
    path.write_bytes(body)
    # in a fresh process, so that its peak resident memory is this file's alone
    script = ("import resource, sys; from crawler.parsing.textextract import extract_text; "
              "body = open(sys.argv[1], 'rb').read(); base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss; "
              "text = extract_text(body, 'docx'); "
              "print(len(text or ''), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - base)")
    proc = subprocess.run([sys.executable, "-c", script, str(path)], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    chars, grown_kib = map(int, proc.stdout.split())
    assert chars >= MAX_CHARS - 10  # it read as far as the text budget
    assert grown_kib < 150 * 1024, f"{grown_kib // 1024} MiB"  # python-docx: ≈1 GiB for this file


def _openpyxl_text(body: bytes) -> str:
    import openpyxl

    from crawler.parsing.textextract import _cell

    book = openpyxl.load_workbook(io.BytesIO(body), read_only=True, data_only=True)
    lines = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows(values_only=True):
            lines.append("\t".join(_cell(v) for v in row).rstrip("\t"))
    return "\n".join(line for line in lines if line)


def test_streamed_xlsx_text_is_what_openpyxl_reads():
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    for row in (["姓名", "身份证号", "电话", "补助"], ["王某某", "450103199001011234", 13800138000, 1250.5],
                [None, None, "备注：无"], [True, 4.5e17, -3, "=不是公式"]):
        sheet.append(row)
    second = book.create_sheet("第二页")
    second["C2"] = "只在第三列"
    buf = io.BytesIO()
    book.save(buf)
    body = buf.getvalue()
    assert extract_text(body, "xlsx") == _openpyxl_text(body)


def big_xlsx(strings: int) -> bytes:
    """A real XLSX whose shared-string table holds `strings` entries (inside the zip limits)."""
    import openpyxl

    book = openpyxl.Workbook()
    book.active["A1"] = "x"
    buf = io.BytesIO()
    book.save(buf)
    source = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    out, rnd = io.BytesIO(), random.Random(2)
    main = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "[Content_Types].xml":
                data = data.replace(b"</Types>", b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                                    b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
            elif info.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(b"</Relationships>", b'<Relationship Type="http://schemas.openxmlformats.org/'
                                    b'officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml" '
                                    b'Id="rId99"/></Relationships>')
            elif info.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b'<c r="A1" t="inlineStr"><is><t>x</t></is></c>', b'<c r="A1" t="s"><v>0</v></c>')
            archive.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED)
        table = b"".join(b"<si><t>%d</t></si>" % rnd.randrange(10**6) for _ in range(strings))
        archive.writestr("xl/sharedStrings.xml", b'<sst xmlns="' + main + b'">' + table + b"</sst>")
    return out.getvalue()


def _peak(tmp_path, body: bytes, kind: str) -> tuple[int, int, float]:
    """(characters of text, growth of peak resident memory in KiB, seconds) of one extraction, measured in a
    fresh process so that the peak is this file's alone."""
    path = tmp_path / f"big.{kind}"
    path.write_bytes(body)
    script = ("import resource, sys, time; from crawler.parsing.textextract import extract_text; "
              "body = open(sys.argv[1], 'rb').read(); base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss; "
              "start = time.monotonic(); text = extract_text(body, sys.argv[2]); "
              "print(len(text or ''), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - base, time.monotonic() - start)")
    proc = subprocess.run([sys.executable, "-c", script, str(path), kind], cwd=ROOT, capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr
    chars, grown, seconds = proc.stdout.split()
    return int(chars), int(grown), float(seconds)


def test_a_large_shared_string_table_is_read_in_bounded_memory_and_time(tmp_path):
    body = big_xlsx(2_500_000)
    declared = sum(i.file_size for i in zipfile.ZipFile(io.BytesIO(body)).infolist())
    assert declared > 50 * 1024 * 1024  # inside the 64 MB limit; openpyxl: 444 MB and 112 s
    chars, grown_kib, seconds = _peak(tmp_path, body, "xlsx")
    assert chars > 0
    assert grown_kib < 150 * 1024, f"{grown_kib // 1024} MiB"
    assert seconds < 40, seconds
