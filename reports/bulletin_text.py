"""The wording of the 通报: a BulletinContext → document blocks (one text for DOCX, HTML and PDF).

Structure after 国办 and provincial bulletins (the 通报 of 国办 and provinces): opening, 一、抽查基本情况 (whom, what,
when, how drawn — with the commitment and seed — overall result, last round's rectification),
二、存在的主要问题 (by category, naming departments with counts and example addresses), 三、整改要求
(deadline in working days, reporting back, objections), signature, and the annexes.
"""
from __future__ import annotations

import re
from dataclasses import replace

from reports.bulletin_blocks import (URL_RE, Annex, Document, Figure, Heading, Para, Table, cn_date, percent,
                                     readable_url, readable_urls, without_category)
from reports.bulletin_context import KIND_LABELS, BulletinContext, CategoryView

_DIGITS = "零一二三四五六七八九"


def cn_number(n: int) -> str:
    """1 → 一, 12 → 十二, 21 → 二十一 (enough for section numbering)."""
    if n < 10:
        return _DIGITS[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else _DIGITS[tens]) + "十" + (_DIGITS[ones] if ones else "")


def _join(parts) -> str:
    return "、".join(p for p in parts if p)


def _when(value) -> str:
    return f"{cn_date(value)}{value.hour}时{value.minute:02d}分"


def _quoted(name: str) -> str:
    """“…” around a name, its own quotation marks turned into the inner ‘…’."""
    return "“" + name.replace("“", "‘").replace("”", "’") + "”"


def compose(ctx: BulletinContext, figures: tuple[Figure, ...] = ()) -> Document:
    has_problems = bool(ctx.problem_departments)
    annexes = (Annex("附件1", f"{ctx.year}年第{ctx.period}期各单位抽查结果统计表", _results_annex(ctx, figures)),
               Annex("附件2", f"{ctx.year}年第{ctx.period}期“三随机”抽查问题清单", _problem_annex(ctx, len(figures))),
               Annex("附件3", f"{ctx.year}年第{ctx.period}期“三随机”抽查抽取复核信息", _verification_annex(ctx)))
    body = (Para(_opening(ctx)),
            Heading("一、抽查基本情况"), *_basics(ctx),
            Heading("二、存在的主要问题"), *_problems(ctx),
            Heading("三、整改要求"), *_requirements(ctx, has_problems))
    office = ctx.office
    return Document(title=ctx.title, body=tuple(_plain(b) for b in body), issuer_mark=office.mark or ctx.issuer,
                    addressees=_addressees(ctx), signature=ctx.issuer, signed_on=ctx.issued_on,
                    note="（此件公开发布）" if ctx.settings.public else "", annexes=annexes,
                    doc_number=ctx.doc_number, sealed=office.sealed, copy_to=tuple(office.copy_to),
                    printer=office.printer or ctx.issuer, printed_on=ctx.issued_on)


def _addressees(ctx: BulletinContext) -> str:
    if ctx.office.addressees:
        return ctx.office.addressees.rstrip("：:") + "："
    # the county level is always addressed: 县（区）政务公开 offices pass the bulletin on to their townships
    parts = {"county": "各县（区）人民政府", "department": "市直各有关单位", "township": "各乡镇人民政府、街道办事处"}
    wanted = {"county", *ctx.kinds_in_frame}
    return "，".join(parts[k] for k in ("county", "department", "township") if k in wanted) + "："


def _source(ctx: BulletinContext) -> str:
    """The basis cited: the office's own documents (sites.yaml office.basis); the checklist's source when it
    was issued for this region; otherwise the national regulation — never another city's document."""
    if ctx.office.basis:
        return _join(ctx.office.basis)
    title = ctx.checklist_source_title
    own = title and ctx.region[:2] in title
    if own:
        return f"《{title}》（{ctx.checklist_source}）"
    return "《中华人民共和国政府信息公开条例》和政务公开工作有关要求"


