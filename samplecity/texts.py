"""Invented Chinese wording for generated documents: title and body templates per column family.

Placeholders: {name} full department name, {short} its short name, {topic} one of its topics,
{y} publication year, {py} the year before, {y2} two years on, {m} publication month,
{date_cn} publication date in 年月日. Keep every character GBK-encodable (wjw serves GBK).
"""

from __future__ import annotations

TITLES: dict[str, tuple[str, ...]] = {
    "gzdt": (
        "{short}召开{y}年{topic}工作推进会",
        "{short}赴各区县开展{topic}专题调研",
        "{short}部署{topic}重点工作",
        "{short}召开{m}月份{topic}工作调度会",
        "{short}举办{topic}业务培训班",
        "{short}组织开展{topic}监督检查",
        "{short}党组理论学习中心组围绕{topic}开展专题学习",
    ),
    "tzgg": (
        "关于开展{y}年度{topic}工作的通知",
        "关于公布{y}年{topic}名单的公告",
        "关于征求《示例市{topic}管理办法（征求意见稿）》意见的公告",
        "关于做好{topic}有关工作的通知",
        "关于{y}年{topic}检查结果的通报",
    ),
    "zcwj": (
        "关于印发《示例市{topic}管理办法》的通知",
        "关于进一步加强{topic}工作的实施意见",
        "关于印发《示例市{topic}三年行动方案（{y}—{y2}年）》的通知",
        "关于规范{topic}有关事项的通知",
    ),
    "zcjd": (
        "《示例市{topic}管理办法》政策解读",
        "一图读懂《关于进一步加强{topic}工作的实施意见》",
        "关于《示例市{topic}三年行动方案》的解读",
    ),
    "rsxx": (
        "{name}{y}年公开招聘事业单位工作人员公告",
        "{name}{y}年公开遴选公务员拟遴选人员公示",
        "{name}关于{topic}岗位人员调整的公示",
    ),
    "bmys": ("{name}{y}年部门预算",),
    "bmjs": ("{name}{py}年部门决算",),
    "ndbg": ("{name}{py}年政府信息公开工作年度报告",),
    "xxgkzn": ("{name}政府信息公开指南",),
    "gkzd": ("{name}政府信息公开工作制度", "{name}政府信息公开保密审查制度"),
    "jgzn": ("{name}主要职责和内设机构", "{name}领导班子成员及分工"),
    "ghjh": ("{name}{y}年工作要点", "示例市{topic}发展规划（{y}—{y2}年）", "{name}{py}年工作总结"),
    "shjz": ("{short}{y}年{m}月城乡最低生活保障对象名单公示", "{short}{y}年{m}月临时救助对象公示",
             "{short}{y}年特困人员救助供养对象名单公示"),
    "ylfw": ("{short}养老服务设施名录", "{short}{y}年养老服务工作安排"),
}

BODIES: dict[str, tuple[str, ...]] = {
    "gzdt": (
        "{date_cn}，{short}召开专题会议，研究部署{topic}相关工作。会议传达学习了上级有关文件精神，"
        "听取了各处室工作进展情况汇报。",
        "会议指出，要坚持以人民为中心的发展思想，进一步提高思想认识，压实工作责任，细化工作措施，"
        "扎实推进{topic}各项任务落地见效。",
        "下一步，{short}将持续加强统筹协调和跟踪问效，推动{topic}工作再上新台阶。",
    ),
    "tzgg": (
        "各区县有关部门，各有关单位：",
        "为深入贯彻落实上级有关部署要求，扎实做好{topic}工作，现将有关事项通知如下。",
        "一、工作目标。以问题为导向，全面梳理{topic}工作中存在的短板弱项，建立健全长效机制。",
        "二、工作要求。各单位要高度重视，明确责任分工，按时报送工作进展情况。",
    ),
    "zcwj": (
        "各区县人民政府，市政府各部门，各有关单位：",
        "现将《示例市{topic}管理办法》印发给你们，请结合实际认真贯彻执行。",
        "第一条 为规范{topic}工作，根据有关法律法规，结合本市实际，制定本办法。",
        "第二条 本办法适用于本市行政区域内的{topic}相关活动。",
        "第三条 本办法自印发之日起施行，有效期五年。",
    ),
    "zcjd": (
        "一、起草背景。为进一步规范{topic}工作，{short}在深入调研的基础上起草了本文件。",
        "二、主要内容。文件共分为总则、工作职责、监督管理和附则四个部分。",
        "三、解读机关。{name}。",
    ),
    "rsxx": (
        "根据干部管理有关规定和工作需要，经研究，现将有关事项公告如下。",
        "公示期间，如有情况反映，请以书面形式向{name}人事科提出，并署真实姓名。",
    ),
    "bmys": (
        "一、部门主要职责。{name}是主管全市{topic}工作的市政府工作部门。",
        "二、部门预算收支总体情况。按照全口径预算的原则，本部门所有收入和支出均纳入部门预算管理。",
        "三、其他重要事项的情况说明。包括机关运行经费、政府采购、国有资产占用情况等。",
    ),
    "bmjs": (
        "一、部门基本情况。{name}主要负责全市{topic}等工作。",
        "二、部门决算收支总体情况。本部门{py}年度收入、支出均较上年有所下降，主要原因是压减一般性支出。",
        "三、名词解释。财政拨款收入：指本年度从本级财政部门取得的财政拨款。",
    ),
    "ndbg": (
        "本报告根据《中华人民共和国政府信息公开条例》和国务院办公厅政府信息与政务公开办公室有关要求编制。",
        "一、总体情况。{py}年，{name}认真贯彻落实政务公开工作部署，围绕{topic}等重点领域加大公开力度。",
        "二、主动公开政府信息情况。三、收到和处理政府信息公开申请情况。四、政府信息公开行政复议、"
        "行政诉讼情况。五、存在的主要问题及改进情况。六、其他需要报告的事项。",
    ),
    "shjz": (
        "根据《社会救助暂行办法》和本市有关规定，经个人申请、入户调查、民主评议，现将有关对象名单予以公示。",
        "公示期为7天。如有异议，请在公示期内向{short}社会事务办公室反映。",
    ),
    "jgzn": (
        "一、主要职责。{name}贯彻落实党中央、国务院和省委、省政府关于{topic}工作的方针政策。",
        "二、内设机构。办公室、政策法规科、业务科室等。",
        "三、办公地址和办公时间。详见本单位联系方式页面。",
    ),
    "xxgkzn": (
        "为了更好地提供政府信息公开服务，根据《中华人民共和国政府信息公开条例》，编制本指南。",
        "一、主动公开。公开的主要内容包括机构职能、政策文件、{topic}等信息。",
        "二、依申请公开。公民、法人或者其他组织可以向本机关申请获取相关政府信息。",
    ),
}

