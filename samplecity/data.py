"""What the sample city contains: departments, columns, planted endpoints and the links to them.

Add a department, column or defect here; the site, the ground truth check and the tests follow.
Every planted link must point at an Endpoint, and every Endpoint a link points at needs a verdict;
after changing the verdicts, update ground_truth.yaml (tests/test_samplecity.py says what differs).
"""

from __future__ import annotations

from .model import ARCHIVE, BROKEN, NEGATIVE, Column, Department, Endpoint, Link, Upstream

_BUDGET = Column("czyjs", "财政预决算", children=(
    Column("bmys", "部门预算", docs=1, yearly=(2, 10)),
    Column("bmjs", "部门决算", docs=1, yearly=(8, 28)),
))

DEPARTMENTS: tuple[Department, ...] = (
    Department(
        id="fgw", name="示例市发展和改革委员会", short="市发展改革委", style="generic",
        credit_code="11370100MB2851107F", doc_prefix="示发改", first_id=10001,
        topics=("重点项目建设", "价格监测", "营商环境优化", "节能降碳", "社会信用体系建设"),
        columns=(
            Column("gzdt", "工作动态", docs=12, newest=1, oldest=70, image_every=4),
            Column("tzgg", "通知公告", docs=7, newest=3, oldest=100, numbered=True),
            Column("zcwj", "政策文件", docs=5, newest=12, oldest=170, numbered=True, attach_every=2),
            Column("zcjd", "政策解读", docs=3, newest=10, oldest=160),
            Column("rsxx", "人事信息", docs=2, newest=25, oldest=130),
            _BUDGET,
            Column("ndbg", "政府信息公开年报", docs=2, yearly=(1, 20)),
        ),
    ),
    Department(
        id="jyj", name="示例市教育局", short="市教育局", style="trs",
        credit_code="11370100MB2851204K", doc_prefix="示教", first_id=482301,
        topics=("义务教育招生", "校园安全", "教师队伍建设", "学前教育", "职业教育"),
        columns=(
            Column("gzdt", "工作动态", docs=12, newest=2, oldest=80, image_every=3),
            Column("tzgg", "通知公告", docs=8, newest=5, oldest=120, numbered=True, attach_every=3),
            Column("zcwj", "政策文件", docs=4, newest=20, oldest=200, numbered=True, attach_every=2),
            Column("zcjd", "政策解读", docs=2, newest=18, oldest=190),
            Column("rsxx", "人事信息", docs=3, newest=15, oldest=150),
            Column("xxgkzn", "政府信息公开指南", docs=1, newest=240, oldest=240),
            Column("ndbg", "政府信息公开年报", docs=1, yearly=(1, 22)),
        ),
    ),
    Department(
        id="gaj", name="示例市公安局", short="市公安局", style="query",
        credit_code="11370100MB2851301Q", doc_prefix="示公", first_id=5101,
        topics=("户籍管理", "交通安全", "反诈宣传", "出入境服务", "治安管理"),
        columns=(
            Column("gzdt", "部门动态", docs=11, newest=1, oldest=60),
            Column("tzgg", "通知公告", docs=6, newest=6, oldest=90, numbered=True),
            Column("zcwj", "政策文件", docs=4, newest=30, oldest=180, numbered=True),
            Column("rsxx", "人事信息", docs=2, newest=40, oldest=120),
            _BUDGET,
            Column("ndbg", "政府信息公开年报", docs=1, yearly=(1, 25)),
        ),
    ),
    Department(
        id="wjw", name="示例市卫生健康委员会", short="市卫生健康委", style="gbk",
        credit_code="11370100MB2851409W", doc_prefix="示卫健", first_id=30001,
        topics=("基层医疗卫生", "疾病预防控制", "家庭医生签约", "医疗质量安全", "爱国卫生运动"),
        columns=(
            Column("gzdt", "政务动态", docs=11, newest=2, oldest=65, image_every=5),
            Column("tzgg", "通知公告", docs=6, newest=4, oldest=95, numbered=True),
            Column("zcwj", "政策文件", docs=3, newest=14, oldest=160, numbered=True, attach_every=2),
            Column("zcjd", "政策解读", docs=2, newest=13, oldest=150),
            Column("rsxx", "人事信息", docs=2, newest=35, oldest=110),
            Column("ndbg", "政府信息公开年报", docs=1, yearly=(1, 18)),
        ),
    ),
    Department(
        id="sfj", name="示例市司法局", short="市司法局", style="gkmlpt",
        credit_code="11370100MB2851502C", doc_prefix="示司", first_id=2215001,
        topics=("公共法律服务", "人民调解", "法律援助", "行政执法监督", "普法宣传"),
        columns=(
            Column("gzdt", "工作动态", docs=8, newest=3, oldest=75),
            Column("tzgg", "通知公告", docs=7, newest=2, oldest=110, numbered=True),
            Column("zcwj", "政策文件", docs=4, newest=25, oldest=210, numbered=True),
            Column("zcjd", "政策解读", docs=2, newest=24, oldest=200),
            _BUDGET,
            Column("xxgkzn", "政府信息公开指南", docs=1, newest=300, oldest=300),
            Column("ndbg", "政府信息公开年报", docs=1, yearly=(1, 26)),
        ),
    ),
    Department(
        id="zjj", name="示例市住房和城乡建设局", short="市住房城乡建设局", style="shtml",
        credit_code="11370100MB2851606H", doc_prefix="示建", first_id=7701,
        topics=("保障性住房", "城镇老旧小区改造", "建筑施工安全", "物业服务管理", "住房公积金"),
        columns=(
            Column("gzdt", "工作动态", docs=12, newest=1, oldest=72, image_every=4),
            Column("tzgg", "通知公告", docs=9, newest=5, oldest=130, numbered=True, attach_every=4),
            Column("zcwj", "政策文件", docs=4, newest=16, oldest=190, numbered=True),
            Column("zcjd", "政策解读", docs=2, newest=15, oldest=180),
            Column("rsxx", "人事信息", docs=2, newest=28, oldest=140),
            Column("ndbg", "政府信息公开年报", docs=1, yearly=(1, 24)),
        ),
    ),
)