def _basis_short(ctx: BulletinContext) -> str:
    if ctx.office.basis:
        return ctx.office.basis[0] + "的要求"
    if ctx.checklist_source_title and ctx.region[:2] in ctx.checklist_source_title:
        return ctx.checklist_source + "的要求"
    return "有关规定"


def _contact(ctx: BulletinContext) -> str:
    c = ctx.office.contact
    if c is None:
        return ""
    parts = [f"联系人：{c.person}" if c.person else "", f"联系电话：{c.phone}" if c.phone else "",
             f"电子邮箱：{c.email}" if c.email else ""]
    return "（" + "，".join(p for p in parts if p) + "）" if any(parts) else ""


# --- plain formal text: what a clerk would otherwise correct by hand -----------------------------------
_CJK = r"\u3000-\u303f\u4e00-\u9fff\uff00-\uffef"
_SPACE_CJK = re.compile(rf"(?<=[{_CJK}])[ \t]+(?=[{_CJK}0-9A-Za-z])|(?<=[{_CJK}0-9A-Za-z%])[ \t]+(?=[{_CJK}])")
_ISO_TIME = re.compile(r"(?<![0-9])(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::\d{2})?)?(?![0-9])")
_JARGON = (("抓取", "检测"), ("爬取", "检测"), ("爬虫", "检测程序"))


def _cn_time(m: re.Match) -> str:
    y, mo, d, h, mi = m.groups()
    text = f"{int(y)}年{int(mo)}月{int(d)}日"
    return text + (f"{int(h)}时{mi}分" if h is not None else "")


def plain_text(text: str) -> str:
    """Body text as a 公文 writes it: dates in Chinese style, no half-width spaces beside Chinese, none of
    the crawler's own words. Addresses keep their spelling: only text outside URLs is touched."""
    out, last = [], 0
    for url in URL_RE.finditer(text):
        out.append(_plain_piece(text[last:url.start()]))
        out.append(url.group(0))
        last = url.end()
    out.append(_plain_piece(text[last:]))
    return "".join(out)


def _plain_piece(text: str) -> str:
    text = _ISO_TIME.sub(_cn_time, text)
    for word, plain in _JARGON:
        text = text.replace(word, plain)
    return _SPACE_CJK.sub("", text)


def _plain(block):
    if isinstance(block, Para):
        return replace(block, text=plain_text(block.text))
    return block


def _opening(ctx: BulletinContext) -> str:
    return (f"为推动政务公开各项要求落到实处，根据{_source(ctx)}关于开展政务公开工作“三随机”"
            f"（时间随机、对象随机、内容随机）抽查巡检的要求，{ctx.issuer}于{cn_date(ctx.executed_at)}对"
            f"{len(ctx.departments)}个单位的政府信息公开专栏开展了{ctx.year}年第{ctx.period}期“三随机”抽查。"
            "现将有关情况通报如下：")


