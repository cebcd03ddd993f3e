"""Wording of repost findings (repost.late, repost.missing)."""
from __future__ import annotations

from checks.base import Finding
from checks.wording import Text, wording
from checks.wording.timeliness import book

BASIS = {
    "page_time": "页面显示的发布时间",
    "date_only": "页面仅显示发布日期，按当日零时计最早时间、当日结束计最晚时间",
    "date_only_first_seen": "页面仅显示发布日期，按当日零时计最早时间，以首次抓取到该页面的时间为最晚时间",
}
MATCHED = {"title": "标题一致", "doc_number": "文号一致"}


def _hours(value: float) -> str:
    return f"{value:g} 小时" if value < 48 else f"{value / 24:.1f} 天（{value:g} 小时）"


@wording("repost.late")
def _late(f: Finding) -> Text:
    ev = f.evidence
    lag = f"晚了 {_hours(ev['lag_hours'])}" if f.kind == "exact" else f"至少晚了 {_hours(ev['lag_hours'])}"
    msg = (f"上级文件转载不及时：{book(ev['upstream_title'])}{ev['upstream_time']} 发布，本单位转载"
           f"（{ev['repost_url']}，{ev['repost_time']}，{BASIS.get(ev['repost_time_basis'], '')}）{lag}，"
           f"超过 {ev['limit_hours']:g} 小时的时限。")
    fix = ("请建立上级重要政策文件转载机制，明确专人每日跟踪上级政府门户网站，"
           f"在上级文件发布后 {ev['limit_hours']:g} 小时内完成转载，并在转载页面注明来源和原文链接。")
    return Text(msg, fix)


@wording("repost.missing")
def _missing(f: Finding) -> Text:
    ev = f.evidence
    number = f"（{ev['upstream_number']}）" if ev.get("upstream_number") else ""
    msg = (f"上级文件未转载：{book(ev['upstream_title'])}{number}于 {ev['upstream_time']} 发布，"
           f"转载时限截至 {ev['deadline']}，至 {ev['crawled_at']} 抓取时，在本单位网站已抓取的 "
           f"{ev['documents_searched']} 条信息中未找到转载。")
    fix = (f"请尽快转载该文件（原文地址：{ev['upstream_url']}），注明来源；"
           f"今后在上级文件发布后 {ev['limit_hours']:g} 小时内完成转载。")
    return Text(msg, fix)
