"""What the sample city contains: departments, columns, planted endpoints and the links to them.

Add a department, column or defect here; the site, the ground truth check and the tests follow.
Every planted link must point at an Endpoint, and every Endpoint a link points at needs a verdict;
after changing the verdicts, update ground_truth.yaml (tests/test_samplecity.py says what differs).
"""

from __future__ import annotations

from . import files, texts
from .model import (ARCHIVE, BROKEN, NEGATIVE, PLANTED, Column, Department, DocPlant, Endpoint, Expect, Link, Repost,
                    Upstream)

_BUDGET = Column("czyjs", "财政预决算", children=(
    Column("bmys", "部门预算", docs=1, yearly=(2, 10)),
    Column("bmjs", "部门决算", docs=1, yearly=(8, 28)),
))
_EXPLAINED = Column("zcjd", "政策解读", explains="zcwj")
_GUIDE, _RULES = Column("xxgkzn", "政府信息公开指南", docs=1, newest=200), Column("gkzd", "政府信息公开制度", docs=1, newest=300)
_NO_PLANS = "本单位无此类信息。根据部门职责，本局本年度未编制需主动公开的专项规划，特此说明。"

DEPARTMENTS: tuple[Department, ...] = (
    Department(
        id="fgw", name="示例市发展和改革委员会", short="市发展改革委", style="generic",
        credit_code="11370100MB2851107F", doc_prefix="示发改", first_id=10001,
        topics=("重点项目建设", "价格监测", "营商环境优化", "节能降碳", "社会信用体系建设"),
        columns=(
            _GUIDE, _RULES, Column("jgzn", "机构职能", docs=1, newest=150),
            Column("gzdt", "工作动态", docs=10, newest=1, oldest=70, image_every=4),
            Column("tzgg", "通知公告", docs=5, newest=3, oldest=100, numbered=True),
            # filled by JavaScript: only a browser sees its entries
            Column("zcwj", "政策文件", docs=5, newest=12, oldest=170, numbered=True, attach_every=2, js=True),
            _EXPLAINED,
            Column("ghjh", "规划计划", docs=2, newest=40, oldest=200),
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
            Column("xxgkzn", "政府信息公开指南", docs=1, newest=240), _RULES,
            Column("jgzn", "机构概况", docs=1, newest=180),
            Column("gzdt", "工作动态", docs=12, newest=2, oldest=80, image_every=3),
            Column("tzgg", "通知公告", docs=6, newest=5, oldest=120, numbered=True, attach_every=3),
            Column("zcwj", "政策文件", docs=4, newest=20, oldest=200, numbered=True, attach_every=2),
            _EXPLAINED,
            Column("ghjh", "规划计划"),  # empty, only the CMS placeholder 暂无信息
            Column("rsxx", "人事信息", docs=3, newest=365, oldest=420),
            Column("czyjs", "部门预决算", docs=2, yearly=(3, 1), kind="bmys"),
            Column("ndbg", "政府信息公开年报", docs=2, yearly=(1, 22)),
        ),
    ),
    Department(
        id="gaj", name="示例市公安局", short="市公安局", style="query",
        credit_code="11370100MB2851301Q", doc_prefix="示公", first_id=5101,
        topics=("户籍管理", "交通安全", "反诈宣传", "出入境服务", "治安管理"),
        columns=(
            _GUIDE, _RULES, Column("jgzn", "机构职能", docs=1, newest=160),
            Column("gzdt", "部门动态", docs=10, newest=1, oldest=60),
            Column("tzgg", "通知公告", docs=5, newest=6, oldest=90, numbered=True),
            Column("zcwj", "政策文件", docs=4, newest=30, oldest=180, numbered=True),
            _EXPLAINED,
            Column("rsxx", "人事信息", docs=2, newest=40, oldest=120),
            _BUDGET,
            Column("ndbg", "政府信息公开年报", docs=2, yearly=(2, 5)),  # after the 31 January deadline
        ),
    ),
    Department(
        id="wjw", name="示例市卫生健康委员会", short="市卫生健康委", style="gbk",
        credit_code="11370100MB2851409W", doc_prefix="示卫健", first_id=30001,
        topics=("基层医疗卫生", "疾病预防控制", "家庭医生签约", "医疗质量安全", "爱国卫生运动"),
        columns=(
            _GUIDE, _RULES, Column("jgzn", "机构·职能", docs=1, newest=170),
            Column("gzdt", "政务动态", docs=10, newest=2, oldest=65, image_every=5),
            Column("tzgg", "通知公告", docs=5, newest=4, oldest=95, numbered=True),
            Column("zcwj", "政策文件", docs=3, newest=14, oldest=160, numbered=True, attach_every=2),
            _EXPLAINED,
            Column("ghjh", "规划计划", docs=2, newest=60, oldest=250),
            Column("rsxx", "人事信息", docs=2, newest=400, oldest=500),
            Column("ndbg", "政府信息公开年报", docs=2, yearly=(1, 18)),
        ),
    ),
    Department(
        id="sfj", name="示例市司法局", short="市司法局", style="gkmlpt",
        credit_code="11370100MB2851502C", doc_prefix="示司", first_id=2215001, repost_column="fdzdgknr/zcwj",
        topics=("公共法律服务", "人民调解", "法律援助", "行政执法监督", "普法宣传"),
        columns=(  # the layout of 国办公开办函〔2019〕61号: 指南 / 制度 / 法定主动公开内容 / 年报
            Column("xxgkzn", "政府信息公开指南", docs=1, newest=300), _RULES,
            Column("fdzdgknr", "法定主动公开内容", children=(
                Column("jgzn", "机构职能", docs=1, newest=190),
                Column("gzdt", "工作动态", docs=8, newest=15, oldest=75),
                Column("tzgg", "通知公告", docs=7, newest=2, oldest=110, numbered=True),
                Column("zcwj", "政策文件", docs=4, newest=25, oldest=210, numbered=True),
                Column("zcjd", "政策解读", explains="fdzdgknr/zcwj"),
                Column("ghjh", "规划计划", docs=1, newest=90),
                Column("rsxx", "人事信息", docs=2, newest=60, oldest=150),
                Column("czyjs", "财政预决算", children=(
                    Column("bmys", "部门预算", docs=1, yearly=(2, 10)),
                    Column("bmjs", "部门决算"),  # empty, placeholder only
                )),
            )),
            Column("ndbg", "政府信息公开工作年报", docs=2, yearly=(1, 26)),
        ),
    ),
    Department(
        id="zjj", name="示例市住房和城乡建设局", short="市住房城乡建设局", style="shtml", challenge=True,
        credit_code="11370100MB2851606H", doc_prefix="示建", first_id=7701,
        topics=("保障性住房", "城镇老旧小区改造", "建筑施工安全", "物业服务管理", "住房公积金"),
        columns=(
            _GUIDE, _RULES, Column("jgzn", "领导信息", docs=1, newest=175),
            Column("gzdt", "工作动态", docs=12, newest=14, oldest=72, image_every=4),
            Column("tzgg", "通知公告", docs=7, newest=5, oldest=130, numbered=True, attach_every=4),
            Column("zcwj", "政策文件", docs=4, newest=16, oldest=190, numbered=True),
            _EXPLAINED,
            Column("ghjh", "规划计划", note=_NO_PLANS),
            Column("rsxx", "人事信息", docs=2, newest=28, oldest=140),
            Column("czyjs", "财政资金", docs=1, yearly=(2, 20), kind="bmys"),
            Column("ndbg", "政府信息公开年报", docs=2, yearly=(1, 24)),
        ),
    ),
    Department(
        id="cgjd", name="示例市城关街道办事处", short="城关街道", style="generic", kind="township", catalog="township",
        credit_code="11370100MB2851809N", doc_prefix="城街", first_id=880001, repost_column="",
        topics=("社会救助", "养老服务", "基层治理", "安全生产", "人居环境整治"),
        columns=(
            Column("xxgkzn", "政府信息公开指南", docs=1, newest=120),
            Column("jgzn", "机构职能", docs=1, newest=200),
            Column("czyjs", "财政预决算", docs=2, yearly=(2, 15), kind="bmys"),
            Column("shjz", "社会救助", docs=3, newest=6, oldest=40),
            Column("ylfw", "养老服务", docs=1, newest=50),
            Column("ndbg", "政府信息公开年报", docs=2, yearly=(3, 20)),  # a government: due 31 March
        ),
    ),
)