def _basics(ctx: BulletinContext) -> list[Para]:
    kinds = _join(f"{label}{n}个" for label, n in ctx.frame_by_kind)
    excluded = (f"，排除最近{ctx.exclude_last}期已被抽查的{ctx.excluded}个单位后" if ctx.excluded else "")
    share = f"（抽取比例{percent(len(ctx.departments), ctx.frame_total)}）"
    whom = (f"本期以截至{cn_date_str(ctx.frame_as_of)}单位名录中的{ctx.frame_total}个单位为抽查范围（其中{kinds}）"
            f"{excluded}，按单位类型分层随机抽取{len(ctx.departments)}个单位{share}。被抽查单位为："
            f"{_join(d.name for d in ctx.departments)}。")
    items = _join(f"第{i.number}项{_quoted(i.name)}" for i in ctx.items)
    auto = [i for i in ctx.items if i.checks]
    manual = [i for i in ctx.items if i.manual_field]
    what = (f"从《{ctx.checklist_name}》（{ctx.checklist_source}{ctx.checklist_annex}）所列{ctx.checklist_total}项内容中"
            f"随机抽取{len(ctx.items)}项：{items}。")
    if auto:
        what += (f"其中，第{_join(str(i.number) for i in auto)}项由系统自动检测，检测内容为"
                 f"{_join(dict.fromkeys(t for i in auto for t in i.checks))}")
        what += "；" if manual else "。"
    if manual:
        what += f"第{_join(str(i.number) for i in manual)}项由检查人员人工核查。"
    missing = [i for i in ctx.items if i.unavailable]
    if missing:
        what += (f"第{_join(str(i.number) for i in missing)}项所列"
                 f"{_quoted(_join(dict.fromkeys(u for i in missing for u in i.unavailable)))}"
                 "等内容暂未纳入系统自动检测，本期未作检测。")
    what += (f"此外，在每个被抽查单位的政府信息公开专栏中随机抽取{ctx.documents_each}条信息、"
             f"{ctx.columns_each}个栏目供人工核查。")
    scheduled = ctx.scheduled_at
    window = (f"{cn_date_str(ctx.window[0])}至{cn_date_str(ctx.window[1])}的{ctx.window[2]}个工作日的工作时间内"
              "随机确定")
    if ctx.run_reason and scheduled:
        when = (f"本期抽查的实施时间在{window}，为{_when(scheduled)}；因{ctx.run_reason.rstrip('。')}，"
                f"实际于{_when(ctx.executed_at)}提前实施。")
    else:
        when = f"本期抽查于{_when(ctx.executed_at)}实施，实施时间在{window}，事先未告知被抽查单位。"
    announced = ctx.verification is not None and ctx.verification.announcement_id
    when += (f"抽取依据事先公布的抽查公告（第{ctx.verification.announcement_id}号）进行，抽查对象、内容和时间由公告指定的"
             "公开随机数和本办公室事先封存的密钥共同确定，任何一方都不能单独决定抽取结果。" if announced else
             "本期抽取未事先发布抽查公告，抽取结果由本办公室留存的记录确定。")
    when += "复核抽取结果所需的信息和方法见附件3。"
    paras = [Para(whom, lead="（一）抽查对象。"), Para(what, lead="（二）抽查内容。"),
             Para(when, lead="（三）抽查时间和方式。"), Para(_overall(ctx), lead="（四）总体情况。")]
    if ctx.previous is not None:
        paras.append(Para(_previous(ctx), lead="（五）上期通报问题整改情况。"))
    return paras


def cn_date_str(iso: str) -> str:
    from datetime import date

    return cn_date(date.fromisoformat(iso)) if iso else ""


def _pending_text(ctx: BulletinContext) -> str:
    if not ctx.pending:
        return ""
    by_item: dict[tuple[int, str], list[str]] = {}
    for dept, item, name in ctx.pending:
        by_item.setdefault((item, name), []).append(dept)
    parts = "；".join(f"第{item}项{_quoted(name)}（{_join(depts)}）" for (item, name), depts in sorted(by_item.items()))
    return f"以下人工核查内容待核查，核查结果另行通报：{parts}。"


def _overall(ctx: BulletinContext) -> str:
    manual = len(ctx.manual_problems)
    flagged = ctx.problem_departments
    waiting = {dept for dept, _, _ in ctx.pending}
    clean = [d for d in ctx.departments if d.name not in flagged and d.name not in waiting]
    scope = "在本期已完成核查的抽查内容范围内" if ctx.pending else "在本期抽查内容范围内"
    if not ctx.findings and not manual:
        if not clean:
            return "本期系统检测未发现问题。" + _pending_text(ctx)
        whom = "被抽查单位" if len(ctx.departments) == 1 else f"{len(clean)}个被抽查单位均"
        if ctx.pending:
            whom = f"{_join(d.name for d in clean)}"
        return f"{scope}，{whom}未发现问题。" + _pending_text(ctx)
    text = f"本期共发现问题{len(ctx.findings) + manual}个"
    if manual:
        text += f"（其中系统检测发现{len(ctx.findings)}个，人工核查发现{manual}个）"
    text += f"，涉及{len(flagged)}个单位。"
    if clean:
        text += f"{_join(d.name for d in clean)}{'等' if len(clean) > 1 else ''}{len(clean)}个单位{scope}未发现问题。"
    return text + _pending_text(ctx) + "各单位问题数量见附件1，问题明细见附件2。"


