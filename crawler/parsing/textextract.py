"""Plain text of a downloaded file (HTML, TXT/CSV, DOCX, XLSX, PDF; DOC/WPS/XLS best effort), for scans
such as the privacy check.

Everything crawled is hostile: work is bounded (pages, rows, cells, characters, decompressed sizes) and a
corrupt or unsupported file gives None, never an exception.
"""
from __future__ import annotations

import io
import logging
import re
import zipfile

from .encoding import decode_body

__all__ = ["MAX_CHARS", "extract_text"]

log = logging.getLogger(__name__)

MAX_CHARS = 1_000_000  # text kept per file: enough for a long 低保 list, bounded for a hostile one
MAX_PDF_PAGES = 100
MAX_ROWS = 20_000  # per workbook
MAX_CELLS_PER_ROW = 60
MAX_SHEETS = 20
MAX_UNZIPPED = 64 * 1024 * 1024  # total declared uncompressed size of an Office file (zip bombs)
MAX_RATIO = 200  # declared uncompressed / compressed size above this is treated as a bomb


class _Enough(Exception):
    """The character budget is spent; what was read so far is the answer."""


class _Text:
    def __init__(self) -> None:
        self.parts: list[str] = []
        self.size = 0

    def add(self, text: str) -> None:
        if not text:
            return
        self.parts.append(text)
        self.size += len(text) + 1
        if self.size >= MAX_CHARS:
            raise _Enough

    def value(self) -> str:
        return "\n".join(self.parts)[:MAX_CHARS]


def _html(body: bytes) -> str:
    from ._html import iter_text_lines, make_soup

    text, _ = decode_body(body, None)
    soup = make_soup(text)
    return "\n".join(iter_text_lines(soup.body or soup))


def _plain(body: bytes) -> str:
    text, _ = decode_body(body, "text/plain")
    return text


def _safe_zip(body: bytes) -> zipfile.ZipFile:
    archive = zipfile.ZipFile(io.BytesIO(body))
    declared = sum(i.file_size for i in archive.infolist())
    packed = sum(i.compress_size for i in archive.infolist()) or 1
    if declared > MAX_UNZIPPED or declared / packed > MAX_RATIO:
        raise ValueError("office file decompresses beyond the limits")
    return archive


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_DOCX_BODY = "word/document.xml"


def _docx(body: bytes, out: _Text) -> None:
    """The paragraphs, then table rows (cells joined by tabs), of word/document.xml, parsed as a stream.

    python-docx builds the whole XML tree and an object per paragraph: a 630 kB file within the size
    limits took 1.3 GB. Here each paragraph or table row is read, written out and dropped, so memory
    stays that of one element whatever the file's size; reading stops at MAX_CHARS.
    """
    from lxml import etree

    archive = _safe_zip(body)
    rows: list[str] = []  # table rows come after the paragraphs, as python-docx listed them
    row_chars = 0
    with archive.open(_DOCX_BODY) as stream:
        tables = 0
        try:
            for event, element in etree.iterparse(stream, events=("start", "end"), resolve_entities=False,
                                                  no_network=True, huge_tree=False):
                tag = element.tag
                if event == "start":
                    tables += tag == f"{_W}tbl"
                    continue
                if tag == f"{_W}p" and not tables:
                    out.add(_docx_text(element))
                elif tag == f"{_W}tr" and tables == 1 and len(rows) < MAX_ROWS and row_chars < MAX_CHARS:
                    cells = element.iterchildren(f"{_W}tc")
                    rows.append("\t".join("\n".join(_docx_text(p) for p in cell.iter(f"{_W}p"))
                                          for _, cell in zip(range(MAX_CELLS_PER_ROW), cells)))
                    row_chars += len(rows[-1]) + 1
                elif tag == f"{_W}tbl":
                    tables -= 1
                else:
                    continue
                if not tables or tag == f"{_W}tbl" or tag == f"{_W}tr":
                    element.clear(keep_tail=False)
                    parent = element.getparent()
                    while parent is not None and element.getprevious() is not None:
                        del parent[0]  # the siblings already read
        except etree.XMLSyntaxError:  # a corrupt or hostile tail: what was read before it stands
            pass
    for row in rows:
        out.add(row)


def _docx_text(paragraph) -> str:
    """A paragraph's text as python-docx gives it: its runs' text, tabs and line breaks."""
    parts = []
    for node in paragraph.iter(f"{_W}t", f"{_W}tab", f"{_W}br", f"{_W}cr"):
        if node.tag == f"{_W}t":
            parts.append(node.text or "")
        elif node.tag == f"{_W}tab":
            parts.append("\t")
        else:
            parts.append("\n")
    return "".join(parts)


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        # an ID or phone number typed as a number comes back as 4.5e17; write its digits
        return str(int(value))
    return str(value)


_S = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
# shared strings kept for cell look-ups: a hostile workbook declares millions (openpyxl took 444 MB and
# 112 s for 55 MB of them); cells referring past these limits read as empty
MAX_SHARED_STRINGS = 500_000
MAX_SHARED_CHARS = 4 * MAX_CHARS
_SHEET = re.compile(r"^xl/worksheets/sheet(\d+)\.xml$")
_INTEGER = re.compile(r"^-?\d+$")
_COLUMN = re.compile(r"^([A-Z]{1,3})")


