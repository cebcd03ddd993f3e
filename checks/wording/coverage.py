"""Wording of catalog-coverage findings (coverage.missing_column, coverage.empty_column)."""
from __future__ import annotations

from checks.base import Finding
from checks.wording import Text, wording

HOW = {"exact": "名称相同", "alias": "常用别名", "normalised": "名称去除空格和标点后相同", "fuzzy": "名称相近"}


@wording("coverage.missing_column")
def _missing(f: Finding) -> Text:
    ev = f.evidence
    nearest = ev.get("nearest")
    near = f"；最接近的栏目“{nearest['column']}”相似度仅 {nearest['score']:g}%，不足以认定" if nearest else ""
    aliases = "、".join(ev.get("aliases") or [])
    also = f"（也认可“{aliases}”等名称）" if aliases else ""
    msg = (f"缺少栏目：政务公开目录事项“{ev['item_name']}”{also}在本单位政务公开专栏的 "
           f"{ev.get('columns_searched', 0)} 个栏目中没有对应栏目{near}。")
    fix = (f"请在政务公开专栏中设置“{ev['item_name']}”栏目（或将现有栏目更名为目录规定的名称），"
           "按目录要求发布相关信息；确无此类信息的，在栏目页面说明原因。")
    return Text(msg, fix)


@wording("coverage.empty_column")
def _empty(f: Finding) -> Text:
    ev = f.evidence
    where = f"“{ev['parent']}”下的" if ev.get("parent") else ""
    shown = f"，页面仅显示“{ev['note']}”" if ev.get("note") else "，页面没有任何信息或说明"
    msg = f"空白栏目：{where}“{ev['column']}”栏目（{ev['page']}）未发布任何信息{shown}，未说明原因。"
    fix = ("请在该栏目发布应公开的信息；确无此类信息的，在栏目页面作出说明（如“本单位无此类信息，特此说明”及原因），"
           "不需要的栏目应予撤并。")
    return Text(msg, fix)


def matched_phrase(match: dict | None) -> str:
    """How a column was taken for a catalog item, when it was not by the item's own name."""
    if not match or match.get("how") == "exact":
        return ""
    return f"（该栏目按{HOW.get(match['how'], match['how'])}对应目录事项“{match['item_name']}”）"
