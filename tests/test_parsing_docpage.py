from __future__ import annotations

from datetime import date, time
from pathlib import Path

import pytest

from crawler.parsing.docpage import (
    ATTACHMENT_EXTENSIONS,
    DocumentPage,
    PageLink,
    extract_links,
    looks_like_attachment,
    parse_document_page,
)

PAGES = Path(__file__).parent / "pages"

URLS = {
    "trs/doc_gkml": "http://www.example.gov.cn/fgw/zwgk/tzgg/202611/t20261115_4012345.html",
    "hanweb/doc_meta": "http://www.example.gov.cn/art/2026/11/14/art_1234_456789.html",
    "gkmlpt/doc_table": "http://www.example.gov.cn/jtj/gkmlpt/content/10/10233/post_10233011.html",
    "generic/doc_hidden_meta": "http://www.example.gov.cn/jyj/xwdt/202609/t20260903_5521.html",
    "generic/doc_inline_labels": "http://www.example.gov.cn/xzf/xwdt/202611/t20261112_7788.html",
}


def _parse(case: str) -> DocumentPage:
    html = (PAGES / f"{case}.html").read_text(encoding="utf-8")
    return parse_document_page(html, URLS[case])


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        (
            # label/value table, full-width spaces inside labels, meta tags and a comment with the time
            "trs/doc_gkml",
            dict(title="关于开展2026年度重要商品价格监测工作的通知", publish_date=date(2026, 11, 15),
                 publish_time=time(9, 30), written_date=date(2026, 11, 10), doc_number="示发改价格〔2026〕58号",
                 index_number="11440100MB2C01234X/2026-00156", publisher="示例市发展和改革委员会",
                 topic="价格管理", column_name="通知公告"),
        ),
        (
            # Hanweb: meta ArticleTitle/PubDate/ContentSource/ColumnName; visible date has no time
            "hanweb/doc_meta",
            dict(title="市生态环境局开展秋冬季大气污染防治专项督查", publish_date=date(2026, 11, 14),
                 publish_time=time(16, 20), written_date=None, doc_number=None, index_number=None,
                 publisher="示例市生态环境局", topic=None, column_name="工作动态"),
        ),
        (
            # gkmlpt: "发 布 日 期" in <th>, value in the next cell; 文号 "无" is no number
            "gkmlpt/doc_table",
            dict(title="示例市交通运输局关于公共汽电车线路特许经营管理的规定", publish_date=date(2026, 10, 23),
                 publish_time=time(17, 5), written_date=date(2026, 10, 20), doc_number=None,
                 index_number="11440100007512345K/2026-00198", publisher="示例市交通运输局",
                 topic="交通、规范性文件", column_name=None),
        ),
        (
            # metadata only in HTML comments; an unrendered ${PubDate} meta is ignored
            "generic/doc_hidden_meta",
            dict(title="示例区教育局2026年秋季学期校车安全管理工作部署", publish_date=date(2026, 9, 3),
                 publish_time=time(10, 0), written_date=None, doc_number=None, index_number=None,
                 publisher="示例区教育局", topic=None, column_name=None),
        ),
        (
            # several labels on one line; "资金来源：" in the body is not the publisher
            "generic/doc_inline_labels",
            dict(title="示例县召开2026年冬季农田水利建设现场推进会", publish_date=date(2026, 11, 12),
                 publish_time=time(8, 0), written_date=None, doc_number=None, index_number=None,
                 publisher="示例县人民政府办公室", topic=None, column_name="乡镇动态"),
        ),
    ],
)
def test_metadata(case: str, expected: dict[str, object]) -> None:
    page = _parse(case)
    assert {field: getattr(page, field) for field in expected} == expected


def test_body_text_is_the_content_area_collapsed() -> None:
    page = _parse("hanweb/doc_meta")
    assert page.text == (
        "11月12日至13日，市生态环境局组成4个督查组，对各区秋冬季大气污染防治工作开展专项督查。 "
        "督查组采取“四不两直”方式，重点检查了工业企业错峰生产、建筑工地扬尘管控、餐饮油烟治理等情况，"
        "共检查点位86个，发现问题23个，已全部交办属地限期整改。"
    )


def test_trs_body_text_excludes_navigation_and_footer() -> None:
    text = _parse("trs/doc_gkml").text
    assert text.startswith("各区发展和改革局，市直有关单位：")
    assert text.endswith("示例市发展和改革委员会 2026年11月10日")
    assert "主办单位" not in text and "当前位置" not in text and "\n" not in text


