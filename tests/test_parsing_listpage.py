from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from crawler.parsing.encoding import decode_body
from crawler.parsing.listpage import ListItem, ListPage, NavLink, parse_list_page

PAGES = Path(__file__).parent / "pages"
TODAY = date(2026, 11, 20)


def _parse(case: str, url: str, today: date | None = TODAY) -> ListPage:
    html = (PAGES / f"{case}.html").read_text(encoding="utf-8")
    return parse_list_page(html, url, today=today)


# --- TRS WCM: ./YYYYMM/tYYYYMMDD_N.html links, five items per <ul>, createPageHTML pager ---------------

TRS_URL = "http://www.example.gov.cn/fgw/zwgk/tzgg/index.html"
TRS = "http://www.example.gov.cn/fgw/zwgk/tzgg/"


def test_trs_list_items() -> None:
    page = _parse("trs/list_createpagehtml", TRS_URL)
    assert page.items == (
        ListItem("关于开展2026年度重要商品价格监测工作的通知", TRS + "202611/t20261115_4012345.html", date(2026, 11, 15)),
        ListItem("关于印发《示例市促进民营经济高质量发展若干措施》的通知", TRS + "202611/t20261112_4012290.html",
                 date(2026, 11, 12)),
        ListItem("示例市发展和改革委员会2026年第三季度政府信息公开工作情况", TRS + "202611/t20261108_4012133.html",
                 date(2026, 11, 8)),
        ListItem("关于征求《示例市新型储能产业发展规划（征求意见稿）》意见的公告", TRS + "202611/t20261103_4011987.html",
                 date(2026, 11, 3)),
        ListItem("关于2026年重点建设项目计划调整情况的公示", TRS + "202610/t20261030_4011802.html", date(2026, 10, 30)),
        ListItem("关于组织申报2027年度省级服务业发展引导资金项目的通知", TRS + "202610/t20261025_4011655.html",
                 date(2026, 10, 25)),
        ListItem("示例市发展和改革委员会关于调整居民生活用水价格的通知",
                 "http://www.example.gov.cn/fgw/zwgk/zcwj/202610/t20261020_4011501.html", date(2026, 10, 20)),
        ListItem("关于公布第二批市级重点项目名单的通告", TRS + "202610/t20261016_4011420.html", date(2026, 10, 16)),
        ListItem("关于国庆假期值班安排的通知", TRS + "202610/t20261009_4011233.html", date(2026, 10, 9)),
        ListItem("示例市2026年秋季粮食收购价格监测情况通报", TRS + "202609/t20260928_4011100.html", date(2026, 9, 28)),
    )


def test_trs_list_title_pages_and_scripts() -> None:
    page = _parse("trs/list_createpagehtml", TRS_URL)
    assert page.title == "通知公告"
    assert page.page_urls == tuple(f"{TRS}index_{n}.html" for n in range(1, 5))
    assert page.note is None
    assert page.has_scripts is True


def test_trs_list_nav_links_are_everything_else() -> None:
    page = _parse("trs/list_createpagehtml", TRS_URL)
    nav = {link.url: link.name for link in page.nav_links}
    assert nav["http://www.example.gov.cn/fgw/zwgk/zcwj/"] == "政策文件"  # sub-column of the left menu
    assert nav["http://www.example.gov.cn/fgw/jgzn/"] == "机构职能"
    assert nav["https://beian.miit.gov.cn/"] == "示ICP备00000001号"
    assert nav["http://www.example.gov.cn/fgw/"] == "示例市发展和改革委员会"  # logo link: the image's alt
    assert set(nav).isdisjoint({item.url for item in page.items} | set(page.page_urls))
    assert TRS not in nav and TRS_URL not in nav  # the column itself
    assert all(url.startswith("http") and "#" not in url for url in nav)  # no javascript:, mailto:, fragments


def test_trs_script_pager_on_a_later_page_with_side_boxes() -> None:
    base = "http://www.example.gov.cn/yjj/xxgk/gzdt/"
    page = _parse("trs/list_countpage_current", base + "index_2.shtml")
    assert page.title == "工作动态"
    assert [(item.title, item.date) for item in page.items] == [
        ("市应急管理局召开汛期安全生产工作推进会", date(2026, 8, 15)),
        ("我市开展危险化学品企业专项执法检查", date(2026, 8, 11)),
        ("市安委办组织开展防汛应急演练", date(2026, 8, 6)),
        ("全市森林防灭火工作会议召开", date(2026, 7, 30)),
    ]
    assert set(page.page_urls) == {base + "index.shtml", base + "index_1.shtml", base + "index_3.shtml"}
    nav_urls = {link.url for link in page.nav_links}
    # the "热点信息" box and the "相关链接" box are not entries of this column
    assert "http://www.example.gov.cn/yjj/xxgk/tzgg/202608/t20260818_88200.html" in nav_urls
    assert "https://www.mem.gov.cn/" in nav_urls


