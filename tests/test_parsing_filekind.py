from __future__ import annotations

import bz2
import gzip
import io
import lzma
import tarfile
import zipfile

import pytest

from crawler.parsing.filekind import FileKind, classify_file, served_as_file

DOWNLOAD = "http://www.example.gov.cn/module/download/download.jsp?fileid=88213"


def _zip_head(names: list[str], *, mimetype: str | None = None, size: int = 4096) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        if mimetype is not None:
            archive.writestr(zipfile.ZipInfo("mimetype"), mimetype)  # stored, first, as ODF requires
        for name in names:
            archive.writestr(name, "<xml>" + "内容" * 50 + "</xml>")
    return buffer.getvalue()[:size]


def _tar_head() -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        info = tarfile.TarInfo("附件/说明.txt")
        info.size = 3
        archive.addfile(info, io.BytesIO(b"abc"))
    return buffer.getvalue()[:1024]


DOCX = _zip_head(["[Content_Types].xml", "_rels/.rels", "word/document.xml", "docProps/core.xml"])
XLSX = _zip_head(["[Content_Types].xml", "_rels/.rels", "xl/workbook.xml"])
PPTX = _zip_head(["[Content_Types].xml", "_rels/.rels", "ppt/presentation.xml"])
ODT = _zip_head(["content.xml", "META-INF/manifest.xml"], mimetype="application/vnd.oasis.opendocument.text")
OFD = _zip_head(["OFD.xml", "Doc_0/Document.xml"])
ZIP = _zip_head(["附件1：申报表.doc", "附件2：汇总表.xls"])
ZIP_WITH_WORD_FOLDER = _zip_head(["word/通知.pdf", "word/附件.pdf"])


@pytest.mark.parametrize(
    ("url", "kind", "filename"),
    [
        ("http://x.gov.cn/files/附件.zip", "zip", "附件.zip"),
        ("http://x.gov.cn/files/a.ZIP", "zip", "a.ZIP"),
        ("http://x.gov.cn/files/a.rar", "rar", "a.rar"),
        ("http://x.gov.cn/files/a.7z", "7z", "a.7z"),
        ("http://x.gov.cn/files/a.tar", "tar", "a.tar"),
        ("http://x.gov.cn/files/a.tar.gz", "gzip", "a.tar.gz"),
        ("http://x.gov.cn/files/a.tgz", "gzip", "a.tgz"),
        ("http://x.gov.cn/files/a.gz", "gzip", "a.gz"),
        ("http://x.gov.cn/files/a.tar.bz2", "bzip2", "a.tar.bz2"),
        ("http://x.gov.cn/files/a.bz2", "bzip2", "a.bz2"),
        ("http://x.gov.cn/files/a.xz", "xz", "a.xz"),
        ("http://x.gov.cn/files/a.Z", "compress", "a.Z"),
        ("http://x.gov.cn/files/a.cab", "cab", "a.cab"),
        ("http://x.gov.cn/files/a.arj", "arj", "a.arj"),
        ("http://x.gov.cn/files/a.lzh", "lzh", "a.lzh"),
        ("http://x.gov.cn/files/a.zst", "zstd", "a.zst"),
        ("http://x.gov.cn/files/%E9%99%84%E4%BB%B6.rar?v=2#top", "rar", "附件.rar"),
    ],
)
def test_archive_by_url_extension(url: str, kind: str, filename: str) -> None:
    assert classify_file(url) == FileKind(kind=kind, is_archive=True, how="extension", filename=filename)


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("http://x.gov.cn/a.docx", "docx"), ("http://x.gov.cn/a.xlsx", "xlsx"), ("http://x.gov.cn/a.pptx", "pptx"),
        ("http://x.gov.cn/a.odt", "odt"), ("http://x.gov.cn/a.pdf", "pdf"), ("http://x.gov.cn/a.doc", "doc"),
        ("http://x.gov.cn/a.xls", "xls"), ("http://x.gov.cn/a.wps", "wps"), ("http://x.gov.cn/a.ofd", "ofd"),
        ("http://x.gov.cn/a.txt", "text"), ("http://x.gov.cn/a.html", "html"), ("http://x.gov.cn/a.JPG", "image"),
    ],
)
def test_documents_by_extension_are_not_archives(url: str, kind: str) -> None:
    found = classify_file(url)
    assert (found.kind, found.is_archive, found.how) == (kind, False, "extension")