UPSTREAM: tuple[Upstream, ...] = (
    Upstream(
        id="province", name="省人民政府文件", path="/upstream/zcwj/", issuer="示例省人民政府",
        doc_prefix="示政发", docs=12, page_size=6, repost_within_hours=24,
        topics=("民营经济", "数字政府建设", "稳就业", "城市更新", "营商环境", "乡村振兴"),
    ),
)

_REFUSED = "http://127.0.0.1:{refused_port}/wsbs/index.html"
_GONE_UPSTREAM = "/upstream/zcwj/201912/t20191230_5501.html"
_DELETED_FGW = "/fgw/zwgk/tzgg/content_9017.html"
_RAR = "application/x-rar-compressed"
_OCTET = "application/octet-stream"

ENDPOINTS: tuple[Endpoint, ...] = (
    # --- links.broken --------------------------------------------------------------------------
    Endpoint(_DELETED_FGW, status=404, verdict=BROKEN, why="404"),
    Endpoint(_GONE_UPSTREAM, status=404, verdict=BROKEN, why="404"),
    Endpoint("/jyj/zwgk/tzgg/201805/t20180520_334455.html", status=410, title="该信息已撤销",
             verdict=BROKEN, why="410"),
    Endpoint("/jyj/zwgk/fj/2023年义务教育招生计划.pdf", status=404, verdict=BROKEN, why="404"),
    Endpoint("/gaj/bsfw/jdc/query.jsp", status=500, title="服务器内部错误", verdict=BROKEN, why="500"),
    Endpoint(_REFUSED, verdict=BROKEN, why="connection-refused"),
    Endpoint("/wjw/images/2023/jkzg_banner.jpg", status=404, verdict=BROKEN, why="404"),
    Endpoint("/wjw/old/jkjy.htm", status=301, location="/r/wjw-jkjy", verdict=BROKEN,
             why="redirect-chain-404"),
    Endpoint("/r/wjw-jkjy", status=302, location="/wjw/zwgk/jkjy/index.htm"),  # ... → 404 (no route)
    Endpoint("/sfj/zwgk/ztzl/", soft404=True, title="您访问的页面不存在", verdict=BROKEN, why="soft-404"),
    Endpoint("/r/a", status=302, location="/r/b", verdict=BROKEN, why="redirect-loop"),
    Endpoint("/r/b", status=302, location="/r/a"),
    # --- attachments.archive -------------------------------------------------------------------
    Endpoint("/jyj/zwgk/fj/W020240315_招生材料.zip", body="zip", verdict=ARCHIVE, why="extension"),
    Endpoint("/fgw/uploadfiles/2024/项目申报材料.rar", body="rar", verdict=ARCHIVE, why="extension"),
    Endpoint("/gaj/zwgk/fj/户籍业务表格.7z", body="7z", verdict=ARCHIVE, why="extension"),
    Endpoint("/zjj/zwgk/fj/tjsj_2024.tar.gz", body="tar.gz", verdict=ARCHIVE, why="extension"),
    Endpoint("/sfj/zwgk/download.jsp?fileid=123", body="zip", content_type=_OCTET, verdict=ARCHIVE,
             why="magic"),
    Endpoint("/wjw/zwgk/getfile?id=9", body="rar", content_type=_OCTET,
             disposition="attachment; filename*=UTF-8''%E6%9D%90%E6%96%99.rar", verdict=ARCHIVE,
             why="content-disposition"),
    Endpoint("/zjj/attach/file/20240611093021", body="rar", content_type=_RAR, verdict=ARCHIVE,
             why="content-type"),
    # --- negatives: look suspicious, are fine --------------------------------------------------
    Endpoint("/fgw/index.jsp", status=301, location="/fgw/", verdict=NEGATIVE,
             why="301 redirect to a valid page"),
    Endpoint("/r/jyj-xxgk", status=302, location="/jyj/zwgk/", verdict=NEGATIVE,
             why="302 redirect to a valid page"),
    Endpoint("/gaj/bsfw/wsyy.do", title="出入境业务网上预约", head_status=405, verdict=NEGATIVE,
             why="HEAD answers 405, GET answers 200"),
    Endpoint("/zjj/bsfw/gjjcx.jsp", title="住房公积金查询", head_status=404, verdict=NEGATIVE,
             why="HEAD answers 404 (HEAD lies), GET answers 200"),
    Endpoint("/wjw/sjfb/index.htm", title="卫生健康统计数据", delay=1.0, verdict=NEGATIVE,
             why="slow (1 s) but loads"),
    Endpoint("/fgw/uploadfiles/2024/价格监测报告.pdf", body="pdf", verdict=NEGATIVE, why="valid .pdf attachment"),
    Endpoint("/jyj/zwgk/fj/报名登记表.docx", body="docx", verdict=NEGATIVE,
             why="valid .docx attachment (an Office zip container, not an archive)"),
    Endpoint("/sfj/zwgk/fj/法律援助案件统计表.xlsx", body="xlsx", verdict=NEGATIVE,
             why="valid .xlsx attachment (an Office zip container, not an archive)"),
    Endpoint("/sfj/zwgk/download.jsp?fileid=7", body="pdf", content_type=_OCTET, verdict=NEGATIVE,
             why="extensionless download served as application/octet-stream, body is a PDF"),
    Endpoint("/sfj/zwgk/download.jsp?fileid=8", body="xlsx", content_type=_OCTET, verdict=NEGATIVE,
             why="extensionless download, PK magic but an Office (xlsx) container"),
    Endpoint("/fgw/zwgk/#nav", verdict=NEGATIVE, why="fragment link to a valid page"),
    Endpoint("/zjj/zwgk/tzgg/index.shtml#top", verdict=NEGATIVE, why="fragment link to a valid page"),
    Endpoint("mailto:gaj@sample.gov.cn", verdict=NEGATIVE, why="mailto: link, not fetched"),
    Endpoint("javascript:window.print()", verdict=NEGATIVE, why="javascript: link, not fetched"),
    Endpoint("javascript:window.close()", verdict=NEGATIVE, why="javascript: link, not fetched"),
)