UPSTREAM: tuple[Upstream, ...] = (
    Upstream(
        id="province", name="省人民政府文件", path="/upstream/zcwj/", issuer="示例省人民政府",
        doc_prefix="示政发", docs=12, page_size=6, repost_within_hours=24,
        topics=("民营经济", "数字政府建设", "稳就业", "城市更新", "营商环境", "乡村振兴"),
        recent=((4, 10, 30), (9, 15, 20), (16, 9, 45)),  # inside the 62-day period judged; the rest are 70+ days old
    ),
)

# --- documents, reposts and personal data planted for the audit checks ------------------------------

# invented ID numbers with valid check digits (GB 11643); the masked forms are what the audit may show
_IDS = tuple(texts.id_number(body) for body in ("45010219650312002", "45010219781105101", "45010319590708202"))
_WRONG_CHECK = _IDS[0][:17] + ("0" if _IDS[0][17] != "0" else "1")
DIBAO_ROWS: tuple[tuple[str, ...], ...] = (
    ("序号", "户主姓名", "身份证号码", "联系电话", "保障人数", "月保障金（元）"),
    ("1", "王某某", _IDS[0], "13977123456", "3", "1860"),
    ("2", "陈某某", _IDS[1][:4] + "*" * 10 + _IDS[1][-4:], "139****5678", "1", "620"),
    ("3", "黄某某", _IDS[1], "0000-12345678", "2", "1240"),
)
_DIBAO_XLSX = "/cgjd/uploadfiles/shjz/城乡低保对象名单.xlsx"
files.BODIES.setdefault("dibao.xlsx", (lambda: files.xlsx(DIBAO_ROWS), files.BODIES["xlsx"][1]))