@pytest.mark.parametrize(
    ("url", "head", "kind", "is_archive", "how"),
    [
        # an Office extension beats the zip magic it necessarily has
        ("http://x.gov.cn/a.docx", DOCX, "docx", False, "extension"),
        ("http://x.gov.cn/a.DOCX", ZIP, "docx", False, "extension"),
        # only magic: the zip's entry names decide between Office/ODF/OFD and a real archive
        (DOWNLOAD, DOCX, "docx", False, "magic"),
        (DOWNLOAD, XLSX, "xlsx", False, "magic"),
        (DOWNLOAD, PPTX, "pptx", False, "magic"),
        (DOWNLOAD, ODT, "odt", False, "magic"),
        (DOWNLOAD, OFD, "ofd", False, "magic"),
        (DOWNLOAD, ZIP, "zip", True, "magic"),
        (DOWNLOAD, ZIP_WITH_WORD_FOLDER, "zip", True, "magic"),
        (DOWNLOAD, DOCX[:64], "ooxml", False, "magic"),  # head cut inside the first entry
        (DOWNLOAD, b"PK\x05\x06" + b"\x00" * 18, "zip", True, "magic"),  # empty zip
        (DOWNLOAD, b"Rar!\x1a\x07\x00" + b"\x00" * 20, "rar", True, "magic"),
        (DOWNLOAD, b"Rar!\x1a\x07\x01\x00" + b"\x00" * 20, "rar", True, "magic"),  # RAR5
        (DOWNLOAD, b"7z\xbc\xaf\x27\x1c\x00\x04" + b"\x00" * 20, "7z", True, "magic"),
        (DOWNLOAD, gzip.compress(b"abc"), "gzip", True, "magic"),
        (DOWNLOAD, bz2.compress(b"abc"), "bzip2", True, "magic"),
        (DOWNLOAD, lzma.compress(b"abc"), "xz", True, "magic"),
        (DOWNLOAD, _tar_head(), "tar", True, "magic"),
        (DOWNLOAD, b"MSCF\x00\x00\x00\x00" + b"\x00" * 20, "cab", True, "magic"),
        (DOWNLOAD, b"\x28\xb5\x2f\xfd\x04\x00", "zstd", True, "magic"),
        (DOWNLOAD, b"%PDF-1.7\n%\xe2\xe3\xcf\xd3", "pdf", False, "magic"),
        (DOWNLOAD, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 20, "ole", False, "magic"),
        (DOWNLOAD, b"<!DOCTYPE html><html><head>", "html", False, "magic"),
        (DOWNLOAD, b"", "unknown", False, "none"),
        (DOWNLOAD, b"\x00\x01\x02\x03\x04", "unknown", False, "none"),
    ],
)
def test_magic_and_extension(url: str, head: bytes, kind: str, is_archive: bool, how: str) -> None:
    found = classify_file(url, head=head)
    assert (found.kind, found.is_archive, found.how) == (kind, is_archive, how)


@pytest.mark.parametrize(
    ("disposition", "kind", "filename"),
    [
        ('attachment; filename="申报材料.zip"', "zip", "申报材料.zip"),
        ("attachment; filename=report.RAR", "rar", "report.RAR"),
        ("attachment; filename*=UTF-8''%E7%94%B3%E6%8A%A5%E6%9D%90%E6%96%99.7z", "7z", "申报材料.7z"),
        ("attachment; filename=\"x.bin\"; filename*=utf-8''%E9%99%84%E4%BB%B6.tar.gz", "gzip", "附件.tar.gz"),
        ("attachment; filename*=GBK''%B8%BD%BC%FE.rar", "rar", "附件.rar"),
        ("attachment; filename=%E9%99%84%E4%BB%B6.zip", "zip", "附件.zip"),  # percent-encoded, no star
        ('attachment; filename="=?UTF-8?B?6ZmE5Lu2LnppcA==?="', "zip", "附件.zip"),  # MIME encoded word
        # raw GBK / UTF-8 header bytes that arrived decoded as latin-1
        ('attachment; filename="附件材料.zip"'.encode("gbk").decode("latin-1"), "zip", "附件材料.zip"),
        ('attachment; filename="附件材料.rar"'.encode("utf-8").decode("latin-1"), "rar", "附件材料.rar"),
        ('attachment; filename="通知.docx"', "docx", "通知.docx"),
    ],
)
def test_content_disposition_filename(disposition: str, kind: str, filename: str) -> None:
    found = classify_file(DOWNLOAD, "application/octet-stream", disposition, head=DOCX)
    assert found == FileKind(kind=kind, is_archive=kind not in ("docx",), how="content-disposition",
                             filename=filename)


