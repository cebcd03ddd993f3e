"""Wording of timeliness findings (stale columns, late publication, annual report, interpretation)."""
from __future__ import annotations

from checks.base import Finding
from checks.wording import Text, wording
from checks.wording.coverage import matched_phrase


def _cn(iso: str | None) -> str:
    if not iso:
        return "（无）"
    y, m, d = (int(p) for p in iso.split("-"))
    return f"{y}年{m}月{d}日"


def book(title: str | None) -> str:
    """A title in 《》, its own 《》 turned into 〈〉 as Chinese style nests them."""
    return "《" + (title or "").replace("《", "〈").replace("》", "〉") + "》"


def _calendar(ev: dict) -> str:
    return f"（{ev['calendar_note']}）" if ev.get("calendar_note") else ""


@wording("timeliness.stale_column")
def _stale(f: Finding) -> Text:
    ev = f.evidence
    if f.kind == "undated":
        msg = (f"栏目不更新：“{ev['column']}”栏目（{ev['page']}）的 {ev['documents']} 条信息均未标注日期，"
               f"无法确认在 {ev['stale_after_days']} 天内有更新，按未更新认定。")
    else:
        msg = (f"栏目不更新：“{ev['column']}”栏目（{ev['page']}）最新一条信息发布于{_cn(ev['newest_date'])}，"
               f"距检查基准日已 {ev['age_days']} 天，超过 {ev['stale_after_days']} 天的更新要求"
               f"{matched_phrase(ev.get('match'))}。")
    fix = "请及时发布该栏目应公开的信息，建立栏目更新责任制和定期巡查机制；确无新信息的，在栏目页面说明情况。"
    return Text(msg, fix)


@wording("timeliness.late_publication")
def _late(f: Finding) -> Text:
    ev = f.evidence
    number = f"（{ev['doc_number']}）" if ev.get("doc_number") else ""
    msg = (f"信息发布不及时：{book(ev['title'])}{number}成文日期为{_cn(ev['written_date'])}，"
           f"{_cn(ev['publish_date'])}才公开，间隔 {ev['workdays']} 个工作日，"
           f"超过 {ev['limit_workdays']} 个工作日的时限（{ev['limit_source']}）{_calendar(ev)}。")
    fix = "请规范信息发布流程，在信息形成或者变更之日起 20 个工作日内（目录另有规定的从其规定）予以公开，并如实标注成文日期和发布日期。"
    return Text(msg, fix)


@wording("timeliness.annual_report")
def _annual(f: Finding) -> Text:
    ev = f.evidence
    who = "各级人民政府部门" if ev.get("department_kind") == "department" else "各级人民政府"
    if f.kind == "missing":
        where = f"在“{ev['column']}”栏目及" if ev.get("column") else "在"
        msg = (f"年报未发布：截至检查基准日，{where}本单位政务公开专栏中未找到 {ev['year']} 年政府信息公开工作年度报告"
               f"（{who}应于{_cn(ev['deadline'])}前公布）。")
    else:
        msg = (f"年报发布逾期：{book(ev['title'])}于{_cn(ev['publish_date'])}发布，晚于{_cn(ev['deadline'])}的法定期限 "
               f"{ev['days_late']} 天。")
    fix = (f"请按照政府信息公开条例第四十九条和国务院办公厅统一格式编制年度报告，{who}于每年"
           f"{'1月31日' if ev.get('department_kind') == 'department' else '3月31日'}前在“政府信息公开年报”栏目公布上一年度报告。")
    return Text(msg, fix)


@wording("timeliness.interpretation")
def _interpretation(f: Finding) -> Text:
    ev = f.evidence
    number = f"（{ev['doc_number']}）" if ev.get("doc_number") else ""
    if f.kind == "missing":
        msg = (f"政策解读缺失：{book(ev['title'])}{number}于{_cn(ev['publish_date'])}公开，"
               f"未找到相应的解读材料（应在 {ev['within_workdays']} 个工作日内发布）。")
        fix = "请按“谁起草、谁解读”的要求为该文件发布解读材料，在文件页面和解读页面相互链接，今后解读与文件同步发布。"
    else:
        msg = (f"政策解读不及时：{book(ev['title'])}{number}于{_cn(ev['publish_date'])}公开，"
               f"解读{book(ev['interpretation_title'])}{_cn(ev['interpretation_date'])}才发布，间隔 {ev['workdays']} 个工作日，"
               f"超过 {ev['within_workdays']} 个工作日的要求{_calendar(ev)}。")
        fix = "请将政策解读与政策文件同步组织、同步审签、同步部署，在文件公开后 3 个工作日内发布解读，并相互链接。"
    return Text(msg, fix)