# --- other CMS families ----------------------------------------------------------------------------------


def test_gkmlpt_table_rows_take_the_publish_date_column() -> None:
    page = _parse("gkmlpt/list_table", "http://www.example.gov.cn/jtj/gkmlpt/list.jsp?cid=1024")
    content = "http://www.example.gov.cn/jtj/gkmlpt/content/10/"
    assert page.items == (
        ListItem("示例市交通运输局关于印发《示例市网络预约出租汽车经营服务管理实施细则》的通知",
                 content + "10234/post_10234567.html", date(2026, 11, 6)),
        ListItem("示例市交通运输局关于公共汽电车线路特许经营管理的规定", content + "10233/post_10233011.html",
                 date(2026, 10, 23)),
        ListItem("示例市交通运输局关于道路货物运输车辆超限超载治理的实施办法", content + "10230/post_10230876.html",
                 date(2026, 9, 1)),
    )
    assert page.title == "规范性文件"
    assert page.page_urls == tuple(
        f"http://www.example.gov.cn/jtj/gkmlpt/list.jsp?cid=1024&page={n}" for n in range(2, 7)
    )
    nav = {link.url: link.name for link in page.nav_links}
    assert nav["http://www.example.gov.cn/jtj/gkmlpt/list.jsp?cid=1021"] == "机构概况"  # a sibling column
    assert page.has_scripts is False


def test_hanweb_datastore_records_and_jpage_pages() -> None:
    page = _parse("hanweb/list_datastore", "http://www.example.gov.cn/col/col1234/index.html")
    assert page.items == (
        ListItem("市生态环境局开展秋冬季大气污染防治专项督查",
                 "http://www.example.gov.cn/art/2026/11/14/art_1234_456789.html", date(2026, 11, 14)),
        ListItem("我市召开2026年度重点排污单位信息公开工作培训会",
                 "http://www.example.gov.cn/art/2026/11/10/art_1234_456701.html", date(2026, 11, 10)),
        ListItem("示例市饮用水水源地环境状况评估报告（2026年第三季度）",
                 "http://www.example.gov.cn/art/2026/11/03/art_1234_456555.html", date(2026, 11, 3)),
    )
    assert page.title == "工作动态"
    # 47 records at 15 per page: 4 pages
    assert page.page_urls == tuple(
        f"http://www.example.gov.cn/col/col1234/index.html?uid=5678&pageNum={n}" for n in (2, 3, 4)
    )
    assert NavLink("通知公告", "http://www.example.gov.cn/col/col1233/index.html") in page.nav_links
    assert page.has_scripts is True


def test_kaipuyun_dl_rows_short_dates_and_index_n_pages() -> None:
    page = _parse("kaipuyun/list_index_n", "http://www.example.gov.cn/zwgk/zcjd/index.html")
    assert [(item.title, item.date) for item in page.items] == [
        ("一图读懂《示例县城乡居民基本医疗保险实施办法》", date(2026, 11, 15)),
        ("《示例县农村人居环境整治提升行动方案》政策解读", date(2026, 11, 2)),
        ("关于《示例县老旧小区改造实施方案》的解读", date(2026, 1, 8)),
        ("《示例县2026年冬春季森林防火命令》解读", date(2025, 12, 30)),  # after "today": last year
    ]
    assert page.title == "政策解读"
    # pager links show page 2 is index_2.html, 共8页: all eight pages but this one
    assert page.page_urls == tuple(f"http://www.example.gov.cn/zwgk/zcjd/index_{n}.html" for n in range(2, 9))


def test_kaipuyun_short_dates_without_any_context_have_no_date() -> None:
    page = _parse("kaipuyun/list_index_n", "http://www.example.gov.cn/zwgk/zcjd/index.html", today=None)
    assert len(page.items) == 4
    assert {item.date for item in page.items} == {None}


def test_nanwei_page_index_from_a_middle_page() -> None:
    page = _parse("nanwei/list_pageindex", "http://www.example.gov.cn/xxgk/list.html?channelId=88&pageIndex=2")
    assert page.items == (
        ListItem("示例区2026年第二批公开招聘事业单位工作人员拟聘用人员公示",
                 "http://www.example.gov.cn/xxgk/rsxx/content.html?id=20261105001", date(2026, 11, 5)),
        ListItem("示例区人民政府关于黄某某等同志职务任免的通知",
                 "http://www.example.gov.cn/xxgk/rsxx/content.html?id=20261028004", date(2026, 10, 28)),
        ListItem("示例区2026年公开选调公务员面试成绩公告",
                 "http://www.example.gov.cn/xxgk/rsxx/content.html?id=20261019002", date(2026, 10, 19)),
    )
    assert page.title == "人事信息"
    assert set(page.page_urls) == {
        f"http://www.example.gov.cn/xxgk/list.html?channelId=88&pageIndex={n}" for n in (1, 3, 4)
    }
    assert NavLink("依申请公开", "http://www.example.gov.cn/xxgk/list.html?channelId=90") in page.nav_links


