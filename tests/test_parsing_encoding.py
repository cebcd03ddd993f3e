from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from crawler.parsing.encoding import decode_body

PAGES = Path(__file__).parent / "pages"
TEXT = "<html><head><title>通知公告</title></head><body>关于做好2026年冬季安全生产工作的通知，请镕钢厂周边单位注意。</body></html>"


def test_gbk_page_saved_without_any_charset_decodes_without_mojibake() -> None:
    body = (PAGES / "gbk" / "list_gbk.html").read_bytes()
    text, encoding = decode_body(body)
    assert encoding == "gb18030"
    assert "<title>通知公告--示例镇人民政府</title>" in text
    assert "关于做好冬季森林防火和镕钢厂周边安全隐患排查的通知" in text  # 镕 is GBK, not GB2312
    assert "\ufffd" not in text


@pytest.mark.parametrize(
    ("body", "content_type", "expected_encoding"),
    [
        # byte-order marks win over everything
        (codecs.BOM_UTF8 + TEXT.encode("utf-8"), "text/html; charset=gbk", "utf-8"),
        (codecs.BOM_UTF16_LE + TEXT.encode("utf-16-le"), None, "utf-16-le"),
        (codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be"), None, "utf-16-be"),
        # header charset, gb2312/gbk read as the gb18030 superset
        (TEXT.encode("gbk"), "text/html; charset=GB2312", "gb18030"),
        (TEXT.encode("gbk"), 'text/html; charset="gbk"', "gb18030"),
        (TEXT.encode("utf-8"), "text/html;charset=utf-8", "utf-8"),
        # <meta> in the first 4 KB
        (b'<meta charset="gbk">' + TEXT.encode("gbk"), None, "gb18030"),
        (b'<meta http-equiv="Content-Type" content="text/html; charset=gb2312">' + TEXT.encode("gbk"), None,
         "gb18030"),
        (b'<?xml version="1.0" encoding="GBK"?>' + TEXT.encode("gbk"), None, "gb18030"),
        # sniffing when nothing is declared
        (TEXT.encode("utf-8"), None, "utf-8"),
        (TEXT.encode("gbk"), None, "gb18030"),
        (TEXT.encode("gbk"), "text/html", "gb18030"),
        # declarations the bytes contradict are skipped
        (TEXT.encode("gbk"), "text/html; charset=UTF-8", "gb18030"),
        (TEXT.encode("gbk"), "text/html; charset=ISO-8859-1", "gb18030"),  # Tomcat default
        (b'<meta charset="utf-8">' + TEXT.encode("gbk"), None, "gb18030"),
        (b'<meta charset="gb2312">' + TEXT.encode("utf-8"), None, "utf-8"),  # stale template meta
        (b"<!-- <meta charset=\"gbk\"> -->" + TEXT.encode("utf-8"), None, "utf-8"),  # commented out
    ],
)
def test_encoding_evidence_order(body: bytes, content_type: str | None, expected_encoding: str) -> None:
    text, encoding = decode_body(body, content_type)
    assert encoding == expected_encoding
    assert "关于做好2026年冬季安全生产工作的通知" in text
    assert "\ufffd" not in text


def test_utf8_page_with_one_damaged_byte_stays_utf8() -> None:
    body = TEXT.encode("utf-8") * 5 + b"\xff" + TEXT.encode("utf-8")
    text, encoding = decode_body(body)
    assert encoding == "utf-8"
    assert text.count("关于做好2026年冬季安全生产工作的通知") == 6


@pytest.mark.parametrize(("codec", "cut", "expected"), [("utf-8", 1, "utf-8"), ("utf-8", 2, "utf-8"),
                                                       ("gbk", 1, "gb18030")])
def test_body_truncated_inside_a_character(codec: str, cut: int, expected: str) -> None:
    """Crawlers read only the first N bytes; the last character may be cut in half."""
    head = TEXT[: TEXT.index("镕")].encode(codec)
    text, encoding = decode_body(head + "镕".encode(codec)[:cut])
    assert encoding == expected
    assert text == TEXT[: TEXT.index("镕")] + "\ufffd"


def test_ascii_page_without_declaration_is_utf8() -> None:
    assert decode_body(b"<html><body>ok</body></html>") == ("<html><body>ok</body></html>", "utf-8")


@pytest.mark.parametrize(
    "body",
    [b"", b"\x00\x00\x00", b"\xff\xfe\xfd" * 100, b"\x81" * 7, bytes(range(256)) * 3],
)
@pytest.mark.parametrize(
    "content_type", [None, "text/html; charset=nonsense-42", "charset=", 'text/html; charset=""']
)
def test_garbage_never_raises(body: bytes, content_type: str | None) -> None:
    text, encoding = decode_body(body, content_type)
    assert isinstance(text, str)
    assert codecs.lookup(encoding)