@pytest.mark.parametrize(
    ("head", "body", "expected"),
    [
        # <title> confirms the heading, not the buyer's "名称：" row of a procurement notice
        ("<title>示例市第一人民医院医疗设备采购项目招标公告_示例市公共资源交易中心</title>",
         "<h1>示例市第一人民医院医疗设备采购项目招标公告</h1><p>名称：示例市第一人民医院</p>",
         "示例市第一人民医院医疗设备采购项目招标公告"),
        # a site-name-only <title>: the article heading, not the site name
        ("<title>示例市公共资源交易中心</title>",
         "<div class='logo'><h1>示例市公共资源交易中心</h1></div>"
         "<div class='article-title'>示例市第一人民医院医疗设备采购项目招标公告</div><p>名称：示例市第一人民医院</p>",
         "示例市第一人民医院医疗设备采购项目招标公告"),
        # <title> truncated by the CMS: the full heading
        ("<title>关于印发《示例市2026年政务公开工作要点》…_示例市人民政府</title>",
         "<h2>关于印发《示例市2026年政务公开工作要点》的通知</h2>",
         "关于印发《示例市2026年政务公开工作要点》的通知"),
        # nothing but <title>
        ("<title>示例市2026年第三季度空气质量状况 - 示例市生态环境局</title>", "<p>正文</p>",
         "示例市2026年第三季度空气质量状况"),
        ("", "", None),
    ],
)
def test_title_choice(head: str, body: str, expected: str | None) -> None:
    page = parse_document_page(f"<html><head>{head}</head><body>{body}</body></html>", "http://x.gov.cn/a.html")
    assert page.title == expected


def test_publish_time_absent_when_page_shows_none() -> None:
    html = "<html><body><div>发布日期：2026-11-15</div><div id='zoom'><p>正文内容。</p></div></body></html>"
    page = parse_document_page(html, "http://www.example.gov.cn/a.html")
    assert (page.publish_date, page.publish_time) == (date(2026, 11, 15), None)