PLANTS: tuple[DocPlant, ...] = (
    DocPlant("fgw", "zcwj/2", written_workdays=21),  # late: 21 working days after it was written
    DocPlant("fgw", "tzgg/1", written_workdays=20),  # near miss: exactly 20
    DocPlant("jyj", "tzgg/3", written_workdays=40),
    DocPlant("fgw", "zcwj/0", explained_after=3),  # near miss: 解读 exactly 3 working days later
    DocPlant("wjw", "zcwj/1", explained_after=4),
    DocPlant("jyj", "zcwj/2", explained_after=-1),  # no 解读 at all
    DocPlant("cgjd", "shjz/1", extra=(
        f"救助对象：李某某，身份证号码：{_IDS[2]}，家庭住址：城关街道某社区，联系电话：139****5678，救助金额2000元。",)),
    DocPlant("cgjd", "shjz/2", extra=(  # properly masked, or not an ID/mobile number at all
        f"供养对象：赵某某，身份证号码：{_IDS[0][:2]}{'*' * 13}{_IDS[0][-3:]}；刘某某，身份证号码：{_IDS[1][:4]}{'*' * 10}"
        f"{_IDS[1][-4:]}，联系电话：138****1234。",
        f"项目编号：{_WRONG_CHECK}；资金账号：6217001234567891234；咨询电话：0000-12345678。")),
)

