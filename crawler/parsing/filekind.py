"""What kind of file a download is, above all whether it is a compressed archive (zip, rar, 7z …).

Evidence, strongest first: the extension in the URL path, the Content-Disposition filename, a filename in
the query string, the Content-Type, then magic bytes. Office OOXML/ODF/OFD files are zip containers but
not archives.
"""

from __future__ import annotations

import re
import struct
from dataclasses import dataclass
from email.header import decode_header, make_header
from posixpath import basename
from urllib.parse import parse_qsl, unquote, urlsplit

__all__ = ["FileKind", "classify_file", "served_as_file"]


@dataclass(frozen=True)
class FileKind:
    """kind: "zip", "rar", "docx", "pdf", "html", "unknown" …; how: the evidence that decided it."""

    kind: str
    is_archive: bool
    how: str  # "extension" | "content-disposition" | "content-type" | "magic" | "none"
    filename: str | None


_ARCHIVE_KINDS = frozenset(
    {"zip", "rar", "7z", "tar", "gzip", "bzip2", "xz", "zstd", "cab", "compress", "arj", "lzh", "lzma"}
)
# Compound suffixes first: "a.tar.gz" is checked for ".tar.gz" before ".gz".
_COMPOUND = {"tar.gz": "gzip", "tar.bz2": "bzip2", "tar.xz": "xz", "tar.zst": "zstd", "tar.z": "compress"}
_EXTENSIONS = {
    "zip": "zip", "rar": "rar", "7z": "7z", "tar": "tar", "gz": "gzip", "tgz": "gzip", "bz2": "bzip2",
    "tbz": "bzip2", "tbz2": "bzip2", "xz": "xz", "txz": "xz", "zst": "zstd", "z": "compress",
    "cab": "cab", "arj": "arj", "lzh": "lzh", "lha": "lzh", "lzma": "lzma",
    "docx": "docx", "docm": "docx", "dotx": "docx", "xlsx": "xlsx", "xlsm": "xlsx", "xltx": "xlsx",
    "pptx": "pptx", "pptm": "pptx", "ppsx": "pptx", "odt": "odt", "ods": "ods", "odp": "odp",
    "ofd": "ofd", "pdf": "pdf", "doc": "doc", "dot": "doc", "xls": "xls", "ppt": "ppt", "pps": "ppt",
    "wps": "wps", "et": "et", "dps": "dps", "rtf": "rtf", "txt": "text", "csv": "csv",
    "html": "html", "htm": "html", "shtml": "html", "xhtml": "html", "xml": "xml",
    "jpg": "image", "jpeg": "image", "png": "image", "gif": "image", "bmp": "image", "webp": "image",
    "tif": "image", "tiff": "image", "svg": "image",
    "mp4": "video", "avi": "video", "wmv": "video", "flv": "video", "mov": "video",
    "mp3": "audio", "wav": "audio", "wma": "audio",
}
_CONTENT_TYPES = {
    "application/zip": "zip", "application/x-zip-compressed": "zip", "application/x-zip": "zip",
    "multipart/x-zip": "zip", "application/zip-compressed": "zip",
    "application/x-rar-compressed": "rar", "application/vnd.rar": "rar", "application/x-rar": "rar",
    "application/x-7z-compressed": "7z", "application/x-tar": "tar", "application/x-gtar": "tar",
    "application/gzip": "gzip", "application/x-gzip": "gzip", "application/x-gunzip": "gzip",
    "application/x-bzip2": "bzip2", "application/x-bzip": "bzip2", "application/x-xz": "xz",
    "application/zstd": "zstd", "application/x-zstd": "zstd", "application/vnd.ms-cab-compressed": "cab",
    "application/x-compress": "compress", "application/x-arj": "arj", "application/x-lzh-compressed": "lzh",
    "application/x-lzma": "lzma",
    "application/pdf": "pdf", "application/msword": "doc", "application/vnd.ms-excel": "xls",
    "application/vnd.ms-powerpoint": "ppt", "application/vnd.ms-works": "wps", "application/kswps": "wps",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "pptx",
    "application/vnd.oasis.opendocument.text": "odt",
    "application/vnd.oasis.opendocument.spreadsheet": "ods",
    "application/vnd.oasis.opendocument.presentation": "odp",
    "application/ofd": "ofd", "application/rtf": "rtf", "text/rtf": "rtf",
    "text/html": "html", "application/xhtml+xml": "html", "text/plain": "text", "text/csv": "csv",
    "text/xml": "xml", "application/xml": "xml",
}
# Said by servers about anything they serve as a download: no evidence of the kind.
_GENERIC_TYPES = frozenset({
    "application/octet-stream", "binary/octet-stream", "application/force-download",
    "application/download", "application/x-download", "application/unknown", "application/binary",
    "application/x-msdownload", "application/save", "application/x-unknown", "",
})
# Dynamic pages say nothing about what they return (download.jsp, getfile.aspx …).
_PAGE_EXTENSIONS = frozenset({"jsp", "jspx", "php", "asp", "aspx", "do", "action", "cgi", "ashx", "py"})
_OFFICE_ZIP_NAMES: tuple[tuple[str, str], ...] = (("word/", "docx"), ("xl/", "xlsx"), ("ppt/", "pptx"))
_ODF_MIMETYPES = {
    b"application/vnd.oasis.opendocument.text": "odt",
    b"application/vnd.oasis.opendocument.spreadsheet": "ods",
    b"application/vnd.oasis.opendocument.presentation": "odp",
    b"application/epub+zip": "epub",
}
_OOXML_MARKERS = ("[Content_Types].xml", "_rels/", "docProps/")


