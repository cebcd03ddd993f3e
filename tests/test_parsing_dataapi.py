"""Data endpoints named by list pages: the requests for page n, and the records of their answers."""

from __future__ import annotations

import json
from datetime import date
from urllib.parse import parse_qsl, urlsplit

from crawler.parsing.dataapi import GKMLPT, HANWEB, TRS, ApiRequest, DataApi, find_data_api
from crawler.parsing.listpage import ListItem, parse_api_response

SITE = "http://www.example.gov.cn"


def test_hanweb_requests_window_records_and_post_the_column() -> None:
    api = DataApi(HANWEB, SITE + "/module/web/jpage/dataproxy.jsp", "POST",
                  (("col", "1"), ("webid", "12"), ("columnid", "4321"), ("unitid", "98765")), per_page=15)
    first, third = api.request(1), api.request(3)
    assert first == ApiRequest(SITE + "/module/web/jpage/dataproxy.jsp?startrecord=1&endrecord=15&perpage=15",
                               "POST", "col=1&webid=12&columnid=4321&unitid=98765")
    assert dict(parse_qsl(urlsplit(third.url).query)) == {"startrecord": "31", "endrecord": "45", "perpage": "15"}


def test_get_and_post_apis_number_their_pages() -> None:
    gk = DataApi(GKMLPT, SITE + "/gkmlpt/api/all/2851", "GET", (("sid", "757"),), per_page=100, page_param="page")
    assert gk.request(2) == ApiRequest(SITE + "/gkmlpt/api/all/2851?sid=757&page=2", "GET", None)
    trs = DataApi(TRS, SITE + "/search/list", "POST", (("channelId", "77"), ("pageNo", "1")), per_page=15,
                  page_param="pageNo", first_page=0)
    assert trs.request(3) == ApiRequest(SITE + "/search/list", "POST", "channelId=77&pageNo=2")


def test_hanweb_dataproxy_answer() -> None:
    body = """<?xml version="1.0" encoding="UTF-8"?><datastore><totalrecord>107</totalrecord><totalpage>8</totalpage>
    <recordset>
    <record><![CDATA[<li><a href="/art/2026/11/15/art_4321_1001.html" title="关于开展秋季安全检查的通知">关于开展秋季安全检查的通知</a><span>2026-11-15</span></li>]]></record>
    <record><![CDATA[<li><a href="/art/2026/11/10/art_4321_1000.html" title="示例市2026年第三季度工作情况">示例市2026年第三季度工作情况</a><span>2026-11-10</span></li>]]></record>
    </recordset></datastore>"""
    api = DataApi(HANWEB, SITE + "/module/web/jpage/dataproxy.jsp", "POST")
    page = parse_api_response(body, api, today=date(2026, 11, 20))
    assert page.declared_total == 107
    assert page.items == (
        ListItem("关于开展秋季安全检查的通知", SITE + "/art/2026/11/15/art_4321_1001.html", date(2026, 11, 15)),
        ListItem("示例市2026年第三季度工作情况", SITE + "/art/2026/11/10/art_4321_1000.html", date(2026, 11, 10)),
    )


def test_gkmlpt_json_answer_with_unix_times() -> None:
    body = json.dumps({"total": 230, "page": 2, "articles": [
        {"id": 1, "title": "示例区关于2026年预算执行情况的报告", "url": SITE + "/gkmlpt/content/1/1001/post_1001.html",
         "first_publish_time": 1763164800, "display_publish_time": 1763164800},
        {"id": 2, "title": "示例区<em>财政</em>资金绩效评价结果", "url": "/gkmlpt/content/1/1002/post_1002.html",
         "first_publish_time": 1762819200000},
    ]}, ensure_ascii=False)
    page = parse_api_response(body, DataApi(GKMLPT, SITE + "/gkmlpt/api/all/2851", "GET"))
    assert page.declared_total == 230
    assert page.items == (
        ListItem("示例区关于2026年预算执行情况的报告", SITE + "/gkmlpt/content/1/1001/post_1001.html", date(2025, 11, 15)),
        ListItem("示例区财政资金绩效评价结果", SITE + "/gkmlpt/content/1/1002/post_1002.html", date(2025, 11, 11)),
    )


def test_hostile_answers_give_nothing() -> None:
    api = DataApi(TRS, SITE + "/search", "POST")
    for body in ("", "not json", "{\"data\": [1, 2, {\"x\": null}]}", "[" * 5000):
        assert parse_api_response(body, api).items == ()


def test_jquery_list_call_with_a_channel_and_a_page_number() -> None:
    scripts = """
      var info = {chnlid: '77', prepage: 20};
      $.ajax({url: '/search/list', type: 'POST', dataType: 'json',
              data: {channelid: info.chnlid, sortfield: '-docreltime', prepage: info.prepage, page: 1},
              success: function (res) { render(res.docs); }});
    """
    assert find_data_api(scripts, SITE + "/zwgk/tzgg/") == DataApi(
        TRS, SITE + "/search/list", "POST",
        (("channelid", "77"), ("sortfield", "-docreltime"), ("prepage", "20"), ("page", "1")),
        per_page=20, page_param="page", first_page=1)
    # beside a static pager such a call is more likely a side widget's
    assert find_data_api(scripts, SITE + "/zwgk/tzgg/", static_pager=True) is None


