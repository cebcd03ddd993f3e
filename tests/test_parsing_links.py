"""Link extraction (crawler.parsing.links): every form a page offers a link or loads a resource in, with its kind."""
from __future__ import annotations

import pytest

from crawler.parsing.links import css_urls, extract_links, resolve, stylesheet_links
from crawler.parsing.listpage import parse_list_page

PAGE = "http://www.example.gov.cn/jyj/zwgk/gzdt/index.html"
DIR = "http://www.example.gov.cn/jyj/zwgk/gzdt/"


def _one(html: str):
    links = extract_links(f"<html><body>{html}</body></html>", PAGE)
    return {(link.url, link.kind) for link in links}


@pytest.mark.parametrize("html, url, kind", [
    ('<a href="a.html">通知</a>', "a.html", "page"),
    ('<a href="fj/计划.pdf">计划.pdf</a>', "fj/计划.pdf", "attachment"),
    ('<area href="map.html">', "map.html", "page"),
    ('<img src="banner.png" alt="宣传图">', "banner.png", "image"),
    ('<img srcset="s.jpg 1x, l.jpg 2x">', "l.jpg", "image"),
    ('<picture><source srcset="p.webp" type="image/webp"><img src="p.jpg"></picture>', "p.webp", "image"),
    ('<video src="v.mp4"></video>', "v.mp4", "video"),
    ('<video poster="cover.jpg"></video>', "cover.jpg", "image"),
    ('<video><source src="v2.webm"></video>', "v2.webm", "video"),
    ('<audio src="a.mp3"></audio>', "a.mp3", "audio"),
    ('<audio><source src="a2.ogg"></audio>', "a2.ogg", "audio"),
    ('<video><track src="sub.vtt"></video>', "sub.vtt", "video"),
    ('<embed src="flash.swf">', "flash.swf", "video"),
    ('<embed src="viewer.html">', "viewer.html", "object"),
    ('<object data="doc.pdf"></object>', "doc.pdf", "attachment"),
    ('<input type="image" src="submit.gif">', "submit.gif", "image"),
    ('<table background="bg.gif"><tr><td>x</td></tr></table>', "bg.gif", "image"),
    ('<iframe src="frame.html"></iframe>', "frame.html", "frame"),
    ('<frameset><frame src="left.html"></frameset>', "left.html", "frame"),
    ('<script src="app.js"></script>', "app.js", "script"),
    ('<link rel="stylesheet" href="site.css">', "site.css", "style"),
    ('<link rel="icon" href="favicon.ico">', "favicon.ico", "image"),
    ('<meta http-equiv="Refresh" content="0; URL=new.html">', "new.html", "page"),
    ('<style>.a{background:url("s.png")} @import "more.css";</style>', "s.png", "image"),
    ('<style>@import "more.css";</style>', "more.css", "style"),
    ('<div style="background-image: url(\'d.jpg\')">x</div>', "d.jpg", "image"),
])
def test_every_form_is_extracted_with_its_kind(html, url, kind):
    assert (DIR + url, kind) in _one(html)


@pytest.mark.parametrize("html", [
    '<a href="mailto:jyj@example.gov.cn">信箱</a>', '<a href="javascript:void(0)">打印</a>', '<a href="#">顶部</a>',
    '<img src="data:image/png;base64,iVBORw0KGgo=">', '<link rel="preconnect" href="https://fonts.example.com">',
    '<link rel="dns-prefetch" href="https://cdn.example.com">', '<a href="tel:12345">电话</a>',
    '<style>/* .x{background:url(old.png)} */</style>',
])
def test_nothing_to_check_is_not_a_link(html):
    assert _one(html) == set()


def test_malformed_addresses_are_kept_as_written():
    links = extract_links('<a href="//////">坏链接</a><a href="https://example]org/x">坏</a>'
                          '<a href="http://www.example.gov.cn:8o/">端口</a>', PAGE)
    assert [(l.url, l.malformed) for l in links] == [
        ("//////", True), ("https://example]org/x", True), ("http://www.example.gov.cn:8o/", True)]


def test_fragments_are_kept_apart():
    [link, same] = extract_links('<a href="a.html#part2">第二部分</a><a href="#top">顶部</a>', PAGE)
    assert (link.url, link.fragment) == (DIR + "a.html", "part2")
    assert (same.url, same.fragment) == (PAGE, "top")
    assert resolve(PAGE, "a.html#") == (DIR + "a.html", None, False)


def test_srcset_candidates_are_split_on_commas():
    found = _one('<img srcset="_site/foo.html, _site/bar.html 2x,_site/baz.png 3x">')
    assert {u for u, _ in found} == {DIR + "_site/foo.html", DIR + "_site/bar.html", DIR + "_site/baz.png"}


def test_stylesheet_urls_resolve_against_the_stylesheet():
    css = """@import url("a.css"); @import 'b.css'; .x { background: url(img/x.png) }
             @font-face { src: url('/fonts/f.woff2') } .y { background: url(data:image/png;base64,AAA) }
             /* url(commented.png) */"""
    assert css_urls(css)[:3] == ["a.css", "b.css", "img/x.png"]
    links = stylesheet_links(css, "http://www.example.gov.cn/css/site.css")
    assert [(l.url, l.kind) for l in links] == [
        ("http://www.example.gov.cn/css/a.css", "style"), ("http://www.example.gov.cn/css/b.css", "style"),
        ("http://www.example.gov.cn/css/img/x.png", "image"), ("http://www.example.gov.cn/fonts/f.woff2", "font")]


def test_a_list_page_offers_its_entries_and_everything_else_as_links():
    html = """<html><head><title>工作动态</title><link rel="stylesheet" href="/css/list.css"></head><body>
      <img src="/images/banner.png" alt="宣传图">
      <ul class="list">
        <li><a href="./202611/t20261115_1.html">关于做好秋季开学工作的通知</a><span>2026-11-15</span></li>
        <li><a href="./202611/t20261110_2.html">教育局召开专题会议</a><span>2026-11-10</span></li>
        <li><a href="./202611/t20261101_3.html">全市中小学安全检查</a><span>2026-11-01</span></li>
      </ul></body></html>"""
    listing = parse_list_page(html, PAGE)
    assert {i.url for i in listing.items} == {DIR + "202611/t20261115_1.html", DIR + "202611/t20261110_2.html",
                                              DIR + "202611/t20261101_3.html"}
    kinds = {(l.url, l.kind) for l in listing.links}
    assert {(i.url, "page") for i in listing.items} <= kinds
    assert ("http://www.example.gov.cn/images/banner.png", "image") in kinds
    assert ("http://www.example.gov.cn/css/list.css", "style") in kinds


def test_fragment_targets_are_ids_and_anchor_names():
    from crawler.parsing.anchors import page_anchors

    html = """<meta name="viewport" content="x"><div class="a" id="part-1">一</div><a name="old_anchor">旧</a>
              <h2 data-x='1' id='第二部分'>二</h2><p ID=bare>三</p><span id="a&amp;b">四</span>"""
    anchors = page_anchors(html)
    assert {"part-1", "old_anchor", "第二部分", "bare", "a&b"} <= anchors
    assert "viewport" not in anchors