def _previous(ctx: BulletinContext) -> str:
    p = ctx.previous
    name = f"{p.year}年第{p.period}期"
    if not p.total:
        return f"{name}抽查未发现问题。"
    c = p.counts
    text = f"截至{cn_date(ctx.issued_on)}，{name}通报的{p.total}个问题中，已整改{c.get('rectified', 0)}个"
    if c.get("accepted"):
        text += f"，单位情况说明经核实予以采纳{c['accepted']}个"
    if c.get("disputed"):
        text += f"，单位提出异议正在核实{c['disputed']}个"
    text += f"，整改率{percent(c.get('rectified', 0), p.rate_base)}。"
    if not p.still_open:
        return text + "上期通报问题已全部整改或核实。"
    named = _join(f"{dept}{n}个（{_join(kinds)}）" for dept, n, kinds in p.still_open)
    return text + f"尚未整改{sum(n for _, n, _ in p.still_open)}个：{named}。"


def _category(i: int, cat: CategoryView) -> Para:
    depts = _join(f"{name}{n}个" for name, n in cat.departments)
    examples = "；".join(f"{f.department_name}：{readable_urls(without_category(f.message, cat.title)).rstrip('。')}"
                        for f in cat.examples)
    return Para(f"共{cat.count}个，涉及{len(cat.departments)}个单位：{depts}。如，{examples}。",
                lead=f"（{cn_number(i)}）{cat.title}。")


def _problems(ctx: BulletinContext) -> list[Para]:
    paras = [_category(i, cat) for i, cat in enumerate(ctx.categories, start=1)]
    found = ctx.manual_problems
    if found:
        text = "；".join(f"{m.department}（第{m.item}项{_quoted(m.item_name)}）：{m.value.rstrip('。')}" for m in found)
        paras.append(Para(text + "。", lead=f"（{cn_number(len(paras) + 1)}）人工核查发现的问题。"))
    if not paras:
        paras.append(Para("本期抽查内容范围内未发现需要通报的问题。"))
    return paras


def _requirements(ctx: BulletinContext, has_problems: bool) -> list[Para]:
    s = ctx.settings
    self_check = (f"各单位要对照《{ctx.checklist_name}》全面开展自查，举一反三，做到栏目设置规范、信息发布及时、"
                  "链接有效可用，附件不以压缩包形式发布，依法做好个人信息保护。"
                  f"{ctx.issuer}将继续开展“三随机”抽查，抽查结果定期通报。")
    carry = ""
    if ctx.previous is not None and ctx.previous.still_open:
        carry = "上期通报尚未整改的问题，相关单位要一并整改到位。"
    if not has_problems:
        return [Para("本期抽查未发现需要整改的问题。" + carry, lead="（一）整改情况。"),
                Para(self_check, lead="（二）持续做好自查。")]
    named = _join(ctx.problem_departments)
    return [
        Para(f"请{named}对照附件2问题清单逐项整改，于{cn_date(ctx.deadline)}前（{s.deadline_workdays}个工作日内）"
             "完成，并将整改情况报告（列明每个问题的整改措施、完成时间和整改后的页面地址，加盖单位公章）报送"
             f"{ctx.issuer}{_contact(ctx)}。{carry}", lead="（一）限期整改。"),
        Para(f"整改期限届满后，{ctx.issuer}将对通报问题逐一复查，复查结果在下一期通报中公布。对通报问题有异议的，"
             f"请于{cn_date(ctx.dispute_by)}前（{s.dispute_workdays}个工作日内）提交书面说明和佐证材料（页面截图、"
             f"发布记录等），经核实予以采纳的，不计入问题。逾期未整改或整改不到位的，按照{_basis_short(ctx)}"
             "予以通报，并在年度考核中予以体现。", lead="（二）复查和异议。"),
        Para(self_check, lead="（三）举一反三。"),
    ]