@pytest.mark.parametrize(
    ("snippet", "field", "expected"),
    [
        ("<p>发布日期：2026-11-15</p>", "publish_date", date(2026, 11, 15)),
        ("<p>发布日期:2026-11-15</p>", "publish_date", date(2026, 11, 15)),
        ("<p>发 布 日 期 ： 2026年11月15日</p>", "publish_date", date(2026, 11, 15)),
        ("<table><tr><td>发布日期</td><td>2026-11-15</td></tr></table>", "publish_date", date(2026, 11, 15)),
        ("<dl><dt>发布时间：</dt><dd>2026/11/15 10:30</dd></dl>", "publish_time", time(10, 30)),
        ("<span>发布时间：<b>2026-11-15</b></span>", "publish_date", date(2026, 11, 15)),
        ("<p>日期：2026-11-15</p>", "publish_date", date(2026, 11, 15)),
        ("<p>日期：2026-11-01</p><p>发布日期：2026-11-15</p>", "publish_date", date(2026, 11, 15)),
        ("<p>时间：2026-11-15 来源：示例县应急管理局</p>", "publish_date", date(2026, 11, 15)),
        ("<p>时间：2026-11-15 来源：示例县应急管理局</p>", "publisher", "示例县应急管理局"),
        ("<p>【发布时间：2026-11-15】【来源：示例县财政局】</p>", "publisher", "示例县财政局"),
        ("<p>成文日期：2026-11-10</p>", "written_date", date(2026, 11, 10)),
        ("<p>发文日期：2026-11-10</p>", "written_date", date(2026, 11, 10)),
        ("<table><tr><td>生成日期：</td><td>2017-10-10</td></tr></table>", "written_date", date(2017, 10, 10)),
        ("<p>生成日期：2017-10-10</p><p>成文日期：2017-10-09</p>", "written_date", date(2017, 10, 9)),
        # a label left in a comment around markup is not shown; the visible one counts
        ("<!--<p>成文日期：2020-01-01</p>--><p>成文日期：2026-11-10</p>", "written_date", date(2026, 11, 10)),
        ("<!--<td>成文日期：</td><td>2020-01-01</td>-->", "written_date", None),
        ("<meta name='lanmu' content='2007年第23号'>", "column_name", "2007年第23号"),
        ("<meta name='ColumnName' content='null'><meta name='lanmu' content='政策解读'>", "column_name", "政策解读"),
        ("<p>发文字号：示府办〔2026〕12号</p>", "doc_number", "示府办〔2026〕12号"),
        ("<p>文　　号：示府〔2026〕3号</p>", "doc_number", "示府〔2026〕3号"),
        ("<p>文号：-</p>", "doc_number", None),
        ("<p>索 引 号：000014349/2026-00012</p>", "index_number", "000014349/2026-00012"),
        ("<p>发文机关：示例市人民政府</p>", "publisher", "示例市人民政府"),
        ("<p>信息来源：示例市财政局 | 浏览次数：12</p>", "publisher", "示例市财政局"),
        ("<p>来源：新华社 作者：王某</p>", "publisher", "新华社"),
        ("<p>来源：市政府网</p><p>发布机构：示例市财政局</p>", "publisher", "示例市财政局"),
        ("<p>项目资金来源：财政拨款</p>", "publisher", None),
        ("<p>主题分类：财政、金融、审计</p>", "topic", "财政、金融、审计"),
        # adjacent inline elements with no whitespace between them
        ("<div><span>发文机关：示例省人民政府</span><span>文号：示政〔2026〕<b>3</b>号</span>"
         "<span>发布时间：2026-11-15 10:30</span></div>", "doc_number", "示政〔2026〕3号"),
        ("<div><span>发文机关：示例省人民政府</span><span>文号：示政〔2026〕3号</span>"
         "<span>发布时间：2026-11-15 10:30</span></div>", "publisher", "示例省人民政府"),
        ("<div><span>发文机关：示例省人民政府</span><span>发布时间：2026-11-15 10:30</span></div>",
         "publish_time", time(10, 30)),
        ("<p><b>发布</b>日期：2026-11-15</p>", "publish_date", date(2026, 11, 15)),
        ("<meta name='publishdate' content='2026-11-15'>", "publish_date", date(2026, 11, 15)),
        ("<meta name='firstpublishedtime' content='2026-11-15-10:20:00'>", "publish_date", date(2026, 11, 15)),
        ("<!--<publishtime>2026-11-15 10:00:00</publishtime>-->", "publish_time", time(10, 0)),
        ("<!--enpproperty <articleid>1</articleid><date>2026-11-15 14:43:00:0</date><nodename>时政新闻</nodename>-->",
         "publish_time", time(14, 43)),
        ("<!--enpproperty <articleid>1</articleid><date>2026-11-15 14:43:00:0</date><nodename>时政新闻</nodename>-->",
         "column_name", "时政新闻"),
        ("<p>正文中提到2026年11月15日召开会议。</p>", "publish_date", None),
    ],
)
def test_label_variations(snippet: str, field: str, expected: object) -> None:
    html = f"<html><head><title>测试</title></head><body>{snippet}</body></html>"
    page = parse_document_page(html, "http://www.example.gov.cn/a.html")
    assert getattr(page, field) == expected


def test_links_of_a_trs_document() -> None:
    links = _parse("trs/doc_gkml").links
    base = "http://www.example.gov.cn/fgw/zwgk/tzgg/202611/"
    assert PageLink(base + "P020261115393412345678.pdf", "1. 2026年度价格监测品种目录.pdf", "a") in links
    assert PageLink(base + "P020261115393412345679.zip", "2. 价格监测报表模板.zip", "a") in links
    assert PageLink(base + "W020261115393412345680.png", "价格监测点分布示意图", "img") in links
    assert PageLink("http://www.example.gov.cn/fgw/zwgk/tzgg/", "通知公告", "a") in links
    assert not [link for link in links if not link.url.startswith("http")]  # no javascript:, mailto:, tel:


def test_extract_links_honours_base_and_skips_non_links() -> None:
    html = (PAGES / "generic" / "doc_inline_labels.html").read_text(encoding="utf-8")
    links = extract_links(html, URLS["generic/doc_inline_labels"])
    assert links == (
        PageLink("http://www.example.gov.cn/xzf/", "示例县人民政府", "a"),
        PageLink("http://www.example.gov.cn/xzf/xwdt/202611/detail.html", "查看第二部分", "a"),
        PageLink("http://www.example.gov.cn/xzf/uploads/2026/11/推进会材料.PDF", "推进会材料.PDF", "a"),
        PageLink("http://www.example.gov.cn/module/download/downfile.jsp?classid=0&filename=2611121036.doc",
                 "会议议程", "a"),
        PageLink("http://www.example.gov.cn/xzf/images/20261111_xc.jpg", "现场照片", "img"),
        PageLink("http://www.example.gov.cn/xzf/xwdt/202611/video/20261111.mp4", "", "embed"),
        PageLink("https://map.example.com/embed?id=88", "地图", "iframe"),
        PageLink("ftp://ftp.example.gov.cn/pub/sl.rar", "水利规划.rar", "a"),
    )