def _kind(kind: str, how: str, filename: str | None) -> FileKind:
    return FileKind(kind=kind, is_archive=kind in _ARCHIVE_KINDS, how=how, filename=filename)


def _kind_from_name(name: str) -> str | None:
    lowered = name.strip().strip("\"' ").lower()
    for suffix, kind in _COMPOUND.items():
        if lowered.endswith("." + suffix):
            return kind
    _, dot, ext = lowered.rpartition(".")
    if not dot or not ext or ext in _PAGE_EXTENSIONS:
        return None
    return _EXTENSIONS.get(ext)


def _repair(name: str) -> str:
    """Undo the usual header mangling: GBK or UTF-8 bytes read as latin-1, MIME words, %XX escapes."""
    if "=?" in name and "?=" in name:
        try:
            name = str(make_header(decode_header(name)))
        except (ValueError, LookupError, UnicodeError):
            pass
    if "%" in name:
        raw = unquote(name, encoding="latin-1")
        name = _repair_latin1(raw)
    else:
        name = _repair_latin1(name)
    return name


def _repair_latin1(name: str) -> str:
    if not any(0x80 <= ord(ch) <= 0xFF for ch in name) or any(ord(ch) > 0xFF for ch in name):
        return name
    raw = name.encode("latin-1")
    for encoding in ("utf-8", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return name


_EXT_PARAM = re.compile(r"filename\*\s*=\s*([^;]+)", re.I)
_PLAIN_PARAM = re.compile(r"""filename\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;]+))""", re.I)


def _disposition_filename(header: str | None) -> str | None:
    if not header:
        return None
    m = _EXT_PARAM.search(header)
    if m:
        value = m.group(1).strip().strip('"')
        charset, _, rest = value.partition("'")
        _, _, encoded = rest.partition("'")
        if encoded:
            try:
                return unquote(encoded, encoding=charset or "utf-8", errors="strict")
            except (LookupError, UnicodeDecodeError):
                return _repair(encoded)
    m = _PLAIN_PARAM.search(header)
    if m:
        value = m.group(1) if m.group(1) is not None else m.group(2)
        value = re.sub(r"\\(.)", r"\1", value).strip()
        return _repair(value) or None
    return None


def _query_filename(query: str) -> str | None:
    for _, value in parse_qsl(query, keep_blank_values=False):
        if _kind_from_name(basename(value.replace("\\", "/"))):
            return basename(value.replace("\\", "/"))
    return None


def _zip_entry_names(head: bytes, limit: int = 32) -> list[str]:
    """Names of the first local file headers of a zip, as far as head reaches."""
    names: list[str] = []
    pos = 0
    while len(names) < limit and pos + 30 <= len(head) and head[pos:pos + 4] == b"PK\x03\x04":
        flags, csize, nlen, xlen = (struct.unpack_from("<H", head, pos + 6)[0],
                                    struct.unpack_from("<I", head, pos + 18)[0],
                                    struct.unpack_from("<H", head, pos + 26)[0],
                                    struct.unpack_from("<H", head, pos + 28)[0])
        names.append(head[pos + 30:pos + 30 + nlen].decode("utf-8", "replace"))
        if names[-1] == "mimetype":
            break  # ODF: the mime type follows, stored uncompressed
        nxt = pos + 30 + nlen + xlen + csize
        if flags & 0x08 and csize == 0:
            # Sizes come after the data (streamed zip): look for the next header instead.
            found = head.find(b"PK\x03\x04", pos + 30 + nlen)
            nxt = found if found > 0 else len(head)
        pos = nxt
    return names


def _zip_kind(head: bytes) -> str:
    names = _zip_entry_names(head)
    if names and names[0] == "mimetype":
        for mimetype, kind in _ODF_MIMETYPES.items():
            if mimetype in head[:200]:
                return kind
        return "odf"
    if any(n in ("OFD.xml", "ofd.xml") for n in names):
        return "ofd"
    if not any(n.startswith(_OOXML_MARKERS) for n in names):
        return "zip"  # a folder called "word/" alone does not make an archive a .docx
    for prefix, kind in _OFFICE_ZIP_NAMES:
        if any(n.startswith(prefix) for n in names):
            return kind
    return "ooxml"  # an Office file whose distinctive part lies beyond head


def _magic_kind(head: bytes) -> str | None:
    if head[:2] == b"PK" and head[2:4] in (b"\x03\x04", b"\x05\x06", b"\x07\x08"):
        return _zip_kind(head)
    signatures = (
        (b"Rar!\x1a\x07", "rar"), (b"7z\xbc\xaf\x27\x1c", "7z"), (b"\xfd7zXZ\x00", "xz"),
        (b"\x28\xb5\x2f\xfd", "zstd"), (b"MSCF\x00\x00\x00\x00", "cab"), (b"%PDF-", "pdf"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "ole"), (b"\x89PNG\r\n\x1a\n", "image"),
        (b"GIF87a", "image"), (b"GIF89a", "image"), (b"\xff\xd8\xff", "image"), (b"{\\rtf", "rtf"),
        (b"\x1f\x8b", "gzip"), (b"\x1f\x9d", "compress"), (b"\x60\xea", "arj"),
    )
    for magic, kind in signatures:
        if head.startswith(magic):
            return kind
    if head[:3] == b"BZh" and head[3:4].isdigit():
        return "bzip2"
    if head[257:262] == b"ustar":
        return "tar"
    if len(head) > 6 and head[2:4] == b"-l" and head[6:7] == b"-" and head[4:5] in (b"h", b"z"):
        return "lzh"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image"
    sample = head[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if sample.startswith((b"<!doctype html", b"<html", b"<head", b"<meta", b"<title", b"<body")):
        return "html"
    if head and b"\x00" not in head[:512]:
        try:
            head[:512].decode("utf-8")
            return "text"
        except UnicodeDecodeError:
            pass
    return None


def classify_file(
    url: str,
    content_type: str | None = None,
    content_disposition: str | None = None,
    head: bytes = b"",
) -> FileKind:
    """Classify a download from its URL, headers and first bytes; never raises."""
    head = bytes(head or b"")
    try:
        parts = urlsplit((url or "").strip())
        path, query = unquote(parts.path), parts.query
    except ValueError:
        path, query = "", ""
    path_name = basename(path.replace("\\", "/")) or None

    kind = _kind_from_name(path_name or "")
    if kind is not None:
        return _kind(kind, "extension", path_name)

    disposition_name = _disposition_filename(content_disposition)
    if disposition_name:
        kind = _kind_from_name(disposition_name)
        if kind is not None:
            return _kind(kind, "content-disposition", disposition_name)

    query_name = _query_filename(query)
    if query_name:
        return _kind(_kind_from_name(query_name) or "unknown", "extension", query_name)

    filename = disposition_name or None
    mime = (content_type or "").split(";", 1)[0].strip().lower()
    magic = _magic_kind(head) if head else None
    if mime not in _GENERIC_TYPES:
        kind = _CONTENT_TYPES.get(mime)
        if kind is None and mime.startswith("image/"):
            kind = "image"
        if kind == "zip" and magic is not None and magic != "zip":
            # Servers label .docx as application/zip; the zip's own entries are better evidence.
            return _kind(magic, "magic", filename)
        if kind is not None:
            return _kind(kind, "content-type", filename)

    if magic is not None:
        return _kind(magic, "magic", filename)
    return _kind("unknown", "none", filename)


_PAGE_KINDS = frozenset({"html", "xml", "unknown"})


def served_as_file(content_type: str | None, content_disposition: str | None) -> bool:
    """The response's headers say it is a file rather than a web page: a Content-Disposition naming a file
    or saying "attachment", or a Content-Type of a document, archive or other download."""
    disposition = (content_disposition or "").lower()
    if "attachment" in disposition or _disposition_filename(content_disposition):
        return True
    mime = (content_type or "").split(";", 1)[0].strip().lower()
    if not mime:
        return False
    if mime in _GENERIC_TYPES:
        return True
    return _CONTENT_TYPES.get(mime, "html" if mime.startswith("text/") else "unknown") not in _PAGE_KINDS \
        or mime.startswith(("image/", "video/", "audio/"))