REPOSTS: tuple[Repost, ...] = (
    Repost("fgw", "province", 0, 26),  # late, to the minute
    Repost("fgw", "province", 1, 23.5),  # near miss: within 24 hours
    Repost("gaj", "province", 1, 60),  # late for certain although the page shows only the date
    Repost("gaj", "province", 2, 26),  # late in truth, but with only the date shown it may have been on time
    Repost("jyj", "province", 2, None),  # never reposted
    *(Repost("wjw", "province", n, 3, title="【转载】") for n in range(3)),
    *(Repost("sfj", "province", n, 5, title="关于转发") for n in range(3)),
    Repost("zjj", "province", 1, 4, title="文号"),
    Repost("zjj", "province", 2, 6, title="原题"),
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
    # --- content planted for the privacy checks ------------------------------------------------
    Endpoint(_DIBAO_XLSX, body="dibao.xlsx", verdict=PLANTED, why="低保 list with unmasked ID and mobile numbers"),
)

LINKS: tuple[Link, ...] = (
    # fgw: one deleted document linked three times (list entry + two documents) -> one entry
    Link("fgw", "column:tzgg", _DELETED_FGW, "关于开展2024年度重点项目申报工作的通知", tag="item"),
    Link("fgw", "doc:gzdt:1", _DELETED_FGW, "相关阅读：关于开展重点项目申报工作的通知"),
    Link("fgw", "doc:zcjd:0", _DELETED_FGW, "政策原文：关于开展重点项目申报工作的通知"),
    # the same removed provincial document linked by two departments -> two entries
    Link("fgw", "doc:zcwj:0", _GONE_UPSTREAM, "示例省人民政府关于促进民营经济发展的若干意见"),
    Link("sfj", "doc:fdzdgknr/zcwj:1", _GONE_UPSTREAM, "示例省人民政府关于促进民营经济发展的若干意见"),
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
    Link("sfj", "doc:fdzdgknr/tzgg:0", "/sfj/zwgk/download.jsp?fileid=123", "法律援助申请材料", tag="attachment"),
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
    Link("sfj", "doc:fdzdgknr/tzgg:0", "/sfj/zwgk/fj/法律援助案件统计表.xlsx", "法律援助案件统计表.xlsx",
         tag="attachment"),
    Link("sfj", "doc:fdzdgknr/tzgg:1", "/sfj/zwgk/download.jsp?fileid=7", "申请须知", tag="attachment"),
    Link("sfj", "doc:fdzdgknr/zcwj:0", "/sfj/zwgk/download.jsp?fileid=8", "统计表", tag="attachment"),
    Link("fgw", "doc:tzgg:1", "/fgw/zwgk/#nav", "政府信息公开目录"),
    Link("zjj", "doc:tzgg:1", "/zjj/zwgk/tzgg/index.shtml#top", "返回列表"),
    Link("gaj", "root", "mailto:gaj@sample.gov.cn", "信箱：gaj@sample.gov.cn"),
    Link("zjj", "doc:zcwj:0", "javascript:window.print()", "打印本页"),
    Link("wjw", "doc:gzdt:1", "javascript:window.close()", "关闭窗口"),
    # planted content
    Link("cgjd", "doc:shjz:0", _DIBAO_XLSX, "城乡低保对象名单.xlsx", tag="attachment"),
)

_DIBAO = f"file:{_DIBAO_XLSX}"
_C, _E, _S = "coverage.missing_column", "coverage.empty_column", "timeliness.stale_column"
_L, _A, _I = "timeliness.late_publication", "timeliness.annual_report", "timeliness.interpretation"
_RL, _RM, _PI, _PM = "repost.late", "repost.missing", "privacy.id_number", "privacy.mobile_number"