@pytest.mark.parametrize(
    ("content_type", "kind", "is_archive"),
    [
        ("application/zip", "zip", True),
        ("application/x-zip-compressed", "zip", True),
        ("application/x-rar-compressed", "rar", True),
        ("application/vnd.rar", "rar", True),
        ("application/x-7z-compressed", "7z", True),
        ("application/x-tar", "tar", True),
        ("application/gzip", "gzip", True),
        ("application/x-gzip", "gzip", True),
        ("application/x-bzip2", "bzip2", True),
        ("application/x-xz", "xz", True),
        ("APPLICATION/ZIP; charset=binary", "zip", True),
        ("application/pdf", "pdf", False),
        ("application/msword", "doc", False),
        ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx", False),
        ("text/html; charset=utf-8", "html", False),
    ],
)
def test_content_type_when_url_and_disposition_say_nothing(content_type: str, kind: str, is_archive: bool) -> None:
    found = classify_file(DOWNLOAD, content_type)
    assert (found.kind, found.is_archive, found.how) == (kind, is_archive, "content-type")


def test_generic_octet_stream_is_no_evidence_so_magic_decides() -> None:
    found = classify_file(DOWNLOAD, "application/octet-stream", "attachment", head=b"Rar!\x1a\x07\x00")
    assert (found.kind, found.is_archive, found.how) == ("rar", True, "magic")


def test_zip_content_type_on_a_docx_body_is_docx() -> None:
    """Old servers label every .docx application/zip; the entries inside are better evidence."""
    found = classify_file(DOWNLOAD, "application/x-zip-compressed", head=DOCX)
    assert (found.kind, found.is_archive) == ("docx", False)


@pytest.mark.parametrize(
    ("url", "disposition", "expected"),
    [
        # extension in the path beats the header
        ("http://x.gov.cn/a.pdf", 'attachment; filename="a.zip"', ("pdf", False, "extension")),
        # a dynamic page's extension is no evidence
        ("http://x.gov.cn/getfile.aspx?id=1", 'attachment; filename="a.zip"', ("zip", True, "content-disposition")),
        # a filename in the query string of a download endpoint
        ("http://x.gov.cn/DownLoad.aspx?FileName=/upload/2026/材料.rar", None, ("rar", True, "extension")),
    ],
)
def test_decision_order(url: str, disposition: str | None, expected: tuple[str, bool, str]) -> None:
    found = classify_file(url, "application/octet-stream", disposition, head=DOCX)
    assert (found.kind, found.is_archive, found.how) == expected


@pytest.mark.parametrize("url", ["", "not a url", "http://[broken", "http://x.gov.cn/%ZZ.zip?%%%"])
@pytest.mark.parametrize("disposition", [None, "", "attachment; filename*=nonsense''%FF%FE.zip", "filename=\""])
def test_hostile_inputs_never_raise(url: str, disposition: str | None) -> None:
    found = classify_file(url, "text/;;;", disposition, head=b"PK\x03\x04\xff\xff")
    assert isinstance(found, FileKind)


@pytest.mark.parametrize(
    ("content_type", "disposition", "expected"),
    [
        ("application/pdf", None, True),
        ("application/octet-stream", None, True),
        ("text/html; charset=utf-8", 'attachment; filename="2026.xls"', True),
        ("text/html", "inline; filename=report.pdf", True),
        ("text/html; charset=utf-8", None, False),
        ("application/xhtml+xml", None, False),
        ("text/plain", None, True),
        ("image/png", None, True),
        (None, None, False),
        ("", "inline", False),
    ],
)
def test_served_as_file(content_type: str | None, disposition: str | None, expected: bool) -> None:
    assert served_as_file(content_type, disposition) is expected