def test_plain_list_with_next_link_base_href_and_date_inside_the_link() -> None:
    base = "http://www.example.gov.cn/ajj/xxgk/gzdt/"
    page = _parse("generic/list_next", base + "list.html")
    assert page.items == (
        ListItem("全市安全生产大检查动员部署会议召开", base + "art_20261102_01.html", date(2026, 11, 2)),
        ListItem("市安监局赴示例县督导检查非煤矿山安全生产工作", base + "art_20261029_03.html", date(2026, 10, 29)),
        ListItem("市安监局举办2026年安全生产执法人员业务培训班", base + "art_20261021_02.html", date(2026, 10, 21)),
    )
    assert page.page_urls == (base + "list_2.html",)
    assert page.title == "工作动态"
    assert page.has_scripts is False


def test_bracketed_short_dates_resolve_against_the_newest_full_date_on_the_page() -> None:
    page = _parse("generic/list_short_dates", "http://www.example.gov.cn/xwzx/xzdt/", today=None)
    assert [item.date for item in page.items] == [
        date(2026, 1, 5), date(2026, 1, 2), date(2025, 12, 28), date(2025, 12, 15),
    ]
    assert page.items[0] == ListItem(
        "东岭镇召开2026年农村集体经济发展工作会", "http://www.example.gov.cn/xwzx/xzdt/202601/t20260105_901.html",
        date(2026, 1, 5),
    )
    assert page.title == "乡镇动态"
    assert page.page_urls == ()


def test_gbk_page_served_without_charset() -> None:
    text, encoding = decode_body((PAGES / "gbk" / "list_gbk.html").read_bytes(), "text/html")
    page = parse_list_page(text, "http://www.example.gov.cn/zwgk/tzgg/index.html", today=TODAY)
    assert encoding == "gb18030"
    assert page.title == "通知公告"
    assert [item.title for item in page.items] == [
        "关于做好冬季森林防火和镕钢厂周边安全隐患排查的通知",
        "示例镇2026年度城乡居民医疗保险集中缴费工作公告",
        "关于开展第七次全国人口普查数据应用宣传周活动的通知",
    ]
    assert page.items[0].url == "http://www.example.gov.cn/zwgk/tzgg/2026/1116/1052.html"
    assert page.items[0].date == date(2026, 11, 16)
    assert page.page_urls == ()  # 共1页


# --- empty columns ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("case", "url", "title", "note", "has_scripts"),
    [
        ("generic/empty_zanwu", "http://www.example.gov.cn/scjgj/xxgk/xzcf/", "行政处罚", "暂无信息", False),
        ("generic/empty_note", "http://www.example.gov.cn/tjj/zwgk/xzsyxsf/", "行政事业性收费",
         "本单位无此类信息，特此说明。", False),
        ("generic/list_js", "http://www.example.gov.cn/czj/zwgk/yjs/", "财政预决算", None, True),
    ],
)
def test_empty_columns(case: str, url: str, title: str, note: str | None, has_scripts: bool) -> None:
    page = _parse(case, url)
    assert page.items == ()
    assert page.page_urls == ()
    assert (page.title, page.note, page.has_scripts) == (title, note, has_scripts)


@pytest.mark.parametrize(
    ("head_title", "body", "expected"),
    [
        ("通知公告_示例市人民政府", "", "通知公告"),
        ("示例市人民政府 - 政务公开 - 通知公告", "", "通知公告"),
        ("工作动态-示例市应急管理局", "", "工作动态"),
        ("示例市生态环境局 工作动态", "", "工作动态"),  # Hanweb: site, then column
        ("关于2026-2027年度供热价格的公告", "", "关于2026-2027年度供热价格的公告"),
        # breadcrumb wins, "正文"/"列表" are skipped
        ("示例市人民政府", "<div class='crumb'>当前位置：首页 &gt; 政务公开 &gt; 规划计划 &gt; 列表</div>", "规划计划"),
        ("示例市人民政府", "<p>您现在的位置：首页 » 政务公开 » 人事信息</p>", "人事信息"),
        # the words in one cell, the links in the next (TRS table templates)
        ("示例区政府网", "<table><tr><td>您的当前位置</td><td><a href='/'>首页</a>&nbsp;&gt;&gt;&nbsp;"
         "<a href='/zwgk/'>政务公开</a>&nbsp;&gt;&gt;&nbsp;<a href='./'>政务要闻</a></td></tr></table>", "政务要闻"),
        ("示例区政府网", "<div><span>位于</span><a href='/' class='CurrChnlCls'>首页</a> / "
         "<a href='./' class='CurrChnlCls'>政务要闻</a></div>", "政务要闻"),
        ("", "", None),
    ],
)
def test_column_title(head_title: str, body: str, expected: str | None) -> None:
    html = f"<html><head><title>{head_title}</title></head><body>{body}<p>暂无信息</p></body></html>"
    assert parse_list_page(html, "http://www.example.gov.cn/zwgk/tzgg/").title == expected


