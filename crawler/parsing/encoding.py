"""Turn a response body into text without mojibake, GBK pages served with no charset included.

Order of evidence: byte-order mark, charset in the Content-Type header, ``<meta>`` / XML declaration in the
first 4 KB, then sniffing (strict UTF-8, then GB18030). A declaration the bytes contradict is skipped.
"""

from __future__ import annotations

import codecs
import re

__all__ = ["decode_body"]

_HEAD_BYTES = 4096
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE: FF FE 00 00 starts with FF FE
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# GB2312 and GBK are subsets of GB18030; decoding with the superset loses nothing and copes with the
# characters real "gb2312" pages use anyway.
_ALIASES = {
    "gb2312": "gb18030", "gb_2312": "gb18030", "gb_2312-80": "gb18030", "gbk": "gb18030",
    "x-gbk": "gb18030", "cp936": "gb18030", "ms936": "gb18030", "windows-936": "gb18030",
    "csgb2312": "gb18030", "chinese": "gb18030", "euc-cn": "gb18030", "x-euc-cn": "gb18030",
    "gb18030": "gb18030", "big5-hkscs": "big5hkscs", "x-x-big5": "big5",
    "utf8": "utf-8", "unicode-1-1-utf-8": "utf-8",
    # Browsers read these as windows-1252 (WHATWG encoding standard).
    "iso-8859-1": "cp1252", "latin1": "cp1252", "latin-1": "cp1252", "us-ascii": "cp1252",
    "ascii": "cp1252", "iso8859-1": "cp1252",
}
# Western single-byte declarations are often a server default (Tomcat's ISO-8859-1) rather than a statement
# about the page, and they decode any bytes; on a page with non-ASCII bytes they are the last resort.
_WEAK = frozenset({"cp1252", "latin_1", "iso8859-1", "ascii"})

_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?\s*([A-Za-z0-9_.:\-]+)", re.I)
_META_CHARSET = re.compile(
    rb"""<meta\b[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_.:\-]+)""", re.I | re.S
)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml\b[^>]*?encoding\s*=\s*["']([A-Za-z0-9_.:\-]+)""", re.I)
_COMMENT = re.compile(rb"<!--.*?(?:-->|$)", re.S)


def _normalise(label: str | None) -> str | None:
    """A Python codec name for an encoding label, or None if the label is unknown."""
    if not label:
        return None
    label = label.strip().strip("\"'").lower()
    label = _ALIASES.get(label, label)
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    return _ALIASES.get(name, name)


def _charset_from_content_type(content_type: str | None) -> str | None:
    if not content_type:
        return None
    m = _HEADER_CHARSET.search(content_type)
    return _normalise(m.group(1)) if m else None


def _charset_from_markup(head: bytes) -> str | None:
    m = _XML_ENCODING.search(head)
    if m is None:
        m = _META_CHARSET.search(_COMMENT.sub(b"", head))
    if m is None:
        return None
    name = _normalise(m.group(1).decode("ascii", "replace"))
    # A page whose bytes could be read to find an ASCII <meta> is not UTF-16/32 (WHATWG rule).
    if name is not None and name.startswith(("utf-16", "utf_16", "utf-32", "utf_32")):
        return "utf-8"
    return name


def _strict(body: bytes, encoding: str) -> str | None:
    """body decoded without errors, allowing only a character cut off at the very end (a truncated read)."""
    try:
        return body.decode(encoding)
    except LookupError:
        return None
    except UnicodeDecodeError as error:
        start = error.start
    if start < len(body) - 3:
        return None
    try:
        return body[:start].decode(encoding) + "\ufffd"
    except UnicodeDecodeError:
        return None


def _mostly_utf8(body: bytes) -> str | None:
    """UTF-8 text with a few broken bytes (a truncated or damaged page), else None.

    GBK bytes read as UTF-8 give about one replacement character per Chinese character, genuine UTF-8 with
    one bad byte gives one in thousands, so the ratio tells them apart.
    """
    text = body.decode("utf-8", "replace")
    bad = text.count("\ufffd")
    good = sum(1 for ch in text if ord(ch) > 0x7F) - bad
    return text if good >= 20 * max(bad, 1) else None


def _is_rich_utf8(body: bytes) -> bool:
    text = _strict(body, "utf-8")
    return text is not None and sum(1 for ch in text if ord(ch) > 0x7F) >= 4


def decode_body(body: bytes, content_type: str | None = None) -> tuple[str, str]:
    """Decode an HTTP body to text; returns ``(text, encoding name)`` and never raises."""
    body = bytes(body or b"")
    for bom, name in _BOMS:
        if body.startswith(bom):
            text = body[len(bom):].decode(name, "replace")
            return text, name

    declared = [
        name
        for name in (_charset_from_content_type(content_type), _charset_from_markup(body[:_HEAD_BYTES]))
        if name is not None
    ]
    has_high_bytes = any(b > 0x7F for b in body)
    for name in declared:
        if name in _WEAK and has_high_bytes:
            continue
        if name == "gb18030" and _is_rich_utf8(body):
            # Templates copied between sites keep a stale "gb2312" meta; GBK text that is also valid
            # UTF-8 with several multibyte characters practically never happens.
            return body.decode("utf-8"), "utf-8"
        text = _strict(body, name)
        if text is not None:
            return text, name

    text = _strict(body, "utf-8")
    if text is not None:
        return text, "utf-8"
    text = _mostly_utf8(body)
    if text is not None:
        return text, "utf-8"
    text = _strict(body, "gb18030")
    if text is not None:
        return text, "gb18030"

    fallback = declared[0] if declared else "gb18030"
    return body.decode(fallback, "replace"), fallback