def _xlsx(body: bytes, out: _Text) -> None:
    """The rows of each worksheet (cells joined by tabs), parsed as a stream; cell values as openpyxl's
    read-only mode gives them (numbers typed as numbers written as their digits)."""
    archive = _safe_zip(body)
    names = archive.namelist()
    shared = _shared_strings(archive) if "xl/sharedStrings.xml" in names else []
    sheets = sorted((int(m.group(1)), n) for n in names if (m := _SHEET.match(n)))
    rows = 0
    for _, name in sheets[:MAX_SHEETS]:
        for row in _stream(archive, name, f"{_S}row"):
            rows += 1
            if rows > MAX_ROWS:
                return
            values: list[str] = []
            for cell in row.iterchildren(f"{_S}c"):
                column = _column_index(cell.get("r"), len(values))
                if column >= MAX_CELLS_PER_ROW:
                    break
                values.extend([""] * (column - len(values)))
                values.append(_xlsx_value(cell, shared))
            out.add("\t".join(values).rstrip("\t"))


def _stream(archive: zipfile.ZipFile, name: str, tag: str):
    """The `tag` elements of an archive member, each dropped once the caller has read it."""
    from lxml import etree

    with archive.open(name) as stream:
        try:
            for _, element in etree.iterparse(stream, events=("end",), tag=tag, resolve_entities=False,
                                              no_network=True, huge_tree=False):
                yield element
                element.clear(keep_tail=False)
                parent = element.getparent()
                while parent is not None and element.getprevious() is not None:
                    del parent[0]
        except etree.XMLSyntaxError:  # a corrupt tail: what was read before it stands
            return


def _shared_strings(archive: zipfile.ZipFile) -> list[str]:
    strings: list[str] = []
    chars = 0
    for item in _stream(archive, "xl/sharedStrings.xml", f"{_S}si"):
        text = "".join(t.text or "" for t in item.iter(f"{_S}t") if t.getparent().tag != f"{_S}rPh")
        strings.append(text)
        chars += len(text)
        if len(strings) >= MAX_SHARED_STRINGS or chars >= MAX_SHARED_CHARS:
            break
    return strings


def _column_index(ref: str | None, default: int) -> int:
    match = _COLUMN.match(ref or "")
    if not match:
        return default
    index = 0
    for letter in match.group(1):
        index = index * 26 + ord(letter) - 64
    return index - 1


def _xlsx_value(cell, shared: list[str]) -> str:
    kind = cell.get("t", "n")
    if kind == "inlineStr":
        return "".join(t.text or "" for t in cell.iter(f"{_S}t"))
    value = cell.findtext(f"{_S}v")
    if value is None:
        return ""
    if kind == "s":
        index = int(value) if value.strip().isdigit() else -1
        return shared[index] if 0 <= index < len(shared) else ""
    if kind == "b":
        return "True" if value.strip() == "1" else "False"
    if kind in ("str", "e", "d"):
        return value
    value = value.strip()
    if _INTEGER.match(value):
        return str(int(value))
    try:
        return _cell(float(value))
    except ValueError:
        return value


def _xls(body: bytes, out: _Text) -> None:
    import xlrd

    book = xlrd.open_workbook(file_contents=body, on_demand=True)
    rows = 0
    for index in range(min(book.nsheets, MAX_SHEETS)):
        sheet = book.sheet_by_index(index)
        for r in range(sheet.nrows):
            rows += 1
            if rows > MAX_ROWS:
                return
            out.add("\t".join(_cell(v) for v in sheet.row_values(r, 0, MAX_CELLS_PER_ROW)).rstrip("\t"))


def _pdf(body: bytes, out: _Text) -> None:
    from pypdf import PdfReader

    quiet = logging.getLogger("pypdf")
    if quiet.level != logging.ERROR:  # hostile PDFs make pypdf chatty; setLevel itself clears every logger's cache
        quiet.setLevel(logging.ERROR)
    reader = PdfReader(io.BytesIO(body), strict=False)
    for page in reader.pages[:MAX_PDF_PAGES]:
        out.add(page.extract_text() or "")


# UTF-16LE runs of CJK, ASCII and full-width punctuation: how Word 97 and WPS store text of Chinese documents
_UTF16_RUN = re.compile(rb"(?:[\x20-\x7e\t\r\n]\x00|[\x00-\xff][\x30-\x9f\xff]){4,}")


def _ole_word(body: bytes, out: _Text) -> None:
    """Best effort for .doc/.wps: the text runs of the WordDocument stream (no full Word parser)."""
    import olefile

    with olefile.OleFileIO(io.BytesIO(body)) as ole:
        stream = next((s for s in ("WordDocument", "WpsDocument") if ole.exists(s)), None)
        if stream is None:
            raise ValueError("no document stream")
        data = ole.openstream(stream).read(MAX_UNZIPPED)
    for run in _UTF16_RUN.findall(data):
        out.add(run.decode("utf-16-le", "ignore"))


_EXTRACTORS = {"docx": _docx, "xlsx": _xlsx, "xls": _xls, "et": _xls, "pdf": _pdf, "doc": _ole_word, "wps": _ole_word}


def extract_text(body: bytes, kind: str) -> str | None:
    """The text of a file of `kind` (as crawler.parsing.classify_file names it), or None when the kind
    is not text-bearing or the file cannot be read."""
    if not body:
        return None
    try:
        if kind == "html":
            return _html(body)[:MAX_CHARS]
        if kind in ("text", "csv"):
            return _plain(body)[:MAX_CHARS]
        extractor = _EXTRACTORS.get(kind)
        if extractor is None:
            return None
        out = _Text()
        try:
            extractor(body, out)
        except _Enough:
            pass
        return out.value()
    except Exception as exc:  # corrupt or hostile file: no text, and the crawl goes on
        log.debug("no text from %s file: %s", kind, exc)
        return None