LINKS: tuple[Link, ...] = (
    # fgw: one deleted document linked three times (list entry + two documents) -> one entry
    Link("fgw", "column:tzgg", _DELETED_FGW, "关于开展2024年度重点项目申报工作的通知", tag="item"),
    Link("fgw", "doc:gzdt:1", _DELETED_FGW, "相关阅读：关于开展重点项目申报工作的通知"),
    Link("fgw", "doc:zcjd:0", _DELETED_FGW, "政策原文：关于开展重点项目申报工作的通知"),
    # the same removed provincial document linked by two departments -> two entries
    Link("fgw", "doc:zcwj:0", _GONE_UPSTREAM, "示例省人民政府关于促进民营经济发展的若干意见"),
    Link("sfj", "doc:zcwj:1", _GONE_UPSTREAM, "示例省人民政府关于促进民营经济发展的若干意见"),
    Link("jyj", "doc:tzgg:0", "/jyj/zwgk/tzgg/201805/t20180520_334455.html", "2018年招生工作通知（原文）"),
    Link("jyj", "doc:zcwj:0", "/jyj/zwgk/fj/2023年义务教育招生计划.pdf", "2023年义务教育招生计划.pdf",
         tag="attachment"),
    Link("gaj", "column:gzdt", "/gaj/bsfw/jdc/query.jsp", "机动车违法查询"),
    Link("gaj", "doc:tzgg:0", _REFUSED, "网上办事大厅"),
    Link("wjw", "doc:gzdt:0", "/wjw/images/2023/jkzg_banner.jpg", "健康中国行动宣传图", tag="img"),
    Link("wjw", "column:gzdt:2", "/wjw/old/jkjy.htm", "健康教育专栏"),
    Link("sfj", "root", "/sfj/zwgk/ztzl/", "专题专栏"),
    Link("zjj", "doc:gzdt:2", "/r/a", "城市更新专题"),
    # archives
    Link("jyj", "doc:tzgg:1", "/jyj/zwgk/fj/W020240315_招生材料.zip", "招生材料.zip", tag="attachment"),
    Link("fgw", "doc:tzgg:0", "/fgw/uploadfiles/2024/项目申报材料.rar", "项目申报材料.rar", tag="attachment"),
    Link("gaj", "doc:zcwj:0", "/gaj/zwgk/fj/户籍业务表格.7z", "户籍业务表格.7z", tag="attachment"),
    Link("zjj", "doc:tzgg:0", "/zjj/zwgk/fj/tjsj_2024.tar.gz", "2024年统计数据.tar.gz", tag="attachment"),
    Link("sfj", "doc:tzgg:0", "/sfj/zwgk/download.jsp?fileid=123", "法律援助申请材料", tag="attachment"),
    Link("wjw", "doc:tzgg:0", "/wjw/zwgk/getfile?id=9", "材料下载", tag="attachment"),
    Link("zjj", "doc:zcwj:0", "/zjj/attach/file/20240611093021", "项目申报材料", tag="attachment"),
    # negatives
    Link("fgw", "doc:gzdt:0", "/fgw/index.jsp", "返回委网站首页"),
    Link("jyj", "doc:gzdt:0", "/r/jyj-xxgk", "政府信息公开"),
    Link("gaj", "doc:gzdt:0", "/gaj/bsfw/wsyy.do", "出入境业务网上预约"),
    Link("zjj", "doc:gzdt:0", "/zjj/bsfw/gjjcx.jsp", "住房公积金查询"),
    Link("wjw", "doc:zcwj:0", "/wjw/sjfb/index.htm", "卫生健康统计数据发布"),
    Link("fgw", "doc:zcwj:1", "/fgw/uploadfiles/2024/价格监测报告.pdf", "价格监测报告.pdf", tag="attachment"),
    Link("jyj", "doc:tzgg:1", "/jyj/zwgk/fj/报名登记表.docx", "报名登记表.docx", tag="attachment"),
    Link("sfj", "doc:tzgg:0", "/sfj/zwgk/fj/法律援助案件统计表.xlsx", "法律援助案件统计表.xlsx",
         tag="attachment"),
    Link("sfj", "doc:tzgg:1", "/sfj/zwgk/download.jsp?fileid=7", "申请须知", tag="attachment"),
    Link("sfj", "doc:zcwj:0", "/sfj/zwgk/download.jsp?fileid=8", "统计表", tag="attachment"),
    Link("fgw", "doc:tzgg:1", "/fgw/zwgk/#nav", "政府信息公开目录"),
    Link("zjj", "doc:tzgg:1", "/zjj/zwgk/tzgg/index.shtml#top", "返回列表"),
    Link("gaj", "root", "mailto:gaj@sample.gov.cn", "信箱：gaj@sample.gov.cn"),
    Link("zjj", "doc:zcwj:0", "javascript:window.print()", "打印本页"),
    Link("wjw", "doc:gzdt:1", "javascript:window.close()", "关闭窗口"),
)