def test_empty_column_whose_menu_has_long_names() -> None:
    """A directory tree of long column names (one of them this page) is navigation, not entries."""
    page = _parse("generic/empty_long_menu", "http://www.example.gov.cn/zjj/xxgk/zdjsxm/index.html")
    assert page.items == ()
    assert page.title == "重大建设项目批准和实施"
    assert page.note == "根据工作职责，本单位不承担重大建设项目审批职能，本栏目无相关信息。"
    assert NavLink("政府信息公开工作年度报告", "http://www.example.gov.cn/zjj/xxgk/ndbg/index.html") in page.nav_links


def test_note_spanning_several_paragraphs() -> None:
    html = (
        "<div class='main'><h2>人事信息</h2><div class='con'><p>根据《中华人民共和国政府信息公开条例》规定，</p>"
        "<p>本机关本年度无此类信息。</p><p>特此说明。</p></div></div>"
    )
    page = parse_list_page(html, "http://www.example.gov.cn/rsxx/")
    assert page.note == "根据《中华人民共和国政府信息公开条例》规定， 本机关本年度无此类信息。 特此说明。"


def test_undated_list_of_documents_is_found_but_undated_column_menus_are_not() -> None:
    html = (
        "<div class='nav'><a href='/'>首页</a></div>"
        "<ul class='list'><li><a href='/xxgk/content_3301.html'>示例市人民政府关于印发2026年政务公开工作要点的通知</a></li>"
        "<li><a href='/xxgk/content_3302.html'>示例市人民政府办公室关于做好冬春季安全生产工作的通知</a></li></ul>"
        "<ul><li><a href='/zwgk/ghjh/'>规划计划与发展战略信息</a></li>"
        "<li><a href='/zwgk/tjxx/index.html'>统计信息与数据发布平台</a></li></ul>"
    )
    page = parse_list_page(html, "http://www.example.gov.cn/xxgk/wj/index.html")
    assert page.items == (
        ListItem("示例市人民政府关于印发2026年政务公开工作要点的通知", "http://www.example.gov.cn/xxgk/content_3301.html",
                 None),
        ListItem("示例市人民政府办公室关于做好冬春季安全生产工作的通知", "http://www.example.gov.cn/xxgk/content_3302.html",
                 None),
    )
    assert {link.name for link in page.nav_links} == {"首页", "规划计划与发展战略信息", "统计信息与数据发布平台"}


def test_empty_column_menu_is_nav_not_items() -> None:
    page = _parse("generic/empty_zanwu", "http://www.example.gov.cn/scjgj/xxgk/xzcf/")
    assert {link.name for link in page.nav_links} == {"示例市市场监督管理局", "信息公开", "行政许可", "随机抽查"}


# --- pagination variants -----------------------------------------------------------------------------------


def _list(pager: str, script: str = "") -> str:
    rows = "".join(
        f"<li><a href='./202611/t202611{day:02d}_{day}.html'>关于做好第{day}批重点项目申报工作的通知</a>"
        f"<span>2026-11-{day:02d}</span></li>"
        for day in (3, 2, 1)
    )
    return f"<html><body><ul class='list'>{rows}</ul><div class='pager'>{pager}</div>{script}</body></html>"


D = "http://www.example.gov.cn/zwgk/tzgg/"