#: what the audit checks must find (and, negative=True, must not) on the sample city; ground_truth.yaml
EXPECT: tuple[Expect, ...] = (
    Expect(_C, "gaj", "root", "ghjh", "no column for 规划计划"),
    Expect(_C, "wjw", "root", "czyjs", "no column for 财政预决算"),
    Expect(_C, "wjw", "root", "jgzn", "机构·职能 matches 机构职能 once punctuation is dropped", negative=True),
    Expect(_C, "sfj", "*", None, "nested columns under 法定主动公开内容; 政府信息公开工作年报 matches fuzzily", negative=True),
    Expect(_C, "zjj", "*", None, "领导信息 and 财政资金 are aliases", negative=True),
    Expect(_E, "jyj", "column:ghjh", "ghjh", "empty, only the placeholder 暂无信息"),
    Expect(_E, "sfj", "column:fdzdgknr/czyjs/bmjs", None, "nested sub-column empty, placeholder only"),
    Expect(_E, "zjj", "column:ghjh", "ghjh", "empty with a note saying why", negative=True),
    Expect(_S, "wjw", "column:rsxx", "rsxx", "newest 400 days old, limit 365"),
    Expect(_S, "sfj", "column:fdzdgknr/gzdt", "gzdt", "newest 15 days old, limit 14"),
    Expect(_S, "zjj", "column:gzdt", "gzdt", "newest exactly 14 days old", negative=True),
    Expect(_S, "jyj", "column:rsxx", "rsxx", "newest exactly 365 days old", negative=True),
    Expect(_L, "fgw", "doc:zcwj/2", "zcwj", "published 21 working days after it was written"),
    Expect(_L, "jyj", "doc:tzgg/3", "tzgg", "published 40 working days after it was written"),
    Expect(_L, "fgw", "doc:tzgg/1", "tzgg", "published exactly 20 working days after", negative=True),
    Expect(_A, "gaj", "annual:ndbg", "gknb", "annual report published 5 February"),
    Expect(_A, "cgjd", "*", None, "a government's report published 20 March, due 31 March", negative=True),
    Expect(_I, "wjw", "doc:zcwj/1", "zcwj", "解读 4 working days after the policy"),
    Expect(_I, "jyj", "doc:zcwj/2", "zcwj", "no 解读"),
    Expect(_I, "fgw", "doc:zcwj/0", "zcwj", "解读 exactly 3 working days after", negative=True),
    Expect(_RL, "fgw", "doc:tzgg/zz:province/0", "upstream:province/0", "reposted 26 hours later (times shown)"),
    Expect(_RL, "gaj", "doc:tzgg/zz:province/1", "upstream:province/1", "reposted 60 hours later, date only"),
    Expect(_RL, "fgw", "doc:tzgg/zz:province/1", "upstream:province/1", "reposted 23.5 hours later", negative=True),
    Expect(_RL, "gaj", "doc:tzgg/zz:province/2", "upstream:province/2",
           "26 hours in truth, but the page shows only the date: at least 14 h 15 min", negative=True),
    Expect(_RM, "jyj", "root", "upstream:province/2", "never reposted"),
    Expect(_RM, "zjj", "*", None, "found by 文号 (转发…文件) and by a retyped title", negative=True),
    Expect(_RM, "sfj", "*", None, "关于转发《…》的通知 in 政策文件", negative=True),
    Expect(_RM, "wjw", "*", None, "【转载】 prefix", negative=True),
    Expect(_PI, "cgjd", _DIBAO, None, "two unmasked ID numbers in the 低保 list attachment"),
    Expect(_PI, "cgjd", "doc:shjz/1", None, "an unmasked ID number in the page text"),
    Expect(_PM, "cgjd", _DIBAO, None, "an unmasked mobile number in the 低保 list attachment"),
    Expect(_PM, "cgjd", "doc:shjz/1", None, "only a masked mobile number on the page", negative=True),
    Expect(_PI, "cgjd", "doc:shjz/2", None, "masked IDs and an 18-digit number with a wrong check digit",
           negative=True),
    Expect(_PM, "cgjd", "doc:shjz/2", None, "masked mobile, landline and a 19-digit account number", negative=True),
)
