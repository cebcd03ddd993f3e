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
