"""Small but real binary bodies for the sample city: PDF, DOCX, XLSX, PNG and archive formats.

Every builder is deterministic (fixed timestamps) so two runs serve byte-identical files.
"""

from __future__ import annotations

import gzip
import io
import struct
import tarfile
import zipfile
import zlib
from collections.abc import Callable

_ZIP_TIME = (2024, 3, 15, 9, 30, 0)
_EPOCH_2024 = 1710466200  # 2024-03-15 09:30 +08:00, for tar and gzip headers


def pdf(text: str = "Sample City") -> bytes:
    """A one-page PDF 1.4 with a correct xref table."""
    stream = f"BT /F1 18 Tf 72 720 Td ({text}) Tj ET".encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _zip(entries: list[tuple[str, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.flag_bits |= 0x800  # names are UTF-8
            archive.writestr(info, data)
    return buffer.getvalue()


_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="{target}"/></Relationships>'
)


def docx(text: str = "示例市政府信息公开") -> bytes:
    """A minimal Word document; [Content_Types].xml is the first entry, as Office writes it."""
    content_types = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/word/document.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
    )
    document = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        f"<w:body><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:body></w:document>"
    )
    return _zip([
        ("[Content_Types].xml", content_types.encode()),
        ("_rels/.rels", _RELS.format(target="word/document.xml").encode()),
        ("word/document.xml", document.encode()),
    ])


def xlsx(rows: tuple[tuple[str, ...], ...] = (("序号", "事项"), ("1", "示例"))) -> bytes:
    """A minimal one-sheet workbook with inline strings."""
    content_types = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
    )
    workbook = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
    )
    workbook_rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
    )
    cells = []
    for r, row in enumerate(rows, start=1):
        values = "".join(
            f'<c r="{chr(65 + c)}{r}" t="inlineStr"><is><t>{value}</t></is></c>' for c, value in enumerate(row)
        )
        cells.append(f'<row r="{r}">{values}</row>')
    sheet = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"<sheetData>{''.join(cells)}</sheetData></worksheet>"
    )
    return _zip([
        ("[Content_Types].xml", content_types.encode()),
        ("_rels/.rels", _RELS.format(target="xl/workbook.xml").encode()),
        ("xl/workbook.xml", workbook.encode()),
        ("xl/_rels/workbook.xml.rels", workbook_rels.encode()),
        ("xl/worksheets/sheet1.xml", sheet.encode()),
    ])


def zip_archive() -> bytes:
    """A plain ZIP of loose files (not an Office container)."""
    return _zip([
        ("申报材料/填报说明.txt", "请按要求填写申报材料。\n".encode()),
        ("申报材料/申报表.txt", "单位名称：\n联系人：\n".encode()),
    ])


def _vint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def _rar5_header(fields: bytes) -> bytes:
    size = _vint(len(fields))
    return struct.pack("<I", zlib.crc32(size + fields)) + size + fields


def rar_archive(name: str = "说明.txt", data: bytes = "示例材料\n".encode()) -> bytes:
    """A RAR5 archive holding one stored file: signature, main header, file header, data, end header."""
    encoded = name.encode()
    main = _rar5_header(_vint(1) + _vint(0) + _vint(0))
    file_fields = (
        _vint(2)  # header type: file
        + _vint(0x02)  # header flags: data area present
        + _vint(len(data))  # data size
        + _vint(0x04)  # file flags: data CRC32 present
        + _vint(len(data))  # unpacked size
        + _vint(0x20)  # attributes
        + struct.pack("<I", zlib.crc32(data))
        + _vint(0)  # compression: version 0, method 0 (store)
        + _vint(0)  # host OS: Windows
        + _vint(len(encoded))
        + encoded
    )
    end = _rar5_header(_vint(5) + _vint(0) + _vint(0))
    return b"Rar!\x1a\x07\x01\x00" + main + _rar5_header(file_fields) + data + end


def sevenzip_archive() -> bytes:
    """An empty 7z archive: the 32-byte signature header with a valid start-header CRC."""
    start_header = struct.pack("<QQI", 0, 0, 0)
    return b"7z\xbc\xaf\x27\x1c\x00\x04" + struct.pack("<I", zlib.crc32(start_header)) + start_header


def tar_gz_archive() -> bytes:
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.USTAR_FORMAT) as archive:
        for name, text in (("tjsj/2024年统计数据.csv", "月份,数量\n1,12\n2,15\n"), ("tjsj/说明.txt", "统计口径说明\n")):
            data = text.encode()
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mtime = _EPOCH_2024
            archive.addfile(info, io.BytesIO(data))
    out = io.BytesIO()
    with gzip.GzipFile(fileobj=out, mode="wb", mtime=_EPOCH_2024) as compressed:
        compressed.write(raw.getvalue())
    return out.getvalue()


def png(rgb: tuple[int, int, int] = (200, 16, 16), size: int = 4) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    row = b"\x00" + bytes(rgb) * size
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(row * size))
        + chunk(b"IEND", b"")
    )


#: name used in data.py -> (builder, default Content-Type)
BODIES: dict[str, tuple[Callable[[], bytes], str]] = {
    "pdf": (pdf, "application/pdf"),
    "docx": (docx, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "xlsx": (xlsx, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "zip": (zip_archive, "application/zip"),
    "rar": (rar_archive, "application/octet-stream"),
    "7z": (sevenzip_archive, "application/x-7z-compressed"),
    "tar.gz": (tar_gz_archive, "application/gzip"),
    "png": (png, "image/png"),
}
