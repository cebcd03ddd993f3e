"""store.safetext and its users: control sequences removed, numbers masked in text and addresses, the
console and the log show nothing raw, and a screenshot is taken of a page already masked."""
from __future__ import annotations

import io
import logging

import pytest

from scheduler.cli_console import SafeConsole, install_log_masking, term
from store.safetext import clean, mask_row, mask_url, shown
from tests.test_privacy_scan import HOSTILE, id_number

ID = id_number(123)
MOBILE = "13912345678"


def test_clean_removes_every_control_sequence():
    text = f"标题{HOSTILE}\x00\x0b\x0c\r\x7f\x85\x9b2J\ud800\ufffe\u2066x\u2069\t尾\n"
    out = clean(text)
    assert out == "标题点我[link=http://evil.example/]假链接[/link][red]红[/red]x\t尾\n"  # 8-bit CSI 2J gone too
    assert clean("普通文字 plain text\t\n") == "普通文字 plain text\t\n"


def test_text_masks_every_number_and_addresses_only_personal_ones():
    assert shown(f"身份证{ID}电话{MOBILE}") == f"身份证{ID[:4]}**********{ID[-4:]}电话139****5678"
    url = f"http://x.gov.cn/art/2024/1234567890123456/{ID}/{MOBILE}.html?id=9876543210987654321"
    assert mask_url(url) == (f"http://x.gov.cn/art/2024/1234567890123456/{ID[:4]}**********{ID[-4:]}/139****5678"
                             ".html?id=9876543210987654321")  # article numbers stay, personal numbers go
    assert shown(url) == mask_url(url)
    assert shown({"anchor": f"电话{MOBILE}", "chain": [{"url": f"http://x/{MOBILE}"}], "n": 3}) == {
        "anchor": "电话139****5678", "chain": [{"url": "http://x/139****5678"}], "n": 3}


def test_hashes_and_seeds_are_not_numbers():
    from crawler.parsing.privacy import find_leaks

    seed = "a" + "1391234567801234567" + "f0" * 22  # a hex token that happens to hold a long digit run
    assert shown(f"随机种子：{seed}；校验值 {seed.upper()}") == f"随机种子：{seed}；校验值 {seed.upper()}"
    assert find_leaks(f"种子 {seed}") == []
    assert shown(f"电话{MOBILE} 种子{seed}") == f"电话139****5678 种子{seed}"
    assert MOBILE not in shown(f"a{ID}b{MOBILE}c0771")  # a letter or two around numbers is no hash


def test_stored_rows_keep_only_the_addresses_raw():
    row = mask_row({"url": f"http://x/{MOBILE}", "source_url": f"http://x/{ID}", "title": f"公示{MOBILE}",
                    "headers": {"X-Contact": MOBILE}, "redirect_chain": [f"http://x/{MOBILE}"], "status": 200,
                    "etag": '"abc"', "body": MOBILE.encode()})
    assert row["url"].endswith(MOBILE) and row["source_url"].endswith(ID) and row["body"] == MOBILE.encode()
    assert row["title"] == "公示139****5678" and row["headers"] == {"X-Contact": "139****5678"}
    assert row["redirect_chain"] == ["http://x/139****5678"] and row["status"] == 200


def test_console_prints_page_text_literally():
    buffer = io.StringIO()
    console = SafeConsole(file=buffer, force_terminal=True, color_system="truecolor", width=200)
    from rich.table import Table

    table = Table(title=f"问题{MOBILE}")
    table.add_column("标题")
    table.add_row(term(f"公示{HOSTILE}{ID}"))
    console.print(table)
    console.print(f"地址：{term('http://x/' + MOBILE)}")
    out = buffer.getvalue()
    assert MOBILE not in out and ID not in out and "139****5678" in out
    assert "[link=http://evil.example/]假链接[/link]" in out  # shown as typed, not made a link
    assert "\x1b]8;" not in out and "\x1b]52" not in out and "\x1b[2J" not in out and "\u202e" not in out


def test_log_records_are_masked_whatever_writes_them():
    install_log_masking()
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    logger = logging.getLogger("zwgk.test.safetext")
    logger.addHandler(handler)
    try:
        logger.warning("Crawled (200) <GET %s> %s", f"http://x/{MOBILE}.html", HOSTILE)
        try:
            raise ValueError(f"bad {ID}")
        except ValueError:
            logger.exception("failed on %s", f"http://x/{ID}")
    finally:
        logger.removeHandler(handler)
    out = stream.getvalue()
    assert MOBILE not in out and ID not in out and "139****5678" in out
    assert "\x1b" not in out and "\u202e" not in out
    assert "ValueError: bad " in out  # the traceback is kept, masked


def test_screenshot_masks_the_page_first(tmp_path):
    pytest.importorskip("playwright")
    from crawler.screenshots import Browser, ShotConfig
    from tests.mockserver import MockServer, html

    page = html(f"<html><head><title>公示{MOBILE}</title></head><body><p>申请人身份证号{ID}，电话 {MOBILE}。</p>"
                f"<img alt='{ID}' title='{MOBILE}'><input value='{MOBILE}'>"
                "<iframe src='/frame.html'></iframe></body></html>")
    frame = html(f"<html><body><p>{ID}</p></body></html>")
    with MockServer({f"/p/{MOBILE}.html": page, "/frame.html": frame}) as server:
        url = f"{server.base_url}/p/{MOBILE}.html"
        from crawler import screenshots

        seen = {}
        original = screenshots.mask_page

        def spy(pw_page):  # what the page holds once masked, just before the picture is taken
            changed = original(pw_page)
            seen["html"] = pw_page.content() + "".join(f.content() for f in pw_page.frames[1:])
            seen["values"] = pw_page.eval_on_selector("input", "e => e.value")
            seen["banner"] = screenshots.banner_lines(url, url, __import__("datetime").datetime.now())
            return changed

        screenshots.mask_page = spy
        try:
            with Browser(ShotConfig(allow_private=True)) as browser:
                shot = browser.shoot(url)
        finally:
            screenshots.mask_page = original
    assert shot.png and shot.error is None
    for where in (seen["html"], seen["values"], "\n".join(seen["banner"])):
        assert MOBILE not in where and ID not in where, repr(where)
    assert "139****5678" in seen["html"] and f"{ID[:4]}**********{ID[-4:]}" in seen["html"]