@pytest.mark.parametrize(
    ("url", "pager", "script", "expected"),
    [
        # TRS createPageHTML, literal arguments, first page
        (D + "index.html", "", '<script>createPageHTML(3, 0, "index", "html");</script>',
         {D + "index_1.html", D + "index_2.html"}),
        # TRS on the directory URL: index.html is this very page
        (D, "", "<script>createPageHTML(3, 0, 'index', 'html');</script>", {D + "index_1.html", D + "index_2.html"}),
        # newer TRS templates pass the pager's div id first
        (D + "index_1.html", "", "<script>createPageHTML('page_div', 3, 1, 'index', 'html', 45);</script>",
         {D + "index.html", D + "index_2.html"}),
        # a single page: nothing to fetch
        (D + "index.html", "", '<script>createPageHTML(1, 0, "index", "html");</script>', set()),
        # plain next link only
        (D + "index.html", "<a href='index_1.html'>下一页</a>", "", {D + "index_1.html"}),
        (D + "index.html", "<a href='index_1.html'>下页</a><a href='index_9.html'>末页</a>", "",
         {D + f"index_{n}.html" for n in range(1, 10)}),
        # 共N页 with index_N links (TRS numbering: page 2 = index_1)
        (D + "index.html", "共4页 <a href='index_1.html'>2</a> <a href='index_1.html'>&gt;</a>", "",
         {D + "index_1.html", D + "index_2.html", D + "index_3.html"}),
        # query-string pages; javascript: links are never pages
        (D + "list.jsp?cid=7", "<a href='list.jsp?cid=7&amp;pageNo=2'>下一页</a> <a href='javascript:go(3)'>3</a>", "",
         {D + "list.jsp?cid=7&pageNo=2"}),
        (D + "list.jsp?cid=7", "共3页 <a href='?cid=7&amp;page=2'>2</a> <a href='?cid=7&amp;page=3'>3</a>", "",
         {D + "list.jsp?cid=7&page=2", D + "list.jsp?cid=7&page=3"}),
        # zero-based page counter: next from the first page is pageIndex=1
        (D + "list.html", "第1页/共3页 <a href='list.html?pageIndex=1'>下一页</a>", "",
         {D + "list.html?pageIndex=1", D + "list.html?pageIndex=2"}),
        # Hanweb static pager
        ("http://www.example.gov.cn/col/col88/index.html",
         "共3页 <a href='/col/col88/index.html?uid=901&amp;pageNum=2'>下一页</a>", "",
         {"http://www.example.gov.cn/col/col88/index.html?uid=901&pageNum=2",
          "http://www.example.gov.cn/col/col88/index.html?uid=901&pageNum=3"}),
        # a 首页 link to "&page=1" on page one is this very page
        (D + "list.jsp?cid=7", "<a href='list.jsp?cid=7&amp;page=1'>首页</a><a href='list.jsp?cid=7&amp;page=2'>下一页</a>",
         "", {D + "list.jsp?cid=7&page=2"}),
        ("http://www.example.gov.cn/col/col88/index.html",
         "<a href='/col/col88/index.html?uid=901&amp;pageNum=1'>首页</a>"
         "<a href='/col/col88/index.html?uid=901&amp;pageNum=2'>2</a>"
         "<a href='/col/col88/index.html?uid=901&amp;pageNum=4'>尾页</a>", "",
         {f"http://www.example.gov.cn/col/col88/index.html?uid=901&pageNum={n}" for n in (2, 3, 4)}),
        # list_N naming
        (D + "list_3.html", "<a href='list_2.html'>上一页</a><a href='list_4.html'>下一页</a>", "",
         {D + "list_2.html", D + "list_4.html"}),
        # a hostile page count is capped, not exploded
        (D + "index.html", "", '<script>createPageHTML(99999999, 0, "index", "html");</script>', 1999),
    ],
)
def test_page_urls(url: str, pager: str, script: str, expected: set[str] | int) -> None:
    page = parse_list_page(_list(pager, script), url, today=TODAY)
    assert len(page.items) == 3
    if isinstance(expected, int):
        assert len(page.page_urls) == expected
    else:
        assert set(page.page_urls) == expected
        assert len(page.page_urls) == len(expected)  # no duplicates
    assert not any(u.startswith("javascript") for u in page.page_urls)


def test_navigation_menu_with_home_link_is_not_a_pager() -> None:
    html = _list("<a href='index_1.html'>下一页</a>").replace(
        "<body>", "<body><div class='nav'><a href='/'>首页</a><a href='/zwgk/'>政务公开</a></div>"
    )
    page = parse_list_page(html, D + "index.html", today=TODAY)
    assert page.page_urls == (D + "index_1.html",)
    assert NavLink("首页", "http://www.example.gov.cn/") in page.nav_links


# --- structure and hostile input -------------------------------------------------------------------------------


def test_truncated_titles_use_the_title_attribute_and_fragments_are_stripped() -> None:
    html = (
        "<ul><li><a href='a.html#p1' title='关于印发《示例市政务公开工作要点》的通知'>关于印发《示例市政务公开…</a>"
        "<span>2026-11-01</span></li><li><a href='b.html' title='点击查看'>示例市政务公开工作领导小组会议召开</a>"
        "<span>2026-10-30</span></li></ul>"
    )
    page = parse_list_page(html, D + "index.html")
    assert page.items == (
        ListItem("关于印发《示例市政务公开工作要点》的通知", D + "a.html", date(2026, 11, 1)),
        ListItem("示例市政务公开工作领导小组会议召开", D + "b.html", date(2026, 10, 30)),
    )


def test_a_single_item_list_is_found() -> None:
    html = (
        "<div class='nav'><a href='/'>首页</a><a href='/zwgk/'>政务公开</a></div>"
        "<ul class='list'><li><a href='./202601/t20260105_1.html'>示例市2025年度政府信息公开工作年度报告</a>"
        "<span>2026-01-05</span></li></ul>"
    )
    page = parse_list_page(html, D + "index.html")
    assert page.items == (
        ListItem("示例市2025年度政府信息公开工作年度报告", D + "202601/t20260105_1.html", date(2026, 1, 5)),
    )