#: 主题分类 per column family
TOPIC_CLASS: dict[str, str] = {
    "zcwj": "综合政务/其他",
    "tzgg": "综合政务/通知公告",
    "zcjd": "综合政务/政策解读",
    "rsxx": "综合政务/人事",
    "bmys": "财政、金融、审计/预算",
    "bmjs": "财政、金融、审计/决算",
    "ndbg": "综合政务/政务公开",
    "xxgkzn": "综合政务/政务公开",
    "gkzd": "综合政务/政务公开",
    "jgzn": "综合政务/机构职能",
    "ghjh": "综合政务/规划计划",
    "shjz": "民政、扶贫、救灾/社会救助",
    "ylfw": "民政、扶贫、救灾/养老服务",
}
DEFAULT_TOPIC_CLASS = "综合政务/其他"

UPSTREAM_TITLES: tuple[str, ...] = (
    "示例省人民政府关于进一步优化{topic}的若干措施",
    "示例省人民政府办公厅关于印发{topic}实施方案的通知",
    "示例省人民政府关于加快推进{topic}高质量发展的意见",
    "示例省人民政府办公厅关于做好{topic}有关工作的通知",
)
UPSTREAM_BODY: tuple[str, ...] = (
    "各市人民政府，省政府各部门、各直属机构：",
    "为深入贯彻落实党中央、国务院决策部署，推动{topic}工作取得新成效，经省政府同意，现提出如下意见。",
    "各地各部门要结合实际抓好贯彻落实，重要情况及时报告省政府。",
)

#: the 解读 of a policy, named the ways sites name them
INTERPRETATION_TITLES: tuple[str, ...] = ("《{inner}》政策解读", "关于《{inner}》的解读", "图解《{inner}》")


def interpretation_title(policy_title: str, rng) -> str:
    """A 解读 title naming the policy: its 《…》 when it has one, else the whole policy title."""
    start, end = policy_title.find("《"), policy_title.rfind("》")
    if 0 <= start < end:
        return rng.choice(INTERPRETATION_TITLES).format(inner=policy_title[start + 1:end])
    return f"一图读懂《{policy_title}》"


#: sentinel: the repost carries the department's own 文号 (assigned with its other numbers)
OWN_NUMBER = "own"


def repost_title(style: str, title: str, number: str, short: str) -> tuple[str, str]:
    """(title, 文号) of a department's repost of an upstream document, in one of the ways sites write them."""
    if style == "转发":
        return f"转发{title}", ""
    if style == "【转载】":
        return f"【转载】{title}", number
    if style == "关于转发":
        return f"{short}关于转发《{title}》的通知", OWN_NUMBER
    if style == "文号":
        return f"转发{number}文件", number
    if style == "原题":  # retyped: spaces around the subject, ASCII punctuation
        return title.replace("关于", "关于 ").replace("的", " 的", 1).replace("、", ","), number
    raise ValueError(f"sample city: unknown repost title style {style!r}")


def id_number(body17: str) -> str:
    """An 18-digit ID number with its GB 11643 check digit (for planted, invented numbers)."""
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return body17 + "10X98765432"[sum(int(c) * w for c, w in zip(body17, weights)) % 11]