def test_hanweb_datastore_names_its_proxy_and_column() -> None:
    scripts = """<datastore><nextgroup><![CDATA[<a href="/module/web/jpage/dataproxy.jsp?page=1&appid=1&webid=12&path=/&columnid=1234&unitid=5678&webname=%E7%A4%BA%E4%BE%8B%E5%B8%82&permissiontype=0"></a>]]></nextgroup>
      <recordset></recordset></datastore>
      $('#5678').jpage({dataStore: dataStore, perPage: 15, totalRecord: 47, proxyUrl: '/module/web/jpage/dataproxy.jsp'});"""
    api = find_data_api(scripts, SITE + "/col/col1234/index.html")
    assert api == DataApi(HANWEB, SITE + "/module/web/jpage/dataproxy.jsp", "POST",
                          (("appid", "1"), ("webid", "12"), ("path", "/"), ("columnid", "1234"), ("unitid", "5678"),
                           ("webname", "示例市"), ("permissiontype", "0")), per_page=15)
    assert api.request(4).url == SITE + "/module/web/jpage/dataproxy.jsp?startrecord=46&endrecord=60&perpage=15"


def test_gkmlpt_api_named_in_a_script() -> None:
    scripts = "window._CONFIG = {SID: '755031', APP_URL: ''}; var api = '/jr/gkmlpt/api/all/2811?page=1';"
    assert find_data_api(scripts, SITE + "/jr/gkmlpt/index") == DataApi(
        GKMLPT, SITE + "/jr/gkmlpt/api/all/2811", "GET", (("sid", "755031"),), page_param="page")


def test_pages_without_an_endpoint() -> None:
    for scripts in ("", "var countPage = 5; createPageHTML(5, 0, 'index', 'html');",
                    "$.ajax({url: '/count.do', data: {id: 5}})", "$.post('/hit', {docid: 3})"):
        assert find_data_api(scripts, SITE + "/") is None


def test_gkmlpt_classify_post_count_is_the_declared_total() -> None:
    body = json.dumps({"classify": {"id": 21023, "name": "受理公告", "post_count": 203}, "articles": [
        {"id": 9, "title": "示例项目受理公告", "url": SITE + "/gkmlpt/content/3/3255/post_3255421.html",
         "created_at": "2026-07-06 09:00:00", "identifier": "11441200MB2C91453G/2026-00271"}]}, ensure_ascii=False)
    page = parse_api_response(body, DataApi(GKMLPT, SITE + "/gkmlpt/api/all/21023", "GET"))
    assert page.declared_total == 203
    assert page.items == (ListItem("示例项目受理公告", SITE + "/gkmlpt/content/3/3255/post_3255421.html", date(2026, 7, 6)),)


def test_json_totals_prefer_record_counts_to_page_counts() -> None:
    rows = [{"title": f"示例市第{n}号通知", "url": f"/a/{n}.html", "pubDate": "2026-11-0{n}"} for n in range(1, 4)]
    api = DataApi(TRS, SITE + "/search", "POST")
    jqgrid = json.dumps({"total": 8, "page": 1, "records": 107, "rows": rows}, ensure_ascii=False)
    assert parse_api_response(jqgrid, api).declared_total == 107
    counted = json.dumps({"count": 3, "data": {"list": rows, "totalCount": 47}}, ensure_ascii=False)
    page = parse_api_response(counted, api)
    assert page.declared_total == 47 and [i.url for i in page.items] == [SITE + f"/a/{n}.html" for n in (1, 2, 3)]
    assert parse_api_response(json.dumps({"count": 3, "list": rows}), api).declared_total is None


def test_gkmlpt_column_address_with_the_site_id_of_the_page() -> None:
    scripts = "window._CONFIG = {SID: '758019', TREE: [{id: 21023, name: '受理公告', parent: 21022}]};"
    assert find_data_api(scripts, "https://www.example.gov.cn/zqhjj/gkmlpt/index#21023") == DataApi(
        GKMLPT, "https://www.example.gov.cn/zqhjj/gkmlpt/api/all/21023", "GET", (("sid", "758019"),),
        page_param="page")
    assert find_data_api(scripts, "https://www.example.gov.cn/zqhjj/gkmlpt/index") is None


def test_trs_search_answer_of_the_fujian_portals() -> None:
    body = json.dumps({"pageCount": 8, "page": 2, "docs": [
        {"doctitle": "区公安局2024年第三季度易制毒化学品企事业抽查工作情况", "docreltime": "2024-10-17 09:30:00",
         "chnldocurl": "https://www.example.gov.cn/zwgk/ghxx/gzjzqk/202410/t20241017_94349.htm"},
        {"doctitle": "关于2024年度拍卖企业年度核查工作情况的通报", "docreltime": 1743638400000,
         "chnldocurl": "../../zfxxgk/gzdt/202504/t20250408_98328.htm"},
    ]}, ensure_ascii=False)
    api = DataApi(TRS, "https://www.example.gov.cn/fjdzapp/search", "POST", (("channelid", "200210"),), per_page=15,
                  page_param="page")
    page = parse_api_response(body, api)
    assert page.declared_total is None  # pageCount counts pages, not records
    assert page.items == (
        ListItem("区公安局2024年第三季度易制毒化学品企事业抽查工作情况",
                 "https://www.example.gov.cn/zwgk/ghxx/gzjzqk/202410/t20241017_94349.htm", date(2024, 10, 17)),
        ListItem("关于2024年度拍卖企业年度核查工作情况的通报", "https://www.example.gov.cn/zfxxgk/gzdt/202504/t20250408_98328.htm",
                 date(2025, 4, 3)),
    )