@pytest.mark.parametrize(
    "html",
    [
        "",
        "garbage < > & \x00 \ufffd",
        "<html><body><ul><li><a>no href</a></li></ul>",
        "<ul>" + "<li><a href='x.html'>" * 3000,
        "<a href='http://[::1'>坏链接</a><a href='javascript:void(0)'>下一页</a><a href='#'>2</a>",
        "<script>createPageHTML(countPage, currentPage, 'index', 'html');</script>",
        "<script>function createPageHTML(_nPageCount, _nCurrIndex, _sPageName, _sPageExt){}</script>",
        "<div id='1'><script type='text/xml'><datastore><recordset><record><![CDATA[<li><a href",
    ],
)
def test_hostile_html_never_raises(html: str, caplog: pytest.LogCaptureFixture) -> None:
    page = parse_list_page(html, D + "index.html")
    assert isinstance(page, ListPage)
    assert all(u.startswith("http") for u in page.page_urls)
    assert not caplog.records  # handled by the parser itself, not by its last-resort exception guard


# --- TRS with one <ul> per <div ms-visible>, pageChnlInfo and a search API ------------------------------

MSV_URL = "http://www.example.gov.cn/zwgk/ghxx/gzjz/"


def test_rows_of_one_list_split_over_wrapped_blocks_are_all_items() -> None:
    page = _parse("trs/list_msvisible", MSV_URL)
    assert len(page.items) == 75
    assert all(item.url.startswith(MSV_URL + "2026") and item.date is not None for item in page.items)
    assert page.items[0] == ListItem("关于做好冬季安全生产工作的通知", MSV_URL + "202611/t20261118_4012000.htm",
                                     date(2026, 11, 18))
    nav = {link.url.removeprefix("http://www.example.gov.cn") for link in page.nav_links}
    assert {"/zwgk/ghxx/ghcg/", "/zwgk/ghxx/pqgs/", "/zwgk/ghxx/phgb/", "/zwgk/", "/hdjl/"} <= nav  # menus
    assert "http://paper.example.com.cn/" in nav  # the footer's media links
    assert not any("/2026" in url for url in nav)  # every entry is an item, none is left as a link


def test_declared_records_pages_and_search_api() -> None:
    from crawler.parsing.dataapi import TRS, ApiRequest, DataApi

    page = _parse("trs/list_msvisible", MSV_URL)
    assert page.title == "工作进展情况"  # the page's ColumnName meta
    assert (page.declared_total, page.declared_pages) == (107, 8)
    assert page.data_api == DataApi(
        TRS, "http://www.example.gov.cn/fjdzapp/search", "POST",
        (("channelid", "200210"), ("classsql", "chnlid=21733"), ("sortfield", "-docorderpri,-docreltime"),
         ("classcol", "publishyear"), ("classsort", "0"), ("prepage", "15")), per_page=15, page_param="page")
    assert page.data_api.request(6) == ApiRequest(
        "http://www.example.gov.cn/fjdzapp/search", "POST",
        "channelid=200210&classsql=chnlid%3D21733&sortfield=-docorderpri%2C-docreltime&classcol=publishyear"
        "&classsort=0&prepage=15&page=6")


def test_column_name_from_meta_before_breadcrumb_and_headings() -> None:
    html = (PAGES / "trs/list_msvisible.html").read_text(encoding="utf-8")
    # the breadcrumb stops at the parent; the heading says the whole path
    html = html.replace('<li><a href="./">工作进展情况</a></li>', "")
    assert parse_list_page(html, MSV_URL, today=TODAY).title == "工作进展情况"
    for junk in ("null", "${column.name}", "示例市自然资源和规划局"):  # unrendered or the site's own name
        page = parse_list_page(html.replace('content="工作进展情况"', f'content="{junk}"'), MSV_URL, today=TODAY)
        assert page.title == "政务公开"


def test_dates_in_the_element_after_the_title_take_the_year_from_the_url() -> None:
    base = "http://www.example.gov.cn/czyjs/"
    page = _parse("kaipuyun/list_dd_pairs", base, today=date(2026, 11, 20))
    assert [(item.url.removeprefix(base), item.date) for item in page.items] == [
        ("201712/t20171228_5521.htm", date(2017, 12, 28)),
        ("201710/t20171010_5407.htm", date(2017, 10, 10)),
        ("201709/t20170915_5388.htm", date(2017, 9, 15)),
        ("201801/t20171229_5530.htm", date(2018, 1, 3)),  # shown in the new year, made in the old one
    ]
    assert page.title == "财政预决算"


# --- a column-tree (hub) page: sub-columns and a teaser of their newest documents ------------------------

HUB_URL = "http://www.example.gov.cn/zwgk/"


def test_hub_page_is_a_tree_and_its_teaser_no_list() -> None:
    page = _parse("trs/hub_zwgk", HUB_URL)
    assert page.is_tree is True
    assert page.items == () and page.note is None
    assert page.title == "政务公开"
    nav = {link.url for link in page.nav_links}
    assert {HUB_URL + c for c in ("zfxxgkzn/", "fdzdgknr/zcwj/", "fdzdgknr/rsxx/", "zfxxgknb/")} <= nav
    assert len(page.teasers) == 7 and page.teasers[0] == ListItem(
        "示例市人民政府关于印发2027年重点工作任务分工的通知", HUB_URL + "fdzdgknr/zcwj/202611/t20261118_901.html",
        date(2026, 11, 18))
    assert nav.isdisjoint(t.url for t in page.teasers)  # documents, not columns to explore