def _results_annex(ctx: BulletinContext, figures: tuple[Figure, ...]) -> tuple:
    titles = {c.check: c.title for c in ctx.categories}
    manual = {d.name: sum(1 for m in ctx.manual_problems if m.department == d.name) for d in ctx.departments}
    waiting = {dept for dept, _, _ in ctx.pending}

    def kinds(d) -> str:
        parts = [f"{titles.get(c, c)}{n}个" for c, n in sorted(d.by_check.items(), key=lambda kv: -kv[1])]
        if manual[d.name]:
            parts.append(f"人工核查发现问题{manual[d.name]}个")
        if d.name in waiting:
            parts.append("人工核查内容待核查")
        return _join(parts) or "未发现问题"

    rows = tuple((str(i), d.name, KIND_LABELS.get(d.kind, d.kind), str(d.findings + manual[d.name]), kinds(d))
                 for i, d in enumerate(ctx.departments, start=1))
    return (Table(("序号", "单位", "单位类型", "问题数", "问题分类"), rows, (1.2, 5, 2.2, 1.6, 7)), *figures)


def _problem_annex(ctx: BulletinContext, figures_before: int) -> tuple:
    if not ctx.problem_departments:
        return (Para("本期抽查未发现问题。", align="center"),)
    # 整改建议 and the detection time to the minute are in the XLSX 问题清单 (same 问题编号); the printed table
    # keeps to what fits a portrait A4 page
    rows = [(f.department_name, f.check_title, readable_url(f.url) if f.url else "—",
             readable_urls(without_category(f.message, f.check_title)), cn_date(f.detected_at))
            for f in ctx.findings]
    rows += [(m.department, f"人工核查：第{m.item}项", "—", f"{m.field}：{m.value}", "—") for m in ctx.manual_problems]
    table = Table(("问题编号", "单位", "问题类型", "页面地址", "问题描述", "检测日期"),
                  tuple((f"{ctx.year}-{ctx.period:02d}-{i:03d}", *row) for i, row in enumerate(rows, start=1)),
                  (2.4, 2.8, 2.6, 5, 7, 2.6), url_columns=(3,))
    shots = tuple(Figure(path.read_bytes(), f"图{i}  {f.department_name}“{f.check_title}”问题所在页面 "
                         f"{readable_url(page)}（截图留存）", 14.0)
                  for i, (f, (path, page)) in enumerate(((f, ctx.screenshots[f.id]) for f in ctx.findings
                                                         if f.id in ctx.screenshots), start=figures_before + 1))
    return (table, *shots)


def _verification_annex(ctx: BulletinContext) -> tuple:
    v = ctx.verification
    if v is None:
        return (Para("本期抽取记录不含复核信息。"),)
    rows = [("抽查公告", f"第{v.announcement_id}号" if v.announcement_id else "未事先公告")]
    rows += [("抽取范围校验值（SHA-256）", v.commitment)]
    if v.public_source:
        rows += [("公开随机数来源", v.public_source), ("公开随机数", v.public_value or "")]
    if v.secret_sha256:
        rows += [("密钥校验值（SHA-256，公告时公布）", v.secret_sha256)]
    if v.secret:
        rows += [("密钥（抽取时揭示）", v.secret)]
    rows += [("随机种子", v.seed), ("抽取算法", v.algorithm), ("抽取记录", f"第{ctx.draw_id}号")]
    how = ("复核方法：取得本期抽取范围文件（JSON，随抽查公告公布），运行 python3 checks/drawcore.py 抽取范围文件 "
           "--public-value 公开随机数 --secret 密钥，程序输出的抽取范围校验值、被抽查单位、抽查内容和实施时间应与本通报一致。"
           "程序只使用 Python 标准库，算法说明见程序开头。")
    return (Table(("项目", "内容"), tuple(rows), (1, 3)), Para(how))