@pytest.mark.parametrize(
    ("url", "text", "expected"),
    [
        ("http://x.gov.cn/P020261115393412345678.pdf", "", True),
        ("http://x.gov.cn/files/%E9%99%84%E4%BB%B6.DOCX", "", True),
        ("http://x.gov.cn/files/a.rar?v=1", "", True),
        ("http://x.gov.cn/files/a.ofd", "", True),
        ("http://x.gov.cn/files/a.et", "", True),
        ("http://x.gov.cn/module/download/downfile.jsp?classid=0&filename=2611121036.doc", "会议议程", True),
        ("http://x.gov.cn/jtj/gkmlpt/download.jsp?fileid=88213&type=1", "政策解读材料", True),
        ("http://x.gov.cn/common/getfile?id=12", "", True),
        ("http://x.gov.cn/file.do?attachId=77", "", True),
        ("http://x.gov.cn/show?id=5", "2026年预算公开表.xlsx", True),
        ("http://x.gov.cn/show?id=5", "2026年预算公开表（.xls）", True),
        # ordinary pages
        ("http://x.gov.cn/art/2026/11/14/art_1234_456789.html", "市生态环境局开展专项督查", False),
        ("http://x.gov.cn/col/col1234/index.html", "工作动态", False),
        ("http://x.gov.cn/zwgk/zcjd/", "政策解读", False),
        ("http://x.gov.cn/show.jsp?id=5", "关于印发pdf格式规范的通知", False),
        # pages about downloading (an app's download page) are pages, not files
        ("http://app.www.gov.cn/download/Chinese.html", "中国政府网客户端", False),
        ("https://app.www.gov.cn/govdata/html/download.html?from=singlemessage", "下载客户端", False),
        ("http://x.gov.cn/download/", "下载中心", False),
        ("http://x.gov.cn/download/ios", "iOS版", False),
        ("http://x.gov.cn/download/index.jsp", "下载中心", False),
        # download endpoints are files
        ("http://x.gov.cn/download/2611121036", "", True),
        ("http://x.gov.cn/fileDownload.do?id=5", "", True),
        ("http://x.gov.cn/files/download?id=5", "", True),
        ("", "", False),
    ],
)
def test_looks_like_attachment(url: str, text: str, expected: bool) -> None:
    assert looks_like_attachment(url, text) is expected


def test_attachment_extensions_cover_the_documented_set() -> None:
    assert ATTACHMENT_EXTENSIONS >= {
        "pdf", "doc", "docx", "xls", "xlsx", "ppt", "pptx", "wps", "et", "txt", "rtf", "zip", "rar", "7z", "tar",
        "gz", "tgz", "bz2", "xz", "ofd", "csv",
    }
    assert all(ext == ext.lower() and not ext.startswith(".") for ext in ATTACHMENT_EXTENSIONS)


@pytest.mark.parametrize(
    "html",
    [
        "",
        "not html at all",
        "<html><body>",
        "\x00\x00<html>\x00",
        "<div>" * 5000 + "发布日期：2026-11-15" + "</div>" * 10,
        "<a href='http://[::1'>x</a><a href='javascript:alert(1)'>y</a><base href='javascript:x'>",
        "<meta name='PubDate' content='2026-99-99'><p>发布日期：9999-99-99</p>",
        "<table><tr><td>发布日期：</td></tr></table>" * 3,
    ],
)
def test_hostile_html_gives_a_result_not_an_exception(html: str, caplog: pytest.LogCaptureFixture) -> None:
    page = parse_document_page(html, "http://www.example.gov.cn/a.html")
    assert isinstance(page, DocumentPage)
    assert all(link.url.startswith(("http://", "https://", "ftp://")) for link in page.links)
    assert not caplog.records  # handled by the parser itself, not by its last-resort exception guard


def test_breadcrumb_stops_before_the_page_tools_on_its_line() -> None:
    html = ("<html><body><div class='BreadcrumbNav'><a href='/'>首页</a> &gt; <a href='/gongbao/'>国务院公报</a> &gt; "
            "<a href='/gongbao/2007/23/'>2007年第23号</a> 字号：<a>默认</a> <a>大</a> <a>超大</a> | <a>打印</a> |</div>"
            "<h1>示例标题</h1></body></html>")
    assert parse_document_page(html, "http://www.example.gov.cn/gongbao/a.htm").column_name == "2007年第23号"