def test_hub_page_without_more_link_is_a_tree_by_its_sub_column_entries() -> None:
    html = (PAGES / "trs/hub_zwgk.html").read_text(encoding="utf-8").replace(
        '<a class="more" href="/zwgk/fdzdgknr/zcwj/">更多&gt;&gt;</a>', "")
    page = parse_list_page(html, HUB_URL, today=TODAY)
    assert page.is_tree is True and page.items == ()


def test_list_pages_are_not_trees() -> None:
    for case, url in (("trs/list_msvisible", MSV_URL), ("trs/list_createpagehtml", TRS_URL),
                      ("kaipuyun/list_dd_pairs", "http://www.example.gov.cn/czyjs/")):
        page = _parse(case, url)
        assert page.is_tree is False and page.items, case


def _entries(months: range, path: str, day: int, words: str) -> list[tuple[str, str, str]]:
    return [(f"./2026{m:02d}/t2026{m:02d}{day}_{m}.html" if path == "." else
             f"{path}/2026{m:02d}/t2026{m:02d}{day}_{m}.html", words.format(m), f"2026-{m:02d}-{day}")
            for m in months]


def test_one_dl_per_entry_beats_a_bigger_side_box() -> None:
    rows = _entries(range(1, 8), ".", 10, "关于做好第{}项重点工作的通知")
    side = _entries(range(1, 6), "/zwgk/zcwj", 12, "示例市关于第{}批政策文件的公告")
    html = (
        "<html><head><title>通知公告_示例市人民政府</title></head><body>"
        "<div class='nav'><a href='/'>首页</a><a href='/zwgk/'>政务公开</a></div><div class='con'>"
        + "".join(f"<dl><dt><a href='{u}'>{t}</a></dt><dd>{d}</dd></dl>" for u, t, d in rows)
        + "</div><div class='right'><h3>最新文件</h3><ul>"
        + "".join(f"<li><a href='{u}'>{t}</a><span>{d}</span></li>" for u, t, d in side)
        + "</ul></div></body></html>")
    page = parse_list_page(html, "http://www.example.gov.cn/zwgk/tzgg/", today=TODAY)
    assert [(i.title, i.date.isoformat()) for i in page.items] == [(t, d) for _, t, d in rows]
    assert page.title == "通知公告" and not page.is_tree
    assert len([link for link in page.nav_links if "/zwgk/zcwj/" in link.url]) == 5


@pytest.mark.parametrize(
    ("pager", "scripts", "records", "pages"),
    [
        ("<div class='page'>共107条记录 当前第1/8页 <a href='index_1.html'>下一页</a></div>", "", 107, 8),
        ("<div class='page'>共 36 条 共 3 页</div>", "", 36, 3),
        ("<div class='page'>总记录数：45</div>", "var pageSize = 15;", 45, 3),
        ("", "var countPage = 6; var currentPage = 0;", None, 6),
        ("", "$('#5678').jpage({perPage: 20, totalRecord: 81});", 81, 5),
        ("", "createPageHTML(12, 0, 'index', 'html');", None, 12),
        ("", "createPageHTML('page_div', 5, 0, 'index', 'html', 75);", 75, 5),
        ("", "var totalCount = 123456; // 访问量", None, None),  # a visit counter, not the list
        ("<p>办理时限：共3个工作日</p>", "", None, None),  # not a pager
        ("", "", None, None),
    ],
)
def test_declared_records_and_pages(pager: str, scripts: str, records: int | None, pages: int | None) -> None:
    rows = "".join(f"<li><a href='./202611/t202611{d:02d}_{d}.html'>示例市关于第{d}项重点工作的通知</a>"
                   f"<span>2026-11-{d:02d}</span></li>" for d in range(1, 6))
    html = f"<html><body><ul class='list'>{rows}</ul>{pager}<script>{scripts}</script></body></html>"
    page = parse_list_page(html, "http://www.example.gov.cn/tzgg/", today=TODAY)
    assert (page.declared_total, page.declared_pages) == (records, pages)


def test_thousands_of_one_entry_blocks_stay_one_list_and_fast() -> None:
    import time

    blocks = "".join(f"<div><dl><dt><a href='./202611/t20261101_{i}.html'>示例市关于第{i}项重点工作的通知</a></dt>"
                     f"<dd>[11-01]</dd></dl></div>" for i in range(2000))
    started = time.perf_counter()
    page = parse_list_page(f"<html><body>{blocks}</body></html>", "http://www.example.gov.cn/a/", today=TODAY)
    assert len(page.items) == 2000 and page.items[-1].date == date(2026, 11, 1)
    assert time.perf_counter() - started < 10


def test_a_paged_list_of_the_sub_columns_documents_is_no_tree() -> None:
    html = (PAGES / "trs/hub_zwgk.html").read_text(encoding="utf-8").replace(
        '<a class="more" href="/zwgk/fdzdgknr/zcwj/">更多&gt;&gt;</a>', "").replace(
        "</body>", "<script>createPageHTML(6, 0, 'index', 'html');</script></body>")
    page = parse_list_page(html, HUB_URL, today=TODAY)
    assert page.is_tree is False and len(page.items) == 7 and page.declared_pages == 6


def test_catalogue_table_dates_from_the_generated_date_column() -> None:
    rows = "".join(
        f"<tr><td>{n}</td><td>11350000003591037R/2026-0{n}112</td><td><a href='./2026{n:02d}/t2026{n:02d}20_{n}.htm'>"
        f"示例市关于第{n}项工作的通知</a></td><td>示政〔2026〕{n}号</td><td>2026-{n:02d}-18</td></tr>" for n in range(1, 5))
    html = ("<html><body><table><tr><th>序号</th><th>索引号</th><th>信息名称</th><th>文号</th><th>生成日期</th></tr>"
            f"{rows}</table></body></html>")
    page = parse_list_page(html, "http://www.example.gov.cn/zfxxgk/", today=TODAY)
    assert [i.date for i in page.items] == [date(2026, n, 18) for n in range(1, 5)]


def _box(heading: str, rows: list[tuple[str, str, str]], dated: bool) -> str:
    lis = "".join(f"<li><a href='{u}'>{t}</a>{f'<span>{d}</span>' if dated else ''}</li>" for u, t, d in rows)
    return f"<div class='box'><div class='hd'>{heading}</div><ul>{lis}</ul></div>"


def test_an_undated_list_beats_a_dated_newest_files_box() -> None:
    own = _entries(range(1, 7), ".", 10, "关于做好第{}项重点工作的通知")
    side = _entries(range(1, 6), "/zwgk/zcwj", 12, "示例市关于第{}批政策文件的公告")
    html = (f"<html><head><meta name='ColumnName' content='通知公告'></head><body>{_box('通知公告', own, False)}"
            f"{_box('最新文件', side, True)}</body></html>")
    page = parse_list_page(html, "http://www.example.gov.cn/zwgk/tzgg/", today=TODAY)
    assert [i.title for i in page.items] == [t for _, t, _ in own] and not page.is_tree


def test_a_column_called_newest_files_lists_its_own_entries() -> None:
    own = _entries(range(1, 7), "/zwgk/zxwj", 10, "示例市关于第{}批政策文件的公告")
    html = f"<html><head><meta name='ColumnName' content='最新文件'></head><body>{_box('最新文件', own, True)}</body></html>"
    page = parse_list_page(html, "http://www.example.gov.cn/zwgk/zxwj/", today=TODAY)
    assert len(page.items) == 6
    # without any name for the column, a page whose only list sits under such a heading still lists it
    page = parse_list_page(html.replace("最新文件'", "'"), "http://www.example.gov.cn/zwgk/zxwj/", today=TODAY)
    assert len(page.items) == 6


def test_pages_numbered_with_a_hyphen() -> None:
    base = "http://www.example.gov.cn/news-list-yw"
    html = ("<html><body><div class='list'>" + "".join(
        f"<div><a href='/news-show-{n}.html'>示例县第{n}项重点工作推进情况</a><p>2026-11-{n:02d}</p></div>" for n in range(1, 6))
        + f"</div><div class='pages'>共595条记录 1/30页 <a href='{base}-1.html'>首页</a> <a href='{base}-2.html'>下一页</a>"
        f" <a href='{base}-30.html'>末页</a></div></body></html>")
    page = parse_list_page(html, base + ".html", today=TODAY)
    assert f"{base}-2.html" in page.page_urls and f"{base}-30.html" in page.page_urls
    assert not any("_" in url for url in page.page_urls) and len(page.items) == 5
    assert (page.declared_total, page.declared_pages) == (595, 30)


def test_hidden_run_of_numbered_page_links_is_the_pager() -> None:
    rows = "".join(f"<li><a href='../../n3/n13/content_{n}.html'>示例市第{n}项重点工作推进情况</a>[2026-11-{n:02d}]</li>"
                   for n in range(1, 6))
    hidden = "".join(f"<a href='../../n3/n13/index_958_{n}.html'></a>" for n in range(1, 41))
    html = (f"<html><body><ul>{rows}</ul><div id='pag_958'></div><script>var maxPageNum = 40;</script>"
            f"<div style='display:none'>{hidden}</div></body></html>")
    page = parse_list_page(html, "http://www.example.gov.cn/n3/n13/index.html", today=TODAY)
    assert {f"http://www.example.gov.cn/n3/n13/index_958_{n}.html" for n in range(1, 41)} <= set(page.page_urls)
    assert not any("index_958" in link.url for link in page.nav_links) and len(page.items) == 5
